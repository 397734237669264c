"""Maps each domain event to read-model writes. No SQL here: only calls to ReadModel methods."""

from __future__ import annotations

from collections.abc import Sequence

from domain.account import Account
from domain.bookmark import Bookmark
from domain.card import LinkFetch, StatusCard
from domain.codec import make_mapper
from domain.conversation_mute import ConversationMute
from domain.favourite import Favourite
from domain.follow import Follow
from domain.ids import snowflake_date
from domain.marker import Marker
from domain.media import MediaAttachment
from domain.oauth import OAuthApp
from domain.pins import Pins
from domain.poll import Poll, PollVoter
from domain.reblog import Reblog
from domain.scheduled import Schedule
from domain.status import Status
from domain.token import AccessToken
from domain.urls import Urls
from projections.bookmarks import BookmarkReadModel
from projections.cards import CARD, FETCH, NONE, STATUS, CardReadModel, card_document
from projections.conversation_mutes import ConversationMuteReadModel
from projections.documents import (
    account_document,
    application_document,
    media_document,
    media_preview_fields,
    profile_fields,
    status_document,
    wrapper_document,
)
from projections.event_index import ACTOR, subjects
from projections.hashtags import HashtagReadModel
from projections.markers import MarkerReadModel
from projections.notification_events import NotificationEvents
from projections.polls import PollReadModel
from projections.readmodel import ReadModel
from projections.remembered import Remembered
from projections.scheduled import ScheduledReadModel
from projections.status_edits import StatusEditsReadModel
from projections.status_facts import Facts, StatusFacts
from projections.writes import Writes

COUNTED_REPLY_VISIBILITIES = ("public", "unlisted")
# Authors' usernames remembered (about 150 bytes each): a server with more accounts posting
# reads the username of one it has forgotten once more (projections/remembered.py).
USERNAMES_REMEMBERED = 100_000


class Projector:
    """Applies events to the read model; events it does not know only advance the position."""

    def __init__(self, view: ReadModel, urls: Urls) -> None:
        self.view = view
        self.urls = urls
        self.mapper = make_mapper()
        self.cards = CardReadModel()
        self.hashtags = HashtagReadModel()
        self.markers = MarkerReadModel()
        self.bookmarks = BookmarkReadModel()
        self.conversation_mutes = ConversationMuteReadModel()
        self.edits = StatusEditsReadModel()
        self.polls = PollReadModel()
        self.scheduled = ScheduledReadModel()
        self.notifications = NotificationEvents()
        # Usernames never change, so remembering them is safe across batches.
        self._usernames: Remembered[int, str] = Remembered(USERNAMES_REMEMBERED)
        # Index entries an event does not name itself, added by its handler: (kind, subject).
        self._also_concerns: list[tuple[int, int]] = []
        self.facts = StatusFacts()
        self._position = 0  # of the event being applied

    def forget(self) -> None:
        """Drop what is remembered of written rows: after a failed batch (rolled back), or when
        another worker may have written meanwhile."""
        self.facts.forget()
        self.notifications.forget()
        self._also_concerns.clear()

    def apply_rows(self, curs: Writes, rows: Sequence[tuple]) -> None:
        """Apply stored events given as rows of EVENT_COLUMNS (projections.history), in order."""
        self.apply_events(curs, self.decode(rows))

    def decode(self, rows: Sequence[tuple]) -> list[tuple[int, object]]:
        """(position, domain event) pairs of rows of EVENT_COLUMNS."""
        decode = self.mapper.decode
        return [(row[0], decode(row[3], row[4], row[1], row[2])) for row in rows]

    def apply_events(self, curs: Writes, events: Sequence[tuple[int, object]]) -> None:
        """Apply (position, domain event) pairs in order and index which statuses and accounts
        each concerns."""
        kinds: list[int] = []
        ids: list[int] = []
        positions: list[int] = []
        handlers = self._handlers
        for position, event in events:
            self._position = position
            self.notifications.apply(curs, position, event)
            handler = handlers.get(type(event))
            if handler is not None:
                handler(self, curs, event)
            for kind, subject in subjects(event):
                kinds.append(kind)
                ids.append(subject)
                positions.append(position)
            if self._also_concerns:
                for kind, subject in self._also_concerns:
                    kinds.append(kind)
                    ids.append(subject)
                    positions.append(position)
                self._also_concerns.clear()
        self.view.index_events(curs, kinds, ids, positions)

    def _account_registered(self, curs: Writes, event: Account.Registered) -> None:
        self._usernames.put(event.account_id, event.username)
        self.view.insert_account(
            curs,
            event.account_id,
            event.username,
            event.email,
            event.locked,
            account_document(self.urls, event),
        )

    def _profile_updated(self, curs: Writes, event: Account.ProfileUpdated) -> None:
        self.view.update_profile(
            curs, event.account_id, profile_fields(self.urls, event), event.note
        )

    def _marker_set(self, curs: Writes, event: Marker.Set | Marker.Moved) -> None:
        self.markers.set_marker(curs, event)

    def _status_published(self, curs: Writes, event: Status.Published) -> None:
        username = self._username(curs, event.account_id)
        doc = status_document(
            self.urls, event, username, self.view.media_documents(curs, event.media_ids)
        )
        poll = getattr(event, "poll", None)
        if poll is not None:  # rendered per viewer from its row (projections/polls.py)
            del doc["poll"]
            self.polls.open_poll(curs, event.status_id, event.account_id, poll)
        self.view.insert_status(
            curs,
            status_id=event.status_id,
            account_id=event.account_id,
            visibility=event.visibility,
            mentions=[m["id"] for m in event.mentions],
            in_reply_to_id=event.in_reply_to_id,
            in_reply_to_account_id=event.in_reply_to_account_id,
            text=event.text,
            doc=doc,
        )
        self.facts.add(
            event.status_id,
            Facts(
                event.account_id,
                event.visibility,
                event.in_reply_to_id,
                None,
                self.facts.depth_below(event.in_reply_to_id),
                self._position,
            ),
        )
        if event.in_reply_to_id is not None and event.visibility in COUNTED_REPLY_VISIBILITIES:
            self.view.count_reply(curs, event.in_reply_to_id, +1)
        if event.visibility != "direct":
            day = snowflake_date(event.status_id)
            self.view.count_status(curs, event.account_id, +1, day)
        self.hashtags.tag(curs, event.status_id, event.account_id, event.tags)

    def _status_edited(self, curs: Writes, event: Status.Edited) -> None:
        media = self.view.media_documents(curs, event.media_ids)
        self.edits.record_edit(curs, self.urls, event, media)
        if event.poll_edited:
            self.polls.edit_poll(
                curs, event.status_id, event.account_id, event.poll, event.votes_reset
            )
        else:  # recorded before polls were editable: the poll was kept
            seqs = [event.originator_version] + ([0] if event.previous is not None else [])
            self.polls.keep_version_polls(curs, event.status_id, seqs)
        self.hashtags.retag(curs, event.status_id, event.account_id, event.tags)
        if event.text_changed:
            self.cards.reset_card(curs, event.status_id, event.originator_version)

    def _status_deleted(self, curs: Writes, event: Status.Deleted) -> None:
        facts = self._mark_deleted(curs, event.status_id)
        if facts is None:
            return
        self._also_concerns.append((ACTOR, facts.account_id))
        parent = facts.in_reply_to_id
        if parent is not None and facts.visibility in COUNTED_REPLY_VISIBILITIES:
            self.view.count_reply(curs, parent, -1)
        if facts.visibility != "direct":
            self.view.count_status(curs, facts.account_id, -1, None)
        # Its reblogs go with it; its replies stay, cut off from the thread above.
        self.view.delete_reblogs_of(curs, event.status_id)
        self.view.forget_interactions_with(curs, event.status_id)
        self.bookmarks.forget_status(curs, event.status_id)
        self.polls.forget_status(curs, event.status_id)
        self.view.cut_thread(curs, event.status_id, facts.depth)

    def _mark_deleted(self, curs: Writes, status_id: int) -> Facts | None:
        """Soft-delete a status or wrapper; its facts, or None if unknown or already deleted.

        From what is remembered when it can be (a write only), else from the row (a read). A
        wrapper written before its original was deleted was deleted with it (delete_reblogs_of).
        """
        facts = self.facts.get(status_id)
        original = self.facts.get(facts.reblog_of_id) if facts is not None else None
        if facts is None or facts.depth is None or (facts.reblog_of_id and original is None):
            row = self.view.mark_status_deleted(curs, status_id)
            if row is None:
                return None
            facts = Facts(
                row["account_id"],
                row["visibility"],
                row["in_reply_to_id"],
                row["reblog_of_id"],
                row["depth"],
                0,
            )
            self.facts.add(status_id, facts)
        elif facts.deleted is not None or (
            original is not None
            and original.deleted is not None
            and facts.created < original.deleted
        ):
            return None
        else:
            self.view.mark_deleted(curs, status_id)
        facts.deleted = self._position
        return facts

    def _reblogged(self, curs: Writes, event: Reblog.Reblogged) -> None:
        username = self._username(curs, event.account_id)
        self.view.insert_wrapper(
            curs,
            wrapper_id=event.wrapper_status_id,
            account_id=event.account_id,
            visibility=event.visibility,
            original_id=event.original_status_id,
            doc=wrapper_document(self.urls, event.wrapper_status_id, event.visibility, username),
        )
        self.facts.add(
            event.wrapper_status_id,
            Facts(
                event.account_id,
                event.visibility,
                None,
                event.original_status_id,
                0,
                self._position,
            ),
        )
        # A status being reblogged stays remembered: its unreblogs need its facts.
        self.facts.get(event.original_status_id)
        self.view.count_reblog(curs, event.original_status_id, +1)
        day = snowflake_date(event.wrapper_status_id)
        self.view.count_status(curs, event.account_id, +1, day)

    def _unreblogged(self, curs: Writes, event: Reblog.Unreblogged) -> None:
        if self._mark_deleted(curs, event.wrapper_status_id) is None:
            return
        self.view.count_reblog(curs, event.original_status_id, -1)
        self.view.count_status(curs, event.account_id, -1, None)

    def _favourited(self, curs: Writes, event: Favourite.Favourited) -> None:
        self.view.insert_favourite(curs, event.favourite_id, event.account_id, event.status_id)

    def _unfavourited(self, curs: Writes, event: Favourite.Unfavourited) -> None:
        # A deleted status's favourites went with it, unless given after the deletion (a race):
        # only the row can tell then.
        facts = self.facts.get(event.status_id)
        present = facts is not None and facts.deleted is None
        self.view.delete_favourite(curs, event.account_id, event.status_id, present=present)

    def _pinned(self, curs: Writes, event: Pins.Pinned) -> None:
        self.view.insert_pin(curs, event.account_id, event.status_id)

    def _unpinned(self, curs: Writes, event: Pins.Unpinned) -> None:
        self.view.delete_pin(curs, event.account_id, event.status_id)

    def _bookmarked(self, curs: Writes, event: Bookmark.Bookmarked) -> None:
        self.bookmarks.insert_bookmark(curs, event.bookmark_id, event.account_id, event.status_id)

    def _unbookmarked(self, curs: Writes, event: Bookmark.Unbookmarked) -> None:
        self.bookmarks.delete_bookmark(curs, event.account_id, event.status_id)

    def _conversation_muted(self, curs: Writes, event: ConversationMute.Muted) -> None:
        self.conversation_mutes.insert_mute(curs, event.account_id, event.root_id)

    def _conversation_unmuted(self, curs: Writes, event: ConversationMute.Unmuted) -> None:
        self.conversation_mutes.delete_mute(curs, event.account_id, event.root_id)

    def _followed(self, curs: Writes, event: Follow.Followed) -> None:
        self.view.insert_follow(curs, event.follower_id, event.followee_id, self._position)

    def _unfollowed(self, curs: Writes, event: Follow.Unfollowed) -> None:
        self.view.delete_follow(curs, event.follower_id, event.followee_id)

    def _token_issued(self, curs: Writes, event: AccessToken.Issued) -> None:
        self.view.insert_token(curs, event.token_hash, event.account_id, event.app_id, event.scopes)

    def _token_revoked(self, curs: Writes, event: AccessToken.Revoked) -> None:
        self.view.revoke_token(curs, event.token_hash)

    def _media_uploaded(self, curs: Writes, event: MediaAttachment.Uploaded) -> None:
        doc = media_document(self.urls, event)
        self.view.insert_media(curs, event.media_id, event.account_id, doc)

    def _media_updated(self, curs: Writes, event: MediaAttachment.Updated) -> None:
        self.view.describe_media(curs, event.media_id, event.description, event.focus)

    def _media_revised(self, curs: Writes, event: MediaAttachment.Revised) -> None:
        self.view.describe_media(curs, event.media_id, event.description, event.focus)

    def _media_thumbnail_replaced(
        self, curs: Writes, event: MediaAttachment.ThumbnailReplaced
    ) -> None:
        self.view.replace_media_preview(
            curs, event.media_id, media_preview_fields(self.urls, event)
        )

    def _media_attached(self, curs: Writes, event: MediaAttachment.Attached) -> None:
        self.view.set_media_status(curs, event.media_id, event.status_id)

    def _media_detached(self, curs: Writes, event: MediaAttachment.Detached) -> None:
        self.view.set_media_status(curs, event.media_id, None)

    def _media_deleted(self, curs: Writes, event: MediaAttachment.Deleted) -> None:
        self.view.delete_media(curs, event.media_id)

    def _app_registered(self, curs: Writes, event: OAuthApp.Registered) -> None:
        self.view.insert_app(curs, event.app_id, event.client_id, application_document(event))

    def _card_fetched(self, curs: Writes, event: StatusCard.Fetched) -> None:
        self.cards.record_card(
            curs, event.status_id, event.text_version, event.url, card_document(event)
        )
        self.cards.count_outcome(curs, STATUS, CARD)

    def _card_failed(self, curs: Writes, event: StatusCard.FetchFailed) -> None:
        self.cards.count_outcome(curs, STATUS, NONE)

    def _link_fetched(self, curs: Writes, event: LinkFetch.Fetched) -> None:
        self.cards.count_outcome(curs, FETCH, CARD)

    def _link_failed(self, curs: Writes, event: LinkFetch.Failed) -> None:
        self.cards.count_outcome(curs, FETCH, NONE)

    def _voted(self, curs: Writes, event: PollVoter.Voted) -> None:
        self.polls.count_vote(
            curs,
            event.poll_id,
            event.status_id,
            event.account_id,
            event.choices,
            event.first,
            event.generation,
        )

    def _poll_expired(self, curs: Writes, event: Poll.Expired) -> None:
        self.polls.close(curs, event.poll_id)

    def _scheduled(self, curs: Writes, event: Schedule.Scheduled) -> None:
        self.scheduled.schedule(
            curs,
            event.entry_id,
            event.account_id,
            event.scheduled_at,
            event.params,
            event.media_ids,
        )

    def _rescheduled(self, curs: Writes, event: Schedule.Rescheduled) -> None:
        self.scheduled.reschedule(curs, event.entry_id, event.scheduled_at)

    def _unscheduled(self, curs: Writes, event: Schedule.Cancelled) -> None:
        self.scheduled.remove(curs, event.entry_id)  # also Published and Dropped

    def _username(self, curs: Writes, account_id: int) -> str:
        username = self._usernames.get(account_id)
        if username is None:
            username = self.view.username_of(curs, account_id)
            self._usernames.put(account_id, username)
        return username

    _handlers = {
        Account.Registered: _account_registered,
        Account.ProfileUpdated: _profile_updated,
        Marker.Set: _marker_set,
        Marker.Moved: _marker_set,
        Status.Published: _status_published,
        Status.Deleted: _status_deleted,
        Status.Edited: _status_edited,
        AccessToken.Issued: _token_issued,
        AccessToken.Revoked: _token_revoked,
        Reblog.Reblogged: _reblogged,
        Reblog.Unreblogged: _unreblogged,
        Favourite.Favourited: _favourited,
        Favourite.Unfavourited: _unfavourited,
        Pins.Pinned: _pinned,
        Pins.Unpinned: _unpinned,
        Bookmark.Bookmarked: _bookmarked,
        Bookmark.Unbookmarked: _unbookmarked,
        ConversationMute.Muted: _conversation_muted,
        ConversationMute.Unmuted: _conversation_unmuted,
        Follow.Followed: _followed,
        Follow.Unfollowed: _unfollowed,
        MediaAttachment.Uploaded: _media_uploaded,
        MediaAttachment.Updated: _media_updated,
        MediaAttachment.Revised: _media_revised,
        MediaAttachment.ThumbnailReplaced: _media_thumbnail_replaced,
        MediaAttachment.Attached: _media_attached,
        MediaAttachment.Detached: _media_detached,
        MediaAttachment.Deleted: _media_deleted,
        OAuthApp.Registered: _app_registered,
        StatusCard.Fetched: _card_fetched,
        StatusCard.FetchFailed: _card_failed,
        LinkFetch.Fetched: _link_fetched,
        LinkFetch.Failed: _link_failed,
        PollVoter.Voted: _voted,
        Poll.Expired: _poll_expired,
        Schedule.Scheduled: _scheduled,
        Schedule.Rescheduled: _rescheduled,
        Schedule.Cancelled: _unscheduled,
        Schedule.Published: _unscheduled,
        Schedule.Dropped: _unscheduled,
    }
