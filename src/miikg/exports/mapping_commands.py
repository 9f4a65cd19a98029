"""The ``import`` command group: ``miikg import mappings FILE.sssom.tsv``.

``miikg.cli`` calls :func:`add_commands` with its sub-parsers. ``import`` is a group of
its own sub-commands, one per kind of input; another module adds its kind with
:func:`import_group` (``import_group(sub).add_parser("csv", …)``).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_commands", "import_group"]

_WORDS = {
    "en": {
        "added": "Imported {n} mapping(s) from {file} into {graph}",
        "same": "{file} is already imported in {graph}: nothing changed",
    },
    "zh": {
        "added": "已从 {file} 导入 {n} 条映射到 {graph}",
        "same": "{file} 已导入 {graph}：未做任何更改",
    },
}


def _cmd_import_mappings(args: argparse.Namespace) -> int:
    from miikg.exports.mapping_import import import_mappings

    done = import_mappings(args.file, store=args.store)
    words = _WORDS[args.lang]
    key = "added" if done.added else "same"
    print(words[key].format(n=done.mappings, file=args.file, graph=done.graph))
    return 0


def import_group(sub: Any) -> Any:
    """Return the sub-parsers of ``import`` under *sub*, adding the command on first use.

    Each importer module calls this, in any order, and adds its own kind.
    """
    existing = sub.choices.get("import")
    if existing is not None:
        # argparse keeps no public handle on a parser's sub-parsers; _actions is it.
        return next(a for a in existing._actions if isinstance(a, argparse._SubParsersAction))
    p = sub.add_parser(
        "import", help="add reviewed data to the current build (向当前构建导入经审核的数据)"
    )
    return p.add_subparsers(dest="import_kind", metavar="KIND", required=True)


def add_commands(sub: Any) -> None:
    """Register ``import mappings FILE``."""
    p = import_group(sub).add_parser(
        "mappings",
        help="add the mappings of an SSSOM TSV file, each import in its own named graph "
        "(导入 SSSOM 映射文件，每次导入一个命名图)",
    )
    p.add_argument("file", type=Path, help="an SSSOM TSV file with its metadata block (映射文件)")
    p.set_defaults(func=_cmd_import_mappings)
