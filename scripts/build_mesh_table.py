"""Build evidence/propose/mesh2024.tsv.gz, the offline MeSH table `evidence propose` maps words with.

Source: the NLM MeSH 2024 descriptors with every entry term (desc2024) and their tree
numbers (mtrees2024), read from two CSV files (DescriptorUI, DescriptorName, TermName,
IsPermutedTermYN, LexicalTag ... and DescriptorUI, tree_location), or from NLM's own
descYYYY.xml(.gz), which is how to move the table to a newer MeSH year:

    python scripts/build_mesh_table.py --xml desc2025.xml.gz -o evidence/propose/mesh2025.tsv.gz
    python scripts/build_mesh_table.py --thesaurus thesaurus.csv.gz --trees trees.csv.gz \
        -o evidence/propose/mesh2024.tsv.gz

What is kept (the modifications NLM's terms ask us to state, also in evidence/propose/MESH.md):
descriptors with a tree number in categories A, C, D, E, F, G, H, I, J, M or N (anatomy,
diseases, chemicals and drugs, procedures, psychiatry, phenomena, disciplines, social,
technology and food, persons, health care); no permuted terms, trade names (TRD) or lab
numbers (LAB); no term longer than 60 characters or shaped like a systematic chemical name.
Nothing is reworded. One line per descriptor:
``UI <tab> preferred name <tab> tree heads (3 characters, comma-joined) <tab> terms (|-joined)
<tab> abbreviations and acronyms (|-joined)``.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import re
from collections import defaultdict
from pathlib import Path

KEEP_CATEGORIES = set("ACDEFGHIJMN")
DROP_TAGS = {"TRD", "LAB"}
ABBREVIATION_TAGS = {"ABB", "ACR"}
_CHEMICAL = re.compile(r"\d.*[\(\[,].*\d")


def _open(path: Path):
    return gzip.open(path, "rt", encoding="utf-8") if path.suffix == ".gz" else path.open(encoding="utf-8")


def _keep_term(term: str, tag: str, permuted: str) -> bool:
    return permuted != "Y" and tag not in DROP_TAGS and len(term) <= 60 and not _CHEMICAL.search(term)


def from_csv(thesaurus: Path, trees: Path) -> dict[str, dict]:
    heads: dict[str, set[str]] = defaultdict(set)
    with _open(trees) as f:
        for row in csv.DictReader(f):
            heads[row["DescriptorUI"]].add(row["tree_location"][:3])
    out: dict[str, dict] = {}
    with _open(thesaurus) as f:
        for row in csv.DictReader(f):
            ui = row["DescriptorUI"]
            entry = out.setdefault(ui, {"name": row["DescriptorName"], "trees": heads.get(ui, set()),
                                        "terms": [], "abbreviations": []})
            if _keep_term(row["TermName"], row["LexicalTag"], row["IsPermutedTermYN"]):
                bucket = "abbreviations" if row["LexicalTag"] in ABBREVIATION_TAGS else "terms"
                entry[bucket].append(row["TermName"])
    return out


def from_xml(path: Path) -> dict[str, dict]:
    from lxml import etree

    out: dict[str, dict] = {}
    with (gzip.open(path) if path.suffix == ".gz" else path.open("rb")) as f:
        for _, rec in etree.iterparse(f, tag="DescriptorRecord"):
            ui = rec.findtext("DescriptorUI")
            entry = {"name": rec.findtext("DescriptorName/String"),
                     "trees": {t.text[:3] for t in rec.iterfind("TreeNumberList/TreeNumber") if t.text},
                     "terms": [], "abbreviations": []}
            for term in rec.iterfind("ConceptList/Concept/TermList/Term"):
                text, tag = term.findtext("String") or "", term.get("LexicalTag", "NON")
                if _keep_term(text, tag, term.get("IsPermutedTermYN", "N")):
                    entry["abbreviations" if tag in ABBREVIATION_TAGS else "terms"].append(text)
            out[ui] = entry
            rec.clear()
    return out


def write_table(entries: dict[str, dict], output: Path) -> int:
    lines = []
    for ui in sorted(entries):
        e = entries[ui]
        if not any(t[:1] in KEEP_CATEGORIES for t in e["trees"]):
            continue
        terms = [t for t in dict.fromkeys(e["terms"]) if t != e["name"]]
        abbreviations = list(dict.fromkeys(e["abbreviations"]))
        lines.append("\t".join([ui, e["name"], ",".join(sorted(e["trees"])), "|".join(terms), "|".join(abbreviations)]))
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as g:  # mtime 0: the same input gives the same bytes
        g.write(("\n".join(lines) + "\n").encode("utf-8"))
    output.write_bytes(buffer.getvalue())
    return len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thesaurus", type=Path, help="CSV of descriptors and terms")
    parser.add_argument("--trees", type=Path, help="CSV of descriptor tree numbers")
    parser.add_argument("--xml", type=Path, help="NLM descYYYY.xml or .xml.gz instead of the CSV pair")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    if args.xml:
        entries = from_xml(args.xml)
    elif args.thesaurus and args.trees:
        entries = from_csv(args.thesaurus, args.trees)
    else:
        parser.error("give --xml, or --thesaurus and --trees")
    print(f"{write_table(entries, args.output)} descriptors -> {args.output}")


if __name__ == "__main__":
    main()
