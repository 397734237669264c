"""The visibility policy (StatusPolicy#show?) as a pure function."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailed
from domain.visibility import Audience, Relationship, can_see, check_visibility

AUTHOR, FOLLOWER, MENTIONED, STRANGER = 1, 2, 3, 4
FOLLOWS = Relationship(follows_author=True)


@pytest.mark.parametrize(
    ("visibility", "anonymous", "stranger", "follower", "mentioned", "author"),
    [
        ("public", True, True, True, True, True),
        ("unlisted", True, True, True, True, True),
        ("private", False, False, True, True, True),
        ("direct", False, False, False, True, True),
    ],
)
def test_matrix_of_section_6_15(
    visibility, anonymous, stranger, follower, mentioned, author
) -> None:
    audience = Audience(visibility, AUTHOR, (MENTIONED,))
    assert can_see(audience, None) is anonymous
    assert can_see(audience, STRANGER) is stranger
    assert can_see(audience, FOLLOWER, FOLLOWS) is follower
    assert can_see(audience, MENTIONED) is mentioned
    assert can_see(audience, AUTHOR) is author


def test_author_blocking_the_viewer_hides_public_statuses() -> None:
    audience = Audience("public", AUTHOR)
    assert not can_see(audience, STRANGER, Relationship(blocked_by_author=True))
    assert can_see(audience, AUTHOR, Relationship(blocked_by_author=True))


@given(
    visibility=st.sampled_from(["public", "unlisted", "private", "direct"]),
    mentioned=st.lists(st.integers(1, 5), max_size=3),
    viewer=st.none() | st.integers(1, 5),
    follows=st.booleans(),
)
def test_anyone_who_sees_a_narrow_status_is_author_mentioned_or_follower(
    visibility, mentioned, viewer, follows
) -> None:
    audience = Audience(visibility, AUTHOR, tuple(mentioned))
    if can_see(audience, viewer, Relationship(follows_author=follows)) and visibility in (
        "private",
        "direct",
    ):
        assert viewer == AUTHOR or viewer in mentioned or (visibility == "private" and follows)


def test_unknown_visibility_is_the_rails_message() -> None:
    with pytest.raises(ValidationFailed, match="Visibility is not included in the list"):
        check_visibility("foo")
