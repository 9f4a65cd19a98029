"""Turn checked records into quads: one named graph per source, sorted and deduplicated."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pyoxigraph as ox

from miikg.graph_builder.iris import (
    META_GRAPH,
    ONTOLOGY_GRAPH,
    entity_iri,
    expand,
    graph_iri,
    source_iri,
)
from miikg.graph_builder.load import Curated, claims, emits
from miikg.graph_builder.models import Concept, Record, Scheme, Source, Text
from miikg.ontology import ontology_path

__all__ = ["build_quads", "ontology_quads", "record_iri"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_DATE_TYPES = {4: XSD + "gYear", 7: XSD + "gYearMonth", 10: XSD + "date"}
_SOURCE_CLASSES = {
    "publication": "miikg:Publication",
    "publication-part": "miikg:PublicationPart",
    "report": "miikg:Report",
    "web-page": "miikg:WebPage",
    "dataset": "miikg:SourceDataset",
}


def _n(curie: str) -> ox.NamedNode:
    return ox.NamedNode(expand(curie))


def record_iri(curated: Curated, record_id: str) -> str:
    """Return the IRI of the record or source with id *record_id*."""
    if record_id in curated.sources:
        return source_iri(record_id)
    return entity_iri(curated.records[record_id].segment, record_id)


def _texts(text: Text) -> list[ox.Literal]:
    return [
        ox.Literal(value.strip(), language=lang)
        for lang, value in (("en", text.en), ("zh", text.zh))
        if value is not None
    ]


def _date(value: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(_DATE_TYPES[len(value)]))


def _objects(curated: Curated, kind: str, value: Any) -> list[ox.NamedNode | ox.Literal]:
    if kind == "text":
        return list(_texts(value))
    if kind == "ref":
        return [ox.NamedNode(record_iri(curated, value))]
    if kind == "iri":
        return [ox.NamedNode(value)]
    if kind == "curie":
        return [_n(value)]
    if kind == "date":
        return [_date(value)]
    if kind == "integer":
        return [ox.Literal(str(int(value)), datatype=ox.NamedNode(XSD + "integer"))]
    if kind == "decimal":
        text = format(Decimal(value).normalize(), "f")
        return [ox.Literal(text, datatype=ox.NamedNode(XSD + "decimal"))]
    if kind == "boolean":
        return [ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD + "boolean"))]
    return [ox.Literal(str(value))]


def _record_quads(curated: Curated, record: Record) -> Iterable[ox.Quad]:
    subject = ox.NamedNode(record_iri(curated, record.id))
    rdf_type = _n("rdf:type")
    graphs = {sid: ox.NamedNode(graph_iri(sid)) for sid in curated.sources}
    types = list(record.rdf_types())
    if isinstance(record, Concept):
        scheme = curated.records[record.scheme]
        assert isinstance(scheme, Scheme)
        types.append("miikg:" + scheme.member_class)
    used: set[str] = set(record.sources)
    for sid in record.sources:
        for curie in types:
            yield ox.Quad(subject, rdf_type, _n(curie), graphs[sid])
    for name, emit in emits(type(record)):
        predicates = [_n(emit.predicate), *(_n(p) for p in emit.also)]
        for claim in claims(record, name):
            sids = claim.sources or record.sources
            used.update(sids)
            for obj in _objects(curated, emit.kind, claim.value):
                for sid in sids:
                    for predicate in predicates:
                        yield ox.Quad(subject, predicate, obj, graphs[sid])
    for sid in sorted(used):
        yield ox.Quad(subject, _n("dcterms:source"), ox.NamedNode(source_iri(sid)), graphs[sid])


def _source_quads(source: Source) -> Iterable[ox.Quad]:
    meta = ox.NamedNode(META_GRAPH)
    subject = ox.NamedNode(source_iri(source.id))
    graph = ox.NamedNode(graph_iri(source.id))
    rdf_type = _n("rdf:type")
    yield ox.Quad(subject, rdf_type, _n(_SOURCE_CLASSES[source.type]), meta)
    yield ox.Quad(subject, rdf_type, _n("miikg:Source"), meta)
    yield ox.Quad(subject, rdf_type, _n("prov:Entity"), meta)
    for literal in _texts(source.title):
        yield ox.Quad(subject, _n("rdfs:label"), literal, meta)
        yield ox.Quad(subject, _n("dcterms:title"), literal, meta)
    if source.citation:
        yield ox.Quad(
            subject, _n("dcterms:bibliographicCitation"), ox.Literal(source.citation), meta
        )
    if source.url:
        yield ox.Quad(subject, _n("schema:url"), ox.NamedNode(source.url), meta)
    if source.doi:
        yield ox.Quad(subject, _n("schema:identifier"), ox.Literal("doi:" + source.doi), meta)
    if source.part_of:
        yield ox.Quad(
            subject, _n("dcterms:isPartOf"), ox.NamedNode(source_iri(source.part_of)), meta
        )
    if source.locator:
        yield ox.Quad(subject, _n("miikg:locator"), ox.Literal(source.locator), meta)
    if source.date:
        yield ox.Quad(subject, _n("dcterms:date"), _date(source.date), meta)
    if source.status:
        yield ox.Quad(subject, _n("miikg:verificationStatus"), ox.Literal(source.status), meta)
    if source.language:
        yield ox.Quad(subject, _n("dcterms:language"), ox.Literal(source.language), meta)
    # The named graph is a PROV bundle of the claims this source makes.
    yield ox.Quad(graph, rdf_type, _n("prov:Bundle"), meta)
    yield ox.Quad(graph, _n("prov:wasDerivedFrom"), subject, meta)


def ontology_quads() -> list[ox.Quad]:
    """Return the ontology's triples as quads in the ontology graph."""
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    with ontology_path().open("rb") as handle:
        triples = ox.parse(handle, format=ox.RdfFormat.TURTLE)
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]


def build_quads(curated: Curated, *, with_ontology: bool = True) -> list[ox.Quad]:
    """Return every quad of the graph, deduplicated and in a fixed order.

    Each claim sits in the named graph of its source; the default graph holds the
    merge of all graphs, each triple once. Stores that would build that union on the fly
    (Oxigraph 0.5's ``use_default_graph_as_union``) yield a triple once per graph holding
    it, which inflates counts and joins; a materialised merge is right in every store.
    """
    quads: set[ox.Quad] = set()
    for source in curated.sources.values():
        quads.update(_source_quads(source))
    for record in curated.records.values():
        quads.update(_record_quads(curated, record))
    if with_ontology:
        quads.update(ontology_quads())
    quads.update({ox.Quad(q.subject, q.predicate, q.object) for q in quads})
    return sorted(quads, key=str)
