"""The one parameter parser: query string, form, JSON and multipart bodies, merged as Rails does.

Arrays come as `name[]=a&name[]=b` (forms) or JSON arrays; booleans follow
ActiveModel::Type::Boolean. Malformed input becomes a 4xx here, before any command runs.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from api.errors import ApiError
from domain.ids import parse_id

RAILS_FALSE = frozenset({"0", "f", "F", "false", "FALSE", "off", "OFF"})
MULTIPART_LIMIT = 64 * 1024 * 1024
_MALFORMED = (400, "Malformed multipart body")
_NOT_UTF8 = (400, "Invalid parameters: not valid UTF-8")
# Rails' JSON parser refuses deeper nesting (JSON::NestingError, a 400).
MAX_NESTING = 100
TOO_DEEP = f"Invalid JSON in request body: nested deeper than {MAX_NESTING} levels"


def refuse_unsupported(params: Params, names: tuple[str, ...]) -> None:
    """422 for a Mastodon parameter that changes what a write does and that tootlog does not
    implement yet: refused, never silently dropped."""
    for name in names:
        if params.given(name):
            raise ApiError(422, f"{name} is not supported by this server yet")


def rails_bool(value: Any) -> bool | None:
    """ActiveModel boolean cast: None for blank, False for Rails' false words, else True."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    return str(value) not in RAILS_FALSE


class Params:
    """Request parameters from every source, body over query."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def file(self, name: str) -> UploadFile | None:
        """An uploaded file part (a plain field of that name is no file)."""
        value = self.values.get(name)
        return value if isinstance(value, UploadFile) else None

    async def close(self) -> None:
        """Remove the temporary files of uploaded parts."""
        for value in self.values.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, UploadFile):
                    await item.close()

    def given(self, name: str) -> bool:
        """True when `name` (or a form key nested under it, `name[...]`) has a non-blank value."""
        return any(
            value not in (None, "", [], {})
            for key, value in self.values.items()
            if key == name or key.startswith(name + "[")
        )

    def string(self, name: str) -> str | None:
        """A scalar parameter as text (JSON numbers and booleans are accepted, as Rails)."""
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        raise ApiError(422, f"Validation failed: {name} must be a string")

    def boolean(self, name: str) -> bool | None:
        value = self.values.get(name)
        if isinstance(value, list | dict):
            raise ApiError(422, f"Validation failed: {name} must be a boolean")
        return rails_bool(value)

    def nested(self, name: str) -> dict[str, Any] | None:
        """A hash parameter: a JSON object, or the form keys `name[key]` (`name[key][]` for an
        array); None when absent or not a hash (Rails' `permit` drops such a value)."""
        value = self.values.get(name)
        if isinstance(value, dict):
            return value
        prefix = name + "["
        found = {
            key[len(prefix) : -1]: item
            for key, item in self.values.items()
            if key.startswith(prefix) and key.endswith("]") and "[" not in key[len(prefix) : -1]
        }
        return found or None

    def hash_list(self, name: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
        """An array of hashes (`name[][key]=...` or `name[0][key]=...` in a form, a JSON array
        of objects or an object of them), each with only `keys` (Rails' permit)."""
        value = self.values.get(name)
        if value is None or value == "":
            return []
        items = list(value.values()) if isinstance(value, dict) else value
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ApiError(422, f"Validation failed: {name} must be a list of objects")
        return [{key: item[key] for key in keys if key in item} for item in items]

    def id_list(self, name: str) -> list[int]:
        """An array of ids (`name[]` or a JSON array); junk ids can name nothing, so they are 0."""
        value = self.values.get(name)
        if value is None or value == "":
            return []
        items = value if isinstance(value, list) else [value]
        ids = []
        for item in items:
            if isinstance(item, list | dict):
                raise ApiError(422, f"Validation failed: {name} must be a list of ids")
            ids.append(parse_id(item if isinstance(item, int) else str(item)) or 0)
        return ids


async def read_params(
    request: Request, max_body: int, *, max_multipart_body: int | None = None
) -> Params:
    """Parse and merge the query string and the body.

    A multipart body may be larger than `max_body` (up to `max_multipart_body`) because its
    files are streamed to temporary files; each of its plain fields is held to `max_body`.
    Close the returned Params' files when done with them (`Params.close`).
    """
    values = _pairs_to_dict(_parse_urlencoded(request.scope.get("query_string", b"")))
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        limit = max_multipart_body or max(max_body, MULTIPART_LIMIT)
        values.update(await _multipart(request, limit, max_body))
    else:
        body = await _read_body(request, max_body)
        if not body.strip():
            pass
        elif content_type == "application/json" or content_type.endswith("+json"):
            values.update(_json_object(body))
        elif content_type in ("application/x-www-form-urlencoded", ""):
            values.update(_pairs_to_dict(_parse_urlencoded(body)))
    _check_text(values)
    return Params(values)


def _check_text(values: dict[str, Any]) -> None:
    """Refuse text PostgreSQL cannot store (NUL characters, lone surrogates) and nesting deeper
    than Rails' JSON parser allows. A loop, not recursion: no body may reach a recursion limit."""
    stack: list[tuple[Any, int]] = [(values, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ApiError(400, "Invalid parameters: NUL characters are not allowed")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ApiError(*_NOT_UTF8) from None
        elif isinstance(value, dict | list):
            if depth > MAX_NESTING:
                raise ApiError(400, TOO_DEEP)
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            stack.extend((item, depth + 1) for item in items)


async def _read_body(request: Request, max_body: int) -> bytes:
    headers = request.headers
    if "content-length" not in headers and "transfer-encoding" not in headers:
        return b""  # an HTTP/1.1 request with neither has no body (RFC 9112 §6.3)
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise ApiError(413, "Request body is too large")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise ApiError(413, "Request body is too large")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse_urlencoded(raw: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise ApiError(*_NOT_UTF8) from None


def _pairs_to_dict(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in pairs:
        nested = _NESTED_KEY.match(key)
        if nested is not None:
            _add_nested(values, *nested.groups(), value)
        elif key.endswith("[]"):
            values.setdefault(key[:-2], [])
            if isinstance(values[key[:-2]], list):
                values[key[:-2]].append(value)
        else:
            values[key] = value
    return values


# `name[][key]` (an array of hashes) or `name[0][key]` (a hash of them), as Rack nests them.
_NESTED_KEY = re.compile(r"^([A-Za-z_]\w*)\[(\d*)\]\[([A-Za-z_]\w*)\]$")


def _add_nested(values: dict[str, Any], name: str, index: str, key: str, value: str) -> None:
    if index:
        hashes = values.setdefault(name, {})
        if isinstance(hashes, dict):
            hashes.setdefault(index, {})[key] = value
        return
    hashes = values.setdefault(name, [])
    if isinstance(hashes, list):
        # Rack starts the next hash when the last one already has this key.
        if not hashes or not isinstance(hashes[-1], dict) or key in hashes[-1]:
            hashes.append({})
        hashes[-1][key] = value


def _boundary(content_type: str) -> bytes | None:
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name.lower() == "boundary" and value:
            return value.strip('"').encode("latin-1", "replace")
    return None


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(400, "Invalid JSON in request body") from None
    if not isinstance(parsed, dict):
        raise ApiError(400, "The JSON request body must be an object")
    return parsed


class _Utf8MultiPartParser(MultiPartParser):
    """Starlette decodes a text part that is not valid UTF-8 as Latin-1; here it is a 400, as the
    same bytes are in a form or JSON body. File parts are bytes and stay as they are."""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._current_part.content_disposition)
        _strict_utf8(options.get(b"name", b""))
        super().on_headers_finished()

    def on_part_end(self) -> None:
        if self._current_part.file is None:
            _strict_utf8(self._current_part.data)
        super().on_part_end()


def _strict_utf8(raw: bytes | bytearray) -> None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(*_NOT_UTF8) from None


async def _multipart(request: Request, max_body: int, max_field: int) -> dict[str, Any]:
    """Parse a multipart body as it streams in: file parts go to temporary files (on disk past
    1 MiB), so a large upload is never held in memory, and a body over `max_body` is a 413 as
    soon as it is seen."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_body:
        raise ApiError(413, "Request body is too large")
    boundary = _boundary(request.headers.get("content-type", ""))
    if not boundary:
        raise ApiError(400, "Malformed multipart body")
    closing = b"--" + boundary + b"--"
    tail = bytearray()

    async def limited() -> AsyncGenerator[bytes, None]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > max_body:
                raise ApiError(413, "Request body is too large")
            tail.extend(chunk)
            del tail[: -(len(closing) + 1024)]
            yield chunk

    parser = _Utf8MultiPartParser(
        request.headers, limited(), max_files=8, max_fields=200, max_part_size=max_field
    )
    try:
        form = await parser.parse()
    except (ApiError, ClientDisconnect):
        raise
    except MultiPartException as error:
        too_large = str(error).startswith("Part exceeded maximum size")
        raise ApiError(*((413, "Request body is too large") if too_large else _MALFORMED)) from None
    except Exception:  # python-multipart raises several kinds for hostile bodies
        raise ApiError(*_MALFORMED) from None
    # python-multipart quietly drops a truncated part; a body must end with its closing boundary.
    if not bytes(tail).rstrip().endswith(closing):
        await form.close()
        raise ApiError(*_MALFORMED)
    values: dict[str, Any] = {}
    for key, value in form.multi_items():
        item: Any = value if isinstance(value, UploadFile) else str(value)
        if key.endswith("[]"):
            values.setdefault(key[:-2], []).append(item)
        else:
            values[key] = item
    return values
