"""Focused regressions for bugs the stateful model test (test_social_model.py) found."""

from __future__ import annotations

import asyncio

import orjson
from psycopg_pool import AsyncConnectionPool

from projections.queries import Queries
from tests.support import Directory, LiveServer


def test_unfavourite_of_a_status_no_longer_visible_answers_200(
    live_server: LiveServer, directory: Directory
) -> None:
    # §6.11: a favourite on this exact id is removed without a visibility check, and the answer
    # is the status with favourited: false, even after the caller stopped following the author.
    author, fan = directory.users(2)
    with live_server.client(author.token) as a, live_server.client(fan.token) as f:
        assert f.post(f"/api/v1/accounts/{author.id}/follow").status_code == 200
        status = a.post("/api/v1/statuses", data={"status": "p", "visibility": "private"}).json()
        assert f.post(f"/api/v1/statuses/{status['id']}/favourite").status_code == 200
        assert f.post(f"/api/v1/accounts/{author.id}/unfollow").status_code == 200
        response = f.post(f"/api/v1/statuses/{status['id']}/unfavourite")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["id"], body["favourited"], body["favourites_count"]) == (
            status["id"],
            False,
            0,
        )
        # Still hidden everywhere else.
        assert f.get(f"/api/v1/statuses/{status['id']}").status_code == 404
        again = f.post(f"/api/v1/statuses/{status['id']}/unfavourite")
        assert (again.status_code, again.json()) == (404, {"error": "Not Found"})


def test_undo_named_by_a_wrapper_id_answers_with_the_flag_false(
    live_server: LiveServer, directory: Directory
) -> None:
    # §6.9 quirk: unreblog of a wrapper id undoes nothing and renders the wrapper with
    # reblogged: false; §6.11: unfavourite of an id without a favourite says favourited: false.
    author, booster = directory.users(2)
    with live_server.client(author.token) as a, live_server.client(booster.token) as b:
        status = a.post("/api/v1/statuses", data={"status": "boost me"}).json()
        wrapper = b.post(f"/api/v1/statuses/{status['id']}/reblog").json()
        assert b.post(f"/api/v1/statuses/{status['id']}/favourite").status_code == 200

        unreblogged = b.post(f"/api/v1/statuses/{wrapper['id']}/unreblog").json()
        assert (unreblogged["id"], unreblogged["reblogged"]) == (wrapper["id"], False)
        unfavourited = b.post(f"/api/v1/statuses/{wrapper['id']}/unfavourite").json()
        assert (unfavourited["id"], unfavourited["favourited"]) == (wrapper["id"], False)

        # Neither undid anything: the original is still boosted and favourited.
        original = b.get(f"/api/v1/statuses/{status['id']}").json()
        assert (original["reblogged"], original["reblogs_count"]) == (True, 1)
        assert (original["favourited"], original["favourites_count"]) == (True, 1)


def _reblog_answer(read_model_url: str, wrapper_id: str, viewer_id: int) -> dict | None:
    async def render() -> str | None:
        pool = AsyncConnectionPool(read_model_url, min_size=1, max_size=1, open=False)
        await pool.open()
        try:
            return await Queries(pool).status_reblogged(int(wrapper_id), viewer_id)
        finally:
            await pool.close()

    text = asyncio.run(render())
    return None if text is None else orjson.loads(text)


def test_reblog_answer_survives_the_callers_own_concurrent_unreblog(
    live_server: LiveServer, directory: Directory
) -> None:
    # A reblog racing the same caller's unreblog answered 404 when the unreblog was projected
    # before the reblog's answer was rendered. The reblog did happen: §6.8 answers 200 with
    # the wrapper. Here the unreblog lands, deterministically, before the answer is rendered.
    author, booster = directory.users(2)
    with live_server.client(author.token) as a, live_server.client(booster.token) as b:
        status = a.post("/api/v1/statuses", data={"status": "boost me"}).json()
        wrapper = b.post(f"/api/v1/statuses/{status['id']}/reblog").json()
        assert b.post(f"/api/v1/statuses/{status['id']}/unreblog").status_code == 200

        answer = _reblog_answer(live_server.read_model_url, wrapper["id"], booster.account_id)
        assert answer is not None
        assert (answer["id"], answer["reblog"]["id"]) == (wrapper["id"], status["id"])
        assert b.get(f"/api/v1/statuses/{wrapper['id']}").status_code == 404  # still undone

        # Once the original is gone there is nothing to answer with.
        assert a.delete(f"/api/v1/statuses/{status['id']}").status_code == 200
        assert _reblog_answer(live_server.read_model_url, wrapper["id"], booster.account_id) is None
