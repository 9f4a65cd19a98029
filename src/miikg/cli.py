"""The ``miikg`` command: parse, make one api call, format. Heavy imports stay inside commands."""

from __future__ import annotations

import argparse
import csv
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
    from miikg.queries.run import QueryResult

__all__ = ["main"]

LANG_ENV = "MIIKG_LANG"

_UI = {
    "en": {
        "built": "Built {path}",
        "valid": "Validation: the graph conforms to every SHACL shape.",
        "no_match": "nothing matches {term!r}; try an id such as america-makes or a name",
        "rows": "{n} row(s)",
        "error": "error",
    },
    "zh": {
        "built": "已构建 {path}",
        "valid": "校验：图谱符合全部 SHACL 约束。",
        "no_match": "没有与 {term!r} 匹配的实体；请用 id（如 america-makes）或名称",
        "rows": "{n} 行",
        "error": "错误",
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

        rows = [[curie(c) if c.startswith(("http://", "https://")) else c for c in r]
                for r in rows]
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

    for name, named in catalogue().items():
        title = named.title.get(args.lang, name)
        params = " ".join(f"-p {p.name}=…" for p in named.params if p.name != "lang")
        print(f"{name:22s} {title}" + (f"   ({params})" if params else ""))
    return 0


def _cmd_query(args: argparse.Namespace) -> int:
    from miikg import api

    result = api.query(args.name, store=args.store, lang=args.lang, **_params(args.param))
    print(format_result(result, args.format))
    if args.format == "table":
        print(_UI[args.lang]["rows"].format(n=len(result)), file=sys.stderr)
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
        help="folder of builds to use (default: $MIIKG_HOME or the per-user data folder)",
    )
    parser.add_argument(
        "--lang",
        choices=("en", "zh"),
        default=os.environ.get(LANG_ENV, "en")
        if os.environ.get(LANG_ENV) in {"en", "zh"}
        else "en",
        help="language of labels and messages (default: en, or $MIIKG_LANG)",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", help="load, validate and build the graph and its store")
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder of curated YAML files (default: the bundled data)",
    )
    p.add_argument(
        "--out", type=Path, default=None, help="folder of builds to write (default: as --store)"
    )
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("validate", help="check the curated data against the SHACL shapes")
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help="folder of curated YAML files (default: the bundled data)",
    )
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("stats", help="count what the current build holds")
    p.set_defaults(func=_cmd_stats)

    p = sub.add_parser("describe", help="every fact about an entity, with its sources")
    p.add_argument("term", help="an id (america-makes), a name in en or zh, or an IRI")
    p.set_defaults(func=_cmd_describe)

    p = sub.add_parser("queries", help="list the named queries")
    p.set_defaults(func=_cmd_queries)

    p = sub.add_parser("query", help="run a named query")
    p.add_argument("name", help="the query's name (see `miikg queries`)")
    p.add_argument(
        "-p",
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter, bound as an RDF term",
    )
    p.add_argument("--format", choices=("table", "csv", "tsv", "json", "markdown"), default="table")
    p.set_defaults(func=_cmd_query)
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
