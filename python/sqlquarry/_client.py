"""What every service client has, written once: its base URL, a repr that never shows the
key, and a refusal to be pickled (a pickled client would carry its key)."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any

from sqlquarry.exceptions import SecurityWarning


def native_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """A constructor's settings as the native core takes them, after warning about those
    that turn a protection off."""
    if settings.get("verify") is False:
        warnings.warn(
            "verify=False: the service's certificate is not checked, so anyone on the network "
            "path can read the API key and the rows; pass ca_cert= with the CA that signs it "
            "instead",
            SecurityWarning,
            # user code -> the signature check -> __init__ -> here
            stacklevel=4,
        )
    return dict(settings)


class ServiceClient:
    """Base of the three clients; `_core` is the client's native core."""

    _core: Any
    #: Extra (name, value) pairs the repr shows after the base URL.
    _repr_extra: tuple[str, ...] = ()

    @property
    def base_url(self) -> str:
        """The service's address, as the client sends requests to it."""
        return self._core.base_url

    def __reduce__(self) -> Any:
        raise TypeError(
            f"a {type(self).__name__} cannot be pickled (it would carry its API key): build "
            "the client in the worker process instead, from the same settings or environment"
        )

    def __repr__(self) -> str:
        shown = {"base_url": self.base_url}
        shown.update({name: getattr(self, name) for name in self._repr_extra})
        fields = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({fields})"
