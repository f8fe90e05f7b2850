"""The writer's day (issue 13): the evidence behind the verdict as the default citation set, reviewer
notes in exports, and a one-paragraph evidence statement built only from the grade and its studies."""

from __future__ import annotations

import pytest

from evidence.cache import Cache
from evidence.grading.grade import assess, grade
from evidence.grading.service import ClaimEvidence, assess_claims
from evidence.models import AbstractSection, Annotation, Claim, MeshHeading, Record
from evidence.outputs.exports import select_export
from evidence.outputs.statement import citation_numbers, cited_studies, evidence_statement
from tests.dashboard_cache import OWN_XML, build_cache, parse_files

CLAIM = Claim(id="c1", article="art", quote="q", statement="Ketamine reduces depression", kind="efficacy",
              query="ketamine", intervention="ketamine")


def rec(pmid, pts, conclusion, n=500, year=2020, mesh=("Humans",)):
    methods = f"A total of {n} patients were randomized."
    return Record(pmid=pmid, title=f"Study {pmid} <i>secret title words</i>", year=year, journal="J",
                  abstract=f"{methods} {conclusion}", publication_types=tuple(pts),
                  mesh=tuple(MeshHeading(m) for m in mesh),
                  abstract_sections=(AbstractSection("METHODS", "METHODS", methods),
                                     AbstractSection("CONCLUSIONS", "CONCLUSIONS", conclusion)))


RECORDS = [
    rec("11", ("Randomized Controlled Trial",), "Ketamine significantly reduced depression scores.", n=120),
    rec("12", ("Randomized Controlled Trial",), "Ketamine significantly reduced depression severity.", n=80),
    rec("13", ("Case Reports",), "Ketamine reduced depression in this patient.", n=1),
    rec("14", ("Randomized Controlled Trial",), "Bladder function was unchanged by the new catheter.", n=60),
]


def evidence(notes=()):
    by_pmid = {a.pmid: a for a in notes}
    studies = [assess(CLAIM, r, by_pmid.get(r.pmid)) for r in RECORDS]
    from evidence.grading.grade import best_first

    studies.sort(key=best_first)
    return ClaimEvidence(CLAIM, grade(CLAIM, studies), tuple(studies))


def test_the_default_citation_set_is_the_evidence_behind_the_verdict():
    ev = evidence([Annotation("c1", "13", "Dr Lee", relevant=False, note="a single patient")])
    default = [a.record.pmid for a in cited_studies(ev)]
    everything = [a.record.pmid for a in cited_studies(ev, "all")]
    assert default == [a.record.pmid for a in ev.assessments if a.relevant]  # best evidence first
    assert "13" not in default and set(everything) == {r.pmid for r in RECORDS}
    assert default[:2] == list(ev.grade.basis[:2])  # the verdict's own studies lead


@pytest.mark.parametrize("pmids, expected", [
    (["a", "b", "c"], "[1-3]"), (["a", "b"], "[1, 2]"), (["a", "c", "d", "e"], "[1, 3-5]"), (["zz"], ""),
])
def test_citation_numbers(pmids, expected):
    assert citation_numbers(pmids, ["a", "b", "c", "d", "e"]) == expected


def test_the_statement_says_what_the_grade_says_with_citation_numbers():
    ev = evidence()
    cited = [a.record.pmid for a in cited_studies(ev)]
    text = evidence_statement(ev, cited)
    g = ev.grade
    assert text.startswith("Claim: \u201cKetamine reduces depression.\u201d Verdict: ")
    assert g.verdict in text and f"{g.strength.replace('-', ' ')} certainty of evidence (GRADE)" in text
    assert "The best evidence: 2 RCTs (n=200) " in text and "support it" in text
    basis = citation_numbers([p for p in g.basis if p in ("11", "12")], cited)
    assert basis and basis in text
    for kind, reason in g.factors:
        if kind == "down":
            assert reason in text
    assert "secret title words" not in text and "<i>" not in text  # never from titles or abstracts
    assert "\n" not in text  # one paragraph


def test_the_statement_of_an_insufficient_claim_says_why(tmp_path):
    built = build_cache(tmp_path / "e.sqlite", parse_files(OWN_XML))
    claim = built.registry.claims[0]
    with Cache(built.path, readonly=True) as cache:
        ev = assess_claims([claim], cache)[claim.id]
    assert ev.grade.verdict == "insufficient"
    text = evidence_statement(ev, [a.record.pmid for a in cited_studies(ev)])
    off = sum(not a.relevant for a in ev.assessments)
    assert "Verdict: insufficient" in text and f"{off} studies were set aside as not about the claim" in text


def test_exports_of_a_claim_name_its_reviewers_and_leave_off_topic_studies_out(tmp_path):
    built = build_cache(tmp_path / "e.sqlite", parse_files(OWN_XML))
    claim = built.registry.claims[0]
    with Cache(built.path) as cache:
        ev = assess_claims([claim], cache)[claim.id]
        on_topic = [a.record.pmid for a in ev.assessments if a.relevant and not a.study.notice]
        cache.save_annotation(Annotation(claim.id, on_topic[0], "Dr Lee", None, "supports", "full text"))
        chosen = select_export(built.registry, cache, claim_ids=[claim.id])
    assert [r.pmid for r in chosen.records] == on_topic
    assert chosen.notes == {on_topic[0]: f"Reviewer decision ({claim.id}): read as supports by Dr Lee."}
