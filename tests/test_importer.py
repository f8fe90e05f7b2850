"""Import of PubMed exports: MEDLINE/.nbib (our transcription of real records) and real XML."""

from __future__ import annotations

import pytest

from evidence.cache import Cache
from evidence.errors import ConfigError, ImportFileError
from evidence.jobs.importer import import_file, sniff_format
from evidence.pubmed.medline import parse_medline
from evidence.pubmed.xml_parser import parse_pubmed_xml

NBIB = "import_pubmed_export.nbib"
RCT_XML = "efetch/derived_nlm_sample18/pubmedsample18_17059514_rct_structured.xml"


@pytest.fixture()
def cache(tmp_path):
    with Cache(tmp_path / "evidence.sqlite") as c:
        yield c


def snapshot(cache):
    """Everything an import could touch."""
    return (cache.record_count(), cache.memberships().to_dict("records"), cache.changes().to_dict("records"))


def test_nbib_matches_the_xml_of_the_same_record(own_data, ncbi_fixtures):
    """The .nbib transcription of 17059514 gives the same citation fields as its XML."""
    (medline, _), (retracted, _) = parse_medline((own_data / NBIB).read_text("utf-8"))
    (xml,), _ = parse_pubmed_xml((ncbi_fixtures / RCT_XML).read_bytes())
    xml = xml.record
    same = ("pmid", "title", "journal", "volume", "issue", "pages", "year", "doi", "languages",
            "publication_types", "status", "date_revised", "entrez_date", "pubmed_date", "medline_date",
            "retracted", "pub_date")
    for field in same:
        assert getattr(medline, field) == getattr(xml, field), field
    assert [(a.last_name, a.fore_name, a.initials) for a in medline.authors] == [
        (a.last_name, a.fore_name, a.initials) for a in xml.authors
    ]
    assert [(m.descriptor, m.major, m.qualifiers) for m in medline.mesh] == [
        (m.descriptor, m.major, m.qualifiers) for m in xml.mesh
    ]
    # MEDLINE joins a structured abstract into one paragraph; the words are the same.
    assert medline.abstract.split() == xml.abstract.split()
    assert medline.iso_abbreviation == "Aliment Pharmacol Ther"  # TA, the NLM abbreviation


def test_nbib_retraction_links_become_flags(own_data):
    _, (retracted, raw) = parse_medline((own_data / NBIB).read_text("utf-8"))
    assert retracted.pmid == "11543891" and retracted.retracted
    kinds = {(c.ref_type, c.pmid) for c in retracted.comments_corrections}
    assert kinds == {("CommentIn", "11600211"), ("RetractionIn", "11600210")}
    assert retracted.authors[5].last_name == "Gómez-Casado"
    assert raw.startswith(b"PMID- 11543891\n") and raw.rstrip().endswith(b"889-900.")


@pytest.mark.parametrize(
    ("head", "fmt"),
    [(b"\nPMID- 1\n", "medline"), (b"<?xml version='1.0'?>", "xml"), (b"\xef\xbb\xbf<Pubmed", "xml"),
     (b"TY  - JOUR\n", "medline"), (b"%PDF-1.4", "unknown"), (b"", "unknown")],
)
def test_sniff_format(head, fmt):
    assert sniff_format(head) == fmt


def test_import_nbib_links_records_to_the_claim(cache, own_data):
    result = import_file(cache, own_data / NBIB, "claim-a", known_claims={"claim-a"}, now="2024-05-01T00:00:00+00:00")
    assert result.format == "medline"
    assert result.pmids == ("17059514", "11543891") == result.added == result.linked
    assert cache.claim_pmids("claim-a") == {"17059514", "11543891"}
    stored = cache.get_record("17059514")
    assert stored.source == "import" and stored.record.title.startswith("Effectiveness of an 'half")
    assert cache.get_raw_xml("17059514").startswith(b"PMID- 17059514")
    members = cache.memberships()
    assert set(members["source"]) == {"import"}
    assert result.summary().startswith(f"imported 2 records from {own_data / NBIB} (medline) into claim claim-a: 2 new")
    # Importing again changes nothing.
    again = import_file(cache, own_data / NBIB, "claim-a")
    assert again.unchanged == result.pmids and again.linked == ()


def test_import_real_xml(cache, ncbi_fixtures):
    path = ncbi_fixtures / "efetch" / "klortho_ncbi2012" / "efetch.pubmed.xml"
    result = import_file(cache, path, "claim-b")
    assert result.format == "xml"
    assert set(result.pmids) == {"17284678", "9997"} == cache.claim_pmids("claim-b")
    assert cache.get_record("9997").source == "import"
    assert cache.get_raw_xml("9997").startswith(b"<PubmedArticle")


def test_unknown_claim_is_a_config_error(cache, own_data):
    with pytest.raises(ConfigError, match="nope"):
        import_file(cache, own_data / NBIB, "nope", known_claims={"claim-a"})
    assert cache.record_count() == 0


def broken_nbib(own_data, tmp_path, mutate):
    lines = (own_data / NBIB).read_text("utf-8").splitlines()
    mutate(lines)
    path = tmp_path / "broken.nbib"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _bad_tag_in_second_record(lines):
    i = lines.index("PMID- 11543891")
    lines[i + 3] = "DCOM 20010927"  # tag without "- "


def _no_pmid_in_second_record(lines):
    i = lines.index("PMID- 11543891")
    lines[i] = "OWN - NLM"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (_bad_tag_in_second_record, r"line {line}: 'DCOM 20010927' is not a MEDLINE field"),
        (_no_pmid_in_second_record, r"line {line}: the record has no PMID line"),
    ],
)
def test_malformed_nbib_names_the_line_and_imports_nothing(cache, own_data, tmp_path, mutate, message):
    import_file(cache, own_data / NBIB, "claim-a")  # something already in the cache
    before = snapshot(cache)
    path = broken_nbib(own_data, tmp_path, mutate)
    lines = (own_data / NBIB).read_text("utf-8").splitlines()
    start = lines.index("PMID- 11543891") + 1
    line = start + 3 if "DCOM" in message else start
    with pytest.raises(ImportFileError, match=message.format(line=line)) as err:
        import_file(cache, path, "claim-c")
    assert str(path) in str(err.value)
    assert snapshot(cache) == before
    assert cache.claim_pmids("claim-c") == set()


def test_truncated_xml_names_the_line_and_imports_nothing(cache, ncbi_fixtures, tmp_path):
    data = (ncbi_fixtures / "efetch" / "klortho_ncbi2012" / "efetch.pubmed.xml").read_bytes()
    cut = data[: len(data) * 2 // 3]
    path = tmp_path / "cut.xml"
    path.write_bytes(cut)
    with pytest.raises(ImportFileError, match=r"cut\.xml, line \d+") as err:
        import_file(cache, path, "claim-a")
    line = int(str(err.value).split("line ")[1].split(":")[0])
    assert line >= cut.count(b"\n")  # the fault is at the end, where the file was cut
    assert cache.record_count() == 0 and cache.changes().empty


def test_not_a_pubmed_file(cache, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello\n")
    with pytest.raises(ImportFileError, match="neither PubMed XML nor MEDLINE"):
        import_file(cache, path, "claim-a")
    with pytest.raises(ImportFileError, match="cannot read"):
        import_file(cache, tmp_path / "missing.nbib", "claim-a")


def test_import_links_but_never_overwrites_a_record_fetched_from_pubmed(cache, own_data, ncbi_fixtures):
    xml = (ncbi_fixtures / RCT_XML).read_bytes()
    parsed, _ = parse_pubmed_xml(xml)
    cache.store_batch([(p.record, p.raw_xml) for p in parsed], {"17059514": ["claim-x"]}, run_id=None)
    before = cache.get_raw_xml("17059514")
    result = import_file(cache, own_data / NBIB, "claim-a")
    assert "17059514" in result.unchanged and "17059514" not in result.updated
    assert cache.get_raw_xml("17059514") == before  # the fuller PubMed XML stays
    assert cache.get_record("17059514").source == "pubmed"
    assert "17059514" in cache.claim_pmids("claim-a")  # but the claim now includes it
