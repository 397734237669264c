"""The projection's connections to PostgreSQL: a library datastore (pool) for a libpq URL, on
the live read models' schema or on a copy's."""

from __future__ import annotations

from eventsourcing.postgres import PostgresDatastore
from psycopg.conninfo import conninfo_to_dict
from psycopg.sql import SQL, Identifier

from projections.schema import LIVE_SCHEMA

# The settings of a connection whose statements find their rows by keys (nested loops over
# index scans), so that no plan made while a table is small (a sequential scan, a hash join over
# "small" tables) is kept, cached, as the table grows. They are costs, not bans: a statement
# with no other way still gets one. The estimates of a growing table's plans can be far off, and
# compiling such a plan (JIT) costs more than running it ever does. A prepared statement keeps
# one generic plan: with arrays for parameters (a run of statuses fanned out), the planner
# priced its generic plan above the custom ones and planned the home feeds' fan-out again at
# every execution, 9 s of the 24 s that statement took in a rebuild of the bench log (and 12 s
# of the feeds' connection, the rebuild's critical path: 87 -> 71 s without it).
KEY_LOOKUPS_ONLY = (
    "SET enable_seqscan = off",
    "SET enable_hashjoin = off",
    "SET enable_mergejoin = off",
    "SET jit = off",
    "SET plan_cache_mode = force_generic_plan",
)


class _ReadModelDatastore(PostgresDatastore):
    """The projection's connections.

    Every statement a projection runs finds its rows by a key, but a copy of the read models
    starts from empty tables, and plans made then (sequential scans and hash joins over "small"
    tables) stay cached while the tables grow to millions of rows: a rebuild slowed down as the
    square of the log. Key lookups (nested loops over index scans) are the only plans these
    connections may use.

    For a copy built beside the live read models, unqualified table names are found in its
    schema first, then in the live one.
    """

    def after_connect_func(self):  # noqa: ANN201 - the library's signature
        configure = super().after_connect_func()
        settings = [
            *(SQL(setting) for setting in KEY_LOOKUPS_ONLY),
            # A rebuild's batch sends tens of megabytes of rows as arrays; their unnest is
            # kept in memory instead of a temporary file (a cap: small batches use little).
            SQL("SET work_mem = '64MB'"),
        ]
        if self.schema != LIVE_SCHEMA:
            settings.append(
                SQL("SET search_path = {}, {}").format(
                    Identifier(self.schema), Identifier(LIVE_SCHEMA)
                )
            )

        def after_connect(conn) -> None:  # noqa: ANN001
            configure(conn)
            with conn.cursor() as curs:
                for setting in settings:
                    curs.execute(setting)

        return after_connect


def datastore_for(
    database_url: str, pool_size: int = 2, schema: str = LIVE_SCHEMA
) -> PostgresDatastore:
    """A library datastore (connection pool) for a libpq URL, on `schema`'s read models."""
    parts = conninfo_to_dict(database_url)
    return _ReadModelDatastore(
        dbname=str(parts.get("dbname") or parts.get("user") or "postgres"),
        host=str(parts.get("host") or "localhost"),
        port=str(parts.get("port") or "5432"),
        user=str(parts.get("user") or "postgres"),
        password=str(parts.get("password") or ""),
        pool_size=pool_size,
        max_overflow=pool_size,
        idle_in_transaction_session_timeout=30,
        schema=schema,
    )
