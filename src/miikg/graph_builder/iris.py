"""Mint every IRI of built data here, and nowhere else.

>>> entity_iri("institute", "america-makes")
'https://w3id.org/miikg/id/institute/america-makes'
>>> graph_iri("paper-table-2")
'https://w3id.org/miikg/graph/paper-table-2'
"""

from __future__ import annotations

import re

from miikg.ontology.namespaces import GRAPH, ID, PREFIXES

__all__ = [
    "ID_PATTERN",
    "META_GRAPH",
    "ONTOLOGY_GRAPH",
    "entity_iri",
    "expand",
    "graph_iri",
    "is_valid_id",
    "source_iri",
]

#: Lowercase kebab-case, as the house style asks of record ids.
ID_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_ID = re.compile(ID_PATTERN)

META_GRAPH = GRAPH + "meta"
ONTOLOGY_GRAPH = GRAPH + "ontology"


def is_valid_id(value: str) -> bool:
    """Tell whether *value* can be a record id (and so an IRI segment)."""
    return bool(_ID.fullmatch(value))


def entity_iri(segment: str, record_id: str) -> str:
    """Return the IRI of the record *record_id* of kind segment *segment*."""
    if not (is_valid_id(segment) and is_valid_id(record_id)):
        raise ValueError(f"not an IRI-safe id: {segment}/{record_id}")
    return f"{ID}{segment}/{record_id}"


def source_iri(source_id: str) -> str:
    """Return the IRI of a source (the thing a claim comes from)."""
    return entity_iri("source", source_id)


def graph_iri(source_id: str) -> str:
    """Return the IRI of the named graph that holds the claims of one source."""
    if not is_valid_id(source_id) or source_id in {"meta", "ontology"}:
        raise ValueError(f"not a source id: {source_id!r}")
    return GRAPH + source_id


def expand(curie: str) -> str:
    """Expand a CURIE such as ``schema:url`` with the project's prefixes.

    >>> expand("skos:prefLabel")
    'http://www.w3.org/2004/02/skos/core#prefLabel'
    """
    prefix, _, local = curie.partition(":")
    try:
        return PREFIXES[prefix] + local
    except KeyError:
        raise ValueError(f"unknown prefix in {curie!r}") from None
