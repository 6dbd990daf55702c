"""Run a client method as its blocking twin or its `_async` twin, so one test body covers
both. `mode` is "sync" or "async"."""

from __future__ import annotations

import asyncio
from typing import Any

MODES = ["sync", "async"]


def call(mode: str, obj: Any, name: str, /, *args: Any, **kwargs: Any) -> Any:
    if mode == "sync":
        return getattr(obj, name)(*args, **kwargs)
    return asyncio.run(getattr(obj, f"{name}_async")(*args, **kwargs))


def collect(mode: str, obj: Any, name: str, /, *args: Any, **kwargs: Any) -> list:
    """Every item of an iterating method (`list`, `runs`)."""
    if mode == "sync":
        return list(getattr(obj, name)(*args, **kwargs))

    async def gather() -> list:
        return [x async for x in getattr(obj, f"{name}_async")(*args, **kwargs)]

    return asyncio.run(gather())
