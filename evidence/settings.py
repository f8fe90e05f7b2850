"""Settings read once, at the edge (CLI, dashboard), from arguments and the environment.

Environment variables:
  EVIDENCE_QUERIES   the claims registry (default ./queries.yaml)
  EVIDENCE_CACHE     the SQLite cache (default ./cache/evidence.sqlite)
  NCBI_EUTILS_URL    E-utilities base URL (default NCBI's); point it at a mirror or a test server
  NCBI_API_KEY       raises NCBI's rate limit from 3 to 10 requests/s; never logged or stored
  NCBI_EMAIL         sent with every request so NCBI can contact you before blocking
  EVIDENCE_JUDGE_URL    an OpenAI-compatible endpoint (e.g. http://127.0.0.1:11434/v1): turns on the
                        optional model-backed direction judge (docs/grading.md); unset, the rules judge
  EVIDENCE_JUDGE_MODEL  the model name the endpoint serves (required with EVIDENCE_JUDGE_URL)
  EVIDENCE_JUDGE_KEY    the endpoint's API key, sent only to that origin as a bearer token; never logged or stored
  EVIDENCE_JUDGE_INTERVAL      seconds between requests to the endpoint (default 1)
  EVIDENCE_JUDGE_MAX_REQUESTS  requests per run at most (default 1000); the rules judge the rest
The two judge limits are kept as text here and checked where the judge is built
(``evidence.grading.judges.ModelJudge.from_settings``), which reports a bad value as a ConfigError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Settings", "DEFAULT_EUTILS_URL"]

DEFAULT_EUTILS_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"


@dataclass(frozen=True)
class Settings:
    queries: Path
    cache: Path
    eutils_url: str = DEFAULT_EUTILS_URL
    api_key: str | None = field(default=None, repr=False)  # a secret: kept out of repr and logs
    email: str | None = None
    judge_url: str | None = None
    judge_model: str | None = None
    judge_key: str | None = field(default=None, repr=False)  # a secret, like api_key
    judge_interval: str = ""  # "" means the default
    judge_max_requests: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, queries: str | None = None,
                 cache: str | None = None) -> Settings:
        return cls(
            queries=Path(queries or environ.get("EVIDENCE_QUERIES") or "queries.yaml"),
            cache=Path(cache or environ.get("EVIDENCE_CACHE") or "cache/evidence.sqlite"),
            eutils_url=environ.get("NCBI_EUTILS_URL") or DEFAULT_EUTILS_URL,
            api_key=environ.get("NCBI_API_KEY") or None,
            email=environ.get("NCBI_EMAIL") or None,
            judge_url=(environ.get("EVIDENCE_JUDGE_URL") or "").strip() or None,
            judge_model=(environ.get("EVIDENCE_JUDGE_MODEL") or "").strip() or None,
            judge_key=(environ.get("EVIDENCE_JUDGE_KEY") or "").strip() or None,
            judge_interval=(environ.get("EVIDENCE_JUDGE_INTERVAL") or "").strip(),
            judge_max_requests=(environ.get("EVIDENCE_JUDGE_MAX_REQUESTS") or "").strip(),
        )

    @property
    def digest_dir(self) -> Path:
        return self.cache.parent / "digests"
