"""Use cases: register an account, issue a token."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from commands.app import TootlogApplication, retrying
from domain.account import Account, EmailAddress, Username, check_registration
from domain.errors import FieldError, InvalidFields, NotFound, ValidationFailed
from domain.ids import snowflakes
from domain.passwords import hash_password
from domain.scopes import invalid_scopes, parse_scopes
from domain.token import AccessToken, hash_token, new_token


@dataclass(frozen=True)
class Written:
    """What a command reports: the id it created and the position of its last event;
    `created` is False when it recorded nothing (an idempotent retry, an edit changing nothing)."""

    id: int
    position: int
    created: bool = field(default=True, kw_only=True)  # keyword-only: subclasses add fields


def register_account(
    app: TootlogApplication,
    username: str,
    *,
    email: str | None = None,
    password: str | None = None,
    display_name: str = "",
    locked: bool = False,
    with_account: Callable[[int], Iterable[Aggregate]] | None = None,
) -> Written:
    """Create an account whose username (and e-mail) no other account holds.

    `with_account(account_id)` gives aggregates to save in the same transaction (a token).
    """
    check_registration(username, email, display_name)
    password_hash = hash_password(password) if password else None

    def attempt() -> Written:
        taken = taken_problems(app, username, email)
        if taken:
            raise InvalidFields(taken)
        account = Account(
            account_id=snowflakes.next_id(),
            username=username,
            email=email,
            password_hash=password_hash,
            display_name=display_name,
            locked=locked,
        )
        claims: list[Aggregate] = [Username(username=username, account_id=account.account_id)]
        if email:
            claims.append(EmailAddress(email=email, account_id=account.account_id))
        if with_account is not None:
            claims.extend(with_account(account.account_id))
        recordings = app.save(account, *claims)
        return Written(account.account_id, recordings[-1].notification.id)

    return retrying(attempt)


def taken_problems(app: TootlogApplication, username: str, email: str | None) -> list[FieldError]:
    """The username and e-mail address that another account already holds."""
    problems = []
    if username and app.get_or_none(Username.create_id(username), Username) is not None:
        problems.append(FieldError("username", "taken", "Username", "has already been taken"))
    if email and app.get_or_none(EmailAddress.create_id(email), EmailAddress) is not None:
        problems.append(FieldError("email", "taken", "E-mail address", "has already been taken"))
    return problems


def account_id_for_username(app: TootlogApplication, username: str) -> int:
    """The id of the account holding `username` (case-insensitive)."""
    claim = app.get_or_none(Username.create_id(username), Username)
    if claim is None:
        raise NotFound
    return claim.account_id


def issue_token(
    app: TootlogApplication, account_id: int | None, scopes: str, app_id: int | None = None
) -> tuple[str, Written]:
    """A new bearer token; only its hash is stored."""
    granted = parse_scopes(scopes) or ["read"]
    unknown = invalid_scopes(granted)
    if unknown:
        raise ValidationFailed(f"Scopes {' '.join(unknown)} are not valid")
    token = new_token()
    record = AccessToken(
        token_hash=hash_token(token), account_id=account_id, app_id=app_id, scopes=granted
    )
    try:
        recordings = app.save(record)
    except IntegrityError:  # 256 random bits colliding means something is badly wrong
        raise RuntimeError("token collision") from None
    return token, Written(account_id or 0, recordings[-1].notification.id)


def revoke_token(app: TootlogApplication, token: str) -> Written:
    """Revoke a token; revoking twice is harmless."""

    def attempt() -> Written:
        record = app.get_or_none(AccessToken.create_id(hash_token(token)), AccessToken)
        if record is None:
            raise NotFound
        if not record.revoked:
            record.revoke()
        recordings = app.save(record)
        position = recordings[-1].notification.id if recordings else app.last_position()
        return Written(record.account_id or 0, position)

    return retrying(attempt)
