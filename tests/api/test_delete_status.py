"""DELETE /api/v1/statuses/:id (§6.7)."""

from __future__ import annotations

from tests.support import LiveServer, User


def test_delete_answers_with_source_text_and_pre_deletion_counts(
    live_server: LiveServer, alice: User, post
) -> None:
    status = post(alice, status="Hi @NoSuchUser #Tag")
    with live_server.client(alice.token) as client:
        response = client.delete(f"/api/v1/statuses/{status['id']}")
    assert response.status_code == 200
    body = response.json()
    assert "content" not in body
    assert body["text"] == "Hi @NoSuchUser #Tag"
    assert body["id"] == status["id"]
    assert body["account"]["statuses_count"] == status["account"]["statuses_count"]


def test_deleted_status_is_gone_and_a_second_delete_is_record_not_found(
    live_server: LiveServer, alice: User, post
) -> None:
    status = post(alice, status="bye")
    with live_server.client(alice.token) as client:
        assert client.delete(f"/api/v1/statuses/{status['id']}").status_code == 200
        again = client.delete(f"/api/v1/statuses/{status['id']}")
        assert (again.status_code, again.json()) == (404, {"error": "Record not found"})
        assert client.get(f"/api/v1/statuses/{status['id']}").status_code == 404


def test_deleting_someone_elses_status_is_record_not_found(
    live_server: LiveServer, alice: User, bob: User, post
) -> None:
    status = post(alice, status="mine")
    with live_server.client(bob.token) as client:
        response = client.delete(f"/api/v1/statuses/{status['id']}")
    assert (response.status_code, response.json()) == (404, {"error": "Record not found"})
    with live_server.client() as client:
        assert client.get(f"/api/v1/statuses/{status['id']}").status_code == 200


def test_delete_with_bad_id_or_without_token(live_server: LiveServer, alice: User) -> None:
    with live_server.client(alice.token) as client:
        assert client.delete("/api/v1/statuses/abc").json() == {"error": "Record not found"}
    with live_server.client() as client:
        assert client.delete("/api/v1/statuses/1").status_code == 401


def test_delete_media_flag_is_accepted_in_the_form_body(
    live_server: LiveServer, alice: User, post
) -> None:
    status = post(alice, status="with flag")
    with live_server.client(alice.token) as client:
        response = client.request(
            "DELETE", f"/api/v1/statuses/{status['id']}", data={"delete_media": "1"}
        )
    assert response.status_code == 200


def test_deleting_a_public_reply_decrements_the_parent_and_keeps_child_links(
    live_server: LiveServer, alice: User, bob: User, post
) -> None:
    root = post(alice, status="root")
    reply = post(bob, status="reply", in_reply_to_id=root["id"])
    child = post(alice, status="child", in_reply_to_id=reply["id"])
    with live_server.client(bob.token) as client:
        client.delete(f"/api/v1/statuses/{reply['id']}")
    with live_server.client() as client:
        assert client.get(f"/api/v1/statuses/{root['id']}").json()["replies_count"] == 0
        kept = client.get(f"/api/v1/statuses/{child['id']}").json()
    assert kept["in_reply_to_id"] == reply["id"]
    assert kept["in_reply_to_account_id"] == bob.id


def test_deleting_decrements_statuses_count(live_server: LiveServer, alice: User, post) -> None:
    first = post(alice, status="one")
    second = post(alice, status="two")
    with live_server.client(alice.token) as client:
        client.delete(f"/api/v1/statuses/{first['id']}")
        body = client.get(f"/api/v1/statuses/{second['id']}").json()
    assert body["account"]["statuses_count"] == second["account"]["statuses_count"] - 1
