"""The ``import usaspending|csv|rdf`` sub-commands and ``reconcile``.

``miikg.cli`` calls :func:`add_import_subcommands` with the ``import`` command's
sub-parsers and :func:`add_commands` with its own.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from miikg.linking.usaspending import ImportReport, RowOutcome

__all__ = ["add_commands", "add_import_subcommands"]

_WORDS = {
    "en": {
        "imported": "Imported {n} rows of {file} into <{graph}> ({quads} triples, sha256 {sha}).",
        "imported_rdf": "Imported {file} into <{graph}> ({quads} triples, sha256 {sha}).",
        "unchanged": "{file} (sha256 {sha}) is already imported in <{graph}>: nothing changed.",
        "replaced": "Replaced the earlier import <{graph}> of the same file name.",
        "checked": "Checked {n} rows of {file}; nothing written (--dry-run).",
        "summary": "matched: {matched}, ambiguous: {ambiguous}, unmatched: {unmatched}",
        "matched": "matched",
        "ambiguous": "ambiguous",
        "unmatched": "unmatched",
        "row": "row",
        "none": "(no candidate)",
        "identifier": "identifier",
        "name": "name",
    },
    "zh": {
        "imported": "已将 {file} 的 {n} 行导入 <{graph}>（{quads} 个三元组，sha256 {sha}）。",
        "imported_rdf": "已将 {file} 导入 <{graph}>（{quads} 个三元组，sha256 {sha}）。",
        "unchanged": "{file}（sha256 {sha}）已导入 <{graph}>：没有任何变化。",
        "replaced": "已替换同名文件的先前导入 <{graph}>。",
        "checked": "已检查 {file} 的 {n} 行；未写入任何内容（--dry-run）。",
        "summary": "已匹配：{matched}，有歧义：{ambiguous}，未匹配：{unmatched}",
        "matched": "已匹配",
        "ambiguous": "有歧义",
        "unmatched": "未匹配",
        "row": "行",
        "none": "（无候选）",
        "identifier": "标识符",
        "name": "名称",
    },
}


def _short(iri: str) -> str:
    from miikg.ontology.namespaces import ID

    return "mid:" + iri.removeprefix(ID) if iri.startswith(ID) else iri


def _print_rows(rows: list[RowOutcome], lang: str) -> None:
    words = _WORDS[lang]
    counts = {
        s: sum(r.match.status == s for r in rows) for s in ("matched", "ambiguous", "unmatched")
    }
    print(words["summary"].format(**counts))
    for status in ("matched", "ambiguous", "unmatched"):
        for r in (r for r in rows if r.match.status == status):
            shown = [
                f"{_short(c.entity)} ({words[c.method]} {c.score:.2f}: {c.evidence})"
                for c in (r.match.candidates[:1] if status == "matched" else r.match.candidates[:3])
            ]
            print(
                f"{words[status]}\t{words['row']} {r.row}\t{r.key}\t{r.match.query}\t"
                + ("; ".join(shown) or words["none"])
            )


def _print_import(report: ImportReport, lang: str) -> None:
    words = _WORDS[lang]
    result, sha = report.write, report.sha256[:16]
    if result is None:
        print(words["checked"].format(n=report.data_rows, file=report.file))
    elif result.changed:
        print(words["imported"].format(n=report.data_rows, file=report.file, graph=result.graph,
                                       quads=result.quads, sha=sha))  # fmt: skip
        for old in result.replaced:
            print(words["replaced"].format(graph=old))
    else:
        print(words["unchanged"].format(file=report.file, graph=result.graph, sha=sha))
    _print_rows(list(report.rows), lang)


def _cmd_usaspending(args: argparse.Namespace) -> int:
    from miikg.linking.usaspending import import_usaspending

    report = import_usaspending(args.file, home=args.store, dry_run=args.dry_run)
    _print_import(report, args.lang)
    return 0


def _cmd_csv(args: argparse.Namespace) -> int:
    from miikg.linking.generic import import_csv

    report = import_csv(args.file, args.mapping, home=args.store, dry_run=args.dry_run)
    _print_import(report, args.lang)
    return 0


def _cmd_rdf(args: argparse.Namespace) -> int:
    from miikg.linking.generic import import_rdf

    result = import_rdf(args.file, home=args.store)
    words = _WORDS[args.lang]
    sha = result.graph.rsplit("import-", 1)[-1]  # the graph is named by the file's sha256
    if result.changed:
        print(words["imported_rdf"].format(file=args.file.name, graph=result.graph,
                                           quads=result.quads, sha=sha))  # fmt: skip
        for old in result.replaced:
            print(words["replaced"].format(graph=old))
    else:
        print(words["unchanged"].format(file=args.file.name, graph=result.graph, sha=sha))
    return 0


def _cmd_reconcile(args: argparse.Namespace) -> int:
    from miikg.linking.review import reconcile_csv

    rows = reconcile_csv(
        args.file, home=args.store, name_column=args.name_column, id_columns=args.id_column
    )
    _print_rows(rows, args.lang)
    return 0


def add_import_subcommands(import_sub: Any) -> None:
    """Register ``usaspending``, ``csv`` and ``rdf`` under the ``import`` command."""
    p = import_sub.add_parser(
        "usaspending",
        help="import a USAspending.gov assistance prime-award CSV into its own graph "
        "(导入 USAspending.gov 援助类主奖励 CSV)",
    )
    p.add_argument("file", type=Path, help="the downloaded CSV (下载的 CSV 文件)")
    p.add_argument(
        "--dry-run", action="store_true", help="check and reconcile only (只检查和对齐，不写入)"
    )
    p.set_defaults(func=_cmd_usaspending)

    p = import_sub.add_parser(
        "csv",
        help="import any CSV through a YAML column → property mapping into its own graph "
        "(按 YAML 列映射导入任意 CSV)",
    )
    p.add_argument("file", type=Path, help="a UTF-8 CSV with a header (带表头的 UTF-8 CSV)")
    p.add_argument(
        "--mapping", type=Path, required=True,
        help="YAML: subject {column, template}, optional type, columns (映射文件)",
    )  # fmt: skip
    p.add_argument(
        "--dry-run", action="store_true", help="check and reconcile only (只检查和对齐，不写入)"
    )
    p.set_defaults(func=_cmd_csv)

    p = import_sub.add_parser(
        "rdf",
        help="import any RDF file (.ttl .nt .nq .trig .rdf .jsonld) into its own graph "
        "(导入任意 RDF 文件)",
    )
    p.add_argument(
        "file",
        type=Path,
        help="the RDF file; its extension names the format (RDF 文件，扩展名决定格式)",
    )
    p.set_defaults(func=_cmd_rdf)


def add_commands(sub: Any) -> None:
    """Register ``reconcile FILE``: matched, ambiguous and unmatched rows, nothing imported."""
    p = sub.add_parser(
        "reconcile",
        help="match a CSV's names and identifiers to the graph, without importing "
        "(将 CSV 中的名称和标识符与图谱对齐，不导入)",
    )
    p.add_argument("file", type=Path, help="a UTF-8 CSV with a header (带表头的 UTF-8 CSV)")
    p.add_argument(
        "--name-column", default=None,
        help="column of names (default: recipient_name or name) (名称列)",
    )  # fmt: skip
    p.add_argument(
        "--id-column", action="append", default=None,
        help="an identifier column, tried in order before the name; repeatable "
        "(default: award_id_fain, recipient_uei, uei, qid where present) (标识符列)",
    )  # fmt: skip
    p.set_defaults(func=_cmd_reconcile)
