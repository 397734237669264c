"""GET /api/v1/statuses?id[]= (Mastodon 4.3): several statuses at once, in the order asked."""

from __future__ import annotations

import pytest

from tests.support import Directory, LiveServer, User


def several(live_server: LiveServer, user: User | None, ids: list[str]):  # noqa: ANN201
    with live_server.client(user.token if user else None) as client:
        return client.get("/api/v1/statuses", params={"id[]": ids})


def test_statuses_in_the_order_asked_each_once_invisible_and_missing_left_out(
    live_server: LiveServer, alice: User, bob: User, carol: User, post
) -> None:  # noqa: ANN001
    first = post(alice, status="first")
    second = post(bob, status="second")
    private = post(alice, status="followers only", visibility="private")
    with live_server.client(carol.token) as client:
        wrapper = client.post(f"/api/v1/statuses/{first['id']}/reblog").json()
        deleted = client.post("/api/v1/statuses", data={"status": "gone"}).json()
        assert client.delete(f"/api/v1/statuses/{deleted['id']}").status_code == 200
    asked = [second["id"], private["id"], "1", first["id"], wrapper["id"], deleted["id"]]
    asked += ["junk", second["id"]]
    answer = several(live_server, bob, asked)
    assert answer.status_code == 200
    body = answer.json()
    assert [s["id"] for s in body] == [second["id"], first["id"], wrapper["id"]]
    assert body[2]["reblog"]["id"] == first["id"]
    assert body[0] == several(live_server, bob, [second["id"]]).json()[0]
    # The author sees its private status, in place; anonymous readers see no per-viewer keys.
    mine = several(live_server, alice, asked).json()
    assert [s["id"] for s in mine][:2] == [second["id"], private["id"]]
    anonymous = several(live_server, None, [first["id"]]).json()
    assert "favourited" not in anonymous[0]


def test_no_ids_and_too_many_ids(live_server: LiveServer, alice: User, post) -> None:  # noqa: ANN001
    assert several(live_server, alice, []).json() == []
    ids = [post(alice, status=f"n{i}")["id"] for i in range(21)]
    assert len(several(live_server, alice, ids[:20]).json()) == 20
    assert len(several(live_server, alice, ids[:20] + ids[:5]).json()) == 20  # repeats count once
    too_many = several(live_server, alice, ids)
    assert too_many.status_code == 422
    assert too_many.json() == {"error": "Mastodon::ValidationError"}


@pytest.mark.parametrize("scopes", ["write", "follow"])
def test_a_token_without_read_is_refused(
    live_server: LiveServer, directory: Directory, alice: User, scopes: str
) -> None:
    with live_server.client(directory.token(alice.id, scopes)) as client:
        assert client.get("/api/v1/statuses", params={"id[]": ["1"]}).status_code == 403
