"""What a person sees at a 100-column terminal, in English and Chinese."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rich.cells import cell_len

from miikg.cli import main
from miikg.queries import EXAMPLE_PARAMS, catalogue
from miikg.terminal import render_table, wrap

WIDTH = 100
INSTITUTES = (
    "america-makes",
    "mxd",
    "lift",
    "aim-photonics",
    "nextflex",
    "affoa",
    "biofabusa",
    "arm",
    "biomade",
)
#: (query, lang) for every named query, in both languages where it takes one.
QUERY_CASES = [
    (name, lang)
    for name in sorted(catalogue())
    for lang in (("en", "zh") if catalogue()[name].param("lang") else ("en",))
]


def test_every_query_is_run_in_the_width_test() -> None:
    assert len(catalogue()) == 58
    assert len(QUERY_CASES) == 103


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _header(out: str) -> str:
    """Return the header lines of a table (the lines above its rule)."""
    lines = out.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("─"))
    return "\n".join(lines[:rule])


@pytest.mark.parametrize(("name", "lang"), QUERY_CASES, ids=[f"{n}-{g}" for n, g in QUERY_CASES])
def test_a_named_query_fits_100_columns_with_titles_in_the_language(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    lang: str,
) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    params = [f"-p{k}={v}" for k, v in EXAMPLE_PARAMS.get(name, {}).items()]
    code, out, _ = _cli(capsys, "--store", str(home), "--lang", lang, "query", name, *params)
    assert code == 0
    lines = out.splitlines()
    assert lines, name
    widest = max(cell_len(line) for line in lines)
    assert widest <= WIDTH, (name, lang, widest)
    header = _header(out)
    variables = [
        v for v in catalogue()[name].columns if re.search(rf"(?<![\w-]){re.escape(v)}\b", header)
    ]
    if lang == "zh":
        assert variables == [], f"variable names in the Chinese header of {name}: {variables}"
        assert re.search(r"[\u4e00-\u9fff]", header), header
    # Labels, not IRIs: no full IRI in a table cell.
    assert "https://w3id.org/miikg/" not in out


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("institute", INSTITUTES)
def test_describe_of_each_institute_fits_100_columns(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    institute: str,
    lang: str,
) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    code, out, _ = _cli(capsys, "--store", str(home), "--lang", lang, "describe", institute)
    assert code == 0
    assert max(cell_len(line) for line in out.splitlines()) <= WIDTH
    notes = re.findall(r"^  \[(\d+)\] ", out, flags=re.MULTILINE)
    assert notes == [str(n) for n in range(1, len(notes) + 1)], "notes numbered 1, 2, …"
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", out.split("\n\n")[0])}
    assert cited == set(range(1, len(notes) + 1)), "every note is cited, every citation noted"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    "argv",
    [
        ("queries", "-v"),
        ("table", "1", "--format", "text"),
        ("table", "2", "--format", "text"),
        ("table", "3", "--format", "text"),
        ("table", "mrl", "--format", "text"),
        ("prefixes",),
        ("stats",),
    ],
    ids=lambda a: "-".join(a),
)
def test_other_terminal_outputs_fit_100_columns(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: tuple[str, ...],
    lang: str,
) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    code, out, _ = _cli(capsys, "--store", str(home), "--lang", lang, *argv)
    assert code == 0 and out
    assert max(cell_len(line) for line in out.splitlines()) <= WIDTH


def test_describe_reads_inverse_relations_from_the_entity_side(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _cli(capsys, "--store", str(home), "--lang", "zh", "describe", "TIA")
    assert code == 0
    incoming = out.split("被以下引用：", 1)[1]
    # The establishment phase uses TIAs: "用于：建立阶段", not "合同类型：建立阶段".
    assert re.search(r"^  用于：.*建立阶段", incoming, flags=re.MULTILINE)
    assert "合同类型：建立阶段" not in out
    code, out, _ = _cli(capsys, "--store", str(home), "describe", "TIA")
    assert re.search(r"^  used in: .*Establishment phase", out, flags=re.MULTILINE)


def test_describe_marks_a_disputed_fact(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _cli(capsys, "--store", str(home), "describe", "biomade-award-2020")
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("  contract instrument: "))
    assert "Cooperative agreement (CA) (disputed)" in line


def test_the_table_shows_labels_and_iris_on_request(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    code, out, _ = _cli(capsys, "--store", str(home), "query", "coordination")
    assert code == 0
    assert "coordinates" in out and "miikg:coordinates" not in out
    monkeypatch.delenv("COLUMNS")  # unwrapped, so a CURIE stays on one line
    code, out, _ = _cli(capsys, "--store", str(home), "query", "coordination", "--iris")
    assert "miikg:coordinates" in out and "mid:organization/jdmtp" in out
    code, out, _ = _cli(capsys, "--store", str(home), "--lang", "zh", "query", "coordination")
    assert "协调" in out and "miikg:coordinates" not in out


def test_cells_wrap_at_spaces_and_between_chinese_characters() -> None:
    table = render_table(["名称", "说明"], [["甲", "公开记录为纽约州 " * 6]], width=30)
    assert max(cell_len(line) for line in table.splitlines()) <= 30
    assert wrap("公开记录为纽约州", 10, hanging=0).splitlines() == ["公开记录为", "纽约州"]
    assert wrap("an IRI https://w3id.org/miikg/id/institute/aim-photonics", 20).count("\n") >= 2
