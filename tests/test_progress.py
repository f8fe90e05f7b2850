"""The refresh shows progress: a bar on a terminal, log lines for cron (never both, never neither)."""

from __future__ import annotations

import io
import logging

from evidence.jobs.progress import ProgressReporter


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_a_bar_with_searches_and_batches():
    out = _Terminal()
    with ProgressReporter(stream=out) as progress:
        progress(0, "search 1/2: cystitis")
        progress(500, "batch 1/1")
    text = out.getvalue()
    assert "search 1/2: cystitis" in text and "batch 1/1" in text


def test_cron_gets_one_log_line_per_batch_and_no_bar(caplog):
    out = io.StringIO()  # not a terminal
    with caplog.at_level(logging.INFO, logger="evidence.refresh"), ProgressReporter(stream=out) as progress:
        progress(0, "search 1/2: cystitis")
        progress(500, "batch 1/1")
    assert out.getvalue() == ""
    assert [r.getMessage() for r in caplog.records] == ["fetching batch 1/1 (500 records)"]


def test_quiet_shows_nothing(caplog):
    out = _Terminal()
    with caplog.at_level(logging.INFO, logger="evidence.refresh"), \
            ProgressReporter(enabled=False, stream=out) as progress:
            progress(500, "batch 1/1")
    assert out.getvalue() == "" and not caplog.records
