"""Building blocks of the OpenAPI document: schema shorthands, shared parameters, headers and
responses, the security schemes, and `operation()`, which every path module uses."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from api.params import RAILS_FALSE
from domain.scopes import VALID_SCOPES

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
COUNT: Schema = {"type": "integer", "minimum": 0}
URL: Schema = {"type": "string", "format": "uri"}
NULL: Schema = {"type": "null"}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: Schema) -> Schema:
    """`schema` or null."""
    if set(schema) == {"type"} and isinstance(schema["type"], str):
        return {"type": [schema["type"], "null"]}
    return {"anyOf": [schema, NULL]}


def array(items: Schema, **keywords: Any) -> Schema:
    return {"type": "array", "items": items, **keywords}


def closed(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with every key of `required`, any of `optional`, and no other key."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }


# Parameters

RAILS_BOOLEAN: Schema = {
    "type": ["boolean", "string", "integer"],
    "description": "A Rails boolean: false, 0 and the strings "
    + ", ".join(f"`{word}`" for word in sorted(RAILS_FALSE))
    + " are false; an empty string is not given; anything else is true.",
}
ID_PARAMETER: Schema = {"type": "string", "description": "A decimal id; junk finds nothing."}


def limit_parameter(default: int, maximum: int) -> Schema:
    return {
        "name": "limit",
        "in": "query",
        "description": f"Page size: min(|limit|, {maximum}); junk or 0 gives an empty page.",
        "schema": {"type": "string", "pattern": r"^\s*-?[0-9]*\s*$", "default": str(default)},
    }


PARAMETERS: dict[str, Schema] = {
    "Id": {"name": "id", "in": "path", "required": True, "schema": ID_PARAMETER},
    "MaxId": {
        "name": "max_id",
        "in": "query",
        "description": "Only items older than this cursor (exclusive).",
        "schema": ID_PARAMETER,
    },
    "SinceId": {
        "name": "since_id",
        "in": "query",
        "description": "The newest items newer than this cursor (exclusive).",
        "schema": ID_PARAMETER,
    },
    "MinId": {
        "name": "min_id",
        "in": "query",
        "description": "The items just newer than this cursor (exclusive), still newest first.",
        "schema": ID_PARAMETER,
    },
    "IdempotencyKey": {
        "name": "Idempotency-Key",
        "in": "header",
        "description": "Requests with the same key by the same account within the retention "
        "(3600 s by default) create one status and all answer with it, also when concurrent. "
        "At most 255 bytes (422 `Idempotency-Key is too long (maximum is 255 bytes)`).",
        "schema": {**STRING, "maxLength": 255},
    },
}


def parameter(name: str) -> Schema:
    return {"$ref": f"#/components/parameters/{name}"}


def pagination(default: int, maximum: int) -> list[Schema]:
    return [
        limit_parameter(default, maximum),
        parameter("MaxId"),
        parameter("SinceId"),
        parameter("MinId"),
    ]


def query(name: str, schema: Schema, description: str, *, required: bool = False) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema,
    }


def array_query(name: str, item: Schema, description: str) -> Schema:
    """A query array as Rails reads it: `name[]=a&name[]=b`."""
    return {
        "name": f"{name}[]",
        "in": "query",
        "description": description,
        "schema": array(item),
        "style": "form",
        "explode": True,
    }


# Headers

_RESET_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$"
HEADERS: dict[str, Schema] = {
    "X-RateLimit-Limit": {
        "description": "Requests allowed per window (on every answer while the throttle is on).",
        "schema": {"type": "string", "pattern": r"^[0-9]+$"},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in this window for this token (or client address).",
        "schema": {"type": "string", "pattern": r"^[0-9]+$"},
    },
    "X-RateLimit-Reset": {
        "description": "When the window ends (ISO 8601, microseconds, UTC).",
        "schema": {"type": "string", "pattern": _RESET_PATTERN},
    },
    "Link": {
        "description": 'Pagination: `<url?max_id=...>; rel="next"` (only for a full page) '
        'first, then `<url?since_id=...>; rel="prev"` (`min_id` for an account\'s statuses); '
        "both keep `limit` and the list's filters; absent for an empty page.",
        "schema": {
            "type": "string",
            "pattern": r'^<https?://[^>]+>; rel="(next|prev)"(, <https?://[^>]+>; rel="prev")?$',
        },
    },
    "WWW-Authenticate": {
        "description": "Doorkeeper's bearer challenge.",
        "schema": {"type": "string", "pattern": r'^Bearer realm="Doorkeeper", error="'},
    },
    "Deprecation": {
        "description": "The date this endpoint was deprecated, as an RFC 9745 timestamp.",
        "schema": {"type": "string", "pattern": r"^@[0-9]+$"},
    },
    "Location": {"description": "Where the browser goes next.", "schema": URL},
    "ETag": {"description": "Validator for If-None-Match.", "schema": STRING},
}
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def headers(*names: str, throttled: bool = True) -> dict[str, Schema]:
    """References to shared headers, after the rate-limit headers every throttled answer
    carries."""
    listed = (*RATE_LIMIT_HEADERS, *names) if throttled else names
    return {name: {"$ref": f"#/components/headers/{name}"} for name in listed}


# Responses

JSON = "application/json"
HTML = "text/html"


def json_body(schema: Schema, description: str, *extra_headers: str) -> Schema:
    return {
        "description": description,
        "headers": headers(*extra_headers),
        "content": {JSON: {"schema": schema}},
    }


def ok(schema: Schema, description: str, *extra_headers: str) -> dict[str, Schema]:
    return {"200": json_body(schema, description, *extra_headers)}


def html_page(description: str) -> Schema:
    return {
        "description": description,
        "headers": headers(),
        "content": {HTML: {"schema": STRING}},
    }


def _error(description: str, schema: Schema | None = None, *extra_headers: str) -> Schema:
    return json_body(schema or ref("Error"), description, *extra_headers)


RESPONSES: dict[str, Schema] = {
    "BadRequest": _error(
        "Malformed parameters: a body that is not valid JSON, form or multipart, NUL "
        "characters, invalid UTF-8."
    ),
    "Unauthorized": _error(
        "No token, an unknown token (where one is required), or a revoked token.",
        None,
        "WWW-Authenticate",
    ),
    "Forbidden": _error(
        "The token has none of the accepted scopes (`This action is outside the authorized "
        "scopes`), or the policy forbids the action (`This action is not allowed`)."
    ),
    "NotFound": _error("Missing, deleted or not visible to the viewer; one body for all three."),
    "PayloadTooLarge": _error("The request body is larger than the server accepts."),
    "Unprocessable": _error(
        "`This method requires an authenticated user` for an app-only token, `Validation "
        "failed: ...` for a model rule, or a service's own message (media checks)."
    ),
    "TooManyRequests": _error("The throttle's window is spent; retry after X-RateLimit-Reset."),
    "Unavailable": _error(
        "The write is recorded but not readable yet (retrying is safe), or it lost too many "
        "concurrent races."
    ),
    "OAuthBadRequest": _error(
        "An OAuth refusal (RFC 6749 §5.2), or malformed parameters.",
        {"oneOf": [ref("OAuthError"), ref("Error")]},
    ),
    "OAuthUnauthorized": _error(
        "`invalid_client`: an unknown client, a wrong secret, or malformed HTTP Basic credentials.",
        ref("OAuthError"),
        "WWW-Authenticate",
    ),
    "OAuthForbidden": _error(
        "`unauthorized_client`: the client is unknown, its secret is wrong, or the token "
        "belongs to another client.",
        ref("OAuthError"),
    ),
}
_ERROR_RESPONSES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    413: "PayloadTooLarge",
    422: "Unprocessable",
    429: "TooManyRequests",
    503: "Unavailable",
}


def errors(*statuses: int) -> dict[str, Schema]:
    """The shared error answers for these statuses."""
    return {
        str(status): {"$ref": f"#/components/responses/{_ERROR_RESPONSES[status]}"}
        for status in statuses
    }


# Request bodies


def form_or_json(
    fields: dict[str, Schema],
    *,
    arrays: dict[str, Schema] | None = None,
    required: Sequence[str] = (),
) -> Schema:
    """The same parameters as a form or a JSON object (the query string works as well).

    `arrays` are sent as repeated `name[]` fields in a form and as JSON arrays. Unknown keys
    are ignored, so neither body is closed.
    """
    arrays = arrays or {}
    json_schema: Schema = {
        "type": "object",
        "properties": {**fields, **{name: array(item) for name, item in arrays.items()}},
    }
    form_arrays = {f"{name}[]": array(item) for name, item in arrays.items()}
    form_schema: Schema = {"type": "object", "properties": {**fields, **form_arrays}}
    if required:
        json_schema["required"] = form_schema["required"] = list(required)
    form: Schema = {"schema": form_schema}
    if form_arrays:
        form["encoding"] = {name: {"style": "form", "explode": True} for name in form_arrays}
    return {
        "required": False,
        "content": {JSON: {"schema": json_schema}, "application/x-www-form-urlencoded": form},
    }


BINARY: Schema = {"type": "string", "contentMediaType": "application/octet-stream"}


def with_multipart(body: Schema, fields: dict[str, Schema]) -> Schema:
    """`body`, also accepted as multipart/form-data with these fields (files among them)."""
    multipart = {"schema": {"type": "object", "properties": fields}}
    return {**body, "content": {**body["content"], "multipart/form-data": multipart}}


# Security

OAUTH2 = "OAuth2"
CLIENT_BASIC = "ClientBasic"
METRICS_TOKEN = "MetricsToken"


def security_schemes(base_url: str) -> dict[str, Schema]:
    scopes = {scope: scope for scope in sorted(VALID_SCOPES)}
    return {
        OAUTH2: {
            "type": "oauth2",
            "description": "Send the token as `Authorization: Bearer <token>` (or as the "
            "`access_token` query parameter). An operation accepts a token with any one of "
            "the scopes it lists; `read` is never expanded to `read:*`.",
            "flows": {
                "authorizationCode": {
                    "authorizationUrl": f"{base_url}/oauth/authorize",
                    "tokenUrl": f"{base_url}/oauth/token",
                    "scopes": scopes,
                },
                "password": {"tokenUrl": f"{base_url}/oauth/token", "scopes": scopes},
                "clientCredentials": {"tokenUrl": f"{base_url}/oauth/token", "scopes": scopes},
            },
        },
        CLIENT_BASIC: {
            "type": "http",
            "scheme": "basic",
            "description": "Client authentication by HTTP Basic (RFC 6749 §2.3.1), instead of "
            "client_id and client_secret parameters.",
        },
        METRICS_TOKEN: {
            "type": "http",
            "scheme": "bearer",
            "description": "`TOOTLOG_METRICS_TOKEN` as a bearer token; required for /metrics "
            "only when that variable is set.",
        },
    }


def any_scope_of(accepted: Iterable[str], *, optional: bool = False) -> list[Schema]:
    """A security requirement met by a token with any one of `accepted` (or none if optional)."""
    alternatives = [{OAUTH2: [scope]} for scope in accepted]
    return [{}, *alternatives] if optional else alternatives


# Operations


def operation(
    operation_id: str,
    summary: str,
    *,
    tag: str,
    responses: dict[str, Schema],
    security: list[Schema] | None = None,
    parameters: list[Schema] | None = None,
    body: Schema | None = None,
    description: str = "",
    throttled: bool = True,
) -> Schema:
    """One operation; unless told otherwise, it can also be throttled (429)."""
    op: Schema = {"operationId": operation_id, "summary": summary, "tags": [tag]}
    if description:
        op["description"] = description
    op["security"] = security if security is not None else []
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = body
    throttles = errors(429) if throttled else {}
    op["responses"] = dict(sorted({**responses, **throttles}.items()))
    return op
