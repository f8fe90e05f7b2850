"""Grading per claim: verdicts, strengths and reasons, with the 'never stronger than its evidence' invariant."""

from __future__ import annotations

import random

import pytest

from evidence.grading.classify import StudyClass
from evidence.grading.direction import Direction
from evidence.grading.grade import Assessment, assess, grade, pair_contradictions, strength_ceiling
from evidence.models import AbstractSection, Annotation, Claim, Record
from evidence.vocabulary import STRENGTHS, TIERS

CLAIM = Claim(id="c1", article="a1", quote="q", statement="Drug X reduces pain", kind="efficacy", query="x")
MECH = Claim(id="m1", article="a1", quote="q", statement="Drug X blocks NMDA receptors", kind="mechanism", query="x")
RANK = {s: i for i, s in enumerate(STRENGTHS)}


def study(design="rct", direction="supports", species="human", n=None, pmid="1", year=2020, retracted=False,
          relevant=True, pooled=None) -> Assessment:
    sc = StudyClass(design=design, design_reason="test", tier=TIERS[design], species=species, species_reason="test",
                    n=n, retracted=retracted, retracted_reason="publication type \"Retracted Publication\""
                    if retracted else "", pooled=pooled)
    return Assessment(Record(pmid=pmid, year=year), sc, Direction(direction, "s", 0.8, "test"), relevant,
                      "" if relevant else "not relevant (reviewed by Dr Lee)")


def test_no_studies():
    g = grade(CLAIM, [])
    assert (g.verdict, g.strength) == ("insufficient", "very-low")
    assert g.reasons == ("no studies in the cache: run `evidence refresh`",)


@pytest.mark.parametrize("studies, verdict, strength", [
    # one small RCT: very serious imprecision
    ([study("rct", n=60)], "supported", "low"),
    # one large RCT: single study, imprecise
    ([study("rct", n=2000)], "supported", "moderate"),
    # one large RCT backed only by lower tiers is still one unreplicated trial: not high
    ([study("rct", n=2000, pmid="1"), study("cohort", n=900, pmid="2"), study("case-control", n=400, pmid="3")],
     "supported", "moderate"),
    # two concordant large RCTs can be high
    ([study("rct", n=800, pmid="1"), study("rct", n=700, pmid="2")], "supported", "high"),
    # consistent meta-analyses of RCTs
    ([study("meta-analysis", n=5000, pmid=str(i), pooled="rcts") for i in range(3)], "supported", "high"),
    # meta-analyses disagreeing
    ([study("meta-analysis", "supports", n=3000, pmid="1", pooled="rcts"),
      study("meta-analysis", "contradicts", n=3000, pmid="2", pooled="rcts")], "mixed", "moderate"),
    # RCTs contradicting
    ([study("rct", "contradicts", n=400, pmid=str(i)) for i in range(3)], "contradicted", "high"),
    # observational only starts low
    ([study("cohort", n=5000, pmid=str(i)) for i in range(4)], "supported", "low"),
    # case reports only
    ([study("case-report", pmid=str(i)) for i in range(3)], "supported", "very-low"),
    # opinion only
    ([study("editorial", pmid="1"), study("narrative-review", pmid="2")], "supported", "very-low"),
    # only unclear directions
    ([study("rct", "unclear", n=500)], "insufficient", "very-low"),
])
def test_grade_table(studies, verdict, strength):
    g = grade(CLAIM, studies)
    assert (g.verdict, g.strength) == (verdict, strength)
    assert g.reasons[0].startswith("Best evidence:") and g.reasons[0].endswith(f"-> {verdict}, {strength}") \
        or verdict == "insufficient"


def test_reason_names_design_size_years_and_direction():
    studies = [study("meta-analysis", n=1000, pmid=str(i), year=2019 + i, pooled="rcts") for i in range(3)]
    g = grade(CLAIM, studies + [study("rct", "contradicts", n=158, pmid="9")])
    assert "3 meta-analyses of RCTs (2019-2021)" in g.reasons[0]
    assert "support" in g.reasons[0]
    assert g.best_design == "meta-analysis"


@pytest.mark.parametrize("species", ["animal", "in-vitro"])
def test_preclinical_only_never_above_low(species):
    studies = [study("rct", n=500, species=species, pmid=str(i)) for i in range(10)]
    g = grade(CLAIM, studies)
    assert RANK[g.strength] >= RANK["low"]
    assert any("never count as clinical evidence" in r for r in g.reasons)
    g_mech = grade(MECH, studies)
    assert RANK[g_mech.strength] >= RANK["low"]


def test_animal_studies_do_not_outvote_human_evidence():
    human = [study("rct", "contradicts", n=800, pmid=str(i)) for i in range(3)]
    animal = [study("rct", "supports", n=50, species="animal", pmid=f"a{i}") for i in range(10)]
    g = grade(CLAIM, human + animal)
    assert g.verdict == "contradicted"
    assert any("animal/in-vitro studies set aside" in r for r in g.reasons)


def test_all_retracted_is_insufficient_and_listed():
    g = grade(CLAIM, [study("rct", n=500, pmid="11", retracted=True), study("rct", n=500, pmid="12", retracted=True)])
    assert (g.verdict, g.strength) == ("insufficient", "very-low")
    assert [p for p, _ in g.excluded] == ["11", "12"]
    assert all("retracted" in why for _, why in g.excluded)


def test_retracted_study_does_not_count():
    g = grade(CLAIM, [study("rct", "contradicts", n=900, pmid="1", retracted=True), study("cohort", n=900, pmid="2")])
    assert g.verdict == "supported" and g.best_design == "cohort"


def test_inconsistency_rates_down():
    consistent = [study("rct", n=500, pmid=str(i)) for i in range(4)]
    inconsistent = consistent[:3] + [study("rct", "contradicts", n=500, pmid="9")]
    assert RANK[grade(CLAIM, inconsistent).strength] > RANK[grade(CLAIM, consistent).strength]
    assert any("inconsistency" in r for r in grade(CLAIM, inconsistent).reasons)


def _rct_record(pmid, conclusion, status="Publisher"):
    return Record(pmid=pmid, title="Drug X for pain: a randomized, double-blind, placebo-controlled trial",
                  abstract=f"METHODS: A total of 640 patients were randomized. CONCLUSIONS: {conclusion}",
                  abstract_sections=(AbstractSection("METHODS", "METHODS", "A total of 640 patients were randomized."),
                                     AbstractSection("CONCLUSIONS", "CONCLUSIONS", conclusion)),
                  status=status, year=2024)


def test_unindexed_records_grade_as_trials():
    recs = [_rct_record(str(i), "Drug X significantly reduced pain compared with placebo.") for i in range(3)]
    g = grade(CLAIM, [assess(CLAIM, r) for r in recs])
    assert g.best_design == "rct" and g.verdict == "supported" and g.strength == "high"


def test_annotation_excludes_with_reason():
    r = _rct_record("5", "Drug X significantly reduced pain.")
    a = assess(CLAIM, r, Annotation("c1", "5", "Dr Lee", relevant=False, note="wrong population"))
    g = grade(CLAIM, [a])
    assert g.verdict == "insufficient"
    assert g.excluded == (("5", "not relevant (reviewed by Dr Lee: wrong population)"),)


def test_annotation_flips_direction():
    r = _rct_record("5", "Drug X significantly reduced pain.")
    a = assess(CLAIM, r, Annotation("c1", "5", "Dr Lee", direction="contradicts", note="outcome misread"))
    assert a.direction.direction == "contradicts" and a.reviewed_by == "Dr Lee"
    assert grade(CLAIM, [a]).verdict == "contradicted"


def test_grade_never_stronger_than_best_human_design():
    """Property: over many random study sets the grade never exceeds what its best usable design allows."""
    rng = random.Random(20240501)
    designs = list(TIERS)
    for _ in range(3000):
        k = rng.randint(0, 6)
        studies = [study(rng.choice(designs), rng.choice(["supports", "contradicts", "mixed", "unclear"]),
                         rng.choice(["human", "animal", "in-vitro", "mixed", "unknown"]),
                         rng.choice([None, 12, 150, 900, 20000]), pmid=str(i), retracted=rng.random() < 0.15,
                         relevant=rng.random() > 0.1, pooled=rng.choice([None, "rcts", "observational"]))
                   for i in range(k)]
        for claim in (CLAIM, MECH):
            g = grade(claim, studies)
            assert RANK[g.strength] >= RANK[strength_ceiling(claim, studies)]
            usable_human = [s for s in studies if s.relevant and not s.study.retracted
                            and s.direction.direction != "unclear" and s.study.species in ("human", "mixed")]
            if not usable_human:
                assert RANK[g.strength] >= RANK["moderate"]  # nothing but indirect evidence: at most moderate
                if not any(s.study.species == "unknown" for s in studies):
                    assert RANK[g.strength] >= RANK["low"]
            if g.verdict == "insufficient":
                assert g.strength == "very-low"


@pytest.mark.parametrize("va, sa, vb, sb, favours", [
    ("supported", "high", "contradicted", "moderate", "a"),
    ("contradicted", "low", "supported", "moderate", "b"),
    ("mixed", "low", "mixed", "low", None),
    ("supported", "very-low", "insufficient", "very-low", None),
    ("supported", "moderate", "supported", "moderate", None),
])
def test_pair_contradictions(va, sa, vb, sb, favours):
    from evidence.grading.grade import Grade

    a = Claim(id="a", article="x", quote="q", statement="s", kind="efficacy", query="q", contradicts=("b",))
    b = Claim(id="b", article="y", quote="q", statement="s", kind="efficacy", query="q", contradicts=("a",))
    pairs = pair_contradictions([a, b], [Grade("a", va, sa, ()), Grade("b", vb, sb, ())])
    assert len(pairs) == 1
    assert pairs[0].favours == favours
    assert ("neither" in pairs[0].note) == (favours is None)


def test_off_topic_studies_are_set_aside_and_counted():
    off = assess(CLAIM, Record(pmid="1"), study=study("rct").study,
                 direction=Direction("unclear", "", 0.1, "off topic: never mentions x", on_topic=False))
    assert not off.relevant and off.relevance_reason.startswith("not about this claim (rules judge")
    g = grade(CLAIM, [off, study("rct", "unclear", pmid="2")])
    assert (g.verdict, g.strength) == ("insufficient", "very-low")
    assert "(1 other set aside as off topic)" in g.reasons[-1]
    assert any(r.startswith("Set aside as not about this claim: 1 study (PMID 1)") for r in g.reasons)
    assert ("1", off.relevance_reason) in g.excluded


def test_a_reviewer_can_bring_an_off_topic_study_back():
    direction = Direction("supports", "Ketamine helped.", 0.3, "x", on_topic=False)
    back = assess(CLAIM, Record(pmid="1"), Annotation(CLAIM.id, "1", "Dr Lee", relevant=True),
                  study=study("rct").study, direction=direction)
    assert back.relevant and back.reviewed_by == "Dr Lee"


def test_reviewer_decisions_are_named_in_the_grade():
    set_aside = assess(CLAIM, Record(pmid="1"), Annotation(CLAIM.id, "1", "Dr Lee", relevant=False),
                       study=study("rct").study, direction=Direction("supports", "s", 0.5, "x"))
    read = assess(CLAIM, Record(pmid="2"), Annotation(CLAIM.id, "2", "Dr Kim", direction="contradicts"),
                  study=study("rct").study, direction=Direction("supports", "s", 0.5, "x"))
    g = grade(CLAIM, [set_aside, read])
    assert g.reviewed == (("1", "set aside as not relevant by Dr Lee"), ("2", "read as contradicts by Dr Kim"))
    assert any(r.startswith("Reviewer decisions: PMID 1 set aside") and "Dr Kim" in r for r in g.reasons)
    assert g.basis == ("2",) and g.factors[0][0] == "start"
