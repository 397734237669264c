"""Publishing rules (§6.6 step 7-9, §3.1 carry-over) decided without a database."""

from __future__ import annotations

import pytest

from domain.errors import RecordNotFound, Unprocessable, ValidationFailed
from domain.media import check_media_count
from domain.status import (
    Author,
    Draft,
    Mentioned,
    Parent,
    Status,
    compose,
    in_reply_to_account,
    local_mention_name,
)
from domain.urls import Urls

URLS = Urls("example.com")
ALICE, BOB = 10, 20
AS_ALICE = Author(ALICE)


def make(
    draft: Draft,
    *,
    author: Author = AS_ALICE,
    parent: Parent | None = None,
    known: dict[str, Mentioned] | None = None,
) -> dict:
    known = known or {}
    return compose(
        draft,
        status_id=1,
        author=author,
        parent=parent,
        resolve_mention=lambda acct: known.get(local_mention_name(acct, URLS.domain) or ""),
        profile_url=URLS.profile,
        tag_base_url=URLS.tags,
        application=None,
    )


def test_cw_only_becomes_the_text_and_is_sensitive() -> None:
    fields = make(Draft(spoiler_text="  careful  "))
    assert (fields["text"], fields["spoiler_text"], fields["sensitive"]) == ("careful", "", True)


def test_cw_forces_sensitive_unless_sent_as_a_form_string() -> None:
    assert make(Draft(text="x", spoiler_text="cw"))["sensitive"] is True
    assert make(Draft(text="x", spoiler_text="cw", sensitive=False))["sensitive"] is True
    assert (
        make(Draft(text="x", spoiler_text="cw", sensitive=False, sensitive_from_text=True))[
            "sensitive"
        ]
        is False
    )


def test_visibility_defaults_to_the_authors_default() -> None:
    assert make(Draft(text="x"))["visibility"] == "public"
    assert (
        make(Draft(text="x"), author=Author(ALICE, default_visibility="private"))["visibility"]
        == "private"
    )


def test_all_model_failures_are_reported_together() -> None:
    with pytest.raises(ValidationFailed) as caught:
        make(Draft(text=" ", visibility="foo"))
    assert caught.value.messages == [
        "Text can't be blank",
        "Visibility is not included in the list",
    ]


def test_media_only_status_may_have_blank_text() -> None:
    assert make(Draft(media_ids=[5]))["content"] == ""


def test_more_than_four_media_is_a_service_error() -> None:
    with pytest.raises(Unprocessable, match="Cannot attach more than 4 files"):
        check_media_count([1, 2, 3, 4, 5])
    check_media_count([1, 2, 3, 4])


def test_mentions_are_normalized_to_the_account_username() -> None:
    bob = Mentioned(BOB, "bob")
    fields = make(
        Draft(text="hi @BOB and @bob@example.com and @bob@remote.social"), known={"bob": bob}
    )
    assert fields["text"] == "hi @bob and @bob and @bob@remote.social"
    assert fields["mentions"] == [{"id": BOB, "username": "bob"}]


def test_language_falls_back_silently() -> None:
    assert make(Draft(text="x", language="xx-YY"))["language"] == "en"
    assert make(Draft(text="x", language="pt-BR"))["language"] == "pt"


def test_in_reply_to_account_carry_over() -> None:
    # Alice posts A; Bob replies B to A, then C to his own B: both name Alice.
    a = Parent(status_id=1, account_id=ALICE, in_reply_to_id=None, in_reply_to_account_id=None)
    b = Parent(status_id=2, account_id=BOB, in_reply_to_id=1, in_reply_to_account_id=ALICE)
    assert in_reply_to_account(BOB, a) == ALICE
    assert in_reply_to_account(BOB, b) == ALICE
    assert in_reply_to_account(ALICE, a) == ALICE
    assert in_reply_to_account(ALICE, b) == BOB


def test_only_the_author_deletes_and_only_once() -> None:
    status = Status(**make(Draft(text="x")))
    with pytest.raises(RecordNotFound):
        status.check_deletable_by(BOB)
    status.delete(delete_media=False)
    with pytest.raises(RecordNotFound):
        status.check_deletable_by(ALICE)


@pytest.mark.parametrize(
    ("draft", "problem"),
    [
        (Draft(text=" ".join(f"@nobody{i}" for i in range(5000))), "character limit"),
        (Draft(text="@bob hi", visibility="everyone"), "Visibility"),
    ],
)
def test_a_refused_text_looks_up_none_of_its_mentions(draft: Draft, problem: str) -> None:
    looked_up: list[str] = []
    with pytest.raises(ValidationFailed, match=problem):
        compose(
            draft,
            status_id=1,
            author=AS_ALICE,
            parent=None,
            resolve_mention=lambda acct: looked_up.append(acct),
            profile_url=URLS.profile,
            tag_base_url=URLS.tags,
            application=None,
        )
    assert looked_up == []
