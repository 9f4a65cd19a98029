"""The paper's tables rebuilt from the graph, compared with the paper cell by cell."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import GOLDEN
from miikg import api
from miikg.errors import QueryError
from miikg.tables import TABLES, Table, build_table

#: The paper names OSD ManTech in two wordings: §2.3 (the graph's label) and Tables 1
#: and 3. A cell is compared after mapping the graph's wording to the tables' one.
TABLE_WORDING = {"美国国防部长办公室制造技术项目办公室": "美国国防部长制造技术项目办公室"}
#: Rows of Table 1 whose cells list items; the paper separates them with 、，or a line
#: break and ends some lists with 等 ("and others"). The graph keeps the items, not
#: their order in the cell, so those cells are compared as sets of items.
LIST_ROWS = {"执行", "资助", "合同类型"}


def _golden(name: str) -> list[list[str]]:
    with (GOLDEN / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _as_paper(text: str) -> str:
    for graph_wording, paper_wording in TABLE_WORDING.items():
        text = text.replace(graph_wording, paper_wording)
    return text


def _items(cell: str) -> set[str]:
    return {item.removesuffix("等") for item in re.split(r"[、，\n ]+", cell) if item}


def test_table_1_matches_the_paper_cell_by_cell(store: ox.Store) -> None:
    table = build_table(store, "1", lang="zh")
    golden = _golden("paper-table-1.zh.csv")
    assert list(table.header) == golden[0]
    assert len(table.rows) == len(golden) - 1
    for got, want in zip(table.rows, golden[1:], strict=True):
        assert got[0] == want[0]
        for cell, paper in zip(got[1:], want[1:], strict=True):
            if want[0] in LIST_ROWS:
                assert _items(_as_paper(cell)) == _items(paper), (want[0], cell, paper)
            else:
                assert cell == paper, (want[0], cell, paper)


def test_table_1_keeps_the_paper_funder_not_the_public_record(store: ox.Store) -> None:
    # The fact sheet's NSF is a claim of another source, not a cell of the paper's table.
    funders = build_table(store, "1", lang="en").rows[2][1]
    assert "National Academy of Sciences" in funders
    assert "National Science Foundation" not in funders


def test_table_2_matches_the_paper_cell_by_cell(store: ox.Store) -> None:
    table = build_table(store, "2", lang="zh")
    golden = [
        {k: v for k, v in row.items() if k != "institute"}
        for row in csv.DictReader((GOLDEN / "paper-table-2.zh.csv").open(encoding="utf-8"))
    ]
    assert table.header == ("名称", "成立时间", "组织者", "位置", "使命")
    want = sorted(
        (
            f"{g['name']}（{g['short_name']}）",
            g["founded"],
            g["organizer"],
            g["state"],
            g["mission"],
        )
        for g in golden
    )
    assert sorted(table.rows) == want


def test_table_2_in_english_keeps_the_paper_claims(store: ox.Store) -> None:
    rows = {row[0]: row for row in build_table(store, "2", lang="en").rows}
    aim = next(row for name, row in rows.items() if "AIM Photonics" in name)
    assert aim[1] == "Jul 2015"
    assert aim[3] == "California"  # the paper's claim; the public record says New York
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", row[1]) for row in rows.values())


def test_table_3_matches_the_paper_cell_by_cell(store: ox.Store) -> None:
    table = build_table(store, "3", lang="zh")
    golden = _golden("paper-table-3.zh.csv")
    assert list(table.header) == golden[0]
    assert [[_as_paper(c) for c in row] for row in table.rows] == golden[1:]


def test_mrl_list_matches_the_paper_footnote(store: ox.Store) -> None:
    table = build_table(store, "mrl", lang="zh")
    golden = _golden("mrl.zh.csv")[1:]
    assert [(row[0], row[1]) for row in table.rows] == [(f"MRL {n}", d) for n, d in golden]


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_table_renders_as_markdown_and_csv(store: ox.Store, name: str, lang: str) -> None:
    table = build_table(store, name, lang=lang)
    assert all(all(cell for cell in row) for row in table.rows), table
    markdown = table.to_markdown().splitlines()
    assert markdown[0] == f"**{table.title}**"
    # Title, blank line, header, rule, the rows; then a blank line and one line per note.
    notes = [f"[{n.mark}] {n.text}  " for n in table.notes]
    assert markdown[4 + len(table.rows) :] == (["", *notes] if notes else [])
    header, rule, *lines = markdown[2 : 4 + len(table.rows)]
    assert rule == "|" + "---|" * len(table.header)
    assert all(line.count(" | ") == len(table.header) - 1 for line in [header, *lines])
    rows = list(csv.reader(table.to_csv().splitlines(keepends=True)))
    assert rows == [list(table.header), *map(list, table.rows)]


def test_unknown_table_is_an_error(store: ox.Store) -> None:
    with pytest.raises(QueryError, match="no table '4'"):
        build_table(store, "4")


def test_api_table_reads_the_current_build(home: Path) -> None:
    table = api.table("3", store=home, lang="en")
    assert isinstance(table, Table)
    assert table.rows[0][2].splitlines() == [
        "Core funding;",
        "Matching funds;",
        "Facility use fees (if applicable)",
    ]
