"""The SPARQL endpoint, end to end: a real ``miikg serve`` on a loopback port.

Every result format is read back with an independent parser and compared with the local
answer of the same query; every refusal is checked for its status and message, and after
each the server still answers a simple query.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import functools
import http.server
import io
import json
import re
import shutil
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, TSV, TURTLE, XML, SPARQLWrapper

from miikg.errors import QueryRefusedError
from miikg.graph_builder.build import build_quads
from miikg.graph_builder.load import load_data
from miikg.queries import catalogue
from miikg.queries.frames import list_columns
from miikg.queries.run import Row, joined_in_order, run_named, term_text
from miikg.serve import policy
from miikg.serve.results import Limits, negotiate
from miikg.serve.workers import Job, WorkerPool
from servers import miikg_server

GRAPH = "https://w3id.org/miikg/graph/"
META = GRAPH + "meta"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
SELECT = f"""
SELECT ?s ?p ?o ?none WHERE {{
  GRAPH <{META}> {{ ?s ?p ?o }}
  OPTIONAL {{ ?s <urn:miikg:test:absent> ?none }}
}}"""
CONSTRUCT = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{META}> {{ ?s ?p ?o }} }}"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 3.0


@functools.cache
def default_triples() -> int:
    """Distinct triples the bundled data builds (the store's default graph holds each once)."""
    return len({q.triple for q in build_quads(load_data())})


@pytest.fixture(scope="module")
def endpoint(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("serve")
    with miikg_server(home, folder, "--timeout", str(TIMEOUT)) as server:
        yield server.base + "/sparql"


@pytest.fixture(scope="module")
def small(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An endpoint with tiny result limits."""
    folder = tmp_path_factory.mktemp("serve-small")
    options = ("--max-rows", "50", "--max-bytes", "8000", "--worker-memory", "1024")
    with miikg_server(home, folder, *options) as server:
        yield server.base + "/sparql"


def to_rdflib(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == XSD_STRING:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


def key(term: Any) -> tuple[str, ...] | None:
    """A comparable form of an rdflib term; plain and xsd:string literals are one."""
    if term is None:
        return None
    if isinstance(term, rdflib.Literal):
        datatype = str(term.datatype) if term.datatype else XSD_STRING
        return ("literal", str(term), term.language or "", "" if term.language else datatype)
    return (type(term).__name__, str(term))


def local_rows(store: ox.Store, query: str) -> Counter[tuple[Any, ...]]:
    solutions = store.query(query)
    names = [v.value for v in solutions.variables]
    return Counter(tuple(key(to_rdflib(s[n])) for n in names) for s in solutions)


def local_graph(store: ox.Store, query: str) -> set[tuple[Any, ...]]:
    return {tuple(key(to_rdflib(t)) for t in triple) for triple in store.query(query)}


def remote_rows(result: Result) -> Counter[tuple[Any, ...]]:
    names = [str(v) for v in result.vars or []]
    variables = [rdflib.Variable(n) for n in names]
    return Counter(tuple(key(row.get(v)) for v in variables) for row in result.bindings)


def still_up(url: str) -> None:
    reply = httpx.get(url, params={"query": COUNT}, timeout=30)
    assert reply.status_code == 200, reply.text
    assert int(reply.json()["results"]["bindings"][0]["n"]["value"]) == default_triples()


# Result formats, read back with independent parsers ------------------------------------


def test_default_triples_is_the_count_of_this_build(store: ox.Store) -> None:
    assert len(local_graph(store, "CONSTRUCT WHERE { ?s ?p ?o }")) == default_triples()


@pytest.mark.parametrize(
    ("accept", "parser"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/tab-separated-values", "tsv"),
    ],
)
def test_select_formats_match_local(
    endpoint: str, store: ox.Store, accept: str, parser: str
) -> None:
    reply = httpx.post(endpoint, data={"query": SELECT}, headers={"Accept": accept}, timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith(accept)
    result = Result.parse(io.BytesIO(reply.content), format=parser)
    expected = local_rows(store, SELECT)
    assert sum(expected.values()) > 1000
    assert remote_rows(result) == expected


def test_select_csv_matches_local(endpoint: str, store: ox.Store) -> None:
    reply = httpx.get(endpoint, params={"query": SELECT, "format": "csv"}, timeout=30)
    assert reply.status_code == 200
    rows = list(csv.reader(io.StringIO(reply.text)))
    assert rows[0] == ["s", "p", "o", "none"]
    solutions = store.query(SELECT)
    expected = Counter(tuple(term_text(s[v]) for v in ("s", "p", "o", "none")) for s in solutions)
    assert Counter(tuple(r) for r in rows[1:]) == expected


@pytest.mark.parametrize(
    ("accept", "parser"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_construct_formats_match_local(
    endpoint: str, store: ox.Store, accept: str, parser: str
) -> None:
    reply = httpx.post(endpoint, data={"query": CONSTRUCT}, headers={"Accept": accept}, timeout=30)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith(accept)
    graph = rdflib.Graph().parse(data=reply.content, format=parser)
    got = {tuple(key(t) for t in triple) for triple in graph}
    assert got == local_graph(store, CONSTRUCT)
    assert len(got) > 1000


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask(endpoint: str, accept: str) -> None:
    for query, expected in [
        (f"ASK {{ GRAPH <{META}> {{ ?s ?p ?o }} }}", True),
        ("ASK { <urn:x> ?p ?o }", False),
    ]:
        reply = httpx.get(endpoint, params={"query": query}, headers={"Accept": accept}, timeout=30)
        assert reply.status_code == 200
        fmt = "json" if "json" in accept else "xml"
        assert Result.parse(io.BytesIO(reply.content), format=fmt).askAnswer is expected


def test_describe(endpoint: str, store: ox.Store) -> None:
    query = "DESCRIBE <https://w3id.org/miikg/id/institute/mxd>"
    reply = httpx.get(endpoint, params={"query": query, "format": "nt"}, timeout=30)
    graph = rdflib.Graph().parse(data=reply.content, format="nt")
    assert {tuple(key(t) for t in triple) for triple in graph} == local_graph(store, query)


def test_sparqlwrapper_get_and_post(endpoint: str, store: ox.Store) -> None:
    expected = local_rows(store, SELECT)
    for method in ("GET", "POST"):
        client = SPARQLWrapper(endpoint)
        client.setMethod(method)
        client.setQuery(SELECT)
        client.setReturnFormat(JSON)
        data = client.query().convert()
        names = data["head"]["vars"]
        got = Counter(
            tuple(b[n]["value"] if n in b else None for n in names)
            for b in data["results"]["bindings"]
        )
        assert got == Counter(
            tuple(k[1] if k else None for k in row) for row in expected.elements()
        )


@pytest.mark.parametrize("fmt", [XML, CSV, TSV])
def test_sparqlwrapper_other_formats(endpoint: str, fmt: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(COUNT)
    client.setReturnFormat(fmt)
    converted = client.query().convert()
    assert str(default_triples()) in (converted.toxml() if fmt == XML else converted.decode())  # type: ignore[union-attr]


def test_sparqlwrapper_construct(endpoint: str, store: ox.Store) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert {tuple(key(t) for t in triple) for triple in graph} == local_graph(store, CONSTRUCT)


def test_dataset_parameters(endpoint: str, store: ox.Store) -> None:
    expected = int(
        next(iter(store.query(f"SELECT (COUNT(*) AS ?n) FROM <{META}> WHERE {{ ?s ?p ?o }}")))[
            "n"
        ].value
    )
    for params in (
        {"query": COUNT, "default-graph-uri": META},
        {"query": f"SELECT (COUNT(*) AS ?n) FROM <{META}> WHERE {{ ?s ?p ?o }}"},
    ):
        reply = httpx.get(endpoint, params=params, timeout=30)
        assert reply.status_code == 200, reply.text
        assert reply.json()["results"]["bindings"][0]["n"]["value"] == str(expected)


# Named queries: what the page runs ------------------------------------------------------


def _bindings(name: str) -> tuple[dict[str, str], dict[str, str]]:
    """Endpoint bindings (N-Triples terms) and run_named parameters for a named query."""
    remote: dict[str, str] = {"lang": '"en"'}
    local: dict[str, str] = {}
    for param in catalogue()[name].params:
        if param.kind == "iri":
            remote[param.name] = "<https://w3id.org/miikg/id/institute/mxd>"
            local[param.name] = "https://w3id.org/miikg/id/institute/mxd"
        elif param.kind == "string":
            remote[param.name], local[param.name] = '"MxD"', "MxD"
        elif param.kind == "integer":
            remote[param.name] = '"1"^^<http://www.w3.org/2001/XMLSchema#integer>'
            local[param.name] = "1"
    return remote, local


#: the queries the page runs on one click: no parameter but the language, plus two known
#: ones with an entity or a text (others need values a person picks)
ONE_CLICK = sorted(
    n
    for n, q in catalogue().items()
    if all(p.kind == "language" for p in q.params) or n in {"entity-facts", "resolve-entity"}
)


def test_one_click_queries_found() -> None:
    assert len(ONE_CLICK) >= 15


@pytest.mark.parametrize("name", ONE_CLICK)
def test_named_query_over_http_matches_run_named(endpoint: str, store: ox.Store, name: str) -> None:
    remote, local = _bindings(name)
    named = catalogue()[name]
    data = {"query": named.text, **{f"${k}": v for k, v in remote.items() if named.param(k)}}
    reply = httpx.post(endpoint, data=data, timeout=60)
    assert reply.status_code == 200, reply.text
    expected = run_named(store, name, local, lang="en")
    assert len(expected) > 0
    solutions = ox.parse_query_results(reply.content, format=ox.QueryResultsFormat.JSON)
    rows = tuple(Row({v: s[v] for v in expected.variables}) for s in solutions)
    # run_named sorts the parts of a GROUP_CONCAT (the order SPARQL leaves to the store)
    got = Counter(
        tuple(r.text(v) for v in expected.variables)
        for r in joined_in_order(rows, list_columns(named.text))
    )
    assert got == Counter(tuple(r.text(v) for v in expected.variables) for r in expected)


# The service description ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "parser"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]
)
def test_service_description(endpoint: str, store: ox.Store, accept: str, parser: str) -> None:
    reply = httpx.get(endpoint, headers={"Accept": accept}, timeout=30)
    assert reply.status_code == 200
    graph = rdflib.Graph().parse(data=reply.content, format=parser)
    sd = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
    service = rdflib.URIRef(endpoint)
    assert (service, sd.feature, sd.UnionDefaultGraph) in graph
    assert (service, sd.supportedLanguage, sd.SPARQL11Query) in graph
    names = set(graph.objects(None, sd.name))
    assert names == {rdflib.URIRef(g.value) for g in store.named_graphs()}
    default = graph.value(graph.value(service, sd.defaultDataset), sd.defaultGraph)
    langs = {o.language for o in graph.objects(default, rdflib.DCTERMS.description)}
    assert langs == {"en", "zh"}
    triples = graph.value(default, rdflib.URIRef("http://rdfs.org/ns/void#triples"))
    assert int(str(triples)) == default_triples()


# Refusals: each with its status and message; the server stays up ------------------------

LOOPBACK_SERVICE = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
REFUSALS: list[tuple[str, dict[str, Any], int, str]] = [
    ("update-param", {"data": {"update": "DROP ALL"}}, 403, "SPARQL Update is not allowed"),
    (
        "update-body",
        {"content": b"DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        403,
        "read-only",
    ),
    (
        "insert",
        {"data": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
        403,
        "Update (INSERT)",
    ),
    ("delete", {"data": {"query": "DELETE WHERE { ?s ?p ?o }"}}, 403, "Update (DELETE)"),
    ("load", {"data": {"query": "LOAD <file:///etc/passwd>"}}, 403, "Update (LOAD)"),
    ("clear", {"data": {"query": "CLEAR ALL"}}, 403, "Update (CLEAR)"),
    ("drop", {"data": {"query": "DROP GRAPH <urn:g>"}}, 403, "Update (DROP)"),
    ("create", {"data": {"query": "CREATE GRAPH <urn:g>"}}, 403, "Update (CREATE)"),
    ("select-then-drop", {"data": {"query": "SELECT * {} ; drop all"}}, 403, "Update (DROP)"),
    (
        "service-loopback",
        {"data": {"query": LOOPBACK_SERVICE}},
        403,
        "SERVICE <http://127.0.0.1:9/sparql> refused",
    ),
    (
        "service-silent",
        {"data": {"query": "SELECT * { SERVICE SILENT <http://localhost/> { ?s ?p ?o } }"}},
        403,
        "SERVICE <http://localhost/> refused",
    ),
    (
        "service-pname",
        {
            "data": {
                "query": "PREFIX x: <http://10.0.0.1/>\nSELECT * { service x:sparql { ?s ?p ?o } }"
            }
        },
        403,
        "SERVICE <http://10.0.0.1/sparql> refused",
    ),
    (
        "service-variable",
        {"data": {"query": "SELECT * { SERVICE ?e { ?s ?p ?o } }"}},
        403,
        "SERVICE <?e> refused",
    ),
    (
        "from-file",
        {"data": {"query": "SELECT * FROM <file:///etc/passwd> { ?s ?p ?o }"}},
        403,
        "FROM <file:///etc/passwd> refused",
    ),
    (
        "from-loopback",
        {"data": {"query": "SELECT * FROM <http://127.0.0.1:22/> { ?s ?p ?o }"}},
        403,
        "FROM <http://127.0.0.1:22/> refused",
    ),
    (
        "from-named-private",
        {"data": {"query": "SELECT * FROM NAMED <http://192.168.1.1/x> { ?s ?p ?o }"}},
        403,
        "FROM NAMED <http://192.168.1.1/x> refused",
    ),
    (
        "from-link-local",
        {"data": {"query": "SELECT * FROM <http://169.254.169.254/latest/> { ?s ?p ?o }"}},
        403,
        "FROM <http://169.254.169.254/latest/> refused",
    ),
    (
        "default-graph-uri",
        {"data": {"query": COUNT, "default-graph-uri": "file:///etc/passwd"}},
        403,
        "default-graph-uri=<file:///etc/passwd> refused",
    ),
    (
        "named-graph-uri",
        {"data": {"query": COUNT, "named-graph-uri": "http://[::1]/"}},
        403,
        "named-graph-uri=<http://[::1]/> refused",
    ),
    (
        "syntax",
        {"data": {"query": "SELECT * WHERE {\n  ?s ?p \n}"}},
        400,
        "SPARQL syntax error at line 3, column ",
    ),
    (
        "utf8-body",
        {
            "content": b'SELECT * { ?s ?p "\xff" }',
            "headers": {"Content-Type": "application/sparql-query"},
        },
        400,
        "not valid UTF-8",
    ),
    (
        "utf8-form",
        {
            "content": b"query=SELECT%20%FF",
            "headers": {"Content-Type": "application/x-www-form-urlencoded"},
        },
        400,
        "not valid UTF-8",
    ),
    (
        "too-big",
        {
            "content": ("SELECT * {} #" + "x" * 110_000).encode(),
            "headers": {"Content-Type": "application/sparql-query"},
        },
        413,
        "over the limit of 102400 bytes",
    ),
    (
        "too-big-form",
        {"data": {"query": "SELECT * {} #" + "x" * 110_000}},
        413,
        "over the limit of 102400 bytes",
    ),
    (
        "media-type",
        {"content": b"SELECT * {}", "headers": {"Content-Type": "text/plain"}},
        415,
        "POST a query as",
    ),
    (
        "not-acceptable",
        {"data": {"query": COUNT}, "headers": {"Accept": "image/png"}},
        406,
        "offered: application/sparql-results+json",
    ),
    ("no-query", {"data": {"format": "json"}}, 400, "no query given"),
    ("two-queries", {"data": {"query": [COUNT, COUNT]}}, 400, "one query parameter"),
]


@pytest.mark.parametrize(
    ("case", "request_args", "status", "message"), REFUSALS, ids=[r[0] for r in REFUSALS]
)
def test_refusal(
    endpoint: str, case: str, request_args: dict[str, Any], status: int, message: str
) -> None:
    reply = httpx.post(endpoint, timeout=30, **request_args)
    assert reply.status_code == status, reply.text
    assert message in reply.text
    assert reply.headers["content-type"].startswith("text/plain")
    still_up(endpoint)


def test_update_parameter_in_a_get_is_refused(endpoint: str) -> None:
    reply = httpx.get(endpoint, params={"update": "CLEAR ALL"}, timeout=30)
    assert reply.status_code == 403
    assert "SPARQL Update is not allowed" in reply.text
    still_up(endpoint)


def test_a_browser_gets_the_default_formats(endpoint: str) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    reply = httpx.get(endpoint, params={"query": COUNT}, headers={"Accept": accept}, timeout=30)
    assert reply.headers["content-type"] == "application/sparql-results+json"
    reply = httpx.get(endpoint, headers={"Accept": accept}, timeout=30)
    assert reply.headers["content-type"] == "text/turtle; charset=utf-8"


def test_invalid_utf8_in_url(endpoint: str) -> None:
    reply = httpx.get(endpoint + "?query=SELECT%20%FF", timeout=30)
    assert reply.status_code == 400
    assert "not valid UTF-8" in reply.text
    still_up(endpoint)


def test_sparqlwrapper_sees_syntax_error(endpoint: str) -> None:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(endpoint)
    client.setQuery("SELECT ?x WHERE { ?x }")
    with pytest.raises(QueryBadFormed, match="line 1, column"):
        client.query()


@pytest.mark.parametrize(
    "query",
    [
        'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1/> { }" } LIMIT 1',
        "SELECT * WHERE { ?s ?p ?o } LIMIT 1 # SERVICE <http://127.0.0.1/> DROP ALL",
        'SELECT ?insert WHERE { ?insert ?p "x"@drop } LIMIT 1',
        "PREFIX load: <urn:x:>\nSELECT * WHERE { ?s load:service ?o } LIMIT 1",
    ],
)
def test_keywords_in_strings_iris_comments_names_are_not_refused(endpoint: str, query: str) -> None:
    reply = httpx.post(endpoint, data={"query": query}, timeout=30)
    assert reply.status_code == 200, reply.text


def test_timeout_kills_and_replaces_the_worker(endpoint: str) -> None:
    for _ in range(2):  # twice: both workers overrun and are replaced
        started = time.monotonic()
        reply = httpx.post(endpoint, data={"query": SLOW}, timeout=60)
        elapsed = time.monotonic() - started
        assert reply.status_code == 503
        assert f"ran out of time ({TIMEOUT:g} s)" in reply.text
        assert TIMEOUT <= elapsed < TIMEOUT + 10
    still_up(endpoint)


def test_a_slow_query_does_not_block_others(endpoint: str) -> None:
    slow: dict[str, int] = {}
    thread = threading.Thread(
        target=lambda: slow.update(
            status=httpx.post(endpoint, data={"query": SLOW}, timeout=60).status_code
        )
    )
    thread.start()
    try:
        time.sleep(0.5)
        started = time.monotonic()
        still_up(endpoint)
        assert time.monotonic() - started < TIMEOUT / 2
    finally:
        thread.join(60)
    assert slow["status"] == 503
    still_up(endpoint)


@pytest.mark.parametrize(("fmt", "parser"), [("json", "json"), ("xml", "xml"), ("tsv", "tsv")])
def test_row_limit_truncates_and_says_so(small: str, fmt: str, parser: str) -> None:
    reply = httpx.get(small, params={"query": "SELECT ?o { ?s a ?o }", "format": fmt}, timeout=30)
    assert reply.status_code == 200
    assert reply.headers["miikg-truncated"] == "rows; limit=50"
    assert len(Result.parse(io.BytesIO(reply.content), format=parser).bindings) == 50


def test_byte_limit_truncates_and_says_so(small: str) -> None:
    query = "SELECT ?o { ?s ?p ?o FILTER(isLiteral(?o) && STRLEN(STR(?o)) > 150) }"
    reply = httpx.get(small, params={"query": query}, timeout=30)
    assert reply.headers["miikg-truncated"] == "bytes; limit=8000"
    assert len(reply.content) <= 8000
    assert 0 < len(json.loads(reply.content)["results"]["bindings"]) < 50


def test_a_query_that_needs_too_much_memory_costs_one_worker(small: str) -> None:
    query = "SELECT * { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
    reply = httpx.post(small, data={"query": query}, timeout=60)
    assert reply.status_code == 500
    assert "more memory than a worker may have" in reply.text
    still_up(small)


def test_graph_result_truncates(small: str) -> None:
    reply = httpx.get(small, params={"query": CONSTRUCT, "format": "ntriples"}, timeout=30)
    assert reply.headers["miikg-truncated"].startswith(("rows", "bytes"))
    assert 0 < len(rdflib.Graph().parse(data=reply.content, format="nt")) <= 50


# Below the HTTP layer: the policy and the worker sandbox --------------------------------


def test_allow_listed_public_service_passes_but_private_never(home: Path) -> None:
    graphs: set[str] = set()
    public = "http://93.184.215.14/sparql"
    plan = policy.inspect_query(
        f"SELECT * {{ SERVICE <{public}> {{ ?s ?p ?o }} }}", graphs=graphs, allow_services=[public]
    )
    assert plan.services == (public,)
    for iri in (
        "http://127.0.0.1/sparql",
        "http://10.1.2.3/sparql",
        "file:///etc/passwd",
        "http://[fe80::1]/",
    ):
        with pytest.raises(QueryRefusedError, match="not an http"):
            policy.inspect_query(
                f"SELECT * {{ SERVICE <{iri}> {{ }} }}", graphs=graphs, allow_services=[iri]
            )


def test_negotiation_prefers_quality() -> None:
    fmt = negotiate(False, accept="text/csv;q=0.5, application/sparql-results+xml;q=0.9")
    assert fmt.name == "xml"
    assert negotiate(True, accept="*/*").name == "turtle"
    assert negotiate(True, accept=None, name="ttl").name == "turtle"


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012

    def do_POST(self) -> None:
        _Recorder.hits.append(self.path)
        self.send_response(500)
        self.end_headers()

    def do_GET(self) -> None:
        self.do_POST()

    def log_message(self, *args: object) -> None:
        return


def test_worker_cannot_reach_the_network_even_past_the_check(built: Any) -> None:
    """The second wall: a SERVICE query given to a worker directly (no policy check)."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    query = f"SELECT * {{ SERVICE <http://127.0.0.1:{server.server_address[1]}/> {{ ?s ?p ?o }} }}"

    async def attempt() -> tuple[bool, int, str]:
        pool = WorkerPool(built.paths.store, size=1, timeout=20)
        await pool.start()
        try:
            outcome = await pool.run(Job(query, negotiate(False, accept=None), Limits()))
        finally:
            await pool.close()
        return pool.isolated, outcome.status, outcome.message

    try:
        # in a thread of its own: another test's event loop may still run in this one
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            isolated, status, message = pool.submit(asyncio.run, attempt()).result(120)
    finally:
        server.shutdown()
    if not isolated:
        pytest.skip("this kernel lets no process make a network namespace")
    assert status == 500
    assert "unreachable" in message.lower() or "connect" in message.lower()
    assert _Recorder.hits == []


# The query page --------------------------------------------------------------------------


def test_page_loads_nothing_from_another_origin_and_is_bilingual(endpoint: str) -> None:
    from miikg.serve.query_page import QUERY_UI

    reply = httpx.get(endpoint.removesuffix("/sparql") + "/", timeout=30)
    page = reply.text
    # Scripts and styles come from this server only (YASGUI is vendored), and the CSP
    # header forbids any other origin besides.
    references = re.findall(r"<(?:script|link|img)[^>]+(?:src|href)=\"([^\"]*)\"", page)
    assert len(references) >= 5
    assert all((r.startswith("/") and not r.startswith("//")) or r == "data:," for r in references)
    assert "@import" not in page and "url(" not in page
    csp = reply.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "connect-src 'self'" in csp
    for named in catalogue().values():
        assert json.dumps(named.title["en"], ensure_ascii=False)[1:-1] in page
        assert json.dumps(named.title["zh"], ensure_ascii=False)[1:-1] in page
    assert set(QUERY_UI["en"]) == set(QUERY_UI["zh"])
    assert len(QUERY_UI["en"]) > 15


@pytest.mark.skipif(shutil.which("chromium") is None, reason="needs Debian's chromium")
def test_page_runs_a_named_query_in_a_browser(endpoint: str, tmp_path: Path) -> None:
    url = endpoint.removesuffix("/sparql") + "/?lang=zh#q=strategic-goals"
    dom = subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--user-data-dir={tmp_path}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "美国国防部对其制造创新所的五个战略目标" in dom  # the list, in zh
    assert "推动有影响力的先进制造研发" in dom  # the result table: goal 1, label in zh
    assert "5 行" in dom


# The query check and the commands, without a server ---------------------------------------


def test_from_may_name_store_graphs_by_prefixed_or_relative_iri() -> None:
    graphs = {META}
    plan = policy.inspect_query(
        f"PREFIX g: <{GRAPH}>\nSELECT * FROM g:meta FROM NAMED g:meta {{ ?s ?p ?o }}",
        graphs=graphs,
    )
    assert (plan.form, plan.from_graphs, plan.from_named) == ("SELECT", (META,), (META,))
    plan = policy.inspect_query(f"BASE <{GRAPH}>\nASK FROM <meta> {{ ?s ?p ?o }}", graphs=graphs)
    assert (plan.form, plan.from_graphs) == ("ASK", (META,))
    with pytest.raises(
        QueryRefusedError, match=re.escape("FROM <https://w3id.org/miikg/graph/other>")
    ):
        policy.inspect_query(f"BASE <{GRAPH}>\nASK FROM <other> {{ }}", graphs=graphs)


def test_query_forms_are_recognised() -> None:
    for form in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
        text = f"PREFIX x: <urn:x:>\n# a comment\n{form.lower()} * {{ ?s ?p ?o }}"
        assert policy.inspect_query(text, graphs=set()).form == form


def test_commands_register_serve_and_push_with_safe_defaults() -> None:
    import argparse

    from miikg.serve.commands import add_commands

    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    serve = parser.parse_args(["serve"])
    assert (serve.host, serve.port, serve.timeout, serve.allow_service) == (
        "127.0.0.1",
        8000,
        10.0,
        [],
    )
    assert (serve.cors_origin, serve.heavy_workers, serve.heavy_per_client) == ([], None, 1)
    assert callable(serve.func)
    push = parser.parse_args(["push", "--endpoint", "http://127.0.0.1:1/store"])
    assert (push.auth, push.replace, push.graph, push.default_graph) == (
        "auto",  # the scheme the store's challenge asks for (issue 13)
        False,
        None,
        "default",
    )
    with pytest.raises(SystemExit):
        parser.parse_args(["push", "--endpoint", "http://x/", "--password", "secret"])
