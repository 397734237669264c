"""POST /api/v1/statuses (§6.6): answers, check order, validation, rendering, counters."""

from __future__ import annotations

import orjson
import pytest

from tests.support import Directory, LiveServer, User


def test_create_answers_200_with_the_status_as_its_author_sees_it(
    live_server: LiveServer, alice: User
) -> None:
    with live_server.client(alice.token) as client:
        response = client.post("/api/v1/statuses", data={"status": "a\nb\n\nc it's"})
    assert response.status_code == 200
    body = response.json()
    assert body["content"] == "<p>a<br />b</p><p>c it&#39;s</p>"
    assert body["visibility"] == "public"
    assert body["language"] == "en"
    assert (body["replies_count"], body["reblogs_count"], body["favourites_count"]) == (0, 0, 0)
    assert body["favourited"] is False and body["pinned"] is False
    assert body["sensitive"] is False and body["spoiler_text"] == ""


def test_write_is_visible_to_a_get_sent_right_after_the_200(
    live_server: LiveServer, alice: User
) -> None:
    with live_server.client(alice.token) as writer, live_server.client() as reader:
        for i in range(25):
            status = writer.post("/api/v1/statuses", data={"status": f"n{i}"}).json()
            assert reader.get(f"/api/v1/statuses/{status['id']}").status_code == 200


def test_json_and_multipart_bodies_are_accepted(live_server: LiveServer, alice: User) -> None:
    with live_server.client(alice.token) as client:
        as_json = client.post(
            "/api/v1/statuses",
            content=orjson.dumps({"status": "json", "sensitive": True, "visibility": "unlisted"}),
            headers={"Content-Type": "application/json"},
        )
        multipart = client.post("/api/v1/statuses", files={"status": (None, "multi")})
    assert as_json.status_code == 200 and as_json.json()["sensitive"] is True
    assert as_json.json()["visibility"] == "unlisted"
    assert multipart.status_code == 200 and multipart.json()["content"] == "<p>multi</p>"


def test_query_string_parameters_are_merged(live_server: LiveServer, alice: User) -> None:
    with live_server.client(alice.token) as client:
        response = client.post("/api/v1/statuses?visibility=unlisted", data={"status": "q"})
    assert response.json()["visibility"] == "unlisted"


def test_no_token_is_401_with_www_authenticate(live_server: LiveServer) -> None:
    with live_server.client() as client:
        response = client.post("/api/v1/statuses", data={"status": "x"})
    assert response.status_code == 401
    assert response.json() == {"error": "The access token is invalid"}
    assert response.headers["www-authenticate"].startswith('Bearer realm="Doorkeeper"')
    with live_server.client("unknown") as client:
        assert client.post("/api/v1/statuses", data={"status": "x"}).status_code == 401


def test_scope_and_user_checks(live_server: LiveServer, directory: Directory, alice: User) -> None:
    read_only = directory.token(alice.account_id, "read")
    granular = directory.token(alice.account_id, "write:statuses")
    app_only = directory.token(None, "write")
    with live_server.client(read_only) as client:
        response = client.post("/api/v1/statuses", data={"status": "x"})
        assert (response.status_code, response.json()) == (
            403,
            {"error": "This action is outside the authorized scopes"},
        )
    with live_server.client(granular) as client:
        assert client.post("/api/v1/statuses", data={"status": "x"}).status_code == 200
    with live_server.client(app_only) as client:
        response = client.post("/api/v1/statuses", data={"status": "x"})
        assert (response.status_code, response.json()) == (
            422,
            {"error": "This method requires an authenticated user"},
        )


def _error(live_server: LiveServer, user: User, **kwargs: object) -> tuple[int, dict]:
    with live_server.client(user.token) as client:
        response = client.post("/api/v1/statuses", **kwargs)
    return response.status_code, response.json()


def test_validation_messages(live_server: LiveServer, alice: User) -> None:
    blank = (422, {"error": "Validation failed: Text can't be blank"})
    assert _error(live_server, alice, data={"status": ""}) == blank
    assert _error(live_server, alice, data={"status": "   \n "}) == blank
    assert _error(live_server, alice, data={}) == blank
    assert _error(live_server, alice, data={"status": "x" * 501}) == (
        422,
        {"error": "Validation failed: Text character limit of 500 exceeded"},
    )
    assert _error(live_server, alice, data={"status": "x", "visibility": "foo"}) == (
        422,
        {"error": "Validation failed: Visibility is not included in the list"},
    )
    assert _error(live_server, alice, data={"status": "", "visibility": "foo"}) == (
        422,
        {"error": "Validation failed: Text can't be blank, Visibility is not included in the list"},
    )


def test_length_counts_urls_as_23_and_the_cw(live_server: LiveServer, alice: User, post) -> None:
    url = "https://example.org/" + "a" * 580
    assert post(alice, status=url + " " + "b" * 469)["id"]
    status, body = _error(live_server, alice, data={"status": "x" * 450, "spoiler_text": "y" * 51})
    assert status == 422 and "character limit" in body["error"]


def test_content_warning_rules(live_server: LiveServer, alice: User, post) -> None:
    cw_only = post(alice, spoiler_text="only a warning")
    assert cw_only["content"] == "<p>only a warning</p>"
    assert cw_only["spoiler_text"] == "" and cw_only["sensitive"] is True
    both = post(alice, status="body", spoiler_text="cw")
    assert both["sensitive"] is True and both["spoiler_text"] == "cw"
    form_false = post(alice, status="body", spoiler_text="cw", sensitive="false")
    assert form_false["sensitive"] is False  # Rails quirk: a form string is not OR'ed with the CW
    with live_server.client(alice.token) as client:
        json_false = client.post(
            "/api/v1/statuses", json={"status": "body", "spoiler_text": "cw", "sensitive": False}
        ).json()
    assert json_false["sensitive"] is True


def test_language_defaults_and_invalid_codes_fall_back(alice: User, post) -> None:
    assert post(alice, status="x", language="de")["language"] == "de"
    assert post(alice, status="x", language="en-US")["language"] == "en"
    assert post(alice, status="x", language="klingon!")["language"] == "en"


def test_mentions_hashtags_and_links(alice: User, bob: User, post) -> None:
    body = post(
        alice, status=f"hi @{bob.username.upper()} and @nobody #Python https://example.org/x"
    )
    assert body["mentions"] == [
        {
            "id": bob.id,
            "username": bob.username,
            "url": f"https://example.com/@{bob.username}",
            "acct": bob.username,
        }
    ]
    assert f"@<span>{bob.username}</span>" in body["content"]
    assert "@nobody" in body["content"] and "/@nobody" not in body["content"]
    assert body["tags"] == [{"name": "python", "url": "https://example.com/tags/python"}]
    assert 'href="https://example.com/tags/Python"' in body["content"]
    assert 'href="https://example.org/x"' in body["content"]


def test_media_ids_are_validated(live_server: LiveServer, alice: User) -> None:
    assert _error(
        live_server, alice, data={"status": "x", "media_ids[]": ["1", "2", "3", "4", "5"]}
    ) == (422, {"error": "Cannot attach more than 4 files"})
    status, body = _error(live_server, alice, data={"status": "x", "media_ids[]": ["123"]})
    assert (status, body) == (
        422,
        {"error": "Media 123 not found or already attached to another post"},
    )


def test_reply_to_missing_or_invisible_status_is_404(
    live_server: LiveServer, alice: User, bob: User, post
) -> None:
    private = post(alice, status="mine", visibility="private")
    message = {"error": "The post you are trying to reply to does not appear to exist."}
    for target in ("999999", "junk", private["id"]):
        assert _error(live_server, bob, data={"status": "re", "in_reply_to_id": target}) == (
            404,
            message,
        )


def test_reply_carries_in_reply_to_account_and_counts(
    live_server: LiveServer, alice: User, bob: User, post
) -> None:
    root = post(alice, status="root")
    b = post(bob, status="b", in_reply_to_id=root["id"])
    c = post(bob, status="c", in_reply_to_id=b["id"])
    d = post(alice, status="d", in_reply_to_id=root["id"])
    assert (b["in_reply_to_id"], b["in_reply_to_account_id"]) == (root["id"], alice.id)
    assert (c["in_reply_to_id"], c["in_reply_to_account_id"]) == (b["id"], alice.id)
    assert d["in_reply_to_account_id"] == alice.id
    post(bob, status="private reply", in_reply_to_id=root["id"], visibility="private")
    with live_server.client() as client:
        assert client.get(f"/api/v1/statuses/{root['id']}").json()["replies_count"] == 2


def test_replying_publicly_to_a_private_status_is_allowed(alice: User, post) -> None:
    private = post(alice, status="p", visibility="private")
    reply = post(alice, status="public reply", in_reply_to_id=private["id"], visibility="public")
    assert reply["in_reply_to_id"] == private["id"] and reply["visibility"] == "public"


def test_statuses_count_and_last_status_at(alice: User, post) -> None:
    post(alice, status="one")
    post(alice, status="secret", visibility="direct")
    latest = post(alice, status="two")
    assert latest["account"]["statuses_count"] == 2  # direct posts are not counted
    assert latest["account"]["last_status_at"] == latest["created_at"][:10]


def test_a_status_names_the_app_whose_token_posted_it(live_server: LiveServer, alice: User) -> None:
    """§3.1 and §6.6: `application` is the posting token's app; null for a token of no app."""
    with live_server.client() as client:
        app = client.post(
            "/api/v1/apps",
            json={
                "client_name": "My bot",
                "redirect_uris": "urn:ietf:wg:oauth:2.0:oob",
                "scopes": "read write",
                "website": "https://bot.example",
            },
        ).json()
        token = client.post(
            "/oauth/token",
            data={
                "grant_type": "password",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
                "username": f"{alice.username}@example.org",
                "password": "secret-pw",
                "scope": "read write",
            },
        ).json()["access_token"]
    with live_server.client(token) as client:
        posted = client.post("/api/v1/statuses", data={"status": "from my bot"}).json()
    with live_server.client() as client:
        shown = client.get(f"/api/v1/statuses/{posted['id']}").json()
    with live_server.client(alice.token) as client:
        without_app = client.post("/api/v1/statuses", data={"status": "from the CLI"}).json()
    expected = {"name": "My bot", "website": "https://bot.example"}
    assert posted["application"] == shown["application"] == expected
    assert without_app["application"] is None


@pytest.mark.parametrize(
    "params",
    [
        {"quoted_status_id": "1"},
    ],
)
def test_parameters_not_implemented_yet_are_refused_and_publish_nothing(
    live_server: LiveServer, alice: User, params: dict
) -> None:
    name = next(iter(params)).split("[")[0]
    with live_server.client(alice.token) as client:
        response = client.post("/api/v1/statuses", data={"status": "hello", **params})
        account = client.get(f"/api/v1/accounts/{alice.id}").json()
    assert response.status_code == 422, response.text
    assert response.json() == {"error": f"{name} is not supported by this server yet"}
    assert account["statuses_count"] == 0


def test_a_json_poll_is_checked_and_blank_unsupported_parameters_are_ignored(
    live_server: LiveServer, alice: User
) -> None:
    with live_server.client(alice.token) as client:
        poll = client.post(
            "/api/v1/statuses", json={"status": "q", "poll": {"options": ["a", "b"]}}
        )
        blank = client.post("/api/v1/statuses", data={"status": "hi", "scheduled_at": ""})
    assert poll.status_code == 422
    assert poll.json() == {
        "error": "Validation failed: Poll expires at can't be blank,"
        " Poll expires at is too far into the future"
    }
    assert blank.status_code == 200, blank.text
