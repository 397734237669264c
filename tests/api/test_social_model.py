"""Random sequences of publish (with or without a poll) / reply / follow / unfollow / reblog /
unreblog / favourite / unfavourite / pin / unpin / bookmark / unbookmark / mute / unmute / edit /
delete / vote by four accounts against a live `tootlog serve`. After every step, every read
endpoint (each account's home timeline and notifications included) is checked for every
viewer (anonymous included) against the pure models in social_model.py and
notification_model.py: no leak, no missing item, counters, flags, history lengths and polls
equal to the model's."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)

from tests.api.notification_model import NotificationModel, matches
from tests.api.social_model import (
    NOT_FOUND,
    REPLY_NOT_FOUND,
    VISIBILITIES,
    Answer,
    Post,
    SocialModel,
)
from tests.support import Directory, LiveServer, User

ACCOUNTS = 4
VIEWERS: tuple[int | None, ...] = (None, *range(ACCOUNTS))
FLAG_KEYS = ("favourited", "reblogged", "muted", "bookmarked", "pinned")
USER_ONLY_KEYS = ("favourited", "reblogged", "muted", "bookmarked", "filtered")
LIST_LIMIT = {"limit": "80"}
# For a deeper search than the default run (a few seconds per example), set for instance
# TOOTLOG_MODEL_EXAMPLES=300 TOOTLOG_MODEL_STEPS=30.
EXAMPLES = int(os.environ.get("TOOTLOG_MODEL_EXAMPLES", "12"))
STEPS = int(os.environ.get("TOOTLOG_MODEL_STEPS", "20"))

accounts = st.integers(0, ACCOUNTS - 1)
visibilities = st.sampled_from((None, *VISIBILITIES))
reblog_visibilities = st.sampled_from((None, "public", "unlisted", "private", "direct"))
mentions = st.frozensets(accounts, max_size=2)
# Who to follow, as an offset from the follower: 0 (oneself, a 404) one time in ten.
followee_offsets = st.sampled_from((*range(1, ACCOUNTS),) * 3 + (0,))


def who(viewer: int | None) -> str:
    return "anonymous" if viewer is None else f"account {viewer}"


class SocialMachine(RuleBasedStateMachine):
    """Set `http`, `directory` and `pool` on a subclass before running it."""

    http: httpx.Client
    directory: Directory
    pool: ThreadPoolExecutor

    statuses = Bundle("statuses")

    def __init__(self) -> None:
        super().__init__()
        # Four new accounts per example keep examples independent of each other.
        self.users: list[User] = self.directory.users(ACCOUNTS)
        self.model = SocialModel(ACCOUNTS)
        self.notifications = NotificationModel()  # §18: derived from the model's changes
        # Accounts whose lists can hold anything: the others' are not read, to save time.
        self.authors: set[int] = set()
        self.pinners: set[int] = set()
        self.bookmarkers: set[int] = set()
        self.edits = 0

    # HTTP

    def headers(self, viewer: int | None) -> dict[str, str]:
        if viewer is None:
            return {}
        return {"Authorization": f"Bearer {self.users[viewer].token}"}

    def get(self, viewer: int | None, path: str, params: dict | None = None) -> httpx.Response:
        return self.http.get(path, params=params, headers=self.headers(viewer))

    def post(self, viewer: int, path: str, data: dict | None = None) -> httpx.Response:
        return self.http.post(path, data=data, headers=self.headers(viewer))

    def expect(self, response: httpx.Response, answer: Answer, what: str) -> dict | None:
        """Assert the status code (and error body); the JSON of a 200."""
        # Which outcomes the search reached: shown by --hypothesis-show-statistics.
        event(f"{what.split()[0]}: {answer.status} {answer.error or ''}".strip())
        assert response.status_code == answer.status, (what, answer, response.text)
        if answer.error is not None:
            assert response.json() == {"error": answer.error}, what
            return None
        return response.json()

    # Checking one rendered status against the model

    def account_id(self, account: int | None) -> str | None:
        return None if account is None else self.users[account].id

    def check_status(
        self,
        body: dict,
        status_id: str,
        viewer: int | None,
        *,
        source: bool = False,
        overrides: dict[str, bool] | None = None,
        model: SocialModel | None = None,
    ) -> None:
        """The Status entity of `status_id` as `viewer` sees it (§3.1, §7), in the model's
        current state or in `model`."""
        model = model or self.model
        post = model.posts[status_id]
        what = f"status {status_id} as {who(viewer)}"
        assert body["id"] == status_id, what
        assert body["visibility"] == post.visibility, what
        assert body["account"]["id"] == self.users[post.author].id, what
        counts = (body["replies_count"], body["reblogs_count"], body["favourites_count"])
        assert counts == model.counts(status_id), (what, "counts")
        author = body["account"]
        author_counts = (
            author["statuses_count"],
            author["followers_count"],
            author["following_count"],
        )
        assert author_counts == model.account_counts(post.author), (what, "account counts")
        flags = {k: body[k] for k in FLAG_KEYS if k in body}
        assert flags == {**model.flags(status_id, viewer), **(overrides or {})}, (what, "flags")
        for key in USER_ONLY_KEYS:
            assert (key in body) == (viewer is not None), (what, key)
        assert ("text" in body, "content" in body) == (source, not source), what
        poll = model.poll(status_id, viewer) if not post.is_wrapper else None
        if poll is None:
            assert body["poll"] is None, what
        else:
            self.check_poll(body["poll"], poll, what)
        if post.is_wrapper:
            assert body["in_reply_to_id"] is None, what
            assert body["reblog"] is not None, what
            self.check_status(body["reblog"], post.reblog_of, viewer, source=source, model=model)
        else:
            assert body["reblog"] is None, what
            assert body["in_reply_to_id"] == post.in_reply_to_id, what
            assert body["in_reply_to_account_id"] == self.account_id(post.in_reply_to_account)
            mentioned = {m["id"] for m in body["mentions"]}
            assert mentioned == {self.users[m].id for m in shown_mentions(post)}, what

    @staticmethod
    def check_poll(body: dict, expected: dict, what: str) -> None:
        got = {
            "id": body["id"],
            "votes_count": body["votes_count"],
            "voters_count": body["voters_count"],
            "options": [option["votes_count"] for option in body["options"]],
        }
        for key in ("voted", "own_votes"):
            if key in body:
                got[key] = body[key]
        assert got == expected, (what, "poll")

    # Rules

    def _publish(
        self,
        author: int,
        visibility: str | None,
        mentioned: frozenset[int],
        parent_id: str | None,
        poll: tuple[int, bool] | None = None,
    ):  # noqa: ANN202
        text = " ".join(["hello", *(f"@{self.users[m].username}" for m in sorted(mentioned))])
        data: dict = {"status": text}
        if poll is not None:
            options, several = poll
            data["poll[options][]"] = [f"option {i}" for i in range(options)]
            data["poll[expires_in]"] = "86400"
            data["poll[multiple]"] = "true" if several else "false"
        if visibility is not None:
            data["visibility"] = visibility
        parent = None
        if parent_id is not None:
            data["in_reply_to_id"] = parent_id
            parent = self.model.reply_target(author, parent_id)
            if parent is None:
                response = self.post(author, "/api/v1/statuses", data)
                self.expect(response, Answer(404, REPLY_NOT_FOUND), f"reply to {parent_id}")
                return multiple()
        response = self.post(author, "/api/v1/statuses", data)
        body = self.expect(response, Answer(200), "reply" if parent else "publish")
        post = self.model.publish(body["id"], author, visibility or "public", mentioned, parent)
        post.text = text
        if poll is not None:
            post.poll_id, (post.poll_options, post.poll_multiple) = body["poll"]["id"], poll
        self.authors.add(author)
        self.check_status(body, body["id"], author)
        return body["id"]

    # Swarm testing switches rules off per example: a few statuses and follows from the start
    # keep every example busy with the rules that act on them.
    @initialize(
        target=statuses,
        drafts=st.lists(st.tuples(accounts, visibilities, mentions), min_size=1, max_size=4),
    )
    def seed_statuses(self, drafts: list[tuple[int, str | None, frozenset[int]]]):  # noqa: ANN201
        return multiple(*(self._publish(a, v, m, None) for a, v, m in drafts))

    @initialize(edges=st.lists(st.tuples(accounts, followee_offsets), max_size=4))
    def seed_follows(self, edges: list[tuple[int, int]]) -> None:
        for follower, offset in edges:
            self.follow(follower, offset)

    @rule(target=statuses, author=accounts, visibility=visibilities, mentioned=mentions)
    def publish(self, author: int, visibility: str | None, mentioned: frozenset[int]):  # noqa: ANN201
        return self._publish(author, visibility, mentioned, None)

    @rule(
        target=statuses,
        author=accounts,
        visibility=visibilities,
        options=st.integers(2, 4),
        multiple=st.booleans(),
    )
    def publish_poll(self, author: int, visibility: str | None, options: int, multiple: bool):  # noqa: ANN201
        return self._publish(author, visibility, frozenset(), None, (options, multiple))

    @rule(
        account=accounts,
        status=statuses,
        choices=st.lists(st.integers(-1, 4), min_size=0, max_size=2),
    )
    def vote(self, account: int, status: str, choices: list[int]) -> None:
        """A vote on the poll a status shows (statuses without one are skipped)."""
        poll = self.model.poll_of(status)
        if poll is None:
            return
        answer = self.model.vote(account, status, choices)
        data = {"choices[]": [str(choice) for choice in choices]}
        response = self.post(account, f"/api/v1/polls/{poll.poll_id}/votes", data)
        body = self.expect(response, answer, f"vote on {status}")
        if body is not None:
            self.check_poll(body, self.model.poll(status, account), f"vote on {status}")

    @rule(
        target=statuses,
        author=accounts,
        parent=statuses,
        visibility=visibilities,
        mentioned=st.frozensets(accounts, max_size=1),
    )
    def reply(self, author: int, parent: str, visibility: str | None, mentioned: frozenset[int]):  # noqa: ANN201
        return self._publish(author, visibility, mentioned, parent)

    @rule(target=statuses, parent=statuses, visibility=visibilities)
    def reply_to_oneself(self, parent: str, visibility: str | None):  # noqa: ANN201
        """The author of a status (or of a wrapper) answers it: self-reply chains and their
        promotion in context, and the in_reply_to_account_id carry-over (§3.1, §6.2)."""
        return self._publish(self.model.posts[parent].author, visibility, frozenset(), parent)

    @rule(follower=accounts, offset=followee_offsets)
    def follow(self, follower: int, offset: int) -> None:
        followee = (follower + offset) % ACCOUNTS
        answer = self.model.follow(follower, followee)
        response = self.post(follower, f"/api/v1/accounts/{self.users[followee].id}/follow")
        body = self.expect(response, answer, f"follow {follower} -> {followee}")
        if body is not None:
            assert (body["id"], body["following"]) == (self.users[followee].id, True)

    @rule(follower=accounts, offset=followee_offsets)
    def unfollow(self, follower: int, offset: int) -> None:
        followee = (follower + offset) % ACCOUNTS
        answer = self.model.unfollow(follower, followee)
        response = self.post(follower, f"/api/v1/accounts/{self.users[followee].id}/unfollow")
        body = self.expect(response, answer, f"unfollow {follower} -> {followee}")
        assert (body["id"], body["following"]) == (self.users[followee].id, False)

    @rule(target=statuses, account=accounts, status=statuses, visibility=reblog_visibilities)
    def reblog(self, account: int, status: str, visibility: str | None):  # noqa: ANN201
        plan = self.model.plan_reblog(account, status, visibility)
        data = {"visibility": visibility} if visibility else None
        response = self.post(account, f"/api/v1/statuses/{status}/reblog", data)
        body = self.expect(response, Answer(plan.status, plan.error), f"reblog {status}")
        if body is None:
            return multiple()
        if plan.id is not None:  # already reblogged: the same wrapper, nothing new
            assert body["id"] == plan.id
            self.check_status(body, plan.id, account)
            return multiple()
        wrapper_visibility = self.model.reblog_visibility(status, visibility)
        self.model.add_reblog(body["id"], account, status, wrapper_visibility)
        self.authors.add(account)
        self.check_status(body, body["id"], account)
        return body["id"]

    @rule(account=accounts, status=statuses)
    def unreblog(self, account: int, status: str) -> None:
        answer = self.model.unreblog(account, status)
        response = self.post(account, f"/api/v1/statuses/{status}/unreblog")
        body = self.expect(response, answer, f"unreblog {status}")
        if body is not None:
            # §6.9: the answer always says reblogged: false (a wrapper id included).
            self.check_status(body, status, account, overrides={"reblogged": False})

    @rule(account=accounts, status=statuses)
    def favourite(self, account: int, status: str) -> None:
        answer = self.model.favourite(account, status)
        response = self.post(account, f"/api/v1/statuses/{status}/favourite")
        body = self.expect(response, answer, f"favourite {status}")
        if body is not None:
            self.check_status(body, status, account)

    @rule(account=accounts, status=statuses)
    def unfavourite(self, account: int, status: str) -> None:
        answer = self.model.unfavourite(account, status)
        response = self.post(account, f"/api/v1/statuses/{status}/unfavourite")
        body = self.expect(response, answer, f"unfavourite {status}")
        if body is not None:
            # §6.11: the answer always says favourited: false (a wrapper id included).
            self.check_status(body, status, account, overrides={"favourited": False})

    @rule(account=accounts, status=statuses)
    def pin(self, account: int, status: str) -> None:
        answer = self.model.pin(account, status)
        response = self.post(account, f"/api/v1/statuses/{status}/pin")
        body = self.expect(response, answer, f"pin {status}")
        if body is not None:
            self.pinners.add(account)
            self.check_status(body, status, account)

    @rule(account=accounts, status=statuses)
    def unpin(self, account: int, status: str) -> None:
        answer = self.model.unpin(account, status)
        response = self.post(account, f"/api/v1/statuses/{status}/unpin")
        body = self.expect(response, answer, f"unpin {status}")
        if body is not None:
            self.check_status(body, status, account)

    @rule(
        account=accounts,
        status=statuses,
        mentioned=mentions,
        same=st.booleans(),
        poll=st.none() | st.tuples(st.integers(2, 4), st.booleans()),
    )
    def edit(
        self,
        account: int,
        status: str,
        mentioned: frozenset[int],
        same: bool,
        poll: tuple[int, bool] | None,
    ) -> None:
        """PUT /api/v1/statuses/:id (§6.16): a new text and mentions (an added mention shows a
        direct or private status to that account), or the same text (no new version unless the
        poll changes); with a poll (replacing the status's, or new) or without (removing it)."""
        post = self.model.posts[status]
        if same and post.text:
            text, mentioned = post.text, shown_mentions(post)
        else:
            self.edits += 1
            names = (f"@{self.users[m].username}" for m in sorted(mentioned))
            text = " ".join([f"edit {self.edits}", *names])
        data: dict = {"status": text}
        if poll is not None:
            data["poll[options][]"] = [f"option {i}" for i in range(poll[0])]
            data["poll[expires_in]"] = "86400"
            data["poll[multiple]"] = "true" if poll[1] else "false"
        answer = self.model.edit(account, status, text, mentioned, poll)
        response = self.http.put(
            f"/api/v1/statuses/{status}", data=data, headers=self.headers(account)
        )
        body = self.expect(response, answer, f"edit {status}")
        if body is not None:
            if poll is not None and not post.is_wrapper and post.poll_id is None:
                post.poll_id = body["poll"]["id"]  # a new poll
            self.check_status(body, status, account)

    @rule(account=accounts, status=statuses)
    def bookmark(self, account: int, status: str) -> None:
        answer = self.model.bookmark(account, status)
        response = self.post(account, f"/api/v1/statuses/{status}/bookmark")
        body = self.expect(response, answer, f"bookmark {status}")
        if body is not None:
            self.bookmarkers.add(account)
            self.check_status(body, status, account)

    @rule(account=accounts, status=statuses)
    def unbookmark(self, account: int, status: str) -> None:
        answer = self.model.unbookmark(account, status)
        response = self.post(account, f"/api/v1/statuses/{status}/unbookmark")
        body = self.expect(response, answer, f"unbookmark {status}")
        if body is not None:
            # §6.14: the answer always says bookmarked: false (a wrapper id included).
            self.check_status(body, status, account, overrides={"bookmarked": False})

    @rule(account=accounts, status=statuses, muted=st.booleans())
    def mute(self, account: int, status: str, muted: bool) -> None:
        action = "mute" if muted else "unmute"
        answer = self.model.mute(account, status, muted)
        response = self.post(account, f"/api/v1/statuses/{status}/{action}")
        body = self.expect(response, answer, f"{action} {status}")
        if body is not None:
            self.check_status(body, status, account)

    @rule(account=accounts, status=statuses)
    def delete(self, account: int, status: str) -> None:
        before = copy.deepcopy(self.model)
        answer = self.model.delete(account, status)
        response = self.http.delete(f"/api/v1/statuses/{status}", headers=self.headers(account))
        body = self.expect(response, answer, f"delete {status}")
        if body is not None:
            # The status as it was before deletion, with `text` in place of `content` (§6.7).
            self.check_status(body, status, account, source=True, model=before)

    # After every step: every read, for every viewer

    @invariant()
    def every_read_matches_the_model(self) -> None:
        self.notifications.observe(self.model)
        checks: list[tuple[Callable[[], httpx.Response], Callable[[httpx.Response], None]]] = []
        for viewer in VIEWERS:
            for status_id in list(self.model.posts):
                checks += self._status_reads(viewer, status_id)
            for account in range(ACCOUNTS):
                checks += self._account_reads(viewer, account)
        for account in range(ACCOUNTS):
            checks.append(self._account_read(account))
            checks.append(self._relationships_read(account))
            checks.append(self._home_read(account))
            checks.append(self._notifications_read(account))
            if account in self.bookmarkers:
                checks.append(self._bookmarks_read(account))
        responses = self.pool.map(lambda c: c[0](), checks)
        for (_, check), response in zip(checks, responses, strict=True):
            check(response)

    def _status_reads(self, viewer: int | None, status_id: str) -> list:
        model = self.model
        base = f"/api/v1/statuses/{status_id}"
        what = f"{{}} {status_id} as {who(viewer)}"
        if not model.shows(status_id, viewer):

            def hidden(suffix: str):  # noqa: ANN202
                def check(response: httpx.Response) -> None:
                    what_ = what.format("GET" + suffix)
                    assert response.status_code == 404, (what_, response.text)
                    assert response.json() == {"error": NOT_FOUND}, what_

                return (lambda: self.get(viewer, base + suffix), check)

            suffixes = ("", "/context", "/reblogged_by", "/favourited_by", "/history")
            return [hidden(s) for s in suffixes]

        def show(response: httpx.Response) -> None:
            assert response.status_code == 200, (what.format("GET"), response.text)
            self.check_status(response.json(), status_id, viewer)

        def context(response: httpx.Response) -> None:
            assert response.status_code == 200, (what.format("context"), response.text)
            body = response.json()
            ancestors, descendants = model.context(status_id, viewer)
            got = ([s["id"] for s in body["ancestors"]], [s["id"] for s in body["descendants"]])
            assert got == (ancestors, descendants), what.format("context")
            for item in body["ancestors"] + body["descendants"]:
                self.check_status(item, item["id"], viewer)

        def accounts_list(expected: list[int], name: str):  # noqa: ANN202
            def check(response: httpx.Response) -> None:
                assert response.status_code == 200, (what.format(name), response.text)
                got = [a["id"] for a in response.json()]
                assert got == [self.users[a].id for a in expected], what.format(name)

            return check

        def history(response: httpx.Response) -> None:
            assert response.status_code == 200, (what.format("history"), response.text)
            post = model.posts[status_id]
            assert len(response.json()) == post.versions, what.format("history")

        return [
            (lambda: self.get(viewer, base), show),
            (lambda: self.get(viewer, base + "/history"), history),
            (lambda: self.get(viewer, base + "/context"), context),
            (
                lambda: self.get(viewer, base + "/reblogged_by", LIST_LIMIT),
                accounts_list(model.reblogged_by(status_id), "reblogged_by"),
            ),
            (
                lambda: self.get(viewer, base + "/favourited_by", LIST_LIMIT),
                accounts_list(model.favourited_by(status_id), "favourited_by"),
            ),
        ]

    def _account_reads(self, viewer: int | None, account: int) -> list:
        path = f"/api/v1/accounts/{self.users[account].id}/statuses"

        def listing(expected: list[str], name: str):  # noqa: ANN202
            def check(response: httpx.Response) -> None:
                what = f"{name} of account {account} as {who(viewer)}"
                assert response.status_code == 200, (what, response.text)
                body = response.json()
                assert [s["id"] for s in body] == expected, what
                for item in body:
                    self.check_status(item, item["id"], viewer)

            return check

        reads = []
        if account in self.authors:
            reads.append(
                (
                    lambda: self.get(viewer, path, {"limit": "40"}),
                    listing(self.model.account_statuses(account, viewer), "statuses"),
                )
            )
        if account in self.pinners:
            reads.append(
                (
                    lambda: self.get(viewer, path, {"limit": "40", "pinned": "true"}),
                    listing(self.model.pinned_statuses(account, viewer), "pinned statuses"),
                )
            )
        return reads

    def _home_read(self, viewer: int):  # noqa: ANN202
        """§14: the home timeline, with every entry as the viewer sees it."""

        def check(response: httpx.Response) -> None:
            what = f"home of account {viewer}"
            assert response.status_code == 200, (what, response.text)
            body = response.json()
            assert [s["id"] for s in body] == self.model.home(viewer), what
            for item in body:
                self.check_status(item, item["id"], viewer)

        return (lambda: self.get(viewer, "/api/v1/timelines/home", {"limit": "40"}), check)

    def _notifications_read(self, viewer: int):  # noqa: ANN202
        """§18: the viewer's notifications, each about a status as the viewer sees it."""
        ids = {u.id: number for number, u in enumerate(self.users)}

        def check(response: httpx.Response) -> None:
            what = f"notifications of account {viewer}"
            assert response.status_code == 200, (what, response.text)
            body = response.json()
            got = [
                (n["type"], ids[n["account"]["id"]], n["status"]["id"] if "status" in n else None)
                for n in body
            ]
            expected = self.notifications.expected(self.model, viewer)
            assert matches(got, expected), (what, got, expected)
            for item in body:
                if "status" in item:
                    self.check_status(item["status"], item["status"]["id"], viewer)

        return (lambda: self.get(viewer, "/api/v1/notifications", LIST_LIMIT), check)

    def _account_read(self, account: int):  # noqa: ANN202
        def check(response: httpx.Response) -> None:
            assert response.status_code == 200, response.text
            body = response.json()
            got = (body["statuses_count"], body["followers_count"], body["following_count"])
            assert got == self.model.account_counts(account), f"counts of account {account}"

        return (lambda: self.get(None, f"/api/v1/accounts/{self.users[account].id}"), check)

    def _bookmarks_read(self, viewer: int):  # noqa: ANN202
        def check(response: httpx.Response) -> None:
            what = f"bookmarks of account {viewer}"
            assert response.status_code == 200, (what, response.text)
            body = response.json()
            assert [s["id"] for s in body] == self.model.bookmarked_statuses(viewer), what
            for item in body:
                self.check_status(item, item["id"], viewer)

        return (lambda: self.get(viewer, "/api/v1/bookmarks", {"limit": "40"}), check)

    def _relationships_read(self, viewer: int):  # noqa: ANN202
        ids = [u.id for u in self.users]

        def check(response: httpx.Response) -> None:
            assert response.status_code == 200, response.text
            got = {r["id"]: (r["following"], r["followed_by"]) for r in response.json()}
            expected = {
                self.users[other].id: (
                    (viewer, other) in self.model.follows,
                    (other, viewer) in self.model.follows,
                )
                for other in range(ACCOUNTS)
            }
            assert got == expected, f"relationships of account {viewer}"

        return (
            lambda: self.get(viewer, "/api/v1/accounts/relationships", {"id[]": ids}),
            check,
        )


def shown_mentions(post: Post) -> frozenset[int]:
    """The accounts a status's JSON lists as mentioned (the active mentions)."""
    return post.mentions if post.active_mentions is None else post.active_mentions


def test_every_read_matches_the_model_after_every_step(
    live_server: LiveServer, directory: Directory
) -> None:
    with (
        live_server.client() as http,
        ThreadPoolExecutor(max_workers=4) as pool,
    ):

        class Machine(SocialMachine):
            pass

        Machine.http = http
        Machine.directory = directory
        Machine.pool = pool
        run_state_machine_as_test(
            Machine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=STEPS,
                deadline=None,
                suppress_health_check=[HealthCheck.too_slow],
            ),
        )
