"""The ``site`` command: the static site of the current build, written to a folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from miikg.engine import add_endpoint_options, endpoint_from_args

__all__ = ["add_commands"]

_WORDS = {
    "en": {
        "wrote": "Wrote {path}: {entities} entities, {files} files, {size:.1f} MB "
        "in {seconds:.1f} s",
        "pages": "pages: {pages}",
    },
    "zh": {
        "wrote": "已写出 {path}：{entities} 个实体，{files} 个文件，{size:.1f} MB，"
        "用时 {seconds:.1f} 秒",
        "pages": "页面：{pages}",
    },
}


def _cmd_site(args: argparse.Namespace) -> int:
    from miikg.exports.site import write_site
    from miikg.graph_builder.store import pin_build

    remote = endpoint_from_args(args)
    source = remote if remote is not None else pin_build(args.store)
    site = write_site(source, args.output, url=args.url)
    words = _WORDS[args.lang]
    print(
        words["wrote"].format(
            path=site.folder,
            entities=site.entities,
            files=site.files,
            size=site.bytes / 1e6,
            seconds=site.seconds,
        )
    )
    pages = ", ".join(f"{kind} {n}" for kind, n in sorted(site.pages.items()))
    print(words["pages"].format(pages=pages))
    return 0


def add_commands(sub: Any) -> None:
    """Register ``site`` on *sub*, the subparsers of ``miikg``'s parser."""
    from miikg.ontology.namespaces import BASE

    p = sub.add_parser(
        "site",
        help="write the graph as a static website: a page per entity in en and zh, queries, "
        "explorer, downloads, search (将图谱写成静态网站)",
    )
    p.add_argument("-o", "--output", type=Path, required=True, help="the site's folder (网站目录)")
    p.add_argument(
        "--url",
        default=BASE,
        help=f"where the site will be published, for sitemap.xml (default: {BASE}) "
        "(网站发布地址，用于 sitemap.xml)",
    )
    add_endpoint_options(p)
    p.set_defaults(func=_cmd_site)
