"""Where uploaded files live: a small interface (save, open, delete by key) and its implementation
on the local file system. An object store can replace it without touching the callers.

Files are not the source of truth: the event log records every fact about a file (its key, type,
dimensions), and a key names immutable content, so a file is written once and never changed.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol

# Keys are ours (random directory, fixed names), never a client's file name.
KEY_RE = re.compile(r"\A[a-f0-9]{32}/(original|small)\.(jpg|png|gif|webp)\Z")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}
CONTENT_TYPES = {extension: content_type for content_type, extension in EXTENSIONS.items()}


class MediaStorage(Protocol):
    def save(self, key: str, data: bytes) -> None:
        """Store `data` under `key` (atomically: readers never see half a file)."""

    def open(self, key: str) -> BinaryIO | None:
        """The stored file for reading, or None when there is none."""

    def delete(self, key: str) -> None:
        """Remove the file; removing a missing file is not an error."""


def new_keys(original_type: str, small_type: str) -> tuple[str, str]:
    """Fresh, unguessable keys for an upload's original and its preview."""
    folder = secrets.token_hex(16)
    return (
        f"{folder}/original.{EXTENSIONS[original_type]}",
        f"{folder}/small.{EXTENSIONS[small_type]}",
    )


def new_preview_key(small_type: str) -> str:
    """A fresh key for a preview replaced on its own (a new key: stored files never change)."""
    return f"{secrets.token_hex(16)}/small.{EXTENSIONS[small_type]}"


def content_type_of(key: str) -> str | None:
    """The content type of a stored file, from the extension of its key (None: no such key)."""
    return CONTENT_TYPES[key.rsplit(".", 1)[1]] if KEY_RE.match(key) else None


class FileStorage:
    """Files under a directory: `<root>/<32 hex>/original.png`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if not KEY_RE.match(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.root / key

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO | None:
        if not KEY_RE.match(key):
            return None
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, NotADirectoryError):
            return None

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # only empty folders go
            path.parent.rmdir()
