"""Report: the stable JSON shape, best evidence first, and escaped renderers."""

from __future__ import annotations

import json

import pytest

from evidence.grading.grade import assess
from evidence.models import AbstractSection, Annotation, Article, Claim, MeshHeading, Record
from evidence.outputs.report import build_report, render_html, render_markdown

ARTICLE = Article(id="art", title="Ketamine <today>", source="https://example.org/a", file="a.txt", publisher="Pub")
CLAIM = Claim(id="c1", article="art", quote='Ketamine "works" & fast', statement="Ketamine reduces depression",
              kind="efficacy", query="ketamine", contradicts=("c2",))
CLAIM2 = Claim(id="c2", article="art", quote="q", statement="Ketamine does not reduce depression", kind="efficacy",
               query="ketamine", polarity="no-effect", contradicts=("c1",))


def rec(pmid, pts, conclusion, mesh=("Humans",), year=2020, n_text="A total of 500 patients were randomized.", **kw):
    return Record(pmid=pmid, title=f"Study {pmid} <b>", year=year, journal="J", doi=f"10.1/{pmid}",
                  abstract=f"{n_text} {conclusion}", publication_types=tuple(pts),
                  mesh=tuple(MeshHeading(m) for m in mesh),
                  abstract_sections=(AbstractSection("METHODS", "METHODS", n_text),
                                     AbstractSection("CONCLUSIONS", "CONCLUSIONS", conclusion)), **kw)


RECORDS = [
    rec("3", ("Case Reports",), "Ketamine reduced depression in this patient.", year=2010),
    rec("1", ("Randomized Controlled Trial",), "Ketamine significantly reduced depression scores."),
    rec("2", ("Meta-Analysis",), "Ketamine significantly reduced depression in randomized controlled trials.",
        year=2022),
    rec("4", ("Randomized Controlled Trial", "Retracted Publication"), "Ketamine did not reduce depression.",
        retracted=True),
    rec("5", ("Randomized Controlled Trial",), "Ketamine reduced depression in rats.", mesh=("Animals",)),
]

STUDY_KEYS = {"pmid", "title", "year", "journal", "doi", "design", "design_reason", "species", "species_reason", "n",
              "direction", "direction_reason", "direction_sentence", "direction_judge", "retracted", "reviewed_by",
              "citation"}
CLAIM_KEYS = {"id", "article", "statement", "quote", "kind", "verdict", "strength", "reasons", "counts",
              "contradicts", "contradiction_note", "evidence_statement", "reviewed", "signoff", "studies"}


def assessed(claim, records, notes=()):
    by_pmid = {a.pmid: a for a in notes}
    return [assess(claim, r, by_pmid.get(r.pmid)) for r in records]


@pytest.fixture()
def report():
    notes = [Annotation("c1", "3", "Dr Lee", relevant=False, note="not depression")]
    return build_report([ARTICLE], [CLAIM, CLAIM2],
                        {"c1": assessed(CLAIM, RECORDS, notes), "c2": assessed(CLAIM2, RECORDS)},
                        generated_at="2024-05-01T00:00:00Z")


def test_shape_is_stable_and_json_serialisable(report):
    assert set(report) == {"generated_at", "articles", "claims"}
    assert report["articles"] == [{"id": "art", "title": "Ketamine <today>", "source": "https://example.org/a",
                                   "publisher": "Pub"}]
    for claim in report["claims"]:
        assert set(claim) == CLAIM_KEYS
        for s in claim["studies"]:
            assert set(s) == STUDY_KEYS
    assert json.loads(json.dumps(report)) == report


def test_best_evidence_first_and_excluded_last(report):
    pmids = [s["pmid"] for s in report["claims"][0]["studies"]]
    assert pmids[:2] == ["2", "1"]  # meta-analysis, then RCT
    assert set(pmids[-3:]) == {"3", "4", "5"}  # not relevant, retracted, animal


def test_claim_fields(report):
    c1 = report["claims"][0]
    assert c1["verdict"] == "supported"
    assert c1["counts"]["meta-analysis"] == 1 and "rct" in c1["counts"]
    assert any("PMID 4 (retracted" in r for r in c1["reasons"])
    assert any("PMID 3 (not relevant (reviewed by Dr Lee" in r for r in c1["reasons"])
    assert "favours c1" in c1["contradiction_note"]
    by_pmid = {s["pmid"]: s for s in c1["studies"]}
    assert by_pmid["3"]["reviewed_by"] == "Dr Lee" and by_pmid["4"]["retracted"] is True
    assert by_pmid["1"]["n"] == 500 and by_pmid["5"]["species"] == "animal"


def test_claim_without_records_says_refresh():
    r = build_report([ARTICLE], [CLAIM], {})
    assert r["claims"][0]["verdict"] == "insufficient"
    assert r["claims"][0]["reasons"] == ["no studies in the cache: run `evidence refresh`"]


def test_html_escapes_and_links(report):
    html = render_html(report)
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/2/">2</a>' in html
    assert "Study 2 &lt;b&gt;" in html and "<b>" not in html
    assert "Ketamine &lt;today&gt;" in html and "&quot;works&quot; &amp; fast" in html
    assert html.index("pubmed.ncbi.nlm.nih.gov/2/") < html.index("pubmed.ncbi.nlm.nih.gov/1/")
    assert "RETRACTED" in html


def test_markdown_links_and_verdicts(report):
    md = render_markdown(report)
    assert "[2](https://pubmed.ncbi.nlm.nih.gov/2/)" in md
    assert "**Verdict: supported" in md
    assert "Study 2 &lt;b&gt;" in md and "<b>" not in md  # the one Markdown escaping (evidence.sanitize)


def test_the_reviewer_is_named_in_every_format(report):
    # Issue 13: a reviewer's decision that changes the grade is named in the reasons, JSON, Markdown and HTML.
    c1 = report["claims"][0]
    assert c1["reviewed"] == [{"pmid": "3", "decision": "set aside as not relevant by Dr Lee"}]
    assert any("Reviewer decisions: PMID 3 set aside as not relevant by Dr Lee" in r for r in c1["reasons"])
    md, html = render_markdown(report), render_html(report)
    assert "Reviewer decisions: PMID 3 set aside as not relevant by Dr Lee" in md
    assert "Reviewer decisions: PMID 3 set aside as not relevant by Dr Lee" in html
    assert "| Reviewed by |" in md and "<th>Reviewed by</th>" in html
    row = next(line for line in md.splitlines() if "[3](https" in line)
    assert "| Dr Lee |" in row


def test_citation_numbers_and_the_evidence_statement(report):
    c1 = report["claims"][0]
    numbers = [s["citation"] for s in c1["studies"]]
    cited = [n for n in numbers if n]
    assert cited == list(range(1, len(cited) + 1)) and numbers[: len(cited)] == cited  # usable studies, in order
    assert all(n is None for s, n in zip(c1["studies"], numbers, strict=True) if s["retracted"] or s["pmid"] == "3")
    assert c1["evidence_statement"].startswith("Claim: \u201cKetamine reduces depression.\u201d Verdict: supported")
    assert "[1]" in c1["evidence_statement"]
    assert "Evidence statement: Claim: " in render_markdown(report)
    assert 'class="statement">Evidence statement: Claim: ' in render_html(report)


def test_signoff_in_the_report_and_flagged_when_stale():
    from evidence.grading.review import signoff_state
    from evidence.models import SignOff

    studies = {"c1": assessed(CLAIM, RECORDS), "c2": assessed(CLAIM2, RECORDS)}
    current = build_report([ARTICLE], [CLAIM, CLAIM2], studies)
    g1 = {c["id"]: c for c in current["claims"]}["c1"]
    from evidence.grading.grade import grade

    grade1 = grade(CLAIM, studies["c1"])
    fresh = signoff_state(SignOff("c1", "Dr Ok", g1["verdict"], g1["strength"], "read all", 4, 0,
                                  "2026-11-24T10:00:00+00:00"), grade1, [])
    stale = signoff_state(SignOff("c2", "Dr Old", "mixed", "low", "", 4, 0, "2026-10-01T10:00:00+00:00"),
                          grade(CLAIM2, studies["c2"]), ["77", "78"])
    report = build_report([ARTICLE], [CLAIM, CLAIM2], studies, signoffs={"c1": fresh, "c2": stale})
    s1, s2 = (c["signoff"] for c in report["claims"])
    assert s1 == {"reviewer": "Dr Ok", "at": "2026-11-24T10:00:00+00:00", "note": "read all",
                  "verdict": g1["verdict"], "strength": g1["strength"], "stale": False, "why_stale": []}
    assert s2["stale"] and s2["why_stale"][0] == "2 new studies since"
    md, html = render_markdown(report), render_html(report)
    assert "Signed off by Dr Ok on 2026-11-24" in md and "Sign-off stale: Signed off by Dr Old on 2026-10-01" in md
    assert '<p class="stale">Sign-off stale: Signed off by Dr Old' in html
    assert current["claims"][0]["signoff"] is None
