"""A small, pure model of Mastodon's social rules, written from mastodon-api.md (§2, §3.1, §5,
§6.1-§6.21, §7), not from tootlog's code. The stateful HTTP test asks it what every answer must be.

Accounts are small integers (0..n-1), viewers are an account or None (anonymous). Statuses are
keyed by the ids the server gave them; the model orders by those ids as Mastodon does (snowflakes
sort chronologically), and by its own sequence for favourites and pins, whose cursors are ids the
server takes at the moment of the action.
"""

from __future__ import annotations

from dataclasses import dataclass, field

VISIBILITIES = ("public", "unlisted", "private", "direct")
COUNTED_REPLIES = ("public", "unlisted")  # §7: private and direct replies are never counted
SHOWN_REBLOGS = ("public", "unlisted")  # §6.4: private reblogs never appear in reblogged_by
MAX_PINS = 5
# §14: Mastodon's FeedManager::REBLOG_FALLOFF and the merge of a new follow (MAX_ITEMS / 4)
REBLOG_FALLOFF = 40
MERGE_LIMIT = 100
# §6.2 limits: (ancestors, descendants, descendant depth)
ANONYMOUS_CONTEXT = (40, 60, 20)
USER_CONTEXT = (4096, 4096, None)

NOT_FOUND = "Not Found"
RECORD_NOT_FOUND = "Record not found"
REPLY_NOT_FOUND = "The post you are trying to reply to does not appear to exist."
NOT_ALLOWED = "This action is not allowed"
DUPLICATE = "Duplicate record"


@dataclass
class Post:
    """A status, or a reblog wrapper when `reblog_of` is set."""

    id: str
    author: int
    visibility: str
    mentions: frozenset[int] = frozenset()
    in_reply_to_id: str | None = None
    in_reply_to_account: int | None = None
    reblog_of: str | None = None
    deleted: bool = False
    text: str = ""
    # The mentions its JSON lists, when an edit changed them; `mentions` keeps every account
    # ever mentioned, as an edit turns a removed mention silent and it keeps its access.
    active_mentions: frozenset[int] | None = None
    versions: int = 1  # entries in its history (§6.17): 1, then one more per recorded edit
    # A poll: its id, how many options and whether several may be chosen (polls section).
    poll_id: str | None = None
    poll_options: int = 0
    poll_multiple: bool = False

    @property
    def is_wrapper(self) -> bool:
        return self.reblog_of is not None


@dataclass(frozen=True)
class Answer:
    """A predicted HTTP answer: the status code, the error body, or the status id it renders."""

    status: int
    error: str | None = None
    id: str | None = None


def ok(status_id: str | None = None) -> Answer:
    return Answer(200, id=status_id)


def failed(status: int, error: str) -> Answer:
    return Answer(status, error=error)


@dataclass
class SocialModel:
    accounts: int
    posts: dict[str, Post] = field(default_factory=dict)
    follows: set[tuple[int, int]] = field(default_factory=set)
    # (account, original id) -> favourite sequence (the cursor order of favourited_by)
    favourites: dict[tuple[int, str], int] = field(default_factory=dict)
    # (account, original id) -> live wrapper id
    reblogs: dict[tuple[int, str], str] = field(default_factory=dict)
    # account -> pinned status ids, oldest pin first
    pins: dict[int, list[str]] = field(default_factory=dict)
    # account -> the status and wrapper ids in its home feed (§14)
    feeds: dict[int, set[str]] = field(default_factory=dict)
    # (account, original id) -> bookmark sequence (the cursor order of the bookmarks list)
    bookmarks: dict[tuple[int, str], int] = field(default_factory=dict)
    # (account, status id of the poll) -> the account's choices, in the order given
    votes: dict[tuple[int, str], list[int]] = field(default_factory=dict)
    # (account, conversation root id): muted conversations (§6.21)
    mutes: set[tuple[int, str]] = field(default_factory=set)
    _sequence: int = 0

    # Visibility (§2)

    def following(self, follower: int | None, followee: int) -> bool:
        return follower is not None and (follower, followee) in self.follows

    def policy_shows(self, post: Post, viewer: int | None) -> bool:
        """StatusPolicy#show? for a local, available author, no blocks."""
        if viewer is not None and viewer == post.author:
            return True
        if post.visibility in ("public", "unlisted"):
            return True
        if viewer is None:
            return False
        if viewer in post.mentions:
            return True
        return post.visibility == "private" and self.following(viewer, post.author)

    def live(self, status_id: str | None) -> Post | None:
        """The status or live wrapper with this id (a wrapper dies with its original)."""
        post = self.posts.get(status_id) if status_id is not None else None
        if post is None or post.deleted:
            return None
        if post.is_wrapper and self.posts[post.reblog_of].deleted:
            return None
        return post

    def shows(self, status_id: str, viewer: int | None) -> bool:
        """Whether GET /statuses/:id answers 200 for this viewer."""
        post = self.live(status_id)
        if post is None or not self.policy_shows(post, viewer):
            return False
        return not post.is_wrapper or self.policy_shows(self.posts[post.reblog_of], viewer)

    def original(self, post: Post) -> Post:
        return self.posts[post.reblog_of] if post.is_wrapper else post

    # Counters (§7) and per-viewer flags (§3.1)

    def counts(self, status_id: str) -> tuple[int, int, int]:
        """(replies_count, reblogs_count, favourites_count); a wrapper's own are all 0."""
        post = self.posts[status_id]
        if post.is_wrapper:
            return (0, 0, 0)
        replies = sum(
            1
            for p in self.posts.values()
            if p.in_reply_to_id == status_id
            and self.live(p.id) is not None
            and p.visibility in COUNTED_REPLIES
        )
        reblogs = sum(1 for (_, original) in self.reblogs if original == status_id)
        favourites = sum(1 for (_, original) in self.favourites if original == status_id)
        return replies, reblogs, favourites

    def flags(self, status_id: str, viewer: int | None) -> dict[str, bool]:
        """The per-viewer keys and values (none for anonymous); `pinned` only where §3.1 says."""
        if viewer is None:
            return {}
        post = self.posts[status_id]
        original = self.original(post)
        flags = {
            "favourited": (viewer, original.id) in self.favourites,
            "reblogged": (viewer, original.id) in self.reblogs,
            "bookmarked": (viewer, original.id) in self.bookmarks,
            "muted": (viewer, self.conversation(post)) in self.mutes,
        }
        if self.pinnable_by(post, viewer):
            flags["pinned"] = post.id in self.pins.get(viewer, [])
        return flags

    def conversation(self, post: Post) -> str:
        """§6.21: the root of the post's thread (deleted or not); a wrapper is its own."""
        while post.in_reply_to_id is not None and not post.is_wrapper:
            post = self.posts[post.in_reply_to_id]
        return post.id

    @staticmethod
    def pinnable_by(post: Post, viewer: int | None) -> bool:
        return (
            viewer == post.author
            and not post.is_wrapper
            and post.visibility in ("public", "unlisted", "private")
        )

    def account_counts(self, account: int) -> tuple[int, int, int]:
        """(statuses_count, followers_count, following_count): §3.2, §7."""
        statuses = sum(
            1
            for p in self.posts.values()
            if p.author == account and self.live(p.id) is not None and p.visibility != "direct"
        )
        followers = sum(1 for (_, followee) in self.follows if followee == account)
        following = sum(1 for (follower, _) in self.follows if follower == account)
        return statuses, followers, following

    # Lists

    def context(self, status_id: str, viewer: int | None) -> tuple[list[str], list[str]]:
        """§6.2: (ancestors root first, descendants pre-order with self-replies promoted)."""
        post = self.posts[status_id]
        if post.is_wrapper:
            return [], []
        max_ancestors, max_descendants, max_depth = (
            ANONYMOUS_CONTEXT if viewer is None else USER_CONTEXT
        )
        chain: list[str] = []
        parent = post.in_reply_to_id
        # The walk stops at a deleted status (its row is gone in Mastodon).
        while parent is not None and len(chain) < max_ancestors:
            above = self.posts[parent]
            if above.deleted:
                break
            chain.append(parent)
            parent = above.in_reply_to_id
        ancestors = [i for i in reversed(chain) if self.shows(i, viewer)]

        tree: list[str] = []

        def walk(node: str, depth: int) -> None:
            children = sorted(
                (p.id for p in self.posts.values() if p.in_reply_to_id == node and not p.deleted),
                key=int,
            )
            for child in children:
                if max_depth is not None and depth + 1 > max_depth:
                    return
                tree.append(child)
                walk(child, depth + 1)

        walk(status_id, 0)
        visible = [i for i in tree[:max_descendants] if self.shows(i, viewer)]
        own = [i for i in visible if self.posts[i].in_reply_to_account == self.posts[i].author]
        others = [i for i in visible if i not in own]
        return ancestors, own + others

    def reblogged_by(self, status_id: str) -> list[int]:
        """§6.4: accounts with a live public/unlisted reblog, newest reblog first."""
        wrappers = [
            self.posts[w]
            for (_, original), w in self.reblogs.items()
            if original == status_id and self.posts[w].visibility in SHOWN_REBLOGS
        ]
        return [w.author for w in sorted(wrappers, key=lambda w: int(w.id), reverse=True)]

    def favourited_by(self, status_id: str) -> list[int]:
        """§6.5: accounts that favourited this exact id, newest favourite first."""
        found = [
            (seq, a) for (a, original), seq in self.favourites.items() if original == status_id
        ]
        return [a for _, a in sorted(found, reverse=True)]

    def bookmarked_statuses(self, account: int) -> list[str]:
        """§6.14: the account's bookmarked statuses, newest bookmark first, with no visibility
        filter (a deleted status's bookmarks went with it)."""
        found = [(seq, i) for (a, i), seq in self.bookmarks.items() if a == account]
        return [i for _, i in sorted(found, reverse=True)]

    def account_statuses(self, account: int, viewer: int | None) -> list[str]:
        """The account's live statuses and reblogs the viewer may see, newest first."""
        ids = [
            p.id for p in self.posts.values() if p.author == account and self.shows(p.id, viewer)
        ]
        return sorted(ids, key=int, reverse=True)

    def home(self, viewer: int) -> list[str]:
        """§14: the feed's entries the viewer may still see, newest first."""
        feed = self.feeds.get(viewer, set())
        return sorted((i for i in feed if self.shows(i, viewer)), key=int, reverse=True)

    # The home feeds (§14: Mastodon's FeedManager and FanOutOnWriteService)

    def _filtered_from_home(self, post: Post, receiver: int) -> bool:
        """filter_from_home?: a reply to someone the receiver does not follow (unless it
        answers the receiver or continues its author's own thread)."""
        if receiver == post.author or post.in_reply_to_account is None:
            return False
        replied = post.in_reply_to_account
        return not (
            replied == post.author or replied == receiver or self.following(receiver, replied)
        )

    def _shown_recently(self, receiver: int, original_id: str, feed: set[str]) -> bool:
        """Whether the REBLOG_FALLOFF (40) newest entries of the feed show the original."""
        newest = sorted(feed, key=int, reverse=True)[:REBLOG_FALLOFF]
        return any(self.original(self.posts[i]).id == original_id for i in newest)

    def _add_to_feed(self, receiver: int, post: Post, before: set[str] | None = None) -> None:
        feed = self.feeds.setdefault(receiver, set())
        if post.is_wrapper and self._shown_recently(receiver, post.reblog_of, before or feed):
            return
        feed.add(post.id)

    def _fan_out(self, post: Post) -> None:
        receivers = {post.author} | {a for (a, b) in self.follows if b == post.author}
        if post.visibility == "direct":
            receivers = {post.author} | (receivers & set(post.mentions))
        for receiver in sorted(receivers):
            if not self._filtered_from_home(post, receiver):
                self._add_to_feed(receiver, post)

    def _merge(self, follower: int, followee: int) -> None:
        """A new follow: the followee's latest statuses that are not direct, deduplicated
        against the feed as it was before the merge."""
        before = set(self.feeds.get(follower, set()))
        latest = sorted(
            (
                p
                for p in self.posts.values()
                if p.author == followee and not p.deleted and p.visibility != "direct"
            ),
            key=lambda p: int(p.id),
            reverse=True,
        )[:MERGE_LIMIT]
        for post in latest:
            if not self._filtered_from_home(post, follower):
                self._add_to_feed(follower, post, before)

    def _unfeed(self, status_id: str) -> None:
        for feed in self.feeds.values():
            feed.discard(status_id)

    def pinned_statuses(self, account: int, viewer: int | None) -> list[str]:
        """The account's pins the viewer may see, most recently pinned first (spec silent:
        Mastodon orders `pinned_statuses` by the pin's creation, newest first)."""
        return [i for i in reversed(self.pins.get(account, [])) if self.shows(i, viewer)]

    # Writes (each returns the predicted answer and applies the effects of a success)

    def reply_target(self, author: int, status_id: str) -> Post | None:
        """§6.6 step 3: the parent a reply attaches to (a wrapper redirects), or None (404)."""
        if not self.shows(status_id, author):
            return None
        return self.original(self.posts[status_id])

    def publish(
        self, status_id: str, author: int, visibility: str, mentions: frozenset[int], parent: Post
    ) -> Post:
        """Record a published status (the server chose its id)."""
        in_reply_to_account = None
        if parent is not None:
            # §3.1 carry-over: a self-reply to a reply keeps the thread's other party.
            if parent.author == author and parent.in_reply_to_id is not None:
                in_reply_to_account = parent.in_reply_to_account
            else:
                in_reply_to_account = parent.author
        post = Post(
            status_id,
            author,
            visibility,
            mentions,
            parent.id if parent is not None else None,
            in_reply_to_account,
        )
        self.posts[status_id] = post
        self._fan_out(post)
        return post

    def plan_reblog(self, account: int, status_id: str, requested: str | None) -> Answer:
        """§6.8 up to the creation: 404, 403, the existing wrapper, 422, or 200 with id None
        (a new wrapper whose visibility `reblog_visibility` gives)."""
        if not self.shows(status_id, account):
            return failed(404, NOT_FOUND)
        original = self.original(self.posts[status_id])
        if original.visibility == "direct" or (
            original.visibility == "private" and original.author != account
        ):
            return failed(403, NOT_ALLOWED)
        existing = self.reblogs.get((account, original.id))
        if existing is not None:
            return ok(existing)
        if original.visibility != "private":
            visibility = requested or "public"  # the default privacy of an unlocked account
            if visibility == "direct":
                return failed(422, "Validation failed: Visibility is reserved")
        return ok(None)

    def reblog_visibility(self, status_id: str, requested: str | None) -> str:
        original = self.original(self.posts[status_id])
        return "private" if original.visibility == "private" else requested or "public"

    def add_reblog(self, wrapper_id: str, account: int, status_id: str, visibility: str) -> None:
        original = self.original(self.posts[status_id])
        self.posts[wrapper_id] = Post(wrapper_id, account, visibility, reblog_of=original.id)
        self.reblogs[(account, original.id)] = wrapper_id
        self._fan_out(self.posts[wrapper_id])

    def unreblog(self, account: int, status_id: str) -> Answer:
        """§6.9: undo the caller's reblog of an original id; else 404 or an unchanged 200."""
        wrapper = self.reblogs.get((account, status_id))
        if wrapper is not None and self.live(status_id) is not None:
            self._drop_reblog(account, status_id)
            return ok(status_id)
        if not self.shows(status_id, account):
            return failed(404, NOT_FOUND)
        return ok(status_id)

    def _drop_reblog(self, account: int, original_id: str) -> None:
        wrapper = self.reblogs.pop((account, original_id))
        self.posts[wrapper].deleted = True
        if self.live(original_id) is not None:  # an unreblog: the wrapper leaves the feeds
            self._unfeed(wrapper)

    def favourite(self, account: int, status_id: str) -> Answer:
        """§6.10: favourites go to the original; the answer renders the id asked for."""
        if not self.shows(status_id, account):
            return failed(404, NOT_FOUND)
        post = self.posts[status_id]
        key = (account, self.original(post).id)
        if key in self.favourites:
            if post.is_wrapper:  # the Rails uniqueness-validation quirk
                return failed(422, "Validation failed: Status has already been taken")
            return ok(status_id)
        self._sequence += 1
        self.favourites[key] = self._sequence
        return ok(status_id)

    def unfavourite(self, account: int, status_id: str) -> Answer:
        """§6.11: remove a favourite of this exact id, with no visibility check."""
        if (account, status_id) in self.favourites and self.live(status_id) is not None:
            del self.favourites[(account, status_id)]
            return ok(status_id)
        if not self.shows(status_id, account):
            return failed(404, NOT_FOUND)
        return ok(status_id)

    def bookmark(self, account: int, status_id: str) -> Answer:
        """§6.14: as a favourite, without the block check (none here) or a counter."""
        if not self.shows(status_id, account):
            return failed(404, NOT_FOUND)
        post = self.posts[status_id]
        key = (account, self.original(post).id)
        if key in self.bookmarks:
            if post.is_wrapper:  # the Rails uniqueness-validation quirk
                return failed(422, "Validation failed: Status has already been taken")
            return ok(status_id)
        self._sequence += 1
        self.bookmarks[key] = self._sequence
        return ok(status_id)

    def unbookmark(self, account: int, status_id: str) -> Answer:
        """§6.14: remove a bookmark of this exact id, with no visibility check."""
        if (account, status_id) in self.bookmarks and self.live(status_id) is not None:
            del self.bookmarks[(account, status_id)]
            return ok(status_id)
        if not self.shows(status_id, account):
            return failed(404, NOT_FOUND)
        return ok(status_id)

    def mute(self, account: int, status_id: str, muted: bool = True) -> Answer:
        """§6.21: (un)mute the conversation of any visible status; again is no error. A
        deleted status's thread stays muted."""
        if not self.shows(status_id, account):
            return failed(404, NOT_FOUND)
        key = (account, self.conversation(self.posts[status_id]))
        if muted:
            self.mutes.add(key)
        else:
            self.mutes.discard(key)
        return ok(status_id)

    def pin(self, account: int, status_id: str) -> Answer:
        """§6.12: 404 first, then every failing validation in order, then duplicates."""
        if not self.shows(status_id, account):
            return failed(404, NOT_FOUND)
        post = self.posts[status_id]
        pins = self.pins.setdefault(account, [])
        problems = []
        if post.is_wrapper:
            problems.append("A boost cannot be pinned")
        if post.author != account:
            problems.append("Someone else's post cannot be pinned")
        if post.visibility == "direct":
            problems.append("Posts that are only visible to mentioned users cannot be pinned")
        if len(pins) >= MAX_PINS:
            problems.append("You have already pinned the maximum number of posts")
        if problems:
            return failed(422, "Validation failed: " + ", ".join(problems))
        if status_id in pins:
            return failed(422, DUPLICATE)
        pins.append(status_id)
        return ok(status_id)

    def unpin(self, account: int, status_id: str) -> Answer:
        """§6.13: 404 for invisible, else always 200."""
        if not self.shows(status_id, account):
            return failed(404, NOT_FOUND)
        pins = self.pins.get(account, [])
        if status_id in pins:
            pins.remove(status_id)
        return ok(status_id)

    def delete(self, account: int, status_id: str) -> Answer:
        """§6.7: one's own live status (with its reblogs, pin and favourites), or one's own
        reblog wrapper (= unreblog); anything else is Record not found."""
        post = self.live(status_id)
        if post is None or post.author != account:
            return failed(404, RECORD_NOT_FOUND)
        if post.is_wrapper:
            self._drop_reblog(account, post.reblog_of)
            return ok(status_id)
        post.deleted = True
        self._unfeed(status_id)
        for reblogger, original in [k for k in self.reblogs if k[1] == status_id]:
            self._drop_reblog(reblogger, original)
        for key in [k for k in self.favourites if k[1] == status_id]:
            del self.favourites[key]
        for key in [k for k in self.bookmarks if k[1] == status_id]:
            del self.bookmarks[key]
        for pins in self.pins.values():
            if status_id in pins:
                pins.remove(status_id)
        for key in [k for k in self.votes if k[1] == status_id]:
            del self.votes[key]
        return ok(status_id)

    def edit(
        self,
        account: int,
        status_id: str,
        text: str,
        mentions: frozenset[int],
        poll: tuple[int, bool] | None = None,
    ) -> Answer:
        """§6.16: one's own live status; one's own live wrapper answers unchanged; anything
        else is Record not found. Visibility and the reply target never change; an edit that
        changes nothing adds no version. The poll is replaced (UpdateStatusService): one left
        out is removed with its votes; one sent (options, multiple) keeps the poll's votes
        unless its options or `multiple` changed, and is always a change (a new expiry). A new
        poll's id is the caller's to note from the answer."""
        post = self.live(status_id)
        if post is None or post.author != account:
            return failed(404, RECORD_NOT_FOUND)
        had_poll = post.poll_id is not None
        if post.is_wrapper or (text == post.text and poll is None and not had_poll):
            return ok(status_id)
        if poll is None or (had_poll and poll != (post.poll_options, post.poll_multiple)):
            for key in [k for k in self.votes if k[1] == status_id]:
                del self.votes[key]
        if poll is None:
            post.poll_id, post.poll_options, post.poll_multiple = None, 0, False
        else:
            post.poll_options, post.poll_multiple = poll
        post.text = text
        post.mentions = post.mentions | mentions
        post.active_mentions = mentions
        post.versions += 1
        return ok(status_id)

    # Polls (VoteValidator, Poll#voted?, REST::PollSerializer)

    def poll_of(self, status_id: str) -> Post | None:
        """The status whose poll a status shows (the original of a wrapper), if it has one."""
        post = self.original(self.posts[status_id])
        return post if post.poll_id is not None else None

    def vote(self, account: int, status_id: str, choices: list[int]) -> Answer:
        """POST /api/v1/polls/:id/votes on the poll `status_id` shows (the poll never expires
        within an example): 404 for an invisible status, then each choice in turn."""
        post = self.poll_of(status_id)
        assert post is not None
        if not self.shows(post.id, account):
            return failed(404, NOT_FOUND)
        taken = list(self.votes.get((account, post.id), []))
        for choice in choices:
            problems = []
            if not 0 <= choice < post.poll_options:
                problems.append("The chosen vote option does not exist")
            if account == post.author:
                problems.append("You cannot vote in your own polls")
            if (post.poll_multiple and choice in taken) or (not post.poll_multiple and taken):
                problems.append("You have already voted on this poll")
            if problems:
                return failed(422, "Validation failed: " + ", ".join(problems))
            taken.append(choice)
        if choices:
            self.votes[(account, post.id)] = taken
        return ok(post.id)

    def poll(self, status_id: str, viewer: int | None) -> dict | None:
        """What the Poll entity must say (counts and the viewer's keys), or None."""
        post = self.poll_of(status_id)
        if post is None:
            return None
        given = {a: c for (a, s), c in self.votes.items() if s == post.id}
        tallies = [sum(c.count(i) for c in given.values()) for i in range(post.poll_options)]
        shown = {
            "id": post.poll_id,
            "votes_count": sum(tallies),
            "voters_count": len(given),
            "options": tallies,
        }
        if viewer is not None:
            shown["voted"] = viewer == post.author or viewer in given
            shown["own_votes"] = given.get(viewer, [])
        return shown

    def follow(self, follower: int, followee: int) -> Answer:
        """Following oneself is Rails' RecordNotFound (FollowService); again is a no-op."""
        if follower == followee:
            return failed(404, RECORD_NOT_FOUND)
        if (follower, followee) not in self.follows:
            self.follows.add((follower, followee))
            self._merge(follower, followee)
        return ok()

    def unfollow(self, follower: int, followee: int) -> Answer:
        if (follower, followee) in self.follows:
            self.follows.discard((follower, followee))
            feed = self.feeds.get(follower, set())
            for status_id in [i for i in feed if self.posts[i].author == followee]:
                feed.discard(status_id)
        return ok()
