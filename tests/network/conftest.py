"""Fixtures for the network suite: a test CA (trustme), an HTTPS Roe emulator whose
certificate it signed, and two counting proxies, all on loopback. The variables that steer
proxies and roots are cleared for each test, which sets the ones it means."""

from __future__ import annotations

import ssl

import pytest
import trustme
from proxies import HttpProxy, Socks5Proxy

from sqlquarry.testing import RoeServer

NETWORK_VARIABLES = (
    "HTTPS_PROXY",
    "HTTP_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
    "REQUESTS_CA_BUNDLE",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
)


@pytest.fixture(autouse=True)
def clean_network_environment(monkeypatch):
    for name in NETWORK_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_pem(ca, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("ca") / "test-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return str(path)


@pytest.fixture(scope="session")
def https_roe(ca):
    """A Roe emulator serving HTTPS with a certificate for 127.0.0.1 from the test CA."""
    server = RoeServer(compression=None)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    server.tls = context
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def http_proxy():
    proxy = HttpProxy()
    try:
        yield proxy
    finally:
        proxy.close()


@pytest.fixture
def socks_proxy():
    proxy = Socks5Proxy()
    try:
        yield proxy
    finally:
        proxy.close()
