"""The keyword options shared by every client, declared once.

`CallOptions` are the options of every service's query calls (Roe's ``query``,
``query_all``, ``submit``, ``iter_batches`` and the job's waits; Slateo's ``run``,
``result`` and ``refresh``; AI for Database's ``ask``). `ClientSettings` are the settings
every client's constructor takes. A new common option is one entry in one of them (its type
here, its default and one-line doc in the `document` call below); `sqlquarry._twins` adds
it to each method's signature and docstring, and the native layer reads it in one place
(`src/python/args.rs`). See docs/architecture.md, "Adding an option".
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

if TYPE_CHECKING:
    from sqlquarry._progress import Progress

_DOCS: dict[type, dict[str, str]] = {}
_DEFAULTS: dict[type, dict[str, Any]] = {}


def document(
    options: type,
    docs: dict[str, str],
    defaults: dict[str, Any] | None = None,
    base: type | None = None,
) -> None:
    """Records the one-line doc (and default, None unless given) of each key of `options`,
    a TypedDict; `base` is the TypedDict it extends, whose docs it inherits."""
    inherited = _DOCS[base] if base is not None else {}
    missing = set(options.__annotations__) - set(docs) - set(inherited)
    if missing:
        raise TypeError(f"{options.__name__}: undocumented options {sorted(missing)}")
    _DOCS[options] = {**inherited, **docs}
    base_defaults = _DEFAULTS[base] if base is not None else {}
    _DEFAULTS[options] = {**base_defaults, **(defaults or {})}


def docs(options: type) -> dict[str, str]:
    return _DOCS[options]


def default(options: type, key: str) -> Any:
    return _DEFAULTS[options].get(key)


class CallOptions(TypedDict, total=False):
    timeout: float | datetime.timedelta | None
    progress: bool | Callable[[Progress], object] | None


document(
    CallOptions,
    {
        "timeout": "seconds (or a timedelta) the whole call may take, sending, waiting and "
        "downloading included; TimeoutError after it (None: no limit)",
        "progress": "True shows a progress bar (tqdm's when installed, else a line on "
        "stderr) with the job's state, elapsed time, bytes received and rows decoded; a "
        "callable receives sqlquarry.Progress objects instead (default: off)",
    },
)


class ClientSettings(TypedDict, total=False):
    base_url: str | None
    timeout: float | datetime.timedelta | None
    max_retries: int | None
    allow_insecure_http: bool
    proxy: str | None
    ca_cert: str | os.PathLike[str] | None
    verify: bool
    client_cert: str | os.PathLike[str] | None
    client_key: str | os.PathLike[str] | None


document(
    ClientSettings,
    {
        "base_url": "the service's address (default: the *_BASE_URL environment variable, "
        "else the service's own)",
        "timeout": "the longest silence, in seconds, while waiting for response bytes "
        "(default: *_TIMEOUT, else 60)",
        "max_retries": "retries of a failed request that is safe to repeat (default: "
        "*_MAX_RETRIES, else 3)",
        "allow_insecure_http": "allow a plain http:// base URL to a host other than this "
        "machine (also SQLQUARRY_ALLOW_INSECURE_HTTP=1); the key would travel in clear text",
        "proxy": "send every request through this proxy (http://, https://, socks5:// or "
        "socks5h:// URL; hosts in NO_PROXY bypass it) (default: HTTPS_PROXY, HTTP_PROXY, "
        "ALL_PROXY and NO_PROXY)",
        "ca_cert": "a PEM file (or directory of them) of CAs to trust besides the system's "
        "roots, such as a corporate proxy's CA (REQUESTS_CA_BUNDLE, SSL_CERT_FILE and "
        "SSL_CERT_DIR add theirs too)",
        "verify": "check the service's certificate; False accepts any and warns "
        "(SecurityWarning): prefer ca_cert=",
        "client_cert": "a PEM file with the client certificate for mutual TLS, with its key "
        "unless client_key names one",
        "client_key": "a PEM file with client_cert's private key",
    },
    defaults={"allow_insecure_http": False, "verify": True},
)
