"""POST /api/v1/accounts (sign-up), GET /api/v1/accounts/verify_credentials,
PATCH /api/v1/accounts/update_credentials and GET /api/v1/accounts/lookup (§8.5). These fixed
paths must be routed before `/api/v1/accounts/{id}`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.auth import Viewer, check_optional, check_token, check_user, resolve_viewer
from api.errors import ApiError
from api.params import Params, read_params, refuse_unsupported
from api.responses import cacheable_for, json_text, token_response
from api.services import Services, services
from commands.profile import Upload, update_profile
from commands.registration import sign_up
from domain.account import default_visibility
from domain.errors import Forbidden, NotFound, RecordNotFound
from domain.profile import NOT_YET_SUPPORTED
from domain.scopes import READ_ACCOUNTS, READ_OWN_ACCOUNT, WRITE_ACCOUNTS
from domain.status import local_mention_name

# The built-in role every ordinary user has (permissions: invite_users).
EVERYONE_ROLE = {"id": "-99", "name": "", "permissions": "65536", "color": "", "highlighted": False}


async def register(request: Request) -> Response:
    """Mastodon's AppSignUpService: an account and a token with the app's scopes."""
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    token = check_token(viewer, WRITE_ACCOUNTS)
    if not svc.settings.registrations_open:
        raise Forbidden
    params = await read_params(request, svc.settings.max_body_bytes)
    issued = await svc.password_command(
        sign_up,
        app_id=token.app_id,
        username=params.string("username") or "",
        email=params.string("email") or "",
        password=params.string("password") or "",
        agreement=params.raw("agreement"),
        locale=params.string("locale") or "",
    )
    return token_response(issued)


async def verify_credentials(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, READ_OWN_ACCOUNT)
    return await _credential_account(svc, viewer, account_id)


async def update_credentials(request: Request) -> Response:
    """Mastodon's UpdateAccountService for the profile: display name, note, avatar, header and
    the bot flag, recorded as one ProfileUpdated event; answers with the CredentialAccount."""
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, WRITE_ACCOUNTS)
    params = await read_params(request, svc.settings.max_body_bytes)
    try:
        refuse_unsupported(params, NOT_YET_SUPPORTED)
        await svc.command(
            update_profile,
            svc.media_storage,
            svc.settings.urls,
            account_id=account_id,
            display_name=params.string("display_name"),
            note=params.string("note"),
            bot=params.boolean("bot"),
            locked=params.boolean("locked"),
            avatar=_upload(params, "avatar"),
            header=_upload(params, "header"),
        )
    finally:
        await params.close()
    return await _credential_account(svc, viewer, account_id)


def _upload(params: Params, name: str) -> Upload | None:
    upload = params.file(name)
    if upload is None:
        if params.given(name):  # a text field where a file belongs
            raise ApiError(422, f"Validation failed: {name.capitalize()} is invalid")
        return None
    return Upload(upload.file, upload.size)


async def _credential_account(svc: Services, viewer: Viewer, account_id: int) -> Response:
    assert viewer.token is not None
    source = {
        "privacy": default_visibility(viewer.token.account_locked),
        "sensitive": False,
        "language": None,
        "note": "",
        "fields": [],
        # Follow requests do not exist yet (a locked account cannot receive any).
        "follow_requests_count": 0,
        "hide_collections": None,
        "discoverable": None,
        "indexable": False,
        "attribution_domains": [],
        "quote_policy": "public",
    }
    doc = await svc.queries.credential_account(
        account_id, {"source": source, "role": EVERYONE_ROLE}
    )
    if doc is None:
        raise NotFound
    return json_text(doc)


async def lookup(request: Request) -> Response:
    """`acct` is `alice`, `@alice` or `alice@<this domain>`; no remote account is known."""
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    check_optional(viewer, READ_ACCOUNTS)
    params = await read_params(request, svc.settings.max_body_bytes)
    acct = (params.string("acct") or "").strip().removeprefix("@")
    username = local_mention_name(acct, svc.settings.urls.domain) if acct else None
    doc = await svc.queries.account_by_username(username) if username else None
    if doc is None:
        raise RecordNotFound
    return json_text(doc, public=cacheable_for(viewer))


routes = [
    Route("/api/v1/accounts", register, methods=["POST"]),
    Route("/api/v1/accounts/verify_credentials", verify_credentials, methods=["GET"]),
    Route("/api/v1/accounts/update_credentials", update_credentials, methods=["PATCH"]),
    Route("/api/v1/accounts/lookup", lookup, methods=["GET"]),
]
