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


# --- design from study-design language (unindexed records: no types, no MeSH) -------------
# Each row is one rule of evidence.grading.designs, in general wording, with the words it must quote.

@pytest.mark.parametrize("title, abstract, design, quote", [
    # laboratory work: the species decides when no review or commentary cue does (OCEBM level 5)
    ("Drug X reverses stress deficits", "In chronically stressed rats, drug X (10 mg/kg i.p.) restored sucrose preference.",
     "animal", "laboratory study (animal)"),
    ("Drug X and GABA-A currents", "In cultured murine neurons, drug X (100 µM) enhanced tonic currents.", "in-vitro",
     "laboratory study (in-vitro)"),
    ("Drug X and inhibition", "Drug X reduced inhibitory input in rat hippocampal slices.", "in-vitro", "in-vitro"),
    # trials whose cue is not "randomized <fixed word>"
    ("Drug X in depression", "In a double-blind crossover RCT of 20 patients, drug X lowered scores.", "rct", '"RCT"'),
    ("A randomized add-on trial of drug X in bipolar depression", "Drug X improved mood.", "rct",
     "randomized add-on trial"),
    ("Drug X in depressed patients", "First placebo-controlled crossover trial: one infusion lowered scores.", "rct",
     "randomisation assumed"),
    ("Drug X for suicidal thoughts: a midazolam-controlled trial", "Scores fell more with drug X.", "rct",
     "midazolam-controlled trial"),
    ("Drug X for pain", "In CRPS, a 4-day infusion of drug X lowered pain scores versus placebo over 12 weeks.", "rct",
     "versus placebo"),
    ("Drug X for pain", "A double-blind study of drug X in 40 patients with neuropathic pain.", "rct", "double-blind"),
    ("Drug X on cognition: results from four phase 3 studies", "Cognition stayed stable.", "rct", "phase 3 studies"),
    ("Drug X in lymphoma", "This phase II study of drug X in 62 patients... worth a phase III trial.",
     "non-randomized-trial", "phase II study"),
    ("Time to relapse after drug X", "In the multisite dose-finding trial, 48% responded.", "rct",
     "multisite dose-finding trial"),
    ("Drug X: long-term extension study", "In this open-label extension of two double-blind trials, 800 patients...",
     "non-randomized-trial", "extension"),
    # syntheses without the words "meta-analysis" or "systematic review"
    ("Drug X for cancer pain", "Only three eligible RCTs were found; evidence was insufficient.", "systematic-review",
     "three eligible RCTs"),
    ("Drug X for depression", "Summary-of-findings table: response 46% vs 26%.", "systematic-review",
     "summary-of-findings"),
    ("Drug X and early trials", "Across 7 placebo-controlled trials, drug X raised the odds of response (OR 9.9).",
     "meta-analysis", "OR 9.9"),
    ("Drug X for anxiety", "Individual data from 10 controlled trials showed a fall in ideation.", "meta-analysis",
     "individual data from 10"),
    # pooled secondary analyses: a trial only while arms are compared
    ("Adverse events of drug X: a post hoc analysis of pooled data from phase 3 trials",
     "Dizziness was most frequent in week 1 and declined.", "other", "post hoc"),
    ("Drug X for depression", "Pooled data from two trials: drug X improved depression more than placebo.", "rct",
     "pooled analysis of trial arms"),
    # non-randomised interventional studies
    ("Drug X in anxiety", "Open-label weekly drug X for 3 months: anxiety fell by half in 20 patients.",
     "non-randomized-trial", "Open-label"),
    ("Drug X in anxiety", "Ascending doses reduced anxiety in 12 patients; 10 of 12 responded, uncontrolled.",
     "non-randomized-trial", ", uncontrolled"),
    ("Drug X and cognition", "After six intravenous infusions over 12 days, 15 patients showed no decline.",
     "non-randomized-trial", "After six intravenous infusions"),
    ("Drug X and glutamate", "In 11 patients given 0.5 mg/kg drug X, prefrontal Glx rose by 38%.",
     "non-randomized-trial", "given 0.5 mg"),
    ("Effects of drug X in healthy volunteers", "Drug X caused brief rises in 18 people.", "non-randomized-trial",
     "volunteers"),
    ("Outcomes with drug Y", "Many remitters got there only after 8 weeks of treatment.", "non-randomized-trial",
     "after 8 weeks of treatment"),
    # observational studies
    ("Cognition after drug X: a retrospective chart review", "In 22 clinic patients, scores did not fall.", "cohort",
     "retrospective chart"),
    ("Blood pressure after drug X", "In 684 clinical infusions given to 66 patients, pressure rose by 3 mmHg.",
     "cohort", "clinical infusions"),
    ("Outcome of patients given drug X", "Patients had no worse symptoms 8 months later than matched patients.",
     "cohort", "8 months later"),
    ("Drug X response", "In 47 patients, benzodiazepine doses above 8 mg were linked to non-response.", "cohort",
     "were linked to"),
    ("Memory in drug users", "Twenty users showed memory deficits compared with 20 polydrug controls.",
     "case-control", "controls"),
    ("Memory in drug users", "Eleven users had deficits versus 15 matched polydrug controls.", "case-control",
     "matched polydrug controls"),
    ("Drug use and memory", "In 565 users and 261 controls, more frequent or higher-dose use went with poorer memory.",
     "cross-sectional", "more frequent or higher-dose use"),
    ("Drug X use", "An online survey of 1,200 adults asked about drug X.", "cross-sectional", "online survey"),
    # guidelines, commentaries, reviews without the word review
    ("Drug X in mood disorders", "A task force consensus urges careful selection of patients.", "guideline",
     "task force"),
    ("Drug X and mTOR", "Commentary putting into context a finding that mTOR mediates drug X's action.", "editorial",
     "Commentary"),
    ("Drug X and blood pressure: a clinical discussion", "Argues that hypertensive episodes are transient.",
     "narrative-review", "clinical discussion"),
    ("Mechanisms of drug X", "Lists mTOR activation as one of several proposed pathways.", "narrative-review",
     "Lists"),
    ("Drug models", "Chemical and surgical models of liver failure are reviewed.", "narrative-review", "are reviewed"),
    ("Rare rash after drug X: case report and review of the literature", "A 45-year-old woman...", "case-report",
     "case report"),
    ("Sialorrhea: case series and review of literature", "Five subjects improved with drug X.", "case-series",
     "case series"),
    ("Variant classification: recommendations from the expert panel", "The panel reviewed criteria.", "guideline",
     "recommendations"),
    ("Tear osmolarity and keratometry", "Design: observational prospective nonrandomized study of 50 subjects.",
     "cohort", "prospective"),
    ("Risk chart recalibration", "The study is based on pooled epidemiological cohort data from 1975-2001.",
     "cohort", "cohort"),
    ("Drug X and the bladder", "A review of 17 studies found cystitis in frequent users.", "systematic-review",
     "review of 17 studies"),
    ("Keratitis after surgery", "CONCLUSIONS: A 79-year-old woman developed keratitis.", "case-report",
     "79-year-old woman"),
    ("Drug X in volunteers", "Twenty people received drug X or placebo in a crossover design.", "rct", "or placebo"),
    ("Drug X outcomes", "We retrospectively reviewed 120 charts of adults treated with drug X.", "cohort",
     "retrospectively reviewed"),
    ("Drug X and falls", "In a nationwide database of 40,000 adults, falls were more common.", "cohort",
     "nationwide database"),
    ("Drug X use among students", "The prevalence of drug X use was 4% among 2,000 students.", "cross-sectional",
     "prevalence of"),
    # a study that counts its participants but names no design: the weakest clinical design
    ("Drug X in migraine", "We examined 60 patients with migraine; 45% improved.", "case-series", "60 patients"),
])
def test_design_language(title, abstract, design, quote):
    sc = classify(rec(title=title, abstract=abstract, status="Publisher"))
    assert sc.design == design, sc.design_reason
    assert quote.lower() in sc.design_reason.lower()
    assert sc.tier == TIERS[design]


@pytest.mark.parametrize("title, abstract, not_design", [
    ("Drug X in pain", "Medical records were reviewed for 120 patients after chart review.", "narrative-review"),
    ("Drug X in pain", "Randomized trials of drug X are summarised in this overview.", "rct"),
    ("Drug X in pain", "We argue that drug X works: 40 patients improved by 30% (p<0.01).", "narrative-review"),
    ("Drug X in pain", "Risk factors for pain are discussed.", "cohort"),
    ("Drug X", "A randomized observational cohort study of 300 patients.", "rct"),
    ("Drug X in hypertension", "Of 96 persons, 12 had uncontrolled HIV.", "non-randomized-trial"),
    ("Prostatectomy findings", "Pretreatment PSA was recorded in 300 men.", "non-randomized-trial"),
    ("APOA1 polymorphisms", "Blood from 200 healthy volunteers was genotyped.", "non-randomized-trial"),
    ("Structure of enzyme X", "Here we solved the crystal structure of X and we propose a mechanism.",
     "narrative-review"),
    ("Glacier retreat", "Community shifts were predicted by ice loss over 40 years (p<0.01).", "cohort"),
])
def test_design_language_does_not_overreach(title, abstract, not_design):
    assert classify(rec(title=title, abstract=abstract)).design != not_design


def test_cochrane_journal_is_a_systematic_review_or_with_a_pooled_estimate_a_meta_analysis():
    sr = classify(rec(title="Drug X for pain", abstract="Three trials were too small to conclude.",
                      journal="Cochrane Database Syst Rev"))
    ma = classify(rec(title="Drug X for pain", abstract="Response rose (OR 2.48, 95% CI 1.00 to 6.18).",
                      journal="Cochrane Database Syst Rev"))
    assert sr.design == "systematic-review" and "Cochrane Database Syst Rev" in sr.design_reason
    assert ma.design == "meta-analysis" and "OR 2.48" in ma.design_reason


def test_types_still_win_over_assumed_randomisation():
    sc = classify(rec(abstract="Drug X worsened symptoms; a double-blind design was used.",
                      pts=("Controlled Clinical Trial",)))
    assert sc.design == "non-randomized-trial"


@pytest.mark.parametrize("abstract, species, reason_part", [
    ("In treatment-resistant depression, drug X improved MADRS scores.", "human", "condition or measure of people"),
    ("Drug X was better than placebo in a double-blind crossover trial.", "human", "study of people"),
    ("In cultured murine neurons, drug X (100 µM) enhanced tonic currents.", "in-vitro", "no in-vivo cue"),
    ("Cultured rat neurons and awake rats given drug X (30 mg/kg) were studied.", "animal", "treated alive"),
    ("In a randomised trial of 20 patients the rodent prediction was not confirmed.", "human", "background"),
    ("Twenty recreational users had memory deficits.", "human", "users"),
    ("Drug X raised firing in iPSC-derived neurons.", "in-vitro", "iPSC-derived"),
    ("Review of receptor mechanisms and signalling pathways of drug X.", "mixed", "animal and human work"),
])
def test_species_from_text(abstract, species, reason_part):
    sc = classify(rec(abstract=abstract))
    assert sc.species == species, sc.species_reason
    assert reason_part in sc.species_reason


@pytest.mark.parametrize("abstract, n", [
    ("In 17 schizophrenia patients and 18 healthy volunteers, drug X raised scores.", 35),
    ("Twenty users showed deficits compared with 20 polydrug controls.", 40),
    ("Across four trials (747 adults under 65 and 137 aged 65+), cognition was stable.", 884),
    ("In 13 neuroleptic-free schizophrenia patients, symptoms worsened.", 13),
    ("A pooled analysis of 205 infusions in 97 trial participants.", 97),
    ("Open-label treatment: 18 of 20 reported better functioning.", 20),
    ("Only three eligible RCTs were found.", None),
    ("Nine small reports (41 patients) were found.", 41),
])
def test_sample_size_groups_and_modifiers(abstract, n):
    sc = classify(rec(abstract=abstract))
    assert sc.n == n, sc.n_reason


@pytest.mark.parametrize("abstract, certainty", [
    ("Response was higher (very-low-certainty evidence).", "very-low"),
    ("GRADE certainty was very low.", "very-low"),
    ("Pain fell by 2 points with low certainty of evidence.", "low"),
    ("Drug X did not reduce pain (very-low-quality evidence).", "very-low"),
    ("Moderate-certainty evidence for pain; low-certainty evidence for function.", "low"),
    ("High-quality care was given to all.", None),
    ("Drug X improved pain.", None),
])
def test_stated_certainty(abstract, certainty):
    assert classify(rec(abstract=abstract)).stated_certainty == certainty


@pytest.mark.parametrize("abstract, limits", [
    ("A small proof-of-concept study.", ("small proof-of-concept study",)),
    ("Pilot RCT; underpowered for the secondary outcome.", ("Pilot", "underpowered")),
    ("Open-label weekly dosing; no control group.", ("Open-label", "no control group")),
    ("OR 28.9 with a very wide confidence interval, reflecting tiny samples.",
     ("very wide confidence interval", "tiny samples")),
    ("Data are too limited for firm conclusions.", ("Data are too limited for firm conclusions",)),
    ("Evidence rests on small, often uncontrolled studies.", ("uncontrolled studies",)),
    ("A small effect on pain in 400 patients with uncontrolled hypertension.", ()),
])
def test_limitations(abstract, limits):
    assert classify(rec(abstract=abstract)).limitations == limits


def test_stored_label_survives_the_cache_round_trip(tmp_path):
    from evidence.cache import Cache
    from evidence.grading.labels import classify_records

    record = rec(pmid="42", abstract="A pilot, open-label study (low-certainty evidence) of 12 patients.")
    with Cache(tmp_path / "c.sqlite") as cache:
        fresh = classify_records(cache, [record])["42"]
        stored = classify_records(cache, [record])["42"]
    assert fresh.limitations == ("pilot", "open-label") and fresh.stated_certainty == "low"
    assert stored == fresh and isinstance(stored.limitations, tuple)
