"""Page parsing: OpenGraph, Twitter card, plain title, oEmbed, charsets, relative URLs."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.cards.parse import Document, NoCard, from_oembed, from_page
from domain.card import MAX_TITLE
from tests.link_pages import (
    LATIN1,
    OEMBED,
    OEMBED_PAGE,
    OPENGRAPH,
    RELATIVE,
    SHIFT_JIS,
    SHIFT_JIS_TITLE,
    TITLE_ONLY,
)

BASE = "http://site.test/articles/one"


def card(body: bytes, charset: str | None = None, url: str = BASE):  # noqa: ANN201
    return from_page(Document(url, body, charset))


def test_full_opengraph_fills_every_field_with_entities_decoded() -> None:
    preview = card(OPENGRAPH, "utf-8")
    assert preview.title == "Café & crème"
    assert preview.description == "All about <coffee>"
    assert preview.image == "http://site.test/img/cup.png"
    assert (preview.width, preview.height) == (640, 360)
    assert preview.image_description == "A cup"
    assert preview.provider_name == "Coffee Weekly"
    assert preview.language == "en"  # og:locale wins over <html lang>
    assert preview.published_at == "2026-11-30T08:15:00.000Z"
    assert preview.author_name == "Ada"
    assert preview.type == "link" and preview.html == ""
    assert preview.url == BASE


def test_only_a_title_gives_a_card_with_the_title_alone() -> None:
    preview = card(TITLE_ONLY)
    assert preview.title == "Just a title"
    assert preview.description == "" and preview.image is None


def test_relative_image_urls_are_resolved_against_the_page() -> None:
    preview = card(RELATIVE)
    assert preview.image == "http://site.test/images/pic.png"
    assert preview.description == "Plain description"


def test_the_charset_declared_by_the_document_is_used() -> None:
    assert card(LATIN1).title == "Crème brûlée à la française"


def test_the_charset_of_the_content_type_header_is_used() -> None:
    assert card(SHIFT_JIS, "shift_jis").title == SHIFT_JIS_TITLE


def test_twitter_card_tags_stand_in_for_opengraph() -> None:
    body = b"""<html><head><meta name="twitter:title" content="Tweet title">
    <meta name="twitter:description" content="Tweet text">
    <meta name="twitter:image" content="https://img.test/t.jpg"></head></html>"""
    preview = card(body)
    assert (preview.title, preview.description, preview.image) == (
        "Tweet title",
        "Tweet text",
        "https://img.test/t.jpg",
    )


def test_a_page_without_a_title_gives_no_card() -> None:
    with pytest.raises(NoCard, match="no title"):
        card(b"<html><body><p>nothing</p></body></html>")


def test_markup_in_a_title_stays_text() -> None:
    preview = card(b"<html><head><title>&lt;b&gt;bold&lt;/b&gt; <i>x</i></title></head></html>")
    assert preview.title == "<b>bold</b> x"  # entities decoded to text; tags are not content
    assert preview.html == ""


def test_lengths_are_capped() -> None:
    body = f"<title>{'a' * (MAX_TITLE + 500)}</title>".encode()
    assert len(card(body).title) == MAX_TITLE


def test_image_urls_that_are_not_http_are_dropped() -> None:
    body = b'<title>t</title><meta property="og:image" content="javascript:alert(1)">'
    assert card(body).image is None


def test_a_canonical_url_on_another_host_is_ignored() -> None:
    body = b'<title>t</title><meta property="og:url" content="https://elsewhere.test/x">'
    assert card(body).url == BASE
    same = b'<title>t</title><link rel="canonical" href="/articles/canonical">'
    assert card(same).url == "http://site.test/articles/canonical"


def test_oembed_discovery_finds_the_json_endpoint() -> None:
    assert (
        Document(BASE, OEMBED_PAGE, None).oembed_url() == "http://site.test/oembed.json?url=video"
    )


def test_oembed_video_html_is_kept_only_for_allow_listed_providers_and_rebuilt() -> None:
    endpoint = "http://site.test/oembed.json?url=video"
    body = orjson.dumps(OEMBED)
    assert from_oembed(BASE, endpoint, body, frozenset()) is None
    preview = from_oembed(BASE, endpoint, body, frozenset({"site.test"}))
    assert preview is not None
    assert preview.type == "video"
    assert preview.html == (
        '<iframe src="https://player.example/v/1" width="640" height="360" frameborder="0"'
        ' allowfullscreen="true"></iframe>'
    )
    assert "script" not in preview.html
    assert preview.author_url == "http://site.test/people/someone"
    assert preview.image == "http://site.test/thumbs/video.jpg"
    assert preview.provider_name == "ExampleTube"


def test_oembed_link_and_photo_types_need_no_allow_list() -> None:
    endpoint = "http://site.test/oembed"
    link = from_oembed(BASE, endpoint, b'{"type":"link","title":"L"}', frozenset())
    assert link is not None and link.type == "link" and link.title == "L"
    photo = from_oembed(
        BASE, endpoint, b'{"type":"photo","title":"P","url":"/p.jpg","width":3}', frozenset()
    )
    assert photo is not None and photo.image == "http://site.test/p.jpg" and photo.width == 3


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"type":"photo"}', b'{"type":"x"}'])
def test_bad_oembed_answers_give_nothing(body: bytes) -> None:
    assert from_oembed(BASE, "http://site.test/o", body, frozenset({"site.test"})) is None


@settings(max_examples=200, deadline=None)
@given(
    body=st.one_of(
        st.binary(max_size=400),
        st.text(max_size=200).map(
            lambda t: f"<title>{t}</title><meta name=description content='{t}'>".encode()
        ),
    ),
    charset=st.sampled_from([None, "utf-8", "iso-8859-1", "shift_jis", "no-such-charset"]),
)
def test_any_page_gives_a_plain_text_card_or_no_card(body: bytes, charset: str | None) -> None:
    try:
        preview = card(body, charset)
    except NoCard:
        return
    for value in preview.as_fields().values():
        if isinstance(value, str):
            assert not any(ord(c) < 32 and c not in "\t\n" for c in value)
    assert preview.title and preview.html == ""


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(list(OEMBED)), st.one_of(st.text(), st.integers(-(2**40), 2**40), st.none())
    )
)
def test_any_oembed_answer_gives_a_card_or_nothing(data: dict) -> None:
    answer = from_oembed(BASE, "http://site.test/o", orjson.dumps(data), frozenset({"site.test"}))
    assert answer is None or answer.title or answer.html
