"""The floor under any rebuild: how long PostgreSQL takes merely to store the rows a rebuild ends
with, computed by nobody. After `rebuild --offline`, every read model's rows are copied out and
written back with binary COPY (PostgreSQL's cheapest way in) into empty tables of the same
definition, in a schema of their own, on one connection, twice:

- in the order the rebuild wrote them (event order), into tables with the indexes a rebuild keeps
  while it loads, then the indexes only reads use, as a rebuild adds them at its end;
- each table in its primary key's order into tables without any index, then every index built in
  one sort: what an ideal bulk builder, which had computed every row first, would pay.

The log is not read and nothing is decided: a rebuild can only be slower than either. The
copied-out rows are held one table at a time (the largest, the statuses, is about 300 MB).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg
from psycopg import sql

from projections.datastore import datastore_for
from projections.rebuild import drop_schema
from projections.schema import LIVE_SCHEMA, READ_MODEL_TABLES
from projections.tables import ReadModelTables, primary_key

FLOOR_SCHEMA = "tootlog_write_floor"
CHUNK = 1 << 20


@dataclass
class WriteFloor:
    rows: int
    megabytes: float  # the rows as binary COPY data
    event_order_s: float  # loaded with the load-time indexes, then the read indexes
    key_order_s: float  # loaded sorted into bare tables, then every index
    slowest: list[tuple[str, float]]  # the costliest tables of the event-order load


def measure(url: str) -> WriteFloor:
    """Both floors for the live read models of the database at `url` (left as they are)."""
    datastore = datastore_for(url, pool_size=1, schema=FLOOR_SCHEMA)
    tables = ReadModelTables(datastore)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            _fresh_schema(conn, tables)
            rows, size, event_order, per_table = _load_all(conn, key_order=False)
            started = time.monotonic()
            tables.create_read_indexes()
            event_order += time.monotonic() - started
            _fresh_schema(conn, tables)
            indexes = _drop_indexes(conn)
            _, _, key_order, _ = _load_all(conn, key_order=True)
            started = time.monotonic()
            conn.execute("SET maintenance_work_mem = '256MB'")
            for statement in indexes:
                conn.execute(statement)
            tables.create_read_indexes()
            key_order += time.monotonic() - started
            _same_indexes(conn)
            drop_schema(conn, FLOOR_SCHEMA)
    finally:
        datastore.close()
    slowest = sorted(per_table.items(), key=lambda item: -item[1])[:4]
    return WriteFloor(rows, size / 1e6, event_order, key_order, slowest)


def _same_indexes(conn: psycopg.Connection) -> None:
    """Fail unless the floor's tables ended with the live tables' indexes, one for one."""
    query = (
        "SELECT indexname, replace(indexdef, %s, '') FROM pg_indexes"
        " WHERE schemaname = %s AND tablename = ANY(%s) ORDER BY indexname"
    )
    found = [
        conn.execute(query, (f"{schema}.", schema, list(READ_MODEL_TABLES))).fetchall()
        for schema in (LIVE_SCHEMA, FLOOR_SCHEMA)
    ]
    if found[0] != found[1]:
        raise RuntimeError(f"the floor's indexes differ from the live ones: {found}")


def _fresh_schema(conn: psycopg.Connection, tables: ReadModelTables) -> None:
    drop_schema(conn, FLOOR_SCHEMA)
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(FLOOR_SCHEMA)))
    tables.create_table(read_indexes=False)


def _drop_indexes(conn: psycopg.Connection) -> list[str]:
    """Drop every index and key of the floor's tables; the statements that make them again."""
    keys = conn.execute(
        "SELECT format('ALTER TABLE %%I.%%I ADD CONSTRAINT %%I %%s', n.nspname, t.relname,"
        " c.conname, pg_get_constraintdef(c.oid)),"
        " format('ALTER TABLE %%I.%%I DROP CONSTRAINT %%I', n.nspname, t.relname, c.conname)"
        " FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid"
        " JOIN pg_namespace n ON n.oid = t.relnamespace"
        " WHERE n.nspname = %s AND c.contype IN ('p', 'u')",
        (FLOOR_SCHEMA,),
    ).fetchall()
    for _, drop in keys:
        conn.execute(drop)
    others = conn.execute(
        "SELECT indexdef, format('DROP INDEX %%I.%%I', schemaname, indexname)"
        " FROM pg_indexes WHERE schemaname = %s",
        (FLOOR_SCHEMA,),
    ).fetchall()
    for _, drop in others:
        conn.execute(drop)
    return [make for make, _ in keys] + [make for make, _ in others]


def _load_all(
    conn: psycopg.Connection, key_order: bool
) -> tuple[int, int, float, dict[str, float]]:
    """Copy every read model's rows out of the live tables and into the floor's; (rows stored,
    bytes, seconds spent loading, seconds per table)."""
    rows = size = 0
    per_table: dict[str, float] = {}
    for table in READ_MODEL_TABLES:
        columns = sql.SQL(", ").join(map(sql.Identifier, _stored_columns(conn, table)))
        source = sql.SQL("SELECT {} FROM {}.{}").format(
            columns, sql.Identifier(LIVE_SCHEMA), sql.Identifier(table)
        )
        order = primary_key(conn, table) if key_order else ()
        if order:
            source += sql.SQL(" ORDER BY {}").format(sql.SQL(", ").join(map(sql.Identifier, order)))
        data = bytearray()
        with conn.cursor() as cur:
            with cur.copy(sql.SQL("COPY ({}) TO STDOUT (FORMAT binary)").format(source)) as copy:
                for chunk in copy:
                    data += chunk
            count = cur.rowcount
        started = time.monotonic()
        with conn.transaction(), conn.cursor() as cur:
            target = sql.SQL("COPY {}.{} ({}) FROM STDIN (FORMAT binary)").format(
                sql.Identifier(FLOOR_SCHEMA), sql.Identifier(table), columns
            )
            with cur.copy(target) as copy:
                for offset in range(0, len(data), CHUNK):
                    copy.write(data[offset : offset + CHUNK])
            stored = cur.rowcount
        per_table[table] = time.monotonic() - started
        if stored != count:
            raise RuntimeError(f"{table}: {count} rows copied out, {stored} stored")
        rows += stored
        size += len(data)
    return rows, size, sum(per_table.values()), per_table


def _stored_columns(conn: psycopg.Connection, table: str) -> list[str]:
    """The columns COPY can write (not the generated ones), in the table's order."""
    return [
        name
        for (name,) in conn.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) AND attnum > 0"
            " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
            (f"{LIVE_SCHEMA}.{table}",),
        )
    ]
