"""Run SQL on hosted query services and get the answer as Arrow tables.

>>> import sqlquarry
>>> roe = sqlquarry.RoeClient()          # ROE_API_KEY etc. from the environment
>>> df = roe.query("SELECT 1 AS x").to_pandas()
"""

from sqlquarry import exceptions
from sqlquarry._native import BatchStream, QueryResult, __version__
from sqlquarry._progress import Progress
from sqlquarry._resources import Page
from sqlquarry.aifordb import AIForDatabaseClient
from sqlquarry.exceptions import *  # noqa: F403 - the exception tree is public API
from sqlquarry.roe import QueryJob, RoeClient
from sqlquarry.slateo import SlateoClient

__all__ = [
    "AIForDatabaseClient",
    "BatchStream",
    "Page",
    "Progress",
    "QueryJob",
    "QueryResult",
    "RoeClient",
    "SlateoClient",
    "__version__",
    *exceptions.__all__,
]
