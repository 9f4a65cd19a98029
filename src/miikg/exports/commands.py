"""The ``network``, ``explore`` and ``figure`` commands, registered on the main parser.

``miikg.cli`` calls :func:`add_commands` with its sub-parsers; each handler takes the
parsed arguments, makes one call to :mod:`miikg.exports.network_api`, and prints.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from miikg.engine import add_endpoint_options, endpoint_from_args

__all__ = ["add_commands"]

VIEW_CHOICES = ("governance", "agreements", "chain", "membership", "network", "all")
_WROTE = {"en": "Wrote {path}", "zh": "已写出 {path}"}
_FALLBACK = {
    "en": "no CJK font found (install fonts-noto-cjk or any CJK font): English labels drawn",
    "zh": "未找到中日韩字体（请安装 fonts-noto-cjk 或任一中日韩字体）：图中使用英文标签",
}


def _lang(args: argparse.Namespace) -> str:
    return str(getattr(args, "sub_lang", None) or args.lang)


def _cmd_stats(args: argparse.Namespace) -> int:
    from miikg.exports.network_api import network_stats

    result = network_stats(
        args.view,
        store=args.store,
        endpoint=endpoint_from_args(args),
        top=args.top,
        sample=args.sample,
    )
    print(result.text(_lang(args)))
    return 0


def _cmd_path(args: argparse.Namespace) -> int:
    from miikg.exports.network_api import network_path

    result = network_path(
        args.start,
        args.end,
        view=args.view,
        store=args.store,
        endpoint=endpoint_from_args(args),
        directed=args.directed,
    )
    print(result.text(_lang(args)))
    return 0 if result.paths else 1


def _cmd_ego(args: argparse.Namespace) -> int:
    from miikg.exports.network_api import network_ego

    result = network_ego(
        args.center,
        depth=args.depth,
        view=args.view,
        store=args.store,
        endpoint=endpoint_from_args(args),
    )
    print(result.text(_lang(args)))
    return 0


def _cmd_explore(args: argparse.Namespace) -> int:
    from miikg.exports.network_api import explore

    lang = _lang(args)
    path = explore(
        args.view, out=args.output, store=args.store, endpoint=endpoint_from_args(args), lang=lang
    )
    print(_WROTE[lang].format(path=path))
    return 0


def _cmd_figure(args: argparse.Namespace) -> int:
    import logging
    import sys

    from miikg.exports.figures import FALLBACK
    from miikg.exports.network_api import figure

    lang = _lang(args)
    # The library logs the fallback in English; the command says it once, in its language.
    quiet = logging.Filter()
    quiet.filter = lambda record: record.getMessage() != FALLBACK  # type: ignore[method-assign]
    logger = logging.getLogger("miikg.exports.figures")
    logger.addFilter(quiet)
    try:
        result = figure(
            args.kind,
            out=args.output,
            store=args.store,
            endpoint=endpoint_from_args(args),
            lang=lang,
            fmt=args.format,
        )
    finally:
        logger.removeFilter(quiet)
    if result.lang != lang:
        print(f"miikg: {_FALLBACK[lang]}", file=sys.stderr)
    print(_WROTE[lang].format(path=result.path))
    return 0


def _view(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--view", choices=VIEW_CHOICES, default=default, help=f"which view (default: {default})"
    )


def _sub_lang(parser: argparse.ArgumentParser) -> None:
    # Its own dest, so an absent option does not overwrite the global --lang.
    parser.add_argument(
        "--lang", dest="sub_lang", choices=("en", "zh"), default=None,
        help="language of labels (default: the global --lang) "
        "(标签语言)",
    )  # fmt: skip


def add_commands(sub: Any) -> None:
    """Register ``network`` (stats, path, ego), ``explore`` and ``figure`` on *sub*."""
    net = sub.add_parser(
        "network", help="network analytics of a view: stats, path, ego (网络分析：统计、路径、邻域)"
    )
    net_sub = net.add_subparsers(dest="network_command", required=True, metavar="ACTION")

    p = net_sub.add_parser(
        "stats", help="degree and betweenness centrality, communities (度中心性、介数中心性与社区)"
    )
    _view(p, "governance")
    _sub_lang(p)
    p.add_argument(
        "--top", type=int, default=10, help="how many central nodes to list (列出的中心节点数)"
    )
    p.add_argument(
        "--sample", type=int, default=None,
        help="pivots for sampled betweenness (default: exact up to 500 nodes, else 32)",
    )  # fmt: skip
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_stats)

    p = net_sub.add_parser(
        "path",
        help="shortest paths between two entities, in words (两实体间的最短路径，以文字叙述)",
    )
    p.add_argument("start", help="an id, a name in en or zh, or an IRI (id、中英文名称或 IRI)")
    p.add_argument("end", help="an id, a name in en or zh, or an IRI (id、中英文名称或 IRI)")
    _view(p, "all")
    _sub_lang(p)
    p.add_argument(
        "--directed",
        action="store_true",
        help="follow relations in their direction (按关系方向查找)",
    )
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_path)

    p = net_sub.add_parser(
        "ego", help="the entities within N hops of one entity (某实体 N 步之内的实体)"
    )
    p.add_argument("center", help="an id, a name in en or zh, or an IRI (id、中英文名称或 IRI)")
    p.add_argument("--depth", type=int, default=1, help="how many hops (default: 1) (步数)")
    _view(p, "all")
    _sub_lang(p)
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_ego)

    p = sub.add_parser(
        "explore",
        help="write the offline interactive explorer (one HTML file) (生成离线交互式浏览页面)",
    )
    _view(p, "governance")
    _sub_lang(p)
    p.add_argument(
        "-o", "--output", type=Path, default=None, help="HTML file to write (要写入的 HTML 文件)"
    )
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_explore)

    p = sub.add_parser(
        "figure", help="draw a figure for print, 16 cm wide (绘制出版用图，宽 16 厘米)"
    )
    p.add_argument(
        "kind", choices=("paper-1", "paper-2", "paper-3", "governance", "chain", "timeline")
    )
    _sub_lang(p)
    p.add_argument("--format", choices=("svg", "pdf", "png"), default=None,
                   help="file format (default: from -o, else svg) "
        "(文件格式)")  # fmt: skip
    p.add_argument("-o", "--output", type=Path, default=None, help="file to write (要写入的文件)")
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_figure)
