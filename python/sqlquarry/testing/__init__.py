"""Test helpers: a local emulator of the Roe AI database-query API on chDB.

Importing this package is cheap: chDB is loaded only when the first SQL runs.
"""

from ._engine import ChEngine
from ._roe import RoeServer

__all__ = ["ChEngine", "RoeServer"]
