"""The cache's schema and its migrations; the version is stored in the ``meta`` table."""

from __future__ import annotations

__all__ = ["SCHEMA_VERSION", "MIGRATIONS", "NULLABLE_INTEGER_COLUMNS"]

SCHEMA_VERSION = 2

_SCHEMA_V1: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """
    CREATE TABLE IF NOT EXISTS records (
        pmid TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        abstract TEXT NOT NULL DEFAULT '',
        year INTEGER,
        journal TEXT NOT NULL DEFAULT '',
        doi TEXT,
        status TEXT,
        date_revised TEXT,
        retracted INTEGER NOT NULL DEFAULT 0,
        data TEXT NOT NULL,
        raw_xml BLOB,
        content_hash TEXT NOT NULL,
        source TEXT NOT NULL DEFAULT 'pubmed',
        first_fetched TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS claim_records (
        claim_id TEXT NOT NULL,
        pmid TEXT NOT NULL REFERENCES records(pmid),
        source TEXT NOT NULL DEFAULT 'search',
        first_seen TEXT NOT NULL,
        last_seen TEXT NOT NULL,
        PRIMARY KEY (claim_id, pmid)
    )
    """,
    "CREATE INDEX IF NOT EXISTS claim_records_pmid ON claim_records(pmid)",
    """
    CREATE TABLE IF NOT EXISTS claim_state (
        claim_id TEXT PRIMARY KEY,
        term TEXT,
        watermark TEXT,
        last_success TEXT,
        last_attempt TEXT,
        last_error TEXT
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS search_log (
        id INTEGER PRIMARY KEY,
        run_id INTEGER,
        claim_id TEXT,
        term TEXT NOT NULL,
        query_translation TEXT,
        count INTEGER,
        datetype TEXT,
        mindate TEXT,
        maxdate TEXT,
        warnings TEXT NOT NULL DEFAULT '[]',
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS search_log_claim ON search_log(claim_id, at)",
    """
    CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL,
        pid INTEGER,
        requests INTEGER NOT NULL DEFAULT 0,
        added INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        errors TEXT NOT NULL DEFAULT '[]',
        summary TEXT NOT NULL DEFAULT '{}'
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS changes (
        id INTEGER PRIMARY KEY,
        run_id INTEGER,
        claim_id TEXT,
        pmid TEXT NOT NULL,
        kind TEXT NOT NULL,
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS changes_at ON changes(at)",
    """
    CREATE TABLE IF NOT EXISTS annotations (
        claim_id TEXT NOT NULL,
        pmid TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        relevant INTEGER,
        direction TEXT,
        note TEXT NOT NULL DEFAULT '',
        updated_at TEXT NOT NULL,
        PRIMARY KEY (claim_id, pmid, reviewer)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS grades (
        id INTEGER PRIMARY KEY,
        run_id INTEGER,
        claim_id TEXT NOT NULL,
        verdict TEXT NOT NULL,
        strength TEXT NOT NULL,
        reasons TEXT NOT NULL DEFAULT '[]',
        basis TEXT NOT NULL DEFAULT '',
        detail TEXT NOT NULL DEFAULT '{}',
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS grades_claim ON grades(claim_id, id)",
    """
    CREATE TABLE IF NOT EXISTS labels (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        version TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (kind, key)
    )
    """,
)

# Version 2 (additive): reviewers' bulk actions, each undoable, and per-claim sign-offs.
_SCHEMA_V2: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS review_actions (
        id INTEGER PRIMARY KEY,
        claim_id TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL,
        undone_at TEXT,
        undone_by TEXT
    )
    """,
    "CREATE INDEX IF NOT EXISTS review_actions_claim ON review_actions(claim_id, id)",
    """
    CREATE TABLE IF NOT EXISTS review_action_items (
        action_id INTEGER NOT NULL REFERENCES review_actions(id),
        pmid TEXT NOT NULL,
        before TEXT,
        PRIMARY KEY (action_id, pmid)
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS signoffs (
        id INTEGER PRIMARY KEY,
        claim_id TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        verdict TEXT NOT NULL,
        strength TEXT NOT NULL,
        studies INTEGER NOT NULL DEFAULT 0,
        last_change INTEGER NOT NULL DEFAULT 0,
        at TEXT NOT NULL
    )
    """,
    "CREATE INDEX IF NOT EXISTS signoffs_claim ON signoffs(claim_id, id)",
)

# Each migration takes the database from version N-1 to N, one statement at a time
# (a statement may hold a ";" inside a string or trigger; none is ever split).
MIGRATIONS: dict[int, tuple[str, ...]] = {1: _SCHEMA_V1, 2: _SCHEMA_V2}

# INTEGER columns that may hold NULL (and counts computed by queries): frames read them as
# pandas' nullable Int64, so a missing year is <NA>, never the float 2019.0.
NULLABLE_INTEGER_COLUMNS: frozenset[str] = frozenset({
    "id", "run_id", "year", "newest_year", "count", "pid", "requests", "added", "updated", "records",
})
