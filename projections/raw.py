"""JSON text that PostgreSQL stored or assembled, loaded as bytes and sent as it is."""

from __future__ import annotations

from psycopg import AsyncConnection, AsyncCursor
from psycopg.types.string import ByteaBinaryLoader


def raw_json_cursor(conn: AsyncConnection) -> AsyncCursor:
    """A binary cursor on which `varchar` columns load as bytes, undecoded.

    A query casts the JSON it sends on to varchar (free: both are text inside PostgreSQL); its
    other text columns still load as str. Ids, counters and arrays need no text parsing either.
    """
    cur = conn.cursor(binary=True)
    cur.adapters.register_loader("varchar", ByteaBinaryLoader)
    return cur
