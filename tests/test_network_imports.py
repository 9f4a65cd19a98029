"""The network views after an import: imported things are nodes, their file is their source."""

from __future__ import annotations

import shutil
from pathlib import Path

from miikg.exports.network import project, read_catalog
from miikg.graph_builder.store import open_store
from miikg.linking.generic import import_rdf

ID = "https://w3id.org/miikg/id/"
TURTLE = """@prefix miikg: <https://w3id.org/miikg/ontology/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/mii/1> a miikg:Institute ;
    rdfs:label "Test institute"@en, "测试创新所"@zh ;
    miikg:sponsor <https://w3id.org/miikg/id/organization/osd-mantech> .
"""


def test_an_imported_institute_joins_the_governance_view_with_its_file_as_source(
    home: Path, tmp_path: Path
) -> None:
    target = tmp_path / "home"
    shutil.copytree(home, target)
    data = tmp_path / "partners.ttl"
    data.write_text(TURTLE, encoding="utf-8")
    written = import_rdf(data, home=target)

    graph = project(read_catalog(open_store(target)), "governance")

    node = "https://example.org/mii/1"
    assert graph.nodes[node]["label_en"] == "Test institute"
    assert graph.nodes[node]["label_zh"] == "测试创新所"
    edges = graph.get_edge_data(node, ID + "organization/osd-mantech")
    assert edges is not None and list(edges) == ["miikg:sponsor"]
    (source,) = edges["miikg:sponsor"]["sources"]
    assert written.graph.endswith(source.rsplit("sha256-", 1)[1][:16])
    info = graph.graph["sources"][source]
    assert (info.en, info.zh, info.locator) == (
        "Imported file partners.ttl",
        "导入的文件 partners.ttl",
        "partners.ttl",
    )
    assert not info.is_paper


def test_a_view_reads_its_own_edges_and_the_statements_of_its_nodes_only(
    home: Path, tmp_path: Path
) -> None:
    """After 10,000 imported triples (agreements, awards with amounts, members), the
    governance view reads its own edges and what its nodes say, and nothing else, and
    draws what a catalogue that read every view draws."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from generate import generate

    target = tmp_path / "home"
    shutil.copytree(home, target)
    data = tmp_path / "bench.nt"
    generate(10_000, data)
    import_rdf(data, home=target)
    store = open_store(target)

    catalog = read_catalog(store)
    graph = project(catalog, "governance")
    assert catalog.views_read == ("governance",)
    assert catalog.facts_read == set(graph.nodes)
    awards = [n for n in catalog.facts_read if "/bench/award/" in n or "/bench/agreement/" in n]
    assert awards == []
    assert any("/bench/institute/" in n for n in graph.nodes)

    everything = read_catalog(store)
    for view in ("agreements", "chain", "membership", "governance"):
        everything.edges(view)
    assert everything.views_read == ("governance", "agreements", "chain", "membership")
    full = project(everything, "governance")
    assert sorted(full.nodes(data=True)) == sorted(graph.nodes(data=True))
    assert sorted(full.edges(keys=True, data=True)) == sorted(graph.edges(keys=True, data=True))
