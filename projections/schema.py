"""Read-model tables. Every row here is written by the projector, never by a request handler."""

from __future__ import annotations

# Channel on which the worker announces its position after each commit (payload: the position).
POSITION_CHANNEL = "tootlog_projection"
# Channel on which the worker announces a revoked token (payload: the token's hash).
TOKENS_CHANNEL = "tootlog_tokens"
# Channel on which the event store announces new events (the library NOTIFYs `<app>_events`).
EVENTS_CHANNEL = "tootlog_events"
EVENTS_TABLE = "tootlog_events"
TRACKING_TABLE = "tootlog_tracking"
# The name under which the read models record their position in the tracking table.
TRACKED_APPLICATION = "tootlog"
# The name under which the home feeds, a projection of their own that follows the main one
# (projections/feed_projector.py), record theirs; and the channel they announce it on.
FEED_APPLICATION = "tootlog-feeds"
FEED_POSITION_CHANNEL = "tootlog_feeds"
# Every tracked position of the read models.
TRACKED_APPLICATIONS = (TRACKED_APPLICATION, FEED_APPLICATION)
# Events per transaction of a rebuild or verify (projections/rebuild.py): counters changed in a
# batch are written once per batch (most accounts' every batch), and a status created and
# counted within one is inserted once. Since no batch is cut short around follows any more, a
# batch holds all its events' rows: on the 1,000,000-event bench log, 50,000 peaked the process
# at 320 MB (7,762 events/s), 20,000 at 240 MB (7,312 events/s).
BATCH_SIZE = 20_000
# pg_advisory_lock key held by the single active projection worker.
WORKER_LOCK_KEY = 0x746F6F746C6F67
# pg_advisory_lock key held while the tables are checked and created.
SCHEMA_LOCK_KEY = 0x746F6F746C6F68
# pg_advisory_lock key held while the event store's tables and functions are created (the same
# number as commands/event_store.py's: the layers share the database, not code).
EVENT_STORE_LOCK_KEY = 0x746F6F746C6F6B
# Every projection batch takes this advisory lock shared, inside its transaction; an online
# rebuild's switch and verify's snapshot take it exclusively, so no batch is half-way through
# while they look at (or replace) the live tables.
SWITCH_LOCK_KEY = 0x746F6F746C6F69
# pg_advisory_lock key held by the one `rebuild` or `verify` running against a database.
REBUILD_LOCK_KEY = 0x746F6F746C6F6A
# The schema of the live read models (the library's default schema, where the API reads them).
LIVE_SCHEMA = "public"
# The shape of the read-model tables. When it changes, bump it: a database whose read models an
# older tootlog built has them dropped and rebuilt from the event store on the next start. 1 was
# every schema before the version was recorded.
READ_MODEL_VERSION = 15
VERSION_TABLE = "tootlog_read_model_version"

READ_MODEL_TABLES = (
    "tootlog_accounts",
    "tootlog_statuses",
    "tootlog_tokens",
    "tootlog_follows",
    "tootlog_favourites",
    "tootlog_pins",
    "tootlog_media",
    "tootlog_apps",
    "tootlog_event_index",
    "tootlog_cards",
    "tootlog_card_outcomes",
    "tootlog_markers",
    "tootlog_bookmarks",
    "tootlog_conversation_mutes",
    "tootlog_status_edits",
    "tootlog_polls",
    "tootlog_poll_votes",
    "tootlog_scheduled_statuses",
    "tootlog_home_feed",
    "tootlog_feed_follows",
    "tootlog_feed_statuses",
    "tootlog_status_tags",
    "tootlog_notifications",
    "tootlog_notifying_follows",
)

# `last_status_at` as the Account JSON writes it. to_char with a fixed numeric format depends
# on no setting, so it may be declared IMMUTABLE (a generated column requires that).
# It lives in the live schema only: copies built in other schemas use that one, so a copy's
# generated columns never depend on anything dropped with the schema it was built in.
JSON_DATE_FUNCTION = f"""
    CREATE OR REPLACE FUNCTION {LIVE_SCHEMA}.tootlog_json_date(day date) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN day IS NULL THEN 'null' ELSE '"' || to_char(day, 'YYYY-MM-DD') || '"' END
"""

DDL = [
    f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version integer NOT NULL)",
    """
    CREATE TABLE IF NOT EXISTS tootlog_accounts (
        id bigint PRIMARY KEY,
        username text NOT NULL,
        email text,
        locked boolean NOT NULL DEFAULT false,
        followers_count integer NOT NULL DEFAULT 0,
        following_count integer NOT NULL DEFAULT 0,
        statuses_count integer NOT NULL DEFAULT 0,
        last_status_at date,
        note text NOT NULL DEFAULT '',  -- the profile note as written (the document has its HTML)
        doc json NOT NULL,
        -- The Account entity as every answer sends it: the document with its counters.
        rendered text GENERATED ALWAYS AS (
            left(doc::text, -1) || ',"followers_count":' || followers_count::text
            || ',"following_count":' || following_count::text
            || ',"statuses_count":' || statuses_count::text
            || ',"last_status_at":' || public.tootlog_json_date(last_status_at) || '}'
        ) STORED
    ) WITH (fillfactor = 75)
    """,
    """
    CREATE TABLE IF NOT EXISTS tootlog_statuses (
        id bigint PRIMARY KEY,
        account_id bigint NOT NULL,
        visibility text NOT NULL,
        mentions bigint[] NOT NULL DEFAULT '{}',
        in_reply_to_id bigint,
        in_reply_to_account_id bigint,
        reblog_of_id bigint,
        root_id bigint NOT NULL,
        depth integer NOT NULL,
        path bigint[] NOT NULL,
        -- The path as one sortable string (8 big-endian bytes per id): ordering by it is
        -- depth-first with siblings by id, and a status's replies, all the way down, are the
        -- keys between its own and its own followed by 0x80 (ids are positive).
        thread_key bytea NOT NULL,
        gap_depth integer NOT NULL DEFAULT -1,
        text text NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        replies_count integer NOT NULL DEFAULT 0,
        reblogs_count integer NOT NULL DEFAULT 0,
        favourites_count integer NOT NULL DEFAULT 0,
        doc json NOT NULL,
        -- The Status JSON up to its account: what a thread's rows are sent as.
        head text GENERATED ALWAYS AS (
            left(doc::text, -1) || ',"replies_count":' || replies_count::text
            || ',"reblogs_count":' || reblogs_count::text
            || ',"favourites_count":' || favourites_count::text || ',"account":'
        ) STORED
    ) WITH (fillfactor = 75)
    """,
    "CREATE INDEX IF NOT EXISTS tootlog_statuses_thread ON tootlog_statuses (thread_key)",
    # An account's statuses: its profile, and a follow's merge into the home feed (projected).
    "CREATE INDEX IF NOT EXISTS tootlog_statuses_account ON tootlog_statuses (account_id, id DESC)",
    "CREATE INDEX IF NOT EXISTS tootlog_statuses_reblogs"
    " ON tootlog_statuses (reblog_of_id, id DESC) WHERE reblog_of_id IS NOT NULL",
    """
    CREATE TABLE IF NOT EXISTS tootlog_tokens (
        token_hash text PRIMARY KEY,
        account_id bigint,
        app_id bigint,
        scopes text[] NOT NULL,
        revoked boolean NOT NULL DEFAULT false
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS tootlog_follows (
        follower_id bigint NOT NULL,
        followee_id bigint NOT NULL,
        id bigint NOT NULL,  -- the Followed event's position: the lists' page cursor
        PRIMARY KEY (follower_id, followee_id)
    )
    """,
    # A followee's followers, newest follow first: the home feed's fan-out and /followers.
    # No INCLUDE (follower_id): the planner would then prefer it to the primary key for "does
    # the viewer follow X" (per_viewer.FOLLOWS_SQL) and read all of X's followers per row.
    "CREATE INDEX IF NOT EXISTS tootlog_follows_followee ON tootlog_follows (followee_id, id DESC)",
    # The home feeds (projections/home_feed.py).
    """
    CREATE TABLE IF NOT EXISTS tootlog_home_feed (
        account_id bigint NOT NULL,  -- whose feed
        status_id bigint NOT NULL,  -- a status or reblog wrapper in it
        author_id bigint NOT NULL,  -- the status's author: an unfollow removes by it
        shown_id bigint NOT NULL,  -- the status shown: itself, or a wrapper's original
        -- shown_id rides in the key's leaves: a follow's merge reads the feed's newest shown
        -- ids (REBLOG_FALLOFF) from the key alone.
        PRIMARY KEY (account_id, status_id) INCLUDE (shown_id)
    )
    """,
    # The boosts in a feed by what they show (a new boost's REBLOG_FALLOFF check): statuses,
    # most of a feed's rows, are found by the primary key and have no entry here.
    "CREATE INDEX IF NOT EXISTS tootlog_home_feed_boosts"
    " ON tootlog_home_feed (account_id, shown_id) WHERE status_id <> shown_id",
    # The follows as the home feeds' statements have seen them so far (projections/home_feed.py):
    # written in event order with those statements, where tootlog_follows is written ahead.
    """
    CREATE TABLE IF NOT EXISTS tootlog_feed_follows (
        follower_id bigint NOT NULL,
        followee_id bigint NOT NULL,
        PRIMARY KEY (follower_id, followee_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS tootlog_feed_follows_followee"
    " ON tootlog_feed_follows (followee_id, follower_id)",
    # The statuses and boosts a follow's merge may bring into a feed (none direct), as the home
    # feeds' statements have seen them so far: published, not yet deleted (home_feed.py).
    """
    CREATE TABLE IF NOT EXISTS tootlog_feed_statuses (
        author_id bigint NOT NULL,
        status_id bigint NOT NULL,
        shown_id bigint NOT NULL,  -- itself, or a boost's original
        reply_to bigint,  -- the account a reply answers, unless its own author
        PRIMARY KEY (author_id, status_id)
    )
    """,
    # The boosts of a status, which leave with it.
    "CREATE INDEX IF NOT EXISTS tootlog_feed_statuses_boosts"
    " ON tootlog_feed_statuses (shown_id) WHERE status_id <> shown_id",
    # A status's hashtags (normalized names), for the tag timelines and the Tag entity.
    """
    CREATE TABLE IF NOT EXISTS tootlog_status_tags (
        tag text NOT NULL,
        status_id bigint NOT NULL,
        account_id bigint NOT NULL,
        PRIMARY KEY (tag, status_id)
    )
    """,
    # An edit replaces a status's hashtags.
    "CREATE INDEX IF NOT EXISTS tootlog_status_tags_status ON tootlog_status_tags (status_id)",
    """
    CREATE TABLE IF NOT EXISTS tootlog_favourites (
        id bigint PRIMARY KEY,
        account_id bigint NOT NULL,
        status_id bigint NOT NULL,
        UNIQUE (account_id, status_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS tootlog_favourites_status"
    " ON tootlog_favourites (status_id, id DESC)",
    """
    CREATE TABLE IF NOT EXISTS tootlog_pins (
        id bigserial PRIMARY KEY,
        account_id bigint NOT NULL,
        status_id bigint NOT NULL,
        UNIQUE (account_id, status_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS tootlog_pins_status ON tootlog_pins (status_id)",
    # Bookmarks, each with its own id (the cursor of the bookmarks list); a deleted status's
    # go with it (by status_id).
    """
    CREATE TABLE IF NOT EXISTS tootlog_bookmarks (
        id bigint PRIMARY KEY,
        account_id bigint NOT NULL,
        status_id bigint NOT NULL,
        UNIQUE (account_id, status_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS tootlog_bookmarks_status ON tootlog_bookmarks (status_id)",
    # Conversation mutes: a viewer's muted threads, each named by its root status.
    """
    CREATE TABLE IF NOT EXISTS tootlog_conversation_mutes (
        account_id bigint NOT NULL,
        root_id bigint NOT NULL,
        PRIMARY KEY (account_id, root_id)
    )
    """,
    # Uploads with their pre-rendered MediaAttachment JSON; status_id is null while unattached.
    """
    CREATE TABLE IF NOT EXISTS tootlog_media (
        id bigint PRIMARY KEY,
        account_id bigint NOT NULL,
        status_id bigint,
        doc jsonb NOT NULL
    )
    """,
    # Link preview cards (projections/cards.py): per status that has a card or whose text an
    # edit changed, the text version it shows the card of and that card's PreviewCard JSON (the
    # same document is spliced into the status's own; NULL: none, or not fetched yet).
    """
    CREATE TABLE IF NOT EXISTS tootlog_cards (
        status_id bigint PRIMARY KEY,
        text_version integer NOT NULL,
        url text,
        doc jsonb
    )
    """,
    # The versions of edited statuses (projections/status_edits.py): seq 0 is the original, an
    # edit's seq is its event's version in the status's aggregate.
    """
    CREATE TABLE IF NOT EXISTS tootlog_status_edits (
        status_id bigint NOT NULL,
        seq integer NOT NULL,
        account_id bigint NOT NULL,
        created_at text NOT NULL,
        text text NOT NULL,
        spoiler_text text NOT NULL,
        sensitive boolean NOT NULL,
        media_ids bigint[] NOT NULL,
        media_descriptions text[] NOT NULL,
        poll_options text[],  -- the version's poll (NULL: none)
        PRIMARY KEY (status_id, seq)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS tootlog_card_outcomes (
        kind text NOT NULL,  -- 'fetch': a page fetched; 'status': a status given its outcome
        outcome text NOT NULL,  -- 'card' or 'none'
        count bigint NOT NULL,
        PRIMARY KEY (kind, outcome)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS tootlog_markers (
        account_id bigint NOT NULL,
        timeline text NOT NULL,
        last_read_id bigint NOT NULL,
        version integer NOT NULL,
        updated_at text NOT NULL,
        PRIMARY KEY (account_id, timeline)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS tootlog_apps (
        id bigint PRIMARY KEY,
        client_id text NOT NULL UNIQUE,
        doc jsonb NOT NULL
    )
    """,
    # Polls (projections/polls.py): options, per-option tallies, and each voter's choices.
    # expires_at is in milliseconds since the epoch, as the status's Published event has it.
    """
    CREATE TABLE IF NOT EXISTS tootlog_polls (
        id bigint PRIMARY KEY,
        status_id bigint NOT NULL UNIQUE,
        account_id bigint NOT NULL,
        expires_at bigint NOT NULL,
        multiple boolean NOT NULL,
        hide_totals boolean NOT NULL,
        options text[] NOT NULL,
        tallies integer[] NOT NULL,
        votes_count integer NOT NULL DEFAULT 0,
        voters_count integer NOT NULL DEFAULT 0,
        closed boolean NOT NULL DEFAULT false,
        -- how many times an edit reset its votes; a vote of an earlier one is not counted
        generation integer NOT NULL DEFAULT 0
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS tootlog_poll_votes (
        poll_id bigint NOT NULL,
        account_id bigint NOT NULL,
        status_id bigint NOT NULL,
        choices integer[] NOT NULL,
        PRIMARY KEY (poll_id, account_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS tootlog_poll_votes_status ON tootlog_poll_votes (status_id)",
    # Statuses waiting for their time (projections/scheduled.py); scheduled_at in milliseconds
    # since the epoch; params as Mastodon shows them (jsonb, as Mastodon keeps them).
    """
    CREATE TABLE IF NOT EXISTS tootlog_scheduled_statuses (
        id bigint PRIMARY KEY,
        account_id bigint NOT NULL,
        scheduled_at bigint NOT NULL,
        params jsonb NOT NULL,
        media_ids bigint[] NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS tootlog_scheduled_statuses_account"
    " ON tootlog_scheduled_statuses (account_id, id DESC)",
    # Notifications (projections/notifications.py), each account's own: id is its event's
    # position times SLOTS plus its kind's slot (domain/notification.py), the page cursor;
    # status_id the status it is about (a reblog's original); group_prefix and bucket (hours
    # since the epoch) name its group, null for the types never grouped.
    """
    CREATE TABLE IF NOT EXISTS tootlog_notifications (
        account_id bigint NOT NULL,
        id bigint NOT NULL,
        type text NOT NULL,
        from_account_id bigint NOT NULL,
        status_id bigint,
        group_prefix text,
        bucket integer,
        created_at text NOT NULL,
        PRIMARY KEY (account_id, id)
    )
    """,
    # A deleted status's notifications go by status; an unfavourite's or an unreblog's by status
    # and actor: a status with many favourites has as many notifications, and finding the one
    # undone among them by status alone grew with them (an unfavourite of the bench log's
    # busiest status read its 17,000 rows; 21 of a rebuild's 240 s on 3 million events).
    "CREATE INDEX IF NOT EXISTS tootlog_notifications_status ON tootlog_notifications"
    " (status_id, from_account_id) WHERE status_id IS NOT NULL",
    # A new favourite, reblog or follow finds its group; the grouped list reads each group.
    "CREATE INDEX IF NOT EXISTS tootlog_notifications_group ON tootlog_notifications"
    " (account_id, group_prefix, bucket, id DESC) WHERE group_prefix IS NOT NULL",
    # Follows that asked to be notified of the followee's statuses (Mastodon's `notify`).
    """
    CREATE TABLE IF NOT EXISTS tootlog_notifying_follows (
        follower_id bigint NOT NULL,
        followee_id bigint NOT NULL,
        PRIMARY KEY (followee_id, follower_id)
    )
    """,
    # Which events concern which status or account, so that `tootlog replay --status/--account`
    # reads a few index entries instead of the whole log. kind: see projections.event_index.
    """
    CREATE TABLE IF NOT EXISTS tootlog_event_index (
        kind smallint NOT NULL,
        subject bigint NOT NULL,
        position bigint NOT NULL
    )
    """,
]
