"""Polls: the rules of a new poll (Mastodon's PollValidator), of a vote (VoteValidator), and
the aggregates that keep them.

A poll is part of its status: its definition is in the status's Published event (`poll`).
Two aggregates hold what happens to it afterwards:

- `Poll` (one per poll) records its expiry, once (PollExpired);
- `PollVoter` (one per poll and account) records that account's votes. Voters of one poll
  write different aggregates, so concurrent voters never conflict; one account's two votes at
  once do, and the event store lets exactly one of them commit.

The counts are the projector's business (projections/polls.py), as every other count.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain import text as texts
from domain.errors import ValidationFailed
from domain.ids import derived_uuid

# Mastodon 4.3's PollValidator; 1.month in Rails is 30.436875 days.
MAX_OPTIONS = 4
MAX_OPTION_CHARS = 50
MIN_EXPIRATION = 300
MAX_EXPIRATION = 2_629_746

EXPIRED = "The poll has already ended"
INVALID_CHOICE = "The chosen vote option does not exist"
SELF_VOTE = "You cannot vote in your own polls"
ALREADY_VOTED = "You have already voted on this poll"

_RUBY_INT = re.compile(r"\s*([+-]?\d+)")


def ruby_to_i(value: object) -> int:
    """Ruby's `to_i` as Mastodon applies it to `expires_in`: the leading integer, else 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    match = _RUBY_INT.match(str(value))
    return int(match.group(1)) if match else 0


@dataclass(frozen=True)
class PollDraft:
    """`poll[...]` as the client sent it, after parameter parsing."""

    options: list[str]
    expires_in: object  # as sent: Mastodon casts it with to_i
    multiple: bool | None = None
    hide_totals: bool | None = None


def poll_problems(draft: PollDraft, now: float, min_expiration: int = MIN_EXPIRATION) -> list[str]:
    """The messages Mastodon gives for a poll that fails its rules (prefixed by the attribute,
    as nested attributes of the status: "Poll options ...", "Poll expires at ...")."""
    options = [option.strip() for option in draft.options if option.strip()]
    expires_at = _expires_at(draft.expires_in, now)
    problems = []
    if not options:
        problems.append("Poll options can't be blank")
    if expires_at is None:
        problems.append("Poll expires at can't be blank")
    if len(options) <= 1:
        problems.append("Poll options must have more than one item")
    if len(options) > MAX_OPTIONS:
        problems.append(f"Poll options can't contain more than {MAX_OPTIONS} items")
    if any(texts.grapheme_length(option) > MAX_OPTION_CHARS for option in options):
        problems.append(f"Poll options cannot be longer than {MAX_OPTION_CHARS} characters each")
    if len(set(options)) != len(options):
        problems.append("Poll options contain duplicate items")
    if expires_at is None or expires_at - now > MAX_EXPIRATION:
        problems.append("Poll expires at is too far into the future")
    if expires_at is not None and math.ceil(expires_at - now) < min_expiration:
        problems.append("Poll expires at is too soon")
    return problems


def edit_poll_problems(
    draft: PollDraft, now: float, min_expiration: int = MIN_EXPIRATION
) -> list[str]:
    """The same rules on an edit, where UpdateStatusService saves the poll on its own
    (`poll.save!`), so its messages name the Poll's attributes without the status's prefix:
    "Options ...", "Expires at ..."."""
    return [
        problem[5].upper() + problem[6:] for problem in poll_problems(draft, now, min_expiration)
    ]


def votes_reset(draft: PollDraft, current: dict | None) -> bool:
    """UpdateStatusService: an edit's poll invalidates the votes when its options as sent differ
    from the stored ones, or its `multiple` cast as a boolean differs (a `multiple` left out
    casts to nil, which differs from false too). A new poll has none to reset."""
    if current is None:
        return False
    return draft.options != current["options"] or draft.multiple != current["multiple"]


def _expires_at(expires_in: object, now: float) -> float | None:
    if expires_in is None or (isinstance(expires_in, str) and not expires_in.strip()):
        return None
    # Clamped far beyond any limit: an integer of hundreds of digits is simply too far (or
    # too soon), never an overflow.
    return now + max(-(10**15), min(ruby_to_i(expires_in), 10**15))


def compose_poll(draft: PollDraft, poll_id: int, now: float) -> dict:
    """The poll as the status's Published event records it (after poll_problems passed):
    `expires_at` in milliseconds since the epoch."""
    expires_at = _expires_at(draft.expires_in, now)
    assert expires_at is not None
    return {
        "id": poll_id,
        "options": [option.strip() for option in draft.options if option.strip()],
        "expires_at": int(expires_at * 1000),
        "multiple": bool(draft.multiple),
        "hide_totals": bool(draft.hide_totals),
    }


def parse_choice(raw: object) -> int | None:
    """Ruby's Integer() on a vote choice: an integer or its digits; None for anything else."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    if isinstance(raw, str):
        stripped = raw.strip().replace("_", "")
        if re.fullmatch(r"[+-]?\d+", stripped):
            return int(stripped)
    return None


class Poll(Aggregate):
    """A poll's lifetime: opened with its status, expired once at its time."""

    TOPIC = "tootlog.poll"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.poll.created.v1"

    @event("Opened", topic="tootlog.poll.opened.v1")
    def __init__(
        self,
        poll_id: int,
        status_id: int,
        account_id: int,
        options_count: int,
        multiple: bool,
        expires_at: int,
    ) -> None:
        self.poll_id = poll_id
        self.status_id = status_id
        self.account_id = account_id
        self.options_count = options_count
        self.multiple = multiple
        self.expires_at = expires_at  # ms since the epoch
        self.expired = False
        # How many times an edit reset its votes: a vote decided against an earlier
        # generation is not counted (the projector drops it).
        self.generation = 0
        self.removed = False

    @staticmethod
    def create_id(poll_id: int) -> UUID:
        return derived_uuid("poll", poll_id)

    def is_expired(self, now: float) -> bool:
        """Mastodon's `expired?`: past its time (recorded or not)."""
        return self.expired or self.expires_at < now * 1000

    def expire(self, now: float) -> bool:
        """Record the expiry once its time has come; False (and no event) otherwise."""
        if self.removed or self.expired or self.expires_at > now * 1000:
            return False
        self._expired(poll_id=self.poll_id, status_id=self.status_id)
        return True

    @event("Expired", topic="tootlog.poll.expired.v1")
    def _expired(self, poll_id: int, status_id: int) -> None:
        self.expired = True

    def revise(self, poll: dict, reset: bool) -> None:
        """An edit gave the poll new options, settings and expiry (`poll` as the Edited event
        holds it); `reset`: its votes are discarded."""
        self._revised(
            poll_id=self.poll_id,
            status_id=self.status_id,
            options_count=len(poll["options"]),
            multiple=poll["multiple"],
            expires_at=poll["expires_at"],
            reset=reset,
        )

    @event("Revised", topic="tootlog.poll.revised.v1")
    def _revised(
        self,
        poll_id: int,
        status_id: int,
        options_count: int,
        multiple: bool,
        expires_at: int,
        reset: bool,
    ) -> None:
        self.options_count = options_count
        self.multiple = multiple
        self.expires_at = expires_at
        self.expired = False
        if reset:
            self.generation += 1

    def remove(self) -> None:
        """An edit took the poll away (Mastodon destroys it and its votes)."""
        self._removed(poll_id=self.poll_id, status_id=self.status_id)

    @event("Removed", topic="tootlog.poll.removed.v1")
    def _removed(self, poll_id: int, status_id: int) -> None:
        self.removed = True


class PollVoter(Aggregate):
    """One account's votes on one poll."""

    TOPIC = "tootlog.poll_voter"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.poll_voter.created.v1"

    @event("Opened", topic="tootlog.poll_voter.opened.v1")
    def __init__(self, poll_id: int, account_id: int) -> None:
        self.poll_id = poll_id
        self.account_id = account_id
        self.choices: list[int] = []
        self.generation = 0  # the poll's generation these choices were made in

    @staticmethod
    def create_id(poll_id: int, account_id: int) -> UUID:
        return derived_uuid("poll_voter", poll_id, account_id)

    def vote(self, poll: Poll, choices: list[object], now: float) -> bool:
        """VoteService: each choice is a vote, validated in turn against the votes before it
        (VoteValidator's messages, all of the first failing choice's); none is stored unless
        all pass. No choices: nothing happens (False)."""
        if not choices:
            return False
        # Choices made before an edit reset the poll's votes no longer count.
        earlier = self.choices if self.generation == poll.generation else []
        taken = list(earlier)
        added: list[int] = []
        for raw in choices:
            choice = parse_choice(raw)
            problems = []
            if poll.is_expired(now):
                problems.append(EXPIRED)
            if choice is None or choice < 0 or choice >= poll.options_count:
                problems.append(INVALID_CHOICE)
            if self.account_id == poll.account_id:
                problems.append(SELF_VOTE)
            if (poll.multiple and choice in taken) or (not poll.multiple and taken):
                problems.append(ALREADY_VOTED)
            if problems:
                raise ValidationFailed(*problems)
            assert choice is not None
            taken.append(choice)
            added.append(choice)
        self._voted(
            poll_id=self.poll_id,
            status_id=poll.status_id,
            account_id=self.account_id,
            choices=added,
            first=not earlier,
            generation=poll.generation,
        )
        return True

    @event("Voted", topic="tootlog.poll_voter.voted.v1")
    def _voted(
        self,
        poll_id: int,
        status_id: int,
        account_id: int,
        choices: list[int],
        first: bool,
        generation: int = 0,
    ) -> None:
        kept = self.choices if generation == self.generation else []
        self.choices = [*kept, *choices]
        self.generation = generation
