"""Opt-in: one tiny esearch and efetch against the real NCBI, to catch API drift.

    pytest -m ncbi_live          # needs internet; NCBI_API_KEY / NCBI_EMAIL are used when set

Skipped (deselected) in the default run and in CI, which never leave loopback. What it checks
is what the loopback server assumes of NCBI: esearch's XML shape (Count, IdList,
QueryTranslation), efetch's PubmedArticleSet, and that our parser reads today's records.
"""

from __future__ import annotations

import os

import pytest

from evidence.pubmed.client import EutilsClient
from evidence.pubmed.xml_parser import parse_pubmed_xml

pytestmark = pytest.mark.ncbi_live

TERM = 'ketamine[mh] AND "cystitis"[mh]'  # a small, stable set (a few hundred records)


def test_esearch_and_efetch_against_real_ncbi(real_network) -> None:
    client = EutilsClient(api_key=os.environ.get("NCBI_API_KEY") or None,
                          email=os.environ.get("NCBI_EMAIL") or None, max_retries=2, timeout=30)
    found = client.esearch(TERM, retmax=3, usehistory=False, context="live test")
    assert found.count >= 3, found
    assert len(found.ids) == 3 and all(i.isdigit() for i in found.ids)
    assert found.query_translation and "ketamine" in found.query_translation.lower()
    body = client.efetch(found.ids, context="live test")
    parsed, skipped = parse_pubmed_xml(body)
    assert not skipped
    assert {p.record.pmid for p in parsed} == set(found.ids)
    assert all(p.record.title and p.record.year for p in parsed)
