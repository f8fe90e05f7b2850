"""Settings read once, at the edge (CLI, dashboard), from arguments and the environment.

Environment variables:
  EVIDENCE_QUERIES   the claims registry (default ./queries.yaml)
  EVIDENCE_CACHE     the SQLite cache (default ./cache/evidence.sqlite)
  NCBI_EUTILS_URL    E-utilities base URL (default NCBI's); point it at a mirror or a test server
  NCBI_API_KEY       raises NCBI's rate limit from 3 to 10 requests/s; never logged or stored
  NCBI_EMAIL         sent with every request so NCBI can contact you before blocking
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

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, queries: str | None = None,
                 cache: str | None = None) -> Settings:
        return cls(
            queries=Path(queries or environ.get("EVIDENCE_QUERIES") or "queries.yaml"),
            cache=Path(cache or environ.get("EVIDENCE_CACHE") or "cache/evidence.sqlite"),
            eutils_url=environ.get("NCBI_EUTILS_URL") or DEFAULT_EUTILS_URL,
            api_key=environ.get("NCBI_API_KEY") or None,
            email=environ.get("NCBI_EMAIL") or None,
        )

    @property
    def digest_dir(self) -> Path:
        return self.cache.parent / "digests"
