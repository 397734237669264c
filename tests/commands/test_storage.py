"""The file storage behind uploads: save, open and delete by key, nothing outside its root."""

from __future__ import annotations

from pathlib import Path

import pytest

from commands.storage import FileStorage, content_type_of, new_keys


def test_save_open_delete(tmp_path: Path) -> None:
    storage = FileStorage(tmp_path / "media")
    original, small = new_keys("image/png", "image/jpeg")
    storage.save(original, b"png bytes")
    storage.save(small, b"jpeg bytes")
    with storage.open(original) as handle:  # type: ignore[union-attr]
        assert handle.read() == b"png bytes"
    storage.delete(original)
    assert storage.open(original) is None
    assert (tmp_path / "media" / small).exists()
    storage.delete(small)
    storage.delete(small)  # deleting twice is fine
    assert list((tmp_path / "media").iterdir()) == []  # the emptied folder went too


def test_keys_are_fresh_and_name_their_type() -> None:
    first, second = new_keys("image/webp", "image/png"), new_keys("image/webp", "image/png")
    assert first != second
    assert first[0].endswith("/original.webp") and first[1].endswith("/small.png")
    assert content_type_of(first[0]) == "image/webp"
    assert content_type_of(first[1]) == "image/png"


@pytest.mark.parametrize(
    "key", ["../etc/passwd", "a" * 32 + "/../original.png", "x/original.png", "a" * 32 + "/x.png"]
)
def test_keys_that_are_not_ours_name_nothing(tmp_path: Path, key: str) -> None:
    storage = FileStorage(tmp_path)
    assert content_type_of(key) is None
    assert storage.open(key) is None
    with pytest.raises(ValueError):
        storage.save(key, b"x")
