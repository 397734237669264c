"""Mastodon.py, unpatched, against `tootlog serve`: polls (and their expiry by the scheduler)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from mastodon import Mastodon, MastodonAPIError

from tests.support import Directory, LiveServer, User, free_port, serving

pytestmark = [
    pytest.mark.filterwarnings("error::mastodon.errors.MastodonWarning"),
    pytest.mark.filterwarnings("error::UserWarning"),
]


@pytest.fixture(scope="module")
def server(server_url: str) -> Iterator[LiveServer]:
    """A reachable server with its scheduler, whose polls may close after a second."""
    port = free_port()
    env = {
        "TOOTLOG_DOMAIN": f"127.0.0.1:{port}",
        "TOOTLOG_SCHEME": "http",
        "TOOTLOG_POLL_MIN_EXPIRATION": "1",
        "TOOTLOG_SCHEDULER": "1",
        "TOOTLOG_SCHEDULER_INTERVAL": "0.2",
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
    poll = as_author.make_poll(["a", "b"], expires_in=1, multiple=True, hide_totals=True)
    status = as_author.status_post("Pick any", poll=poll)
    voted = as_voter.poll_vote(status.poll, [0, 1])
    assert voted.own_votes == [0, 1]
    assert [o.votes_count for o in voted.options] == [None, None]
    time.sleep(1.5)
    ended = as_voter.poll(status.poll)
    assert ended.expired is True and [o.votes_count for o in ended.options] == [1, 1]
    with pytest.raises(MastodonAPIError, match="The poll has already ended"):
        as_author.poll_vote(status.poll, [0])
