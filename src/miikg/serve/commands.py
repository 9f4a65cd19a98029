"""The ``miikg serve`` and ``miikg push`` subcommands, registered on the CLI's subparsers."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from miikg.errors import PushError

__all__ = ["add_commands"]

_UI = {
    "en": {
        "serving": "Serving {store} at http://{host}:{port}/ (SPARQL at /sparql); Ctrl-C stops",
        "pushed": "Pushed {graphs} graph(s), {triples} triples: {sent} batch(es) sent, "
        "{skipped} already done",
        "no_password": "the environment variable {var} is not set",
        "progress": "{done}/{total} triples, batch {batch}/{batches}",
        "merge_moved": "The store does not let its default graph be written (HTTP {status}): "
        "the merged default graph is in the named graph <{graph}>",
    },
    "zh": {
        "serving": "正在提供 {store}：http://{host}:{port}/（SPARQL 端点 /sparql）；按 Ctrl-C 停止",
        "pushed": "已推送 {graphs} 个图、{triples} 条三元组：发送 {sent} 批，"
        "{skipped} 批此前已完成",
        "no_password": "环境变量 {var} 未设置",
        "progress": "三元组 {done}/{total}，批次 {batch}/{batches}",
        "merge_moved": "该存储不允许写入其默认图（HTTP {status}）："
        "合并后的默认图已放入命名图 <{graph}>",
    },
}


def _cmd_serve(args: argparse.Namespace) -> int:
    from miikg.graph_builder.store import pin_build
    from miikg.serve.app import ServeConfig, run_server
    from miikg.serve.results import Limits

    # Pinned: a later `miikg build` must not prune the build this server (and every
    # query worker it starts to replace a killed one) reads.
    build = pin_build(args.store)
    config = ServeConfig(
        build.store,
        timeout=args.timeout,
        workers=args.workers,
        max_query_bytes=args.max_query_bytes,
        limits=Limits(rows=args.max_rows, bytes=args.max_bytes),
        allow_services=tuple(args.allow_service),
        worker_memory=args.worker_memory * 2**20,
        base_iri=args.base_iri,
        cors_origins=_cors_origins(args.cors_origin),
        heavy_workers=args.heavy_workers,
        heavy_per_client=args.heavy_per_client,
    )
    message = _UI[args.lang]["serving"].format(store=build.root, host=args.host, port=args.port)
    print(message, file=sys.stderr)
    run_server(config, host=args.host, port=args.port)
    return 0


def port(text: str) -> int:
    """Parse a TCP port, 0 to 65535 (argparse names a refused value after this function).

    >>> port("8000")
    8000
    """
    value = int(text)
    if not 0 <= value <= 65535:
        raise ValueError(text)
    return value


def _cors_origins(given: list[str]) -> tuple[str, ...]:
    """``--cors-origin`` values: none given, any origin; ``none``, no CORS at all."""
    if not given:
        return ("*",)
    if [g.lower() for g in given] == ["none"]:
        return ()
    return tuple(g.rstrip("/") for g in given)


class _Bar:
    """A plain-text progress bar on stderr, redrawn at most ten times a second."""

    def __init__(self, lang: str) -> None:
        self.last = 0.0
        self.lang = lang

    def __call__(self, p: Any) -> None:
        now = time.monotonic()
        final = p.batches_done == p.batches_total
        if not final and now - self.last < 0.1:
            return
        self.last = now
        share = p.triples_done / p.triples_total if p.triples_total else 1.0
        filled = int(share * 30)
        graph = p.graph.rsplit("/", 1)[-1]
        line = (
            f"\r[{'#' * filled}{'.' * (30 - filled)}] {share:4.0%} "
            + _UI[self.lang]["progress"].format(
                done=p.triples_done, total=p.triples_total,
                batch=p.batches_done, batches=p.batches_total,
            )
            + f" {graph[:40]:40s}"
        )  # fmt: skip
        sys.stderr.write(line + ("\n" if final else ""))
        sys.stderr.flush()


def _cmd_push(args: argparse.Namespace) -> int:
    import hashlib

    import pyoxigraph as ox

    from miikg.graph_builder.store import pin_build
    from miikg.serve.push import UrlTransport, push

    password = None
    if args.user is not None and args.password_env:
        password = os.environ.get(args.password_env)
        if password is None:
            raise PushError(
                _UI["en"]["no_password"].format(var=args.password_env),
                zh=_UI["zh"]["no_password"].format(var=args.password_env),
            )
    # Pinned, and the store opened from it: the graphs pushed are those of the build the
    # resume state names, even if a new build becomes current meanwhile.
    build = pin_build(args.store)
    state = args.state
    if state is None:
        tag = hashlib.sha256(args.endpoint.encode()).hexdigest()[:12]
        state = build.root / f"push-{tag}.json"
    transport = UrlTransport(user=args.user, password=password, auth=args.auth)
    result = push(
        ox.Store.read_only(str(build.store)),
        args.endpoint,
        state=state,
        build_id=build.root.name,
        graph=args.graph,
        default_as=None if args.default_graph == "skip" else args.default_graph,
        replace=args.replace,
        batch_size=args.batch_size,
        transport=transport,
        retries=args.retries,
        progress=None if args.quiet else _Bar(args.lang),
    )
    print(
        _UI[args.lang]["pushed"].format(
            graphs=result.graphs,
            triples=result.triples,
            sent=result.batches_sent,
            skipped=result.batches_skipped,
        )
    )
    if result.default_refused is not None:
        print(
            _UI[args.lang]["merge_moved"].format(
                status=result.default_refused, graph=result.default_target
            )
        )
    return 0


def add_commands(sub: Any) -> None:
    """Register ``serve`` and ``push`` on *sub*, the subparsers of ``miikg``'s parser."""
    p = sub.add_parser(
        "serve",
        help="a read-only SPARQL endpoint and query page over the build "
        "(只读 SPARQL 端点与查询页面)",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1) (绑定地址)"
    )
    p.add_argument("--port", type=port, default=8000, help="port (default: 8000) (端口)")
    p.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds per query (default: 10) (每个查询的秒数上限)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        help="query worker processes (default: 2) (查询工作进程数)",
    )
    p.add_argument(
        "--max-query-bytes",
        type=int,
        default=100 * 1024,
        help="largest query (default: 100 KiB) (查询大小上限)",
    )
    p.add_argument(
        "--max-rows",
        type=int,
        default=10_000,
        help="rows or triples per result (default: 10000) (每个结果的行数或三元组数上限)",
    )
    p.add_argument(
        "--max-bytes",
        type=int,
        default=16 * 1024 * 1024,
        help="bytes per result (default: 16 MiB) (每个结果的字节上限)",
    )
    p.add_argument(
        "--worker-memory",
        type=int,
        default=2048,
        metavar="MiB",
        help="address space of one query worker (default: 2048; 0: no limit) "
        "(单个工作进程的内存上限（MiB）)",
    )
    p.add_argument(
        "--allow-service",
        action="append",
        default=[],
        metavar="IRI",
        help="a public SPARQL endpoint that SERVICE may call (repeatable; default: none) "
        "(允许 SERVICE 调用的公共端点)",
    )
    p.add_argument(
        "--base-iri",
        default=None,
        metavar="URL",
        help="the URL that stands for https://w3id.org/miikg/ in page links, e.g. where a "
        "proxy publishes this server (default: this server's own root) "
        "(页面链接中代替 https://w3id.org/miikg/ 的地址)",
    )
    p.add_argument(
        "--heavy-workers",
        type=int,
        default=None,
        metavar="N",
        help="workers heavy queries may hold at once; the rest are kept for cheap queries "
        "(default: all but one) (重查询最多可同时占用的工作进程数，其余留给轻查询)",
    )
    p.add_argument(
        "--heavy-per-client",
        type=int,
        default=1,
        metavar="N",
        help="heavy queries one client address may run at once (default: 1) "
        "(每个客户端地址可同时运行的重查询数)",
    )
    p.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="an origin (https://host:port) whose pages may query the endpoint from a "
        "browser (repeatable; default: any origin; 'none': no CORS) "
        "(允许跨源查询的网页来源；默认任何来源；none 表示关闭)",
    )
    p.set_defaults(func=_cmd_serve)

    # No abbreviations: `--password SECRET` must fail, not be read as `--password-env`.
    p = sub.add_parser(
        "push",
        help="load the graphs into a SPARQL Graph Store (HTTP protocol) "
        "(将图谱推送到 SPARQL 图存储)",
        allow_abbrev=False,
    )
    p.add_argument(
        "--endpoint", required=True, help="the Graph Store URL, e.g. http://host/store (图存储地址)"
    )
    p.add_argument(
        "--graph",
        default=None,
        help="push only this graph IRI ('default': the merge) (只推送此命名图)",
    )
    p.add_argument(
        "--default-graph",
        default="default",
        metavar="default|skip|IRI",
        help="where the default graph (the merge) goes: the remote default graph (or, where "
        "the store refuses it, as Virtuoso does, the named graph "
        "https://w3id.org/miikg/graph/default-merge), nowhere, or a named graph of this IRI "
        "(合并默认图的去向：远端默认图（不可写时改为命名图）、不推送，或指定命名图)",
    )
    p.add_argument(
        "--replace", action="store_true", help="replace each remote graph (PUT) (替换远端各图)"
    )
    p.add_argument("--user", default=None, help="user name for the Graph Store (图存储用户名)")
    p.add_argument(
        "--password-env",
        default=None,
        metavar="VAR",
        help="environment variable holding the password (never give it on the command line) "
        "(存放密码的环境变量)",
    )
    p.add_argument(
        "--auth",
        choices=("auto", "basic", "digest"),
        default="auto",
        help="authentication scheme (default: auto, the one the store's challenge asks for) "
        "(认证方式；默认按存储的质询自动选择)",
    )
    p.add_argument(
        "--batch-size", type=int, default=5000, help="triples per request (每次请求的三元组数)"
    )
    p.add_argument(
        "--retries", type=int, default=5, help="tries after a failed request (请求失败后的重试次数)"
    )
    p.add_argument(
        "--state",
        type=Path,
        default=None,
        help="resume file (default: in the build) (续传状态文件)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar (不显示进度条)")
    p.set_defaults(func=_cmd_push)
