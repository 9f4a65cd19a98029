"""The graph's external links as an SSSOM mapping set: a TSV with its YAML metadata block.

Each ``schema:sameAs`` claim becomes one ``skos:exactMatch`` row, with the sources that
make the claim as ``see_also`` (their IRIs) and ``comment`` (their English titles). The
rows are sorted and the metadata carries no date, so one build gives one file.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox
import yaml

from miikg.ontology.namespaces import GRAPH, ID, PREFIXES

if TYPE_CHECKING:
    from miikg.exports.registry import ExportSource

__all__ = [
    "COLUMNS",
    "CURIE_MAP",
    "MAPPING_SET_ID",
    "Mapping",
    "compact",
    "expand",
    "mappings",
    "write_sssom",
]

MAPPING_SET_ID = "https://w3id.org/miikg/mappings/miikg.sssom.tsv"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
CURATION = "semapv:ManualMappingCuration"
AUTHOR = "miikg curators"
#: Every prefix a mapping may use, in the order the metadata block lists them.
CURIE_MAP: dict[str, str] = {
    "mid": ID,
    "wikidata": "http://www.wikidata.org/entity/",
    "ror": "https://ror.org/",
    "skos": PREFIXES["skos"],
    "owl": PREFIXES["owl"],
    "semapv": "https://w3id.org/semapv/vocab/",
}
#: The columns of the TSV, in order.
COLUMNS = (
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "mapping_justification",
    "author_label",
    "see_also",
    "comment",
)
_SAME_AS = ox.NamedNode(PREFIXES["schema"] + "sameAs")
_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
_TITLE = ox.NamedNode(PREFIXES["dcterms"] + "title")


@dataclass(frozen=True)
class Mapping:
    """One row of the mapping set."""

    subject_id: str
    subject_label: str
    predicate_id: str
    object_id: str
    sources: tuple[str, ...]
    titles: tuple[str, ...]

    def row(self) -> dict[str, str]:
        """Return the row as SSSOM columns."""
        return {
            "subject_id": self.subject_id,
            "subject_label": self.subject_label,
            "predicate_id": self.predicate_id,
            "object_id": self.object_id,
            "mapping_justification": CURATION,
            "author_label": AUTHOR,
            "see_also": "|".join(self.sources),
            "comment": "; ".join(self.titles),
        }


def compact(iri: str, curie_map: dict[str, str] | None = None) -> str | None:
    """Return *iri* as a CURIE of *curie_map* (the longest namespace wins), if one fits.

    >>> compact("http://www.wikidata.org/entity/Q49108")
    'wikidata:Q49108'
    """
    found = [(p, ns) for p, ns in (curie_map or CURIE_MAP).items() if iri.startswith(ns)]
    if not found:
        return None
    prefix, ns = max(found, key=lambda item: len(item[1]))
    return f"{prefix}:{iri[len(ns) :]}"


def expand(curie: str, curie_map: dict[str, str] | None = None) -> str | None:
    """Return the IRI of *curie* under *curie_map*, or ``None`` for an unknown prefix.

    >>> expand("ror:042nb2s44")
    'https://ror.org/042nb2s44'
    """
    prefix, sep, local = curie.partition(":")
    namespace = (curie_map or CURIE_MAP).get(prefix)
    if not sep or namespace is None or not local or any(c in local for c in ' <>"{}|\\^`'):
        return None
    return namespace + local


def _english(store: ox.Store, subject: ox.NamedNode, predicate: ox.NamedNode) -> str:
    found = sorted(
        q.object.value
        for q in store.quads_for_pattern(subject, predicate, None, ox.DefaultGraph())
        if isinstance(q.object, ox.Literal) and q.object.language == "en"
    )
    return found[0] if found else ""


def mappings(store: ox.Store) -> list[Mapping]:
    """Return every ``schema:sameAs`` claim with a known prefix, one row per link, sorted."""
    sources: dict[tuple[str, str], set[str]] = defaultdict(set)
    for quad in store.quads_for_pattern(None, _SAME_AS, None, None):
        graph = quad.graph_name
        if not isinstance(graph, ox.NamedNode) or not graph.value.startswith(GRAPH):
            continue
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.NamedNode):
            source = ID + "source/" + graph.value.removeprefix(GRAPH)
            sources[(quad.subject.value, quad.object.value)].add(source)
    rows = []
    for (subject, target), where in sources.items():
        subject_id, object_id = compact(subject), compact(target)
        if subject_id is None or object_id is None:
            continue
        ordered = tuple(sorted(where))
        rows.append(
            Mapping(
                subject_id,
                _english(store, ox.NamedNode(subject), _LABEL),
                "skos:exactMatch",
                object_id,
                tuple(compact(s) or s for s in ordered),
                tuple(_english(store, ox.NamedNode(s), _TITLE) for s in ordered),
            )
        )
    return sorted(rows, key=lambda m: (m.subject_id, m.object_id))


def write_sssom(source: ExportSource, path: Path) -> Path:
    """Write the mapping set of *source* to *path* as SSSOM TSV with a metadata block."""
    from miikg import __version__

    metadata = {
        "curie_map": CURIE_MAP,
        "mapping_set_id": MAPPING_SET_ID,
        "mapping_set_version": __version__,
        "mapping_set_title": "miikg external identifiers",
        "license": LICENSE,
        "creator_label": [AUTHOR],
    }
    block = yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True)
    out = io.StringIO()
    out.write("".join(f"#{line}\n" for line in block.splitlines()))
    writer = csv.DictWriter(out, COLUMNS, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(m.row() for m in mappings(source.store))
    path.write_text(out.getvalue(), encoding="utf-8")
    return path
