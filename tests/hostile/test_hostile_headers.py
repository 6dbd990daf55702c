"""Headers no honest server sends: absurd Retry-After values, lying Content-Length, huge
heads, and redirects to somewhere else."""

from __future__ import annotations

import resource
import time

import pytest

import sqlquarry
from rawserver import GOOD_RESULT, KEY, HangUp, RawServer, Send, response

RUN = "/query/?"


@pytest.mark.parametrize(
    "value",
    ["1e20", "99999999999999999999999", "inf", "3601", "Fri, 31 Dec 9999 23:59:59 GMT"],
)
def test_a_retry_after_too_long_to_wait_raises_at_once(raw, roe, value):
    raw.then(lambda r: response(429, {"detail": "slow down"}, {"Retry-After": value}), match=RUN)
    start = time.monotonic()
    with pytest.raises(sqlquarry.RateLimitError) as info:
        roe.query("SELECT 1")
    assert time.monotonic() - start < 1
    assert info.value.retry_after > 3600


@pytest.mark.parametrize("value", ["NaN", "-5", "soon", "", "1e", "--1"])
def test_a_retry_after_that_is_not_a_delay_falls_back_to_backoff(raw, roe, value):
    retrying = sqlquarry.RoeClient(KEY, base_url=raw.url, organization_id="org", max_retries=1)
    raw.then(lambda r: response(429, {"detail": "slow down"}, {"Retry-After": value}), match=RUN)
    assert retrying.query("SELECT 1").num_rows == 1
    assert len([p for p in raw.paths() if RUN in p]) == 2


def test_a_content_length_longer_than_the_body_then_a_hang_up(raw, roe):
    raw.then(lambda r: [*response(200, [GOOD_RESULT], content_length=10_000), HangUp()], match=RUN)
    with pytest.raises(sqlquarry.TransportError):
        roe.query("SELECT 1")


def test_a_content_length_longer_than_the_body_then_silence_hits_the_read_timeout(raw):
    client = sqlquarry.RoeClient(
        KEY, base_url=raw.url, organization_id="org", max_retries=0, timeout=0.5
    )
    raw.then(lambda r: response(200, [GOOD_RESULT], content_length=10_000), match=RUN)
    start = time.monotonic()
    with pytest.raises(sqlquarry.TransportError, match="timed out"):
        client.query("SELECT 1")
    assert time.monotonic() - start < 3


@pytest.mark.parametrize("path", [RUN, "/async/"])
def test_a_content_length_of_ten_to_the_fifteen_allocates_nothing_of_the_kind(raw, roe, path):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    raw.then(lambda r: [*response(200, [GOOD_RESULT], content_length=10**15), HangUp()], match=path)
    with pytest.raises(sqlquarry.TransportError):
        roe.query("SELECT 1") if path == RUN else roe.submit("SELECT 1")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, grown_mb


@pytest.mark.parametrize("value", ["-1", "abc", "1, 2", "99999999999999999999999"])
def test_a_content_length_that_is_not_a_length(raw, roe, value):
    raw.then(lambda r: [*response(200, [GOOD_RESULT], content_length=value), HangUp()], match=RUN)
    with pytest.raises(sqlquarry.TransportError):
        roe.query("SELECT 1")


def test_three_hundred_headers(raw, roe):
    many = {f"X-Header-{i}": "v" for i in range(300)}
    raw.then(lambda r: response(200, [GOOD_RESULT], many), match=RUN)
    with pytest.raises(sqlquarry.TransportError, match="too large"):
        roe.query("SELECT 1")


def test_a_head_that_is_not_http(raw, roe):
    raw.then(lambda r: [Send(b"HELLO THERE\r\n\r\n"), HangUp()], match=RUN)
    with pytest.raises(sqlquarry.TransportError):
        roe.query("SELECT 1")


def test_absurd_rate_limit_and_request_id_headers_are_ignored_or_kept_as_text(raw, roe):
    headers = {
        "X-RateLimit-Limit": "-1",
        "X-RateLimit-Remaining": "99999999999999999999999",
        "X-Request-Id": "r" * 300,
    }
    raw.then(lambda r: response(400, {"detail": "bad"}, headers), match=RUN)
    with pytest.raises(sqlquarry.QueryError) as info:
        roe.query("SELECT 1")
    assert info.value.request_id == "r" * 300


# --- redirects ----------------------------------------------------------------------------


@pytest.fixture
def elsewhere():
    with RawServer() as srv:
        yield srv


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_another_origin_is_not_followed(raw, roe, elsewhere, status):
    target = elsewhere.url + "/v1/database/query/"
    raw.then(lambda r: response(status, "", {"Location": target}), match=RUN)
    with pytest.raises(sqlquarry.APIError) as info:
        roe.query("SELECT 1")
    assert info.value.status == status
    assert target in str(info.value) and "base URL" in str(info.value)
    assert elsewhere.requests == [], "the query or the organization id went to another origin"


def test_a_redirect_within_the_origin_is_followed_with_its_body(raw, roe):
    raw.then(lambda r: response(307, "", {"Location": "/moved/v1/database/query/"}), match=RUN)
    raw.then(lambda r: response(200, [GOOD_RESULT]), match="/moved/")
    assert roe.query("SELECT 1").num_rows == 1
    moved = [r for r in raw.requests if r.path.startswith("/moved/")]
    assert len(moved) == 1 and b"SELECT 1" in moved[0].body


def test_a_redirect_loop_within_the_origin_stops(raw, roe):
    raw.then(lambda r: response(302, "", {"Location": r.path}), times=50, match="/v1/database/")
    with pytest.raises(sqlquarry.TransportError, match="redirects"):
        roe.query("SELECT 1")
    raw.clear()


def test_a_redirect_without_a_location(raw, roe):
    raw.then(lambda r: response(302, ""), match=RUN)
    with pytest.raises(sqlquarry.APIError) as info:
        roe.query("SELECT 1")
    assert info.value.status == 302
