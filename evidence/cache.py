"""The SQLite cache: the only module that speaks SQL.

One file (``cache/evidence.sqlite`` by default) in WAL mode, so the dashboard reads while
a refresh writes. Every write that belongs together is one transaction: a fetched batch
(records + the claims that found them + what changed) lands whole or not at all, so a
refresh killed at any moment leaves a consistent cache and the next run finishes the job.

Tables (schema version in ``meta``):
  records         one row per PMID: indexed columns, the parsed record as JSON, raw XML (zlib)
  claim_records   claim membership: which claim's search found which PMID, first/last seen
  claim_state     per claim: the term last sent, its watermark (last fully successful search)
  search_log      every esearch: run, claim, term as sent, NCBI's translation, count, window
  runs            every refresh: start, end, status, requests, added/updated, errors, summary
  changes         what each run changed: new study for a claim, revised record, new retraction
  annotations     reviewers' judgements of (claim, study) pairs; never touched by a refresh
  grades          each claim's grade after each run, for digests and "what's new"
  labels          derived labels (classification, direction) keyed by a version, recomputable
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pandas costs ~100 MB and a second at import: loaded only when a frame is asked for
    import pandas as pd

from evidence.errors import CacheError
from evidence.models import Annotation, Record, record_from_dict

__all__ = ["Cache", "ClaimState", "StoredRecord", "BatchOutcome", "SCHEMA_VERSION", "utcnow"]

SCHEMA_VERSION = 1

_SCHEMA_V1 = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
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
);
CREATE TABLE IF NOT EXISTS claim_records (
    claim_id TEXT NOT NULL,
    pmid TEXT NOT NULL REFERENCES records(pmid),
    source TEXT NOT NULL DEFAULT 'search',
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    PRIMARY KEY (claim_id, pmid)
);
CREATE INDEX IF NOT EXISTS claim_records_pmid ON claim_records(pmid);
CREATE TABLE IF NOT EXISTS claim_state (
    claim_id TEXT PRIMARY KEY,
    term TEXT,
    watermark TEXT,
    last_success TEXT,
    last_attempt TEXT,
    last_error TEXT
);
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
);
CREATE INDEX IF NOT EXISTS search_log_claim ON search_log(claim_id, at);
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
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY,
    run_id INTEGER,
    claim_id TEXT,
    pmid TEXT NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_at ON changes(at);
CREATE TABLE IF NOT EXISTS annotations (
    claim_id TEXT NOT NULL,
    pmid TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    relevant INTEGER,
    direction TEXT,
    note TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (claim_id, pmid, reviewer)
);
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
);
CREATE INDEX IF NOT EXISTS grades_claim ON grades(claim_id, id);
CREATE TABLE IF NOT EXISTS labels (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    version TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
"""

# Each migration takes the database from version N-1 to N. Version 1 is the first schema.
_MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1}


def utcnow() -> str:
    """ISO 8601 UTC timestamp with seconds, the one time format the cache stores."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class ClaimState:
    claim_id: str
    term: str | None
    watermark: str | None  # YYYY-MM-DD of the last fully successful search
    last_success: str | None
    last_attempt: str | None
    last_error: str | None


@dataclass(frozen=True)
class StoredRecord:
    record: Record
    source: str
    fetched_at: str


@dataclass(frozen=True)
class BatchOutcome:
    added: tuple[str, ...]  # PMIDs new to the cache
    updated: tuple[str, ...]  # PMIDs whose XML changed
    unchanged: tuple[str, ...]
    new_members: tuple[tuple[str, str], ...]  # (claim_id, pmid) memberships created


def _hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


class Cache:
    """The evidence cache. Open with ``Cache(path)``; use as a context manager to close it."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly and not self.path.exists():
            raise CacheError(f"no cache at {self.path}: run `evidence refresh` first")
        try:
            if readonly:
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30,
                                           check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
            else:
                self._check_version()
        except sqlite3.DatabaseError as exc:
            raise CacheError(
                f"cannot open the cache {self.path}: {exc}. If it is corrupt, move it aside and run "
                "`evidence refresh` to rebuild it (annotations can be exported first)"
            ) from exc
        except OSError as exc:
            raise CacheError(f"cannot create the cache at {self.path}: {exc}") from exc

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _version(self) -> int:
        has_meta = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if not has_meta:
            return 0
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _check_version(self) -> None:
        version = self._version()
        if version == 0:
            raise CacheError(f"{self.path} is not an evidence cache yet: run `evidence refresh`")
        if version > SCHEMA_VERSION:
            raise CacheError(
                f"{self.path} has schema version {version}, newer than this evidence ({SCHEMA_VERSION}): "
                "upgrade evidence"
            )

    def _migrate(self) -> None:
        version = self._version()
        if version > SCHEMA_VERSION:
            self._check_version()
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._write():
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(target),)
                )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: commits on success, rolls back on any error, maps SQLite errors."""
        if self.readonly:
            raise CacheError(f"the cache {self.path} is open read-only")
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.rollback()
                raise
            self._db.commit()
        except sqlite3.OperationalError as exc:
            raise CacheError(_explain_write_error(self.path, exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"the cache {self.path} is damaged ({exc}); nothing was written") from exc

    def _read(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"cannot read the cache {self.path}: {exc}") from exc

    def _frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        import pandas as pd

        try:
            return pd.read_sql_query(sql, self._db, params=list(params))
        except (sqlite3.DatabaseError, pd.errors.DatabaseError) as exc:
            raise CacheError(f"cannot read the cache {self.path}: {exc}") from exc

    def integrity_check(self) -> str:
        return str(self._read("PRAGMA integrity_check")[0][0])

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, pid: int, now: str | None = None) -> int:
        with self._write() as db:
            # A run still marked running when a new one starts under the lock was killed.
            db.execute("UPDATE runs SET status='interrupted' WHERE status='running'")
            cur = db.execute(
                "INSERT INTO runs(started_at, status, pid) VALUES (?, 'running', ?)", (now or utcnow(), pid)
            )
            return int(cur.lastrowid)

    def finish_run(
        self,
        run_id: int,
        status: str,
        *,
        requests: int,
        errors: Sequence[str] = (),
        summary: Mapping[str, Any] | None = None,
        now: str | None = None,
    ) -> None:
        with self._write() as db:
            added = db.execute(
                "SELECT COUNT(DISTINCT pmid) FROM changes WHERE run_id=? AND kind='added'", (run_id,)
            ).fetchone()[0]
            updated = db.execute(
                "SELECT COUNT(DISTINCT pmid) FROM changes WHERE run_id=? AND kind='revised'", (run_id,)
            ).fetchone()[0]
            db.execute(
                "UPDATE runs SET ended_at=?, status=?, requests=?, added=?, updated=?, errors=?, summary=? "
                "WHERE id=?",
                (now or utcnow(), status, requests, added, updated, json.dumps(list(errors)),
                 json.dumps(dict(summary or {})), run_id),
            )

    def runs(self, limit: int = 50) -> pd.DataFrame:
        return self._frame("SELECT * FROM runs ORDER BY id DESC LIMIT ?", (limit,))

    def last_run(self, status: str | None = None) -> dict[str, Any] | None:
        if status:
            rows = self._read("SELECT * FROM runs WHERE status=? ORDER BY id DESC LIMIT 1", (status,))
        else:
            rows = self._read("SELECT * FROM runs ORDER BY id DESC LIMIT 1")
        if not rows:
            return None
        run = dict(rows[0])
        run["errors"] = json.loads(run["errors"])
        run["summary"] = json.loads(run["summary"])
        return run

    # -- records ---------------------------------------------------------------------------

    def store_batch(
        self,
        items: Iterable[tuple[Record, bytes]],
        memberships: Mapping[str, Iterable[str]],
        *,
        run_id: int | None,
        source: str = "pubmed",
        keep_existing: bool = False,
        now: str | None = None,
    ) -> BatchOutcome:
        """Write one batch of records and the claims that found them, in one transaction.

        ``memberships`` maps PMID -> claim ids; only PMIDs in this batch are linked.
        ``keep_existing`` leaves records already cached as they are (only links them): an
        imported file must not overwrite the fuller record fetched from PubMed.
        """
        now = now or utcnow()
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        new_members: list[tuple[str, str]] = []
        with self._write() as db:
            for record, raw in items:
                digest = _hash(raw)
                old = db.execute(
                    "SELECT content_hash, retracted FROM records WHERE pmid=?", (record.pmid,)
                ).fetchone()
                data = json.dumps(record.to_dict(), ensure_ascii=False, separators=(",", ":"))
                values = (record.title, record.abstract, record.year, record.journal, record.doi, record.status,
                          record.date_revised, int(record.retracted), data, zlib.compress(raw), digest)
                if old is None:
                    db.execute(
                        "INSERT INTO records(title, abstract, year, journal, doi, status, date_revised, retracted,"
                        " data, raw_xml, content_hash, pmid, source, first_fetched, fetched_at, updated_at)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (*values, record.pmid, source, now, now, now),
                    )
                    added.append(record.pmid)
                    db.execute(
                        "INSERT INTO changes(run_id, claim_id, pmid, kind, at) VALUES (?, NULL, ?, 'added', ?)",
                        (run_id, record.pmid, now),
                    )
                elif keep_existing:
                    unchanged.append(record.pmid)
                elif old["content_hash"] != digest:
                    db.execute(
                        "UPDATE records SET title=?, abstract=?, year=?, journal=?, doi=?, status=?, date_revised=?,"
                        " retracted=?, data=?, raw_xml=?, content_hash=?, fetched_at=?, updated_at=?"
                        " WHERE pmid=?",
                        (*values, now, now, record.pmid),
                    )
                    updated.append(record.pmid)
                    db.execute(
                        "INSERT INTO changes(run_id, claim_id, pmid, kind, at) VALUES (?, NULL, ?, 'revised', ?)",
                        (run_id, record.pmid, now),
                    )
                    if record.retracted and not old["retracted"]:
                        db.execute(
                            "INSERT INTO changes(run_id, claim_id, pmid, kind, at)"
                            " VALUES (?, NULL, ?, 'retracted', ?)",
                            (run_id, record.pmid, now),
                        )
                else:
                    db.execute("UPDATE records SET fetched_at=? WHERE pmid=?", (now, record.pmid))
                    unchanged.append(record.pmid)
                for claim_id in memberships.get(record.pmid, ()):
                    if self._link(db, claim_id, record.pmid, "search" if source == "pubmed" else source,
                                  run_id, now):
                        new_members.append((claim_id, record.pmid))
        return BatchOutcome(tuple(added), tuple(updated), tuple(unchanged), tuple(new_members))

    @staticmethod
    def _link(db: sqlite3.Connection, claim_id: str, pmid: str, source: str, run_id: int | None,
              now: str) -> bool:
        """Link a record to a claim inside the caller's transaction; True when the link is new."""
        if db.execute("SELECT 1 FROM claim_records WHERE claim_id=? AND pmid=?", (claim_id, pmid)).fetchone():
            db.execute("UPDATE claim_records SET last_seen=? WHERE claim_id=? AND pmid=?", (now, claim_id, pmid))
            return False
        db.execute(
            "INSERT INTO claim_records(claim_id, pmid, source, first_seen, last_seen) VALUES (?,?,?,?,?)",
            (claim_id, pmid, source, now, now),
        )
        db.execute(
            "INSERT INTO changes(run_id, claim_id, pmid, kind, at) VALUES (?, ?, ?, 'new-study', ?)",
            (run_id, claim_id, pmid, now),
        )
        return True

    def link_claim(self, claim_id: str, pmids: Iterable[str], *, run_id: int | None,
                   source: str = "search", now: str | None = None) -> list[str]:
        """Link cached records to a claim; returns the PMIDs newly linked."""
        now = now or utcnow()
        linked: list[str] = []
        with self._write() as db:
            for pmid in pmids:
                if db.execute("SELECT 1 FROM records WHERE pmid=?", (pmid,)).fetchone() is None:
                    continue
                if self._link(db, claim_id, pmid, source, run_id, now):
                    linked.append(pmid)
        return linked

    def unlink_missing(self, claim_id: str, keep: Iterable[str], *, run_id: int | None,
                       now: str | None = None) -> list[str]:
        """Drop a claim's search-found links that its latest full search no longer returns.

        Imported links and the records themselves stay; only the claim's membership changes.
        """
        now = now or utcnow()
        keep = set(keep)
        with self._write() as db:
            rows = db.execute("SELECT pmid FROM claim_records WHERE claim_id=? AND source='search'",
                              (claim_id,)).fetchall()
            dropped = sorted(r[0] for r in rows if r[0] not in keep)
            for pmid in dropped:
                db.execute("DELETE FROM claim_records WHERE claim_id=? AND pmid=?", (claim_id, pmid))
                db.execute("INSERT INTO changes(run_id, claim_id, pmid, kind, at) VALUES (?, ?, ?, 'dropped', ?)",
                           (run_id, claim_id, pmid, now))
        return dropped

    def cached_pmids(self, pmids: Iterable[str] | None = None) -> set[str]:
        if pmids is None:
            return {r[0] for r in self._read("SELECT pmid FROM records")}
        wanted = list(pmids)
        found: set[str] = set()
        for i in range(0, len(wanted), 900):  # SQLite's bound-parameter limit
            chunk = wanted[i : i + 900]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._read(f"SELECT pmid FROM records WHERE pmid IN ({marks})", chunk))
        return found

    def fetched_on_or_before(self, pmids: Iterable[str], day: str) -> set[str]:
        """PMIDs among ``pmids`` last fetched on or before ``day`` (YYYY-MM-DD)."""
        wanted = list(pmids)
        found: set[str] = set()
        for i in range(0, len(wanted), 900):
            chunk = wanted[i : i + 900]
            marks = ",".join("?" * len(chunk))
            rows = self._read(
                f"SELECT pmid FROM records WHERE pmid IN ({marks}) AND substr(fetched_at, 1, 10) <= ?",
                [*chunk, day],
            )
            found.update(r[0] for r in rows)
        return found

    def get_record(self, pmid: str) -> StoredRecord | None:
        rows = self._read("SELECT data, source, fetched_at FROM records WHERE pmid=?", (pmid,))
        if not rows:
            return None
        return StoredRecord(record_from_dict(json.loads(rows[0]["data"])), rows[0]["source"],
                            rows[0]["fetched_at"])

    def get_raw_xml(self, pmid: str) -> bytes | None:
        rows = self._read("SELECT raw_xml FROM records WHERE pmid=?", (pmid,))
        return zlib.decompress(rows[0][0]) if rows and rows[0][0] is not None else None

    def records(self, pmids: Iterable[str]) -> list[Record]:
        wanted = list(pmids)
        out: list[Record] = []
        for i in range(0, len(wanted), 900):
            chunk = wanted[i : i + 900]
            marks = ",".join("?" * len(chunk))
            out.extend(record_from_dict(json.loads(r[0]))
                       for r in self._read(f"SELECT data FROM records WHERE pmid IN ({marks})", chunk))
        return out

    def records_for_claim(self, claim_id: str) -> list[Record]:
        rows = self._read(
            "SELECT r.data FROM claim_records c JOIN records r USING (pmid) WHERE c.claim_id=?"
            " ORDER BY r.year DESC, r.pmid DESC",
            (claim_id,),
        )
        return [record_from_dict(json.loads(r[0])) for r in rows]

    def summaries_for_claim(self, claim_id: str) -> list[Record]:
        """The claim's records with only what tables and grades show (pmid, title, year, journal,
        doi, status, retraction, abstract) from plain columns: several times faster than decoding
        whole records, for the dashboard. Classify and judge from full records."""
        rows = self._read(
            "SELECT r.pmid, r.title, r.year, r.journal, r.doi, r.status, r.retracted, r.abstract"
            " FROM claim_records c JOIN records r USING (pmid)"
            " WHERE c.claim_id=? ORDER BY r.year DESC, r.pmid DESC",
            (claim_id,),
        )
        return [Record(pmid=r["pmid"], title=r["title"], year=r["year"], journal=r["journal"], doi=r["doi"],
                       status=r["status"], retracted=bool(r["retracted"]), abstract=r["abstract"] or "")
                for r in rows]

    def summaries(self, pmids: Iterable[str]) -> dict[str, Record]:
        """Light records (as ``summaries_for_claim``) for the given PMIDs."""
        wanted = list(pmids)
        out: dict[str, Record] = {}
        for i in range(0, len(wanted), 900):
            chunk = wanted[i : i + 900]
            marks = ",".join("?" * len(chunk))
            for r in self._read(f"SELECT pmid, title, year, journal, doi, status, retracted, abstract FROM records"
                                f" WHERE pmid IN ({marks})", chunk):
                out[r["pmid"]] = Record(pmid=r["pmid"], title=r["title"], year=r["year"], journal=r["journal"],
                                        doi=r["doi"], status=r["status"], retracted=bool(r["retracted"]),
                                        abstract=r["abstract"] or "")
        return out

    def retracted_among(self, pmids: Iterable[str]) -> set[str]:
        wanted = list(pmids)
        out: set[str] = set()
        for i in range(0, len(wanted), 900):
            chunk = wanted[i : i + 900]
            marks = ",".join("?" * len(chunk))
            out.update(r[0] for r in self._read(
                f"SELECT pmid FROM records WHERE retracted=1 AND pmid IN ({marks})", chunk))
        return out

    def claims_of(self, pmids: Iterable[str]) -> dict[str, list[str]]:
        """{pmid: sorted claim ids} for the given PMIDs."""
        wanted = list(pmids)
        out: dict[str, list[str]] = {}
        for i in range(0, len(wanted), 900):
            chunk = wanted[i : i + 900]
            marks = ",".join("?" * len(chunk))
            for r in self._read(f"SELECT pmid, claim_id FROM claim_records WHERE pmid IN ({marks})"
                                " ORDER BY claim_id", chunk):
                out.setdefault(r[0], []).append(r[1])
        return out

    def iter_records(self) -> Iterator[Record]:
        cur = self._db.execute("SELECT data FROM records ORDER BY pmid")
        for row in cur:
            yield record_from_dict(json.loads(row[0]))

    def claim_pmids(self, claim_id: str) -> set[str]:
        return {r[0] for r in self._read("SELECT pmid FROM claim_records WHERE claim_id=?", (claim_id,))}

    def memberships(self) -> pd.DataFrame:
        return self._frame("SELECT claim_id, pmid, source, first_seen, last_seen FROM claim_records")

    def record_count(self) -> int:
        return int(self._read("SELECT COUNT(*) FROM records")[0][0])

    def fingerprint(self) -> tuple[Any, ...]:
        """Changes whenever the cache's content does: a key for the dashboard's caches."""
        row = self._read(
            "SELECT (SELECT MAX(id) FROM runs), (SELECT MAX(id) FROM changes),"
            " (SELECT MAX(updated_at) FROM annotations), (SELECT COUNT(*) FROM annotations),"
            " (SELECT COUNT(*) FROM claim_records)"
        )[0]
        return tuple(row)

    # -- claims ----------------------------------------------------------------------------

    def claim_state(self, claim_id: str) -> ClaimState | None:
        rows = self._read("SELECT * FROM claim_state WHERE claim_id=?", (claim_id,))
        return ClaimState(**dict(rows[0])) if rows else None

    def claim_succeeded(self, claim_id: str, *, term: str, watermark: str, now: str | None = None) -> None:
        now = now or utcnow()
        with self._write() as db:
            db.execute(
                "INSERT INTO claim_state(claim_id, term, watermark, last_success, last_attempt, last_error)"
                " VALUES (?,?,?,?,?,NULL) ON CONFLICT(claim_id) DO UPDATE SET term=excluded.term,"
                " watermark=excluded.watermark, last_success=excluded.last_success,"
                " last_attempt=excluded.last_attempt, last_error=NULL",
                (claim_id, term, watermark, now, now),
            )

    def claim_failed(self, claim_id: str, error: str, now: str | None = None) -> None:
        now = now or utcnow()
        with self._write() as db:
            db.execute(
                "INSERT INTO claim_state(claim_id, last_attempt, last_error) VALUES (?,?,?)"
                " ON CONFLICT(claim_id) DO UPDATE SET last_attempt=excluded.last_attempt,"
                " last_error=excluded.last_error",
                (claim_id, now, error),
            )

    def claims_overview(self) -> pd.DataFrame:
        """Per claim seen in the cache: record count, newest year, last refresh, last error."""
        return self._frame(
            "SELECT s.claim_id, COALESCE(c.n, 0) AS records, c.newest_year, s.last_success, s.last_error"
            " FROM claim_state s LEFT JOIN (SELECT claim_id, COUNT(*) AS n, MAX(r.year) AS newest_year"
            " FROM claim_records JOIN records r USING (pmid) GROUP BY claim_id) c USING (claim_id)"
        )

    def claim_studies_frame(self, claim_id: str | None = None) -> pd.DataFrame:
        """Studies with their indexed columns (no JSON decoding): fast for tables and charts."""
        sql = (
            "SELECT c.claim_id, r.pmid, r.title, r.year, r.journal, r.doi, r.status, r.retracted,"
            " c.first_seen, c.source FROM claim_records c JOIN records r USING (pmid)"
        )
        if claim_id is None:
            return self._frame(sql)
        return self._frame(sql + " WHERE c.claim_id=?", (claim_id,))

    # -- search log ------------------------------------------------------------------------

    def log_search(self, *, run_id: int | None, claim_id: str | None, term: str,
                   query_translation: str | None, count: int, datetype: str | None = None,
                   mindate: str | None = None, maxdate: str | None = None, warnings: Sequence[str] = (),
                   now: str | None = None) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO search_log(run_id, claim_id, term, query_translation, count, datetype, mindate,"
                " maxdate, warnings, at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (run_id, claim_id, term, query_translation, count, datetype, mindate, maxdate,
                 json.dumps(list(warnings)), now or utcnow()),
            )

    def search_log(self, claim_id: str | None = None, limit: int = 200) -> pd.DataFrame:
        if claim_id is None:
            return self._frame("SELECT * FROM search_log ORDER BY id DESC LIMIT ?", (limit,))
        return self._frame("SELECT * FROM search_log WHERE claim_id=? ORDER BY id DESC LIMIT ?", (claim_id, limit))

    # -- changes and grades ----------------------------------------------------------------

    def changes(self, *, since: str | None = None, run_id: int | None = None) -> pd.DataFrame:
        sql = "SELECT run_id, claim_id, pmid, kind, at FROM changes"
        if run_id is not None:
            return self._frame(sql + " WHERE run_id=? ORDER BY id", (run_id,))
        if since is not None:
            return self._frame(sql + " WHERE at >= ? ORDER BY id", (since,))
        return self._frame(sql + " ORDER BY id")

    def run_change_counts(self, run_id: int) -> dict[tuple[str, str | None], int]:
        """{(kind, claim_id): count} of one run's changes, without pandas (the refresh's summary)."""
        rows = self._read("SELECT kind, claim_id, COUNT(*) FROM changes WHERE run_id=? GROUP BY kind, claim_id",
                          (run_id,))
        return {(r[0], r[1]): int(r[2]) for r in rows}

    def run_revised(self, run_id: int) -> set[str]:
        return {r[0] for r in self._read("SELECT DISTINCT pmid FROM changes WHERE run_id=? AND kind='revised'",
                                         (run_id,))}

    def save_grades(self, run_id: int | None, grades: Iterable[tuple[str, str, str, Sequence[str]]],
                    now: str | None = None) -> None:
        """Store (claim_id, verdict, strength, reasons) snapshots."""
        self.save_grade_snapshots(run_id, ((c, v, s, r, "", "{}") for c, v, s, r in grades), now=now)

    def save_grade_snapshots(self, run_id: int | None,
                             rows: Iterable[tuple[str, str, str, Sequence[str], str, str]],
                             now: str | None = None) -> None:
        """Store (claim_id, verdict, strength, reasons, basis, detail JSON) snapshots.

        ``basis`` fingerprints what the grade was computed from, so a reader can reuse the
        snapshot while nothing it depends on has changed (see ``evidence.assess.grade_claims``).
        """
        now = now or utcnow()
        with self._write() as db:
            db.executemany(
                "INSERT INTO grades(run_id, claim_id, verdict, strength, reasons, basis, detail, at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                [(run_id, c, v, s, json.dumps(list(r)), b, d, now) for c, v, s, r, b, d in rows],
            )

    def latest_grade_snapshots(self) -> dict[str, tuple[str, str]]:
        """{claim_id: (basis, detail JSON)} of each claim's newest grade."""
        rows = self._read("SELECT claim_id, basis, detail FROM grades WHERE id IN"
                          " (SELECT MAX(id) FROM grades GROUP BY claim_id)")
        return {r[0]: (r[1], r[2]) for r in rows}

    def membership_key(self, claim_id: str) -> tuple[Any, ...]:
        """Changes when a claim gains or loses studies or one of its records is revised."""
        row = self._read(
            "SELECT COUNT(*), MAX(c.first_seen), MAX(r.updated_at) FROM claim_records c JOIN records r USING (pmid)"
            " WHERE c.claim_id=?", (claim_id,))[0]
        return tuple(row)

    def grade_history(self, claim_id: str | None = None) -> pd.DataFrame:
        if claim_id is None:
            return self._frame("SELECT * FROM grades ORDER BY id")
        return self._frame("SELECT * FROM grades WHERE claim_id=? ORDER BY id", (claim_id,))

    # -- annotations -----------------------------------------------------------------------

    def save_annotation(self, a: Annotation) -> None:
        self.save_annotations([a])

    def save_annotations(self, annotations: Sequence[Annotation]) -> None:
        """Insert or replace (claim, pmid, reviewer) annotations, all in one transaction."""
        with self._write() as db:
            db.executemany(
                "INSERT INTO annotations(claim_id, pmid, reviewer, relevant, direction, note, updated_at)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(claim_id, pmid, reviewer) DO UPDATE SET"
                " relevant=excluded.relevant, direction=excluded.direction, note=excluded.note,"
                " updated_at=excluded.updated_at",
                [(a.claim_id, a.pmid, a.reviewer, None if a.relevant is None else int(a.relevant),
                  a.direction, a.note, a.updated_at or utcnow()) for a in annotations],
            )

    def delete_annotation(self, claim_id: str, pmid: str, reviewer: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM annotations WHERE claim_id=? AND pmid=? AND reviewer=?",
                       (claim_id, pmid, reviewer))

    def annotations(self, claim_id: str | None = None) -> list[Annotation]:
        sql = "SELECT * FROM annotations"
        rows = (self._read(sql + " WHERE claim_id=? ORDER BY updated_at", (claim_id,)) if claim_id
                else self._read(sql + " ORDER BY claim_id, pmid, updated_at"))
        return [
            Annotation(claim_id=r["claim_id"], pmid=r["pmid"], reviewer=r["reviewer"],
                       relevant=None if r["relevant"] is None else bool(r["relevant"]),
                       direction=r["direction"], note=r["note"], updated_at=r["updated_at"])
            for r in rows
        ]

    # -- derived labels --------------------------------------------------------------------

    def get_labels(self, kind: str, keys: Iterable[str], version: str) -> dict[str, Any]:
        wanted = list(keys)
        out: dict[str, Any] = {}
        if len(wanted) > 900:
            # Many keys: one scan of this kind and version beats many IN (...) lookups.
            keep = set(wanted)
            rows = self._read("SELECT key, data FROM labels WHERE kind=? AND version=?", (kind, version))
            return {r[0]: json.loads(r[1]) for r in rows if r[0] in keep}
        for i in range(0, len(wanted), 900):
            chunk = wanted[i : i + 900]
            marks = ",".join("?" * len(chunk))
            rows = self._read(
                f"SELECT key, data FROM labels WHERE kind=? AND version=? AND key IN ({marks})",
                [kind, version, *chunk],
            )
            out.update((r[0], json.loads(r[1])) for r in rows)
        return out

    def claim_labels(self, claim_id: str, kind: str, version: str, *, prefix_claim: bool) -> dict[str, Any]:
        """Labels of one kind for a claim's records, keyed by PMID, in one indexed join.

        Study labels are keyed by PMID; direction labels by "claim:PMID" (``prefix_claim``).
        """
        key = "? || ':' || c.pmid" if prefix_claim else "c.pmid"
        params = [claim_id, kind, version, claim_id] if prefix_claim else [kind, version, claim_id]
        rows = self._read(
            # CROSS JOIN fixes the order (the claim's PMIDs first, then the label index): left to
            # the planner, it scans every label of the kind for each claim.
            f"SELECT c.pmid, l.data FROM claim_records c CROSS JOIN labels l ON l.key = {key}"
            " AND l.kind=? AND l.version=? WHERE c.claim_id=?",
            params,
        )
        return {r[0]: json.loads(r[1]) for r in rows}

    def put_labels(self, kind: str, items: Mapping[str, Any], version: str) -> None:
        if self.readonly or not items:
            return
        with self._write() as db:
            db.executemany(
                "INSERT OR REPLACE INTO labels(kind, key, version, data) VALUES (?,?,?,?)",
                [(kind, k, version, json.dumps(v)) for k, v in items.items()],
            )


def _explain_write_error(path: Path, exc: sqlite3.OperationalError) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return f"the cache {path} is read-only ({text}); nothing was written. Check the file's permissions"
    if "full" in text:
        return f"the disk holding the cache {path} is full ({text}); nothing was written. Free space and rerun"
    if "locked" in text or "busy" in text:
        return f"the cache {path} is busy ({text}); nothing was written. Try again"
    return f"cannot write the cache {path}: {text}; nothing was written"
