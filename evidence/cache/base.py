"""The connection, its transactions and error mapping, and the value types the cache returns."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evidence.cache.schema import MIGRATIONS, NULLABLE_INTEGER_COLUMNS, SCHEMA_VERSION
from evidence.errors import CacheError
from evidence.models import Record, record_from_dict

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
    replaced: tuple[str, ...] = ()  # imported copies that PubMed's record replaced (also in ``updated``)


def _hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


class CacheBase:
    """The connection and its helpers; ``evidence.cache.Cache`` adds the tables' operations."""

    def __init__(self, path: str | Path, *, readonly: bool = False, create: bool = True) -> None:
        """Open the cache at ``path``: ``readonly`` for readers (never writes, never creates);
        ``create=False`` for writers that must not start a new cache at a mistyped path."""
        self.path = Path(path)
        self.readonly = readonly
        if not self.path.exists():
            if readonly or not create:
                raise CacheError(f"no cache at {self.path}: check --cache or EVIDENCE_CACHE; "
                                 "`evidence refresh` creates a new one")
        elif not self.path.is_file():
            raise CacheError(f"the cache {self.path} is not a file; give the path of the cache's .sqlite file")
        try:
            if readonly:
                self._db = _connect_readonly(self.path)
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
            if hasattr(self, "_db"):
                self._db.close()
            raise CacheError(_explain_open_error(self.path, exc, readonly)) from exc
        except OSError as exc:
            raise CacheError(f"cannot create the cache at {self.path}: {exc.strerror or exc}") from exc
        except CacheError:
            if hasattr(self, "_db"):
                self._db.close()
            raise

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
        if row is None:
            return 0
        try:
            return int(str(row[0]).strip())
        except ValueError:
            raise CacheError(self.damaged(f"its schema version {str(row[0])[:40]!r} is not a number")) from None

    def _tables(self) -> list[str]:
        return [r[0] for r in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]

    def _check_version(self) -> None:
        version = self._version()
        if version == 0:
            self._refuse_foreign()
            raise CacheError(f"{self.path} is an empty cache: run `evidence refresh` to fill it")
        if version > SCHEMA_VERSION:
            raise CacheError(
                f"{self.path} has schema version {version}, newer than this evidence ({SCHEMA_VERSION}): "
                "upgrade evidence"
            )

    def _refuse_foreign(self) -> None:
        """An SQLite file with tables but no evidence schema is someone else's: never add ours to it."""
        tables = [t for t in self._tables() if t != "meta"]
        if tables:
            shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
            raise CacheError(f"{self.path} is an SQLite database but not an evidence cache (it holds the tables "
                             f"{shown}); nothing was changed. Check --cache or EVIDENCE_CACHE")

    def _migrate(self) -> None:
        version = self._version()
        if version == 0:
            self._refuse_foreign()
        if version > SCHEMA_VERSION:
            self._check_version()
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._write():
                for statement in MIGRATIONS[target]:
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(target),)
                )

    def damaged(self, what: str) -> str:
        """The one message for a damaged cache: what is wrong, and how to rebuild it keeping the reviews."""
        return _damaged(self.path, what)

    def _json(self, text: Any, where: str) -> Any:
        """A JSON column's value; damage raises CacheError naming the column and the row."""
        try:
            return json.loads(text)
        except (TypeError, ValueError):
            raise CacheError(self.damaged(f"{where} is not valid JSON")) from None

    def _record(self, data: Any, pmid: str) -> Record:
        """A record from its ``records.data`` JSON; damage raises CacheError naming the PMID."""
        value = self._json(data, f"records.data of PMID {pmid}")
        try:
            return record_from_dict(value)
        except (TypeError, ValueError, KeyError, AttributeError):
            raise CacheError(self.damaged(f"records.data of PMID {pmid} is not a record")) from None

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
            raise CacheError(_damaged(self.path, f"{exc}; nothing was written")) from exc

    def _read(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise CacheError(_explain_read_error(self.path, exc)) from exc

    def _iter(self, sql: str, params: Sequence[Any] = ()) -> Iterator[sqlite3.Row]:
        """Rows of ``sql`` one at a time (for scans too large for a list), errors mapped as ``_read``'s."""
        try:
            cursor = self._db.execute(sql, params)
            while rows := cursor.fetchmany(256):
                yield from rows
        except sqlite3.DatabaseError as exc:
            raise CacheError(_explain_read_error(self.path, exc)) from exc

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
            # pandas wraps SQLite's error in "Execution failed on sql '<the whole query>': ..."
            raise CacheError(_explain_read_error(self.path, exc.__cause__ or exc)) from exc
        ints = {c: "Int64" for c in frame.columns if c in NULLABLE_INTEGER_COLUMNS}
        if "retracted" in frame.columns:
            ints["retracted"] = "bool"
        try:
            return frame.astype(ints) if ints else frame
        except (TypeError, ValueError) as exc:  # text where a number belongs
            raise CacheError(self.damaged(f"a number column holds {exc}")) from None

    def _has_table(self, name: str) -> bool:
        """A read-only reader of an older cache lacks the newer tables: their readers return nothing."""
        return bool(self._read("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?", (name,)))

    def integrity_check(self) -> str:
        return str(self._read("PRAGMA integrity_check")[0][0])

def _damaged(path: Path, what: str) -> str:
    return (f"the cache {path} is damaged ({what}). Keep your reviews first (`evidence annotations export "
            "-o reviews.csv`), then move it aside, run `evidence refresh` to rebuild it and `evidence annotations "
            "import reviews.csv`")


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection that never writes, even the WAL's shared-memory file.

    A WAL cache needs ``<cache>-shm`` to be read; in a folder the user cannot write SQLite
    cannot create it (SQLITE_READONLY_DIRECTORY). When no ``-wal`` file holds unmerged
    transactions the database file alone is the whole cache, and it is opened immutable.
    """
    if not os.access(path, os.R_OK):
        raise CacheError(f"cannot read the cache {path}: permission denied. Ask its owner for read access "
                         "(`chmod a+r` on the file); nothing is wrong with the cache itself")
    db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    try:
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
        return db
    except sqlite3.OperationalError as exc:
        db.close()
        if "readonly" not in str(exc) and "unable to open" not in str(exc):
            raise
        wal = path.with_name(path.name + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            raise CacheError(
                f"cannot read the cache {path}: its folder {path.parent} is not writable for you, and SQLite "
                f"needs to create {path.name}-shm there to read the transactions waiting in {wal.name}. "
                "Ask for write access to the folder, or read a copy (copy the .sqlite and -wal files together); "
                "nothing is wrong with the cache itself"
            ) from exc
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, timeout=30,
                           check_same_thread=False)


def _explain_open_error(path: Path, exc: sqlite3.DatabaseError, readonly: bool) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        what = "read" if readonly else "write"
        return (f"cannot {what} the cache {path}: {text}. Check the permissions of the file and of its folder "
                f"{path.parent} (a refresh, an import and reviews need write access to both); "
                "nothing is wrong with the cache itself")
    if "locked" in text or "busy" in text:
        return f"the cache {path} is busy ({text}); try again"
    return _damaged(path, text)


def _explain_read_error(path: Path, exc: BaseException) -> str:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return f"the cache {path} is busy ({text}); try again"
    if "no such table" in text or "no such column" in text:
        return _damaged(path, f"{text}: a table of the evidence schema is missing")
    return _damaged(path, text)


def _explain_write_error(path: Path, exc: sqlite3.OperationalError) -> str:
    text = str(exc)
    if "readonly" in text or "read-only" in text:
        return f"the cache {path} is read-only ({text}); nothing was written. Check the file's permissions"
    if "full" in text:
        return f"the disk holding the cache {path} is full ({text}); nothing was written. Free space and rerun"
    if "locked" in text or "busy" in text:
        return f"the cache {path} is busy ({text}); nothing was written. Try again"
    return f"cannot write the cache {path}: {text}; nothing was written"
