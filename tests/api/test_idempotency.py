"""Idempotency-Key (§6.6 step 5, with tootlog's stronger rule: no 503, one status, all 200)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from commands.statuses import Publishing, publish
from domain.errors import ValidationFailed
from domain.status import Author, Draft
from tests.support import TEST_URLS, Directory, LiveServer, User


def _post(live_server: LiveServer, user: User, key: str, **data: str) -> httpx.Response:
    with live_server.client(user.token) as client:
        return client.post("/api/v1/statuses", data=data, headers={"Idempotency-Key": key})


def test_same_key_returns_the_same_status_even_with_another_body(
    live_server: LiveServer, alice: User
) -> None:
    first = _post(live_server, alice, "key-1", status="first")
    second = _post(live_server, alice, "key-1", status="something else", visibility="direct")
    assert first.status_code == second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["content"] == "<p>first</p>"
    assert second.json()["account"]["statuses_count"] == 1


def test_keys_are_scoped_per_account(live_server: LiveServer, alice: User, bob: User) -> None:
    assert (
        _post(live_server, alice, "shared", status="a").json()["id"]
        != _post(live_server, bob, "shared", status="b").json()["id"]
    )


def test_a_failed_validation_consumes_no_key(live_server: LiveServer, alice: User) -> None:
    assert _post(live_server, alice, "retry-me", status="").status_code == 422
    ok = _post(live_server, alice, "retry-me", status="now valid")
    assert ok.status_code == 200 and ok.json()["content"] == "<p>now valid</p>"


def test_key_of_a_deleted_status_is_record_not_found(live_server: LiveServer, alice: User) -> None:
    status = _post(live_server, alice, "gone", status="x").json()
    with live_server.client(alice.token) as client:
        client.delete(f"/api/v1/statuses/{status['id']}")
    again = _post(live_server, alice, "gone", status="x")
    assert (again.status_code, again.json()) == (404, {"error": "Record not found"})


def test_32_concurrent_posts_with_one_key_create_one_status_and_all_get_it(
    live_server: LiveServer, alice: User
) -> None:
    async def fire() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            base_url=live_server.base_url,
            headers={"Authorization": f"Bearer {alice.token}", "Idempotency-Key": "race"},
            timeout=30,
            limits=httpx.Limits(max_connections=32),
        ) as client:
            return await asyncio.gather(
                *(
                    client.post("/api/v1/statuses", data={"status": f"attempt {i}"})
                    for i in range(32)
                )
            )

    responses = asyncio.run(fire())
    assert [r.status_code for r in responses] == [200] * 32
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 1
    with live_server.client() as client:
        status = client.get(f"/api/v1/statuses/{ids.pop()}").json()
    assert status["account"]["statuses_count"] == 1


def test_an_expired_key_names_a_new_status(directory: Directory, alice: User) -> None:
    settings = Publishing(TEST_URLS, idempotency_retention=0.2)
    first = publish(
        directory.write_model,
        settings,
        author=Author(alice.account_id),
        draft=Draft(text="one"),
        idempotency_key="short-lived",
    )
    again = publish(
        directory.write_model,
        settings,
        author=Author(alice.account_id),
        draft=Draft(text="two"),
        idempotency_key="short-lived",
    )
    assert again.id == first.id
    time.sleep(0.25)
    later = publish(
        directory.write_model,
        settings,
        author=Author(alice.account_id),
        draft=Draft(text="three"),
        idempotency_key="short-lived",
    )
    assert later.id != first.id


def test_a_live_key_wins_over_a_validation_error(live_server: LiveServer, alice: User) -> None:
    first = _post(live_server, alice, "then-invalid", status="valid")
    again = _post(live_server, alice, "then-invalid", status="", visibility="nonsense")
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])


def test_an_expired_key_does_not_hide_a_validation_error(directory: Directory, alice: User) -> None:
    settings = Publishing(TEST_URLS, idempotency_retention=0.2)
    publish(
        directory.write_model,
        settings,
        author=Author(alice.account_id),
        draft=Draft(text="one"),
        idempotency_key="expired-then-invalid",
    )
    time.sleep(0.25)
    with pytest.raises(ValidationFailed):
        publish(
            directory.write_model,
            settings,
            author=Author(alice.account_id),
            draft=Draft(text=""),
            idempotency_key="expired-then-invalid",
        )
