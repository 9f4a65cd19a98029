"""Network exports of the ``all`` view: GraphML, GEXF, Neo4j bulk-import CSV, Cytoscape.js.

All four come from the one NetworkX projection (:mod:`miikg.exports.network`). GraphML
and GEXF hold scalars only, so lists are joined with :data:`LIST_SEPARATOR` and each
label language is its own attribute (``label_en``, ``label_zh``).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx

from miikg.exports.network import VIEWS
from miikg.report import curie

if TYPE_CHECKING:
    from miikg.exports.registry import ExportSource

__all__ = [
    "LIST_SEPARATOR",
    "NEO4J_NODE_HEADER",
    "NEO4J_RELATIONSHIP_HEADER",
    "canonical_ids",
    "flat_graph",
    "relationship_types",
    "write_cytoscape",
    "write_gexf",
    "write_graphml",
    "write_neo4j",
]

#: How list attributes are joined in GraphML, GEXF and CSV (Neo4j's default array delimiter).
LIST_SEPARATOR = ";"
_NODE_TEXT = ("iri", "id", "kind", "class_en", "class_zh", "label_en", "label_zh")
_NODE_LISTS = ("names", "short", "sources", "stage", "instrument", "phase")
_NODE_INTS = ("position", "level")
_EDGE_TEXT = ("iri", "kind", "label_en", "label_zh")
#: Neo4j's bulk-import headers (``neo4j-admin database import``), typed columns included.
NEO4J_NODE_HEADER = (
    "id:ID",
    ":LABEL",
    "iri",
    "entity_id",
    "kind",
    "class_en",
    "class_zh",
    "label_en",
    "label_zh",
    "names:string[]",
    "short:string[]",
    "sources:string[]",
    "stage:string[]",
    "instrument:string[]",
    "phase:string[]",
    "position:int",
    "level:int",
    # The caption Neo4j Browser and Bloom show first: the label in the export's language.
    "name",
)
NEO4J_RELATIONSHIP_HEADER = (
    ":START_ID",
    ":END_ID",
    ":TYPE",
    "iri",
    "kind",
    "label_en",
    "label_zh",
    "sources:string[]",
)


def _node_scalars(data: dict[str, Any], lang: str = "en") -> dict[str, str | int]:
    attrs: dict[str, str | int] = {name: str(data.get(name, "")) for name in _NODE_TEXT}
    # "id" means the node's own id to the GEXF writer and to igraph: keep ids as IRIs.
    attrs["entity_id"] = attrs.pop("id")
    attrs["label"] = str(data.get(f"label_{lang}", ""))
    for name in _NODE_LISTS:
        attrs[name] = LIST_SEPARATOR.join(str(v) for v in data.get(name, ()))
    for name in _NODE_INTS:
        if name in data:
            attrs[name] = int(data[name])
    return attrs


def _edge_scalars(data: dict[str, Any], lang: str = "en") -> dict[str, str]:
    attrs = {name: str(data.get(name, "")) for name in _EDGE_TEXT}
    attrs["label"] = attrs[f"label_{lang}"]
    attrs["sources"] = LIST_SEPARATOR.join(data.get("sources", ()))
    return attrs


def flat_graph(graph: nx.MultiDiGraph[str], lang: str = "en") -> nx.MultiDiGraph[str]:
    """Return a copy of *graph* whose attributes are strings and integers only, sorted.

    Each node's and edge's ``label`` (what Gephi and yEd show) is in *lang*.
    """
    flat: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node in sorted(graph):
        flat.add_node(node, **_node_scalars(graph.nodes[node], lang))
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        flat.add_edge(u, v, key=key, **_edge_scalars(data, lang))
    return flat


def canonical_ids(graph: nx.MultiDiGraph[str]) -> nx.MultiDiGraph[str]:
    """Return *graph* with GraphML's canonical ids: nodes ``n0``, ``n1`` …, edges ``e0`` ….

    The GraphML schema types node and edge ids as ``xs:NMTOKEN`` (no ``/``, so no IRI)
    and requires them unique; each node keeps its IRI in its ``iri`` attribute and each
    edge its predicate in ``iri`` and ``kind``.
    """
    ids = {node: f"n{number}" for number, node in enumerate(graph)}
    out: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for node, data in graph.nodes(data=True):
        out.add_node(ids[node], **data)
    for number, (u, v, data) in enumerate(graph.edges(data=True)):
        out.add_edge(ids[u], ids[v], key=f"e{number}", **data)
    return out


def write_graphml(source: ExportSource, path: Path) -> Path:
    """Write the source's view as GraphML (directed, canonical node and edge ids)."""
    nx.write_graphml(
        canonical_ids(flat_graph(source.projection(), source.lang)), path, encoding="utf-8"
    )
    return path


def write_gexf(source: ExportSource, path: Path) -> Path:
    """Write the source's view as GEXF 1.2 for Gephi, without the writer's date stamp."""
    from networkx.readwrite.gexf import GEXFWriter

    writer = GEXFWriter(encoding="utf-8", prettyprint=True, version="1.2draft")
    # networkx stamps today's date into <meta>; drop it so a build always exports the same bytes.
    for meta in writer.xml.iter("meta"):
        meta.attrib.pop("lastmodifieddate", None)
    writer.add_graph(flat_graph(source.projection(), source.lang))
    # networkx writes the graph's name (empty here); GEXF 1.2's <graph> has no such attribute.
    writer.graph_element.attrib.pop("name", None)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def _upper_snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).replace("-", "_").upper()


def relationship_types(predicates: set[str]) -> dict[str, str]:
    """Return a Neo4j relationship type per predicate IRI: ``memberOf`` → ``MEMBER_OF``.

    A local name that two vocabularies share keeps its prefix (``ORG_MEMBER_OF``).

    >>> relationship_types({"http://www.w3.org/ns/org#memberOf"})
    {'http://www.w3.org/ns/org#memberOf': 'MEMBER_OF'}
    """
    local = {p: curie(p).rpartition(":")[2] for p in predicates}
    counts: dict[str, int] = {}
    for name in local.values():
        counts[name] = counts.get(name, 0) + 1
    return {
        p: _upper_snake(name if counts[name] == 1 else curie(p).replace(":", "_"))
        for p, name in sorted(local.items())
    }


def _neo4j_label(data: dict[str, Any]) -> str:
    kind = str(data.get("kind", ""))
    return "Resource" + (LIST_SEPARATOR + kind.rpartition(":")[2] if kind else "")


def write_neo4j(source: ExportSource, path: Path) -> Path:
    """Write ``nodes.csv`` and ``relationships.csv`` for ``neo4j-admin database import``.

    *path* is a folder. Nodes carry the label ``Resource`` plus their class's local name.
    """
    graph = source.projection()
    path.mkdir(parents=True, exist_ok=True)
    with (path / "nodes.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(NEO4J_NODE_HEADER)
        for node in sorted(graph):
            data = graph.nodes[node]
            attrs = _node_scalars(data, source.lang)
            attrs["name"] = attrs["label"]
            writer.writerow(
                [node, _neo4j_label(data)]
                + [attrs.get(h.partition(":")[0], "") for h in NEO4J_NODE_HEADER[2:]]
            )
    types = relationship_types({d["iri"] for _, _, d in graph.edges(data=True)})
    with (path / "relationships.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(NEO4J_RELATIONSHIP_HEADER)
        for u, v, _key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
            edge = _edge_scalars(data, source.lang)
            writer.writerow(
                [u, v, types[data["iri"]]]
                + [edge[h.partition(":")[0]] for h in NEO4J_RELATIONSHIP_HEADER[3:]]
            )
    return path


def write_cytoscape(source: ExportSource, path: Path) -> Path:
    """Write the source's view as Cytoscape.js JSON: ``{"elements": {"nodes", "edges"}}``."""
    graph = source.projection()
    nodes = []
    for node in sorted(graph):
        data = {k: v for k, v in graph.nodes[node].items() if k not in {"facts", "cls"}}
        nodes.append({"data": {**data, "id": node, "label": data.get(f"label_{source.lang}", "")}})
    edges = []
    for u, v, key, data in sorted(graph.edges(keys=True, data=True), key=lambda e: e[:3]):
        edges.append(
            {
                "data": {
                    "id": f"{u} {key} {v}",
                    "source": u,
                    "target": v,
                    **{k: data[k] for k in (*_EDGE_TEXT, "sources")},
                    "label": data[f"label_{source.lang}"],
                }
            }
        )
    document = {
        "format_version": "1.0",
        "generated_by": "miikg",
        "data": {"name": f"miikg ({VIEWS[source.view]['en'].lower()})"},
        "elements": {"nodes": nodes, "edges": edges},
    }
    text = json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path
