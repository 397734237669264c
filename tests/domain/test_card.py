"""Which link of a status gets a card, and the card aggregates' rules."""

from __future__ import annotations

from dataclasses import replace

import orjson
import pytest
from eventsourcing.persistence import StoredEvent

from domain.card import (
    MAX_TITLE,
    PUBLISHED,
    CardText,
    LinkFetch,
    Preview,
    StatusCard,
    capped,
    card_link,
    card_text,
)
from domain.codec import make_mapper
from domain.ids import snowflake_time
from domain.status import Draft
from tests.domain.test_status_edit_rules import decide, published

LOCAL = "example.com"


@pytest.mark.parametrize(
    ("text", "link"),
    [
        (
            "read https://news.example.org/a?b=1 and https://other.example.net",
            "https://news.example.org/a?b=1",
        ),
        ("#python @alice http://blog.example.org/x", "http://blog.example.org/x"),
        ("mine: https://example.com/@me/1 then https://elsewhere.org/", "https://elsewhere.org/"),
        ("no links, #tags and @someone only", None),
        ("xmpp:someone@example.org magnet:?xt=urn:btih:abc", None),
        ("a bare domain example.org is not a link", None),
        ("https://example.com/only/local", None),
    ],
)
def test_the_card_link_is_the_first_http_link_to_another_server(
    text: str, link: str | None
) -> None:
    assert card_link(text, [], LOCAL) == link


def test_statuses_with_media_get_no_card() -> None:
    assert card_link("https://elsewhere.org/", [123], LOCAL) is None


def test_overlong_urls_get_no_card() -> None:
    assert card_link("https://elsewhere.org/" + "a" * 2700, [], LOCAL) is None


def test_caps_cut_text_and_drop_oversized_html() -> None:
    preview = capped(Preview(url="https://x.org", title="t" * (MAX_TITLE + 1), html="<" * 10_000))
    assert len(preview.title) == MAX_TITLE and preview.html == ""


def test_a_status_card_records_one_outcome_with_every_field() -> None:
    card = StatusCard(status_id=7, link="https://x.org/a")
    card.fetched(Preview(url="https://x.org/a", title="A"), "2026-12-05T04:00:00.000Z")
    opened, fetched = card.collect_events()
    assert card.id == StatusCard.create_id(7)
    assert (fetched.status_id, fetched.link, fetched.title, fetched.type) == (
        7,
        "https://x.org/a",
        "A",
        "link",
    )
    assert fetched.fetched_at == "2026-12-05T04:00:00.000Z"


def test_a_link_fetch_is_fresh_for_one_period() -> None:
    fetch = LinkFetch(link="https://x.org/a")
    assert not fetch.fresh(100.0, 60.0)
    fetch.failed(reason="HTTP 404", fetched_at=100.0, fetched_on="...")
    assert fetch.fresh(159.0, 60.0) and not fetch.fresh(160.0, 60.0)
    assert fetch.reason == "HTTP 404" and fetch.preview is None


def test_each_text_version_has_its_own_outcome_and_the_published_text_keeps_its_id() -> None:
    assert StatusCard.create_id(7, PUBLISHED) == StatusCard.create_id(7)
    assert StatusCard.create_id(7, 3) not in (StatusCard.create_id(7), StatusCard.create_id(7, 4))
    card = StatusCard(status_id=7, link="https://x.org/b", text_version=3)
    card.failed("HTTP 404", "2026-12-05T04:00:00.000Z")
    opened, failed = card.collect_events()
    assert card.id == StatusCard.create_id(7, 3)
    assert (opened.text_version, failed.text_version, failed.originator_version) == (3, 3, 2)


def test_the_text_to_preview_is_the_published_one_then_each_edit_that_changed_it() -> None:
    status = published(text="see https://x.org/a")
    status.edit(decide(status, Draft(text="see https://x.org/a", spoiler_text="cw")), [], [])
    status.edit(decide(status, Draft(text="now https://x.org/b")), [], [])
    created, kept, changed = status.collect_events()
    assert card_text(created) == CardText(1, PUBLISHED, snowflake_time(1).timestamp())
    assert not kept.text_changed and card_text(kept) is None  # Mastodon keeps the card
    assert changed.text_changed
    assert card_text(changed) == CardText(1, 3, changed.timestamp.timestamp())


def _stored_before(event: object, *fields: str) -> StoredEvent:
    """`event` as the event store holds one written before `fields` existed."""
    stored = make_mapper().to_stored_event(event)
    state = orjson.loads(stored.state)
    assert state.pop("class_version") == 2
    for name in fields:
        del state[name]
    return replace(stored, state=orjson.dumps(state))


def test_events_stored_before_cards_followed_edits_read_as_the_published_text() -> None:
    card = StatusCard(status_id=7, link="https://x.org/a")
    card.fetched(Preview(url="https://x.org/a", title="A"), "2026-12-05T04:00:00.000Z")
    status = published(text="see https://x.org/a")
    status.edit(decide(status, Draft(text="now https://x.org/b")), [], [])
    *_, edited = status.collect_events()
    mapper = make_mapper()
    for event in card.collect_events():
        old = mapper.to_domain_event(_stored_before(event, "text_version"))
        assert old.text_version == PUBLISHED and old.status_id == 7
    old = mapper.to_domain_event(
        _stored_before(edited, "text_changed", "poll_edited", "poll", "votes_reset")
    )
    assert (old.text_changed, old.poll_edited, old.poll, old.votes_reset) == (
        False,
        False,
        None,
        False,
    )
    assert card_text(old) is None  # such an edit kept the card
    assert mapper.to_domain_event(mapper.to_stored_event(edited)).text_changed
