"""Project the RDF graph onto NetworkX multi-digraphs, one per view.

A view is a set of relations between entities (its query, ``network-<view>.rq``, says
which; :mod:`miikg.exports.catalog` reads them, and the nodes they touch). Every
node and edge keeps its IRI, its class or predicate, its English and Chinese labels, and
the ids of the sources whose named graphs state it, so analytics, the explorer and the
figures can say where each line comes from.

>>> sorted(VIEWS)
['agreements', 'all', 'chain', 'governance', 'membership', 'network']
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable
from typing import TYPE_CHECKING, Any

import networkx as nx

from miikg.errors import MiikgError
from miikg.exports.catalog import (
    Catalog,
    Edges,
    Fact,
    SourceInfo,
    merge_edges,
    read_catalog,
)
from miikg.ontology.namespaces import ID, MIIKG, PREFIXES
from miikg.queries.run import Engine
from miikg.report import curie

if TYPE_CHECKING:
    from miikg.resolve import NameLookup

__all__ = [
    "FACETS",
    "VIEWS",
    "Catalog",
    "Fact",
    "NetworkError",
    "SourceInfo",
    "ViewNodes",
    "describe_nodes",
    "edges_around",
    "edges_between",
    "find_node",
    "label",
    "project",
    "read_catalog",
    "undirected_simple",
]

#: The views and their names in each language; ``all`` is the union of the others.
VIEWS: dict[str, dict[str, str]] = {
    "governance": {"en": "Governance", "zh": "治理结构"},
    "agreements": {"en": "Agreements and money", "zh": "协议与资金"},
    "chain": {"en": "Innovation chain", "zh": "创新链"},
    "membership": {"en": "Membership", "zh": "会员"},
    "network": {
        "en": "Manufacturing USA network by department",
        "zh": "按部门划分的“制造美国”网络",
    },
    "all": {"en": "All views", "zh": "全部视图"},
}
#: Facets a node can be filtered by: the node attribute and the class of its values.
#: A node belongs to a value when it is that value or is linked to it in any view.
FACETS: dict[str, str] = {
    "stage": MIIKG + "InnovationStage",
    "instrument": MIIKG + "ContractInstrument",
    "phase": MIIKG + "DevelopmentPhase",
}


class NetworkError(MiikgError):
    """A view, entity or path the network commands cannot find."""


def label(catalog: Catalog, iri: str, lang: str) -> str:
    """Return the label of *iri* in *lang*, else in the other language, else its CURIE."""
    names = catalog.labels.get(iri, {})
    other = "zh" if lang == "en" else "en"
    return names.get(lang) or names.get(other) or curie(iri)


def _names(catalog: Catalog, iri: str) -> list[str]:
    wanted = {
        PREFIXES["rdfs"] + "label",
        PREFIXES["schema"] + "alternateName",
        MIIKG + "formerName",
    }
    found = {f.value for f in catalog.facts.get(iri, []) if f.property in wanted}
    found.update(v for v in catalog.labels.get(iri, {}).values() if v)
    return sorted(found)


def _basic_attrs(catalog: Catalog, iri: str) -> dict[str, Any]:
    """The node's IRI, id, class (kind) and labels: what the analytics show."""
    cls = catalog.classes.get(iri, "")
    return {
        "iri": iri,
        "id": iri.removeprefix(ID),
        "cls": cls,
        "kind": curie(cls) if cls else "",
        "class_en": label(catalog, cls, "en") if cls else "",
        "class_zh": label(catalog, cls, "zh") if cls else "",
        "label_en": label(catalog, iri, "en"),
        "label_zh": label(catalog, iri, "zh"),
        **catalog.numbers.get(iri, {}),
    }


def describe_nodes(catalog: Catalog, graph: nx.MultiDiGraph[str], nodes: Iterable[str]) -> None:
    """Give *nodes* of a projection made without details their class and labels."""
    for node in nodes:
        graph.nodes[node].update(_basic_attrs(catalog, node))


def _node_attrs(catalog: Catalog, iri: str) -> dict[str, Any]:
    sources = sorted({s for f in catalog.facts.get(iri, []) for s in f.sources})
    return {
        **_basic_attrs(catalog, iri),
        "names": _names(catalog, iri),
        "short": sorted(
            f.value
            for f in catalog.facts.get(iri, [])
            if f.property == PREFIXES["schema"] + "alternateName"
        ),
        "sources": sources,
    }


def check_view(view: str) -> None:
    """:raises NetworkError: for an unknown view."""
    if view not in VIEWS:
        raise NetworkError(
            f"no view {view!r}; views: {', '.join(VIEWS)}",
            zh=f"没有视图 {view!r}；可选：{'、'.join(VIEWS)}",
        )


def project(
    catalog: Catalog,
    view: str = "governance",
    *,
    details: bool = True,
    edges: Edges | None = None,
) -> nx.MultiDiGraph[str]:
    """Return the multi-digraph of *view*: one edge per (subject, predicate, object).

    Nodes are keyed by IRI; edges by the predicate's CURIE. ``all`` merges every view.

    :param details: give every node its labels, class, facts, names and facets (what the
        explorer shows); without, nodes carry their IRI and id only, and the analytics
        describe the few they show (:func:`describe_nodes`).
    :param edges: draw these edges of the view (read around some nodes: see
        :func:`edges_between`, :func:`edges_around`) instead of reading it whole.
    :raises NetworkError: for an unknown view.
    """
    check_view(view)
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(view=view)
    merged = catalog.edges(view) if edges is None else edges
    nodes = {n for s, _, o in merged for n in (s, o)}
    facets = _facets(catalog, nodes) if details else {}
    for subject, predicate, obj in sorted(merged):
        for node in (subject, obj):
            if node in graph:
                continue
            if not details:
                graph.add_node(node, iri=node, id=node.removeprefix(ID))
                continue
            graph.add_node(
                node,
                **_node_attrs(catalog, node),
                facts=_facts(catalog, node),
                **{name: sorted(values.get(node, ())) for name, values in facets.items()},
            )
        graph.add_edge(
            subject,
            obj,
            key=curie(predicate),
            iri=predicate,
            kind=curie(predicate),
            label_en=label(catalog, predicate, "en"),
            label_zh=label(catalog, predicate, "zh"),
            sources=sorted(merged[subject, predicate, obj]),
        )
    if view == "network" and details:
        _departments(graph)
    used = {s for _, d in graph.nodes(data=True) for s in d.get("sources", ())}
    used |= {s for _, _, d in graph.edges(data=True) for s in d["sources"]}
    graph.graph["sources"] = {sid: catalog.sources[sid] for sid in sorted(used)}
    graph.graph["facets"] = {
        name: {
            v: {"en": label(catalog, v, "en"), "zh": label(catalog, v, "zh")}
            for v in sorted({v for _, d in graph.nodes(data=True) for v in d.get(name, ())})
        }
        for name in FACETS
    }
    return graph


#: A Chinese name up to this long stands in a box of the network view; a longer one gives
#: way to the short name (AMO, NIST).
BOX_ZH_CHARS = 10


def _departments(graph: nx.MultiDiGraph[str]) -> None:
    """Give each node of the network view the department it belongs to, if one.

    A department sponsors an institute and sits under no other body; an office belongs
    to the department above it, an institute to its sponsors' department, a network to
    the department of all its members (Manufacturing USA, spanning three, to none).
    """
    parent = {u: v for u, v, k in graph.edges(keys=True) if k == "org:subOrganizationOf"}

    def top(node: str) -> str:
        seen = {node}
        while node in parent and parent[node] not in seen:
            node = parent[node]
            seen.add(node)
        return node

    sponsors = {v for _, v, k in graph.edges(keys=True) if k == "miikg:sponsor"}
    departments = {top(v) for v in sponsors if top(v) in sponsors}

    def of(nodes: set[str]) -> set[str]:
        return {top(v) for v in nodes} & departments

    found: dict[str, set[str]] = {}
    for node, data in graph.nodes(data=True):
        kind = data.get("kind")
        out = {(v, k) for _, v, k in graph.out_edges(node, keys=True)}
        if kind == "miikg:Institute":
            found[node] = of({v for v, k in out if k == "miikg:sponsor"})
        elif kind == "miikg:Network":
            members = [u for u, _, k in graph.in_edges(node, keys=True) if k == "org:memberOf"]
            runs = of({v for v, k in out if k == "miikg:runBy"})
            found[node] = set().union(*(of(_sponsors(graph, m)) for m in members)) or runs
        else:
            found[node] = of({node})
    for node, deps in found.items():
        department = next(iter(deps)) if len(deps) == 1 else ""
        data = graph.nodes[node]
        # 35 bodies and institutes fit one screen by their short names (DoD, AMO, NIIMBL);
        # the full names stay in the panel and the search.
        # A body with a short Chinese name shows it in Chinese (美国国防部, not DoD).
        short = min(data.get("short") or [""], key=len)
        data["box_en"] = short or data["label_en"]
        zh = str(data["label_zh"])
        fits = len(zh) <= BOX_ZH_CHARS and data.get("kind") != "miikg:Institute"
        data["box_zh"] = zh if fits or not short else short
        graph.nodes[node]["department"] = department
        for lang in ("en", "zh"):
            graph.nodes[node][f"department_{lang}"] = (
                str(graph.nodes[department].get(f"label_{lang}", "")) if department else ""
            )


def _sponsors(graph: nx.MultiDiGraph[str], institute: str) -> set[str]:
    return {v for _, v, k in graph.out_edges(institute, keys=True) if k == "miikg:sponsor"}


def _facets(catalog: Catalog, nodes: set[str]) -> dict[str, dict[str, set[str]]]:
    """Return, per facet, the values each of *nodes* belongs to: a value itself, and what
    any view links to it (read from the value's side: a few concepts, whatever the store
    holds)."""
    found: dict[str, dict[str, set[str]]] = {name: defaultdict(set) for name in FACETS}
    for name, facet_class in FACETS.items():
        for value in catalog.instances(facet_class):
            # A stage belongs to itself only, not to the stage it precedes.
            for member in ({value} | catalog.neighbours(value)) & nodes:
                if member == value or catalog.classes.get(member) != facet_class:
                    found[name][member].add(value)
    return found


def _facts(catalog: Catalog, iri: str) -> list[dict[str, Any]]:
    facts = []
    for fact in catalog.facts.get(iri, []):
        value = {"en": fact.value, "zh": fact.value}
        if fact.is_iri:
            value = {lang: label(catalog, fact.value, lang) for lang in ("en", "zh")}
        facts.append(
            {
                "property": {lang: label(catalog, fact.property, lang) for lang in ("en", "zh")},
                "value": value,
                "lang": fact.lang,
                "sources": list(fact.sources),
            }
        )
    return facts


def undirected_simple(graph: nx.MultiDiGraph[str]) -> nx.Graph[str]:
    """Return *graph* without direction, parallel edges or self-loops (fast for big views)."""
    simple: nx.Graph[str] = nx.Graph()
    simple.add_nodes_from(graph)
    simple.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    return simple


def find_node(
    store: Engine,
    graph: nx.MultiDiGraph[str] | ViewNodes,
    text: str,
    *,
    index: NameLookup | None = None,
) -> str:
    """Return the node of *graph* (a projection, or a view read around its nodes) named by
    *text*, found by :func:`miikg.resolve.resolve`.

    Only the nodes of the view count: an id, IRI, name, short or former name, acronym or
    notation in en or zh, or a close spelling.

    :raises NetworkError: when nothing, or more than one node of the view, matches.
    """
    from miikg.errors import NotFoundError
    from miikg.resolve import resolve

    within: Container[str]
    if isinstance(graph, ViewNodes):
        view, within = graph.view, graph
    else:
        view, within = graph.graph["view"], set(graph.nodes)
    view_zh = VIEWS.get(view, {}).get("zh", view)
    try:
        return resolve(store, text, within=within, index=index).entity
    except NotFoundError as exc:
        listed = [curie(c) for c in exc.candidates]
        if exc.ambiguous:
            raise NetworkError(
                f"{text!r} matches {', '.join(listed)} in the {view} view",
                zh=f"“{text}”在{view_zh}视图中对应多个节点：{'、'.join(listed)}",
            ) from None
        hint = f"; did you mean: {', '.join(listed)}?" if listed else ""
        hint_zh = f"；您是否要找：{'、'.join(listed)}？" if listed else ""
        raise NetworkError(
            f"{text!r} matches no node in the {view} view{hint}",
            zh=f"“{text}”在{view_zh}视图中没有对应的节点{hint_zh}",
        ) from None


# --- a view read around some of its nodes ---------------------------------------------------

#: Read around at most this many nodes, else read the view whole: a node read from its
#: side costs about 2 ms at a million triples, the whole view a second (measured with
#: ``bench/interactive.py``; a hub's neighbourhood is a large part of the view anyway).
NEAR_LIMIT = 500


class ViewNodes(Container[str]):
    """The nodes of a view, asked one at a time: a node is in the view when the view has
    an edge at it (read from the node's side)."""

    def __init__(self, catalog: Catalog, view: str) -> None:
        check_view(view)
        self.catalog = catalog
        self.view = view

    def __contains__(self, node: object) -> bool:
        return isinstance(node, str) and bool(self.catalog.edges_near(node, self.view))


def edges_between(
    catalog: Catalog, view: str, start: str, end: str, *, limit: int = NEAR_LIMIT
) -> Edges | None:
    """Return edges of *view* that hold every shortest path between *start* and *end*
    (direction ignored), read around the nodes a two-sided breadth-first search reaches.

    Each side expands one whole level at a time (the smaller frontier first) until the two
    meet: every edge of a shortest path then touches a node one side expanded, so the
    paths in these edges are the paths in the whole view. No path: one side's component,
    whole. Returns None, before reading it, when a level would take the nodes expanded
    past *limit* (read the view whole instead).
    """
    edges: Edges = {}
    seen: tuple[set[str], set[str]] = ({start}, {end})
    frontiers: list[set[str]] = [{start}, {end}]
    expanded = 0
    while frontiers[0] and frontiers[1] and not seen[0] & seen[1]:
        side = 0 if len(frontiers[0]) <= len(frontiers[1]) else 1
        expanded += len(frontiers[side])
        if expanded > limit:
            return None
        reached: set[str] = set()
        for node in sorted(frontiers[side]):
            near = catalog.edges_near(node, view)
            merge_edges(edges, near)
            reached |= {n for s, _, o in near for n in (s, o)} - seen[side]
        seen[side].update(reached)
        frontiers[side] = reached
    for node in (start, end):  # both in the graph, even with no path between them
        merge_edges(edges, catalog.edges_near(node, view))
    return edges


def edges_around(
    catalog: Catalog, view: str, center: str, depth: int, *, limit: int = NEAR_LIMIT
) -> Edges | None:
    """Return the edges of *view* among the nodes within *depth* hops of *center*
    (direction ignored), read around those nodes; None, before reading it, when a ring
    would take the nodes read past *limit*.

    Nodes nearer than *depth* are read on both sides; the outermost ring only as
    subjects, for the edges among its nodes (every such edge has a subject in the ring).
    """
    edges: Edges = {}
    within = {center}
    frontier = {center}
    read = 0
    for _ in range(depth):
        read += len(frontier)
        if read > limit:
            return None
        reached: set[str] = set()
        for node in sorted(frontier):
            near = catalog.edges_near(node, view)
            merge_edges(edges, near)
            reached |= {n for s, _, o in near for n in (s, o)} - within
        within |= reached
        frontier = reached
    if read + len(frontier) > limit:
        return None
    for node in sorted(frontier):
        outgoing = catalog.edges_near(node, view, sides=("subject",))
        merge_edges(edges, {e: s for e, s in outgoing.items() if e[2] in within})
    return edges
