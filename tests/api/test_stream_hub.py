"""The streaming hub on the live read models, without HTTP: what a batch's range yields, and the
user stream keyed on the home feed rows rather than on the position alone."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import psycopg

from api.streaming.channels import channel
from api.streaming.hub import StreamHub
from api.streaming.subscriber import Subscriber
from commands.accounts import revoke_token
from domain.token import hash_token
from projections.queries import read_pool
from projections.schema import TRACKED_APPLICATION, TRACKING_TABLE
from projections.stream_reads import DELETE, EDIT, UPDATE, StreamReads
from tests.support import User


def position(read_model_url: str) -> int:
    with psycopg.connect(read_model_url) as conn:
        row = conn.execute(
            f"SELECT notification_id FROM {TRACKING_TABLE} WHERE application_name = %s",
            (TRACKED_APPLICATION,),
        ).fetchone()
    return row[0]


async def with_hub(database_url: str, read_model_url: str, scenario) -> None:  # noqa: ANN001
    """A hub reading the read models of `read_model_url` and the log of `database_url` (the
    same database unless TOOTLOG_TEST_READ_MODEL_DATABASE is set)."""
    pools = [read_pool(url, 1, 2) for url in (read_model_url, database_url)]
    for pool in pools:
        await pool.open(wait=True)
    try:
        await scenario(StreamHub(StreamReads(pools[0], events_pool=pools[1])))
    finally:
        for pool in pools:
            await pool.close()


def drain(subscriber: Subscriber) -> list[tuple[str, str]]:
    found = []
    while not subscriber.queue.empty():
        event = subscriber.queue.get_nowait()
        found.append((event.name, event.payload))
    return found


def test_a_range_yields_what_its_events_did_to_statuses_in_log_order(
    database_url: str, read_model_database_url: str, api, alice: User, bob: User, post
) -> None:
    before = position(read_model_database_url)
    created = post(alice, status="one")
    api.ok(api.call(alice, "PUT", f"/api/v1/statuses/{created['id']}", status="two"))
    boost = api.ok(api.act(bob, created["id"], "reblog"))
    api.ok(api.act(bob, created["id"], "unreblog"))
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{created['id']}"))
    after = position(read_model_database_url)

    async def scenario(hub: StreamHub) -> None:
        changes = await hub.reads.changes(before, after)
        status, wrapper = int(created["id"]), int(boost["id"])
        assert [(c.kind, c.status_id) for c in changes] == [
            (UPDATE, status),
            (EDIT, status),
            (UPDATE, wrapper),
            (DELETE, wrapper),
            (DELETE, status),
        ]
        positions = [c.position for c in changes]
        assert positions == sorted(positions) and before < positions[0] <= positions[-1] <= after
        assert await hub.reads.changes(after, after) == []
        rows = await hub.reads.statuses([status])
        assert rows[status].row.post.deleted  # a deleted row still routes its delete

    asyncio.run(with_hub(database_url, read_model_database_url, scenario))


@dataclass
class Announced:
    """The positions as the API's listener last heard them (the hub's input, set by hand)."""

    position: int
    feed_position: int


def test_user_stream_waits_for_the_home_feeds_and_sends_each_row_once(
    database_url: str, read_model_database_url: str, api, alice: User, bob: User, post
) -> None:
    """As if the feed projection had not committed yet: its rows are taken away and its
    position held back; no event. Once both are back, the event, and only once."""
    api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/follow"))
    before = position(read_model_database_url)
    created = post(alice, status="fanned out later")
    after = position(read_model_database_url)
    with psycopg.connect(read_model_database_url) as conn:
        held = conn.execute(
            "DELETE FROM tootlog_home_feed WHERE status_id = %s RETURNING *", (int(created["id"]),)
        ).fetchall()
    assert {row[0] for row in held} == {alice.account_id, bob.account_id}

    async def scenario(hub: StreamHub) -> None:
        hub.positions = Announced(after, before)  # type: ignore[assignment]
        listener = Subscriber(bob.account_id, "token-hash", ["read"])
        hub.connect(listener)
        hub.subscribe(listener, channel("user", {}))
        await hub.publish(before, after)
        assert drain(listener) == []
        assert int(created["id"]) in hub._pending  # noqa: SLF001 - still waiting for its fan-out
        with psycopg.connect(read_model_database_url) as conn:
            conn.cursor().executemany("INSERT INTO tootlog_home_feed VALUES (%s, %s, %s, %s)", held)
        await hub.publish(after, after)  # the rows are there, the position not yet: sent once
        [(name, payload)] = drain(listener)
        assert name == "update" and payload.startswith(f'{{"id":"{created["id"]}"')
        assert '"favourited":false' in payload  # rendered for bob
        assert hub._pending  # noqa: SLF001
        hub.positions.feed_position = after
        await hub.publish(after, after)
        assert drain(listener) == [] and not hub._pending  # noqa: SLF001

    asyncio.run(with_hub(database_url, read_model_database_url, scenario))


def test_revoked_tokens_are_found_and_their_connections_closed(
    database_url: str, read_model_database_url: str, directory, alice: User
) -> None:
    token = directory.token(alice.account_id, "read")
    directory.wait_for(revoke_token(directory.write_model, token).position)

    async def scenario(hub: StreamHub) -> None:
        live, dead = hash_token(alice.token), hash_token(token)
        assert await hub.reads.revoked([live, dead, "unknown"]) == [dead, "unknown"]
        kept, closed = Subscriber(1, live, ["read"]), Subscriber(1, dead, ["read"])
        for subscriber in (kept, closed):
            hub.connect(subscriber)
        hub.token_revoked(None)
        await asyncio.gather(*hub._checks)  # noqa: SLF001
        assert closed.closed and not kept.closed
        assert hub.connections == 1

    asyncio.run(with_hub(database_url, read_model_database_url, scenario))


def test_sse_connections_get_a_heartbeat_every_period_and_websockets_none(
    database_url: str, read_model_database_url: str
) -> None:
    async def scenario(hub: StreamHub) -> None:
        sse, websocket = Subscriber(1, "a", ["read"]), Subscriber(1, "b", ["read"])
        hub.connect(sse, heartbeats=True)
        hub.connect(websocket)
        hub.start_heartbeats()
        await asyncio.sleep(0.35)
        beats = [sse.queue.get_nowait().sse() for _ in range(sse.queue.qsize())]
        assert len(beats) >= 2 and set(beats) == {b":thump\n"}
        assert websocket.queue.empty()
        hub.disconnect(sse)
        await hub.stop()
        assert hub.connections == 0

    async def fast(hub: StreamHub) -> None:
        await scenario(StreamHub(hub.reads, heartbeat_seconds=0.1))

    asyncio.run(with_hub(database_url, read_model_database_url, fast))
