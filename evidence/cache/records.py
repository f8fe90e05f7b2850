"""Records, their raw XML and the claims they belong to."""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from evidence.cache.base import _CHUNK, BatchOutcome, CacheBase, StoredRecord, _hash, utcnow
from evidence.errors import CacheError
from evidence.models import Record

if TYPE_CHECKING:
    import pandas as pd


class RecordsMixin(CacheBase):
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
        PubMed outranks an import: a record from PubMed (``source="pubmed"``) replaces an
        imported copy (listed in ``replaced``), and ``keep_existing`` (an import) leaves a
        record fetched from PubMed as it is, only linking it; an imported copy it replaces.
        """
        now = now or utcnow()
        added: list[str] = []
        updated: list[str] = []
        unchanged: list[str] = []
        replaced: list[str] = []
        new_members: list[tuple[str, str]] = []
        with self._write() as db:
            for record, raw in items:
                digest = _hash(raw)
                old = db.execute(
                    "SELECT content_hash, retracted, source FROM records WHERE pmid=?", (record.pmid,)
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
                elif keep_existing and old["source"] == "pubmed":
                    unchanged.append(record.pmid)
                elif old["content_hash"] != digest or old["source"] != source:
                    db.execute(
                        "UPDATE records SET title=?, abstract=?, year=?, journal=?, doi=?, status=?, date_revised=?,"
                        " retracted=?, data=?, raw_xml=?, content_hash=?, source=?, fetched_at=?, updated_at=?"
                        " WHERE pmid=?",
                        (*values, source, now, now, record.pmid),
                    )
                    updated.append(record.pmid)
                    if source == "pubmed" and old["source"] != "pubmed":
                        replaced.append(record.pmid)
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
            self._forget_labels(db, updated)
        return BatchOutcome(tuple(added), tuple(updated), tuple(unchanged), tuple(new_members), tuple(replaced))

    @staticmethod
    def _forget_labels(db: sqlite3.Connection, pmids: list[str]) -> None:
        """Drop the derived labels of records whose content changed (a revision, a retraction, PubMed's
        record replacing an import): labels are keyed by PMID, so they would be served stale."""
        for i in range(0, len(pmids), _CHUNK):
            chunk = pmids[i : i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            db.execute(f"DELETE FROM labels WHERE kind='study' AND key IN ({marks})", chunk)
            # direction labels are keyed "claim:pmid"
            db.execute(f"DELETE FROM labels WHERE kind='direction' AND substr(key, instr(key, ':') + 1)"
                       f" IN ({marks})", chunk)

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

    def cached_pmids(self, pmids: Iterable[str] | None = None, *, source: str | None = None) -> set[str]:
        """The cached PMIDs (among ``pmids``); with ``source`` only records from there ("pubmed", "import")."""
        where = "" if source is None else " AND source=?"
        if pmids is None:
            return {r[0] for r in self._read("SELECT pmid FROM records WHERE 1=1" + where,
                                             () if source is None else (source,))}
        return {r[0] for r in self._read_in("SELECT pmid FROM records WHERE pmid IN ({marks})" + where, pmids,
                                            after=() if source is None else (source,))}

    def fetched_on_or_before(self, pmids: Iterable[str], day: str) -> set[str]:
        """PMIDs among ``pmids`` last fetched on or before ``day`` (YYYY-MM-DD)."""
        sql = "SELECT pmid FROM records WHERE pmid IN ({marks}) AND substr(fetched_at, 1, 10) <= ?"
        return {r[0] for r in self._read_in(sql, pmids, after=[day])}

    def get_record(self, pmid: str) -> StoredRecord | None:
        rows = self._read("SELECT data, source, fetched_at FROM records WHERE pmid=?", (pmid,))
        if not rows:
            return None
        return StoredRecord(self._record(rows[0]["data"], pmid), rows[0]["source"], rows[0]["fetched_at"])

    def stored_records(self, pmids: Iterable[str]) -> dict[str, StoredRecord]:
        """{pmid: StoredRecord} of the given PMIDs that are cached (with where each came from)."""
        rows = self._read_in("SELECT pmid, data, source, fetched_at FROM records WHERE pmid IN ({marks})", pmids)
        return {r["pmid"]: StoredRecord(self._record(r["data"], r["pmid"]), r["source"], r["fetched_at"])
                for r in rows}

    def get_raw_xml(self, pmid: str) -> bytes | None:
        rows = self._read("SELECT raw_xml FROM records WHERE pmid=?", (pmid,))
        if not rows or rows[0][0] is None:
            return None
        try:
            return zlib.decompress(rows[0][0])
        except (zlib.error, TypeError):
            raise CacheError(self.damaged(f"records.raw_xml of PMID {pmid} is not zlib-compressed data")) from None

    def records(self, pmids: Iterable[str]) -> list[Record]:
        return [self._record(r[1], r[0])
                for r in self._read_in("SELECT pmid, data FROM records WHERE pmid IN ({marks})", pmids)]

    def records_for_claim(self, claim_id: str) -> list[Record]:
        rows = self._read(
            "SELECT r.pmid, r.data FROM claim_records c JOIN records r USING (pmid) WHERE c.claim_id=?"
            " ORDER BY r.year DESC, r.pmid DESC",
            (claim_id,),
        )
        return [self._record(r[1], r[0]) for r in rows]

    def summaries_for_claim(self, claim_id: str) -> list[Record]:
        """The claim's records with only what tables and grades show (pmid, title, year, journal,
        doi, status, retraction, abstract) from plain columns: several times faster than decoding
        whole records, for the dashboard. Classify and judge from full records."""
        rows = self._read(f"SELECT {_SUMMARY} FROM claim_records c JOIN records r USING (pmid)"
                          " WHERE c.claim_id=? ORDER BY r.year DESC, r.pmid DESC", (claim_id,))
        return [_summary(r) for r in rows]

    def summaries(self, pmids: Iterable[str]) -> dict[str, Record]:
        """Light records (as ``summaries_for_claim``) for the given PMIDs."""
        rows = self._read_in(f"SELECT {_SUMMARY} FROM records r WHERE pmid IN ({{marks}})", pmids)
        return {r["pmid"]: _summary(r) for r in rows}

    def retracted_among(self, pmids: Iterable[str]) -> set[str]:
        return {r[0] for r in self._read_in("SELECT pmid FROM records WHERE retracted=1 AND pmid IN ({marks})",
                                            pmids)}

    def claims_of(self, pmids: Iterable[str]) -> dict[str, list[str]]:
        """{pmid: sorted claim ids} for the given PMIDs."""
        out: dict[str, list[str]] = {}
        for r in self._read_in("SELECT pmid, claim_id FROM claim_records WHERE pmid IN ({marks}) ORDER BY claim_id",
                               pmids):
            out.setdefault(r[0], []).append(r[1])
        return out

    def iter_records(self) -> Iterator[Record]:
        for row in self._iter("SELECT pmid, data FROM records ORDER BY pmid"):
            yield self._record(row[1], row[0])

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


_SUMMARY = "r.pmid, r.title, r.year, r.journal, r.doi, r.status, r.retracted, r.abstract"


def _summary(row: sqlite3.Row) -> Record:
    return Record(pmid=row["pmid"], title=row["title"], year=row["year"], journal=row["journal"], doi=row["doi"],
                  status=row["status"], retracted=bool(row["retracted"]), abstract=row["abstract"] or "")
