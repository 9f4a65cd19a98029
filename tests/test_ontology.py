"""The ontology: metadata, bilingual labels and definitions, and every term the data uses."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from miikg import __version__
from miikg.graph_builder.build import build_quads
from miikg.graph_builder.load import load_data
from miikg.ontology import ontology_path
from miikg.ontology.namespaces import MIIKG

ONTOLOGY = URIRef(MIIKG)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_path(), format="turtle")


def _langs(graph: Graph, term: URIRef, prop: URIRef) -> list[str | None]:
    return sorted((o.language or "") for o in graph.objects(term, prop) if isinstance(o, Literal))


def test_metadata(ontology: Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in ontology
    assert _langs(ontology, ONTOLOGY, DCTERMS.title) == ["en", "zh"]
    assert str(ontology.value(ONTOLOGY, OWL.versionInfo)) == __version__
    assert ontology.value(ONTOLOGY, DCTERMS.license) is not None


def test_every_local_term_has_labels_and_definitions_in_both_languages(
    ontology: Graph,
) -> None:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    terms = {
        s
        for k in kinds
        for s in ontology.subjects(RDF.type, k)
        if isinstance(s, URIRef) and str(s).startswith(MIIKG)
    }
    assert len(terms) > 80
    missing = [
        (str(t), p)
        for t in sorted(terms)
        for p in (RDFS.label, SKOS.definition)
        if _langs(ontology, t, p) != ["en", "zh"]
    ]
    assert missing == []


def test_no_blank_nodes(ontology: Graph) -> None:
    assert not [t for t in ontology if any(not isinstance(x, URIRef | Literal) for x in t)]


def test_every_class_and_property_the_data_uses_is_declared_or_labelled(
    ontology: Graph,
) -> None:
    quads = build_quads(load_data(), with_ontology=False)
    used = {q.predicate.value for q in quads}
    used |= {q.object.value for q in quads if q.predicate.value == str(RDF.type)}
    undeclared = sorted(
        iri for iri in used if _langs(ontology, URIRef(iri), RDFS.label) != ["en", "zh"]
    )
    assert undeclared == []


def test_local_classes_relate_to_w3c_vocabularies(ontology: Graph) -> None:
    subclass = {(str(s), str(o)) for s, o in ontology.subject_objects(RDFS.subClassOf)}
    assert (MIIKG + "Institute", "http://www.w3.org/ns/org#OrganizationalCollaboration") in subclass
    assert (MIIKG + "ManufacturingReadinessLevel", str(SKOS.Concept)) in subclass
    assert (MIIKG + "MemberType", "http://www.w3.org/ns/org#Role") in subclass


def test_single_valued_properties_are_not_owl_functional(ontology: Graph) -> None:
    single = set(ontology.subjects(RDF.type, URIRef(MIIKG + "SingleValuedProperty")))
    assert URIRef(MIIKG + "state") in single and URIRef(MIIKG + "organizer") in single
    assert not single & set(ontology.subjects(RDF.type, OWL.FunctionalProperty))


def test_pyoxigraph_reads_the_ontology() -> None:
    with ontology_path().open("rb") as handle:
        assert sum(1 for _ in ox.parse(handle, format=ox.RdfFormat.TURTLE)) > 500
