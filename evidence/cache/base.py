"""The connection, its transactions and error mapping, and the value types the cache returns."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.cache.schema import MIGRATIONS, NULLABLE_INTEGER_COLUMNS, SCHEMA_VERSION
from evidence.errors import CacheError
from evidence.models import Record

_CHUNK = 900  # below SQLite's default limit of bound parameters per statement

if TYPE_CHECKING:  # pandas costs ~100 MB and a second at import: loaded only when a frame is asked for
    import pandas as pd

def utcnow() -> str:
    """ISO 8601 UTC timestamp with seconds, the one time format the cache stores."""
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class ClaimState:
    claim_id: str
    term: str | None
    watermark: str | None  # YYYY-MM-DD of the last fully successful search
    last_success: str | None
    last_attempt: str | None
    last_error: str | None


@dataclass(frozen=True)
class StoredRecord:
    record: Record
    source: str
    fetched_at: str


@dataclass(frozen=True)
class BatchOutcome:
    added: tuple[str, ...]  # PMIDs new to the cache
    updated: tuple[str, ...]  # PMIDs whose XML changed
    unchanged: tuple[str, ...]
    new_members: tuple[tuple[str, str], ...]  # (claim_id, pmid) memberships created


def _hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


class CacheBase:
    """The connection and its helpers; ``evidence.cache.Cache`` adds the tables' operations."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        if readonly and not self.path.exists():
            raise CacheError(f"no cache at {self.path}: run `evidence refresh` first")
        try:
            if readonly:
                self._db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30,
                                           check_same_thread=False)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
            else:
                self._check_version()
        except sqlite3.DatabaseError as exc:
            raise CacheError(
                f"cannot open the cache {self.path}: {exc}. If it is corrupt, move it aside and run "
                "`evidence refresh` to rebuild it (annotations can be exported first)"
            ) from exc
        except OSError as exc:
            raise CacheError(f"cannot create the cache at {self.path}: {exc}") from exc

    # -- lifecycle -------------------------------------------------------------------------

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _version(self) -> int:
        has_meta = self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if not has_meta:
            return 0
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0

    def _check_version(self) -> None:
        version = self._version()
        if version == 0:
            raise CacheError(f"{self.path} is not an evidence cache yet: run `evidence refresh`")
        if version > SCHEMA_VERSION:
            raise CacheError(
                f"{self.path} has schema version {version}, newer than this evidence ({SCHEMA_VERSION}): "
                "upgrade evidence"
            )

    def _migrate(self) -> None:
        version = self._version()
        if version > SCHEMA_VERSION:
            self._check_version()
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._write():
                for statement in MIGRATIONS[target]:
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(target),)
                )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction: commits on success, rolls back on any error, maps SQLite errors."""
        if self.readonly:
            raise CacheError(f"the cache {self.path} is open read-only")
        try:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.rollback()
                raise
            self._db.commit()
        except sqlite3.OperationalError as exc:
            raise CacheError(_explain_write_error(self.path, exc)) from exc
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"the cache {self.path} is damaged ({exc}); nothing was written") from exc

    def _read(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise CacheError(f"cannot read the cache {self.path}: {exc}") from exc

    def _read_in(self, sql: str, ids: Iterable[str], before: Sequence[Any] = (),
                 after: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
        """Rows of ``sql`` whose ``{marks}`` placeholder takes ``ids``, in chunks under SQLite's
        bound-parameter limit; ``before``/``after`` are the other parameters around them."""
        wanted = list(ids)
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i : i + _CHUNK]
            yield from self._read(sql.format(marks=",".join("?" * len(chunk))), [*before, *chunk, *after])

    def _frame(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        import pandas as pd

        try:
            frame = pd.read_sql_query(sql, self._db, params=list(params))
        except (sqlite3.DatabaseError, pd.errors.DatabaseError) as exc:
            raise CacheError(f"cannot read the cache {self.path}: {exc}") from exc
        ints = {c: "Int64" for c in frame.columns if c in NULLABLE_INTEGER_COLUMNS}
        if "retracted" in frame.columns:
            ints["retracted"] = "bool"
        return frame.astype(ints) if ints else frame

    def _has_table(self, name: str) -> bool:
        """A read-only reader of an older cache lacks the newer tables: their readers return nothing."""
        return bool(self._read("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)))

    def integrity_check(self) -> str:
        return str(self._read("PRAGMA integrity_check")[0][0])

def _explain_write_error(path: Path, exc: sqlite3.OperationalError) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return f"the cache {path} is read-only ({text}); nothing was written. Check the file's permissions"
    if "full" in text:
        return f"the disk holding the cache {path} is full ({text}); nothing was written. Free space and rerun"
    if "locked" in text or "busy" in text:
        return f"the cache {path} is busy ({text}); nothing was written. Try again"
    return f"cannot write the cache {path}: {text}; nothing was written"
