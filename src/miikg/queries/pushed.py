"""What a push wrote to a store, in a graph of its own: the description read back later.

``miikg push`` writes this description last, so it is there only after a complete push. It
uses the SPARQL 1.1 Service Description vocabulary (``sd:namedGraph``/``sd:name`` for each
graph pushed, ``sd:defaultGraph`` for the merged default graph) and VoID (``void:triples``,
each graph's size), plus the build's id and the miikg version. The merged default graph is
named (``sd:name``) when the push put it into a named graph, as on a store whose default
graph is the union of all (Virtuoso); without a name it is the store's own default graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from miikg.ontology.namespaces import BASE, GRAPH, PREFIXES

__all__ = ["DESCRIPTION_GRAPH", "PushedDataset", "description_triples", "read_description"]

#: The graph a push writes last: what it pushed, and where (read back here).
DESCRIPTION_GRAPH = GRAPH + "dataset"
DATASET = BASE + "dataset"
#: The merged default graph, where a push wrote it to the store's own default graph.
STORE_DEFAULT = DATASET + "/store-default-graph"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = PREFIXES["void"]


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n(PREFIXES["xsd"] + "integer"))


@dataclass(frozen=True)
class PushedDataset:
    """What a push wrote to a store, as its description says."""

    build: str
    version: str
    #: named graph IRI → triples pushed into it
    graphs: dict[str, int]
    #: the named graph holding the merged default graph; None: the store's default graph
    merge: str | None
    merge_triples: int


def description_triples(
    *,
    build: str,
    version: str,
    graphs: Mapping[str, int],
    merge: str | None,
    merge_triples: int | None,
) -> list[ox.Triple]:
    """Return the description of a push, sorted (SPARQL Service Description and VoID).

    :param graphs: every named graph pushed, with its size.
    :param merge: where the merged default graph went: a named graph, or None for the
        store's default graph.
    :param merge_triples: its size; None when the push left the merge out.
    """
    dataset = _n(DATASET)
    out = [
        ox.Triple(dataset, _n(PREFIXES["rdf"] + "type"), _n(SD + "Dataset")),
        ox.Triple(dataset, _n(PREFIXES["dcterms"] + "identifier"), ox.Literal(build)),
        ox.Triple(dataset, _n(PREFIXES["owl"] + "versionInfo"), ox.Literal(version)),
    ]
    for graph, count in graphs.items():
        node = _n(graph)
        out += [
            ox.Triple(dataset, _n(SD + "namedGraph"), node),
            ox.Triple(node, _n(PREFIXES["rdf"] + "type"), _n(SD + "NamedGraph")),
            ox.Triple(node, _n(SD + "name"), node),
            ox.Triple(node, _n(VOID + "triples"), _int(count)),
        ]
    if merge_triples is not None:
        node = _n(merge or STORE_DEFAULT)
        out += [
            ox.Triple(dataset, _n(SD + "defaultGraph"), node),
            ox.Triple(node, _n(PREFIXES["rdf"] + "type"), _n(SD + "Graph")),
            ox.Triple(node, _n(VOID + "triples"), _int(merge_triples)),
        ]
        if merge is not None:
            out.append(ox.Triple(node, _n(SD + "name"), node))
    return sorted(set(out), key=str)


def read_description(triples: Iterable[ox.Triple]) -> PushedDataset | None:
    """Return the push a description describes (None: no description)."""
    by_subject: dict[str, dict[str, list[Any]]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            props = by_subject.setdefault(t.subject.value, {})
            props.setdefault(t.predicate.value, []).append(t.object)
    dataset = by_subject.get(DATASET)
    if not dataset:
        return None

    def first(props: dict[str, list[Any]], iri: str) -> str:
        values = props.get(iri, [])
        return str(values[0].value) if values else ""

    graphs = {
        g.value: int(first(by_subject.get(g.value, {}), VOID + "triples") or 0)
        for g in dataset.get(SD + "namedGraph", [])
    }
    merge: str | None = None
    merge_triples = -1
    for node in dataset.get(SD + "defaultGraph", []):
        props = by_subject.get(node.value, {})
        merge = first(props, SD + "name") or None
        merge_triples = int(first(props, VOID + "triples") or 0)
    return PushedDataset(
        build=first(dataset, PREFIXES["dcterms"] + "identifier"),
        version=first(dataset, PREFIXES["owl"] + "versionInfo"),
        graphs=dict(sorted(graphs.items())),
        merge=merge,
        merge_triples=merge_triples,
    )
