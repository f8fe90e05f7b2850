"""Typed records shared by every module: a PubMed record, an article, a claim.

All are frozen dataclasses. Records round-trip through plain dicts (``to_dict`` /
``record_from_dict``) so the cache can store them as JSON.
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import asdict, dataclass, field
from typing import Any

from evidence.vocabulary import CLINICAL_KINDS

__all__ = [
    "Author",
    "AbstractSection",
    "MeshHeading",
    "CommentCorrection",
    "PubDate",
    "Record",
    "record_from_dict",
    "Article",
    "Claim",
    "Quantity",
    "Annotation",
    "ReviewAction",
    "SignOff",
    "MONTHS",
    "month_number",
    "is_pmid",
    "pubmed_url",
    "doi_url",
]


MONTHS: tuple[str, ...] = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBER = {m.lower(): i for i, m in enumerate(MONTHS, 1)}


def month_number(value: str | None) -> int | None:
    """1-12 from "Jan", "january", "01" or "1" (PubMed XML and MEDLINE both write either); else None."""
    text = (value or "").strip()
    if text.isdigit():
        number = int(text)
        return number if 1 <= number <= 12 else None
    return _MONTH_NUMBER.get(text[:3].lower())


_PMID = re.compile(r"[1-9][0-9]{0,9}")


def is_pmid(text: str) -> bool:
    """A PubMed id as PubMed writes it: 1 to 10 ASCII digits without a leading zero.

    ``str.isdigit`` is not enough: it takes Arabic-Indic digits ("١٢٣") and superscripts.
    """
    return bool(_PMID.fullmatch(text))


def pubmed_url(pmid: str) -> str:
    """The record's page on PubMed."""
    return f"https://pubmed.ncbi.nlm.nih.gov/{urllib.parse.quote(str(pmid))}/"


def doi_url(doi: str | None) -> str | None:
    """The DOI resolver's link, or None without a DOI."""
    doi = (doi or "").strip()
    return f"https://doi.org/{urllib.parse.quote(doi, safe='/():;')}" if doi else None


@dataclass(frozen=True)
class Author:
    last_name: str | None = None
    fore_name: str | None = None
    initials: str | None = None
    collective_name: str | None = None  # e.g. "NIH Consensus Development Panel"
    orcid: str | None = None

    @property
    def display(self) -> str:
        """"Last FM" or the collective name: the form citations use."""
        if self.collective_name:
            return self.collective_name
        return " ".join(p for p in (self.last_name, self.initials) if p)


@dataclass(frozen=True)
class AbstractSection:
    label: str | None
    nlm_category: str | None
    text: str


@dataclass(frozen=True)
class MeshHeading:
    descriptor: str
    ui: str | None = None
    major: bool = False  # the descriptor or any of its qualifiers is a major topic
    qualifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CommentCorrection:
    ref_type: str  # RetractionIn, RetractionOf, ExpressionOfConcernIn, ErratumIn, CommentIn...
    pmid: str | None = None
    ref_source: str | None = None


@dataclass(frozen=True)
class PubDate:
    year: int | None = None
    month: int | None = None
    day: int | None = None
    season: str | None = None
    medline_date: str | None = None  # verbatim MedlineDate, e.g. "1998 Dec-1999 Jan"

    @property
    def text(self) -> str:
        if self.medline_date:
            return self.medline_date
        parts = [str(self.year) if self.year else ""]
        if self.season:
            parts.append(self.season)
        elif self.month:
            parts.append(MONTHS[self.month - 1])
            if self.day:
                parts.append(str(self.day))
        return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Record:
    """One PubMed citation (PubmedArticle or PubmedBookArticle), parsed."""

    pmid: str
    title: str = ""
    abstract: str = ""  # plain text; structured sections joined as "LABEL: text"
    abstract_sections: tuple[AbstractSection, ...] = ()
    journal: str = ""
    iso_abbreviation: str = ""
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    pub_date: PubDate = field(default_factory=PubDate)
    year: int | None = None
    authors: tuple[Author, ...] = ()
    languages: tuple[str, ...] = ()
    doi: str | None = None
    pmcid: str | None = None
    publication_types: tuple[str, ...] = ()
    mesh: tuple[MeshHeading, ...] = ()
    keywords: tuple[str, ...] = ()
    status: str | None = None  # MedlineCitation/@Status: MEDLINE, In-Process, Publisher...
    entrez_date: str | None = None  # ISO dates (YYYY-MM-DD) from PubmedData/History
    pubmed_date: str | None = None
    medline_date: str | None = None
    date_revised: str | None = None
    comments_corrections: tuple[CommentCorrection, ...] = ()
    retracted: bool = False  # "Retracted Publication" type or a RetractionIn link
    expression_of_concern: bool = False
    is_book: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def record_from_dict(data: dict[str, Any]) -> Record:
    """Inverse of ``Record.to_dict`` (tolerates missing keys from older caches)."""
    d = dict(data)
    d["abstract_sections"] = tuple(AbstractSection(**s) for s in d.get("abstract_sections", ()))
    d["pub_date"] = PubDate(**d.get("pub_date", {}))
    d["authors"] = tuple(Author(**a) for a in d.get("authors", ()))
    d["mesh"] = tuple(
        MeshHeading(**{**m, "qualifiers": tuple(m.get("qualifiers", ()))}) for m in d.get("mesh", ())
    )
    d["comments_corrections"] = tuple(CommentCorrection(**c) for c in d.get("comments_corrections", ()))
    for key in ("languages", "publication_types", "keywords"):
        d[key] = tuple(d.get(key, ()))
    known = Record.__dataclass_fields__
    return Record(**{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class Article:
    """A checked article: its text lives in ``articles/``."""

    id: str
    title: str
    source: str  # URL or citation of where it was published
    file: str  # path relative to queries.yaml
    publisher: str = ""
    text: str = ""  # loaded by the registry loader


@dataclass(frozen=True)
class Quantity:
    """A number a claim asserts: "up to 70% respond", "within hours or days", "lasts weeks".

    ``kind`` proportion | onset | duration; ``bound`` about | up-to | at-least | at-most |
    within | between (``value_to`` is the upper end of "between"); ``unit`` % or a time unit;
    ``of`` says what is counted or timed ("response", "non-response", "improvement").
    """

    kind: str
    value: float
    unit: str
    bound: str = "about"
    value_to: float | None = None
    of: str = ""

    @property
    def text(self) -> str:
        """How a reason names it: "up-to 70 % (response)"."""
        span = f"{self.value:g}" + (f"-{self.value_to:g}" if self.value_to is not None else "")
        return f"{self.kind} {self.bound} {span} {self.unit}" + (f" ({self.of})" if self.of else "")


@dataclass(frozen=True)
class Claim:
    """One factual claim an article makes, with the PubMed query that tests it.

    ``polarity`` says what kind of proposition the statement is, so the direction
    judge reads a study's conclusion the right way round:
      - "effect":    something works / happens / is associated (most claims)
      - "no-effect": something is harmless, safe, does not happen
      - "increase" / "decrease": a directional change in ``outcome``
    ``support_terms`` / ``contradict_terms`` are optional claim-specific words whose
    presence in a conclusion signals support or contradiction.

    What the direction judge reads a study against (all optional, see docs/claims.md):
    ``intervention_terms`` / ``outcome_terms`` / ``population_terms`` / ``comparator_terms``
    are synonyms that show a study is about the claim; ``valence`` says whether the claimed
    effect is a benefit or a harm (default: harm for safety claims, else benefit);
    ``modality`` how the article asserts it; ``quantities`` the numbers it asserts.
    ``draft`` marks a claim `evidence propose` wrote that no person has confirmed yet.
    """

    id: str
    article: str
    quote: str
    statement: str
    kind: str  # mechanism, efficacy, safety, epidemiology, pharmacology, ...
    query: str
    polarity: str = "effect"
    population: str | None = None
    intervention: str | None = None
    comparator: str | None = None
    outcome: str | None = None
    humans_only: bool = False
    languages: tuple[str, ...] = ()
    date_from: str | None = None  # YYYY or YYYY/MM/DD
    date_to: str | None = None
    contradicts: tuple[str, ...] = ()
    support_terms: tuple[str, ...] = ()
    contradict_terms: tuple[str, ...] = ()
    note: str | None = None  # why a claim was split or merged, caveats
    intervention_terms: tuple[str, ...] = ()
    outcome_terms: tuple[str, ...] = ()
    population_terms: tuple[str, ...] = ()
    comparator_terms: tuple[str, ...] = ()
    valence: str | None = None  # benefit | harm; None: harm for safety claims, else benefit
    modality: str = "asserted"
    quantities: tuple[Quantity, ...] = ()
    draft: bool = False  # drafted by `evidence propose` and not yet confirmed by a person
    line: int | None = None  # line in queries.yaml, for error messages

    @property
    def harm(self) -> bool:
        """True when the claimed effect is a harm (a side effect, a risk, an impairment)."""
        return (self.valence or ("harm" if self.kind == "safety" else "benefit")) == "harm"

    @property
    def clinical(self) -> bool:
        """Claims about patients (efficacy, safety...) need human evidence to grade above low."""
        return self.kind in CLINICAL_KINDS


@dataclass(frozen=True)
class Annotation:
    """A reviewer's judgement of one (claim, study) pair; it overrides the automatic one."""

    claim_id: str
    pmid: str
    reviewer: str
    relevant: bool | None = None  # None: not judged; False removes the study from the grade
    direction: str | None = None  # override: supports, contradicts, mixed, unclear
    note: str = ""
    updated_at: str = ""  # ISO 8601 UTC


@dataclass(frozen=True)
class ReviewAction:
    """One bulk review (many studies of a claim judged at once), kept so it can be undone.

    ``kind`` is "set-aside" (studies marked not relevant) or "direction" (a direction applied);
    ``detail`` says what was applied; ``pmids`` the studies it touched.
    """

    id: int
    claim_id: str
    reviewer: str
    kind: str
    detail: str
    at: str
    pmids: tuple[str, ...] = ()
    undone_at: str | None = None
    undone_by: str | None = None


@dataclass(frozen=True)
class SignOff:
    """A reviewer's sign-off of a claim's grade: who, when, a note, and the grade they signed.

    ``last_change`` is the cache's newest change id at sign-off: studies the claim gains after
    it make the sign-off stale, as does a grade that no longer matches ``verdict``/``strength``.
    """

    claim_id: str
    reviewer: str
    verdict: str
    strength: str
    note: str = ""
    studies: int = 0
    last_change: int = 0
    at: str = ""
    id: int | None = None
