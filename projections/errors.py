"""The errors the read models' operations raise to their callers (the tootlog command turns
each into a one-line message), in a module of their own so that catching them imports none of
the machinery that raises them."""

from __future__ import annotations


class Busy(Exception):
    """Another rebuild or verify holds the database, or (offline) a worker is running."""


class UnknownStatus(Exception):
    """No status (or reblog) with that id was ever recorded."""


class UrlsMismatch(Exception):
    """The configured public address is not the one the read models were built for."""
