"""Followers and follows (by the follow's id), accounts by id, and the Tag entity."""

from __future__ import annotations

import uuid

from tests.support import User


def account_ids(response) -> list[str]:  # noqa: ANN001
    assert response.status_code == 200, response.text
    return [a["id"] for a in response.json()]


def test_followers_and_following_newest_follow_first(api, directory, alice):
    fans = directory.users(3)
    for fan in fans:
        api.ok(api.call(fan, "POST", f"/api/v1/accounts/{alice.id}/follow"))
    followers = f"/api/v1/accounts/{alice.id}/followers"
    assert account_ids(api.get(None, followers)) == [f.id for f in reversed(fans)]
    first = api.get(None, followers, limit=2)
    assert account_ids(first) == [fans[2].id, fans[1].id]
    link = first.headers["link"]
    assert 'rel="next"' in link and 'rel="prev"' in link and "since_id=" in link
    # The cursors are the follows' ids, not the accounts'.
    max_id = link.split("max_id=")[1].split(">")[0]
    assert max_id not in (fans[1].id, fans[2].id)
    assert account_ids(api.get(None, followers, limit=2, max_id=max_id)) == [fans[0].id]
    api.ok(api.call(fans[1], "POST", f"/api/v1/accounts/{alice.id}/unfollow"))
    assert account_ids(api.get(None, followers)) == [fans[2].id, fans[0].id]
    # Following someone again puts them first.
    api.ok(api.call(fans[1], "POST", f"/api/v1/accounts/{alice.id}/follow"))
    assert account_ids(api.get(None, followers))[0] == fans[1].id
    for fan in fans:
        following = api.get(fan, f"/api/v1/accounts/{fan.id}/following")
        assert account_ids(following) == [alice.id]
        assert following.json()[0]["followers_count"] == 3
    assert account_ids(api.get(None, f"/api/v1/accounts/{alice.id}/following")) == []


def test_follow_lists_errors_and_scopes(api, directory, alice):
    assert api.get(None, "/api/v1/accounts/424242/followers").status_code == 404
    assert api.get(None, "/api/v1/accounts/junk/following").status_code == 404
    writer = User(alice.account_id, alice.username, directory.token(alice.account_id, "write"))
    assert api.get(writer, f"/api/v1/accounts/{alice.id}/followers").status_code == 403
    reader = User(
        alice.account_id, alice.username, directory.token(alice.account_id, "read:accounts")
    )
    assert api.get(reader, f"/api/v1/accounts/{alice.id}/followers").status_code == 200


def test_accounts_by_id(api, alice, bob):
    found = api.get(None, "/api/v1/accounts", **{"id[]": [bob.id, "999", alice.id, bob.id, "x"]})
    assert account_ids(found) == [bob.id, alice.id]
    assert found.json()[0]["username"] == bob.username
    assert account_ids(api.get(None, "/api/v1/accounts")) == []
    too_many = api.get(None, "/api/v1/accounts", **{"id[]": [str(n) for n in range(41)]})
    assert too_many.status_code == 422 and "error" in too_many.json()


def test_tag_entity(api, alice, post):
    name = f"Tag{uuid.uuid4().hex[:8]}"
    post(alice, status=f"#{name} once")
    post(alice, status=f"#{name} twice", visibility="unlisted")
    post(alice, status=f"#{name} hidden", visibility="private")
    entity = api.ok(api.get(alice, f"/api/v1/tags/{name}"))
    assert entity["name"] == name.lower()
    assert entity["url"].endswith(f"/tags/{name.lower()}")
    assert entity["following"] is False
    assert len(entity["history"]) == 7
    today = entity["history"][0]
    assert (today["uses"], today["accounts"]) == ("2", "1")
    assert all(day["uses"] == "0" for day in entity["history"][1:])
    assert int(today["day"]) > int(entity["history"][1]["day"])
    anonymous = api.ok(api.get(None, f"/api/v1/tags/{name}"))
    assert "following" not in anonymous
    unused = api.ok(api.get(None, "/api/v1/tags/neverusedyet"))
    assert unused["history"][0]["uses"] == "0"
    assert api.get(None, "/api/v1/tags/no-such").status_code == 404
