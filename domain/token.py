"""Bearer tokens. Only a hash of the token is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.ids import derived_uuid


def new_token() -> str:
    """A fresh bearer token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token: tokens are high-entropy, so a fast hash is enough."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class AccessToken(Aggregate):
    """A token with its scopes, owned by an account (or only by an app)."""

    TOPIC = "tootlog.access_token"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.access_token.created.v1"

    @event("Issued", topic="tootlog.access_token.issued.v1")
    def __init__(
        self, token_hash: str, account_id: int | None, app_id: int | None, scopes: list[str]
    ) -> None:
        self.token_hash = token_hash
        self.account_id = account_id
        self.app_id = app_id
        self.scopes = scopes
        self.revoked = False

    @staticmethod
    def create_id(token_hash: str) -> UUID:
        return derived_uuid("token", token_hash)

    def revoke(self) -> None:
        """Revoke the token; later requests with it get 401."""
        self._revoked(token_hash=self.token_hash)

    @event("Revoked", topic="tootlog.access_token.revoked.v1")
    def _revoked(self, token_hash: str) -> None:
        self.revoked = True
