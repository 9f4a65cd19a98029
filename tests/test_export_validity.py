"""Each export is valid by its own standard, checked by that standard's own tools.

GraphML and GEXF against their XML schemas (``xmllint --schema``, Debian
``libxml2-utils``; the schemas are in ``tests/schemas``); the ontology against the OWL 2
DL profile (the OWL API, Debian ``libowlapi-java``) and by HermiT (bundled with
owlready2); Turtle, TriG and N-Quads read by Apache Jena RIOT as a third reader beside
rdflib and pyoxigraph (``tests/test_exports.py``).
"""

from __future__ import annotations

import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import owlready2
import pyoxigraph as ox
import pytest
import rdflib

from java_tools import jena_riot, owl2_dl_violations
from miikg.exports.graph_formats import flat_graph
from miikg.exports.registry import EXPORTERS, ExportSource, export
from miikg.ontology import ontology_path

SCHEMAS = Path(__file__).parent / "schemas"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


@pytest.fixture(scope="module")
def exported(store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("valid")
    source = ExportSource(store)
    for name in ("graphml", "gexf", "turtle", "trig", "nquads"):
        export(name, source, folder / EXPORTERS[name].filename)
    return folder


def xmllint(schema: str, document: Path) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("xmllint")
    if binary is None:
        pytest.fail("xmllint is missing: apt-get install libxml2-utils")
    return subprocess.run(
        [binary, "--noout", "--nonet", "--schema", str(SCHEMAS / schema), str(document)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(("fmt", "schema"), [("graphml", "graphml.xsd"), ("gexf", "gexf.xsd")])
def test_network_export_is_valid_by_its_schema(exported: Path, fmt: str, schema: str) -> None:
    document = exported / EXPORTERS[fmt].filename
    result = xmllint(schema, document)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stderr.strip().endswith(f"{document} validates")


def test_graphml_ids_are_unique_and_carry_no_iri(exported: Path, store: ox.Store) -> None:
    root = ET.parse(exported / EXPORTERS["graphml"].filename).getroot()
    nodes = root.findall(f".//{GRAPHML}node")
    edges = root.findall(f".//{GRAPHML}edge")
    projection = ExportSource(store).projection()
    assert len(nodes) == projection.number_of_nodes() > 100
    assert len(edges) == projection.number_of_edges() > 300
    assert [n.get("id") for n in nodes] == [f"n{i}" for i in range(len(nodes))]
    assert [e.get("id") for e in edges] == [f"e{i}" for i in range(len(edges))]


def test_the_schema_check_catches_what_was_wrong(store: ox.Store, tmp_path: Path) -> None:
    """The old GraphML (IRIs as node ids, the predicate as every edge's id) fails."""
    path = tmp_path / "old.graphml"
    nx.write_graphml(flat_graph(ExportSource(store).projection()), path)
    result = xmllint("graphml.xsd", path)
    assert result.returncode != 0
    assert "is not a valid value of the atomic type 'xs:NMTOKEN'" in result.stderr
    assert "edge_id_unique" in result.stderr


def test_the_ontology_is_in_the_owl2_dl_profile(tmp_path: Path) -> None:
    assert owl2_dl_violations(ontology_path()) == []
    # The checker is real: the old modelling (SingleValuedProperty ⊑ rdf:Property) fails.
    old = tmp_path / "old.ttl"
    text = ontology_path().read_text(encoding="utf-8")
    old.write_text(
        text.replace(
            "miikg:SingleValuedProperty a owl:Class ;",
            "miikg:SingleValuedProperty a owl:Class ; rdfs:subClassOf rdf:Property ;",
        ),
        encoding="utf-8",
    )
    assert any("rdf:Property" in v for v in owl2_dl_violations(old))


def _hermit(path: Path) -> owlready2.Ontology:
    """Load the ontology (as N-Triples: owlready2 reads no Turtle) and run HermiT."""
    nt = path.with_suffix(".nt")
    rdflib.Graph().parse(path, format="turtle").serialize(nt, format="nt", encoding="utf-8")
    world = owlready2.World()
    ontology = world.get_ontology(nt.as_uri()).load()
    with ontology:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return ontology


def test_hermit_finds_the_ontology_consistent(tmp_path: Path) -> None:
    path = tmp_path / "miikg.ttl"
    shutil.copy(ontology_path(), path)
    ontology = _hermit(path)
    names = {c.name for c in ontology.classes()}
    assert {"Institute", "SingleValuedProperty", "GovernmentBody"} <= names
    assert {"state", "organizer"} <= {p.name for p in ontology.object_properties()}
    assert list(ontology.world.inconsistent_classes()) == []
    # ... and HermiT does report an inconsistency when there is one.
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        ontology_path().read_text(encoding="utf-8")
        + "\nmiikg:Institute owl:disjointWith miikg:Source .\n"
        "<urn:x> a miikg:Institute , miikg:Source .\n",
        encoding="utf-8",
    )
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _hermit(broken)


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads"])
def test_jena_riot_reads_every_rdf_export(
    exported: Path, store: ox.Store, tmp_path: Path, fmt: str
) -> None:
    data = jena_riot(exported / EXPORTERS[fmt].filename, tmp_path)
    read = set(ox.parse(data, format=ox.RdfFormat.N_QUADS))
    if fmt == "turtle":  # the merged default graph only
        expected = set(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    else:
        expected = set(store)
    assert len(read) == len(expected) > 7000
    assert read == expected
