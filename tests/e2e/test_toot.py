"""The toot command line, unpatched, run as a user runs it against `tootlog serve`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.clients import Toot
from tests.images import image_bytes
from tests.support import LiveServer, User


@pytest.fixture(scope="module")
def toot(
    tmp_path_factory: pytest.TempPathFactory, reachable_server: LiveServer, alice: User, bob: User
) -> Iterator[Toot]:
    """toot with alice and bob logged in by e-mail and password; alice is the active account."""
    toot = Toot(tmp_path_factory.mktemp("toot"), reachable_server)
    toot.log_in(bob, alice)
    yield toot


def test_login_cli_registers_one_app_and_saves_both_accounts(
    toot: Toot, reachable_server: LiveServer, alice: User, bob: User
) -> None:
    config = toot.config()
    # The second login found the app the first one registered.
    assert list(config["apps"]) == [toot.instance]
    assert config["apps"][toot.instance]["base_url"] == reachable_server.base_url
    alice_id, bob_id = f"{alice.username}@{toot.instance}", f"{bob.username}@{toot.instance}"
    assert set(config["users"]) == {alice_id, bob_id}
    assert config["active_user"] == alice_id
    listed = toot.ok("auth")
    assert f"{alice_id} ACTIVE" in listed and bob_id in listed


def test_post_reply_and_thread(toot: Toot, alice: User, bob: User) -> None:
    # toot sends each post as JSON with an Idempotency-Key of its own.
    root = toot.json("post", "a thread from toot")
    assert root["account"]["acct"] == alice.username
    assert root["content"] == "<p>a thread from toot</p>"
    answer = toot.json("post", "an answer", "--reply-to", root["id"], user=bob)
    assert (answer["in_reply_to_id"], answer["account"]["acct"]) == (root["id"], bob.username)
    follow_up = toot.json("post", "a follow-up", "--reply-to", answer["id"])
    assert follow_up["in_reply_to_account_id"] == answer["account"]["id"]

    context = toot.json("thread", root["id"], user=bob)
    assert context["ancestors"] == []
    assert [s["id"] for s in context["descendants"]] == [answer["id"], follow_up["id"]]
    # The printed thread: toot parses every status into its entities, in thread order.
    printed = toot.ok("thread", follow_up["id"])
    positions = [printed.index(text) for text in ("a thread from toot", "an answer", "a follow-up")]
    assert positions == sorted(positions)
    assert f"In reply to {answer['id']}" in printed


def test_reblog_favourite_pin_and_reblogged_by(toot: Toot, alice: User, bob: User) -> None:
    status = toot.json("post", "boost me")
    wrapper = toot.json("reblog", status["id"], user=bob)
    assert wrapper["reblog"]["id"] == status["id"] and wrapper["reblogged"] is True
    assert toot.json("reblog", status["id"])["reblog"]["id"] == status["id"]
    assert toot.json("favourite", status["id"], user=bob)["favourited"] is True
    assert toot.json("pin", status["id"])["pinned"] is True

    seen = toot.json("status", status["id"])
    assert (seen["reblogs_count"], seen["favourites_count"], seen["pinned"]) == (2, 1, True)
    table = toot.ok("reblogged-by", status["id"]).splitlines()
    assert table[0].split() == ["Account", "Display", "name"]
    assert sorted(line.strip() for line in table[2:]) == sorted([alice.username, bob.username])


def test_bookmark_bookmarks_and_unbookmark(toot: Toot, bob: User) -> None:
    first = toot.json("post", "bookmark me first", user=bob)
    second = toot.json("post", "then me", user=bob)
    assert toot.json("bookmark", first["id"])["bookmarked"] is True
    assert toot.json("bookmark", second["id"])["bookmarked"] is True
    # toot parses each status of the page into its entities; newest bookmark first.
    shown = toot.ok("bookmarks", "--once", "--count", "2")
    assert shown.index("then me") < shown.index("bookmark me first")
    assert toot.json("unbookmark", second["id"])["bookmarked"] is False
    assert "then me" not in toot.ok("bookmarks", "--once")
    assert toot.json("status", first["id"])["bookmarked"] is True


def test_post_an_image_delete_and_post_the_text_again(toot: Toot, tmp_path: Path) -> None:
    image = tmp_path / "gradient.png"
    image.write_bytes(image_bytes("PNG", (64, 48)))
    status = toot.json("post", "a picture", "--media", str(image), "--description", "a gradient")
    [media] = status["media_attachments"]
    assert (media["type"], media["description"]) == ("image", "a gradient")
    with httpx.Client(timeout=30.0) as http:
        served = http.get(media["url"])
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"

    deleted = toot.json("delete", status["id"])
    assert deleted["text"] == "a picture"
    assert [m["id"] for m in deleted["media_attachments"]] == [media["id"]]
    gone = toot.run("status", status["id"])
    assert gone.returncode == 1 and "Not Found" in gone.stderr

    # toot attaches files, not media ids: its redraft uploads the file again.
    redraft = toot.json("post", deleted["text"], "--media", str(image))
    assert redraft["id"] != status["id"]
    assert redraft["content"] == "<p>a picture</p>"
    assert len(redraft["media_attachments"]) == 1


def test_notifications_listed_filtered_and_cleared(
    toot: Toot, reachable_server: LiveServer, alice: User, bob: User
) -> None:
    status = toot.json("post", "tell me who liked this")
    toot.json("favourite", status["id"], user=bob)
    mention = toot.json("post", f"hello @{alice.username}", user=bob)
    listed = toot.json("notifications")
    assert [(n["type"], n["account"]["acct"]) for n in listed[:2]] == [
        ("mention", bob.username),
        ("favourite", bob.username),
    ]
    assert listed[0]["status"]["id"] == mention["id"]
    # The printed list: toot parses every notification, its account and status.
    printed = toot.ok("notifications")
    assert "mentioned you" in printed and "favourited your status" in printed
    assert printed.index("mentioned you") < printed.index("favourited your status")
    assert "tell me who liked this" in printed
    only = toot.json("notifications", "--type", "mention")
    assert only and {n["type"] for n in only} == {"mention"}
    others = toot.json("notifications", "--exclude-type", "mention")
    assert others and "mention" not in {n["type"] for n in others}
    assert "Notifications cleared" in toot.ok("notifications", "--clear")
    assert toot.json("notifications") == []
    assert "You have no notifications" in toot.ok("notifications")
    with reachable_server.client(bob.token) as client:
        assert client.get("/api/v1/notifications").status_code == 200  # bob's are his own
