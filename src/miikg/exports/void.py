"""A VoID + DCAT description of a build: counts, partitions, one subset per source graph.

Every count is read from the store: ``void:triples`` is the size of the merged default
graph, ``void:entities`` the number of typed resources in the ``mid:`` namespace (as
``miikg stats`` counts them), and each class and property partition counts the default
graph. Each source's named graph is a ``void:subset`` with its own triple count.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

import miikg
from miikg.graph_builder.iris import META_GRAPH, ONTOLOGY_GRAPH, expand
from miikg.ontology.namespaces import BASE, GRAPH, ID, MIIKG, PREFIXES
from miikg.report import curie

if TYPE_CHECKING:
    from miikg.exports.registry import ExportSource

__all__ = [
    "DATASET_IRI",
    "DESCRIPTION",
    "LICENSE",
    "TITLE",
    "VoidCounts",
    "void_counts",
    "void_triples",
    "write_void",
]

DATASET_IRI = BASE + "dataset"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
TITLE = {
    "en": "miikg: knowledge graph of the US DoD Manufacturing Innovation Institutes",
    "zh": "miikg：美国国防部制造创新所知识图谱",
}
DESCRIPTION = {
    "en": "A bilingual (English/Chinese) knowledge graph of the US Department of Defense "
    "Manufacturing Innovation Institutes, checked claim by claim against the public record; "
    "every claim sits in the named graph of its source.",
    "zh": "美国国防部制造创新所的中英双语知识图谱，逐条对照公开来源核实；"
    "每条陈述都位于其来源的命名图中。",
}
_SOURCE = ID + "source/"


def _n(curie_text: str) -> ox.NamedNode:
    return ox.NamedNode(expand(curie_text))


def _int(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_n("xsd:integer"))


@dataclass(frozen=True)
class VoidCounts:
    """The counts a VoID description states."""

    triples: int
    entities: int
    subjects: int
    objects: int
    #: predicate IRI → triples; class IRI → typed subjects; source graph IRI → quads
    properties: dict[str, int]
    classes: dict[str, int]
    graphs: dict[str, int]


def void_counts(source: ExportSource) -> VoidCounts:
    """Count the merged default graph of *source*, and each source's named graph."""
    triples = source.triples()
    rdf_type = PREFIXES["rdf"] + "type"
    members: dict[str, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate.value == rdf_type and isinstance(t.object, ox.NamedNode):
            members[t.object.value].add(str(t.subject))
    entities = {
        t.subject.value
        for t in triples
        if t.predicate.value == rdf_type
        and isinstance(t.subject, ox.NamedNode)
        and t.subject.value.startswith(ID)
    }
    graphs = Counter(
        q.graph_name.value
        for q in source.quads()
        if isinstance(q.graph_name, ox.NamedNode)
        and q.graph_name.value not in (META_GRAPH, ONTOLOGY_GRAPH)
    )
    return VoidCounts(
        triples=len(triples),
        entities=len(entities),
        subjects=len({t.subject for t in triples}),
        objects=len({t.object for t in triples}),
        properties=dict(Counter(t.predicate.value for t in triples)),
        classes={cls: len(found) for cls, found in members.items()},
        graphs=dict(graphs),
    )


def _slug(iri: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", curie(iri)).strip("-")


def void_triples(source: ExportSource) -> list[ox.Triple]:
    """Return the VoID + DCAT description of *source* as sorted triples."""
    counts = void_counts(source)
    dataset = ox.NamedNode(DATASET_IRI)
    out: list[ox.Triple] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out.append(ox.Triple(s, _n(p), o))

    for cls in ("void:Dataset", "dcat:Dataset"):
        add(dataset, "rdf:type", _n(cls))
    for lang in ("en", "zh"):
        add(dataset, "dcterms:title", ox.Literal(TITLE[lang], language=lang))
        add(dataset, "rdfs:label", ox.Literal(TITLE[lang], language=lang))
        add(dataset, "dcterms:description", ox.Literal(DESCRIPTION[lang], language=lang))
    add(dataset, "dcterms:license", ox.NamedNode(LICENSE))
    add(dataset, "dcat:version", ox.Literal(miikg.__version__))
    add(dataset, "owl:versionInfo", ox.Literal(miikg.__version__))
    add(dataset, "void:uriSpace", ox.Literal(ID))
    add(dataset, "void:vocabulary", ox.NamedNode(MIIKG))
    add(dataset, "void:triples", _int(counts.triples))
    add(dataset, "void:entities", _int(counts.entities))
    add(dataset, "void:distinctSubjects", _int(counts.subjects))
    add(dataset, "void:distinctObjects", _int(counts.objects))
    add(dataset, "void:properties", _int(len(counts.properties)))
    add(dataset, "void:classes", _int(len(counts.classes)))
    for cls, n in sorted(counts.classes.items()):
        part = ox.NamedNode(f"{DATASET_IRI}/class/{_slug(cls)}")
        add(dataset, "void:classPartition", part)
        add(part, "void:class", ox.NamedNode(cls))
        add(part, "void:entities", _int(n))
    for prop, n in sorted(counts.properties.items()):
        part = ox.NamedNode(f"{DATASET_IRI}/property/{_slug(prop)}")
        add(dataset, "void:propertyPartition", part)
        add(part, "void:property", ox.NamedNode(prop))
        add(part, "void:triples", _int(n))
    for graph, n in sorted(counts.graphs.items()):
        subset = ox.NamedNode(graph)
        src = ox.NamedNode(_SOURCE + graph.removeprefix(GRAPH))
        add(dataset, "void:subset", subset)
        add(dataset, "dcterms:source", src)
        add(subset, "rdf:type", _n("void:Dataset"))
        add(subset, "void:triples", _int(n))
        add(subset, "dcterms:source", src)
    return sorted(set(out), key=str)


def write_void(source: ExportSource, path: Path) -> Path:
    """Write the VoID + DCAT description of *source* as Turtle."""
    with path.open("wb") as handle:
        ox.serialize(void_triples(source), handle, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    return path
