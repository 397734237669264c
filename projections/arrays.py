"""Columns of set-based statements (`unnest` of one array per column), sent as PostgreSQL binary
arrays built in bulk.

psycopg dumps a list element by element in Python (a few hundred nanoseconds each); a batch of a
rebuild sends millions of elements. These build the same binary arrays with a handful of C-level
operations per column: integers through `array` and strided copies, texts through one join.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Sequence

import psycopg
from psycopg.adapt import Dumper
from psycopg.postgres import types
from psycopg.pq import Format

_HEAD = struct.Struct(">iiIii")  # ndim, has null, element oid, length, lower bound
_LENGTH = struct.Struct(">i")
_NULL = b"\xff\xff\xff\xff"
_SWAP = sys.byteorder == "little"
# Columns of at most this many integers are packed element by element.
SMALL = 24
_PACKS = {code: struct.Struct(f">i{code}").pack for code in "qih"}


class Column:
    """The values of one column, for a `%b::TYPE[]` placeholder (None is NULL)."""

    __slots__ = ("values",)
    type_name = ""

    def __init__(self, values: Sequence) -> None:
        self.values = values

    def dump(self) -> bytes:
        values = self.values
        if not values:
            return _HEAD.pack(0, 0, types[self.type_name].oid, 0, 0)[:12]
        try:
            body, has_null = self._elements(values), 0
        except TypeError:  # a NULL among them
            body, has_null = self._elements_with_nulls(values), 1
        return _HEAD.pack(1, has_null, types[self.type_name].oid, len(values), 1) + body

    def _elements(self, values: Sequence) -> bytes:
        raise NotImplementedError

    def _elements_with_nulls(self, values: Sequence) -> bytes:
        raise TypeError(f"NULL in a {self.type_name} column")


class _IntColumn(Column):
    __slots__ = ()
    size = 0
    code = ""

    def _elements(self, values: Sequence) -> bytes:
        if len(values) <= SMALL and None not in values:
            # One struct per element: for a few ids (a status read: one) this is about four
            # times faster than the bulk copies below, which win from a few dozen on.
            pack = _PACKS[self.code]
            try:
                return b"".join([pack(self.size, value) for value in values])
            except struct.error as error:  # out of the type's range, as array() says it
                raise OverflowError(str(error)) from error
        numbers = array(self.code, values)  # TypeError on None
        if _SWAP:
            numbers.byteswap()
        raw = numbers.tobytes()
        size = self.size
        stride = 4 + size
        body = bytearray(stride * len(values))
        body[3::stride] = bytes([size]) * len(values)  # each element's length
        for byte in range(size):
            body[4 + byte :: stride] = raw[byte::size]
        return bytes(body)

    def _elements_with_nulls(self, values: Sequence) -> bytes:
        pack = struct.Struct(f">i{self.code}").pack
        size = self.size
        return b"".join(_NULL if value is None else pack(size, value) for value in values)


class Int8Column(_IntColumn):
    __slots__ = ()
    type_name, size, code = "int8", 8, "q"


class Int4Column(_IntColumn):
    __slots__ = ()
    type_name, size, code = "int4", 4, "i"


class Int2Column(_IntColumn):
    __slots__ = ()
    type_name, size, code = "int2", 2, "h"


class BoolColumn(Column):
    __slots__ = ()
    type_name = "bool"

    def _elements(self, values: Sequence) -> bytes:
        body = bytearray(5 * len(values))
        body[3::5] = b"\x01" * len(values)
        body[4::5] = bytes(values)  # TypeError on None
        return bytes(body)


class TextColumn(Column):
    __slots__ = ()
    type_name = "text"

    def _elements(self, values: Sequence) -> bytes:
        length = _LENGTH.pack
        parts = []
        append = parts.append
        for value in values:
            if value is None:
                append(_NULL)
            else:
                data = value.encode()
                append(length(len(data)))
                append(data)
        return b"".join(parts)


def _dumper(column: type[Column]) -> type[Dumper]:
    class ColumnDumper(Dumper):
        format = Format.BINARY
        oid = types[column.type_name].array_oid

        def dump(self, obj: Column) -> bytes:
            return obj.dump()

    return ColumnDumper


for _column in (Int8Column, Int4Column, Int2Column, BoolColumn, TextColumn):
    psycopg.adapters.register_dumper(_column, _dumper(_column))
