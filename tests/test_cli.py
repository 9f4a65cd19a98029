"""The command line, as a user types it."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib

from conftest import FIXTURES
from miikg import api
from miikg.cli import main


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_describe_prints_every_fact_with_its_source(
    home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(capsys, "--store", str(home), "describe", "america-makes")
    assert code == 0
    first, *lines = out.splitlines()
    assert first.startswith("America Makes")
    assert "<mid:institute/america-makes>" in first
    # Each source is a numbered note at the end, cited once per fact as [n].
    notes = dict(re.findall(r"^  \[(\d+)\] (.+)$", out, flags=re.MULTILINE))
    founding = [line for line in lines if line.strip().startswith("founding date: 2012-08")]
    assert founding
    cited = re.findall(r"\[(\d+)\]", founding[0])
    assert "表 2 / Table 2" in [notes[n] for n in cited]
    assert any("Ohio" in line for line in lines)
    facts = [line for line in lines if line.startswith("  ") and not line.startswith("   ")]
    assert all(re.search(r"\]$", line) for line in facts if not re.match(r"^  \[\d+\]", line))
    assert len(notes) == len(set(notes.values())), "each source is listed once"


def test_describe_in_chinese_by_chinese_name(
    home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(
        capsys, "--store", str(home), "--lang", "zh", "describe", "生物制造和设计创新所"
    )
    assert code == 0
    assert out.startswith("生物制造和设计创新所  <mid:institute/biomade>")
    assert "明尼苏达州" in out
    assert "工程生物学研究联盟" in out


def test_describe_finds_former_names(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--store", str(home), "describe", "DMDII")
    assert code == 0
    assert "<mid:institute/mxd>" in out.splitlines()[0]


def test_describe_unknown_entity_fails_with_a_hint(
    home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(capsys, "--store", str(home), "describe", "no-such-thing")
    assert code == 1
    assert "nothing matches 'no-such-thing'" in err


def test_query_csv_and_json(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--store", str(home), "query", "institutes", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 9
    assert {r["shortName"] for r in rows} >= {"America Makes", "BioMADE", "MxD"}
    code, out, _ = _run(
        capsys, "--store", str(home), "--lang", "zh", "query", "stages", "--format", "json"
    )
    assert [r["label"] for r in json.loads(out)] == [
        "研究阶段",
        "试验发展阶段",
        "成熟阶段",
        "生产阶段",
    ]


def test_query_binds_entity_parameter(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys,
        "--store",
        str(home),
        "query",
        "entity-facts",
        "-p",
        "entity=LIFT",
        "--format",
        "json",
    )
    assert code == 0
    values = {r["value"] for r in json.loads(out)}
    assert "2014-02" in values


def test_unknown_query_parameter_is_an_error(
    home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(capsys, "--store", str(home), "query", "institutes", "-p", "x=1")
    assert code == 1
    assert "has no parameter 'x'" in err


def test_stats_in_chinese(
    home: Path, capsys: pytest.CaptureFixture[str], built: api.BuildResult
) -> None:
    code, out, _ = _run(capsys, "--store", str(home), "--lang", "zh", "stats")
    assert code == 0
    assert f"陈述（按来源计的说法）: {built.summary.claims}" in out
    assert "制造创新所" in out


def test_console_script_help_runs_in_a_fresh_process() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "miikg.cli", "--help"], capture_output=True, text=True, check=True
    )
    for command in (
        "build",
        "validate",
        "stats",
        "describe",
        "query",
        "queries",
        "sparql",
        "table",
    ):
        assert command in done.stdout


def test_sparql_select_from_a_file_as_csv(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = FIXTURES / "institute-labels.rq"
    code, out, _ = _run(capsys, "--store", str(home), "sparql", "-f", str(query), "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["label"] for r in rows} >= {"美国增材制造创新所", "生物制造和设计创新所"}
    assert len({r["institute"] for r in rows}) == len(rows)


def test_sparql_ask_and_describe_as_text(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ask = (FIXTURES / "ask-institute.rq").read_text(encoding="utf-8")
    code, out, _ = _run(capsys, "--store", str(home), "sparql", ask, "--format", "json")
    assert code == 0
    assert json.loads(out) == [{"ask": "true"}]
    describe = str(FIXTURES / "describe-jdmtp.rq")
    for fmt, parse_as in (("turtle", "turtle"), ("ntriples", "nt"), ("json-ld", "json-ld")):
        code, out, _ = _run(capsys, "--store", str(home), "sparql", "-f", describe, "--format", fmt)
        assert code == 0
        graph = rdflib.Graph().parse(data=out, format=parse_as)
        jdmtp = rdflib.URIRef("https://w3id.org/miikg/id/organization/jdmtp")
        assert len(graph) > 0 and set(graph.subjects()) == {jdmtp}, fmt


def test_sparql_syntax_error_shows_line_and_column(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = str(FIXTURES / "broken.rq")
    code, out, err = _run(capsys, "--store", str(home), "--lang", "zh", "sparql", "-f", broken)
    assert code == 1
    assert not out
    assert err.startswith("miikg: 错误: SPARQL 语法错误，第 4 行第 1 列")
    assert err.splitlines()[-2:] == ["  }", "  ^"]


def test_sparql_graph_formats_are_for_graphs_only(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = str(FIXTURES / "institute-labels.rq")
    with pytest.raises(SystemExit, match="CONSTRUCT and DESCRIBE"):
        main(["--store", str(home), "sparql", "-f", query, "--format", "turtle"])


def test_table_2_in_chinese_as_markdown(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "--store", str(home), "table", "2", "--lang", "zh", "--format", "markdown"
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "**表 2　美国国防部制造创新所布局**"
    assert lines[2] == "| 名称 | 成立时间 | 组织者 | 位置 | 使命 |"
    # The paper's cell stays, marked with a note that gives the public record's claim.
    aim = [line for line in lines if line.startswith("| 美国集成光子学制造创新所（AIM Photonics）")]
    assert len(aim) == 1 and aim[0].startswith(
        "| 美国集成光子学制造创新所（AIM Photonics） | 2015 年 7 月 |"
    )
    mark = re.search(r"\| 加利福尼亚州 \[(\d+)\] \|", aim[0])
    assert mark is not None
    note = next(line for line in lines if line.startswith(f"[{mark[1]}] "))
    assert note.startswith(f"[{mark[1]}] 公开记录为：纽约州（")
    assert "《民主党人与纪事报》" in note


def test_table_3_as_csv_keeps_the_lines_of_a_cell(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "--store", str(home), "table", "3", "--format", "csv")
    assert code == 0
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert header == ["Funder", "Institute activity", "Institute revenue sources"]
    assert len(rows) == 3
    assert rows[2][2].splitlines()[0] == "Direct labour and overhead (if on the team);"


def test_lang_may_follow_the_command(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--store", str(home), "query", "stages", "--lang", "zh")
    assert code == 0
    assert "试验发展阶段" in out
    code, out, _ = _run(capsys, "--store", str(home), "--lang", "zh", "queries", "--lang", "en")
    assert code == 0
    assert "What connects two entities" in out
    assert "-p a=…  the first entity" in out


def test_table_2_is_text_for_the_terminal_by_default(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    code, out, _ = _run(capsys, "--store", str(home), "table", "2", "--lang", "zh")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "表 2　美国国防部制造创新所布局"
    assert "|" not in out and lines[3].startswith("─")
    # An English name inside a Chinese cell breaks between words, never inside one.
    words = set(re.findall(r"[A-Za-z]+", out))
    assert {"America", "Makes", "Photonics", "NextFlex", "BioFabUSA"} <= words
    assert not words & {"Amer", "ica", "Photon", "Next", "Flex"}
