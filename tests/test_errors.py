"""A user's mistake or a Ctrl-C: one line in the chosen language, the right exit code."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from miikg.cli import main


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


# (case, arguments, exit code, first line in en, first line in zh)
CASES = [
    (
        "missing-query-file",
        ["sparql", "-f", "missing.rq"],
        1,
        "miikg: error: cannot read missing.rq: No such file or directory",
        "miikg: 错误: 无法读取 missing.rq：No such file or directory",
    ),
    (
        "update-refused",
        ["sparql", "INSERT DATA { mid:a mid:b mid:c }"],
        1,
        "miikg: error: INSERT is a SPARQL update, and miikg sparql is read-only: it only "
        "queries the current build (change the curated data and run `miikg build`, or use "
        "`miikg import`)",
        "miikg: 错误: INSERT 是 SPARQL 更新操作，而 miikg sparql 只读：它只查询当前构建"
        "（请修改整理的数据后运行 `miikg build`，或使用 `miikg import`）",
    ),
    (
        "undeclared-prefix",
        ["sparql", "SELECT * WHERE { ?s a foo:Bar }"],
        1,
        "miikg: error: undeclared prefix 'foo:' at line 1, column 23: declare it "
        "(PREFIX foo: <…>) or use one of the prefixes `miikg prefixes` lists",
        "miikg: 错误: 第 1 行第 23 列使用了未声明的前缀“foo:”：请先声明（PREFIX foo: <…>），"
        "或使用 `miikg prefixes` 列出的前缀",
    ),
    (
        "misspelt-query",
        ["query", "institues"],
        1,
        "miikg: error: no query named 'institues'; did you mean: institutes, "
        "institute-elements, institute-timeline?",
        "miikg: 错误: 没有名为 'institues' 的查询；您是否要找：institutes、"
        "institute-elements、institute-timeline？",
    ),
    (
        "unknown-parameter",
        ["query", "stages", "-p", "x=1"],
        1,
        "miikg: error: query 'stages' has no parameter 'x' (its parameters: none)",
        "miikg: 错误: 查询 'stages' 没有参数 'x'（其参数：无）",
    ),
    (
        "parameter-without-value",
        ["query", "connections", "-p", "a"],
        1,
        "miikg: error: -p expects name=value, got 'a'",
        "miikg: 错误: -p 须为 名称=值 的形式，而不是 'a'",
    ),
    (
        "nothing-matches",
        ["describe", "qqqzzz"],
        1,
        "miikg: error: nothing matches 'qqqzzz'; try an id such as america-makes, or a name "
        "in en or zh",
        "miikg: 错误: 没有名为“qqqzzz”的实体；请用 id（如 america-makes）或中英文名称",
    ),
    (
        "ambiguous-name",
        ["describe", "Advanced Functional Fabrics of America"],
        1,
        "miikg: error: 'Advanced Functional Fabrics of America' names 2 entities: ",
        "miikg: 错误: “Advanced Functional Fabrics of America”对应 2 个实体：",
    ),
    (
        "misspelt-command",
        ["qeury", "institutes"],
        2,
        "miikg: error: argument COMMAND: invalid choice: 'qeury' (choose from ",
        "miikg: 错误: 参数 COMMAND：无效的选项 'qeury'（可选：",
    ),
    (
        "missing-argument",
        ["describe"],
        2,
        "miikg: error: the following arguments are required: term",
        "miikg: 错误: 缺少必需的参数：term",
    ),
]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("case", "argv", "code", "en", "zh"), CASES, ids=[c[0] for c in CASES])
def test_a_mistake_is_one_line_in_the_chosen_language(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    lang: str,
    case: str,
    argv: list[str],
    code: int,
    en: str,
    zh: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    got, out, err = _cli(capsys, "--store", str(home), "--lang", lang, *argv)
    assert got == code
    assert out == ""
    expected = en if lang == "en" else zh
    if case in {"undeclared-prefix"}:
        assert len(err) == 3  # the line, the query line and a caret under the error
        assert err[1:] == ["  SELECT * WHERE { ?s a foo:Bar }", " " * 24 + "^"]
    else:
        assert len(err) == 1, err
    assert err[0].startswith(expected), err[0]
    if case == "misspelt-command":
        assert err[0].endswith(
            "(did you mean: query?)" if lang == "en" else "（您是否要找：query？）"
        )


def test_a_syntax_error_at_the_end_points_at_the_last_thing_written(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "SELECT ?s\nWHERE {\n  ?s ?p\n}\n"
    code, _, err = _cli(capsys, "--store", str(home), "sparql", text)
    assert code == 1
    assert err[0].startswith("miikg: error: SPARQL syntax error at line 4, column 1: ")
    assert "the query ends before it is complete" in err[0]
    assert err[1:] == ["  }", "  ^"]


def test_sparql_predeclares_the_project_prefixes(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "SELECT ?x WHERE { ?x a miikg:Institute ; miikg:state mid:place\\/ohio }"
    code, out, _ = _cli(capsys, "--store", str(home), "sparql", query, "--format", "csv")
    assert code == 0
    assert out.splitlines() == ["x", "https://w3id.org/miikg/id/institute/america-makes"]
    # The CURIEs miikg prints hold a '/', which SPARQL's prefixed names cannot.
    slashed = query.replace("\\/", "/")
    code, _, err = _cli(capsys, "--store", str(home), "sparql", slashed)
    assert code == 1
    assert err[0] == (
        "miikg: error: 'mid:place/ohio' at line 1, column 54: a prefixed name cannot hold "
        "'/' in SPARQL; write <https://w3id.org/miikg/id/place/ohio> or mid:place\\/ohio"
    )
    code, out, _ = _cli(capsys, "--store", str(home), "prefixes")
    assert code == 0
    assert "mid:" in out and "https://w3id.org/miikg/id/" in out


def test_the_endpoint_page_prefills_the_project_prefixes() -> None:
    from miikg.ontology.namespaces import PREFIXES
    from miikg.serve.query_page import DEFAULT_QUERY

    for prefix, iri in PREFIXES.items():
        assert f"PREFIX {prefix}: <{iri}>\n" in DEFAULT_QUERY


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_unknown_miikg_lang_is_an_error(
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    monkeypatch.setenv("MIIKG_LANG", "fr")
    code, out, err = _cli(capsys, "--store", str(home), "stats")
    assert code == 2 and out == ""
    assert err == ["miikg: error: MIIKG_LANG='fr' is not a language miikg speaks: use en or zh"]
    # An explicit --lang overrides the environment.
    code, out, _ = _cli(capsys, "--store", str(home), "--lang", lang, "stats")
    assert code == 0 and out


def test_ctrl_c_during_a_build_is_one_line_exit_130_and_writes_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "MIIKG_HOME": str(home)}
    subprocess.run(
        [sys.executable, "-m", "miikg.cli", "build"], env=env, check=True, capture_output=True
    )
    before = (home / "CURRENT").read_text()
    builds = sorted(p.name for p in (home / "builds").iterdir())
    process = subprocess.Popen(
        [sys.executable, "-m", "miikg.cli", "--lang", "zh", "build"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Interrupt once the build is writing its temporary folder: the half-written case.
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(".tmp-") for p in (home / "builds").iterdir()):
        assert process.poll() is None, "the build ended before it was interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.splitlines() == ["miikg: 已中断；未写入任何内容"]
    assert out == ""
    assert (home / "CURRENT").read_text() == before
    assert sorted(p.name for p in (home / "builds").iterdir()) == builds
