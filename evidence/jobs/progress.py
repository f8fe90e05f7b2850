"""What the CLI wraps around a refresh: progress display, then the grade snapshot and digest."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType

from evidence.cache import Cache
from evidence.registry import Registry

__all__ = ["ProgressReporter", "after_refresh"]


class ProgressReporter:
    """A tqdm bar on a terminal; plain log lines otherwise (cron, CI, pipes).

    Called as ``progress(0, label)`` before each search and ``progress(n_records, label)``
    once per efetch batch.
    """

    def __init__(self, enabled: bool = True, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self._bar = None
        self._log = logging.getLogger("evidence.refresh")

    def __enter__(self) -> ProgressReporter:
        if self.tty:
            from tqdm import tqdm

            self._bar = tqdm(total=None, unit="rec", desc="refresh", file=self.stream, leave=False)
        return self

    def __call__(self, records: int, label: str) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.set_postfix_str(label)
            self._bar.update(records)
        elif records:  # searches are logged by the refresh itself
            self._log.info("fetching %s (%d records)", label, records)

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.close()


def after_refresh(registry: Registry, digest_dir: Path) -> Callable[[Cache, int], Sequence[str]]:
    """The end of every refresh: snapshot each claim's grade, then write the run's digest."""

    def hook(cache: Cache, run_id: int) -> Sequence[str]:
        from evidence.grading.service import snapshot_grades
        from evidence.outputs.digest import write_digest

        snapshot_grades(registry, cache, run_id)
        paths = write_digest(cache, digest_dir, run_id, claims={c.id: c for c in registry.claims})
        return [str(p) for p in paths]

    return hook
