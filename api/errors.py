"""Every failure becomes Mastodon's error JSON, mapped here and only here."""

from __future__ import annotations

import logging

import orjson
import psycopg
import psycopg_pool
from eventsourcing import persistence
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from domain import errors

log = logging.getLogger("tootlog.api")

NOT_FOUND = "Not Found"
INVALID_TOKEN = "The access token is invalid"
REVOKED_TOKEN = "The access token was revoked"
OUTSIDE_SCOPES = "This action is outside the authorized scopes"
USER_REQUIRED = "This method requires an authenticated user"
TEMPORARY = "There was a temporary problem serving your request, please try again"


class ApiError(Exception):
    """An HTTP error answer with Mastodon's body."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def unauthorized(message: str = INVALID_TOKEN) -> ApiError:
    challenge = f'Bearer realm="Doorkeeper", error="invalid_token", error_description="{message}"'
    return ApiError(401, message, {"WWW-Authenticate": challenge})


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps({"error": message}),
        status_code=status,
        headers={"Cache-Control": "private, no-store", **(headers or {})},
        media_type="application/json; charset=utf-8",
    )


def oauth_error_response(error: errors.OAuthError) -> Response:
    """RFC 6749 §5.2 body; an unknown client is 401 with a challenge, a foreign token 403."""
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if error.error == "invalid_client":
        status = 401
        headers["WWW-Authenticate"] = (
            f'Bearer realm="Doorkeeper", error="invalid_client", '
            f'error_description="{error.description}"'
        )
    elif error.error == "unauthorized_client":
        status = 403
    else:
        status = 400
    return Response(
        orjson.dumps({"error": error.error, "error_description": error.description}),
        status_code=status,
        headers=headers,
        media_type="application/json; charset=utf-8",
    )


def invalid_fields_response(error: errors.InvalidFields) -> Response:
    """Mastodon's ValidationErrorFormatter: the message plus each field's error codes."""
    details: dict[str, list[dict[str, str]]] = {}
    for field_error in error.errors:
        details.setdefault(field_error.field, []).append(
            {"error": f"ERR_{field_error.kind.upper()}", "description": field_error.description}
        )
    return Response(
        orjson.dumps({"error": f"Validation failed: {error}", "details": details}),
        status_code=422,
        headers={"Cache-Control": "private, no-store"},
        media_type="application/json; charset=utf-8",
    )


def _domain_error(error: errors.DomainError) -> tuple[int, str]:
    match error:
        case errors.ValidationFailed():
            return 422, f"Validation failed: {error}"
        case errors.Unprocessable():
            return 422, str(error)
        case errors.NotFound():
            return 404, NOT_FOUND
        case errors.RecordNotFound():
            return 404, "Record not found"
        case errors.ReplyTargetNotFound():
            return 404, "The post you are trying to reply to does not appear to exist."
        case errors.Forbidden():
            return 403, "This action is not allowed"
        case errors.DuplicateRecord():
            return 422, "Duplicate record"
        case errors.Conflict():
            return 503, TEMPORARY
        case errors.InvalidCredentials():
            return 422, "Invalid e-mail address or password."
    return 422, str(error)


async def handle_api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return error_response(error.status, error.message, error.headers)


async def handle_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, errors.DomainError)
    if isinstance(error, errors.OAuthError):
        return oauth_error_response(error)
    if isinstance(error, errors.InvalidFields):
        return invalid_fields_response(error)
    return error_response(*_domain_error(error))


async def handle_http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    # Rails answers any unrouted path or method with 404.
    if error.status_code in (404, 405):
        return error_response(404, NOT_FOUND)
    return error_response(error.status_code, str(error.detail))


async def handle_disconnect(request: Request, error: Exception) -> Response:
    # The client hung up before its body arrived: nothing was written and nobody listens.
    return Response(status_code=400)


async def handle_database_unavailable(request: Request, error: Exception) -> Response:
    """The database went away (restart, failover, a killed connection) or every pooled
    connection is busy: a retry is safe, and the pool replaces broken connections."""
    log.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
    return error_response(503, TEMPORARY, {"Retry-After": "1"})


async def handle_unexpected(request: Request, error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "Internal server error")


EXCEPTION_HANDLERS = {
    ApiError: handle_api_error,
    errors.DomainError: handle_domain_error,
    HTTPException: handle_http_exception,
    ClientDisconnect: handle_disconnect,
    psycopg.OperationalError: handle_database_unavailable,
    psycopg_pool.PoolTimeout: handle_database_unavailable,
    persistence.OperationalError: handle_database_unavailable,
    Exception: handle_unexpected,
}
