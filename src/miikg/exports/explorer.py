"""The explorer: one self-contained HTML page of a projection, built with pyvis.

pyvis assembles the vis-network nodes and edges; the page is our own template with the
vis-network script and style that pyvis ships inlined, so it needs no network at all (a
Content-Security-Policy forbids every fetch besides). Positions are computed in Python
(:mod:`miikg.exports.layout`) and physics is off, so even large views show at once: up
to :data:`~miikg.exports.layout.LAYERED_MAX` nodes, Graphviz ``dot`` lays the view out
in layers with boxes sized to each label (one layout per language), so no two boxes
overlap at any zoom; above that, a force layout of dots. Relations are told apart by
Okabe and Ito's colour-blind-safe colours and line styles.
Labels travel as JSON in a ``<script type="application/json">`` block and reach the page
through ``textContent`` only, so a hostile label stays text.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from miikg.exports.diagrams import FONTS, RELATION_STYLES, wrap
from miikg.exports.layout import LAYERED_MAX, force_layout, label_layout
from miikg.exports.network import FACETS, VIEWS

__all__ = ["GROUP_ABOVE", "ExplorerFrame", "explorer_frame", "explorer_html", "write_explorer"]

#: Above this many nodes the page opens with the nodes grouped by kind (one node per
#: kind; a click opens a group). 5,000 nodes still draw at about 12 frames/s here.
GROUP_ABOVE = 5000
#: Node fills: Paul Tol's "light" and "pale" schemes, dark text legible on each.
PALETTE = (
    "#77AADD", "#EE8866", "#EEDD88", "#FFAABB", "#99DDFF", "#44BB99", "#BBCC33", "#DDDDDD",
    "#AAAA00", "#BBCCEE", "#CCEEFF", "#CCDDAA", "#EEEEBB", "#FFCCCC", "#AADDCC",
)  # fmt: skip
#: Label size in CSS pixels at zoom 1; the first view never zooms below MIN_LABEL_PX.
FONT_PX = 14
MIN_LABEL_PX = 10.5
#: What vis-network 9 adds around a box's label in the bounds ``getBoundingBox`` reports
#: (margins, border and corner), measured in Chromium: a label is given its Graphviz box
#: less this, so the drawn bounds never pass the box. Widths also keep 22 px spare, as
#: vis-network wraps a line that comes closer than that to its width limit.
BOX_EXTRA_W = 22
BOX_EXTRA_H = 18
#: Around a group's nodes (the network view's departments): the frame's padding and the
#: height of its title, in CSS pixels at zoom 1; Graphviz leaves at least this much room.
FRAME_PAD = 8
FRAME_TITLE = 22
#: Dash patterns of vis-network per line style.
DASHES: dict[str, Any] = {"solid": False, "dashed": [8, 5], "dotted": [2, 4]}

UI = {
    "en": {
        "language": "Language",
        "search": "Search (English or Chinese, former names too)",
        "export": "Export PNG",
        "count": "{n} of {total} nodes shown",
        "group": "Group by kind",
        "layout": "Layout",
        "exportTitle": "{title} ({date})",
        "hierarchical": "hierarchical",
        "force": "force-directed",
        "kinds": "Kinds of entity",
        "edgeKinds": "Kinds of relation",
        "facets": "Filters",
        "stage": "Innovation-chain stage (MRL range)",
        "instrument": "Contract instrument",
        "phase": "Development phase",
        "source": "Source",
        "sourceAll": "All sources",
        "sourcePaper": "The paper",
        "sourceOther": "Other sources",
        "all": "All",
        "close": "Close",
        "facts": "Facts",
        "sources": "Sources",
        "noFacts": "No facts recorded.",
    },
    "zh": {
        "language": "语言",
        "search": "搜索（中文或英文，含曾用名）",
        "export": "导出 PNG",
        "count": "显示 {n} / {total} 个节点",
        "group": "按类别分组",
        "layout": "布局",
        "exportTitle": "{title}（{date}）",
        "hierarchical": "层次布局",
        "force": "力导向布局",
        "kinds": "实体类别",
        "edgeKinds": "关系类别",
        "facets": "筛选",
        "stage": "创新链阶段（制造成熟度范围）",
        "instrument": "合同类型",
        "phase": "发展阶段",
        "source": "来源",
        "sourceAll": "全部来源",
        "sourcePaper": "论文",
        "sourceOther": "其他来源",
        "all": "全部",
        "close": "关闭",
        "facts": "事实",
        "sources": "来源",
        "noFacts": "暂无记录的事实。",
    },
}
_TITLE = {"en": "miikg explorer: {view}", "zh": "miikg 图谱浏览器：{view}"}


@cache
def _asset(name: str) -> str:
    return (
        resources.files("miikg.exports")
        .joinpath("explorer_assets")
        .joinpath(name)
        .read_text("utf-8")
    )


@cache
def _vis(name: str) -> str:
    # The vis-network build that pyvis itself ships and uses.
    return (
        resources.files("pyvis")
        .joinpath("templates/lib/vis-9.1.2")
        .joinpath(name)
        .read_text("utf-8")
    )


def _json(value: Any) -> str:
    """JSON safe inside a script element: no ``<``, ``>`` or ``&`` survives as such."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _colors(values: list[str]) -> dict[str, str]:
    return {v: PALETTE[i % len(PALETTE)] for i, v in enumerate(sorted(set(values)))}


def _box_label(text: str) -> str:
    return "\n".join(wrap(text, 26))


def _layouts(graph: nx.MultiDiGraph[str], order: list[str]) -> dict[str, Any] | None:
    """Return per-language positions and box sizes from ``dot``, or None for a big view.

    Nodes with a ``department`` (the network view) are laid out in one group per
    department, drawn as a frame with the department's name.
    """
    if graph.number_of_nodes() > LAYERED_MAX or not graph.number_of_nodes():
        return None
    found = {}
    for lang in ("en", "zh"):
        labels = {n: _box_label(_boxed(graph, n, lang)) for n in order}
        groups = {
            n: str(graph.nodes[n][f"department_{lang}"])
            for n in order
            if graph.nodes[n].get(f"department_{lang}")
        }
        positions, sizes = label_layout(
            graph, labels, font=FONTS[lang], size=FONT_PX, groups=groups or None
        )
        found[lang] = {
            "x": [round(positions[n][0], 1) for n in order],
            "y": [round(positions[n][1], 1) for n in order],
            "w": [round(sizes[n][0] - BOX_EXTRA_W, 1) for n in order],
            "h": [round(sizes[n][1] - BOX_EXTRA_H, 1) for n in order],
            "groups": _frames(groups, positions, sizes),
        }
    return found


def _boxed(graph: nx.MultiDiGraph[str], node: str, lang: str) -> str:
    """Return the text a node's box shows: its ``box_`` text where a view sets one."""
    data = graph.nodes[node]
    return str(data.get(f"box_{lang}") or data.get(f"label_{lang}", node))


def _frames(
    groups: dict[str, str],
    positions: dict[str, tuple[float, float]],
    sizes: dict[str, tuple[float, float]],
) -> list[dict[str, Any]]:
    """Return a frame per group: its title and the box around its nodes and the title."""
    frames = []
    for title in sorted(set(groups.values())):
        members = [n for n, t in groups.items() if t == title]
        left = min(positions[n][0] - sizes[n][0] / 2 for n in members) - FRAME_PAD
        right = max(positions[n][0] + sizes[n][0] / 2 for n in members) + FRAME_PAD
        top = min(positions[n][1] - sizes[n][1] / 2 for n in members) - FRAME_PAD - FRAME_TITLE
        bottom = max(positions[n][1] + sizes[n][1] / 2 for n in members) + FRAME_PAD
        frames.append(
            {
                "label": title,
                "x": round(left, 1),
                "y": round(top, 1),
                "w": round(right - left, 1),
                "h": round(bottom - top, 1),
            }
        )
    return frames


def _payload(graph: nx.MultiDiGraph[str], lang: str, group_above: int) -> dict[str, Any]:
    from pyvis.network import Network  # type: ignore[import-untyped]

    view = str(graph.graph.get("view", "governance"))
    order = sorted(graph.nodes)
    layered = _layouts(graph, order)
    positions = {} if layered else force_layout(graph)
    sources: dict[str, Any] = graph.graph.get("sources", {})
    paper = {sid for sid, s in sources.items() if getattr(s, "is_paper", False)}
    index = {n: i for i, n in enumerate(order)}
    kinds = [str(graph.nodes[n].get("kind", "")) for n in order]
    kind_color = _colors(kinds)
    counts = dict.fromkeys({str(k) for _, _, k in graph.edges(keys=True)}, 0)
    for _, _, k in graph.edges(keys=True):
        counts[str(k)] += 1
    # The commonest relations get the solid lines.
    edge_kinds = sorted(counts, key=lambda k: (-counts[k], k))
    edge_style = {k: RELATION_STYLES[i % len(RELATION_STYLES)] for i, k in enumerate(edge_kinds)}
    big = graph.number_of_nodes() > 1000

    net = Network(directed=True, cdn_resources="remote")
    meta = []
    for n in order:
        d = graph.nodes[n]
        color = kind_color[str(d.get("kind", ""))]
        label = {"en": str(d.get("label_en", n)), "zh": str(d.get("label_zh", n))}
        i = index[n]
        if layered:
            box = layered[lang]
            # ``text``: the label unwrapped, for search results and tests.
            net.add_node(i, label=_box_label(_boxed(graph, n, lang)), text=label[lang], color=color,
                         x=box["x"][i], y=box["y"][i], shape="box",
                         widthConstraint={"minimum": box["w"][i], "maximum": box["w"][i]},
                         heightConstraint={"minimum": box["h"][i], "valign": "middle"},
                         font={"face": FONTS[lang], "size": FONT_PX},
                         shapeProperties={"borderRadius": 4})  # fmt: skip
        else:
            x, y = positions.get(n, (0.0, 0.0))
            net.add_node(i, label=label[lang], text=label[lang], color=color, x=round(x, 1),
                         y=round(y, 1),
                         size=8 if big else 14)  # fmt: skip
        node_sources = list(d.get("sources", []))
        meta.append(
            {
                "id": i,
                "iri": str(d.get("iri", n)),
                "kind": str(d.get("kind", "")),
                "cls": {"en": str(d.get("class_en", "")), "zh": str(d.get("class_zh", ""))},
                "label": label,
                "box": {x: _box_label(_boxed(graph, n, x)) for x in ("en", "zh")}
                if layered
                else label,
                "names": sorted({*map(str, d.get("names", [])), *label.values()}),
                "facts": d.get("facts", []),
                "facets": {f: list(d.get(f, [])) for f in FACETS},
                "paper": any(s in paper for s in node_sources),
                "other": any(s not in paper for s in node_sources) or not node_sources,
                "color": color,
            }
        )
    edges = []
    for i, (u, v, k, d) in enumerate(sorted(graph.edges(keys=True, data=True))):
        label = {"en": str(d.get("label_en", k)), "zh": str(d.get("label_zh", k))}
        colour, dash = edge_style[str(k)]
        net.add_edge(index[u], index[v], id=i, color=colour, dashes=DASHES[dash], arrows="to")
        edge_sources = list(d.get("sources", []))
        edges.append(
            {
                "id": i,
                "from": index[u],
                "to": index[v],
                "label": label,
                "paper": any(s in paper for s in edge_sources),
                "other": any(s not in paper for s in edge_sources) or not edge_sources,
            }
        )
    vis_nodes, vis_edges, *_ = net.get_network_data()
    options = {
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False},
        "interaction": {"hideEdgesOnDrag": big, "hideEdgesOnZoom": big, "tooltipDelay": 200},
        "edges": {"smooth": False, "font": {"size": FONT_PX, "align": "middle"}, "width": 1.5},
        "nodes": {"shape": "dot", "font": {"size": 12 if big else FONT_PX}},
    }
    count_kind = {k: kinds.count(k) for k in set(kinds)}
    degree = dict(graph.degree())
    start = max(order, key=lambda n: (degree.get(n, 0), n)) if order else None
    return {
        "view": view,
        "lang": lang,
        "layout": "hierarchical" if layered else "force",
        "title": {x: _TITLE[x].format(view=VIEWS.get(view, {}).get(x, view)) for x in ("en", "zh")},
        "ui": UI,
        "layouts": layered,
        "fonts": FONTS,
        "minLabelPx": MIN_LABEL_PX,
        "start": index[start] if start is not None else None,
        "groupAbove": group_above,
        "kinds": [
            {"kind": k, "color": kind_color[k], "count": count_kind[k], **_class_names(graph, k)}
            for k in sorted(count_kind)
        ],
        "edgeKinds": [
            {
                "kind": k,
                "color": edge_style[k][0],
                "dash": edge_style[k][1],
                "count": counts[k],
                **_edge_names(graph, k),
            }
            for k in edge_kinds
        ],
        "facets": {
            f: [
                {"iri": iri, **names}
                for iri, names in graph.graph.get("facets", {}).get(f, {}).items()
            ]
            for f in FACETS
        },
        "sources": {
            sid: {"en": s.en, "zh": s.zh, "locator": s.locator, "paper": s.is_paper}
            for sid, s in sources.items()
            if hasattr(s, "en")
        },
        "nodes": meta,
        "edges": edges,
        "vis": {"nodes": vis_nodes, "edges": vis_edges, "options": options},
    }


def _class_names(graph: nx.MultiDiGraph[str], kind: str) -> dict[str, str]:
    for _, d in graph.nodes(data=True):
        if d.get("kind") == kind:
            return {"en": str(d.get("class_en") or kind), "zh": str(d.get("class_zh") or kind)}
    return {"en": kind, "zh": kind}


def _edge_names(graph: nx.MultiDiGraph[str], kind: str) -> dict[str, str]:
    for _, _, k, d in graph.edges(keys=True, data=True):
        if k == kind:
            return {"en": str(d.get("label_en") or kind), "zh": str(d.get("label_zh") or kind)}
    return {"en": kind, "zh": kind}


def explorer_html(
    graph: nx.MultiDiGraph[str], *, lang: str = "en", group_above: int = GROUP_ABOVE
) -> str:
    """Return the explorer page of *graph* (a projection) as one self-contained HTML text.

    :param group_above: open with the nodes grouped by kind when there are more than this.
    """
    payload = _payload(graph, lang, group_above)
    parts = {
        "LANG": "zh-Hans" if lang == "zh" else "en",
        "TITLE": html.escape(payload["title"][lang]),
        "VIS_CSS": _vis("vis-network.css"),
        "CSS": _asset("explorer.css"),
        "DATA": _json(payload),
        "VIS_JS": _vis("vis-network.min.js"),
        "JS": _asset("explorer.js"),
    }
    # One pass, so nothing inserted is scanned for placeholders again.
    return re.sub(r"__MIIKG_([A-Z_]+?)__", lambda m: parts[m[1]], _asset("explorer.html"))


def write_explorer(graph: nx.MultiDiGraph[str], path: Path, *, lang: str = "en") -> Path:
    """Write the explorer page of *graph* to *path*; return *path*."""
    path.write_text(explorer_html(graph, lang=lang), encoding="utf-8")
    return path


class ExplorerFrame:
    """The explorer for notebooks: an ``iframe`` with the page as ``srcdoc``.

    Jupyter, VS Code and Colab display it through ``_repr_html_``; the page loads nothing.
    """

    def __init__(self, page: str, *, height: int = 700) -> None:
        self.page = page
        self.height = height

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" '
            f'style="width:100%;height:{int(self.height)}px;border:0" '
            'sandbox="allow-scripts allow-downloads"></iframe>'
        )


def explorer_frame(
    graph: nx.MultiDiGraph[str], *, lang: str = "en", height: int = 700
) -> ExplorerFrame:
    """Return an IPython-displayable explorer of *graph*."""
    return ExplorerFrame(explorer_html(graph, lang=lang), height=height)
