"""The server-rendered pages of /oauth/authorize: log in and approve, the code, an error.

Every value from the request or the store is HTML-escaped here; nothing else builds markup.
"""

from __future__ import annotations

from html import escape

from starlette.responses import HTMLResponse

from domain.errors import OAuthError
from domain.oauth import AuthorizationRequest

# Mastodon's wording for the umbrella scopes; granular ones are shown by name.
SCOPE_DESCRIPTIONS = {
    "read": "read all your account's data",
    "write": "modify all your account's data",
    "follow": "modify account relationships",
    "push": "receive your push notifications",
    "profile": "read only your account's profile information",
}
HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # No scripts at all; form-action is left open because approving redirects to the client.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem;
       color: #1f232b; }
h1 { font-size: 1.4rem; }
label { display: block; margin: 0.8rem 0 0.2rem; font-weight: 600; }
input[type=email], input[type=password], input[type=text] { width: 100%; padding: 0.5rem;
       box-sizing: border-box; font-size: 1rem; }
.buttons { display: flex; gap: 0.5rem; margin-top: 1.2rem; }
button { padding: 0.5rem 1.2rem; font-size: 1rem; }
.error { color: #b00020; }
li code { font-weight: 600; }
"""


def _page(title: str, body: str, status: int) -> HTMLResponse:
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def consent_page(
    app_name: str,
    scopes: list[str],
    request: AuthorizationRequest,
    *,
    email: str = "",
    failure: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The login-and-approve form; it posts the request's parameters back unchanged."""
    hidden = "".join(
        f'<input type="hidden" name="{name}" value="{escape(value)}">'
        for name, value in (
            ("client_id", request.client_id),
            ("redirect_uri", request.redirect_uri),
            ("response_type", request.response_type),
            ("scope", request.scope),
            ("state", request.state),
            ("code_challenge", request.code_challenge),
            ("code_challenge_method", request.code_challenge_method),
        )
    )
    permissions = "".join(
        f"<li><code>{escape(scope)}</code>"
        + (f": {escape(SCOPE_DESCRIPTIONS[scope])}" if scope in SCOPE_DESCRIPTIONS else "")
        + "</li>"
        for scope in scopes
    )
    problem = f'<p class="error" role="alert">{escape(failure)}</p>' if failure else ""
    body = f"""
<h1>Authorization required</h1>
<p>Application <strong id="app-name">{escape(app_name)}</strong> requests access to your
account. It will be able to:</p>
<ul id="scopes">{permissions}</ul>
{problem}
<form method="post" action="/oauth/authorize">
{hidden}
<label for="email">E-mail address</label>
<input type="email" id="email" name="email" value="{escape(email)}" autocomplete="username"
       required autofocus>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<div class="buttons">
<button type="submit" id="authorize" name="decision" value="approve">Authorize</button>
<button type="submit" id="deny" name="decision" value="deny" formnovalidate>Deny</button>
</div>
</form>
"""
    return _page("Authorization required", body, status)


def code_page(code: str) -> HTMLResponse:
    """For `urn:ietf:wg:oauth:2.0:oob`: the code for the user to paste into the app."""
    body = f"""
<h1>Authorization code</h1>
<p>Copy this code and paste it into the application.</p>
<input type="text" id="authorization-code" value="{escape(code)}" readonly>
"""
    return _page("Authorization code", body, 200)


def error_page(error: OAuthError) -> HTMLResponse:
    """An error that must not (or cannot) be sent to the client's redirect URI."""
    body = f"""
<h1>An error has occurred</h1>
<p class="error"><code id="error">{escape(error.error)}</code></p>
<p id="error-description">{escape(error.description)}</p>
"""
    return _page("An error has occurred", body, 400)
