"""List pages and their `Link` header, as Mastodon builds them (§5)."""

from __future__ import annotations

from urllib.parse import quote_plus

from starlette.requests import Request
from starlette.responses import Response

from api.params import Params
from api.responses import json_text
from api.services import services
from domain.ids import parse_id
from projections.pages import Page


def page_from(params: Params, default: int, maximum: int) -> Page:
    """`limit` (min(abs(int), maximum); junk or 0 gives an empty page) and the cursors."""
    raw = params.string("limit")
    if raw is None or raw == "":
        limit = default
    else:
        try:
            limit = min(abs(int(raw.strip())), maximum)
        except ValueError:
            limit = 0
    return Page(
        limit=limit,
        max_id=_cursor(params, "max_id"),
        since_id=_cursor(params, "since_id"),
        min_id=_cursor(params, "min_id"),
    )


def _cursor(params: Params, name: str) -> int | None:
    raw = params.string(name)
    return parse_id(raw) if raw else None


def list_page(
    request: Request,
    params: Params,
    page: Page,
    cursors: list[int],
    body: str,
    *,
    public: bool = False,
    **link: object,
) -> Response:
    """A list's answer: `body` (its JSON array) with the `Link` header of `link_header` (`link`:
    its keyword options); `public` as json_text's."""
    base_url = services(request).settings.urls.base
    headers = link_header(request, base_url, params, cursors, page, **link)  # type: ignore[arg-type]
    return json_text(body, public=public, headers=headers)


def link_header(
    request: Request,
    base_url: str,
    params: Params,
    cursors: list[int],
    page: Page,
    *,
    prev_cursor: str = "since_id",
    filters: tuple[str, ...] = (),
    next_when_partial: bool = False,
) -> dict[str, str]:
    """`next` (only on a full page, unless `next_when_partial`) then `prev`; no header for an
    empty page.

    The links keep `limit` and the list's `filters` as the client sent them (a filter named
    `types[]` is an array, kept with each of its values); `prev` names its cursor `prev_cursor`
    (Mastodon writes `since_id` for most lists, `min_id` for some).
    """
    if not cursors:
        return {}
    kept = {
        name: value
        for name in ("limit", *filters)
        if isinstance(value := params.raw(name), str | int | float) and value != ""
    }
    for name in filters:  # `types[]`: an array filter, kept when the client sent an array
        if name.endswith("[]") and isinstance(value := params.raw(name[:-2]), list):
            kept[name[:-2]] = [item for item in value if isinstance(item, str | int)]
    url = f"{base_url}{_path(request)}"
    links = []
    if next_when_partial or len(cursors) == page.limit:
        query = _query({**kept, "max_id": str(cursors[-1])})
        links.append(f'<{url}?{query}>; rel="next"')
    query = _query({**kept, prev_cursor: str(cursors[0])})
    links.append(f'<{url}?{query}>; rel="prev"')
    return {"Link": ", ".join(links)}


def _path(request: Request) -> str:
    """`request.url.path` without building the whole URL (the same escapes as Starlette's)."""
    path = request.scope["path"]
    if "?" in path or "#" in path or "\\" in path:
        return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")
    return path


def _query(values: dict) -> str:
    """Rails' to_query: keys sorted, an array as `name[]=` once per value (what urlencode
    gives for the same pairs)."""
    pairs: list[str] = []
    for name, value in sorted(values.items()):
        if isinstance(value, list):
            key = quote_plus(f"{name}[]")
            pairs.extend(f"{key}={quote_plus(str(item))}" for item in value)
        else:
            pairs.append(f"{quote_plus(name)}={quote_plus(str(value))}")
    return "&".join(pairs)
