"""PATCH /api/v1/accounts/update_credentials: the profile (display name, note, avatar, header,
bot) recorded as events, served everywhere the Account appears, and rebuilt from the log."""

from __future__ import annotations

import httpx
import psycopg
import pytest

from domain.profile import PROFILE_IMAGE_LIMIT
from tests.images import animated_gif, image_bytes, opened
from tests.operations.conftest import tootlog
from tests.support import TEST_DOMAIN, Directory, LiveServer, User

PROFILE_TOPIC = "tootlog.account.profile_updated.v1"


def patch(live_server: LiveServer, user: User, **kwargs: object) -> httpx.Response:
    with live_server.client(user.token) as client:
        return client.patch("/api/v1/accounts/update_credentials", **kwargs)


def profile_events(database_url: str, account_id: int) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM tootlog_events WHERE topic = %s"
            " AND convert_from(state, 'UTF8')::json->>'account_id' = %s",
            (PROFILE_TOPIC, str(account_id)),
        ).fetchone()
    return row[0]


def fetch(live_server: LiveServer, url: str) -> httpx.Response:
    path = "/" + url.split("/", 3)[3]
    with live_server.client() as client:
        return client.get(path)


def test_display_name_and_note_are_recorded_and_shown_everywhere(
    live_server: LiveServer, alice: User, bob: User, post
) -> None:  # noqa: ANN001
    note = f"Hello @{bob.username}, see https://example.org/a-long-page #Tootlog"
    response = patch(live_server, alice, data={"display_name": "Alice Á", "note": note})
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["display_name"] == "Alice Á"
    assert me["source"]["note"] == note  # as written
    html = me["note"]
    assert html.startswith("<p>") and html.endswith("</p>")
    assert f'href="https://{TEST_DOMAIN}/@{bob.username}"' in html
    assert 'href="https://example.org/a-long-page"' in html
    assert "/tags/tootlog" in html.lower()
    # Every answer that carries the account shows the new profile.
    with live_server.client(alice.token) as client:
        assert client.get(f"/api/v1/accounts/{alice.id}").json()["display_name"] == "Alice Á"
        verified = client.get("/api/v1/accounts/verify_credentials").json()
    assert verified["note"] == html and verified["source"]["note"] == note
    status = post(alice, status="after the change")
    assert status["account"]["display_name"] == "Alice Á"
    assert status["account"]["note"] == html


def test_only_what_is_given_changes_and_an_unchanged_profile_records_nothing(
    live_server: LiveServer, database_url: str, alice: User
) -> None:
    assert patch(live_server, alice, data={"display_name": "First"}).status_code == 200
    assert patch(live_server, alice, data={"note": "a note"}).status_code == 200
    me = patch(live_server, alice, data={"bot": "true"}).json()
    assert (me["display_name"], me["source"]["note"], me["bot"]) == ("First", "a note", True)
    assert profile_events(database_url, alice.id) == 3
    again = patch(live_server, alice, data={"display_name": "First", "note": "a note"})
    assert again.status_code == 200 and again.json()["display_name"] == "First"
    assert patch(live_server, alice, data={"locked": "false"}).status_code == 200
    assert profile_events(database_url, alice.id) == 3


def test_avatar_and_header_are_cropped_stored_and_served(
    live_server: LiveServer, alice: User
) -> None:
    files = {
        "avatar": ("me.png", image_bytes("PNG", (800, 600)), "image/png"),
        "header": ("wide.jpg", image_bytes("JPEG", (3000, 1500)), "image/jpeg"),
    }
    response = patch(live_server, alice, files=files, data={"display_name": "With pictures"})
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["display_name"] == "With pictures"
    assert "/missing.png" not in me["avatar"] + me["header"]
    avatar = fetch(live_server, me["avatar"])
    assert avatar.status_code == 200 and avatar.headers["content-type"] == "image/png"
    assert opened(avatar.content).size == (400, 400)
    header = fetch(live_server, me["header"])
    assert header.headers["content-type"] == "image/jpeg"
    assert opened(header.content).size == (1500, 500)
    assert me["avatar_static"] == me["avatar"] and me["header_static"] == me["header"]
    # A new avatar replaces the old one, whose file is removed; the header stays.
    again = patch(
        live_server, alice, files={"avatar": ("a.gif", animated_gif(3, (40, 20)), "image/gif")}
    ).json()
    assert again["header"] == me["header"]
    assert fetch(live_server, me["avatar"]).status_code == 404
    shown = fetch(live_server, again["avatar"])
    assert shown.headers["content-type"] == "image/gif"
    assert getattr(opened(shown.content), "n_frames", 1) == 3  # still animated
    still = fetch(live_server, again["avatar_static"])
    assert still.headers["content-type"] == "image/png"
    assert opened(still.content).size == (400, 400)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"display_name": "x" * 31},
            "Validation failed: Display name is too long (maximum is 30 characters)",
        ),
        ({"note": "y" * 501}, "Validation failed: Note is too long (maximum is 500 characters)"),
        (
            {"fields_attributes[0][name]": "web"},
            "fields_attributes is not supported by this server yet",
        ),
        ({"source[privacy]": "unlisted"}, "source is not supported by this server yet"),
        (
            {"locked": "true"},
            "Validation failed: Locked accounts are not supported by this server yet",
        ),
        ({"avatar": "not a file"}, "Validation failed: Avatar is invalid"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    live_server: LiveServer, database_url: str, alice: User, data: dict, message: str
) -> None:
    response = patch(live_server, alice, data={**data, "bot": "true"})
    assert response.status_code == 422
    assert response.json() == {"error": message}
    assert profile_events(database_url, alice.id) == 0
    with live_server.client(alice.token) as client:
        assert client.get("/api/v1/accounts/verify_credentials").json()["bot"] is False


def test_an_image_that_is_not_one_or_too_large_is_refused(
    live_server: LiveServer, alice: User
) -> None:
    junk = patch(live_server, alice, files={"avatar": ("a.png", b"not an image", "image/png")})
    assert junk.status_code == 422
    assert junk.json() == {"error": "File type of uploaded media could not be verified"}
    big = b"\x00" * (PROFILE_IMAGE_LIMIT + 1)
    large = patch(live_server, alice, files={"header": ("h.png", big, "image/png")})
    assert large.status_code == 422
    assert large.json() == {"error": "Validation failed: Header file size must be less than 8 MB"}


def test_it_needs_a_user_token_with_write_accounts(
    live_server: LiveServer, directory: Directory, alice: User
) -> None:
    read_only = directory.token(alice.id, "read")
    with live_server.client(read_only) as client:
        response = client.patch("/api/v1/accounts/update_credentials", data={"bot": "true"})
    assert response.status_code == 403
    with live_server.client() as client:
        assert client.patch("/api/v1/accounts/update_credentials").status_code == 401
    with live_server.client(directory.token(alice.id, "write:accounts")) as client:
        response = client.patch("/api/v1/accounts/update_credentials", json={"bot": True})
    assert response.status_code == 200 and response.json()["bot"] is True


def test_the_profile_is_rebuilt_from_the_log(
    live_server: LiveServer, database_url: str, alice: User
) -> None:
    patch(
        live_server,
        alice,
        data={"display_name": "Rebuilt", "note": "from #events"},
        files={"avatar": ("me.png", image_bytes("PNG", (64, 64)), "image/png")},
    )
    replayed = tootlog(database_url, "replay", "--account", str(alice.id), "--format", "jsonl")
    assert replayed.returncode == 0, replayed.stderr
    assert PROFILE_TOPIC in replayed.stdout
    verified = tootlog(database_url, "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
