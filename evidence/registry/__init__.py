"""The claims registry: ``queries.yaml`` loaded into frozen ``Article`` / ``Claim`` records.

The YAML is composed into a node tree (``yaml.compose``, PyYAML only) rather than loaded,
so every value keeps the line and column it came from. Validation collects *every*
problem and raises one ``RegistryError`` (a ``ConfigError``) whose first line gives the
count and whose other lines read ``<file>:<line>:<col>: <field path>: <what and fix>``,
so a user can fix the whole file in one pass and an editor can jump to each line.

Scalars are read from their source text, never through YAML's implicit typing: a
statement ``no`` stays the word "no", and a title ``1984`` stays "1984".
"""

from evidence.pubmed.query import HUMANS_FILTER, search_term  # re-exported: the registry's own filters
from evidence.registry.loader import Registry, load_registry, status_line, summarize
from evidence.registry.text import QUOTE_MAP, normalize_text, quote_in_text, strip_front_matter

__all__ = ["HUMANS_FILTER", "QUOTE_MAP", "Registry", "load_registry", "normalize_text", "quote_in_text",
           "search_term", "status_line", "strip_front_matter", "summarize"]
