"""The notifications each account must have (mastodon-api.md §18.1), derived from the social
model's changes, one step at a time: what a step added (a status, a favourite, a reblog, a
follow, a recorded edit) makes notifications, what it took away (an unfavourite, an unreblog,
an unfollow, a deletion) removes them. Mutes and self-exclusion are decided when the
notification is made; visibility when it is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.api.social_model import Post, SocialModel

# Within one step: the order of the kinds one event makes (their ids' slots).
MENTION, UPDATE = 0, 2


@dataclass(frozen=True)
class Note:
    step: int
    slot: int
    recipient: int
    type: str
    sender: int
    status: str | None  # the status it is about (a reblog's: the original)


@dataclass
class _Seen:
    """What notifications depend on, as it was after the previous step."""

    posts: dict[str, tuple[bool, int]] = field(default_factory=dict)  # id -> (deleted, versions)
    favourites: set[tuple[int, str]] = field(default_factory=set)
    reblogs: set[tuple[int, str]] = field(default_factory=set)
    follows: set[tuple[int, int]] = field(default_factory=set)


@dataclass
class NotificationModel:
    notes: list[Note] = field(default_factory=list)
    step: int = 0
    seen: _Seen = field(default_factory=_Seen)

    def observe(self, model: SocialModel) -> None:
        """Apply what changed in `model` since the last call (one step)."""
        self.step += 1
        before = self.seen
        now = _Seen(
            {i: (p.deleted, p.versions) for i, p in model.posts.items()},
            set(model.favourites),
            set(model.reblogs),
            set(model.follows),
        )
        for status_id, post in model.posts.items():
            if status_id not in before.posts and not post.is_wrapper:
                self._mentions(model, post, post.mentions)
            elif status_id in before.posts and now.posts[status_id][1] > before.posts[status_id][1]:
                self._mentions(model, post, post.active_mentions or frozenset())
                for reblogger, original in sorted(now.reblogs):
                    if original == status_id:  # the author is the sender, rebloggers receive
                        self._add(model, UPDATE, (reblogger, "update"), post, post.author)
        for account, status_id in sorted(now.favourites - before.favourites):
            post = model.posts[status_id]
            self._add(model, 0, (post.author, "favourite"), post, account)
        for account, status_id in sorted(now.reblogs - before.reblogs):
            post = model.posts[status_id]
            self._add(model, 0, (post.author, "reblog"), post, account)
        for follower, followee in sorted(now.follows - before.follows):
            self._note(0, followee, "follow", follower, None)
        gone = {i for i, (deleted, _) in now.posts.items() if deleted} - {
            i for i, (deleted, _) in before.posts.items() if deleted
        }
        self.notes = [
            n
            for n in self.notes
            if n.status not in gone
            and not (n.type == "favourite" and (n.sender, n.status) not in now.favourites)
            and not (n.type == "reblog" and (n.sender, n.status) not in now.reblogs)
            and not (n.type == "follow" and (n.sender, n.recipient) not in now.follows)
        ]
        self.seen = now

    def _mentions(self, model: SocialModel, post: Post, mentioned: frozenset[int]) -> None:
        for account in sorted(mentioned):
            notified = any(
                n.recipient == account and n.type == "mention" and n.status == post.id
                for n in self.notes
            )
            if not notified:
                self._add(model, MENTION, (account, "mention"), post, post.author)

    def _add(
        self, model: SocialModel, slot: int, to: tuple[int, str], post: Post, sender: int
    ) -> None:
        """A notification about `post` to `to[0]`, unless to oneself or in a conversation the
        recipient muted."""
        recipient, kind = to
        if recipient == sender or (recipient, model.conversation(post)) in model.mutes:
            return
        self._note(slot, recipient, kind, sender, post.id)

    def _note(self, slot: int, recipient: int, kind: str, sender: int, status: str | None) -> None:
        self.notes.append(Note(self.step, slot, recipient, kind, sender, status))

    def expected(self, model: SocialModel, account: int) -> list[list[tuple]]:
        """(type, sender, status id) of the notifications the account is shown, newest first, in
        groups of those one step made with one slot: a step that makes several (the first
        statuses and follows of an example) makes them in an order this model does not keep."""
        mine = [n for n in self.notes if n.recipient == account]
        mine.sort(key=lambda n: (n.step, n.slot), reverse=True)
        groups: list[list[tuple]] = []
        last = None
        for n in mine:
            if n.status is not None and not model.shows(n.status, account):
                continue
            if (n.step, n.slot) != last:
                groups.append([])
                last = (n.step, n.slot)
            groups[-1].append((n.type, n.sender, n.status))
        return groups


def matches(got: list[tuple], groups: list[list[tuple]]) -> bool:
    """Whether `got` is the groups one after the other, each in any order."""
    at = 0
    for group in groups:
        if sorted(got[at : at + len(group)]) != sorted(group):
            return False
        at += len(group)
    return at == len(got)
