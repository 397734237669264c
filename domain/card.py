"""Link preview cards: which link of a status gets a card, and the facts a fetch brought in.

A card is data from outside entering the log. The card worker fetches a page once and records the
outcome as events; replays and rebuilds read those events and never touch the network.

- `StatusCard` (one per version of a status's text, keyed by the status id and that version)
  records the outcome for it: `Fetched` with the card's fields, or `FetchFailed` with the
  reason. The version is the status's aggregate version that set the text: 1 when published,
  then the version of each edit that changed the text (Mastodon then resets the card and
  fetches the new text's). A second outcome for the same version cannot be saved (the event
  store refuses a second create), so a worker restarted mid-way, or two racing, never record a
  version twice.
- `LinkFetch` (one per URL) records every fetch of that URL. Statuses linking a URL fetched
  less than a period ago copy its outcome instead of fetching again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import entities
from domain.ids import derived_uuid, snowflake_time
from domain.status import Status
from domain.upcasting import added_fields

# Mastodon's FetchLinkCardService::BYTESIZE_LIMIT: longer URLs get no card.
MAX_URL_BYTES = 2692
# Text fields are capped so that one page cannot bloat the log (Mastodon stores them in
# unbounded columns; these caps are far above what any real card shows).
MAX_TITLE = 2000
MAX_DESCRIPTION = 2000
MAX_NAME = 500
MAX_HTML = 5000
CARD_TYPES = ("link", "photo", "video", "rich")
# The text version of a status as published (its aggregate's first version).
PUBLISHED = 1


@dataclass(frozen=True)
class Preview:
    """A PreviewCard's facts, as the fetch found them (plain text, absolute URLs)."""

    url: str
    title: str
    description: str = ""
    type: str = "link"
    author_name: str = ""
    author_url: str = ""
    provider_name: str = ""
    provider_url: str = ""
    html: str = ""
    width: int = 0
    height: int = 0
    image: str | None = None
    image_description: str = ""
    embed_url: str = ""
    language: str | None = None
    published_at: str | None = None
    blurhash: str | None = None

    def as_fields(self) -> dict:
        return asdict(self)

    @classmethod
    def from_fields(cls, fields: dict) -> Preview:
        return cls(**{name: fields[name] for name in cls.__dataclass_fields__ if name in fields})


# Control characters other than tab and newline: no card shows them, and PostgreSQL's jsonb
# (the read model) refuses NUL.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])


def capped(preview: Preview) -> Preview:
    """The preview with control characters removed, surrounding blanks stripped and its text
    fields cut to the caps above."""
    fields = {
        name: value.translate(_CONTROLS).strip() if isinstance(value, str) else value
        for name, value in preview.as_fields().items()
    }
    return Preview(
        **{
            **fields,
            "title": fields["title"][:MAX_TITLE],
            "description": fields["description"][:MAX_DESCRIPTION],
            "author_name": fields["author_name"][:MAX_NAME],
            "provider_name": fields["provider_name"][:MAX_NAME],
            "image_description": fields["image_description"][:MAX_DESCRIPTION],
            "html": fields["html"] if len(fields["html"]) <= MAX_HTML else "",
        }
    )


def card_link(text: str, media_ids: list[int], local_domain: str) -> str | None:
    """The link a status's card previews: its first http(s) link that is not this server's,
    or None (no link; statuses with media never get a card). Mentions and hashtags are
    entities of their own, never links."""
    if media_ids or "://" not in text:
        return None
    for entity in entities.extract_entities(text):
        if entity.kind != "url":
            continue
        url = entity.value
        scheme, _, rest = url.partition("://")
        if scheme.lower() not in ("http", "https"):
            continue
        host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
        if not host or host.lower() == local_domain.lower():
            continue
        if len(url.encode()) > MAX_URL_BYTES:
            continue
        return url
    return None


@dataclass(frozen=True)
class CardText:
    """One version of a status's text, to preview: the status, the version of its aggregate
    that set the text, and when it was written (unix time)."""

    status_id: int
    version: int
    written_at: float


def card_text(event: Status.Published | Status.Edited) -> CardText | None:
    """The text version a publication or an edit gives the status; None for an edit that kept
    the text (Mastodon keeps the card then)."""
    if isinstance(event, Status.Published):
        return CardText(event.status_id, PUBLISHED, snowflake_time(event.status_id).timestamp())
    if not event.text_changed:
        return None
    return CardText(event.status_id, event.originator_version, event.timestamp.timestamp())


class StatusCard(Aggregate):
    """The card outcome of one version of a status's text."""

    TOPIC = "tootlog.card"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.card.created.v1"

    # Outcomes recorded before cards followed edits are all of the published text: version 1.
    @event("Opened", topic="tootlog.card.opened.v1")
    def __init__(self, status_id: int, link: str, text_version: int = PUBLISHED) -> None:
        self.status_id = status_id
        self.link = link
        self.text_version = text_version
        self.preview: Preview | None = None
        self.reason: str | None = None

    @staticmethod
    def create_id(status_id: int, text_version: int = PUBLISHED) -> UUID:
        """The published text's card keeps the id it had before edits had cards of their own."""
        if text_version == PUBLISHED:
            return derived_uuid("card", status_id)
        return derived_uuid("card", status_id, text_version)

    def fetched(self, preview: Preview, fetched_at: str) -> None:
        """Record the card (`fetched_at`: when the page was fetched, perhaps for another
        status linking it)."""
        self._fetched(
            status_id=self.status_id,
            link=self.link,
            text_version=self.text_version,
            fetched_at=fetched_at,
            **preview.as_fields(),
        )

    @event("Fetched", topic="tootlog.card.fetched.v1")
    def _fetched(
        self,
        status_id: int,
        link: str,
        fetched_at: str,
        url: str,
        title: str,
        description: str,
        type: str,
        author_name: str,
        author_url: str,
        provider_name: str,
        provider_url: str,
        html: str,
        width: int,
        height: int,
        image: str | None,
        image_description: str,
        embed_url: str,
        language: str | None,
        published_at: str | None,
        blurhash: str | None,
        text_version: int = PUBLISHED,
    ) -> None:
        self.preview = Preview(
            url=url,
            title=title,
            description=description,
            type=type,
            author_name=author_name,
            author_url=author_url,
            provider_name=provider_name,
            provider_url=provider_url,
            html=html,
            width=width,
            height=height,
            image=image,
            image_description=image_description,
            embed_url=embed_url,
            language=language,
            published_at=published_at,
            blurhash=blurhash,
        )

    def failed(self, reason: str, fetched_at: str) -> None:
        """Record that the link gave no card, and why."""
        self._failed(
            status_id=self.status_id,
            link=self.link,
            text_version=self.text_version,
            reason=reason,
            fetched_at=fetched_at,
        )

    @event("FetchFailed", topic="tootlog.card.fetch_failed.v1")
    def _failed(
        self, status_id: int, link: str, reason: str, fetched_at: str, text_version: int = PUBLISHED
    ) -> None:
        self.reason = reason


# Outcomes recorded before cards followed edits are all of the published text.
added_fields(StatusCard.Opened, text_version=PUBLISHED)
added_fields(StatusCard.Fetched, text_version=PUBLISHED)
added_fields(StatusCard.FetchFailed, text_version=PUBLISHED)


class LinkFetch(Aggregate):
    """Every fetch of one URL, so that a URL is fetched at most once per period."""

    TOPIC = "tootlog.link_fetch"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.link_fetch.created.v1"

    @event("Opened", topic="tootlog.link_fetch.opened.v1")
    def __init__(self, link: str) -> None:
        self.link = link
        self.fetched_at: float | None = None  # unix time of the last fetch
        self.fetched_on: str | None = None  # the same, as recorded
        self.preview: Preview | None = None
        self.reason: str | None = None

    @staticmethod
    def create_id(link: str) -> UUID:
        return derived_uuid("link", link)

    @event("Fetched", topic="tootlog.link_fetch.fetched.v1")
    def fetched(self, preview: dict, fetched_at: float, fetched_on: str) -> None:
        self.preview, self.reason = Preview.from_fields(preview), None
        self.fetched_at, self.fetched_on = fetched_at, fetched_on

    @event("Failed", topic="tootlog.link_fetch.failed.v1")
    def failed(self, reason: str, fetched_at: float, fetched_on: str) -> None:
        self.preview, self.reason = None, reason
        self.fetched_at, self.fetched_on = fetched_at, fetched_on

    def fresh(self, now: float, period: float) -> bool:
        """Whether the last fetch is recent enough to share."""
        return self.fetched_at is not None and now - self.fetched_at < period
