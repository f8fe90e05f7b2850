"""The `evidence` command: parses arguments and calls library functions, nothing more.

Expected failures (EvidenceError) print one line ``error: ...`` and exit non-zero
(2 for configuration, 3 when another refresh holds the lock, 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from evidence.errors import ConfigError, EvidenceError
from evidence.fileio import atomic_write
from evidence.sanitize import strip_controls
from evidence.settings import Settings
from evidence.vocabulary import DESIGNS

__all__ = ["main", "build_parser"]

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


def cmd_check(args: argparse.Namespace) -> int:
    from evidence.registry import status_line, summarize

    registry = _registry(args)
    for line in [*summarize(registry), status_line(registry)]:
        _print(line)
    if args.online:
        from evidence.jobs.probe import probe_online

        _print("\n" + probe_online(registry, _settings(args), args.claim or ()))
    return 0


def cmd_propose(args: argparse.Namespace) -> int:
    from evidence.propose import propose_article

    output = Path(args.output) if args.output else None
    result = propose_article(Path(args.article), article_id=args.article_id, force=args.force, output=output,
                             registry_dir=_settings(args).queries.parent)
    if result.registry_path is None:
        sys.stdout.write(strip_controls(result.registry_text))
    _print(result.summary(), file=sys.stderr)
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    registry = _registry(args)
    settings = _settings(args)
    overview: dict[str, Any] = {}
    if settings.cache.exists():
        with _open_cache(args) as cache:
            frame = cache.claims_overview()
            overview = {row.claim_id: row for row in frame.itertuples()}
    width = max(len(c.id) for c in registry.claims)
    _print(f"{'claim':<{width}}  {'kind':<13} {'records':>7}  last refresh")
    for claim in registry.claims:
        row = overview.get(claim.id)
        records = int(row.records) if row is not None else 0
        last = (row.last_success or "never") if row is not None else "never"
        flag = f"  (last error: {row.last_error})" if row is not None and row.last_error else ""
        _print(f"{claim.id:<{width}}  {claim.kind:<13} {records:>7}  {last}{flag}")
    if not settings.cache.exists():
        _print(f"no cache at {settings.cache} yet: run `evidence refresh`", file=sys.stderr)
    return 0


def cmd_refresh(args: argparse.Namespace) -> int:
    from evidence.cache import Cache
    from evidence.cache.lock import refresh_lock
    from evidence.jobs.progress import ProgressReporter
    from evidence.jobs.refresh import RefreshOptions, refresh
    from evidence.outputs.digest import after_refresh
    from evidence.pubmed.client import EutilsClient

    settings = _settings(args)
    registry = _registry(args)
    for claim_id in args.claim or ():
        registry.claim(claim_id)  # unknown ids fail before any request
    client = EutilsClient(base_url=settings.eutils_url, api_key=settings.api_key, email=settings.email,
                          logger=logging.getLogger("evidence.eutils"))
    judge = _judge(args)
    options = RefreshOptions(claim_ids=tuple(args.claim or ()), full=args.full, batch_size=args.batch_size)
    with refresh_lock(settings.cache), Cache(settings.cache) as cache, \
            ProgressReporter(enabled=not args.quiet) as progress:
        summary = refresh(registry, cache, client, options, progress=progress,
                          after_run=after_refresh(registry.claims, settings.digest_dir, judge))
    digest = None
    if args.quiet or args.fail_on_change:
        from evidence.outputs.digest import build_digest

        with Cache(settings.cache, readonly=True) as cache:
            digest = build_digest(cache, run_id=summary.run_id, claims={c.id: c for c in registry.claims})
    if args.json:
        _print(json.dumps(summary.to_dict(), indent=2))
    elif not args.quiet:
        _print(summary.to_text())
    elif summary.exit_code:  # quiet, but a failed run must be heard: on stderr, for the cron mail
        _print("\n".join(summary.to_text().splitlines()[-1 - len(summary.errors):]), file=sys.stderr)
    elif digest is not None:
        from evidence.outputs.news import changed, digest_line

        if changed(digest):  # quiet: one line when something changed, nothing otherwise
            md = next((p for p in summary.digest_paths if p.endswith(".md")), None)
            _print(digest_line(digest, md))
    if not args.quiet:
        _judge_summary(judge)
    if summary.exit_code:
        return summary.exit_code
    if args.fail_on_change and digest is not None:
        from evidence.outputs.digest import grade_changed

        if grade_changed(digest):
            _print("a verdict or strength changed (--fail-on-change)", file=sys.stderr)
            return EXIT_CHANGED
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    if not args.pmid.strip().isdigit():
        raise ConfigError(f"{args.pmid!r} is not a PMID: a PMID is a number, e.g. `evidence show 17059514`")
    args.pmid = args.pmid.strip()
    with _open_cache(args) as cache:
        if args.xml:
            raw = cache.get_raw_xml(args.pmid)
            if raw is None:
                raise EvidenceError(f"PMID {args.pmid} is not in the cache: run `evidence refresh` or check the id")
            _write_output(raw.decode("utf-8", errors="replace"), None)
            return 0
        stored = cache.get_record(args.pmid)
        if stored is None:
            raise EvidenceError(f"PMID {args.pmid} is not in the cache: run `evidence refresh` or check the id")
        claims = sorted(cache.memberships().query("pmid == @args.pmid")["claim_id"])
    record = stored.record
    if args.json:
        _print(json.dumps({**record.to_dict(), "claims": claims, "fetched_at": stored.fetched_at,
                          "source": stored.source}, indent=2, ensure_ascii=False))
        return 0
    from evidence.grading.classify import classify

    study = classify(record)
    authors = ", ".join(a.display for a in record.authors[:6]) + (" et al." if len(record.authors) > 6 else "")
    lines = [
        f"PMID {record.pmid}{'  [RETRACTED]' if record.retracted else ''}",
        record.title,
        authors,
        f"{record.journal} {record.pub_date.text}" + (f"; {record.volume}" if record.volume else "")
        + (f"({record.issue})" if record.issue else "") + (f":{record.pages}" if record.pages else ""),
        f"doi: {record.doi or '-'}   pmcid: {record.pmcid or '-'}   status: {record.status or '-'}",
        f"types: {'; '.join(record.publication_types) or '-'}",
        f"design: {study.design} ({study.design_reason})",
        f"species: {study.species} ({study.species_reason})",
        f"n: {study.n if study.n is not None else '-'}",
        f"claims: {', '.join(claims) or '-'}   fetched: {stored.fetched_at} ({stored.source})",
        "",
        record.abstract or "(no abstract)",
    ]
    _print("\n".join(lines))
    return 0


def _chosen_claims(registry, args: argparse.Namespace) -> tuple[str, ...]:
    """Claim ids named by --claim and --article (none: every claim); unknown ids fail first."""
    chosen = [registry.claim(c).id for c in args.claim or ()]
    for article_id in args.article or ():
        registry.article(article_id)
        chosen += [c.id for c in registry.claims_for(article_id)]
    return tuple(dict.fromkeys(chosen))


def cmd_report(args: argparse.Namespace) -> int:
    from evidence.outputs.report import render_html, render_markdown, report_for

    registry = _registry(args)
    claim_ids = _chosen_claims(registry, args)
    judge = _judge(args)
    # With a model judge the cache is opened for writing, so its answers are kept for the next run
    # (a missing cache is still reported as missing, never created empty).
    with _open_cache(args, readonly=judge is None or not _settings(args).cache.exists()) as cache:
        report = report_for(registry, cache, claim_ids, judge=judge)
    _judge_summary(judge)
    if args.format == "json":
        text = json.dumps(report, indent=2, ensure_ascii=False)
    elif args.format == "md":
        text = render_markdown(report)
    else:
        text = render_html(report)
    _write_output(text, args.output)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from evidence.outputs.exports import check_designs, export_records, select_export

    designs = check_designs(args.design or ())  # a misspelt design fails before the cache is opened
    registry = _registry(args)
    claim_ids = _chosen_claims(registry, args)
    with _open_cache(args) as cache:
        chosen = select_export(registry, cache, claim_ids=claim_ids, designs=designs)
    text = export_records(chosen.records, args.format, include_retracted=args.include_retracted, notes=chosen.notes)
    _write_output(text, args.output)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from evidence.cache import Cache
    from evidence.cache.lock import refresh_lock
    from evidence.jobs.importer import import_file

    registry = _registry(args)
    registry.claim(args.claim)
    settings = _settings(args)
    # create=False: a mistyped --cache or EVIDENCE_CACHE must not start a new cache (refresh creates it).
    with Cache(settings.cache, create=False) as cache, refresh_lock(settings.cache):
        result = import_file(cache, Path(args.file), args.claim)
    _print(result.summary() if hasattr(result, "summary") else result)
    return 0


def cmd_digest(args: argparse.Namespace) -> int:
    from evidence.outputs.digest import build_digest, render_digest_markdown

    registry = _registry(args)
    with _open_cache(args) as cache:
        digest = build_digest(cache, since=args.since, claims={c.id: c for c in registry.claims})
    text = json.dumps(digest, indent=2, ensure_ascii=False) if args.format == "json" else render_digest_markdown(digest)
    _write_output(text, args.output)
    return 0


def cmd_annotations(args: argparse.Namespace) -> int:
    from evidence.outputs.annotations_csv import export_annotations_csv, import_annotations_csv

    if args.action == "export":
        with _open_cache(args) as cache:
            _write_output(export_annotations_csv(cache.annotations()), args.output)
        return 0
    if not args.file:
        raise ConfigError("annotations import needs a CSV file: evidence annotations import FILE")
    registry = _registry(args)
    with _open_cache(args, readonly=False) as cache:
        count = import_annotations_csv(cache, Path(args.file), {c.id for c in registry.claims})
    _print(f"imported {count} annotations from {args.file}")
    return 0


def cmd_judge(args: argparse.Namespace) -> int:
    from evidence.grading.pairs import judge_pairs_file

    source = "<stdin>" if args.pairs == "-" else args.pairs
    try:
        text = sys.stdin.read() if args.pairs == "-" else Path(args.pairs).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read pairs file {source}: {getattr(exc, 'strerror', None) or exc}") from None
    _write_output(judge_pairs_file(text, source), args.output)  # a bad line raises before anything is written
    return 0


# -- parser -----------------------------------------------------------------------------------

_Command = Callable[[argparse.Namespace], int]


def _add(sub: Any, name: str, func: _Command, help_text: str, example: str) -> argparse.ArgumentParser:
    parser = sub.add_parser(name, help=help_text, description=help_text,
                            epilog=f"example:\n  {example}", formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(func=func)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="evidence",
        description="Check an article's factual claims against the PubMed literature.",
        epilog="example:\n  evidence check && evidence refresh && streamlit run app.py",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--queries", metavar="PATH",
                        help="claims registry (env EVIDENCE_QUERIES, default ./queries.yaml)")
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
    p.add_argument("-q", "--quiet", action="store_true",
                   help="for cron: nothing on success without changes, one line with changes, errors on stderr")

    _add(sub, "claims", cmd_claims, "List the claims with their record counts and last refresh.", "evidence claims")
    p = _add(sub, "check", cmd_check, "Validate queries.yaml and count the drafts left; exit 0 only when it is valid. "
             "--online: one count-only PubMed search per claim (in the search log), flagging 0 hits, over 10,000 "
             "hits and phrases PubMed could not find.", "evidence --queries my-queries.yaml check --online")
    p.add_argument("--online", action="store_true", help="also run each query once in PubMed (count only)")
    p.add_argument("--claim", action="append", metavar="ID", help="with --online: only this claim (repeatable)")

    p = _add(sub, "propose", cmd_propose, "Draft the claims registry from an article (.txt, .md or a saved .html "
             "page): copy its text into articles/, write each checkable health claim with a PubMed query, as a draft.",
             "evidence propose saved-page.html --article-id iv-therapy -o iv-therapy.yaml")
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
    p.add_argument("--design", action="append", metavar="DESIGN",
                   help="only this study design (repeatable, any case), e.g. rct; one of: " + ", ".join(DESIGNS))
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

    p = _add(sub, "judge", cmd_judge, "Judge your own claim/text pairs with the direction judge the refresh uses.",
             "evidence judge my-pairs.jsonl -o judged.jsonl")
    p.add_argument("pairs", metavar="PAIRS.jsonl",
                   help='JSON lines {"id", "claim", "text"} (optional "polarity": effect, no-effect, increase, '
                   'decrease); "-": stdin. Writes {"id", "direction", "confidence", "sentence", "reason", "judge"}')
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
