"""What differs per viewer in an answer: whether a row is shown, the follow it depends on, and a
Status's per-viewer keys."""

from __future__ import annotations

from functools import lru_cache

from domain.visibility import VISIBILITIES, Audience, Relationship, can_see

# Whether %(viewer)s follows the account `{author}` names, as a scalar subquery: one index probe
# per row. PostgreSQL may turn an EXISTS into a hashed subplan that reads every follow of the
# viewer once per statement, and a generic plan makes that choice for the average viewer.
FOLLOWS_SQL = (
    "coalesce((SELECT true FROM tootlog_follows f WHERE f.follower_id = %(viewer)s"
    " AND f.followee_id = {author}), false)"
)
# The visibilities for which whether the viewer follows the author changes what can_see answers
# (derived from the policy itself: "private").
FOLLOW_DEPENDENT = tuple(
    v
    for v in VISIBILITIES
    if can_see(Audience(v, 1), 2, Relationship(follows_author=True)) != can_see(Audience(v, 1), 2)
)


def follows_where_it_matters(author: str, visibility: str) -> str:
    """FOLLOWS_SQL for a status row whose `visibility` makes the follow matter, else false
    without a probe: a page of public statuses asks nothing about follows."""
    listed = ", ".join(f"'{v}'" for v in FOLLOW_DEPENDENT)
    return (
        f"CASE WHEN {visibility} IN ({listed}) THEN {FOLLOWS_SQL.format(author=author)}"
        " ELSE false END"
    )


@lru_cache(maxsize=8192)
def shown(
    visibility: str, author_id: int, mentioned: bool, viewer_id: int | None, follows: bool
) -> bool:
    """can_see for one row's facts; a thread has few distinct ones, so answers are kept."""
    audience = Audience(visibility, author_id, (viewer_id,) if mentioned else ())
    return can_see(audience, viewer_id, Relationship(follows_author=follows))


def _bool(value: bool) -> str:
    return "true" if value else "false"


@lru_cache(maxsize=32)
def flag_keys(
    favourited: bool,
    reblogged: bool,
    pinned: bool,
    pinnable: bool,
    bookmarked: bool = False,
    muted: bool = False,
) -> str:
    """The per-viewer keys of a user (§3.1); `pinned` only where the viewer could pin."""
    keys = (
        f',"favourited":{_bool(favourited)},"reblogged":{_bool(reblogged)},'
        f'"muted":{_bool(muted)},"bookmarked":{_bool(bookmarked)},"filtered":[]'
    )
    return keys + f',"pinned":{_bool(pinned)}' if pinnable else keys
