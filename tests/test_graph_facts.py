"""The facts a user checks first, asked of the built store the way a user would."""

from __future__ import annotations

import csv
import re

import pyoxigraph as ox
import pytest

from conftest import GOLDEN
from miikg.queries.run import QueryResult, run_named

PAPER = "https://w3id.org/miikg/id/source/paper"
ID = "https://w3id.org/miikg/id/"


def _golden(name: str) -> list[dict[str, str]]:
    with (GOLDEN / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _paper_month(value: str) -> str:
    year, month = value.split("-")[:2]
    return f"{year} 年 {int(month)} 月"


def _month_key(paper_month: str) -> tuple[int, int]:
    year, month = re.findall(r"\d+", paper_month)
    return int(year), int(month)


def _rows(result: QueryResult) -> list[dict[str, str]]:
    return [{v: row.text(v) for v in result.variables} for row in result]


def test_table_2_matches_the_paper_cell_by_cell(store: ox.Store) -> None:
    rows = _rows(run_named(store, "paper-table-2", lang="zh"))
    got = [
        {
            "institute": r["institute"].removeprefix(ID + "institute/"),
            "name": r["name"],
            "short_name": r["shortName"],
            "founded": _paper_month(r["founded"]),
            "organizer": r["organizer"],
            "state": r["state"],
            "mission": r["mission"],
        }
        for r in rows
    ]
    assert [g["founded"] for g in got] == sorted((g["founded"] for g in got), key=_month_key)
    by_id = lambda rows: sorted(rows, key=lambda r: r["institute"])  # noqa: E731
    assert by_id(got) == by_id(_golden("paper-table-2.zh.csv"))


def test_table_2_exists_in_english_too(store: ox.Store) -> None:
    rows = _rows(run_named(store, "paper-table-2", lang="en"))
    assert len(rows) == 9
    by_id = {r["institute"].rsplit("/", 1)[-1]: r for r in rows}
    assert by_id["america-makes"]["state"] == "Ohio"
    assert by_id["aim-photonics"]["state"] == "California"  # the paper's claim, kept as such
    assert by_id["biomade"]["founded"] == "2020-10"
    for row in rows:
        assert row["name"] and row["organizer"] and row["mission"]
        assert not re.search(r"[\u4e00-\u9fff]", row["name"] + row["mission"]), row


def test_union_view_shows_both_states_of_aim_photonics(store: ox.Store) -> None:
    rows = {
        r["institute"].rsplit("/", 1)[-1]: r
        for r in _rows(run_named(store, "institutes", lang="en"))
    }
    assert len(rows) == 9
    assert set(rows["aim-photonics"]["state"].split(" / ")) == {"California", "New York"}
    assert rows["america-makes"]["state"] == "Ohio"


def test_ten_mrl_levels_with_both_definitions(store: ox.Store) -> None:
    rows = _rows(run_named(store, "mrl-levels"))
    assert [int(r["level"]) for r in rows] == list(range(1, 11))
    assert [{"level": r["level"], "definition": r["definitionZh"]} for r in rows] == _golden(
        "mrl.zh.csv"
    )
    english = {int(r["level"]): r["definitionEn"] for r in rows}
    assert english[1] == "Basic Manufacturing Implications Identified"
    assert english[8] == (
        "Pilot line capability demonstrated; ready to begin Low Rate Initial Production (LRIP)"
    )
    assert english[10] == "Full Rate Production demonstrated and lean production practices in place"
    assert all(english.values())
    assert [r["trl"] for r in rows] == [str(n) for n in range(1, 10)] + [""]


def test_four_stages_with_their_mrl_ranges(store: ox.Store) -> None:
    rows = _rows(run_named(store, "stages", lang="zh"))
    assert [(r["label"], r["minMRL"], r["maxMRL"]) for r in rows] == [
        ("研究阶段", "1", "3"),
        ("试验发展阶段", "4", "7"),
        ("成熟阶段", "5", "8"),
        ("生产阶段", "9", "10"),
    ]
    assert all(r["performers"] and r["funders"] and r["instruments"] for r in rows)


def test_five_strategic_goals(store: ox.Store) -> None:
    zh = [r["label"] for r in _rows(run_named(store, "strategic-goals", lang="zh"))]
    en = [r["label"] for r in _rows(run_named(store, "strategic-goals", lang="en"))]
    assert zh == [
        "推动有影响力的先进制造研发",
        "鼓励建立可行和可持续的美国国防部制造创新所商业计划",
        "保持最佳的项目设计和最大化价值交付",
        "最大限度地提高利益相关者对美国国防部制造创新所的了解",
        "有效支持有能力的劳动力",
    ]
    assert en[0].startswith("Drive impactful advanced manufacturing research")
    assert en[4].startswith("Effectively support a capable workforce")


def test_three_phases_with_funding_models(store: ox.Store) -> None:
    rows = _rows(run_named(store, "phases", lang="zh"))
    assert [(r["label"], r["fundingModel"]) for r in rows] == [
        ("建立阶段", "核心资金模式"),
        ("过渡阶段", "折中模式"),
        ("稳定阶段", "美国国防部客户模式"),
    ]


def _is_paper(source: str, store: ox.Store) -> bool:
    """Tell whether *source* is the paper or a part of it, following dcterms:isPartOf."""
    part_of = ox.NamedNode("http://purl.org/dc/terms/isPartOf")
    node: ox.NamedNode | None = ox.NamedNode(source)
    while node is not None:
        if node.value == PAPER:
            return True
        parents = [q.object for q in store.quads_for_pattern(node, part_of, None)]
        node = parents[0] if parents else None
    return False


@pytest.mark.parametrize(
    ("subject", "prop", "paper_value", "other_value"),
    [
        ("institute/aim-photonics", "miikg:state", "place/california", "place/new-york"),
        ("institute/mxd", "miikg:organizer", "institute/mxd", "organization/ui-labs"),
        ("institute/arm", "miikg:organizer", "organization/cmu", "organization/american-robotics"),
    ],
    ids=["aim-state", "mxd-organizer", "arm-organizer"],
)
def test_conflicts_list_both_claims_with_their_sources(
    store: ox.Store,
    subject: str,
    prop: str,
    paper_value: str,
    other_value: str,
) -> None:
    rows = [
        r
        for r in _rows(run_named(store, "conflicts"))
        if r["subject"] == ID + subject and r["property"].endswith(prop.split(":")[1])
    ]
    by_value: dict[str, list[bool]] = {}
    for r in rows:
        by_value.setdefault(r["value"].removeprefix(ID), []).append(_is_paper(r["source"], store))
    assert set(by_value) == {paper_value, other_value}
    assert all(by_value[paper_value]) and not any(by_value[other_value])


@pytest.mark.parametrize(
    ("concerns", "prop"),
    [
        ("institute/aim-photonics", "state"),
        ("institute/mxd", "organizer"),
        ("institute/arm", "organizer"),
        ("programme/dod-mii-network", "evaluates"),
        ("concept/stage-research", "funder"),
    ],
    ids=["aim-state", "mxd-organizer", "arm-organizer", "jdmtp-role", "table-1-funder"],
)
def test_disagreements_show_paper_and_public_record(
    store: ox.Store,
    concerns: str,
    prop: str,
) -> None:
    rows = [
        r
        for r in _rows(run_named(store, "disagreements"))
        if r["property"].endswith("/" + prop) and ID + concerns in (r["subject"], r["value"])
    ]
    sources = {r["source"] for r in rows}
    assert any(_is_paper(s, store) for s in sources), rows
    assert any(not _is_paper(s, store) for s in sources), rows


def test_ca_tia_split_is_a_listed_disagreement_with_both_sides(store: ox.Store) -> None:
    concerns = ox.NamedNode("https://w3id.org/miikg/ontology/concerns")
    source = ox.NamedNode("http://purl.org/dc/terms/source")
    tia = ox.NamedNode(ID + "concept/instrument-tia")
    disagreements = {q.subject for q in store.quads_for_pattern(None, concerns, tia)}
    assert disagreements
    sources = {
        q.object.value for d in disagreements for q in store.quads_for_pattern(d, source, None)
    }
    assert any(_is_paper(s, store) for s in sources)
    assert any(not _is_paper(s, store) for s in sources)


def test_paper_only_facts_are_listed(store: ox.Store) -> None:
    rows = _rows(run_named(store, "paper-only", lang="zh"))
    pairs = {(r["subject"].removeprefix(ID), r["property"].rsplit("/", 1)[-1]) for r in rows}
    assert ("institute/america-makes", "mission") in pairs
    assert ("institute/aim-photonics", "state") in pairs  # California: only the paper says so
    assert all(_is_paper(r["source"], store) for r in rows)
