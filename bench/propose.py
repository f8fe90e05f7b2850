"""How well `evidence propose` chooses claims: recovery, precision and decoys taken, per article.

    PYTHONPATH=. python bench/propose.py            # the ketamine article + tests/data/propose/*.md
    PYTHONPATH=. python bench/propose.py --verbose  # also every miss, false claim and decoy taken
    PYTHONPATH=. python bench/propose.py --extra DIR  # also DIR/*.md|.txt|.html with DIR/<name>.yaml references

Matching rule (one definition, used for every figure): two quotes *match* when their spans in the
article's normalised text (whitespace collapsed, quote style straightened) overlap by at least half of
the shorter one. A reference claim is *recovered* when some draft matches it. A draft is *real* when
it matches a reference claim, or a sentence the reference names as covered by one of its claims
(queries.yaml's notes: "Also covers ..."). A decoy is *taken* when some draft matches it. "one-to-one"
is recovery under a maximum one-to-one pairing of drafts and references (a draft quoting a whole
sentence recovers only one of the claims the reference split it into).

References: articles/ketamine-therapy.md is scored against the hand-written claims of queries.yaml
(their quotes; quoted passages of their notes that occur in the article count as covered); each
tests/data/propose/<name>.md against <name>.yaml (claims: and decoys: lists of verbatim quotes).
Every draft registry is also loaded with `evidence.registry.load_registry` (as `evidence check` does).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from evidence.propose import draft_claims, load_mesh, propose_article, read_source  # noqa: E402
from evidence.registry import load_registry, normalize_text  # noqa: E402


def span(quote: str, text: str) -> tuple[int, int] | None:
    q = normalize_text(quote)
    at = text.find(q) if q else -1
    return (at, at + len(q)) if at >= 0 else None


def matches(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    if a is None or b is None:
        return False
    overlap = min(a[1], b[1]) - max(a[0], b[0])
    return overlap > 0 and overlap >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def one_to_one(drafts: list, refs: list) -> int:
    """Size of a maximum matching between drafts and references (augmenting paths; both lists are small)."""
    owner: dict[int, int] = {}

    def assign(d: int, seen: set[int]) -> bool:
        for r, ref in enumerate(refs):
            if r not in seen and matches(drafts[d], ref):
                seen.add(r)
                if r not in owner or assign(owner[r], seen):
                    owner[r] = d
                    return True
        return False

    return sum(assign(d, set()) for d in range(len(drafts)))


def ketamine_reference(text: str) -> tuple[list, list, list]:
    data = yaml.safe_load((ROOT / "queries.yaml").read_text(encoding="utf-8"))
    claims = [c for c in data["claims"] if c["article"] == "ketamine-therapy"]
    refs = [span(c["quote"], text) for c in claims]
    covered = []
    for c in claims:
        for quoted in re.findall(r"[\"“]([^\"”]{15,})[\"”]", c.get("note") or ""):
            if (s := span(quoted, text)) is not None:
                covered.append(s)
    return refs, covered, []


def score(name: str, article: Path, refs: list, covered: list, decoys: list, verbose: bool) -> dict:
    source = read_source(article)
    text = normalize_text(source.text)
    started = time.perf_counter()
    proposal = draft_claims(source, "bench")
    seconds = time.perf_counter() - started
    drafts = [span(c.quote, text) for c in proposal.claims]
    verbatim = sum(d is not None for d in drafts)
    recovered = [any(matches(d, r) for d in drafts) for r in refs]
    real = [any(matches(d, r) for r in refs + covered) for d in drafts]
    taken = [any(matches(d, x) for d in drafts) for x in decoys]
    with tempfile.TemporaryDirectory() as tmp:
        result = propose_article(article, article_id="bench", output=Path(tmp) / "drafts.yaml")
        registry = load_registry(result.registry_path)  # raises, listing every problem, if check would fail
        assert len(registry.claims) == len(proposal.claims)
    row = {"article": name, "references": len(refs), "recovered": sum(recovered),
           "one_to_one": one_to_one(drafts, refs), "drafts": len(drafts), "real": sum(real),
           "verbatim": verbatim, "decoys": len(decoys), "taken": sum(taken), "seconds": seconds}
    if verbose:
        for r, ok in zip(refs, recovered, strict=False):
            if not ok:
                print(f"  {name}: MISSED  {text[r[0]:r[1]][:110]!r}")
        for c, ok in zip(proposal.claims, real, strict=False):
            if not ok:
                print(f"  {name}: NOT REAL {c.quote[:110]!r}")
        for x, ok in zip(decoys, taken, strict=False):
            if ok:
                print(f"  {name}: DECOY   {text[x[0]:x[1]][:110]!r}")
    return row


def corpus(extra: Path | None) -> list[tuple[str, Path, Path | None]]:
    out: list[tuple[str, Path, Path | None]] = [("ketamine-therapy", ROOT / "articles" / "ketamine-therapy.md", None)]
    folders = [ROOT / "tests" / "data" / "propose"] + ([extra] if extra else [])
    for folder in folders:
        for ref in sorted(folder.glob("*.yaml")):
            for suffix in (".md", ".txt", ".html"):
                if (article := ref.with_suffix(suffix)).exists():
                    out.append((ref.stem, article, ref))
                    break
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--extra", type=Path, help="a folder of more articles with <name>.yaml references")
    args = parser.parse_args()
    load_mesh()
    rows = []
    for name, article, ref_file in corpus(args.extra):
        text = normalize_text(read_source(article).text)
        if ref_file is None:
            refs, covered, decoys = ketamine_reference(text)
        else:
            ref = yaml.safe_load(ref_file.read_text(encoding="utf-8"))
            refs = [span(q, text) for q in ref.get("claims", [])]
            decoys = [span(q, text) for q in ref.get("decoys", [])]
            covered = [span(q, text) for q in ref.get("covered", [])]
            if None in refs + decoys + covered:
                raise SystemExit(f"{ref_file}: a reference quote is not in {article.name}")
        rows.append(score(name, article, refs, covered, decoys, args.verbose))
    print(f"{'article':<22} {'recovered':>11} {'one-to-one':>11} {'real drafts':>12} {'verbatim':>9} "
          f"{'decoys taken':>13} {'s':>5}")
    for r in rows:
        pct = lambda a, b: f"{a}/{b} {100 * a / b:3.0f}%" if b else "-"  # noqa: E731
        print(f"{r['article']:<22} {pct(r['recovered'], r['references']):>11} "
              f"{pct(r['one_to_one'], r['references']):>11} {pct(r['real'], r['drafts']):>12} "
              f"{r['verbatim']:>4}/{r['drafts']:<4} {pct(r['taken'], r['decoys']):>13} {r['seconds']:5.2f}")


if __name__ == "__main__":
    main()
