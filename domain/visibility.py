"""Who may see a status: Mastodon's StatusPolicy#show? as a pure function.

Every endpoint decides visibility through `can_see`; callers gather the facts (the viewer's follow
of the author, blocks) and this module decides. Blocks arrive with a later issue: the parameters
exist so the rule has one home.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from domain.errors import ValidationFailed

VISIBILITIES = ("public", "unlisted", "private", "direct")


def check_visibility(value: str) -> str:
    """The visibility itself, or a 422 with Mastodon's message."""
    if value not in VISIBILITIES:
        raise ValidationFailed("Visibility is not included in the list")
    return value


@dataclass(frozen=True, slots=True)
class Audience:
    """The facts about a status that decide who sees it."""

    visibility: str
    author_id: int
    mentioned_ids: Collection[int] = ()


@dataclass(frozen=True, slots=True)
class Relationship:
    """The viewer's relation to the author, as far as visibility cares."""

    follows_author: bool = False
    blocked_by_author: bool = False


def can_see(audience: Audience, viewer_id: int | None, rel: Relationship = Relationship()) -> bool:
    """StatusPolicy#show? for a local author who is not suspended."""
    if viewer_id is not None and viewer_id == audience.author_id:
        return True
    if audience.visibility in ("public", "unlisted"):
        return not rel.blocked_by_author
    if viewer_id is None:
        return False
    if viewer_id in audience.mentioned_ids:
        return True
    return audience.visibility == "private" and rel.follows_author and not rel.blocked_by_author
