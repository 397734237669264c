"""Use case: sign up through an app (POST /api/v1/accounts), Mastodon's AppSignUpService."""

from __future__ import annotations

from commands.accounts import register_account, taken_problems
from commands.app import TootlogApplication
from commands.oauth import IssuedToken, issued, new_access_token
from domain.errors import Forbidden, InvalidFields
from domain.oauth import OAuthApp
from domain.registration import sign_up_problems
from domain.token import AccessToken


def sign_up(
    app: TootlogApplication,
    *,
    app_id: int | None,
    username: str,
    email: str,
    password: str,
    agreement: object,
    locale: str,
) -> IssuedToken:
    """Create an account and, in the same transaction, a token for it with the app's scopes."""
    client = app.get_or_none(OAuthApp.create_id(app_id), OAuthApp) if app_id else None
    if client is None:  # a token from the command line belongs to no app
        raise Forbidden
    problems = sign_up_problems(username, email, password, agreement, locale)
    problems += taken_problems(app, username, email)
    if problems:
        raise InvalidFields(problems)
    token_holder: list[tuple[str, AccessToken]] = []

    def with_account(account_id: int) -> list[AccessToken]:
        token_holder[:] = [new_access_token(account_id, client.app_id, list(client.scopes))]
        return [token_holder[0][1]]

    written = register_account(
        app, username, email=email, password=password, with_account=with_account
    )
    token, record = token_holder[0]
    return issued(token, record, written.position)
