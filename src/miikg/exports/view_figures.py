"""The governance and innovation-chain figures as layered diagrams, from the projections.

Every box and arrow is a node or edge of the view (``network-<view>.rq``); nothing is
added. What is decided here is only how to draw: which relations point up the layers,
which boxes share a frame, and which arrows every member of a frame has in common (drawn
once, from the frame).
"""

from __future__ import annotations

from collections import Counter, defaultdict

import networkx as nx

from miikg.exports.diagrams import Arrow, Box, Diagram
from miikg.exports.network import Catalog, project

__all__ = ["chain_diagram", "governance_diagram", "short_label"]

#: Relations whose object is drawn in a layer above their subject (it governs it).
UPWARD = frozenset(
    {
        "org:memberOf",
        "org:subOrganizationOf",
        "dcterms:isPartOf",
        "miikg:sponsor",
        "miikg:managedBy",
        "miikg:runBy",
        "miikg:evaluatedBy",
    }
)
_WORDS = {
    "en": {
        "governance": "Governance of the DoD manufacturing innovation institutes",
        "chain": "The innovation chain: stages, MRL ranges, performers, funders and contracts",
        "legend": "Relations and kinds",
        "shared": "Arrows from the frame: every institute in it has that relation. "
        "Each institute's box names its organizer.",
        "organizer": "{name} ({organizers})",
        "mrl": "MRL {low}–{high}",
    },
    "zh": {
        "governance": "美国国防部制造创新所的治理结构",
        "chain": "创新链：各阶段、制造成熟度范围、执行者、资助者与合同类型",
        "legend": "关系与类别",
        "shared": "自框线引出的箭头：框内每个制造创新所都有该关系。"
        "各制造创新所框内括号中为其组织者。",
        "organizer": "{name}（{organizers}）",
        "mrl": "MRL {low}～{high} 级",
    },
}
LONG = 24
PART_OF = "dcterms:isPartOf"


def short_label(graph: nx.MultiDiGraph[str], node: str, lang: str) -> str:
    """Return the name to draw: the label, or in English its shortest name if the label is long.

    >>> g = nx.MultiDiGraph()
    >>> g.add_node("x", label_en="Office of Naval Research (ONR)", label_zh="海军研究办公室",
    ...            short=["ONR"])
    >>> short_label(g, "x", "en"), short_label(g, "x", "zh")
    ('ONR', '海军研究办公室')
    """
    data = graph.nodes[node]
    text = str(data.get(f"label_{lang}") or node)
    if lang == "en" and len(text) > LONG and data.get("short"):
        return str(min(data["short"], key=len))
    return text


def _relations(
    graph: nx.MultiDiGraph[str], edges: list[tuple[str, str, str]], lang: str
) -> dict[str, str]:
    counts = Counter(k for _, _, k in edges)
    names = {
        k: str(d.get(f"label_{lang}") or k) for _, _, k, d in graph.edges(keys=True, data=True)
    }
    return {k: names[k] for k in sorted(counts, key=lambda k: (-counts[k], k))}


def _kinds(graph: nx.MultiDiGraph[str], lang: str) -> dict[str, str]:
    counts = Counter(str(d.get("kind", "")) for _, d in graph.nodes(data=True))
    names = {
        str(d.get("kind", "")): str(d.get(f"class_{lang}") or d.get("kind", ""))
        for _, d in graph.nodes(data=True)
    }
    return {k: names[k] for k in sorted(counts, key=lambda k: (-counts[k], k))}


def _frame_network(graph: nx.MultiDiGraph[str]) -> str | None:
    """Return the network whose members are drawn inside a frame, if any.

    Of the networks with members, the one that is part of another (the narrower one).
    """
    members = defaultdict(set)
    for u, v, k in graph.edges(keys=True):
        if k == "org:memberOf" and graph.nodes[v].get("kind") == "miikg:Network":
            members[v].add(u)
    candidates = sorted(n for n, m in members.items() if len(m) > 1)
    narrower = [
        n
        for n in candidates
        if any(v in candidates for _, v, k in graph.out_edges(n, keys=True) if k == PART_OF)
    ]
    found = narrower or candidates
    return found[0] if found else None


def governance_diagram(catalog: Catalog, lang: str) -> Diagram:
    """Return the governance view as a layered diagram: bodies above, institutes framed."""
    graph = project(catalog, "governance")
    words = _WORDS[lang]
    edges = [(u, v, k) for u, v, k in graph.edges(keys=True) if u != v]
    frame = _frame_network(graph)
    inside = {u for u, v, k in edges if v == frame and k == "org:memberOf"} if frame else set()
    # Arrows every framed box has alike are drawn once, from the frame.
    common = {
        (v, k)
        for _, v, k in edges
        if inside and all(graph.has_edge(m, v, k) for m in inside) and v != frame
    }
    # A framed institute's organizers are named in its box, so the frame stays compact;
    # organizers with no other governance role, and who founded them, are left out.
    organizers: dict[str, list[str]] = defaultdict(list)
    for u, v, k in graph.edges(keys=True):
        if k == "miikg:organizer" and u in inside:
            organizers[u].append(short_label(graph, v, lang))
    folded = {v for u, v, k in edges if k == "miikg:organizer" and u in inside}
    only = ("miikg:organizer", "miikg:foundedBy")
    folded = {
        n
        for n in folded
        if all(k in only for _, _, k in graph.in_edges(n, keys=True))
        and all(k == "miikg:foundedBy" for _, _, k in graph.out_edges(n, keys=True))
    }
    founders = {v for u, v, k in edges if k == "miikg:foundedBy" and u in folded}
    founders = {
        n for n in founders if set(graph.predecessors(n)) | set(graph.successors(n)) <= folded
    }
    edges = [(u, v, k) for u, v, k in edges if not {u, v} & (folded | founders)]
    diagram = Diagram(
        title=words["governance"],
        lang=lang,
        legend_title=words["legend"],
        rankdir="LR",
        legend_columns=2,
    )
    diagram.relations = _relations(graph, edges, lang)
    drawn = {n for e in edges for n in e[:2]} - {frame}
    diagram.kinds = _kinds(graph.subgraph(drawn), lang)
    if frame:
        diagram.panels[frame] = short_label(graph, frame, lang)

    def order(n: str) -> tuple[str, str]:
        return str(graph.nodes[n].get("kind")), short_label(graph, n, lang)

    for node in sorted(drawn, key=order):
        text = short_label(graph, node, lang)
        if organizers.get(node):
            names = "; ".join(sorted(organizers[node]))
            text = words["organizer"].format(name=text, organizers=names)
        diagram.boxes.append(
            Box(
                node,
                text,
                str(graph.nodes[node].get("kind", "")),
                panel=frame if frame and node in inside else "",
            )
        )
    anchor = sorted(inside)[len(inside) // 2] if inside else ""
    # A body with many leaves below it has them staggered over two layers.
    degree = Counter(n for e in edges for n in e[:2])
    leaves: dict[str, list[str]] = defaultdict(list)
    for u, v, k in sorted(edges):
        top, low = (v, u) if k in UPWARD else (u, v)
        if degree[low] == 1:
            leaves[top].append(low)
    stagger = {low for lows in leaves.values() if len(lows) > 3 for low in lows[1::2]}
    for u, v, k in sorted(edges):
        if u in inside and (v == frame or (v, k) in common):
            continue
        tail, tail_panel = (anchor, frame) if u == frame else (u, "")
        head, head_panel = (anchor, frame) if v == frame else (v, "")
        diagram.arrows.append(
            Arrow(
                tail,
                head,
                k,
                diagram.relations[k],
                up=k in UPWARD,
                tail_panel=tail_panel or "",
                head_panel=head_panel or "",
                minlen=2 if {u, v} & stagger else 1,
            )
        )
    for v, k in sorted(common):
        diagram.arrows.append(
            Arrow(anchor, v, k, diagram.relations[k], up=k in UPWARD, tail_panel=frame or "")
        )
    if common:
        diagram.notes.append(words["shared"])
    return diagram


def chain_diagram(catalog: Catalog, lang: str) -> Diagram:
    """Return the innovation chain as the paper's Table 1 draws it: one frame per stage.

    Each stage's frame holds its performers (left), the stage with its MRL range, and
    what funds it and the contracts it uses (right); what two stages share is drawn in
    both frames, as the table repeats it in both columns.
    """
    graph = project(catalog, "chain")
    words = _WORDS[lang]
    stages = sorted(
        (v for v, d in graph.nodes(data=True) if d.get("kind") == "miikg:InnovationStage"),
        key=lambda v: (graph.nodes[v].get("position", 0), v),
    )
    diagram = Diagram(
        title=words["chain"],
        lang=lang,
        legend_title=words["legend"],
        rankdir="LR",
        legend_columns=2,
    )
    ends = ("miikg:minMRL", "miikg:maxMRL")
    edges = [(u, v, k) for u, v, k in graph.edges(keys=True) if k not in ends and u != v]
    diagram.relations = _relations(graph, edges, lang)
    drawn = {n for e in edges for n in e[:2]}
    diagram.kinds = _kinds(graph.subgraph(drawn), lang)
    # Right of the stage, funders come first, then funded activities, then contracts.
    column = {"miikg:funder": 1, "miikg:fundedActivity": 1, "miikg:instrument": 2}
    for stage in stages:
        mrl = {
            k: int(graph.nodes[v]["level"])
            for _, v, k in graph.out_edges(stage, keys=True)
            if k in ends
        }
        text = short_label(graph, stage, lang)
        if len(mrl) == 2:
            text += "\n" + words["mrl"].format(low=mrl["miikg:minMRL"], high=mrl["miikg:maxMRL"])
        diagram.panels[stage] = ""
        diagram.boxes.append(Box(stage, text, "miikg:InnovationStage", panel=stage, bold=True))
        linked = sorted(
            (
                (v, k)
                for _, v, k in graph.out_edges(stage, keys=True)
                if (stage, v, k) in set(edges) and v not in stages
            ),
            key=lambda e: (column.get(e[1], 0), short_label(graph, e[0], lang)),
        )
        for node, k in linked:
            box = f"{stage}|{node}"
            diagram.boxes.append(
                Box(
                    box,
                    short_label(graph, node, lang),
                    str(graph.nodes[node].get("kind", "")),
                    panel=stage,
                )
            )
            diagram.arrows.append(
                Arrow(
                    stage,
                    box,
                    k,
                    diagram.relations[k],
                    up=k == "miikg:performer",
                    minlen=column.get(k, 1),
                )
            )
    for u, v, k in sorted(edges):
        if u in stages and v in stages:
            # Drawn head first, so the chain reads from the top down.
            diagram.arrows.append(Arrow(u, v, k, diagram.relations[k], up=True))
    diagram.stack = stages
    return diagram
