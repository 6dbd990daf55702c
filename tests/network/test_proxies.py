"""Requests through a proxy, named by proxy= or by the variables users already set; each
proxy counts the connections it made, so passing through it is seen, not assumed."""

from __future__ import annotations

import pytest

import sqlquarry

SQL = "SELECT 40 + 2 AS answer"


def answer(client) -> list:
    return client.query(SQL).to_arrow().to_pylist()


def test_proxy_argument_tunnels_https(https_roe, ca_pem, http_proxy):
    client = sqlquarry.RoeClient(
        https_roe.api_key, base_url=https_roe.url, ca_cert=ca_pem, proxy=http_proxy.url
    )
    assert answer(client) == [{"answer": 42}]
    port = https_roe.url.rsplit(":", 1)[1]
    assert http_proxy.seen and set(http_proxy.seen) == {f"127.0.0.1:{port}"}


def test_proxy_argument_forwards_plain_http(roe_server, http_proxy):
    client = sqlquarry.RoeClient(roe_server.api_key, base_url=roe_server.url, proxy=http_proxy.url)
    assert answer(client) == [{"answer": 42}]
    assert http_proxy.seen


def test_socks5_proxy(https_roe, ca_pem, socks_proxy):
    client = sqlquarry.RoeClient(
        https_roe.api_key, base_url=https_roe.url, ca_cert=ca_pem, proxy=socks_proxy.url
    )
    assert answer(client) == [{"answer": 42}]
    assert socks_proxy.seen


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_proxy_variables(https_roe, ca_pem, http_proxy, monkeypatch, variable):
    monkeypatch.setenv(variable, http_proxy.url)
    client = sqlquarry.RoeClient(https_roe.api_key, base_url=https_roe.url, ca_cert=ca_pem)
    assert answer(client) == [{"answer": 42}]
    assert http_proxy.seen


@pytest.mark.parametrize("how", ["argument", "variable"])
def test_no_proxy_bypasses_the_proxy(https_roe, ca_pem, http_proxy, monkeypatch, how):
    monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
    settings = {"proxy": http_proxy.url} if how == "argument" else {}
    if how == "variable":
        monkeypatch.setenv("HTTPS_PROXY", http_proxy.url)
    client = sqlquarry.RoeClient(
        https_roe.api_key, base_url=https_roe.url, ca_cert=ca_pem, **settings
    )
    assert answer(client) == [{"answer": 42}]
    assert http_proxy.seen == []


def test_a_dead_proxy_is_a_transport_error_naming_it(https_roe, ca_pem):
    client = sqlquarry.RoeClient(
        https_roe.api_key,
        base_url=https_roe.url,
        ca_cert=ca_pem,
        proxy="http://127.0.0.1:9",
        max_retries=0,
    )
    with pytest.raises(sqlquarry.TransportError, match=r"proxy|connect"):
        client.query(SQL)


def test_proxy_credentials_stay_out_of_messages(https_roe, ca_pem):
    secret = "proxy-password-0123456789"
    client = sqlquarry.RoeClient(
        https_roe.api_key,
        base_url=https_roe.url,
        ca_cert=ca_pem,
        proxy=f"http://user:{secret}@127.0.0.1:9",
        max_retries=0,
    )
    with pytest.raises(sqlquarry.TransportError) as info:
        client.query(SQL)
    assert secret not in str(info.value) and secret not in repr(client)
    with pytest.raises(sqlquarry.ConfigurationError) as bad:
        sqlquarry.RoeClient("k" * 20, base_url=https_roe.url, proxy=f"ftp://u:{secret}@h")
    assert secret not in str(bad.value)


def test_every_client_takes_the_network_settings(slateo_server, aifordb_server, http_proxy, ca_pem):
    slateo = sqlquarry.SlateoClient(
        slateo_server.api_key, base_url=slateo_server.url, proxy=http_proxy.url, ca_cert=ca_pem
    )
    list(slateo.queries.list())
    aifordb = sqlquarry.AIForDatabaseClient(
        aifordb_server.api_key,
        base_url=aifordb_server.base_url,
        proxy=http_proxy.url,
        ca_cert=ca_pem,
    )
    list(aifordb.connections.list())
    assert len(http_proxy.seen) >= 2
