"""POST /oauth/token, POST /oauth/revoke, GET and POST /oauth/authorize (§8.2, §8.3)."""

from __future__ import annotations

import base64
import binascii
import time
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.authorize_page import code_page, consent_page, error_page
from api.params import Params, read_params
from api.responses import NO_STORE, token_response
from api.services import Services, services
from commands import oauth as commands
from commands.oauth import ClientCredentials
from domain.errors import InvalidCredentials, OAuthError
from domain.oauth import (
    OOB_REDIRECT_URI,
    AuthorizationRequest,
    check_authorization_request,
    missing_parameter,
    oauth_error,
    redirect_with,
)

BAD_CREDENTIALS = "Invalid e-mail address or password."


def text(params: Params, name: str) -> str:
    """A scalar OAuth parameter as text; structured values are an invalid_request."""
    value = params.raw(name)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    raise oauth_error("invalid_request")


def client_credentials(request: Request, params: Params) -> ClientCredentials:
    """HTTP Basic (RFC 6749 §2.3.1) when present, else client_id and client_secret params."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic" and value.strip():
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise oauth_error("invalid_client") from None
        client_id, _, secret = decoded.partition(":")
        return ClientCredentials(unquote(client_id), unquote(secret))
    return ClientCredentials(text(params, "client_id"), text(params, "client_secret"))


async def token(request: Request) -> Response:
    svc = services(request)
    params = await read_params(request, svc.settings.max_body_bytes)
    grant_type = text(params, "grant_type")
    credentials = client_credentials(request, params)
    if not grant_type:
        raise missing_parameter("grant_type")
    if grant_type == "authorization_code":
        issued = await svc.command(
            commands.grant_authorization_code,
            credentials,
            code=text(params, "code"),
            redirect_uri=text(params, "redirect_uri"),
            code_verifier=text(params, "code_verifier"),
            now=time.time(),
        )
    elif grant_type == "password":
        issued = await svc.password_command(
            commands.grant_password,
            credentials,
            text(params, "username"),
            text(params, "password"),
            text(params, "scope"),
        )
    elif grant_type == "client_credentials":
        issued = await svc.command(
            commands.grant_client_credentials, credentials, text(params, "scope")
        )
    else:
        raise oauth_error("unsupported_grant_type")
    return token_response(issued)


async def revoke(request: Request) -> Response:
    svc = services(request)
    params = await read_params(request, svc.settings.max_body_bytes)
    await svc.command(
        commands.revoke_access_token, client_credentials(request, params), text(params, "token")
    )
    return Response(b"{}", headers=NO_STORE, media_type="application/json; charset=utf-8")


def authorization_request(params: Params) -> AuthorizationRequest:
    return AuthorizationRequest(
        client_id=params.string("client_id") or "",
        redirect_uri=params.string("redirect_uri") or "",
        response_type=params.string("response_type") or "",
        scope=params.string("scope") or "",
        state=params.string("state") or "",
        code_challenge=params.string("code_challenge") or "",
        code_challenge_method=params.string("code_challenge_method") or "",
    )


def refuse(request: AuthorizationRequest, error: OAuthError) -> Response:
    """Send the error to the client when its redirect URI is known good, else show it."""
    if not error.redirectable or request.redirect_uri == OOB_REDIRECT_URI:
        return error_page(error)
    target = redirect_with(
        request.redirect_uri,
        {"error": error.error, "error_description": error.description, "state": request.state},
    )
    return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})


async def _checked(svc: Services, request: AuthorizationRequest) -> tuple[dict | None, list[str]]:
    """The app's document (read model) and the scopes the request may be granted."""
    app = await svc.queries.app_by_client_id(request.client_id) if request.client_id else None
    scopes = check_authorization_request(
        request,
        app["redirect_uris"] if app else None,
        app["scopes"] if app else None,
    )
    return app, scopes


async def authorize_page(request: Request) -> Response:
    svc = services(request)
    auth = authorization_request(await read_params(request, svc.settings.max_body_bytes))
    try:
        app, scopes = await _checked(svc, auth)
    except OAuthError as error:
        return refuse(auth, error)
    assert app is not None
    return consent_page(app["name"], scopes, auth)


async def approve(request: Request) -> Response:
    svc = services(request)
    params = await read_params(request, svc.settings.max_body_bytes)
    auth = authorization_request(params)
    email = params.string("email") or ""
    try:
        app, scopes = await _checked(svc, auth)
        if params.string("decision") == "deny":
            raise oauth_error("access_denied", redirectable=True)
        issued = await svc.password_command(
            commands.issue_authorization_code,
            auth,
            email=email,
            password=params.string("password") or "",
            now=time.time(),
        )
    except OAuthError as error:
        return refuse(auth, error)
    except InvalidCredentials:
        assert app is not None
        return consent_page(
            app["name"], scopes, auth, email=email, failure=BAD_CREDENTIALS, status=422
        )
    if auth.redirect_uri == OOB_REDIRECT_URI:
        return code_page(issued.code)
    target = redirect_with(auth.redirect_uri, {"code": issued.code, "state": auth.state})
    return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})


routes = [
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
    Route("/oauth/authorize", authorize_page, methods=["GET"]),
    Route("/oauth/authorize", approve, methods=["POST"]),
]
