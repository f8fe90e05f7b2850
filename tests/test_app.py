"""The dashboard, page by page, through Streamlit's AppTest against temporary caches.

Two caches: one from the real recorded efetch responses (../shared, skipped when absent)
and one from our own tests/data/parser_*.xml (so a fresh clone still tests every page).
Both use the real queries.yaml. What the pages show is compared with what the library
computes from the same cache, never with numbers written here.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd
import pytest

from evidence import dashboard as dv
from evidence.cache import Cache
from evidence.dashboard import studies_frame
from evidence.grading.service import assess_claims
from evidence.registry import search_term
from tests.dashboard_cache import (
    OWN_XML,
    SCRIPT_PMID,
    SCRIPT_TITLE,
    BuiltCache,
    build_cache,
    parse_files,
    real_fixture_files,
)

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(params=["own", "real"])
def built(request, tmp_path) -> BuiltCache:
    if request.param == "own":
        records = parse_files(OWN_XML)
    else:
        records = parse_files(real_fixture_files(request.getfixturevalue("ncbi_fixtures")))
    return build_cache(tmp_path / "evidence.sqlite", records)


@pytest.fixture
def own_built(tmp_path) -> BuiltCache:
    return build_cache(tmp_path / "evidence.sqlite", parse_files(OWN_XML))


def run_app(monkeypatch, cache: Path, queries: Path, **params: str):
    monkeypatch.setenv("EVIDENCE_CACHE", str(cache))
    monkeypatch.setenv("EVIDENCE_QUERIES", str(queries))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def graded(built: BuiltCache):
    with Cache(built.path, readonly=True) as cache:
        return assess_claims(built.registry.claims, cache)


def claim_ids(table: pd.DataFrame) -> list[str]:
    """Claim ids from the overview's link column (?page=claim&claim=<id>)."""
    return [link.split("claim=", 1)[1] for link in table["claim"]]


def all_text(at) -> str:
    parts = [e.value for kind in ("title", "markdown", "caption", "code", "subheader", "info", "warning",
                                  "error", "success") for e in getattr(at, kind)]
    parts += [e.label for e in at.expander]
    return "\n".join(map(str, parts))


def test_overview_lists_every_claim_with_its_grade(monkeypatch, built):
    at = run_app(monkeypatch, built.path, built.queries)
    assert not at.exception
    assert at.title[0].value == "Claims and their evidence"
    table = at.dataframe[0].value
    evidence = graded(built)
    assert set(claim_ids(table)) == {c.id for c in built.registry.claims}
    shown = dict(zip(claim_ids(table), zip(table["verdict"], table["strength"], table["studies"], strict=False), strict=False))
    for cid, ev in evidence.items():
        assert shown[cid] == (ev.grade.verdict, ev.grade.strength, len(ev.assessments))
    assert at.get("vega_lite_chart"), "the studies-by-design chart is missing"
    quotes = all_text(at)
    assert dv.md_escape(built.registry.claims[0].quote) in quotes


def test_overview_filters_by_verdict(monkeypatch, own_built):
    at = run_app(monkeypatch, own_built.path, own_built.queries)
    verdicts = sorted(set(at.dataframe[0].value["verdict"]))
    at.multiselect(key="verdict").set_value([verdicts[0]]).run()
    assert not at.exception
    table = at.dataframe[0].value
    expected = {cid for cid, ev in graded(own_built).items() if ev.grade.verdict == verdicts[0]}
    assert set(claim_ids(table)) == expected and set(table["verdict"]) == {verdicts[0]}


def test_claim_page_shows_query_grade_and_studies_best_first(monkeypatch, built):
    claim = built.registry.claims[0]
    at = run_app(monkeypatch, built.path, built.queries, page="claim", claim=claim.id)
    assert not at.exception
    assert at.title[0].value == claim.statement
    assert search_term(claim) in [c.value for c in at.code]
    ev = graded(built)[claim.id]
    text = all_text(at)
    assert f'data-verdict="{ev.grade.verdict}" data-strength="{ev.grade.strength}"' in text
    for reason in ev.grade.reasons:
        assert dv.md_escape(reason) in text
    link = list(at.get("link_button"))
    assert link and link[0].proto.url == dv.pubmed_search_url(search_term(claim))
    table = at.dataframe[0].value
    expected = studies_frame(ev)
    assert list(table["pubmed"]) == [dv.pubmed_url(p) for p in expected["pmid"]]
    assert list(table["retracted"] == "RETRACTED") == list(expected["retracted"])
    log = at.dataframe[-1].value
    assert list(log["count"]) == [len(built.links[claim.id])]
    assert list(log["query_translation"]) == [f"translated: {search_term(claim)}"]


def test_claim_page_filters_studies_by_design(monkeypatch, built):
    claim = built.registry.claims[0]
    at = run_app(monkeypatch, built.path, built.queries, page="claim", claim=claim.id)
    designs = sorted(at.multiselect(key="design").options)
    at.multiselect(key="design").set_value([designs[-1]]).run()
    assert not at.exception
    expected = studies_frame(graded(built)[claim.id])
    expected = expected[expected["design"] == designs[-1]]
    table = at.dataframe[0].value
    assert list(table["pubmed"]) == [dv.pubmed_url(p) for p in expected["pmid"]]
    assert set(table["design"]) == {designs[-1]}


def test_claim_page_cites_the_studies_shown_without_retracted_ones(monkeypatch, built):
    from evidence.outputs.exports import export_records

    claim = built.registry.claims[0]
    at = run_app(monkeypatch, built.path, built.queries, page="claim", claim=claim.id)
    at.selectbox(key="cite").set_value("Vancouver")
    at.radio(key="cite_scope").set_value("shown").run()
    assert not at.exception
    ev = graded(built)[claim.id]
    shown = [a.record.pmid for a in ev.assessments]
    with Cache(built.path, readonly=True) as cache:
        full = {r.pmid: r for r in cache.records(shown)}
    expected = export_records([full[p] for p in shown], "vancouver")
    codes = [c.value.strip() for c in at.code]
    assert expected.strip() in codes  # every study the filters keep, best evidence first
    assert "RETRACTED" not in expected
    downloads = at.get("download_button")
    assert any(d.proto.label == "Download Vancouver" for d in downloads)


def test_article_view_highlights_quotes_and_pairs_contradictions(monkeypatch, built):
    at = run_app(monkeypatch, built.path, built.queries, page="article")
    assert not at.exception
    article = built.registry.articles[0]
    assert at.title[0].value == article.title
    body = next(m.value for m in at.markdown if "evidence-article" in m.value)
    evidence = graded(built)
    for claim in built.registry.claims_for(article.id):
        g = evidence[claim.id].grade
        assert f'href="?page=claim&amp;claim={claim.id}"' in body
        assert f">{claim.id}: {g.verdict}</span>" in body  # the tag names the claim and its verdict
        # ... and shows the claim's statement on hover (escaped as the attribute needs)
        assert f'title="{html.escape(f"{claim.id}: {claim.statement} ({g.verdict}, {g.strength})")}"' in body
    # Headings render as headings; the tag colours have a key.
    assert "<h2 " in body and "<h3 " in body and ">What Is Ketamine?</h3>" in body
    legend = all_text(at)
    assert "evidence-legend-verdict" in legend and "evidence-legend-strength" in legend
    paired = [c for c in built.registry.claims if c.contradicts]
    if paired:
        assert "Claims that contradict each other" in [s.value for s in at.subheader]
        assert f"**[{paired[0].id}](?page=claim&claim={paired[0].id})**" in all_text(at)


def test_annotation_changes_the_grade_and_is_kept(monkeypatch, own_built):
    claim_id = own_built.single
    before = graded(own_built)[claim_id].grade
    # One unranked record: supports or contradicts would be very low on a small body, hence
    # still "insufficient" (docs/grading.md 4); a mixed reading is no direction and shows as mixed.
    override = "contradicts" if before.verdict == "supported" else "mixed"
    at = run_app(monkeypatch, own_built.path, own_built.queries, page="claim", claim=claim_id)
    pmid = own_built.links[claim_id][0]
    at.selectbox(key="ann_pmid").set_value(pmid)
    at.radio(key="ann_relevance").set_value("relevant")
    at.selectbox(key="ann_direction").set_value(override)
    at.text_input(key="ann_note").input("read the full text")
    at.text_input(key="reviewer").input("Dr Reviewer")
    next(b for b in at.button if b.label == "Save review").click().run()
    assert not at.exception
    after = graded(own_built)[claim_id].grade
    assert after.verdict != before.verdict
    text = all_text(at)
    assert f'data-verdict="{after.verdict}"' in text and f'data-verdict="{before.verdict}"' not in text
    assert "Saved Dr Reviewer's review of PMID" in [s.value for s in at.success][0]
    assert list(at.dataframe[0].value["reviewed by"]) == ["Dr Reviewer"]
    # The reviewer is named wherever the decision changes the grade: the reasons and the summary.
    assert dv.md_escape(f"Reviewer decisions: PMID {pmid} read as {override} by Dr Reviewer") in text
    with Cache(own_built.path, readonly=True) as cache:
        (saved,) = cache.annotations(claim_id)
    assert (saved.pmid, saved.direction, saved.relevant, saved.note) == (pmid, override, True, "read the full text")


def test_annotation_needs_a_reviewer_name(monkeypatch, own_built):
    at = run_app(monkeypatch, own_built.path, own_built.queries, page="claim", claim=own_built.single)
    next(b for b in at.button if b.label == "Save review").click().run()
    assert not at.exception
    assert "Enter your name" in at.error[0].value
    with Cache(own_built.path, readonly=True) as cache:
        assert cache.annotations() == []


def test_script_in_a_title_shows_as_text(monkeypatch, built):
    claim = built.registry.claims[0]
    at = run_app(monkeypatch, built.path, built.queries, page="claim", claim=claim.id)
    assert not at.exception
    assert dv.title_link(SCRIPT_PMID, SCRIPT_TITLE) in list(at.dataframe[0].value["title"])
    at.text_input(key="q").input(SCRIPT_PMID).run()
    assert list(at.dataframe[0].value["title"]) == [dv.title_link(SCRIPT_PMID, SCRIPT_TITLE)]
    detail = next(m.value for m in at.markdown if m.value.startswith(f"**PMID {SCRIPT_PMID}**"))
    assert "&lt;script&gt;" in detail and "<script" not in detail
    # Markdown-rendered text never carries the raw tag; code blocks (the citations) show text verbatim.
    rendered = all_text(at)
    for code in at.code:
        rendered = rendered.replace(str(code.value), "")
    assert "<script" not in rendered


def test_whats_new_lists_new_studies_and_grade_changes(monkeypatch, own_built):
    at = run_app(monkeypatch, own_built.path, own_built.queries, page="new")
    assert not at.exception
    assert at.title[0].value == "What's new"
    text = all_text(at)
    total = sum(len(p) for p in own_built.links.values())
    assert f"{total} new studies for " in text and "0 grade changes" in text
    for claim_id, pmids in own_built.links.items():
        for pmid in pmids[:3]:
            assert f"[PMID {pmid}]({dv.pubmed_url(pmid)})" in text, (claim_id, pmid)
    # The first refresh gives every claim its first grade: that is not a change (as in the digest).
    subheads = [s.value for s in at.subheader]
    assert f"First grades (not changes) ({len(own_built.registry.claims)})" in subheads
    assert not any(s.startswith("Grade changes") for s in subheads)
    assert not at.dataframe  # sentences, not a raw table


def test_empty_cache_says_what_to_run(monkeypatch, tmp_path):
    queries = Path(APP).parent / "queries.yaml"
    for path, create in ((tmp_path / "none.sqlite", False), (tmp_path / "norun.sqlite", True)):
        if create:
            Cache(path).close()
        at = run_app(monkeypatch, path, queries)
        assert not at.exception
        assert at.title[0].value == "No evidence yet"
        assert "evidence refresh" in at.code[0].value
        # The commands name the cache in effect: following them fills the cache this dashboard reads.
        assert f"EVIDENCE_CACHE={path} evidence refresh" in at.code[0].value
        assert not at.dataframe and not at.get("vega_lite_chart")


def test_stale_cache_says_so(monkeypatch, tmp_path):
    built = build_cache(tmp_path / "old.sqlite", parse_files(OWN_XML), now="2020-01-01T00:00:00+00:00")
    at = run_app(monkeypatch, built.path, built.queries)
    assert not at.exception
    assert "stale" in at.warning[0].value and "evidence refresh" in at.warning[0].value


def test_corrupt_cache_gives_a_clear_error(monkeypatch, tmp_path):
    path = tmp_path / "evidence.sqlite"
    path.write_bytes(b"this is not a database \x00\x01\x02" * 200)
    at = run_app(monkeypatch, path, Path(APP).parent / "queries.yaml")
    assert not at.exception
    message = at.error[0].value
    assert "is damaged (file is not a database)" in message and str(path) in message
    assert "annotations export" in message  # rebuilding it keeps the reviews


def test_broken_queries_gives_a_clear_error(monkeypatch, tmp_path, own_built):
    bad = tmp_path / "queries.yaml"
    bad.write_text("articles:\n  - id: x\n\tclaims: [\n", encoding="utf-8")
    at = run_app(monkeypatch, own_built.path, bad)
    assert not at.exception
    assert "claims registry cannot be loaded" in at.error[0].value and str(bad) in at.error[0].value


@pytest.mark.parametrize("page,title", [("overview", "Claims and their evidence"), ("new", "What's new")])
def test_page_comes_from_the_url(monkeypatch, own_built, page, title):
    at = run_app(monkeypatch, own_built.path, own_built.queries, page=page)
    assert not at.exception and at.title[0].value == title
    assert at.radio(key="page").value == page


def test_annotations_download_holds_saved_reviews(monkeypatch, own_built):
    from evidence.models import Annotation
    from evidence.outputs.annotations_csv import export_annotations_csv

    with Cache(own_built.path) as cache:
        cache.save_annotation(Annotation(own_built.single, own_built.links[own_built.single][0], "Ann", False))
        expected = export_annotations_csv(cache.annotations())
    at = run_app(monkeypatch, own_built.path, own_built.queries)
    assert not at.exception
    (button,) = at.get("download_button")
    assert "Ann" in expected and button.proto.label == "Download reviews (CSV)"
    assert isinstance(at.dataframe[0].value, pd.DataFrame)


# --- the view-model, without Streamlit ---------------------------------------------------

@pytest.mark.parametrize("text,quote,expected", [
    ("Ketamine is  an\nNMDA antagonist.", "is an NMDA", "is  an\nNMDA"),  # whitespace may differ
    ("It\u2019s \u201cfast\u201d here", "It's \"fast\"", "It\u2019s \u201cfast\u201d"),  # quote style may differ
    ("abc", "abd", None),
    ("abc", "   ", None),
])
def test_find_quote_span(text, quote, expected):
    span = dv.find_quote_span(text, quote)
    assert (text[span[0]:span[1]] if span else None) == expected


def test_highlight_article_escapes_text_and_quotes():
    text = "Intro <b>x</b>. The <script>alert(1)</script> claim & more. Tail."
    marks = [dv.QuoteMark("c1", "The <script>alert(1)</script> claim", "supported", "?page=claim&claim=c1"),
             dv.QuoteMark("c2", "claim & more", "mixed", "?page=claim&claim=c2"),
             dv.QuoteMark("c3", "not in the text", "mixed", "?page=claim&claim=c3")]
    body, missing = dv.highlight_article(text, marks)
    assert missing == ["c3"]
    assert "<script" not in body and "<b>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "&lt;b&gt;x&lt;/b&gt;" in body
    assert body.count("<mark") == 1  # c2 overlaps c1: one highlight, two tags
    assert ">c1: supported</span>" in body and ">c2: mixed</span>" in body


@pytest.mark.parametrize("raw,shown_as", [
    ("<script>x</script>", "&lt;script&gt;x&lt;/script&gt;"),
    ("[click](javascript:alert(1))", r"\[click\](javascript:alert(1))"),  # no [ ], no link
    ("a & b's *bold*", r"a &amp; b's \*bold\*"),
    (None, ""),
    (float("nan"), ""),
])
def test_md_escape(raw, shown_as):
    assert dv.md_escape(raw) == shown_as


@pytest.mark.parametrize("ended,stale", [
    ("2026-01-01T00:00:00+00:00", False),  # 2 days before "now"
    ("2025-12-20T00:00:00+00:00", True),  # 14 days
    (None, False),
])
def test_staleness(ended, stale):
    from datetime import datetime, timezone

    now = datetime(2026, 1, 3, tzinfo=timezone.utc)
    run = {"started_at": ended, "ended_at": ended} if ended else None
    assert (dv.staleness(run, now) is not None) == stale


@pytest.mark.parametrize("verdict, colour", [("supported", "#009E73"), ("mixed", "#E69F00"),
                                             ("contradicted", "#D55E00"), ("insufficient", "#999999"),
                                             ("anything else", "#999999")])
def test_verdict_cells_are_coloured_badges(verdict, colour):
    assert f"background-color: {colour}FF" in dv.verdict_style(verdict)  # a high grade: full colour
    assert f"background-color: {colour}1F" in dv.verdict_style(verdict, "very-low")  # a very-low one: pale
