"""A small radial drawing of an entity's neighbours, laid out in Python for inline SVG.

No script and no binary: positions are computed here and the page template writes the
SVG, so the drawing is the same on the server, in the static site and with scripts off.
Outgoing neighbours take the right half of the circle, incoming ones the left.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

from miikg.serve.entity_data import EntityData, Value

__all__ = ["Drawing", "Edge", "Node", "draw"]

WIDTH, HEIGHT = 920, 420
RADIUS_X, RADIUS_Y = 230, 160
LIMIT_OUT, LIMIT_IN = 10, 8
_SKIP = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
    "http://www.w3.org/2000/01/rdf-schema#isDefinedBy",
}


@dataclass(frozen=True)
class Node:
    """A neighbour: where it is drawn and what it says."""

    x: float
    y: float
    text: str
    iri: str
    anchor: str


@dataclass(frozen=True)
class Edge:
    """A line from the centre to a node, with the property's label at its middle."""

    x: float
    y: float
    label: str
    incoming: bool


@dataclass(frozen=True)
class Drawing:
    """The laid-out drawing; empty when the entity has no node neighbours."""

    width: int
    height: int
    centre: str
    nodes: tuple[tuple[Node, Edge], ...]

    def __bool__(self) -> bool:
        return bool(self.nodes)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def shorten(text: str, limit: int = 26) -> str:
    """Cut *text* to about *limit* columns (a CJK character counts as two).

    >>> shorten("Manufacturing innovation institute", 12)
    'Manufacturi…'
    """
    if _width(text) <= limit:
        return text
    out = ""
    for char in text:
        if _width(out + char) > limit - 1:
            break
        out += char
    return out + "…"


def _spread(count: int, start: float, end: float) -> list[float]:
    if count == 1:
        return [(start + end) / 2]
    step = (end - start) / (count - 1)
    return [start + i * step for i in range(count)]


def draw(data: EntityData) -> Drawing:
    """Lay out up to ten outgoing and eight incoming node neighbours of *data*."""
    out: dict[str, tuple[Value, str]] = {}
    for s in data.statements:
        v = s.value
        if v.is_node and v.iri and v.iri != data.iri and s.property.iri not in _SKIP:
            out.setdefault(v.iri, (v, s.property.text))
    incoming: dict[str, tuple[Value, str]] = {}
    for link in data.incoming:
        iri = link.subject.iri
        if iri and iri != data.iri and iri not in out and link.property.iri not in _SKIP:
            incoming.setdefault(iri, (link.subject, link.property.text))
    right = list(out.values())[:LIMIT_OUT]
    left = list(incoming.values())[:LIMIT_IN]
    cx, cy = WIDTH / 2, HEIGHT / 2
    placed: list[tuple[Node, Edge]] = []
    for group, start, end, is_in in (
        (right, -75.0, 75.0, False),
        (left, 105.0, 255.0, True),
    ):
        if not group:
            continue
        angles = (
            _spread(len(group), start, end) if len(group) > 1 else [0.0 if not is_in else 180.0]
        )
        for (value, prop), angle in zip(group, angles, strict=True):
            rad = math.radians(angle)
            x, y = cx + RADIUS_X * math.cos(rad), cy + RADIUS_Y * math.sin(rad)
            node = Node(
                round(x, 1),
                round(y, 1),
                shorten(value.text),
                value.iri or "",
                "end" if is_in else "start",
            )
            edge = Edge(
                round((cx + x) / 2, 1), round((cy + y) / 2 - 3, 1), shorten(prop, 18), is_in
            )
            placed.append((node, edge))
    return Drawing(WIDTH, HEIGHT, shorten(data.label, 30), tuple(placed))
