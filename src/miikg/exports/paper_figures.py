"""The paper's figures, drawn again from the graph alone, as the tables are.

Each figure is one named query (``paper-figure-<n>.rq``): a row per box, with the part of
the figure it belongs to and, for an arrow, the relation and its target. What the paper
and the public record disagree on is said in a note under the figure
(``disagreement-notes.rq``: every disagreement that concerns two or more drawn things).
Only the figure's frame words ("inside an institute") are set here, in both languages.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from miikg.exports.diagrams import Arrow, Box, Diagram
from miikg.exports.view_figures import LONG
from miikg.queries.run import run_named

if TYPE_CHECKING:
    import pyoxigraph as ox

    from miikg.queries.run import QueryResult, Row

__all__ = ["PAPER_FIGURES", "paper_diagram"]

PAPER_FIGURES = ("paper-2",)
_WORDS = {
    "en": {
        "paper-2": "Figure 2  Collaborative governance of the DoD manufacturing innovation "
        "institutes",
        "inside": "Inside an institute",
        "legend": "Relations",
        "note": "Note — {label}: {description}",
        "roles": "({roles} the institutes)",
        "and": ", ",
    },
    "zh": {
        "paper-2": "图 2　美国国防部制造创新所协同治理模式",
        "inside": "制造创新所内部",
        "legend": "关系",
        "note": "注：{label}。{description}",
        "roles": "（{roles}各制造创新所）",
        "and": "、",
    },
}


def _notes(store: ox.Store, drawn: set[str], lang: str) -> list[str]:
    concerns: dict[str, set[str]] = defaultdict(set)
    text: dict[str, tuple[str, str]] = {}
    for row in run_named(store, "disagreement-notes", lang=lang):
        concerns[row.text("disagreement")].add(row.text("concerns"))
        text[row.text("disagreement")] = (row.text("label"), row.text("description"))
    return [
        _WORDS[lang]["note"].format(label=text[d][0], description=text[d][1])
        for d in sorted(concerns)
        if len(concerns[d] & drawn) >= 2
    ]


def _name(row: Row, lang: str) -> str:
    """Return the item's label; in English a long one gives way to its shortest name."""
    text = row.text("itemLabel")
    shorts = [s for s in row.text("shortNames").split(" | ") if s]
    if lang == "en" and len(text) > LONG and shorts:
        return min(shorts, key=len)
    return text


def _figure_2(rows: QueryResult, lang: str) -> Diagram:
    """Bodies above (each box names what it does), the institutes, then inside an institute."""
    words = _WORDS[lang]
    diagram = Diagram(title=words["paper-2"], lang=lang, legend_title=words["legend"])
    diagram.legend_kinds = False
    inside = "inside"
    network = ""
    roles: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    for row in rows:
        part, item, order = row.text("part"), row.text("item"), int(row.text("partOrder"))
        if order == 1:
            network = part
            names[item] = _name(row, lang)
            roles[item].append(row.text("relationLabel"))
            continue
        if part not in diagram.panels:
            diagram.panels[part] = row.text("partLabel")
            diagram.columns[part] = 3 if order == 2 else 1
            if order > 2:
                diagram.parents[part] = inside
        diagram.boxes.append(Box(item, _name(row, lang), part, panel=part))
    diagram.panels[inside] = words["inside"]
    members = [b.id for b in diagram.boxes if b.panel == network]
    for item, what in roles.items():
        text = f"{names[item]}\n{words['roles'].format(roles=words['and'].join(what))}"
        diagram.boxes.insert(0, Box(item, text, "coordination", bold=True))
        if members:
            diagram.arrows.append(Arrow(item, members[min(1, len(members) - 1)], "acts-on",
                                        head_panel=network))  # fmt: skip
    diagram.relations = {"acts-on": ""}
    diagram.edge_labels = True
    # The bodies stand above the whole first row of institutes.
    diagram.ordering = [(item, m) for item in roles for m in members[:3]]
    # The inside of an institute stands under the institutes' last row.
    tops: dict[str, str] = {}
    for box in diagram.boxes:
        if diagram.parents.get(box.panel) == inside:
            tops.setdefault(box.panel, box.id)
    diagram.ordering += [(members[-1], top) for top in tops.values()] if members else []
    diagram.kinds = {"coordination": "", network: "", **dict.fromkeys(tops, "")}
    return diagram


def paper_diagram(store: ox.Store, kind: str, lang: str) -> Diagram:
    """Return the paper's figure *kind* (``paper-2``) as a diagram, from its named query."""
    number = kind.removeprefix("paper-")
    rows = run_named(store, f"paper-figure-{number}", lang=lang)
    diagram = _figure_2(rows, lang)
    drawn = {row.text("item") for row in rows} | {row.text("part") for row in rows}
    diagram.notes = _notes(store, drawn, lang)
    return diagram
