"""Formatted citations for real PubMed records, checked by hand against the XML.

Each expectation below was written after reading the fixture's XML (authors, journal
abbreviation, PubDate, volume, issue, MedlinePgn, ArticleId doi), not copied from output.
"""

from __future__ import annotations

import pytest

from evidence.errors import ConfigError
from evidence.models import pubmed_url
from evidence.outputs.citations import (
    apa_title_case,
    citable,
    expand_pages,
    format_citation,
    format_citations,
    journal_abbreviation,
)
from evidence.pubmed.xml_parser import parse_pubmed_xml

RCT = "derived_nlm_sample18/pubmedsample18_17059514_rct_structured.xml"
COLLECTIVE = "derived_nlm_sample18/pubmedsample18_18719013_collectivename_rct_multicenter.xml"
RETRACTED = "derived_nlm_sample18/pubmedsample18_11543891_retracted_publication_retractionin.xml"
SEASON = "derived_nlm_sample18/pubmedsample18_8219565_medlinedate_season_range_nlmcategory.xml"
MANY_AUTHORS = "klortho_ncbi2012/efetch.pubmed.xml"  # 17284678: 33 authors
NO_AUTHOR = "derived_nlm_sample18/pubmedsample18_23203861_publisher_status_dutch_noabstract.xml"
THREE = "metapub/24084238.xml"


def load(ncbi_fixtures, name, pmid=None):
    parsed, _ = parse_pubmed_xml((ncbi_fixtures / "efetch" / name).read_bytes())
    records = [p.record for p in parsed]
    return next(r for r in records if pmid is None or r.pmid == pmid)


CASES = [
    # 14 authors: AMA keeps 3 + "et al", Vancouver 6 + "et al.", APA all 14 with "&".
    (RCT, None, "ama",
     "Takagi S, Utsunomiya K, Kuriyama S, et al. Effectiveness of an 'half elemental diet' as maintenance "
     "therapy for Crohn's disease: A randomized-controlled trial. Aliment Pharmacol Ther. 2006;24(9):1333-1340. "
     "doi:10.1111/j.1365-2036.2006.03120.x"),
    (RCT, None, "vancouver",
     "Takagi S, Utsunomiya K, Kuriyama S, Yokoyama H, Takahashi S, Iwabuchi M, et al. Effectiveness of an "
     "'half elemental diet' as maintenance therapy for Crohn's disease: A randomized-controlled trial. "
     "Aliment Pharmacol Ther. 2006 Nov 1;24(9):1333-40. doi: 10.1111/j.1365-2036.2006.03120.x. PMID: 17059514."),
    (RCT, None, "apa",
     "Takagi, S., Utsunomiya, K., Kuriyama, S., Yokoyama, H., Takahashi, S., Iwabuchi, M., Takahashi, H., "
     "Takahashi, S., Kinouchi, Y., Hiwatashi, N., Funayama, Y., Sasaki, I., Tsuji, I., & Shimosegawa, T. (2006). "
     "Effectiveness of an 'half elemental diet' as maintenance therapy for Crohn's disease: A randomized-controlled "
     "trial. Alimentary Pharmacology & Therapeutics, 24(9), 1333–1340. "
     "https://doi.org/10.1111/j.1365-2036.2006.03120.x"),
    # 9 people + a CollectiveName, no issue, an e-locator instead of pages.
    (COLLECTIVE, None, "ama",
     "Welton AJ, Vickers MR, Kim J, et al. Health related quality of life after combined hormone replacement "
     "therapy: randomised controlled trial. BMJ. 2008;337:a1190. doi:10.1136/bmj.a1190"),
    (COLLECTIVE, None, "apa",
     "Welton, A. J., Vickers, M. R., Kim, J., Ford, D., Lawton, B. A., MacLennan, A. H., Meredith, S. K., "
     "Martin, J., Meade, T. W., & WISDOM team. (2008). Health related quality of life after combined hormone "
     "replacement therapy: randomised controlled trial. BMJ (Clinical Research Ed.), 337, a1190. "
     "https://doi.org/10.1136/bmj.a1190"),
    # 4 authors (under every limit), MedlineDate season range, no DOI: each style's URL element
    # then links the PubMed page (AMA 3.15, Citing Medicine's "Available from:", APA 9.35).
    (SEASON, None, "ama",
     "Moore BS, Valji K, Roberts AC, Bookstein JJ. Transcatheter manipulation of asymmetrically opened titanium "
     "Greenfield filters. J Vasc Interv Radiol. 1993;4(5):687-690. https://pubmed.ncbi.nlm.nih.gov/8219565/"),
    (SEASON, None, "vancouver",
     "Moore BS, Valji K, Roberts AC, Bookstein JJ. Transcatheter manipulation of asymmetrically opened titanium "
     "Greenfield filters. J Vasc Interv Radiol. 1993 Sep-Oct;4(5):687-90. PMID: 8219565. "
     "Available from: https://pubmed.ncbi.nlm.nih.gov/8219565/"),
    (SEASON, None, "apa",
     "Moore, B. S., Valji, K., Roberts, A. C., & Bookstein, J. J. (1993). Transcatheter manipulation of "
     "asymmetrically opened titanium Greenfield filters. Journal of Vascular and Interventional Radiology : JVIR, "
     "4(5), 687–690. https://pubmed.ncbi.nlm.nih.gov/8219565/"),
    # 3 authors: APA puts "&" before the last.
    (THREE, None, "apa",
     "Singh, T. R., Gupta, A., & Suravajhala, P. (2013). Challenges in the miRNA research. International Journal "
     "of Bioinformatics Research and Applications, 9(6), 576–583. https://doi.org/10.1504/IJBRA.2013.056620"),
    # No author: the title leads.
    (NO_AUTHOR, None, "ama",
     "Recensie. Tijdschr Gerontol Geriatr. 2007;38(1):47. doi:10.1007/BF03074826"),
]


@pytest.mark.parametrize(("fixture", "pmid", "style", "expected"), CASES)
def test_citation_matches_hand_checked_reference(ncbi_fixtures, fixture, pmid, style, expected):
    assert format_citation(load(ncbi_fixtures, fixture, pmid), style) == expected


def test_apa_over_20_authors_gives_first_19_ellipsis_and_last(ncbi_fixtures):
    record = load(ncbi_fixtures, MANY_AUTHORS, "17284678")
    assert len(record.authors) == 33
    text = format_citation(record, "apa")
    head, _, tail = text.partition(", . . . ")
    names = [a.last_name for a in record.authors]
    assert all(f"{n}, " in head for n in names[:19])
    left_out = [n for n in names[19:32] if n not in names[:19] and n != names[32]]
    assert left_out and not any(n in text for n in left_out)  # authors 20 to 32 are not named
    assert head.startswith("Ling, K.-H., Rajandream, M.-A.,")
    assert tail.startswith("Wan, K.-L. (2007).")


def test_ama_and_vancouver_et_al_counts(ncbi_fixtures):
    record = load(ncbi_fixtures, MANY_AUTHORS, "17284678")
    ama = format_citation(record, "ama").split(". ")[0]
    vancouver = format_citation(record, "vancouver").split(". ")[0]
    assert ama == "Ling KH, Rajandream MA, Rivailler P, et al"
    assert vancouver.count(",") == 6 and vancouver.endswith("et al")


def test_retracted_excluded_by_default_and_marked_when_included(ncbi_fixtures):
    rct, retracted = load(ncbi_fixtures, RCT), load(ncbi_fixtures, RETRACTED)
    assert retracted.retracted
    for style in ("ama", "vancouver", "apa"):
        default = format_citations([rct, retracted], style)
        assert len(default) == 1 and "Palestinians" not in default[0]
        included = format_citations([rct, retracted], style, include_retracted=True)
        assert len(included) == 2
        assert included[1].startswith("[RETRACTED] ") and "Palestinians" in included[1]
        assert not included[0].startswith("[RETRACTED]")
    assert citable([retracted]) == []


def test_unknown_style_is_a_config_error(ncbi_fixtures):
    with pytest.raises(ConfigError, match="harvard"):
        format_citation(load(ncbi_fixtures, RCT), "harvard")


@pytest.mark.parametrize(
    ("pages", "expanded"),
    [
        ("1333-40", "1333-1340"),
        ("114-5", "114-115"),
        ("889-900", "889-900"),
        ("1116-1122", "1116-1122"),
        ("H337-49", "H337-H349"),
        ("e157-e161", "e157-e161"),
        ("a1190", "a1190"),
        ("CD002020", "CD002020"),
        ("47", "47"),
        (None, None),
    ],
)
def test_expand_pages(pages, expanded):
    assert expand_pages(pages) == expanded


@pytest.mark.parametrize(
    ("title", "cased"),
    [
        ("Alimentary pharmacology & therapeutics", "Alimentary Pharmacology & Therapeutics"),
        ("Biochimica et biophysica acta", "Biochimica et Biophysica Acta"),
        ("BMJ (Clinical research ed.)", "BMJ (Clinical Research Ed.)"),
        ("PloS one", "PloS One"),
        ("The Journal of infectious diseases", "The Journal of Infectious Diseases"),
    ],
)
def test_apa_title_case(title, cased):
    assert apa_title_case(title) == cased


def test_journal_abbreviation_drops_periods(ncbi_fixtures):
    record = load(ncbi_fixtures, RETRACTED)
    assert record.iso_abbreviation == "Hum. Immunol."
    assert journal_abbreviation(record) == "Hum Immunol"


@pytest.mark.parametrize("style", ["ama", "vancouver", "apa"])
def test_every_citation_carries_a_doi_or_pubmed_link(ncbi_fixtures, style):
    # Issue 13: a writer pasting a reference must be able to follow it, DOI or not.
    for fixture in (RCT, COLLECTIVE, SEASON, THREE, NO_AUTHOR, RETRACTED):
        record = load(ncbi_fixtures, fixture)
        text = format_citation(record, style)
        link = f"doi.org/{record.doi}" if style == "apa" and record.doi else record.doi or pubmed_url(record.pmid)
        assert link in text, (fixture, style, text)
        if not record.doi:
            assert pubmed_url(record.pmid) in text
