"""Project the RDF graph onto NetworkX multi-digraphs, one per view.

A view is a set of relations between entities (``network-edges.rq`` says which). Every
node and edge keeps its IRI, its class or predicate, its English and Chinese labels, and
the ids of the sources whose named graphs state it, so analytics, the explorer and the
figures can say where each line comes from.

>>> sorted(VIEWS)
['agreements', 'all', 'chain', 'governance', 'membership', 'network']
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pyoxigraph as ox

from miikg.errors import MiikgError
from miikg.ontology.namespaces import ID, MIIKG, PREFIXES
from miikg.queries.run import run_named, term_text
from miikg.report import curie

__all__ = [
    "FACETS",
    "VIEWS",
    "Catalog",
    "Fact",
    "NetworkError",
    "SourceInfo",
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
SOURCE_PREFIX = ID + "source/"
#: Facets a node can be filtered by: the node attribute and the class of its values.
#: A node belongs to a value when it is that value or is linked to it in any view.
FACETS: dict[str, str] = {
    "stage": MIIKG + "InnovationStage",
    "instrument": MIIKG + "ContractInstrument",
    "phase": MIIKG + "DevelopmentPhase",
}


class NetworkError(MiikgError):
    """A view, entity or path the network commands cannot find."""


@dataclass(frozen=True)
class SourceInfo:
    """A source as the network shows it: its id, labels, locator, URL, paper or not."""

    id: str
    en: str
    zh: str
    locator: str
    url: str
    is_paper: bool


@dataclass(frozen=True)
class Fact:
    """One statement about a node: property, value (IRI or text), language, sources."""

    property: str
    value: str
    is_iri: bool
    lang: str
    sources: tuple[str, ...]


@dataclass
class Catalog:
    """What the projections need from the store, read once."""

    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    numbers: dict[str, dict[str, int]] = field(default_factory=dict)
    sources: dict[str, SourceInfo] = field(default_factory=dict)
    #: (view, subject, predicate, object) → source ids
    edges: dict[tuple[str, str, str, str], set[str]] = field(default_factory=dict)
    facts: dict[str, list[Fact]] = field(default_factory=dict)


def _source_id(iri: str) -> str:
    return iri.removeprefix(SOURCE_PREFIX)


def read_catalog(store: ox.Store) -> Catalog:
    """Read nodes, labels, sources, facts and view edges with the ``network-*`` queries."""
    catalog = Catalog()
    for row in run_named(store, "network-labels"):
        catalog.labels[row.text("thing")] = {"en": row.text("labelEn"), "zh": row.text("labelZh")}
    for row in run_named(store, "network-nodes"):
        node = row.text("node")
        # A node has one miikg class; sorted order keeps the choice stable if it had two.
        catalog.classes.setdefault(node, row.text("class"))
        for name in ("position", "level"):
            if row.text(name):
                catalog.numbers.setdefault(node, {})[name] = int(row.text(name))
    for row in run_named(store, "network-sources"):
        iri = row.text("source")
        names = catalog.labels.get(iri, {})
        locator = row.text("locator")
        catalog.sources[_source_id(iri)] = SourceInfo(
            id=_source_id(iri),
            # An imported file has no label of its own: its name says what it is.
            en=names.get("en") or f"Imported file {locator}",
            zh=names.get("zh") or f"导入的文件 {locator}",
            locator=row.text("locator"),
            url=row.text("url"),
            is_paper=row.text("paper") == "true",
        )
    for row in run_named(store, "network-edges"):
        key = (row.text("view"), row.text("subject"), row.text("predicate"), row.text("object"))
        catalog.edges.setdefault(key, set()).add(_source_id(row.text("source")))
    grouped: dict[tuple[str, str, str, bool, str], set[str]] = defaultdict(set)
    for row in run_named(store, "network-facts"):
        value = row["value"]
        lang = value.language or "" if isinstance(value, ox.Literal) else ""
        fact_key = (
            row.text("node"),
            row.text("property"),
            term_text(value),
            isinstance(value, ox.NamedNode),
            lang,
        )
        grouped[fact_key].add(_source_id(row.text("source")))
    for (node, prop, text, is_iri, lang), sids in grouped.items():
        catalog.facts.setdefault(node, []).append(
            Fact(prop, text, is_iri, lang, tuple(sorted(sids)))
        )
    return catalog


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


def _node_attrs(catalog: Catalog, iri: str) -> dict[str, Any]:
    cls = catalog.classes.get(iri, "")
    sources = sorted({s for f in catalog.facts.get(iri, []) for s in f.sources})
    return {
        "iri": iri,
        "id": iri.removeprefix(ID),
        "cls": cls,
        "kind": curie(cls) if cls else "",
        "class_en": label(catalog, cls, "en") if cls else "",
        "class_zh": label(catalog, cls, "zh") if cls else "",
        "label_en": label(catalog, iri, "en"),
        "label_zh": label(catalog, iri, "zh"),
        "names": _names(catalog, iri),
        "short": sorted(
            f.value
            for f in catalog.facts.get(iri, [])
            if f.property == PREFIXES["schema"] + "alternateName"
        ),
        "sources": sources,
        **catalog.numbers.get(iri, {}),
    }


def project(catalog: Catalog, view: str = "governance") -> nx.MultiDiGraph[str]:
    """Return the multi-digraph of *view*: one edge per (subject, predicate, object).

    Nodes are keyed by IRI; edges by the predicate's CURIE. ``all`` merges every view.

    :raises NetworkError: for an unknown view.
    """
    if view not in VIEWS:
        raise NetworkError(f"no view {view!r}; views: {', '.join(VIEWS)}")
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(view=view)
    merged: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for (edge_view, subject, predicate, obj), sources in catalog.edges.items():
        if view in ("all", edge_view):
            merged[subject, predicate, obj] |= sources
    facets = _facets(catalog)
    for subject, predicate, obj in sorted(merged):
        for node in (subject, obj):
            if node not in graph:
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
    if view == "network":
        _departments(graph)
    used = {s for _, d in graph.nodes(data=True) for s in d["sources"]}
    used |= {s for _, _, d in graph.edges(data=True) for s in d["sources"]}
    graph.graph["sources"] = {sid: catalog.sources[sid] for sid in sorted(used)}
    graph.graph["facets"] = {
        name: {
            v: {"en": label(catalog, v, "en"), "zh": label(catalog, v, "zh")}
            for v in sorted({v for _, d in graph.nodes(data=True) for v in d[name]})
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


def _facets(catalog: Catalog) -> dict[str, dict[str, set[str]]]:
    neighbours: dict[str, set[str]] = defaultdict(set)
    for _, subject, _, obj in catalog.edges:
        neighbours[subject].add(obj)
        neighbours[obj].add(subject)
    found: dict[str, dict[str, set[str]]] = {name: defaultdict(set) for name in FACETS}
    for node, cls in catalog.classes.items():
        for name, facet_class in FACETS.items():
            if cls == facet_class:
                # A stage belongs to itself only, not to the stage it precedes.
                for member in {node} | neighbours[node]:
                    if member == node or catalog.classes.get(member) != facet_class:
                        found[name][member].add(node)
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


def find_node(store: ox.Store, graph: nx.MultiDiGraph[str], text: str) -> str:
    """Return the node of *graph* named by *text*, found by :func:`miikg.resolve.resolve`.

    Only the nodes of the view count: an id, IRI, name, short or former name, acronym or
    notation in en or zh, or a close spelling.

    :raises NetworkError: when nothing, or more than one node of the view, matches.
    """
    from miikg.errors import NotFoundError
    from miikg.resolve import resolve

    view = graph.graph["view"]
    view_zh = VIEWS.get(view, {}).get("zh", view)
    try:
        return resolve(store, text, within=set(graph.nodes)).entity
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
