"""Search queries as Mastodon reads them (SearchService, AccountSearchService, TagSearchService,
ResolveURLService), as plain data: what a query names, and the patterns the read side matches.

Everything here is pure: the read side (projections/search.py) turns it into SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from domain.entities import normalize_tag
from domain.ids import parse_id
from domain.urls import Urls

# Mastodon's Account::USERNAME_RE, and a domain as MENTION_RE has it (plus a port: a tootlog
# run on `127.0.0.1:8000` names its own accounts `alice@127.0.0.1:8000`).
_USERNAME = r"[a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_])?"
_DOMAIN = r"\w+(?:[.-]+\w+)*(?::\d+)?"
_MENTION = re.compile(rf"(?P<username>{_USERNAME})@(?P<domain>{_DOMAIN})", re.IGNORECASE)
# Letters and digits: the words of a display name that a query's words are prefixes of.
_WORD = re.compile(r"[^\W_]+")
_URL = re.compile(r"https?://", re.IGNORECASE)
# AccountSearchService::MIN_QUERY_LENGTH: shorter queries by anonymous callers match by name
# only when they name an account in full.
MIN_ANONYMOUS_LENGTH = 3
SEARCH_TYPES = ("accounts", "statuses", "hashtags")
# What of a query is searched: PostgreSQL's query parsers recurse per word and fail past a few
# thousand words, and no search needs more.
MAX_QUERY_CHARS = 512
MAX_NAME_WORDS = 16


@dataclass(frozen=True, slots=True)
class AccountQuery:
    """A query for accounts: stripped, without its leading `@`."""

    text: str
    username: str  # the part before the first `@`
    domain: str | None  # the part after the last `@`, if any

    @property
    def complete(self) -> bool:
        """Whether it names one account in full, `user@domain` (username_complete?)."""
        return "@" in self.text and _MENTION.fullmatch(self.text) is not None


def account_query(q: str) -> AccountQuery:
    text = q.strip().removeprefix("@")
    parts = text.split("@")
    while len(parts) > 1 and not parts[-1]:  # Ruby's split drops trailing empty strings
        parts.pop()
    return AccountQuery(text, parts[0], parts[-1] if len(parts) > 1 else None)


def is_local(domain: str | None, urls: Urls) -> bool:
    """TagManager#local_domain?: no domain, or this server's."""
    return domain is None or domain.lower() == urls.domain.lower()


def like_prefix(text: str) -> str:
    """A LIKE pattern matching what starts with `text` (its wildcards escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def word_prefixes(text: str) -> str | None:
    """A to_tsquery text matching names with a word starting with each word of `text` (as
    Mastodon's database search: prefix matches with the `simple` configuration); None when
    `text` has no word."""
    words = _WORD.findall(text.lower())[:MAX_NAME_WORDS]
    return " & ".join(f"{word}:*" for word in words) if words else None


def clipped(q: str) -> str:
    """The part of a full-text query that is searched: its first MAX_QUERY_CHARS characters,
    cut after a whole word."""
    if len(q) <= MAX_QUERY_CHARS:
        return q
    head = q[: MAX_QUERY_CHARS + 1]
    cut = max(head.rfind(" "), head.rfind("\t"), head.rfind("\n"))
    return head[:cut] if cut > 0 else head[:MAX_QUERY_CHARS]


def tag_prefix(q: str) -> str:
    """TagSearchService's name: the query without its leading `#`, normalized as hashtags are."""
    return normalize_tag(q.strip().removeprefix("#"))


def is_url(q: str) -> bool:
    return _URL.match(q) is not None


@dataclass(frozen=True, slots=True)
class LocalResource:
    """What a local URL names: a status (by id) or an account (by username)."""

    kind: str  # "statuses" or "accounts"
    status_id: int | None = None
    username: str | None = None


def local_resource(url: str, urls: Urls) -> LocalResource | None:
    """The status or account a URL of this server names (its `url` or `uri`), or None.

    As ResolveURLService does for local URLs: the host (and port) must be this server's, the
    scheme does not matter, and the query string is ignored."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.netloc.lower() != urls.domain.lower():
        return None
    segments = parts.path.strip("/").split("/")
    match segments:
        case [name] if name.startswith("@") and len(name) > 1:
            return LocalResource("accounts", username=name[1:])
        case ["users", name]:
            return LocalResource("accounts", username=name)
        case [name, digits] if name.startswith("@") and len(name) > 1:
            return _status(digits)
        case ["users", _, "statuses", digits]:
            return _status(digits)
    return None


def _status(digits: str) -> LocalResource | None:
    status_id = parse_id(digits)
    return None if status_id is None else LocalResource("statuses", status_id=status_id)
