"""GET /api/v1/statuses/:id (§6.1) and the global conventions it exercises."""

from __future__ import annotations

import time

from tests.support import Directory, LiveServer, User

VIEWER_KEYS = {"favourited", "reblogged", "muted", "bookmarked", "pinned", "filtered"}


def test_anonymous_reads_public_status_without_viewer_keys(
    live_server: LiveServer, alice: User, post
) -> None:
    status = post(alice, status="hello world")
    with live_server.client() as client:
        response = client.get(f"/api/v1/statuses/{status['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == status["id"]
    assert body["content"] == "<p>hello world</p>"
    assert not VIEWER_KEYS & body.keys()
    assert body["account"]["username"] == alice.username
    assert response.headers["cache-control"].startswith("public, max-age=15")
    assert response.headers["content-type"] == "application/json; charset=utf-8"


def test_user_viewer_gets_viewer_keys_and_private_cache(
    live_server: LiveServer, alice: User, bob: User, post
) -> None:
    status = post(alice, status="hi")
    with live_server.client(bob.token) as client:
        body = client.get(f"/api/v1/statuses/{status['id']}").json()
    assert {
        k: body[k] for k in ("favourited", "reblogged", "muted", "bookmarked")
    } == dict.fromkeys(("favourited", "reblogged", "muted", "bookmarked"), False)
    assert body["filtered"] == []
    assert "pinned" not in body  # only on the viewer's own statuses
    with live_server.client(alice.token) as client:
        own = client.get(f"/api/v1/statuses/{status['id']}")
    assert own.json()["pinned"] is False
    assert own.headers["cache-control"] == "private, no-store"


def test_private_and_direct_are_404_for_anonymous_with_the_missing_body(
    live_server: LiveServer, alice: User, post
) -> None:
    private = post(alice, status="followers only", visibility="private")
    direct = post(alice, status="just me", visibility="direct")
    with live_server.client() as client:
        missing = client.get("/api/v1/statuses/123456789")
        for status in (private, direct):
            response = client.get(f"/api/v1/statuses/{status['id']}")
            assert response.status_code == 404
            assert response.json() == missing.json() == {"error": "Not Found"}


def test_direct_status_is_visible_to_mentioned_account_only(
    live_server: LiveServer, directory: Directory, alice: User, bob: User, post
) -> None:
    carol = directory.user()
    direct = post(alice, status=f"psst @{bob.username}", visibility="direct")
    with live_server.client(bob.token) as client:
        assert client.get(f"/api/v1/statuses/{direct['id']}").status_code == 200
    with live_server.client(carol.token) as client:
        assert client.get(f"/api/v1/statuses/{direct['id']}").status_code == 404


def test_private_status_is_visible_to_mentioned_non_follower(
    live_server: LiveServer, directory: Directory, alice: User, bob: User, post
) -> None:
    carol = directory.user()
    private = post(alice, status=f"hey @{bob.username}", visibility="private")
    with live_server.client(bob.token) as client:
        assert client.get(f"/api/v1/statuses/{private['id']}").status_code == 200
    with live_server.client(carol.token) as client:
        assert client.get(f"/api/v1/statuses/{private['id']}").status_code == 404


def test_unknown_token_on_optional_auth_get_is_anonymous(
    live_server: LiveServer, alice: User, post
) -> None:
    status = post(alice, status="public")
    with live_server.client("not-a-real-token") as client:
        response = client.get(f"/api/v1/statuses/{status['id']}")
    assert response.status_code == 200
    assert "favourited" not in response.json()


def test_revoked_token_is_401_on_optional_auth_get(
    live_server: LiveServer, directory: Directory, alice: User, post
) -> None:
    from commands.accounts import revoke_token

    status = post(alice, status="public")
    token = directory.token(alice.account_id, "read")
    directory.wait_for(revoke_token(directory.write_model, token).position)
    with live_server.client(token) as client:
        response = client.get(f"/api/v1/statuses/{status['id']}")
    assert response.status_code == 401
    assert response.json() == {"error": "The access token was revoked"}


def test_token_without_read_scope_is_403(
    live_server: LiveServer, directory: Directory, alice: User, post
) -> None:
    status = post(alice, status="public")
    token = directory.token(alice.account_id, "write")
    with live_server.client(token) as client:
        response = client.get(f"/api/v1/statuses/{status['id']}")
    assert response.status_code == 403
    assert response.json() == {"error": "This action is outside the authorized scopes"}
    granular = directory.token(alice.account_id, "read:statuses")
    with live_server.client(granular) as client:
        assert client.get(f"/api/v1/statuses/{status['id']}").status_code == 200


def test_app_only_token_reads_as_anonymous(
    live_server: LiveServer, directory: Directory, alice: User, post
) -> None:
    status = post(alice, status="public")
    private = post(alice, status="private", visibility="private")
    app_token = directory.token(None, "read")
    with live_server.client(app_token) as client:
        body = client.get(f"/api/v1/statuses/{status['id']}").json()
        assert "favourited" not in body
        assert client.get(f"/api/v1/statuses/{private['id']}").status_code == 404


def test_bad_ids_are_404(live_server: LiveServer) -> None:
    with live_server.client() as client:
        for bad in ("abc", "-1", "0", "99999999999999999999999", "1.5", "%F0%9F%98%80"):
            response = client.get(f"/api/v1/statuses/{bad}")
            assert response.status_code == 404, bad
            assert response.json() == {"error": "Not Found"}


def test_trailing_slash_is_ignored(live_server: LiveServer, alice: User, post) -> None:
    status = post(alice, status="slash")
    with live_server.client() as client:
        assert client.get(f"/api/v1/statuses/{status['id']}/").json()["id"] == status["id"]


def test_unknown_route_is_json_404(live_server: LiveServer) -> None:
    with live_server.client() as client:
        for method, path in (
            ("GET", "/nope"),
            ("GET", "/api/v1/statuses/1/bogus"),
            ("PATCH", "/api/v1/statuses/1"),
        ):
            response = client.request(method, path)
            assert response.status_code == 404
            assert response.json() == {"error": "Not Found"}


def test_status_shape_matches_mastodon(live_server: LiveServer, alice: User, post) -> None:
    status = post(alice, status="shape")
    expected = {
        "id",
        "created_at",
        "in_reply_to_id",
        "in_reply_to_account_id",
        "sensitive",
        "spoiler_text",
        "visibility",
        "language",
        "uri",
        "url",
        "replies_count",
        "reblogs_count",
        "favourites_count",
        "edited_at",
        "content",
        "reblog",
        "application",
        "account",
        "media_attachments",
        "mentions",
        "tags",
        "emojis",
        "card",
        "poll",
    }
    assert expected <= status.keys()
    assert status["uri"] == f"https://example.com/users/{alice.username}/statuses/{status['id']}"
    assert status["url"] == f"https://example.com/@{alice.username}/{status['id']}"
    assert status["created_at"].endswith("Z") and len(status["created_at"]) == 24
    account = status["account"]
    assert account["id"] == alice.id
    assert account["acct"] == alice.username
    assert account["created_at"].endswith("T00:00:00.000Z")
    assert account["url"] == f"https://example.com/@{alice.username}"


def test_a_token_used_before_its_revocation_is_refused_after_it(
    live_server: LiveServer, directory: Directory, alice: User, post
) -> None:
    from commands.accounts import revoke_token

    status = post(alice, status="public")
    token = directory.token(alice.account_id, "read")
    with live_server.client(token) as client:
        assert client.get(f"/api/v1/statuses/{status['id']}").status_code == 200  # now cached
        directory.wait_for(revoke_token(directory.write_model, token).position)
        # The projection's NOTIFY evicts the cached token; allow it a moment to arrive.
        for _ in range(50):
            response = client.get(f"/api/v1/statuses/{status['id']}")
            if response.status_code == 401:
                break
            time.sleep(0.02)
    assert response.status_code == 401
    assert response.json() == {"error": "The access token was revoked"}
