"""The command line, as a user types it."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

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
    founding = [line for line in lines if line.strip().startswith("founding date: 2012-08")]
    assert founding and "表 2 / Table 2" in founding[0]
    assert any("Ohio" in line for line in lines)
    assert all(line.rstrip().endswith("]") for line in lines if line.startswith("  "))


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
    for command in ("build", "validate", "stats", "describe", "query", "queries"):
        assert command in done.stdout
