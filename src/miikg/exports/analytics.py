"""Network analytics on a projection: centrality, communities, shortest paths, ego networks.

Betweenness is exact up to :data:`EXACT_BETWEENNESS_MAX` nodes; above that it is
estimated from ``k`` sampled pivots (a fixed seed keeps results repeatable), and the
result says which method it used.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import networkx as nx

from miikg.exports.network import VIEWS, NetworkError, undirected_simple

__all__ = [
    "EXACT_BETWEENNESS_MAX",
    "Centrality",
    "EgoResult",
    "Hop",
    "NetworkStats",
    "PathResult",
    "centrality_stats",
    "ego",
    "shortest_paths",
]

EXACT_BETWEENNESS_MAX = 500
SAMPLE_PIVOTS = 32
SEED = 0
#: Classes counted as "bodies" among the most central nodes.
BODY_KINDS = frozenset(
    f"miikg:{c}"
    for c in (
        "Institute",
        "GovernmentBody",
        "Office",
        "CoordinatingBody",
        "Community",
        "Organization",
        "Programme",
        "Network",
    )
)

_WORDS = {
    "en": {
        "view": "view",
        "nodes": "nodes",
        "edges": "edges",
        "components": "connected components",
        "betweenness": "betweenness",
        "exact": "exact (networkx, {n} nodes)",
        "sampled": "sampled estimate: k={k} pivots, seed {seed} (networkx; exact above "
        "{limit} nodes is too slow)",
        "communities": "communities (Louvain, seed {seed}): {n}",
        "community": "  {i}. {size} nodes: {members}",
        "central": "most central bodies (betweenness, degree):",
        "degree_top": "highest degree:",
        "path_head": "{a} → {b}: {n} shortest path(s) of {hops} hop(s) [view: {view}]",
        "path_none": "no path from {a} to {b} [view: {view}]",
        "sources": "sources",
        "ego_head": "{x}: {n} nodes within {depth} hop(s) [view: {view}]",
        "distance": "  distance {d}:",
        "more": "… and {n} more",
    },
    "zh": {
        "view": "视图",
        "nodes": "节点",
        "edges": "边",
        "components": "连通分量",
        "betweenness": "中介中心性",
        "exact": "精确计算（networkx，{n} 个节点）",
        "sampled": "抽样估计：k={k} 个枢轴节点，随机种子 {seed}（networkx；超过 {limit} "
        "个节点时精确计算太慢）",
        "communities": "社区（Louvain 算法，随机种子 {seed}）：{n} 个",
        "community": "  {i}. {size} 个节点：{members}",
        "central": "最核心的机构（中介中心性，度中心性）：",
        "degree_top": "度最高的节点：",
        "path_head": "{a} → {b}：{n} 条最短路径，每条 {hops} 步［视图：{view}］",
        "path_none": "没有从 {a} 到 {b} 的路径［视图：{view}］",
        "sources": "来源",
        "ego_head": "{x}：{depth} 步以内共 {n} 个节点［视图：{view}］",
        "distance": "  距离 {d}：",
        "more": "……另有 {n} 个",
    },
}


def _label(graph: nx.MultiDiGraph[str], node: str, lang: str) -> str:
    attrs = graph.nodes[node]
    return str(attrs.get(f"label_{lang}") or attrs.get("label_en") or node)


def _view_name(graph: nx.MultiDiGraph[str], lang: str) -> str:
    view = str(graph.graph.get("view", ""))
    return VIEWS.get(view, {}).get(lang, view)


@dataclass(frozen=True)
class Centrality:
    """One node's scores."""

    node: str
    label_en: str
    label_zh: str
    kind: str
    degree: float
    betweenness: float


@dataclass(frozen=True)
class NetworkStats:
    """Size, centrality, communities and the most central bodies of one view."""

    view: str
    view_names: dict[str, str]
    nodes: int
    edges: int
    components: int
    betweenness_method: str
    sample_size: int | None
    top: tuple[Centrality, ...]
    top_bodies: tuple[Centrality, ...]
    communities: tuple[tuple[Centrality, ...], ...]

    def text(self, lang: str = "en") -> str:
        """Return the statistics as readable lines in *lang*."""
        w = _WORDS[lang]
        method = (
            w["exact"].format(n=self.nodes)
            if self.sample_size is None
            else w["sampled"].format(k=self.sample_size, seed=SEED, limit=EXACT_BETWEENNESS_MAX)
        )
        lines = [
            f"{w['view']}: {self.view_names.get(lang, self.view)}",
            f"{w['nodes']}: {self.nodes}   {w['edges']}: {self.edges}   "
            f"{w['components']}: {self.components}",
            f"{w['betweenness']}: {method}",
            w["central"],
        ]
        for c in self.top_bodies:
            name = c.label_zh if lang == "zh" else c.label_en
            lines.append(f"  {c.betweenness:.3f}  {c.degree:.3f}  {name}")
        lines.append(w["degree_top"])
        for c in sorted(self.top, key=lambda c: (-c.degree, c.node))[:5]:
            name = c.label_zh if lang == "zh" else c.label_en
            lines.append(f"  {c.degree:.3f}  {name}")
        lines.append(w["communities"].format(seed=SEED, n=len(self.communities)))
        for i, community in enumerate(self.communities[:8], 1):
            names = [c.label_zh if lang == "zh" else c.label_en for c in community[:4]]
            if len(community) > 4:
                names.append(w["more"].format(n=len(community) - 4))
            lines.append(w["community"].format(i=i, size=len(community), members="; ".join(names)))
        return "\n".join(lines)


def centrality_stats(
    graph: nx.MultiDiGraph[str], *, top: int = 10, sample: int | None = None
) -> NetworkStats:
    """Compute degree and betweenness centrality and Louvain communities of *graph*.

    :param sample: pivots for sampled betweenness; default: exact up to
        :data:`EXACT_BETWEENNESS_MAX` nodes, else :data:`SAMPLE_PIVOTS`.
    """
    simple = undirected_simple(graph)
    n = simple.number_of_nodes()
    degree = nx.degree_centrality(simple) if n > 1 else dict.fromkeys(simple, 0.0)
    if sample is None and n > EXACT_BETWEENNESS_MAX:
        sample = SAMPLE_PIVOTS
    k = min(sample, n) if sample is not None else None
    betweenness = nx.betweenness_centrality(simple, k=k, seed=SEED if k else None)

    def score(node: str) -> Centrality:
        attrs = graph.nodes[node]
        return Centrality(
            node,
            str(attrs.get("label_en", node)),
            str(attrs.get("label_zh", node)),
            str(attrs.get("kind", "")),
            degree[node],
            betweenness[node],
        )

    ranked = sorted(simple, key=lambda v: (-betweenness[v], -degree[v], v))
    communities = nx.community.louvain_communities(simple, seed=SEED) if n else []
    grouped = sorted(
        (tuple(score(v) for v in sorted(c, key=lambda v: (-degree[v], v))) for c in communities),
        key=lambda c: (-len(c), c[0].node),
    )
    view = str(graph.graph.get("view", ""))
    return NetworkStats(
        view=view,
        view_names=VIEWS.get(view, {"en": view, "zh": view}),
        nodes=n,
        edges=graph.number_of_edges(),
        components=nx.number_connected_components(simple) if n else 0,
        betweenness_method="exact" if k is None else "sampled",
        sample_size=k,
        top=tuple(score(v) for v in ranked[:top]),
        top_bodies=tuple(score(v) for v in ranked if graph.nodes[v].get("kind") in BODY_KINDS)[
            :top
        ],
        communities=tuple(grouped),
    )


@dataclass(frozen=True)
class Hop:
    """One step of a path: every relation that links its two nodes, in either direction."""

    start: str
    end: str
    #: (subject, predicate CURIE, object, labels by language, sources)
    relations: tuple[tuple[str, str, str, dict[str, str], tuple[str, ...]], ...]


def _hop(graph: nx.MultiDiGraph[str], u: str, v: str, *, directed: bool) -> Hop:
    relations: list[tuple[str, str, str, dict[str, str], tuple[str, ...]]] = []
    pairs = [(u, v)] if directed else [(u, v), (v, u)]
    for a, b in pairs:
        found: dict[Any, dict[str, Any]] = graph.get_edge_data(a, b, default={})
        for key, attrs in sorted(found.items()):
            names = {"en": str(attrs.get("label_en", key)), "zh": str(attrs.get("label_zh", key))}
            relations.append((a, str(key), b, names, tuple(attrs.get("sources", ()))))
    return Hop(u, v, tuple(relations))


@dataclass(frozen=True)
class PathResult:
    """Every shortest path between two nodes, hop by hop."""

    graph: Any
    start: str
    end: str
    paths: tuple[tuple[Hop, ...], ...]

    def text(self, lang: str = "en") -> str:
        """Tell the paths in words: ``BioMADE —member of→ …``."""
        w = _WORDS[lang]
        g = self.graph
        a, b = _label(g, self.start, lang), _label(g, self.end, lang)
        view = _view_name(g, lang)
        if not self.paths:
            return w["path_none"].format(a=a, b=b, view=view)
        lines = [
            w["path_head"].format(a=a, b=b, n=len(self.paths), hops=len(self.paths[0]), view=view)
        ]
        for i, path in enumerate(self.paths, 1):
            chain = [_label(g, path[0].start, lang)] + [_label(g, h.end, lang) for h in path]
            lines.append(f"{i}. " + " — ".join(chain))
            for hop in path:
                for subject, _key, obj, names, sources in hop.relations:
                    lines.append(
                        f"   {_label(g, subject, lang)} —{names[lang]}→ {_label(g, obj, lang)}"
                        f"  [{w['sources']}: {', '.join(sources)}]"
                    )
        return "\n".join(lines)


def shortest_paths(
    graph: nx.MultiDiGraph[str], start: str, end: str, *, directed: bool = False
) -> PathResult:
    """Return all shortest paths from *start* to *end* (ignoring direction unless *directed*)."""
    walk = graph if directed else graph.to_undirected(as_view=True)
    try:
        found = sorted(nx.all_shortest_paths(walk, start, end))
    except nx.NetworkXNoPath:
        found = []
    except nx.NodeNotFound as exc:
        missing = start if start not in walk else end
        view = graph.graph.get("view")
        raise NetworkError(str(exc), zh=f"{missing} 不在 {view} 视图中") from None
    paths = tuple(
        tuple(_hop(graph, u, v, directed=directed) for u, v in itertools.pairwise(p)) for p in found
    )
    return PathResult(graph, start, end, paths)


@dataclass(frozen=True)
class EgoResult:
    """The neighbourhood of a node within some hops, by distance."""

    center: str
    depth: int
    graph: Any
    distances: dict[str, int]

    def text(self, lang: str = "en") -> str:
        """List the neighbours by distance, with their kinds."""
        w = _WORDS[lang]
        g = self.graph
        lines = [
            w["ego_head"].format(
                x=_label(g, self.center, lang),
                n=len(self.distances),
                depth=self.depth,
                view=_view_name(g, lang),
            )
        ]
        for d in range(1, self.depth + 1):
            ring = sorted(
                (_label(g, n, lang), n) for n, dist in self.distances.items() if dist == d
            )
            if ring:
                lines.append(w["distance"].format(d=d))
                kind = f"class_{lang}"
                lines += [f"    {name}  ({g.nodes[n].get(kind, '')})" for name, n in ring]
        return "\n".join(lines)


def ego(graph: nx.MultiDiGraph[str], center: str, *, depth: int = 1) -> EgoResult:
    """Return the ego network of *center*: every node within *depth* hops, either direction."""
    if center not in graph:
        view = graph.graph.get("view")
        raise NetworkError(f"{center} is not in the {view} view", zh=f"{center} 不在 {view} 视图中")
    undirected = graph.to_undirected(as_view=True)
    distances = nx.single_source_shortest_path_length(undirected, center, cutoff=depth)
    sub = graph.subgraph(distances).copy()
    return EgoResult(center, depth, sub, dict(distances))
