"""The ``miikg`` command: parse, make one api call, format. Heavy imports stay inside commands."""

from __future__ import annotations

import argparse
import functools
import logging
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, NoReturn

from miikg.engine import add_endpoint_options, endpoint_from_args
from miikg.terminal import ROW_FORMATS, format_result, terminal_width

if TYPE_CHECKING:
    from miikg.queries.run import SparqlResult

__all__ = ["main"]

LANG_ENV = "MIIKG_LANG"
LANGUAGES = ("en", "zh")

_UI = {
    "en": {
        "built": "Built {path}",
        "valid": "Validation: the graph conforms to every SHACL shape.",
        "rows": "{n} row(s)",
        "error": "error",
        "triples": "{n} triple(s)",
        "no_query": "give a query, or -f FILE",
        "graph_format": "a CONSTRUCT or DESCRIBE result is written as turtle, ntriples or json-ld",
        "rows_format": "--format {fmt} is for CONSTRUCT and DESCRIBE results",
        "interrupted": "interrupted; nothing was written",
        "cannot_read": "cannot read {file}: {reason}",
        "os_error": "{reason}: {file}",
        "bad_param": "-p expects name=value, got {pair!r}",
        "bad_lang_env": "{env}={value!r} is not a language miikg speaks: use en or zh",
        "taken_as": "{text!r} taken as {name} (the closest name)",
        "unknown_table": "no table {name!r}; choose one of {choices}",
    },
    "zh": {
        "built": "已构建 {path}",
        "valid": "校验：图谱符合全部 SHACL 约束。",
        "rows": "{n} 行",
        "error": "错误",
        "triples": "{n} 个三元组",
        "no_query": "请给出查询语句，或用 -f 指定文件",
        "graph_format": "CONSTRUCT 或 DESCRIBE 的结果只能输出为 turtle、ntriples 或 json-ld",
        "rows_format": "--format {fmt} 仅用于 CONSTRUCT 和 DESCRIBE 的结果",
        "interrupted": "已中断；未写入任何内容",
        "cannot_read": "无法读取 {file}：{reason}",
        "os_error": "{reason}：{file}",
        "bad_param": "-p 须为 名称=值 的形式，而不是 {pair!r}",
        "bad_lang_env": "{env}={value!r} 不是 miikg 支持的语言：请用 en 或 zh",
        "taken_as": "已将 {text!r} 视为 {name}（最接近的名称）",
        "unknown_table": "没有表 {name!r}；可选：{choices}",
    },
}
#: argparse's own messages, in Chinese (argparse writes them in English).
_ARGPARSE_ZH = (
    (re.compile(r"^argument (.+?): invalid choice: (.+?) \(choose from (.+)\)$"),
     "参数 {0}：无效的选项 {1}（可选：{2}）"),
    (re.compile(r"^the following arguments are required: (.+)$"), "缺少必需的参数：{0}"),
    (re.compile(r"^unrecognized arguments: (.+)$"), "无法识别的参数：{0}"),
    (re.compile(r"^argument (.+?): expected one argument$"), "参数 {0}：需要一个值"),
    (re.compile(r"^argument (.+?): invalid (\w+) value: (.+)$"), "参数 {0}：{2} 不是有效的{1}"),
    (re.compile(r"^argument (.+?): (.+)$"), "参数 {0}：{1}"),
)  # fmt: skip


#: The value types of argparse's "invalid <type> value" (a type function's name), in Chinese.
_TYPE_ZH = {"int": "整数", "float": "数值", "port": "端口号（0 到 65535）", "Path": "路径"}


class UsageError(SystemExit):
    """A command line argparse refuses; the message is argparse's, in English.

    A ``SystemExit``, as argparse's own error is, for a caller of ``parse_args``;
    :func:`main` turns it into one line in the chosen language and exit code 2.
    """


class _LogFormatter(logging.Formatter):
    """Log lines in the chosen language: a record's ``zh`` (given as ``extra``) in zh."""

    _LEVELS_ZH: ClassVar[dict[str, str]] = {
        "DEBUG": "调试", "INFO": "信息", "WARNING": "警告", "ERROR": "错误"
    }  # fmt: skip

    def __init__(self, lang: str) -> None:
        super().__init__("%(levelname)s %(name)s: %(message)s")
        self.lang = lang

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)  # also fills record.exc_text
        if self.lang != "zh":
            return text
        level = self._LEVELS_ZH.get(record.levelname, record.levelname)
        text = f"{level} {record.name}：{getattr(record, 'zh', None) or record.getMessage()}"
        return text + (f"\n{record.exc_text}" if record.exc_text else "")


def _log_to_stderr(lang: str, *, debug: bool) -> None:
    """Send log records to stderr in *lang*, as ``logging.basicConfig`` would.

    As basicConfig, leave a root logger that has handlers of its own alone; one set up by
    an earlier call in this process (:func:`main` run twice) takes the new language.
    """
    root = logging.getLogger()
    ours: list[logging.Handler] = [
        h for h in root.handlers if isinstance(h.formatter, _LogFormatter)
    ]
    if root.handlers and not ours:
        return
    if not ours:
        ours = [logging.StreamHandler()]
        root.addHandler(ours[0])
    for handler in ours:
        handler.setFormatter(_LogFormatter(lang))
    root.setLevel(logging.DEBUG if debug else logging.WARNING)


class _Parser(argparse.ArgumentParser):
    """An argument parser that reports a mistake as one line, not usage plus a message."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def _usage_text(message: str, lang: str) -> str:
    choice = re.match(r"^argument (.+?): invalid choice: '?([^' ]+)'?", message)
    hint = ""
    if choice:
        from miikg.resolve import suggest

        options = re.findall(r"'([^']+)'", message.split("choose from", 1)[-1])
        close = suggest(choice[2], options)
        if close:
            hint = (
                f" (did you mean: {', '.join(close)}?)"
                if lang == "en"
                else f"（您是否要找：{'、'.join(close)}？）"
            )
    if lang == "zh":
        for pattern, template in _ARGPARSE_ZH:
            if match := pattern.match(message):
                groups = [_TYPE_ZH.get(g, g) for g in match.groups()]
                return template.format(*groups) + hint
    return message + hint


def _lang_of(argv: Sequence[str]) -> str:
    """Return the language asked for: the last valid ``--lang`` in *argv*, else $MIIKG_LANG.

    :raises UsageError: $MIIKG_LANG is set to something else than en or zh (and no
        ``--lang`` overrides it).
    """
    chosen = None
    for i, arg in enumerate(argv):
        value = arg.partition("=")[2] if arg.startswith("--lang=") else None
        if arg == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        if value in LANGUAGES:
            chosen = value
    if chosen:
        return chosen
    env = os.environ.get(LANG_ENV, "")
    if env and env not in LANGUAGES:
        raise UsageError(_UI["en"]["bad_lang_env"].format(env=LANG_ENV, value=env))
    return env or "en"


GRAPH_FORMATS = ("turtle", "ntriples", "json-ld")


def format_sparql(result: SparqlResult, fmt: str | None, lang: str) -> str:
    """Render an ad-hoc query's result: rows and booleans as rows, triples as RDF text.

    Without *fmt*, rows are a table and triples Turtle.
    """
    import pyoxigraph as ox

    from miikg.ontology.namespaces import PREFIXES
    from miikg.queries.run import GraphResult, QueryResult, Row

    if isinstance(result, GraphResult):
        fmt = fmt or "turtle"
        if fmt not in GRAPH_FORMATS:
            raise SystemExit(f"miikg: {_UI[lang]['graph_format']}")
        rdf_format = {
            "turtle": ox.RdfFormat.TURTLE,
            "ntriples": ox.RdfFormat.N_TRIPLES,
            "json-ld": ox.RdfFormat.JSON_LD,
        }[fmt]
        prefixes = dict(PREFIXES) if fmt != "ntriples" else None
        data = ox.serialize(sorted(result.triples, key=str), format=rdf_format, prefixes=prefixes)
        assert data is not None  # serialize returns the bytes when given no output
        return data.decode("utf-8").rstrip("\n")
    fmt = fmt or "table"
    if fmt in GRAPH_FORMATS:
        raise SystemExit(f"miikg: {_UI[lang]['rows_format'].format(fmt=fmt)}")
    if isinstance(result, bool):
        boolean = ox.Literal(
            "true" if result else "false", datatype=ox.NamedNode(PREFIXES["xsd"] + "boolean")
        )
        result = QueryResult(("ask",), (Row({"ask": boolean}),))
    return format_result(result, fmt, lang=lang, iris=True, width=terminal_width())


def _params(pairs: Sequence[str], lang: str) -> dict[str, str]:
    from miikg.errors import QueryError

    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise QueryError(
                _UI["en"]["bad_param"].format(pair=pair),
                zh=_UI["zh"]["bad_param"].format(pair=pair),
            )
        params[name] = value
    return params


def _cmd_build(args: argparse.Namespace) -> int:
    from miikg import api

    result = api.build(args.data, out=args.out)
    ui = _UI[args.lang]
    print(ui["built"].format(path=result.paths.root))
    print(ui["valid"])
    print(result.summary.text(args.lang))
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    from miikg import api

    report = api.validate(args.data)
    print(report.text(args.lang))
    return 0 if report.conforms else 1


def _cmd_stats(args: argparse.Namespace) -> int:
    from miikg import api

    print(api.stats(store=args.store, endpoint=endpoint_from_args(args)).text(args.lang))
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    from miikg import api

    found = api.describe(
        args.term, store=args.store, endpoint=endpoint_from_args(args), lang=args.lang
    )
    for description in found:
        if description.how == "fuzzy":
            note = _UI[args.lang]["taken_as"].format(text=args.term, name=description.label)
            print(f"miikg: {note}", file=sys.stderr)
    print("\n\n".join(d.text(width=terminal_width()) for d in found))
    return 0


def _cmd_queries(args: argparse.Namespace) -> int:
    from miikg.queries import catalogue
    from miikg.terminal import render_table

    rows = []
    for name, named in catalogue().items():
        text = named.title.get(args.lang, name)
        if args.verbose:
            text += "\n" + named.description.get(args.lang, "")
        for param in named.params:
            if param.name != "lang":
                value = "|".join(param.choices) or "…"
                text += f"\n  -p {param.name}={value}  {param.doc.get(args.lang, '')}"
        rows.append([name, text])
    header = ["query", "title"] if args.lang == "en" else ["查询", "标题"]
    print(render_table(header, rows, width=terminal_width()))
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from miikg import api
    from miikg.queries.run import named_query

    labels = args.format == "table" and not args.iris
    result = api.query(
        args.name,
        store=args.store,
        endpoint=endpoint_from_args(args),
        lang=args.lang,
        labels=labels,
        **_params(args.param, args.lang),
    )
    named = named_query(args.name)
    titles = {v: named.column_title(v, args.lang) for v in result.variables}
    print(
        format_result(
            result, args.format, lang=args.lang, titles=titles, iris=args.iris,
            width=terminal_width(),
        )
    )  # fmt: skip
    if args.format == "table":
        print(_UI[args.lang]["rows"].format(n=len(result)), file=sys.stderr)
    return 0


def _read_query_file(path: Path, lang: str) -> str:
    from miikg.errors import QueryError

    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise QueryError(
            _UI["en"]["cannot_read"].format(file=path, reason=reason),
            zh=_UI["zh"]["cannot_read"].format(file=path, reason=reason),
        ) from None


def _cmd_sparql(args: argparse.Namespace) -> int:
    from miikg import api

    if args.file is not None:
        text = _read_query_file(args.file, args.lang)
    elif args.query is not None:
        text = args.query
    else:
        raise SystemExit(f"miikg: {_UI[args.lang]['no_query']}")
    result = api.sparql(text, store=args.store, endpoint=endpoint_from_args(args))
    print(format_sparql(result, args.format, args.lang))
    if args.format in (None, "table") and not isinstance(result, bool):
        key = "triples" if hasattr(result, "triples") else "rows"
        print(_UI[args.lang][key].format(n=len(result)), file=sys.stderr)
    return 0


def _cmd_prefixes(args: argparse.Namespace) -> int:
    from miikg.ontology.namespaces import PREFIXES
    from miikg.terminal import render_table

    header = ["prefix", "namespace"] if args.lang == "en" else ["前缀", "命名空间"]
    rows = [[f"{p}:", iri] for p, iri in sorted(PREFIXES.items())]
    print(render_table(header, rows, width=terminal_width()))
    return 0


def _cmd_table(args: argparse.Namespace) -> int:
    from miikg import api

    table = api.table(
        args.which, store=args.store, endpoint=endpoint_from_args(args), lang=args.lang
    )
    if args.format == "csv":
        print(table.to_csv(), end="")
    elif args.format == "text":
        print(table.to_text(width=terminal_width()))
    else:
        print(table.to_markdown(), end="")
    return 0


def _parser(lang: str = "en") -> argparse.ArgumentParser:
    from miikg import __version__

    parser = _Parser(
        prog="miikg",
        description="Knowledge graph of the US DoD Manufacturing Innovation Institutes "
        "(美国国防部制造创新所知识图谱).",
    )
    parser.add_argument("--version", action="version", version=f"miikg {__version__}")
    parser.add_argument(
        "--store",
        type=Path,
        default=None,
        help="folder of builds to use (default: $MIIKG_HOME or the per-user data folder) "
        "(构建目录)",
    )
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=lang,
        help="language of labels and messages (default: en, or $MIIKG_LANG) (标签与消息的语言)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks (显示调用栈)")
    # The same option after the command (`miikg query stages --lang zh`); SUPPRESS keeps
    # the global value when it is not given there.
    lang_after = _Parser(add_help=False)
    lang_after.add_argument(
        "--lang",
        choices=("en", "zh"),
        default=argparse.SUPPRESS,
        help="as before the command (同命令前的 --lang)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add = functools.partial(sub.add_parser, parents=[lang_after])

    p = add(
        "build",
        help="load, validate and build the graph and its store (加载、校验并构建图谱及其存储)",
    )
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder of curated YAML files (default: the bundled data) (整理的 YAML 数据目录)",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help="folder of builds to write (default: as --store) (写入构建的目录)",
    )
    p.set_defaults(func=_cmd_build)

    p = add(
        "validate",
        help="check the curated data against the SHACL shapes (按 SHACL 约束校验整理的数据)",
    )
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder of curated YAML files (default: the bundled data) (整理的 YAML 数据目录)",
    )
    p.set_defaults(func=_cmd_validate)

    p = add("stats", help="count what the current build holds (统计当前构建的内容)")
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_stats)

    p = add(
        "describe", help="every fact about an entity, with its sources (某一实体的全部事实及来源)"
    )
    p.add_argument(
        "term", help="an id (america-makes), a name in en or zh, or an IRI (id、中英文名称或 IRI)"
    )
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_describe)

    p = add("queries", help="list the named queries and their parameters (列出命名查询及其参数)")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="show each description too (同时显示说明)"
    )
    p.set_defaults(func=_cmd_queries)

    p = add("query", help="run a named query (运行命名查询)")
    p.add_argument("name", help="the query's name (see `miikg queries`) (查询名称)")
    p.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter, bound as an RDF term (查询参数，按 RDF 项绑定)",
    )
    p.add_argument(
        "--format",
        choices=ROW_FORMATS,
        default="table",
        help="table (labels, fits the terminal) or csv, tsv, json, markdown (full values) "
        "(输出格式：table 为便于阅读的表格，其余保留完整取值)",
    )
    p.add_argument(
        "--iris",
        action="store_true",
        help="in the table, show each IRI column beside its labels (表格中同时显示 IRI 列)",
    )
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_query)

    p = add(
        "sparql",
        help="run an ad-hoc SPARQL query: SELECT, ASK, CONSTRUCT, DESCRIBE (运行临时 SPARQL 查询)",
    )
    p.add_argument("query", nargs="?", help="the query text, or use -f FILE (查询语句)")
    p.add_argument(
        "-f", "--file", type=Path, default=None, help="read the query from FILE (从文件读取查询)"
    )
    p.add_argument(
        "--format",
        choices=ROW_FORMATS + GRAPH_FORMATS,
        default=None,
        help="rows: table, csv, tsv, json, markdown; triples: turtle, ntriples, json-ld "
        "(行结果与三元组结果的输出格式)",
    )
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_sparql)

    p = add(
        "table",
        help="rebuild the paper's Table 1, 2 or 3 or its MRL list from the graph "
        "(由图谱重建论文表 1、2、3 或制造成熟度列表)",
    )
    p.add_argument("which", choices=("1", "2", "3", "mrl"), help="which table (哪张表)")
    p.add_argument(
        "--format",
        choices=("text", "markdown", "csv"),
        default="text",
        help="text (fits the terminal, the default), markdown (for a report) or csv (the "
        "cells only); text and markdown carry the footnotes "
        "(输出格式：text 适合终端宽度（默认），markdown 用于报告，csv 仅含单元格；"
        "text 和 markdown 含脚注)",
    )
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_table)

    p = add(
        "prefixes",
        help="the namespace prefixes miikg uses and `miikg sparql` predeclares "
        "(miikg 使用并在 sparql 命令中预先声明的命名空间前缀)",
    )
    p.set_defaults(func=_cmd_prefixes)

    from miikg.exports.commands import add_commands as add_network_commands
    from miikg.exports.export_commands import add_commands as add_export_commands
    from miikg.exports.mapping_commands import add_commands as add_mapping_commands
    from miikg.exports.mapping_commands import import_group
    from miikg.exports.site_commands import add_commands as add_site_commands
    from miikg.linking.commands import add_commands as add_linking_commands
    from miikg.linking.commands import add_import_subcommands
    from miikg.queries.check_commands import add_commands as add_check_commands
    from miikg.queries.federated.commands import add_commands as add_federated_commands
    from miikg.serve.commands import add_commands as add_serve_commands

    add_serve_commands(sub)
    add_check_commands(sub)
    add_network_commands(sub)
    add_export_commands(sub)
    add_site_commands(sub)
    add_mapping_commands(sub)
    add_import_subcommands(import_group(sub))
    add_linking_commands(sub)
    add_federated_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    A user's mistake is one line on stderr (exit 1, or 2 for a command line argparse
    refuses), in the chosen language; Ctrl-C is one line and exit 130. ``--debug`` shows
    the traceback instead.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in arguments
    lang = "en"
    try:
        lang = _lang_of(arguments)
        args = _parser(lang).parse_args(arguments)
        lang = args.lang
        if args.command == "build" and args.out is None:
            args.out = args.store
        _log_to_stderr(lang, debug=args.debug)
        code: int = args.func(args)
    except UsageError as exc:
        print(f"miikg: {_UI[lang]['error']}: {_usage_text(str(exc), lang)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if debug:
            raise
        print(f"miikg: {_UI[lang]['interrupted']}", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `miikg query … | head`
        # Python would complain again when it flushes stdout on exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:
        from miikg.errors import MiikgError

        if debug or not isinstance(exc, MiikgError | OSError):
            raise
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            message = _UI[lang]["os_error"].format(reason=reason, file=exc.filename or "")
        else:
            message = exc.text(lang)
        print(f"miikg: {_UI[lang]['error']}: {message}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":
    raise SystemExit(main())
