"""Group commit: concurrent saves share transactions, and a conflict fails only its own save."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from eventsourcing.persistence import IntegrityError

from commands.app import TootlogApplication
from domain.account import Username


@pytest.fixture
def grouped(fresh_database_url: str) -> Iterator[TootlogApplication]:
    app = TootlogApplication(fresh_database_url, pool_size=2, group_commit=True)
    yield app
    app.close()


def test_concurrent_saves_all_land_with_their_own_positions(grouped: TootlogApplication) -> None:
    positions: dict[int, int] = {}

    def claim(n: int) -> None:
        positions[n] = grouped.save(Username(username=f"user{n}", account_id=n))[-1].notification.id

    threads = [threading.Thread(target=claim, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(positions.values())) == 40
    for n in range(40):
        assert grouped.get_or_none(Username.create_id(f"user{n}"), Username).account_id == n


def test_a_conflicting_save_fails_alone(grouped: TootlogApplication) -> None:
    results: dict[str, object] = {}
    barrier = threading.Barrier(6)

    def claim(name: str, account_id: int) -> None:
        barrier.wait()
        try:
            grouped.save(Username(username=name, account_id=account_id))
            results[f"{name}-{account_id}"] = "saved"
        except IntegrityError:
            results[f"{name}-{account_id}"] = "conflict"

    jobs = [("same", 1), ("same", 2), ("a", 3), ("b", 4), ("c", 5), ("d", 6)]
    threads = [threading.Thread(target=claim, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted([results["same-1"], results["same-2"]]) == ["conflict", "saved"]
    assert [results[k] for k in ("a-3", "b-4", "c-5", "d-6")] == ["saved"] * 4
