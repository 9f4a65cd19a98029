"""The explorer: one self-contained HTML page of a projection, built with pyvis.

pyvis assembles the vis-network nodes and edges; the page is our own template with the
vis-network script and style that pyvis ships inlined, so it needs no network at all (a
Content-Security-Policy forbids every fetch besides). Positions are computed in Python
(:mod:`miikg.exports.layout`) and physics is off, so even large views show at once.
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

from miikg.exports.layout import chain_layout, force_layout
from miikg.exports.network import FACETS, VIEWS

__all__ = ["GROUP_ABOVE", "ExplorerFrame", "explorer_frame", "explorer_html", "write_explorer"]

#: Up to this many edges, edge labels are drawn; beyond, they would only clutter.
EDGE_LABELS_MAX = 300
#: Above this many nodes the page opens with the nodes grouped by kind (one node per
#: kind; a click opens a group). 5,000 nodes still draw at about 12 frames/s here.
GROUP_ABOVE = 5000
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1",
    "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79",
)  # fmt: skip

UI = {
    "en": {
        "language": "Language",
        "search": "Search (English or Chinese, former names too)",
        "export": "Export PNG",
        "count": "{n} of {total} nodes shown",
        "group": "Group by kind",
        "layout": "Layout",
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


def _payload(graph: nx.MultiDiGraph[str], lang: str, group_above: int) -> dict[str, Any]:
    from pyvis.network import Network  # type: ignore[import-untyped]

    view = str(graph.graph.get("view", "governance"))
    hierarchical = view == "chain"
    positions = chain_layout(graph) if hierarchical else force_layout(graph)
    sources: dict[str, Any] = graph.graph.get("sources", {})
    paper = {sid for sid, s in sources.items() if getattr(s, "is_paper", False)}
    order = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(order)}
    kinds = [str(graph.nodes[n].get("kind", "")) for n in order]
    kind_color = _colors(kinds)
    edge_kinds = sorted({str(k) for _, _, k in graph.edges(keys=True)})
    edge_color = _colors(edge_kinds)
    big = graph.number_of_nodes() > 1000

    net = Network(directed=True, cdn_resources="remote")
    meta = []
    for n in order:
        d = graph.nodes[n]
        x, y = positions.get(n, (0.0, 0.0))
        color = kind_color[str(d.get("kind", ""))]
        label = {"en": str(d.get("label_en", n)), "zh": str(d.get("label_zh", n))}
        net.add_node(index[n], label=label[lang], color=color, x=round(x, 1), y=round(y, 1),
                     size=8 if big else 14)  # fmt: skip
        node_sources = list(d.get("sources", []))
        meta.append(
            {
                "id": index[n],
                "iri": str(d.get("iri", n)),
                "kind": str(d.get("kind", "")),
                "cls": {"en": str(d.get("class_en", "")), "zh": str(d.get("class_zh", ""))},
                "label": label,
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
        net.add_edge(index[u], index[v], id=i, color=edge_color[str(k)], arrows="to")
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
        "edges": {"smooth": False, "font": {"size": 9, "align": "middle"}, "width": 1},
        "nodes": {"shape": "dot", "font": {"size": 12}},
    }
    count_kind = {k: kinds.count(k) for k in set(kinds)}
    count_edge = dict.fromkeys(edge_kinds, 0)
    for _, _, k in graph.edges(keys=True):
        count_edge[str(k)] += 1
    return {
        "view": view,
        "lang": lang,
        "layout": "hierarchical" if hierarchical else "force",
        "title": {x: _TITLE[x].format(view=VIEWS.get(view, {}).get(x, view)) for x in ("en", "zh")},
        "ui": UI,
        "edgeLabels": graph.number_of_edges() <= EDGE_LABELS_MAX,
        "groupAbove": group_above,
        "kinds": [
            {"kind": k, "color": kind_color[k], "count": count_kind[k], **_class_names(graph, k)}
            for k in sorted(count_kind)
        ],
        "edgeKinds": [
            {"kind": k, "color": edge_color[k], "count": count_edge[k], **_edge_names(graph, k)}
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
