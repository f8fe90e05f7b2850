"""The direction judge's rules, one row per kind of reading (docs/grading.md, "Direction").

Every sentence here is written for the test: general study language, not any study's text.
"""

from __future__ import annotations

import pytest

from evidence.grading.direction import judge_direction
from evidence.grading.pairs import judge_pair
from evidence.models import AbstractSection, Claim, Quantity, Record


def claim(statement: str, **kw) -> Claim:
    base = {"id": "c", "article": "a", "quote": "q", "statement": statement, "kind": "efficacy", "query": "x",
            "intervention": "drug X"}
    return Claim(**{**base, **kw})


def record(conclusion: str, title: str = "Drug X study") -> Record:
    return Record(pmid="1", title=title, abstract=conclusion,
                  abstract_sections=(AbstractSection("CONCLUSIONS", "CONCLUSIONS", conclusion),))


PAIN = claim("Drug X reduces pain in chronic pain", polarity="decrease", outcome_terms=("pain",))
ANXIETY = claim("Drug X is effective against anxiety", outcome_terms=("anxiety",))
HARM = claim("Long-term drug X use impairs memory", kind="safety", outcome_terms=("memory", "cognit"))
SHORT_HARM = claim("Common short-term side effects of drug X are nausea and raised blood pressure", kind="safety",
                   outcome_terms=("nausea", "blood pressure", "side effect"))
MECHANISM = claim("Drug X's effect depends on activation of receptor R", kind="mechanism", polarity="increase",
                  outcome_terms=("receptor R",))
RATE = claim("Up to 70% of patients respond to drug X", outcome_terms=("respon",),
             quantities=(Quantity("proportion", 70, "%", "up-to", of="response"),))
DURABLE = claim("One dose of drug X improves mood for weeks", outcome_terms=("mood", "relapse", "sustain"),
                quantities=(Quantity("duration", 2, "weeks", "at-least", of="improvement"),))
RESOLVES = claim("Drug X side effects are mild and resolve within hours", kind="safety", polarity="no-effect",
                 outcome_terms=("side effect",), quantities=(Quantity("duration", 24, "hours", "within"),))
PRECAUTION = claim("Drug X should not be given to people with psychosis", kind="safety", modality="normative",
                   outcome_terms=("psychos",))


@pytest.mark.parametrize("c, conclusion, expected", [
    # the comparator arm's negation is a contrast, not a null finding
    (PAIN, "Drug X lowered pain scores within a day, while placebo did not.", "supports"),
    (PAIN, "Compared with placebo, drug X did not reduce pain.", "contradicts"),
    (PAIN, "Pain did not differ from placebo at any time point.", "contradicts"),
    # a change in every arm is not the drug's effect
    (PAIN, "Pain fell in both arms and did not separate between groups.", "contradicts"),
    # a clause about another outcome barely counts
    (PAIN, "Drug X improved mood, but pain did not improve.", "contradicts"),
    (PAIN, "Drug X lowered pain, with no functional improvement.", "supports"),
    # "more than the comparator" is the claimed change, larger
    (PAIN, "Pain fell 2 points more with drug X than with placebo.", "supports"),
    # an underpowered null is inconclusive
    (PAIN, "In this pilot trial, pain fell more with drug X, but the difference was not significant (p=0.07).",
     "mixed"),
    # a qualified yes
    (ANXIETY, "Drug X may reduce anxiety, but the effects are temporary and the studies heterogeneous.", "mixed"),
    # negation about method is no finding
    (ANXIETY, "Drug X reduced anxiety within an hour; long-term outcomes were not assessed.", "supports"),
    # harm claims: the harm found supports, gains contradict
    (HARM, "Frequent users showed memory impairment that worsened with dose.", "supports"),
    (HARM, "Patients on long-term drug X showed no memory impairment and some gains in attention.", "contradicts"),
    # a short-term harm that resolved is still the harm the claim names
    (SHORT_HARM, "Drug X caused blood-pressure rises that were back at baseline within 90 minutes.", "supports"),
    # mechanism claims: blocking logic
    (MECHANISM, "Blocking receptor R abolished the effects of drug X.", "supports"),
    (MECHANISM, "Blocking receptor R did not block the effect of drug X and instead prolonged it.", "contradicts"),
    (MECHANISM, "Receptor R is one of several pathways for drug X, not the sole mechanism.", "mixed"),
    (MECHANISM, "Drug X reduced receptor R activity rather than activating it.", "contradicts"),
    # numbers: the figure decides
    (RATE, "48% of patients responded to drug X.", "contradicts"),
    (RATE, "72% of patients responded to drug X (20% on placebo).", "supports"),
    (RATE, "Response was 64% with drug X vs 28% with placebo: high, but below 70%.", "mixed"),
    (DURABLE, "Mood improved after one dose of drug X but half had relapsed by day 7.", "contradicts"),
    (DURABLE, "After one dose of drug X, mood improvement was sustained for 6 weeks.", "supports"),
    (RESOLVES, "Side effects of drug X were mild and resolved within 2 hours.", "supports"),
    # a precaution supports a normative claim
    (PRECAUTION, "Guidelines urge careful patient selection and caution with drug X in psychosis.", "supports"),
])
def test_reading_rules(c, conclusion, expected):
    d = judge_direction(c, record(conclusion))
    assert d.direction == expected, d.reason
    assert d.reason and d.judge == "rules"


def test_a_study_about_another_outcome_is_set_aside():
    d = judge_direction(PAIN, record("Drug X significantly improved depression scores.", title="Drug X in depression"))
    assert not d.on_topic and d.reason.startswith("off topic") and "outcome" in d.reason


def test_magnitude_and_scope_are_reported():
    d = judge_direction(RATE, record("48% of patients responded to drug X."))
    assert d.magnitude == "smaller" and '"48%"' in d.reason
    healthy = judge_direction(PAIN, record("Drug X reduced experimental pain in healthy volunteers."))
    assert healthy.scope.startswith("another population")


# Free-text pairs (``evidence judge``, PubMedQA, HealthVer): the claim is a bare statement with no
# outcome terms, so the judge has only the statement's words to go on.
@pytest.mark.parametrize("statement, text, expected", [
    # with no cue, one shared word ("influenza") shows only a shared disease, not an assertion
    # of the claim; two or more shared subject words in a plain sentence read as weak support
    ("Eating garlic protects against influenza.", "Influenza season peaks in winter across temperate countries.",
     "unclear"),
    ("Masks block transmission of respiratory viruses.",
     "Cloth masks block transmission of respiratory viruses in household settings.", "supports"),
    # a clause sharing none of the claim's subject words, beside one that does, is about something
    # else ("but is associated with age"); "but is/was/they..." opens a new clause even without a comma
    ("Skewed gene expression is linked to recurrent miscarriage.",
     "Skewed gene expression is not associated with recurrent miscarriage but is associated with increasing "
     "maternal age.", "contradicts"),
    # a reporting verb ("demonstrate", "confirm", "show that") introduces a null finding; it is no effect
    ("Tracer T measures tumour hypoxia.",
     "These data demonstrate and confirm that tracer T is not a valid measure of tumour hypoxia.", "contradicts"),
    # "and lack of evidence to show X" negates all of X, not just its first words (only "but not" /
    # "and not" negate a few words: "a low but not a high dose")
    ("Nail N gives better fracture outcomes than screw S.",
     "There is no advantage to nail N over screw S for these fractures, with its increased cost and lack of "
     "evidence to show decreased complications or improved fracture outcomes.", "contradicts"),
    # "poor survival" is an outcome the marker goes with, not a verdict of "poor" (a null)
    ("Marker M is a prognostic marker in cancer C.",
     "High marker M expression was associated with poor survival in cancer C.", "supports"),
    # "not withstanding" concedes a limitation; it negates nothing
    ("Is periodontal disease linked to arthritis?", "Not withstanding the limitations of self-report, people with "
     "periodontal disease had a higher risk of arthritis.", "supports"),
    # "equally safe" (as the comparator) is safety, not "not safe"
    ("Is procedure P safe and effective in community hospitals?",
     "Procedure P appears equally safe and effective in community hospitals as in referral centres.", "supports"),
    # a claim that something lowers side effects is a benefit claim, not a safety claim
    ("Does a slower infusion of drug X improve headache while reducing the side effects?",
     "A slower infusion of drug X is an effective strategy for improving headache and reducing side effects.",
     "supports"),
    # a tentative claim ("could X...?") is met by a tentative finding; a firm claim is not
    ("Could smoking reduce the severity of infection I?", "Epidemiological research seems to suggest that smoking "
     "and perhaps nicotine alone could reduce the severity of infection I.", "supports"),
    ("Smoking reduces the severity of infection I.", "Epidemiological research seems to suggest that smoking "
     "and perhaps nicotine alone could reduce the severity of infection I.", "mixed"),
])
def test_pair_rules(statement, text, expected):
    d = judge_pair(statement, text)
    assert d.direction == expected, d.reason
