"""Mastodon.py's conversation mutes (`status_mute`, `status_unmute`) against `tootlog serve`."""

from __future__ import annotations

import pytest
from mastodon import MastodonNotFoundError

from tests.e2e.clients import mastodon_py
from tests.support import Directory, LiveServer

pytestmark = [
    pytest.mark.filterwarnings("error::mastodon.errors.MastodonWarning"),
    pytest.mark.filterwarnings("error::UserWarning"),
]


def test_muting_a_thread_flags_every_status_of_it_for_the_muter(
    reachable_server: LiveServer, reachable_directory: Directory
) -> None:
    alice_user, bob_user = reachable_directory.user(), reachable_directory.user()
    alice = mastodon_py(reachable_server, alice_user, "alice")
    bob = mastodon_py(reachable_server, bob_user, "bob")
    root = alice.status_post("a long thread")
    reply = bob.status_post("a reply", in_reply_to_id=root)
    deeper = alice.status_post("and another", in_reply_to_id=reply)
    elsewhere = alice.status_post("another thread")

    muted = bob.status_mute(deeper)
    assert muted.id == deeper.id and muted.muted is True
    assert [bob.status(s).muted for s in (root, reply, deeper)] == [True, True, True]
    assert bob.status(elsewhere).muted is False
    assert alice.status(root).muted is False  # the muter's alone
    context = bob.status_context(reply)
    assert [s.muted for s in context.ancestors + context.descendants] == [True, True]

    unmuted = bob.status_unmute(root)
    assert unmuted.id == root.id and unmuted.muted is False
    assert [bob.status(s).muted for s in (root, reply, deeper)] == [False, False, False]

    alice.status_delete(elsewhere)
    with pytest.raises(MastodonNotFoundError):
        bob.status_mute(elsewhere)
