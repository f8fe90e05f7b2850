"""The real claims registry (queries.yaml) and article: complete, verbatim, well-formed.

Quote matching is re-implemented here (whitespace and typographic quotes only) rather
than taken from evidence.registry, so a loader bug cannot hide a quote that is not there.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from evidence.pubmed.query import query_problems, search_term
from evidence.registry import load_registry
from evidence.vocabulary import KINDS, POLARITIES

from .conftest import REPO

ARTICLE_FILE = REPO / "articles" / "ketamine-therapy.md"
USER_DOCUMENT = REPO.parent / "shared" / "article" / "ketamine-therapy-article.txt"

REQUIRED_IDS = [
    "nmda-antagonist", "bdnf-synaptogenesis", "mtor-pathway", "glutamate-decrease-pfc",
    "glutamate-surge", "low-glutamate-depression", "gaba-anxiolytic", "spinal-analgesia",
    "iv-most-effective", "rapid-onset", "trd-response-70", "durable-single-dose",
    "ssri-nonresponse-third", "suicidality", "ptsd-efficacy", "ocd-efficacy", "social-anxiety",
    "chronic-pain", "acute-side-effects", "hallucinations-transient", "cystitis",
    "cognitive-impairment", "addiction", "psychosis-contraindication",
]


def _norm(text: str) -> str:
    text = re.sub("[\u2018\u2019]", "'", text)
    text = re.sub("[\u201c\u201d]", '"', text)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def registry():
    return load_registry(REPO / "queries.yaml")


@pytest.fixture(scope="module")
def article_body() -> str:
    text = ARTICLE_FILE.read_text(encoding="utf-8")
    assert text.startswith("---\n"), "the article file starts with a --- header"
    return text.split("\n---\n", 1)[1]


@pytest.mark.parametrize("claim_id", REQUIRED_IDS)
def test_required_claim_present(registry, claim_id):
    claim = registry.claim(claim_id)
    assert claim.article == "ketamine-therapy"
    assert claim.statement and claim.query


def test_ids_unique_and_more_than_required(registry):
    ids = [c.id for c in registry.claims]
    assert len(ids) == len(set(ids))
    assert set(REQUIRED_IDS) <= set(ids)


def test_every_quote_occurs_in_the_article(registry, article_body):
    missing = [c.id for c in registry.claims if _norm(c.quote) not in _norm(article_body)]
    assert missing == []


def test_quotes_of_different_claims_do_not_overlap(registry, article_body):
    # The article view links each claim's quote; overlapping quotes would hide a claim.
    body = _norm(article_body)
    spans = sorted((body.index(_norm(c.quote)), body.index(_norm(c.quote)) + len(_norm(c.quote)), c.id)
                   for c in registry.claims)
    overlaps = [(a[2], b[2]) for a, b in zip(spans, spans[1:], strict=False) if b[0] < a[1]]
    assert overlaps == []


def test_article_body_is_the_users_document_verbatim(article_body):
    if not USER_DOCUMENT.is_file():
        pytest.skip(f"user document not found at {USER_DOCUMENT}")
    assert article_body.strip("\n") == USER_DOCUMENT.read_text(encoding="utf-8").strip("\n")


def test_article_record(registry, article_body):
    art = registry.article("ketamine-therapy")
    assert art.publisher == "RestoratIV Wellness & Infusion Center"
    assert "supplied by the user" in art.source  # no URL is invented
    assert art.text.strip() == article_body.strip()


@pytest.mark.parametrize("claim_id", list(REQUIRED_IDS))
def test_query_is_well_formed(registry, claim_id):
    claim = registry.claim(claim_id)
    assert query_problems(claim.query) == []
    assert query_problems(search_term(claim)) == []


def test_all_queries_and_terms_well_formed(registry):
    bad = {c.id: query_problems(search_term(c)) for c in registry.claims if query_problems(search_term(c))}
    assert bad == {}


def test_queries_use_mesh_and_free_text(registry):
    # A good claim query combines controlled vocabulary with title/abstract words.
    weak = [c.id for c in registry.claims if "[mh]" not in c.query or "[tiab]" not in c.query]
    assert weak == []


def test_ketamine_claims_search_for_ketamine(registry):
    off_topic = [c.id for c in registry.claims if c.kind not in {"epidemiology", "pathophysiology"}
                 and "ketamine[mh]" not in c.query]
    assert off_topic == []


def test_contradicts_symmetric_and_glutamate_pair(registry):
    by_id = {c.id: c for c in registry.claims}
    for c in registry.claims:
        for other in c.contradicts:
            assert c.id in by_id[other].contradicts, (c.id, other)
    assert "glutamate-surge" in by_id["glutamate-decrease-pfc"].contradicts
    assert "glutamate-decrease-pfc" in by_id["glutamate-surge"].contradicts


@pytest.mark.parametrize(
    "claim_id, polarity",
    [
        ("hallucinations-transient", "no-effect"),
        ("glutamate-decrease-pfc", "decrease"),
        ("glutamate-surge", "increase"),
        ("low-glutamate-depression", "decrease"),
        ("suicidality", "decrease"),
        ("cystitis", "effect"),
        ("bdnf-synaptogenesis", "increase"),
    ],
)
def test_polarity(registry, claim_id, polarity):
    assert registry.claim(claim_id).polarity == polarity


def test_enums_and_clinical_flags(registry):
    assert {c.kind for c in registry.claims} <= set(KINDS)
    assert {c.polarity for c in registry.claims} <= set(POLARITIES)
    assert not registry.claim("mtor-pathway").clinical
    assert registry.claim("cystitis").clinical


def test_clinical_claims_filter_to_humans(registry):
    unfiltered = [c.id for c in registry.claims if c.kind in {"efficacy", "safety"} and not c.humans_only]
    assert unfiltered == []


def test_claim_lines_point_at_their_ids():
    lines = (REPO / "queries.yaml").read_text(encoding="utf-8").splitlines()
    reg = load_registry(REPO / "queries.yaml")
    for c in reg.claims:
        assert re.fullmatch(rf"\s*- id: {re.escape(c.id)}\s*", lines[c.line - 1]), c.id


def test_path_is_kept(registry):
    assert Path(registry.path).name == "queries.yaml"
