"""The paper's tables rebuilt from the graph alone, through named queries.

Table 1 (the innovation chain) and Table 2 (the nine institutes) come from the paper's
own claims (the ``paper-table-1`` and ``paper-table-2`` graphs), Table 3 from the revenue
arrangements and streams, the MRL list from the MRL levels. Nothing here knows a fact:
row and column headings are the paper's words, the cells are query results.

The cells keep the paper's values. Where another source contradicts a cell of Table 2
(the ``conflicts`` query: AIM Photonics' state, three organisers), the table carries a
footnote with the other claim and its sources; Markdown and text show it, CSV (the cells
as data) does not.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox

from miikg.errors import QueryError
from miikg.queries import internal_query
from miikg.queries.run import Engine, run_named, run_query

__all__ = ["TABLES", "Footnote", "Table", "build_table"]

TableName = Literal["1", "2", "3", "mrl"]
TABLES: tuple[TableName, ...] = ("1", "2", "3", "mrl")

_WORDS = {
    "zh": {
        "title1": "表 1　美国国防部制造创新所在创新链中所处位置",
        "title2": "表 2　美国国防部制造创新所布局",
        "title3": "表 3　美国国防部客户模式下制造创新所收入来源",
        "titlemrl": "制造成熟度（MRL）等级",
        "item": "项目",
        "mrl": "MRL",
        "performer": "执行",
        "funder": "资助",
        "instrument": "合同类型",
        "miiLink": "当前美国国防部制造创新所的联结",
        "range": "MRL {min}～{max} 级",
        "name": "名称",
        "founded": "成立时间",
        "organizer": "组织者",
        "state": "位置",
        "mission": "使命",
        "month": "{year} 年 {month} 月",
        "short": "{name}（{short}）",
        "t3funder": "资助者",
        "activity": "美国国防部制造创新所活动",
        "revenue": "美国国防部制造创新所收入来源",
        "line_end": "；",
        "level": "等级",
        "definition": "定义",
        "level_cell": "MRL {level}",
        "sep": "、",
        "contradicted": "公开记录为：{values}（{sources}）",
        "list": "；",
    },
    "en": {
        "title1": "Table 1  Where the DoD institutes sit in the innovation chain",
        "title2": "Table 2  The DoD institutes",
        "title3": "Table 3  Revenue sources of the institutes under the DoD customer model",
        "titlemrl": "Manufacturing readiness levels (MRL)",
        "item": "Item",
        "mrl": "MRL",
        "performer": "Performed by",
        "funder": "Funded by",
        "instrument": "Contract types",
        "miiLink": "Current link of the DoD institutes",
        "range": "MRL {min}–{max}",
        "name": "Name",
        "founded": "Founded",
        "organizer": "Organizer",
        "state": "Location",
        "mission": "Mission",
        "month": "{month_abbr} {year}",
        "short": "{name} ({short})",
        "t3funder": "Funder",
        "activity": "Institute activity",
        "revenue": "Institute revenue sources",
        "line_end": ";",
        "level": "Level",
        "definition": "Definition",
        "level_cell": "MRL {level}",
        "sep": "; ",
        "contradicted": "The public record says {values} ({sources}).",
        "list": "; ",
    },
}
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Footnote:
    """A note on one cell (by row and column index): what another source says instead."""

    row: int
    column: int
    mark: int
    text: str


@dataclass(frozen=True)
class Table:
    """A table as the paper lays it out: a title, a header row and rows of cells.

    A cell of several lines (Table 3) holds them separated by ``\\n``. *notes* mark the
    cells the public record contradicts; the cells themselves stay the paper's.
    """

    name: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    notes: tuple[Footnote, ...] = ()

    def marked_rows(self) -> list[list[str]]:
        """Return the rows with each noted cell followed by its mark (``加利福尼亚州 [1]``)."""
        rows = [list(row) for row in self.rows]
        for note in self.notes:
            rows[note.row][note.column] += f" [{note.mark}]"
        return rows

    def to_text(self, width: int | None = None) -> str:
        """Return the title, the table fitted to *width* display columns, and its notes."""
        from miikg.terminal import render_table, wrap

        lines = [wrap(self.title, width, hanging=0), ""]
        lines.append(render_table(self.header, self.marked_rows(), width=width))
        if self.notes:
            lines.append("")
            lines += [wrap(f"[{n.mark}] {n.text}", width, hanging=4) for n in self.notes]
        return "\n".join(lines)

    def to_csv(self) -> str:
        """Return the header and rows as CSV (a multi-line cell is quoted)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return buffer.getvalue()

    def to_markdown(self) -> str:
        """Return the title and a Markdown table (lines of a cell joined by ``<br>``)."""

        def cells(row: Sequence[str]) -> str:
            return (
                "| " + " | ".join(c.replace("|", "\\|").replace("\n", "<br>") for c in row) + " |"
            )

        lines = [f"**{self.title}**", "", cells(self.header), "|" + "---|" * len(self.header)]
        lines += [cells(row) for row in self.marked_rows()]
        if self.notes:
            lines.append("")
            lines += [f"[{n.mark}] {n.text}  " for n in self.notes]
        return "\n".join(lines) + "\n"


def _month(value: str, lang: str) -> str:
    year, month = value.split("-")[:2]
    return _WORDS[lang]["month"].format(
        year=year, month=int(month), month_abbr=_MONTHS[int(month) - 1]
    )


def _table_1(store: Engine, lang: str) -> Table:
    w = _WORDS[lang]
    result = run_named(store, "paper-table-1", lang=lang)
    stages: dict[int, dict[str, str]] = {}
    cells: dict[tuple[int, str], list[str]] = {}
    for row in result:
        position = int(row.text("position"))
        stages.setdefault(
            position,
            {"label": row.text("stageLabel"), "min": row.text("minMRL"), "max": row.text("maxMRL")},
        )
        role = row.text("role")
        text = row.text("item") if role == "miiLink" else row.text("itemLabel")
        cells.setdefault((position, role), []).append(text)
    order = sorted(stages)
    header = (w["item"], *(stages[p]["label"] for p in order))
    rows = [(w["mrl"], *(w["range"].format(**stages[p]) for p in order))]
    for role in ("performer", "funder", "instrument", "miiLink"):
        # The paper's "funded by" cell names the funder, then the projects it funds.
        extra = ("fundedActivity",) if role == "funder" else ()
        rows.append(
            (
                w[role],
                *(
                    w["sep"].join(item for r in (role, *extra) for item in cells.get((p, r), []))
                    for p in order
                ),
            )
        )
    return Table("1", w["title1"], header, tuple(rows))


#: Columns of Table 2 a source may contradict, by the property that states them.
_TABLE_2_COLUMNS = {
    "https://w3id.org/miikg/ontology/organizer": 2,
    "https://w3id.org/miikg/ontology/state": 3,
    "https://schema.org/foundingDate": 1,
}
_TABLE_2_SOURCE = "https://w3id.org/miikg/id/source/paper-table-2"


def _contradictions(store: Engine, institutes: list[str], lang: str) -> tuple[Footnote, ...]:
    """Return a footnote for each Table 2 cell another source gives a different value for."""
    w = _WORDS[lang]
    claims: dict[tuple[str, str], dict[str, tuple[str, list[str]]]] = {}
    paper: dict[tuple[str, str], set[str]] = {}
    # Each institute's conflicts, started from the institute: the table touches nine
    # entities, whatever else the store holds.
    query = internal_query("tables/conflicts-of").text
    rows = [
        (subject, row)
        for subject in institutes
        for row in run_query(
            store, query, {"subject": ox.NamedNode(subject), "lang": ox.Literal(lang)}
        )
    ]
    for subject, row in rows:
        key = (subject, row.text("property"))
        if key[1] not in _TABLE_2_COLUMNS:
            continue
        value = row.text("value")
        if row.text("source") == _TABLE_2_SOURCE:
            paper.setdefault(key, set()).add(value)
            continue
        shown = row.text("valueLabel") or value
        source = row.text("sourceLabel") or row.text("source")
        entry = claims.setdefault(key, {}).setdefault(value, (shown, []))
        if source not in entry[1]:
            entry[1].append(source)
    notes: list[Footnote] = []
    for (subject, prop), values in sorted(
        claims.items(), key=lambda kv: (institutes.index(kv[0][0]), _TABLE_2_COLUMNS[kv[0][1]])
    ):
        other = {v: c for v, c in values.items() if v not in paper.get((subject, prop), set())}
        if not other or (subject, prop) not in paper:
            continue
        text = w["contradicted"].format(
            values=w["list"].join(shown for shown, _ in other.values()),
            sources=w["list"].join(s for _, sources in other.values() for s in sources),
        )
        notes.append(
            Footnote(institutes.index(subject), _TABLE_2_COLUMNS[prop], len(notes) + 1, text)
        )
    return tuple(notes)


def _table_2(store: Engine, lang: str) -> Table:
    w = _WORDS[lang]
    rows = []
    institutes = []
    for row in run_named(store, "paper-table-2", lang=lang):
        institutes.append(row.text("institute"))
        name = row.text("name")
        if row.text("shortName") and row.text("shortName") not in name:
            name = w["short"].format(name=name, short=row.text("shortName"))
        rows.append(
            (
                name,
                _month(row.text("founded"), lang),
                row.text("organizer"),
                row.text("state"),
                row.text("mission"),
            )
        )
    header = (w["name"], w["founded"], w["organizer"], w["state"], w["mission"])
    notes = _contradictions(store, institutes, lang)
    return Table("2", w["title2"], header, tuple(rows), notes)


def _table_3(store: Engine, lang: str) -> Table:
    w = _WORDS[lang]
    funders: dict[int, str] = {}
    activities: dict[int, list[str]] = {}
    revenue: dict[int, dict[int, str]] = {}
    for row in run_named(store, "revenue-sources", lang=lang):
        key = int(row.text("row"))
        funders[key] = row.text("funderLabel")
        # The activity cell's two lines: what is funded, then for whom.
        activities[key] = [t for t in (row.text("activity"), row.text("beneficiary")) if t]
        revenue.setdefault(key, {})[int(row.text("line"))] = row.text("revenue")
    rows = tuple(
        (
            funders[key],
            _join_lines(activities[key], w["line_end"]),
            _join_lines([revenue[key][n] for n in sorted(revenue[key])], w["line_end"]),
        )
        for key in sorted(funders)
    )
    return Table("3", w["title3"], (w["t3funder"], w["activity"], w["revenue"]), rows)


def _join_lines(lines: list[str], end: str) -> str:
    """Join the lines of a cell the paper's way: every line but the last ends with *end*."""
    return "\n".join([line + end for line in lines[:-1]] + lines[-1:])


def _table_mrl(store: Engine, lang: str) -> Table:
    w = _WORDS[lang]
    column = "definitionZh" if lang == "zh" else "definitionEn"
    rows = tuple(
        (w["level_cell"].format(level=row.text("level")), row.text(column))
        for row in run_named(store, "mrl-levels")
    )
    return Table("mrl", w["titlemrl"], (w["level"], w["definition"]), rows)


_BUILDERS = {"1": _table_1, "2": _table_2, "3": _table_3, "mrl": _table_mrl}


def build_table(store: Engine, name: str, *, lang: str = "zh") -> Table:
    """Rebuild the paper's table *name* (``1``, ``2``, ``3`` or ``mrl``) in *lang*."""
    builder = _BUILDERS.get(name)
    if builder is None:
        raise QueryError(
            f"no table {name!r}; choose one of {', '.join(TABLES)}",
            zh=f"没有表 {name!r}；可选：{'、'.join(TABLES)}",
        )
    if lang not in _WORDS:
        raise QueryError(
            f"language must be one of {', '.join(_WORDS)}", zh=f"语言须为 {'、'.join(_WORDS)} 之一"
        )
    return builder(store, lang)
