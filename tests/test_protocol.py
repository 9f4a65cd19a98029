"""The W3C SPARQL 1.1 Protocol query tests, against a real ``miikg serve``.

One test per case of the W3C protocol test suite's query operation (the ``query_*`` and
``bad_query_*`` entries of ``data-sparql11/protocol/manifest.ttl``), written from their
descriptions. The suite's data are four small graphs (``data0.rdf`` … ``data3.rdf``, each
describing itself); here three graphs of the build stand in for them, and each dataset
case also checks the answer the dataset implies (a subject of one graph is found only
when that graph is in the dataset), beyond the status and media type the suite asks for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from servers import miikg_server

GRAPH = "https://w3id.org/miikg/graph/"
DATA1 = GRAPH + "paper-table-1"
DATA2 = GRAPH + "paper-table-2"
DATA3 = GRAPH + "paper-s1"
RESULTS = {"application/sparql-results+xml", "application/sparql-results+json"}
RDF = {"text/turtle", "application/rdf+xml", "application/n-triples", "application/ld+json"}
DIRECT = {"Content-Type": "application/sparql-query"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def sparql(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with miikg_server(home, tmp_path_factory.mktemp("protocol")) as server:
        yield server.base + "/sparql"


@pytest.fixture(scope="module")
def only_in(store: ox.Store) -> dict[str, str]:
    """A typed subject of DATA1 that DATA2 does not mention, and one of DATA2 not in DATA1."""
    found = {}
    for mine, other in ((DATA1, DATA2), (DATA2, DATA1)):
        rows = store.query(
            f"SELECT ?s WHERE {{ GRAPH <{mine}> {{ ?s a ?t }} "
            f"FILTER NOT EXISTS {{ GRAPH <{other}> {{ ?s ?p ?o }} }} }} ORDER BY ?s LIMIT 1"
        )
        found[mine] = next(iter(rows))["s"].value
    return found


def media(reply: httpx.Response) -> str:
    return reply.headers["content-type"].split(";")[0].strip()


def boolean(reply: httpx.Response) -> bool:
    assert 200 <= reply.status_code < 400, reply.text
    assert media(reply) in RESULTS
    result = ox.parse_query_results(
        reply.content, format=ox.QueryResultsFormat.from_media_type(media(reply))
    )
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def post(url: str, query: str, **params: str | list[str]) -> httpx.Response:
    return httpx.post(url, params=params, content=query.encode(), headers=DIRECT, timeout=30)


# Positive cases -------------------------------------------------------------------------


def test_query_get(sparql: str) -> None:
    assert boolean(httpx.get(sparql, params={"query": "ASK {}"}, timeout=30)) is True


def test_query_post_form(sparql: str) -> None:
    reply = httpx.post(sparql, content=b"query=ASK%20%7B%7D", headers=FORM, timeout=30)
    assert boolean(reply) is True


def test_query_post_direct(sparql: str) -> None:
    assert boolean(post(sparql, "ASK {}")) is True


def test_query_dataset_default_graph(sparql: str, only_in: dict[str, str]) -> None:
    query = f"ASK {{ <{only_in[DATA1]}> ?p ?o }}"
    assert boolean(post(sparql, query, **{"default-graph-uri": DATA1})) is True
    assert boolean(post(sparql, query, **{"default-graph-uri": DATA2})) is False


def _two(only_in: dict[str, str]) -> str:
    return f"ASK {{ <{only_in[DATA1]}> a ?t1 . <{only_in[DATA2]}> a ?t2 }}"


def test_query_dataset_default_graphs_get(sparql: str, only_in: dict[str, str]) -> None:
    both = {"query": _two(only_in), "default-graph-uri": [DATA1, DATA2]}
    assert boolean(httpx.get(sparql, params=both, timeout=30)) is True
    one = {"query": _two(only_in), "default-graph-uri": [DATA1]}
    assert boolean(httpx.get(sparql, params=one, timeout=30)) is False


def test_query_dataset_default_graphs_post(sparql: str, only_in: dict[str, str]) -> None:
    assert boolean(post(sparql, _two(only_in), **{"default-graph-uri": [DATA1, DATA2]})) is True


def test_query_dataset_named_graphs_post(sparql: str) -> None:
    query = "ASK { GRAPH ?g { ?s ?p ?o } }"
    assert boolean(post(sparql, query, **{"named-graph-uri": [DATA1, DATA2]})) is True


def test_query_dataset_named_graphs_get(sparql: str, only_in: dict[str, str]) -> None:
    first, second = only_in[DATA1], only_in[DATA2]
    query = f"ASK {{ GRAPH ?g1 {{ <{first}> a ?t1 }} GRAPH ?g2 {{ <{second}> a ?t2 }} }}"
    params = {"query": query, "named-graph-uri": [DATA1, DATA2]}
    assert boolean(httpx.get(sparql, params=params, timeout=30)) is True


def test_named_graph_uri_alone_leaves_the_default_graph_empty(sparql: str) -> None:
    """The protocol's dataset is the whole dataset: no default-graph-uri, no default graph."""
    assert boolean(post(sparql, "ASK { ?s ?p ?o }", **{"named-graph-uri": DATA1})) is False
    assert boolean(post(sparql, "ASK { ?s ?p ?o }")) is True


def test_query_dataset_full(sparql: str, store: ox.Store) -> None:
    query = "SELECT ?g ?x ?s { ?x ?y ?o  GRAPH ?g { ?s ?p ?o } }"
    reply = post(sparql, query, **{"default-graph-uri": DATA3, "named-graph-uri": [DATA1, DATA2]})
    assert reply.status_code == 200
    assert media(reply) in RESULTS
    rows = ox.parse_query_results(reply.content, format=ox.QueryResultsFormat.JSON)
    got = sorted(tuple(str(r[v]) for v in ("g", "x", "s")) for r in rows)
    expected = store.query(
        query,
        default_graph=ox.NamedNode(DATA3),
        named_graphs=[ox.NamedNode(DATA1), ox.NamedNode(DATA2)],
    )
    assert got == sorted(tuple(str(r[v]) for v in ("g", "x", "s")) for r in expected)
    assert got, "the three graphs share objects: the case must have rows to mean anything"
    assert {g for g, _, _ in got} <= {f"<{DATA1}>", f"<{DATA2}>"}


def test_query_multiple_dataset(sparql: str, only_in: dict[str, str]) -> None:
    """The protocol's dataset wins over the query's FROM."""
    query = f"ASK FROM <{DATA1}> {{ <{only_in[DATA2]}> ?p ?o }}"
    assert boolean(post(sparql, query, **{"default-graph-uri": DATA2})) is True
    assert boolean(post(sparql, query)) is False


def test_query_content_type_select(sparql: str) -> None:
    reply = post(sparql, "SELECT (1 AS ?value) {}")
    assert reply.status_code == 200
    assert media(reply) in RESULTS | {"text/tab-separated-values", "text/csv"}


def test_query_content_type_ask(sparql: str) -> None:
    reply = post(sparql, "ASK {}")
    assert reply.status_code == 200
    assert media(reply) in RESULTS


def test_query_content_type_describe(sparql: str) -> None:
    reply = post(sparql, "DESCRIBE <http://example.org/>")
    assert reply.status_code == 200
    assert media(reply) in RDF


def test_query_content_type_construct(sparql: str) -> None:
    """Relative IRIs resolve against the endpoint's URL (the suite's case needs a base)."""
    reply = post(sparql, "CONSTRUCT { <s> <p> 1 } WHERE {}")
    assert reply.status_code == 200, reply.text
    assert media(reply) in RDF
    rdf = ox.RdfFormat.from_media_type(media(reply))
    triples = [q.triple for q in ox.parse(reply.content, format=rdf)]
    base = sparql.rsplit("/", 1)[0]
    literal = ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert triples == [ox.Triple(ox.NamedNode(base + "/s"), ox.NamedNode(base + "/p"), literal)]


# Negative cases: each a 4xx ---------------------------------------------------------------


def _refused(reply: httpx.Response) -> None:
    assert 400 <= reply.status_code < 500, (reply.status_code, reply.text)


def test_bad_query_method(sparql: str) -> None:
    _refused(httpx.put(sparql, params={"query": "ASK {}"}, timeout=30))


def test_bad_multiple_queries(sparql: str) -> None:
    _refused(httpx.get(sparql, params={"query": ["ASK {}", "SELECT * {}"]}, timeout=30))


def test_bad_query_wrong_media_type(sparql: str) -> None:
    _refused(httpx.post(sparql, content=b"ASK {}", headers={"Content-Type": "text/plain"}))


def test_bad_query_missing_form_type(sparql: str) -> None:
    _refused(httpx.post(sparql, content=b"query=ASK%20%7B%7D", timeout=30))


def test_bad_query_missing_direct_type(sparql: str) -> None:
    _refused(httpx.post(sparql, content=b"ASK {}", timeout=30))


def test_bad_query_non_utf8(sparql: str) -> None:
    headers = {"Content-Type": "application/sparql-query; charset=UTF-16"}
    _refused(httpx.post(sparql, content="ASK {}".encode("utf-16"), headers=headers, timeout=30))


def test_bad_query_syntax(sparql: str) -> None:
    _refused(httpx.get(sparql, params={"query": "ASK {"}, timeout=30))
