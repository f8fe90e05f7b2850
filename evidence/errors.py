"""The one exception hierarchy of evidence.

    EvidenceError                 every expected failure; the CLI prints it as one line
    ├── ConfigError               queries.yaml, settings or arguments are wrong (exit code 2)
    │   └── RegistryError         queries.yaml is invalid; holds every located Problem
    ├── FetchError                E-utilities could not give us what we asked for
    │   ├── RateLimited           HTTP 429 past the retry budget
    │   ├── NCBIUnavailable       5xx, timeouts, resets, "Search Backend failed"
    │   └── EutilsReplyError      HTTP 200 carrying an <ERROR>; ``transient`` says if a retry may help
    ├── ParseError                a response or file could not be read
    │   └── TruncatedResponse     a reply ended early or is not XML; the request can be sent again
    ├── CacheError                the SQLite cache is missing, corrupt, read-only or full
    │   └── CacheLocked           another refresh holds the lock (exit code 3)
    ├── ImportFileError           a user-supplied file (PubMed export, annotations CSV) is malformed
    ├── OutputError               an output file cannot be written where asked (a folder, a FIFO...)
    └── JudgeError                the optional model-backed judge could not answer; the rules decide
        ├── JudgeUnavailable      429, 5xx, timeouts, resets past the retry budget, or the run's request cap
        └── JudgeRejected         the endpoint refused (4xx), redirected, or did not answer a chat completion

Every message names the claim, query, PMID or file involved and says what to do next.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "EvidenceError",
    "ConfigError",
    "Problem",
    "RegistryError",
    "FetchError",
    "RateLimited",
    "NCBIUnavailable",
    "EutilsReplyError",
    "ParseError",
    "TruncatedResponse",
    "CacheError",
    "CacheLocked",
    "ImportFileError",
    "OutputError",
    "JudgeError",
    "JudgeUnavailable",
    "JudgeRejected",
]


class EvidenceError(Exception):
    """Base of every error the tool expects and reports without a traceback."""

    exit_code: int = 1


class ConfigError(EvidenceError):
    """Bad configuration: queries.yaml, environment variables or command-line arguments."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One located problem in queries.yaml."""

    file: str
    line: int  # 1-based
    col: int  # 1-based
    path: str  # e.g. "claims[3].quote (id cystitis)"
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.path}: {self.message}"


class RegistryError(ConfigError):
    """queries.yaml is invalid; ``problems`` holds every located problem."""

    def __init__(self, file: str, problems: list[Problem]):
        self.problems = tuple(sorted(problems, key=lambda p: (p.line, p.col)))
        n = len(self.problems)
        head = (f"{file}: {n} problem{'s' if n != 1 else ''} in the claims registry "
                "(fix them all, then run `evidence check` again):")
        super().__init__("\n".join([head, *map(str, self.problems)]))


class FetchError(EvidenceError):
    """A request to NCBI E-utilities failed after its retry budget."""


class RateLimited(FetchError):
    """NCBI kept answering HTTP 429 (API rate limit exceeded)."""


class NCBIUnavailable(FetchError):
    """NCBI answered 5xx, timed out, reset the connection or reported a backend failure."""


class EutilsReplyError(FetchError):
    """NCBI answered HTTP 200 with an ``<ERROR>``; ``transient`` says whether a retry may help."""

    def __init__(self, message: str, *, transient: bool):
        super().__init__(message)
        self.ncbi_message = message
        self.transient = transient


class ParseError(EvidenceError):
    """A response or document could not be parsed."""


class TruncatedResponse(ParseError):
    """A reply body ended early or is not XML; the same request can simply be sent again."""


class CacheError(EvidenceError):
    """The cache cannot be opened, read or written."""


class CacheLocked(CacheError):
    """Another refresh is running on the same cache."""

    exit_code = 3


class ImportFileError(EvidenceError):
    """A file given to `evidence import` or `annotations import` is malformed; nothing was imported."""


class OutputError(EvidenceError):
    """An output (``-o PATH``, a digest) cannot be written there: a directory, a FIFO or device,
    a missing folder, no permission, a full disk. Nothing was written."""


class JudgeError(EvidenceError):
    """The model-backed direction judge could not answer; the rules' direction stands.

    Messages never hold the endpoint's key (``EVIDENCE_JUDGE_KEY``).
    """


class JudgeUnavailable(JudgeError):
    """The endpoint kept failing (429, 5xx, timeouts, resets) past the retry budget, or the run's cap was reached."""


class JudgeRejected(JudgeError):
    """The endpoint refused the request (4xx), redirected it, or answered something that is not a chat completion.

    ``per_pair`` is True when only this request was refused (e.g. HTTP 400 for an abstract too
    long for the model's context); asking about other pairs may still work.
    """

    def __init__(self, message: str, *, per_pair: bool = False):
        super().__init__(message)
        self.per_pair = per_pair
