"""The dashboard in a real browser: `streamlit run app.py` on 127.0.0.1, headless Chromium, 1,400 px wide.

Checks what a user sees (overview, a claim page opened by link), that a PubMed title holding
``<script>`` shows as text and never runs, that the claim page shows design, direction and the
deciding sentence without scrolling, that the search filters the overview, and that a bulk
action followed by undo restores the grade; saves screenshots under tests/artifacts/.
Skips, saying why, without Debian's chromium or Playwright's Python package.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.dashboard_cache import OWN_XML, SCRIPT_PMID, build_cache, parse_files

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright's Python package is not installed")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


DECIDING = "Ketamine is an effective dissociative anaesthetic for emergency procedural sedation."


def _add_a_deciding_study(built) -> None:
    """One trial whose conclusion speaks to the first claim, so its table has a deciding sentence."""
    from evidence.cache import Cache
    from evidence.models import AbstractSection, MeshHeading, Record

    methods = "120 adults undergoing emergency procedures were randomized to ketamine or propofol."
    record = Record(pmid="99990002", title="Ketamine in the emergency department: a randomised trial", year=2021,
                    journal="Emerg Med J", abstract=f"METHODS: {methods} CONCLUSIONS: {DECIDING}",
                    publication_types=("Randomized Controlled Trial",), mesh=(MeshHeading("Humans"),),
                    abstract_sections=(AbstractSection("METHODS", "METHODS", methods),
                                       AbstractSection("CONCLUSIONS", "CONCLUSIONS", DECIDING)))
    with Cache(built.path) as cache:
        cache.store_batch([(record, b"<PubmedArticle/>")], {record.pmid: [built.registry.claims[0].id]}, run_id=None)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    built = build_cache(tmp / "evidence.sqlite", parse_files(OWN_XML))
    _add_a_deciding_study(built)
    port = _free_port()
    env = {**os.environ, "EVIDENCE_CACHE": str(built.path), "EVIDENCE_QUERIES": str(built.queries),
           "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "PYTHONPATH": str(REPO)}
    log = open(tmp / "streamlit.log", "wb")  # noqa: SIM115  (closed by the fixture's teardown, after the server)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {(tmp / 'streamlit.log').read_text(errors='replace')[-2000:]}")
            time.sleep(0.3)
        yield url, built
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def page(server):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.set_default_timeout(30_000)
            yield tab
        finally:
            browser.close()


def _wait_ready(tab) -> None:
    tab.wait_for_selector("h1")
    # Streamlit marks the app as running while the script executes; wait for it to settle.
    tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)


def _verdict(tab) -> str:
    return tab.locator(".evidence-badge").first.get_attribute("data-verdict") or ""


def _wait_verdict(tab, verdict: str) -> None:
    """Wait until the page's verdict badge says ``verdict`` (a rerun replaces it when it has run)."""
    tab.wait_for_function(
        "v => { const b = document.querySelector('.evidence-badge'); return b && b.dataset.verdict === v; }",
        arg=verdict, timeout=30_000)


def _wait_verdict_changed(tab, before: str) -> str:
    """Wait until the verdict badge no longer says ``before``; return what it says now."""
    tab.wait_for_function(
        "v => { const b = document.querySelector('.evidence-badge'); return b && b.dataset.verdict !== v; }",
        arg=before, timeout=30_000)
    return _verdict(tab)


def test_overview_in_a_browser(server, page):
    url, built = server
    page.goto(url)
    _wait_ready(page)
    assert page.locator("h1").first.inner_text() == "Claims and their evidence"
    page.wait_for_selector("[data-testid='stDataFrame']")
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    body = page.locator("body").inner_text()
    assert "Studies by design" in body and built.registry.claims[0].statement in body


def test_claim_page_by_link_shows_script_title_as_text(server, page):
    url, built = server
    claim = built.registry.claims[0]
    page.goto(f"{url}/?page=claim&claim={claim.id}&q={SCRIPT_PMID}")
    _wait_ready(page)
    assert page.locator("h1").first.inner_text() == claim.statement
    # The row detail of the one study kept: its heading line holds the title.
    detail = page.locator("[data-testid='stMarkdownContainer']").filter(has_text=f"PMID {SCRIPT_PMID} ·").first
    detail.wait_for()
    assert "<script>window.__pwned = 1</script>" in detail.inner_text()
    page.screenshot(path=str(ARTIFACTS / "claim.png"), full_page=True)
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.locator("script:text('__pwned')").count() == 0


def test_design_direction_and_sentence_are_visible_without_scrolling(server, page):
    """At 1,400 px the studies table shows what decides the grade first, in the first screen."""
    url, built = server
    claim = built.registry.claims[0]
    page.goto(f"{url}/?page=claim&claim={claim.id}")
    _wait_ready(page)
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    box = grid.bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]  # no part of the table off to the right
    assert box["y"] + 3 * 35 <= viewport["height"], box  # its header and first rows without scrolling down
    # The grid renders (in an accessible table) only the columns in view: the deciding ones lead.
    grid.locator("th[role='columnheader']").first.wait_for(state="attached")
    headers = [h.text_content() for h in grid.locator("th[role='columnheader']").all()]
    assert headers[:3] == ["design", "direction", "deciding sentence"], headers
    first = [c.text_content() for c in grid.locator("tr[aria-rowindex='2'] td").all()]
    assert first[:3] == ["rct", "supports", DECIDING]  # the best study: its design, direction and sentence
    page.screenshot(path=str(ARTIFACTS / "claim-first-screen.png"))


def test_search_filters_the_overview(server, page):
    url, built = server
    page.goto(url)
    _wait_ready(page)
    box = page.get_by_label("Search claims (id or words of the statement or quote)", exact=True)
    box.fill("bladder")
    box.press("Enter")
    expected = sorted(c.id for c in built.registry.claims if "bladder" in f"{c.id} {c.statement} {c.quote}".lower())
    assert 0 < len(expected) < len(built.registry.claims)
    grid = page.locator("[data-testid='stDataFrame']").first
    page.wait_for_function("n => document.querySelector(\"[data-testid='stDataFrame'] table\")"
                           "?.getAttribute('aria-rowcount') === String(n)", arg=len(expected) + 1, timeout=30_000)
    shown = [link.split("claim=", 1)[1] for link in grid.locator("tbody td[aria-colindex='1']").all_inner_texts()]
    assert sorted(shown) == expected
    assert "find=bladder" in page.url  # the search is in the link, so it can be shared


def test_bulk_action_then_undo_restores_the_grade(server, page):
    url, built = server
    claim = built.registry.claims[0]
    page.goto(f"{url}/?page=claim&claim={claim.id}")
    _wait_ready(page)
    before = _verdict(page)
    name = page.get_by_label("Your name (for reviews and sign-offs)", exact=True).and_(page.locator("input"))
    name.fill("Dr Browser")
    name.press("Enter")
    _wait_ready(page)
    # Select the first two rows of the studies table (their row-marker checkboxes).
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    for row in range(2):
        box = grid.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + 15, box["y"] + 35 + 17 + row * 35)
        _wait_ready(page)
    chosen = page.locator("[data-testid='stMultiSelect']").filter(has_text="Studies (or select rows in the table)")
    chosen.get_by_text("PMID ", exact=False).first.wait_for()
    direction = page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text("Direction", exact=True)).first
    target = "contradicts" if before == "supported" else "supports"
    _wait_ready(page)
    option = page.get_by_role("option", name=target, exact=True)
    for _ in range(3):  # a click during a rerun can land before the dropdown is live
        direction.click()
        try:
            option.wait_for(timeout=3_000)
            break
        except Exception:
            page.keyboard.press("Escape")
    option.click()
    _wait_ready(page)
    page.get_by_role("button", name="Apply to the selected studies").click()
    assert _wait_verdict_changed(page, before) != before  # the reviewer's directions changed the grade
    page.get_by_text("Dr Browser applied", exact=False).first.wait_for()
    page.screenshot(path=str(ARTIFACTS / "bulk-applied.png"))
    undo = page.get_by_role("button", name="Undo").first
    undo.scroll_into_view_if_needed()
    undo.click()
    _wait_verdict(page, before)
    page.get_by_text("Dr Browser undid action", exact=False).first.wait_for()
    from evidence.cache import Cache

    with Cache(built.path, readonly=True) as cache:
        assert cache.annotations(claim.id) == []
        (action,) = cache.review_actions(claim.id)
    assert (action.reviewer, action.undone_by) == ("Dr Browser", "Dr Browser")


def test_article_view_links_to_claim_pages(server, page):
    url, built = server
    page.goto(f"{url}/?page=article")
    _wait_ready(page)
    page.wait_for_selector(".evidence-article")
    claim = built.registry.claims[0]
    link = page.locator(f".evidence-article a[href='?page=claim&claim={claim.id}']").first
    assert link.count() == 1
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)
    link.click()
    page.wait_for_url(f"**claim={claim.id}**")
    _wait_ready(page)
    assert page.locator("h1").first.inner_text() == claim.statement
