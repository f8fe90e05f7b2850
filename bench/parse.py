"""Throughput of the PubMed XML parser against a bare lxml pass and Bio.Entrez.read.

Usage (from the repository root):

    python bench/parse.py [PATH] [--repeat N]

PATH defaults to baseline/combined_real_records_derived.xml.gz in the recorded NCBI
fixtures ($EVIDENCE_NCBI_FIXTURES, default ../shared/fixtures/ncbi). Every contender
parses the same decompressed bytes held in memory; the best of N runs is reported.
The lxml floor ("no fields": records counted and cleared, no text read, nothing
serialised), the floor plus each record's raw_xml serialisation, and the evidence
parser run in turn within each of the N rounds. The last line is the headline
figure: "evidence parser: N records/s".

Peak memory: those three each run once more in a fresh child process that has already
loaded the bytes; the child resets its RSS high-water mark (/proc/self/clear_refs) and
reports VmHWM minus the RSS before parsing, i.e. what the parse itself added at its
peak. ``--no-memory`` skips this (it needs Linux /proc).

Bio.Entrez.read needs the DTD named in the document's DOCTYPE and downloads it from
NCBI when Biopython does not bundle it; the benchmark disables that download (it must
not touch the network), so such a refusal is reported rather than hidden. When the
bytes have no DOCTYPE at all, Entrez is also timed on the same bytes with the current
PubMed DOCTYPE line inserted and validate=False (records of older DTD vintages carry
tags the 2025 DTD dropped), and says so.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from lxml import etree  # noqa: E402

from evidence.pubmed.xml_parser import ParsedRecord, iter_pubmed_xml  # noqa: E402

DEFAULT_NAME = "baseline/combined_real_records_derived.xml.gz"
DOCTYPE = (
    b'<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
)


def default_path() -> Path:
    fixtures = Path(os.environ.get("EVIDENCE_NCBI_FIXTURES", str(REPO.parent / "shared" / "fixtures" / "ncbi")))
    return fixtures.expanduser() / DEFAULT_NAME


def load(path: Path) -> bytes:
    if not path.is_file():
        sys.exit(
            f"error: benchmark input {path} not found. Pass a PubMed XML path, or set "
            "EVIDENCE_NCBI_FIXTURES to the recorded NCBI fixtures directory."
        )
    return gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()


def run_evidence(data: bytes) -> int:
    return sum(isinstance(item, ParsedRecord) for item in iter_pubmed_xml(data))


def _lxml_pass(data: bytes, serialise: bool) -> int:
    """The same iterparse settings as the parser, counting and clearing records; ``serialise``
    also serialises each record's XML as the parser does for the cache."""
    count = 0
    for _, elem in etree.iterparse(
        io.BytesIO(data), events=("end",), tag=("PubmedArticle", "PubmedBookArticle", "MedlineCitation"),
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
    ):  # fmt: skip
        parent = elem.getparent()
        if elem.tag == "MedlineCitation" and parent is not None and parent.tag == "PubmedArticle":
            continue
        count += 1
        if serialise:
            etree.tostring(elem, encoding="utf-8", with_tail=False)
        elem.clear()
        while elem.getprevious() is not None:
            del parent[0]
    return count


def run_lxml(data: bytes) -> int:
    """The floor: no field extraction, no text read, nothing serialised."""
    return _lxml_pass(data, serialise=False)


def run_lxml_raw(data: bytes) -> int:
    """The floor plus what every record must also give the cache: its XML, serialised as the parser does.

    Not the issue's floor (that is run_lxml); shown so the share of ``raw_xml`` is visible.
    """
    return _lxml_pass(data, serialise=True)


def run_entrez(data: bytes, validate: bool = True) -> int:
    from Bio import Entrez

    result = Entrez.read(io.BytesIO(data), validate=validate)
    return len(result.get("PubmedArticle", [])) + len(result.get("PubmedBookArticle", []))


def best_rate(fn: Callable[[bytes], int], data: bytes, repeat: int) -> tuple[int, float]:
    best = float("inf")
    count = 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = fn(data)
        best = min(best, time.perf_counter() - start)
    return count, count / best


def best_rates_interleaved(
    fns: dict[str, Callable[[bytes], int]], data: bytes, repeat: int
) -> dict[str, tuple[int, float]]:
    """best_rate for several contenders, run in turn within each of ``repeat`` rounds.

    Interleaving keeps a slow spell of a shared machine from landing on one contender only.
    """
    best = dict.fromkeys(fns, float("inf"))
    counts = dict.fromkeys(fns, 0)
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            counts[name] = fn(data)
            best[name] = min(best[name], time.perf_counter() - start)
    return {name: (counts[name], counts[name] / best[name]) for name in fns}


def _proc_status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise OSError(f"{field} not in /proc/self/status")


def peak_child(name: str, path: Path) -> None:
    """Child process: run contender ``name`` once; print "<added peak KB> <absolute peak KB>"."""
    data = load(path)
    fn = CONTENDERS[name]
    fn(b"<PubmedArticleSet/>")  # warm-up: import-time and first-call work stays out of the figure
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset VmHWM to the current RSS
    before = _proc_status_kb("VmRSS")
    fn(data)
    peak = _proc_status_kb("VmHWM")
    print(peak - before, peak)


def measure_peaks(path: Path) -> None:
    for name in CONTENDERS:
        try:
            out = subprocess.run(
                [sys.executable, __file__, str(path), "--peak-child", name],
                capture_output=True, text=True, check=True, timeout=600,
            ).stdout.split()
            added, peak = int(out[0]), int(out[1])
            print(f"{name:30s} peak RSS +{added / 1024:.1f} MB during the parse ({peak / 1024:.1f} MB process peak)")
        except (OSError, subprocess.SubprocessError, ValueError, IndexError) as exc:
            print(f"{name:30s} peak RSS not measured: {type(exc).__name__}: {str(exc)[:120]}")


CONTENDERS: dict[str, Callable[[bytes], int]] = {
    "lxml iterparse (no fields)": run_lxml,
    "lxml iterparse + raw_xml": run_lxml_raw,
    "evidence parser": run_evidence,
}


def with_doctype(data: bytes) -> bytes:
    head, sep, rest = data.partition(b"?>")
    return head + sep + b"\n" + DOCTYPE + rest if sep else DOCTYPE + data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", nargs="?", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory children")
    ap.add_argument("--peak-child", choices=list(CONTENDERS), help=argparse.SUPPRESS)
    args = ap.parse_args()
    path = args.path or default_path()
    if args.peak_child:
        peak_child(args.peak_child, path)
        return
    data = load(path)

    def no_network(*_a: object, **_k: object) -> None:
        raise OSError("network disabled by bench/parse.py")

    urllib.request.urlopen = no_network  # Bio.Entrez fetches missing DTDs through this
    print(f"input: {path} ({len(data) / 1e6:.1f} MB uncompressed), best of {args.repeat}")

    rates: dict[str, float] = {}
    for name, (count, rate) in best_rates_interleaved(CONTENDERS, data, args.repeat).items():
        rates[name] = rate
        print(f"{name:30s} {count:6d} records {rate:10.0f} records/s")
    try:
        count, rate = best_rate(run_entrez, data, args.repeat)
        rates["Bio.Entrez.read"] = rate
        print(f"{'Bio.Entrez.read':30s} {count:6d} records {rate:10.0f} records/s")
    except Exception as exc:
        print(f"{'Bio.Entrez.read':30s} refused these bytes: {type(exc).__name__}: {str(exc)[:160]}")
        if b"<!DOCTYPE" not in data[:2000]:
            try:
                # Mixed DTD vintages: older records carry tags the 2025 DTD dropped (DateCreated).
                name = "Bio.Entrez.read (+DOCTYPE, validate=False)"
                count, rate = best_rate(lambda d: run_entrez(d, validate=False), with_doctype(data), args.repeat)
                rates[name] = rate
                print(f"{name:30s} {count:6d} records {rate:10.0f} records/s")
            except Exception as exc2:
                print(f"{name:30s} refused too: {type(exc2).__name__}: {str(exc2)[:160]}")

    if not args.no_memory:
        measure_peaks(path)
    ours = rates["evidence parser"]
    for name, rate in rates.items():
        if name != "evidence parser":
            print(f"evidence parser / {name}: {ours / rate:.2f}x")
    print(f"evidence parser: {ours:.0f} records/s")


if __name__ == "__main__":
    main()
