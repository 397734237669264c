"""Statuses: the Status aggregate and the rules that turn a draft into a publishable status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import entities
from domain import text as texts
from domain.errors import RecordNotFound, ValidationFailed
from domain.ids import derived_uuid
from domain.languages import normalize_language
from domain.poll import MIN_EXPIRATION, PollDraft, compose_poll, poll_problems
from domain.upcasting import added_fields
from domain.visibility import VISIBILITIES, Audience

MAX_CHARACTERS = 500
DEFAULT_LANGUAGE = "en"


class Status(Aggregate):
    """A local status. Deleting it is final; its id is never reused."""

    TOPIC = "tootlog.status"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.status.created.v1"

    @event("Published", topic="tootlog.status.published.v1")
    def __init__(
        self,
        status_id: int,
        account_id: int,
        text: str,
        content: str,
        spoiler_text: str,
        sensitive: bool,
        visibility: str,
        language: str,
        in_reply_to_id: int | None,
        in_reply_to_account_id: int | None,
        mentions: list[dict],
        tags: list[str],
        media_ids: list[int],
        application: dict | None,
        poll: dict | None = None,
    ) -> None:
        self.status_id = status_id
        self.account_id = account_id
        self.text = text
        self.spoiler_text = spoiler_text
        self.visibility = visibility
        self.in_reply_to_id = in_reply_to_id
        self.in_reply_to_account_id = in_reply_to_account_id
        self.mentioned_ids = [m["id"] for m in mentions]
        self.media_ids = media_ids
        self.poll = poll
        self.deleted = False
        self.sensitive = sensitive
        self.language = language
        self.edited = False
        # Every upload ever attached: media an edit takes out stay attached, as in Mastodon
        # (its history still shows them, and deleting the status takes them too).
        self.attached_media_ids = list(media_ids)

    @staticmethod
    def create_id(status_id: int) -> UUID:
        return derived_uuid("status", status_id)

    @property
    def audience(self) -> Audience:
        return Audience(self.visibility, self.account_id, tuple(self.mentioned_ids))

    def check_deletable_by(self, account_id: int) -> None:
        """Only the author deletes, and only once; anything else is Rails' RecordNotFound."""
        if self.deleted or self.account_id != account_id:
            raise RecordNotFound

    def check_editable_by(self, account_id: int) -> None:
        """Only the author edits a live status; anything else is Rails' RecordNotFound (the
        controller looks the status up among the caller's own)."""
        self.check_deletable_by(account_id)

    def edit(
        self,
        revision: dict,
        media_descriptions: list,
        previous_descriptions: list,
        poll_change: PollChange | None = None,
    ) -> None:
        """Record an edit decided by `revise`. The first edit also records the version before it
        (Mastodon's create_previous_edit!), so the history is complete from the edits alone.
        `media_descriptions`: the alt texts of `revision["media_ids"]` after the edit;
        `previous_descriptions`: those of the current media, before it; `poll_change`: the
        poll the status has after the edit, when the edit set or removed one. The event says
        whether the text changed: Mastodon then resets the link card and fetches the new
        text's (UpdateStatusService#reset_preview_card!)."""
        previous = None
        if not self.edited:
            previous = {
                "text": self.text,
                "spoiler_text": self.spoiler_text,
                "sensitive": self.sensitive,
                "media_ids": list(self.media_ids),
                "media_descriptions": previous_descriptions,
                "poll_options": list(self.poll["options"]) if self.poll else None,
            }
        poll_fields = {}
        if poll_change is not None:
            poll_fields = {
                "poll_edited": True,
                "poll": poll_change.poll,
                "votes_reset": poll_change.votes_reset,
            }
        self._edited(
            status_id=self.status_id,
            account_id=self.account_id,
            **revision,
            media_descriptions=media_descriptions,
            previous=previous,
            text_changed=revision["text"] != self.text,
            **poll_fields,
        )

    @event("Edited", topic="tootlog.status.edited.v1")
    def _edited(
        self,
        status_id: int,
        account_id: int,
        text: str,
        content: str,
        spoiler_text: str,
        sensitive: bool,
        language: str,
        mentions: list[dict],
        tags: list[str],
        media_ids: list[int],
        media_descriptions: list,
        previous: dict | None,
        # Edits recorded before polls were editable kept the poll: poll_edited False.
        poll_edited: bool = False,
        poll: dict | None = None,
        votes_reset: bool = False,
        # Edits recorded before cards followed edits kept the card: text_changed False.
        text_changed: bool = False,
    ) -> None:
        self.text = text
        self.spoiler_text = spoiler_text
        self.sensitive = sensitive
        self.language = language
        self.media_ids = media_ids
        if poll_edited:
            self.poll = poll
        # A mention an edit removes turns silent but keeps its access (ProcessMentionsService).
        self.mentioned_ids += [m["id"] for m in mentions if m["id"] not in self.mentioned_ids]
        self.attached_media_ids += [i for i in media_ids if i not in self.attached_media_ids]
        self.edited = True

    def delete(self, delete_media: bool) -> None:
        """Delete the status (optionally with its media)."""
        self._deleted(status_id=self.status_id, delete_media=delete_media)

    @event("Deleted", topic="tootlog.status.deleted.v1")
    def _deleted(self, status_id: int, delete_media: bool) -> None:
        self.deleted = True


# Edits recorded before polls were editable (no poll fields) kept the poll; those recorded
# before cards followed edits (no text_changed) kept the card.
added_fields(Status.Edited, poll_edited=False, poll=None, votes_reset=False, text_changed=False)


@dataclass(frozen=True)
class PollChange:
    """What an edit does to the status's poll: the poll it has afterwards (None: removed), and
    whether the votes it had are discarded."""

    poll: dict | None
    votes_reset: bool


@dataclass(frozen=True)
class Draft:
    """What the client asked to publish, after parameter parsing."""

    text: str = ""
    spoiler_text: str = ""
    sensitive: bool | None = None
    # Rails quirk: a sensitive flag sent as a form string is not OR'ed with the CW (§6.6).
    sensitive_from_text: bool = False
    visibility: str | None = None
    language: str | None = None
    media_ids: list[int] = field(default_factory=list)
    poll: PollDraft | None = None


@dataclass(frozen=True)
class Author:
    """The facts about the posting account that publishing needs."""

    account_id: int
    default_visibility: str = "public"
    default_sensitive: bool = False
    default_language: str | None = None


@dataclass(frozen=True)
class Parent:
    """The status being replied to."""

    status_id: int
    account_id: int
    in_reply_to_id: int | None
    in_reply_to_account_id: int | None


@dataclass(frozen=True)
class Mentioned:
    """A local account a status mentions."""

    account_id: int
    username: str


def local_mention_name(acct: str, local_domain: str) -> str | None:
    """The local username an '@acct' can name, or None for another server's account."""
    username, _, domain = acct.partition("@")
    if domain and domain.lower() != local_domain.lower():
        return None
    return username.lower()


def in_reply_to_account(author_id: int, parent: Parent) -> int:
    """§3.1 carry-over: a self-reply to a reply keeps pointing at the thread's other party."""
    if parent.account_id == author_id and parent.in_reply_to_id is not None:
        return parent.in_reply_to_account_id or parent.account_id
    return parent.account_id


def decide_sensitive(draft: Draft, author: Author, has_cw: bool) -> bool:
    if draft.sensitive is None:
        return author.default_sensitive or has_cw
    if draft.sensitive_from_text:
        return draft.sensitive
    return draft.sensitive or has_cw


def compose(
    draft: Draft,
    *,
    status_id: int,
    author: Author,
    parent: Parent | None,
    resolve_mention: Callable[[str], Mentioned | None],
    profile_url: Callable[[str], str],
    tag_base_url: str,
    application: dict | None,
    poll_id: int | None = None,
    now: float = 0.0,
    poll_min_expiration: int = MIN_EXPIRATION,
) -> dict:
    """Decide a new status from a draft: the Published event's fields, or a 422.

    A poll (`draft.poll`) gets `poll_id` and expires `expires_in` seconds after `now`.

    `resolve_mention` maps an acct as typed to a local account (or None); it is the only way this
    function learns about the world.
    """
    text = draft.text.strip()
    spoiler_text = draft.spoiler_text.strip()
    sensitive = decide_sensitive(draft, author, bool(spoiler_text))
    if not text and spoiler_text:
        text, spoiler_text = spoiler_text, ""

    # Cheap checks first: the length counts a mention as typed (`@user`, without a domain), so
    # it needs no lookup, and a text full of mentions is refused before any is resolved.
    problems = text_problems(text, spoiler_text, draft.media_ids)
    visibility = draft.visibility or author.default_visibility
    if visibility not in VISIBILITIES:
        problems.append("Visibility is not included in the list")
    if draft.poll is not None:  # the poll's own rules come after the status's (§ polls)
        problems += poll_problems(draft.poll, now, poll_min_expiration)
    if problems:
        raise ValidationFailed(*problems)

    text, content, mentions = _rendered(text, resolve_mention, profile_url, tag_base_url)
    return {
        "status_id": status_id,
        "account_id": author.account_id,
        "text": text,
        "content": content,
        "spoiler_text": spoiler_text,
        "sensitive": sensitive,
        "visibility": visibility,
        "language": normalize_language(draft.language)
        or normalize_language(author.default_language)
        or DEFAULT_LANGUAGE,
        "in_reply_to_id": parent.status_id if parent else None,
        "in_reply_to_account_id": in_reply_to_account(author.account_id, parent)
        if parent
        else None,
        "mentions": mentions,
        "tags": entities.tag_names(text),
        "media_ids": list(draft.media_ids),
        "application": application,
        "poll": None
        if draft.poll is None or poll_id is None
        else compose_poll(draft.poll, poll_id, now),
    }


def text_problems(text: str, spoiler_text: str, media_ids: list[int]) -> list[str]:
    """The model rules on a status's text (Status validations): blank, too long."""
    problems = []
    if not text and not media_ids:
        problems.append("Text can't be blank")
    if texts.status_length(text, spoiler_text) > MAX_CHARACTERS:
        problems.append(f"Text character limit of {MAX_CHARACTERS} exceeded")
    return problems


def _rendered(
    text: str,
    resolve_mention: Callable[[str], Mentioned | None],
    profile_url: Callable[[str], str],
    tag_base_url: str,
) -> tuple[str, str, list[dict]]:
    """The text with its local mentions normalized, its HTML, and the accounts it mentions."""
    mentioned: dict[str, Mentioned] = {}
    for acct in entities.mention_names(text):
        account = resolve_mention(acct)
        if account is not None:
            mentioned[acct] = account
    text = entities.normalize_mentions(
        text, lambda acct: mentioned[acct].username if acct in mentioned else None
    )
    unique_mentions = list({m.account_id: m for m in mentioned.values()}.values())
    content = texts.render_html(
        text,
        mentions={m.username.lower(): profile_url(m.username) for m in unique_mentions},
        tag_base_url=tag_base_url,
    )
    return text, content, [{"id": m.account_id, "username": m.username} for m in unique_mentions]


def revise(
    draft: Draft,
    status: Status,
    *,
    media_ids: list[int],
    media_changed: bool,
    poll_changed: bool = False,
    resolve_mention: Callable[[str], Mentioned | None],
    profile_url: Callable[[str], str],
    tag_base_url: str,
) -> dict | None:
    """Decide an edit (UpdateStatusService): the Edited event's new fields, None when nothing
    significant changed (Mastodon then records nothing and answers with the status), or a 422.

    Every field is replaced, as Mastodon's controller passes them all: a parameter left out
    clears it (no CW, not sensitive, no media). Visibility and the reply target never change;
    a language left out or unknown keeps the status's. `media_ids` are the checked ids to keep
    or attach; `media_changed`: an alt text or focus of one of them changed; `poll_changed`:
    the edit sets or removes the poll (always significant, as the new expiry differs).
    """
    text = draft.text.strip()
    if text:
        spoiler_text = draft.spoiler_text.strip()
        has_cw = bool(spoiler_text)
    else:
        # Rails: `text.presence || options.delete(:spoiler_text)`: a CW without text becomes
        # the text, and the status keeps the CW it had.
        text, spoiler_text, has_cw = draft.spoiler_text.strip(), status.spoiler_text, False
    sensitive = decide_sensitive(draft, Author(status.account_id), has_cw)
    language = normalize_language(draft.language) or status.language
    problems = text_problems(text, spoiler_text, media_ids)
    if problems:
        raise ValidationFailed(*problems)
    text, content, mentions = _rendered(text, resolve_mention, profile_url, tag_base_url)
    before = (status.text, status.spoiler_text, status.sensitive, status.language, status.media_ids)
    unchanged = (text, spoiler_text, sensitive, language, media_ids) == before
    if unchanged and not media_changed and not poll_changed:
        return None
    return {
        "text": text,
        "content": content,
        "spoiler_text": spoiler_text,
        "sensitive": sensitive,
        "language": language,
        "mentions": mentions,
        "tags": entities.tag_names(text),
        "media_ids": list(media_ids),
    }
