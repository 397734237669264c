"""GET /api/v1/statuses/:id/context (§6.2; §12 items 19, 35, 36)."""

from __future__ import annotations


def reply(api, user, parent: dict, text: str = "re", **params) -> dict:  # noqa: ANN001
    return api.ok(
        api.call(
            user, "POST", "/api/v1/statuses", status=text, in_reply_to_id=parent["id"], **params
        )
    )


def ids(statuses: list[dict]) -> list[str]:
    return [s["id"] for s in statuses]


def test_mastodon_example_self_replies_promoted(api, alice, bob, carol, post) -> None:
    a = post(alice, status="A")
    d = reply(api, carol, a, "D")
    e = reply(api, bob, d, "E")
    c = reply(api, alice, a, "C")
    f = reply(api, bob, c, "F")
    context = api.ok(api.get(None, f"/api/v1/statuses/{a['id']}/context"))
    assert context["ancestors"] == []
    assert ids(context["descendants"]) == [c["id"], d["id"], e["id"], f["id"]]
    # Ancestors root first, for a user with flags.
    of_f = api.ok(api.get(bob, f"/api/v1/statuses/{f['id']}/context"))
    assert ids(of_f["ancestors"]) == [a["id"], c["id"]]
    assert of_f["descendants"] == []
    assert all("favourited" in s for s in of_f["ancestors"])
    assert all("favourited" not in s for s in context["descendants"])


def test_in_reply_to_account_carries_over(api, alice, bob, post) -> None:
    a = post(alice, status="A")
    b = reply(api, bob, a)
    c = reply(api, bob, b)
    assert b["in_reply_to_account_id"] == alice.id
    assert c["in_reply_to_account_id"] == alice.id
    d = reply(api, alice, a)
    assert d["in_reply_to_account_id"] == alice.id


def test_descendants_depth_first_siblings_in_id_order(api, alice, bob, post) -> None:
    root = post(alice, status="root")
    first = reply(api, bob, root, "1")
    second = reply(api, bob, root, "2")
    first_child = reply(api, bob, first, "1.1")
    second_child = reply(api, bob, second, "2.1")
    context = api.ok(api.get(bob, f"/api/v1/statuses/{root['id']}/context"))
    expected = [first["id"], first_child["id"], second["id"], second_child["id"]]
    assert ids(context["descendants"]) == expected
    sub = api.ok(api.get(bob, f"/api/v1/statuses/{first['id']}/context"))
    assert ids(sub["ancestors"]) == [root["id"]]
    assert ids(sub["descendants"]) == [first_child["id"]]


def test_invisible_statuses_are_skipped_and_the_rest_kept(api, alice, bob, carol, post) -> None:
    root = post(alice, status="root")
    hidden = reply(api, alice, root, "followers", visibility="private")
    below = reply(api, alice, hidden, "public below private")
    context = api.ok(api.get(carol, f"/api/v1/statuses/{below['id']}/context"))
    assert ids(context["ancestors"]) == [root["id"]]
    anon = api.ok(api.get(None, f"/api/v1/statuses/{root['id']}/context"))
    assert ids(anon["descendants"]) == [below["id"]]
    api.ok(api.call(carol, "POST", f"/api/v1/accounts/{alice.id}/follow"))
    followed = api.ok(api.get(carol, f"/api/v1/statuses/{root['id']}/context"))
    assert ids(followed["descendants"]) == [hidden["id"], below["id"]]
    assert api.get(None, f"/api/v1/statuses/{hidden['id']}/context").status_code == 404


def test_deleted_parent_stops_the_walk(api, alice, bob, post) -> None:
    root = post(alice, status="root")
    middle = reply(api, bob, root, "middle")
    leaf = reply(api, alice, middle, "leaf")
    api.ok(api.call(bob, "DELETE", f"/api/v1/statuses/{middle['id']}"))
    context = api.ok(api.get(None, f"/api/v1/statuses/{leaf['id']}/context"))
    assert context["ancestors"] == []
    still = api.ok(api.get(None, f"/api/v1/statuses/{leaf['id']}"))
    assert still["in_reply_to_id"] == middle["id"]
    top = api.ok(api.get(None, f"/api/v1/statuses/{root['id']}/context"))
    assert top["descendants"] == []
    assert api.ok(api.get(None, f"/api/v1/statuses/{root['id']}"))["replies_count"] == 0


def test_anonymous_limits(api, alice, post) -> None:
    chain = [post(alice, status="0")]
    for i in range(1, 45):
        chain.append(reply(api, alice, chain[-1], str(i)))
    anon = api.ok(api.get(None, f"/api/v1/statuses/{chain[-1]['id']}/context"))
    assert ids(anon["ancestors"]) == ids(chain[4:44])  # the 40 nearest, root-most first
    user = api.ok(api.get(alice, f"/api/v1/statuses/{chain[-1]['id']}/context"))
    assert ids(user["ancestors"]) == ids(chain[:44])
    deep = api.ok(api.get(None, f"/api/v1/statuses/{chain[0]['id']}/context"))
    assert ids(deep["descendants"]) == ids(chain[1:21])  # depth 20


def test_anonymous_descendants_truncated_at_sixty(api, alice, bob, post) -> None:
    root = post(alice, status="many replies")
    replies = [reply(api, bob, root, str(i)) for i in range(62)]
    anon = api.ok(api.get(None, f"/api/v1/statuses/{root['id']}/context"))
    assert ids(anon["descendants"]) == ids(replies[:60])
    user = api.ok(api.get(bob, f"/api/v1/statuses/{root['id']}/context"))
    assert len(user["descendants"]) == 62


def test_wrapper_context_is_empty_and_reply_to_wrapper_goes_to_original(
    api, alice, bob, post
) -> None:
    root = post(alice, status="root")
    wrapper = api.ok(api.act(bob, root["id"], "reblog"))
    empty = api.ok(api.get(None, f"/api/v1/statuses/{wrapper['id']}/context"))
    assert empty == {"ancestors": [], "descendants": []}
    answer = reply(api, bob, wrapper, "to the wrapper")
    assert answer["in_reply_to_id"] == root["id"]
    assert answer["in_reply_to_account_id"] == alice.id


def test_context_of_missing_or_invisible_is_404(api, alice, post) -> None:
    direct = post(alice, status="me only", visibility="direct")
    assert api.get(None, f"/api/v1/statuses/{direct['id']}/context").status_code == 404
    assert api.get(None, "/api/v1/statuses/12345/context").json() == {"error": "Not Found"}
    assert api.get(None, "/api/v1/statuses/x/context").status_code == 404
