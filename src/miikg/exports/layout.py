"""Node positions computed in Python, so the browser shows a settled picture at once.

Force layout (Fruchterman-Reingold, fixed seed) for small graphs; for large ones, Louvain
communities laid out one by one and packed along a spiral, which stays linear in size.
The innovation chain gets a layered (hierarchical) layout: instruments, funders, stages,
performers, funded activities and MRLs in rows, each under the stages it belongs to.
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import numpy.typing as npt

from miikg.exports.network import undirected_simple

__all__ = ["chain_layout", "force_layout", "label_layout"]

Positions = dict[str, tuple[float, float]]
SPACING = 120.0
#: Above this many nodes a single Fruchterman-Reingold run is too slow (it is quadratic).
DIRECT_MAX = 400
SEED = 0
_GOLDEN = math.pi * (3 - math.sqrt(5))


def _spring(graph: nx.Graph[str]) -> Positions:
    n = graph.number_of_nodes()
    if n == 1:
        return {next(iter(graph)): (0.0, 0.0)}
    raw = nx.spring_layout(graph, seed=SEED, k=2.0 / math.sqrt(n), iterations=60 if n < 200 else 30)
    scale = SPACING * math.sqrt(n)
    return {v: (float(p[0]) * scale, float(p[1]) * scale) for v, p in raw.items()}


def _disc(nodes: list[str]) -> Positions:
    return {
        v: (
            SPACING * 0.5 * math.sqrt(i) * math.cos(i * _GOLDEN),
            SPACING * 0.5 * math.sqrt(i) * math.sin(i * _GOLDEN),
        )
        for i, v in enumerate(nodes)
    }


def force_layout(graph: nx.MultiDiGraph[str]) -> Positions:
    """Return force-directed positions, deterministic for a given graph."""
    simple = undirected_simple(graph)
    if simple.number_of_nodes() <= DIRECT_MAX:
        return _spring(simple) if simple.number_of_nodes() else {}
    communities = sorted(
        nx.community.louvain_communities(simple, seed=SEED), key=lambda c: (-len(c), min(c))
    )
    positions: Positions = {}
    placed = np.empty((0, 3))  # x, y and radius of each disc placed
    step = 0
    for i, community in enumerate(communities):
        members = sorted(community)
        sub = simple.subgraph(members)
        local = (
            _spring(nx.Graph(sub))
            if len(members) <= DIRECT_MAX
            else _disc(sorted(members, key=lambda v: (-simple.degree(v), v)))
        )
        radius = max((math.hypot(x, y) for x, y in local.values()), default=0.0) + SPACING
        cx, cy, step = _free_spot(placed, radius, i, step)
        placed = np.vstack([placed, (cx, cy, radius)])
        positions.update({v: (cx + x, cy + y) for v, (x, y) in local.items()})
    return positions


#: Spiral steps tried at once by :func:`_free_spot`.
_STEPS = 256


def _free_spot(
    placed: npt.NDArray[np.float64], radius: float, turn: int, start: int
) -> tuple[float, float, int]:
    """Return the first point along a spiral, from step *start* on, where a disc of
    *radius* overlaps none placed, and its step.

    Each community starts where the one before it was placed (they come largest first),
    so the walk out is made once, not once per community; the steps are tried a batch at
    a time against every disc at once (numpy). Walking from the centre, one step at a
    time, took minutes for a view of a thousand small communities.
    """
    while True:
        steps = np.arange(start, start + _STEPS, dtype=np.float64)
        angle = steps * _GOLDEN + turn
        dist = SPACING * np.sqrt(steps) * 2
        xs, ys = dist * np.cos(angle), dist * np.sin(angle)
        gaps = np.hypot(xs[:, None] - placed[:, 0], ys[:, None] - placed[:, 1])
        free = np.flatnonzero((gaps >= radius + placed[:, 2]).all(axis=1))
        if free.size:
            return float(xs[free[0]]), float(ys[free[0]]), start + int(free[0])
        start += _STEPS


#: Rows of the chain layout, by the relation that links a node to a stage.
CHAIN_ROWS = {
    "miikg:instrument": 0,
    "miikg:funder": 1,
    "miikg:performer": 3,
    "miikg:fundedActivity": 4,
    "miikg:minMRL": 5,
    "miikg:maxMRL": 5,
}
STAGE_ROW = 2


def chain_layout(graph: nx.MultiDiGraph[str]) -> Positions:
    """Return layered positions: stages in order along x, what they link to in rows."""
    stages = sorted(
        (v for v, d in graph.nodes(data=True) if d.get("kind") == "miikg:InnovationStage"),
        key=lambda v: (graph.nodes[v].get("position", 0), v),
    )
    x_of = {s: i * SPACING * 4 for i, s in enumerate(stages)}
    rows: dict[int, list[tuple[float, str]]] = {}
    for v, d in graph.nodes(data=True):
        if v in x_of:
            continue
        if d.get("kind") == "miikg:ManufacturingReadinessLevel" and "level" in d:
            # MRL 1 under the first stage, MRL 10 under the last.
            span = (len(stages) - 1) * SPACING * 4
            x = (int(d["level"]) - 1) / 9 * span if stages else 0.0
            rows.setdefault(CHAIN_ROWS["miikg:minMRL"], []).append((x, v))
            continue
        linked = [(u, k) for u, _, k in graph.in_edges(v, keys=True) if u in x_of]
        row = min((CHAIN_ROWS.get(k, 6) for _, k in linked), default=6)
        x = sum(x_of[u] for u, _ in linked) / len(linked) if linked else 0.0
        rows.setdefault(row, []).append((x, v))
    positions: Positions = {s: (x, STAGE_ROW * SPACING * 1.5) for s, x in x_of.items()}
    for row, items in rows.items():
        last = -math.inf
        for i, (x, v) in enumerate(sorted(items)):
            # Neighbours in a row stay apart, and alternate up and down so labels clear.
            x = max(x, last + SPACING * 1.2)
            positions[v] = (x, row * SPACING * 1.5 + (i % 2) * SPACING * 0.35)
            last = x
    return positions


#: Views laid out in layers by Graphviz ``dot``, left to right (a screen is wider than tall).
LAYERED_MAX = 400
#: Room (points) a group's cluster keeps around its nodes, besides its title.
CLUSTER_MARGIN = 16


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def label_layout(
    graph: nx.MultiDiGraph[str],
    labels: dict[str, str],
    *,
    font: str,
    size: float,
    groups: dict[str, str] | None = None,
) -> tuple[Positions, dict[str, tuple[float, float]]]:
    """Return layered positions and box sizes for boxes showing *labels* in *font* at *size*.

    Graphviz ``dot`` sizes every box from its text with the same font the page uses
    (fontconfig and the browser find the same file), so boxes that do not overlap here do
    not overlap on screen at any zoom. Edges that point up a hierarchy (a member of, part
    of …) are laid out reversed, so governing bodies stand left of what they govern.

    :param groups: a group title for some nodes: each group is laid out as a Graphviz
        cluster, which keeps its nodes together and leaves room for the title above them.
    :raises FigureError: when ``dot`` is not installed.
    """
    import subprocess

    import graphviz  # type: ignore[import-untyped]

    from miikg.exports.diagrams import FigureError, dot_program
    from miikg.exports.view_figures import UPWARD

    order = sorted(graph)
    ids = {n: f"n{i}" for i, n in enumerate(order)}
    g = graphviz.Digraph()
    # Grouped views stack their groups down the screen: nodes sit closer in a rank there.
    nodesep = "0.1" if groups else "0.25"
    g.attr("graph", rankdir="LR", nodesep=nodesep, ranksep="0.9", newrank="true")
    # Room for what vis-network adds around a label (see explorer.BOX_EXTRA): a box here is
    # as wide as the label plus 2 x 24 pt and as tall as it plus 2 x 11 pt.
    g.attr("node", shape="box", fontname=font, fontsize=str(size), margin="0.33,0.15")
    clusters = {title: i for i, title in enumerate(sorted(set((groups or {}).values())))}
    bodies = {title: graphviz.Digraph(name=f"cluster_{i}") for title, i in clusters.items()}
    for title, body in bodies.items():
        body.attr(label=graphviz.nohtml(_escaped(title)), fontname=font, fontsize=str(size))
        body.attr(margin=str(CLUSTER_MARGIN), labeljust="l")
    for n in order:
        # nohtml: a label that looks like <…> is text, never Graphviz's HTML-like markup.
        home = bodies.get((groups or {}).get(n, ""), g)
        home.node(ids[n], label=graphviz.nohtml(_escaped(labels[n])))
    for body in bodies.values():
        g.subgraph(body)
    seen = set()
    for u, v, k in sorted(graph.edges(keys=True)):
        tail, head = (v, u) if k in UPWARD else (u, v)
        if tail != head and (tail, head) not in seen:
            seen.add((tail, head))
            g.edge(ids[tail], ids[head])
    done = subprocess.run(
        [dot_program(), "-Tplain"], input=g.source.encode("utf-8"), capture_output=True,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        detail = done.stderr.decode()[-200:]
        raise FigureError(
            f"dot failed on the explorer layout: {detail}", zh=f"dot 计算浏览器布局失败：{detail}"
        )
    back = {v: k for k, v in ids.items()}
    positions: Positions = {}
    sizes: dict[str, tuple[float, float]] = {}
    height = 0.0
    for line in done.stdout.decode("utf-8").splitlines():
        parts = line.split(" ", 6)
        if parts[0] == "graph":
            height = float(parts[3]) * 72
        elif parts[0] == "node" and parts[1] in back:
            x, y, w, h = (float(p) * 72 for p in parts[2:6])
            # Points to CSS pixels 1:1; y grows downwards on screen.
            positions[back[parts[1]]] = (x, height - y)
            sizes[back[parts[1]]] = (w, h)
    return positions, sizes
