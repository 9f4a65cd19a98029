"""The ``miikg`` command: parse, make one api call, format. Heavy imports stay inside commands."""

from __future__ import annotations

import argparse
import csv
import functools
import io
import json
import logging
import os
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from miikg.queries.run import QueryResult, SparqlResult

__all__ = ["main"]

LANG_ENV = "MIIKG_LANG"

_UI = {
    "en": {
        "built": "Built {path}",
        "valid": "Validation: the graph conforms to every SHACL shape.",
        "no_match": "nothing matches {term!r}; try an id such as america-makes or a name",
        "rows": "{n} row(s)",
        "error": "error",
        "triples": "{n} triple(s)",
        "no_query": "give a query, or -f FILE",
        "graph_format": "a CONSTRUCT or DESCRIBE result is written as turtle, ntriples or json-ld",
        "rows_format": "--format {fmt} is for CONSTRUCT and DESCRIBE results",
    },
    "zh": {
        "built": "已构建 {path}",
        "valid": "校验：图谱符合全部 SHACL 约束。",
        "no_match": "没有与 {term!r} 匹配的实体；请用 id（如 america-makes）或名称",
        "rows": "{n} 行",
        "error": "错误",
        "triples": "{n} 个三元组",
        "no_query": "请给出查询语句，或用 -f 指定文件",
        "graph_format": "CONSTRUCT 或 DESCRIBE 的结果只能输出为 turtle、ntriples 或 json-ld",
        "rows_format": "--format {fmt} 仅用于 CONSTRUCT 和 DESCRIBE 的结果",
    },
}


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_result(result: QueryResult, fmt: str) -> str:
    """Render query rows as an aligned table, CSV, TSV, JSON or Markdown."""
    header = list(result.variables)
    rows = [[row.text(v) for v in header] for row in result]
    if fmt in {"table", "markdown"}:
        from miikg.report import curie

        rows = [[curie(c) if c.startswith(("http://", "https://")) else c for c in r] for r in rows]
    if fmt == "json":
        return json.dumps(
            [dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False, indent=2
        )
    if fmt in {"csv", "tsv"}:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    if fmt == "markdown":
        esc = [[c.replace("|", "\\|").replace("\n", " ") for c in r] for r in rows]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in esc]
        return "\n".join(lines)
    widths = [max([_width(h)] + [_width(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


ROW_FORMATS = ("table", "csv", "tsv", "json", "markdown")
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
    return format_result(result, fmt)


def _params(pairs: Sequence[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise SystemExit(f"miikg: -p expects name=value, got {pair!r}")
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

    print(api.stats(store=args.store).text(args.lang))
    return 0


def _cmd_describe(args: argparse.Namespace) -> int:
    from miikg import api

    found = api.describe(args.term, store=args.store, lang=args.lang)
    if not found:
        print(_UI[args.lang]["no_match"].format(term=args.term), file=sys.stderr)
        return 1
    print("\n\n".join(d.text() for d in found))
    return 0


def _cmd_queries(args: argparse.Namespace) -> int:
    from miikg.queries import catalogue

    queries = catalogue()
    width = max(map(len, queries))
    for name, named in queries.items():
        title = named.title.get(args.lang, name)
        print(f"{name:{width}s}  {title}")
        if args.verbose:
            print(f"{'':{width}s}  {named.description.get(args.lang, '')}")
        for param in named.params:
            if param.name != "lang":
                print(f"{'':{width}s}    -p {param.name}=…  {param.doc.get(args.lang, '')}")
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from miikg import api

    result = api.query(args.name, store=args.store, lang=args.lang, **_params(args.param))
    print(format_result(result, args.format))
    if args.format == "table":
        print(_UI[args.lang]["rows"].format(n=len(result)), file=sys.stderr)
    return 0


def _cmd_sparql(args: argparse.Namespace) -> int:
    from miikg import api

    if args.file is not None:
        text = args.file.read_text(encoding="utf-8")
    elif args.query is not None:
        text = args.query
    else:
        raise SystemExit(f"miikg: {_UI[args.lang]['no_query']}")
    result = api.sparql(text, store=args.store)
    print(format_sparql(result, args.format, args.lang))
    if args.format in (None, "table") and not isinstance(result, bool):
        key = "triples" if hasattr(result, "triples") else "rows"
        print(_UI[args.lang][key].format(n=len(result)), file=sys.stderr)
    return 0


def _cmd_table(args: argparse.Namespace) -> int:
    from miikg import api

    table = api.table(args.which, store=args.store, lang=args.lang)
    print(table.to_csv() if args.format == "csv" else table.to_markdown(), end="")
    return 0


def _parser() -> argparse.ArgumentParser:
    from miikg import __version__

    parser = argparse.ArgumentParser(
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
        choices=("en", "zh"),
        default=os.environ.get(LANG_ENV, "en")
        if os.environ.get(LANG_ENV) in {"en", "zh"}
        else "en",
        help="language of labels and messages (default: en, or $MIIKG_LANG) (标签与消息的语言)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks (显示调用栈)")
    # The same option after the command (`miikg query stages --lang zh`); SUPPRESS keeps
    # the global value when it is not given there.
    lang_after = argparse.ArgumentParser(add_help=False)
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
    p.set_defaults(func=_cmd_stats)

    p = add(
        "describe", help="every fact about an entity, with its sources (某一实体的全部事实及来源)"
    )
    p.add_argument(
        "term", help="an id (america-makes), a name in en or zh, or an IRI (id、中英文名称或 IRI)"
    )
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
    p.add_argument("--format", choices=ROW_FORMATS, default="table")
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
    p.set_defaults(func=_cmd_sparql)

    p = add(
        "table",
        help="rebuild the paper's Table 1, 2 or 3 or its MRL list from the graph "
        "(由图谱重建论文表 1、2、3 或制造成熟度列表)",
    )
    p.add_argument("which", choices=("1", "2", "3", "mrl"), help="which table (哪张表)")
    p.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    p.set_defaults(func=_cmd_table)

    from miikg.exports.commands import add_commands as add_network_commands
    from miikg.exports.export_commands import add_commands as add_export_commands
    from miikg.exports.mapping_commands import add_commands as add_mapping_commands
    from miikg.exports.mapping_commands import import_group
    from miikg.exports.site_commands import add_commands as add_site_commands
    from miikg.linking.commands import add_commands as add_linking_commands
    from miikg.linking.commands import add_import_subcommands
    from miikg.queries.federated.commands import add_commands as add_federated_commands
    from miikg.serve.commands import add_commands as add_serve_commands

    add_serve_commands(sub)
    add_network_commands(sub)
    add_export_commands(sub)
    add_site_commands(sub)
    add_mapping_commands(sub)
    add_import_subcommands(import_group(sub))
    add_linking_commands(sub)
    add_federated_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    if args.command == "build" and args.out is None:
        args.out = args.store
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    from miikg.errors import MiikgError, ValidationFailedError

    try:
        code: int = args.func(args)
    except MiikgError as exc:
        if args.debug:
            raise
        message = exc.report.text(args.lang) if isinstance(exc, ValidationFailedError) else exc
        print(f"miikg: {_UI[args.lang]['error']}: {message}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `miikg query … | head`
        return 0
    return code


if __name__ == "__main__":
    raise SystemExit(main())
