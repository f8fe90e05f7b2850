"""The dashboard in a real browser: `streamlit run app.py` on 127.0.0.1, headless Chromium.

Checks what a user sees (overview, a claim page opened by link), that a PubMed title holding
``<script>`` shows as text and never runs, and saves screenshots under tests/artifacts/.
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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    built = build_cache(tmp / "evidence.sqlite", parse_files(OWN_XML))
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
    expander = page.get_by_text(f"PMID {SCRIPT_PMID}", exact=False).first
    expander.wait_for()
    assert "<script>window.__pwned = 1</script>" in expander.inner_text()
    page.screenshot(path=str(ARTIFACTS / "claim.png"), full_page=True)
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.locator("script:text('__pwned')").count() == 0


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
