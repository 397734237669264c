"""POST /api/v1/media and /api/v2/media, GET/PUT /api/v1/media/:id (§8.8), and the files.

Uploads are processed synchronously, so v2 answers 200 with `url` set, as v1 does. The files
are served from the media storage at `Urls.media_file(key)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from api.auth import check_user, resolve_viewer
from api.params import Params, read_params
from api.responses import json_text
from api.services import Services, services
from commands import media as commands
from commands.storage import content_type_of
from domain.errors import NotFound, RecordNotFound
from domain.ids import parse_id
from domain.scopes import WRITE_MEDIA
from domain.urls import MEDIA_PATH
from projections.media_queries import media_document

CHUNK = 64 * 1024
# A key names content that never changes.
FILE_HEADERS = {
    "Cache-Control": "public, max-age=31536000, immutable",
    "X-Content-Type-Options": "nosniff",
}


async def upload_media(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, WRITE_MEDIA)
    params = await read_params(
        request, svc.settings.max_body_bytes, max_multipart_body=svc.settings.max_media_body_bytes
    )
    try:
        file = params.file("file")
        thumbnail = _thumbnail(params)
        written = await svc.command(
            commands.upload,
            svc.media_storage,
            account_id=account_id,
            file=file.file if file else None,
            file_size=file.size if file else None,
            thumbnail=thumbnail.file if thumbnail else None,
            thumbnail_size=thumbnail.size if thumbnail else None,
            description=params.string("description"),
            focus=params.raw("focus"),
        )
    finally:
        await params.close()
    return await _answer(svc, written.id, account_id)


async def show_media(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, WRITE_MEDIA)
    media_id = parse_id(request.path_params["id"])
    doc = None
    if media_id is not None:
        doc = await media_document(svc.queries.pool, media_id, account_id, unattached_only=True)
    if doc is None:
        raise RecordNotFound
    return json_text(doc)


async def update_media(request: Request) -> Response:
    svc = services(request)
    viewer = await resolve_viewer(request, svc.queries)
    account_id = check_user(viewer, WRITE_MEDIA)
    media_id = parse_id(request.path_params["id"])
    if media_id is None:
        raise RecordNotFound
    params = await read_params(
        request, svc.settings.max_body_bytes, max_multipart_body=svc.settings.max_media_body_bytes
    )
    try:
        thumbnail = _thumbnail(params)
        written = await svc.command(
            commands.update,
            svc.media_storage,
            account_id=account_id,
            media_id=media_id,
            description=params.string("description"),
            focus=params.raw("focus"),
            thumbnail=thumbnail.file if thumbnail else None,
            thumbnail_size=thumbnail.size if thumbnail else None,
        )
    finally:
        await params.close()
    return await _answer(svc, written.id, account_id)


def _thumbnail(params: Params) -> UploadFile | None:
    thumbnail = params.file("thumbnail")
    return thumbnail if thumbnail is not None and thumbnail.size else None  # empty: "none"


async def _answer(svc: Services, media_id: int, account_id: int) -> Response:
    doc = await media_document(svc.queries.pool, media_id, account_id, unattached_only=False)
    if doc is None:  # deleted with a status by a concurrent request
        raise RecordNotFound
    return json_text(doc)


async def media_file(request: Request) -> Response:
    key = request.path_params["key"]
    content_type = content_type_of(key)
    storage = services(request).media_storage
    handle = await run_in_threadpool(storage.open, key) if content_type else None
    if handle is None:
        raise NotFound
    size = await run_in_threadpool(_size, handle)
    return StreamingResponse(
        _chunks(handle),
        media_type=content_type,
        headers={**FILE_HEADERS, "Content-Length": str(size)},
        background=BackgroundTask(handle.close),  # also when a HEAD answer reads nothing
    )


def _size(handle: BinaryIO) -> int:
    size = handle.seek(0, 2)
    handle.seek(0)
    return size


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK):
        yield chunk


routes = [
    Route("/api/v1/media", upload_media, methods=["POST"]),
    Route("/api/v2/media", upload_media, methods=["POST"]),
    Route("/api/v1/media/{id}", show_media, methods=["GET"]),
    Route("/api/v1/media/{id}", update_media, methods=["PUT"]),
    Route(MEDIA_PATH + "/{key:path}", media_file, methods=["GET"]),
]
