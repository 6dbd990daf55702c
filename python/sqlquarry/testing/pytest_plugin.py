"""pytest fixtures for testing against the local Roe AI, Slateo and AI for Database emulators.

Registered through the `pytest11` entry point.  Importing this module is cheap:
chDB is loaded only when the first query reaches the emulator.
"""

from __future__ import annotations

import pytest

from ._aifordb import AIForDatabaseServer
from ._roe import RoeServer
from ._slateo import SlateoServer

# The organization the `roe_client` fixture claims to belong to; the shared
# server accepts any organization id.
TEST_ORGANIZATION_ID = "00000000-0000-4000-8000-0000000000aa"


@pytest.fixture(scope="session")
def sqlquarry_roe_server():
    """One emulator for the whole session (chDB allows one database per process)."""
    server = RoeServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def roe_server(sqlquarry_roe_server):
    """The shared emulator; settings, faults, request log and tasks reset after the test.

    Tables created through it persist for the rest of the session.
    """
    try:
        yield sqlquarry_roe_server
    finally:
        sqlquarry_roe_server.reset()


@pytest.fixture
def roe_client(roe_server):
    """A sqlquarry.RoeClient pointed at the emulator."""
    import sqlquarry  # lazily: the native module is needed only by this fixture

    return sqlquarry.RoeClient(
        api_key=roe_server.api_key,
        base_url=roe_server.url,
        organization_id=TEST_ORGANIZATION_ID,
    )


@pytest.fixture(scope="session")
def sqlquarry_slateo_server():
    """One Slateo emulator for the whole session, on the process-wide chDB."""
    server = SlateoServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def slateo_server(sqlquarry_slateo_server):
    """The shared Slateo emulator; settings, faults, the request log, saved queries,
    runs and refs reset after the test (tables persist for the session)."""
    try:
        yield sqlquarry_slateo_server
    finally:
        sqlquarry_slateo_server.reset()


@pytest.fixture(scope="session")
def sqlquarry_aifordb_server():
    """One AI for Database emulator for the whole session, on the process-wide chDB."""
    server = AIForDatabaseServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def aifordb_server(sqlquarry_aifordb_server):
    """The shared AI for Database emulator; settings, faults, the request log, the
    rate-limit window, questions and workspace objects reset after the test (only
    `conn_local` and the `mem_owner` member remain; tables persist for the session)."""
    try:
        yield sqlquarry_aifordb_server
    finally:
        sqlquarry_aifordb_server.reset()


@pytest.fixture
def slateo_client(slateo_server):
    """A sqlquarry.SlateoClient pointed at the Slateo emulator."""
    import sqlquarry

    return sqlquarry.SlateoClient(api_key=slateo_server.api_key, base_url=slateo_server.url)


@pytest.fixture
def aifordb_client(aifordb_server):
    """A sqlquarry.AIForDatabaseClient pointed at the AI for Database emulator."""
    import sqlquarry

    return sqlquarry.AIForDatabaseClient(
        api_key=aifordb_server.api_key, base_url=aifordb_server.base_url
    )
