"""Domain failures, each mapped once to an HTTP answer by api/errors.py."""


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
