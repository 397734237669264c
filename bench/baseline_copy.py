"""What the baseline app serves, copied from tootlog's own answers (so both answer the same JSON),
and the plain HTTP calls the harness makes to either server."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request

import orjson

from bench import postgres, seed
from bench.baseline import INSERT_FEED, INSERT_REBLOG, INSERT_THREAD
from bench.errors import BenchError
from bench.servers import Server


def copy_home(database: str, tootlog: Server, baseline: Server, token: str, viewer_id: str) -> None:
    """Give the baseline tootlog's first home page, pre-rendered, under the viewer's id."""
    page = orjson.loads(http(tootlog, "/api/v1/timelines/home", token)[0])
    if len(page) != 20:
        raise BenchError(f"tootlog's home timeline has {len(page)} statuses, not 20")
    rows = [(int(viewer_id), int(doc["id"]), orjson.dumps(doc).decode()) for doc in page]
    postgres.execute_many(database, INSERT_FEED, rows)
    ours = http(tootlog, "/api/v1/timelines/home", token)[0]
    theirs = http(baseline, f"/api/v1/timelines/home?account={viewer_id}", token)[0]
    if ours != theirs:
        raise BenchError("the baseline's home timeline differs from tootlog's")


def post_status(tootlog: Server, token: str) -> str:
    """Publish the status the GET scenarios read; return tootlog's JSON for it."""
    form = urllib.parse.urlencode({"status": "hello bench"}).encode()
    # The token was written by the CLI; the server's projection may take a moment to show it.
    return http(tootlog, "/api/v1/statuses", token, data=form, unauthorized_for=30)[0]


def copy_thread(
    database: str, tootlog: Server, baseline: Server, token: str, thread_id: int
) -> None:
    """Give the baseline tootlog's rendering of each status in the thread, in context order."""
    path = f"/api/v1/statuses/{thread_id}/context"
    context = orjson.loads(http(tootlog, path, token)[0])
    descendants = context["descendants"]
    if context["ancestors"] or len(descendants) != seed.THREAD_DESCENDANTS:
        raise BenchError(
            f"tootlog's context of the seeded thread has {len(context['ancestors'])} ancestors"
            f" and {len(descendants)} descendants, not 0 and {seed.THREAD_DESCENDANTS}"
        )
    rows = [(thread_id, n, orjson.dumps(doc).decode()) for n, doc in enumerate(descendants)]
    postgres.execute_many(database, INSERT_THREAD, rows)
    check_same_answer(tootlog, baseline, path, token)


def copy_reblogs(
    database: str, tootlog: Server, baseline: Server, token: str, status_id: int
) -> None:
    """Give the baseline tootlog's Account JSON of every reblogger, under its reblog's id."""
    accounts: list[dict] = []
    path: str | None = f"/api/v1/statuses/{status_id}/reblogged_by?limit=80"
    while path:
        body, headers = http(tootlog, path, token)
        accounts += orjson.loads(body)
        path = next_page(headers.get("link", ""))
    reblog_ids = dict(postgres.fetch_all(database, REBLOG_IDS, (status_id,)))
    if len(accounts) != seed.REBLOGGERS or len(reblog_ids) != seed.REBLOGGERS:
        raise BenchError(
            f"tootlog lists {len(accounts)} rebloggers and its read model {len(reblog_ids)}"
            f" reblogs of the seeded status, not {seed.REBLOGGERS}"
        )
    rows = [(status_id, reblog_ids[int(a["id"])], orjson.dumps(a).decode()) for a in accounts]
    postgres.execute_many(database, INSERT_REBLOG, rows)
    check_same_answer(tootlog, baseline, f"/api/v1/statuses/{status_id}/reblogged_by", token)


# The cursor of each reblogger (the reblog wrapper's id), read back from tootlog's read model.
REBLOG_IDS = "SELECT account_id, id FROM tootlog_statuses WHERE reblog_of_id = %s AND NOT deleted"


def next_page(link: str) -> str | None:
    """The path of the `rel="next"` link of a Link header, if any."""
    for part in link.split(","):
        url, _, rel = part.partition(";")
        if rel.strip() == 'rel="next"':
            target = urllib.parse.urlsplit(url.strip().strip("<>"))
            return f"{target.path}?{target.query}"
    return None


def check_same_answer(tootlog: Server, baseline: Server, path: str, token: str) -> None:
    """Both servers must send the same bytes, or the comparison would not be fair."""
    ours, theirs = http(tootlog, path, token)[0], http(baseline, path, token)[0]
    if ours != theirs:
        raise BenchError(
            f"the baseline's answer to GET {path} differs from tootlog's"
            f" ({len(theirs)} and {len(ours)} characters)"
        )


def http(
    server: Server, path: str, token: str, data: bytes | None = None, unauthorized_for: float = 0
) -> tuple[str, dict[str, str]]:
    """One request as the bench user: the body and headers (lowercase names) of a 2xx answer,
    else BenchError. A 401 is retried for `unauthorized_for` seconds."""
    method = "GET" if data is None else "POST"
    request = urllib.request.Request(
        server.base_url + path,
        data=data,
        headers={"Authorization": f"Bearer {token}"},
        method=method,
    )
    deadline = time.monotonic() + unauthorized_for
    while True:
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                headers = {k.lower(): v for k, v in response.headers.items()}
                return response.read().decode(), headers
        except urllib.error.HTTPError as error:
            if error.code == 401 and time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            raise BenchError(
                f"{server.name} answered {method} {path} with {error.code}: {error.read().decode()}"
            ) from None
