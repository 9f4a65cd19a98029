"""Layered diagrams drawn by Graphviz ``dot``: boxes, panels, relations, a legend, notes.

A figure module fills a :class:`Diagram` from the graph; :func:`render` writes its DOT
text (quoted by the ``graphviz`` package) and runs Debian's ``dot`` on it. ``dot`` keeps
text as ``<text>`` in SVG and, through cairo, embeds the font and keeps text selectable in
PDF; fonts come from fontconfig ("Noto Sans CJK SC" for Chinese, "DejaVu Sans" for
English), so matplotlib's font cache plays no part.

Relation colours are Okabe and Ito's colour-blind-safe set (yellow left out: it vanishes
on white), repeated solid, dashed and dotted, so up to 21 relation kinds stay apart.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from miikg.exports.network import NetworkError

__all__ = [
    "FONTS",
    "KIND_FILLS",
    "RELATION_STYLES",
    "Arrow",
    "Box",
    "Diagram",
    "FigureError",
    "dot_program",
    "dot_source",
    "render",
    "wrap",
]

#: The font each language's diagrams are set in (fontconfig family names).
FONTS = {"en": "DejaVu Sans", "zh": "Noto Sans CJK SC"}
#: Okabe & Ito (2008), "Color Universal Design", without yellow.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
#: (colour, dash) per relation kind, in the order kinds are given out.
RELATION_STYLES: tuple[tuple[str, str], ...] = tuple(
    (colour, dash) for dash in ("solid", "dashed", "dotted") for colour in OKABE_ITO
)
#: Box fills per kind of entity: Paul Tol's "light" scheme, dark text stays legible on each.
KIND_FILLS = (
    "#77AADD",
    "#EE8866",
    "#EEDD88",
    "#FFAABB",
    "#99DDFF",
    "#44BB99",
    "#BBCC33",
    "#DDDDDD",
    "#AAAA00",
)
BASE_PT = 10.0


class FigureError(NetworkError):
    """A figure that cannot be drawn: a missing program, an unknown figure or format."""


@dataclass(frozen=True)
class Box:
    """A labelled box; *kind* picks its fill, *panel* the titled frame it sits in."""

    id: str
    label: str
    kind: str = ""
    panel: str = ""
    bold: bool = False


@dataclass(frozen=True)
class Arrow:
    """A relation drawn from *tail* to *head*; ``up`` ranks the head above the tail."""

    tail: str
    head: str
    relation: str
    label: str = ""
    up: bool = False
    #: Draw from (or to) the frame of this panel instead of the box (``compound``).
    tail_panel: str = ""
    head_panel: str = ""
    #: Layers between tail and head: 2 staggers a fan of leaves over two layers.
    minlen: int = 1


@dataclass
class Diagram:
    """Everything one figure draws, already in its language."""

    title: str
    lang: str
    boxes: list[Box] = field(default_factory=list)
    arrows: list[Arrow] = field(default_factory=list)
    #: panel id → its title, in drawing order; a panel may sit inside another.
    panels: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)
    #: relation kind → its name, for the legend (in the order styles are given out).
    relations: dict[str, str] = field(default_factory=dict)
    #: kind → its name, for the legend of box fills.
    kinds: dict[str, str] = field(default_factory=dict)
    legend_title: str = ""
    notes: list[str] = field(default_factory=list)
    rankdir: str = "TB"
    #: Panels whose boxes are stacked in rows of this many (invisible ordering edges).
    columns: dict[str, int] = field(default_factory=dict)
    #: Relation names written on the arrows too, not only in the legend.
    edge_labels: bool = False
    #: How many legend entries stand side by side under the drawing.
    legend_columns: int = 3
    #: Invisible (upper, lower) pairs that keep one box above another.
    ordering: list[tuple[str, str]] = field(default_factory=list)
    #: Whether the legend lists the box fills (kinds) too.
    legend_kinds: bool = True
    #: Boxes kept in one layer, in this order (the stages of the innovation chain).
    stack: list[str] = field(default_factory=list)

    def style(self, relation: str) -> tuple[str, str]:
        """Return the (colour, dash) of *relation*."""
        index = list(self.relations).index(relation) if relation in self.relations else 0
        return RELATION_STYLES[index % len(RELATION_STYLES)]

    def fill(self, kind: str) -> str:
        """Return the fill colour of boxes of *kind*."""
        index = list(self.kinds).index(kind) if kind in self.kinds else len(KIND_FILLS) - 2
        return KIND_FILLS[index % len(KIND_FILLS)]


def _width(char: str) -> int:
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def wrap(text: str, width: int = 24) -> list[str]:
    """Break *text* into lines of at most *width* columns (a CJK character counts two).

    Latin words stay whole; Chinese breaks between any two characters, never before
    closing punctuation.

    >>> wrap("Office of Naval Research (ONR)", 16)
    ['Office of Naval', 'Research (ONR)']
    >>> wrap("美国国防部长办公室制造技术项目办公室", 16)
    ['美国国防部长办公', '室制造技术项目办', '公室']
    """
    tokens: list[str] = []
    for char in text:
        # A new token at each CJK character and space; Latin letters join their word.
        if not tokens or " " in (char, tokens[-1]) or 2 in (_width(char), _width(tokens[-1][-1])):
            tokens.append(char)
        else:
            tokens[-1] += char
    lines: list[str] = []
    line = ""
    for token in tokens:
        size = sum(map(_width, line + token))
        closing = token in "，。、；：）」》”’)"
        if line and size > width and token != " " and not closing:
            # An opening bracket goes down with what it opens.
            carry = line[-1] if line[-1] in "（《“‘(" else ""
            lines.append(line[: len(line) - len(carry)].rstrip())
            line = carry + token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _lines(text: str, width: int = 16) -> str:
    """Return *text* wrapped as one DOT string: lines joined by ``\\n``, backslashes kept."""
    import graphviz  # type: ignore[import-untyped]

    lines = [line for part in text.split("\n") for line in wrap(part, width)]
    # nohtml: a label that looks like <…> is text, never Graphviz's HTML-like markup.
    text = "\\n".join(line.replace("\\", "\\\\") for line in lines)
    return graphviz.nohtml(text)  # type: ignore[no-any-return]


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


LINES = {"solid": "━━━", "dashed": "╍╍╍", "dotted": "┅┅┅"}


def _caption(diagram: Diagram, columns: int) -> str:
    """Return the graph label: legend (relations, then kinds) in *columns*, notes, title."""
    cells = []
    for relation, name in {} if diagram.edge_labels else diagram.relations.items():
        colour, dash = diagram.style(relation)
        cells.append(
            f'<td align="right"><font color="{colour}" face="DejaVu Sans"><b>'
            f'{LINES[dash]}▸</b></font></td><td align="left">{_html(name)}</td>'
        )
    for kind, name in diagram.kinds.items() if diagram.legend_kinds else ():
        cells.append(
            f'<td align="right"><font color="{diagram.fill(kind)}" face="DejaVu Sans">'
            f'██</font></td><td align="left">{_html(name)}</td>'
        )
    rows = (
        [
            f'<tr><td colspan="{2 * columns}" align="left"><b>{_html(diagram.legend_title)}'
            "</b></td></tr>"
        ]
        if cells
        else []
    )
    for i in range(0, len(cells), columns):
        rows.append("<tr>" + "".join(cells[i : i + columns]) + "</tr>")
    for note in diagram.notes:
        for line in wrap(note, 88):
            rows.append(f'<tr><td colspan="{2 * columns}" align="left">{_html(line)}</td></tr>')
    # One row per title line: rows keep lines apart; <br/> spacing is tighter than a CJK line box.
    title = "".join(
        f'<tr><td colspan="{2 * columns}"><font point-size="{BASE_PT + 2}"><b>{_html(line)}'
        "</b></font></td></tr>"
        for line in wrap(diagram.title, 64)
    )
    return f'<<table border="0" cellspacing="2" cellpadding="2">{"".join(rows)}{title}</table>>'


def dot_source(diagram: Diagram) -> str:
    """Return the DOT text of *diagram* (deterministic: boxes and arrows in given order)."""
    import graphviz

    font = FONTS[diagram.lang]
    g = graphviz.Digraph(name="miikg")
    g.attr(
        "graph",
        rankdir=diagram.rankdir,
        newrank="true",
        compound="true",
        fontname=font,
        fontsize=str(BASE_PT),
        label=_caption(diagram, diagram.legend_columns),
        labelloc="b",
        labeljust="c",
        nodesep="0.12",
        ranksep="0.2",
        pad="0.05",
        margin="0",
    )
    g.attr(
        "node",
        shape="box",
        style="rounded,filled",
        fontname=font,
        fontsize=str(BASE_PT),
        margin="0.06,0.03",
        height="0.3",
        penwidth="0.8",
        color="#444444",
    )
    g.attr("edge", fontname=font, fontsize=str(BASE_PT - 1), arrowsize="0.6", penwidth="1.1")
    # DOT ids of our own: an IRI's colon would read as a node port.
    ids = {box.id: f"n{i}" for i, box in enumerate(diagram.boxes)}
    clusters = {panel: f"cluster_{i}" for i, panel in enumerate(diagram.panels)}
    by_panel: dict[str, list[Box]] = {}
    for box in diagram.boxes:
        by_panel.setdefault(box.panel, []).append(box)

    def add_boxes(graph: graphviz.Digraph, panel: str) -> None:
        for box in by_panel.get(panel, []):
            graph.node(
                ids[box.id],
                label=_lines(box.label),
                fillcolor=diagram.fill(box.kind),
                penwidth="1.6" if box.bold else "0.8",
            )
        per_row = diagram.columns.get(panel)
        members = by_panel.get(panel, [])
        if panel and members and not per_row and panel not in diagram.stack:
            # A frame's boxes stand in one layer.
            with graph.subgraph() as same:
                same.attr(rank="same")
                for box in members:
                    same.node(ids[box.id])
        if per_row:
            for i in range(per_row, len(members)):
                graph.edge(ids[members[i - per_row].id], ids[members[i].id], style="invis")
        for child, parent in diagram.parents.items():
            if parent == panel:
                add_panel(graph, child)

    def add_panel(graph: graphviz.Digraph, panel: str) -> None:
        with graph.subgraph(name=clusters[panel]) as sub:
            sub.attr(
                label=_lines(diagram.panels[panel], 22),
                style="rounded",
                color="#888888",
                fontsize=str(BASE_PT + 1),
                labeljust="l",
                margin="8",
            )
            add_boxes(sub, panel)

    add_boxes(g, "")
    for panel in diagram.panels:
        if panel not in diagram.parents:
            add_panel(g, panel)
    for arrow in diagram.arrows:
        colour, dash = diagram.style(arrow.relation)
        attrs = {"color": colour, "style": dash}
        if arrow.minlen > 1:
            attrs["minlen"] = str(arrow.minlen)
            # A long arrow is kept short and straight in preference to others.
            attrs["weight"] = "10"
        if diagram.edge_labels and arrow.label:
            attrs.update(label=_lines(arrow.label, 18), fontcolor=colour)
        tail, head = ("lhead", "ltail") if arrow.up else ("ltail", "lhead")
        if arrow.tail_panel:
            attrs[tail] = clusters[arrow.tail_panel]
        if arrow.head_panel:
            attrs[head] = clusters[arrow.head_panel]
        if arrow.up:
            attrs["dir"] = "back"
            g.edge(ids[arrow.head], ids[arrow.tail], **attrs)
        else:
            g.edge(ids[arrow.tail], ids[arrow.head], **attrs)
    for upper, lower in diagram.ordering:
        g.edge(ids[upper], ids[lower], style="invis")
    if diagram.stack:
        with g.subgraph() as sub:
            sub.attr(rank="same")
            for node in diagram.stack:
                sub.node(ids[node])
    return str(g.source)


def dot_program() -> str:
    """Return the path of Graphviz's ``dot``.

    :raises FigureError: when it is not installed.
    """
    program = shutil.which("dot")
    if program is None:
        raise FigureError(
            "Graphviz `dot` is not installed (Debian: apt-get install graphviz)",
            zh="未安装 Graphviz 的 dot 程序（Debian：apt-get install graphviz）",
        )
    return program


def render(diagram: Diagram, path: Path, fmt: str) -> Path:
    """Lay *diagram* out with ``dot`` and write it as *fmt* (svg, pdf, png) to *path*.

    The file is written beside *path* and renamed, so a failure leaves no half file.

    :raises FigureError: when Graphviz's ``dot`` is not installed or fails.
    """
    program = dot_program()
    source = dot_source(diagram)
    args = [program, f"-T{'png:cairo' if fmt == 'png' else fmt}"]
    if fmt == "png":
        args.append("-Gdpi=200")
    # cairo stamps PDFs with the time unless SOURCE_DATE_EPOCH says otherwise.
    env = {**os.environ, "SOURCE_DATE_EPOCH": "0"}
    done = subprocess.run(
        args, input=source.encode("utf-8"), capture_output=True, env=env, check=False
    )
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = reason[-1] if reason else done.returncode
        raise FigureError(
            f"dot failed on {path.name}: {detail}", zh=f"dot 绘制 {path.name} 失败：{detail}"
        )
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(done.stdout)
    temp.replace(path)
    return path
