"""Run SQL on hosted query services and get the answer as Arrow tables.

>>> import sqlquarry
>>> roe = sqlquarry.RoeClient()          # ROE_API_KEY etc. from the environment
>>> df = roe.query("SELECT 1 AS x").to_pandas()
"""

from sqlquarry import exceptions
from sqlquarry._native import QueryJob, QueryResult, RoeClient, __version__
from sqlquarry.exceptions import *  # noqa: F403 - the exception tree is public API

__all__ = ["QueryJob", "QueryResult", "RoeClient", "__version__", *exceptions.__all__]
