"""An Atom feed (RFC 4287) of the refresh digests, so any feed reader can follow a claim set.

``write_feed(directory)`` reads every ``digest-<run>.json`` there and writes ``feed.xml``
beside them (newest run first, at most ``MAX_ENTRIES``): one entry per run, titled with its
counts, its content the digest's sentences with each PMID linked, linking the run's Markdown
digest. Every refresh rewrites it (``write_digest``), whole or not at all.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from evidence.fileio import atomic_write
from evidence.models import pubmed_url
from evidence.outputs.news import COUNT_MEANINGS, digest_news, headline

__all__ = ["FEED_NAME", "MAX_ENTRIES", "build_feed", "write_feed"]

FEED_NAME = "feed.xml"
MAX_ENTRIES = 50
_ATOM = "http://www.w3.org/2005/Atom"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold


def _clean(text: Any) -> str:
    return _NOT_XML.sub("", "" if text is None else str(text))


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{_ATOM}}}{tag}", {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _clean(text)
    return el


def _content(digest: Mapping[str, Any]) -> str:
    """The entry's HTML (escaped here, then again as XML text, as Atom's type="html" wants)."""
    items = []
    for item in digest_news(digest):
        links = ", ".join(f'<a href="{html.escape(pubmed_url(p))}">PMID {html.escape(p)}</a>' for p in item.pmids)
        more = f" and {item.more} more" if item.more else ""
        items.append(f"<li>{html.escape(item.text)}{' ' + links if links else ''}{more}</li>")
    meaning = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in COUNT_MEANINGS.items())
    body = f"<ul>{''.join(items)}</ul>" if items else "<p>Nothing changed.</p>"
    return f"<p>{html.escape(headline(digest))}</p>{body}<p><small>{html.escape(meaning)}</small></p>"


def _when(digest: Mapping[str, Any]) -> str:
    w = digest["window"]
    return str(w.get("ended_at") or w.get("started_at") or "1970-01-01T00:00:00+00:00")


def build_feed(digests: Sequence[Mapping[str, Any]], *, feed_id: str, title: str = "Evidence digests") -> str:
    """The Atom feed of ``digests`` (run digests, any order): newest run first."""
    runs = sorted((d for d in digests if d.get("window", {}).get("kind") == "run"),
                  key=lambda d: int(d["window"]["run_id"]), reverse=True)[:MAX_ENTRIES]
    feed = etree.Element(f"{{{_ATOM}}}feed", nsmap={None: _ATOM})  # type: ignore[dict-item]  # lxml: None = default namespace
    _el(feed, "id", feed_id)
    _el(feed, "title", title)
    _el(feed, "subtitle", "What each refresh changed: new studies, grade changes, retractions, revised records")
    _el(feed, "updated", max((_when(d) for d in runs), default="1970-01-01T00:00:00+00:00"))
    _el(feed, "link", rel="self", href=FEED_NAME)
    _el(feed, "generator", "evidence")
    author = _el(feed, "author")
    _el(author, "name", "evidence refresh")
    for d in runs:
        w = d["window"]
        entry = _el(feed, "entry")
        _el(entry, "id", f"{feed_id}:run:{w['run_id']}")
        _el(entry, "title", f"Run {w['run_id']} ({str(w.get('started_at') or '')[:10]}, {w['status']}): "
                            f"{headline(d)}")
        _el(entry, "updated", _when(d))
        _el(entry, "link", rel="alternate", type="text/markdown", href=f"digest-{w['run_id']}.md")
        _el(entry, "summary", headline(d))
        _el(entry, "content", _content(d), type="html")
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True).decode("utf-8")


def write_feed(directory: str | Path) -> Path:
    """Write ``feed.xml`` from the digests in ``directory`` (unreadable ones are skipped)."""
    directory = Path(directory)
    digests = []
    for path in directory.glob("digest-*.json"):
        try:
            digests.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    key = hashlib.sha256(str(directory.resolve()).encode()).hexdigest()[:16]
    target = directory / FEED_NAME
    atomic_write(target, build_feed(digests, feed_id=f"urn:evidence:digests:{key}"))
    return target
