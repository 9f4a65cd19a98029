"""Legibility measured in a real browser: label overlaps and the smallest label size.

Two measures, both read from what Chromium lays out, never from our own arithmetic:

* a figure's SVG, inlined in a page at A4 text width (16 cm): every ``<text>`` element's
  ``getBoundingClientRect``; lines of one label (the ``<text>`` elements of one Graphviz
  node, edge or cluster group, or of one matplotlib text group) form one label. Two labels
  overlap when their boxes share an area. Font sizes are the computed size times the
  element's screen transform, in points.
* the explorer's first view: every visible node's drawn box from vis-network's own
  ``getBoundingBox`` mapped to the page with ``canvasToDOM``; label size is the node's
  font size times the network's scale, in CSS pixels.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

A4_TEXT_WIDTH_CM = 16
MIN_FIGURE_PT = 8.0
MIN_EXPLORER_PX = 10.0

_SVG_MEASURE = """
() => {
  const svg = document.querySelector('svg');
  const labels = new Map();
  for (const t of svg.querySelectorAll('text')) {
    if (!t.textContent.trim()) continue;
    let g = t.parentElement.closest('g[id]');
    const own = !g || /^graph\\d+$/.test(g.id) || g.id === 'figure_1' || g.id.startsWith('axes_');
    const key = own ? t : g;
    const r = t.getBoundingClientRect();
    const m = t.getScreenCTM();
    const scale = Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    const found = labels.get(key) || {text: [], box: null, pt: Infinity};
    found.text.push(t.textContent.trim());
    found.pt = Math.min(found.pt, px * 0.75);
    const b = found.box;
    found.box = b ? {l: Math.min(b.l, r.left), t: Math.min(b.t, r.top),
                     r: Math.max(b.r, r.right), b: Math.max(b.b, r.bottom)}
                  : {l: r.left, t: r.top, r: r.right, b: r.bottom};
    labels.set(key, found);
  }
  const page = svg.getBoundingClientRect();
  return [...labels.values()].map(v => ({
    text: v.text.join(' '), pt: v.pt, ...v.box,
    // a label that reaches past the figure's own edge is cut off in print
    clipped: v.box.l < page.left - 0.5 || v.box.t < page.top - 0.5
      || v.box.r > page.right + 0.5 || v.box.b > page.bottom + 0.5,
  }));
}
"""

_EXPLORER_MEASURE = """
() => {
  const net = miikgExplorer.network;
  const canvas = document.querySelector('#network canvas').getBoundingClientRect();
  const scale = net.getScale();
  const out = [];
  for (const id of Object.keys(net.body.nodes)) {
    const node = net.body.nodes[id];
    if (!node.options || node.options.hidden || id.startsWith('edgeId:')) continue;
    if (net.body.nodeIndices.indexOf(node.id) < 0) continue;
    const bb = net.getBoundingBox(node.id);
    const a = net.canvasToDOM({x: bb.left, y: bb.top});
    const z = net.canvasToDOM({x: bb.right, y: bb.bottom});
    const box = {l: a.x, t: a.y, r: z.x, b: z.y};
    const w = canvas.width, h = canvas.height;
    if (box.r < 0 || box.b < 0 || box.l > w || box.t > h) continue;
    out.push({text: String(node.options.label || ''), px: node.options.font.size * scale, ...box});
  }
  return out;
}
"""


@dataclass(frozen=True)
class Legibility:
    """How many pairs of labels overlap, which, and the smallest label size."""

    labels: int
    overlaps: list[tuple[str, str]]
    smallest: float
    unit: str
    #: labels that reach past the figure's edge (figures only)
    clipped: tuple[str, ...] = ()

    def line(self, name: str) -> str:
        """Return one printable line: ``name: N labels, K overlapping pairs, smallest X``."""
        return (
            f"{name}: {self.labels} labels, {len(self.overlaps)} overlapping pairs, "
            f"smallest label {self.smallest:.1f} {self.unit}, {len(self.clipped)} cut off"
        )


def _overlaps(boxes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if min(a["r"], b["r"]) > max(a["l"], b["l"]) and min(a["b"], b["b"]) > max(
                a["t"], b["t"]
            ):
                found.append((a["text"], b["text"]))
    return found


def svg_legibility(page: Page, svg: Path) -> Legibility:
    """Measure *svg* scaled to 16 cm wide in *page*: label overlaps, smallest size in pt."""
    markup = svg.read_text(encoding="utf-8")
    markup = markup[markup.index("<svg") :]
    page.set_content(
        "<!DOCTYPE html><html><head><style>body{margin:0}"
        f"svg{{width:{A4_TEXT_WIDTH_CM}cm;height:auto;display:block}}</style></head>"
        f"<body>{markup}</body></html>"
    )
    page.evaluate("document.fonts.ready")
    boxes: list[dict[str, Any]] = page.evaluate(_SVG_MEASURE)
    smallest = min((b["pt"] for b in boxes), default=0.0)
    clipped = tuple(b["text"] for b in boxes if b["clipped"])
    return Legibility(len(boxes), _overlaps(boxes), smallest, "pt", clipped)


def explorer_legibility(page: Page) -> Legibility:
    """Measure the explorer open in *page* as it is now drawn: node overlaps, smallest px."""
    boxes: list[dict[str, Any]] = page.evaluate(_EXPLORER_MEASURE)
    smallest = min((b["px"] for b in boxes), default=0.0)
    return Legibility(len(boxes), _overlaps(boxes), smallest, "CSS px")
