"""Status edits: PUT /api/v1/statuses/:id, GET .../history and .../source (§6.16-§6.18)."""

from __future__ import annotations

import asyncio

import httpx

from tests.api.conftest import Api
from tests.api.test_media import uploaded
from tests.support import LiveServer, User

NOT_FOUND = {"error": "Record not found"}
# The statuses/:id/* controllers answer a missing or invisible status with `not_found`.
HIDDEN = {"error": "Not Found"}


def put(api: Api, user: User | None, status_id: str, **params: object) -> httpx.Response:
    return api.call(user, "PUT", f"/api/v1/statuses/{status_id}", **params)


def put_json(live_server: LiveServer, user: User, status_id: str, body: dict) -> httpx.Response:
    with live_server.client(user.token) as client:
        return client.put(f"/api/v1/statuses/{status_id}", json=body)


def history(api: Api, user: User | None, status_id: str) -> list[dict]:
    return api.ok(api.get(user, f"/api/v1/statuses/{status_id}/history"))


def test_an_edit_changes_the_status_and_keeps_what_it_cannot_change(
    api: Api, alice: User, bob: User, post
) -> None:
    original = post(alice, status="first #one", visibility="unlisted", language="de")
    api.ok(api.act(bob, original["id"], "favourite"))
    api.ok(api.act(bob, original["id"], "reblog"))
    api.ok(api.act(alice, original["id"], "pin"))
    edited = api.ok(
        put(
            api,
            alice,
            original["id"],
            status="second #two",
            spoiler_text="cw",
            visibility="public",  # ignored on update
            in_reply_to_id="1",  # ignored on update
        )
    )
    assert edited["id"] == original["id"]
    assert edited["content"] == (
        '<p>second <a href="https://example.com/tags/two" class="mention hashtag" rel="tag">'
        "#<span>two</span></a></p>"
    )
    assert edited["spoiler_text"] == "cw"
    assert edited["sensitive"] is True  # a CW makes it sensitive
    assert edited["visibility"] == "unlisted"
    assert edited["in_reply_to_id"] is None
    assert edited["language"] == "de"  # not given: kept
    assert edited["tags"] == [{"name": "two", "url": "https://example.com/tags/two"}]
    assert edited["edited_at"] is not None and edited["edited_at"] > original["created_at"]
    assert edited["created_at"] == original["created_at"]
    assert (edited["favourites_count"], edited["reblogs_count"]) == (1, 1)
    assert edited["pinned"] is True
    shown = api.ok(api.get(bob, f"/api/v1/statuses/{original['id']}"))
    assert shown["content"] == edited["content"] and shown["favourited"] is True
    assert shown["edited_at"] == edited["edited_at"]


def test_the_reblog_wrappers_of_an_edited_status_show_the_new_content(
    api: Api, alice: User, bob: User, post
) -> None:
    original = post(alice, status="before")
    wrapper = api.ok(api.act(bob, original["id"], "reblog"))
    api.ok(put(api, alice, original["id"], status="after"))
    shown = api.ok(api.get(None, f"/api/v1/statuses/{wrapper['id']}"))
    assert shown["reblog"]["content"] == "<p>after</p>"
    assert shown["reblog"]["edited_at"] is not None
    assert shown["edited_at"] is None


def test_history_lists_every_version_oldest_first(
    api: Api, live_server: LiveServer, alice: User, post
) -> None:
    media = uploaded(live_server, alice, description="a red square")
    original = post(alice, status="one", **{"media_ids[]": [media["id"]]})
    never_edited = history(api, None, original["id"])
    assert len(never_edited) == 1
    api.ok(put(api, alice, original["id"], status="two", **{"media_ids[]": [media["id"]]}))
    api.ok(
        put_json(
            live_server,
            alice,
            original["id"],
            {
                "status": "two",
                "media_ids": [media["id"]],
                "media_attributes": [{"id": media["id"], "description": "a blue square"}],
            },
        )
    )
    api.ok(put(api, alice, original["id"], status="three", sensitive="true"))
    versions = history(api, None, original["id"])
    assert [v["content"] for v in versions] == [
        "<p>one</p>",
        "<p>two</p>",
        "<p>two</p>",
        "<p>three</p>",
    ]
    assert versions[0] == never_edited[0]
    assert versions[0]["created_at"] == original["created_at"]
    assert [v["sensitive"] for v in versions] == [False, False, False, True]
    descriptions = [[m["description"] for m in v["media_attachments"]] for v in versions]
    assert descriptions == [["a red square"], ["a red square"], ["a blue square"], []]
    assert versions[2]["media_attachments"][0]["id"] == media["id"]
    for version in versions:
        assert set(version) == {
            "content",
            "spoiler_text",
            "sensitive",
            "created_at",
            "account",
            "media_attachments",
            "emojis",
        }
        assert version["account"]["id"] == str(alice.account_id)
        assert version["emojis"] == []
    status = api.ok(api.get(alice, f"/api/v1/statuses/{original['id']}"))
    assert versions[-1]["created_at"] == status["edited_at"]
    assert status["media_attachments"] == []


def test_an_edit_that_changes_nothing_is_not_recorded(api: Api, alice: User, post) -> None:
    original = post(alice, status="same", spoiler_text="cw", language="fr")
    unchanged = api.ok(put(api, alice, original["id"], status=" same ", spoiler_text="cw"))
    assert unchanged["edited_at"] is None
    assert unchanged["content"] == original["content"]
    assert len(history(api, alice, original["id"])) == 1
    api.ok(put(api, alice, original["id"], status="same", spoiler_text="cw", language="en"))
    assert len(history(api, alice, original["id"])) == 2


def test_parameters_left_out_are_cleared(api: Api, alice: User, post) -> None:
    original = post(alice, status="text", spoiler_text="warning", sensitive="true")
    edited = api.ok(put(api, alice, original["id"], status="text"))
    assert (edited["spoiler_text"], edited["sensitive"]) == ("", False)


def test_a_cw_without_text_becomes_the_text_and_the_old_cw_stays(
    api: Api, alice: User, post
) -> None:
    original = post(alice, status="body", spoiler_text="old cw")
    edited = api.ok(put(api, alice, original["id"], status="", spoiler_text="new"))
    assert (edited["content"], edited["spoiler_text"]) == ("<p>new</p>", "old cw")


def test_source_is_the_text_as_written(api: Api, alice: User, bob: User, post) -> None:
    original = post(alice, status="Hi @NoSuchUser #Tag & <b>", spoiler_text="cw")
    source = api.ok(api.get(alice, f"/api/v1/statuses/{original['id']}/source"))
    assert source == {
        "id": original["id"],
        "text": "Hi @NoSuchUser #Tag & <b>",
        "spoiler_text": "cw",
    }
    api.ok(put(api, alice, original["id"], status="new text"))
    # Anyone who may see the status may read its source, with a token (SourcesController).
    assert api.ok(api.get(bob, f"/api/v1/statuses/{original['id']}/source")) == {
        "id": original["id"],
        "text": "new text",
        "spoiler_text": "",
    }
    anonymous = api.get(None, f"/api/v1/statuses/{original['id']}/source")
    assert anonymous.status_code == 401
    assert api.get(None, "/api/v1/statuses/1/source").json() == HIDDEN


def test_others_statuses_deleted_statuses_and_bad_ids_are_record_not_found(
    api: Api, alice: User, bob: User, post
) -> None:
    public = post(alice, status="public")
    direct = post(alice, status="secret", visibility="direct")
    for status in (public, direct):
        response = put(api, bob, status["id"], status="hijack")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    gone = post(alice, status="gone")
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{gone['id']}"))
    for status_id in (gone["id"], "abc", "1"):
        response = put(api, alice, status_id, status="again")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
    for path in ("history", "source"):
        for status_id in (gone["id"], direct["id"], "abc"):
            response = api.get(bob, f"/api/v1/statuses/{status_id}/{path}")
            assert (response.status_code, response.json()) == (404, HIDDEN)
    assert put(api, None, public["id"], status="x").status_code == 401


def test_editing_a_reblog_wrapper(api: Api, alice: User, bob: User, post) -> None:
    original = post(alice, status="boost me")
    wrapper = api.ok(api.act(bob, original["id"], "reblog"))
    # Someone else's boost is not theirs to edit.
    response = put(api, alice, wrapper["id"], status="x")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    # Their own: Rails answers with the boost and nothing a client shows changes.
    answer = api.ok(put(api, bob, wrapper["id"], status="x"))
    assert answer["id"] == wrapper["id"] and answer["reblog"]["content"] == "<p>boost me</p>"
    assert len(history(api, bob, wrapper["id"])) == 1
    assert len(history(api, bob, original["id"])) == 1


def test_bad_input_is_a_mastodon_422(api: Api, live_server: LiveServer, alice: User, post) -> None:
    original = post(alice, status="valid")
    cases = [
        ({"status": ""}, "Validation failed: Text can't be blank"),
        ({"status": "x" * 501}, "Validation failed: Text character limit of 500 exceeded"),
        (
            {"status": "x", "media_ids[]": ["1", "2", "3", "4", "5"]},
            "Cannot attach more than 4 files",
        ),
        (
            {"status": "x", "media_ids[]": ["12345"]},
            "Media 12345 not found or already attached to another post",
        ),
    ]
    for params, error in cases:
        response = put(api, alice, original["id"], **params)
        assert (response.status_code, response.json()) == (422, {"error": error}), params
    media = uploaded(live_server, alice)
    too_long = put_json(
        live_server,
        alice,
        original["id"],
        {
            "status": "x",
            "media_ids": [media["id"]],
            "media_attributes": [{"id": media["id"], "description": "d" * 1501}],
        },
    )
    assert too_long.status_code == 422
    assert too_long.json() == {
        "error": "Validation failed: Description is too long (maximum is 1500 characters)"
    }
    # Nothing was half-applied.
    assert len(history(api, alice, original["id"])) == 1
    assert api.ok(api.get(alice, f"/api/v1/statuses/{original['id']}"))["content"] == "<p>valid</p>"


def test_media_of_another_status_cannot_be_taken_and_own_media_can_stay(
    api: Api, live_server: LiveServer, alice: User, post
) -> None:
    first = uploaded(live_server, alice)
    second = uploaded(live_server, alice)
    elsewhere = post(alice, status="has it", **{"media_ids[]": [second["id"]]})
    mine = post(alice, status="mine", **{"media_ids[]": [first["id"]]})
    response = put(api, alice, mine["id"], status="steal", **{"media_ids[]": [second["id"]]})
    assert response.status_code == 422
    kept = api.ok(put(api, alice, mine["id"], status="kept", **{"media_ids[]": [first["id"]]}))
    assert [m["id"] for m in kept["media_attachments"]] == [first["id"]]
    assert elsewhere["media_attachments"][0]["id"] == second["id"]
    # Form-encoded media_attributes, as Rack nests them.
    described = api.ok(
        put(
            api,
            alice,
            mine["id"],
            status="kept",
            **{
                "media_ids[]": [first["id"]],
                "media_attributes[][id]": first["id"],
                "media_attributes[][description]": "described",
                "media_attributes[][focus]": "0.5,0.5",
            },
        )
    )
    assert described["media_attachments"][0]["description"] == "described"
    assert described["media_attachments"][0]["meta"]["focus"] == {"x": 0.5, "y": 0.5}


def test_an_added_mention_shows_a_direct_status_to_the_mentioned(
    api: Api, alice: User, bob: User, post
) -> None:
    secret = post(alice, status="just me", visibility="direct")
    assert api.get(bob, f"/api/v1/statuses/{secret['id']}").status_code == 404
    edited = api.ok(put(api, alice, secret["id"], status=f"hi @{bob.username}"))
    assert [m["id"] for m in edited["mentions"]] == [str(bob.account_id)]
    assert api.ok(api.get(bob, f"/api/v1/statuses/{secret['id']}"))["id"] == secret["id"]
    # Mentioned accounts other than the author are plain text in the history (Mastodon's
    # formatter knows only the edit's account there).
    versions = history(api, bob, secret["id"])
    assert versions[-1]["content"] == f"<p>hi @{bob.username}</p>"
    # A mention taken out again turns silent: it keeps its access.
    removed = api.ok(put(api, alice, secret["id"], status="just me again"))
    assert removed["mentions"] == []
    assert api.get(bob, f"/api/v1/statuses/{secret['id']}").status_code == 200


def test_edit_racing_delete_never_fails_or_half_applies(
    live_server: LiveServer, alice: User, post
) -> None:
    async def race(status_id: str) -> tuple[int, int]:
        headers = {"Authorization": f"Bearer {alice.token}"}
        async with httpx.AsyncClient(base_url=live_server.base_url, headers=headers) as client:
            edit, delete = await asyncio.gather(
                client.put(f"/api/v1/statuses/{status_id}", data={"status": "edited"}),
                client.delete(f"/api/v1/statuses/{status_id}"),
            )
        return edit.status_code, delete.status_code

    outcomes = set()
    for _ in range(15):
        status = post(alice, status="racing")
        edit_code, delete_code = asyncio.run(race(status["id"]))
        assert delete_code == 200
        assert edit_code in (200, 404)
        outcomes.add(edit_code)
        with live_server.client(alice.token) as client:
            assert client.get(f"/api/v1/statuses/{status['id']}").status_code == 404
            assert client.get(f"/api/v1/statuses/{status['id']}/history").status_code == 404
    assert outcomes <= {200, 404}


def test_the_instance_says_a_version_that_edits(api: Api) -> None:
    """Mastodon advertises editing by its version alone (3.5.0 added it): clients such as
    Mastodon.py enable status_update, status_history and status_source from 3.5.0 on."""
    for path in ("/api/v1/instance", "/api/v2/instance"):
        version = api.ok(api.get(None, path))["version"]
        assert tuple(int(part) for part in version.split(".")[:2]) >= (3, 5), path
    assert api.ok(api.get(None, "/api/v2/instance"))["api_versions"] == {"mastodon": 2}


def test_media_an_edit_removes_stay_with_the_status_until_it_is_deleted(
    api: Api, live_server: LiveServer, alice: User, post
) -> None:
    media = uploaded(live_server, alice)
    status = post(alice, status="with media", **{"media_ids[]": [media["id"]]})
    api.ok(put(api, alice, status["id"], status="without media"))
    # Still the status's (as in Mastodon): not for another post, but the status may take it back.
    response = api.call(
        alice, "POST", "/api/v1/statuses", status="elsewhere", **{"media_ids[]": [media["id"]]}
    )
    assert response.status_code == 422
    back = api.ok(put(api, alice, status["id"], status="back", **{"media_ids[]": [media["id"]]}))
    assert [m["id"] for m in back["media_attachments"]] == [media["id"]]
    api.ok(put(api, alice, status["id"], status="without media again"))
    deleted = api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{status['id']}"))
    assert deleted["text"] == "without media again"
    # Deleting the status frees every upload it ever had, for a redraft.
    redraft = post(alice, status="redraft", **{"media_ids[]": [media["id"]]})
    assert [m["id"] for m in redraft["media_attachments"]] == [media["id"]]
