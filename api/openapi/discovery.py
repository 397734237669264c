"""What clients find without the API proper: the OAuth server's metadata, the default avatar and
header, and the e-mail confirmation endpoint."""

from __future__ import annotations

from api.openapi.parts import (
    STRING,
    Schema,
    any_scope_of,
    array,
    closed,
    errors,
    headers,
    ok,
    operation,
)
from api.routes.discovery import ALREADY_CONFIRMED, AVATAR_PATH, HEADER_PATH
from domain.scopes import WRITE_ACCOUNTS

STRINGS = array(STRING)
METADATA = closed(
    {
        "issuer": STRING,
        "service_documentation": STRING,
        "authorization_endpoint": STRING,
        "token_endpoint": STRING,
        "app_registration_endpoint": STRING,
        "revocation_endpoint": STRING,
        "scopes_supported": STRINGS,
        "response_types_supported": STRINGS,
        "response_modes_supported": STRINGS,
        "code_challenge_methods_supported": STRINGS,
        "grant_types_supported": STRINGS,
        "token_endpoint_auth_methods_supported": STRINGS,
    }
)


def _image(operation_id: str, summary: str) -> dict[str, Schema]:
    return {
        "get": operation(
            operation_id,
            summary,
            tag="instance",
            responses={
                "200": {
                    "description": "A PNG image (cached for a day).",
                    "headers": headers(),
                    "content": {
                        "image/png": {"schema": {"type": "string", "contentMediaType": "image/png"}}
                    },
                }
            },
        )
    }


PATHS: dict[str, dict[str, Schema]] = {
    "/.well-known/oauth-authorization-server": {
        "get": operation(
            "getAuthorizationServerMetadata",
            "The OAuth 2 authorization server's metadata (RFC 8414)",
            tag="oauth",
            responses={
                **ok(METADATA, "Endpoints, scopes and grants, the password grant included."),
                **errors(404),
            },
            description="Served only when the server's public URLs are https (404 otherwise): "
            "clients that read it refuse OAuth endpoints on plain http.",
        )
    },
    AVATAR_PATH: _image("getDefaultAvatar", "The avatar of accounts that have set none"),
    HEADER_PATH: _image("getDefaultHeader", "The header of accounts that have set none"),
    "/api/v1/emails/confirmations": {
        "post": operation(
            "resendConfirmationEmail",
            "Resend the e-mail confirmation",
            tag="accounts",
            security=any_scope_of(WRITE_ACCOUNTS),
            responses=errors(401, 403, 422),
            description="Every tootlog account is confirmed when it is made, so a user's token "
            f"gets 403 `{ALREADY_CONFIRMED}`, as Mastodon answers a confirmed user.",
        )
    },
}
