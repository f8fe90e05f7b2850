"""What happened: refresh runs, per-claim search state, the search log, changes and grades."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from evidence.cache.base import CacheBase, ClaimState, utcnow

if TYPE_CHECKING:
    import pandas as pd


def _loads(text: Any, kind: type) -> Any:
    """JSON of the expected kind (list, dict), or None when damaged."""
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, kind) else None


class HistoryMixin(CacheBase):
    # -- runs ------------------------------------------------------------------------------

    def start_run(self, pid: int, now: str | None = None) -> int:
        with self._write() as db:
            # A run still marked running when a new one starts under the lock was killed.
            db.execute("UPDATE runs SET status='interrupted' WHERE status='running'")
            cur = db.execute(
                "INSERT INTO runs(started_at, status, pid) VALUES (?, 'running', ?)", (now or utcnow(), pid)
            )
            assert cur.lastrowid is not None  # an INSERT always sets it
            return cur.lastrowid

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
        # History, not evidence: a damaged record of what a run said is shown as such, never fatal.
        errors, summary = _loads(run["errors"], list), _loads(run["summary"], dict)
        run["errors"] = errors if errors is not None else [f"(runs.errors of run {run['id']} is damaged)"]
        run["summary"] = summary if summary is not None else {}
        return run

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

    def save_grade_snapshots(self, run_id: int | None,
                             rows: Iterable[tuple[str, str, str, Sequence[str], str, str]],
                             now: str | None = None) -> None:
        """Store (claim_id, verdict, strength, reasons, basis, detail JSON) snapshots.

        ``basis`` fingerprints what the grade was computed from, so a reader can reuse the
        snapshot while nothing it depends on has changed (see ``evidence.grading.service.grade_claims``).
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
