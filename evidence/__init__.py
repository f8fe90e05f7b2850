"""evidence: check an article's factual claims against the PubMed literature.

The names below are the public surface; everything else is internal and may change.
Importing the package does nothing but define names: no I/O, no logging setup, no settings.
"""

from evidence.cache import Cache
from evidence.cache.lock import refresh_lock
from evidence.errors import (
    CacheError,
    CacheLocked,
    ConfigError,
    EvidenceError,
    FetchError,
    ImportFileError,
    NCBIUnavailable,
    ParseError,
    RateLimited,
)
from evidence.grading.classify import StudyClass, classify
from evidence.grading.direction import Direction, judge_conclusion, judge_direction
from evidence.grading.grade import Assessment, Grade, grade, pair_contradictions
from evidence.grading.service import ClaimEvidence, assess_claims
from evidence.jobs.refresh import RefreshOptions, RefreshSummary, refresh
from evidence.models import Annotation, Article, Claim, Record
from evidence.outputs.report import build_report, render_html, render_markdown, report_for
from evidence.pubmed.build import SearchResult
from evidence.pubmed.client import EutilsClient, Pacer
from evidence.pubmed.xml_parser import iter_pubmed_xml, parse_pubmed_xml
from evidence.registry import Registry, load_registry, search_term
from evidence.settings import Settings

__version__ = "0.1.0"

__all__ = [
    "__version__",
    "Annotation",
    "Article",
    "assess_claims",
    "Assessment",
    "build_report",
    "Cache",
    "CacheError",
    "CacheLocked",
    "Claim",
    "ClaimEvidence",
    "classify",
    "ConfigError",
    "Direction",
    "EutilsClient",
    "EvidenceError",
    "FetchError",
    "Grade",
    "grade",
    "ImportFileError",
    "iter_pubmed_xml",
    "judge_conclusion",
    "judge_direction",
    "load_registry",
    "NCBIUnavailable",
    "Pacer",
    "pair_contradictions",
    "parse_pubmed_xml",
    "ParseError",
    "RateLimited",
    "Record",
    "refresh",
    "refresh_lock",
    "RefreshOptions",
    "RefreshSummary",
    "Registry",
    "render_html",
    "render_markdown",
    "report_for",
    "search_term",
    "SearchResult",
    "Settings",
    "StudyClass",
]
