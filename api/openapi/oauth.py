"""Operations of apps and OAuth: registration, tokens, revocation, the authorize page (§8.1-§8.3,
§8.6)."""

from __future__ import annotations

from api.openapi.parts import (
    CLIENT_BASIC,
    HEADERS,
    HTML,
    JSON,
    OAUTH2,
    STRING,
    Schema,
    array,
    errors,
    form_or_json,
    headers,
    html_page,
    ok,
    operation,
    query,
    ref,
)

TAG = "oauth"
_AUTHORIZATION_REQUEST = {
    "client_id": STRING,
    "redirect_uri": STRING,
    "response_type": {"const": "code"},
    "scope": {**STRING, "description": "Space-separated; a subset of the app's, default read."},
    "state": STRING,
    "code_challenge": {**STRING, "description": "PKCE (S256)."},
    "code_challenge_method": {"const": "S256"},
}
_CLIENT = [{}, {CLIENT_BASIC: []}]

REDIRECT = {
    "description": "To the client's redirect URI with `code` and `state`, or with `error`, "
    "`error_description` and `state`.",
    "headers": {**headers(), "Location": {**HEADERS["Location"], "required": True}},
}


def _refused(description: str) -> Schema:
    """An error page for the user, or a JSON error for malformed parameters."""
    return {
        "description": description,
        "headers": headers(),
        "content": {HTML: {"schema": STRING}, JSON: {"schema": ref("Error")}},
    }


PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/apps": {
        "post": operation(
            "createApp",
            "Register a client application",
            tag=TAG,
            body=form_or_json(
                {
                    "client_name": {"type": "string", "maxLength": 60},
                    "redirect_uris": {
                        "anyOf": [STRING, array(STRING)],
                        "description": "Newline-separated, or an array.",
                    },
                    "scopes": {**STRING, "description": "Space-separated, default read."},
                    "website": STRING,
                },
                required=["client_name", "redirect_uris"],
            ),
            responses={
                **ok(ref("CredentialApplication"), "The app with its client credentials."),
                **errors(400, 413, 422, 503),
            },
        )
    },
    "/api/v1/apps/verify_credentials": {
        "get": operation(
            "verifyAppCredentials",
            "The app a token belongs to",
            tag=TAG,
            security=[{OAUTH2: []}],
            responses={
                **ok(ref("Application"), "The app, without its secret."),
                **errors(401, 404),
            },
            description="Any live token, whatever its scopes; 404 for a token of no app "
            "(made by `tootlog tokens create`).",
        )
    },
    "/oauth/token": {
        "post": operation(
            "obtainToken",
            "Obtain a token",
            tag=TAG,
            security=_CLIENT,
            body=form_or_json(
                {
                    "grant_type": {
                        "enum": ["authorization_code", "password", "client_credentials"]
                    },
                    "client_id": STRING,
                    "client_secret": STRING,
                    "code": STRING,
                    "redirect_uri": STRING,
                    "code_verifier": STRING,
                    "username": {**STRING, "description": "The e-mail address."},
                    "password": STRING,
                    "scope": {**STRING, "description": "Space-separated, default read."},
                },
                required=["grant_type"],
            ),
            responses={
                **ok(ref("Token"), "A token that never expires."),
                "400": {"$ref": "#/components/responses/OAuthBadRequest"},
                "401": {"$ref": "#/components/responses/OAuthUnauthorized"},
                **errors(413, 503),
            },
        )
    },
    "/oauth/revoke": {
        "post": operation(
            "revokeToken",
            "Revoke a token",
            tag=TAG,
            security=_CLIENT,
            body=form_or_json(
                {"client_id": STRING, "client_secret": STRING, "token": STRING},
                required=["token"],
            ),
            responses={
                **ok(ref("EmptyObject"), "Revoked (also when it already was, or is unknown)."),
                "400": {"$ref": "#/components/responses/OAuthBadRequest"},
                "401": {"$ref": "#/components/responses/OAuthUnauthorized"},
                "403": {"$ref": "#/components/responses/OAuthForbidden"},
                **errors(413, 503),
            },
        )
    },
    "/oauth/authorize": {
        "get": operation(
            "authorizePage",
            "The log-in-and-approve page",
            tag=TAG,
            parameters=[
                query(name, schema, "", required=name in ("client_id", "redirect_uri"))
                for name, schema in _AUTHORIZATION_REQUEST.items()
            ],
            responses={
                "200": html_page("The page for the user to log in and approve."),
                "302": REDIRECT,
                "400": _refused("An unknown client or redirect URI (shown, never redirected)."),
                **errors(413),
            },
        ),
        "post": operation(
            "authorizeApprove",
            "Approve or deny an authorization request",
            tag=TAG,
            body={
                "required": True,
                "content": {
                    "application/x-www-form-urlencoded": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                **_AUTHORIZATION_REQUEST,
                                "email": STRING,
                                "password": STRING,
                                "decision": {"enum": ["approve", "deny"]},
                            },
                            "required": ["client_id", "redirect_uri", "email", "password"],
                        }
                    }
                },
            },
            responses={
                "200": html_page("The code to paste into the app (out-of-band redirect URI)."),
                "302": REDIRECT,
                "400": _refused("An unknown client or redirect URI (shown, never redirected)."),
                "422": html_page("Wrong e-mail address or password: the form again."),
                **errors(413, 503),
            },
        ),
    },
}
