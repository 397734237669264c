"""Maps each domain event to read-model writes. No SQL here: only calls to ReadModel methods."""

from __future__ import annotations

from eventsourcing.utils import resolve_topic
from psycopg import Cursor

from domain.account import Account
from domain.card import StatusCard
from domain.favourite import Favourite
from domain.follow import Follow
from domain.ids import snowflake_time
from domain.media import MediaAttachment
from domain.oauth import OAuthApp
from domain.pins import Pins
from domain.reblog import Reblog
from domain.status import Status
from domain.token import AccessToken
from domain.urls import Urls
from projections.cards import CardReadModel, card_document
from projections.documents import (
    account_document,
    application_document,
    media_document,
    status_document,
    wrapper_document,
)
from projections.readmodel import ReadModel

COUNTED_REPLY_VISIBILITIES = ("public", "unlisted")


class Projector:
    """Applies events to the read model; events it does not know only advance the position."""

    def __init__(self, view: ReadModel, urls: Urls) -> None:
        self.view = view
        self.urls = urls
        self.cards = CardReadModel()
        # Usernames never change, so caching them is safe across batches.
        self._usernames: dict[int, str] = {}

    def handles(self, topic: str) -> bool:
        """Whether events stored under `topic` change the read models (the worker decodes only
        those; the others just advance the position)."""
        return resolve_topic(topic) in self._handlers

    def apply(self, curs: Cursor, event: object) -> None:
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(self, curs, event)

    def _account_registered(self, curs: Cursor, event: Account.Registered) -> None:
        self._usernames[event.account_id] = event.username
        self.view.insert_account(
            curs,
            event.account_id,
            event.username,
            event.email,
            event.locked,
            account_document(self.urls, event),
        )

    def _status_published(self, curs: Cursor, event: Status.Published) -> None:
        username = self._username(curs, event.account_id)
        self.view.insert_status(
            curs,
            status_id=event.status_id,
            account_id=event.account_id,
            visibility=event.visibility,
            mentions=[m["id"] for m in event.mentions],
            in_reply_to_id=event.in_reply_to_id,
            in_reply_to_account_id=event.in_reply_to_account_id,
            text=event.text,
            doc=status_document(
                self.urls, event, username, self.view.media_documents(curs, event.media_ids)
            ),
        )
        if event.in_reply_to_id is not None and event.visibility in COUNTED_REPLY_VISIBILITIES:
            self.view.count_reply(curs, event.in_reply_to_id, +1)
        if event.visibility != "direct":
            day = snowflake_time(event.status_id).date()
            self.view.count_status(curs, event.account_id, +1, day)

    def _status_deleted(self, curs: Cursor, event: Status.Deleted) -> None:
        facts = self.view.mark_status_deleted(curs, event.status_id)
        if facts is None:
            return
        parent = facts["in_reply_to_id"]
        if parent is not None and facts["visibility"] in COUNTED_REPLY_VISIBILITIES:
            self.view.count_reply(curs, parent, -1)
        if facts["visibility"] != "direct":
            self.view.count_status(curs, facts["account_id"], -1, None)
        # Its reblogs go with it; its replies stay, cut off from the thread above.
        self.view.delete_reblogs_of(curs, event.status_id)
        self.view.forget_interactions_with(curs, event.status_id)
        self.view.cut_thread(curs, event.status_id, facts["depth"])

    def _reblogged(self, curs: Cursor, event: Reblog.Reblogged) -> None:
        username = self._username(curs, event.account_id)
        self.view.insert_wrapper(
            curs,
            wrapper_id=event.wrapper_status_id,
            account_id=event.account_id,
            visibility=event.visibility,
            original_id=event.original_status_id,
            doc=wrapper_document(self.urls, event.wrapper_status_id, event.visibility, username),
        )
        self.view.count_reblog(curs, event.original_status_id, +1)
        day = snowflake_time(event.wrapper_status_id).date()
        self.view.count_status(curs, event.account_id, +1, day)

    def _unreblogged(self, curs: Cursor, event: Reblog.Unreblogged) -> None:
        if self.view.mark_status_deleted(curs, event.wrapper_status_id) is None:
            return
        self.view.count_reblog(curs, event.original_status_id, -1)
        self.view.count_status(curs, event.account_id, -1, None)

    def _favourited(self, curs: Cursor, event: Favourite.Favourited) -> None:
        self.view.insert_favourite(curs, event.favourite_id, event.account_id, event.status_id)

    def _unfavourited(self, curs: Cursor, event: Favourite.Unfavourited) -> None:
        self.view.delete_favourite(curs, event.account_id, event.status_id)

    def _pinned(self, curs: Cursor, event: Pins.Pinned) -> None:
        self.view.insert_pin(curs, event.account_id, event.status_id)

    def _unpinned(self, curs: Cursor, event: Pins.Unpinned) -> None:
        self.view.delete_pin(curs, event.account_id, event.status_id)

    def _followed(self, curs: Cursor, event: Follow.Followed) -> None:
        self.view.insert_follow(curs, event.follower_id, event.followee_id)

    def _unfollowed(self, curs: Cursor, event: Follow.Unfollowed) -> None:
        self.view.delete_follow(curs, event.follower_id, event.followee_id)

    def _token_issued(self, curs: Cursor, event: AccessToken.Issued) -> None:
        self.view.insert_token(curs, event.token_hash, event.account_id, event.app_id, event.scopes)

    def _token_revoked(self, curs: Cursor, event: AccessToken.Revoked) -> None:
        self.view.revoke_token(curs, event.token_hash)

    def _media_uploaded(self, curs: Cursor, event: MediaAttachment.Uploaded) -> None:
        doc = media_document(self.urls, event)
        self.view.insert_media(curs, event.media_id, event.account_id, doc)

    def _media_updated(self, curs: Cursor, event: MediaAttachment.Updated) -> None:
        self.view.describe_media(curs, event.media_id, event.description, event.focus)

    def _media_attached(self, curs: Cursor, event: MediaAttachment.Attached) -> None:
        self.view.set_media_status(curs, event.media_id, event.status_id)

    def _media_detached(self, curs: Cursor, event: MediaAttachment.Detached) -> None:
        self.view.set_media_status(curs, event.media_id, None)

    def _media_deleted(self, curs: Cursor, event: MediaAttachment.Deleted) -> None:
        self.view.delete_media(curs, event.media_id)

    def _app_registered(self, curs: Cursor, event: OAuthApp.Registered) -> None:
        self.view.insert_app(curs, event.app_id, event.client_id, application_document(event))

    def _card_fetched(self, curs: Cursor, event: StatusCard.Fetched) -> None:
        self.cards.record_card(curs, event.status_id, event.url, card_document(event))

    def _username(self, curs: Cursor, account_id: int) -> str:
        if account_id not in self._usernames:
            self._usernames[account_id] = self.view.username_of(curs, account_id)
        return self._usernames[account_id]

    _handlers = {
        Account.Registered: _account_registered,
        Status.Published: _status_published,
        Status.Deleted: _status_deleted,
        AccessToken.Issued: _token_issued,
        AccessToken.Revoked: _token_revoked,
        Reblog.Reblogged: _reblogged,
        Reblog.Unreblogged: _unreblogged,
        Favourite.Favourited: _favourited,
        Favourite.Unfavourited: _unfavourited,
        Pins.Pinned: _pinned,
        Pins.Unpinned: _unpinned,
        Follow.Followed: _followed,
        Follow.Unfollowed: _unfollowed,
        MediaAttachment.Uploaded: _media_uploaded,
        MediaAttachment.Updated: _media_updated,
        MediaAttachment.Attached: _media_attached,
        MediaAttachment.Detached: _media_detached,
        MediaAttachment.Deleted: _media_deleted,
        OAuthApp.Registered: _app_registered,
        StatusCard.Fetched: _card_fetched,
    }
