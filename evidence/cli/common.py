"""What every `evidence` command shares: settings from arguments and the environment, the registry,
the cache, the model judge, and printing (control characters stripped) and writing (atomically)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from evidence.fileio import atomic_write
from evidence.sanitize import strip_controls
from evidence.settings import Settings

EXIT_CHANGED = 4  # refresh --fail-on-change: a verdict or strength changed


def _settings(args: argparse.Namespace) -> Settings:
    return Settings.from_env(os.environ, queries=args.queries, cache=args.cache)


def _registry(args: argparse.Namespace):
    from evidence.registry import load_registry

    return load_registry(_settings(args).queries)


def _open_cache(args: argparse.Namespace, *, readonly: bool = True):
    """Reading commands open the cache read-only; writing ones never create it (only refresh does)."""
    from evidence.cache import Cache

    return Cache(_settings(args).cache, readonly=readonly, create=False)


def _print(text: object = "", *, file=None) -> None:
    """Every line the CLI prints: terminal control characters (ESC, BEL, NUL...) from a record,
    a file or NCBI's reply are stripped, so nothing can drive the terminal."""
    print(strip_controls(str(text)), file=file or sys.stdout)


def _judge(args: argparse.Namespace):
    """The model judge EVIDENCE_JUDGE_* configure, or None: the rules judge alone (the default)."""
    from evidence.grading.judges import ModelJudge

    return ModelJudge.from_settings(_settings(args), logger=logging.getLogger("evidence.modeljudge"))


def _judge_summary(judge) -> None:
    if judge is not None:
        print(judge.summary(), file=sys.stderr)


def _write_output(text: str, output: str | None) -> None:
    text = strip_controls(text)
    if output in (None, "-"):
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    path = Path(output)
    atomic_write(path, text, make_parents=True)
    _print(f"wrote {path}", file=sys.stderr)


# -- commands ---------------------------------------------------------------------------------
