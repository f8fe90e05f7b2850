"""What changed since the last run (or a date): a digest for people and for the scheduled job.

``build_digest`` reads the cache's change log and grade history and returns a
JSON-serialisable dict with stable keys (documented in docs/exports.md):
new studies per claim (best designs first), verdict/strength changes, newly retracted
studies and revised records. ``render_digest_markdown`` turns it into Markdown;
``write_digest`` writes both atomically; ``after_refresh`` snapshots the grades and writes
the digest at the end of every refresh; ``grade_changed`` drives
``evidence refresh --fail-on-change``; ``write_digest`` also refreshes the digests' Atom feed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from evidence.cache import Cache
from evidence.errors import ConfigError, OutputError
from evidence.fileio import atomic_write
from evidence.grading.classify import StudyClass
from evidence.grading.labels import study_labels
from evidence.grading.service import snapshot_grades
from evidence.models import Claim, Record
from evidence.outputs.feed import write_feed
from evidence.sanitize import md_escape, strip_controls

if TYPE_CHECKING:
    from evidence.grading.judges import ModelJudge

__all__ = ["DIGEST_VERSION", "after_refresh", "build_digest", "grade_changes", "grade_changed",
           "render_digest_markdown", "write_digest"]

DIGEST_VERSION = 1


def _window(cache: Cache, since: str | None, run_id: int | None) -> dict[str, Any]:
    if since is not None and run_id is not None:
        raise ConfigError("give either a date (--since) or a run (--run), not both")
    if since is not None:
        try:
            date.fromisoformat(since[:10])
        except ValueError:
            raise ConfigError(f"--since {since!r} is not an ISO date: use YYYY-MM-DD") from None
        return {"kind": "since", "since": since, "run_id": None, "started_at": None, "ended_at": None,
                "status": None}
    if run_id is None:
        last = cache.last_run()
        if last is None:
            return {"kind": "none", "since": None, "run_id": None, "started_at": None, "ended_at": None,
                    "status": None}
        run = last
    else:
        runs = cache.runs(limit=1_000_000)
        match = runs[runs["id"] == run_id]
        if match.empty:
            raise ConfigError(f"no run {run_id} in the cache {cache.path}: see `evidence runs`")
        run = match.iloc[0].to_dict()
    return {"kind": "run", "since": None, "run_id": int(run["id"]), "started_at": run["started_at"],
            "ended_at": _none(run.get("ended_at")), "status": run["status"]}


def _none(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _study(record: Record | None, pmid: str, c: StudyClass | None) -> dict[str, Any]:
    if record is None or c is None:  # a change log entry for a record no longer cached
        return {"pmid": pmid, "title": "", "year": None, "journal": "", "design": "other", "tier": 99,
                "design_reason": "record not in the cache", "retracted": False}
    return {"pmid": pmid, "title": record.title, "year": record.year, "journal": record.journal,
            "design": c.design, "tier": c.tier, "design_reason": c.design_reason, "retracted": record.retracted}


def _grade(row: pd.Series) -> dict[str, Any]:
    try:
        best = json.loads(row.get("detail") or "{}").get("grade", {}).get("best_design")
    except (ValueError, AttributeError):
        best = None
    return {"verdict": row["verdict"], "strength": row["strength"], "at": row["at"],
            "run_id": None if pd.isna(row["run_id"]) else int(row["run_id"]), "best_design": best}


def grade_changes(cache: Cache, *, since: str | None = None, run_id: int | None = None,
                  claims: Mapping[str, Claim] | None = None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(changes, first grades) in run ``run_id`` or since the ISO date ``since`` (default: the last run).

    The one grade-change rule, shared by the digest and the dashboard's "What's new": each
    claim's latest grade in the window against its last one before it. A claim graded for the
    first time in the window is a first grade, not a change.
    """
    statements = {cid: c.statement for cid, c in (claims or {}).items()}
    return _grade_changes(cache, _window(cache, since, run_id), statements)


def _grade_changes(cache: Cache, window: dict[str, Any], statements: Mapping[str, str]
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    history = cache.grade_history()
    if history.empty or window["kind"] == "none":
        return [], []
    inside = history["run_id"] == window["run_id"] if window["kind"] == "run" else history["at"] >= window["since"]
    changes, firsts = [], []
    for claim_id in sorted(set(history.loc[inside, "claim_id"])):
        mine = history[history["claim_id"] == claim_id]
        now_rows = mine[inside[mine.index]]
        before_rows = mine[(mine["id"] < now_rows["id"].min()) & ~inside[mine.index]]
        after = _grade(now_rows.iloc[-1])
        if before_rows.empty:
            firsts.append({"claim_id": claim_id, "statement": statements.get(claim_id, ""), **after})
            continue
        before = _grade(before_rows.iloc[-1])
        verdict_changed = before["verdict"] != after["verdict"]
        strength_changed = before["strength"] != after["strength"]
        if verdict_changed or strength_changed:
            changes.append({"claim_id": claim_id, "statement": statements.get(claim_id, ""), "before": before,
                            "after": after, "verdict_changed": verdict_changed,
                            "strength_changed": strength_changed})
    return changes, firsts


def build_digest(
    cache: Cache,
    *,
    since: str | None = None,
    run_id: int | None = None,
    claims: Mapping[str, Claim] | None = None,
    limit: int = 25,
) -> dict[str, Any]:
    """What changed in run ``run_id``, or since the ISO date ``since``; default: the last run.

    Each claim's new studies: the ``limit`` best described, the rest listed in ``more_pmids``.
    """
    window = _window(cache, since, run_id)
    statements = {cid: c.statement for cid, c in (claims or {}).items()}
    if window["kind"] == "none":
        log = pd.DataFrame(columns=["run_id", "claim_id", "pmid", "kind", "at"])
    elif window["kind"] == "run":
        log = cache.changes(run_id=window["run_id"])
    else:
        log = cache.changes(since=window["since"])
    # Memory stays bounded however large the run (a first refresh brings every study): studies
    # are ranked by their stored design labels claim by claim, and only the best ``limit`` of
    # each claim are described; the others are listed by PMID.
    new_studies = []
    studies_log = log[log["kind"] == "new-study"]
    for claim_id in sorted(set(studies_log["claim_id"].dropna())):
        found = list(dict.fromkeys(studies_log.loc[studies_log["claim_id"] == claim_id, "pmid"]))
        labels = study_labels(cache, found)
        # Best design first; newer PMIDs (newer records) first within a design.
        ranked = sorted(found, key=lambda p: (labels[p].tier if p in labels else 99, -int(p)))
        shown = cache.summaries(ranked[:limit])
        studies = sorted((_study(shown.get(p), p, labels.get(p)) for p in ranked[:limit]),
                         key=lambda s: (s["tier"], -(s["year"] or 0), s["pmid"]))
        new_studies.append({"claim_id": claim_id, "statement": statements.get(claim_id, ""), "total": len(found),
                            "studies": studies, "more_pmids": ranked[limit:]})
    del studies_log

    retracted: dict[str, dict[str, Any]] = {}
    for pmid in dict.fromkeys(log.loc[log["kind"] == "retracted", "pmid"]):
        retracted[pmid] = {"how": "newly-retracted"}
    # The cache holds each record's current version only: a record retracted by a later
    # run was not retracted when it arrived in this window.
    later: set[str] = set()
    if not log.empty:
        after = cache.changes(since=log["at"].max())
        later = set(after.loc[(after["kind"] == "retracted") & (after["at"] > log["at"].max()), "pmid"])
    arrived = dict.fromkeys(log.loc[log["kind"].isin(["added", "new-study"]), "pmid"])
    for pmid in sorted(cache.retracted_among(arrived)):
        if pmid not in retracted and pmid not in later:
            retracted[pmid] = {"how": "arrived-retracted"}
    revised_pmids = sorted(dict.fromkeys(log.loc[log["kind"] == "revised", "pmid"]))
    records = cache.summaries([*retracted, *revised_pmids])
    claims_of = cache.claims_of([*retracted, *revised_pmids])
    retractions = [
        {"pmid": p, "title": records[p].title if p in records else "", "how": v["how"],
         "claims": claims_of.get(p, [])}
        for p, v in sorted(retracted.items())
    ]
    revised = [
        {"pmid": p, "title": records[p].title if p in records else "", "claims": claims_of.get(p, [])}
        for p in revised_pmids
    ]
    changes, firsts = _grade_changes(cache, window, statements)
    return {
        "version": DIGEST_VERSION,
        "window": window,
        "counts": {
            "new_studies": sum(c["total"] for c in new_studies),
            "grade_changes": len(changes),
            "retracted": len(retractions),
            "revised": len(revised),
        },
        "new_studies": new_studies,
        "grade_changes": changes,
        "first_grades": firsts,
        "retracted": retractions,
        "revised": revised,
    }


def grade_changed(digest: Mapping[str, Any]) -> bool:
    """True when a claim's verdict or strength changed: `refresh --fail-on-change` exits non-zero."""
    return bool(digest["grade_changes"])


def _title(text: str) -> str:
    return md_escape(text if len(text) <= 120 else text[:119] + "…")


def render_digest_markdown(digest: Mapping[str, Any]) -> str:
    """The digest as Markdown: one section per kind of change, "nothing changed" when empty.

    Every text that comes from a record, the registry or the command line goes through
    ``md_escape`` (the one Markdown escaping, shared with the report and the dashboard).
    """
    e = md_escape
    w = digest["window"]
    if w["kind"] == "run":
        head = f"# Evidence digest: run {e(w['run_id'])} ({e(w['started_at'])}, {e(w['status'])})"
    elif w["kind"] == "since":
        head = f"# Evidence digest: changes since {e(w['since'])}"
    else:
        head = "# Evidence digest: no run yet"
    out = [head, ""]
    c = digest["counts"]
    if not any(c.values()) and not digest["first_grades"]:
        return "\n".join([*out, "Nothing changed.", ""])
    out += [f"{c['new_studies']} new studies, {c['grade_changes']} grade changes, "
            f"{c['retracted']} retractions, {c['revised']} revised records.", ""]
    if digest["grade_changes"]:
        out += ["## Verdict and strength changes", ""]
        for g in digest["grade_changes"]:
            b, a = g["before"], g["after"]
            out.append(f"- **{e(g['claim_id'])}**: {e(b['verdict'])} ({e(b['strength'])}) → {e(a['verdict'])} "
                       f"({e(a['strength'])})" + (f" — {e(g['statement'])}" if g["statement"] else ""))
        out.append("")
    if digest["first_grades"]:
        out += ["## First grades", ""]
        out += [f"- **{e(g['claim_id'])}**: {e(g['verdict'])} ({e(g['strength'])})" for g in digest["first_grades"]]
        out.append("")
    if digest["retracted"]:
        out += ["## Retracted studies (excluded from grades)", ""]
        for r in digest["retracted"]:
            how = "now retracted" if r["how"] == "newly-retracted" else "retracted when found"
            claims = ", ".join(map(e, r["claims"])) or "no claim"
            out.append(f"- PMID {e(r['pmid'])} ({how}; {claims}): {_title(r['title'])}")
        out.append("")
    if digest["new_studies"]:
        out += ["## New studies", ""]
        for claim in digest["new_studies"]:
            out.append(f"### {e(claim['claim_id'])}" + (f": {e(claim['statement'])}" if claim["statement"] else ""))
            out.append("")
            for s in claim["studies"]:
                flag = " **[RETRACTED]**" if s["retracted"] else ""
                out.append(f"- {e(s['design'])} (tier {e(s['tier'])}: {e(s['design_reason'])}) — PMID {e(s['pmid'])}, "
                           f"{e(s['year'] or 'n.d.')}{flag}: {_title(s['title'])}")
            more = claim.get("more_pmids", [])
            if more:
                shown = ", ".join(map(e, more[:50])) + (", …" if len(more) > 50 else "")
                out.append(f"- and {len(more)} more (lower designs; `evidence report --claim` with this claim's "
                           f"id lists them all): PMID {shown}")
            out.append("")
    if digest["revised"]:
        out += ["## Revised records", ""]
        out += [f"- PMID {e(r['pmid'])}: {_title(r['title'])}" for r in digest["revised"]]
        out.append("")
    return "\n".join(out)


def write_digest(cache: Cache, directory: str | Path, run_id: int,
                 claims: Mapping[str, Claim] | None = None) -> tuple[Path, Path]:
    """Write ``digest-<run_id>.md`` and ``.json`` into ``directory`` (created if needed), then
    the Atom feed of every digest there (``feed.xml``, see ``evidence.outputs.feed``)."""
    directory = Path(directory)
    digest = build_digest(cache, run_id=run_id, claims=claims)
    md_path, json_path = directory / f"digest-{run_id}.md", directory / f"digest-{run_id}.json"
    try:
        # json.dumps escapes C0 controls but writes C1 ones (U+009B CSI...) raw: strip them too.
        atomic_write(json_path, strip_controls(json.dumps(digest, ensure_ascii=False, indent=2, sort_keys=True))
                     + "\n", make_parents=True)
        atomic_write(md_path, render_digest_markdown(digest))
        write_feed(directory)
    except OutputError as exc:
        raise OutputError(f"the digest for run {run_id}: {exc}") from None
    except OSError as exc:
        raise OutputError(f"cannot write the digest for run {run_id} into {directory}: {exc}") from None
    return md_path, json_path


def after_refresh(claims: Sequence[Claim], digest_dir: Path,
                  judge: ModelJudge | None = None) -> Callable[[Cache, int], Sequence[str]]:
    """The end of every refresh: snapshot each claim's grade (directions by ``judge`` when given),
    then write the run's digest."""

    def hook(cache: Cache, run_id: int) -> Sequence[str]:
        snapshot_grades(claims, cache, run_id, judge)
        paths = write_digest(cache, digest_dir, run_id, claims={c.id: c for c in claims})
        return [str(p) for p in paths]

    return hook
