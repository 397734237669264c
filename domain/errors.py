"""Domain failures, each mapped once to an HTTP answer by api/errors.py."""

from dataclasses import dataclass


class DomainError(Exception):
    """Base class: a request the domain refuses."""


class ValidationFailed(DomainError):
    """A model rule failed; Mastodon answers 422 'Validation failed: a, b'."""

    def __init__(self, *messages: str) -> None:
        super().__init__(", ".join(messages))
        self.messages = list(messages)


class NotFound(DomainError):
    """The thing is missing or the viewer may not see it (one body for both)."""


class RecordNotFound(DomainError):
    """Rails' uncaught RecordNotFound: DELETE of a status that is not yours or is gone."""


class ReplyTargetNotFound(DomainError):
    """`in_reply_to_id` names a status that is missing or invisible to the author."""


class Forbidden(DomainError):
    """The policy forbids an action on a status the viewer can see."""


class DuplicateRecord(DomainError):
    """A uniqueness rule that Mastodon enforces with a database index."""


class Conflict(DomainError):
    """A write lost too many optimistic-concurrency races in a row."""


class Unprocessable(DomainError):
    """A service-level 422 whose message has no 'Validation failed:' prefix (media checks)."""


@dataclass(frozen=True)
class FieldError:
    """One failed rule on one field, e.g. `email`, `blank`, "E-mail address", "can't be blank"."""

    field: str
    kind: str
    label: str
    description: str

    @property
    def message(self) -> str:
        return f"{self.label} {self.description}"


class InvalidFields(ValidationFailed):
    """A 422 whose answer also names each failing field (Mastodon's ValidationErrorFormatter)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(*(error.message for error in errors))
        self.errors = errors


class OAuthError(DomainError):
    """An OAuth 2 refusal (RFC 6749 §5.2): a machine code and Doorkeeper's description.

    `redirectable` is true when the authorization endpoint may send the error back to the
    client's (already validated) redirect URI instead of showing it to the user.
    """

    def __init__(self, error: str, description: str, *, redirectable: bool = False) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.redirectable = redirectable


class InvalidCredentials(DomainError):
    """The e-mail address and password do not name an account that may log in."""
