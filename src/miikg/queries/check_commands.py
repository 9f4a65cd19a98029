"""The ``check`` command: every named query on the local build and at an endpoint, compared.

``miikg check --endpoint URL`` is what to run after every push: it says which build the
endpoint holds, whether every pushed graph has the size the push gave it, and for each
named query (in each language it takes) whether the endpoint gives the same rows, with
the first difference where it does not. The exit code is 1 when anything differs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from miikg.engine import add_endpoint_options, endpoint_from_args

if TYPE_CHECKING:
    from miikg.queries.check import Comparison
    from miikg.queries.remote import RemoteStore

__all__ = ["add_commands"]

_UI = {
    "en": {
        "holds": "{endpoint} holds build {build} (pushed by miikg {version})",
        "graphs": "{graphs} named graphs; the merged default graph in {merge}",
        "store_default": "the store's default graph",
        "local": "the local build is {build}{same}",
        "same_build": " (the same build)",
        "other_build": " (a different build: expect differences)",
        "sizes_same": "graph sizes: all {graphs} named graphs and the merge as pushed",
        "sizes_differ": "graph sizes differ: {first}",
        "size": "{graph} holds {there} triples, the push wrote {pushed}",
        "same": "same",
        "different": "different",
        "failed": "failed",
        "rows": "{n} row(s)",
        "rows_both": "{here} rows here, {there} there",
        "times": "{here:.3f} s here, {there:.3f} s there",
        "summary": "{same} of {total} answers the same; {differ} differ",
        "no_endpoint": "give --endpoint URL (or set $MIIKG_ENDPOINT): the endpoint to compare "
        "the local build with",
    },
    "zh": {
        "holds": "{endpoint} 中为构建 {build}（由 miikg {version} 推送）",
        "graphs": "{graphs} 个命名图；合并默认图位于 {merge}",
        "store_default": "存储的默认图",
        "local": "本地构建为 {build}{same}",
        "same_build": "（同一构建）",
        "other_build": "（不同的构建：会有差异）",
        "sizes_same": "图的大小：全部 {graphs} 个命名图及合并图均与推送时一致",
        "sizes_differ": "图的大小不一致：{first}",
        "size": "{graph} 中有 {there} 个三元组，推送时为 {pushed} 个",
        "same": "相同",
        "different": "不同",
        "failed": "失败",
        "rows": "{n} 行",
        "rows_both": "本地 {here} 行，端点 {there} 行",
        "times": "本地 {here:.3f} 秒，端点 {there:.3f} 秒",
        "summary": "{total} 个结果中 {same} 个相同，{differ} 个不同",
        "no_endpoint": "请用 --endpoint URL（或设置 $MIIKG_ENDPOINT）给出要与本地构建比较的端点",
    },
}


def _sizes(remote: RemoteStore, ui: dict[str, str]) -> str:
    """Return the first graph whose size at the endpoint differs from the push's ('')."""
    dataset = remote.dataset
    merge, graphs = remote.counts()
    sizes = [(f"<{g}>", graphs.get(g, 0), n) for g, n in sorted(dataset.graphs.items())]
    shown = f"<{dataset.merge}>" if dataset.merge else ui["store_default"]
    sizes.append((shown, merge, dataset.merge_triples))
    for graph, there, pushed in sizes:
        if there != pushed:
            return ui["size"].format(graph=graph, there=there, pushed=pushed)
    return ""


def _pad(text: str, width: int) -> str:
    """Pad *text* to *width* display columns (a Chinese character takes two)."""
    from rich.cells import cell_len

    return text + " " * max(width - cell_len(text), 0)


def _line(result: Comparison, ui: dict[str, str], lang: str) -> str:
    name = _pad(f"{result.query} ({result.lang})", 34)
    if result.error[0]:
        error = result.error[1] if lang == "zh" else result.error[0]
        return f"{_pad(ui['failed'], 10)} {name} {error}"
    if result.same:
        rows = _pad(ui["rows"].format(n=result.here), 10)
        times = ui["times"].format(here=result.seconds_here, there=result.seconds_there)
        return f"{_pad(ui['same'], 10)} {name} {rows} {times}"
    counts = ui["rows_both"].format(here=result.here, there=result.there)
    difference = result.difference[1] if lang == "zh" else result.difference[0]
    return f"{_pad(ui['different'], 10)} {name} {counts}: {difference}"


def _cmd_check(args: argparse.Namespace) -> int:
    from miikg.errors import EndpointError
    from miikg.graph_builder.store import current_build, open_store
    from miikg.queries.check import compare_catalogue

    lang = args.lang
    ui = _UI[lang]
    # $MIIKG_ENDPOINT counts here even with --store: the store is the other side.
    remote = endpoint_from_args(argparse.Namespace(**{**vars(args), "store": None}))
    if remote is None:
        raise EndpointError(_UI["en"]["no_endpoint"], zh=_UI["zh"]["no_endpoint"])
    # The local side is the build --store names (or the default one), never the endpoint.
    store = args.store
    local = current_build(store).root.name
    dataset = remote.dataset
    merge = f"<{dataset.merge}>" if dataset.merge else ui["store_default"]
    version = dataset.version
    print(ui["holds"].format(endpoint=remote.endpoint, build=dataset.build, version=version))
    print(ui["graphs"].format(graphs=len(dataset.graphs), merge=merge))
    same_build = ui["same_build"] if local == dataset.build else ui["other_build"]
    print(ui["local"].format(build=local, same=same_build))
    differ = 0
    first = _sizes(remote, ui)
    if first:
        differ += 1
        print(ui["sizes_differ"].format(first=first))
    else:
        print(ui["sizes_same"].format(graphs=len(dataset.graphs)))
    total = same = 0

    def show(result: Comparison) -> None:
        print(_line(result, ui, lang), flush=True)

    for result in compare_catalogue(open_store(store), remote, names=args.query, progress=show):
        total += 1
        same += result.same
    differ += total - same
    print(ui["summary"].format(same=same, total=total, differ=total - same))
    return 1 if differ else 0


def add_commands(sub: Any) -> None:
    """Register ``check`` on *sub*, the subparsers of ``miikg``'s parser."""
    p = sub.add_parser(
        "check",
        help="run every named query on the local build and at an endpoint a build was pushed "
        "to, and say where the answers differ (比较本地构建与端点上每个命名查询的结果)",
    )
    add_endpoint_options(p)
    p.add_argument(
        "-q",
        "--query",
        action="append",
        default=None,
        metavar="NAME",
        help="only this query (repeatable) (只比较该查询，可重复)",
    )
    p.set_defaults(func=_cmd_check)
