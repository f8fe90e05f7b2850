"""evidence: check an article's factual claims against the PubMed literature.

Importing the package does nothing but define names: no I/O, no logging setup.
"""

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
from evidence.models import Annotation, Article, Claim, Record

__version__ = "0.1.0"

__all__ = [
    "Annotation",
    "Article",
    "CacheError",
    "CacheLocked",
    "Claim",
    "ConfigError",
    "EvidenceError",
    "FetchError",
    "ImportFileError",
    "NCBIUnavailable",
    "ParseError",
    "RateLimited",
    "Record",
    "__version__",
]
