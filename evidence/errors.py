"""The one exception hierarchy of evidence.

    EvidenceError                 every expected failure; the CLI prints it as one line
    ├── ConfigError               queries.yaml, settings or arguments are wrong
    ├── FetchError                E-utilities could not give us what we asked for
    │   ├── RateLimited           HTTP 429 past the retry budget
    │   └── NCBIUnavailable       5xx, timeouts, resets, "Search Backend failed"
    ├── ParseError                a response or file could not be read
    ├── CacheError                the SQLite cache is missing, corrupt, read-only or full
    │   └── CacheLocked           another refresh holds the lock (exit code 3)
    └── ImportFileError           a user-supplied PubMed export is malformed

Every message names the claim, query, PMID or file involved and says what to do next.
"""

from __future__ import annotations

__all__ = [
    "EvidenceError",
    "ConfigError",
    "FetchError",
    "RateLimited",
    "NCBIUnavailable",
    "ParseError",
    "CacheError",
    "CacheLocked",
    "ImportFileError",
]


class EvidenceError(Exception):
    """Base of every error the tool expects and reports without a traceback."""

    exit_code: int = 1


class ConfigError(EvidenceError):
    """Bad configuration: queries.yaml, environment variables or command-line arguments."""

    exit_code = 2


class FetchError(EvidenceError):
    """A request to NCBI E-utilities failed after its retry budget."""


class RateLimited(FetchError):
    """NCBI kept answering HTTP 429 (API rate limit exceeded)."""


class NCBIUnavailable(FetchError):
    """NCBI answered 5xx, timed out, reset the connection or reported a backend failure."""


class ParseError(EvidenceError):
    """A response or document could not be parsed."""


class CacheError(EvidenceError):
    """The cache cannot be opened, read or written."""


class CacheLocked(CacheError):
    """Another refresh is running on the same cache."""

    exit_code = 3


class ImportFileError(EvidenceError):
    """A PubMed export given to `evidence import` is malformed; nothing was imported."""
