"""The card worker's settings, from the environment (documented in README.md)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from api.cards.addresses import AllowList
from api.cards.fetch import FetchPolicy
from domain.urls import Urls

DEFAULT_PERIOD = 24 * 3600.0


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    return float(raw) if raw else default


def _names(raw: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in raw.split(",") if part.strip())


@dataclass(frozen=True)
class CardSettings:
    """Whether and how link preview cards are fetched."""

    enabled: bool = True
    allowed: AllowList = AllowList()
    period: float = DEFAULT_PERIOD  # one fetch per URL per period; older statuses get no card
    html_providers: frozenset[str] = frozenset()  # oEmbed hosts whose iframe `html` is kept
    deadline: float = 10.0  # seconds for one fetch, redirects and body included
    concurrency: int = 8  # fetches at once
    per_host: int = 2  # fetches at once to one host

    @classmethod
    def from_env(cls) -> CardSettings:
        return cls(
            enabled=os.environ.get("TOOTLOG_CARDS", "1").strip().lower()
            not in ("0", "false", "no", "off"),
            allowed=AllowList.parse(os.environ.get("TOOTLOG_CARD_ALLOWED_HOSTS", "")),
            period=_number("TOOTLOG_CARD_PERIOD", DEFAULT_PERIOD),
            html_providers=_names(os.environ.get("TOOTLOG_CARD_OEMBED_PROVIDERS", "")),
            deadline=_number("TOOTLOG_CARD_TIMEOUT", 10.0),
            concurrency=max(1, int(_number("TOOTLOG_CARD_CONCURRENCY", 8))),
        )

    def policy(self, urls: Urls) -> FetchPolicy:
        """The fetch limits, with a User-Agent naming tootlog and this instance."""
        step = min(5.0, self.deadline)
        return FetchPolicy(
            allowed=self.allowed,
            user_agent=f"tootlog (+{urls.base}/) Bot",
            connect_timeout=step,
            read_timeout=step,
            deadline=self.deadline,
        )
