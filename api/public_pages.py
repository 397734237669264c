"""The small server-rendered HTML pages behind the URLs the API hands out: a status with its
thread (`url` of a Status), a profile with its statuses (`url` of an Account), and a front page.

They are rendered from the API's own JSON for an anonymous viewer, so they show exactly what the
API shows anonymously and nothing else (a private status is a 404 page, as the API's 404). Every
value is HTML-escaped here, except a status's `content`, which tootlog's own text renderer made
(escaped text and the links it added). No scripts.
"""

from __future__ import annotations

import re
from html import escape

import orjson
from starlette.responses import HTMLResponse

HEADERS = {
    "Cache-Control": "public, max-age=60",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer-when-downgrade",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'none';"
        " base-uri 'none'; form-action 'none'"
    ),
}
STYLE = """
body { font-family: system-ui, sans-serif; max-width: 38rem; margin: 2rem auto; padding: 0 1rem;
       color: #1f232b; background: #f4f5f9; }
header, article { background: #fff; border-radius: 8px; padding: 1rem; margin: 0 0 0.8rem; }
article.focus { border: 2px solid #6364ff; }
.who { display: flex; gap: 0.6rem; align-items: center; }
.who img { width: 46px; height: 46px; border-radius: 8px; }
.name { font-weight: 600; } .acct, .meta { color: #606984; font-size: 0.9rem; }
.content p { margin: 0.4rem 0; } .media img { max-width: 100%; border-radius: 6px; }
a { color: #4c4dd6; }
"""
_TAGS = re.compile(r"<[^>]+>")


def _text(html: str) -> str:
    """The plain text of tootlog's own status HTML (for a description)."""
    from html import unescape

    return " ".join(unescape(_TAGS.sub(" ", html)).split())


def _page(title: str, meta: dict[str, str], body: str, status: int = 200) -> HTMLResponse:
    tags = "".join(
        f'<meta property="{escape(name)}" content="{escape(value)}">'
        for name, value in meta.items()
    )
    description = meta.get("og:description")
    if description:
        tags += f'<meta name="description" content="{escape(description)}">'
    html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title>{tags}<style>{STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS)


def _who(account: dict) -> str:
    name = account.get("display_name") or account["username"]
    return (
        f'<div class="who"><img src="{escape(account["avatar_static"])}" alt="">'
        f'<div><a class="name" href="{escape(account["url"])}">{escape(name)}</a><br>'
        f'<span class="acct">@{escape(account["acct"])}</span></div></div>'
    )


def _status(status: dict, focus: bool = False) -> str:
    """One status as an <article>: its author, its text (behind its content warning), its
    media and when it was posted, linking to its own page."""
    spoiler = status.get("spoiler_text") or ""
    content = f'<div class="content">{status["content"]}</div>'
    if spoiler:
        content = f"<details><summary>{escape(spoiler)}</summary>{content}</details>"
    media = "".join(
        f'<a href="{escape(m["url"])}"><img src="{escape(m["preview_url"] or m["url"])}"'
        f' alt="{escape(m.get("description") or "")}"></a>'
        for m in status.get("media_attachments", [])
        if m.get("url")
    )
    if media:
        media = f'<div class="media">{media}</div>'
    meta = (
        f'<div class="meta"><a href="{escape(status["url"] or "")}">'
        f'<time datetime="{escape(status["created_at"])}">{escape(status["created_at"])}</time>'
        f"</a> · {status['replies_count']} replies · {status['reblogs_count']} boosts ·"
        f" {status['favourites_count']} favourites</div>"
    )
    css = ' class="focus"' if focus else ""
    return (
        f'<article{css} id="status-{escape(status["id"])}">{_who(status["account"])}'
        f"{content}{media}{meta}</article>"
    )


def status_page(status_json: str, context_json: bytes) -> HTMLResponse:
    status = orjson.loads(status_json)
    context = orjson.loads(context_json)
    account = status["account"]
    name = account.get("display_name") or account["username"]
    description = status.get("spoiler_text") or _text(status["content"])
    meta = {
        "og:type": "article",
        "og:title": f"{name} (@{account['acct']})",
        "og:description": description,
        "og:url": status["url"] or "",
        "og:image": (status["media_attachments"][0]["preview_url"] or account["avatar_static"])
        if status.get("media_attachments")
        else account["avatar_static"],
    }
    thread = (
        "".join(_status(s) for s in context["ancestors"])
        + _status(status, focus=True)
        + "".join(_status(s) for s in context["descendants"])
    )
    return _page(f"{name}: {description[:80]}", meta, f"<main>{thread}</main>")


def profile_page(account_json: str, statuses: list[str]) -> HTMLResponse:
    account = orjson.loads(account_json)
    name = account.get("display_name") or account["username"]
    note = _text(account.get("note") or "")
    meta = {
        "og:type": "profile",
        "og:title": f"{name} (@{account['acct']})",
        "og:description": note or f"{account['statuses_count']} posts",
        "og:url": account["url"],
        "og:image": account["avatar_static"],
    }
    header = (
        f'<header>{_who(account)}<p class="meta">{account["statuses_count"]} posts ·'
        f" {account['following_count']} following · {account['followers_count']} followers</p>"
        "</header>"
    )
    posts = "".join(_status(orjson.loads(s)) for s in statuses) or "<p>No public posts.</p>"
    return _page(f"{name} (@{account['acct']})", meta, f"{header}<main>{posts}</main>")


def front_page(title: str, base_url: str, users: int, statuses: int) -> HTMLResponse:
    meta = {
        "og:type": "website",
        "og:title": title,
        "og:description": "A Mastodon-compatible server whose every change is an event.",
        "og:url": f"{base_url}/",
    }
    body = (
        f"<header><h1>{escape(title)}</h1><p>A Mastodon-compatible server: log in with any"
        f" Mastodon app at <code>{escape(base_url)}</code>.</p>"
        f'<p class="meta">{users} accounts · {statuses} posts</p>'
        '<p><a href="/api/v2/instance">About this server (JSON)</a> ·'
        ' <a href="/openapi.json">API description</a></p></header>'
    )
    return _page(title, meta, body)


def not_found_page() -> HTMLResponse:
    body = "<header><h1>Not found</h1><p>This page does not exist, or is not public.</p></header>"
    return _page("Not found", {}, body, status=404)
