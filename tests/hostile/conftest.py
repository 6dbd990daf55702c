"""Fixtures for the hostile-server suite: a raw-socket server and clients of it.

Every client fixture checks, when its test ends, that the same client still answers a good
query (a bad answer must leave nothing broken behind) and that no Rust panic was printed.
"""

from __future__ import annotations

import pytest

import sqlquarry
from rawserver import KEY, RawServer


@pytest.fixture
def raw():
    with RawServer() as srv:
        yield srv


def no_panic(capfd) -> None:
    _, err = capfd.readouterr()
    assert "panicked at" not in err, err


@pytest.fixture
def roe(raw, capfd):
    """A RoeClient of the raw server that retries nothing, so each bad answer is seen once."""
    client = sqlquarry.RoeClient(KEY, base_url=raw.url, organization_id="org", max_retries=0)
    yield client
    assert client.query("SELECT 1").num_rows == 1, "the client did not recover"
    no_panic(capfd)


@pytest.fixture
def slateo(raw, capfd):
    client = sqlquarry.SlateoClient(KEY, base_url=raw.url, max_retries=0)
    yield client
    no_panic(capfd)


@pytest.fixture
def aifordb(raw, capfd):
    client = sqlquarry.AIForDatabaseClient(KEY, base_url=raw.url + "/v1", max_retries=0)
    yield client
    no_panic(capfd)
