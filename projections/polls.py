"""Polls in the read models: their rows and counts (written by the projector), and the Poll
entity as a viewer sees it (REST::PollSerializer).

`tootlog_polls` has one row per poll with its options and per-option tallies;
`tootlog_poll_votes` one row per (poll, voter) with the voter's choices in the order given.
Counts are kept here only, from PollVoter.Voted events, so they cannot drift.

`expired` is decided when an answer is rendered, from `expires_at`, so it is right before the
scheduler has recorded the expiry (PollExpired sets `closed`, which says the same afterwards).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

import orjson

from domain.ids import format_datetime
from projections.writes import Writes

# The poll of the status a row shows (the original, for a reblog wrapper) with the viewer's
# choices, as one JSON array (see poll_key); NULL for a status without a poll. One index probe
# (tootlog_polls.status_id) per row.
POLL_FACTS = (
    "json_build_array(pl.id, pl.account_id, pl.expires_at, pl.multiple, pl.hide_totals,"
    " pl.options, pl.tallies, pl.votes_count, pl.voters_count, pl.closed,"
    " (SELECT pv.choices FROM tootlog_poll_votes pv"
    "  WHERE pv.poll_id = pl.id AND pv.account_id = %(viewer)s))"
)
POLL_COLUMN = f"(SELECT {POLL_FACTS} FROM tootlog_polls pl WHERE pl.status_id = {{status}})"

INSERT_POLL = (
    "INSERT INTO tootlog_polls (id, status_id, account_id, expires_at, multiple, hide_totals,"
    " options, tallies) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)
# A vote counts only in the generation it was decided in: one racing an edit that reset the
# votes is dropped (the voter may vote again on the new poll).
COUNT_VOTE = (
    "UPDATE tootlog_polls SET tallies = (SELECT array_agg(u.t + (SELECT count(*)"
    " FROM unnest(%(choices)s::int[]) c WHERE c = u.i - 1)::int ORDER BY u.i)"
    " FROM unnest(tallies) WITH ORDINALITY AS u(t, i)),"
    " votes_count = votes_count + cardinality(%(choices)s::int[]),"
    " voters_count = voters_count + %(first)s::int"
    " WHERE id = %(poll)s AND generation = %(generation)s"
)
INSERT_VOTE = (
    "INSERT INTO tootlog_poll_votes (poll_id, account_id, status_id, choices)"
    " SELECT %(poll)s, %(account)s, %(status)s, %(choices)s::int[] FROM tootlog_polls"
    " WHERE id = %(poll)s AND generation = %(generation)s"
    " ON CONFLICT (poll_id, account_id)"
    " DO UPDATE SET choices = tootlog_poll_votes.choices || excluded.choices"
)
# An edit's poll: the same row (id) with new options, settings and expiry; `reset` zeroes the
# counts and starts a new generation (its votes are deleted beside).
REVISE_POLL = (
    "UPDATE tootlog_polls SET options = %(options)s, expires_at = %(expires_at)s,"
    " multiple = %(multiple)s, hide_totals = %(hide_totals)s, closed = false,"
    " tallies = CASE WHEN %(reset)s THEN array_fill(0, ARRAY[cardinality(%(options)s::text[])])"
    " ELSE tallies END,"
    " votes_count = CASE WHEN %(reset)s THEN 0 ELSE votes_count END,"
    " voters_count = CASE WHEN %(reset)s THEN 0 ELSE voters_count END,"
    " generation = generation + %(reset)s::int"
    " WHERE id = %(id)s"
)
# Versions recorded by edits older than editable polls kept the status's poll: their options.
FILL_VERSION_POLLS = (
    "UPDATE tootlog_status_edits e SET poll_options = p.options FROM tootlog_polls p"
    " WHERE p.status_id = %(status)s AND e.status_id = %(status)s AND e.seq = ANY(%(seqs)s)"
)


class PollReadModel:
    """The projector's writes of poll rows."""

    def open_poll(self, writes: Writes, status_id: int, account_id: int, poll: dict) -> None:
        writes.write("polls", INSERT_POLL, self._row(status_id, account_id, poll))

    @staticmethod
    def _row(status_id: int, account_id: int, poll: dict) -> tuple:
        return (
            poll["id"],
            status_id,
            account_id,
            poll["expires_at"],
            poll["multiple"],
            poll["hide_totals"],
            poll["options"],
            [0] * len(poll["options"]),
        )

    def count_vote(
        self,
        writes: Writes,
        poll_id: int,
        status_id: int,
        account_id: int,
        choices: list[int],
        first: bool,
        generation: int = 0,
    ) -> None:
        params = {
            "poll": poll_id,
            "status": status_id,
            "account": account_id,
            "choices": choices,
            "first": first,
            "generation": generation,
        }
        # Both in the polls queue, so they run in event order with an edit's reset.
        writes.write("polls", COUNT_VOTE, params)
        writes.write("polls", INSERT_VOTE, params)

    def edit_poll(
        self, writes: Writes, status_id: int, account_id: int, poll: dict | None, reset: bool
    ) -> None:
        """An edit's poll (Status.Edited): removed (None), new, or the same poll revised."""
        if poll is None:
            self.forget_status(writes, status_id, queue="polls")
            return
        # A new poll's row is inserted; an existing one (same id) is revised.
        writes.write(
            "polls",
            INSERT_POLL + " ON CONFLICT (id) DO NOTHING",
            self._row(status_id, account_id, poll),
        )
        writes.write("polls", REVISE_POLL, {**poll, "reset": reset})
        if reset:
            writes.write(
                "polls", "DELETE FROM tootlog_poll_votes WHERE poll_id = %s", (poll["id"],)
            )

    def keep_version_polls(self, writes: Writes, status_id: int, seqs: list[int]) -> None:
        """Versions of an edit recorded before polls were editable show the status's poll."""
        writes.write("polls", FILL_VERSION_POLLS, {"status": status_id, "seqs": seqs})

    def close(self, writes: Writes, poll_id: int) -> None:
        writes.write("polls", "UPDATE tootlog_polls SET closed = true WHERE id = %s", (poll_id,))

    def forget_status(self, writes: Writes, status_id: int, queue: str = "poll_votes") -> None:
        """A deleted status's poll goes with it (Mastodon destroys it and its votes); so does a
        poll an edit removes (its votes in the polls queue, in order with later votes)."""
        writes.write("polls", "DELETE FROM tootlog_polls WHERE status_id = %s", (status_id,))
        writes.write(queue, "DELETE FROM tootlog_poll_votes WHERE status_id = %s", (status_id,))


def poll_document(facts: Sequence, viewer_id: int | None, now: float | None = None) -> dict:
    """REST::PollSerializer from POLL_FACTS; `voted` and `own_votes` only for a user."""
    (
        poll_id,
        author_id,
        expires_at,
        multiple,
        hide_totals,
        options,
        tallies,
        votes_count,
        voters_count,
        closed,
        choices,
    ) = facts
    now_ms = (time.time() if now is None else now) * 1000
    expired = bool(closed) or expires_at < now_ms
    show_totals = expired or not hide_totals
    doc = {
        "id": str(poll_id),
        "expires_at": format_datetime(_datetime(expires_at)),
        "expired": expired,
        "multiple": multiple,
        "votes_count": votes_count,
        "voters_count": voters_count,
        "options": [
            {"title": title, "votes_count": count if show_totals else None}
            for title, count in zip(options, tallies, strict=True)
        ],
        "emojis": [],
    }
    if viewer_id is not None:
        doc["voted"] = viewer_id == author_id or bool(choices)
        doc["own_votes"] = list(choices or [])
    return doc


def poll_key(facts: Sequence | bytes | None, viewer_id: int | None) -> str:
    """`,"poll":{...}` for a status row whose POLL_COLUMN is not NULL (its stored document
    leaves `poll` out), else nothing."""
    if facts is None:
        return ""
    if isinstance(facts, bytes | str):
        facts = orjson.loads(facts)
    return ',"poll":' + orjson.dumps(poll_document(facts, viewer_id)).decode()


def _datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)
