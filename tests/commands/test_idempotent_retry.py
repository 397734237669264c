"""A client's retry with an Idempotency-Key this process has seen is answered without the event
store: no attempt to create the key (which failed, and under group commit failed the whole
batch it shared), no load of the key or the status."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from commands.accounts import register_account
from commands.app import TootlogApplication
from commands.recent_keys import KeyUse, RecentKeys
from commands.statuses import Publishing, publish
from domain.status import Author, Draft
from tests.support import TEST_URLS


@pytest.fixture
def app(fresh_database_url: str) -> Iterator[TootlogApplication]:
    app = TootlogApplication(fresh_database_url, pool_size=2)
    yield app
    app.close()


class StoreUse:
    """Counts the event-store calls a command makes (the real store still answers them)."""

    def __init__(self, app: TootlogApplication, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        for owner, name in ((app.repository, "get"), (app, "save"), (app, "last_position")):
            real = getattr(owner, name)
            monkeypatch.setattr(owner, name, self._counting(name, real))

    def _counting(self, name: str, real):  # noqa: ANN001, ANN202
        def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            self.calls.append(name)
            return real(*args, **kwargs)

        return counted


def post(app: TootlogApplication, author: Author, recent: RecentKeys, **settings: float):  # noqa: ANN201
    return publish(
        app,
        Publishing(TEST_URLS, **settings),
        author=author,
        draft=Draft(text="hello"),
        idempotency_key="retry-1",
        recent_keys=recent,
    )


def test_a_retry_with_a_key_this_process_used_touches_no_event_store(
    app: TootlogApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = Author(register_account(app, "alice").id)
    recent = RecentKeys()
    first = post(app, author, recent)
    store = StoreUse(app, monkeypatch)
    retries = [post(app, author, recent) for _ in range(3)]
    assert {r.id for r in retries} == {first.id}
    assert store.calls == []


def test_a_key_used_by_another_process_is_looked_up_once_then_remembered(
    app: TootlogApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    author = Author(register_account(app, "bob").id)
    first = post(app, author, RecentKeys())  # another process
    here = RecentKeys()
    store = StoreUse(app, monkeypatch)
    assert post(app, author, here).id == first.id
    looked_up = len(store.calls)
    assert post(app, author, here).id == first.id
    assert looked_up > 0 and len(store.calls) == looked_up


def test_an_expired_key_names_a_new_status(app: TootlogApplication) -> None:
    author = Author(register_account(app, "carol").id)
    recent = RecentKeys()
    first = post(app, author, recent, idempotency_retention=0.0)
    assert post(app, author, recent, idempotency_retention=0.0).id != first.id


def test_the_memory_of_keys_is_bounded() -> None:
    recent = RecentKeys(capacity=2)
    for n in range(3):
        recent.remember(1, f"k{n}", KeyUse(n, used_at=100.0, position=n))
    assert recent.live(1, "k0", 100.0, 10.0) is None
    assert recent.live(1, "k2", 100.0, 10.0) == KeyUse(2, 100.0, 2)
