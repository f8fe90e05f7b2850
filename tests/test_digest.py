"""The change digest after a refresh-like sequence of two runs, built with the Cache directly."""

from __future__ import annotations

import dataclasses
import json

import pytest

from evidence.cache import Cache
from evidence.errors import ConfigError
from evidence.grading.classify import classify
from evidence.models import Claim, CommentCorrection
from evidence.outputs.digest import build_digest, grade_changed, render_digest_markdown, write_digest
from evidence.pubmed.xml_parser import parse_pubmed_xml

S18 = "efetch/derived_nlm_sample18/pubmedsample18_"
T1, T2 = "2024-01-07T03:00:00+00:00", "2024-01-14T03:00:00+00:00"


def items(ncbi_fixtures, name):
    parsed, _ = parse_pubmed_xml((ncbi_fixtures / name).read_bytes())
    return [(p.record, p.raw_xml) for p in parsed]


def one(ncbi_fixtures, name, pmid=None):
    return next(i for i in items(ncbi_fixtures, name) if pmid is None or i[0].pmid == pmid)


@pytest.fixture()
def two_runs(tmp_path, ncbi_fixtures):
    """Run 1: two studies for claim-a, one for claim-b, grades. Run 2: new studies, a revision,
    a retraction arriving with a new study, a retraction of a known study, one changed grade."""
    cache = Cache(tmp_path / "cache" / "evidence.sqlite")
    old_9997 = one(ncbi_fixtures, "efetch/biopython/pubmed1.xml", "9997")
    new_9997 = one(ncbi_fixtures, "efetch/klortho_ncbi2012/efetch.pubmed.xml", "9997")
    assert old_9997[1] != new_9997[1]  # two real versions of the same PubMed record
    case_report = one(ncbi_fixtures, S18 + "14594616_case_report.xml")
    run1 = cache.start_run(1, now=T1)
    cache.store_batch([old_9997, case_report], {"9997": ["claim-a"], "14594616": ["claim-a", "claim-b"]},
                      run_id=run1, now=T1)
    cache.save_grade_snapshots(run1, [("claim-a", "supported", "low", ["x"], "", "{}"),
                                      ("claim-b", "insufficient", "very low", [], "", "{}")], now=T1)
    cache.finish_run(run1, "ok", requests=3, now=T1)

    run2 = cache.start_run(1, now=T2)
    meta = one(ncbi_fixtures, S18 + "9110943_meta_analysis_structured.xml")
    rct = one(ncbi_fixtures, S18 + "17059514_rct_structured.xml")
    retracted = one(ncbi_fixtures, S18 + "11543891_retracted_publication_retractionin.xml")
    # NCBI adding a RetractionIn link to a record we already hold (simulated on the real record).
    rec, raw = case_report
    now_retracted = (dataclasses.replace(rec, retracted=True, comments_corrections=(
        *rec.comments_corrections, CommentCorrection("RetractionIn", "0", "notice"))), raw + b"<!-- revised -->")
    cache.store_batch([rct, meta, retracted, new_9997, now_retracted],
                      {"17059514": ["claim-a"], "9110943": ["claim-a"], "11543891": ["claim-b"]},
                      run_id=run2, now=T2)
    cache.save_grade_snapshots(run2, [("claim-a", "supported", "moderate", ["y"], "", "{}"),
                                      ("claim-b", "insufficient", "very low", [], "", "{}"),
                                      ("claim-c", "contradicted", "low", [], "", "{}")], now=T2)
    cache.finish_run(run2, "ok", requests=5, now=T2)
    yield cache, run1, run2
    cache.close()


CLAIMS = {
    "claim-a": Claim(id="claim-a", article="art", quote="q", statement="Half elemental diet keeps Crohn's in remission",
                     kind="efficacy", query="q"),
}


def test_digest_of_the_last_run_says_exactly_what_changed(two_runs):
    cache, _, run2 = two_runs
    digest = build_digest(cache, claims=CLAIMS)
    assert digest["window"]["run_id"] == run2 and digest["window"]["kind"] == "run"
    by_claim = {c["claim_id"]: [s["pmid"] for s in c["studies"]] for c in digest["new_studies"]}
    assert by_claim == {"claim-a": ["9110943", "17059514"], "claim-b": ["11543891"]}  # meta-analysis before RCT
    a = digest["new_studies"][0]
    assert a["statement"].startswith("Half elemental")
    assert [s["design"] for s in a["studies"]] == [classify(r).design for r in (
        cache.get_record("9110943").record, cache.get_record("17059514").record)]
    assert a["studies"][0]["tier"] < a["studies"][1]["tier"]
    assert [(g["claim_id"], g["before"]["strength"], g["after"]["strength"], g["verdict_changed"])
            for g in digest["grade_changes"]] == [("claim-a", "low", "moderate", False)]
    assert [g["claim_id"] for g in digest["first_grades"]] == ["claim-c"]
    assert {(r["pmid"], r["how"]) for r in digest["retracted"]} == {
        ("11543891", "arrived-retracted"), ("14594616", "newly-retracted")}
    assert {r["pmid"]: r["claims"] for r in digest["retracted"]}["14594616"] == ["claim-a", "claim-b"]
    assert [r["pmid"] for r in digest["revised"]] == ["14594616", "9997"]
    assert digest["counts"] == {"new_studies": 3, "grade_changes": 1, "retracted": 2, "revised": 2}
    assert grade_changed(digest)
    assert json.loads(json.dumps(digest)) == digest


def test_digest_of_the_first_run(two_runs):
    cache, run1, _ = two_runs
    digest = build_digest(cache, run_id=run1)
    assert digest["grade_changes"] == [] and not grade_changed(digest)
    assert sorted(g["claim_id"] for g in digest["first_grades"]) == ["claim-a", "claim-b"]
    assert digest["retracted"] == [] and digest["revised"] == []
    assert {c["claim_id"]: len(c["studies"]) for c in digest["new_studies"]} == {"claim-a": 2, "claim-b": 1}


def test_digest_since_a_date_covers_both_runs(two_runs):
    cache, _, _ = two_runs
    everything = build_digest(cache, since="2024-01-01")
    assert everything["counts"]["new_studies"] == 6  # 3 memberships in run 1, 3 in run 2
    assert everything["grade_changes"] == []  # no grade before the window to compare with
    later = build_digest(cache, since="2024-01-10")
    assert later["counts"] == build_digest(cache)["counts"]


def test_unchanged_grades_are_not_changes(two_runs):
    cache, _, _ = two_runs
    claim_b = [g for g in build_digest(cache)["grade_changes"] if g["claim_id"] == "claim-b"]
    assert claim_b == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"since": "last week"}, "not an ISO date"),
    ({"run_id": 99}, "no run 99"),
    ({"run_id": 1, "since": "2024-01-01"}, "not both"),
])
def test_bad_windows_are_config_errors(two_runs, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        build_digest(two_runs[0], **kwargs)


def test_empty_cache_digest(tmp_path):
    with Cache(tmp_path / "e.sqlite") as cache:
        digest = build_digest(cache)
    assert digest["window"]["kind"] == "none" and not grade_changed(digest)
    assert "Nothing changed." in render_digest_markdown(digest)


def test_markdown_lists_each_change(two_runs):
    cache, _, _ = two_runs
    text = render_digest_markdown(build_digest(cache, claims=CLAIMS))
    assert "claim-a**: supported (low) → supported (moderate)" in text
    assert "PMID 14594616 (now retracted; claim-a, claim-b)" in text
    assert "PMID 11543891" in text and "**[RETRACTED]**" in text
    assert text.index("PMID 9110943") < text.index("PMID 17059514")
    assert "## Revised records" in text


def test_write_digest_is_atomic_and_complete(two_runs, tmp_path):
    cache, _, run2 = two_runs
    folder = cache.path.parent / "digests"
    md, js = write_digest(cache, folder, run2)
    assert (md.name, js.name) == (f"digest-{run2}.md", f"digest-{run2}.json")
    assert json.loads(js.read_text("utf-8"))["counts"]["grade_changes"] == 1
    assert md.read_text("utf-8").startswith(f"# Evidence digest: run {run2}")
    assert sorted(p.name for p in folder.iterdir()) == sorted([md.name, js.name, "feed.xml"])  # no temp files left


def test_a_large_window_describes_the_best_studies_and_lists_the_rest(two_runs):
    cache, _, run2 = two_runs
    digest = build_digest(cache, run_id=run2, claims=CLAIMS, limit=1)
    a = next(c for c in digest["new_studies"] if c["claim_id"] == "claim-a")
    assert a["total"] == 2
    assert [s["pmid"] for s in a["studies"]] == ["9110943"]  # the meta-analysis is described
    assert a["more_pmids"] == ["17059514"]  # the RCT is listed by PMID
    assert digest["counts"]["new_studies"] == 3  # counts are never cut
    assert "17059514" in render_digest_markdown(digest)


# --- the digest in sentences ("What's new", refresh --quiet) and its Atom feed (issue 13) --------

def test_news_sentences_carry_the_digests_counts_and_name_each_change(two_runs):
    from evidence.outputs.news import changed, digest_line, digest_news, headline

    cache, _, run2 = two_runs
    digest = build_digest(cache, claims=CLAIMS)
    assert headline(digest) == "3 new studies for 2 claims, 1 grade change, 2 retractions, 2 revised records."
    items = digest_news(digest)
    kinds = [i.kind for i in items]
    assert kinds.count("grade-change") == digest["counts"]["grade_changes"]
    assert kinds.count("retracted") == digest["counts"]["retracted"]
    assert kinds.count("revised") == digest["counts"]["revised"]
    assert sum(c["total"] for c in digest["new_studies"]) == digest["counts"]["new_studies"]
    (change,) = [i for i in items if i.kind == "grade-change"]
    assert change.text.startswith("claim-a: still supported, the strength changed from low to moderate")
    news = {i.claim_id: i for i in items if i.kind == "new-studies"}
    designs = [classify(cache.get_record(p).record).design for p in ("9110943", "17059514")]
    from evidence.vocabulary import design_name

    assert news["claim-a"].text == f"2 new studies for claim-a, 1 {design_name(designs[0])}, 1 {design_name(designs[1])}:"
    assert news["claim-a"].pmids == ("9110943", "17059514")  # linked by the page, best design first
    (first,) = [i for i in items if i.kind == "first-grade"]
    assert first.claim_id == "claim-c" and "not a change" in first.text
    assert changed(digest)
    assert digest_line(digest, "cache/digests/digest-2.md") == (
        f"run {run2} ok: 3 new studies (claim-a 2, claim-b 1), 1 grade change (claim-a), 2 retractions, "
        "2 revised records; digest: cache/digests/digest-2.md")


def test_first_grades_are_never_grade_changes_in_sentences(two_runs):
    from evidence.outputs.news import digest_news

    cache, run1, _ = two_runs
    items = digest_news(build_digest(cache, run_id=run1))
    assert not [i for i in items if i.kind == "grade-change"]
    assert sorted(i.claim_id for i in items if i.kind == "first-grade") == ["claim-a", "claim-b"]


def test_a_grade_change_names_the_design_it_now_rests_on(two_runs):
    from evidence.outputs.news import digest_news

    cache, _, _ = two_runs
    detail = json.dumps({"grade": {"best_design": "rct"}})
    cache.save_grade_snapshots(None, [("claim-b", "supported", "low", [], "", detail)], now="2024-01-20T00:00:00+00:00")
    digest = build_digest(cache, since="2024-01-15")
    (change,) = [i for i in digest_news(digest) if i.kind == "grade-change"]
    assert change.text == ("claim-b: the verdict changed from insufficient (very low) to supported (low); "
                           "its best evidence: RCTs.")
    assert digest["grade_changes"][0]["after"]["best_design"] == "rct"


def test_the_atom_feed_lists_every_run_newest_first(two_runs):
    from lxml import etree

    cache, run1, run2 = two_runs
    folder = cache.path.parent / "digests"
    write_digest(cache, folder, run1)
    write_digest(cache, folder, run2, claims=CLAIMS)
    feed = etree.parse(str(folder / "feed.xml")).getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.tag == f"{atom}feed" and feed.findtext(f"{atom}id").startswith("urn:evidence:digests:")
    entries = feed.findall(f"{atom}entry")
    assert [e.findtext(f"{atom}id").rsplit(":", 1)[1] for e in entries] == [str(run2), str(run1)]
    newest = entries[0]
    assert newest.find(f"{atom}link").get("href") == f"digest-{run2}.md"
    assert "3 new studies for 2 claims, 1 grade change" in newest.findtext(f"{atom}title")
    content = newest.find(f"{atom}content")
    assert content.get("type") == "html"
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/9110943/">PMID 9110943</a>' in content.text
    for tag in ("updated", "title"):
        assert feed.findtext(f"{atom}{tag}") and newest.findtext(f"{atom}{tag}")
    assert feed.findtext(f"{atom}updated") == newest.findtext(f"{atom}updated")


def test_the_feed_survives_control_characters_and_damaged_digests(tmp_path):
    from evidence.outputs.feed import build_feed, write_feed

    digest = {"window": {"kind": "run", "run_id": 1, "started_at": "2026-01-01T00:00:00+00:00",
                         "ended_at": None, "status": "ok"},
              "counts": {"new_studies": 0, "grade_changes": 0, "retracted": 0, "revised": 1},
              "new_studies": [], "grade_changes": [], "first_grades": [],
              "retracted": [], "revised": [{"pmid": "1", "title": "bad\x00\x1btitle", "claims": ["x\x07"]}]}
    assert "<feed" in build_feed([digest], feed_id="urn:x")
    (tmp_path / "digest-1.json").write_text(json.dumps(digest), "utf-8")
    (tmp_path / "digest-2.json").write_text("{not json", "utf-8")
    text = write_feed(tmp_path).read_text("utf-8")
    assert text.count("<entry>") == 1 and "\x07" not in text
