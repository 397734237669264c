"""Plain-text statuses rendered and counted: content HTML as Mastodon's TextFormatter makes it,
and the length its StatusLengthValidator counts. The entities both work from (URLs, hashtags,
mentions) are found by domain/entities.py.
"""

from collections import Counter
from collections.abc import Mapping
from urllib.parse import quote

import regex

from domain.entities import extract_entities, urls_and_mentions

URL_DISPLAY_LENGTH = 30
URL_COUNTED_LENGTH = 23

# --- Rendering -------------------------------------------------------------------

_URL_PREFIX_RE = regex.compile(r"https?://(?:www\.)?|xmpp:")
_PARAGRAPH_BREAK_RE = regex.compile(r"\n\n+")
_LINE_BREAK_RE = regex.compile(r"([^\n]\n)(?=[^\n])")
# Ruby's String#blank? ([[:space:]]): Unicode separators plus ASCII/NEL whitespace.
_BLANK_RE = regex.compile(r"[\p{Z}\t-\r\x85]*")
_GRAPHEME_RE = regex.compile(r"\X")


def escape_html(text: str) -> str:
    """Escape like Rails' `h`: `'` becomes `&#39;`, not Python's `&#x27;`."""
    # Chained replace is several times faster than str.translate with a dict.
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def _is_blank(text: str) -> bool:
    return _BLANK_RE.fullmatch(text) is not None


# --- HTML ------------------------------------------------------------------------


def _link_to_url(url: str) -> str:
    prefix_match = _URL_PREFIX_RE.match(url)
    prefix = prefix_match[0] if prefix_match else ""
    rest = url[len(prefix) :]
    display, suffix = rest[:URL_DISPLAY_LENGTH], rest[URL_DISPLAY_LENGTH:]
    # An ellipsis would stand for a single character, so show it instead.
    if len(suffix) == 1:
        display, suffix = rest, ""
    css_class = "ellipsis" if suffix else ""
    return (
        f'<a href="{escape_html(url)}" target="_blank" rel="nofollow noopener"'
        f' translate="no"><span class="invisible">{escape_html(prefix)}</span>'
        f'<span class="{css_class}">{escape_html(display)}</span>'
        f'<span class="invisible">{escape_html(suffix)}</span></a>'
    )


def _link_to_hashtag(name: str, tag_base_url: str) -> str:
    # Rails' tag_url percent-encodes the path segment, which matters for non-ASCII tags.
    href = f"{tag_base_url}/{quote(name, safe='')}"
    return (
        f'<a href="{escape_html(href)}" class="mention hashtag" rel="tag">'
        f"#<span>{escape_html(name)}</span></a>"
    )


def _link_to_mention(acct: str, mentions: Mapping[str, str], usernames: Counter[str]) -> str:
    url = mentions.get(acct.lower())
    if url is None:
        return escape_html("@" + acct)
    username = acct.partition("@")[0]
    # Two mentioned accounts called "bob" on different servers need their domains.
    shown = acct if usernames[username.lower()] > 1 else username
    return (
        f'<span class="h-card" translate="no"><a href="{escape_html(url)}"'
        f' class="u-url mention">@<span>{escape_html(shown)}</span></a></span>'
    )


def _simple_format(html: str) -> str:
    """Rails' simple_format, then every newline removed, as TextFormatter does."""
    html = html.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = _PARAGRAPH_BREAK_RE.split(html)
    while paragraphs and not paragraphs[-1]:  # Ruby's split drops trailing empties.
        paragraphs.pop()
    return "".join(
        "<p>" + _LINE_BREAK_RE.sub(r"\1<br />", p).replace("\n", "") + "</p>" for p in paragraphs
    )


def render_html(text: str, *, mentions: Mapping[str, str], tag_base_url: str) -> str:
    """Render a (normalized) plain-text status as Mastodon `content` HTML.

    `mentions` maps a lowercased acct as it appears in `text` to the profile URL
    of the resolved account; other mentions stay plain text. The visible name is
    the typed username, or the whole acct if another mentioned account shares it.
    """
    if _is_blank(text):
        return ""
    usernames = Counter(acct.partition("@")[0] for acct in mentions)
    parts: list[str] = []
    position = 0
    for entity in extract_entities(text):
        parts.append(escape_html(text[position : entity.start]))
        if entity.kind == "url":
            parts.append(_link_to_url(entity.value))
        elif entity.kind == "hashtag":
            parts.append(_link_to_hashtag(entity.value, tag_base_url))
        else:
            parts.append(_link_to_mention(entity.value, mentions, usernames))
        position = entity.end
    parts.append(escape_html(text[position:]))
    return _simple_format("".join(parts))


# --- Length ----------------------------------------------------------------------


def _countable_text(text: str) -> str:
    if _is_blank(text):
        return ""
    parts: list[str] = []
    position = 0
    for entity in urls_and_mentions(text):
        parts.append(text[position : entity.start])
        if entity.kind == "url":
            parts.append("x" * URL_COUNTED_LENGTH)
        else:
            parts.append("@" + entity.value.partition("@")[0])
        position = entity.end
    parts.append(text[position:])
    return "".join(parts)


def status_length(text: str, spoiler_text: str) -> int:
    """Length counted against the limit: graphemes of the CW plus the text, with
    every URL as 23 and `@user@remote.domain` as `@user`."""
    counted = spoiler_text + _countable_text(text)
    if counted.isascii():  # Only CRLF joins ASCII characters into one grapheme.
        return len(counted) - counted.count("\r\n")
    return len(_GRAPHEME_RE.findall(counted))


def grapheme_length(text: str) -> int:
    """Grapheme clusters in `text` (Ruby's `each_grapheme_cluster.size`)."""
    if text.isascii():
        return len(text) - text.count("\r\n")
    return len(_GRAPHEME_RE.findall(text))
