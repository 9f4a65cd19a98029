"""Every error the library raises has its Chinese message: a static check of the source.

Each module of ``src/miikg`` is parsed with :mod:`ast`. Every call that makes an error
(a :class:`~miikg.errors.MiikgError` subclass, or a helper whose return annotation is
one, such as ``file.error`` or ``fail``) must pass ``zh=`` when it accepts it. A class or
helper that takes no ``zh`` builds its Chinese itself: a helper's own calls are checked
here like any other; a class is named in :data:`SELF_TRANSLATING` and checked below.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from dataclasses import dataclass
from pathlib import Path

import pytest

import miikg
from miikg.errors import MiikgError

SRC = Path(miikg.__file__).parent

#: Error classes whose constructor takes no ``zh`` because it makes its Chinese itself.
SELF_TRANSLATING = {
    # text(lang) is the SHACL report's text in that language.
    "ValidationFailedError",
    # Built from an HTTP status; caught inside push (the default graph then goes to a
    # named graph), but its message is in both languages all the same.
    "_DefaultRefusedError",
}

#: Calls that make an error without ``zh=`` and can never reach a user. Empty: keep it so.
ALLOWLIST: dict[str, str] = {}


def _error_classes() -> dict[str, type[MiikgError]]:
    """Import every module of the package; return every MiikgError subclass by name."""
    for module in pkgutil.walk_packages([str(SRC)], prefix="miikg."):
        importlib.import_module(module.name)
    found: dict[str, type[MiikgError]] = {}
    todo: list[type[MiikgError]] = [MiikgError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo.extend(cls.__subclasses__())
    return found


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "ImportFileError"
        return node.value
    return None


@dataclass(frozen=True)
class Site:
    """One call that makes an error."""

    where: str
    callee: str
    call: ast.Call

    def keyword(self, name: str) -> ast.expr | None:
        return next((k.value for k in self.call.keywords if k.arg == name), None)


def _modules() -> list[tuple[str, ast.Module]]:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 75, files  # the whole package, not a stray folder
    return [(str(f.relative_to(SRC.parent)), ast.parse(f.read_text("utf-8"))) for f in files]


def _factories(
    modules: list[tuple[str, ast.Module]], classes: dict[str, type[MiikgError]]
) -> dict[str, bool]:
    """Return the helpers that return an error, and whether each takes ``zh``."""
    found: dict[str, bool] = {}
    for _, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.returns is not None:
                returned = _name(node.returns)
                if returned in classes:
                    args = node.args
                    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
                    found[node.name] = "zh" in names
    return found


def _takes_zh(cls: type[MiikgError]) -> bool:
    return "zh" in inspect.signature(cls.__init__).parameters


@pytest.fixture(scope="module")
def sites() -> tuple[list[Site], dict[str, type[MiikgError]]]:
    classes = _error_classes()
    modules = _modules()
    factories = _factories(modules, classes)
    found = []
    for path, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                callee = _name(node.func)
                if callee in classes or callee in factories:
                    found.append(Site(f"{path}:{node.lineno}", callee, node))
    return found, classes


def test_every_error_has_its_chinese(sites: tuple[list[Site], dict[str, type[MiikgError]]]) -> None:
    found, classes = sites
    factories = _factories(_modules(), classes)
    # Counted when this test was written: 186 calls make an error (raise sites, helpers'
    # own constructions and the calls of helpers such as file.error); a drop far below
    # means the walk found less than the package.
    assert len(found) >= 180, len(found)
    assert {s.callee for s in found} >= {"DataError", "ImportFileError", "QueryRefusedError",
                                         "PushError", "error", "fail"}  # fmt: skip
    missing = []
    for site in found:
        if site.where in ALLOWLIST:
            continue
        takes_zh = (
            _takes_zh(classes[site.callee]) if site.callee in classes else factories[site.callee]
        )
        if takes_zh and site.keyword("zh") is None:
            missing.append(f"{site.where}: {site.callee}(...) without zh=")
        if not takes_zh and site.callee in classes:
            assert site.callee in SELF_TRANSLATING, site.where
    assert missing == []


def test_self_translating_errors_say_it_in_chinese() -> None:
    classes = _error_classes()
    assert {n for n, c in classes.items() if not _takes_zh(c)} == SELF_TRANSLATING
    refused = classes["_DefaultRefusedError"](503)  # type: ignore[call-arg]
    assert str(refused) == "the default graph is not writable (HTTP 503)"
    assert refused.text("zh") == "默认图不可写入（HTTP 503）"


#: Errors whose first argument is the file they name; the message comes second.
_FILE_FIRST = ("DataError", "ImportFileError", "MappingImportError")


def _has_chinese(node: ast.expr) -> bool:
    """Return whether the literal text of a str or f-string holds Chinese characters."""
    parts = node.values if isinstance(node, ast.JoinedStr) else [node]
    text = "".join(
        p.value for p in parts if isinstance(p, ast.Constant) and isinstance(p.value, str)
    )
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_no_chinese_message_is_the_english_one(
    sites: tuple[list[Site], dict[str, type[MiikgError]]],
) -> None:
    found, _ = sites
    compared = []
    for site in found:
        zh = site.keyword("zh")
        args = site.call.args
        if zh is None or not args:
            continue
        message = args[1] if site.callee in _FILE_FIRST and len(args) > 1 else args[0]
        compared.append(site.where)
        assert ast.unparse(message) != ast.unparse(zh), f"{site.where}: zh= repeats the English"
        if isinstance(zh, ast.Constant | ast.JoinedStr):
            assert _has_chinese(zh), f"{site.where}: zh= holds no Chinese"
    assert len(compared) >= 150, len(compared)


def _pairs(table: ast.Dict) -> dict[str, str]:
    return {
        ast.unparse(k): ast.unparse(v) for k, v in zip(table.keys, table.values, strict=True) if k
    }


def _language_tables() -> list[tuple[str, dict[str, str], dict[str, str]]]:
    """Return the ``{"en": {...}, "zh": {...}}`` message tables of the package's modules."""
    tables = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            keys = [k.value if isinstance(k, ast.Constant) else None for k in node.keys]
            if set(keys) != {"en", "zh"}:
                continue
            en, zh = (node.values[keys.index(lang)] for lang in ("en", "zh"))
            if isinstance(en, ast.Dict) and isinstance(zh, ast.Dict):
                tables.append((f"{path}:{node.lineno}", _pairs(en), _pairs(zh)))
    return tables


def test_message_tables_say_everything_in_both_languages() -> None:
    tables = _language_tables()
    assert len(tables) >= 15, [t[0] for t in tables]
    for where, en, zh in tables:
        assert set(en) == set(zh), where


# -- The command line: whole lines, in en and zh ------------------------------------------

IMPORTING = Path(__file__).parent / "fixtures" / "importing"


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, list[str]]:
    from miikg.cli import main

    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def _free_port() -> int:
    """Return a loopback port nothing listens on (bound, then let go)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# (case, arguments after --store HOME --lang LANG, exit code, line in en, line in zh)
# "{port}" and "{fixtures}" are filled in when the test runs.
LINES = [
    (
        "endpoint-not-listening",
        ["stats", "--endpoint", "http://127.0.0.1:{port}/sparql"],
        1,
        "miikg: error: cannot reach the SPARQL endpoint http://127.0.0.1:{port}/sparql: "
        "[Errno 111] Connection refused",
        "miikg: 错误: 无法连接 SPARQL 端点 http://127.0.0.1:{port}/sparql："
        "[Errno 111] Connection refused",
    ),
    (
        "view-on-a-non-network-format",
        ["export", "--format", "turtle", "-o", "out.ttl", "--view", "governance"],
        1,
        "miikg: error: --view and --lang apply to graphml, gexf, neo4j, cytoscape only, not to "
        "turtle",
        "miikg: 错误: --view 和 --lang 只适用于 graphml、gexf、neo4j、cytoscape，不适用于 turtle",
    ),
    (
        "usaspending-row-rejected",
        ["import", "usaspending", "{fixtures}/usaspending-bad-amount.csv"],
        1,
        "miikg: error: usaspending-bad-amount.csv: row 3, column 'total_obligated_amount': "
        "'lots' is not an amount",
        "miikg: 错误: usaspending-bad-amount.csv：第 3 行，列 'total_obligated_amount'："
        "'lots' 不是金额",
    ),
    (
        "csv-row-rejected",
        [
            "import", "csv", "{fixtures}/partners-bad-date.csv",
            "--mapping", "{fixtures}/partners.mapping.yaml",
        ],
        1,
        "miikg: error: partners-bad-date.csv: row 3, column 'founded': '2018-13-20' is not an "
        "xsd:date",
        "miikg: 错误: partners-bad-date.csv：第 3 行，列 'founded'：'2018-13-20' 不是合法的 "
        "xsd:date 值",
    ),
    (
        "rdf-file-not-parsed",
        ["import", "rdf", "{fixtures}/truncated.ttl"],
        1,
        "miikg: error: truncated.ttl: not valid Turtle: Parser error at line 6 between columns "
        "18 and 26: Unexpected end of file (line 6)",
        # Oxigraph's own words stay as the detail, in a Chinese frame.
        "miikg: 错误: truncated.ttl：不是合法的 Turtle：Parser error at line 6 between columns "
        "18 and 26: Unexpected end of file (line 6)",
    ),
    (
        "serve-port-out-of-range",
        ["serve", "--port", "99999"],
        2,
        "miikg: error: argument --port: invalid port value: '99999'",
        "miikg: 错误: 参数 --port：'99999' 不是有效的端口号（0 到 65535）",
    ),
    (
        "serve-workers-not-a-number",
        ["serve", "--workers", "many"],
        2,
        "miikg: error: argument --workers: invalid int value: 'many'",
        "miikg: 错误: 参数 --workers：'many' 不是有效的整数",
    ),
    (
        "push-without-its-password",
        [
            "push", "--endpoint", "http://127.0.0.1:{port}/store", "--user", "u",
            "--password-env", "MIIKG_TEST_NO_SUCH_VARIABLE",
        ],
        1,
        "miikg: error: the environment variable MIIKG_TEST_NO_SUCH_VARIABLE is not set",
        "miikg: 错误: 环境变量 MIIKG_TEST_NO_SUCH_VARIABLE 未设置",
    ),
    (
        "push-a-graph-the-build-lacks",
        [
            "push", "--endpoint", "http://127.0.0.1:{port}/store",
            "--graph", "https://example.org/no-such-graph", "--quiet",
        ],
        1,
        "miikg: error: the build has no graph <https://example.org/no-such-graph>; give one of "
        "its graph IRIs or 'default'",
        "miikg: 错误: 该构建中没有图 <https://example.org/no-such-graph>；请给出其中某个图的 "
        "IRI，或 'default'",
    ),
]  # fmt: skip


@pytest.fixture(scope="module")
def own_home(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built home: the refused imports and pushes must leave it as it was."""
    import shutil

    target = tmp_path_factory.mktemp("messages") / "home"
    shutil.copytree(home, target)
    return target


def _quads(home: Path) -> set[object]:
    from miikg.graph_builder.store import open_store

    return set(open_store(home))


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(("case", "argv", "code", "en", "zh"), LINES, ids=[c[0] for c in LINES])
def test_a_refusal_is_one_whole_line_in_the_chosen_language(
    own_home: Path,
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
    monkeypatch.delenv("MIIKG_TEST_NO_SUCH_VARIABLE", raising=False)
    fill = {"port": str(_free_port()), "fixtures": str(IMPORTING)}
    before = _quads(own_home)
    got, out, err = _cli(
        capsys, "--store", str(own_home), "--lang", lang, *(a.format(**fill) for a in argv)
    )
    assert (got, out) == (code, "")
    assert err == [(en if lang == "en" else zh).format(**fill)]
    assert _quads(own_home) == before
    assert list(tmp_path.iterdir()) == []  # nothing half-written where the command ran


def test_a_curated_data_error_is_chinese_frame_and_reason(
    data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_copy / "places.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "- id: ohio\n  id: ohio\n", "utf-8")
    line = path.read_text(encoding="utf-8").count("\n")
    argv = ["build", "--data", str(data_copy), "--out", str(tmp_path / "out")]
    where = f"line {line}, column 3"
    for lang, expected in [
        ("en", f"miikg: error: places.yaml: YAML error at {where}: duplicate key 'id'"),
        ("zh", f"miikg: 错误: places.yaml：YAML 错误，第 {line} 行第 3 列：重复的键 'id'"),
    ]:  # fmt: skip
        code, out, err = _cli(capsys, "--lang", lang, *argv)
        assert (code, out, err) == (1, "", [expected])
    assert not (tmp_path / "out").exists()


def test_a_warning_is_logged_in_the_chosen_language(capsys: pytest.CaptureFixture[str]) -> None:
    import logging

    from miikg.cli import _LogFormatter

    record = logging.LogRecord(
        "miikg.serve.push", logging.WARNING, __file__, 1, "%s; retrying in %.1f s",
        ("HTTP 503", 0.5), None,
    )  # fmt: skip
    record.zh = "HTTP 503；0.5 秒后重试"
    assert _LogFormatter("en").format(record) == (
        "WARNING miikg.serve.push: HTTP 503; retrying in 0.5 s"
    )
    assert _LogFormatter("zh").format(record) == "警告 miikg.serve.push：HTTP 503；0.5 秒后重试"
