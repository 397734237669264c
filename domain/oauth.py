"""OAuth 2 applications and authorization codes, with Doorkeeper's rules as Mastodon configures
them (§8.1-§8.3). Client secrets and codes are stored only as SHA-256 hashes, like tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, urlencode, urlsplit, urlunsplit
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import OAuthError, ValidationFailed
from domain.ids import derived_uuid
from domain.scopes import DEFAULT_SCOPES, invalid_scopes, parse_scopes
from domain.token import hash_token

OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
APP_NAME_LIMIT = 60
APP_REDIRECT_URI_LIMIT = 2000
APP_WEBSITE_LIMIT = 2000
# Doorkeeper's default lifetime of an authorization code.
AUTHORIZATION_CODE_TTL = 600.0
PKCE_METHODS = ("S256",)
FORBIDDEN_REDIRECT_SCHEMES = frozenset({"data", "vbscript", "javascript"})
# RFC 3986 characters; Ruby's URI parser refuses anything else.
_URI_CHARACTERS = re.compile(r"\A[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+\Z")
# RFC 7636 §4.2: a code challenge is 43 to 128 unreserved characters.
_CODE_CHALLENGE = re.compile(r"\A[A-Za-z0-9\-._~]{43,128}\Z")

DESCRIPTIONS = {
    "invalid_request": "The request is missing a required parameter, includes an unsupported "
    "parameter value, or is otherwise malformed.",
    "invalid_client": "Client authentication failed due to unknown client, no client "
    "authentication included, or unsupported authentication method.",
    "invalid_grant": "The provided authorization grant is invalid, expired, revoked, does not "
    "match the redirection URI used in the authorization request, or was issued to another "
    "client.",
    "invalid_scope": "The requested scope is invalid, unknown, or malformed.",
    "invalid_redirect_uri": "The redirect uri included is not valid.",
    "unsupported_grant_type": "The authorization grant type is not supported by the "
    "authorization server.",
    "unsupported_response_type": "The authorization server does not support this response type.",
    "invalid_code_challenge_method": "The code_challenge_method must be S256.",
    "access_denied": "The resource owner or authorization server denied the request.",
    "unauthorized_client": "You are not authorized to revoke this token",
}


def oauth_error(error: str, *, redirectable: bool = False) -> OAuthError:
    """The refusal `error` with Doorkeeper's description of it."""
    return OAuthError(error, DESCRIPTIONS[error], redirectable=redirectable)


def missing_parameter(name: str, *, redirectable: bool = False) -> OAuthError:
    return OAuthError(
        "invalid_request", f"Missing required parameter: {name}.", redirectable=redirectable
    )


def new_secret() -> str:
    """A client id, client secret or authorization code (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


# Applications


def check_app(name: str, redirect_uris: list[str], scopes: list[str], website: str | None) -> None:
    """Doorkeeper's and Mastodon's validations of a new app, all failures in one 422."""
    problems = []
    if not name.strip():
        problems.append("Application name can't be blank")
    problems.extend(redirect_uri_problems(redirect_uris))
    if not scopes or invalid_scopes(scopes):
        problems.append("Scopes doesn't match configured on the server.")
    if len(name) > APP_NAME_LIMIT:
        problems.append(f"Application name is too long (maximum is {APP_NAME_LIMIT} characters)")
    if len("\n".join(redirect_uris)) > APP_REDIRECT_URI_LIMIT:
        problems.append(
            f"Redirect URI is too long (maximum is {APP_REDIRECT_URI_LIMIT} characters)"
        )
    if website:
        if not _is_web_url(website):
            problems.append("Application website is not a valid URL")
        if len(website) > APP_WEBSITE_LIMIT:
            problems.append(
                f"Application website is too long (maximum is {APP_WEBSITE_LIMIT} characters)"
            )
    if problems:
        raise ValidationFailed(*dict.fromkeys(problems))


def redirect_uri_problems(uris: list[str]) -> list[str]:
    """Doorkeeper's RedirectUriValidator (no HTTPS requirement; data:/javascript: refused)."""
    if not uris:
        return ["Redirect URI can't be blank"]
    problems = []
    for uri in uris:
        if uri == OOB_REDIRECT_URI:
            continue
        parts = _split(uri)
        if parts is None:
            problems.append("Redirect URI must be a valid URI.")
        elif parts.scheme.lower() in FORBIDDEN_REDIRECT_SCHEMES:
            problems.append("Redirect URI is forbidden by the server.")
        elif not parts.scheme:
            problems.append("Redirect URI must be an absolute URI.")
        elif _is_opaque(parts):
            problems.append("Redirect URI must specify a scheme.")
        elif parts.fragment:
            problems.append("Redirect URI cannot contain a fragment.")
    return problems


def redirect_uri_allowed(requested: str, registered: list[str]) -> bool:
    """Doorkeeper's URIChecker: one of the app's URIs, extra query allowed, any loopback port."""
    if requested == OOB_REDIRECT_URI:
        return OOB_REDIRECT_URI in registered
    url = _split(requested)
    if url is None or not url.scheme or url.fragment or _is_opaque(url):
        return False
    return any(_matches(url, other) for other in registered if other != OOB_REDIRECT_URI)


def redirect_with(uri: str, params: dict[str, str | None]) -> str:
    """`uri` with `params` merged into its query (blank values left out)."""
    parts = urlsplit(uri)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    query.update({key: value for key, value in params.items() if value})
    return urlunsplit(parts._replace(query=urlencode(query)))


def _split(uri: str) -> SplitResult | None:
    if not _URI_CHARACTERS.match(uri):
        return None
    try:
        parts = urlsplit(uri)
        parts.port  # noqa: B018  (raises on a malformed port)
    except ValueError:
        return None
    return parts


def _is_opaque(parts: SplitResult) -> bool:
    """`myapp:callback` or `localhost:3000`: a scheme but no authority and no absolute path."""
    return not parts.netloc and not parts.path.startswith("/")


def _is_web_url(value: str) -> bool:
    parts = _split(value)
    return parts is not None and parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _matches(url: SplitResult, registered: str) -> bool:
    other = _split(registered)
    if other is None:
        return False
    if other.query and parse_qs(url.query) != parse_qs(other.query):
        return False
    # RFC 8252 §7.3: native apps listen on a loopback port chosen at run time.
    loopback = _is_loopback(url.hostname) and _is_loopback(other.hostname)
    return _identity(url, loopback) == _identity(other, loopback)


def _identity(parts: SplitResult, ignore_port: bool) -> tuple:
    scheme = parts.scheme.lower()
    path = parts.path or ("/" if parts.netloc and scheme in ("http", "https") else "")
    port = None if ignore_port else parts.port
    return scheme, parts.username, parts.password, parts.hostname, port, path


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class OAuthApp(Aggregate):
    """A registered client application. Only a hash of its secret is kept."""

    TOPIC = "tootlog.oauth_app"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.oauth_app.created.v1"

    @event("Registered", topic="tootlog.oauth_app.registered.v1")
    def __init__(
        self,
        app_id: int,
        name: str,
        website: str | None,
        redirect_uris: list[str],
        scopes: list[str],
        client_id: str,
        client_secret_hash: str,
    ) -> None:
        self.app_id = app_id
        self.name = name
        self.website = website
        self.redirect_uris = redirect_uris
        self.scopes = scopes
        self.client_id = client_id
        self.client_secret_hash = client_secret_hash

    @staticmethod
    def create_id(app_id: int) -> UUID:
        return derived_uuid("oauth_app", app_id)

    def authenticates(self, client_secret: str) -> bool:
        """True when `client_secret` is this app's secret (compared in constant time)."""
        return hmac.compare_digest(hash_token(client_secret), self.client_secret_hash)

    def grantable(self, scope: str | None) -> list[str]:
        """The scopes a token request may have: default `read`, each one of the app's."""
        # Doorkeeper's ScopeChecker refuses control whitespace inside the scope string.
        if scope and re.search(r"[\r\n\t]", scope):
            raise oauth_error("invalid_scope")
        requested = parse_scopes(scope or "") or list(DEFAULT_SCOPES)
        if invalid_scopes(requested) or not set(requested) <= set(self.scopes):
            raise oauth_error("invalid_scope")
        return requested


class ClientId(Aggregate):
    """Index aggregate: finds an app by its client_id, saved with the app it names."""

    TOPIC = "tootlog.oauth_client_id"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.oauth_client_id.created.v1"

    @event("Claimed", topic="tootlog.oauth_client_id.claimed.v1")
    def __init__(self, client_id: str, app_id: int) -> None:
        self.client_id = client_id
        self.app_id = app_id

    @staticmethod
    def create_id(client_id: str) -> UUID:
        return derived_uuid("oauth_client_id", client_id)


# Authorization


@dataclass(frozen=True)
class AuthorizationRequest:
    """The parameters of GET (and the approving POST) /oauth/authorize."""

    client_id: str = ""
    redirect_uri: str = ""
    response_type: str = ""
    scope: str = ""
    state: str = ""
    code_challenge: str = ""
    code_challenge_method: str = ""


def check_authorization_request(
    request: AuthorizationRequest, redirect_uris: list[str] | None, app_scopes: list[str] | None
) -> list[str]:
    """Doorkeeper's pre-authorization checks, in its order; returns the scopes to grant.

    `redirect_uris` and `app_scopes` are None when no app has the request's client_id.
    """
    if not request.client_id:
        raise missing_parameter("client_id")
    if redirect_uris is None or app_scopes is None:
        raise oauth_error("invalid_client")
    if not request.redirect_uri or not redirect_uri_allowed(request.redirect_uri, redirect_uris):
        raise oauth_error("invalid_redirect_uri")
    if not request.response_type:
        raise missing_parameter("response_type", redirectable=True)
    if request.response_type != "code":
        raise oauth_error("unsupported_response_type", redirectable=True)
    scopes = parse_scopes(request.scope) or list(DEFAULT_SCOPES)
    if invalid_scopes(scopes) or not set(scopes) <= set(app_scopes):
        raise oauth_error("invalid_scope", redirectable=True)
    if request.code_challenge and not _CODE_CHALLENGE.match(request.code_challenge):
        raise oauth_error("invalid_request", redirectable=True)
    if request.code_challenge and request.code_challenge_method not in PKCE_METHODS:
        raise oauth_error("invalid_code_challenge_method", redirectable=True)
    return scopes


def s256_challenge(code_verifier: str) -> str:
    """The PKCE S256 challenge of a verifier: base64url(SHA-256), without padding."""
    digest = hashlib.sha256(code_verifier.encode("utf-8", "surrogatepass")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class AuthorizationCode(Aggregate):
    """A code from /oauth/authorize, keyed by its hash: redeemed once, within its lifetime.

    Two redemptions racing both try to append `Redeemed` at the same version; the event store
    lets exactly one of them commit.
    """

    TOPIC = "tootlog.authorization_code"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.authorization_code.created.v1"

    @event("Issued", topic="tootlog.authorization_code.issued.v1")
    def __init__(
        self,
        code_hash: str,
        app_id: int,
        account_id: int,
        redirect_uri: str,
        scopes: list[str],
        code_challenge: str,
        code_challenge_method: str,
        issued_at: float,
    ) -> None:
        self.code_hash = code_hash
        self.app_id = app_id
        self.account_id = account_id
        self.redirect_uri = redirect_uri
        self.scopes = scopes
        self.code_challenge = code_challenge
        self.code_challenge_method = code_challenge_method
        self.issued_at = issued_at
        self.redeemed = False

    @staticmethod
    def create_id(code_hash: str) -> UUID:
        return derived_uuid("authorization_code", code_hash)

    @property
    def uses_pkce(self) -> bool:
        return bool(self.code_challenge)

    def check_redeemable(
        self,
        *,
        app_id: int,
        redirect_uri: str,
        code_verifier: str,
        now: float,
        ttl: float = AUTHORIZATION_CODE_TTL,
    ) -> None:
        """Refuse (invalid_grant) a spent, expired or foreign code, a different redirect URI, or
        a PKCE verifier that does not match the challenge."""
        if self.redeemed or self.app_id != app_id or now - self.issued_at >= ttl:
            raise oauth_error("invalid_grant")
        if redirect_uri != self.redirect_uri:
            raise oauth_error("invalid_grant")
        if self.uses_pkce or code_verifier:
            challenge = s256_challenge(code_verifier)
            if not hmac.compare_digest(challenge.encode(), self.code_challenge.encode()):
                raise oauth_error("invalid_grant")

    @event("Redeemed", topic="tootlog.authorization_code.redeemed.v1")
    def redeem(self, token_hash: str) -> None:
        """The code was exchanged for the token with this hash; it is spent."""
        self.redeemed = True
