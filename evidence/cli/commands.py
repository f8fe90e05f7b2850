"""The `evidence` subcommands: each parses nothing, calls one library function and prints its result."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path
from typing import Any

from evidence.cli.common import (
    EXIT_CHANGED,
    _judge,
    _judge_summary,
    _open_cache,
    _print,
    _registry,
    _settings,
    _write_output,
)
from evidence.errors import ConfigError, EvidenceError
from evidence.sanitize import strip_controls


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
    result = propose_article(
        Path(args.article),
        article_id=args.article_id,
        force=args.force,
        output=output,
        registry_dir=_settings(args).queries.parent,
    )
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
    client = EutilsClient(
        base_url=settings.eutils_url,
        api_key=settings.api_key,
        email=settings.email,
        logger=logging.getLogger("evidence.eutils"),
    )
    judge = _judge(args)
    options = RefreshOptions(claim_ids=tuple(args.claim or ()), full=args.full, batch_size=args.batch_size)
    with (
        refresh_lock(settings.cache),
        Cache(settings.cache) as cache,
        ProgressReporter(enabled=not args.quiet) as progress,
    ):
        summary = refresh(
            registry,
            cache,
            client,
            options,
            progress=progress,
            after_run=after_refresh(registry.claims, settings.digest_dir, judge),
        )
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
        _print("\n".join(summary.to_text().splitlines()[-1 - len(summary.errors) :]), file=sys.stderr)
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
        _print(
            json.dumps(
                {**record.to_dict(), "claims": claims, "fetched_at": stored.fetched_at, "source": stored.source},
                indent=2,
                ensure_ascii=False,
            )
        )
        return 0
    from evidence.grading.classify import classify

    study = classify(record)
    authors = ", ".join(a.display for a in record.authors[:6]) + (" et al." if len(record.authors) > 6 else "")
    lines = [
        f"PMID {record.pmid}{'  [RETRACTED]' if record.retracted else ''}",
        record.title,
        authors,
        f"{record.journal} {record.pub_date.text}"
        + (f"; {record.volume}" if record.volume else "")
        + (f"({record.issue})" if record.issue else "")
        + (f":{record.pages}" if record.pages else ""),
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
