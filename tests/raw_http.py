"""Plain urllib requests for the emulator tests: they check the wire itself, so they must
not go through the client under test."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

# No proxies: the emulators are on loopback whatever the environment says.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def send(
    url: str,
    method: str,
    body: Any = None,
    query: dict | None = None,
    key: str | None = "test-key",
    headers: dict | None = None,
    raw: bytes | None = None,
) -> tuple[int, dict, bytes]:
    """(status, headers, body bytes) of one request; `raw` is sent as is instead of `body`."""
    url += "?" + urlencode(query) if query else ""
    data = raw if raw is not None else None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    req.add_header("Content-Type", "application/json")
    if key is not None:
        req.add_header("Authorization", f"Bearer {key}")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with _OPENER.open(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()
