"""GET /api/v2/search and GET /api/v1/accounts/search against a live server: shapes, codes,
Mastodon's checks for callers without a user, ranking, which statuses are searchable, resolve.

The tests share one database, so every name and word they search for is their own.
"""

from __future__ import annotations

import uuid

from api.errors import OUTSIDE_SCOPES
from api.routes.search import ANONYMOUS_OFFSET, ANONYMOUS_RESOLVE, MISSING_Q, NEGATIVE_PAGE
from tests.support import TEST_DOMAIN, User

SEARCH = "/api/v2/search"
ACCOUNTS = "/api/v1/accounts/search"
EMPTY = {"accounts": [], "statuses": [], "hashtags": []}


def word() -> str:
    return f"w{uuid.uuid4().hex[:10]}"


def found(response, kind: str) -> list[str]:  # noqa: ANN001
    assert response.status_code == 200, response.text
    return [item["name" if kind == "hashtags" else "id"] for item in response.json()[kind]]


def follow(api, follower: User, followee: User) -> None:  # noqa: ANN001
    api.ok(api.call(follower, "POST", f"/api/v1/accounts/{followee.id}/follow"))


def rename(live_server, user: User, display_name: str) -> None:  # noqa: ANN001
    with live_server.client(user.token) as client:
        response = client.patch(
            "/api/v1/accounts/update_credentials", data={"display_name": display_name}
        )
    assert response.status_code == 200, response.text


# Bad input and who may ask


def test_missing_or_blank_q_is_400(api, alice):
    for params in ({}, {"q": ""}, {"q": "   "}):
        for user in (alice, None):
            response = api.get(user, SEARCH, **params)
            assert (response.status_code, response.json()) == (400, {"error": MISSING_Q})


def test_callers_without_a_user_may_not_page_or_resolve(api, directory, alice):
    app_only = User(0, "app", directory.token(None, "read"))
    for caller in (None, app_only):
        response = api.get(caller, SEARCH, q="x", offset="0")
        assert (response.status_code, response.json()) == (401, {"error": ANONYMOUS_OFFSET})
        response = api.get(caller, SEARCH, q="x", resolve="true")
        assert (response.status_code, response.json()) == (401, {"error": ANONYMOUS_RESOLVE})
        assert api.get(caller, SEARCH, q="x", resolve="false").status_code == 200
    assert api.get(alice, SEARCH, q="x", offset="1", resolve="1").status_code == 200


def test_negative_limit_or_offset_is_400(api, alice):
    for params in ({"limit": "-1"}, {"offset": "-3", "type": "accounts"}, {"limit": " -2x"}):
        response = api.get(alice, SEARCH, q="x", **params)
        assert (response.status_code, response.json()) == (400, {"error": NEGATIVE_PAGE})
        response = api.get(alice, ACCOUNTS, q="x", **params)
        assert (response.status_code, response.json()) == (400, {"error": NEGATIVE_PAGE})


def test_huge_numbers_and_long_queries_are_no_error(api, alice):
    huge = "9" * 30
    for params in (
        {"type": "statuses", "offset": huge},
        {"max_id": huge, "min_id": "-" + huge},
        {"limit": huge},
    ):
        assert api.get(alice, SEARCH, q="x", **params).status_code == 200
    assert api.get(alice, ACCOUNTS, q="x", offset=huge).status_code == 200
    many_words = " ".join(f"w{n}" for n in range(50_000))
    with api.server.client(alice.token) as client:
        for path in (SEARCH, ACCOUNTS):
            answer = client.request("GET", path, data={"q": many_words})
            assert answer.status_code == 200, answer.text


def test_unknown_type_and_zero_limit_find_nothing(api, alice):
    name = alice.username
    assert api.ok(api.get(alice, SEARCH, q=name, type="people")) == EMPTY
    assert api.ok(api.get(alice, SEARCH, q=name, limit="0")) == EMPTY
    assert api.ok(api.get(alice, SEARCH, q=name, limit="junk")) == EMPTY
    assert found(api.get(alice, SEARCH, q=name, limit="2"), "accounts") == [alice.id]


def test_scopes(api, directory, alice):
    for scope in ("read", "read:search"):
        token = directory.token(alice.account_id, scope)
        response = api.get(User(alice.account_id, "x", token), SEARCH, q=alice.username)
        assert found(response, "accounts") == [alice.id]
    other = User(alice.account_id, "x", directory.token(alice.account_id, "read:accounts"))
    response = api.get(other, SEARCH, q="x")
    assert (response.status_code, response.json()) == (403, {"error": OUTSIDE_SCOPES})
    # /api/v1/accounts/search wants read:accounts and a user.
    assert api.get(other, ACCOUNTS, q=alice.username).status_code == 200
    searcher = User(alice.account_id, "x", directory.token(alice.account_id, "read:search"))
    assert api.get(searcher, ACCOUNTS, q="x").status_code == 403
    assert api.get(None, ACCOUNTS, q="x").status_code == 401
    app_only = User(0, "app", directory.token(None, "read"))
    assert api.get(app_only, ACCOUNTS, q="x").status_code == 422


# Accounts


def test_accounts_ranked_exact_then_username_prefix_then_display_name(
    api, live_server, directory, carol
):
    base = word()
    exact = directory.user(base)
    first = directory.user(base + "_a")
    second = directory.user(base + "_b")
    by_name = directory.user()
    rename(live_server, by_name, f"Hello {base.upper()}")
    viewer = directory.user()
    follow(api, carol, first)  # one follower each: the viewer's follow decides
    follow(api, viewer, second)
    expected_for_viewer = [exact.id, second.id, first.id, by_name.id]
    assert found(api.get(viewer, SEARCH, q=base), "accounts") == expected_for_viewer
    assert found(api.get(viewer, SEARCH, q="@" + base.upper()), "accounts") == expected_for_viewer
    # Without a viewer nothing is followed: then the id.
    expected = [exact.id, first.id, second.id, by_name.id]
    assert found(api.get(None, SEARCH, q=base), "accounts") == expected
    assert [a["id"] for a in api.ok(api.get(viewer, ACCOUNTS, q=base))] == expected_for_viewer
    # following: only the accounts the viewer follows (and the viewer).
    assert found(api.get(viewer, SEARCH, q=base, following="true"), "accounts") == [second.id]
    # Display names match by the start of any word, each word of the query.
    assert found(api.get(viewer, SEARCH, q="hel " + base[:6]), "accounts") == [by_name.id]
    assert found(api.get(viewer, SEARCH, q=base[3:]), "accounts") == []
    # limit and offset (offset only in a search of one type).
    assert found(api.get(viewer, SEARCH, q=base, limit="2"), "accounts") == [exact.id, second.id]
    page = api.get(viewer, SEARCH, q=base, type="accounts", offset="2", limit="1")
    assert found(page, "accounts") == [first.id]
    assert found(api.get(viewer, SEARCH, q=base, offset="2"), "accounts") == expected_for_viewer
    body = api.ok(api.get(viewer, ACCOUNTS, q=base, offset="1", limit="2"))
    assert [a["id"] for a in body] == [second.id, first.id]
    assert body[0] == api.ok(api.get(None, f"/api/v1/accounts/{second.id}"))


def test_account_named_in_full_comes_first_and_other_domains_name_nobody(
    api, directory, alice, bob
):
    base = word()
    exact = directory.user(base)
    longer = directory.user(base + "0")
    full = f"@{base}@{TEST_DOMAIN.upper()}"
    assert found(api.get(bob, SEARCH, q=full), "accounts") == [exact.id, longer.id]
    # Named in full: found also by a caller without a user...
    named = api.get(None, SEARCH, q=f"{alice.username}@{TEST_DOMAIN}")
    assert found(named, "accounts") == [alice.id]
    # ...who gets no partial matches under 3 characters, where a user does.
    short = alice.username[:2]
    assert found(api.get(None, SEARCH, q=short), "accounts") == []
    assert found(api.get(bob, SEARCH, q=short, limit="1"), "accounts") != []
    # With following, the one named in full only if followed.
    assert found(api.get(bob, SEARCH, q=full, following="1"), "accounts") == []
    follow(api, bob, exact)
    assert found(api.get(bob, SEARCH, q=full, following="1"), "accounts") == [exact.id]
    # Every account is local: another domain names none, resolved or not.
    for q in (f"{base}@elsewhere.example", f"@{alice.username}@elsewhere.example"):
        assert api.ok(api.get(bob, SEARCH, q=q, resolve="true")) == EMPTY
        assert api.ok(api.get(bob, ACCOUNTS, q=q, resolve="true")) == []


def test_v1_account_search_limits(api, directory, bob):
    base = word()
    for n in range(3):
        directory.user(f"{base}{n}")
    assert len(api.ok(api.get(bob, ACCOUNTS, q=base))) == 3
    assert len(api.ok(api.get(bob, ACCOUNTS, q=base, limit="2"))) == 2
    assert api.ok(api.get(bob, ACCOUNTS, q=" ")) == []
    assert api.ok(api.get(bob, ACCOUNTS)) == []


# Statuses


def test_statuses_searchable_public_unlisted_and_own(api, directory, alice, bob, post):
    term = word()
    follow(api, bob, alice)
    public = post(alice, status=f"a public {term}")
    unlisted = post(alice, status=f"unlisted {term}", visibility="unlisted")
    private = post(alice, status=f"followers {term}", visibility="private")
    direct = post(alice, status=f"@{bob.username} direct {term}", visibility="direct")
    own_private = post(bob, status=f"my own {term}", visibility="private")
    warned = post(alice, status="behind a warning", spoiler_text=f"cw {term}")
    api.ok(api.act(bob, public["id"], "reblog"))
    gone = post(alice, status=f"deleted {term}")
    api.ok(api.call(alice, "DELETE", f"/api/v1/statuses/{gone['id']}"))

    newest_first = [warned["id"], own_private["id"], unlisted["id"], public["id"]]
    assert found(api.get(bob, SEARCH, q=term), "statuses") == newest_first
    mine = [warned["id"], direct["id"], private["id"], unlisted["id"], public["id"]]
    assert found(api.get(alice, SEARCH, q=term), "statuses") == mine
    # Statuses need a user.
    assert api.get(None, SEARCH, q=term, type="statuses").json() == EMPTY
    assert found(api.get(directory.user(), SEARCH, q=term.upper()), "statuses") == [
        warned["id"],
        unlisted["id"],
        public["id"],
    ]


def test_status_results_are_statuses_with_the_viewer_flags(api, alice, bob, post):
    term = word()
    status = post(alice, status=f"favourite {term}")
    api.ok(api.act(bob, status["id"], "favourite"))
    [shown] = api.ok(api.get(bob, SEARCH, q=term))["statuses"]
    expected = api.ok(api.get(bob, f"/api/v1/statuses/{status['id']}"))
    assert shown == expected and shown["favourited"] is True


def test_status_query_syntax_filters_and_paging(api, alice, bob, post):
    term = word()
    first = post(alice, status=f"red apple {term}")
    second = post(alice, status=f"apple red {term}")
    third = post(bob, status=f"green apple {term}")
    assert found(api.get(bob, SEARCH, q=f'"red apple" {term}'), "statuses") == [first["id"]]
    assert found(api.get(bob, SEARCH, q=f"{term} -green"), "statuses") == [
        second["id"],
        first["id"],
    ]
    by_bob = api.get(bob, SEARCH, q=term, account_id=bob.id)
    assert found(by_bob, "statuses") == [third["id"]]
    assert found(api.get(bob, SEARCH, q=term, account_id="junk"), "statuses") == []
    assert found(api.get(bob, SEARCH, q=term, max_id=third["id"]), "statuses") == [
        second["id"],
        first["id"],
    ]
    assert found(api.get(bob, SEARCH, q=term, min_id=first["id"]), "statuses") == [
        third["id"],
        second["id"],
    ]
    page = api.get(bob, SEARCH, q=term, type="statuses", limit="1", offset="1")
    assert found(page, "statuses") == [second["id"]]
    # Punctuation alone is no word: nothing, and no error.
    assert found(api.get(bob, SEARCH, q="!!! ()", type="statuses"), "statuses") == []


def test_an_edit_is_searched_by_its_new_text(api, alice, post):
    before, after = word(), word()
    status = post(alice, status=f"before {before}")
    edited = api.call(alice, "PUT", f"/api/v1/statuses/{status['id']}", status=f"now {after}")
    assert edited.status_code == 200, edited.text
    assert found(api.get(alice, SEARCH, q=before), "statuses") == []
    assert found(api.get(alice, SEARCH, q=after), "statuses") == [status["id"]]


def test_hash_and_at_queries_choose_what_is_searched(api, alice, post):
    term = word()
    post(alice, status=f"#{term} tagged {term}")
    hashed = api.ok(api.get(alice, SEARCH, q=f"#{term}"))
    assert (hashed["accounts"], hashed["statuses"], found_names(hashed)) == ([], [], [term])
    assert len(api.ok(api.get(alice, SEARCH, q=f"#{term} tagged"))["statuses"]) == 1
    at = api.ok(api.get(alice, SEARCH, q=f"@{alice.username}"))
    assert [a["id"] for a in at["accounts"]] == [alice.id]
    assert (at["statuses"], at["hashtags"]) == ([], [])


def found_names(body: dict) -> list[str]:
    return [tag["name"] for tag in body["hashtags"]]


# Hashtags


def test_hashtags_by_prefix_shortest_first_with_history(api, alice, bob, post):
    base = word()
    names = [f"{base}longer", base, f"{base}b", f"{base}a"]
    post(alice, status=" ".join(f"#{name}" for name in names))
    post(bob, status=f"#{base.upper()} again")
    expected = [base, f"{base}a", f"{base}b", f"{base}longer"]
    body = api.ok(api.get(bob, SEARCH, q=base.upper()))
    assert found_names(body) == expected
    tag = body["hashtags"][0]
    assert tag == api.ok(api.get(bob, f"/api/v1/tags/{base}"))
    assert tag["history"][0]["uses"] == "2" and tag["history"][0]["accounts"] == "2"
    assert tag["following"] is False
    anonymous = api.ok(api.get(None, SEARCH, q=f"#{base}"))["hashtags"]
    assert [t["name"] for t in anonymous] == expected and "following" not in anonymous[0]
    assert found(
        api.get(bob, SEARCH, q=base, type="hashtags", offset="1", limit="2"), "hashtags"
    ) == [
        f"{base}a",
        f"{base}b",
    ]


def test_hashtag_limit_is_capped_at_40(api, alice, post):
    base = word()[:7]
    for chunk in (range(0, 25), range(25, 45)):
        post(alice, status=" ".join(f"#{base}{n:02d}" for n in chunk))
    assert len(api.ok(api.get(alice, SEARCH, q=base))["hashtags"]) == 20
    assert len(api.ok(api.get(alice, SEARCH, q=base, limit="100"))["hashtags"]) == 40
    assert len(api.ok(api.get(alice, SEARCH, q=base, limit="-0"))["hashtags"]) == 0


# resolve


def test_resolve_local_status_and_account_urls(api, alice, bob, carol, post):
    public = post(alice, status="resolve me")
    private = post(alice, status="not for carol", visibility="private")
    follow(api, bob, alice)
    for url in (public["url"], public["uri"]):
        assert found(api.get(carol, SEARCH, q=url, resolve="true"), "statuses") == [public["id"]]
    # A status the viewer may not see resolves to nothing.
    assert api.ok(api.get(carol, SEARCH, q=private["url"], resolve="true")) == EMPTY
    assert found(api.get(bob, SEARCH, q=private["url"], resolve="true"), "statuses") == [
        private["id"]
    ]
    profile = f"https://{TEST_DOMAIN}/@{alice.username}"
    for url in (profile, f"https://{TEST_DOMAIN}/users/{alice.username}"):
        assert found(api.get(bob, SEARCH, q=url, resolve="1"), "accounts") == [alice.id]
    # The type must be the resource's, the offset 0.
    assert api.ok(api.get(bob, SEARCH, q=profile, resolve="1", type="statuses")) == EMPTY
    assert api.ok(api.get(bob, SEARCH, q=profile, resolve="1", type="accounts", offset="1")) == (
        EMPTY
    )
    # Other servers' URLs and unknown paths resolve to nothing; nothing is fetched.
    for url in (
        f"https://elsewhere.example/@{alice.username}",
        f"https://{TEST_DOMAIN}/@{alice.username}/99999999999999999999",
        f"https://{TEST_DOMAIN}/about",
        "https://[::1",
    ):
        assert api.ok(api.get(bob, SEARCH, q=url, resolve="true")) == EMPTY
