"""Shared scaffolding of the model-judge tests: a claim, three studies, a fast judge, a seeded cache.

SYNTHETIC TEST DATA: the studies below are written for these tests (PMIDs 9999xxxx), never product data.
Two are about the claim (the rules read one as support, one as contradiction); the third is
about something else, so the rules set it aside and it must never reach the model.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from evidence.cache import Cache
from evidence.grading.judges import ModelJudge
from evidence.modeljudge import ChatClient
from evidence.models import AbstractSection, Claim, Record
from evidence.pubmed.client import Pacer
from tests.ncbi_server import FakeRecord

KEY = "sk-test-SECRET-4f9a7c"  # recognisable: every test that greps for it looks for this
MODEL = "stand-in-7b"

CLAIM = Claim(id="mood", article="art", quote="Ketamine lifts depression.", statement="Ketamine reduces depressive "
              "symptoms.", kind="efficacy", query="ketamine[tiab] AND depress*[tiab]", intervention="ketamine",
              outcome="depressive symptoms")

STUDIES = {  # pmid: (title, background, conclusion)
    "99990101": ("Ketamine for depression: a randomized trial", "We tested ketamine in 120 adults with depression.",
                 "Ketamine significantly reduced depressive symptoms compared with placebo."),
    "99990102": ("Ketamine infusion in treatment-resistant depression",
                 "Adults with depression received ketamine or midazolam.",
                 "Ketamine did not reduce depressive symptoms more than midazolam at four weeks."),
    "99990103": ("Cranberry juice and urinary tract infection", "Women with recurrent infection drank cranberry juice.",
                 "Cranberry juice reduced urinary tract infections."),
}
ON_TOPIC = ("99990101", "99990102")
OFF_TOPIC = "99990103"


def record(pmid: str) -> Record:
    title, background, conclusion = STUDIES[pmid]
    return Record(pmid=pmid, title=title, abstract=f"BACKGROUND: {background} CONCLUSIONS: {conclusion}",
                  abstract_sections=(AbstractSection("BACKGROUND", "BACKGROUND", background),
                                     AbstractSection("CONCLUSIONS", "CONCLUSIONS", conclusion)), year=2021)


RECORDS = [record(p) for p in STUDIES]


def answer(direction: str, sentence: str, confidence: float = 0.9, reason: str = "the trial's primary result") -> dict:
    return {"direction": direction, "sentence": sentence, "confidence": confidence, "reason": reason}


def conclusion(pmid: str) -> str:
    return STUDIES[pmid][2]


def fast_judge(base_url: str, *, key: str | None = KEY, model: str = MODEL, offline: bool = False,
               **kw: Any) -> ModelJudge:
    """A judge whose retries cost no time: injected sleep, no pacing, tiny timeouts (the real clock
    still bounds a read, so a stall ends after ``timeout`` seconds)."""
    sleeps: list[float] = kw.pop("sleeps", [])
    kw.setdefault("timeout", 0.5)
    kw.setdefault("connect_timeout", 0.5)
    kw.setdefault("max_retries", 2)
    kw.setdefault("pacer", Pacer(0))
    client = ChatClient(base_url, model, key, sleep=sleeps.append, **kw)
    return ModelJudge(client, offline=offline)


def seeded_cache(path: Path, records: Sequence[Record] = RECORDS, claim_id: str = CLAIM.id) -> Cache:
    cache = Cache(path)
    run = cache.start_run(0)
    cache.store_batch([(r, f"<synthetic pmid={r.pmid}/>".encode()) for r in records],
                      {r.pmid: [claim_id] for r in records}, run_id=run)
    cache.finish_run(run, "ok", requests=0)
    return cache


def pubmed_xml(pmid: str) -> bytes:
    """A minimal PubmedArticle for FakeNCBI (synthetic, for the refresh test)."""
    title, background, conclusion_ = (escape(x) for x in STUDIES[pmid])
    return (f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
            '<Article PubModel="Print"><Journal><JournalIssue CitedMedium="Print"><PubDate><Year>2021</Year>'
            f"</PubDate></JournalIssue><Title>Synthetic fixture journal</Title></Journal><ArticleTitle>{title}"
            f'</ArticleTitle><Abstract><AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">{background}'
            f'</AbstractText><AbstractText Label="CONCLUSIONS" NlmCategory="CONCLUSIONS">{conclusion_}'
            "</AbstractText></Abstract><Language>eng</Language><PublicationTypeList><PublicationType>Journal "
            "Article</PublicationType></PublicationTypeList></Article></MedlineCitation><PubmedData><History>"
            '<PubMedPubDate PubStatus="entrez"><Year>2021</Year><Month>3</Month><Day>1</Day></PubMedPubDate>'
            '</History><ArticleIdList><ArticleId IdType="pubmed">'
            f"{pmid}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>").encode()


def fake_records() -> list[FakeRecord]:
    return [FakeRecord(p, pubmed_xml(p), date(2021, 3, 1), date(2021, 3, 1)) for p in STUDIES]


def write_queries(directory: Path) -> Path:
    """queries.yaml with the one claim above (its query is FakeNCBI's topic key)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "article.md").write_text("Ketamine lifts depression.\n", encoding="utf-8")
    text = textwrap.dedent(f"""\
        articles:
          - id: art
            title: A test article
            source: written for the tests
            file: article.md
        claims:
          - id: {CLAIM.id}
            article: art
            quote: {CLAIM.quote}
            statement: {CLAIM.statement}
            kind: efficacy
            intervention: ketamine
            outcome: depressive symptoms
            query: '{CLAIM.query}'
        """)
    path = directory / "queries.yaml"
    path.write_text(text, encoding="utf-8")
    return path
