"""A page of a list: its bounds, as SQL, and a page of accounts. Every list is paginated here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AccountPage:
    """A page of accounts: their cursors, newest first, and the JSON array of the Accounts."""

    cursors: list[int]
    body: bytes


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a list: newest first, bounded by exclusive cursors."""

    limit: int
    max_id: int | None = None
    since_id: int | None = None
    min_id: int | None = None

    @property
    def ascending(self) -> bool:
        """A `min_id` page alone is read oldest first (then shown newest first)."""
        return self.min_id is not None and self.max_id is None and self.since_id is None


def page_bounds(cursor: str, page: Page, params: dict) -> tuple[list[str], str]:
    """SQL conditions and order for a page; fills `params`. `min_id` pages run ascending."""
    params["limit"] = page.limit
    where = []
    if page.max_id is not None:
        where.append(f"{cursor} < %(max_id)s")
        params["max_id"] = page.max_id
    if page.since_id is not None:
        where.append(f"{cursor} > %(since_id)s")
        params["since_id"] = page.since_id
    if page.min_id is not None:
        where.append(f"{cursor} > %(min_id)s")
        params["min_id"] = page.min_id
    return where, "ASC" if page.ascending else "DESC"
