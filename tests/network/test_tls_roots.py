"""Which certificates the clients trust: the system's roots plus ca_cert= and the variables
Python users set, each tried against an HTTPS emulator whose certificate a test CA signed."""

from __future__ import annotations

import shutil
import ssl
import warnings

import pytest

import sqlquarry

SQL = "SELECT 1 + 1 AS two"


def roe(server, **settings) -> sqlquarry.RoeClient:
    settings.setdefault("max_retries", 3)
    return sqlquarry.RoeClient(server.api_key, base_url=server.url, **settings)


def answers(client) -> bool:
    return client.query(SQL).to_arrow().to_pylist() == [{"two": 2}]


def test_the_emulator_really_speaks_https(https_roe):
    assert https_roe.url.startswith("https://127.0.0.1:")


def test_an_unknown_ca_is_refused_once_with_advice(https_roe, http_proxy):
    # Through the proxy, which counts connections: a certificate that failed once fails
    # again, so it is not retried.
    client = roe(https_roe, proxy=http_proxy.url)
    with pytest.raises(sqlquarry.TransportError) as info:
        client.query(SQL)
    message = str(info.value)
    assert "certificate" in message.lower(), message
    assert "ca_cert=" in message and "REQUESTS_CA_BUNDLE" in message, message
    assert "retries" not in message, message
    assert len(http_proxy.seen) == 1, http_proxy.seen
    assert info.value.request_id, "the attempt's X-Request-ID is on the error"


def test_ca_cert_adds_the_test_ca(https_roe, ca_pem):
    assert answers(roe(https_roe, ca_cert=ca_pem))


def test_ca_cert_takes_a_directory_and_a_pathlike(https_roe, ca_pem, tmp_path):
    shutil.copy(ca_pem, tmp_path / "corporate.pem")
    assert answers(roe(https_roe, ca_cert=tmp_path))


@pytest.mark.parametrize("variable", ["REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"])
def test_bundle_variables_add_to_the_system_roots(https_roe, ca_pem, variable, monkeypatch):
    monkeypatch.setenv(variable, ca_pem)
    assert answers(roe(https_roe))


def test_ssl_cert_dir_adds_its_files(https_roe, ca_pem, tmp_path, monkeypatch):
    shutil.copy(ca_pem, tmp_path / "corporate.pem")
    monkeypatch.setenv("SSL_CERT_DIR", f"{tmp_path / 'none-here'}:{tmp_path}")
    assert answers(roe(https_roe))


def test_a_missing_bundle_is_named_not_a_builder_error(https_roe, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", "/no/such/bundle.pem")
    with pytest.raises(sqlquarry.ConfigurationError, match=r"SSL_CERT_FILE /no/such/bundle\.pem"):
        roe(https_roe)
    # A client of plain HTTP on loopback checks no certificate and starts regardless.
    sqlquarry.RoeClient("k" * 20, base_url="http://127.0.0.1:9")


def test_a_file_without_certificates_is_named(https_roe, tmp_path):
    empty = tmp_path / "empty.pem"
    empty.write_text("not a certificate\n")
    with pytest.raises(sqlquarry.ConfigurationError, match="no CA certificates were loaded"):
        roe(https_roe, ca_cert=str(empty))


def test_verify_false_accepts_any_certificate_and_warns(https_roe):
    with pytest.warns(sqlquarry.SecurityWarning, match="verify=False") as caught:
        client = roe(https_roe, verify=False)
    assert caught[0].filename == __file__, "the warning points at the caller's line"
    assert answers(client)


def test_verify_takes_only_a_bool(https_roe, ca_pem):
    with pytest.raises(TypeError, match="verify"):
        roe(https_roe, verify=ca_pem)


def test_no_warning_when_verifying(https_roe, ca_pem):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        roe(https_roe, ca_cert=ca_pem)


@pytest.fixture
def mutual_tls_roe(ca):
    """An HTTPS emulator that requires a client certificate signed by the test CA."""
    from sqlquarry.testing import RoeServer

    server = RoeServer(compression=None)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    ca.configure_trust(context)
    context.verify_mode = ssl.CERT_REQUIRED
    server.tls = context
    with server:
        yield server


def test_client_certificates_for_mutual_tls(mutual_tls_roe, ca, ca_pem, tmp_path):
    with pytest.raises(sqlquarry.TransportError):
        roe(mutual_tls_roe, ca_cert=ca_pem, max_retries=0).query(SQL)
    leaf = ca.issue_cert("client@example.com")
    both = tmp_path / "client.pem"
    leaf.private_key_and_cert_chain_pem.write_to_path(str(both))
    assert answers(roe(mutual_tls_roe, ca_cert=ca_pem, client_cert=both))
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    for blob in leaf.cert_chain_pems:
        blob.write_to_path(str(cert), append=True)
    leaf.private_key_pem.write_to_path(str(key))
    assert answers(roe(mutual_tls_roe, ca_cert=ca_pem, client_cert=cert, client_key=key))


def test_a_client_cert_without_its_key_is_named(https_roe, ca, tmp_path):
    cert = tmp_path / "cert.pem"
    ca.issue_cert("client@example.com").cert_chain_pems[0].write_to_path(str(cert))
    with pytest.raises(sqlquarry.ConfigurationError, match=r"client_cert .*private key"):
        roe(https_roe, client_cert=cert)
