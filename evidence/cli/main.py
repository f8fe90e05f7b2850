"""The `evidence` command: parses arguments and calls library functions, nothing more.

Expected failures (EvidenceError) print one line ``error: ...`` and exit non-zero
(2 for configuration, 3 when another refresh holds the lock, 1 otherwise).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from evidence.errors import EvidenceError
from evidence.vocabulary import DESIGNS

__all__ = ["main", "build_parser"]


from evidence.cli.commands import (
    cmd_annotations,
    cmd_check,
    cmd_claims,
    cmd_digest,
    cmd_export,
    cmd_import,
    cmd_judge,
    cmd_propose,
    cmd_refresh,
    cmd_report,
    cmd_show,
)
from evidence.cli.common import EXIT_CHANGED, _print

_Command = Callable[[argparse.Namespace], int]


def _add(sub: Any, name: str, func: _Command, help_text: str, example: str) -> argparse.ArgumentParser:
    parser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=f"example:\n  {example}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(func=func)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evidence",
        description="Check an article's factual claims against the PubMed literature.",
        epilog="example:\n  evidence check && evidence refresh && streamlit run app.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--queries", metavar="PATH", help="claims registry (env EVIDENCE_QUERIES, default ./queries.yaml)"
    )
    parser.add_argument(
        "--cache", metavar="PATH", help="SQLite cache (env EVIDENCE_CACHE, default ./cache/evidence.sqlite)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request and decision")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = _add(
        sub,
        "refresh",
        cmd_refresh,
        "Fetch new and revised PubMed records for every claim into the cache.",
        "evidence refresh --claim cystitis --claim addiction",
    )
    p.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    p.add_argument("--full", action="store_true", help="ignore watermarks: search everything again and refetch")
    p.add_argument(
        "--fail-on-change", action="store_true", help=f"exit {EXIT_CHANGED} when a claim's verdict or strength changed"
    )
    p.add_argument("--batch-size", type=int, default=500, metavar="N", help="records per efetch (default 500)")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="for cron: nothing on success without changes, one line with changes, errors on stderr",
    )

    _add(sub, "claims", cmd_claims, "List the claims with their record counts and last refresh.", "evidence claims")
    p = _add(
        sub,
        "check",
        cmd_check,
        "Validate queries.yaml and count the drafts left; exit 0 only when it is valid. "
        "--online: one count-only PubMed search per claim (in the search log), flagging 0 hits, over 10,000 "
        "hits and phrases PubMed could not find.",
        "evidence --queries my-queries.yaml check --online",
    )
    p.add_argument("--online", action="store_true", help="also run each query once in PubMed (count only)")
    p.add_argument("--claim", action="append", metavar="ID", help="with --online: only this claim (repeatable)")

    p = _add(
        sub,
        "propose",
        cmd_propose,
        "Draft the claims registry from an article (.txt, .md or a saved .html "
        "page): copy its text into articles/, write each checkable health claim with a PubMed query, as a draft.",
        "evidence propose saved-page.html --article-id iv-therapy -o iv-therapy.yaml",
    )
    p.add_argument("article", help="the article: .txt, .md, or .html as saved from the browser")
    p.add_argument("--article-id", metavar="ID", help="slug for the article (default: from its title)")
    p.add_argument("-o", "--output", metavar="FILE", help="the draft registry (the text goes to articles/ beside it)")
    p.add_argument("--force", action="store_true", help="replace an existing output file or article copy")

    p = _add(sub, "show", cmd_show, "Show one cached record.", "evidence show 17059514")
    p.add_argument("pmid")
    p.add_argument("--json", action="store_true", help="the parsed record as JSON")
    p.add_argument("--xml", action="store_true", help="the raw PubMed XML as fetched")

    p = _add(
        sub,
        "report",
        cmd_report,
        "Grade every claim and print the evidence report.",
        "evidence report --format md --claim cystitis -o cystitis.md",
    )
    p.add_argument("--format", choices=("json", "md", "html"), default="md")
    p.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    p.add_argument("--article", action="append", metavar="ID", help="only this article's claims (repeatable)")
    p.add_argument("-o", "--output", metavar="PATH", help="write to PATH instead of standard output")

    p = _add(
        sub,
        "export",
        cmd_export,
        "Export citations for a claim, a selection or everything.",
        "evidence export --format ris --claim cystitis -o cystitis.ris",
    )
    p.add_argument("--format", required=True, choices=("ama", "vancouver", "apa", "bibtex", "ris", "csljson", "csv"))
    p.add_argument("--claim", action="append", metavar="ID", help="only this claim (repeatable)")
    p.add_argument("--article", action="append", metavar="ID", help="only this article's claims (repeatable)")
    p.add_argument(
        "--design",
        action="append",
        metavar="DESIGN",
        help="only this study design (repeatable, any case), e.g. rct; one of: " + ", ".join(DESIGNS),
    )
    p.add_argument("--include-retracted", action="store_true", help="include retracted studies, marked [RETRACTED]")
    p.add_argument("-o", "--output", metavar="PATH")

    p = _add(
        sub,
        "import",
        cmd_import,
        "Import a PubMed export (MEDLINE/.nbib or XML) into a claim.",
        "evidence import pubmed-ketamine-set.nbib --claim cystitis",
    )
    p.add_argument("file")
    p.add_argument("--claim", required=True, metavar="ID")

    p = _add(
        sub,
        "digest",
        cmd_digest,
        "Print what changed: new studies, grade changes, retractions.",
        "evidence digest --since 2026-11-01 --format md",
    )
    p.add_argument("--since", metavar="DATE", help="ISO date; default: the last refresh")
    p.add_argument("--format", choices=("md", "json"), default="md")
    p.add_argument("-o", "--output", metavar="PATH")

    p = _add(
        sub,
        "annotations",
        cmd_annotations,
        "Export or import reviewers' annotations as CSV.",
        "evidence annotations export -o annotations.csv",
    )
    p.add_argument("action", choices=("export", "import"))
    p.add_argument("file", nargs="?", help="CSV to import")
    p.add_argument("-o", "--output", metavar="PATH")

    p = _add(
        sub,
        "judge",
        cmd_judge,
        "Judge your own claim/text pairs with the direction judge the refresh uses.",
        "evidence judge my-pairs.jsonl -o judged.jsonl",
    )
    p.add_argument(
        "pairs",
        metavar="PAIRS.jsonl",
        help='JSON lines {"id", "claim", "text"} (optional "polarity": effect, no-effect, increase, '
        'decrease); "-": stdin. Writes {"id", "direction", "confidence", "sentence", "reason", "judge"}',
    )
    p.add_argument("-o", "--output", metavar="PATH", help="write to PATH (whole or nothing) instead of stdout")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    quiet = getattr(args, "quiet", False)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING if quiet else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:
        logging.getLogger("urllib3").setLevel(logging.WARNING)
    try:
        return args.func(args)
    except EvidenceError as exc:
        _print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except BrokenPipeError:  # `evidence claims | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("error: interrupted; the cache is consistent and the next run finishes the job", file=sys.stderr)
        return 130
