"""The MediaAttachment aggregate and the upload/attach rules (§6.6 step 6, §6.7, §8.8)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import RecordNotFound, Unprocessable, ValidationFailed
from domain.media import (
    DESCRIPTION_LIMIT,
    IMAGE_SIZE_LIMIT,
    MediaAttachment,
    check_attachable,
    check_media_count,
    check_upload,
    human_size,
    parse_focus,
)
from tests.domain.replay import replay

ALICE, BOB = 10, 20


def upload(
    media_id: int = 1, account_id: int = ALICE, media_type: str = "image"
) -> MediaAttachment:
    return MediaAttachment(
        media_id=media_id,
        account_id=account_id,
        media_type=media_type,
        file={
            "key": f"{media_id:032x}/original.png",
            "content_type": "image/png",
            "size": 9,
            "width": 4,
            "height": 3,
        },
        preview={
            "key": f"{media_id:032x}/small.jpg",
            "content_type": "image/jpeg",
            "width": 4,
            "height": 3,
        },
        blurhash="LEHV6nWB2yk8pyo0adR*.7kCMdnj",
        description=None,
        focus=None,
    )


def test_upload_attach_detach_and_update_survive_the_event_codec() -> None:
    media = upload()
    media.update("a cat", {"x": 0.5, "y": -0.25})
    media.attach(99)
    media.detach()
    events = media.collect_events()
    again = replay(events)
    assert isinstance(again, MediaAttachment)
    assert (again.description, again.focus, again.status_id) == (
        "a cat",
        {"x": 0.5, "y": -0.25},
        None,
    )
    assert again.file_keys == [media.file["key"], media.preview["key"]]
    assert [type(e).__name__ for e in events] == ["Uploaded", "Updated", "Attached", "Detached"]


def test_only_the_owner_finds_unattached_media() -> None:
    media = upload()
    media.check_editable_by(ALICE)
    with pytest.raises(RecordNotFound):
        media.check_editable_by(BOB)
    media.attach(99)
    with pytest.raises(RecordNotFound):
        media.check_editable_by(ALICE)


def test_deleted_media_can_never_be_attached_again() -> None:
    media = upload()
    media.attach(99)
    media.delete()
    assert media.status_id is None and media.deleted
    assert not media.attachable_by(ALICE)


def test_update_records_nothing_when_nothing_changes() -> None:
    media = upload()
    media.collect_events()
    assert media.update(None, None) is False
    assert media.update("alt", None) is True
    assert media.update("alt", None) is False
    assert media.update(None, {"x": 0.0, "y": 1.0}) is True
    assert media.description == "alt"  # focus alone keeps the description
    assert len(media.collect_events()) == 2


def test_description_over_the_limit_is_a_validation_failure() -> None:
    media = upload()
    media.update("x" * DESCRIPTION_LIMIT, None)
    with pytest.raises(ValidationFailed, match=r"Description is too long \(maximum is 1500"):
        media.update("x" * (DESCRIPTION_LIMIT + 1), None)


def test_attachable_ids_keep_the_given_order_without_repeats() -> None:
    found = {i: upload(i) for i in (3, 1, 2)}
    assert check_attachable([3, 1, 3, 2], found, ALICE) == [3, 1, 2]


def test_more_than_four_ids_are_refused_even_with_repeats() -> None:
    with pytest.raises(Unprocessable, match="^Cannot attach more than 4 files$"):
        check_attachable([1, 1, 1, 1, 1], {1: upload(1)}, ALICE)
    check_media_count([1, 2, 3, 4])


def test_missing_foreign_and_attached_media_are_listed_in_one_error() -> None:
    attached = upload(3)
    attached.attach(99)
    found = {1: upload(1), 2: upload(2, account_id=BOB), 3: attached, 4: None}
    with pytest.raises(Unprocessable) as error:
        check_attachable([1, 2, 3, 4], found, ALICE)
    assert str(error.value) == "Media 2, 3, 4 not found or already attached to another post"


def test_a_video_must_be_the_only_attachment() -> None:
    found = {1: upload(1), 2: upload(2, media_type="video")}
    with pytest.raises(Unprocessable, match="Cannot attach a video to a post that already"):
        check_attachable([1, 2], found, ALICE)
    assert check_attachable([2], found, ALICE) == [2]


def test_upload_validations_are_reported_together() -> None:
    check_upload(1, None)
    with pytest.raises(ValidationFailed) as error:
        check_upload(None, "x" * (DESCRIPTION_LIMIT + 1))
    assert error.value.messages == [
        "File can't be blank",
        "Description is too long (maximum is 1500 characters)",
    ]
    with pytest.raises(ValidationFailed) as error:
        check_upload(IMAGE_SIZE_LIMIT + 1, None, thumbnail_size=IMAGE_SIZE_LIMIT + 1)
    assert error.value.messages == [
        "File must be less than 16 MB",
        "File file size must be less than 16 MB",
        "Thumbnail must be less than 16 MB",
        "Thumbnail file size must be less than 16 MB",
    ]
    with pytest.raises(ValidationFailed, match="File can't be blank"):
        check_upload(0, None)


def test_human_size_reads_like_rails() -> None:
    assert human_size(16 * 1024 * 1024) == "16 MB"
    assert human_size(99 * 1024 * 1024) == "99 MB"
    assert human_size(1536) == "1.5 KB"
    assert human_size(12) == "12 Bytes"


@pytest.mark.parametrize(
    ("raw", "focus"),
    [
        (None, None),
        ("", None),
        ("0.5,-0.25", {"x": 0.5, "y": -0.25}),
        (" -1 , 1 ", {"x": -1.0, "y": 1.0}),
        (["0", "0.1"], {"x": 0.0, "y": 0.1}),
    ],
)
def test_focus_is_parsed_from_text_or_a_pair(raw: object, focus: dict | None) -> None:
    assert parse_focus(raw) == focus


@pytest.mark.parametrize("raw", ["1", "1,2", "a,b", "nan,0", "0,0,0", ["1"], {"x": 1}])
def test_bad_focus_is_a_validation_failure(raw: object) -> None:
    with pytest.raises(ValidationFailed, match="Focus must be two numbers"):
        parse_focus(raw)


@given(st.floats(-1, 1), st.floats(-1, 1))
def test_any_focus_in_range_round_trips(x: float, y: float) -> None:
    assert parse_focus(f"{x!r},{y!r}") == {"x": x, "y": y}
