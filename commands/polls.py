"""Use cases on polls: vote (§ polls), and record a poll's expiry (the scheduler's job)."""

from __future__ import annotations

import time

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from commands.social import shown
from domain.errors import NotFound
from domain.poll import Poll, PollVoter
from domain.status import Status


def vote(
    app: TootlogApplication,
    *,
    account_id: int,
    poll_id: int | None,
    choices: list[object],
    now: float | None = None,
) -> Written:
    """VotesController#create: 404 unless the poll's status is visible to the voter, then
    VoteService (every rule in PollVoter.vote). Answers with the poll's id."""

    def attempt() -> Written:
        poll = app.get_or_none(Poll.create_id(poll_id), Poll) if poll_id else None
        if poll is not None and poll.removed:  # an edit took it away
            poll = None
        status = app.get_or_none(Status.create_id(poll.status_id), Status) if poll else None
        if poll is None or status is None or status.deleted:
            raise NotFound
        if not shown(app, account_id, status.audience):
            raise NotFound
        voter = app.get_or_none(
            PollVoter.create_id(poll.poll_id, account_id), PollVoter
        ) or PollVoter(poll_id=poll.poll_id, account_id=account_id)
        if not voter.vote(poll, choices, time.time() if now is None else now):
            return Written(poll.poll_id, app.last_position())
        # A voter's first vote creates their aggregate: of two at once, one commit wins and
        # the other decides again against it. Other voters never touch it.
        recordings = app.save(voter)
        return Written(poll.poll_id, recordings[-1].notification.id)

    return retrying(attempt)


def expire(app: TootlogApplication, poll_id: int, now: float | None = None) -> bool:
    """Record a poll's expiry if its time has come and it is not recorded yet. Two schedulers
    doing this at once: the poll's version lets one commit, the other finds it recorded."""

    def attempt() -> bool:
        poll = app.get_or_none(Poll.create_id(poll_id), Poll)
        if poll is None or not poll.expire(time.time() if now is None else now):
            return False
        app.save(poll)
        return True

    return retrying(attempt)
