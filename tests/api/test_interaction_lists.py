"""reblogged_by / favourited_by (§6.4, §6.5, §5; §12 items 7, 37, 38) and account statuses."""

from __future__ import annotations

import re

from tests.support import User

LINK = re.compile(r'<([^>]+)>; rel="(next|prev)"')


def links(response) -> dict[str, str]:  # noqa: ANN001
    return {rel: url for url, rel in LINK.findall(response.headers.get("link", ""))}


def test_reblogged_by_pages_with_link_header(api, directory, alice, post) -> None:
    status = post(alice, status="popular")
    boosters = [directory.user() for _ in range(3)]
    wrappers = [api.ok(api.act(u, status["id"], "reblog"))["id"] for u in boosters]
    path = f"/api/v1/statuses/{status['id']}/reblogged_by"
    first = api.get(None, path, limit=2)
    assert [a["id"] for a in api.ok(first)] == [boosters[2].id, boosters[1].id]
    header = first.headers["link"]
    assert header.startswith("<https://example.com")
    assert header == (
        f'<https://example.com{path}?limit=2&max_id={wrappers[1]}>; rel="next", '
        f'<https://example.com{path}?limit=2&since_id={wrappers[2]}>; rel="prev"'
    )
    second = api.get(None, path, limit=2, max_id=wrappers[1])
    assert [a["id"] for a in api.ok(second)] == [boosters[0].id]
    assert set(links(second)) == {"prev"}  # the last page has no next
    empty = api.get(None, path, limit=2, max_id=wrappers[0])
    assert api.ok(empty) == [] and "link" not in empty.headers
    newer = api.get(None, path, since_id=wrappers[0])
    assert [a["id"] for a in api.ok(newer)] == [boosters[2].id, boosters[1].id]
    assert "limit=" not in newer.headers["link"]
    assert api.ok(api.get(None, path, limit=0)) == []


def test_private_reblogs_never_listed(api, alice, bob, post) -> None:
    status = post(alice, status="boost privately")
    api.ok(api.act(bob, status["id"], "reblog", visibility="private"))
    own = post(alice, status="mine", visibility="private")
    api.ok(api.act(alice, own["id"], "reblog"))
    assert api.ok(api.get(bob, f"/api/v1/statuses/{status['id']}/reblogged_by")) == []
    assert api.ok(api.get(alice, f"/api/v1/statuses/{own['id']}/reblogged_by")) == []
    assert api.ok(api.get(alice, f"/api/v1/statuses/{own['id']}"))["reblogs_count"] == 1


def test_favourited_by_newest_first_and_wrapper_is_empty(api, alice, bob, carol, post) -> None:
    status = post(alice, status="likes")
    api.ok(api.act(bob, status["id"], "favourite"))
    api.ok(api.act(carol, status["id"], "favourite"))
    listed = api.get(None, f"/api/v1/statuses/{status['id']}/favourited_by")
    assert [a["id"] for a in api.ok(listed)] == [carol.id, bob.id]
    assert listed.headers["cache-control"].startswith("public")
    wrapper = api.ok(api.act(bob, status["id"], "reblog"))
    assert api.ok(api.get(None, f"/api/v1/statuses/{wrapper['id']}/favourited_by")) == []
    assert api.ok(api.get(None, f"/api/v1/statuses/{wrapper['id']}/reblogged_by")) == []
    # Unfavourite removes the account.
    api.ok(api.act(bob, status["id"], "unfavourite"))
    again = api.get(None, f"/api/v1/statuses/{status['id']}/favourited_by")
    assert [a["id"] for a in api.ok(again)] == [carol.id]


def test_lists_check_visibility_before_scope(api, directory, alice, bob, post) -> None:
    private = post(alice, status="hidden", visibility="private")
    public = post(alice, status="open")
    statuses_only = User(
        bob.account_id, bob.username, directory.token(bob.account_id, "read:statuses")
    )
    for name in ("reblogged_by", "favourited_by"):
        hidden = api.get(statuses_only, f"/api/v1/statuses/{private['id']}/{name}")
        assert hidden.status_code == 404
        refused = api.get(statuses_only, f"/api/v1/statuses/{public['id']}/{name}")
        assert refused.status_code == 403
        accounts = User(
            bob.account_id, bob.username, directory.token(bob.account_id, "read:accounts")
        )
        assert api.get(accounts, f"/api/v1/statuses/{public['id']}/{name}").status_code == 200
        assert api.get(None, "/api/v1/statuses/77777/" + name).status_code == 404


def test_deleting_a_status_removes_its_reblogs_and_favourites(api, alice, bob, carol, post) -> None:
    status = post(alice, status="going away")
    wrapper = api.ok(api.act(bob, status["id"], "reblog"))
    api.ok(api.act(carol, status["id"], "favourite"))
    assert api.ok(api.get(None, f"/api/v1/accounts/{bob.id}"))["statuses_count"] == 1
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{status['id']}"))
    assert api.get(None, f"/api/v1/statuses/{wrapper['id']}").status_code == 404
    assert api.ok(api.get(None, f"/api/v1/accounts/{bob.id}"))["statuses_count"] == 0
    assert api.get(None, f"/api/v1/statuses/{status['id']}/favourited_by").status_code == 404
    assert api.act(bob, status["id"], "unreblog").status_code == 404
    assert api.ok(api.get(None, f"/api/v1/accounts/{bob.id}/statuses")) == []


def test_account_statuses_filters_and_pages(api, alice, bob, carol, post) -> None:
    first = post(alice, status="first")
    answer = api.ok(
        api.call(alice, "POST", "/api/v1/statuses", status="self", in_reply_to_id=first["id"])
    )
    others = post(bob, status="bob's")
    to_bob = api.ok(
        api.call(alice, "POST", "/api/v1/statuses", status="reply", in_reply_to_id=others["id"])
    )
    boost = api.ok(api.act(alice, others["id"], "reblog"))
    private = post(alice, status="followers", visibility="private")
    path = f"/api/v1/accounts/{alice.id}/statuses"
    everything = [boost["id"], to_bob["id"], answer["id"], first["id"]]
    assert [s["id"] for s in api.ok(api.get(None, path))] == everything
    assert [s["id"] for s in api.ok(api.get(alice, path))] == [private["id"], *everything]
    no_replies = api.ok(api.get(None, path, exclude_replies="true"))
    assert [s["id"] for s in no_replies] == [boost["id"], answer["id"], first["id"]]
    no_boosts = api.ok(api.get(None, path, exclude_reblogs="1"))
    assert [s["id"] for s in no_boosts] == everything[1:]
    assert api.ok(api.get(None, path, only_media="true")) == []
    page = api.get(None, path, limit=2)
    assert [s["id"] for s in api.ok(page)] == everything[:2]
    assert links(page)["next"].endswith(f"?limit=2&max_id={everything[1]}")
    rest = api.ok(api.get(None, path, limit=2, max_id=everything[1]))
    assert [s["id"] for s in rest] == everything[2:]
    oldest = api.ok(api.get(None, path, limit=2, min_id=first["id"]))
    assert [s["id"] for s in oldest] == [to_bob["id"], answer["id"]]
    api.ok(api.call(carol, "POST", f"/api/v1/accounts/{alice.id}/follow"))
    assert api.ok(api.get(carol, path))[0]["id"] == private["id"]
    assert api.get(None, "/api/v1/accounts/999/statuses").status_code == 404


def test_account_statuses_links_page_back_by_min_id_and_keep_the_filters(api, alice, post) -> None:
    posts = [post(alice, status=f"post {i}")["id"] for i in range(3)]
    path = f"/api/v1/accounts/{alice.id}/statuses"
    page = api.get(None, path, limit=2, exclude_replies="true", only_media="0", pinned="")
    assert [s["id"] for s in api.ok(page)] == [posts[2], posts[1]]
    url = f"https://example.com{path}?exclude_replies=true&limit=2"
    assert page.headers["link"] == (  # sorted, as Rails' to_query
        f'<{url}&max_id={posts[1]}&only_media=0>; rel="next", '
        f'<{url}&min_id={posts[2]}&only_media=0>; rel="prev"'
    )
    # A client that follows `prev` by its min_id gets what is newer than the page's first.
    newer = api.get(None, path, min_id=posts[1])
    assert [s["id"] for s in api.ok(newer)] == [posts[2]]
    assert links(newer)["prev"].endswith(f"?min_id={posts[2]}")


def test_exclude_direct_leaves_out_direct_statuses_and_stays_in_the_links(
    api, alice, bob, post
) -> None:
    public = post(alice, status="for all")
    direct = post(alice, status=f"@{bob.username} just you", visibility="direct")
    path = f"/api/v1/accounts/{alice.id}/statuses"
    # The author, and the one it mentions, see the direct status in the profile...
    assert [s["id"] for s in api.ok(api.get(alice, path))] == [direct["id"], public["id"]]
    assert [s["id"] for s in api.ok(api.get(bob, path))] == [direct["id"], public["id"]]
    # ...unless the client asks to leave direct statuses out (Mastodon 4.6).
    for viewer in (alice, bob):
        page = api.get(viewer, path, exclude_direct="true", limit=1)
        assert [s["id"] for s in api.ok(page)] == [public["id"]]
        assert "exclude_direct=true" in links(page)["next"]
