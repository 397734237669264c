"""The Idempotency-Key index aggregate (§6.6 step 5)."""

from __future__ import annotations

from domain.idempotency import IdempotencyKey


def test_key_names_its_status_until_it_expires_then_can_be_reused() -> None:
    key = IdempotencyKey(account_id=1, key="k", status_id=100, used_at=1000.0)
    assert key.live_status_id(now=1000.0 + 3599, retention=3600) == 100
    assert key.live_status_id(now=1000.0 + 3600, retention=3600) is None
    key.use_again(status_id=200, used_at=5000.0)
    assert key.live_status_id(now=5001.0, retention=3600) == 200
    assert [type(e).__name__ for e in key.collect_events()] == ["Used", "Reused"]


def test_keys_are_per_account() -> None:
    assert IdempotencyKey.create_id(1, "k") != IdempotencyKey.create_id(2, "k")
    assert IdempotencyKey.create_id(1, "k") == IdempotencyKey.create_id(1, "k")
