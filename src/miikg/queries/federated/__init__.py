"""Example federated queries: the graph joined with Wikidata through ``SERVICE``.

They live apart from the named-query catalogue, so nothing runs them unless asked: each
sends a request to the Wikidata Query Service. Every file names the endpoint as
``SERVICE <https://query.wikidata.org/sparql>``, so it can be pasted into any SPARQL tool.

To run one elsewhere (a mirror, or a local test server), :func:`with_service_endpoint`
rewrites that one IRI token after the ``SERVICE`` keyword. A SERVICE IRI cannot be a
bound variable in Oxigraph (substitution binds only projected variables, and a
``SERVICE ?var`` is not evaluated), and pyoxigraph offers no service handler; the
replacement is checked to be a plain http(s) IRI, so it cannot change the query's shape.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from miikg.errors import QueryError
from miikg.queries import NamedQuery, parse_query_file

if TYPE_CHECKING:
    import pyoxigraph as ox

    from miikg.queries.run import QueryResult

__all__ = ["WIKIDATA_SPARQL", "federated_catalogue", "run_federated", "with_service_endpoint"]

#: The endpoint every federated query names.
WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
_SERVICE = re.compile(r"(\bSERVICE\s+(?:SILENT\s+)?)<" + re.escape(WIKIDATA_SPARQL) + ">", re.I)
_UNSAFE = re.compile(r"[\s<>\"{}|\\^`]")


@cache
def federated_catalogue() -> dict[str, NamedQuery]:
    """Return every federated query shipped with the package, by name."""
    found = {}
    for entry in sorted(resources.files(__package__).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name.removesuffix(".rq")
            found[name] = parse_query_file(name, entry.read_text(encoding="utf-8"))
    return found


def with_service_endpoint(text: str, endpoint: str) -> str:
    """Return *text* with its Wikidata SERVICE IRI replaced by *endpoint*.

    >>> with_service_endpoint("SERVICE <https://query.wikidata.org/sparql> {}", "http://127.0.0.1:7878/query")
    'SERVICE <http://127.0.0.1:7878/query> {}'

    :raises QueryError: *endpoint* is not a plain http(s) IRI, or *text* has no such SERVICE.
    """
    parts = urlsplit(endpoint)
    if parts.scheme not in {"http", "https"} or not parts.netloc or _UNSAFE.search(endpoint):
        raise QueryError(
            f"service endpoint {endpoint!r} is not an http(s) IRI",
            zh=f"服务端点 {endpoint!r} 不是 http(s) IRI",
        )
    rewritten, count = _SERVICE.subn(lambda m: f"{m[1]}<{endpoint}>", text)
    if count == 0:
        raise QueryError(
            f"the query has no SERVICE <{WIKIDATA_SPARQL}> to redirect",
            zh=f"查询中没有可改向的 SERVICE <{WIKIDATA_SPARQL}>",
        )
    return rewritten


def run_federated(
    store: ox.Store, name: str, *, lang: str = "en", service_endpoint: str | None = None
) -> QueryResult:
    """Run the federated query *name* on *store*, against Wikidata or *service_endpoint*.

    :raises QueryError: an unknown name or language, a bad endpoint, or a failed request.
    """
    import pyoxigraph as ox

    from miikg.queries.run import LANGUAGES, run_query

    query = federated_catalogue().get(name)
    if query is None:
        known = ", ".join(federated_catalogue())
        raise QueryError(
            f"no federated query named {name!r}; queries: {known}",
            zh=f"没有名为 {name!r} 的联邦查询；可选：{'、'.join(federated_catalogue())}",
        )
    if lang not in LANGUAGES:
        raise QueryError(
            f"parameter lang must be one of {', '.join(LANGUAGES)}",
            zh=f"参数 lang 须为 {'、'.join(LANGUAGES)} 之一",
        )
    text = query.text
    if service_endpoint is not None:
        text = with_service_endpoint(text, service_endpoint)
    return run_query(store, text, {"lang": ox.Literal(lang)})
