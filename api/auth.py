"""Bearer tokens and scopes, with Mastodon's distinction between unknown and revoked tokens."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.types import Scope

from api.errors import OUTSIDE_SCOPES, REVOKED_TOKEN, USER_REQUIRED, ApiError, unauthorized
from domain.account import default_visibility
from domain.scopes import allows
from domain.status import Author
from domain.token import hash_token
from projections.queries import Queries
from projections.token_reads import TokenRow


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking: a token row (user or app-only), or nobody."""

    token: TokenRow | None = None
    presented: bool = False  # a token string was sent, even if unknown

    @property
    def account_id(self) -> int | None:
        """The user's account id; None for anonymous and app-only tokens."""
        return self.token.account_id if self.token else None

    def as_author(self) -> Author:
        """The facts publishing needs about the user (from the token's read-model row)."""
        assert self.token is not None and self.token.account_id is not None
        return Author(
            self.token.account_id, default_visibility=default_visibility(self.token.account_locked)
        )


def bearer_token(request: Request) -> str | None:
    return presented_token(request.scope)


def presented_token(scope: Scope) -> str | None:
    """`Authorization: Bearer <token>`, else the `access_token` parameter (as Doorkeeper)."""
    for name, raw in scope["headers"]:
        if name == b"authorization":
            scheme, _, value = raw.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                return value.strip()
            break
    if b"access_token" not in scope.get("query_string", b""):
        return None
    return QueryParams(scope["query_string"]).get("access_token") or None


async def resolve_viewer(request: Request, queries: Queries) -> Viewer:
    token = bearer_token(request)
    if token is None:
        return Viewer()
    return Viewer(await queries.token(hash_token(token)), presented=True)


def check_optional(viewer: Viewer, accepted: Iterable[str]) -> None:
    """Optional-auth endpoints: unknown token = anonymous; revoked = 401; missing scope = 403."""
    if viewer.token is None:
        return
    if viewer.token.revoked:
        raise unauthorized(REVOKED_TOKEN)
    if not allows(viewer.token.scopes, accepted):
        raise ApiError(403, OUTSIDE_SCOPES)


def check_token(viewer: Viewer, accepted: Iterable[str]) -> TokenRow:
    """Endpoints that need a token but no user (an app-only token will do): 401, then 403."""
    if viewer.token is None:
        raise unauthorized()
    check_optional(viewer, accepted)
    return viewer.token


def check_user(viewer: Viewer, accepted: Iterable[str]) -> int:
    """Required-auth endpoints: 401, 403, then 422 for app-only tokens; returns the account id."""
    if viewer.token is None:
        raise unauthorized()
    check_optional(viewer, accepted)
    if viewer.account_id is None:
        raise ApiError(422, USER_REQUIRED)
    return viewer.account_id
