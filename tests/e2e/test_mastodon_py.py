"""Mastodon.py, unpatched and with nothing but the base URL, against `tootlog serve`."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from mastodon import Mastodon, MastodonAPIError, MastodonNotFoundError

from commands.accounts import issue_token, register_account
from tests.images import image_bytes
from tests.support import Directory, LiveServer, User

# Mastodon.py's reblogged_by / favourited_by take no `limit`: pages have the server's default.
PAGE = 40
CROWD = 2 * PAGE + 5

# A Deprecation header, or an instance that looks odd to Mastodon.py, fails the test.
pytestmark = [
    pytest.mark.filterwarnings("error::mastodon.errors.MastodonWarning"),
    pytest.mark.filterwarnings("error::UserWarning"),
]


@pytest.fixture(scope="module")
def app(reachable_server: LiveServer) -> tuple[str, str]:
    """An app registered the way Mastodon.py's documentation does it."""
    return Mastodon.create_app("tootlog e2e", api_base_url=reachable_server.base_url)


def logged_in(server: LiveServer, app: tuple[str, str], user: User) -> Mastodon:
    client_id, client_secret = app
    api = Mastodon(client_id=client_id, client_secret=client_secret, api_base_url=server.base_url)
    api.log_in(f"{user.username}@example.org", "secret-pw")
    return api


@pytest.fixture(scope="module")
def as_alice(reachable_server: LiveServer, app: tuple[str, str], alice: User) -> Mastodon:
    return logged_in(reachable_server, app, alice)


@pytest.fixture(scope="module")
def as_bob(reachable_server: LiveServer, app: tuple[str, str], bob: User) -> Mastodon:
    return logged_in(reachable_server, app, bob)


def crowd(directory: Directory, size: int) -> list[User]:
    """`size` accounts with tokens, made without passwords (hashing those is the slow part)."""
    users = []
    position = 0
    for _ in range(size):
        username = f"c{uuid.uuid4().hex[:10]}"
        account = register_account(directory.write_model, username)
        token, written = issue_token(directory.write_model, account.id, "read write follow")
        users.append(User(account.id, username, token))
        position = written.position
    directory.wait_for(position)
    return users


def all_pages(api: Mastodon, first: list) -> list[list]:
    """`first` and every page `fetch_next` finds after it, until it says there is none."""
    pages = [first]
    while (page := api.fetch_next(pages[-1])) is not None:
        pages.append(page)
    return pages


def ids(items: list) -> list[str]:
    return [str(item.id) for item in items]


def test_log_in_with_email_and_password_and_the_version_is_detected(
    reachable_server: LiveServer, app: tuple[str, str], alice: User
) -> None:
    api = logged_in(reachable_server, app, alice)
    assert api.access_token
    assert api.me().username == alice.username
    assert api.app_verify_credentials().name == "tootlog e2e"
    # log_in read /api/v1/instance/ and /api/v2/instance/: the server says 4.3.0.
    assert (api.mastodon_major, api.mastodon_minor, api.mastodon_patch) == (4, 3, 0)
    assert api.verify_minimum_version("4.3.0", cached=True)
    assert not api.verify_minimum_version("4.4.0", cached=True)


def test_created_version_check_mode_finds_4_3_0_and_allows_posts_pins_and_context(
    reachable_server: LiveServer, as_alice: Mastodon
) -> None:
    """Mastodon.py 1.x's default: each method checks the version it was added in."""
    api = Mastodon(
        access_token=as_alice.access_token,
        api_base_url=reachable_server.base_url,
        version_check_mode="created",
    )
    assert (api.mastodon_major, api.mastodon_minor, api.mastodon_patch) == (4, 3, 0)
    status = api.status_post("checked", idempotency_key=uuid.uuid4().hex)
    assert api.status_pin(status).pinned is True
    assert api.status_context(status).ancestors == []
    assert api.status_unpin(status).pinned is False


def test_a_repeated_idempotency_key_gives_back_the_first_status(as_alice: Mastodon) -> None:
    key = uuid.uuid4().hex
    first = as_alice.status_post("posted once", idempotency_key=key)
    again = as_alice.status_post("posted twice?", idempotency_key=key)
    other = as_alice.status_post("posted once", idempotency_key=uuid.uuid4().hex)
    assert again.id == first.id
    assert again.content == first.content == "<p>posted once</p>"
    assert other.id != first.id


def test_status_reply_mentions_the_thread_and_context_reads_it(
    as_alice: Mastodon, as_bob: Mastodon, alice: User, bob: User
) -> None:
    root = as_alice.status_post("a thread", visibility="unlisted")
    # status_reply asks verify_credentials who it is, prepends the mentions, keeps visibility.
    answer = as_bob.status_reply(root, "an answer")
    assert answer.in_reply_to_id == root.id
    assert answer.in_reply_to_account_id == root.account.id
    assert answer.visibility == "unlisted"
    assert [m.acct for m in answer.mentions] == [alice.username]
    assert f">@<span>{alice.username}</span></a></span> an answer</p>" in answer.content

    follow_up = as_alice.status_reply(answer, "and a follow-up")
    assert [m.acct for m in follow_up.mentions] == [bob.username]
    assert follow_up.in_reply_to_account_id == answer.account.id

    below = as_bob.status_context(root)
    assert below.ancestors == []
    assert ids(below.descendants) == ids([answer, follow_up])
    above = as_alice.status_context(follow_up)
    assert ids(above.ancestors) == ids([root, answer])
    assert above.descendants == []
    assert as_alice.status(root).replies_count == 1


def test_reblog_favourite_and_pin_and_their_undoing(
    as_alice: Mastodon, as_bob: Mastodon, bob: User
) -> None:
    status = as_alice.status_post("worth a boost")

    wrapper = as_bob.status_reblog(status)
    assert wrapper.id != status.id
    assert wrapper.reblog.id == status.id and wrapper.reblogged is True
    assert as_bob.status_reblog(status).id == wrapper.id
    favourited = as_bob.status_favourite(status)
    assert favourited.favourited is True and favourited.favourites_count == 1
    pinned = as_alice.status_pin(status)
    assert pinned.pinned is True

    seen = as_alice.status(status)
    assert (seen.reblogs_count, seen.favourites_count, seen.pinned) == (1, 1, True)
    assert ids(as_alice.account_statuses(as_alice.me(), pinned=True)) == ids([status])
    assert [a.acct for a in as_alice.status_reblogged_by(status)] == [bob.username]
    assert [a.acct for a in as_alice.status_favourited_by(status)] == [bob.username]
    with pytest.raises(MastodonAPIError) as someone_elses:
        as_bob.status_pin(status)
    assert someone_elses.value.args[1] == 422

    assert as_bob.status_unreblog(status).reblogged is False
    assert as_bob.status_unfavourite(status).favourited is False
    assert as_alice.status_unpin(status).pinned is False
    with pytest.raises(MastodonNotFoundError):
        as_bob.status(wrapper)
    assert as_alice.status_reblogged_by(status) == []
    assert as_alice.status_favourited_by(status) == []


def test_bookmarks_and_their_pages(as_alice: Mastodon, as_bob: Mastodon) -> None:
    statuses = [as_alice.status_post(f"keep {i}") for i in range(5)]
    # Bookmarked in another order than posted: the list is newest bookmark first.
    order = [statuses[i] for i in (3, 0, 4, 1, 2)]
    for status in order:
        assert as_bob.status_bookmark(status).bookmarked is True
    assert as_bob.status(statuses[0]).bookmarked is True
    assert as_alice.status(statuses[0]).bookmarked is False
    newest_first = ids(reversed(order))
    pages = all_pages(as_bob, as_bob.bookmarks(limit=2))
    assert [ids(page) for page in pages] == [newest_first[:2], newest_first[2:4], newest_first[4:]]
    assert ids(as_bob.fetch_previous(pages[1])) == newest_first[:2]
    assert as_alice.bookmarks() == []

    wrapper = as_alice.status_reblog(statuses[0])
    assert as_bob.status(wrapper).bookmarked is True
    for status in order:
        assert as_bob.status_unbookmark(status).bookmarked is False
    assert as_bob.bookmarks() == []


def test_fetch_next_reads_every_page_of_reblogged_by_and_favourited_by(
    reachable_server: LiveServer,
    reachable_directory: Directory,
    as_alice: Mastodon,
) -> None:
    status = as_alice.status_post("everybody boost this")
    people = crowd(reachable_directory, CROWD)
    clients = {
        user.id: Mastodon(access_token=user.token, api_base_url=reachable_server.base_url)
        for user in people
    }
    with ThreadPoolExecutor(max_workers=8) as pool:
        wrappers = list(pool.map(lambda user: clients[user.id].status_reblog(status), people))
    # One at a time, so that the favourites' order is known.
    for user in people:
        clients[user.id].status_favourite(status)

    # Newest first; a reblog's cursor is its wrapper's id.
    by_wrapper = sorted(zip(wrappers, people, strict=True), key=lambda pair: -int(pair[0].id))
    newest_reblogger_first = [user.id for _, user in by_wrapper]
    reblog_pages = all_pages(as_alice, as_alice.status_reblogged_by(status))
    assert [len(page) for page in reblog_pages] == [PAGE, PAGE, CROWD - 2 * PAGE]
    assert [i for page in reblog_pages for i in ids(page)] == newest_reblogger_first
    assert ids(as_alice.fetch_previous(reblog_pages[1])) == ids(reblog_pages[0])

    favourite_pages = all_pages(as_alice, as_alice.status_favourited_by(status))
    assert [len(page) for page in favourite_pages] == [PAGE, PAGE, CROWD - 2 * PAGE]
    newest_favouriter_first = [user.id for user in reversed(people)]
    assert [i for page in favourite_pages for i in ids(page)] == newest_favouriter_first

    counted = as_alice.status(status)
    assert (counted.reblogs_count, counted.favourites_count) == (CROWD, CROWD)


def test_upload_attach_then_delete_and_redraft_with_the_same_media(
    as_alice: Mastodon,
) -> None:
    png = image_bytes("PNG", (64, 48))
    media = as_alice.media_post(png, mime_type="image/png", description="a red gradient")
    assert media.type == "image" and media.url
    with httpx.Client(timeout=30.0) as http:
        served = http.get(media.url)
        assert served.status_code == 200 and served.headers["content-type"] == "image/png"
        assert http.get(media.preview_url).status_code == 200

    status = as_alice.status_post(
        "look at this", media_ids=[media], sensitive=True, spoiler_text="colours"
    )
    assert ids(status.media_attachments) == ids([media])
    assert status.media_attachments[0].description == "a red gradient"

    deleted = as_alice.status_delete(status)
    assert deleted.text == "look at this"
    assert ids(deleted.media_attachments) == ids([media])
    with pytest.raises(MastodonNotFoundError):
        as_alice.status(status)

    redraft = as_alice.status_post(
        deleted.text,
        media_ids=deleted.media_attachments,
        sensitive=deleted.sensitive,
        spoiler_text=deleted.spoiler_text,
        visibility=deleted.visibility,
    )
    assert redraft.id != status.id
    assert ids(redraft.media_attachments) == ids([media])
    assert (redraft.spoiler_text, redraft.sensitive) == ("colours", True)
    assert ids(as_alice.status(redraft).media_attachments) == ids([media])


def test_status_update_history_and_source(
    reachable_server: LiveServer, as_alice: Mastodon, as_bob: Mastodon
) -> None:
    """Editing the way Mastodon.py does it (its 'created' version check allows 3.5+ methods)."""
    api = Mastodon(
        access_token=as_alice.access_token,
        api_base_url=reachable_server.base_url,
        version_check_mode="created",
    )
    media = api.media_post(image_bytes("PNG", (32, 32)), mime_type="image/png", description="a")
    status = api.status_post("first version", media_ids=[media], spoiler_text="cw")
    source = api.status_source(status)
    assert (source.id, source.text, source.spoiler_text) == (status.id, "first version", "cw")

    edited = api.status_update(
        status,
        "second version",
        spoiler_text="cw",
        media_attributes=[api.generate_media_edit_attributes(media, description="b")],
    )
    assert edited.id == status.id and edited.edited_at is not None
    assert edited.content == "<p>second version</p>"
    assert edited.media_attachments[0].description == "b"
    again = api.status_update(status, "third version")  # no media, no CW: both cleared
    assert (again.spoiler_text, again.media_attachments) == ("", [])

    versions = as_bob.status_history(status)
    assert [v.content for v in versions] == [
        "<p>first version</p>",
        "<p>second version</p>",
        "<p>third version</p>",
    ]
    assert [[m.description for m in v.media_attachments] for v in versions] == [["a"], ["b"], []]
    assert versions[0].created_at == status.created_at
    assert versions[-1].created_at == again.edited_at
    assert as_bob.status_source(status).text == "third version"
    with pytest.raises(MastodonNotFoundError):
        as_bob.status_update(status, "not mine")
