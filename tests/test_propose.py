"""`evidence propose`: the sentence splitter and the claim chooser as tables, the fields and queries of a
draft, HTML extraction on a saved page we wrote, and that every draft registry passes `evidence check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidence import cli
from evidence.models import Quantity
from evidence.propose import choose, draft_claims, load_mesh, propose_article, read_source
from evidence.propose.chooser import Topic
from evidence.propose.describe import quantities, statement
from evidence.propose.sentences import split_clauses, split_units
from evidence.propose.source import markdown_to_text
from evidence.pubmed.query import query_problems
from evidence.registry import load_registry, quote_in_text

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "propose"
ARTICLES = [REPO / "articles" / "ketamine-therapy.md", *sorted(DATA.glob("*.md")), DATA / "hbot-clinic-page.html"]


@pytest.fixture(scope="module")
def mesh():
    return load_mesh()


@pytest.fixture(scope="module")
def ketamine(mesh):
    return Topic("ketamine", mesh.named("Ketamine"))


# -- the splitter ---------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("What Is Ketamine?\nKetamine is a drug. It blocks NMDA receptors.",
     [("heading", "What Is Ketamine?"), ("sentence", "Ketamine is a drug."), ("sentence", "It blocks NMDA receptors.")]),
    ("Doses (e.g. 0.5 mg/kg) work fast. Dr. Smith agrees.",
     [("sentence", "Doses (e.g. 0.5 mg/kg) work fast."), ("sentence", "Dr. Smith agrees.")]),
    ("Side effects include:\n- Dizziness\n- Nausea\nThey pass.",
     [("intro", "Side effects include:"), ("sentence", "They pass.")]),
    ("- A lone item that is long enough to read\nBenefits of HBOT",
     [("item", "A lone item that is long enough to read"), ("heading", "Benefits of HBOT")]),
    ("It lowers pain by 30%. Sessions last 40-60 minutes.",
     [("sentence", "It lowers pain by 30%."), ("sentence", "Sessions last 40-60 minutes.")]),
    # a month's abbreviation in a news dateline does not end the sentence
    ("MONDAY, Feb. 15, 2016 (HealthDay News) -- Ketamine eases pain.",
     [("sentence", "MONDAY, Feb. 15, 2016 (HealthDay News) -- Ketamine eases pain.")]),
])
def test_split_units(text, expected):
    units = split_units(text)
    assert [(u.role, u.text) for u in units] == expected
    assert all(text[u.start:u.end] == u.text for u in units)  # spans, so quotes stay verbatim


def test_a_list_intro_owns_its_items():
    intro = split_units("Side effects include:\n- Dizziness\n- Nausea and vomiting\n")[0]
    assert [i.text for i in intro.items] == ["Dizziness", "Nausea and vomiting"]


@pytest.mark.parametrize("sentence, clauses", [
    ("Ketamine is used in surgery, but studies show it lifts mood.",
     [("Ketamine is used in surgery", False), ("but studies show it lifts mood.", False)]),
    ("While treatments, such as SSRIs, can work for some, a third do not respond.",
     [("While treatments, such as SSRIs, can work for some", True), ("a third do not respond.", False)]),
    ("Cold causes a shock response: Heart rate and blood pressure spike.",
     [("Cold causes a shock response", False), ("Heart rate and blood pressure spike.", False)]),
    ("Cold causes a shock response: a gasp and a spike in heart rate.",
     [("Cold causes a shock response: a gasp and a spike in heart rate.", False)]),
    ("Magnesium relaxes muscle, which is why it stops migraine.",
     [("Magnesium relaxes muscle", False), ("which is why it stops migraine.", False)]),
    ("Ketamine blocks NMDA receptors, which raises glutamate.", [("Ketamine blocks NMDA receptors, which raises glutamate.", False)]),
    # a list inside the concession: the concession ends after the list, not at its first comma
    ("While it did not change anxiety, constipation, diarrhea or pain, patients felt better.",
     [("While it did not change anxiety, constipation, diarrhea or pain", True), ("patients felt better.", False)]),
])
def test_split_clauses(sentence, clauses):
    got = split_clauses(sentence, 0, len(sentence))
    assert [(sentence[s:e], conceded) for s, e, conceded in got] == clauses


# -- the chooser ----------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, kept, reason", [
    # kept: a mechanism, an effect, a rate, a risk, a contraindication, a prevalence
    ("Ketamine blocks NMDA receptors in the brain.", True, "effect"),
    ("Studies have shown that ketamine reduces suicidal ideation within hours.", True, ""),
    ("Up to 70% of patients respond to ketamine.", True, ""),
    ("Repeated ketamine use can cause cystitis.", True, "cause"),
    ("Ketamine is contraindicated in patients with schizophrenia.", True, ""),
    ("Depression is a common mental illness that affects millions of people worldwide.", True, "epidemiology"),
    ("Patients with heart failure should not receive large volumes of fluids.", True, ""),
    ("Ketamine users showed improvements in depression scores.", True, "increase"),
    ("Chronic pain is associated with fatigue and poor sleep.", True, "cause"),
    ("Gut bacteria influence the brain through systemic inflammation.", True, "effect"),
    ("The gut communicates with the brain through the vagus nerve.", True, "effect"),
    ("Ketamine has anti-depressive properties.", True, "efficacy"),
    ("There is evidence to support the use of ketamine for chronic pain.", True, "evidence"),
    ("Some experts believe that ketamine is a good option for depression.", True, "evidence"),
    ("Death during a ketamine infusion is a rare event.", True, "epidemiology"),
    ("It's common for people with depression to also struggle with anxiety.", True, "epidemiology"),
    ("Many patients with fibromyalgia have an unregulated nervous system.", True, "epidemiology"),
    ("The condition affects up to 5 percent of the population.", True, "epidemiology"),
    ("The benefits were still seen after a year.", True, "efficacy"),
    ("“We found that ketamine lowers pain by 30%,” says Dr. Smith.", True, "decrease"),
    ("Patients randomly assigned to ketamine had lower pain scores than those given a placebo.", True, "decrease"),
    # left out, with the reason
    ("What Is Ketamine Therapy?", False, "heading"),
    ("Why not give it a try?", False, "question"),
    ("Book your first session today and save 20%!", False, "marketing"),
    ("At our clinic, we offer ketamine infusions for depression.", False, "marketing"),
    ("If you are considering ketamine, talk to your doctor about the risks.", False, "advice"),
    ("Drink plenty of water before your infusion.", False, "advice"),
    ("Many patients report feeling calm and relaxed after an infusion.", False, "anecdote"),
    ("More research is needed to understand the long-term effects of ketamine.", False, "state of research"),
    ("The long-term risks of ketamine are still unclear.", False, "state of research"),
    ("Vitamins are organic compounds that the body needs in small amounts.", False, "definition"),
    ("In this article, we will explore how ketamine affects the brain.", False, "article itself"),
    ("The clinic is open from Monday to Saturday.", False, "no health concept"),
    ("Overall, ketamine has shown great promise in treating depression.", False, "praise"),
    ("People have long linked ketamine with a wide assortment of health benefits.", False, "praise"),
    ("That may sound unsafe, but ketamine is given to children.", False, "praise"),
    ("Patients were randomly assigned to ketamine or a placebo for ten weeks.", False, "design"),
    ("Half took a daily dose of ketamine, and half took a placebo.", False, "design"),
    ("The review also looked at some of the other purported health benefits of ketamine.", False, "design"),
    ("For more on depression, visit the National Institute of Mental Health.", False, "article itself"),
    ("The big questions surrounding ketamine's safety concern the bladder.", False, "state of research"),
    ("These findings about ketamine and pain need to be confirmed in larger trials.", False, "state of research"),
    ("There's no data on the risks of ketamine in pregnancy.", False, "state of research"),
])
def test_chooser_table(mesh, ketamine, sentence, kept, reason):
    choices, decisions, _topic = choose(sentence + "\n", mesh, topic=ketamine)
    assert len(decisions) == 1
    decision = decisions[0]
    assert decision.kept is kept, decision.reason
    assert bool(choices) is kept
    assert reason in decision.reason


@pytest.mark.parametrize("sentence, quotes", [
    # two things asserted: one claim each, each quoting its own words
    ("Ketamine therapy is contraindicated in patients with a history of psychosis, schizophrenia, or certain heart "
     "and vascular conditions.",
     ["Ketamine therapy is contraindicated in patients with a history of psychosis", "schizophrenia",
      "certain heart and vascular conditions"]),
    ("Glutathione infusions lighten the skin and slow the aging process.",
     ["Glutathione infusions lighten the skin", "slow the aging process."]),
    ("As a dissociative anesthetic, ketamine is used in surgery, but recent studies have shown that it can also lift "
     "mood in depression.",
     ["As a dissociative anesthetic, ketamine is used in surgery",
      "but recent studies have shown that it can also lift mood in depression."]),
    # one claim: examples after "such as" are not separate claims; a concession is dropped
    ("Anxiety disorders, such as PTSD and OCD, are common conditions that affect millions of people.",
     ["Anxiety disorders, such as PTSD and OCD, are common conditions that affect millions of people."]),
    ("While SSRIs can be effective for some patients, up to one-third of patients do not respond to them.",
     ["up to one-third of patients do not respond to them."]),
    # ... but a concession that reports a finding ("the trial did not show") is a claim too
    ("While the trial did not show a change in anxiety, patients on ketamine had lower depression scores.",
     ["While the trial did not show a change in anxiety", "patients on ketamine had lower depression scores."]),
    # the last disorder of a list keeps what the clause goes on to assert
    ("Ketamine improved mood in people with anxiety or depression, as well as activity in brain regions of emotion.",
     ["Ketamine improved mood in people with anxiety",
      "depression, as well as activity in brain regions of emotion."]),
])
def test_chooser_splits(mesh, ketamine, sentence, quotes):
    choices, _decisions, _topic = choose(sentence + "\n", mesh, topic=ketamine)
    assert [sentence[c.start:c.end] for c in choices] == quotes


def test_list_items_after_an_intro_become_one_claim_each(mesh, ketamine):
    text = "Common side effects of ketamine include:\n- Dizziness\n- Nausea and vomiting\n- Our friendly staff\n"
    choices, decisions, _ = choose(text, mesh, topic=ketamine)
    assert [text[c.start:c.end] for c in choices] == ["Dizziness", "Nausea and vomiting"]
    assert choices[0].statement_text == "Common side effects of ketamine include dizziness"


def test_the_publishers_name_marks_its_own_sentences(mesh, ketamine):
    text = "Harbor Light Spa gives ketamine infusions that relieve pain.\n"
    assert choose(text, mesh, topic=ketamine)[0]
    assert not choose(text, mesh, topic=ketamine, publisher="Harbor Light Spa")[0]


@pytest.mark.parametrize("sentence, kept", [
    # a one-word name that is also a word ("Time") marks a sentence only as a name: as spelled, not first
    ("People who spent time on ketamine had 23% less pain.", True),
    ("Time spent on ketamine lowers pain by 23%.", True),
    ("Subscribers to Time get ketamine news that relieves pain.", False),
    # a quotation credited to a speaker: its "we" is the speaker's; the publisher's own "our" still counts
    ("“We know that ketamine relieves pain,” says Dr. Smith.", True),
    ("“Ketamine relieves pain,” says our founder, Erik.", False),
])
def test_the_publishers_name_and_voice(mesh, ketamine, sentence, kept):
    assert bool(choose(sentence + "\n", mesh, topic=ketamine, publisher="Time")[0]) is kept


def test_a_discipline_named_like_its_therapy_is_the_therapy(mesh):
    assert mesh.lookup("acupuncture").name == "Acupuncture Therapy"  # not the profession (H02)
    assert mesh.lookup("relaxation").name == "Relaxation"  # not a discipline: left as it is


# -- the fields of a draft ------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("up to 70% of patients respond", [Quantity("proportion", 70, "%", "up-to", of="patients respond")]),
    ("up to one-third of patients do not respond", [Quantity("proportion", 33, "%", "up-to", of="patients do not")]),
    ("affects up to 2 in 10 patients", [Quantity("proportion", 20, "%", "up-to", of="")]),
    ("infused over a period of 40-60 minutes", [Quantity("duration", 40, "minutes", "between", 60)]),
    ("relief within 24 hours", [Quantity("onset", 24, "hours", "within")]),
    ("save 20% off today", []),
])
def test_quantities(text, expected):
    assert list(quantities(text)) == expected


@pytest.mark.parametrize("words, expected", [
    ("Studies have shown that it can significantly reduce pain.", "Ketamine can reduce pain."),
    ("However, the drug blocks NMDA receptors", "Ketamine blocks NMDA receptors."),
    ("There is also some evidence to suggest that long-term use of ketamine can lead to cognitive impairment",
     "Long-term use of ketamine can lead to cognitive impairment."),
])
def test_statement_is_neutral(ketamine, words, expected):
    assert statement(words, ketamine) == expected


def _claim(article: Path, quote_start: str):
    proposal = draft_claims(read_source(article), "x")
    return next(c for c in proposal.claims if c.quote.startswith(quote_start))


@pytest.mark.parametrize("quote_start, kind, polarity, modality", [
    ("Studies have shown that repeated exposure to ketamine can cause damage", "safety", "effect", "asserted"),
    ("Ketamine therapy is contraindicated", "safety", "effect", "normative"),
    ("These side effects are usually mild and resolve", "safety", "no-effect", "asserted"),
    ("Studies have shown that individuals with depression often have lower levels", "pathophysiology", "decrease",
     "asserted"),
    ("Ketamine is an NMDA (N-methyl-D-aspartate) receptor antagonist", "pharmacology", "effect", "exclusive"),
    ("Depression is a common mental illness", "epidemiology", "effect", "asserted"),
    ("Research has shown that ketamine therapy can significantly reduce the symptoms of PTSD", "efficacy", "decrease",
     "asserted"),
    ("The drug’s anxiolytic effects may be due to its ability to activate GABA", "mechanism", "effect", "hedged"),
])
def test_ketamine_draft_fields(quote_start, kind, polarity, modality):
    claim = _claim(REPO / "articles" / "ketamine-therapy.md", quote_start)
    assert (claim.kind, claim.polarity, claim.modality) == (kind, polarity, modality)


def test_queries_are_house_style(mesh):
    claim = _claim(REPO / "articles" / "ketamine-therapy.md", "Studies have shown that repeated exposure")
    assert claim.query.startswith('("ketamine"[mh] OR ketamine[tiab]')
    assert '"cystitis"[mh]' in claim.query and " AND " in claim.query
    assert claim.humans_only and claim.intervention == "ketamine"
    assert query_problems(claim.query) == []


def test_an_unmapped_subject_is_searched_as_words_and_the_note_says_so():
    claim = _claim(DATA / "cold-plunge.md", "It also lowers markers of inflammation")
    assert claim.query.startswith('"cold plunge"[tiab] AND ')
    assert "no MeSH 2024 heading matched 'cold plunge'" in claim.note


# -- whole articles: verbatim quotes, and every draft registry passes `evidence check` ------------

@pytest.mark.parametrize("article", ARTICLES, ids=lambda p: p.name)
def test_every_draft_registry_passes_check(tmp_path, article):
    result = propose_article(article, article_id="draft-test", output=tmp_path / "drafts.yaml")
    registry = load_registry(tmp_path / "drafts.yaml")
    assert len(registry.claims) == len(result.proposal.claims) > 0
    text = registry.article("draft-test").text
    assert all(quote_in_text(c.quote, text) and c.draft for c in registry.claims)
    assert len({c.id for c in registry.claims}) == len(registry.claims)


# -- HTML, Markdown -------------------------------------------------------------------------------

def test_html_extraction_keeps_the_article_and_drops_the_page_around_it():
    source = read_source(DATA / "hbot-clinic-page.html")
    assert source.title == "Hyperbaric Oxygen Therapy: How It Works"
    assert source.publisher == "Harbor Light Wellness Spa"
    assert source.url == "https://harborlight.example/blog/hyperbaric-oxygen-therapy/"
    lines = source.text.splitlines()
    assert "How Does HBOT Work?" in lines  # headings stay, one a line
    assert "- Faster wound healing" in lines  # list items keep their mark
    assert "Hyperbaric oxygen therapy speeds the healing of diabetic foot ulcers and reduces the risk of amputation." \
        in source.text
    for boilerplate in ("cookies", "Memberships", "Related posts", "Subscribe", "All rights reserved", "Sitemap",
                        "dataLayer", "Call us", "Home »", "Food and Drug Administration"):
        assert boilerplate not in source.text, boilerplate


def test_html_without_a_canonical_link_gets_no_url(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><head><title>Cold Plunge Benefits</title></head><body><article><h1>Cold Plunge Benefits"
                    "</h1><p>Cold water immersion after exercise reduces muscle soreness in athletes, and it also "
                    "lowers markers of inflammation such as C-reactive protein in trained cyclists.</p></article>"
                    "</body></html>", encoding="utf-8")
    source = read_source(page)
    assert source.url == "" and "reduces muscle soreness" in source.text


def test_markdown_marks_are_removed():
    md = "# Title\n\nKetamine **blocks** [NMDA receptors](https://x.example) and *raises* BDNF.\n* one item\n"
    assert markdown_to_text(md) == "Title\n\nKetamine blocks NMDA receptors and raises BDNF.\n- one item\n"


# -- the command ----------------------------------------------------------------------------------

def test_cli_propose_then_check_counts_the_drafts(tmp_path, capsys):
    article = tmp_path / "in" / "magnesium.txt"
    article.parent.mkdir()
    article.write_text("Magnesium for Migraine\nMagnesium infusions stop a migraine attack within an hour. "
                       "Book your drip today!\nUp to 50% of adults do not get enough magnesium from their diet.\n",
                       encoding="utf-8")
    out = tmp_path / "reg" / "magnesium.yaml"
    assert cli.main(["propose", str(article), "--article-id", "magnesium", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "2 draft claims" in err and "check --online" in err
    assert (tmp_path / "reg" / "articles" / "magnesium.md").exists()
    assert cli.main(["--queries", str(out), "check"]) == 0
    printed = capsys.readouterr().out
    assert "1 articles, 2 claims, valid; 2 drafts to confirm" in printed
    assert "[draft" in printed
    # an existing output is not overwritten without --force
    assert cli.main(["propose", str(article), "--article-id", "magnesium", "-o", str(out)]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_cli_propose_prints_to_stdout_and_copies_beside_the_registry(tmp_path, capsys):
    article = tmp_path / "a.md"
    article.write_text("# Ketamine\n\nKetamine reduces suicidal ideation in depression.\n", encoding="utf-8")
    assert cli.main(["--queries", str(tmp_path / "q" / "queries.yaml"), "propose", str(article)]) == 0
    assert "draft: true" in capsys.readouterr().out
    assert (tmp_path / "q" / "articles" / "ketamine.md").exists()


@pytest.mark.parametrize("name, message", [("page.pdf", "cannot read .pdf"), ("empty.txt", "no article text")])
def test_cli_propose_errors_are_one_line(tmp_path, capsys, name, message):
    (tmp_path / name).write_text("   \n", encoding="utf-8")
    assert cli.main(["propose", str(tmp_path / name), "-o", str(tmp_path / "o.yaml")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


@pytest.mark.parametrize("title, body, phrase, aliases", [
    ("The Science Behind Ketamine’s Effects On The Brain",
     "Ketamine blocks receptors. Ketamine’s effects on the brain last. Ketamine is fast. The brain adapts. "
     "Effects on the brain vary. The brain heals.", "ketamine", ()),
    ("Cold Plunge Therapy at Dopamine Depot",
     "At Dopamine Depot we love it. Dopamine Depot is open. Visit Dopamine Depot. Cold plunge therapy lowers "
     "soreness. Cold plunge therapy is cold. Cold plunge therapy helps.", "cold plunge therapy", ()),
    ("Hyperbaric Oxygen Therapy for Healing",
     "Hyperbaric oxygen therapy (HBOT) raises oxygen. HBOT heals ulcers. HBOT can cause barotrauma.",
     "hyperbaric oxygen therapy", ("HBOT",)),
])
def test_topic_is_what_the_article_is_about(mesh, title, body, phrase, aliases):
    from evidence.propose.chooser import abbreviation_aliases, find_topic

    topic = find_topic(title, body, mesh, abbreviation_aliases(body, mesh))
    assert (topic.phrase, topic.aliases) == (phrase, aliases)


@pytest.mark.parametrize("sentence, statements", [
    ("Cold exposure boosts mood and can ease the symptoms of depression.",
     ["Cold exposure boosts mood", "Cold exposure can ease the symptoms of depression."]),
    ("The drug can reduce pain in patients with neuropathic pain, fibromyalgia, and other chronic pain conditions.",
     ["The drug can reduce pain in patients with neuropathic pain.", "The drug can reduce pain in patients with fibromyalgia.",
      "The drug can reduce pain in patients with other chronic pain conditions."]),
])
def test_a_split_part_keeps_the_shared_subject(mesh, ketamine, sentence, statements):
    choices, _decisions, _topic = choose(sentence + "\n", mesh, topic=ketamine)
    assert [c.statement_text for c in choices] == statements
