"""Study classification: design, species, n and retraction, each with its reason."""

from __future__ import annotations

import dataclasses

import pytest

from evidence.grading.classify import classify, design_from_publication_types
from evidence.models import CommentCorrection, MeshHeading, Record
from evidence.vocabulary import TIERS


def rec(title="", abstract="", pts=(), mesh=(), **kw) -> Record:
    return Record(pmid=kw.pop("pmid", "1"), title=title, abstract=abstract, publication_types=tuple(pts),
                  mesh=tuple(MeshHeading(m) for m in mesh), **kw)


@pytest.mark.parametrize("pts, design, reason_part", [
    (("Journal Article", "Randomized Controlled Trial"), "rct", '"Randomized Controlled Trial"'),
    (("Journal Article", "Review", "Meta-Analysis"), "meta-analysis", '"Meta-Analysis"'),
    (("Systematic Review",), "systematic-review", '"Systematic Review"'),
    (("Case Reports",), "case-report", '"Case Reports"'),
    (("Practice Guideline",), "guideline", '"Practice Guideline"'),
    (("Letter", "Comment"), "editorial", "publication type"),
    (("Editorial",), "editorial", '"Editorial"'),
    (("Review",), "narrative-review", '"Review"'),
    (("Retraction of Publication",), "other", "notice"),
    (("Published Erratum",), "other", "notice"),
    (("Clinical Trial",), "non-randomized-trial", '"Clinical Trial"'),
])
def test_design_from_publication_types(pts, design, reason_part):
    sc = classify(rec(title="A title", pts=pts))
    assert sc.design == design
    assert reason_part in sc.design_reason
    assert sc.tier == TIERS[design]


@pytest.mark.parametrize("title, abstract, design, quote", [
    ("Drug X for pain", "In this randomized, double-blind, placebo-controlled trial, 80 patients...", "rct",
     "randomized, double-blind"),
    ("Drug X for pain", "Participants were randomly assigned to drug X or placebo.", "rct", "randomly assigned"),
    ("Drug X for pain: a systematic review and meta-analysis", "We searched MEDLINE.", "meta-analysis", "meta-analysis"),
    ("Drug X for pain", "We searched PubMed and Embase; 12 studies were included.", "systematic-review", "searched"),
    ("Outcomes after surgery", "This retrospective cohort study included 412 adults.", "cohort", "cohort"),
    ("Risk factors", "We conducted a case-control study of 120 cases.", "case-control", "case-control"),
    ("Prevalence of pain", "A cross-sectional survey of nurses.", "cross-sectional", "cross-sectional"),
    ("Rare rash", "We report a case of a 45-year-old woman with a rash.", "case-report", "we report a case"),
    ("Drug X", "A single-arm, open-label phase 2 trial of drug X in 30 patients.", "non-randomized-trial", "single-arm"),
    # background mention of other people's trials is not this study's design
    ("Drug X: an overview", "Randomized controlled trials of drug X are reviewed.", "narrative-review", "overview"),
])
def test_text_only_unindexed_records(title, abstract, design, quote):
    sc = classify(rec(title=title, abstract=abstract, status="Publisher"))
    assert sc.design == design
    assert quote.lower() in sc.design_reason.lower()


def test_clinical_trial_type_with_randomisation_text_is_rct():
    sc = classify(rec(abstract="Patients were randomized to A or B.", pts=("Clinical Trial",)))
    assert sc.design == "rct" and '"Clinical Trial"' in sc.design_reason and "randomized" in sc.design_reason


def test_notice_title_without_types_is_other():
    sc = classify(rec(title="Retraction: Effect of drug X on pain"))
    assert sc.design == "other" and sc.notice


def test_hiding_types_keeps_rct_recognisable():
    full = rec(title="Drug X", abstract="Patients were randomly allocated to drug X or placebo.",
               pts=("Randomized Controlled Trial",), mesh=("Humans",))
    hidden = dataclasses.replace(full, publication_types=(), mesh=())
    assert classify(full).design == classify(hidden).design == "rct"
    assert "publication type" in classify(full).design_reason
    assert "abstract says" in classify(hidden).design_reason


@pytest.mark.parametrize("mesh, text, species, reason_part", [
    (("Humans",), "", "human", '"Humans"'),
    (("Animals", "Rats"), "", "animal", '"Animals"'),
    (("Humans", "Animals"), "", "mixed", '"Humans" and "Animals"'),
    (("Cells, Cultured",), "", "in-vitro", "Cells, Cultured"),
    ((), "Forty patients with migraine were enrolled.", "human", "patients"),
    ((), "Adult male rats received the drug.", "animal", "rats"),
    ((), "HeLa cell lines were exposed to the drug in vitro.", "in-vitro", ""),
    ((), "Mice and healthy volunteers were studied.", "mixed", ""),
    ((), "The drug was studied.", "unknown", "no MeSH"),
])
def test_species(mesh, text, species, reason_part):
    sc = classify(rec(abstract=text, mesh=mesh))
    assert sc.species == species
    assert reason_part in sc.species_reason


@pytest.mark.parametrize("abstract, n", [
    ("In total, 158 patients were randomized to drug or placebo.", 158),
    ("A total of 1,204 participants completed the study.", 1204),
    ("Patients (N=45) received the drug.", 45),
    ("Drug (n = 80) or placebo (n = 78).", 80),
    ("Twenty-four patients were enrolled.", 24),
    ("We included 12 trials with 3,456 participants.", 3456),
    ("Twelve randomized trials were pooled.", None),
    ("The drug was studied in 2019.", None),
    ("45% of the sample improved.", None),
])
def test_sample_size(abstract, n):
    sc = classify(rec(abstract=abstract))
    assert sc.n == n
    if n is not None:
        assert "abstract says" in sc.n_reason


def test_meta_analysis_n_is_participants_not_studies():
    sc = classify(rec(title="A meta-analysis", abstract="Nine studies (2,310 patients) were included."))
    assert sc.n == 2310


@pytest.mark.parametrize("pts, ccs, retracted, reason_part", [
    (("Retracted Publication",), (), True, '"Retracted Publication"'),
    ((), (CommentCorrection("RetractionIn", "999"),), True, "RetractionIn PMID 999"),
    (("Retracted Publication",), (CommentCorrection("RetractionIn", "9"),), True, "; PubMed links"),
    ((), (CommentCorrection("ErratumIn", "9"),), False, ""),
])
def test_retraction_signals(pts, ccs, retracted, reason_part):
    sc = classify(rec(pts=pts, comments_corrections=ccs, retracted=retracted))
    assert sc.retracted is retracted
    assert reason_part in sc.retracted_reason


def test_expression_of_concern():
    sc = classify(rec(comments_corrections=(CommentCorrection("ExpressionOfConcernIn", "7"),)))
    assert sc.expression_of_concern and "ExpressionOfConcernIn PMID 7" in sc.concern_reason


def test_design_from_types_says_nothing_for_plain_articles():
    assert design_from_publication_types(("Journal Article", "Comparative Study")) is None


def test_real_fixture_records_are_classified(ncbi_fixtures):
    from evidence.pubmed.xml_parser import ParsedRecord, iter_pubmed_xml

    path = ncbi_fixtures / "efetch" / "derived_nlm_sample18"
    by_pmid = {}
    for f in sorted(path.glob("*.xml")):
        for item in iter_pubmed_xml(str(f)):
            if isinstance(item, ParsedRecord):
                by_pmid[item.record.pmid] = classify(item.record)
    assert by_pmid["17059514"].design == "rct"
    assert by_pmid["9110943"].design == "meta-analysis"
    assert by_pmid["14594616"].design == "case-report"
    assert by_pmid["11543891"].retracted
    assert by_pmid["9634358"].design == "other" and by_pmid["9634358"].notice
