"""Figures for print: the paper's three figures, governance, the chain, a timeline.

Hierarchies (governance, the innovation chain, the paper's figures) are layered diagrams
laid out by Graphviz ``dot`` (:mod:`miikg.exports.diagrams`); the timeline is drawn with
matplotlib. Every figure is sized for an A4 text width (16 cm) with no label under 8 pt,
keeps its text as text in SVG and PDF, and embeds its fonts in PDF.

Chinese labels need a CJK font (Debian: ``fonts-noto-cjk``). It is found through
fontconfig, also when matplotlib's font cache predates it (:mod:`miikg.exports.fonts`).
Only when the system has none does a Chinese figure fall back to English labels, with
one warning.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from miikg.exports.diagrams import Diagram, FigureError, render
from miikg.exports.fonts import cjk_font, cjk_font_files
from miikg.exports.network import Catalog, label
from miikg.ontology.namespaces import ID, MIIKG, PREFIXES

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from miikg.queries.run import Engine

__all__ = ["FIGURES", "FORMATS", "FigureError", "FigureResult", "cjk_font", "write_figure"]

log = logging.getLogger(__name__)

FIGURES = ("paper-1", "paper-2", "paper-3", "governance", "chain", "timeline")
FORMATS = ("svg", "pdf", "png")
#: The fallback warning, logged by the library and said once, in its language, by the CLI.
FALLBACK = "no CJK font found (install fonts-noto-cjk, or any CJK font): drawing English labels"
FALLBACK_ZH = "未找到中日韩字体（请安装 fonts-noto-cjk 或任一中日韩字体）：图中使用英文标签"
#: A4 text width (16 cm) in inches: the timeline is drawn at the size it is printed.
PRINT_WIDTH_IN = 16 / 2.54

_WORDS = {
    "en": {
        "timeline": "The Manufacturing USA institutes by department: founding and renaming",
        "renamed": "renamed",
        "phases": "Development phases (DoD)",
        "year": "Year",
        "other_date": "Hollow marker: another founding date a source gives (miikg describe "
        "lists them).",
    },
    "zh": {
        "timeline": "按部门划分的“制造美国”创新所：成立与更名",
        "renamed": "更名",
        "phases": "发展阶段（国防部）",
        "year": "年份",
        "other_date": "空心标记：某一来源给出的另一成立时间（miikg describe 列出各时间）。",
    },
}
#: A colour per department, in the order departments founded their first institute
#: (Okabe and Ito's colour-blind-safe blue, orange and bluish green), and a marker each.
DEPARTMENT_STYLES = (("#0072B2", "o"), ("#E69F00", "s"), ("#009E73", "^"))
#: A Chinese name up to this long is shown; a longer one gives way to the short name.
TIMELINE_ZH_CHARS = 15


@dataclass(frozen=True)
class FigureResult:
    """A written figure: where, in which language, with which font."""

    path: Path
    lang: str
    font: str | None


def _year(value: str) -> float:
    parts = value.split("-")
    return int(parts[0]) + (int(parts[1]) - 1) / 12 if len(parts) > 1 else float(parts[0])


def _en_short(catalog: Catalog, node: str) -> str:
    short = sorted(
        (
            f.value
            for f in catalog.facts.get(node, [])
            if f.property == PREFIXES["schema"] + "alternateName"
        ),
        key=len,
    )
    return short[0] if short else label(catalog, node, "en")


def _department_of(catalog: Catalog, institute: str) -> str:
    """Return the department that sponsors *institute*: a sponsor under no other body."""
    sponsors = {
        f.value for f in catalog.facts.get(institute, []) if f.property == MIIKG + "sponsor"
    }
    parent = PREFIXES["org"] + "subOrganizationOf"
    tops = {s for s in sponsors if not any(f.property == parent for f in catalog.facts.get(s, []))}
    return min(tops) if len(tops) == 1 else ""


def _earliest(dates: list[str]) -> str:
    """Return the earliest date, a month rather than a bare year where one is given."""
    precise = [d for d in dates if len(d) >= 7]
    return min(precise)[:7] if precise else min(dates)


def _timeline_name(catalog: Catalog, node: str, lang: str) -> str:
    if lang == "zh":
        zh = label(catalog, node, "zh")
        return zh if len(zh) <= TIMELINE_ZH_CHARS else _en_short(catalog, node)
    return _en_short(catalog, node)


def _short_name(name: str) -> str:
    """Return a name without its gloss ("LIFT – Lightweight …", "MxD (Manufacturing …)")."""
    for mark in (" – ", " (", "（"):
        name = name.split(mark, 1)[0]
    return name


def _timeline_rows(catalog: Catalog) -> tuple[list[tuple[str, list[str]]], dict[str, list[str]]]:
    """Return the departments in order with their institutes, and each institute's dates."""
    founding = PREFIXES["schema"] + "foundingDate"
    institutes = [n for n, c in catalog.classes.items() if c == MIIKG + "Institute"]
    dates = {
        n: sorted({f.value for f in catalog.facts.get(n, []) if f.property == founding})
        for n in institutes
    }
    groups: dict[str, list[str]] = {}
    for n in institutes:
        if dates[n]:
            groups.setdefault(_department_of(catalog, n), []).append(n)
    ordered = sorted(groups.items(), key=lambda g: (min(_earliest(dates[n]) for n in g[1]), g[0]))
    return [
        (dep, sorted(members, key=lambda n: (_earliest(dates[n]), n))) for dep, members in ordered
    ], dates


def _timeline_height(catalog: Catalog) -> float:
    """Return the figure's height in inches: room for every row, heading and the notes."""
    groups, _ = _timeline_rows(catalog)
    rows = sum(len(m) for _, m in groups) + len(groups)
    return 1.65 + 0.2 * rows


def _timeline(fig: Figure, catalog: Catalog, lang: str) -> None:
    from miikg.exports.diagrams import wrap

    w = _WORDS[lang]
    groups, dates = _timeline_rows(catalog)
    height = fig.get_figheight()
    bottom, top = 1.05 / height, 1 - 0.45 / height
    ax = fig.add_axes((0.4, bottom, 0.57, top - bottom))
    total = sum(len(m) for _, m in groups) + len(groups)
    row: dict[str, int] = {}
    hollow = False  # a date another source gives is drawn, and the figure says so
    y = total
    for i, (department, members) in enumerate(groups):
        colour, marker = DEPARTMENT_STYLES[i % len(DEPARTMENT_STYLES)]
        name = label(catalog, department, lang) if department else "—"
        # The department heads its rows, left of the axes like the names.
        ax.annotate(
            name,
            (0, y),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=8.5,
            fontweight="bold",
            color=colour,
        )
        ax.axhline(y + 0.5, color="#999999", linewidth=0.5)
        y -= 1
        for n in members:
            row[n] = y
            first = _earliest(dates[n])
            for value in dates[n]:
                # A date another source gives (not the same month or year) is hollow.
                other = not (value.startswith(first) or first.startswith(value))
                hollow = hollow or other
                face = "white" if other else colour
                ax.plot(_year(value), y, marker, color=colour, markerfacecolor=face, markersize=4)
            ax.annotate(
                f"{_timeline_name(catalog, n, lang)}  {_earliest(dates[n])}",
                (0, y),
                xycoords=("axes fraction", "data"),
                xytext=(-4, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontsize=8.5,
            )
            y -= 1
    # The limits come first: a rename's label is placed by where it ends on the page.
    low = min((_year(d[0]) for d in dates.values() if d), default=2010)
    high = max((_year(d[-1]) for d in dates.values() if d), default=2025)
    ax.set_xlim(low - 0.5, high + 1.5)
    ax.set_ylim(0.4, total + 0.6)
    rename = ID + "concept/event-rename"
    for event, cls in sorted(catalog.classes.items()):
        facts = catalog.facts.get(event, [])
        if cls != MIIKG + "Event" or not any(f.value == rename for f in facts):
            continue
        when = next((f.value for f in facts if f.property == PREFIXES["dcterms"] + "date"), "")
        about = [f.value for f in facts if f.property == MIIKG + "about" and f.value in row]
        new = [f.value for f in facts if f.property == MIIKG + "newName" and f.lang == lang]
        for n in about:
            ax.plot(_year(when), row[n], "D", color="#D55E00", markersize=4)
            name = new[0] if new else ""
            # The new name without its gloss where the whole is too long for the axes
            texts = [f"{w['renamed']}: {t}" for t in dict.fromkeys((name, _short_name(name)))]
            _rename_label(ax, texts, _year(when), row[n])
    phases = sorted(
        (n for n, c in catalog.classes.items() if c == MIIKG + "DevelopmentPhase"),
        key=lambda n: catalog.numbers.get(n, {}).get("position", 0),
    )
    names = " → ".join(label(catalog, n, lang) for n in phases)
    lines = wrap(f"{w['phases']}: {names}", 96)
    if hollow:
        lines += wrap(w["other_date"], 96)
    text = "\n".join(lines)
    fig.text(0.02, 0.12 / height, text, fontsize=8.5, linespacing=1.5)
    ax.set_yticks([])
    ax.set_xlabel(w["year"], fontsize=8.5)
    ax.tick_params(labelsize=8.5)
    fig.suptitle(w["timeline"], fontsize=10)
    ax.grid(axis="x", alpha=0.3)


def _rename_label(ax: Axes, texts: Sequence[str], x: float, y: float) -> None:
    """Write a rename's label beside its marker, inside the axes.

    The first of *texts* (longest first) that fits right of the marker, else left of it:
    a label past the axes' edge would run off the printed figure.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    figure = ax.get_figure()
    assert figure is not None
    canvas = figure.canvas if isinstance(figure.canvas, FigureCanvasAgg) else None
    renderer = (canvas or FigureCanvasAgg(figure)).get_renderer()  # type: ignore[no-untyped-call, arg-type]
    box = ax.get_window_extent(renderer)
    tries = [(text, dx, ha) for dx, ha in ((5, "left"), (-5, "right")) for text in texts]
    for n, (text, dx, ha) in enumerate(tries):
        label = ax.annotate(
            text, (x, y), xytext=(dx, -1), textcoords="offset points",
            fontsize=8.5, color="#D55E00", va="center", ha=ha,
        )  # fmt: skip
        extent = label.get_window_extent(renderer)
        if (extent.x1 <= box.x1 and extent.x0 >= box.x0) or n == len(tries) - 1:
            return
        label.remove()


def _diagram(catalog: Catalog, store: Engine | None, kind: str, lang: str) -> Diagram:
    from miikg.exports import paper_figures, view_figures

    if kind == "governance":
        return view_figures.governance_diagram(catalog, lang)
    if kind == "chain":
        return view_figures.chain_diagram(catalog, lang)
    if store is None:
        raise FigureError(
            f"figure {kind!r} is drawn from the store's queries: pass store=",
            zh=f"图 {kind!r} 由存储上的查询绘制：请传入 store=",
        )
    return paper_figures.paper_diagram(store, kind, lang)


def _matplotlib(
    catalog: Catalog, draw: Callable[..., None], path: Path, fmt: str, lang: str, font: str | None
) -> None:
    from matplotlib import rc_context
    from matplotlib.figure import Figure

    families = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    # Text stays text in SVG; PDF embeds TrueType (type 42) fonts, so text stays selectable.
    with rc_context({"font.family": families, "pdf.fonttype": 42, "svg.fonttype": "none"}):
        fig = Figure(figsize=(PRINT_WIDTH_IN, _timeline_height(catalog)), dpi=200)
        draw(fig, catalog, lang)
        temp = path.with_name(f".{path.name}.tmp")
        # "tight": the figure grows or shrinks to what is drawn, so no label is cut off.
        fig.savefig(temp, format=fmt, metadata=_metadata(fmt), bbox_inches="tight", pad_inches=0.05)
        temp.replace(path)


def write_figure(
    catalog: Catalog,
    kind: str,
    path: Path,
    *,
    lang: str = "en",
    fmt: str | None = None,
    store: Engine | None = None,
) -> FigureResult:
    """Draw figure *kind* (see :data:`FIGURES`) in *lang* and write it to *path*.

    :param fmt: svg, pdf or png; default: from the file's suffix.
    :param store: the build's store, which the paper's figures query.
    :raises FigureError: for an unknown figure or format, or when ``dot`` is missing.
    """
    if kind not in FIGURES:
        raise FigureError(
            f"no figure {kind!r}; figures: {', '.join(FIGURES)}",
            zh=f"没有图 {kind!r}；可选：{'、'.join(FIGURES)}",
        )
    fmt = fmt or path.suffix.lstrip(".") or "png"
    if fmt not in FORMATS:
        raise FigureError(
            f"no format {fmt!r}; formats: {', '.join(FORMATS)}",
            zh=f"没有格式 {fmt!r}；可选：{'、'.join(FORMATS)}",
        )
    font = None
    if lang == "zh":
        # dot finds fonts through fontconfig, matplotlib through its font manager.
        font = cjk_font() if kind == "timeline" else ("Noto Sans CJK SC" if _has_cjk() else None)
        if font is None:
            log.warning(FALLBACK, extra={"zh": FALLBACK_ZH})
            lang = "en"
    if kind == "timeline":
        _matplotlib(catalog, _timeline, path, fmt, lang, font)
    else:
        render(_diagram(catalog, store, kind, lang), path, fmt)
    return FigureResult(path, lang, font)


def _has_cjk() -> bool:
    return cjk_font() is not None and bool(cjk_font_files())


def _metadata(fmt: str) -> dict[str, Any] | None:
    # Fixed metadata keeps SVG and PDF output byte-stable from run to run.
    if fmt == "svg":
        return {"Date": None}
    if fmt == "pdf":
        return {"CreationDate": None}
    return None
