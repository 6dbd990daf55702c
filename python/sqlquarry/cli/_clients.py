"""The clients a command talks to, built from the command line's flags.

Every setting is passed only when its flag is given, so the client's own defaults and
environment variables (ROE_API_KEY, ROE_BASE_URL, ...) apply otherwise, exactly as for a
Python caller.
"""

from __future__ import annotations

import argparse
from typing import Any

# flag dest -> the client's keyword
_SETTINGS = {
    "api_key": "api_key",
    "base_url": "base_url",
    "read_timeout": "timeout",
    "max_retries": "max_retries",
    "allow_insecure_http": "allow_insecure_http",
    "proxy": "proxy",
    "ca_cert": "ca_cert",
    "client_cert": "client_cert",
    "client_key": "client_key",
}


def settings(args: argparse.Namespace, **extra: Any) -> dict[str, Any]:
    """The client keyword arguments for the flags given."""
    kwargs: dict[str, Any] = {}
    for dest, keyword in _SETTINGS.items():
        value = getattr(args, dest, None)
        if value is not None and value is not False:
            kwargs[keyword] = value
    if getattr(args, "insecure", False):
        kwargs["verify"] = False
    kwargs.update({k: v for k, v in extra.items() if v is not None})
    return kwargs


def roe(args: argparse.Namespace) -> Any:
    from sqlquarry.roe import RoeClient

    extra = {
        "organization_id": getattr(args, "organization_id", None),
        "worksheet_id": getattr(args, "worksheet_id", None),
        "server_timezone": getattr(args, "server_timezone", None),
    }
    return RoeClient(**settings(args, **extra))


def slateo(args: argparse.Namespace) -> Any:
    from sqlquarry.slateo import SlateoClient

    return SlateoClient(**settings(args))


def aifordb(args: argparse.Namespace) -> Any:
    from sqlquarry.aifordb import AIForDatabaseClient

    return AIForDatabaseClient(**settings(args))
