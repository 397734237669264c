"""OAuth apps and authorization codes: Doorkeeper's rules as Mastodon configures them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import OAuthError, ValidationFailed
from domain.oauth import (
    OOB_REDIRECT_URI,
    AuthorizationCode,
    AuthorizationRequest,
    OAuthApp,
    check_app,
    check_authorization_request,
    redirect_uri_allowed,
    redirect_with,
    s256_challenge,
)
from domain.token import hash_token
from tests.domain.replay import replay


def _app_problems(**overrides: object) -> list[str]:
    fields: dict = {
        "name": "app",
        "redirect_uris": [OOB_REDIRECT_URI],
        "scopes": ["read"],
        "website": None,
    }
    fields.update(overrides)
    try:
        check_app(**fields)
    except ValidationFailed as error:
        return error.messages
    return []


def test_a_valid_app_passes() -> None:
    assert _app_problems() == []
    assert _app_problems(redirect_uris=["https://app.example/cb", "app://cb.example/"]) == []
    assert _app_problems(redirect_uris=["com.example.app:/oauth"]) == []
    assert _app_problems(website="https://app.example") == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": "  "}, "Application name can't be blank"),
        ({"name": "x" * 61}, "Application name is too long (maximum is 60 characters)"),
        ({"redirect_uris": []}, "Redirect URI can't be blank"),
        ({"redirect_uris": ["javascript:alert(1)"]}, "Redirect URI is forbidden by the server."),
        ({"redirect_uris": ["data:text/html,x"]}, "Redirect URI is forbidden by the server."),
        ({"redirect_uris": ["/relative"]}, "Redirect URI must be an absolute URI."),
        ({"redirect_uris": ["myapp:callback"]}, "Redirect URI must specify a scheme."),
        ({"redirect_uris": ["https://a.example/#x"]}, "Redirect URI cannot contain a fragment."),
        ({"redirect_uris": ["https://a.example/<x>"]}, "Redirect URI must be a valid URI."),
        (
            {"redirect_uris": ["https://a.example/" + "x" * 2000]},
            "Redirect URI is too long (maximum is 2000 characters)",
        ),
        ({"scopes": ["read", "hoge"]}, "Scopes doesn't match configured on the server."),
        ({"scopes": ["admin:everything"]}, "Scopes doesn't match configured on the server."),
        ({"website": "ftp://files.example"}, "Application website is not a valid URL"),
        (
            {"website": "https://a.example/" + "x" * 2000},
            "Application website is too long (maximum is 2000 characters)",
        ),
    ],
)
def test_app_validation_failures(overrides: dict, message: str) -> None:
    assert message in _app_problems(**overrides)


def test_redirect_uri_must_be_one_of_the_apps() -> None:
    registered = ["https://app.example/cb", "http://127.0.0.1:8080/done?x=1"]
    assert redirect_uri_allowed("https://app.example/cb", registered)
    assert redirect_uri_allowed("HTTPS://APP.example/cb", registered)
    assert redirect_uri_allowed("https://app.example/cb?extra=1", registered)
    assert not redirect_uri_allowed("https://app.example/cb2", registered)
    assert not redirect_uri_allowed("https://evil.example/cb", registered)
    assert not redirect_uri_allowed("https://app.example/cb#frag", registered)
    assert not redirect_uri_allowed(OOB_REDIRECT_URI, registered)
    # RFC 8252: any port on a loopback address, but the registered query must be there.
    assert redirect_uri_allowed("http://127.0.0.1:55123/done?x=1", registered)
    assert not redirect_uri_allowed("http://127.0.0.1:55123/done", registered)
    assert redirect_uri_allowed(OOB_REDIRECT_URI, [OOB_REDIRECT_URI])


@given(state=st.text(), code=st.text(alphabet="abcXYZ019-_", min_size=1))
def test_redirect_with_keeps_the_uris_query_and_carries_any_state(state: str, code: str) -> None:
    target = redirect_with("https://app.example/cb?keep=1", {"code": code, "state": state})
    query = parse_qs(urlsplit(target).query, keep_blank_values=True)
    assert query["keep"] == ["1"] and query["code"] == [code]
    assert query.get("state") == ([state] if state else None)


def test_s256_challenge_matches_rfc_7636_appendix_b() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert s256_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def _app() -> OAuthApp:
    return OAuthApp(
        app_id=7,
        name="app",
        website=None,
        redirect_uris=["https://app.example/cb"],
        scopes=["read", "write", "push"],
        client_id="client",
        client_secret_hash=hash_token("secret"),
    )


def test_app_authenticates_only_its_secret() -> None:
    app = _app()
    assert app.authenticates("secret")
    assert not app.authenticates("secret ")
    assert not app.authenticates("")


def test_grantable_scopes_default_to_read_and_must_be_the_apps() -> None:
    app = _app()
    assert app.grantable("") == ["read"]
    assert app.grantable("write push write") == ["write", "push"]
    for scope in ("follow", "read hoge", "read\twrite", "read:statuses"):
        with pytest.raises(OAuthError) as refused:
            app.grantable(scope)
        assert refused.value.error == "invalid_scope"


def _request(**overrides: str) -> AuthorizationRequest:
    fields = {
        "client_id": "client",
        "redirect_uri": "https://app.example/cb",
        "response_type": "code",
        "scope": "read write",
    }
    fields.update(overrides)
    return AuthorizationRequest(**fields)


def _refusal(request: AuthorizationRequest, known: bool = True) -> tuple[str, bool]:
    app = _app()
    try:
        check_authorization_request(
            request, app.redirect_uris if known else None, app.scopes if known else None
        )
    except OAuthError as error:
        return error.error, error.redirectable
    return "", False


def test_authorization_request_checks_run_in_doorkeepers_order() -> None:
    assert check_authorization_request(_request(scope=""), ["https://app.example/cb"], ["read"])
    assert _refusal(_request(client_id="")) == ("invalid_request", False)
    assert _refusal(_request(), known=False) == ("invalid_client", False)
    assert _refusal(_request(redirect_uri="https://evil.example/")) == (
        "invalid_redirect_uri",
        False,
    )
    # Once the redirect URI is known good, errors may go back to the client.
    assert _refusal(_request(response_type="")) == ("invalid_request", True)
    assert _refusal(_request(response_type="token")) == ("unsupported_response_type", True)
    assert _refusal(_request(scope="read follow")) == ("invalid_scope", True)
    assert _refusal(_request(code_challenge="short", code_challenge_method="S256")) == (
        "invalid_request",
        True,
    )
    challenge = s256_challenge("v" * 50)
    assert _refusal(_request(code_challenge=challenge, code_challenge_method="plain")) == (
        "invalid_code_challenge_method",
        True,
    )
    assert _refusal(_request(code_challenge=challenge, code_challenge_method="S256")) == ("", False)


def _code(challenge: str = "") -> AuthorizationCode:
    return AuthorizationCode(
        code_hash=hash_token("the code"),
        app_id=7,
        account_id=42,
        redirect_uri="https://app.example/cb",
        scopes=["read"],
        code_challenge=challenge,
        code_challenge_method="S256" if challenge else "",
        issued_at=1000.0,
    )


def _redeem_error(code: AuthorizationCode, **overrides: object) -> str:
    attempt: dict = {
        "app_id": 7,
        "redirect_uri": "https://app.example/cb",
        "code_verifier": "",
        "now": 1000.0 + 599,
    }
    attempt.update(overrides)
    try:
        code.check_redeemable(**attempt)
    except OAuthError as error:
        return error.error
    return ""


def test_a_code_is_redeemable_once_within_ten_minutes_by_its_app_and_redirect_uri() -> None:
    code = _code()
    assert _redeem_error(code) == ""
    assert _redeem_error(code, now=1000.0 + 600) == "invalid_grant"
    assert _redeem_error(code, app_id=8) == "invalid_grant"
    assert _redeem_error(code, redirect_uri="https://app.example/cb?x") == "invalid_grant"
    assert _redeem_error(code, code_verifier="unasked-for verifier") == "invalid_grant"
    code.redeem(token_hash=hash_token("token"))
    assert _redeem_error(code) == "invalid_grant"


def test_a_pkce_code_needs_the_verifier_of_its_challenge() -> None:
    verifier = "x" * 43
    code = _code(s256_challenge(verifier))
    assert code.uses_pkce
    assert _redeem_error(code, code_verifier=verifier) == ""
    assert _redeem_error(code, code_verifier="y" * 43) == "invalid_grant"
    assert _redeem_error(code, code_verifier="") == "invalid_grant"


def test_a_redeemed_code_stays_redeemed_after_a_round_trip_through_the_store() -> None:
    code = _code()
    code.redeem(token_hash=hash_token("token"))
    restored = replay(code.collect_events())
    assert isinstance(restored, AuthorizationCode)
    assert restored.redeemed and restored.account_id == 42 and restored.scopes == ["read"]
