"""Rebuild an aggregate from its events after a round trip through the event store's codec."""

from __future__ import annotations

from domain.codec import make_mapper


def replay(events: list) -> object:
    """The aggregate the events describe, decoded as the event store would decode them."""
    mapper = make_mapper()
    aggregate = None
    for stored in map(mapper.to_stored_event, events):
        aggregate = mapper.to_domain_event(stored).mutate(aggregate)
    assert aggregate is not None
    return aggregate
