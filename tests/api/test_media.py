"""Media uploads (§8.8), media_ids on statuses (§6.6 step 6) and media on delete (§6.7)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from PIL import Image
from psycopg.rows import dict_row

from domain.media import IMAGE_SIZE_LIMIT
from tests.images import GPS_IFD, animated_gif, image_bytes, jpeg_with_exif, opened
from tests.support import Directory, LiveServer, User

NOT_VERIFIED = {"error": "File type of uploaded media could not be verified"}
BLANK = {"error": "Validation failed: File can't be blank"}
MiB = 1024 * 1024


def upload(
    live_server: LiveServer,
    user: User,
    data: bytes | None = None,
    *,
    name: str = "picture.png",
    content_type: str = "image/png",
    version: str = "v2",
    **fields: str,
) -> httpx.Response:
    files = {"file": (name, image_bytes() if data is None else data, content_type)}
    with live_server.client(user.token) as client:
        return client.post(f"/api/{version}/media", files=files, data=fields)


def uploaded(live_server: LiveServer, user: User, data: bytes | None = None, **fields) -> dict:  # noqa: ANN003
    response = upload(live_server, user, data, **fields)
    assert response.status_code == 200, response.text
    return response.json()


def path_of(url: str) -> str:
    assert url.startswith("https://example.com/system/media_attachments/files/")
    return url.removeprefix("https://example.com")


def post_status(
    live_server: LiveServer, user: User, media_ids: list[str], **data
) -> httpx.Response:  # noqa: ANN003
    with live_server.client(user.token) as client:
        return client.post("/api/v1/statuses", data={"media_ids[]": media_ids, **data})


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
@pytest.mark.parametrize("version", ["v1", "v2"])
def test_upload_answers_200_with_the_attachment_and_serves_the_file(
    live_server: LiveServer, alice: User, image_format: str, content_type: str, version: str
) -> None:
    # The client's name and type are wrong on purpose: the bytes decide.
    data = image_bytes(image_format, (64, 48))
    media = uploaded(
        live_server,
        alice,
        data,
        name="x.bin",
        content_type="application/octet-stream",
        version=version,
    )
    assert media["type"] == "image"
    assert media["meta"]["original"] == {
        "width": 64,
        "height": 48,
        "size": "64x48",
        "aspect": 4 / 3,
    }
    assert media["meta"]["small"]["size"] == "64x48"
    assert "focus" not in media["meta"]
    assert media["description"] is None and media["remote_url"] is None
    assert len(media["blurhash"]) == 4 + 2 * 4 * 4  # 4x4 components
    with live_server.client() as anonymous:
        served = anonymous.get(path_of(media["url"]))
        preview = anonymous.get(path_of(media["preview_url"]))
    assert served.status_code == 200
    assert served.headers["content-type"] == content_type
    assert served.headers["x-content-type-options"] == "nosniff"
    assert opened(served.content).size == (64, 48)
    assert (preview.status_code, preview.headers["content-type"]) == (200, "image/jpeg")


def test_description_and_focus_are_stored_and_updated(live_server: LiveServer, alice: User) -> None:
    media = uploaded(live_server, alice, description="a red square", focus="0.25,-0.5")
    assert media["description"] == "a red square"
    assert media["meta"]["focus"] == {"x": 0.25, "y": -0.5}
    with live_server.client(alice.token) as client:
        updated = client.put(f"/api/v1/media/{media['id']}", data={"description": "alt text"})
        assert updated.status_code == 200
        assert updated.json()["description"] == "alt text"
        assert updated.json()["meta"]["focus"] == {"x": 0.25, "y": -0.5}
        refocused = client.put(f"/api/v1/media/{media['id']}", json={"focus": "1,1"})
        assert refocused.json()["meta"]["focus"] == {"x": 1.0, "y": 1.0}
        shown = client.get(f"/api/v1/media/{media['id']}")
    assert shown.status_code == 200
    assert shown.json()["description"] == "alt text"
    assert shown.json()["url"] == media["url"]


def test_bad_description_or_focus_is_422(live_server: LiveServer, alice: User) -> None:
    too_long = upload(live_server, alice, description="x" * 1501)
    assert too_long.json() == {
        "error": "Validation failed: Description is too long (maximum is 1500 characters)"
    }
    bad_focus = upload(live_server, alice, focus="2,0")
    assert bad_focus.status_code == 422
    media = uploaded(live_server, alice)
    with live_server.client(alice.token) as client:
        response = client.put(f"/api/v1/media/{media['id']}", data={"focus": "left"})
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"just some text, not a picture", "cat.png", "image/png"),
        (b"GIF89a" + b"\x00" * 20, "cat.gif", "image/gif"),
        (b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64, "clip.mp4", "video/mp4"),
    ],
    ids=["text-as-png", "gif-header-only", "video"],
)
def test_files_that_are_not_supported_images_are_422(
    live_server: LiveServer, alice: User, data: bytes, name: str, content_type: str
) -> None:
    response = upload(live_server, alice, data, name=name, content_type=content_type)
    assert (response.status_code, response.json()) == (422, NOT_VERIFIED)


def test_an_empty_or_missing_file_is_blank(live_server: LiveServer, alice: User) -> None:
    assert upload(live_server, alice, b"").json() == BLANK
    with live_server.client(alice.token) as client:
        only_fields = client.post("/api/v2/media", files={"description": (None, "no file")})
        as_text = client.post("/api/v2/media", files={"file": (None, "not a file part")})
        no_body = client.post("/api/v2/media")
    for response in (only_fields, as_text, no_body):
        assert (response.status_code, response.json()) == (422, BLANK)


def test_malformed_multipart_is_400(live_server: LiveServer, alice: User) -> None:
    with live_server.client(alice.token) as client:
        truncated = client.post(
            "/api/v2/media",
            content=b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="a.png"'
            b"\r\nContent-Type: image/png\r\n\r\n" + image_bytes(),
            headers={"Content-Type": "multipart/form-data; boundary=zzz"},
        )
        no_boundary = client.post(
            "/api/v2/media", content=b"x", headers={"Content-Type": "multipart/form-data"}
        )
    assert (truncated.status_code, truncated.json()) == (400, {"error": "Malformed multipart body"})
    assert no_boundary.status_code == 400


def test_an_image_over_the_matrix_limit_is_422(live_server: LiveServer, alice: User) -> None:
    bomb = image_bytes("PNG", (8000, 4200), mode="1", color=0)
    response = upload(live_server, alice, bomb)
    assert (response.status_code, response.json()) == (
        422,
        {"error": "8000x4200 images are not supported"},
    )


def test_a_file_over_the_image_size_limit_is_422(live_server: LiveServer, alice: User) -> None:
    response = upload(live_server, alice, b"\x00" * (IMAGE_SIZE_LIMIT + 1))
    assert (response.status_code, response.json()) == (
        422,
        {
            "error": "Validation failed: File must be less than 16 MB, "
            "File file size must be less than 16 MB"
        },
    )


def test_a_50_mb_upload_is_413(live_server: LiveServer, alice: User) -> None:
    response = upload(live_server, alice, b"\x00" * (50 * MiB))
    assert (response.status_code, response.json()) == (413, {"error": "Request body is too large"})


def _peak_rss_kib(pid: int) -> tuple[int, int]:
    status = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(status["VmRSS"].split()[0]), int(status["VmHWM"].split()[0])


def test_a_50_mb_streamed_upload_is_413_without_being_held_in_memory(
    live_server: LiveServer, alice: User
) -> None:
    pid = live_server.process.pid
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # restart the peak-RSS count
    rss_before, _ = _peak_rss_kib(pid)

    def body() -> Iterator[bytes]:  # no Content-Length: the server must count as it reads
        yield b'--zzz\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\n\r\n'
        for _ in range(50):
            yield b"\x00" * MiB
        yield b"\r\n--zzz--\r\n"

    with live_server.client(alice.token) as client:
        response = client.post(
            "/api/v2/media",
            content=body(),
            headers={"Content-Type": "multipart/form-data; boundary=zzz"},
        )
    assert (response.status_code, response.json()) == (413, {"error": "Request body is too large"})
    _, peak = _peak_rss_kib(pid)
    assert peak - rss_before < 20 * 1024  # KiB: far less than the 33 MiB read before refusing


def test_upload_needs_a_user_token_with_a_media_scope(
    live_server: LiveServer, directory: Directory, alice: User
) -> None:
    files = {"file": ("a.png", image_bytes(), "image/png")}
    with live_server.client() as client:
        assert client.post("/api/v2/media", files=files).status_code == 401
    with live_server.client(directory.token(alice.account_id, "read write:statuses")) as client:
        assert client.post("/api/v2/media", files=files).json() == {
            "error": "This action is outside the authorized scopes"
        }
    with live_server.client(directory.token(alice.account_id, "write:media")) as client:
        assert client.post("/api/v2/media", files=files).status_code == 200
    with live_server.client(directory.token(None, "write")) as client:
        assert client.post("/api/v2/media", files=files).json() == {
            "error": "This method requires an authenticated user"
        }


def test_someone_elses_media_is_not_found(live_server: LiveServer, alice: User, bob: User) -> None:
    media = uploaded(live_server, alice)
    with live_server.client(bob.token) as client:
        shown = client.get(f"/api/v1/media/{media['id']}")
        changed = client.put(f"/api/v1/media/{media['id']}", data={"description": "mine now"})
        junk = client.get("/api/v1/media/junk")
    for response in (shown, changed, junk):
        assert (response.status_code, response.json()) == (404, {"error": "Record not found"})
    with live_server.client(alice.token) as client:
        assert client.get(f"/api/v1/media/{media['id']}").json()["description"] is None


def test_exif_is_applied_and_removed_before_the_file_is_served(
    live_server: LiveServer, alice: User
) -> None:
    media = uploaded(live_server, alice, jpeg_with_exif((80, 40), orientation=6))
    assert media["meta"]["original"]["size"] == "40x80"
    with live_server.client() as client:
        served = opened(client.get(path_of(media["url"])).content)
    assert served.size == (40, 80)
    assert not served.getexif().get_ifd(GPS_IFD)


def test_a_large_upload_spooled_to_disk_is_processed(live_server: LiveServer, alice: User) -> None:
    noise = Image.merge("RGB", [Image.effect_noise((2400, 1600), 80) for _ in range(3)])
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 2 * MiB  # past the 1 MiB kept in memory
    media = uploaded(live_server, alice, buffer.getvalue())
    assert media["meta"]["original"]["size"] == "2400x1600"
    assert media["meta"]["small"]["width"] * media["meta"]["small"]["height"] <= 230_400
    with live_server.client() as client:
        head = client.head(path_of(media["url"]))
    assert head.status_code == 200 and int(head.headers["content-length"]) > 2 * MiB


def test_an_animated_gif_is_served_as_uploaded(live_server: LiveServer, alice: User) -> None:
    data = animated_gif()
    media = uploaded(live_server, alice, data, name="a.gif", content_type="image/gif")
    with live_server.client() as client:
        assert client.get(path_of(media["url"])).content == data


def test_unknown_file_paths_are_404(live_server: LiveServer) -> None:
    with live_server.client() as client:
        for path in ("0" * 32 + "/original.png", "../../etc/passwd", "x/small.jpg"):
            response = client.get(f"/system/media_attachments/files/{path}")
            assert response.status_code == 404


# Attaching to statuses


def test_one_to_four_media_are_attached_in_the_given_order(
    live_server: LiveServer, alice: User
) -> None:
    media = [uploaded(live_server, alice, description=f"n{n}") for n in range(4)]
    ids = [m["id"] for m in reversed(media)]
    response = post_status(live_server, alice, ids)
    assert response.status_code == 200, response.text
    status = response.json()
    assert status["content"] == ""  # media-only post
    assert [m["id"] for m in status["media_attachments"]] == ids
    assert status["media_attachments"][0] == media[-1]
    single = post_status(live_server, alice, [uploaded(live_server, alice)["id"]], status="one")
    assert len(single.json()["media_attachments"]) == 1
    with live_server.client() as client:
        shown = client.get(f"/api/v1/statuses/{status['id']}").json()
        assert shown["media_attachments"] == status["media_attachments"]
        for attachment in shown["media_attachments"]:
            assert client.get(path_of(attachment["url"])).status_code == 200
    with live_server.client(alice.token) as client:
        # Attached media are no longer found by GET/PUT /api/v1/media/:id.
        assert client.get(f"/api/v1/media/{ids[0]}").status_code == 404
        assert client.put(f"/api/v1/media/{ids[0]}", data={"description": "x"}).status_code == 404


def test_five_media_are_refused(live_server: LiveServer, alice: User) -> None:
    ids = [uploaded(live_server, alice)["id"] for _ in range(5)]
    response = post_status(live_server, alice, ids, status="too many")
    assert (response.status_code, response.json()) == (
        422,
        {"error": "Cannot attach more than 4 files"},
    )
    assert post_status(live_server, alice, ids[:4]).status_code == 200  # nothing was attached


def test_someone_elses_or_attached_media_are_refused_with_their_ids(
    live_server: LiveServer, alice: User, bob: User
) -> None:
    mine = uploaded(live_server, alice)["id"]
    bobs = uploaded(live_server, bob)["id"]
    response = post_status(live_server, alice, [mine, bobs, "123"], status="x")
    assert (response.status_code, response.json()) == (
        422,
        {"error": f"Media {bobs}, 123 not found or already attached to another post"},
    )
    assert post_status(live_server, alice, [mine]).status_code == 200
    again = post_status(live_server, alice, [mine], status="again")
    assert again.json() == {"error": f"Media {mine} not found or already attached to another post"}


def test_media_ids_as_a_json_array_are_accepted(live_server: LiveServer, alice: User) -> None:
    media_id = uploaded(live_server, alice)["id"]
    with live_server.client(alice.token) as client:
        response = client.post("/api/v1/statuses", json={"media_ids": [media_id], "status": "j"})
    assert [m["id"] for m in response.json()["media_attachments"]] == [media_id]


def test_concurrent_posts_with_one_media_attach_it_exactly_once(
    live_server: LiveServer, alice: User
) -> None:
    media_id = uploaded(live_server, alice)["id"]

    async def race() -> list[httpx.Response]:
        async with httpx.AsyncClient(
            base_url=live_server.base_url,
            headers={"Authorization": f"Bearer {alice.token}"},
            timeout=30,
            limits=httpx.Limits(max_connections=8),
        ) as client:
            return await asyncio.gather(
                *(
                    client.post("/api/v1/statuses", data={"media_ids[]": media_id, "status": n})
                    for n in map(str, range(8))
                )
            )

    responses = asyncio.run(race())
    winners = [r for r in responses if r.status_code == 200]
    losers = [r for r in responses if r.status_code != 200]
    assert len(winners) == 1
    assert {(r.status_code, r.json()["error"]) for r in losers} == {
        (422, f"Media {media_id} not found or already attached to another post")
    }
    assert winners[0].json()["account"]["statuses_count"] == 1


# Deleting statuses with media


def test_delete_detaches_media_for_a_redraft(live_server: LiveServer, alice: User) -> None:
    media = uploaded(live_server, alice, description="keep me")
    status = post_status(live_server, alice, [media["id"]], status="first draft").json()
    with live_server.client(alice.token) as client:
        deleted = client.delete(f"/api/v1/statuses/{status['id']}").json()
    assert deleted["text"] == "first draft"
    assert deleted["media_attachments"] == [media]
    with live_server.client(alice.token) as client:
        assert client.get(f"/api/v1/media/{media['id']}").json() == media
        assert client.get(path_of(media["url"])).status_code == 200
    redraft = post_status(live_server, alice, [media["id"]], status="second draft")
    assert redraft.status_code == 200
    assert redraft.json()["media_attachments"] == [media]


def test_delete_media_true_deletes_the_media_and_its_files(
    live_server: LiveServer, alice: User
) -> None:
    media = uploaded(live_server, alice)
    status = post_status(live_server, alice, [media["id"]]).json()
    files = [
        live_server.data_dir / "media" / path_of(media[url]).rsplit("/files/", 1)[1]
        for url in ("url", "preview_url")
    ]
    assert all(file.exists() for file in files)
    with live_server.client(alice.token) as client:
        response = client.request(
            "DELETE", f"/api/v1/statuses/{status['id']}", data={"delete_media": "true"}
        )
        assert response.status_code == 200
        assert response.json()["media_attachments"] == [media]
        assert client.get(f"/api/v1/media/{media['id']}").status_code == 404
        assert client.get(path_of(media["url"])).status_code == 404
    assert not any(file.exists() for file in files)
    again = post_status(live_server, alice, [media["id"]], status="reuse")
    assert again.status_code == 422


def test_the_event_log_holds_the_facts_of_an_upload(
    live_server: LiveServer, directory: Directory, alice: User
) -> None:
    media = uploaded(live_server, alice, image_bytes("PNG", (30, 20)), description="facts")
    with psycopg.connect(live_server.database_url, row_factory=dict_row) as conn:
        curs = conn.execute(
            "SELECT state FROM tootlog_events WHERE topic = 'tootlog.media.uploaded.v1'"
            " AND convert_from(state, 'UTF8') LIKE %s",
            (f'%"media_id":{media["id"]}%',),
        )
        row = curs.fetchone()
    assert row is not None
    state = bytes(row["state"]).decode()
    for fact in ('"width":30', '"height":20', media["blurhash"], '"image/png"', '"facts"'):
        assert fact in state


def test_a_thumbnail_put_on_its_own_replaces_the_preview(
    live_server: LiveServer, alice: User
) -> None:
    media = uploaded(live_server, alice)
    thumbnail = image_bytes("JPEG", size=(40, 30), color=(0, 0, 255))
    with live_server.client(alice.token) as client:
        response = client.put(
            f"/api/v1/media/{media['id']}",
            files={"thumbnail": ("thumb.jpg", thumbnail, "image/jpeg")},
            data={"description": "with a thumbnail"},
        )
        assert response.status_code == 200, response.text
        changed = response.json()
        shown = client.get(f"/api/v1/media/{media['id']}").json()
        new_preview = client.get(path_of(changed["preview_url"]))
        old_preview = client.get(path_of(media["preview_url"]))
    assert changed["preview_url"] != media["preview_url"]
    assert changed["url"] == media["url"]
    assert changed["description"] == "with a thumbnail"
    assert changed["meta"]["small"] == {
        "width": 40,
        "height": 30,
        "size": "40x30",
        "aspect": 40 / 30,
    }
    assert changed["meta"]["original"] == media["meta"]["original"]
    assert changed["blurhash"] != media["blurhash"]
    assert shown == changed
    assert new_preview.status_code == 200
    assert opened(new_preview.content).size == (40, 30)
    assert old_preview.status_code == 404  # the replaced preview's file is gone


def test_a_thumbnail_that_is_no_image_is_422_and_changes_nothing(
    live_server: LiveServer, alice: User, bob: User
) -> None:
    media = uploaded(live_server, alice)
    path = f"/api/v1/media/{media['id']}"
    junk = {"thumbnail": ("thumb.png", b"not an image", "image/png")}
    with live_server.client(alice.token) as client:
        response = client.put(path, files=junk, data={"description": "x"})
        after = client.get(path).json()
    with live_server.client(bob.token) as client:
        foreign = client.put(path, files={"thumbnail": ("t.png", image_bytes(), "image/png")})
    assert response.status_code == 422
    assert response.json() == NOT_VERIFIED
    assert after == media
    assert foreign.status_code == 404
