"""Use cases of OAuth (§8.1-§8.3): register an app, issue authorization codes and tokens, revoke
tokens. Clients, codes and users are checked against aggregates, never against a read model."""

from __future__ import annotations

from dataclasses import dataclass

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from domain.account import Account, EmailAddress
from domain.errors import InvalidCredentials
from domain.ids import snowflakes
from domain.oauth import (
    AuthorizationCode,
    AuthorizationRequest,
    ClientId,
    OAuthApp,
    check_app,
    check_authorization_request,
    missing_parameter,
    new_secret,
    oauth_error,
)
from domain.passwords import verify_password
from domain.token import AccessToken, hash_token, new_token


@dataclass(frozen=True)
class ClientCredentials:
    """What a client presented: from the body, or from HTTP Basic."""

    client_id: str = ""
    client_secret: str = ""


@dataclass(frozen=True)
class RegisteredApp(Written):
    """A new app; its secret exists only in this answer (the store keeps a hash)."""

    client_id: str = ""
    client_secret: str = ""


@dataclass(frozen=True)
class IssuedToken(Written):
    """A new bearer token (id: the account, 0 for an app-only token)."""

    token: str = ""
    scopes: tuple[str, ...] = ()
    created_at: int = 0


@dataclass(frozen=True)
class IssuedCode(Written):
    """A new authorization code (id: the account that approved it)."""

    code: str = ""


def register_app(
    app: TootlogApplication,
    *,
    name: str,
    redirect_uris: list[str],
    scopes: list[str],
    website: str | None,
) -> RegisteredApp:
    """Register a client application, findable by its client_id."""
    check_app(name, redirect_uris, scopes, website)
    client_secret = new_secret()

    def attempt() -> RegisteredApp:
        client = OAuthApp(
            app_id=snowflakes.next_id(),
            name=name,
            website=website or None,
            redirect_uris=redirect_uris,
            scopes=scopes,
            client_id=new_secret(),
            client_secret_hash=hash_token(client_secret),
        )
        index = ClientId(client_id=client.client_id, app_id=client.app_id)
        recordings = app.save(client, index)
        return RegisteredApp(
            client.app_id, recordings[-1].notification.id, client.client_id, client_secret
        )

    return retrying(attempt)


def find_app(app: TootlogApplication, client_id: str) -> OAuthApp | None:
    """The app with this client_id, through the ClientId index."""
    if not client_id:
        return None
    index = app.get_or_none(ClientId.create_id(client_id), ClientId)
    return app.get_or_none(OAuthApp.create_id(index.app_id), OAuthApp) if index else None


def authenticate_client(app: TootlogApplication, credentials: ClientCredentials) -> OAuthApp:
    """The app whose id and secret were presented, else invalid_client."""
    client = find_app(app, credentials.client_id)
    if client is None or not client.authenticates(credentials.client_secret):
        raise oauth_error("invalid_client")
    return client


def authenticate_user(app: TootlogApplication, email: str, password: str) -> int:
    """The id of the account with this e-mail address and password, else InvalidCredentials."""
    claim = app.get_or_none(EmailAddress.create_id(email), EmailAddress) if email else None
    account = app.get_or_none(Account.create_id(claim.account_id), Account) if claim else None
    if not verify_password(account.password_hash if account else None, password or ""):
        raise InvalidCredentials
    assert account is not None
    return account.account_id


def new_access_token(
    account_id: int | None, app_id: int | None, scopes: list[str]
) -> tuple[str, AccessToken]:
    """A fresh token and the aggregate that records its hash."""
    token = new_token()
    record = AccessToken(
        token_hash=hash_token(token), account_id=account_id, app_id=app_id, scopes=scopes
    )
    return token, record


def issued(token: str, record: AccessToken, position: int) -> IssuedToken:
    return IssuedToken(
        record.account_id or 0,
        position,
        token,
        tuple(record.scopes),
        int(record.created_on.timestamp()),
    )


def grant_client_credentials(
    app: TootlogApplication, credentials: ClientCredentials, scope: str
) -> IssuedToken:
    """An app-only token (no user) with a subset of the app's scopes."""
    client = authenticate_client(app, credentials)
    token, record = new_access_token(None, client.app_id, client.grantable(scope))
    return issued(token, record, app.save(record)[-1].notification.id)


def grant_password(
    app: TootlogApplication, credentials: ClientCredentials, email: str, password: str, scope: str
) -> IssuedToken:
    """A user token for the e-mail address and password (the grant Mastodon ≤ 4.3 serves)."""
    client = authenticate_client(app, credentials)
    try:
        account_id = authenticate_user(app, email, password)
    except InvalidCredentials:
        raise oauth_error("invalid_grant") from None
    token, record = new_access_token(account_id, client.app_id, client.grantable(scope))
    return issued(token, record, app.save(record)[-1].notification.id)


def grant_authorization_code(
    app: TootlogApplication,
    credentials: ClientCredentials,
    *,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    now: float,
) -> IssuedToken:
    """Exchange a code for a token, exactly once, in Doorkeeper's order of checks."""
    if not code:
        raise missing_parameter("code")
    code_id = AuthorizationCode.create_id(hash_token(code))

    def attempt() -> IssuedToken:
        grant = app.get_or_none(code_id, AuthorizationCode)
        if grant is not None and grant.uses_pkce and not code_verifier:
            raise missing_parameter("code_verifier")
        if not redirect_uri:
            raise missing_parameter("redirect_uri")
        client = authenticate_client(app, credentials)
        if grant is None:
            raise oauth_error("invalid_grant")
        grant.check_redeemable(
            app_id=client.app_id, redirect_uri=redirect_uri, code_verifier=code_verifier, now=now
        )
        token, record = new_access_token(grant.account_id, client.app_id, grant.scopes)
        grant.redeem(token_hash=record.token_hash)
        # A concurrent redemption makes this save fail; the retry then finds the code spent.
        recordings = app.save(grant, record)
        return issued(token, record, recordings[-1].notification.id)

    return retrying(attempt)


def issue_authorization_code(
    app: TootlogApplication,
    request: AuthorizationRequest,
    *,
    email: str,
    password: str,
    now: float,
) -> IssuedCode:
    """The user approved the request on the authorize page: a code for the client."""
    client = find_app(app, request.client_id)
    scopes = check_authorization_request(
        request,
        client.redirect_uris if client else None,
        client.scopes if client else None,
    )
    assert client is not None
    account_id = authenticate_user(app, email, password)
    code = new_secret()
    grant = AuthorizationCode(
        code_hash=hash_token(code),
        app_id=client.app_id,
        account_id=account_id,
        redirect_uri=request.redirect_uri,
        scopes=scopes,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method if request.code_challenge else "",
        issued_at=now,
    )
    recordings = app.save(grant)
    return IssuedCode(account_id, recordings[-1].notification.id, code)


def revoke_access_token(
    app: TootlogApplication, credentials: ClientCredentials, token: str
) -> Written:
    """Revoke a token the client may revoke (RFC 7009); an unknown token is already gone."""
    client = find_app(app, credentials.client_id)
    if client is None or not client.authenticates(credentials.client_secret):
        raise oauth_error("unauthorized_client")
    token_id = AccessToken.create_id(hash_token(token)) if token else None

    def attempt() -> Written:
        record = app.get_or_none(token_id, AccessToken) if token_id else None
        if record is None:
            return Written(0, 0)
        # Doorkeeper: a token issued to no app (ours: from the command line) is anyone's to revoke.
        if record.app_id is not None and record.app_id != client.app_id:
            raise oauth_error("unauthorized_client")
        if not record.revoked:
            record.revoke()
        recordings = app.save(record)
        position = recordings[-1].notification.id if recordings else app.last_position()
        return Written(record.account_id or 0, position)

    return retrying(attempt)
