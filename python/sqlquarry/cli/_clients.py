"""The clients a command talks to, built from the command line's flags.

Every setting is passed only when its flag is given, so the client's own defaults and
environment variables (ROE_API_KEY, ROE_BASE_URL, ...) apply otherwise, exactly as for a
Python caller.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from sqlquarry.exceptions import ConfigurationError

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


def require_key(args: argparse.Namespace, service: str, variable: str) -> None:
    """The client's own error names its `api_key=` keyword; a command line has a flag."""
    if not (getattr(args, "api_key", None) or os.environ.get(variable, "").strip()):
        raise ConfigurationError(f"no {service} API key: set {variable} (or pass --api-key)")


def roe(args: argparse.Namespace) -> Any:
    from sqlquarry.roe import RoeClient

    require_key(args, "Roe", "ROE_API_KEY")
    extra = {
        "organization_id": getattr(args, "organization_id", None),
        "worksheet_id": getattr(args, "worksheet_id", None),
        "server_timezone": getattr(args, "server_timezone", None),
    }
    return RoeClient(**settings(args, **extra))


def slateo(args: argparse.Namespace) -> Any:
    from sqlquarry.slateo import SlateoClient

    require_key(args, "Slateo", "SLATEO_API_KEY")
    return SlateoClient(**settings(args))


def aifordb(args: argparse.Namespace) -> Any:
    from sqlquarry.aifordb import AIForDatabaseClient

    require_key(args, "AI for Database", "AIFORDATABASE_API_KEY")
    return AIForDatabaseClient(**settings(args))
