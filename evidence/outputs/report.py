"""The evidence report: a stable JSON-ready dict, rendered to Markdown or HTML.

Pure: callers read the cache and pass records in; nothing here touches files or the
network. The dict shape is documented field by field in ``docs/report.md``; renderers
only read that dict, so any other consumer (dashboard, exports) sees the same data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from html import escape
from typing import TYPE_CHECKING, Any

from evidence.cache import Cache
from evidence.grading.grade import Assessment, best_first, grade, pair_contradictions
from evidence.grading.review import SignOffState, signoff_states
from evidence.grading.service import ClaimEvidence, assess_claims
from evidence.models import Article, Claim, pubmed_url
from evidence.outputs.citations import citable
from evidence.outputs.statement import cited_studies, evidence_statement
from evidence.registry import Registry
from evidence.sanitize import md_escape as _md
from evidence.sanitize import strip_controls

if TYPE_CHECKING:
    from evidence.grading.judges import ModelJudge

__all__ = ["build_report", "report_for", "render_markdown", "render_html", "REPORT_VERSION"]

REPORT_VERSION = 1


def _signoff(state: SignOffState | None) -> dict[str, Any] | None:
    if state is None:
        return None
    s = state.signoff
    return {"reviewer": s.reviewer, "at": s.at, "note": s.note, "verdict": s.verdict, "strength": s.strength,
            "stale": state.stale, "why_stale": list(state.why)}


def _study(a: Assessment, number: int | None = None) -> dict[str, Any]:
    r, s, d = a.record, a.study, a.direction
    return {
        "citation": number,
        "pmid": r.pmid,
        "title": r.title,
        "year": r.year,
        "journal": r.journal,
        "doi": r.doi,
        "design": s.design,
        "design_reason": s.design_reason,
        "species": s.species,
        "species_reason": s.species_reason,
        "n": s.n,
        "direction": d.direction,
        "direction_reason": d.reason,
        "direction_sentence": d.sentence,
        "direction_judge": d.judge,  # "rules", "model <name>" or "reviewer <name>"
        "retracted": s.retracted,
        "reviewed_by": a.reviewed_by,
    }


def build_report(
    articles: Sequence[Article],
    claims: Sequence[Claim],
    assessments_by_claim: Mapping[str, Sequence[Assessment]],
    generated_at: str = "",
    signoffs: Mapping[str, SignOffState] | None = None,
) -> dict[str, Any]:
    """Grade every claim from its assessed studies and return the report dict (see docs/report.md).

    ``signoffs`` holds each signed-off claim's newest sign-off and whether it is stale.
    """
    graded = []
    for claim in claims:
        assessments = sorted(assessments_by_claim.get(claim.id, ()), key=best_first)
        graded.append((claim, assessments, grade(claim, assessments)))
    pairs = pair_contradictions(claims, [g for _, _, g in graded])
    out_claims = []
    for claim, assessments, g in graded:
        notes = [p.note for p in pairs if claim.id in p.claims]
        evidence = ClaimEvidence(claim, g, tuple(assessments))
        # Numbered as `evidence export --claim` numbers them: the evidence behind the verdict, retracted left out.
        cited = [r.pmid for r in citable(a.record for a in cited_studies(evidence))]
        number = {p: i for i, p in enumerate(cited, 1)}
        out_claims.append({
            "id": claim.id,
            "article": claim.article,
            "statement": claim.statement,
            "quote": claim.quote,
            "kind": claim.kind,
            "verdict": g.verdict,
            "strength": g.strength,
            "reasons": list(g.reasons),
            "counts": dict(g.counts_by_design),
            "contradicts": list(claim.contradicts),
            "contradiction_note": "; ".join(notes),
            "evidence_statement": evidence_statement(evidence, cited),
            "reviewed": [{"pmid": p, "decision": what} for p, what in g.reviewed],
            "signoff": _signoff((signoffs or {}).get(claim.id)),
            "studies": [_study(a, number.get(a.record.pmid)) for a in assessments],
        })
    return {
        "generated_at": generated_at,
        "articles": [{"id": a.id, "title": a.title, "source": a.source, "publisher": a.publisher} for a in articles],
        "claims": out_claims,
    }


def report_for(registry: Registry, cache: Cache, claim_ids: Sequence[str] = (), *,
               judge: ModelJudge | None = None) -> dict[str, Any]:
    """The `evidence report` document for the chosen claims (all when none are named); ``judge``
    (a model judge) decides the directions the rules do not set aside."""
    claims = [registry.claim(c) for c in claim_ids] if claim_ids else list(registry.claims)
    articles = [a for a in registry.articles if any(c.article == a.id for c in claims)]
    # Claim by claim with the cache's stored labels: a report over tens of thousands of
    # studies does not classify and judge them all again.
    evidence = {c.id: assess_claims([c], cache, judge=judge)[c.id] for c in claims}
    states = signoff_states(cache, {cid: ev.grade for cid, ev in evidence.items()})
    return build_report(articles, claims, {cid: ev.assessments for cid, ev in evidence.items()},
                        generated_at=datetime.now(timezone.utc).replace(microsecond=0).isoformat(), signoffs=states)


def _direction_flags(study: Mapping[str, Any]) -> str:
    """What follows a study's direction in the tables: " (RETRACTED)", and the judge unless the rules decided."""
    flag = " (RETRACTED)" if study["retracted"] else ""
    judge = study.get("direction_judge", "rules")
    return flag + (f" ({judge})" if judge != "rules" else "")


def _signoff_line(s: Mapping[str, Any]) -> str:
    """"Signed off by Ann on 2026-11-24: note" or, when stale, what changed since."""
    note = f": {s['note']}" if s.get("note") else ""
    text = f"Signed off by {s['reviewer']} on {str(s['at'])[:10]} ({s['verdict']}, {s['strength']}){note}"
    if s.get("stale"):
        text = "Sign-off stale: " + text + "; since then: " + "; ".join(s.get("why_stale", []))
    return text


def render_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown: one section per claim, its reasons, a table of its studies."""
    lines = ["# Evidence report", ""]
    if report.get("generated_at"):
        lines += [f"Generated {_md(report['generated_at'])}.", ""]
    titles = {a["id"]: a["title"] for a in report.get("articles", [])}
    for c in report.get("claims", []):
        lines += [f"## {_md(c['id'])}: {_md(c['statement'])}", ""]
        lines += [f"Article: {_md(titles.get(c['article'], c['article']))}. Quote: \u201c{_md(c['quote'])}\u201d", ""]
        lines += [f"**Verdict: {c['verdict']}, strength {c['strength']}**", ""]  # vocabulary words
        if c.get("signoff"):
            lines += [_md(_signoff_line(c["signoff"])), ""]
        lines += [f"- {_md(r)}" for r in c["reasons"]] + [""]
        if c.get("reviewed"):
            lines += ["Reviewer decisions: " + "; ".join(f"PMID {_md(r['pmid'])} {_md(r['decision'])}"
                                                         for r in c["reviewed"]), ""]
        if c.get("evidence_statement"):
            lines += [f"Evidence statement: {_md(c['evidence_statement'])}", ""]
        if c.get("contradiction_note"):
            lines += [f"Contradicting claims: {_md(c['contradiction_note'])}", ""]
        if c["studies"]:
            lines += ["| # | PMID | Year | Design | Species | n | Direction | Reviewed by | Title |",
                      "|---|---|---|---|---|---|---|---|---|"]
            for s in c["studies"]:
                flag = _direction_flags(s)
                lines.append(
                    f"| {s.get('citation') or ''} | [{_md(s['pmid'])}]({pubmed_url(s['pmid'])}) | "
                    f"{_md(s['year'] or '')} | {_md(s['design'])} | {_md(s['species'])} | {_md(s['n'] or '')} | "
                    f"{_md(s['direction'])}{flag} | {_md(s.get('reviewed_by') or '')} | {_md(s['title'])} |"
                )
            lines.append("")
    return "\n".join(lines)


def render_html(report: Mapping[str, Any]) -> str:
    """The report as one self-contained, escaped HTML page."""
    def e(text: str) -> str:
        return escape(strip_controls(text))

    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8"><title>Evidence report</title>',
           "<style>body{font-family:sans-serif;max-width:60rem;margin:auto}table{border-collapse:collapse}"
           "td,th{border:1px solid #ccc;padding:.2rem .4rem;vertical-align:top}.retracted{color:#a00}"
           ".stale{color:#a00;font-weight:600}</style>",
           "</head><body>", "<h1>Evidence report</h1>"]
    if report.get("generated_at"):
        out.append(f"<p>Generated {e(str(report['generated_at']))}.</p>")
    titles = {a["id"]: a["title"] for a in report.get("articles", [])}
    for c in report.get("claims", []):
        out.append(f'<section id="{e(c["id"])}"><h2>{e(c["id"])}: {e(c["statement"])}</h2>')
        out.append(f"<p>Article: {e(titles.get(c['article'], c['article']))}. Quote: <q>{e(c['quote'])}</q></p>")
        out.append(f"<p><strong>Verdict: {e(c['verdict'])}, strength {e(c['strength'])}</strong></p>")
        if c.get("signoff"):
            stale = ' class="stale"' if c["signoff"].get("stale") else ""
            out.append(f"<p{stale}>{e(_signoff_line(c['signoff']))}</p>")
        out.append("<ul>" + "".join(f"<li>{e(r)}</li>" for r in c["reasons"]) + "</ul>")
        if c.get("reviewed"):
            out.append("<p>Reviewer decisions: " + "; ".join(f"PMID {e(r['pmid'])} {e(r['decision'])}"
                                                            for r in c["reviewed"]) + "</p>")
        if c.get("evidence_statement"):
            out.append(f'<p class="statement">Evidence statement: {e(c["evidence_statement"])}</p>')
        if c.get("contradiction_note"):
            out.append(f"<p>Contradicting claims: {e(c['contradiction_note'])}</p>")
        if c["studies"]:
            out.append("<table><tr><th>#</th><th>PMID</th><th>Year</th><th>Design</th><th>Species</th><th>n</th>"
                       "<th>Direction</th><th>Reviewed by</th><th>Title</th></tr>")
            for s in c["studies"]:
                cls = ' class="retracted"' if s["retracted"] else ""
                flag = _direction_flags(s)
                out.append(
                    f"<tr{cls}><td>{e(str(s.get('citation') or ''))}</td>"
                    f'<td><a href="{e(pubmed_url(s["pmid"]))}">{e(s["pmid"])}</a></td>'
                    f"<td>{e(str(s['year'] or ''))}</td>"
                    f'<td title="{e(s["design_reason"])}">{e(s["design"])}</td>'
                    f'<td title="{e(s["species_reason"])}">{e(s["species"])}</td><td>{e(str(s["n"] or ""))}</td>'
                    f'<td title="{e(s["direction_reason"])}">{e(s["direction"])}{flag}</td>'
                    f"<td>{e(s.get('reviewed_by') or '')}</td><td>{e(s['title'])}</td></tr>"
                )
            out.append("</table>")
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)
