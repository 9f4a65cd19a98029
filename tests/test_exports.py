"""Standard exports, each read back by an independent reader and compared with the store."""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import igraph
import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from pyld import jsonld
from rdflib.namespace import OWL, RDF, RDFS

import miikg
from conftest import edit, record
from miikg import api, cli
from miikg.exports.graph_formats import (
    LIST_SEPARATOR,
    NEO4J_NODE_HEADER,
    NEO4J_RELATIONSHIP_HEADER,
)
from miikg.exports.rdf_formats import CONTEXT_FILENAME
from miikg.exports.registry import EXPORTERS, ExportError, ExportSource, export
from miikg.exports.release import CHANGES, CHECKSUMS, verify_checksums, write_release
from miikg.exports.void import DATASET_IRI, LICENSE
from miikg.graph_builder.iris import META_GRAPH, ONTOLOGY_GRAPH
from miikg.graph_builder.store import open_store
from miikg.ontology import ontology_path
from miikg.ontology.namespaces import GRAPH, MIIKG, PREFIXES

VOID = rdflib.Namespace(PREFIXES["void"])
DCT = rdflib.Namespace(PREFIXES["dcterms"])
DCAT = rdflib.Namespace(PREFIXES["dcat"])
RDF_FORMATS = {"turtle": "turtle", "rdf-xml": "xml"}
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "rdf-xml": ox.RdfFormat.RDF_XML}


def test_the_registry_lists_every_format() -> None:
    assert list(EXPORTERS) == [
        "turtle", "trig", "nquads", "json-ld", "rdf-xml", "graphml", "gexf", "neo4j",
        "cytoscape", "void", "html-docs", "sssom",
    ]  # fmt: skip
    assert len({e.filename for e in EXPORTERS.values()}) == len(EXPORTERS)


@pytest.fixture(scope="module")
def release(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every format of the curated build, in one release folder."""
    folder = tmp_path_factory.mktemp("release") / "r1"
    write_release(open_store(home), folder)
    return folder


def _file(release: Path, name: str) -> Path:
    return release / EXPORTERS[name].filename


# --- RDF ---------------------------------------------------------------------------------


def _rdflib_term(term: Any) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    assert isinstance(term, ox.Literal), term  # the build has no blank nodes
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == PREFIXES["xsd"] + "string":
        return rdflib.Literal(term.value)  # RDF 1.1's simple literal, as rdflib reads it
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def _default_triples(store: ox.Store) -> set[ox.Triple]:
    return {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}


def _rdflib_triples(store: ox.Store) -> set[tuple[rdflib.term.Node, ...]]:
    return {
        (_rdflib_term(t.subject), _rdflib_term(t.predicate), _rdflib_term(t.object))
        for t in _default_triples(store)
    }


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_rdflib_reads_back_the_default_graph(release: Path, store: ox.Store, fmt: str) -> None:
    graph = rdflib.Graph().parse(_file(release, fmt), format=RDF_FORMATS[fmt])
    expected = _rdflib_triples(store)
    assert len(graph) == len(expected) > 7000
    assert set(graph) == expected


@pytest.mark.parametrize("fmt", OX_FORMATS)
def test_pyoxigraph_reads_back_the_default_graph(release: Path, store: ox.Store, fmt: str) -> None:
    with _file(release, fmt).open("rb") as handle:
        triples = {q.triple for q in ox.parse(handle, format=OX_FORMATS[fmt])}
    assert triples == _default_triples(store)


# rdflib 7's own TriG and N-Quads parsers call its deprecated ConjunctiveGraph API.
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(
    ("fmt", "ox_format"), [("trig", ox.RdfFormat.TRIG), ("nquads", ox.RdfFormat.N_QUADS)]
)
def test_datasets_hold_every_graph(
    release: Path, store: ox.Store, fmt: str, ox_format: ox.RdfFormat
) -> None:
    expected = set(store.quads_for_pattern(None, None, None, None))
    with _file(release, fmt).open("rb") as handle:
        assert set(ox.parse(handle, format=ox_format)) == expected
    dataset = rdflib.Dataset()
    dataset.parse(_file(release, fmt), format="trig" if fmt == "trig" else "nquads")
    found = set()
    for s, p, o, g in dataset.quads((None, None, None, None)):
        name = None if g is None or g == rdflib.graph.DATASET_DEFAULT_GRAPH_ID else str(g)
        found.add((s, p, o, name))
    wanted = {
        (
            _rdflib_term(q.subject),
            _rdflib_term(q.predicate),
            _rdflib_term(q.object),
            None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value,
        )
        for q in expected
    }
    assert found == wanted
    assert {g for *_, g in found} >= {None, META_GRAPH, ONTOLOGY_GRAPH, GRAPH + "paper-table-2"}


def test_pyld_expands_the_json_ld_offline(release: Path, store: ox.Store, no_network: None) -> None:
    """The context is inline: expanding asks for no document at all."""
    asked: list[str] = []

    def loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        asked.append(url)
        raise jsonld.JsonLdError("offline", "loading document failed", code="loading failed")

    document = json.loads(_file(release, "json-ld").read_text(encoding="utf-8"))
    assert document["@context"] == PREFIXES
    context_file = _file(release, "json-ld").parent / CONTEXT_FILENAME
    assert json.loads(context_file.read_text(encoding="utf-8"))["@context"] == PREFIXES
    expanded = jsonld.expand(document, {"documentLoader": loader})
    assert asked == []
    assert all(node["@id"].startswith(("http://", "https://")) for node in expanded)
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    triples = {q.triple for q in ox.parse(nquads.encode("utf-8"), format=ox.RdfFormat.N_QUADS)}
    assert triples == _default_triples(store)


# --- networks -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def projection(store: ox.Store) -> nx.MultiDiGraph[str]:
    return ExportSource(store).projection()


def _edge_triples(graph: Any) -> Counter[tuple[str, str, str]]:
    return Counter((u, v, d["iri"]) for u, v, d in graph.edges(data=True))


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_networkx_reads_back_the_network(
    release: Path, projection: nx.MultiDiGraph[str], fmt: str
) -> None:
    reader = nx.read_graphml if fmt == "graphml" else nx.read_gexf
    graph = reader(_file(release, fmt))
    if fmt == "graphml":  # canonical ids (n0, e0 …); each node carries its IRI
        graph = nx.relabel_nodes(graph, {n: d["iri"] for n, d in graph.nodes(data=True)})
    assert graph.is_directed()
    assert graph.number_of_nodes() == projection.number_of_nodes() > 100
    assert graph.number_of_edges() == projection.number_of_edges() > 300
    assert set(graph) == set(projection)
    assert _edge_triples(graph) == _edge_triples(projection)
    mxd = graph.nodes["https://w3id.org/miikg/id/institute/mxd"]
    assert (
        mxd["label_zh"] == projection.nodes["https://w3id.org/miikg/id/institute/mxd"]["label_zh"]
    )
    assert mxd["label_en"] and mxd["label_zh"] != mxd["label_en"]
    want = LIST_SEPARATOR.join(
        projection.nodes["https://w3id.org/miikg/id/institute/mxd"]["sources"]
    )
    assert mxd["sources"] == want
    for _, data in graph.nodes(data=True):
        assert all(isinstance(v, (str, int)) for v in data.values()), data


def test_igraph_reads_back_the_graphml(release: Path, projection: nx.MultiDiGraph[str]) -> None:
    graph = igraph.Graph.Read_GraphML(str(_file(release, "graphml")))
    assert graph.is_directed()
    assert graph.vcount() == projection.number_of_nodes()
    assert graph.ecount() == projection.number_of_edges()
    assert set(graph.vs["iri"]) == set(projection)
    assert graph.vs["id"] == [f"n{i}" for i in range(graph.vcount())]
    assert set(graph.vs["label_zh"]) == {d["label_zh"] for _, d in projection.nodes(data=True)}
    assert Counter(graph.es["kind"]) == Counter(k for _, _, k in projection.edges(keys=True))


def test_gexf_is_plain_gexf_without_a_date(release: Path, projection: nx.MultiDiGraph[str]) -> None:
    root = ET.parse(_file(release, "gexf")).getroot()
    ns = {"g": "http://www.gexf.net/1.2draft"}
    assert len(root.findall(".//g:nodes/g:node", ns)) == projection.number_of_nodes()
    assert len(root.findall(".//g:edges/g:edge", ns)) == projection.number_of_edges()
    assert "lastmodifieddate" not in root.find("g:meta", ns).attrib  # type: ignore[union-attr]


def _csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_neo4j_csv_has_the_bulk_import_headers(
    release: Path, projection: nx.MultiDiGraph[str]
) -> None:
    folder = _file(release, "neo4j")
    header, nodes = _csv(folder / "nodes.csv")
    assert header == [
        "id:ID", ":LABEL", "iri", "entity_id", "kind", "class_en", "class_zh", "label_en",
        "label_zh", "names:string[]", "short:string[]", "sources:string[]", "stage:string[]",
        "instrument:string[]", "phase:string[]", "position:int", "level:int", "name",
    ]  # fmt: skip
    assert tuple(header) == NEO4J_NODE_HEADER
    header, edges = _csv(folder / "relationships.csv")
    assert header == [
        ":START_ID",
        ":END_ID",
        ":TYPE",
        "iri",
        "kind",
        "label_en",
        "label_zh",
        "sources:string[]",
    ]
    assert tuple(header) == NEO4J_RELATIONSHIP_HEADER
    ids = [row["id:ID"] for row in nodes]
    assert len(ids) == len(set(ids)) == projection.number_of_nodes()
    assert set(ids) == set(projection)
    assert len(edges) == projection.number_of_edges()
    assert {r[":START_ID"] for r in edges} | {r[":END_ID"] for r in edges} <= set(ids)
    assert all(re.fullmatch(r"[A-Z][A-Z_]*", r[":TYPE"]) for r in edges)
    assert all(r[":LABEL"].split(";")[0] == "Resource" for r in nodes)
    for row in nodes:
        for column in ("position:int", "level:int"):
            assert row[column] == "" or int(row[column]) >= 0
    mxd = next(r for r in nodes if r["id:ID"].endswith("/institute/mxd"))
    assert mxd[":LABEL"] == "Resource;Institute"
    assert mxd["label_zh"] == "数字制造和设计创新所"


def test_cytoscape_json_has_every_node_and_edge(
    release: Path, projection: nx.MultiDiGraph[str]
) -> None:
    document = json.loads(_file(release, "cytoscape").read_text(encoding="utf-8"))
    nodes = [n["data"] for n in document["elements"]["nodes"]]
    edges = [e["data"] for e in document["elements"]["edges"]]
    assert {n["id"] for n in nodes} == set(projection)
    assert len(nodes) == projection.number_of_nodes()
    assert len({e["id"] for e in edges}) == len(edges) == projection.number_of_edges()
    assert all(e["source"] in projection and e["target"] in projection for e in edges)
    assert all(n["label_en"] and n["label_zh"] for n in nodes)


# --- VoID and documentation ---------------------------------------------------------------


def _int(graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef) -> int:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return int(values[0])  # type: ignore[call-overload]


def test_void_counts_equal_the_store(release: Path, store: ox.Store, home: Path) -> None:
    graph = rdflib.Graph().parse(_file(release, "void"), format="turtle")
    dataset = rdflib.URIRef(DATASET_IRI)
    default = _default_triples(store)
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert (dataset, RDF.type, DCAT.Dataset) in graph
    assert _int(graph, dataset, VOID.triples) == len(default)
    assert _int(graph, dataset, VOID.entities) == api.stats(store=home).entities
    assert (dataset, DCT.license, rdflib.URIRef(LICENSE)) in graph
    assert str(graph.value(dataset, DCAT.version)) == miikg.__version__
    assert {t.language for t in graph.objects(dataset, DCT.title)} == {"en", "zh"}
    assert {t.language for t in graph.objects(dataset, DCT.description)} == {"en", "zh"}
    typed: dict[str, set[Any]] = {}
    for t in default:
        if t.predicate.value == PREFIXES["rdf"] + "type":
            typed.setdefault(t.object.value, set()).add(t.subject)  # type: ignore[union-attr]
    parts = {
        str(graph.value(p, VOID["class"])): _int(graph, p, VOID.entities)
        for p in graph.objects(dataset, VOID.classPartition)
    }
    assert parts == {cls: len(members) for cls, members in typed.items()}
    props = {
        str(graph.value(p, VOID.property)): _int(graph, p, VOID.triples)
        for p in graph.objects(dataset, VOID.propertyPartition)
    }
    assert props == dict(Counter(t.predicate.value for t in default))
    per_graph = Counter(
        q.graph_name.value
        for q in store.quads_for_pattern(None, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode)
        and q.graph_name.value not in (META_GRAPH, ONTOLOGY_GRAPH)
    )
    subsets = {str(s): _int(graph, s, VOID.triples) for s in graph.objects(dataset, VOID.subset)}
    assert subsets == dict(per_graph)
    assert len(subsets) == api.stats(store=home).graphs
    assert len(set(graph.objects(dataset, DCT.source))) == len(subsets)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.tags: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.ids += [v for k, v in attrs if k == "id" and v]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_docs_give_every_class_in_english_and_chinese(release: Path) -> None:
    page = _Page()
    page.feed(_file(release, "html-docs").read_text(encoding="utf-8"))
    page.close()
    text = "\n".join(page.text)
    ontology = rdflib.Graph().parse(ontology_path(), format="turtle")
    # The ontology's own classes (it also declares the external ones its axioms use).
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(MIIKG)}
    assert len(classes) > 40
    for cls in classes:
        labels = {lbl.language: str(lbl) for lbl in ontology.objects(cls, RDFS.label)}
        assert labels["en"] in text and labels["zh"] in text, cls
    assert len(page.ids) == len(set(page.ids))
    assert "script" not in page.tags and "link" not in page.tags  # no CDN, nothing fetched


# --- determinism, release, diff, command line ---------------------------------------------


def _bytes(path: Path) -> dict[str, bytes]:
    if path.is_file():
        return {path.name: path.read_bytes()}
    return {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("fmt", list(EXPORTERS))
def test_two_exports_are_byte_identical(home: Path, tmp_path: Path, fmt: str) -> None:
    name = EXPORTERS[fmt].filename
    first = export(fmt, open_store(home), tmp_path / "a" / name)
    second = export(fmt, open_store(home), tmp_path / "b" / name)
    assert _bytes(first) == _bytes(second)
    assert _bytes(first)


def test_release_checksums_cover_every_file(release: Path, tmp_path: Path) -> None:
    listed = {}
    for line in (release / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    files = {p.relative_to(release).as_posix() for p in release.rglob("*") if p.is_file()}
    assert set(listed) == files - {CHECKSUMS}
    for name, digest in listed.items():
        assert hashlib.sha256((release / name).read_bytes()).hexdigest() == digest
    assert verify_checksums(release) == []
    copy = tmp_path / "copy"
    import shutil

    shutil.copytree(release, copy)
    (copy / "void.ttl").write_text("tampered", encoding="utf-8")
    assert verify_checksums(copy) == ["void.ttl"]


def test_a_release_refuses_a_folder_in_use(release: Path, home: Path) -> None:
    with pytest.raises(ExportError, match="not empty"):
        write_release(open_store(home), release)


def test_unknown_format_is_refused(home: Path, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="no export format 'yaml'"):
        export("yaml", open_store(home), tmp_path / "x.yaml")


def test_diff_against_the_previous_release(release: Path, data_copy: Path, tmp_path: Path) -> None:
    def later_founding(records: list[dict[str, Any]]) -> None:
        record(records, "america-makes")["founded"][0]["value"] = "2012-09"

    edit(data_copy, "institutes.yaml", later_founding)
    built = api.build(data_copy, out=tmp_path / "home2")
    result = write_release(built.paths, tmp_path / "r2", previous=release)
    diff = result.diff
    assert diff is not None
    entity = "https://w3id.org/miikg/id/institute/america-makes"
    assert diff.entities_changed == (entity,)
    assert diff.entities_added == diff.entities_removed == ()
    assert [(c.subject, c.before, c.after) for c in diff.facts_changed] == [
        (entity, ('"2012-08"^^xsd:gYearMonth',), ('"2012-09"^^xsd:gYearMonth',))
    ]
    assert diff.facts_added == diff.facts_removed == ()
    assert diff.claims_added == diff.claims_removed > 0
    text = (tmp_path / "r2" / CHANGES).read_text(encoding="utf-8")
    assert "1 changed" in text
    assert '"2012-08"^^xsd:gYearMonth → "2012-09"^^xsd:gYearMonth' in text
    assert verify_checksums(tmp_path / "r2") == []
    assert CHANGES in (tmp_path / "r2" / CHECKSUMS).read_text(encoding="utf-8")
    same = write_release(built.paths, tmp_path / "r3", previous=tmp_path / "r2")
    assert same.diff is not None and same.diff.is_empty


def _parser() -> argparse.ArgumentParser:
    return cli._parser()


def _run(*argv: str) -> int:
    # --debug lets a MiikgError propagate, so the test can assert on it.
    return cli.main(["--debug", *argv])


def test_the_command_offers_the_registry_formats() -> None:
    export_parser = _parser()._subparsers._group_actions[0].choices["export"]  # type: ignore[union-attr]
    fmt = next(a for a in export_parser._actions if "--format" in a.option_strings)
    assert tuple(fmt.choices) == tuple(EXPORTERS)  # type: ignore[arg-type]
    with pytest.raises(SystemExit):
        _parser().parse_args(["export", "-o", "x"])  # neither --format nor --all


def test_the_command_writes_one_format_and_a_release(
    home: Path, tmp_path: Path, release: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "g.ttl"
    assert _run("--store", str(home), "export", "--format", "turtle", "-o", str(out)) == 0
    assert out.read_bytes() == _file(release, "turtle").read_bytes()
    assert str(out) in capsys.readouterr().out
    folder = tmp_path / "rel"
    code = _run("--store", str(home), "--lang", "zh", "export", "--all", "-o", str(folder),
                "--previous", str(release))  # fmt: skip
    assert code == 0
    said = capsys.readouterr().out
    assert f"已将 {len(EXPORTERS)} 种格式写入" in said and "0 added, 0 removed, 0 changed" in said
    assert _bytes(folder / "miikg.nq") == _bytes(release / "miikg.nq")
    with pytest.raises(ExportError, match="--previous"):
        _run("--store", str(home), "export", "--format", "void", "-o", str(tmp_path / "v.ttl"),
             "--previous", str(release))  # fmt: skip


# --- network exports by view and language ---------------------------------------------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_a_network_export_follows_the_view_and_the_language(
    store: ox.Store, tmp_path: Path, fmt: str
) -> None:
    governance = ExportSource(store, view="governance").projection()
    path = export(fmt, store, tmp_path / f"g.{fmt}", view="governance", lang="zh")
    graph = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(path)
    if fmt == "graphml":  # GraphML's ids are canonical (n0, n1 …); each node keeps its IRI
        graph = nx.relabel_nodes(graph, {n: d["iri"] for n, d in graph.nodes(data=True)})
    assert set(graph) == set(governance)
    kinds = {d["kind"] for _, d in graph.nodes(data=True)}
    assert "miikg:Institute" in kinds and "miikg:Quantity" not in kinds
    mxd = graph.nodes["https://w3id.org/miikg/id/institute/mxd"]
    assert mxd["label"] == "数字制造和设计创新所" == mxd["label_zh"]
    labels = {d["label"] for _, _, d in graph.edges(data=True)}
    assert "主办方" in labels and "sponsor" not in labels


def test_neo4j_and_cytoscape_follow_the_view_and_the_language(
    store: ox.Store, tmp_path: Path
) -> None:
    governance = ExportSource(store, view="governance").projection()
    folder = export("neo4j", store, tmp_path / "neo", view="governance", lang="zh")
    _, nodes = _csv(folder / "nodes.csv")
    assert {r["id:ID"] for r in nodes} == set(governance)
    assert all(r["name"] == r["label_zh"] for r in nodes)
    _, edges = _csv(folder / "relationships.csv")
    assert len(edges) == governance.number_of_edges()
    english = export("cytoscape", store, tmp_path / "c.cyjs", view="chain", lang="en")
    document = json.loads(english.read_text(encoding="utf-8"))
    chain = ExportSource(store, view="chain").projection()
    assert {n["data"]["id"] for n in document["elements"]["nodes"]} == set(chain)
    assert document["data"]["name"] == "miikg (innovation chain)"
    assert "Research stage" in {n["data"]["label"] for n in document["elements"]["nodes"]}


def test_a_view_or_language_is_refused_for_a_format_that_is_not_a_network(
    store: ox.Store, tmp_path: Path
) -> None:
    with pytest.raises(ExportError, match="network formats only"):
        export("turtle", store, tmp_path / "t.ttl", view="governance")
    with pytest.raises(ExportError, match="no view 'money'"):
        export("gexf", store, tmp_path / "g.gexf", view="money")
    assert list(tmp_path.iterdir()) == []


def test_the_command_takes_view_and_lang_for_a_network_format(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "g.gexf"
    code = _run("--store", str(home), "export", "--format", "gexf", "--view", "membership",
                "--lang", "zh", "-o", str(out))  # fmt: skip
    assert code == 0 and str(out) in capsys.readouterr().out
    labels = {d["label"] for _, d in nx.read_gexf(out).nodes(data=True)}
    assert "企业" in labels and "Company" not in labels
    with pytest.raises(ExportError) as refused:
        _run("--store", str(home), "--lang", "zh", "export", "--format", "void", "--view",
             "governance", "-o", str(tmp_path / "v.ttl"))  # fmt: skip
    # The error carries both languages; --lang zh shows the Chinese.
    assert refused.value.text("zh") == (
        "--view 和 --lang 只适用于 graphml、gexf、neo4j、cytoscape，不适用于 void"
    )
    assert str(refused.value) == (
        "--view and --lang apply to graphml, gexf, neo4j, cytoscape only, not to void"
    )
    # --lang after the command is also the language of the message
    code = cli.main(["--store", str(home), "export", "--all", "--lang", "zh", "-o",
                     str(tmp_path / "r")])  # fmt: skip
    assert code == 1
    assert capsys.readouterr().err == (
        "miikg: 错误: --view 和 --lang 只能与单一网络格式一起使用，不能与 --all 一起使用\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.gexf"]


# --- the whole Manufacturing USA network in every export ---------------------------------

#: The institutes outside the paper and the department that sponsors each (test_network_data
#: asserts these against the records and their sources).
NETWORK_SPONSORS = {
    "poweramerica": "doe",
    "iacmi": "doe",
    "cesmii": "doe",
    "rapid": "doe",
    "remade": "doe",
    "cymanii": "doe",
    "epixc": "doe",
    "niimbl": "doc",
    "smart-usa": "doc",
}
ID_INSTITUTE = "https://w3id.org/miikg/id/institute/"


def test_every_export_holds_the_whole_network(release: Path) -> None:
    institute, organization = MIIKG + "Institute", "https://w3id.org/miikg/id/organization/"
    sponsor = MIIKG + "sponsor"
    turtle = rdflib.Graph().parse(_file(release, "turtle"), format="turtle")
    in_turtle = {str(s) for s in turtle.subjects(RDF.type, rdflib.URIRef(institute))}
    assert len(in_turtle) == 18
    gexf = nx.read_gexf(_file(release, "gexf"))
    graphml = nx.read_graphml(_file(release, "graphml"))
    graphml = nx.relabel_nodes(graphml, {n: d["iri"] for n, d in graphml.nodes(data=True)})
    _, nodes = _csv(_file(release, "neo4j") / "nodes.csv")
    _, edges = _csv(_file(release, "neo4j") / "relationships.csv")
    neo4j_institutes = {r["id:ID"] for r in nodes if r[":LABEL"] == "Resource;Institute"}
    neo4j_edges = {(r[":START_ID"], r["iri"], r[":END_ID"]) for r in edges}
    assert neo4j_institutes == in_turtle
    for graph in (gexf, graphml):
        kinds = {n for n, d in graph.nodes(data=True) if d["kind"] == "miikg:Institute"}
        assert kinds == in_turtle
    linked = {id(g): {(u, d["iri"], v) for u, v, d in g.edges(data=True)} for g in (gexf, graphml)}
    for name, department in NETWORK_SPONSORS.items():
        iri, dept = ID_INSTITUTE + name, organization + department
        assert (rdflib.URIRef(iri), rdflib.URIRef(sponsor), rdflib.URIRef(dept)) in turtle
        assert (iri, sponsor, dept) in neo4j_edges, name
        for graph in (gexf, graphml):
            assert (iri, sponsor, dept) in linked[id(graph)], name
            assert graph.nodes[iri]["label_zh"] and graph.nodes[iri]["label_en"], name
