"""Fixtures of the command-line tests: each service's environment variables, pointing at
its emulator."""

from __future__ import annotations

import pytest
from clirun import clean_env

from sqlquarry.testing.pytest_plugin import TEST_ORGANIZATION_ID


@pytest.fixture
def roe_env(roe_server) -> dict[str, str]:
    return clean_env(
        ROE_API_KEY=roe_server.api_key,
        ROE_BASE_URL=roe_server.url,
        ROE_ORGANIZATION_ID=TEST_ORGANIZATION_ID,
    )


@pytest.fixture
def slateo_env(slateo_server) -> dict[str, str]:
    return clean_env(SLATEO_API_KEY=slateo_server.api_key, SLATEO_BASE_URL=slateo_server.url)


@pytest.fixture
def aifordb_env(aifordb_server) -> dict[str, str]:
    return clean_env(
        AIFORDATABASE_API_KEY=aifordb_server.api_key,
        AIFORDATABASE_BASE_URL=aifordb_server.base_url,
    )
