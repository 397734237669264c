"""Use cases on other people's (and one's own) statuses and accounts: reblog, favourite, pin,
follow, and their undo. Each loads the aggregates that decide, saves their events together, and
returns the id the answer is rendered from with the position of the last event."""

from __future__ import annotations

from dataclasses import dataclass

from commands.accounts import Written
from commands.app import TootlogApplication, retrying
from domain.account import Account
from domain.errors import NotFound, RecordNotFound, Unprocessable
from domain.favourite import Favourite, check_can_favourite
from domain.follow import Follow, check_can_follow
from domain.ids import snowflakes
from domain.pins import Pins
from domain.reblog import Reblog, ReblogWrapper, check_can_reblog
from domain.status import Status
from domain.visibility import Audience, Relationship, can_see

FOLLOW_REQUESTS_UNSUPPORTED = (
    "This account approves its followers, and tootlog does not support follow requests yet"
)


@dataclass(frozen=True)
class Target:
    """What a status id names: an original status, or a live reblog wrapper of one."""

    status: Status
    wrapper: ReblogWrapper | None = None
    wrapper_visibility: str | None = None

    @property
    def id(self) -> int:
        return self.wrapper.wrapper_status_id if self.wrapper else self.status.status_id


def find_target(app: TootlogApplication, status_id: int | None) -> Target | None:
    """The live status or reblog wrapper with this id, or None."""
    if status_id is None:
        return None
    found = app.get_or_none(Status.create_id(status_id), Status | ReblogWrapper)
    if isinstance(found, Status):
        return None if found.deleted else Target(found)
    if found is None:
        return None
    original = app.get_or_none(Status.create_id(found.original_status_id), Status)
    reblog = app.get_or_none(Reblog.create_id(found.account_id, found.original_status_id), Reblog)
    live = reblog is not None and reblog.wrapper_status_id == found.wrapper_status_id
    if original is None or original.deleted or not live:
        return None
    return Target(original, found, reblog.visibility)


def relationship(
    app: TootlogApplication, viewer_id: int | None, audience: Audience
) -> Relationship:
    """The viewer's relation to an author, loaded only when visibility depends on it."""
    needed = (
        viewer_id is not None
        and audience.visibility == "private"
        and viewer_id != audience.author_id
        and viewer_id not in audience.mentioned_ids
    )
    if not needed:
        return Relationship()
    follow = app.get_or_none(Follow.create_id(viewer_id, audience.author_id), Follow)
    return Relationship(follows_author=bool(follow and follow.following))


def shown(app: TootlogApplication, viewer_id: int | None, audience: Audience) -> bool:
    return can_see(audience, viewer_id, relationship(app, viewer_id, audience))


def visible_target(app: TootlogApplication, viewer_id: int, status_id: int | None) -> Target:
    """§2 `show?` on what the id names (a wrapper and its original); else 404."""
    target = find_target(app, status_id)
    if target is None or not shown(app, viewer_id, target.status.audience):
        raise NotFound
    if target.wrapper is not None:
        wrapper = Audience(target.wrapper_visibility, target.wrapper.account_id)
        if not shown(app, viewer_id, wrapper):
            raise NotFound
    return target


def reblog(
    app: TootlogApplication,
    *,
    account_id: int,
    default_visibility: str,
    status_id: int | None,
    visibility: str | None,
) -> Written:
    """§6.8: boost a status (a wrapper id boosts its original); the answer is the wrapper."""

    def attempt() -> Written:
        original = visible_target(app, account_id, status_id).status
        check_can_reblog(original.audience, account_id, viewer_blocks_author=False)
        boost = app.get_or_none(Reblog.create_id(account_id, original.status_id), Reblog) or Reblog(
            account_id=account_id, original_status_id=original.status_id
        )
        if boost.wrapper_status_id is not None:
            return Written(boost.wrapper_status_id, app.last_position())
        wrapper_id = boost.reblog(
            snowflakes.next_id(),
            original_visibility=original.visibility,
            requested_visibility=visibility,
            default_visibility=default_visibility,
        )
        index = ReblogWrapper(
            wrapper_status_id=wrapper_id,
            account_id=account_id,
            original_status_id=original.status_id,
        )
        recordings = app.save(boost, index)
        return Written(wrapper_id, recordings[-1].notification.id)

    return retrying(attempt)


def unreblog(app: TootlogApplication, *, account_id: int, status_id: int | None) -> Written:
    """§6.9: undo the caller's boost of an original status; not boosted is not an error."""

    def attempt() -> Written:
        target = find_target(app, status_id)
        if target is not None and target.wrapper is None:
            boost = app.get_or_none(Reblog.create_id(account_id, target.status.status_id), Reblog)
            if boost is not None and boost.unreblog() is not None:
                recordings = app.save(boost)
                return Written(target.id, recordings[-1].notification.id)
        visible_target(app, account_id, status_id)
        return Written(target.id, app.last_position())

    return retrying(attempt)


def delete_wrapper(app: TootlogApplication, *, account_id: int, target: Target) -> Written:
    """DELETE of one's own reblog wrapper: the same as unreblogging (§6.7)."""
    if target.wrapper is None or target.wrapper.account_id != account_id:
        raise RecordNotFound
    boost = app.get_or_none(Reblog.create_id(account_id, target.status.status_id), Reblog)
    if boost is None or boost.unreblog() != target.wrapper.wrapper_status_id:
        raise RecordNotFound
    recordings = app.save(boost)
    return Written(target.id, recordings[-1].notification.id)


def favourite(app: TootlogApplication, *, account_id: int, status_id: int | None) -> Written:
    """§6.10: favourite the original of what the id names; the answer is that id's status."""

    def attempt() -> Written:
        target = visible_target(app, account_id, status_id)
        check_can_favourite(viewer_blocks_author=False)
        original_id = target.status.status_id
        fav = app.get_or_none(Favourite.create_id(account_id, original_id), Favourite) or Favourite(
            account_id=account_id, status_id=original_id
        )
        if not fav.favourite(snowflakes.next_id(), via_reblog=target.wrapper is not None):
            return Written(target.id, app.last_position())
        recordings = app.save(fav)
        return Written(target.id, recordings[-1].notification.id)

    return retrying(attempt)


def unfavourite(app: TootlogApplication, *, account_id: int, status_id: int | None) -> Written:
    """§6.11: remove the caller's favourite of this exact status; none is not an error."""

    def attempt() -> Written:
        target = find_target(app, status_id)
        if target is not None and target.wrapper is None:
            fav = app.get_or_none(
                Favourite.create_id(account_id, target.status.status_id), Favourite
            )
            if fav is not None and fav.unfavourite():
                recordings = app.save(fav)
                return Written(target.id, recordings[-1].notification.id)
        target = visible_target(app, account_id, status_id)
        return Written(target.id, app.last_position())

    return retrying(attempt)


def pin(app: TootlogApplication, *, account_id: int, status_id: int | None) -> Written:
    """§6.12: pin a status to the caller's profile (every rule of the Pins aggregate)."""

    def attempt() -> Written:
        target = visible_target(app, account_id, status_id)
        pins = app.get_or_none(Pins.create_id(account_id), Pins) or Pins(account_id=account_id)
        if target.wrapper is not None:
            pins.pin(
                target.id,
                author_id=target.wrapper.account_id,
                visibility=target.wrapper_visibility,
                is_reblog=True,
            )
        else:
            pins.pin(
                target.id,
                author_id=target.status.account_id,
                visibility=target.status.visibility,
                is_reblog=False,
            )
        recordings = app.save(pins)
        return Written(target.id, recordings[-1].notification.id)

    return retrying(attempt)


def unpin(app: TootlogApplication, *, account_id: int, status_id: int | None) -> Written:
    """§6.13: remove the caller's pin of a visible status; always an answer, pinned or not."""

    def attempt() -> Written:
        target = visible_target(app, account_id, status_id)
        pins = app.get_or_none(Pins.create_id(account_id), Pins)
        if pins is None or not pins.unpin(target.id):
            return Written(target.id, app.last_position())
        recordings = app.save(pins)
        return Written(target.id, recordings[-1].notification.id)

    return retrying(attempt)


def follow(
    app: TootlogApplication,
    *,
    follower_id: int,
    followee_id: int | None,
    notify: bool | None = None,
) -> Written:
    """Follow an account (notified of its statuses if `notify`); following it again changes
    only `notify`, when given."""

    def attempt() -> Written:
        followee = _account(app, followee_id)
        check_can_follow(follower_id, followee.account_id)
        if followee.locked:
            raise Unprocessable(FOLLOW_REQUESTS_UNSUPPORTED)
        edge = app.get_or_none(
            Follow.create_id(follower_id, followee.account_id), Follow
        ) or Follow(follower_id=follower_id, followee_id=followee.account_id)
        if not edge.follow(notify):
            return Written(followee.account_id, app.last_position())
        recordings = app.save(edge)
        return Written(followee.account_id, recordings[-1].notification.id)

    return retrying(attempt)


def unfollow(app: TootlogApplication, *, follower_id: int, followee_id: int | None) -> Written:
    """Stop following an account; not following is not an error."""

    def attempt() -> Written:
        followee = _account(app, followee_id)
        edge = app.get_or_none(Follow.create_id(follower_id, followee.account_id), Follow)
        if edge is None or not edge.unfollow():
            return Written(followee.account_id, app.last_position())
        recordings = app.save(edge)
        return Written(followee.account_id, recordings[-1].notification.id)

    return retrying(attempt)


def _account(app: TootlogApplication, account_id: int | None) -> Account:
    account = app.get_or_none(Account.create_id(account_id), Account) if account_id else None
    if account is None:
        raise RecordNotFound
    return account
