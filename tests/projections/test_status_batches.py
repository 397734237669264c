"""StatusBatches: the status reads of one event-loop turn go out as one query per viewer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from psycopg_pool import AsyncConnectionPool

from commands.accounts import register_account
from commands.app import TootlogApplication
from commands.statuses import Publishing, delete, publish
from domain.status import Author, Draft
from projections.queries import Queries
from projections.status_batches import StatusBatches
from projections.worker import ProjectionWorker
from tests.support import TEST_URLS


class Fixture:
    def __init__(self, url: str) -> None:
        worker = ProjectionWorker(url, TEST_URLS)
        worker.create_tables()
        app = TootlogApplication(url, pool_size=1)
        try:
            self.alice = register_account(app, "alice").id
            self.bob = register_account(app, "bob").id
            settings = Publishing(TEST_URLS)

            def post(text: str, visibility: str = "public") -> int:
                draft = Draft(text=text, visibility=visibility)
                return publish(app, settings, author=Author(self.alice), draft=draft).id

            self.public = [post(f"public {n}") for n in range(4)]
            self.direct = post("just for me", "direct")
            self.deleted = post("gone")
            delete(app, account_id=self.alice, status_id=self.deleted)
            worker.catch_up()
        finally:
            app.close()
            worker.close()


@pytest.fixture
def seeded(fresh_database_url: str) -> Iterator[tuple[str, Fixture]]:
    yield fresh_database_url, Fixture(fresh_database_url)


def run(url: str, read) -> object:  # noqa: ANN001
    async def main() -> object:
        async with AsyncConnectionPool(url, kwargs={"autocommit": True}) as pool:
            queries = Queries(pool)
            calls: list[tuple[list[int], int | None]] = []
            original = queries.statuses

            async def counted(ids: list[int], viewer: int | None) -> dict[int, str]:
                calls.append((sorted(ids), viewer))
                return await original(ids, viewer)

            queries.statuses = counted
            return await read(queries, StatusBatches(queries)), calls

    return asyncio.run(main())


def test_reads_of_one_turn_share_a_query_and_match_single_reads(
    seeded: tuple[str, Fixture],
) -> None:
    url, f = seeded

    async def read(queries: Queries, batches: StatusBatches) -> tuple[list, list]:
        ids = [*f.public, f.direct, f.deleted, 12345]
        batched = await asyncio.gather(*(batches.status(i, f.alice) for i in ids))
        single = [await queries.status(i, f.alice) for i in ids]
        return batched, single

    (batched, single), calls = run(url, read)
    assert calls == [(sorted([*f.public, f.direct, f.deleted, 12345]), f.alice)]
    assert batched == single
    assert all(batched[:5]) and batched[5:] == [None, None]  # deleted, missing


def test_each_viewer_gets_its_own_query_and_sees_only_what_it_may(
    seeded: tuple[str, Fixture],
) -> None:
    url, f = seeded

    async def read(queries: Queries, batches: StatusBatches) -> list:
        return await asyncio.gather(
            batches.status(f.direct, f.alice),
            batches.status(f.direct, f.bob),
            batches.status(f.public[0], None),
        )

    (own, others, anonymous), calls = run(url, read)
    assert sorted(calls, key=str) == sorted(
        [([f.direct], f.alice), ([f.direct], f.bob), ([f.public[0]], None)], key=str
    )
    assert own is not None and others is None
    assert anonymous is not None and '"favourited"' not in anonymous


def test_reads_of_later_turns_get_queries_of_their_own(seeded: tuple[str, Fixture]) -> None:
    url, f = seeded

    async def read(queries: Queries, batches: StatusBatches) -> list:
        return [await batches.status(i, f.alice) for i in f.public[:2]]

    docs, calls = run(url, read)
    assert all(docs) and calls == [([f.public[0]], f.alice), ([f.public[1]], f.alice)]
