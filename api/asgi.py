"""The ASGI app of one API process, built from the environment: what uvicorn imports in each
process it starts (`tootlog serve --workers N`, `tootlog api`, or uvicorn run by hand:
`uvicorn --factory api.asgi:app`, with DATABASE_URL set)."""

from __future__ import annotations

from starlette.types import ASGIApp

from api.app import create_app
from api.config import Settings


def app() -> ASGIApp:
    """The API for DATABASE_URL; it runs no worker process (the serving parent runs those)."""
    settings = Settings.from_env()
    if not settings.database_url:
        raise SystemExit("api.asgi needs DATABASE_URL (tootlog serve and tootlog api set it)")
    return create_app(settings, settings.database_url)
