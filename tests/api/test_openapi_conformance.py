"""Every documented operation, driven against a live server through its success path and its main
error paths; every answer is checked against /openapi.json (tests/api/openapi_checker.py).

Each scenario names the operations it must drive to a success (`@drives`); the last test checks
that together they name every operation in the document, so a new route needs a scenario here.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from PIL import Image

from api.errors import OUTSIDE_SCOPES
from api.openapi import openapi_document
from api.openapi.parts import OAUTH2
from api.routes.discovery import ALREADY_CONFIRMED
from commands.accounts import register_account
from tests.api.oauth_client import OOB, PASSWORD, email_of, pkce_pair
from tests.api.openapi_checker import Conformance, Document, pointer
from tests.api.stream_clients import open_websocket
from tests.images import image_bytes
from tests.support import TEST_URLS, Directory, LiveServer, User

CALLBACK = "https://client.example/cb"
DRIVEN: set[str] = set()
MiB = 1024 * 1024
OUTSIDE = "push"  # a scope no operation accepts


def drives(*operations: str) -> Callable:
    """Mark a scenario as the one that drives `operations` to a success, and check it does."""
    DRIVEN.update(operations)

    def decorate(scenario: Callable) -> Callable:
        @functools.wraps(scenario)  # pytest still sees the scenario's fixtures
        def run(check: Conformance, **fixtures: object) -> None:
            scenario(check=check, **fixtures)
            missing = set(operations) - check.succeeded
            assert not missing, f"not driven to a success: {sorted(missing)}"

        return run

    return decorate


@pytest.fixture(scope="module")
def document(live_server: LiveServer) -> Document:
    with live_server.client() as client:
        served = client.get("/openapi.json").json()
    assert served == openapi_document(TEST_URLS.base, served["info"]["version"])
    return Document(served)


@pytest.fixture
def check(live_server: LiveServer, document: Document) -> Conformance:
    return Conformance(live_server, document)


def status_of(check: Conformance, user: User, **fields: object) -> dict:
    return check.json("POST /api/v1/statuses", user.token, data=fields)


def oauth_app(check: Conformance, **fields: str) -> dict:
    return check.json(
        "POST /api/v1/apps",
        json={
            "client_name": "conformance",
            "redirect_uris": [OOB, CALLBACK],
            "scopes": "read write follow push",
            **fields,
        },
    )


def client_token(check: Conformance, app: dict, scope: str = "read write") -> str:
    return check.json(
        "POST /oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
            "scope": scope,
        },
    )["access_token"]


@drives(
    "POST /api/v1/statuses",
    "GET /api/v1/statuses/{id}",
    "GET /api/v1/statuses/{id}/context",
    "GET /api/v1/statuses/{id}/card",
    "DELETE /api/v1/statuses/{id}",
)
def test_publish_read_and_delete(check: Conformance, alice: User, bob: User) -> None:
    key = {"Idempotency-Key": uuid.uuid4().hex}
    first = check.json(
        "POST /api/v1/statuses",
        alice.token,
        json={"status": f"Hi @{bob.username} #Python https://example.org/x", "sensitive": False},
        headers=key,
    )
    again = check.json("POST /api/v1/statuses", alice.token, data={"status": "x"}, headers=key)
    assert again["id"] == first["id"] and first["mentions"] and first["tags"]
    reply = status_of(check, bob, status="a reply", in_reply_to_id=first["id"])
    status_of(check, alice, status="self reply", in_reply_to_id=reply["id"], spoiler_text="cw")
    private = status_of(check, alice, status="followers only", visibility="private")

    seen = {
        "anonymous": check.json("GET /api/v1/statuses/{id}", path={"id": first["id"]}),
        "author": check.json("GET /api/v1/statuses/{id}", alice.token, path={"id": first["id"]}),
        "other": check.json("GET /api/v1/statuses/{id}", bob.token, path={"id": first["id"]}),
    }
    assert "favourited" not in seen["anonymous"] and "pinned" in seen["author"]
    assert "pinned" not in seen["other"]
    for viewer in (None, alice.token):
        context = check.json("GET /api/v1/statuses/{id}/context", viewer, path={"id": reply["id"]})
        assert context["ancestors"] and context["descendants"]

    # No card: this server allows no site to be fetched (tests/e2e/test_cards.py has cards).
    assert check.json("GET /api/v1/statuses/{id}/card", path={"id": reply["id"]}) == {}
    for missing in ("1", "junk", private["id"]):
        check.call("GET /api/v1/statuses/{id}", path={"id": missing}, expect=404)
        check.call("GET /api/v1/statuses/{id}/card", path={"id": missing}, expect=404)
        check.call("GET /api/v1/statuses/{id}/context", path={"id": missing}, expect=404)
    check.call("POST /api/v1/statuses", data={"status": "x"}, expect=401)
    check.call("POST /api/v1/statuses", "unknown-token", data={"status": "x"}, expect=401)
    check.call("POST /api/v1/statuses", alice.token, data={"status": " "}, expect=422)
    check.call("POST /api/v1/statuses", alice.token, data={"status": "x" * 501}, expect=422)
    check.call(
        "POST /api/v1/statuses", alice.token, data={"status": "x", "visibility": "foo"}, expect=422
    )
    check.call(
        "POST /api/v1/statuses",
        alice.token,
        data={"status": "x", "in_reply_to_id": private["id"] + "1"},
        expect=404,
    )
    check.call(
        "POST /api/v1/statuses",
        alice.token,
        content=b"{not json",
        headers={"Content-Type": "application/json"},
        expect=400,
    )
    check.call(
        "POST /api/v1/statuses",
        alice.token,
        content=b"status=" + b"x" * (2 * MiB),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        expect=413,
    )

    check.call("DELETE /api/v1/statuses/{id}", bob.token, path={"id": first["id"]}, expect=404)
    deleted = check.json(
        "DELETE /api/v1/statuses/{id}", alice.token, path={"id": first["id"]}, data={}
    )
    assert deleted["text"].startswith("Hi @") and "content" not in deleted
    check.call("DELETE /api/v1/statuses/{id}", alice.token, path={"id": first["id"]}, expect=404)
    check.call("DELETE /api/v1/statuses/{id}", path={"id": first["id"]}, expect=401)


@drives(
    "PUT /api/v1/statuses/{id}",
    "GET /api/v1/statuses/{id}/history",
    "GET /api/v1/statuses/{id}/source",
)
def test_edit_history_and_source(check: Conformance, alice: User, bob: User) -> None:
    status = status_of(check, alice, status="first", spoiler_text="cw")
    path = {"id": status["id"]}
    assert len(check.json("GET /api/v1/statuses/{id}/history", path=path)) == 1
    edited = check.json("PUT /api/v1/statuses/{id}", alice.token, path=path, data={"status": "2"})
    assert edited["edited_at"] and edited["spoiler_text"] == ""
    check.json(
        "PUT /api/v1/statuses/{id}",
        alice.token,
        path=path,
        json={"status": "3", "media_ids": [], "media_attributes": [], "language": "de"},
    )
    polled = check.json(
        "PUT /api/v1/statuses/{id}",
        alice.token,
        path=path,
        json={"status": "3", "poll": {"options": ["a", "b"], "expires_in": 600}},
    )
    assert [o["title"] for o in polled["poll"]["options"]] == ["a", "b"]
    versions = check.json("GET /api/v1/statuses/{id}/history", bob.token, path=path)
    assert [v["content"] for v in versions] == [
        "<p>first</p>",
        "<p>2</p>",
        "<p>3</p>",
        "<p>3</p>",
    ]
    assert versions[-1]["poll"] == {"options": [{"title": "a"}, {"title": "b"}]}
    source = check.json("GET /api/v1/statuses/{id}/source", bob.token, path=path)
    assert source == {"id": status["id"], "text": "3", "spoiler_text": ""}
    check.call("PUT /api/v1/statuses/{id}", path=path, data={"status": "x"}, expect=401)
    check.call("PUT /api/v1/statuses/{id}", bob.token, path=path, data={"status": "x"}, expect=404)
    check.call("PUT /api/v1/statuses/{id}", alice.token, path=path, data={"status": ""}, expect=422)
    check.call("GET /api/v1/statuses/{id}/source", path=path, expect=401)
    for missing in ("1", "junk"):
        check.call("GET /api/v1/statuses/{id}/history", path={"id": missing}, expect=404)
        check.call("GET /api/v1/statuses/{id}/source", bob.token, path={"id": missing}, expect=404)


@drives(
    "GET /api/v1/scheduled_statuses",
    "GET /api/v1/scheduled_statuses/{id}",
    "PUT /api/v1/scheduled_statuses/{id}",
    "DELETE /api/v1/scheduled_statuses/{id}",
)
def test_scheduled_statuses(check: Conformance, alice: User, bob: User) -> None:
    soon = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    made = [status_of(check, alice, status=f"later {n}", scheduled_at=soon) for n in range(2)]
    assert "scheduled_at" in made[0] and made[0]["params"]["text"] == "later 0"
    page = check.call(
        "GET /api/v1/scheduled_statuses", alice.token, params={"limit": "1"}, expect=200
    )
    assert 'rel="next"' in page.headers["link"]
    on = {"id": made[0]["id"]}
    check.json("GET /api/v1/scheduled_statuses/{id}", alice.token, path=on)
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    moved = check.json(
        "PUT /api/v1/scheduled_statuses/{id}", alice.token, path=on, json={"scheduled_at": later}
    )
    assert moved["scheduled_at"].startswith(later[:16])
    check.call(
        "PUT /api/v1/scheduled_statuses/{id}",
        alice.token,
        path=on,
        json={"scheduled_at": "junk"},
        expect=422,
    )
    check.call("GET /api/v1/scheduled_statuses/{id}", bob.token, path=on, expect=404)
    assert check.json("DELETE /api/v1/scheduled_statuses/{id}", alice.token, path=on) == {}
    check.call("DELETE /api/v1/scheduled_statuses/{id}", alice.token, path=on, expect=404)
    check.call("GET /api/v1/scheduled_statuses", expect=401)


@drives("GET /api/v1/polls/{id}", "POST /api/v1/polls/{id}/votes")
def test_polls(check: Conformance, alice: User, bob: User) -> None:
    status = check.json(
        "POST /api/v1/statuses",
        alice.token,
        json={"status": "Q?", "poll": {"options": ["a", "b"], "expires_in": 600}},
    )
    form = status_of(
        check,
        alice,
        status="Q?",
        **{"poll[options][]": ["a", "b"], "poll[expires_in]": "600", "poll[hide_totals]": "1"},
    )
    assert form["poll"]["options"][0]["votes_count"] is None
    on = {"id": status["poll"]["id"]}
    voted = check.json(
        "POST /api/v1/polls/{id}/votes", bob.token, path=on, data={"choices[]": ["1"]}
    )
    assert voted["own_votes"] == [1]
    check.call(
        "POST /api/v1/polls/{id}/votes", bob.token, path=on, json={"choices": [0]}, expect=422
    )
    check.call("POST /api/v1/polls/{id}/votes", path=on, expect=401)
    check.call("POST /api/v1/polls/{id}/votes", bob.token, path={"id": "1"}, expect=404)
    for viewer in (None, bob.token):
        check.json("GET /api/v1/polls/{id}", viewer, path=on)
    check.call("GET /api/v1/polls/{id}", path={"id": "1"}, expect=404)
    check.call("POST /api/v1/statuses", alice.token, json={"status": "x", "poll": {}}, expect=200)
    check.call(
        "POST /api/v1/statuses",
        alice.token,
        json={"status": "x", "poll": {"options": ["a"]}},
        expect=422,
    )


@drives(
    "POST /api/v1/statuses/{id}/reblog",
    "POST /api/v1/statuses/{id}/unreblog",
    "POST /api/v1/statuses/{id}/favourite",
    "POST /api/v1/statuses/{id}/unfavourite",
    "POST /api/v1/statuses/{id}/pin",
    "POST /api/v1/statuses/{id}/unpin",
    "GET /api/v1/statuses/{id}/reblogged_by",
    "GET /api/v1/statuses/{id}/favourited_by",
)
def test_actions_on_a_status_and_who_did_them(
    check: Conformance, alice: User, bob: User, carol: User
) -> None:
    original = status_of(check, alice, status="act on me")
    on = {"id": original["id"]}
    for user in (bob, carol):
        wrapper = check.json("POST /api/v1/statuses/{id}/reblog", user.token, path=on, data={})
        check.json("POST /api/v1/statuses/{id}/favourite", user.token, path=on)
    again = check.json(
        "POST /api/v1/statuses/{id}/reblog", carol.token, path=on, data={"visibility": "public"}
    )
    assert again["id"] == wrapper["id"] and again["reblog"]["id"] == original["id"]
    shown = check.json("GET /api/v1/statuses/{id}", path={"id": wrapper["id"]})
    assert shown["reblog"]["reblogs_count"] == 2

    for list_path in ("reblogged_by", "favourited_by"):
        operation = f"GET /api/v1/statuses/{{id}}/{list_path}"
        full = check.call(operation, path=on, params={"limit": "1"}, expect=200)
        assert 'rel="next"' in full.headers["link"] and len(full.json()) == 1
        last = check.call(operation, bob.token, path=on, params={"limit": "5"}, expect=200)
        assert 'rel="next"' not in last.headers["link"] and len(last.json()) == 2
        empty = check.call(operation, path=on, params={"max_id": "1"}, expect=200)
        assert empty.json() == [] and "link" not in empty.headers
        check.call(operation, path={"id": "1"}, expect=404)

    direct = status_of(check, alice, status=f"@{bob.username} psst", visibility="direct")
    check.call(
        "POST /api/v1/statuses/{id}/reblog", bob.token, path={"id": direct["id"]}, expect=403
    )
    check.call(
        "POST /api/v1/statuses/{id}/reblog",
        alice.token,
        path=on,
        data={"visibility": "direct"},
        expect=422,
    )
    check.call("POST /api/v1/statuses/{id}/reblog", bob.token, path={"id": "1"}, expect=404)
    check.call("POST /api/v1/statuses/{id}/favourite", path=on, expect=401)
    check.call("POST /api/v1/statuses/{id}/favourite", path={"id": direct["id"]}, expect=404)

    undone = check.json("POST /api/v1/statuses/{id}/unreblog", bob.token, path=on)
    assert undone["reblogged"] is False and undone["reblogs_count"] == 1
    assert not check.json("POST /api/v1/statuses/{id}/unfavourite", bob.token, path=on)[
        "favourited"
    ]
    check.call("POST /api/v1/statuses/{id}/unreblog", bob.token, path={"id": "1"}, expect=404)
    check.call("POST /api/v1/statuses/{id}/unfavourite", path=on, expect=401)

    assert check.json("POST /api/v1/statuses/{id}/pin", alice.token, path=on)["pinned"]
    check.call("POST /api/v1/statuses/{id}/pin", alice.token, path=on, expect=422)
    check.call("POST /api/v1/statuses/{id}/pin", bob.token, path=on, expect=422)
    check.call(
        "POST /api/v1/statuses/{id}/pin", alice.token, path={"id": wrapper["id"]}, expect=422
    )
    assert not check.json("POST /api/v1/statuses/{id}/unpin", alice.token, path=on)["pinned"]
    check.call("POST /api/v1/statuses/{id}/unpin", path=on, expect=401)

    # Deleting a reblog wrapper answers with it and its original, both with their source.
    deleted = check.json("DELETE /api/v1/statuses/{id}", carol.token, path={"id": wrapper["id"]})
    assert deleted["reblog"]["text"] == "act on me"


@drives(
    "POST /api/v1/statuses/{id}/bookmark",
    "POST /api/v1/statuses/{id}/unbookmark",
    "GET /api/v1/bookmarks",
)
def test_bookmarks(check: Conformance, directory: Directory, alice: User, bob: User) -> None:
    first = status_of(check, alice, status="keep this")
    second = status_of(check, alice, status="and this")
    wrapper = check.json(
        "POST /api/v1/statuses/{id}/reblog", alice.token, path={"id": second["id"]}, data={}
    )
    marked = check.json("POST /api/v1/statuses/{id}/bookmark", bob.token, path={"id": first["id"]})
    assert marked["bookmarked"] is True
    through = check.json(
        "POST /api/v1/statuses/{id}/bookmark", bob.token, path={"id": wrapper["id"]}
    )
    assert through["reblog"]["bookmarked"] is True
    check.call(
        "POST /api/v1/statuses/{id}/bookmark", bob.token, path={"id": wrapper["id"]}, expect=422
    )
    check.call("POST /api/v1/statuses/{id}/bookmark", path={"id": first["id"]}, expect=401)
    check.call("POST /api/v1/statuses/{id}/bookmark", bob.token, path={"id": "1"}, expect=404)

    full = check.call("GET /api/v1/bookmarks", bob.token, params={"limit": "1"}, expect=200)
    assert [s["id"] for s in full.json()] == [second["id"]]
    assert 'rel="next"' in full.headers["link"]
    listed = check.json("GET /api/v1/bookmarks", bob.token)
    assert [s["id"] for s in listed] == [second["id"], first["id"]]
    empty = check.call("GET /api/v1/bookmarks", alice.token, expect=200)
    assert empty.json() == [] and "link" not in empty.headers
    check.call("GET /api/v1/bookmarks", expect=401)
    check.call("GET /api/v1/bookmarks", directory.token(None, "read"), expect=422)

    undone = check.json(
        "POST /api/v1/statuses/{id}/unbookmark", bob.token, path={"id": first["id"]}
    )
    assert undone["bookmarked"] is False
    check.call("POST /api/v1/statuses/{id}/unbookmark", path={"id": first["id"]}, expect=401)
    check.call("POST /api/v1/statuses/{id}/unbookmark", bob.token, path={"id": "1"}, expect=404)


@drives("POST /api/v1/statuses/{id}/mute", "POST /api/v1/statuses/{id}/unmute")
def test_conversation_mutes(
    check: Conformance, directory: Directory, alice: User, bob: User
) -> None:
    root = status_of(check, alice, status="a thread")
    reply = status_of(check, alice, status="its reply", in_reply_to_id=root["id"])
    wrapper = check.json(
        "POST /api/v1/statuses/{id}/reblog", alice.token, path={"id": root["id"]}, data={}
    )
    muted = check.json("POST /api/v1/statuses/{id}/mute", bob.token, path={"id": reply["id"]})
    assert muted["muted"] is True
    through = check.json("POST /api/v1/statuses/{id}/mute", bob.token, path={"id": wrapper["id"]})
    assert through["muted"] is True and through["reblog"]["muted"] is True
    check.call("POST /api/v1/statuses/{id}/mute", path={"id": root["id"]}, expect=401)
    check.call("POST /api/v1/statuses/{id}/mute", bob.token, path={"id": "1"}, expect=404)
    check.call(
        "POST /api/v1/statuses/{id}/mute",
        directory.token(bob.account_id, "write:favourites"),
        path={"id": root["id"]},
        expect=403,
    )
    check.call(
        "POST /api/v1/statuses/{id}/mute",
        directory.token(None, "write"),
        path={"id": root["id"]},
        expect=422,
    )
    undone = check.json("POST /api/v1/statuses/{id}/unmute", bob.token, path={"id": root["id"]})
    assert undone["muted"] is False
    check.call("POST /api/v1/statuses/{id}/unmute", path={"id": root["id"]}, expect=401)
    check.call("POST /api/v1/statuses/{id}/unmute", bob.token, path={"id": "1"}, expect=404)


@drives(
    "GET /api/v1/accounts/verify_credentials",
    "GET /api/v1/accounts/lookup",
    "GET /api/v1/accounts/{id}",
    "GET /api/v1/accounts/{id}/statuses",
    "GET /api/v1/accounts/relationships",
    "POST /api/v1/accounts/{id}/follow",
    "POST /api/v1/accounts/{id}/unfollow",
)
def test_accounts_and_follows(
    check: Conformance, directory: Directory, alice: User, bob: User
) -> None:
    me = check.json("GET /api/v1/accounts/verify_credentials", alice.token)
    assert me["id"] == alice.id and me["source"]["privacy"] == "public"
    check.call("GET /api/v1/accounts/verify_credentials", expect=401)
    app_only = directory.token(None, "read")
    check.call("GET /api/v1/accounts/verify_credentials", app_only, expect=422)

    for acct in (alice.username, f"@{alice.username}@example.com"):
        found = check.json("GET /api/v1/accounts/lookup", params={"acct": acct})
        assert found["id"] == alice.id
    check.call("GET /api/v1/accounts/lookup", params={"acct": "nobody-here"}, expect=404)
    check.json("GET /api/v1/accounts/{id}", bob.token, path={"id": alice.id})
    check.call("GET /api/v1/accounts/{id}", path={"id": "1"}, expect=404)

    first = status_of(check, alice, status="one")
    status_of(check, alice, status="two", in_reply_to_id=first["id"])
    check.json("POST /api/v1/statuses/{id}/pin", alice.token, path={"id": first["id"]})
    statuses = "GET /api/v1/accounts/{id}/statuses"
    page = check.call(statuses, path={"id": alice.id}, params={"limit": "1"}, expect=200)
    assert 'rel="next"' in page.headers["link"]
    for flags in ({"pinned": "true"}, {"exclude_replies": "1", "only_media": "0"}):
        check.call(statuses, alice.token, path={"id": alice.id}, params=flags, expect=200)
    check.call(statuses, path={"id": "1"}, expect=404)

    following = check.json("POST /api/v1/accounts/{id}/follow", bob.token, path={"id": alice.id})
    assert following["following"] is True
    relationships = check.json(
        "GET /api/v1/accounts/relationships", alice.token, params={"id[]": [bob.id, "1"]}
    )
    assert [r["followed_by"] for r in relationships] == [True]
    check.call("GET /api/v1/accounts/relationships", app_only, expect=422)
    unfollowed = check.json("POST /api/v1/accounts/{id}/unfollow", bob.token, path={"id": alice.id})
    assert unfollowed["following"] is False
    check.call("POST /api/v1/accounts/{id}/follow", bob.token, path={"id": bob.id}, expect=404)
    check.call("POST /api/v1/accounts/{id}/unfollow", bob.token, path={"id": "1"}, expect=404)
    locked = register_account(directory.write_model, f"l{uuid.uuid4().hex[:10]}", locked=True)
    directory.wait_for(locked.position)
    check.call(
        "POST /api/v1/accounts/{id}/follow", bob.token, path={"id": str(locked.id)}, expect=422
    )


@drives("GET /api/v1/statuses")
def test_statuses_by_id(check: Conformance, alice: User) -> None:
    one = status_of(check, alice, status="one")
    two = status_of(check, alice, status="two")
    found = check.json("GET /api/v1/statuses", alice.token, params={"id[]": [two["id"], one["id"]]})
    assert [s["id"] for s in found] == [two["id"], one["id"]]
    check.json("GET /api/v1/statuses", params={"id[]": [one["id"], "1"]})
    many = [str(n) for n in range(1, 30)]
    check.call("GET /api/v1/statuses", alice.token, params={"id[]": many}, expect=422)


@drives(
    "GET /api/v1/timelines/home",
    "GET /api/v1/timelines/public",
    "GET /api/v1/timelines/tag/{id}",
    "GET /api/v1/favourites",
    "GET /api/v1/accounts/{id}/followers",
    "GET /api/v1/accounts/{id}/following",
    "GET /api/v1/accounts",
    "GET /api/v1/tags/{id}",
)
def test_timelines_and_lists(check: Conformance, directory: Directory, alice: User, bob: User):
    check.json("POST /api/v1/accounts/{id}/follow", bob.token, path={"id": alice.id})
    tag = f"c{uuid.uuid4().hex[:10]}"
    first = status_of(check, alice, status=f"#{tag} one")
    status_of(check, alice, status=f"#{tag} two", visibility="private")
    check.json("POST /api/v1/statuses/{id}/favourite", bob.token, path={"id": first["id"]})
    home = check.call("GET /api/v1/timelines/home", bob.token, params={"limit": "1"}, expect=200)
    assert 'rel="next"' in home.headers["link"]
    check.call("GET /api/v1/timelines/home", expect=401)
    check.call("GET /api/v1/timelines/home", directory.token(None, "read"), expect=422)
    for params in ({}, {"local": "true", "only_media": "1"}, {"remote": "true"}):
        check.call("GET /api/v1/timelines/public", params=params, expect=200)
    check.call("GET /api/v1/timelines/public", bob.token, expect=200)
    found = check.json("GET /api/v1/timelines/tag/{id}", path={"id": tag}, params={"none[]": ["x"]})
    assert [s["id"] for s in found] == [first["id"]]
    favourites = check.json("GET /api/v1/favourites", bob.token)
    assert [s["id"] for s in favourites] == [first["id"]]
    check.call("GET /api/v1/favourites", expect=401)
    for side, who in (("followers", alice), ("following", bob)):
        listed = check.json(f"GET /api/v1/accounts/{{id}}/{side}", path={"id": who.id})
        assert listed and listed[0]["id"] in (alice.id, bob.id)
        check.call(f"GET /api/v1/accounts/{{id}}/{side}", path={"id": "1"}, expect=404)
    several = check.json("GET /api/v1/accounts", params={"id[]": [bob.id, "1", alice.id]})
    assert [a["id"] for a in several] == [bob.id, alice.id]
    check.call("GET /api/v1/accounts", params={"id[]": [str(n) for n in range(41)]}, expect=422)
    entity = check.json("GET /api/v1/tags/{id}", bob.token, path={"id": tag.upper()})
    assert entity["name"] == tag and entity["following"] is False
    assert entity["history"][0]["uses"] == "1"
    check.json("GET /api/v1/tags/{id}", path={"id": "nothing"})
    check.call("GET /api/v1/tags/{id}", path={"id": "not-a-tag"}, expect=404)


@drives("GET /api/v2/search", "GET /api/v1/accounts/search")
def test_search(check: Conformance, directory: Directory, alice: User, bob: User) -> None:
    term = f"s{uuid.uuid4().hex[:10]}"
    status = status_of(check, alice, status=f"#{term} searchable {term}")
    every = check.json("GET /api/v2/search", bob.token, params={"q": term})
    assert [s["id"] for s in every["statuses"]] == [status["id"]]
    assert [t["name"] for t in every["hashtags"]] == [term]
    anonymous = check.json("GET /api/v2/search", params={"q": alice.username})
    assert [a["id"] for a in anonymous["accounts"]] == [alice.id] and anonymous["statuses"] == []
    resolved = check.json(
        "GET /api/v2/search", bob.token, params={"q": status["url"], "resolve": "true"}
    )
    assert [s["id"] for s in resolved["statuses"]] == [status["id"]]
    check.call("GET /api/v2/search", bob.token, expect=400)
    check.call("GET /api/v2/search", params={"q": "x", "offset": "1"}, expect=401)
    check.call("GET /api/v2/search", params={"q": "x", "resolve": "1"}, expect=401)
    check.call("GET /api/v2/search", bob.token, params={"q": "x", "limit": "-1"}, expect=400)
    accounts = check.json(
        "GET /api/v1/accounts/search", bob.token, params={"q": alice.username, "limit": "5"}
    )
    assert [a["id"] for a in accounts] == [alice.id]
    check.call("GET /api/v1/accounts/search", params={"q": "x"}, expect=401)
    check.call("GET /api/v1/accounts/search", directory.token(None, "read"), expect=422)
    check.call("GET /api/v1/accounts/search", bob.token, params={"offset": "-1"}, expect=400)


@drives("GET /api/v1/markers", "POST /api/v1/markers")
def test_markers(check: Conformance, alice: User) -> None:
    saved = check.json("POST /api/v1/markers", alice.token, data={"home[last_read_id]": "12"})
    assert saved["home"]["version"] >= 1
    both = check.json(
        "POST /api/v1/markers",
        alice.token,
        json={"home": {"last_read_id": "13"}, "notifications": {"last_read_id": "4"}},
    )
    assert set(both) == {"home", "notifications"}
    seen = check.json("GET /api/v1/markers", alice.token, params={"timeline[]": ["home"]})
    assert seen["home"]["last_read_id"] == "13"
    check.call("POST /api/v1/markers", alice.token, data={"home[last_read_id]": "x"}, expect=422)
    check.call("GET /api/v1/markers", expect=401)


@drives(
    "GET /api/v1/notifications",
    "GET /api/v1/notifications/{id}",
    "GET /api/v1/notifications/unread_count",
    "POST /api/v1/notifications/{id}/dismiss",
    "POST /api/v1/notifications/clear",
    "GET /api/v2/notifications",
    "GET /api/v2/notifications/unread_count",
    "GET /api/v2/notifications/{group_key}",
    "POST /api/v2/notifications/{group_key}/dismiss",
    "GET /api/v2/notifications/{group_key}/accounts",
)
def test_notifications(
    check: Conformance, directory: Directory, alice: User, bob: User, carol: User
) -> None:
    mine = status_of(check, alice, status="notify me")
    dave = directory.user()
    for fan in (bob, carol, dave):
        check.json("POST /api/v1/statuses/{id}/favourite", fan.token, path={"id": mine["id"]})
    check.json(
        "POST /api/v1/accounts/{id}/follow", bob.token, path={"id": alice.id}, data={"notify": "1"}
    )
    status_of(check, bob, status=f"@{alice.username} hi")
    listed = check.json("GET /api/v1/notifications", alice.token, params={"limit": "2"})
    assert [n["type"] for n in listed] == ["mention", "follow"]
    every = check.json("GET /api/v1/notifications", alice.token)
    assert {"account", "status"} <= set(every[-1])
    shown = check.json("GET /api/v1/notifications/{id}", alice.token, path={"id": every[0]["id"]})
    assert shown == every[0]
    check.call("GET /api/v1/notifications/{id}", bob.token, path={"id": every[0]["id"]}, expect=404)
    count = check.json("GET /api/v1/notifications/unread_count", alice.token)
    assert count == {"count": 5}
    grouped = check.json("GET /api/v2/notifications/unread_count", alice.token)
    assert grouped == {"count": 3}
    groups = check.json(
        "GET /api/v2/notifications", alice.token, params={"expand_accounts": "partial_avatars"}
    )
    assert [g["notifications_count"] for g in groups["notification_groups"]] == [1, 1, 3]
    assert [a["id"] for a in groups["accounts"]] == [bob.id, dave.id]
    assert [a["id"] for a in groups["partial_accounts"]] == [carol.id]
    check.call(
        "GET /api/v2/notifications", alice.token, params={"expand_accounts": "x"}, expect=400
    )
    key = groups["notification_groups"][2]["group_key"]
    group = check.json(
        "GET /api/v2/notifications/{group_key}", alice.token, path={"group_key": key}
    )
    assert group["notification_groups"][0]["notifications_count"] == 3
    check.call(
        "GET /api/v2/notifications/{group_key}", bob.token, path={"group_key": key}, expect=404
    )
    who = check.call(
        "GET /api/v2/notifications/{group_key}/accounts",
        alice.token,
        path={"group_key": key},
        params={"limit": "2"},
        expect=200,
    )
    assert [a["id"] for a in who.json()] == [dave.id, carol.id] and "next" in who.headers["link"]
    undo = "POST /api/v2/notifications/{group_key}/dismiss"
    assert check.json(undo, alice.token, path={"group_key": key}) == {}
    check.call(undo, path={"group_key": key}, expect=401)
    check.call("GET /api/v1/notifications", expect=401)
    check.call("GET /api/v1/notifications", directory.token(None, "read"), expect=422)
    dismiss = "POST /api/v1/notifications/{id}/dismiss"
    assert check.json(dismiss, alice.token, path={"id": every[0]["id"]}) == {}
    check.call(dismiss, alice.token, path={"id": every[0]["id"]}, expect=404)
    check.call(dismiss, path={"id": every[0]["id"]}, expect=401)
    assert check.json("POST /api/v1/notifications/clear", alice.token) == {}
    assert check.json("GET /api/v1/notifications", alice.token) == []
    check.call("POST /api/v1/notifications/clear", expect=401)


@drives("PATCH /api/v1/accounts/update_credentials")
def test_profile(check: Conformance, alice: User) -> None:
    operation = "PATCH /api/v1/accounts/update_credentials"
    me = check.json(operation, alice.token, data={"display_name": "Conformance", "bot": "1"})
    assert me["display_name"] == "Conformance" and me["bot"] is True
    avatar = {"avatar": ("me.png", image_bytes(), "image/png")}
    pictured = check.json(operation, alice.token, files=avatar, data={"note": "hi"})
    assert pictured["source"]["note"] == "hi"
    assert check.json(operation, alice.token, json={"bot": False})["bot"] is False
    check.call(operation, alice.token, data={"display_name": "x" * 31}, expect=422)
    check.call(operation, data={"bot": "1"}, expect=401)


@drives(
    "POST /api/v1/media",
    "POST /api/v2/media",
    "GET /api/v1/media/{id}",
    "PUT /api/v1/media/{id}",
    "GET /system/media_attachments/files/{key}",
)
def test_media(check: Conformance, alice: User, bob: User) -> None:
    png = {"file": ("picture.png", image_bytes(), "image/png")}
    v1 = check.json("POST /api/v1/media", alice.token, files=png)
    v2 = check.json(
        "POST /api/v2/media", alice.token, files=png, data={"description": "alt", "focus": "0.5,-1"}
    )
    assert v2["meta"]["focus"] == {"x": 0.5, "y": -1.0} and v2["description"] == "alt"
    check.json("GET /api/v1/media/{id}", alice.token, path={"id": v1["id"]})
    updated = check.json(
        "PUT /api/v1/media/{id}", alice.token, path={"id": v1["id"]}, data={"focus": "0,0"}
    )
    assert updated["meta"]["focus"] == {"x": 0.0, "y": 0.0}
    check.call("GET /api/v1/media/{id}", bob.token, path={"id": v1["id"]}, expect=404)
    check.call("PUT /api/v1/media/{id}", bob.token, path={"id": v1["id"]}, data={}, expect=404)
    check.call(
        "PUT /api/v1/media/{id}",
        alice.token,
        path={"id": v1["id"]},
        data={"focus": "9"},
        expect=422,
    )
    check.call("POST /api/v2/media", alice.token, files={"other": ("a", b"b")}, expect=422)
    check.call(
        "POST /api/v2/media",
        alice.token,
        files={"file": ("a.png", b"not an image", "image/png")},
        expect=422,
    )
    check.call("POST /api/v2/media", files=png, expect=401)

    for url in (v1["url"], v1["preview_url"]):
        key = url.split("/system/media_attachments/files/", 1)[1]
        image = check.call("GET /system/media_attachments/files/{key}", path={"key": key})
        assert image.status_code == 200 and image.content
    check.call(
        "GET /system/media_attachments/files/{key}",
        path={"key": "0" * 32 + "/original.png"},
        expect=404,
    )

    with_media = status_of(check, alice, **{"media_ids[]": [v1["id"], v2["id"]]})
    assert [m["id"] for m in with_media["media_attachments"]] == [v1["id"], v2["id"]]
    check.call("POST /api/v1/statuses", alice.token, data={"media_ids[]": [v1["id"]]}, expect=422)
    deleted = check.json("DELETE /api/v1/statuses/{id}", alice.token, path={"id": with_media["id"]})
    assert len(deleted["media_attachments"]) == 2


@drives(
    "POST /api/v1/apps",
    "GET /api/v1/apps/verify_credentials",
    "POST /oauth/token",
    "POST /oauth/revoke",
    "GET /oauth/authorize",
    "POST /oauth/authorize",
    "POST /api/v1/accounts",
)
def test_apps_tokens_and_sign_up(check: Conformance, directory: Directory, alice: User) -> None:
    app = oauth_app(check)
    assert app["redirect_uris"] == [OOB, CALLBACK]
    form_app = check.json(
        "POST /api/v1/apps",
        data={"client_name": "form", "redirect_uris": OOB, "website": "https://a.example"},
    )
    check.call("POST /api/v1/apps", data={"client_name": "", "redirect_uris": OOB}, expect=422)
    check.call("POST /api/v1/apps", json={"client_name": "x", "scopes": "bogus"}, expect=422)
    client = {"client_id": app["client_id"], "client_secret": app["client_secret"]}

    password = check.json(
        "POST /oauth/token",
        data={
            "grant_type": "password",
            **client,
            "username": email_of(alice),
            "password": PASSWORD,
            "scope": "read write",
        },
    )
    assert password["scope"] == "read write"
    through_app = User(alice.account_id, alice.username, password["access_token"])
    via_app = status_of(check, through_app, status="posted through an app")
    assert via_app["application"] == {"name": "conformance", "website": None}
    refusals = {
        "invalid_grant": {"grant_type": "password", **client, "username": "x", "password": "y"},
        "unsupported_grant_type": {"grant_type": "refresh_token", **client},
        "invalid_request": {"client_id": app["client_id"]},
        "invalid_scope": {"grant_type": "client_credentials", **client, "scope": "admin:read"},
    }
    for code, form in refusals.items():
        answer = check.call("POST /oauth/token", data=form, expect=400)
        assert answer.json()["error"] == code
    check.call(
        "POST /oauth/token",
        data={"grant_type": "client_credentials", "client_id": "nope", "client_secret": "x"},
        expect=401,
    )
    check.call(
        "POST /oauth/token",
        content=b"[]",
        headers={"Content-Type": "application/json"},
        expect=400,
    )

    app_token = client_token(check, app)
    seen = check.json("GET /api/v1/apps/verify_credentials", app_token)
    assert seen["id"] == app["id"] and "client_secret" not in seen
    check.call("GET /api/v1/apps/verify_credentials", alice.token, expect=404)
    check.call("GET /api/v1/apps/verify_credentials", expect=401)
    check.call("POST /api/v1/statuses", app_token, data={"status": "x"}, expect=422)

    # The authorization-code flow: the page, approval (out of band and by redirect), the grant.
    verifier, challenge = pkce_pair()
    request = {
        "response_type": "code",
        "client_id": app["client_id"],
        "redirect_uri": OOB,
        "scope": "read",
    }
    page = check.call("GET /oauth/authorize", params=request, expect=200)
    assert "Authorization required" in page.text
    check.call("GET /oauth/authorize", params={**request, "client_id": "nope"}, expect=400)
    refused = check.call(
        "GET /oauth/authorize",
        params={**request, "redirect_uri": CALLBACK, "response_type": "token", "state": "s"},
        expect=302,
    )
    assert parse_qs(urlsplit(refused.headers["location"]).query)["error"] == [
        "unsupported_response_type"
    ]
    login = {**request, "email": email_of(alice), "password": PASSWORD, "decision": "approve"}
    shown = check.call("POST /oauth/authorize", data=login, expect=200)
    assert 'id="authorization-code"' in shown.text
    check.call("POST /oauth/authorize", data={**login, "password": "wrong"}, expect=422)
    check.call("POST /oauth/authorize", data={**login, "client_id": "nope"}, expect=400)
    redirected = check.call(
        "POST /oauth/authorize",
        data={
            **login,
            "redirect_uri": CALLBACK,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "xyz",
        },
        expect=302,
    )
    code = parse_qs(urlsplit(redirected.headers["location"]).query)["code"][0]
    granted = check.json(
        "POST /oauth/token",
        json={
            "grant_type": "authorization_code",
            **client,
            "code": code,
            "redirect_uri": CALLBACK,
            "code_verifier": verifier,
        },
    )

    # Revocation: the token stops working (401 even where tokens are optional).
    check.json("POST /oauth/revoke", data={**client, "token": granted["access_token"]})
    check.call(
        "GET /api/v1/accounts/{id}", granted["access_token"], path={"id": alice.id}, expect=401
    )
    check.call("GET /api/v1/statuses/{id}", granted["access_token"], path={"id": "1"}, expect=401)
    other = {"client_id": form_app["client_id"], "client_secret": form_app["client_secret"]}
    check.call("POST /oauth/revoke", data={**other, "token": password["access_token"]}, expect=403)
    check.call(
        "POST /oauth/revoke",
        data={"client_id": "nope", "client_secret": "x", "token": password["access_token"]},
        expect=403,
    )
    check.call(
        "POST /oauth/revoke",
        data={"token": "t"},
        headers={"Authorization": "Basic not-base64!"},
        expect=401,
    )

    # Sign-up through the app.
    username = f"s{uuid.uuid4().hex[:10]}"
    signed_up = check.json(
        "POST /api/v1/accounts",
        app_token,
        json={
            "username": username,
            "email": f"{username}@example.org",
            "password": "long enough password",
            "agreement": True,
            "locale": "en",
        },
    )
    assert signed_up["token_type"] == "Bearer"
    problems = check.call(
        "POST /api/v1/accounts",
        app_token,
        data={"username": username, "email": "bad", "password": "short", "agreement": "0"},
        expect=422,
    ).json()
    assert {"username", "email", "password", "agreement"} <= set(problems["details"])
    check.call("POST /api/v1/accounts", app_token, json={"username": ["x"]}, expect=422)
    check.call("POST /api/v1/accounts", alice.token, data={"username": username}, expect=403)
    check.call("POST /api/v1/accounts", data={}, expect=401)


@drives("GET /api/v1/instance", "GET /api/v2/instance", "GET /openapi.json")
def test_instance_and_this_document(check: Conformance) -> None:
    v1 = check.call("GET /api/v1/instance", expect=200)
    assert v1.headers["deprecation"].startswith("@")
    assert check.json("GET /api/v2/instance")["api_versions"]["mastodon"] >= 2
    etag = check.call("GET /openapi.json", expect=200).headers["etag"]
    check.call("GET /openapi.json", headers={"If-None-Match": etag}, expect=304)


@drives("GET /health", "GET /ready", "GET /metrics")
def test_operator_routes(check: Conformance) -> None:
    assert check.call("GET /health", expect=200).text == "OK"
    assert check.json("GET /ready")["status"] == "ready"
    assert "tootlog_http_requests_total" in check.call("GET /metrics", expect=200).text


# Never a success: every tootlog account is confirmed when it is made (checked below).
DRIVEN.add("POST /api/v1/emails/confirmations")


@drives(
    "GET /.well-known/oauth-authorization-server",
    "GET /avatars/original/missing.png",
    "GET /headers/original/missing.png",
)
def test_discovery_routes(check: Conformance, alice: User) -> None:
    metadata = check.json("GET /.well-known/oauth-authorization-server")
    assert "password" in metadata["grant_types_supported"]
    assert metadata["token_endpoint"] == f"{TEST_URLS.base}/oauth/token"
    assert "write:statuses" in metadata["scopes_supported"]
    sizes = {"GET /avatars/original/missing.png": (120, 120)}
    sizes["GET /headers/original/missing.png"] = (1500, 500)
    for operation, size in sizes.items():
        answer = check.call(operation, expect=200)
        assert answer.headers["content-type"] == "image/png"
        assert Image.open(BytesIO(answer.content)).size == size
    check.call("POST /api/v1/emails/confirmations", expect=401)
    refused = check.call("POST /api/v1/emails/confirmations", alice.token, expect=403)
    assert refused.json() == {"error": ALREADY_CONFIRMED}


@drives("GET /", "GET /@{username}", "GET /@{username}/{id}")
def test_pages_behind_the_urls(check: Conformance, alice: User, bob: User) -> None:
    assert "<h1>" in check.call("GET /", expect=200).text
    public = status_of(check, alice, status="a public page")
    hidden = status_of(check, alice, status="a private one", visibility="private")
    page = check.call(
        "GET /@{username}/{id}", path={"username": alice.username, "id": public["id"]}
    )
    assert page.status_code == 200 and "a public page" in page.text
    assert '<meta property="og:title"' in page.text
    for status_id, username in ((hidden["id"], alice.username), (public["id"], bob.username)):
        check.call(
            "GET /@{username}/{id}", path={"username": username, "id": status_id}, expect=404
        )
    profile = check.call("GET /@{username}", path={"username": alice.username}, expect=200)
    assert "a public page" in profile.text and "a private one" not in profile.text
    check.call("GET /@{username}", path={"username": "nobody_here"}, expect=404)


def scoped_operations() -> list[str]:
    document = Document(openapi_document(TEST_URLS.base, "4.3.0"))
    return sorted(
        operation
        for operation in document.operations()
        if any(OAUTH2 in requirement for requirement in document.at(_security(operation)))
    )


def _security(operation: str) -> str:
    method, path = operation.split(" ", 1)
    return pointer("paths", path, method.lower(), "security")


@pytest.fixture(scope="module")
def scope_tokens(directory: Directory) -> Iterator[Callable[[str], str]]:
    """A token of one user per single scope, made once."""
    owner = directory.user()
    made: dict[str, str] = {}

    def token(scope: str) -> str:
        if scope not in made:
            made[scope] = directory.token(owner.account_id, scope)
        return made[scope]

    yield token


@pytest.mark.parametrize("operation", scoped_operations())
def test_each_operation_accepts_exactly_its_documented_scopes(
    operation: str,
    check: Conformance,
    document: Document,
    scope_tokens: Callable[[str], str],
    alice: User,
) -> None:
    """A token with any one documented scope gets past the scope check; any other scope is 403.

    The answers past the check (200, 404, 422...) are checked against the document too.
    """
    requirements = document.at(_security(operation))
    accepted = sorted({scope for r in requirements for scope in r.get(OAUTH2, ())})
    public = status_of(check, alice, status="scopes")
    path = {
        "id": alice.id if "/accounts/" in operation else public["id"],
        "key": "x",
        "group_key": "x",
    }
    for scope in accepted:
        answer = check.call(operation, scope_tokens(scope), path=path)
        assert answer.status_code not in (401, 403) or answer.json() != {"error": OUTSIDE_SCOPES}, (
            f"{operation} refused {scope}"
        )
    if accepted:
        refused = check.call(operation, scope_tokens(OUTSIDE), path=path, expect=403)
        assert refused.json() == {"error": OUTSIDE_SCOPES}
    else:  # any live token will do
        answer = check.call(operation, scope_tokens(OUTSIDE), path=path)
        assert answer.status_code not in (401, 403)


def test_every_documented_operation_is_driven(document: Document) -> None:
    assert document.operations() - DRIVEN == set(), "operations no scenario drives"
    assert DRIVEN - document.operations() == set(), "scenarios of undocumented operations"


# Never a success: no list exists, and any other path names no stream (checked below).
DRIVEN.update(["GET /api/v1/streaming/list", "GET /api/v1/streaming/{rest}"])
SSE_OPERATIONS = [
    f"GET /api/v1/streaming/{path}"
    for path in ("user", "user/notification", "public", "public/local", "public/remote")
] + ["GET /api/v1/streaming/hashtag", "GET /api/v1/streaming/hashtag/local"]


@drives("GET /api/v1/streaming/health", "GET /api/v1/streaming", *SSE_OPERATIONS)
def test_streaming_routes(check: Conformance, live_server: LiveServer, alice: User) -> None:
    """An open stream never ends, so its success is checked on the answer's head (status,
    media type and headers against the document) rather than through `check.call`."""
    assert check.call("GET /api/v1/streaming/health", expect=200).text == "OK"
    for operation in SSE_OPERATIONS:
        path = operation.split(" ", 1)[1]
        with (
            live_server.client(alice.token) as client,
            client.stream("GET", path, params={"tag": "conformance"}) as answer,
        ):
            check.document.check_response(
                operation, httpx.Response(answer.status_code, headers=answer.headers)
            )
            assert answer.status_code == 200
            assert next(answer.iter_lines()) == ":)"
        check.succeeded.add(operation)
        check.call(operation, expect=401)
    with open_websocket(live_server, alice.token, stream="public"):
        check.succeeded.add("GET /api/v1/streaming")  # 101, documented
    assert check.call("GET /api/v1/streaming", alice.token, expect=400).json() == {
        "error": "Unknown channel requested"
    }
    check.call("GET /api/v1/streaming/hashtag", alice.token, expect=400)
    check.call("GET /api/v1/streaming/list", alice.token, params={"list": "1"}, expect=401)
    check.call("GET /api/v1/streaming/{rest}", path={"rest": "direct"}, expect=400)
