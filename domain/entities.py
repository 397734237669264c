"""Entities in a plain-text status: the URLs, hashtags and mentions Mastodon's Extractor finds
(twitter-text with Mastodon's overrides), and what they name: the mentioned accts, with a way to
rewrite them, and hashtag names as Mastodon's HashtagNormalizer keeps them. Offsets are code
points, as Ruby's are, so they index Python strings directly. Rendering and counting them are
domain/text.py's.
"""

import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import regex

from domain.tlds import TLDS, UNICODE_TLDS

MAX_URL_LENGTH = 4096
MAX_MENTION_DOMAIN_LENGTH = 253


@dataclass(frozen=True, slots=True)
class Entity:
    """A linkable span of a status text: `[start, end)` in code points."""

    kind: str  # "url" | "hashtag" | "mention"
    start: int
    end: int
    value: str  # the URL; the tag as typed without '#'; the acct as typed without '@'


# --- Character classes (twitter-text's, with Mastodon's overrides) -------------

_SPACE = r"\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_INVALID = r"\ufffe\ufeff\uffff"
# Onigmo's Unicode [[:word:]] and [[:alpha:]]; Python's \w also has join controls.
_WORD = r"\p{L}\p{M}\p{Nd}\p{Pc}"
_ALPHA = r"\p{L}\p{M}"
_LATIN_ACCENTS = (
    r"\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257"
    r"\u0259\u025b\u0263\u0264\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f"
    r"\u1e00-\u1eff"
)

# --- URLs ------------------------------------------------------------------------

# A domain label: anything but ASCII punctuation (except '-' and '_'), spaces and
# controls; so Unicode letters, and oddly Unicode punctuation, are allowed.
_NOT_IN_LABEL = rf"!-,./:-@\[-\^`{{-~{_SPACE}\x00-\x1f\x7f{_INVALID}"
_LABEL_RE = regex.compile(rf"[^{_NOT_IN_LABEL}]+")
# Where a URL match may begin: a character twitter-text lets precede a URL,
# then one that can start a label (or a protocol).
_URL_CANDIDATE_RE = regex.compile(rf"[^0-9A-Za-z@＠$#＃{_INVALID}](?=[^_\-{_NOT_IN_LABEL}])")
_ASCII_ALNUM_RE = regex.compile(r"[0-9A-Za-z]+")
_PUNYCODE_RE = regex.compile(r"[xX][nN]--[0-9A-Za-z]+")


def _by_initial(names: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Group names by first character, longest first (a regex alternation's order)."""
    groups: dict[str, tuple[str, ...]] = {}
    for name in sorted(names, key=len, reverse=True):
        groups[name[0]] = (*groups.get(name[0], ()), name)
    return groups


_UNICODE_TLDS_BY_INITIAL = _by_initial(UNICODE_TLDS)

_PROTOCOL_RE = regex.compile(
    r"(?:https?|dat|dweb|ipfs|ipns|ssb|gopher|gemini)://", regex.IGNORECASE
)
_PATH_CHAR = rf"[^{_SPACE}()?]"
_BALANCED_PARENS = rf"\((?:{_PATH_CHAR}+|{_PATH_CHAR}*\({_PATH_CHAR}+\){_PATH_CHAR}*)\)"
_PATH_END = rf"(?:[^{_SPACE}()?!*\"'「」<>;:=,.$%\[\]~&|^…]|{_BALANCED_PARENS})"
_PATH = (
    rf"(?:{_PATH_CHAR}*(?:{_BALANCED_PARENS}{_PATH_CHAR}*)*{_PATH_END}"
    rf"|{_PATH_CHAR}+/)"
)
_QUERY = r"(?:\?[a-z0-9!?*'@();:&=+$/%#\[\]\-_.,~|]*[a-z0-9_&=#/\-])"
_URL_TAIL_RE = regex.compile(rf"(?::[0-9]+)?(?:/{_PATH}*)?{_QUERY}?", regex.IGNORECASE)
_TOKEN_RE = regex.compile(rf"[^{_SPACE}]+")

_URI_UNRESERVED = r"[a-z\p{Cyrillic}0-9\-._~]"
_URI_PCT_ENCODED = r"(?:%[0-9a-f]{2})"
_XMPP_NODE_RE = regex.compile(
    rf"(?:{_URI_UNRESERVED}|{_URI_PCT_ENCODED}|[!$()*+,;=])+", regex.IGNORECASE
)
_XMPP_TAIL_RE = regex.compile(
    rf"(?:/(?:{_URI_UNRESERVED}|{_URI_PCT_ENCODED}|[!$&'()*+,;=:@/?])+)?{_QUERY}?",
    regex.IGNORECASE,
)
_MAGNET_RE = regex.compile(rf"magnet:{_QUERY}", regex.IGNORECASE)
_EXTRA_URI_START_RE = regex.compile(r"xmpp:|magnet:", regex.IGNORECASE)

# --- Hashtags and mentions -------------------------------------------------------

_TAG_SEPARATORS = r"_\u00b7\u30fb\u200c"
_NON_WORD_TAG_SEPARATORS = "\u00b7\u30fb\u200c"
# Mastodon's HASHTAG_NAME_PAT is `FIRST | LAST` with
#   FIRST = [word][word sep]*[alpha sep][word sep]*[word]  and  LAST = [word]*[alpha][word]*
# (its "[word_]" is just [word]). _tag_name_end finds the same match without the
# quadratic backtracking of FIRST's two overlapping stars.
_TAG_RUN_RE = regex.compile(rf"[{_WORD}{_TAG_SEPARATORS}]+")
_TAG_MIDDLE_RE = regex.compile(rf"[{_ALPHA}{_TAG_SEPARATORS}]")
_WORD_RUN_RE = regex.compile(rf"[{_WORD}]+")
_ALPHA_RE = regex.compile(rf"[{_ALPHA}]")
# Ruby's \s is ASCII-only, so a '#' after a no-break space does not start a tag.
_HASHTAG_SIGN_RE = regex.compile(r"(?<=^|[ \t\n\v\f\r])[#＃]")
_HTTP_SUFFIX_RE = regex.compile(r"(.+)(https?)\Z")
_TAG_INVALID_CHARS_RE = regex.compile(rf"[^{_ALPHA}\p{{Nd}}\u0e47-\u0e4e{_TAG_SEPARATORS}]")
_ASCII_FOLDING = str.maketrans(
    "ÀÁÂÃÄÅàáâãäåĀāĂăĄąÇçĆćĈĉĊċČčÐðĎďĐđÈÉÊËèéêëĒēĔĕĖėĘęĚěĜĝĞğĠġĢģĤĥĦħÌÍÎÏìíîïĨĩĪīĬĭĮįİı"
    "ĴĵĶķĸĹĺĻļĽľĿŀŁłÑñŃńŅņŇňŉŊŋÒÓÔÕÖØòóôõöøŌōŎŏŐőŔŕŖŗŘřŚśŜŝŞşŠšſŢţŤťŦŧÙÚÛÜùúûüŨũŪūŬŭ"
    "ŮůŰűŲųŴŵÝýÿŶŷŸŹźŻżŽž",
    "AAAAAAaaaaaaAaAaAaCcCcCcCcCcDdDdDdEEEEeeeeEeEeEeEeEeGgGgGgGgHhHhIIIIiiiiIiIiIiIiIi"
    "JjKkkLlLlLlLlLlNnNnNnNnnNnOOOOOOooooooOoOoOoRrRrRrSsSsSsSssTtTtTtUUUUuuuuUuUuUu"
    "UuUuUuWwYyyYyYZzZzZz",
)

_MENTION_RE = regex.compile(
    rf"(?<![=/{_WORD}])@(?P<acct>[a-z0-9_]+(?:[.-]+[a-z0-9_]+)*"
    rf"(?:@[{_WORD}]+(?:[.-]+[{_WORD}]+)*)?)",
    regex.IGNORECASE,
)
_MENTION_REJECTED_AFTER_RE = regex.compile(rf"[@＠{_LATIN_ACCENTS}]|://")

# --- URL extraction --------------------------------------------------------------


def _tld_end(text: str, start: int) -> int | None:
    """End of a known TLD (or xn-- name) at `start` not followed by [0-9a-z@+-]."""
    for tld in _UNICODE_TLDS_BY_INITIAL.get(text[start : start + 1].lower(), ()):
        end = start + len(tld)
        if text[start:end].lower() == tld and not _continues_tld(text, end):
            return end
    word = _ASCII_ALNUM_RE.match(text, start)
    if word and word[0].lower() in TLDS and not _continues_tld(text, word.end()):
        return word.end()
    punycode = _PUNYCODE_RE.match(text, start)
    return punycode.end() if punycode else None


def _continues_tld(text: str, end: int) -> bool:
    following = text[end : end + 1]
    return bool(following) and (following in "@+-" or _ASCII_ALNUM_RE.match(following) is not None)


class _Domains:
    """twitter-text's `valid_domain` (subdomains, a name, a TLD) matched greedily.

    As a regex it backtracks over every label split at every start position,
    which is quadratic in the number of labels ("a.a.a.…" took seconds).
    Memoizing the result per label start makes a whole scan linear.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._ends: dict[int, int | None] = {}
        self._run = (0, 0, -1)  # the last label-character run: start, end, last '_'

    def end(self, start: int) -> int | None:
        """Where the longest domain starting at `start` ends, if there is one."""
        pending: list[tuple[int, int, bool]] = []
        position = start
        while position not in self._ends:
            label = self._label(position)
            if label is None:
                self._ends[position] = None
                break
            pending.append((position, *label))
            position = label[0] + 1
        for label_start, dot, has_underscore in reversed(pending):
            # More labels win; failing that this label is the name before the TLD,
            # where '_' is not allowed (it is in subdomains).
            end = self._ends[dot + 1]
            if end is None and not has_underscore:
                end = _tld_end(self._text, dot + 1)
            self._ends[label_start] = end
        return self._ends[start]

    def _label(self, start: int) -> tuple[int, bool] | None:
        """The '.' ending a label that starts at `start`, and whether it has a '_'."""
        text = self._text
        run_start, run_end, underscore = self._run
        if not run_start <= start < run_end:
            run = _LABEL_RE.match(text, start)
            if run is None:
                return None
            run_start, run_end = start, run.end()
            underscore = text.rfind("_", run_start, run_end)
            self._run = run_start, run_end, underscore
        if text[start] in "-_" or text[run_end - 1] in "-_":
            return None
        if text[run_end : run_end + 1] != ".":
            return None
        return run_end, underscore >= start


def _can_precede_uri(char: str) -> bool:
    """twitter-text consumes one character before a URL: not [a-z0-9@$#]."""
    return not (char.isascii() and char.isalnum()) and char not in "@＠$#＃\ufffe\ufeff\uffff"


def _is_valid_domain(url: str, domain: str) -> bool:
    """twitter-text's is_valid_domain: IDNA-encodable and the URL not too long."""
    try:
        encoded = domain.encode("idna")
    except UnicodeError:
        return False
    return len(url) + max(0, len(encoded) - len(domain)) <= MAX_URL_LENGTH


def _match_url(text: str, start: int, domains: _Domains) -> tuple[int, Entity | None] | None:
    """Match twitter-text's `valid_url` at `start`: (end, entity if linkable)."""
    protocol = _PROTOCOL_RE.match(text, start)
    if protocol and (domain_end := domains.end(protocol.end())) is not None:
        end = _URL_TAIL_RE.match(text, domain_end).end()
        url = text[start:end]
        if _is_valid_domain(url, text[protocol.end() : domain_end]):
            return end, Entity("url", start, end, url)
        return end, None
    domain_end = domains.end(start)
    if domain_end is None:
        return None
    # Mastodon requires a protocol, but the match still consumes its text.
    return _URL_TAIL_RE.match(text, domain_end).end(), None


def _match_url_at_text_start(text: str, domains: _Domains) -> tuple[int, Entity | None] | None:
    """At offset 0 the preceding-character group tries consuming text[0], then `^`."""
    match = _match_url(text, 1, domains) if _can_precede_uri(text[0]) else None
    return match or _match_url(text, 0, domains)


def _urls(text: str) -> list[Entity]:
    """Ruby's String#scan with twitter-text's `valid_url`, protocol required."""
    if "://" not in text:
        return []
    domains = _Domains(text)
    # A match never spans a space, so only tokens holding "://" can yield a URL.
    return [
        url
        for token in _TOKEN_RE.finditer(text)
        if "://" in token[0]
        for url in _urls_in_token(text, token.start(), token.end(), domains)
    ]


def _urls_in_token(text: str, start: int, end: int, domains: _Domains) -> Iterator[Entity]:
    position = max(start - 1, 0)
    if position == 0:
        match = _match_url_at_text_start(text, domains)
        position = match[0] if match else 1
        if match and match[1]:
            yield match[1]
    while candidate := _URL_CANDIDATE_RE.search(text, position, end):
        match = _match_url(text, candidate.end(), domains)
        if match is None:
            position = candidate.end()
            continue
        position, entity = match
        if entity is not None:
            yield entity


def _xmpp_end(text: str, start: int, domains: _Domains) -> int | None:
    """End of `xmpp:[//node@domain/][node@]domain[/resource][?query]` at `start`."""
    after_scheme = start + len("xmpp:")
    if text.startswith("//", after_scheme):
        node = _XMPP_NODE_RE.match(text, after_scheme + 2)
        if node and text.startswith("@", node.end()):
            domain_end = domains.end(node.end() + 1)
            if domain_end is not None and text.startswith("/", domain_end):
                end = _xmpp_path_end(text, domain_end + 1, domains)
                if end is not None:
                    return end
    return _xmpp_path_end(text, after_scheme, domains)


def _xmpp_path_end(text: str, start: int, domains: _Domains) -> int | None:
    node = _XMPP_NODE_RE.match(text, start)
    domain_end = None
    if node and text.startswith("@", node.end()):
        domain_end = domains.end(node.end() + 1)
    if domain_end is None:
        domain_end = domains.end(start)
    return None if domain_end is None else _XMPP_TAIL_RE.match(text, domain_end).end()


def _extra_uris(text: str) -> list[Entity]:
    """Mastodon's extra linkable URIs: `xmpp:` addresses and `magnet:` links."""
    if ":" not in text:
        return []
    domains = _Domains(text)
    found = []
    position = 0
    for scheme in _EXTRA_URI_START_RE.finditer(text):
        start = scheme.start()
        if start != 0 and (start <= position or not _can_precede_uri(text[start - 1])):
            continue
        if scheme[0].lower() == "xmpp:":
            end = _xmpp_end(text, start, domains)
        else:
            magnet = _MAGNET_RE.match(text, start)
            end = magnet.end() if magnet else None
        if end is not None:
            found.append(Entity("url", start, end, text[start:end]))
            position = end
    return found


# --- Hashtag and mention extraction ----------------------------------------------


def _tag_name_end(text: str, start: int) -> int | None:
    """End of the hashtag name that starts at `start`, as HASHTAG_NAME_PAT matches it."""
    run = _TAG_RUN_RE.match(text, start)
    if run is None or text[start] in _NON_WORD_TAG_SEPARATORS:
        return None
    # FIRST backtracks to the last word character of the run, and succeeds if
    # an alpha or separator sits strictly between that and the first character.
    last_word_end = start + len(run[0].rstrip(_NON_WORD_TAG_SEPARATORS))
    if _TAG_MIDDLE_RE.search(text, start + 1, last_word_end - 1):
        return last_word_end
    word = _WORD_RUN_RE.match(text, start)
    if word and _ALPHA_RE.search(text, start, word.end()):
        return word.end()
    return None


def _hashtags(text: str) -> list[Entity]:
    if "#" not in text and "＃" not in text:
        return []
    found = []
    for sign in _HASHTAG_SIGN_RE.finditer(text):
        end = _tag_name_end(text, sign.end())
        if end is None:
            continue
        name = text[sign.end() : end]
        # "#foohttp://x" is the tag "foo" followed by a URL-ish remainder.
        if text.startswith("://", end) and (cut := _HTTP_SUFFIX_RE.match(name)):
            name, end = cut[1], end - len(cut[2])
        found.append(Entity("hashtag", sign.start(), end, name))
    return found


def _mentions(text: str) -> list[Entity]:
    if "@" not in text:
        return []
    found = []
    for match in _MENTION_RE.finditer(text):
        acct = match["acct"]
        if _MENTION_REJECTED_AFTER_RE.match(text, match.end()):
            continue
        if len(acct.partition("@")[2]) > MAX_MENTION_DOMAIN_LENGTH:
            continue
        found.append(Entity("mention", match.start(), match.end(), acct))
    return found


def _without_overlaps(entities: Iterable[Entity]) -> list[Entity]:
    """Keep the earliest-starting entity of any overlapping pair."""
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda e: e.start):
        if not kept or kept[-1].end <= entity.start:
            kept.append(entity)
    return kept


def extract_entities(text: str) -> list[Entity]:
    """URLs, hashtags and mentions in `text`, sorted and non-overlapping."""
    return _without_overlaps(_urls(text) + _hashtags(text) + _mentions(text) + _extra_uris(text))


# --- Mentions --------------------------------------------------------------------


def mention_names(text: str) -> list[str]:
    """Distinct mentioned accts (as typed, without '@') in order of first appearance.

    Like Mastodon's ProcessMentionsService this scans with the bare mention
    regex, so it also sees mentions that render as plain text (e.g. "@bobé").
    """
    return list(dict.fromkeys(m["acct"] for m in _MENTION_RE.finditer(text)))


def normalize_mentions(text: str, resolve: Callable[[str], str | None]) -> str:
    """Rewrite each mention that `resolve` maps to a canonical acct as "@" + acct."""

    def rewrite(match: regex.Match[str]) -> str:
        canonical = resolve(match["acct"])
        return match[0] if canonical is None else "@" + canonical

    return _MENTION_RE.sub(rewrite, text)


# --- Hashtags --------------------------------------------------------------------


def normalize_tag(name: str) -> str:
    """Mastodon's HashtagNormalizer: NFKC, lowercase, ASCII-fold, drop invalid chars."""
    lowered = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).lower())
    return _TAG_INVALID_CHARS_RE.sub("", lowered.translate(_ASCII_FOLDING))


def is_tag_name(name: str) -> bool:
    """Whether `name` is a whole hashtag name (Mastodon's Tag::HASHTAG_NAME_RE)."""
    return bool(name) and _tag_name_end(name, 0) == len(name)


def tag_names(text: str) -> list[str]:
    """Normalized, de-duplicated hashtag names in order of appearance.

    A name that normalizes to something Mastodon would not accept as a tag
    (e.g. "#1http://x" gives "1") is dropped.
    """
    names = (normalize_tag(tag.value) for tag in _hashtags(text))
    return list(dict.fromkeys(n for n in names if _tag_name_end(n, 0) == len(n)))


def urls_and_mentions(text: str) -> list[Entity]:
    """The URLs and mentions in `text` (what a status's length counts specially), sorted and
    non-overlapping."""
    return _without_overlaps(_urls(text) + _mentions(text))
