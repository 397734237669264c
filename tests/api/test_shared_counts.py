"""Rate-limit counts shared through PostgreSQL (api/shared_counts.py), several throttles in one
event loop standing for several API processes, on a real database."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from psycopg_pool import AsyncConnectionPool

from api.shared_counts import EXPIRE_SQL, SharedThrottle, create_table

LIMIT = 300


@asynccontextmanager
async def pool_of(url: str) -> AsyncIterator[AsyncConnectionPool]:
    pool = AsyncConnectionPool(url, min_size=1, max_size=2, kwargs={"autocommit": True}, open=False)
    await pool.open(wait=True)
    await create_table(pool)
    try:
        yield pool
    finally:
        await pool.close()


def test_two_throttles_admit_the_limit_and_little_more(fresh_database_url: str) -> None:
    async def hammer() -> int:
        async with pool_of(fresh_database_url) as one, pool_of(fresh_database_url) as two:
            throttles = [SharedThrottle(one, LIMIT, 300), SharedThrottle(two, LIMIT, 300)]
            for throttle in throttles:
                await throttle.start()
            admitted = 0
            for number in range(3 * LIMIT):
                if await throttles[number % 2].admit("token:t") <= LIMIT:
                    admitted += 1
                await asyncio.sleep(0.0002)  # requests arrive; the flushers run meanwhile
            for throttle in throttles:
                await throttle.stop()
            return admitted

    admitted = asyncio.run(hammer())
    print(f"two throttles, limit {LIMIT}: {admitted} admitted")
    assert LIMIT <= admitted <= LIMIT * 1.1
    with psycopg.connect(fresh_database_url) as conn:
        (total,) = conn.execute("SELECT n FROM tootlog_rate_counts").fetchone()
    # Every admitted request was sent; so was a refused one in flight as the limit was passed.
    assert admitted <= total <= admitted + 2


def test_a_throttle_keeps_counting_while_the_database_is_away(fresh_database_url: str) -> None:
    async def counted() -> list[int]:
        async with pool_of(fresh_database_url) as pool:
            throttle = SharedThrottle(pool, 5, 300)
            await pool.close()  # as good as an unreachable server: every send fails
            numbers = [await throttle.admit("ip:1") for _ in range(4)]
            await throttle.flush()
            numbers += [await throttle.admit("ip:1") for _ in range(3)]
            return numbers

    assert asyncio.run(counted()) == [1, 2, 3, 4, 5, 6, 6]


def test_ended_windows_are_deleted(fresh_database_url: str) -> None:
    async def count_in_an_old_window() -> None:
        async with pool_of(fresh_database_url) as pool:
            old = SharedThrottle(pool, 10, 300, clock=lambda: 1000.0)  # a window of 1970
            await old.admit("ip:1")
            await old.flush()
            current = SharedThrottle(pool, 10, 300)
            await current.admit("ip:1")
            await current.flush()

    asyncio.run(count_in_an_old_window())
    with psycopg.connect(fresh_database_url) as conn:
        assert conn.execute("SELECT count(*) FROM tootlog_rate_counts").fetchone() == (2,)
        conn.execute(EXPIRE_SQL)
        rows = conn.execute("SELECT window_number FROM tootlog_rate_counts").fetchall()
    assert rows == [(int(time.time() // 300),)]


def test_two_statuses_limits_publish_the_limit_and_little_more(fresh_database_url: str) -> None:
    """The statuses family (api/status_limit.py) with a limit large enough to be counted in the
    processes far from it: two processes publish no more than the limit plus their unsent
    slices, places given back are not counted, and what each counted reaches PostgreSQL."""
    from api.errors import ApiError
    from api.status_limit import StatusesLimit

    limit = 1000

    async def publish() -> tuple[int, int, int]:
        async with pool_of(fresh_database_url) as one, pool_of(fresh_database_url) as two:
            limits = [StatusesLimit(one, limit, 300), StatusesLimit(two, limit, 300)]
            for each in limits:
                await each.start()
            published = given_back = statements = 0
            for number in range(3 * limit):
                try:
                    async with limits[number % 2].place(7) as place:
                        statements += not place.counted_here
                        if number % 10 == 9:  # an idempotent retry: nothing recorded
                            given_back += 1
                        else:
                            place.recorded = True
                            published += 1
                except ApiError as refused:
                    assert refused.status == 429
                await asyncio.sleep(0.0002)
            for each in limits:
                await each.stop()
            return published, given_back, statements

    published, given_back, statements = asyncio.run(publish())
    print(f"two statuses limits of {limit}: {published} published, {statements} counted exactly")
    assert limit <= published <= limit + 4 * max(1, limit // 100)
    # Far from the limit the processes counted alone: a statement per status only near it.
    assert statements <= limit // 10 + 2 * 100 + 50
    with psycopg.connect(fresh_database_url) as conn:
        (total,) = conn.execute("SELECT n FROM tootlog_rate_counts").fetchone()
    assert total == published
