"""The home feeds and hashtags on the write side: rows the projector keeps for the timelines.

A home feed is fanned out on write, as Mastodon's FanOutOnWriteService and FeedManager do: a
status goes into its author's feed and into the feed of every follower that Mastodon's
`filter_from_home?` lets through (a reply to someone the follower does not follow is left out,
unless it answers the follower or continues the author's own thread); a direct status only into
the feeds of the mentioned followers. A boost is left out of a feed whose 40 newest rows already
show its original (the original or another boost of it: Mastodon's REBLOG_FALLOFF). A follow
merges the followee's 100 latest statuses (MAX_ITEMS / 4) into the follower's feed, through the
same filter; an unfollow removes them; a deleted status or boost leaves every feed.

Every statement here reads the follows and the feeds as they are at its event: the projector
flushes the batch's writes before and after a follow or unfollow (`Writes.flush`), and the other
statements go out in event order after the statuses and follows written before them (TABLES), so
the rows do not depend on how the log is cut into batches.
"""

from __future__ import annotations

from projections.writes import Writes

# Mastodon's FeedManager::REBLOG_FALLOFF and MAX_ITEMS / 4 (the merge of a new follow).
REBLOG_FALLOFF = 40
MERGE_LIMIT = 100

# Whether the feed of `{receiver}` already shows %(shown)s among its REBLOG_FALLOFF newest rows.
_SHOWN_RECENTLY = (
    "EXISTS (SELECT 1 FROM tootlog_home_feed h WHERE h.account_id = {receiver}"
    " AND h.shown_id = {shown} AND h.status_id >= coalesce((SELECT n.status_id"
    " FROM tootlog_home_feed n WHERE n.account_id = {receiver} ORDER BY n.status_id DESC"
    f" OFFSET {REBLOG_FALLOFF - 1} LIMIT 1), 0))"
)
# Whether `{receiver}` follows `{target}`.
_FOLLOWS = (
    "EXISTS (SELECT 1 FROM tootlog_follows g WHERE g.follower_id = {receiver}"
    " AND g.followee_id = {target})"
)

# One status (or boost) into the feeds of its author and its followers. %(reply_to)s: the
# account a reply answers, null for a status that is no reply or answers its own author;
# %(direct)s: only the followers in %(mentions)s; %(boost)s: deduplicated by what it shows.
FAN_OUT = (
    "INSERT INTO tootlog_home_feed (account_id, status_id, author_id, shown_id)"
    " SELECT r.id, %(status)s, %(author)s, %(shown)s FROM ("
    " SELECT %(author)s AS id UNION ALL"
    " SELECT f.follower_id FROM tootlog_follows f WHERE f.followee_id = %(author)s"
    " AND (NOT %(direct)s OR f.follower_id = ANY(%(mentions)s::bigint[]))"
    " AND (%(reply_to)s::bigint IS NULL OR f.follower_id = %(reply_to)s OR "
    + _FOLLOWS.format(receiver="f.follower_id", target="%(reply_to)s")
    + ")) AS r WHERE NOT (%(boost)s AND "
    + _SHOWN_RECENTLY.format(receiver="r.id", shown="%(shown)s")
    + ") ON CONFLICT DO NOTHING"
)
# A new follow: the followee's latest statuses (no direct ones) into the follower's feed.
MERGE = (
    "INSERT INTO tootlog_home_feed (account_id, status_id, author_id, shown_id)"
    " SELECT %(follower)s, s.id, s.account_id, coalesce(s.reblog_of_id, s.id) FROM ("
    " SELECT id, account_id, reblog_of_id, in_reply_to_account_id FROM tootlog_statuses"
    " WHERE account_id = %(followee)s AND visibility IN ('public', 'unlisted', 'private')"
    f" AND NOT deleted ORDER BY id DESC LIMIT {MERGE_LIMIT}) AS s"
    " WHERE (s.in_reply_to_account_id IS NULL OR s.in_reply_to_account_id = s.account_id"
    " OR s.in_reply_to_account_id = %(follower)s OR "
    + _FOLLOWS.format(receiver="%(follower)s", target="s.in_reply_to_account_id")
    + ") AND NOT (s.reblog_of_id IS NOT NULL AND "
    + _SHOWN_RECENTLY.format(receiver="%(follower)s", shown="s.reblog_of_id")
    + ") ON CONFLICT DO NOTHING"
)
UNMERGE = "DELETE FROM tootlog_home_feed WHERE account_id = %s AND author_id = %s"
# A deleted status or boost leaves the feeds it is in: its author's and its followers'.
REMOVE = (
    "DELETE FROM tootlog_home_feed WHERE status_id = %(status)s AND account_id IN ("
    " SELECT %(author)s UNION ALL"
    " SELECT follower_id FROM tootlog_follows WHERE followee_id = %(author)s)"
)
INSERT_TAGS = (
    "INSERT INTO tootlog_status_tags (tag, status_id, account_id)"
    " SELECT * FROM unnest(%b::text[], %b::bigint[], %b::bigint[]) ON CONFLICT DO NOTHING"
)


class HomeFeedReadModel:
    """The home feeds' and hashtags' rows; each method adds to the batch's writes."""

    def fan_out(
        self,
        writes: Writes,
        *,
        status_id: int,
        author_id: int,
        visibility: str,
        mentions: list[int],
        in_reply_to_account_id: int | None,
        reblog_of_id: int | None = None,
    ) -> None:
        reply_to = in_reply_to_account_id if in_reply_to_account_id != author_id else None
        writes.write(
            "home_feed",
            FAN_OUT,
            {
                "status": status_id,
                "author": author_id,
                "shown": reblog_of_id or status_id,
                "direct": visibility == "direct",
                "mentions": mentions,
                "reply_to": reply_to,
                "boost": reblog_of_id is not None,
            },
        )

    def remove(self, writes: Writes, author_id: int, status_id: int) -> None:
        writes.write("home_feed", REMOVE, {"status": status_id, "author": author_id})

    def merge(self, writes: Writes, follower_id: int, followee_id: int) -> None:
        writes.write("home_feed", MERGE, {"follower": follower_id, "followee": followee_id})

    def unmerge(self, writes: Writes, follower_id: int, followee_id: int) -> None:
        writes.write("home_feed", UNMERGE, (follower_id, followee_id))

    def tag(self, writes: Writes, status_id: int, account_id: int, tags: list[str]) -> None:
        for name in tags:
            writes.insert("status_tags", INSERT_TAGS, (name, status_id, account_id))

    def retag(self, writes: Writes, status_id: int, account_id: int, tags: list[str]) -> None:
        """An edit: the status's hashtags are those of its new text (ProcessHashtagsService)."""
        writes.write(
            "status_tags", "DELETE FROM tootlog_status_tags WHERE status_id = %s", (status_id,)
        )
        self.tag(writes, status_id, account_id, tags)
