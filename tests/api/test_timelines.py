"""Timelines (home, public, hashtag) and favourites against a live server: shapes, scopes,
pagination Links, visibility, replies, boosts, follows and deletions as Mastodon's feeds."""

from __future__ import annotations

import uuid

import psycopg

from tests.support import LiveServer, User

HOME = "/api/v1/timelines/home"
PUBLIC = "/api/v1/timelines/public"


def ids(response) -> list[str]:  # noqa: ANN001
    assert response.status_code == 200, response.text
    return [s["id"] for s in response.json()]


def follow(api, follower: User, followee: User) -> None:  # noqa: ANN001
    api.ok(api.call(follower, "POST", f"/api/v1/accounts/{followee.id}/follow"))


def test_home_shows_own_and_followed_statuses_with_private_ones(api, alice, bob, carol, post):
    follow(api, bob, alice)
    public = post(alice, status="hello")
    private = post(alice, status="followers only", visibility="private")
    own = post(bob, status="mine")
    stranger = post(carol, status="not followed")
    home = ids(api.get(bob, HOME))
    assert home == [own["id"], private["id"], public["id"]]
    assert stranger["id"] not in home
    # The private status is not public.
    assert private["id"] not in ids(api.get(None, PUBLIC, limit=40))
    body = api.get(bob, HOME).json()
    assert body[1]["account"]["id"] == alice.id
    assert body[0]["favourited"] is False and body[0]["pinned"] is False


def test_follow_merges_past_statuses_and_unfollow_removes_them(api, alice, bob, post):
    past = [post(alice, status=f"old {n}")["id"] for n in range(3)]
    assert ids(api.get(bob, HOME)) == []
    follow(api, bob, alice)
    assert ids(api.get(bob, HOME)) == past[::-1]
    api.ok(api.call(bob, "POST", f"/api/v1/accounts/{alice.id}/unfollow"))
    assert ids(api.get(bob, HOME)) == []


def test_a_follow_merges_what_the_followee_shows_at_that_moment(
    api, live_server: LiveServer, alice, bob, carol, post
):
    """Not a deleted status, nor a boost whose original was deleted (it went with it), nor an
    undone boost, nor a direct status. The feed's rows are read too: the home timeline also
    leaves out deleted statuses as it reads, and a row of one would still count among the 40
    newest that a boost's falloff looks at."""
    gone = post(carol, status="boosted, then deleted")
    api.ok(api.act(alice, gone["id"], "reblog"))
    api.ok(api.call(carol, "DELETE", f"/api/v1/statuses/{gone['id']}"))
    deleted = post(alice, status="deleted before the follow")
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{deleted['id']}"))
    undone = post(carol, status="boosted, then unboosted")
    api.ok(api.act(alice, undone["id"], "reblog"))
    api.ok(api.act(alice, undone["id"], "unreblog"))
    post(alice, status=f"@{carol.username} just us", visibility="direct")
    kept_original = post(carol, status="boosted and kept")
    kept_boost = api.ok(api.act(alice, kept_original["id"], "reblog"))
    kept = post(alice, status="still here")
    follow(api, bob, alice)
    assert ids(api.get(bob, HOME)) == [kept["id"], kept_boost["id"]]
    with psycopg.connect(live_server.read_model_url) as conn:
        rows = conn.execute(
            "SELECT status_id FROM tootlog_home_feed WHERE account_id = %s ORDER BY status_id DESC",
            (bob.account_id,),
        ).fetchall()
    assert [str(status_id) for (status_id,) in rows] == [kept["id"], kept_boost["id"]]


def test_replies_as_mastodon_filters_them(api, alice, bob, carol, post):
    follow(api, bob, alice)
    to_carol = post(carol, status="carol speaks")
    to_bob = post(bob, status="bob speaks")
    reply_to_stranger = post(alice, status="hi carol", in_reply_to_id=to_carol["id"])
    reply_to_viewer = post(alice, status="hi bob", in_reply_to_id=to_bob["id"])
    thread = post(alice, status="me again")
    self_reply = post(alice, status="and more", in_reply_to_id=thread["id"])
    home = ids(api.get(bob, HOME))
    assert reply_to_stranger["id"] not in home
    assert {reply_to_viewer["id"], self_reply["id"], thread["id"]} <= set(home)
    # Following the account a reply answers lets the next replies in.
    follow(api, bob, carol)
    later = post(alice, status="hi again carol", in_reply_to_id=to_carol["id"])
    assert later["id"] in ids(api.get(bob, HOME))


def test_direct_only_to_mentioned_followers(api, alice, bob, carol, post):
    follow(api, bob, alice)
    direct = post(alice, status=f"@{bob.username} @{carol.username} psst", visibility="direct")
    assert direct["id"] in ids(api.get(bob, HOME))
    assert direct["id"] not in ids(api.get(carol, HOME))  # mentioned, but no follower
    assert direct["id"] in ids(api.get(alice, HOME))  # the author's own


def test_boosts_and_their_dedup(api, directory, alice, bob, carol, post):
    dave = directory.user()
    follow(api, bob, alice)
    follow(api, bob, carol)
    original = post(carol, status="boost me")
    wrapper = api.ok(api.act(alice, original["id"], "reblog"))
    home = api.get(bob, HOME).json()
    # The original is already among the feed's newest: the boost is not repeated.
    assert [s["id"] for s in home] == [original["id"]]
    # A boost of something not in the feed shows, wrapping its original.
    other = post(dave, status="from afar")
    boost = api.ok(api.act(alice, other["id"], "reblog"))
    home = api.get(bob, HOME).json()
    assert home[0]["id"] == boost["id"] and home[0]["reblog"]["id"] == other["id"]
    # A second boost of it by another followed account is not repeated either.
    api.ok(api.act(carol, other["id"], "reblog"))
    assert [s["id"] for s in api.get(bob, HOME).json()][:2] == [boost["id"], original["id"]]
    # Unboosting takes it out; the boost of a deleted status goes with it.
    api.ok(api.act(alice, other["id"], "unreblog"))
    assert boost["id"] not in ids(api.get(bob, HOME))
    assert wrapper["id"] not in ids(api.get(bob, HOME))


def test_boost_falloff_is_the_40_newest_rows_and_a_merge_skips_boosts_already_shown(
    api, directory, bob, carol, post
):
    """REBLOG_FALLOFF: a boost is left out while its original is among the feed's 40 newest
    rows, and shown once it is the 41st; a new follow's merge leaves out the followee's boost
    of a status among them, and brings in its boost of one that is not."""
    dave, erin, frank, hank = directory.users(4)
    for followee in (carol, dave, hank):
        follow(api, bob, followee)
    original = post(carol, status="the original")
    newer = post(carol, status="newer than the original")
    elsewhere = post(frank, status="not in bob's feed")
    boost_shown = api.ok(api.act(erin, original["id"], "reblog"))
    boost_new = api.ok(api.act(erin, elsewhere["id"], "reblog"))
    # Bob's feed: the boost of `elsewhere` (newest), the newer status, the original.
    follow(api, bob, erin)
    home = ids(api.get(bob, HOME))
    assert boost_new["id"] in home and boost_shown["id"] not in home
    assert home[:3] == [boost_new["id"], newer["id"], original["id"]]
    # 37 more: 39 rows are newer than the original, which is the 40th newest.
    for n in range(37):
        post(carol, status=f"filler {n}")
    suppressed = api.ok(api.act(dave, original["id"], "reblog"))
    assert suppressed["id"] not in ids(api.get(bob, f"{HOME}?limit=40"))
    # One more: the original is the 41st newest, and the next boost of it shows.
    post(carol, status="the last filler")
    shown = api.ok(api.act(hank, original["id"], "reblog"))
    home = api.get(bob, HOME).json()
    assert home[0]["id"] == shown["id"] and home[0]["reblog"]["id"] == original["id"]


def test_deleted_status_disappears_everywhere(api, alice, bob, post):
    follow(api, bob, alice)
    tag = f"gone{uuid.uuid4().hex[:8]}"
    doomed = post(alice, status=f"soon gone #{tag}")
    boosted = api.ok(api.act(bob, doomed["id"], "reblog"))
    api.ok(api.act(bob, doomed["id"], "favourite"))
    assert doomed["id"] in ids(api.get(bob, HOME))
    assert ids(api.get(None, f"/api/v1/timelines/tag/{tag}")) == [doomed["id"]]
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{doomed['id']}"))
    for path in (HOME, PUBLIC, f"/api/v1/timelines/tag/{tag}", "/api/v1/favourites"):
        found = ids(api.get(bob, path, limit=40))
        assert doomed["id"] not in found and boosted["id"] not in found, path


def test_home_pagination_and_links(api, alice, bob, post):
    follow(api, bob, alice)
    made = [post(alice, status=f"n{n}")["id"] for n in range(5)][::-1]
    first = api.get(bob, HOME, limit=2)
    assert ids(first) == made[:2]
    link = first.headers["link"]
    assert f"max_id={made[1]}" in link and 'rel="next"' in link
    assert f"min_id={made[0]}" in link and 'rel="prev"' in link and "limit=2" in link
    assert ids(api.get(bob, HOME, limit=2, max_id=made[1])) == made[2:4]
    assert ids(api.get(bob, HOME, limit=2, min_id=made[4])) == made[2:4]
    assert ids(api.get(bob, HOME, since_id=made[2])) == made[:2]
    assert ids(api.get(bob, HOME, limit=100)) == made  # at most 40, all here
    empty = api.get(bob, HOME, max_id=made[-1])
    assert ids(empty) == [] and "link" not in empty.headers


def test_home_scopes(api, directory, alice):
    assert api.get(None, HOME).status_code == 401
    app_only = User(0, "", directory.token(None, "read"))
    assert api.get(app_only, HOME).status_code == 422
    writer = User(alice.account_id, alice.username, directory.token(alice.account_id, "write"))
    assert api.get(writer, HOME).status_code == 403
    for scopes in ("read", "read:statuses"):
        reader = User(alice.account_id, alice.username, directory.token(alice.account_id, scopes))
        assert api.get(reader, HOME).status_code == 200


def test_public_timeline(api, alice, bob, post):
    shown = post(alice, status="for everyone")
    unlisted = post(alice, status="quiet", visibility="unlisted")
    reply_to_other = post(alice, status="a reply", in_reply_to_id=post(bob, status="q")["id"])
    self_reply = post(alice, status="thread", in_reply_to_id=shown["id"])
    boost = api.ok(api.act(bob, shown["id"], "reblog"))
    found = ids(api.get(None, PUBLIC, limit=40))
    assert shown["id"] in found and self_reply["id"] in found
    assert not {unlisted["id"], reply_to_other["id"], boost["id"]} & set(found)
    assert found == sorted(found, key=int, reverse=True)
    assert ids(api.get(None, PUBLIC, local="true", limit=40)) == found
    assert ids(api.get(None, PUBLIC, remote="true")) == []
    assert shown["id"] not in ids(api.get(None, PUBLIC, only_media="true", limit=40))
    response = api.get(None, PUBLIC, limit=1, local="true")
    assert "local=true" in response.headers["link"] and "min_id=" in response.headers["link"]
    assert response.headers["cache-control"].startswith("public")
    user_view = api.get(alice, PUBLIC, limit=1).json()[0]
    assert "favourited" in user_view


def test_tag_timeline(api, alice, bob, post):
    one, two, three = (f"t{uuid.uuid4().hex[:8]}" for _ in range(3))
    a = post(alice, status=f"#{one} first")
    b = post(bob, status=f"#{one} #{two} both")
    c = post(alice, status=f"#{two} only two")
    hidden = post(alice, status=f"#{one} unlisted", visibility="unlisted")
    assert ids(api.get(None, f"/api/v1/timelines/tag/{one}")) == [b["id"], a["id"]]
    assert ids(api.get(None, f"/api/v1/timelines/tag/{one.upper()}")) == [b["id"], a["id"]]
    assert hidden["id"] not in ids(api.get(alice, f"/api/v1/timelines/tag/{one}"))
    path = f"/api/v1/timelines/tag/{one}"
    assert ids(api.get(None, path, **{"any[]": [two]})) == [c["id"], b["id"], a["id"]]
    assert ids(api.get(None, path, **{"all[]": [two]})) == [b["id"]]
    assert ids(api.get(None, path, **{"none[]": [two]})) == [a["id"]]
    # An `all` name that no status used is left out, as Mastodon does.
    assert ids(api.get(None, path, **{"all[]": ["neverused" + three]})) == [b["id"], a["id"]]
    assert ids(api.get(None, f"/api/v1/timelines/tag/{three}")) == []
    assert ids(api.get(None, f"/api/v1/timelines/tag/{three}", **{"any[]": [one]})) == []
    assert ids(api.get(None, path, remote="true")) == []
    page = api.get(None, path, limit=1)
    assert ids(page) == [b["id"]] and f"max_id={b['id']}" in page.headers["link"]
    assert ids(api.get(None, path, limit=1, max_id=b["id"])) == [a["id"]]


def test_favourites(api, directory, alice, bob, post):
    first = post(alice, status="fav one")
    second = post(alice, status="fav two")
    api.ok(api.act(bob, second["id"], "favourite"))
    api.ok(api.act(bob, first["id"], "favourite"))
    body = api.ok(api.get(bob, "/api/v1/favourites"))
    assert [s["id"] for s in body] == [first["id"], second["id"]]  # by favourite, newest first
    assert all(s["favourited"] for s in body)
    page = api.get(bob, "/api/v1/favourites", limit=1)
    assert ids(page) == [first["id"]]
    link = page.headers["link"]
    assert 'rel="next"' in link and "min_id=" in link
    max_id = link.split("max_id=")[1].split(">")[0].split("&")[0]
    assert ids(api.get(bob, "/api/v1/favourites", limit=1, max_id=max_id)) == [second["id"]]
    api.ok(api.act(bob, first["id"], "unfavourite"))
    assert ids(api.get(bob, "/api/v1/favourites")) == [second["id"]]
    assert api.get(None, "/api/v1/favourites").status_code == 401
    statuses_only = User(
        bob.account_id, bob.username, directory.token(bob.account_id, "read:statuses")
    )
    assert api.get(statuses_only, "/api/v1/favourites").status_code == 403
    granular = User(
        bob.account_id, bob.username, directory.token(bob.account_id, "read:favourites")
    )
    assert api.get(granular, "/api/v1/favourites").status_code == 200


def test_an_edit_replaces_the_hashtags(api, alice, post):
    before, after = (f"e{uuid.uuid4().hex[:8]}" for _ in range(2))
    status = post(alice, status=f"first #{before}")
    assert ids(api.get(None, f"/api/v1/timelines/tag/{before}")) == [status["id"]]
    edited = api.call(alice, "PUT", f"/api/v1/statuses/{status['id']}", status=f"then #{after}")
    assert edited.status_code == 200, edited.text
    assert ids(api.get(None, f"/api/v1/timelines/tag/{before}")) == []
    assert ids(api.get(None, f"/api/v1/timelines/tag/{after}")) == [status["id"]]
