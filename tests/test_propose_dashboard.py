"""The dashboard's note on drafts: the sidebar lists the claims `evidence propose` wrote that nobody confirmed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.dashboard_cache import OWN_XML, build_cache, parse_files

AppTest = pytest.importorskip("streamlit.testing.v1").AppTest
REPO = Path(__file__).resolve().parents[1]


def _with_drafts(folder: Path, ids: list[str]) -> Path:
    shutil.copytree(REPO / "articles", folder / "articles")
    text = (REPO / "queries.yaml").read_text(encoding="utf-8")
    for claim_id in ids:
        text = text.replace(f"  - id: {claim_id}\n", f"  - id: {claim_id}\n    draft: true\n", 1)
    path = folder / "queries.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("drafts", [["cystitis", "addiction"], []])
def test_sidebar_lists_unconfirmed_drafts(monkeypatch, tmp_path, drafts):
    queries = _with_drafts(tmp_path, drafts)
    built = build_cache(tmp_path / "evidence.sqlite", parse_files(OWN_XML), queries=queries)
    monkeypatch.setenv("EVIDENCE_CACHE", str(built.path))
    monkeypatch.setenv("EVIDENCE_QUERIES", str(queries))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception
    notes = [w.value for w in at.sidebar.warning if "draft claims to confirm" in w.value]
    if drafts:
        assert notes == ["2 draft claims to confirm (draft: true in the registry): cystitis, addiction"]
    else:
        assert notes == []
