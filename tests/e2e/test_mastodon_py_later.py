"""Mastodon.py, unpatched, against `tootlog serve`: polls (and their expiry by the scheduler)
and scheduled statuses (published by the scheduler at their time)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from mastodon import Mastodon, MastodonAPIError

from tests.support import Directory, LiveServer, User, free_port, serving

pytestmark = [
    pytest.mark.filterwarnings("error::mastodon.errors.MastodonWarning"),
    pytest.mark.filterwarnings("error::UserWarning"),
]


@pytest.fixture(scope="module")
def server(server_url: str) -> Iterator[LiveServer]:
    """A reachable server with its scheduler, whose polls may close after a second and on which
    statuses may be scheduled two seconds ahead (test-only settings)."""
    port = free_port()
    env = {
        "TOOTLOG_DOMAIN": f"127.0.0.1:{port}",
        "TOOTLOG_SCHEME": "http",
        "TOOTLOG_POLL_MIN_EXPIRATION": "1",
        "TOOTLOG_SCHEDULER": "1",
        "TOOTLOG_SCHEDULER_INTERVAL": "0.2",
        "TOOTLOG_SCHEDULE_MIN_OFFSET": "2",
    }
    with serving(server_url, env, port=port) as live:
        yield live


@pytest.fixture(scope="module")
def directory(server: LiveServer) -> Iterator[Directory]:
    made = Directory(server.database_url)
    yield made
    made.close()


def client(server: LiveServer, user: User) -> Mastodon:
    return Mastodon(access_token=user.token, api_base_url=server.base_url)


def test_post_a_poll_vote_and_read_it(server: LiveServer, directory: Directory) -> None:
    author, voter = directory.users(2)
    as_author, as_voter = client(server, author), client(server, voter)
    status = as_author.status_post(
        "Tea or coffee?", poll=as_author.make_poll(["tea", "coffee", "both"], expires_in=600)
    )
    assert [o["title"] for o in status.poll.options] == ["tea", "coffee", "both"]
    assert status.poll.multiple is False and status.poll.expired is False
    voted = as_voter.poll_vote(status.poll, 2)
    assert voted.own_votes == [2] and voted.voted is True
    assert voted.votes_count == 1 and voted.voters_count == 1
    with pytest.raises(MastodonAPIError, match="You have already voted on this poll"):
        as_voter.poll_vote(status.poll.id, [0])
    again = as_author.poll(status.poll.id)
    assert [o.votes_count for o in again.options] == [0, 0, 1]
    assert as_voter.status(status.id).poll.own_votes == [2]


def test_multiple_choices_hidden_totals_and_expiry(
    server: LiveServer, directory: Directory
) -> None:
    author, voter = directory.users(2)
    as_author, as_voter = client(server, author), client(server, voter)
    poll = as_author.make_poll(["a", "b"], expires_in=6, multiple=True, hide_totals=True)
    status = as_author.status_post("Pick any", poll=poll)
    voted = as_voter.poll_vote(status.poll, [0, 1])
    assert voted.own_votes == [0, 1]
    assert [o.votes_count for o in voted.options] == [None, None]
    time.sleep(max(0.0, status.poll.expires_at.timestamp() - time.time()) + 0.3)
    ended = as_voter.poll(status.poll)
    assert ended.expired is True and [o.votes_count for o in ended.options] == [1, 1]
    with pytest.raises(MastodonAPIError, match="The poll has already ended"):
        as_author.poll_vote(status.poll, [0])


def test_schedule_list_move_cancel_and_publish(server: LiveServer, directory: Directory) -> None:
    api = client(server, directory.user())
    far = datetime.now(UTC) + timedelta(days=1)
    kept = api.status_post("see you tomorrow", scheduled_at=far, visibility="unlisted")
    assert kept.params.text == "see you tomorrow" and kept.params.visibility == "unlisted"
    assert kept.scheduled_at == far.replace(microsecond=0)  # Mastodon.py sends seconds
    dropped = api.status_post("never mind", scheduled_at=far + timedelta(hours=1))
    listed = api.scheduled_statuses()
    assert [s.id for s in listed] == [dropped.id, kept.id]
    moved = api.scheduled_status_update(kept, far + timedelta(days=1))
    assert moved.scheduled_at.date() == (far + timedelta(days=1)).date()
    assert api.scheduled_status(kept.id).scheduled_at == moved.scheduled_at
    api.scheduled_status_delete(dropped)
    assert [s.id for s in api.scheduled_statuses()] == [kept.id]
    with pytest.raises(MastodonAPIError, match="must be in the future"):
        api.status_post("too soon", scheduled_at=datetime.now(UTC) + timedelta(seconds=1))

    soon = api.status_post(
        "with a poll, soon",
        scheduled_at=datetime.now(UTC) + timedelta(seconds=10),
        poll=api.make_poll(["yes", "no"], expires_in=600),
    )
    deadline = time.monotonic() + 30
    while soon.id in [s.id for s in api.scheduled_statuses()]:
        assert time.monotonic() < deadline, "the scheduled status was not published"
        time.sleep(0.2)
    account = api.me()
    statuses = api.account_statuses(account)
    published = [s for s in statuses if s.content == "<p>with a poll, soon</p>"]
    assert len(published) == 1
    assert [o.title for o in published[0].poll.options] == ["yes", "no"]


def test_status_update_replaces_and_removes_a_poll(
    server: LiveServer, directory: Directory
) -> None:
    author, voter = directory.users(2)
    as_author, as_voter = client(server, author), client(server, voter)
    status = as_author.status_post("Pick", poll=as_author.make_poll(["a", "b"], expires_in=600))
    as_voter.poll_vote(status.poll, 0)
    # make_poll sends `multiple` and the same options: the votes stay.
    same = as_author.status_update(
        status, "Pick one", poll=as_author.make_poll(["a", "b"], expires_in=900)
    )
    assert same.poll.id == status.poll.id and same.poll.votes_count == 1
    changed = as_author.status_update(
        status, "Pick one", poll=as_author.make_poll(["a", "b", "c"], expires_in=900)
    )
    assert [o.title for o in changed.poll.options] == ["a", "b", "c"]
    assert changed.poll.votes_count == 0 and changed.poll.id == status.poll.id
    assert as_voter.poll_vote(changed.poll, 2).own_votes == [2]
    removed = as_author.status_update(status, "No poll")
    assert removed.poll is None
    history = as_author.status_history(status)
    assert [len(v.poll.options) if v.get("poll") else 0 for v in history] == [2, 2, 3, 0]
