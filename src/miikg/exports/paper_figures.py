"""The paper's figures, drawn again from the graph alone, as the tables are.

Each figure is one named query (``paper-figure-<n>.rq``): a row per box, with the part of
the figure it belongs to and, for an arrow, the relation and its target. What the paper
and the public record disagree on is said in a note under the figure
(``disagreement-notes.rq``: every disagreement that concerns two or more drawn things).
Only the figure's frame words ("inside an institute") are set here, in both languages.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import TYPE_CHECKING

from miikg.exports.diagrams import Arrow, Box, Diagram
from miikg.exports.view_figures import LONG
from miikg.queries.run import run_named

if TYPE_CHECKING:
    from miikg.queries.run import Engine, QueryResult, Row

__all__ = ["PAPER_FIGURES", "paper_diagram"]

PAPER_FIGURES = ("paper-1", "paper-2", "paper-3")
_WORDS = {
    "en": {
        "paper-2": "Figure 2  Collaborative governance of the DoD manufacturing innovation "
        "institutes",
        "inside": "Inside an institute",
        "legend": "Relations",
        "note": "Note — {label}: {description}",
        "roles": "({roles} the institutes)",
        "and": ", ",
        "paper-1": "Figure 1  The logic by which the DoD institutes build a civil-military "
        "technology innovation ecosystem",
        "paper-3": "Figure 3  The main policy tools with which DoD fosters its institutes",
        "phase": "{phase}: {model}",
        "count": "The paper: {count} {unit}",
        "named": "Public record, establishing agreement: {names}",
        "unnamed": "Establishing instrument not found in the public record: {names}",
        "kinds": "Boxes",
        "instrument": "Contract instrument of the phase",
        "said": "What the paper says (section 3.1)",
        "record": "What the public record says",
        "sep": ", ",
    },
    "zh": {
        "paper-2": "图 2　美国国防部制造创新所协同治理模式",
        "inside": "制造创新所内部",
        "legend": "关系",
        "note": "注：{label}。{description}",
        "roles": "（{roles}各制造创新所）",
        "and": "、",
        "paper-1": "图 1　美国国防部制造创新所的军民融合技术创新生态系统构建逻辑",
        "paper-3": "图 3　美国国防部培育其制造创新所的主要政策工具",
        "phase": "{phase}：{model}",
        "count": "论文：{count} {unit}",
        "named": "公开记录中的设立协议：{names}",
        "unnamed": "公开记录未载明设立协议类型：{names}",
        "kinds": "图框",
        "instrument": "该阶段的合同类型",
        "said": "论文所述（第 3.1 节）",
        "record": "公开记录所载",
        "sep": "、",
    },
}


def _notes(store: Engine, drawn: set[str], lang: str) -> list[str]:
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


def _name(row: Row | _Institute, lang: str) -> str:
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


def _figure_3(rows: QueryResult, lang: str) -> Diagram:
    """Phases top to bottom, each with its instruments; the paper's counts and the record."""
    words = _WORDS[lang]
    diagram = Diagram(title=words["paper-3"], lang=lang, legend_title=words["kinds"],
                      legend_columns=2)  # fmt: skip
    diagram.kinds = {"instrument": words["instrument"], "said": words["said"],
                     "record": words["record"]}  # fmt: skip
    counts = {r.text("instrument"): r for r in rows if r.text("kind") == "count"}
    named: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row.text("kind") == "agreement":
            named[row.text("instrument")].append(_name(_Institute(row), lang))
    first: list[str] = []
    for row in rows:
        if row.text("kind") != "phase":
            continue
        phase, instrument = row.text("phase"), row.text("instrument")
        if phase not in diagram.panels:
            diagram.panels[phase] = words["phase"].format(
                phase=row.text("phaseLabel"), model=row.text("modelLabel")
            )
            first.append(f"{phase}|{instrument}")
        box = f"{phase}|{instrument}"
        diagram.boxes.append(Box(box, row.text("instrumentLabel"), "instrument", panel=phase,
                                 bold=True))  # fmt: skip
        if len(first) > 1 or instrument not in counts:
            continue
        # The establishing phase: what the paper counts, then what the record names, below.
        diagram.columns[phase] = len(rows)
        count = counts[instrument]
        said = f"{box}|said"
        text = words["count"].format(count=count.text("count"), unit=count.text("unitLabel"))
        diagram.boxes.append(Box(said, text, "said", panel=phase))
        diagram.arrows.append(Arrow(box, said, "part"))
        if named.get(instrument):
            record = f"{box}|record"
            names = words["sep"].join(named[instrument])
            diagram.boxes.append(Box(record, words["named"].format(names=names), "record",
                                     panel=phase))  # fmt: skip
            diagram.arrows.append(Arrow(said, record, "part"))
    if named.get("") and first:
        phase = first[0].split("|")[0]
        text = words["unnamed"].format(names=words["sep"].join(named[""]))
        diagram.boxes.append(Box(f"{phase}|unnamed", text, "record", panel=phase))
    diagram.relations = {"part": "", "next": ""}
    diagram.edge_labels = True
    # Each phase leads to the next, from the bottom of its frame, so the frames stack.
    last = {b.panel: b.id for b in diagram.boxes if not b.id.endswith("|unnamed")}
    for upper, lower in itertools.pairwise(first):
        tail, head = upper.split("|")[0], lower.split("|")[0]
        diagram.arrows.append(Arrow(last[tail], lower, "next", tail_panel=tail, head_panel=head,
                                    minlen=2))  # fmt: skip
    return diagram


def _figure_1(rows: QueryResult, lang: str) -> Diagram:
    """Who needs what above, the institutes in the middle, the systems and markets below."""
    words = _WORDS[lang]
    diagram = Diagram(title=words["paper-1"], lang=lang, legend_title=words["legend"])
    diagram.edge_labels = True
    diagram.legend_kinds = False
    boxes: dict[str, Box] = {}
    for row in rows:
        part, item, target = row.text("part"), row.text("item"), row.text("target")
        relation = row.text("relation")
        diagram.relations.setdefault(relation, row.text("relationLabel"))
        diagram.panels.setdefault(part, row.text("partLabel"))
        if item not in boxes:
            in_part = relation.endswith("needOf")
            boxes[item] = Box(item, _name(row, lang), part if in_part else "centre",
                              panel=part if in_part else "", bold=not in_part)  # fmt: skip
        if target not in boxes:
            on_top = relation.endswith("needOf")
            boxes[target] = Box(target, row.text("targetLabel"), "holder" if on_top else part,
                                panel="" if on_top else part)  # fmt: skip
        # Needs pull the institutes up from below their holders; systems hang below them.
        up = relation.endswith(("needOf", "pulledBy"))
        diagram.arrows.append(Arrow(item, target, relation, diagram.relations[relation], up=up))
    diagram.boxes = list(boxes.values())
    diagram.kinds = {"holder": "", "centre": "", **dict.fromkeys(diagram.panels, "")}
    return diagram


class _Institute:
    """A row of ``paper-figure-3`` read as an item (its institute)."""

    def __init__(self, row: Row) -> None:
        self.row = row

    def text(self, name: str) -> str:
        if name == "itemLabel":
            return self.row.text("instituteLabel")
        return self.row.text(name)


_DRAW = {"1": _figure_1, "2": _figure_2, "3": _figure_3}


def paper_diagram(store: Engine, kind: str, lang: str) -> Diagram:
    """Return the paper's figure *kind* (``paper-2``, ``paper-3``) from its named query."""
    number = kind.removeprefix("paper-")
    rows = run_named(store, f"paper-figure-{number}", lang=lang)
    diagram = _DRAW[number](rows, lang)
    columns = ("part", "item", "phase", "instrument", "institute", "target")
    drawn = {row.text(c) for row in rows for c in columns if c in row.values}
    diagram.notes = _notes(store, drawn, lang)
    return diagram
