"""Test helpers: local emulators of the Roe AI, Slateo and AI for Database APIs on chDB.

Importing this package is cheap: chDB is loaded only when the first SQL runs.
"""

from ._aifordb import AIForDatabaseServer
from ._engine import ChEngine
from ._roe import RoeServer
from ._slateo import SlateoServer

__all__ = ["AIForDatabaseServer", "ChEngine", "RoeServer", "SlateoServer"]
