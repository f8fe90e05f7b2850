"""Direction judge: polarity, negation, hedges, conclusion section vs last sentences, annotations."""

from __future__ import annotations

import pytest

from evidence.grading.direction import (
    apply_annotation,
    conclusion_text,
    infer_polarity,
    judge_conclusion,
    judge_direction,
)
from evidence.models import AbstractSection, Annotation, Claim, Record

STATEMENT = "Drug X reduces migraine frequency"


@pytest.mark.parametrize("conclusion, polarity, expected", [
    ("Drug X significantly reduced migraine frequency compared with placebo.", "effect", "supports"),
    ("Drug X did not reduce migraine frequency.", "effect", "contradicts"),
    ("There was no significant difference in migraine frequency between drug X and placebo.", "effect", "contradicts"),
    ("Drug X failed to reduce migraine frequency.", "effect", "contradicts"),
    # no-effect claims read the same sentences the other way round
    ("There was no significant difference in migraine frequency between drug X and placebo.", "no-effect", "supports"),
    ("Drug X was safe and well tolerated.", "no-effect", "supports"),
    ("Drug X significantly increased the risk of stroke.", "no-effect", "contradicts"),
    # directional claims
    ("Drug X increased serum levels of the hormone.", "increase", "supports"),
    ("Drug X decreased serum levels of the hormone.", "increase", "contradicts"),
    ("Drug X decreased serum levels of the hormone.", "decrease", "supports"),
    ("Drug X did not change serum levels of the hormone.", "increase", "contradicts"),
])
def test_polarity_and_negation(conclusion, polarity, expected):
    d = judge_conclusion(STATEMENT, conclusion, polarity)
    assert d.direction == expected
    assert d.sentence and d.reason and 0 <= d.confidence <= 1


def test_negation_scope_removes_effect_words():
    d = judge_conclusion(STATEMENT, "Drug X did not significantly reduce migraine frequency or improve sleep.")
    assert d.direction == "contradicts"
    assert 'effect "significantly"' not in d.reason


def test_not_only_is_not_a_negation():
    d = judge_conclusion(STATEMENT, "Drug X not only reduced migraine frequency but also improved sleep.")
    assert d.direction == "supports"


def test_hedges_lower_confidence():
    firm = judge_conclusion(STATEMENT, "Drug X significantly reduced migraine frequency.")
    hedged = judge_conclusion(STATEMENT, "Drug X may reduce migraine frequency; further studies are needed.")
    assert hedged.confidence < firm.confidence
    assert "hedge" in hedged.reason


def test_heavy_hedging_is_not_a_firm_finding():
    d = judge_conclusion(STATEMENT, "Drug X might possibly be useful, but the evidence remains uncertain and "
                                    "inconclusive; larger trials are warranted.")
    assert d.direction in ("mixed", "unclear")


def test_claim_terms_outweigh_generic_cues():
    d = judge_conclusion(STATEMENT, "Drug X significantly increased the rebound headache rate.",
                         contradict_terms=("rebound headache",))
    assert d.direction == "contradicts" and "rebound headache" in d.reason


def test_empty_conclusion_is_unclear():
    assert judge_conclusion(STATEMENT, "").direction == "unclear"


def test_conflicting_clauses_are_mixed_or_decided_by_topic():
    d = judge_conclusion("Drug X reduces migraine frequency",
                         "Drug X reduced migraine frequency, but it did not reduce migraine frequency in men.")
    assert d.direction in ("mixed", "supports", "contradicts")
    assert d.sentence


@pytest.mark.parametrize("statement, polarity", [
    ("Does drug X reduce pain?", "effect"),
    ("Is drug X safe in pregnancy?", "no-effect"),
    ("Drug X does not cause autism", "no-effect"),
    ("Drug X not only reduces pain but also sleep problems", "effect"),
    ("Are the two procedures the same?", "no-effect"),
])
def test_infer_polarity(statement, polarity):
    assert infer_polarity(statement) == polarity


def _record(sections=(), abstract=""):
    return Record(pmid="42", title="t", abstract=abstract, abstract_sections=tuple(sections))


def test_labelled_conclusion_section_wins_over_last_sentence():
    r = _record([AbstractSection("RESULTS", "RESULTS", "Drug X reduced migraine frequency significantly."),
                 AbstractSection("CONCLUSIONS", "CONCLUSIONS", "Drug X did not reduce migraine frequency."),
                 AbstractSection("FUNDING", None, "Funded by a grant.")])
    text, source = conclusion_text(r)
    assert text == "Drug X did not reduce migraine frequency." and "CONCLUSIONS" in source
    claim = Claim(id="c", article="a", quote="q", statement=STATEMENT, kind="efficacy", query="x")
    d = judge_direction(claim, r)
    assert d.direction == "contradicts" and "CONCLUSIONS" in d.reason


@pytest.mark.parametrize("label, nlm", [("INTERPRETATION", "CONCLUSIONS"), ("IMPLICATIONS", None),
                                        ("Conclusion", None)])
def test_conclusion_labels(label, nlm):
    r = _record([AbstractSection("BACKGROUND", None, "Background."), AbstractSection(label, nlm, "The finding.")])
    assert conclusion_text(r)[0] == "The finding."


def test_unstructured_abstract_uses_last_sentences():
    r = _record(abstract="Drug X is widely used. We studied 40 patients. Drug X reduced migraine frequency. "
                         "It was well tolerated.")
    text, source = conclusion_text(r)
    assert text == "Drug X reduced migraine frequency. It was well tolerated." and "last sentences" in source


def test_no_abstract_needs_a_reviewer():
    claim = Claim(id="c", article="a", quote="q", statement=STATEMENT, kind="efficacy", query="x")
    d = judge_direction(claim, _record())
    assert d.direction == "unclear" and "42" in d.reason


@pytest.mark.parametrize("override", ["supports", "contradicts", "mixed", "unclear"])
def test_annotation_overrides(override):
    auto = judge_conclusion(STATEMENT, "Drug X significantly reduced migraine frequency.")
    ann = Annotation(claim_id="c", pmid="42", reviewer="Dr Lee", direction=override, note="checked full text")
    d = apply_annotation(auto, ann)
    assert d.direction == override and d.reason == "reviewed by Dr Lee: checked full text" and d.confidence == 1.0


def test_annotation_without_direction_keeps_automatic():
    auto = judge_conclusion(STATEMENT, "Drug X significantly reduced migraine frequency.")
    assert apply_annotation(auto, Annotation("c", "42", "Dr Lee", relevant=True)) == auto


def test_pubmedqa_accuracy_floor(pubmedqa_file):
    """A regression floor well under the measured figure (see docs/benchmarks.md)."""
    import json

    items = json.loads(pubmedqa_file.read_text(encoding="utf-8"))
    label = {"supports": "yes", "contradicts": "no", "mixed": "maybe", "unclear": "maybe"}
    correct = sum(label[judge_conclusion(v["QUESTION"], v["LONG_ANSWER"], infer_polarity(v["QUESTION"])).direction]
                  == v["final_decision"] for v in items.values())
    assert correct / len(items) > 0.6


KETAMINE_CYSTITIS = Claim(id="cystitis", article="a", quote="q", kind="safety", query="x",
                          statement="Repeated ketamine use damages the bladder, causing ulcerative cystitis.",
                          intervention="ketamine", outcome="cystitis")


@pytest.mark.parametrize("title, conclusion, expected", [
    # Off topic: strong generic cues about another subject never count for or against the claim.
    ("Hormone replacement therapy and quality of life",
     "Combined hormone therapy significantly improved quality of life.", "unclear"),
    ("Statins in the elderly", "There was no significant difference in mortality.", "unclear"),
    # On topic through the conclusion, or through the title alone.
    ("Urinary tract findings in recreational users",
     "Ketamine use was significantly associated with ulcerative cystitis.", "supports"),
    ("Ketamine-associated bladder damage: a cohort",
     "Lower urinary tract symptoms were significantly more frequent in users.", "supports"),
])
def test_off_topic_conclusions_stay_unclear(title, conclusion, expected):
    record = Record(pmid="7", title=title, abstract_sections=(AbstractSection("CONCLUSIONS", "CONCLUSIONS", conclusion),))
    d = judge_direction(KETAMINE_CYSTITIS, record)
    assert d.direction == expected, d.reason
    if expected == "unclear":
        assert d.reason.startswith("off topic")


@pytest.mark.parametrize("title, abstract, expected", [
    # Shares the claim's outcome words but never names the intervention: not evidence about it.
    ("Bladder outcomes in statin users", "Statin use was significantly associated with ulcerative cystitis.",
     "unclear"),
    # Names it in the title only, or as a longer word (esketamine contains ketamine): judged.
    ("Ketamine users: a urology cohort", "Use was significantly associated with ulcerative cystitis.", "supports"),
    ("Esketamine and the bladder", "Esketamine use was significantly associated with ulcerative cystitis.",
     "supports"),
])
def test_a_record_must_name_the_intervention(title, abstract, expected):
    record = Record(pmid="8", title=title, abstract=abstract)
    d = judge_direction(KETAMINE_CYSTITIS, record)
    assert d.direction == expected, d.reason
    if expected == "unclear":
        assert "never mentions ketamine" in d.reason


@pytest.mark.parametrize("intervention, terms", [
    ("ketamine", ("ketamine",)), ("intravenous ketamine infusion", ("ketamine",)),
    ("subanaesthetic ketamine or esketamine", ("ketamine", "esketamine")), (None, ()),
])
def test_intervention_terms(intervention, terms):
    from evidence.grading.relevance import concepts

    claim = Claim(id="c", article="a", quote="q", statement="s", kind="efficacy", query="x", intervention=intervention)
    assert concepts(claim).intervention == terms
