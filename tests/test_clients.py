"""Real SPARQL clients, each with its defaults, against a real ``miikg serve``.

SPARQLWrapper with every return format (its default included) for SELECT, ASK,
CONSTRUCT and DESCRIBE over GET and POST; rdflib's ``SPARQLStore`` as it comes; ``curl``
for every negotiation case; a page on another loopback origin querying the endpoint in
Chromium (CORS); and a 10 MB query sent by urllib, httpx, requests and curl, each of
which must see the 413.
"""

from __future__ import annotations

import http.server
import io
import json
import shutil
import subprocess
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
import rdflib
import requests
from playwright.sync_api import Browser
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDF, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from servers import free_port, miikg_server

META = "https://w3id.org/miikg/graph/meta"
JDMTP = "https://w3id.org/miikg/id/organization/jdmtp"
QUERIES = {
    "SELECT": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "ASK": f"ASK {{ <{JDMTP}> ?p ?o }}",
    "CONSTRUCT": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{META}> {{ ?s ?p ?o }} }}",
    "DESCRIBE": f"DESCRIBE <{JDMTP}>",
}
#: what a graph result's media type is read as (rdflib parser names)
GRAPH_PARSERS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/n-quads": "nquads",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SOLUTION_PARSERS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
TEN_MB = 10 * 1024 * 1024


@pytest.fixture(scope="module")
def endpoint(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("clients")
    with miikg_server(home, folder) as server:
        yield server.base + "/sparql"


def _triples(graph: rdflib.Graph) -> set[tuple[str, ...]]:
    assert not any(isinstance(t, rdflib.BNode) for triple in graph for t in triple)
    return {tuple(t.n3() for t in triple) for triple in graph}


def _local_graph(store: ox.Store, query: str) -> set[tuple[str, ...]]:
    text = "".join(f"{t} .\n" for t in store.query(query))
    return _triples(rdflib.Graph().parse(data=text, format="nt"))


def check_answer(
    store: ox.Store, form: str, media: str, body: bytes, *, allow: tuple[str, ...] = ()
) -> str:
    """Read *body* by its media type with rdflib and compare it with the local answer."""
    media = media.split(";")[0].strip()
    if form in {"CONSTRUCT", "DESCRIBE"}:
        if media == "text/plain" and "text/plain" in allow:
            media = "application/n-triples"  # N-Triples, sent as the text/plain asked for
        assert media in GRAPH_PARSERS, media
        graph = rdflib.Graph()
        if media == "application/n-quads":
            dataset = rdflib.Dataset()
            dataset.parse(data=body, format="nquads")
            graph = rdflib.Graph()
            for s, p, o, _ in dataset.quads():
                graph.add((s, p, o))
        else:
            graph.parse(data=body, format=GRAPH_PARSERS[media])
        assert _triples(graph) == _local_graph(store, QUERIES[form])
        assert len(graph) > 5
        return media
    parser = SOLUTION_PARSERS.get(media)
    if parser is None and media == "text/plain" and "text/plain" in allow:
        parser = "tsv"
    assert parser is not None, media
    result = Result.parse(io.BytesIO(body), format=parser)
    if form == "ASK":
        if parser in {"csv", "tsv"}:
            assert body.split()[-1] == b"true"
        else:
            assert result.askAnswer is True
    else:
        (row,) = list(result)
        expected = int(next(iter(store.query(QUERIES["SELECT"])))["n"].value)  # type: ignore[index]
        assert int(row[0]) == expected
    return media


# SPARQLWrapper, every return format, every query form, GET and POST ----------------------

RETURN_FORMATS = [None, JSON, XML, TURTLE, N3, RDF, RDFXML, CSV, TSV, JSONLD]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("form", list(QUERIES))
@pytest.mark.parametrize("fmt", RETURN_FORMATS, ids=[str(f) for f in RETURN_FORMATS])
def test_sparqlwrapper(
    endpoint: str, store: ox.Store, form: str, fmt: str | None, method: str
) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery(QUERIES[form])
    if fmt is not None:
        client.setReturnFormat(fmt)
    reply = client.query()
    assert reply.response.status == 200
    media = check_answer(store, form, reply.response.headers["Content-Type"], reply.response.read())
    if fmt is None:  # its default, XML: SPARQL XML results, or RDF/XML for a graph
        graph = form in {"CONSTRUCT", "DESCRIBE"}
        assert media == ("application/rdf+xml" if graph else "application/sparql-results+xml")


def test_sparqlwrapper_converts_its_default_for_a_graph(endpoint: str, store: ox.Store) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(QUERIES["CONSTRUCT"])
    graph = client.query().convert()  # RDF/XML, read by SPARQLWrapper into an rdflib Graph
    assert isinstance(graph, rdflib.Graph)
    assert _triples(graph) == _local_graph(store, QUERIES["CONSTRUCT"])


# rdflib's SPARQLStore, as it comes ---------------------------------------------------------


def test_rdflib_sparqlstore_defaults(endpoint: str, store: ox.Store) -> None:
    graph = rdflib.Graph(SPARQLStore(endpoint))
    (row,) = list(graph.query(QUERIES["SELECT"]))
    expected = int(next(iter(store.query(QUERIES["SELECT"])))["n"].value)  # type: ignore[index]
    assert int(row[0]) == expected  # type: ignore[index]
    assert graph.query(QUERIES["ASK"]).askAnswer is True
    constructed = graph.query(QUERIES["CONSTRUCT"]).graph
    assert constructed is not None
    assert _triples(constructed) == _local_graph(store, QUERIES["CONSTRUCT"])
    described = graph.query(QUERIES["DESCRIBE"]).graph
    assert described is not None
    assert _triples(described) == _local_graph(store, QUERIES["DESCRIBE"])
    assert len(graph) == expected


# curl, for every negotiation case ------------------------------------------------------------


def curl(*args: str) -> tuple[int, dict[str, str], bytes]:
    binary = shutil.which("curl")
    if binary is None:
        pytest.fail("curl is missing")
    done = subprocess.run(
        [binary, "-s", "-S", "-D", "-", *args], capture_output=True, timeout=120, check=True
    )
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    while head.startswith(b"HTTP/1.1 100"):  # Expect: 100-continue answered
        head, _, body = body.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
    return int(lines[0].split()[1]), headers, body


# (query form, Accept, format=, media type expected)
NEGOTIATION = [
    ("SELECT", None, None, "application/sparql-results+json"),
    ("SELECT", "application/sparql-results+xml", None, "application/sparql-results+xml"),
    ("SELECT", "application/json", None, "application/sparql-results+json"),
    ("SELECT", "text/csv", None, "text/csv"),
    ("SELECT", "text/tab-separated-values", None, "text/tab-separated-values"),
    ("SELECT", "text/plain", None, "text/plain"),
    ("SELECT", None, "json", "application/sparql-results+json"),
    ("SELECT", None, "xml", "application/sparql-results+xml"),
    ("SELECT", None, "csv", "text/csv"),
    ("SELECT", None, "tsv", "text/tab-separated-values"),
    ("SELECT", None, "text/csv", "text/csv"),
    ("SELECT", "*/*", "n3", "application/sparql-results+json"),
    ("SELECT", "text/csv", "no-such-format", "text/csv"),
    ("ASK", None, "xml", "application/sparql-results+xml"),
    ("CONSTRUCT", None, None, "text/turtle"),
    ("CONSTRUCT", "text/turtle", None, "text/turtle"),
    ("CONSTRUCT", "application/n-triples", None, "application/n-triples"),
    ("CONSTRUCT", "text/plain", None, "text/plain"),
    ("CONSTRUCT", "application/n-quads", None, "application/n-quads"),
    ("CONSTRUCT", "application/ld+json", None, "application/ld+json"),
    ("CONSTRUCT", "application/rdf+xml", None, "application/rdf+xml"),
    ("CONSTRUCT", "text/n3", None, "text/turtle"),
    ("CONSTRUCT", None, "xml", "application/rdf+xml"),
    ("CONSTRUCT", None, "rdf+xml", "application/rdf+xml"),
    ("CONSTRUCT", None, "turtle", "text/turtle"),
    ("CONSTRUCT", None, "n3", "text/turtle"),
    ("CONSTRUCT", None, "json", "application/ld+json"),
    ("CONSTRUCT", None, "json-ld", "application/ld+json"),
    ("CONSTRUCT", None, "application/n-quads", "application/n-quads"),
    ("CONSTRUCT", "application/rdf+xml", "csv", "application/rdf+xml"),
    ("DESCRIBE", "application/rdf+xml", "xml", "application/rdf+xml"),
]


@pytest.mark.parametrize(("form", "accept", "name", "media"), NEGOTIATION)
def test_curl_negotiation(
    endpoint: str,
    store: ox.Store,
    form: str,
    accept: str | None,
    name: str | None,
    media: str,
) -> None:
    args = ["-G", "--data-urlencode", f"query={QUERIES[form]}"]
    if name is not None:
        args += ["--data-urlencode", f"format={name}"]
    if accept is not None:
        args += ["-H", f"Accept: {accept}"]
    status, headers, body = curl(*args, endpoint)
    assert status == 200, body
    assert headers["content-type"].split(";")[0] == media
    check_answer(store, form, headers["content-type"], body, allow=("text/plain",))


def test_curl_html_gets_the_page_and_nothing_acceptable_a_406(endpoint: str) -> None:
    for url in (endpoint + "?query=" + urllib.parse.quote(QUERIES["SELECT"]), endpoint):
        status, headers, body = curl("-H", "Accept: text/html", url)
        assert status == 200
        assert headers["content-type"].startswith("text/html")
        assert b"<html" in body and b"SPARQL" in body
    status, headers, body = curl(
        "-H", "Accept: image/png", "-G", "--data-urlencode", "format=gif",
        "--data-urlencode", f"query={QUERIES['CONSTRUCT']}", endpoint,
    )  # fmt: skip
    assert status == 406
    assert b"format 'gif' is not offered" in body


def test_curl_options_and_cors(endpoint: str) -> None:
    status, headers, _ = curl("-X", "OPTIONS", endpoint)
    assert status == 204
    assert headers["allow"] == "GET, POST, OPTIONS"
    status, headers, _ = curl(
        "-X", "OPTIONS", "-H", "Origin: http://127.0.0.1:9999",
        "-H", "Access-Control-Request-Method: POST",
        "-H", "Access-Control-Request-Headers: content-type, accept", endpoint,
    )  # fmt: skip
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "POST" in headers["access-control-allow-methods"]
    assert "content-type" in headers["access-control-allow-headers"].lower()
    status, headers, _ = curl(
        "-H", "Origin: http://127.0.0.1:9999", "-G", "--data-urlencode",
        f"query={QUERIES['ASK']}", endpoint,
    )  # fmt: skip
    assert status == 200
    assert headers["access-control-allow-origin"] == "*"
    assert "Miikg-Truncated" in headers["access-control-expose-headers"]


# A page on another origin, in Chromium --------------------------------------------------------

PAGE = """<!doctype html><meta charset="utf-8"><title>cors</title><body><pre id="out"></pre>
<script>
const endpoint = ENDPOINT;
async function run() {
  const out = {};
  const get = await fetch(endpoint + "?query=" + encodeURIComponent(QUERY),
                          {headers: {Accept: "application/sparql-results+json"}});
  out.get = (await get.json()).results.bindings[0].n.value;
  const post = await fetch(endpoint, {method: "POST", body: QUERY,
    headers: {"Content-Type": "application/sparql-query",
              Accept: "application/sparql-results+json"}});
  out.post = (await post.json()).results.bindings[0].n.value;
  return out;
}
run().then(r => { document.getElementById("out").textContent = JSON.stringify(r); },
           e => { document.getElementById("out").textContent = "error: " + e; });
</script>"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        return


def _page_server(folder: Path, endpoint: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    page = PAGE.replace("ENDPOINT", json.dumps(endpoint)).replace(
        "QUERY", json.dumps(QUERIES["SELECT"])
    )
    (folder / "index.html").write_text(page, encoding="utf-8")

    def handler(*args: Any) -> _Quiet:
        return _Quiet(*args, directory=str(folder))

    server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/index.html"


def _run_page(browser: Browser, url: str) -> str:
    page = browser.new_page()
    try:
        page.goto(url)
        page.wait_for_function("document.getElementById('out').textContent !== ''")
        return str(page.text_content("#out"))
    finally:
        page.close()


def test_a_page_on_another_origin_queries_the_endpoint(
    endpoint: str, store: ox.Store, home: Path, tmp_path: Path, browser: Browser
) -> None:
    expected = next(iter(store.query(QUERIES["SELECT"])))["n"].value  # type: ignore[index]
    server, url = _page_server(tmp_path, endpoint)
    try:
        assert json.loads(_run_page(browser, url)) == {"get": expected, "post": expected}
        # Narrowed to one origin: that origin's page works, another origin's page is refused.
        origin = url.rsplit("/", 1)[0]
        with miikg_server(home, tmp_path, "--cors-origin", origin) as narrowed:
            (tmp_path / "n").mkdir()
            other, other_url = _page_server(tmp_path / "n", narrowed.base + "/sparql")
            try:
                assert _run_page(browser, other_url).startswith("error: TypeError")
            finally:
                other.shutdown()
            page = PAGE.replace("ENDPOINT", json.dumps(narrowed.base + "/sparql")).replace(
                "QUERY", json.dumps(QUERIES["SELECT"])
            )
            (tmp_path / "index.html").write_text(page, encoding="utf-8")
            assert json.loads(_run_page(browser, url)) == {"get": expected, "post": expected}
    finally:
        server.shutdown()


# A 10 MB query: every client sees its 413 ------------------------------------------------------

BIG = b"SELECT * {} #" + b"x" * TEN_MB


def test_urllib_sees_the_413(endpoint: str) -> None:
    request = urllib.request.Request(
        endpoint, data=BIG, headers={"Content-Type": "application/sparql-query"}
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=60)
    assert caught.value.code == 413
    assert caught.value.read().startswith(b"request body over ")


def test_httpx_sees_the_413(endpoint: str) -> None:
    reply = httpx.post(
        endpoint, content=BIG, headers={"Content-Type": "application/sparql-query"}, timeout=60
    )
    assert reply.status_code == 413
    assert reply.text.startswith("request body over ")


def test_requests_sees_the_413(endpoint: str) -> None:
    reply = requests.post(
        endpoint, data=BIG, headers={"Content-Type": "application/sparql-query"}, timeout=60
    )
    assert reply.status_code == 413
    assert reply.text.startswith("request body over ")
    form = requests.post(endpoint, data={"query": BIG.decode()}, timeout=60)
    assert form.status_code == 413


def test_curl_sees_the_413(endpoint: str, tmp_path: Path) -> None:
    body = tmp_path / "big.rq"
    body.write_bytes(BIG)
    for extra in ([], ["-H", "Expect:"]):  # with and without Expect: 100-continue
        status, _, text = curl(
            *extra, "-H", "Content-Type: application/sparql-query",
            "--data-binary", f"@{body}", endpoint,
        )  # fmt: skip
        assert status == 413
        assert text.startswith(b"request body over ")
