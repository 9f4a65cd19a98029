"""The ``export`` command: one format to a file, or ``--all`` formats to a release folder.

``miikg.cli`` calls :func:`add_commands` with its sub-parsers; the format choices come
from :data:`miikg.exports.registry.EXPORTERS`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from miikg.engine import add_endpoint_options, endpoint_from_args
from miikg.exports.registry import EXPORTERS, NETWORK_FORMATS

__all__ = ["add_commands"]

_WORDS = {
    "en": {
        "wrote": "Wrote {path}",
        "release": "Wrote {n} formats to {path} (checksums: {sums})",
        "diff": "Changes since {previous}: {path}",
        "previous": "--previous goes with --all",
        "network": "--view and --lang go with one network format, not with --all",
        "not_network": "--view and --lang apply to {formats} only, not to {name}",
    },
    "zh": {
        "wrote": "已写出 {path}",
        "release": "已将 {n} 种格式写入 {path}（校验和：{sums}）",
        "diff": "相对 {previous} 的变更：{path}",
        "previous": "--previous 只能与 --all 一起使用",
        "network": "--view 和 --lang 只能与单一网络格式一起使用，不能与 --all 一起使用",
        "not_network": "--view 和 --lang 只适用于 {formats}，不适用于 {name}",
    },
}


def _cmd_export(args: argparse.Namespace) -> int:
    from miikg.exports.export_api import export, export_all
    from miikg.exports.registry import ExportError

    words = _WORDS[args.lang]
    lang = args.sub_lang or args.lang
    if args.all and (args.view is not None or args.sub_lang is not None):
        raise ExportError(_WORDS["en"]["network"], zh=_WORDS["zh"]["network"])
    if args.all:
        release = export_all(
            args.output, store=args.store, endpoint=endpoint_from_args(args), previous=args.previous
        )
        print(words["release"].format(n=len(release.files), path=release.folder,
                                      sums=release.checksums))  # fmt: skip
        if release.diff is not None:
            print(words["diff"].format(previous=args.previous, path=release.folder / "CHANGES.md"))
            print(release.diff.text().split("\n\n", 1)[1].split("\n\n", 1)[0])
        return 0
    if args.previous is not None:
        raise ExportError(_WORDS["en"]["previous"], zh=_WORDS["zh"]["previous"])
    if (args.view, args.sub_lang) != (None, None) and args.format not in NETWORK_FORMATS:
        formats = ", ".join(NETWORK_FORMATS)
        raise ExportError(
            _WORDS["en"]["not_network"].format(formats=formats, name=args.format),
            zh=_WORDS["zh"]["not_network"].format(formats="、".join(NETWORK_FORMATS),
                                                  name=args.format),
        )  # fmt: skip
    path = export(
        args.format,
        args.output,
        store=args.store,
        endpoint=endpoint_from_args(args),
        view=args.view or "all",
        lang=lang,
    )
    print(words["wrote"].format(path=path))
    return 0


def add_commands(sub: Any) -> None:
    """Register ``export`` (``--format F -o PATH`` or ``--all -o DIR [--previous DIR]``)."""
    p = sub.add_parser(
        "export",
        help="write the graph in a standard format, or a release folder with --all "
        "(导出标准格式，或用 --all 生成发布目录)",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--format",
        choices=tuple(EXPORTERS),
        default=None,
        help="one format: " + ", ".join(f"{e.name} ({e.description})" for e in EXPORTERS.values()),
    )
    which.add_argument(
        "--all", action="store_true", help="every format, SHA256SUMS and a diff (全部格式)"
    )
    p.add_argument(
        "-o", "--output", type=Path, required=True,
        help="file (a folder for neo4j and --all) to write (输出路径)",
    )  # fmt: skip
    p.add_argument(
        "--view", choices=("governance", "agreements", "chain", "membership", "network", "all"),
        default=None,
        help="network formats (" + ", ".join(NETWORK_FORMATS) + "): the view to export "
        "(default: all) (网络格式导出的视图)",
    )  # fmt: skip
    p.add_argument(
        "--lang", dest="sub_lang", choices=("en", "zh"), default=None,
        help="network formats: the language of each node's and edge's label "
        "(default: the global --lang) (网络格式中标签的语言)",
    )  # fmt: skip
    p.add_argument(
        "--previous", type=Path, default=None,
        help="with --all: a previous release folder to diff against (上一版发布目录)",
    )  # fmt: skip
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_export)
