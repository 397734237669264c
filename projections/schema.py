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
# pg_advisory_lock key held by the single active projection worker.
WORKER_LOCK_KEY = 0x746F6F746C6F67

READ_MODEL_TABLES = (
    "tootlog_accounts",
    "tootlog_statuses",
    "tootlog_tokens",
    "tootlog_follows",
    "tootlog_favourites",
    "tootlog_pins",
    "tootlog_media",
    "tootlog_apps",
)

DDL = [
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
        doc json NOT NULL
    )
    """,
    "CREATE UNIQUE INDEX IF NOT EXISTS tootlog_accounts_username"
    " ON tootlog_accounts (lower(username))",
    "CREATE INDEX IF NOT EXISTS tootlog_accounts_email ON tootlog_accounts (lower(email))",
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
        gap_depth integer NOT NULL DEFAULT -1,
        text text NOT NULL,
        deleted boolean NOT NULL DEFAULT false,
        replies_count integer NOT NULL DEFAULT 0,
        reblogs_count integer NOT NULL DEFAULT 0,
        favourites_count integer NOT NULL DEFAULT 0,
        doc json NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS tootlog_statuses_account ON tootlog_statuses (account_id, id DESC)",
    "CREATE INDEX IF NOT EXISTS tootlog_statuses_thread ON tootlog_statuses (root_id, path)",
    "CREATE INDEX IF NOT EXISTS tootlog_statuses_reblogs"
    " ON tootlog_statuses (reblog_of_id, id DESC) WHERE reblog_of_id IS NOT NULL",
    "CREATE INDEX IF NOT EXISTS tootlog_statuses_reblogger"
    " ON tootlog_statuses (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL",
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
        PRIMARY KEY (follower_id, followee_id)
    )
    """,
    "CREATE INDEX IF NOT EXISTS tootlog_follows_followee ON tootlog_follows (followee_id)",
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
    # Uploads with their pre-rendered MediaAttachment JSON; status_id is null while unattached.
    """
    CREATE TABLE IF NOT EXISTS tootlog_media (
        id bigint PRIMARY KEY,
        account_id bigint NOT NULL,
        status_id bigint,
        doc jsonb NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS tootlog_apps (
        id bigint PRIMARY KEY,
        client_id text NOT NULL UNIQUE,
        doc jsonb NOT NULL
    )
    """,
]
