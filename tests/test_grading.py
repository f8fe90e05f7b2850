"""Grading per claim: verdicts, strengths and reasons, with the 'never stronger than its evidence' invariant.

One table per rule of docs/grading.md (sections 2-4); each row reads as: these studies -> this grade.
"""

from __future__ import annotations

import random

import pytest

from evidence.grading.classify import StudyClass
from evidence.grading.direction import Direction
from evidence.grading.grade import Assessment, assess, grade, pair_contradictions, strength_ceiling
from evidence.models import AbstractSection, Annotation, Claim, Quantity, Record
from evidence.vocabulary import STRENGTHS, TIERS

CLAIM = Claim(id="c1", article="a1", quote="q", statement="Drug X reduces pain", kind="efficacy", query="x")
MECH = Claim(id="m1", article="a1", quote="q", statement="Drug X blocks NMDA receptors", kind="mechanism", query="x")
HARM = Claim(id="h1", article="a1", quote="q", statement="Long-term drug X use impairs memory", kind="safety",
             query="x")
FIGURE = Claim(id="f1", article="a1", quote="q", statement="Up to 70% respond to drug X", kind="efficacy", query="x",
               quantities=(Quantity("proportion", 70, "%", "up-to", of="response"),))
RANK = {s: i for i, s in enumerate(STRENGTHS)}


def study(design="rct", direction="supports", species="human", n=None, pmid="1", year=2020, retracted=False,
          relevant=True, pooled=None, limitations=(), stated=None, scope="", magnitude=None,
          sentence="s") -> Assessment:
    sc = StudyClass(design=design, design_reason="test", tier=TIERS[design], species=species, species_reason="test",
                    n=n, retracted=retracted, retracted_reason="publication type \"Retracted Publication\""
                    if retracted else "", pooled=pooled, stated_certainty=stated, limitations=tuple(limitations))
    return Assessment(Record(pmid=pmid, year=year), sc,
                      Direction(direction, sentence, 0.8, "test", magnitude=magnitude, scope=scope), relevant,
                      "" if relevant else "not relevant (reviewed by Dr Lee)")


def many(design, direction, count, *, start=0, **kw) -> list[Assessment]:
    """``count`` studies of one design and direction, with distinct PMIDs from ``start``."""
    return [study(design, direction, pmid=str(start + i), **kw) for i in range(count)]


def test_no_studies():
    g = grade(CLAIM, [])
    assert (g.verdict, g.strength) == ("insufficient", "very-low")
    assert g.reasons == ("no studies in the cache: run `evidence refresh`",)


@pytest.mark.parametrize("studies, verdict, strength", [
    # one small RCT: very serious imprecision and consistency unknown -> very low on 60 people: insufficient
    ([study("rct", n=60)], "insufficient", "very-low"),
    # one mid-sized RCT: imprecise, not replicated
    ([study("rct", n=200)], "supported", "low"),
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
    # case reports only: very low and small -> insufficient
    ([study("case-report", pmid=str(i)) for i in range(3)], "insufficient", "very-low"),
    # opinion only
    ([study("editorial", pmid="1"), study("narrative-review", pmid="2")], "insufficient", "very-low"),
    # only unclear directions
    ([study("rct", "unclear", n=500)], "insufficient", "very-low"),
])
def test_grade_table(studies, verdict, strength):
    g = grade(CLAIM, studies)
    assert (g.verdict, g.strength) == (verdict, strength)
    assert g.reasons[0].startswith("Best evidence:") and g.reasons[0].endswith(f"-> {verdict}, {strength}") \
        or g.reasons[-1].endswith("-> insufficient, very-low")


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


def test_grade_never_stronger_than_its_evidence():
    """Property: over many random study sets the grade never exceeds what its usable studies allow,
    is never "supported" when the weighted body leans the other way, and "insufficient" is always very low."""
    rng = random.Random(20240501)
    designs = list(TIERS)
    for _ in range(1500):
        k = rng.randint(0, 7)
        studies = [study(rng.choice(designs), rng.choice(["supports", "contradicts", "mixed", "unclear"]),
                         rng.choice(["human", "animal", "in-vitro", "mixed", "unknown"]),
                         rng.choice([None, 12, 150, 900, 20000]), pmid=str(i), retracted=rng.random() < 0.15,
                         relevant=rng.random() > 0.1, pooled=rng.choice([None, "rcts", "observational"]),
                         limitations=rng.choice([(), ("pilot",)]), stated=rng.choice([None, None, *STRENGTHS]),
                         scope=rng.choice(["", "", "another population: healthy volunteers"]),
                         magnitude=rng.choice([None, "as-claimed", "smaller", "larger"]),
                         sentence=rng.choice(["s", "a dose-response relation (OR 6.2)", "HR 0.4"]))
                   for i in range(k)]
        for claim in (CLAIM, MECH, HARM, FIGURE):
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
            tally = dict(g.tally)
            if g.verdict == "supported":  # the veto: never supported against the weighted body
                assert tally["supports"] >= 2 * tally["contradicts"] and tally["supports"] > 0
            if claim.clinical and not usable_human and not any(s.study.species == "unknown" for s in studies):
                assert g.verdict == "insufficient"  # clinical claims never rest on lab work


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


# --- 2. Which studies count ------------------------------------------------------------------

@pytest.mark.parametrize("claim, studies, verdict, reason", [
    # species-unstated studies count with human ones (most are clinical papers that never say "patients")
    (CLAIM, [study("rct", n=400, pmid="h"), *many("rct", "contradicts", 3, species="unknown", n=400, start=10)],
     "contradicted", "Whole body"),
    # a clinical claim with only animal work: nothing to grade, and the reason says which way the lab work leans
    (CLAIM, many("rct", "supports", 4, species="animal", n=40), "insufficient", "lean supported but never count"),
    # a mechanism claim rests on lab work: supported, and never above low
    (MECH, many("animal", "supports", 4), "supported", "Whole body"),
    # a mechanism claim whose human and lab evidence disagree is mixed
    (MECH, [study("rct", "contradicts", n=20, pmid="h"), *many("animal", "supports", 3, start=10)], "mixed",
     "Species check: human studies say contradicted, animal and in-vitro studies say supported"),
    # ... but a narrative review is not a human line of data: the whole body decides
    (MECH, [study("narrative-review", "supports", species="mixed", pmid="h"),
            *many("animal", "contradicts", 3, start=10)], "contradicted", "Whole body"),
    # ... and agreeing lines of evidence keep their verdict
    (MECH, [study("rct", n=20, pmid="h"), *many("in-vitro", "supports", 3, start=10)], "supported",
     "Mechanism claim: 3 animal/in-vitro studies count with 1 human studies"),
])
def test_which_studies_count(claim, studies, verdict, reason):
    g = grade(claim, studies)
    assert g.verdict == verdict
    assert any(reason in r for r in g.reasons), g.reasons
    assert RANK[g.strength] >= RANK[strength_ceiling(claim, studies)]


def test_species_unstated_studies_are_listed_and_rated_down_only_when_nothing_is_human():
    unstated = many("rct", "supports", 3, species="unknown", n=500)
    alone = grade(CLAIM, unstated)
    assert any("no study says it was done in humans" in d for _, d in alone.factors)
    with_human = grade(CLAIM, [*unstated, study("rct", n=500, pmid="h")])
    assert not any("humans" in d for _, d in with_human.factors)
    assert set(with_human.basis) == {"0", "1", "2", "h"}


def test_mechanism_claim_on_lab_work_alone_is_at_most_low():
    g = grade(MECH, many("animal", "supports", 6))
    assert g.strength == "low" and any("only animal or in-vitro" in c for k, c in g.factors if k == "cap")


# --- 3. Verdict: the whole body, weighted ---------------------------------------------------

@pytest.mark.parametrize("studies, verdict", [
    # the best tier alone no longer decides: one meta-analysis (3) against three RCTs (6)
    ([study("meta-analysis", n=900, pmid="m"), *many("rct", "contradicts", 3, n=400)], "contradicted"),
    # a systematic review (3) against two cohorts (1.5 + 1.5): neither side has twice the other
    ([study("systematic-review", n=900, pmid="s"), *many("cohort", "contradicts", 2, n=400)], "mixed"),
    # 2:1 exactly carries the verdict: two RCTs against one
    ([*many("rct", "supports", 2, n=400), study("rct", "contradicts", n=400, pmid="9")], "supported"),
    # mixed findings count half each way: 1 supports + 2 mixed = 4 against 2
    ([study("rct", n=400, pmid="9"), *many("rct", "mixed", 2, n=400)], "supported"),
    # ... 1 supports + 3 mixed = 5 against 3: mixed
    ([study("rct", n=400, pmid="9"), *many("rct", "mixed", 3, n=400)], "mixed"),
    # only mixed findings
    (many("rct", "mixed", 3, n=400), "mixed"),
    # a small trial weighs 0.6 of a large one: 2 x 1.2 against 2 is not 2:1
    ([*many("rct", "supports", 2, n=30), study("rct", "contradicts", n=400, pmid="9")], "mixed"),
    # stated limits halve a study's weight: two pilot RCTs (2 x 1) against one RCT (2)
    ([*many("rct", "supports", 2, n=400, limitations=("pilot",)), study("rct", "contradicts", n=400, pmid="9")],
     "mixed"),
    # so does a review's own low certainty: 1.5 against 2
    ([study("meta-analysis", n=900, stated="very-low", pmid="m"), study("rct", "contradicts", n=400, pmid="9")],
     "mixed"),
    # and indirectness (another population): two indirect RCTs (2 x 1) against one direct one (2)
    ([*many("rct", "supports", 2, n=400, scope="another population: healthy volunteers"),
      study("rct", "contradicts", n=400, pmid="9")], "mixed"),
    # an unclassified record that reports data weighs as a case series (1), not as opinion (0.5)
    ([*many("other", "supports", 2, n=500), study("case-series", "contradicts", n=500, pmid="9")], "supported"),
    ([*many("other", "supports", 2), study("case-series", "contradicts", n=500, pmid="9")], "mixed"),
])
def test_whole_body_verdict(studies, verdict):
    g = grade(CLAIM, studies)
    assert g.verdict == verdict, g.reasons
    assert any(r.startswith("Whole body") for r in g.reasons)


@pytest.mark.parametrize("claim, verdict", [
    (HARM, "supported"),  # harms: two cohorts (2 + 2) against one RCT (2)
    (CLAIM, "mixed"),  # benefits: two cohorts (1.5 + 1.5) against one RCT (2)
])
def test_harm_claims_weigh_observational_studies_as_their_proper_evidence(claim, verdict):
    g = grade(claim, [*many("cohort", "supports", 2, n=800), study("rct", "contradicts", n=800, pmid="9")])
    assert g.verdict == verdict
    assert any(r.startswith("Harm claim:") for r in g.reasons) == claim.harm


@pytest.mark.parametrize("studies, verdict, note", [
    # studies that find the effect at a smaller size than claimed: the effect holds, the figure does not
    ([*many("meta-analysis", "contradicts", 3, n=900, magnitude="smaller"), study("rct", n=60, pmid="9",
                                                                                magnitude="as-claimed")],
     "mixed", "Figure check: overstated"),
    ([*many("rct", "supports", 3, n=400, magnitude="smaller")], "mixed", "Figure check: overstated"),
    ([*many("rct", "supports", 3, n=400, magnitude="larger")], "mixed", "Figure check: understated"),
    # figures as claimed: supported
    ([*many("rct", "supports", 3, n=400, magnitude="as-claimed")], "supported", None),
    # a contradiction without a figure is a contradiction of the effect
    (many("rct", "contradicts", 3, n=400), "contradicted", None),
])
def test_figure_check_for_claims_that_state_a_number(studies, verdict, note):
    g = grade(FIGURE, studies)
    assert g.verdict == verdict, g.reasons
    assert any(r.startswith(note) for r in g.reasons) if note else not any("Figure check" in r for r in g.reasons)


# --- 4. Strength ------------------------------------------------------------------------------

@pytest.mark.parametrize("claim, studies, verdict, strength, factor", [
    # a review's own stated certainty caps the grade; a large body keeps its verdict
    (CLAIM, many("meta-analysis", "supports", 3, n=5000, pooled="rcts", stated="low"), "supported", "low",
     "capped at low: the certainty the review behind it states"),
    # risk of bias: most of the weight comes from studies stating limits other than their size
    (CLAIM, many("rct", "supports", 3, n=500, limitations=("open-label",)), "supported", "moderate",
     "risk of bias: most of the weight"),
    # limits about size or power are imprecision, never counted twice
    (CLAIM, many("rct", "supports", 3, n=500, limitations=("underpowered",)), "supported", "moderate",
     "imprecision: most of the weight comes from studies that call themselves small"),
    (CLAIM, many("rct", "supports", 3, n=30, limitations=("pilot", "small sample")), "supported", "low",
     "very serious imprecision: 90 participants"),
    # imprecision: fewer than 400 participants
    (CLAIM, many("rct", "supports", 3, n=100), "supported", "moderate", "imprecision: 300 participants"),
    # very serious imprecision: fewer than 100
    (CLAIM, many("rct", "supports", 3, n=30), "supported", "low", "very serious imprecision: 90 participants"),
    # a size nobody states cannot be judged precise
    (CLAIM, many("rct", "supports", 3), "supported", "moderate", "imprecision: the studies do not state their size"),
    # a review and the trials it pools are counted once: the larger of the two, 300, not 600
    (CLAIM, [study("meta-analysis", n=300, pooled="rcts", pmid="m"), *many("rct", "supports", 2, n=150)],
     "supported", "moderate", "imprecision: 300 participants"),
    # one primary study cannot show consistency, however large
    (CLAIM, [study("rct", n=2000)], "supported", "moderate", "consistency unknown: a single primary study"),
    # a single small RCT and reviews that rest on it: very low on a small body -> insufficient
    (CLAIM, [study("rct", n=18, pmid="r"), study("meta-analysis", pmid="m"), study("narrative-review", pmid="n")],
     "insufficient", "very-low", "consistency unknown: a single primary study (PMID r)"),
    # indirectness: most of the weight from another population
    (CLAIM, many("rct", "supports", 3, n=500, scope="another population: healthy volunteers"), "supported",
     "moderate", "indirectness: most of the weight"),
    # rating up: observational evidence of harm with a dose-response gradient
    (HARM, many("cohort", "supports", 3, n=800, sentence="Memory worsened dose-dependently with use."),
     "supported", "moderate", "a dose-response gradient"),
    # ... or a large effect in at least two studies; a very large one rates up twice
    (HARM, many("cohort", "supports", 2, n=800, sentence="Users had more deficits (OR 3.1, 95% CI 2.0-4.8)."),
     "supported", "moderate", "a large effect in 2 studies"),
    (HARM, many("case-control", "supports", 2, n=800, sentence="Deficits were far more common (OR 7.5)."),
     "supported", "high", "a very large effect in 2 studies"),
])
def test_strength_rules(claim, studies, verdict, strength, factor):
    g = grade(claim, studies)
    assert (g.verdict, g.strength) == (verdict, strength), g.reasons
    assert any(factor in text for _, text in g.factors) or any(factor in r for r in g.reasons), g.factors


@pytest.mark.parametrize("studies", [
    # no rating up once rated down (here for inconsistency)
    [*many("cohort", "supports", 3, n=800, sentence="Harm rose dose-dependently."),
     study("cohort", "contradicts", n=800, pmid="9")],
    # nor for RCT evidence, which already starts high
    many("rct", "supports", 2, n=800, sentence="Effects were dose-dependent."),
])
def test_no_rating_up_when_rated_down_or_randomised(studies):
    assert not any(kind == "up" for kind, _ in grade(HARM, studies).factors)


@pytest.mark.parametrize("studies, verdict, strength", [
    # very low certainty on a small body: the lean is withdrawn
    (many("case-series", "supports", 3, n=20), "insufficient", "very-low"),
    # very low certainty on a large body keeps its direction, at very low
    (many("meta-analysis", "supports", 2, n=5000, pooled="rcts", stated="very-low"), "supported", "very-low"),
    # a mixed verdict is not a direction: it stays mixed, however weak
    ([study("case-report", pmid="1"), study("case-report", "contradicts", pmid="2")], "mixed", "very-low"),
])
def test_insufficient_rule(studies, verdict, strength):
    g = grade(CLAIM, studies)
    assert (g.verdict, g.strength) == (verdict, strength), g.reasons
    assert any(r.startswith("Insufficient:") for r in g.reasons) == (verdict == "insufficient")


def test_grade_carries_its_weighted_tally():
    g = grade(CLAIM, [*many("rct", "supports", 2, n=400), study("rct", "mixed", n=400, pmid="9")])
    assert dict(g.tally) == {"supports": 4.0, "contradicts": 0.0, "mixed": 2.0}
