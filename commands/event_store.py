"""The event store's recorder: the library's, with every save in one round trip.

The library stores a batch in a pipelined transaction (BEGIN, lock timeout, LOCK TABLE, NOTIFY,
INSERT, sync, then COMMIT): two round trips and a dozen psycopg calls. Here the same statements
run inside one SQL function, called as a single autocommit statement. The table lock is taken the
same way and held until that statement commits, so notification ids still commit in order and a
tailing reader never skips one. (The library's own `POSTGRES_ENABLE_DB_FUNCTIONS` function skips
the lock, which is not safe with more than one writer.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import InterfaceError, OperationalError, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg.sql import SQL, Identifier

# pg_advisory_lock key held while the event store's tables and functions are created (the
# same number as projections/schema.py's EVENT_STORE_LOCK_KEY: the layers share the database).
EVENT_STORE_LOCK_KEY = 0x746F6F746C6F6B


class EventRecorder(PostgresApplicationRecorder):
    """Inserts events with `<table>_insert(...)`: lock, notify, insert, in one statement."""

    def create_table(self) -> None:
        """The library's, one process at a time: API processes and workers start together,
        and two CREATE OR REPLACE FUNCTION of one function at once fail ("tuple concurrently
        updated")."""
        with self.datastore.get_connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (EVENT_STORE_LOCK_KEY,))
            try:
                super().create_table()
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (EVENT_STORE_LOCK_KEY,))

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        function = Identifier(datastore.schema, f"{events_table_name}_insert")
        self.sql_create_statements.append(
            SQL(
                "CREATE OR REPLACE FUNCTION {function}"
                "(ids {id_type}[], versions bigint[], topics text[], states bytea[]) "
                "RETURNS SETOF bigint LANGUAGE plpgsql AS $$ BEGIN "
                "SET LOCAL lock_timeout = '{lock_timeout}s'; "
                "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
                "NOTIFY {channel}; "
                "RETURN QUERY INSERT INTO {schema}.{table} "
                "(originator_id, originator_version, topic, state) "
                "SELECT * FROM unnest(ids, versions, topics, states) "
                "RETURNING notification_id; "
                "END $$"
            ).format(
                function=function,
                id_type=SQL(datastore.originator_id_type),
                schema=Identifier(datastore.schema),
                lock_timeout=datastore.lock_timeout,
                table=Identifier(events_table_name),
                channel=Identifier(self.channel_name),
            )
        )
        # Binary parameters: bytea and uuid arrays need no escaping, which costs more than the
        # rest of a save in text format.
        self.insert_statement = SQL(
            "SELECT notification_id FROM {function}(%b, %b, %b, %b) AS notification_id"
        ).format(function=function)

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return None
        columns = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
            [e.topic for e in stored_events],
            [e.state for e in stored_events],
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self.insert_statement, columns, prepare=True)
            return [row["notification_id"] for row in curs.fetchall()]
