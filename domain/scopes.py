"""OAuth scopes as Mastodon checks them: an endpoint accepts any one of the scopes it lists."""

from __future__ import annotations

from collections.abc import Iterable

_GRANULAR_READ = (
    "accounts blocks bookmarks favourites filters follows lists mutes notifications search statuses"
)
_GRANULAR_WRITE = (
    "accounts blocks bookmarks conversations favourites filters follows lists media mutes "
    "notifications reports statuses"
)
_ADMIN_OBJECTS = (
    "accounts reports domain_allows domain_blocks ip_blocks email_domain_blocks"
    " canonical_email_blocks"
)
VALID_SCOPES = frozenset(
    ["read", "write", "follow", "push", "profile", "admin:read", "admin:write"]
    + [f"read:{s}" for s in _GRANULAR_READ.split()]
    + [f"write:{s}" for s in _GRANULAR_WRITE.split()]
    + [f"admin:{mode}:{s}" for mode in ("read", "write") for s in _ADMIN_OBJECTS.split()]
)
DEFAULT_SCOPES = ("read",)

READ_STATUSES = ("read", "read:statuses")
WRITE_STATUSES = ("write", "write:statuses")
WRITE_MEDIA = ("write", "write:media")


def parse_scopes(text: str) -> list[str]:
    """Space-separated scopes, de-duplicated in order."""
    seen: dict[str, None] = {}
    for scope in text.split():
        seen.setdefault(scope, None)
    return list(seen)


def invalid_scopes(scopes: Iterable[str]) -> list[str]:
    """The scopes Mastodon does not know."""
    return [s for s in scopes if s not in VALID_SCOPES]


def allows(granted: Iterable[str], accepted: Iterable[str]) -> bool:
    """True when any accepted scope was granted (no umbrella expansion, as Mastodon)."""
    granted_set = set(granted)
    return any(scope in granted_set for scope in accepted)


READ_ACCOUNTS = ("read", "read:accounts")
READ_OWN_ACCOUNT = ("read", "read:accounts", "profile")
READ_FOLLOWS = ("read", "read:follows")
READ_FAVOURITES = ("read", "read:favourites")
WRITE_FAVOURITES = ("write", "write:favourites")
WRITE_ACCOUNTS = ("write", "write:accounts")
WRITE_FOLLOWS = ("follow", "write", "write:follows")
READ_BOOKMARKS = ("read", "read:bookmarks")
WRITE_BOOKMARKS = ("write", "write:bookmarks")
WRITE_MUTES = ("write", "write:mutes")
READ_SEARCH = ("read", "read:search")
READ_NOTIFICATIONS = ("read", "read:notifications")
WRITE_NOTIFICATIONS = ("write", "write:notifications")
