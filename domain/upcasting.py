"""Fields added to an event class after events of it were stored.

The event store keeps events as they were written; an event class that gains a field must still
read the older ones. The library's way is a class version and an upcast per version step
(`class_version`, `upcast_vN_vN+1`), which tootlog's mapper (domain/codec.py) honours as the
library's does: an event stored at an older version has the missing fields filled in on reading.
"""

from __future__ import annotations


def added_fields(event_class: type, **defaults: bool | int | str | None) -> None:
    """Events of `event_class` stored before these fields existed read them as `defaults`
    (immutable values only: every old event shares them). Each call is one version step."""
    version = getattr(event_class, "class_version", 1)

    def upcast(state: dict) -> None:
        for name, value in defaults.items():
            state.setdefault(name, value)

    event_class.class_version = version + 1  # type: ignore[attr-defined]
    setattr(event_class, f"upcast_v{version}_v{version + 1}", staticmethod(upcast))
