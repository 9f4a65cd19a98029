"""The ``federated`` command: list the federated queries, or run one by the user's choice.

``miikg.cli`` calls :func:`add_commands` with its sub-parsers. A run sends the query's
SERVICE pattern to the Wikidata Query Service, or to ``--service-endpoint URL``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["add_commands"]

_WORDS = {
    "en": {"rows": "{n} row(s)", "endpoint": "SERVICE sent to {url}"},
    "zh": {"rows": "{n} 行", "endpoint": "SERVICE 发往 {url}"},
}


def _cmd_federated(args: argparse.Namespace) -> int:
    from miikg.queries.federated import WIKIDATA_SPARQL, federated_catalogue

    if args.name is None:
        queries = federated_catalogue()
        width = max(map(len, queries))
        for name, named in queries.items():
            print(f"{name:{width}s}  {named.title.get(args.lang, name)}")
            if args.verbose:
                print(f"{'':{width}s}  {named.description.get(args.lang, '')}")
        return 0
    from miikg.graph_builder.store import open_store
    from miikg.queries.federated import run_federated
    from miikg.terminal import format_result, terminal_width

    result = run_federated(
        open_store(args.store), args.name, lang=args.lang, service_endpoint=args.service_endpoint
    )
    print(format_result(result, args.format, lang=args.lang, iris=True, width=terminal_width()))
    words = _WORDS[args.lang]
    url = args.service_endpoint or WIKIDATA_SPARQL
    print(words["endpoint"].format(url=url), words["rows"].format(n=len(result)), file=sys.stderr)
    return 0


def add_commands(sub: Any) -> None:
    """Register ``federated [NAME] [--service-endpoint URL] [--format F]``."""
    p = sub.add_parser(
        "federated",
        help="list the queries that join the graph with Wikidata, or run one (needs the "
        "network) (列出或运行与维基数据联合的查询，需要联网)",
    )
    p.add_argument("name", nargs="?", default=None, help="the query to run (查询名称)")
    p.add_argument(
        "--service-endpoint", default=None, metavar="URL",
        help="send the SERVICE pattern here instead of https://query.wikidata.org/sparql "
        "(替代的 SPARQL 端点)",
    )  # fmt: skip
    from miikg.terminal import ROW_FORMATS

    p.add_argument("--format", choices=ROW_FORMATS, default="table")
    p.add_argument(
        "-v", "--verbose", action="store_true", help="with the list: descriptions (列表中附说明)"
    )
    p.set_defaults(func=_cmd_federated)
