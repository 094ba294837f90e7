"""Superset's configuration for the local BI client (`make bi`, docs/serving.md).

Read by Superset through SUPERSET_CONFIG_PATH; bi/superset/serve.py sets PGC_BI_STATE (the
folder with Superset's own metadata database and its secret key). Nothing here reaches the
network: no example data, no telemetry, no map tiles, a cache in the process.
"""

import os
from pathlib import Path

STATE = Path(os.environ["PGC_BI_STATE"]).resolve()

SECRET_KEY = (STATE / "secret_key").read_text().strip()
SQLALCHEMY_DATABASE_URI = f"sqlite:///{STATE / 'superset.db'}"
DATA_DIR = str(STATE)

# Each query opens its own DuckDB connection (Superset's default NullPool), so a new query
# after a publish opens the new snapshot; the database itself is set read-only.
PREVENT_UNSAFE_DB_CONNECTIONS = False
SQLLAB_CTAS_NO_LIMIT = True
ROW_LIMIT = 50000

CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 60}
DATA_CACHE_CONFIG = {"CACHE_TYPE": "NullCache"}
FILTER_STATE_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600}
EXPLORE_FORM_DATA_CACHE_CONFIG = {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 3600}
RATELIMIT_STORAGE_URI = "memory://"

FEATURE_FLAGS = {"DASHBOARD_NATIVE_FILTERS": True}
WTF_CSRF_ENABLED = False
TALISMAN_ENABLED = False
SESSION_COOKIE_SECURE = False
MAPBOX_API_KEY = ""
SUPERSET_WEBSERVER_TIMEOUT = 120
LOG_LEVEL = "WARNING"


def DB_CONNECTION_MUTATOR(uri, params, username, security_manager, source):
    """Open the snapshot the serving link points at now, by its own path: DuckDB shares one
    database instance per path within a process, so through the link a new query could be
    handed the instance of the previous snapshot while an older query still holds it."""
    if uri.drivername == "duckdb" and uri.database:
        uri = uri.set(database=os.path.realpath(uri.database))
    return uri, params
