"""The home feeds on the write side: the rows the feed projector (projections/feed_projector.py)
keeps for the home timelines.

A home feed is fanned out on write, as Mastodon's FanOutOnWriteService and FeedManager do: a
status goes into its author's feed and into the feed of every follower that Mastodon's
`filter_from_home?` lets through (a reply to someone the follower does not follow is left out,
unless it answers the follower or continues the author's own thread); a direct status only into
the feeds of the mentioned followers. A boost is left out of a feed whose 40 newest rows already
show its original (the original or another boost of it: Mastodon's REBLOG_FALLOFF). A follow
merges the followee's 100 latest statuses (MAX_ITEMS / 4) into the follower's feed, through the
same filter; an unfollow removes them; a deleted status or boost leaves every feed.

A feed row is written once: the log publishes a status or a boost once, nobody follows
themselves, a follow is recorded only when the follower was not following (domain/follow.py),
and an unfollow removes every row of the followee from the follower's feed, so neither a fan-out
nor a merge meets a row already there. The inserts therefore go without ON CONFLICT, which costs
a second index probe and a second WAL record per row (7 of the feeds' 64 s of PostgreSQL time in
a rebuild of the bench log). Should a row ever be there, the batch fails as a whole and the
feeds catch up from their own position with the `tolerant` statements, which skip it
(projections/worker.py, `catch_up_feeds`).

Every statement here sees the follows, the statuses and the feeds as they were at its event,
however the log is cut into batches, without flushing the batch around each follow: it reads only
tables that these statements alone write, in event order (the main read models' `tootlog_follows`
and `tootlog_statuses` are written ahead of them, as held rows):
- `tootlog_feed_follows`, the follows;
- `tootlog_feed_statuses`, the statuses and boosts a follow's merge may bring in (none direct),
  published and not yet deleted. It is narrow (four ids a row, about 60 bytes, where a row of
  `tootlog_statuses` holds about 1.5 kB with its document), so a merge's hundred rows come from
  a few pages that stay in shared buffers instead of a hundred scattered ones: the merges took
  34 of the 118 s of PostgreSQL time of a rebuild of the bench log, reading the wide rows;
- the feeds.
"""

from __future__ import annotations

from projections.writes import Writes

# Mastodon's FeedManager::REBLOG_FALLOFF and MAX_ITEMS / 4 (the merge of a new follow).
REBLOG_FALLOFF = 40
MERGE_LIMIT = 100
# What a tolerant insert adds: a row already in the feed is left as it is.
TOLERANT = " ON CONFLICT DO NOTHING"

# Whether the feed of `{receiver}` already shows {shown} among its REBLOG_FALLOFF newest rows:
# as itself (a probe of the primary key) or as a boost (a probe of the boosts' partial index);
# the newest rows are counted only when a probe finds one. Only boosts are in that index, so
# a status fanned out costs one index entry, not two.
_SHOWN_RECENTLY = (
    "EXISTS (SELECT 1 FROM (SELECT h.status_id FROM tootlog_home_feed h"
    " WHERE h.account_id = {receiver} AND (h.status_id = {shown}"
    " OR (h.shown_id = {shown} AND h.status_id <> h.shown_id)) OFFSET 0) AS found"
    " WHERE found.status_id >= coalesce((SELECT n.status_id FROM tootlog_home_feed n"
    " WHERE n.account_id = {receiver} ORDER BY n.status_id DESC"
    f" OFFSET {REBLOG_FALLOFF - 1} LIMIT 1), 0))"
)
# The same for a statement whose receiver is one parameter (a follow's merge): the feed's
# newest shown ids are read once and hashed, not probed per row.
_SHOWN_RECENTLY_TO = (
    "{shown} IN (SELECT n.shown_id FROM tootlog_home_feed n WHERE n.account_id = {receiver}"
    f" ORDER BY n.status_id DESC LIMIT {REBLOG_FALLOFF})"
)
# Whether `{receiver}` follows `{target}`.
_FOLLOWS = (
    "EXISTS (SELECT 1 FROM tootlog_feed_follows g WHERE g.follower_id = {receiver}"
    " AND g.followee_id = {target})"
)

# Statuses (no boosts) into the feeds of their authors and followers, one row each: (status,
# author, direct, mentions, reply_to). reply_to: the account a reply answers, null for a
# status that is no reply or answers its own author; a direct status goes only to the followers
# among its mentions. They read no feed, so a run of them is one statement. The statuses a
# merge may bring in (not direct) are kept in tootlog_feed_statuses on the way ({kept}: how
# that insert ends).
FAN_OUT = (
    "WITH d AS (SELECT * FROM unnest(%b::bigint[], %b::bigint[], %b::bool[], %b::text[],"
    " %b::bigint[]) AS d(status, author, direct, mentions, reply_to)),"
    " kept AS (INSERT INTO tootlog_feed_statuses (author_id, status_id, shown_id, reply_to)"
    " SELECT d.author, d.status, d.status, d.reply_to FROM d WHERE NOT d.direct{kept})"
    " INSERT INTO tootlog_home_feed (account_id, status_id, author_id, shown_id)"
    " SELECT r.id, d.status, d.author, d.status FROM d CROSS JOIN LATERAL ("
    " SELECT d.author AS id UNION ALL"
    " SELECT f.follower_id FROM tootlog_feed_follows f WHERE f.followee_id = d.author"
    " AND (NOT d.direct OR f.follower_id = ANY(d.mentions::bigint[]))"
    " AND (d.reply_to IS NULL OR f.follower_id = d.reply_to OR "
    + _FOLLOWS.format(receiver="f.follower_id", target="d.reply_to")
    + ")) AS r"
)
# A boost into the feeds of its author and its followers, unless one already shows its original
# (each reads the feeds as the statements before it left them); kept for merges unless direct.
FAN_OUT_BOOST = (
    "WITH kept AS (INSERT INTO tootlog_feed_statuses (author_id, status_id, shown_id)"
    " SELECT %(author)s, %(status)s, %(shown)s WHERE %(mergeable)s{kept})"
    " INSERT INTO tootlog_home_feed (account_id, status_id, author_id, shown_id)"
    " SELECT r.id, %(status)s, %(author)s, %(shown)s FROM ("
    " SELECT %(author)s AS id UNION ALL"
    " SELECT f.follower_id FROM tootlog_feed_follows f WHERE f.followee_id = %(author)s) AS r"
    " WHERE NOT " + _SHOWN_RECENTLY.format(receiver="r.id", shown="%(shown)s")
)
# A new follow, recorded, and the followee's latest statuses then merged into the follower's
# feed, in one statement: what the merge reads of the follows does not include the new one (a
# data-modifying WITH is not seen by its statement), and need not (the followee's replies to
# itself pass whatever the follower follows).
MERGE = (
    "WITH followed AS (INSERT INTO tootlog_feed_follows (follower_id, followee_id)"
    " VALUES (%(follower)s, %(followee)s))"
    " INSERT INTO tootlog_home_feed (account_id, status_id, author_id, shown_id)"
    " SELECT %(follower)s, s.status_id, s.author_id, s.shown_id FROM ("
    " SELECT author_id, status_id, shown_id, reply_to FROM tootlog_feed_statuses"
    f" WHERE author_id = %(followee)s ORDER BY status_id DESC LIMIT {MERGE_LIMIT}) AS s"
    " WHERE (s.reply_to IS NULL OR s.reply_to = %(follower)s OR "
    + _FOLLOWS.format(receiver="%(follower)s", target="s.reply_to")
    + ") AND NOT (s.status_id <> s.shown_id AND "
    + _SHOWN_RECENTLY_TO.format(receiver="%(follower)s", shown="s.shown_id")
    + ")"
)
# An unfollow: the follow forgotten and the followee's rows out of the follower's feed.
UNFOLLOW = (
    "WITH unfollowed AS (DELETE FROM tootlog_feed_follows"
    " WHERE follower_id = %(follower)s AND followee_id = %(followee)s)"
    " DELETE FROM tootlog_home_feed WHERE account_id = %(follower)s AND author_id = %(followee)s"
)
# A deleted status or boost leaves the feeds it is in, its author's and its followers', and
# the statuses a merge may bring in, with the boosts of it (they were deleted with it). Its
# author is read once, from its row.
REMOVE = (
    "WITH author AS (SELECT s.account_id FROM tootlog_statuses s WHERE s.id = %(status)s),"
    " gone AS (DELETE FROM tootlog_feed_statuses f"
    " WHERE (f.author_id = (SELECT account_id FROM author) AND f.status_id = %(status)s)"
    " OR (f.shown_id = %(status)s AND f.status_id <> f.shown_id))"
    " DELETE FROM tootlog_home_feed WHERE status_id = %(status)s AND account_id IN ("
    " SELECT account_id FROM author UNION ALL"
    " SELECT f.follower_id FROM author a"
    " JOIN tootlog_feed_follows f ON f.followee_id = a.account_id)"
)
# The visibilities a follow's merge brings in.
MERGED_VISIBILITIES = frozenset(("public", "unlisted", "private"))


class HomeFeedReadModel:
    """The home feeds' rows; each method adds to the feed batch's writes. `tolerant`: inserts
    skip a row already in the feed instead of failing the batch."""

    def __init__(self, tolerant: bool = False) -> None:
        ending = TOLERANT if tolerant else ""
        self._fan_out = FAN_OUT.replace("{kept}", ending) + ending
        self._fan_out_boost = FAN_OUT_BOOST.replace("{kept}", ending) + ending
        self._merge = MERGE + ending

    def fan_out(
        self,
        writes: Writes,
        *,
        status_id: int,
        author_id: int,
        visibility: str,
        mentions: list[int],
        in_reply_to_account_id: int | None,
    ) -> None:
        reply_to = in_reply_to_account_id if in_reply_to_account_id != author_id else None
        direct = visibility == "direct"
        wanted = "{" + ",".join(map(str, mentions)) + "}" if direct else "{}"
        writes.insert("home_feed", self._fan_out, (status_id, author_id, direct, wanted, reply_to))

    def fan_out_boost(
        self,
        writes: Writes,
        *,
        wrapper_id: int,
        author_id: int,
        original_id: int,
        visibility: str,
    ) -> None:
        params = {
            "status": wrapper_id,
            "author": author_id,
            "shown": original_id,
            "mergeable": visibility in MERGED_VISIBILITIES,
        }
        writes.write("home_feed", self._fan_out_boost, params)

    def remove(self, writes: Writes, status_id: int) -> None:
        writes.write("home_feed", REMOVE, {"status": status_id})

    def follow(self, writes: Writes, follower_id: int, followee_id: int) -> None:
        """A follow: the followee's latest statuses as they were then merge into the feed."""
        params = {"follower": follower_id, "followee": followee_id}
        writes.write("home_feed", self._merge, params)

    def unfollow(self, writes: Writes, follower_id: int, followee_id: int) -> None:
        writes.write("home_feed", UNFOLLOW, {"follower": follower_id, "followee": followee_id})
