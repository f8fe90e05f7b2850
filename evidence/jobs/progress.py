"""Refresh progress: a bar on a terminal, log lines for cron."""

from __future__ import annotations

import logging
import sys
from types import TracebackType

__all__ = ["ProgressReporter"]


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
