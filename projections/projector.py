"""Maps each domain event to read-model writes. No SQL here: only calls to ReadModel methods."""

from __future__ import annotations

from eventsourcing.utils import resolve_topic
from psycopg import Cursor

from domain.account import Account
from domain.ids import snowflake_time
from domain.status import Status
from domain.token import AccessToken
from domain.urls import Urls
from projections.documents import account_document, status_document
from projections.readmodel import ReadModel

COUNTED_REPLY_VISIBILITIES = ("public", "unlisted")


class Projector:
    """Applies events to the read model; events it does not know only advance the position."""

    def __init__(self, view: ReadModel, urls: Urls) -> None:
        self.view = view
        self.urls = urls
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
            doc=status_document(self.urls, event, username),
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

    def _token_issued(self, curs: Cursor, event: AccessToken.Issued) -> None:
        self.view.insert_token(curs, event.token_hash, event.account_id, event.app_id, event.scopes)

    def _token_revoked(self, curs: Cursor, event: AccessToken.Revoked) -> None:
        self.view.revoke_token(curs, event.token_hash)

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
    }
