"""Editing rules (UpdateStatusService, §6.16) decided without a database."""

from __future__ import annotations

import pytest

from domain.errors import RecordNotFound, ValidationFailed
from domain.status import Draft, Mentioned, Status, local_mention_name, revise
from domain.urls import Urls

URLS = Urls("example.com")
ALICE, BOB = 10, 20
KNOWN = {"bob": Mentioned(BOB, "bob")}


def published(**fields: object) -> Status:
    values: dict = {
        "status_id": 1,
        "account_id": ALICE,
        "text": "hello",
        "content": "<p>hello</p>",
        "spoiler_text": "",
        "sensitive": False,
        "visibility": "direct",
        "language": "de",
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "mentions": [],
        "tags": [],
        "media_ids": [],
        "application": None,
        **fields,
    }
    return Status(**values)


def decide(status: Status, draft: Draft, media_ids: list[int] = (), changed: bool = False):  # noqa: ANN201
    return revise(
        draft,
        status,
        media_ids=list(media_ids),
        media_changed=changed,
        resolve_mention=lambda acct: KNOWN.get(local_mention_name(acct, URLS.domain) or ""),
        profile_url=URLS.profile,
        tag_base_url=URLS.tags,
    )


def test_the_same_text_is_no_change_and_media_or_alt_text_is() -> None:
    status = published()
    assert decide(status, Draft(text=" hello ")) is None
    assert decide(status, Draft(text="hello"), changed=True) is not None
    assert decide(status, Draft(text="hello"), media_ids=[5]) is not None


def test_left_out_fields_are_cleared_but_language_is_kept() -> None:
    status = published(spoiler_text="cw", sensitive=True)
    revision = decide(status, Draft(text="hello"))
    assert revision is not None
    assert (revision["spoiler_text"], revision["sensitive"], revision["language"]) == (
        "",
        False,
        "de",
    )
    assert decide(status, Draft(text="hello", language="fr"))["language"] == "fr"


def test_a_cw_without_text_becomes_the_text_and_the_old_cw_stays() -> None:
    status = published(spoiler_text="old")
    revision = decide(status, Draft(text=" ", spoiler_text="new"))
    assert (revision["text"], revision["spoiler_text"], revision["sensitive"]) == (
        "new",
        "old",
        False,
    )


def test_the_publishing_rules_apply() -> None:
    with pytest.raises(ValidationFailed, match="Text can't be blank"):
        decide(published(), Draft(text=""))
    with pytest.raises(ValidationFailed, match="Text character limit of 500 exceeded"):
        decide(published(), Draft(text="x" * 501))
    assert decide(published(), Draft(text=""), media_ids=[5])["text"] == ""


def test_an_edit_adds_mentions_for_visibility_and_keeps_removed_ones() -> None:
    status = published()
    status.edit(decide(status, Draft(text="hi @Bob")), [], [])
    assert status.audience.mentioned_ids == (BOB,)
    assert status.text == "hi @bob"
    status.edit(decide(status, Draft(text="just me")), [], [])
    assert status.audience.mentioned_ids == (BOB,)  # silent, not gone
    events = status.collect_events()
    edits = [e for e in events if isinstance(e, Status.Edited)]
    assert edits[0].previous == {
        "text": "hello",
        "spoiler_text": "",
        "sensitive": False,
        "media_ids": [],
        "media_descriptions": [],
        "poll_options": None,
    }
    assert edits[1].previous is None  # only the first edit records the original
    assert [m["id"] for m in edits[0].mentions] == [BOB] and edits[1].mentions == []


def test_only_the_author_edits_a_live_status() -> None:
    status = published()
    with pytest.raises(RecordNotFound):
        status.check_editable_by(BOB)
    status.delete(delete_media=False)
    with pytest.raises(RecordNotFound):
        status.check_editable_by(ALICE)
