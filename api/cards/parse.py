"""From a fetched page to a Preview: OpenGraph, Twitter card, plain <title>/<meta description>,
and oEmbed (discovered with <link rel="alternate" type="application/json+oembed">).

Pages are parsed with BeautifulSoup on the standard library's HTML parser: the charset comes from
the Content-Type header, else from the document (<meta charset>), else it is detected; entities
are decoded by the parser. Every field is plain text; the only markup a card carries is an iframe
rebuilt here from an allow-listed oEmbed provider's `html`.
"""

from __future__ import annotations

import html as html_lib
import warnings
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import orjson
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning

from domain.card import Preview, capped
from domain.ids import format_datetime
from domain.languages import normalize_language

OEMBED_TYPES = ("application/json+oembed",)

warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
warnings.filterwarnings("ignore", category=XMLParsedAsHTMLWarning)


class NoCard(Exception):
    """The page has nothing a card could show; the message is the recorded reason."""


class Document:
    """A parsed HTML page and the URL it came from (relative URLs resolve against it)."""

    def __init__(self, url: str, body: bytes, charset: str | None) -> None:
        self.url = url
        self.soup = BeautifulSoup(body, "html.parser", from_encoding=charset if charset else None)

    def meta(self, *names: str) -> str | None:
        """The content of the first <meta property|name=...> among `names`, in that order."""
        for name in names:
            for tag in self.soup.find_all("meta"):
                if name in (tag.get("property"), tag.get("name")):
                    content = tag.get("content")
                    if isinstance(content, str) and content.strip():
                        return content.strip()
        return None

    def title(self) -> str | None:
        tag = self.soup.find("title")
        text = tag.get_text() if tag is not None else ""
        return " ".join(text.split()) or None

    def language(self) -> str | None:
        tag = self.soup.find("html")
        lang = tag.get("lang") if tag is not None else None
        return lang if isinstance(lang, str) else None

    def oembed_url(self) -> str | None:
        """The JSON oEmbed endpoint the page announces, if any."""
        for tag in self.soup.find_all("link"):
            rel = tag.get("rel") or []
            rels = rel if isinstance(rel, list) else str(rel).split()
            if "alternate" in rels and str(tag.get("type", "")).lower() in OEMBED_TYPES:
                return absolute_url(self.url, tag.get("href"))
        return None

    def absolute(self, value: str | None) -> str | None:
        return absolute_url(self.url, value)


def absolute_url(base: str, value: object) -> str | None:
    """`value` resolved against `base`, if it is then an http(s) URL with a host."""
    if not isinstance(value, str) or not value.strip() or value.strip() == "null":
        return None
    try:
        url = urljoin(base, value.strip())
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def _int(value: object) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 100_000 else 0


def _published(value: str | None) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment)


def from_page(document: Document) -> Preview:
    """The card OpenGraph, Twitter card and the plain <title>/<meta description> describe."""
    title = document.meta("og:title", "twitter:title") or document.title() or ""
    site = document.meta("og:site")
    preview = capped(
        Preview(
            url=_canonical(document),
            title=title,
            description=document.meta("og:description", "twitter:description", "description") or "",
            type="link",
            author_name=document.meta("og:author", "og:author:username", "author") or "",
            provider_name=document.meta("og:site_name") or "",
            provider_url=(
                absolute_url(document.url, site if "://" in site else f"http://{site}") or ""
            )
            if site
            else "",
            width=_int(document.meta("og:image:width")),
            height=_int(document.meta("og:image:height")),
            image=document.absolute(document.meta("og:image", "og:image:url", "twitter:image")),
            image_description=document.meta("og:image:alt", "twitter:image:alt") or "",
            embed_url=document.absolute(document.meta("twitter:player:stream")) or "",
            language=normalize_language(document.meta("og:locale") or document.language()),
            published_at=_published(document.meta("article:published_time")),
        )
    )
    if not preview.title:
        raise NoCard("no title")
    return preview


def _canonical(document: Document) -> str:
    """The page's canonical URL when it is on the same host (as Mastodon), else its own."""
    for candidate in (document.meta("og:url"), _canonical_link(document)):
        url = document.absolute(candidate)
        if url and urlsplit(url).hostname == urlsplit(document.url).hostname:
            return url
    return document.url


def _canonical_link(document: Document) -> str | None:
    for tag in document.soup.find_all("link"):
        rel = tag.get("rel") or []
        if "canonical" in (rel if isinstance(rel, list) else str(rel).split()):
            href = tag.get("href")
            return href if isinstance(href, str) else None
    return None


def from_oembed(
    page_url: str, endpoint: str, body: bytes, html_providers: frozenset[str]
) -> Preview | None:
    """The card an oEmbed answer describes, or None when it gives none (then the page's own
    tags are used). `html` is kept only for video/rich answers from an endpoint whose host is in
    `html_providers`, and only as an iframe rebuilt here."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None

    def text(key: str) -> str:
        value = data.get(key)
        return html_lib.unescape(value).strip() if isinstance(value, str) else ""

    def link(key: str) -> str:
        return absolute_url(endpoint, data.get(key)) or ""

    kind = text("type")
    title = text("title")
    common = {
        "url": page_url,
        "title": title,
        "author_name": text("author_name"),
        "author_url": link("author_url"),
        "provider_name": text("provider_name"),
        "provider_url": link("provider_url"),
    }
    if kind == "photo":
        image = link("url")
        if not image:
            return None
        preview = Preview(
            **common,
            type="photo",
            image=image,
            embed_url=image,
            width=_int(data.get("width")),
            height=_int(data.get("height")),
        )
    elif kind in ("video", "rich"):
        iframe = _iframe(data.get("html"))
        allowed = (urlsplit(endpoint).hostname or "").lower() in html_providers
        if not (allowed and iframe):
            return None  # no markup from providers not on the list: the page's tags instead
        preview = Preview(
            **common,
            type=kind,
            html=iframe,
            image=link("thumbnail_url") or None,
            width=_int(data.get("width")),
            height=_int(data.get("height")),
        )
    elif kind == "link":
        preview = Preview(**common, type="link", image=link("thumbnail_url") or None)
    else:
        return None
    preview = capped(preview)
    return preview if preview.title or preview.html else None


def _iframe(markup: object) -> str:
    """The first https iframe of `markup`, rebuilt with only its source and size, or ""."""
    if not isinstance(markup, str):
        return ""
    frame = BeautifulSoup(markup, "html.parser").find("iframe")
    if frame is None:
        return ""
    src = absolute_url("https://invalid/", frame.get("src"))
    if not src or not src.startswith("https://"):
        return ""
    width, height = _int(frame.get("width")), _int(frame.get("height"))
    size = (f' width="{width}"' if width else "") + (f' height="{height}"' if height else "")
    return (
        f'<iframe src="{html_lib.escape(src, quote=True)}"{size} frameborder="0"'
        ' allowfullscreen="true"></iframe>'
    )
