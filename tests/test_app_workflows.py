"""The clinician's and the writer's day in the dashboard (issue 13), through AppTest on temporary caches.

One test (or a few) per item: a claim page led by the evidence, an overview with a search,
a key and local times, review that scales (bulk actions with undo, sign-offs), "What's new"
as the digest, the writer's citations and statement, truthful empty states, the article view.
What the pages show is compared with what the library computes from the same cache.
"""

from __future__ import annotations

import colorsys
import html
import re
from datetime import datetime, timezone

import pytest

from evidence import dashboard as dv
from evidence.cache import Cache
from evidence.grading.service import assess_claims
from evidence.outputs.digest import build_digest
from evidence.outputs.exports import export_records, reviewer_notes
from evidence.outputs.news import headline
from evidence.outputs.statement import cited_studies, evidence_statement
from evidence.vocabulary import DESIGN_GROUPS, DESIGNS, STRENGTHS, VERDICTS
from tests.dashboard_cache import OWN_XML, BuiltCache, build_cache, parse_files
from tests.test_app import all_text, claim_ids, run_app

pytest.importorskip("streamlit.testing.v1")


@pytest.fixture
def built(tmp_path) -> BuiltCache:
    return build_cache(tmp_path / "evidence.sqlite", parse_files(OWN_XML))


def evidence(built: BuiltCache, claim_id: str):
    with Cache(built.path, readonly=True) as cache:
        return assess_claims([built.registry.claim(claim_id)], cache)[claim_id]


def busy(built: BuiltCache) -> str:
    return built.registry.claims[0].id


def claim_page(monkeypatch, built: BuiltCache, claim_id: str, name: str | None = None):
    at = run_app(monkeypatch, built.path, built.queries, page="claim", claim=claim_id)
    if name:
        at.text_input(key="reviewer").input(name).run()
    assert not at.exception
    return at


def click(at, key: str):
    at.button(key=key).click().run()
    assert not at.exception
    return at


# --- 1. the claim page, led by the evidence ------------------------------------------------

def test_claim_page_leads_with_a_summary_of_findings(monkeypatch, built):
    ev = evidence(built, busy(built))
    at = claim_page(monkeypatch, built, busy(built))
    markdown = [m.value for m in at.markdown]
    assert f"**Summary of findings** · {dv.md_escape(dv.findings_sentence(ev))}" in markdown
    sof = dv.summary_of_findings(ev)
    assert dv.sof_markdown(sof) in markdown and len(sof) == len({a.study.design for a in dv.usable(ev)})
    steps = next(m for m in markdown if m.startswith("▶"))
    for _, text in dv.certainty_steps(ev.grade):
        assert dv.md_escape(text) in steps
    assert dv.md_escape(dv.set_aside_summary(ev)) in all_text(at)
    # The summary comes before the studies table.
    text = all_text(at)
    assert text.index("Summary of findings") < text.index("Studies (")


def test_studies_table_leads_with_design_direction_and_the_deciding_sentence(monkeypatch, built):
    ev = evidence(built, busy(built))
    at = claim_page(monkeypatch, built, busy(built))
    table = at.dataframe[0].value
    assert list(table.columns) == dv.TABLE_COLUMNS
    assert list(table.columns[:3]) == ["design", "direction", "deciding sentence"]
    assert list(table["deciding sentence"]) == [a.direction.sentence for a in ev.assessments]
    assert list(table["title"]) == [dv.title_link(a.record.pmid, a.record.title) for a in ev.assessments]
    assert all(re.fullmatch(dv.TITLE_LINK_TEXT, t).group(1) == " ".join(a.record.title.split())
               for t, a in zip(table["title"], ev.assessments, strict=True))  # the title is the link's text
    # Abstracts are folded into the row detail, never listed again below the table.
    assert not [e for e in at.expander if e.label.startswith("PMID")]
    first = ev.assessments[0]
    assert at.selectbox(key="study").value == first.record.pmid
    assert (first.record.abstract or "(no abstract)") in [t.value for t in at.text]
    second = ev.assessments[1]
    at.selectbox(key="study").set_value(second.record.pmid).run()
    assert (second.record.abstract or "(no abstract)") in [t.value for t in at.text]
    detail = all_text(at)
    assert dv.md_escape(second.study.design_reason) in detail and dv.md_escape(second.direction.reason) in detail


@pytest.mark.parametrize("polarity", ["effect", "no-effect", "increase", "decrease"])
def test_polarity_in_plain_words(polarity):
    words = dv.polarity_words(polarity, "glutamate release")
    assert "polarity" not in words and "support it" in words
    if polarity in ("increase", "decrease"):
        assert "glutamate release" in words


def test_claim_page_says_the_polarity_in_plain_words(monkeypatch, built):
    claim = next(c for c in built.registry.claims if c.polarity == "decrease")
    at = claim_page(monkeypatch, built, claim.id)
    caption = at.caption[0].value
    assert "polarity" not in caption and dv.md_escape(dv.polarity_words(claim.polarity, claim.outcome)) in caption


def test_the_verdict_badge_carries_the_strength():
    high, weak = dv.verdict_badge_html("supported", "high"), dv.verdict_badge_html("supported", "very-low")
    fill = re.compile(r"background:(#[0-9A-F]{8});border:2px (\w+)")
    (h_colour, h_border), (w_colour, w_border) = fill.search(high).groups(), fill.search(weak).groups()
    assert h_colour[:7] == w_colour[:7] == dv.VERDICT_COLOURS["supported"]  # the same hue: the verdict
    assert int(h_colour[7:], 16) > 3 * int(w_colour[7:], 16)  # a very-low grade is barely filled
    assert (h_border, w_border) == ("solid", "dashed")
    assert "⊕⊕⊕⊕ high" in high and "⊕◯◯◯ very low" in weak
    alphas = [int(re.search(r"background:#[0-9A-F]{6}([0-9A-F]{2})", dv.verdict_badge_html("mixed", s)).group(1), 16)
              for s in STRENGTHS]
    assert alphas == sorted(alphas, reverse=True) and len(set(alphas)) == 4


# --- 2. the overview -------------------------------------------------------------------------

def test_overview_search_filters_by_id_and_statement(monkeypatch, built):
    at = run_app(monkeypatch, built.path, built.queries)
    claim = next(c for c in built.registry.claims if "bladder" in c.statement.lower())
    at.text_input(key="find").input("Bladder").run()
    assert not at.exception
    expected = {c.id for c in built.registry.claims
                if "bladder" in f"{c.id} {c.statement} {c.quote}".lower()}
    assert claim.id in expected and set(claim_ids(at.dataframe[0].value)) == expected
    at.text_input(key="find").input(built.registry.claims[3].id).run()
    assert built.registry.claims[3].id in claim_ids(at.dataframe[0].value)
    at.text_input(key="find").input("no claim says this zzz").run()
    assert not at.dataframe and "No claim matches this search" in at.warning[0].value


def test_overview_has_a_key_to_verdicts_and_strengths(monkeypatch, built):
    at = run_app(monkeypatch, built.path, built.queries)
    text = all_text(at)
    for verdict in VERDICTS:
        assert html.escape(dv.VERDICT_MEANINGS[verdict]) in dv.legend_html("verdict")
        assert f'data-verdict="{verdict}"' in dv.legend_html("verdict")
    for strength in STRENGTHS:
        assert html.escape(dv.STRENGTH_MEANINGS[strength]) in dv.legend_html("strength")
        assert f'data-strength="{strength}"' in dv.legend_html("strength")
    assert dv.legend_html("verdict") in text and dv.legend_html("strength") in text


def _hue(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hsv(r, g, b)[0] * 360


def test_design_palette_gives_each_family_its_own_hue():
    assert set(dv.DESIGN_COLOURS) == set(DESIGNS) and len(set(dv.DESIGN_COLOURS.values())) == len(DESIGNS)
    hues = {group: [_hue(dv.DESIGN_COLOURS[d]) for d in designs] for group, designs in DESIGN_GROUPS.items()
            if group != "other"}
    for group, mine in hues.items():
        assert max(mine) - min(mine) < 12, group  # one hue within a family
        for other, theirs in hues.items():
            if other != group:
                gap = min(abs(a - b) % 360 for a in mine for b in theirs)
                assert min(gap, 360 - gap) >= 12, (group, other)  # a different hue between families
    # The old complaint: RCTs, cohorts and case-control studies looked the same.
    assert len({dv.DESIGN_COLOURS[d] for d in ("rct", "cohort", "case-control")}) == 3
    scale = dv.design_scale(["cohort", "rct"]).to_dict()
    assert scale["domain"] == ["rct", "cohort"] and scale["range"] == [dv.DESIGN_COLOURS["rct"], dv.DESIGN_COLOURS["cohort"]]


def test_times_are_local_and_readable(monkeypatch, built):
    assert dv.readable_time("2026-11-24T01:58:40+00:00", "Europe/Berlin") == "24 Nov 2026, 02:58 CET"
    assert dv.readable_time("2026-11-24T01:58:40+00:00", "America/New_York",
                            datetime(2026, 11, 27, 2, tzinfo=timezone.utc)) == "23 Nov 2026, 20:58 EST (3 days ago)"
    assert dv.readable_time(None) == "never"
    at = run_app(monkeypatch, built.path, built.queries)
    (caption,) = [c.value for c in at.sidebar.caption if c.value.startswith("Last refresh")]
    assert not re.search(r"\d{4}-\d\d-\d\dT", caption)  # no raw ISO timestamp
    refreshed = list(at.dataframe[0].value["last refreshed"])
    assert refreshed and all(not re.search(r"\d{4}-\d\d-\d\dT", t) for t in refreshed)


# --- 3. review that scales ---------------------------------------------------------------------

def test_bulk_set_aside_then_undo_from_the_claim_page(monkeypatch, built):
    claim_id = busy(built)
    before = evidence(built, claim_id)
    at = claim_page(monkeypatch, built, claim_id, name="Dr Bulk")
    off = [a.record.pmid for a in before.assessments if a.relevance_reason.startswith("not about this claim")]
    click(at, "bulk_set_aside")
    assert f"Dr Bulk set aside {len(off)} off-topic studies" in at.success[0].value
    with Cache(built.path, readonly=True) as cache:
        assert sorted(a.pmid for a in cache.annotations(claim_id)) == sorted(off)
        (action,) = cache.review_actions(claim_id)
    assert f"\\#{action.id} · Dr Bulk · " in all_text(at)  # the history names the reviewer
    assert list(at.dataframe[0].value["reviewed by"]).count("Dr Bulk") == len(off)
    click(at, f"undo_{action.id}")
    assert f"Dr Bulk undid action {action.id}" in at.success[0].value
    assert evidence(built, claim_id).grade == before.grade
    with Cache(built.path, readonly=True) as cache:
        assert cache.annotations(claim_id) == [] and cache.review_actions(claim_id)[0].undone_by == "Dr Bulk"


def test_apply_a_direction_to_a_selection_then_undo_restores_the_grade(monkeypatch, built):
    claim_id = busy(built)
    before = evidence(built, claim_id)
    chosen = [a.record.pmid for a in before.assessments if a.relevant][:2]
    at = claim_page(monkeypatch, built, claim_id, name="Dr Bulk")
    at.multiselect(key="bulk_pmids").set_value(chosen)
    at.selectbox(key="bulk_direction").set_value("supports").run()
    click(at, "bulk_apply")
    after = evidence(built, claim_id).grade
    assert after != before.grade and after.reviewed  # the reviewer's directions changed the grade
    text = all_text(at)
    assert f'data-verdict="{after.verdict}"' in text
    assert dv.md_escape(f"PMID {chosen[0]} read as supports by Dr Bulk") in text  # named where it changes the grade
    with Cache(built.path, readonly=True) as cache:
        (action,) = cache.review_actions(claim_id)
    click(at, f"undo_{action.id}")
    assert f'data-verdict="{before.grade.verdict}"' in all_text(at)
    assert evidence(built, claim_id).grade == before.grade


def test_bulk_actions_need_a_reviewer(monkeypatch, built):
    at = claim_page(monkeypatch, built, busy(built))
    click(at, "bulk_set_aside")
    assert "Enter your name in the sidebar" in at.error[0].value
    with Cache(built.path, readonly=True) as cache:
        assert cache.annotations() == [] and cache.review_actions() == []


def test_signoff_shows_on_the_overview_and_goes_stale(monkeypatch, built):
    claim_id = built.single
    at = claim_page(monkeypatch, built, claim_id, name="Dr Sign")
    at.text_input(key="signoff_note").input("checked the abstract")
    next(b for b in at.button if b.label.startswith("Sign off:")).click().run()
    assert not at.exception and "Dr Sign signed off" in at.success[0].value
    assert "✓ signed off by Dr Sign on " in all_text(at) and "checked the abstract" in all_text(at)
    at = run_app(monkeypatch, built.path, built.queries)
    table = at.dataframe[0].value
    cell = dict(zip(claim_ids(table), table["signed off"], strict=True))[claim_id]
    assert cell.startswith("✓ Dr Sign, ")
    # A new study joins the claim: the sign-off is stale, on the overview and on the claim page.
    other = next(p for p in built.links[busy(built)] if p not in built.links[claim_id])
    with Cache(built.path) as cache:
        cache.link_claim(claim_id, [other], run_id=cache.start_run(0))
    at = run_app(monkeypatch, built.path, built.queries)
    table = at.dataframe[0].value
    cell = dict(zip(claim_ids(table), table["signed off"], strict=True))[claim_id]
    assert cell.startswith("⚠ stale: Dr Sign, ") and "1 new study since" in cell
    at = claim_page(monkeypatch, built, claim_id)
    assert "⚠ sign-off stale: signed off by Dr Sign" in all_text(at)


# --- 4. What's new is the digest --------------------------------------------------------------

def test_whats_new_has_the_digests_counts_in_sentences(monkeypatch, built):
    claims = {c.id: c for c in built.registry.claims}
    with Cache(built.path, readonly=True) as cache:
        digest = build_digest(cache, claims=claims)
    at = run_app(monkeypatch, built.path, built.queries, page="new")
    text = all_text(at)
    assert dv.md_escape(headline(digest)) in text  # the very counts `evidence digest` prints
    assert f"[{dv.md_escape(busy(built))}](?page=claim&claim={busy(built)})" in text
    assert "What each count counts" in text and "a claim's first grade is not a change" in text
    # Since a date: the same as `evidence digest --since`.
    at.radio(key="since").set_value("a date").run()
    at.date_input(key="since_date").set_value(datetime(2020, 1, 1).date()).run()
    assert not at.exception
    with Cache(built.path, readonly=True) as cache:
        since = build_digest(cache, since="2020-01-01", claims=claims)
    assert dv.md_escape(headline(since)) in all_text(at)


def test_whats_new_says_nothing_changed_in_a_quiet_run(monkeypatch, built):
    with Cache(built.path) as cache:
        run = cache.start_run(0)
        cache.finish_run(run, "ok", requests=1)
    at = run_app(monkeypatch, built.path, built.queries, page="new")
    assert not at.exception and not at.dataframe
    assert at.info[0].value.startswith(f"Nothing changed in refresh {run}") and "no new studies" in at.info[0].value


# --- 5. the writer ------------------------------------------------------------------------------

def test_citations_default_to_the_evidence_behind_the_verdict(monkeypatch, built):
    claim_id = busy(built)
    ev = evidence(built, claim_id)
    at = claim_page(monkeypatch, built, claim_id)
    assert at.radio(key="cite_scope").value == "verdict"
    at.selectbox(key="cite").set_value("Vancouver").run()
    cited = [a.record.pmid for a in cited_studies(ev)]
    with Cache(built.path, readonly=True) as cache:
        records = {r.pmid: r for r in cache.records(cited)}
    expected = export_records([records[p] for p in cited], "vancouver", notes=reviewer_notes([ev]))
    assert expected.strip() in [c.value.strip() for c in at.code]
    off = [a.record.pmid for a in ev.assessments if not a.relevant and not a.record.retracted]
    assert off and not any(f"PMID: {p}." in expected for p in off)  # off-topic studies are not cited
    assert all("pubmed.ncbi.nlm.nih.gov" in line or "doi:" in line for line in expected.splitlines())
    at.radio(key="cite_scope").set_value("all").run()
    everything = next(c.value for c in at.code if c.value.startswith("1. "))
    assert all(f"PMID: {p}." in everything for p in off)


def test_a_visible_copy_button_and_the_evidence_statement(monkeypatch, built):
    claim_id = busy(built)
    ev = evidence(built, claim_id)
    at = claim_page(monkeypatch, built, claim_id)
    buttons = [h.proto.body for h in at.get("html")]
    assert len(buttons) == 2 and all("<button" in b and "navigator.clipboard.writeText" in b for b in buttons)
    assert ">Copy " in buttons[0] and ">Copy the statement</button>" in buttons[1]
    cited = [a.record.pmid for a in cited_studies(ev) if not a.record.retracted]
    statement = evidence_statement(ev, cited)
    assert statement in [c.value for c in at.code]
    assert dv.copy_button_html(statement, "Copy the statement", f"statement-{claim_id}") == buttons[1]


def test_the_copy_button_keeps_titles_inert():
    body = dv.copy_button_html('1. A <script>alert(1)</script> "title"', "Copy", "k")
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert body.count("<script>") == 1  # ours only


# --- 6. truthful empty states ---------------------------------------------------------------------

def test_empty_state_names_the_cache_in_effect(monkeypatch, tmp_path, built):
    missing = tmp_path / "somewhere else" / "evidence.sqlite"
    at = run_app(monkeypatch, missing, built.queries)
    assert at.title[0].value == "No evidence yet"
    code = at.code[0].value
    lines = code.splitlines()
    assert all(f"EVIDENCE_CACHE='{missing}' " in line for line in lines)  # quoted for the shell
    assert all(f"EVIDENCE_QUERIES={built.queries} " in line for line in lines)
    assert [line.split("' ", 1)[1].split("#")[0].strip() for line in lines] == [
        "evidence check", "evidence refresh", "streamlit run app.py"]


def test_run_help_spells_out_only_what_is_not_the_default():
    from pathlib import Path

    from evidence.settings import Settings

    assert dv.run_help(Settings(Path("queries.yaml"), Path("cache/evidence.sqlite"))).splitlines()[1].startswith(
        "evidence refresh")


# --- 7. the article view ----------------------------------------------------------------------------

def test_article_blocks_render_headings_lists_and_paragraphs():
    text = "Intro line that is a sentence.\nWhat Is Ketamine?\nKetamine is a drug.\nSide Effects\n- Nausea\n- Dizziness\n"
    blocks = [(kind, text[a:b], level) for kind, a, b, level in dv.article_blocks(text)]
    assert blocks == [("para", "Intro line that is a sentence.", 0), ("heading", "What Is Ketamine?", 3),
                      ("para", "Ketamine is a drug.", 0), ("heading", "Side Effects", 3),
                      ("item", "Nausea", 0), ("item", "Dizziness", 0)]
    body, _ = dv.highlight_article(text, [dv.QuoteMark("c1", "Ketamine is a drug.", "mixed", "?c=1",
                                                       "Ketamine is a drug <b>", "low")])
    assert "<h3 " in body and "<ul " in body and "<li>Nausea</li>" in body
    assert 'title="c1: Ketamine is a drug &lt;b&gt; (mixed, low)"' in body  # the statement on hover, escaped
    assert "<b>" not in body
