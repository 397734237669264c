"""The indexes only reads use: built once at the end of a rebuild (projections/tables.py), not
updated row by row while the read models are projected."""

from __future__ import annotations

# Indexes that only reads use, as (name, statement). Projecting never needs them, so a copy of
# the read models built from the log creates them once at the end (one sort each), instead of
# updating them row by row all along.
READ_INDEXES = [
    (
        "tootlog_accounts_username",
        "CREATE UNIQUE INDEX IF NOT EXISTS tootlog_accounts_username"
        " ON tootlog_accounts (lower(username))",
    ),
    (
        "tootlog_accounts_email",
        "CREATE INDEX IF NOT EXISTS tootlog_accounts_email ON tootlog_accounts (lower(email))",
    ),
    (
        "tootlog_statuses_reblogger",
        "CREATE INDEX IF NOT EXISTS tootlog_statuses_reblogger"
        " ON tootlog_statuses (account_id, reblog_of_id) WHERE reblog_of_id IS NOT NULL",
    ),
    (
        "tootlog_bookmarks_account",
        "CREATE INDEX IF NOT EXISTS tootlog_bookmarks_account"
        " ON tootlog_bookmarks (account_id, id DESC)",
    ),
    (
        "tootlog_favourites_account",
        "CREATE INDEX IF NOT EXISTS tootlog_favourites_account"
        " ON tootlog_favourites (account_id, id DESC)",
    ),
    (
        "tootlog_follows_follower",
        "CREATE INDEX IF NOT EXISTS tootlog_follows_follower"
        " ON tootlog_follows (follower_id, id DESC)",
    ),
    (
        # The public timeline: public statuses that are neither boosts nor replies to others.
        "tootlog_statuses_public",
        "CREATE INDEX IF NOT EXISTS tootlog_statuses_public ON tootlog_statuses (id DESC)"
        " WHERE visibility = 'public' AND reblog_of_id IS NULL AND NOT deleted"
        " AND (in_reply_to_id IS NULL OR in_reply_to_account_id = account_id)",
    ),
    (
        "tootlog_polls_open",
        "CREATE INDEX IF NOT EXISTS tootlog_polls_open ON tootlog_polls (expires_at)"
        " WHERE NOT closed",
    ),
    (
        "tootlog_scheduled_statuses_due",
        "CREATE INDEX IF NOT EXISTS tootlog_scheduled_statuses_due"
        " ON tootlog_scheduled_statuses (scheduled_at)",
    ),
    # Search (projections/search.py; docs/mastodon-api.md §17). Each expression is the one the
    # search statements write, word for word, so the planner matches them.
    (
        "tootlog_accounts_username_prefix",
        "CREATE INDEX IF NOT EXISTS tootlog_accounts_username_prefix"
        " ON tootlog_accounts (lower(username) text_pattern_ops)",
    ),
    (
        "tootlog_accounts_display_name_words",
        "CREATE INDEX IF NOT EXISTS tootlog_accounts_display_name_words"
        " ON tootlog_accounts USING gin (to_tsvector('simple', doc->>'display_name'))",
    ),
    (
        "tootlog_status_tags_prefix",
        "CREATE INDEX IF NOT EXISTS tootlog_status_tags_prefix"
        " ON tootlog_status_tags (tag text_pattern_ops)",
    ),
    (
        # Full-text search of statuses: their text and content warning. Not a partial index:
        # PostgreSQL keeps statistics of the words only for a whole table's index, and the
        # search's plan depends on them (projections/search.py). Boosts have no words.
        "tootlog_statuses_search",
        "CREATE INDEX IF NOT EXISTS tootlog_statuses_search ON tootlog_statuses"
        " USING gin (to_tsvector('simple', text || ' ' || coalesce(doc->>'spoiler_text', '')))",
    ),
    (
        # The list's `account_id` filter (an unfollow's deletion reads the recipient's rows).
        "tootlog_notifications_from",
        "CREATE INDEX IF NOT EXISTS tootlog_notifications_from ON tootlog_notifications"
        " (account_id, from_account_id, id DESC)",
    ),
    (
        "tootlog_event_index_subject",
        "CREATE INDEX IF NOT EXISTS tootlog_event_index_subject"
        " ON tootlog_event_index (kind, subject, position)",
    ),
]
