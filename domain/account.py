"""Accounts and the username/e-mail indexes that make them unique."""

from __future__ import annotations

import re
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import FieldError, InvalidFields
from domain.ids import derived_uuid

USERNAME_RE = re.compile(r"\A[a-z0-9_]+([a-z0-9_.-]+[a-z0-9_]+)?\Z", re.IGNORECASE)
USERNAME_MAX = 30
DISPLAY_NAME_MAX = 30
EMAIL_RE = re.compile(r"\A[^@\s]+@[^@\s]+\Z")
USERNAME_FORMAT = "must contain only letters, numbers and underscores"


def registration_problems(username: str, email: str | None, display_name: str) -> list[FieldError]:
    """Mastodon's account validations of the username, e-mail address and display name."""
    problems = []
    if not username:
        problems.append(FieldError("username", "blank", "Username", "can't be blank"))
    elif not USERNAME_RE.match(username):
        problems.append(FieldError("username", "invalid", "Username", USERNAME_FORMAT))
    elif len(username) > USERNAME_MAX:
        problems.append(FieldError("username", "too_long", "Username", _too_long(USERNAME_MAX)))
    if email is not None and not EMAIL_RE.match(email):
        problems.append(FieldError("email", "invalid", "E-mail address", "is invalid"))
    if len(display_name) > DISPLAY_NAME_MAX:
        problems.append(
            FieldError("display_name", "too_long", "Display name", _too_long(DISPLAY_NAME_MAX))
        )
    return problems


def _too_long(maximum: int) -> str:
    return f"is too long (maximum is {maximum} characters)"


def check_registration(username: str, email: str | None, display_name: str) -> None:
    """Mastodon's account validations, all failures in one 422."""
    problems = registration_problems(username, email, display_name)
    if problems:
        raise InvalidFields(problems)


class Account(Aggregate):
    """A local account."""

    TOPIC = "tootlog.account"

    # The profile as registration leaves it; ProfileUpdated replaces these.
    note = ""
    note_html = ""
    avatar: dict | None = None  # {"key", "static_key"} of the stored files
    header: dict | None = None

    class Created(Aggregate.Created):
        TOPIC = "tootlog.account.created.v1"

    @event("Registered", topic="tootlog.account.registered.v1")
    def __init__(
        self,
        account_id: int,
        username: str,
        email: str | None,
        password_hash: str | None,
        display_name: str,
        locked: bool = False,
        bot: bool = False,
    ) -> None:
        self.account_id = account_id
        self.username = username
        self.email = email
        self.password_hash = password_hash
        self.display_name = display_name
        self.locked = locked
        self.bot = bot

    @staticmethod
    def create_id(account_id: int) -> UUID:
        return derived_uuid("account", account_id)

    @property
    def default_visibility(self) -> str:
        return default_visibility(self.locked)

    @event("ProfileUpdated", topic="tootlog.account.profile_updated.v1")
    def update_profile(
        self,
        account_id: int,
        display_name: str,
        note: str,
        note_html: str,
        bot: bool,
        avatar: dict | None,
        header: dict | None,
    ) -> None:
        """The whole public profile after a change: a projection needs no earlier event.
        `account_id` is the account's own, named so the log's index finds the event."""
        self.display_name = display_name
        self.note = note
        self.note_html = note_html
        self.bot = bot
        self.avatar = avatar
        self.header = header


def default_visibility(locked: bool) -> str:
    """Mastodon's default privacy: private for locked accounts, else public."""
    return "private" if locked else "public"


class Username(Aggregate):
    """Index aggregate: at most one account per case-folded username."""

    TOPIC = "tootlog.username"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.username.created.v1"

    @event("Claimed", topic="tootlog.username.claimed.v1")
    def __init__(self, username: str, account_id: int) -> None:
        self.username = username
        self.account_id = account_id

    @staticmethod
    def create_id(username: str) -> UUID:
        return derived_uuid("username", username.lower())


class EmailAddress(Aggregate):
    """Index aggregate: at most one account per case-folded e-mail address."""

    TOPIC = "tootlog.email"

    class Created(Aggregate.Created):
        TOPIC = "tootlog.email.created.v1"

    @event("Claimed", topic="tootlog.email.claimed.v1")
    def __init__(self, email: str, account_id: int) -> None:
        self.email = email
        self.account_id = account_id

    @staticmethod
    def create_id(email: str) -> UUID:
        return derived_uuid("email", email.lower())
