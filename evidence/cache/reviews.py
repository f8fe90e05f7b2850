"""Reviewers' annotations and the derived labels (classification, direction) kept by version."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from evidence.cache.base import CacheBase, utcnow
from evidence.models import Annotation


def _decoded(rows: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Labels whose JSON reads as a mapping. Labels are derived: a damaged one is left out, so it
    is computed again (and, on a writable cache, stored over the damaged row)."""
    out = {}
    for key, text in rows:
        try:
            value = json.loads(text)
        except (TypeError, ValueError):
            continue
        if isinstance(value, dict):
            out[key] = value
    return out


class ReviewsMixin(CacheBase):
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
        if len(wanted) > 900:
            # Many keys: one scan of this kind and version beats many IN (...) lookups.
            keep = set(wanted)
            rows = self._read("SELECT key, data FROM labels WHERE kind=? AND version=?", (kind, version))
            return _decoded((r[0], r[1]) for r in rows if r[0] in keep)
        found = self._read_in("SELECT key, data FROM labels WHERE kind=? AND version=? AND key IN ({marks})",
                              wanted, before=[kind, version])
        return _decoded((r[0], r[1]) for r in found)

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
        return _decoded((r[0], r[1]) for r in rows)

    def put_labels(self, kind: str, items: Mapping[str, Any], version: str) -> None:
        if self.readonly or not items:
            return
        with self._write() as db:
            db.executemany(
                "INSERT OR REPLACE INTO labels(kind, key, version, data) VALUES (?,?,?,?)",
                [(kind, k, version, json.dumps(v)) for k, v in items.items()],
            )
