"""Which events concern which status or account: the index behind `tootlog replay --status` and
`--account`, and behind a status's history as of a moment.

The subjects of an event are read from its fields by name, so a new event that names a status or
an account is indexed without a line here. The projector adds what an event does not name itself
(the author of a deleted status).
"""

from __future__ import annotations

# Index kinds (the `kind` column of tootlog_event_index).
STATUS = 1  # something happened to this status (published, reblogged, favourited, replied to...)
ACTOR = 2  # this account did it
OBJECT = 3  # it was done to this account (followed, unfollowed)

# Event fields that name a status the event concerns.
STATUS_FIELDS = (
    "status_id",
    "original_status_id",
    "wrapper_status_id",
    "in_reply_to_id",
    "root_id",  # a conversation mute names its thread's root
)
# Fields that name the account that acted.
ACTOR_FIELDS = ("account_id", "follower_id")
# Fields that name an account acted upon.
OBJECT_FIELDS = ("followee_id",)

_KINDS = (
    *((STATUS, name) for name in STATUS_FIELDS),
    *((ACTOR, name) for name in ACTOR_FIELDS),
    *((OBJECT, name) for name in OBJECT_FIELDS),
)


def subjects(event: object) -> list[tuple[int, int]]:
    """(kind, id) for every status and account that `event` names, each once."""
    fields = event.__dict__
    found: list[tuple[int, int]] = []
    for kind, name in _KINDS:
        value = fields.get(name)
        if type(value) is int and (kind, value) not in found:
            found.append((kind, value))
    return found
