"""Reviewers' bulk actions (each undoable) and per-claim sign-offs (schema version 2).

A bulk action writes one annotation per study, all under the reviewer's name and one
timestamp, and keeps each study's previous annotation by that reviewer, so undoing it puts
back exactly what was there. Undo never clobbers a later edit: a study whose annotation was
changed after the action is left as it is, and counted.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from evidence.cache.base import CacheBase, utcnow
from evidence.errors import CacheError
from evidence.models import Annotation, ReviewAction, SignOff

_UPSERT = ("INSERT INTO annotations(claim_id, pmid, reviewer, relevant, direction, note, updated_at)"
           " VALUES (?,?,?,?,?,?,?) ON CONFLICT(claim_id, pmid, reviewer) DO UPDATE SET"
           " relevant=excluded.relevant, direction=excluded.direction, note=excluded.note,"
           " updated_at=excluded.updated_at")


def _row(a: Annotation, at: str) -> tuple[object, ...]:
    return (a.claim_id, a.pmid, a.reviewer, None if a.relevant is None else int(a.relevant), a.direction,
            a.note, at)


class ReviewLogMixin(CacheBase):
    # -- bulk actions ----------------------------------------------------------------------

    def apply_review_action(self, claim_id: str, reviewer: str, kind: str, detail: str,
                            annotations: Sequence[Annotation], now: str | None = None) -> int:
        """Save ``annotations`` (one claim, one reviewer) as one undoable action; returns its id."""
        if any(a.claim_id != claim_id or a.reviewer != reviewer for a in annotations):
            raise ValueError("a review action holds one claim's annotations by one reviewer")
        at = now or utcnow()
        with self._write() as db:
            cur = db.execute("INSERT INTO review_actions(claim_id, reviewer, kind, detail, at) VALUES (?,?,?,?,?)",
                             (claim_id, reviewer, kind, detail, at))
            action_id = int(cur.lastrowid or 0)
            for a in annotations:
                old = db.execute("SELECT relevant, direction, note, updated_at FROM annotations"
                                 " WHERE claim_id=? AND pmid=? AND reviewer=?", (claim_id, a.pmid, reviewer)).fetchone()
                before = None if old is None else json.dumps(dict(old))
                db.execute("INSERT OR REPLACE INTO review_action_items(action_id, pmid, before) VALUES (?,?,?)",
                           (action_id, a.pmid, before))
                db.execute(_UPSERT, _row(a, at))
        return action_id

    def undo_review_action(self, action_id: int, by: str, now: str | None = None) -> tuple[int, int]:
        """Put back each study's annotation as it was before the action: (restored, kept).

        ``kept`` counts studies whose annotation changed after the action: those are left alone.
        """
        at = now or utcnow()
        restored = kept = 0
        with self._write() as db:
            action = db.execute("SELECT * FROM review_actions WHERE id=?", (action_id,)).fetchone()
            if action is None:
                raise CacheError(f"no review action {action_id} in the cache {self.path}")
            if action["undone_at"]:
                raise CacheError(f"review action {action_id} was already undone by {action['undone_by']}")
            items = db.execute("SELECT pmid, before FROM review_action_items WHERE action_id=?", (action_id,))
            for item in items.fetchall():
                key = (action["claim_id"], item["pmid"], action["reviewer"])
                now_row = db.execute("SELECT updated_at FROM annotations WHERE claim_id=? AND pmid=? AND reviewer=?",
                                     key).fetchone()
                if now_row is None or now_row["updated_at"] != action["at"]:
                    kept += 1
                    continue
                restored += 1
                if item["before"] is None:
                    db.execute("DELETE FROM annotations WHERE claim_id=? AND pmid=? AND reviewer=?", key)
                    continue
                old = json.loads(item["before"])
                db.execute(_UPSERT, (*key, old["relevant"], old["direction"], old["note"], old["updated_at"]))
            db.execute("UPDATE review_actions SET undone_at=?, undone_by=? WHERE id=?", (at, by, action_id))
        return restored, kept

    def review_actions(self, claim_id: str | None = None) -> list[ReviewAction]:
        """Bulk actions, newest first (one claim's, or all)."""
        if not self._has_table("review_actions"):
            return []
        where, params = ("WHERE claim_id=?", (claim_id,)) if claim_id else ("", ())
        actions = self._read(f"SELECT * FROM review_actions {where} ORDER BY id DESC", params)
        pmids: dict[int, list[str]] = {}
        for r in self._read_in("SELECT action_id, pmid FROM review_action_items WHERE action_id IN ({marks})"
                               " ORDER BY rowid", [str(a["id"]) for a in actions]):
            pmids.setdefault(int(r[0]), []).append(r[1])
        return [ReviewAction(id=a["id"], claim_id=a["claim_id"], reviewer=a["reviewer"], kind=a["kind"],
                             detail=a["detail"], at=a["at"], pmids=tuple(pmids.get(a["id"], ())),
                             undone_at=a["undone_at"], undone_by=a["undone_by"]) for a in actions]

    # -- sign-offs -------------------------------------------------------------------------

    def last_change_id(self) -> int:
        """The newest entry of the change log (0 when empty): a sign-off remembers it."""
        return int(self._read("SELECT COALESCE(MAX(id), 0) FROM changes")[0][0])

    def save_signoff(self, signoff: SignOff) -> SignOff:
        """Store a sign-off (a claim may be signed off many times; the newest counts)."""
        at = signoff.at or utcnow()
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO signoffs(claim_id, reviewer, note, verdict, strength, studies, last_change, at)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (signoff.claim_id, signoff.reviewer, signoff.note, signoff.verdict, signoff.strength,
                 signoff.studies, signoff.last_change, at))
            new_id = int(cur.lastrowid or 0)
        return SignOff(signoff.claim_id, signoff.reviewer, signoff.verdict, signoff.strength, signoff.note,
                       signoff.studies, signoff.last_change, at, new_id)

    def signoffs(self, claim_id: str | None = None) -> list[SignOff]:
        """Sign-offs, newest first (one claim's, or all)."""
        if not self._has_table("signoffs"):
            return []
        where, params = ("WHERE claim_id=?", (claim_id,)) if claim_id else ("", ())
        return [_signoff(r) for r in self._read(f"SELECT * FROM signoffs {where} ORDER BY id DESC", params)]

    def latest_signoffs(self) -> dict[str, SignOff]:
        """Each claim's newest sign-off."""
        if not self._has_table("signoffs"):
            return {}
        rows = self._read("SELECT * FROM signoffs WHERE id IN (SELECT MAX(id) FROM signoffs GROUP BY claim_id)")
        return {r["claim_id"]: _signoff(r) for r in rows}

    def new_studies_after(self, claim_id: str, change_id: int) -> list[str]:
        """PMIDs that joined the claim after change ``change_id`` (and still belong to it)."""
        rows = self._read("SELECT DISTINCT ch.pmid FROM changes ch JOIN claim_records c"
                          " ON c.claim_id = ch.claim_id AND c.pmid = ch.pmid"
                          " WHERE ch.claim_id=? AND ch.kind='new-study' AND ch.id > ? ORDER BY ch.id",
                          (claim_id, change_id))
        return [r[0] for r in rows]


def _signoff(r: sqlite3.Row) -> SignOff:
    return SignOff(claim_id=r["claim_id"], reviewer=r["reviewer"], verdict=r["verdict"], strength=r["strength"],
                   note=r["note"], studies=r["studies"], last_change=r["last_change"], at=r["at"], id=r["id"])
