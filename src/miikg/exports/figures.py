"""Figures for print with matplotlib: the governance network, the innovation chain, a timeline.

Chinese labels need a CJK font (Debian: ``fonts-noto-cjk``); it is found through
matplotlib's font manager. Without one, a Chinese figure falls back to English labels
and a warning is logged, rather than printing boxes.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from miikg.exports.network import Catalog, label, project
from miikg.ontology.namespaces import ID, MIIKG, PREFIXES

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure

__all__ = ["FIGURES", "FORMATS", "FigureResult", "cjk_font", "write_figure"]

log = logging.getLogger(__name__)

FIGURES = ("governance", "chain", "timeline")
FORMATS = ("png", "svg", "pdf")
#: Preferred CJK families, best first; any family with "CJK" in its name will do.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")

_WORDS = {
    "en": {
        "governance": "Governance of the DoD manufacturing innovation institutes",
        "chain": "The innovation chain and its MRL ranges",
        "timeline": "The nine DoD institutes: founding, renames and development phases",
        "mrl": "Manufacturing readiness level (MRL)",
        "performers": "performers",
        "funders": "funders",
        "founded": "founded",
        "renamed": "renamed",
        "phases": "Development phases",
        "year": "year",
    },
    "zh": {
        "governance": "美国国防部制造创新所的治理结构",
        "chain": "创新链及各阶段的制造成熟度范围",
        "timeline": "九个国防部制造创新所：成立、更名与发展阶段",
        "mrl": "制造成熟度等级（MRL）",
        "performers": "执行主体",
        "funders": "资助者",
        "founded": "成立",
        "renamed": "更名",
        "phases": "发展阶段",
        "year": "年份",
    },
}


def cjk_font() -> str | None:
    """Return the family name of an installed CJK font that matplotlib can use, if any."""
    from matplotlib import font_manager

    names = sorted({f.name for f in font_manager.fontManager.ttflist})
    for family in CJK_FAMILIES:
        if family in names:
            return family
    return next((n for n in names if "CJK" in n and "Mono" not in n), None)


@dataclass(frozen=True)
class FigureResult:
    """A written figure: where, in which language, with which font."""

    path: Path
    lang: str
    font: str | None


def _short(graph: nx.MultiDiGraph[str], node: str, lang: str) -> str:
    d = graph.nodes[node]
    if lang == "en" and d.get("short"):
        return str(min(d["short"], key=len))
    return str(d.get(f"label_{lang}") or node)


def _governance(fig: Figure, catalog: Catalog, lang: str) -> None:
    import networkx as nx

    graph = project(catalog, "governance")
    simple = nx.Graph(graph.to_undirected(as_view=True))
    # Looser than the explorer's layout: print has no zoom.
    positions = nx.spring_layout(simple, seed=0, k=2.5 / max(len(simple), 1) ** 0.5, iterations=200)
    kinds = sorted({str(d.get("kind")) for _, d in graph.nodes(data=True)})
    from matplotlib import colormaps

    cmap = colormaps["tab10"]
    ax = fig.add_subplot()
    ax.set_axis_off()
    nx.draw_networkx_edges(nx.DiGraph(graph), positions, ax=ax, edge_color="#999999", width=0.6,
                           arrowsize=6, node_size=120)  # fmt: skip
    for i, kind in enumerate(kinds):
        members = [v for v, d in graph.nodes(data=True) if d.get("kind") == kind]
        name = graph.nodes[members[0]].get(f"class_{lang}", kind)
        nx.draw_networkx_nodes(graph, positions, nodelist=members, ax=ax, node_size=120,
                               node_color=[cmap(i % 10)], label=name)  # fmt: skip
    for v, (x, y) in positions.items():
        ax.annotate(_short(graph, v, lang), (x, y), fontsize=6, ha="center", va="bottom",
                    xytext=(0, 5), textcoords="offset points")  # fmt: skip
    ax.legend(fontsize=7, loc="lower left", frameon=False)
    ax.set_title(_WORDS[lang]["governance"])


def _chain(fig: Figure, catalog: Catalog, lang: str) -> None:
    graph = project(catalog, "chain")
    w = _WORDS[lang]
    stages = sorted(
        (v for v, d in graph.nodes(data=True) if d.get("kind") == "miikg:InnovationStage"),
        key=lambda v: graph.nodes[v].get("position", 0),
    )
    ax = fig.add_subplot()
    for row, stage in enumerate(stages):
        ends: dict[str, int] = {}
        linked: dict[str, list[str]] = defaultdict(list)
        for _, obj, key in graph.out_edges(stage, keys=True):
            if key in ("miikg:minMRL", "miikg:maxMRL"):
                ends[key] = int(graph.nodes[obj]["level"])
            elif key in ("miikg:performer", "miikg:funder"):
                linked[key].append(_short(graph, obj, lang))
        low, high = ends.get("miikg:minMRL", 1), ends.get("miikg:maxMRL", 10)
        y = len(stages) - row
        ax.barh(y, high - low + 1, left=low - 0.5, height=0.5, color=f"C{row}", alpha=0.75)
        name = f"{graph.nodes[stage][f'label_{lang}']}  (MRL {low}–{high})"
        # Late stages have their name on the left of the bar, so it stays inside the axes.
        left = low > 6
        ax.text(low - 0.6 if left else low - 0.4, y, name, va="center", fontsize=8,
                fontweight="bold", ha="right" if left else "left")  # fmt: skip
        detail = f"{w['performers']}: {', '.join(sorted(linked['miikg:performer']))}\n"
        detail += f"{w['funders']}: {', '.join(sorted(linked['miikg:funder']))}"
        ax.text(0.6, y - 0.42, detail, va="center", fontsize=6, color="#333333")
    ax.set_xlim(0.5, 10.5)
    ax.set_ylim(0.2, len(stages) + 0.6)
    ax.set_xticks(range(1, 11))
    ax.set_yticks([])
    ax.set_xlabel(w["mrl"])
    ax.set_title(w["chain"])
    ax.grid(axis="x", alpha=0.3)


def _year(value: str) -> float:
    parts = value.split("-")
    return int(parts[0]) + (int(parts[1]) - 1) / 12 if len(parts) > 1 else float(parts[0])


def _timeline(fig: Figure, catalog: Catalog, lang: str) -> None:
    w = _WORDS[lang]
    founding = PREFIXES["schema"] + "foundingDate"
    institutes = [n for n, c in catalog.classes.items() if c == MIIKG + "Institute"]
    dates = {
        n: sorted({f.value for f in catalog.facts.get(n, []) if f.property == founding})
        for n in institutes
    }
    institutes = sorted((n for n in institutes if dates[n]), key=lambda n: (dates[n][0], n))
    ax = fig.add_subplot()
    row = {n: len(institutes) - i for i, n in enumerate(institutes)}
    for n in institutes:
        for value in dates[n]:
            ax.plot(_year(value), row[n], "o", color="C0")
        ax.text(_year(dates[n][0]) - 0.15, row[n], label(catalog, n, lang) if lang == "zh" else
                _en_short(catalog, n), ha="right", va="center", fontsize=7)  # fmt: skip
    rename = ID + "concept/event-rename"
    for event, cls in sorted(catalog.classes.items()):
        facts = catalog.facts.get(event, [])
        if cls != MIIKG + "Event" or not any(f.value == rename for f in facts):
            continue
        when = next((f.value for f in facts if f.property == PREFIXES["dcterms"] + "date"), "")
        about = [f.value for f in facts if f.property == MIIKG + "about" and f.value in row]
        new = [f.value for f in facts if f.property == MIIKG + "newName" and f.lang == lang]
        for n in about:
            ax.plot(_year(when), row[n], "D", color="C3")
            text = f"{w['renamed']}: {new[0] if new else ''}"
            ax.annotate(text, (_year(when), row[n]), xytext=(4, 4), textcoords="offset points",
                        fontsize=6, color="C3")  # fmt: skip
    phases = sorted(
        (n for n, c in catalog.classes.items() if c == MIIKG + "DevelopmentPhase"),
        key=lambda n: catalog.numbers.get(n, {}).get("position", 0),
    )
    timing = MIIKG + "timing"
    lines = []
    for n in phases:
        text = next((f.value for f in catalog.facts.get(n, []) if f.property == timing
                     and f.lang == lang), "")  # fmt: skip
        lines.append(label(catalog, n, lang) + (f": {text}" if text else ""))
    fig.text(0.02, 0.02, f"{w['phases']}: " + " → ".join(lines), fontsize=6, wrap=True)
    ax.set_yticks([])
    ax.set_xlabel(w["year"])
    ax.set_title(w["timeline"])
    ax.grid(axis="x", alpha=0.3)
    low = min(_year(d[0]) for d in dates.values() if d) if institutes else 2010
    ax.set_xlim(low - 4, 2025)
    ax.set_ylim(0.3, len(institutes) + 0.7)
    fig.subplots_adjust(bottom=0.18)


def _en_short(catalog: Catalog, node: str) -> str:
    short = sorted(
        (f.value for f in catalog.facts.get(node, [])
         if f.property == PREFIXES["schema"] + "alternateName"),
        key=len,
    )  # fmt: skip
    return short[0] if short else label(catalog, node, "en")


_DRAW: dict[str, Any] = {"governance": _governance, "chain": _chain, "timeline": _timeline}


def write_figure(
    catalog: Catalog, kind: str, path: Path, *, lang: str = "en", fmt: str | None = None
) -> FigureResult:
    """Draw figure *kind* (governance, chain, timeline) in *lang* and write it to *path*.

    :param fmt: png, svg or pdf; default: from the file's suffix.
    """
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    from miikg.exports.network import NetworkError

    if kind not in _DRAW:
        raise NetworkError(f"no figure {kind!r}; figures: {', '.join(FIGURES)}")
    fmt = fmt or path.suffix.lstrip(".") or "png"
    if fmt not in FORMATS:
        raise NetworkError(f"no format {fmt!r}; formats: {', '.join(FORMATS)}")
    font = cjk_font() if lang == "zh" else None
    if lang == "zh" and font is None:
        log.warning("no CJK font found (install fonts-noto-cjk): drawing English labels")
        lang = "en"
    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    with rc_context({"font.family": families, "pdf.fonttype": 42}):
        fig = Figure(figsize=(11, 7.5), dpi=150)
        _DRAW[kind](fig, catalog, lang)
        fig.savefig(path, format=fmt, metadata=_metadata(fmt))
    return FigureResult(path, lang, font)


def _metadata(fmt: str) -> dict[str, Any] | None:
    # Fixed metadata keeps SVG and PDF output byte-stable from run to run.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return None
