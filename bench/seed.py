"""Data for the social read scenarios, written through tootlog's write model.

Everything goes in through the commands a request would run (register, follow, publish, reblog,
favourite), so the event store holds what production would hold; tootlog's own projection worker
then builds the read model from those events. Nothing here writes a read-model row.

Commands run in parallel threads on one write model with group commit, as `tootlog serve` runs
them. On 2 busy cores the thread takes about 10 s and the reblogs about 45 s.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

from bench.errors import BenchError
from commands import social
from commands.accounts import Written, account_id_for_username, register_account
from commands.app import TootlogApplication
from commands.statuses import Publishing, publish
from domain.status import Author, Draft
from domain.urls import Urls
from projections.datastore import datastore_for
from projections.readmodel import ReadModel

THREAD_DESCENDANTS = 4096  # the most a user's context shows (§6.2)
THREAD_AUTHORS = 48
REBLOGGERS = 10_000
# Commands in flight at once: enough to fill group commits while threads wait on PostgreSQL.
SEED_THREADS = 8
SEED = 20240611  # the thread's shape is the same in every run

T = TypeVar("T")


@dataclass(frozen=True)
class SocialSeed:
    """What the social scenarios read; 0 for what was not asked for."""

    thread_id: int  # the root of a thread with THREAD_DESCENDANTS replies below it
    reblogged_id: int  # a status reblogged by REBLOGGERS accounts
    position: int  # the last event written: the projection must reach it before measuring


@dataclass(frozen=True)
class Post:
    """One status of the planned thread."""

    parent: int | None  # index of the post it replies to; None for the root
    author: int  # index into the thread's people (the viewer is the last)
    visibility: str
    text: str


def seed_social(
    database_url: str, urls: Urls, viewer_username: str, *, thread: bool, reblogs: bool
) -> SocialSeed:
    """Write the thread and/or the reblogged status; returns their ids and the store's head."""
    app = TootlogApplication(database_url, pool_size=SEED_THREADS, group_commit=True)
    try:
        viewer_id = account_id_for_username(app, viewer_username)
        publishing = Publishing(urls)
        authors = _register(app, [f"thread{i:02d}" for i in range(THREAD_AUTHORS)])
        thread_id = (
            seed_thread(app, publishing, authors, viewer_id, viewer_username) if thread else 0
        )
        reblogged_id = seed_reblogs(app, publishing, authors[0]) if reblogs else 0
        return SocialSeed(thread_id, reblogged_id, app.last_position())
    finally:
        app.close()


def wait_for_projection(database_url: str, position: int, timeout: float) -> None:
    """Return once tootlog's projection has applied `position`; BenchError after `timeout`."""
    view = ReadModel(datastore_for(database_url, pool_size=1))
    deadline = time.monotonic() + timeout
    try:
        while view.position() < position:
            if time.monotonic() > deadline:
                raise BenchError(
                    f"tootlog projected up to {view.position()} of {position} events"
                    f" in {timeout:.0f}s"
                )
            time.sleep(0.2)
    finally:
        view.datastore.close()


def plan_thread(followed: set[int], viewer: int, viewer_username: str) -> list[Post]:
    """A root and THREAD_DESCENDANTS replies: the shape of a busy thread, all of it visible to
    the viewer (so a context page holds THREAD_DESCENDANTS statuses, the most it may).

    The root's author continuing it, several branches off the root, chains that grow deep
    (replies to the newest post), authors continuing their own posts, some unlisted posts,
    private posts by authors the viewer follows, direct posts that mention the viewer, and the
    viewer taking part.
    """
    rng = random.Random(SEED)
    posts = [Post(None, 0, "public", "What is everyone working on this week?")]
    open_to_all = [0]  # what anyone may reply to
    for n in range(THREAD_DESCENDANTS):
        last = len(posts) - 1
        author = rng.randrange(viewer + 1)
        if n < 4:
            parent, author = last, 0  # the root's author goes on: 2/5, 3/5, ... (self-replies)
        elif n < 12:
            parent = 0  # the branches
        elif rng.random() < 0.12:
            parent, author = last, posts[last].author  # continuing one's own post
        elif rng.random() < 0.35:
            parent = open_to_all[-1]  # answering the newest post: chains grow deep
        else:
            parent = rng.choice(open_to_all)
        text = f"reply {n} in the thread, with a little more text than a one-liner would have"
        roll = rng.random()
        if roll < 0.02:
            visibility = "direct"
            mention = f"thread{rng.randrange(viewer):02d}" if author == viewer else viewer_username
            text = f"@{mention} {text}"
        elif roll < 0.05 and (author in followed or author == viewer):
            visibility = "private"
        elif roll < 0.10:
            visibility = "unlisted"
        else:
            visibility = "public"
        posts.append(Post(parent, author, visibility, text))
        if visibility in ("public", "unlisted"):
            open_to_all.append(len(posts) - 1)
    return posts


def seed_thread(
    app: TootlogApplication,
    publishing: Publishing,
    authors: list[int],
    viewer_id: int,
    viewer_username: str,
) -> int:
    """Publish the planned thread; the viewer follows every other author, favourites 64 of the
    posts and reblogs 8. Returns the root's id."""
    people = [*authors, viewer_id]
    viewer = len(authors)
    followed = set(range(0, viewer, 2))
    _run_all(
        lambda author: social.follow(app, follower_id=viewer_id, followee_id=people[author]),
        sorted(followed),
    )
    plan = plan_thread(followed, viewer, viewer_username)

    def post(step: Post, parent_id: int | None) -> int:
        return publish(
            app,
            publishing,
            author=Author(people[step.author]),
            draft=Draft(text=step.text, visibility=step.visibility),
            in_reply_to_id=parent_id,
            reply_target_given=parent_id is not None,
        ).id

    ids = _publish_tree(plan, post)
    rng = random.Random(SEED)
    liked = rng.sample([ids[i] for i, p in enumerate(plan) if p.visibility == "public"], 64)
    _run_all(lambda sid: social.favourite(app, account_id=viewer_id, status_id=sid), liked)
    _run_all(
        lambda sid: social.reblog(
            app, account_id=viewer_id, default_visibility="public", status_id=sid, visibility=None
        ),
        liked[:8],
    )
    return ids[0]


def _publish_tree(plan: list[Post], post: Callable[[Post, int | None], int]) -> list[int]:
    """Publish every planned post once its parent exists, in parallel; returns their ids."""
    ids = [0] * len(plan)
    children: list[list[int]] = [[] for _ in plan]
    for index, step in enumerate(plan):
        if step.parent is not None:
            children[step.parent].append(index)
    remaining = len(plan)
    lock = threading.Lock()
    finished = threading.Event()
    errors: list[BaseException] = []
    pool = ThreadPoolExecutor(SEED_THREADS)

    def run(index: int) -> None:
        nonlocal remaining
        parent = plan[index].parent
        try:
            ids[index] = post(plan[index], None if parent is None else ids[parent])
        except BaseException as error:  # noqa: BLE001 - re-raised by the caller
            errors.append(error)
            finished.set()
            return
        for child in children[index]:
            pool.submit(run, child)
        with lock:
            remaining -= 1
            if remaining == 0:
                finished.set()

    try:
        pool.submit(run, 0)
        finished.wait()
    finally:
        pool.shutdown(cancel_futures=True)
    if errors:
        raise errors[0]
    return ids


def seed_reblogs(app: TootlogApplication, publishing: Publishing, author_id: int) -> int:
    """A status reblogged by REBLOGGERS new accounts (no passwords: argon2 is slow)."""
    status_id = publish(
        app, publishing, author=Author(author_id), draft=Draft(text="Boost this, please!")
    ).id
    boosters = _register(app, [f"booster{i:05d}" for i in range(REBLOGGERS)])
    _run_all(
        lambda account: social.reblog(
            app,
            account_id=account,
            default_visibility="public",
            status_id=status_id,
            visibility=None,
        ),
        boosters,
    )
    return status_id


def _register(app: TootlogApplication, usernames: list[str]) -> list[int]:
    return [w.id for w in _run_all(lambda name: register_account(app, name), usernames)]


def _run_all(command: Callable[[T], Written], items: Iterable[T]) -> list[Written]:
    """Run independent commands in parallel threads (their saves share group commits)."""
    with ThreadPoolExecutor(SEED_THREADS) as pool:
        return list(pool.map(command, items))
