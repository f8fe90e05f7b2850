"""Bring your own article: `evidence propose` drafts the claims registry from an article's text.

    from evidence.propose import propose_article
    result = propose_article(Path("page.html"), article_id="iv-therapy", output=Path("iv-therapy.yaml"))

``read_source`` reads .txt, .md or a saved .html page; ``choose`` picks the sentences that make a
checkable health claim (every decision with its reason); ``draft_claims`` describes each claim in the
registry's terms and writes its PubMed query from the offline MeSH table (``load_mesh``);
``render_registry`` writes the YAML, every claim ``draft: true``.
"""

from evidence.propose.chooser import Choice, Decision, Topic, choose
from evidence.propose.draft import DraftClaim, Proposal, ProposeResult, draft_claims, propose_article, render_registry
from evidence.propose.mesh import MESH_VERSION, load_mesh
from evidence.propose.source import Source, read_source

__all__ = ["MESH_VERSION", "Choice", "Decision", "DraftClaim", "Proposal", "ProposeResult", "Source", "Topic",
           "choose", "draft_claims", "load_mesh", "propose_article", "read_source", "render_registry"]
