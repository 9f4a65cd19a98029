"""Hostile input to ``miikg serve``: huge bodies, long URLs, queries that never end, stalled
clients, SERVICE and FROM aimed at this machine, and 200 clients at once.

A real ``miikg serve`` on a loopback port, as in ``test_serve.py`` (which holds the
ordinary refusals: this file adds what it does not cover). Each case checks the exact
status a client gets, and that the server then still answers a count with the right
number.
"""

from __future__ import annotations

import functools
import http.client
import http.server
import json
import random
import socket
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from miikg.errors import QueryRefusedError
from miikg.graph_builder.build import build_quads
from miikg.graph_builder.load import load_data
from miikg.serve import policy
from servers import miikg_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 1.0
QUERY_LIMIT = 100 * 1024
#: what the endpoint reads of a POST body at most (three times the query limit, plus 4 KiB)
BODY_LIMIT = QUERY_LIMIT * 3 + 4096
TEN_MB = 10 * 1024 * 1024


@functools.cache
def expected_count() -> int:
    """Distinct triples the bundled data builds (the default graph holds each once)."""
    return len({q.triple for q in build_quads(load_data())})


def count_of(reply: httpx.Response) -> int:
    assert reply.status_code == 200, reply.text
    return int(reply.json()["results"]["bindings"][0]["n"]["value"])


def still_up(url: str, *, within: float = 10.0) -> float:
    """Assert the server answers a count with the right number, in time; return the time."""
    started = time.monotonic()
    assert count_of(httpx.get(url, params={"query": COUNT}, timeout=60)) == expected_count()
    elapsed = time.monotonic() - started
    assert elapsed < within
    return elapsed


def host_port(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    assert parts.hostname is not None and parts.port is not None
    return parts.hostname, parts.port


@pytest.fixture(scope="module")
def endpoint(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with a one-second query timeout, so that overlong queries end soon."""
    folder = tmp_path_factory.mktemp("hostile")
    with miikg_server(home, folder, "--timeout", str(TIMEOUT)) as server:
        yield server.base + "/sparql"


# 1. Huge queries: refused before they are read, never near a worker --------------------


@pytest.mark.parametrize("media", ["application/sparql-query", "application/x-www-form-urlencoded"])
def test_a_10_mb_query_is_refused_on_its_declared_size(endpoint: str, media: str) -> None:
    start = "SELECT * {} #"
    if media.endswith("query"):
        body = start.encode() + b"x" * TEN_MB
    else:
        body = b"query=" + urllib.parse.quote(start, safe="").encode() + b"x" * TEN_MB
    started = time.monotonic()
    reply = httpx.post(endpoint, content=body, headers={"Content-Type": media}, timeout=30)
    elapsed = time.monotonic() - started
    assert reply.status_code == 413, reply.text
    # refused on Content-Length, before reading the body: not "the query is over …"
    assert reply.text == f"request body over {BODY_LIMIT} bytes\n"
    assert elapsed < 5
    still_up(endpoint)


def test_a_10_mb_chunked_query_is_cut_off_at_the_limit(endpoint: str) -> None:
    """No Content-Length: the body is read only up to the limit, then refused."""

    def chunks() -> Iterator[bytes]:
        yield b"SELECT * {} #"
        for _ in range(TEN_MB // 65536):
            yield b"x" * 65536

    started = time.monotonic()
    reply = httpx.post(
        endpoint,
        content=chunks(),
        headers={"Content-Type": "application/sparql-query"},
        timeout=30,
    )
    assert reply.status_code == 413, reply.text
    assert reply.text == f"request body over {BODY_LIMIT} bytes\n"
    assert time.monotonic() - started < 5
    still_up(endpoint)


def _raw_response(sock: socket.socket) -> tuple[int, bytes]:
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, response.read()


def test_the_413_comes_before_the_body(endpoint: str) -> None:
    """Declare 10 MB, send 1 KB, wait: the answer comes without the rest of the body."""
    host, port = host_port(endpoint)
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            + f"Content-Length: {TEN_MB}\r\n\r\n".encode()
            + b"SELECT * {} #"
            + b"x" * 1024
        )
        started = time.monotonic()
        status, body = _raw_response(sock)
    assert status == 413
    assert body == f"request body over {BODY_LIMIT} bytes\n".encode()
    assert time.monotonic() - started < 5
    still_up(endpoint)


def test_a_chunked_body_is_not_read_past_the_limit(endpoint: str) -> None:
    """Send a little over the limit in chunks and never end: the 413 comes anyway."""
    host, port = host_port(endpoint)
    chunk = b"x" * 16384
    with socket.create_connection((host, port), timeout=5) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        for _ in range(BODY_LIMIT // len(chunk) + 2):
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        started = time.monotonic()
        status, body = _raw_response(sock)
    assert status == 413
    assert body == f"request body over {BODY_LIMIT} bytes\n".encode()
    assert time.monotonic() - started < 5
    still_up(endpoint)


def _get_in_segments(endpoint: str, query: str, segment: int = 1400) -> tuple[int, bytes]:
    """A GET sent the way a real network delivers it: in small segments, a moment apart."""
    host, port = host_port(endpoint)
    target = "/sparql?query=" + urllib.parse.quote(query, safe="")
    request = f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for start in range(0, len(request), segment):
            sock.sendall(request[start : start + segment])
            time.sleep(0.0005)
        return _raw_response(sock)


def test_a_long_get_query_under_the_limit_runs_when_it_arrives_in_segments(
    endpoint: str,
) -> None:
    """A 60 KiB query in the URL (under the 100 KiB limit) must not be an invalid request."""
    query = COUNT + " #" + "x" * 60_000
    status, body = _get_in_segments(endpoint, query)
    assert status == 200, body
    assert f'"value": "{expected_count()}"'.encode() in body
    still_up(endpoint)


@pytest.mark.parametrize("segment", [16384, 1 << 20])
def test_a_get_query_over_the_limit_gets_413(endpoint: str, segment: int) -> None:
    """150 KiB in the URL, in segments or at once: the size limit's 413, not a reset."""
    status, body = _get_in_segments(endpoint, "SELECT * {} #" + "x" * 150_000, segment)
    assert status == 413
    assert body == f"the query is over the limit of {QUERY_LIMIT} bytes\n".encode()
    still_up(endpoint)


# 2. Queries that would run for minutes: stopped at the timeout -------------------------

SLOW_CASES: list[tuple[str, dict[str, Any]]] = [
    ("cartesian-get", {"method": "GET", "params": {"query": SLOW}}),
    (
        "cartesian-sparql-query",
        {
            "method": "POST",
            "content": SLOW.encode(),
            "headers": {"Content-Type": "application/sparql-query"},
        },
    ),
    (
        "nested-optional",
        {
            "method": "POST",
            "data": {
                "query": "SELECT (COUNT(*) AS ?n) WHERE "
                "{ ?a ?b ?c OPTIONAL { ?d ?e ?f OPTIONAL { ?g ?h ?i } } }"
            },
        },
    ),
    (
        "regex-over-pairs",
        {
            "method": "POST",
            "data": {
                "query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f "
                'FILTER(REGEX(CONCAT(STR(?c), STR(?f)), "(a+)+b")) }'
            },
        },
    ),
]


@pytest.mark.parametrize(("case", "request_args"), SLOW_CASES, ids=[c[0] for c in SLOW_CASES])
def test_an_endless_query_is_stopped_at_the_timeout(
    endpoint: str, case: str, request_args: dict[str, Any]
) -> None:
    args = dict(request_args)
    started = time.monotonic()
    reply = httpx.request(args.pop("method"), endpoint, timeout=60, **args)
    elapsed = time.monotonic() - started
    assert reply.status_code == 503, reply.text
    assert reply.text == f"the query ran out of time ({TIMEOUT:g} s) and was stopped\n"
    assert TIMEOUT <= elapsed < TIMEOUT + 5
    still_up(endpoint)


def test_more_endless_queries_than_workers_at_once(endpoint: str) -> None:
    """Five at once on two workers: each is stopped in turn, a count waits and is right."""
    with httpx.Client(timeout=120) as client:
        results: dict[str, Any] = {}

        def slow(i: int) -> None:
            results[f"slow-{i}"] = client.post(endpoint, data={"query": SLOW})

        threads = [threading.Thread(target=slow, args=(i,)) for i in range(5)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        started = time.monotonic()
        waited = client.get(endpoint, params={"query": COUNT})
        count_seconds = time.monotonic() - started
        for thread in threads:
            thread.join(120)
    message = f"the query ran out of time ({TIMEOUT:g} s) and was stopped\n"
    assert [(r.status_code, r.text) for r in results.values()] == [(503, message)] * 5
    assert count_of(waited) == expected_count()
    assert count_seconds < 30
    still_up(endpoint, within=5)


# 3. Clients that stall half-way hold no worker ----------------------------------------


def test_stalled_clients_do_not_block_others(endpoint: str) -> None:
    host, port = host_port(endpoint)
    stalled: list[socket.socket] = []
    try:
        for i in range(60):
            sock = socket.create_connection((host, port), timeout=5)
            stalled.append(sock)
            if i % 3 == 0:  # half a request line
                sock.sendall(b"GET /sparql?query=SELECT")
            elif i % 3 == 1:  # headers, no end of headers
                sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: applic")
            else:  # a body that never comes
                sock.sendall(
                    b"POST /sparql HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/sparql-query\r\nContent-Length: 1000\r\n\r\n"
                    b"SELECT"
                )
        for _ in range(4):  # more than the workers: none of them is held by a stalled client
            still_up(endpoint, within=3)
    finally:
        for sock in stalled:
            sock.close()
    still_up(endpoint, within=3)


# 4. SERVICE and FROM aimed at this machine ---------------------------------------------

#: forms test_serve.py does not cover: (case, query, start of the 403 message)
AIMED_AT_THIS_MACHINE = [
    (
        "service-file",
        "SELECT * { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
        "SERVICE <file:///etc/passwd> refused",
    ),
    (
        "service-ipv6-loopback",
        "SELECT * { SERVICE <http://[::1]:8000/sparql> { ?s ?p ?o } }",
        "SERVICE <http://[::1]:8000/sparql> refused",
    ),
    (
        "service-unspecified",
        "SELECT * { SERVICE <http://0.0.0.0:8000/sparql> { ?s ?p ?o } }",
        "SERVICE <http://0.0.0.0:8000/sparql> refused",
    ),
    (
        "service-decimal",
        "SELECT * { SERVICE <http://2130706433/> { ?s ?p ?o } }",
        "SERVICE <http://2130706433/> refused",
    ),
    (
        "service-hex",
        "SELECT * { SERVICE <http://0x7f000001/> { ?s ?p ?o } }",
        "SERVICE <http://0x7f000001/> refused",
    ),
    (
        "service-octal",
        "SELECT * { SERVICE <http://0177.0.0.1/> { ?s ?p ?o } }",
        "SERVICE <http://0177.0.0.1/> refused",
    ),
    (
        "service-short",
        "SELECT * { SERVICE <http://127.1/> { ?s ?p ?o } }",
        "SERVICE <http://127.1/> refused",
    ),
    (
        "service-v4-mapped",
        "SELECT * { SERVICE <http://[::ffff:127.0.0.1]/> { ?s ?p ?o } }",
        "SERVICE <http://[::ffff:127.0.0.1]/> refused",
    ),
    (
        "service-localhost-upper",
        "SELECT * { SERVICE <HTTP://LOCALHOST/> { ?s ?p ?o } }",
        "SERVICE <HTTP://LOCALHOST/> refused",
    ),
    (
        "service-base-relative",
        "BASE <http://127.0.0.1:8000/> SELECT * { SERVICE <sparql> { ?s ?p ?o } }",
        "SERVICE <http://127.0.0.1:8000/sparql> refused",
    ),
    (
        "service-in-subquery",
        "SELECT * { { SELECT ?s { SERVICE <http://localhost/> { ?s ?p ?o } } } }",
        "SERVICE <http://localhost/> refused",
    ),
    (
        "service-in-filter-exists",
        "SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE <http://localhost/> { ?s ?p ?o } } }",
        "SERVICE <http://localhost/> refused",
    ),
    (
        "service-in-ask",
        "ASK { SERVICE <http://[::1]/> { ?s ?p ?o } }",
        "SERVICE <http://[::1]/> refused",
    ),
    (
        "service-in-construct",
        "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1/> { ?s ?p ?o } }",
        "SERVICE <http://127.0.0.1/> refused",
    ),
    ("from-ipv6-loopback", "SELECT * FROM <http://[::1]/> { ?s ?p ?o }", "FROM <http://[::1]/>"),
    (
        "from-localhost",
        "SELECT * FROM <http://localhost:8000/sparql> { ?s ?p ?o }",
        "FROM <http://localhost:8000/sparql> refused",
    ),
    (
        "from-unspecified",
        "SELECT * FROM <http://0.0.0.0/> { ?s ?p ?o }",
        "FROM <http://0.0.0.0/> refused",
    ),
    (
        "from-decimal",
        "SELECT * FROM <http://2130706433/> { ?s ?p ?o }",
        "FROM <http://2130706433/> refused",
    ),
    (
        "from-hex",
        "SELECT * FROM <http://0x7f000001/> { ?s ?p ?o }",
        "FROM <http://0x7f000001/> refused",
    ),
    (
        "from-named-file",
        "SELECT * FROM NAMED <file:///etc/passwd> { GRAPH ?g { ?s ?p ?o } }",
        "FROM NAMED <file:///etc/passwd> refused",
    ),
    (
        "from-base-relative",
        "BASE <http://127.0.0.1/> SELECT * FROM <x> { ?s ?p ?o }",
        "FROM <http://127.0.0.1/x> refused",
    ),
    (
        "from-prefixed",
        "PREFIX h: <http://[::1]/> SELECT * FROM NAMED h:g { ?s ?p ?o }",
        "FROM NAMED <http://[::1]/g> refused",
    ),
    (
        "from-in-describe",
        "DESCRIBE ?s FROM <file:///etc/hosts> WHERE { ?s ?p ?o }",
        "FROM <file:///etc/hosts> refused",
    ),
]


@pytest.mark.parametrize(
    ("case", "query", "message"), AIMED_AT_THIS_MACHINE, ids=[c[0] for c in AIMED_AT_THIS_MACHINE]
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_service_and_from_aimed_at_this_machine_are_refused(
    endpoint: str, case: str, query: str, message: str, method: str
) -> None:
    if method == "GET":
        reply = httpx.get(endpoint, params={"query": query}, timeout=30)
    else:
        reply = httpx.post(endpoint, data={"query": query}, timeout=30)
    assert reply.status_code == 403, reply.text
    assert reply.text.startswith(message)
    assert reply.headers["content-type"].startswith("text/plain")
    still_up(endpoint)


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Counts any request that reaches it (it answers none usefully)."""

    hits: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        _Recorder.hits.append(f"{self.command} {self.path}")
        self.send_response(500)
        self.end_headers()

    def do_POST(self) -> None:
        self.do_GET()

    def log_message(self, *args: object) -> None:
        return


class _DualStack(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6

    def server_bind(self) -> None:
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


#: this machine, every way an http IRI can name it (the recorder's port filled in)
LOOPBACK_FORMS = [
    "http://127.0.0.1:{port}/sparql",
    "http://[::1]:{port}/sparql",
    "http://localhost:{port}/sparql",
    "http://0.0.0.0:{port}/sparql",
    "http://0:{port}/sparql",
    "http://2130706433:{port}/sparql",
    "http://0x7f000001:{port}/sparql",
    "http://0177.0.0.1:{port}/sparql",
    "http://127.1:{port}/sparql",
    "http://[::ffff:127.0.0.1]:{port}/sparql",
    "http://[::ffff:7f00:1]:{port}/sparql",
    "https://127.0.0.1:{port}/sparql",
]


@dataclass
class Allowing:
    """A server whose allow-list names every loopback form of a recorder's address."""

    endpoint: str
    port: int


@pytest.fixture(scope="module")
def allowing(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Allowing]:
    """Allow-listed SERVICE turns the workers' network isolation off: only the policy
    stands between a query and the recorder, listening on 127.0.0.1 and ::1 alike."""
    recorder = _DualStack(("::", 0), _Recorder)
    thread = threading.Thread(target=recorder.serve_forever, daemon=True)
    thread.start()
    port = recorder.server_address[1]
    options = [
        part for form in LOOPBACK_FORMS for part in ("--allow-service", form.format(port=port))
    ]
    folder = tmp_path_factory.mktemp("allowing")
    try:
        with miikg_server(home, folder, "--timeout", "5", *options) as server:
            yield Allowing(server.base + "/sparql", port)
    finally:
        recorder.shutdown()
        recorder.server_close()


@pytest.mark.parametrize("form", LOOPBACK_FORMS)
def test_an_allow_listed_loopback_service_is_still_refused(allowing: Allowing, form: str) -> None:
    """Allow-listing this machine by mistake does not open it: only public addresses pass."""
    iri = form.format(port=allowing.port)
    _Recorder.hits.clear()
    query = f"SELECT * {{ SERVICE <{iri}> {{ ?s ?p ?o }} }}"
    reply = httpx.post(allowing.endpoint, data={"query": query}, timeout=30)
    assert reply.status_code == 403, reply.text
    assert reply.text == f"SERVICE <{iri}> refused: not an http(s) IRI of a public address\n"
    still_up(allowing.endpoint)
    assert _Recorder.hits == []


@pytest.mark.parametrize(
    "iri",
    [
        "http://[::127.0.0.1]/sparql",  # IPv4-compatible IPv6 (deprecated)
        "http://[64:ff9b::7f00:1]/sparql",  # NAT64 of 127.0.0.1
        "http://[2002:7f00:1::]/sparql",  # 6to4 of 127.0.0.1
        "http://[2002:a00:1::1]/sparql",  # 6to4 of 10.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/latest/",  # NAT64 of 169.254.169.254
    ],
)
def test_ipv6_forms_of_private_ipv4_addresses_are_not_public(iri: str) -> None:
    """Checked without a server: through one, a query that passed would leave this host."""
    assert not policy.is_public_http_iri(iri)
    with pytest.raises(QueryRefusedError, match="not an http"):
        policy.inspect_query(
            f"SELECT * {{ SERVICE <{iri}> {{ }} }}", graphs=set(), allow_services=[iri]
        )


def test_an_ipv6_form_of_a_public_ipv4_address_stays_public() -> None:
    assert policy.is_public_http_iri("http://[64:ff9b::5db8:d70e]/sparql")  # 93.184.215.14


# 5. Two hundred clients at once ---------------------------------------------------------

CLIENTS = 200
SECONDS = 30.0
PROBE_EVERY = 0.5
#: the most a probe may take while the server is under that load
PROBE_BOUND = 5.0
BUSY = b"the endpoint is busy: no query worker was free; try again\n"

#: each client sends these in turn, starting at its own place: 6 in 10 are good queries
CYCLE = [
    "count-get",
    "count-form",
    "syntax",
    "count-body",
    "update",
    "count-get",
    "oversize-declared",
    "count-form",
    "count-body",
    "oversize-read",
]


@dataclass
class Answer:
    kind: str
    status: int
    verdict: str  # "ok", "shed" (the overload answer, a 503 "busy") or what was wrong
    seconds: float


def _send(conn: http.client.HTTPConnection, kind: str) -> tuple[int, bytes]:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    body_type = {"Content-Type": "application/sparql-query"}
    if kind == "count-get":
        conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": COUNT}))
    elif kind == "count-form":
        conn.request("POST", "/sparql", urllib.parse.urlencode({"query": COUNT}), form)
    elif kind == "count-body":
        conn.request("POST", "/sparql", COUNT.encode(), body_type)
    elif kind == "syntax":
        conn.request("POST", "/sparql", b"SELECT * WHERE { ?s ?p }", body_type)
    elif kind == "update":
        conn.request("POST", "/sparql", urllib.parse.urlencode({"update": "DROP ALL"}), form)
    elif kind == "oversize-declared":  # over the body limit: refused on Content-Length
        conn.request("POST", "/sparql", b"SELECT * {} #" + b"x" * 400_000, body_type)
    elif kind == "oversize-read":  # under the body limit, over the query limit
        conn.request("POST", "/sparql", b"SELECT * {} #" + b"x" * 150_000, body_type)
    response = conn.getresponse()
    return response.status, response.read()


#: what each bad kind must get: its status and the start of its message
REFUSED = {
    "syntax": (400, b"SPARQL syntax error at line 1, column "),
    "update": (403, b"SPARQL Update is not allowed: this endpoint is read-only\n"),
    "oversize-declared": (413, f"request body over {BODY_LIMIT} bytes\n".encode()),
    "oversize-read": (413, f"the query is over the limit of {QUERY_LIMIT} bytes\n".encode()),
}


def _verdict(kind: str, status: int, body: bytes) -> str:
    if kind.startswith("count"):
        if status == 200:
            n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
            return "ok" if n == expected_count() else f"count {n}"
    elif (status, body[: len(REFUSED[kind][1])]) == REFUSED[kind]:
        return "ok"
    if status == 503 and body == BUSY and kind.startswith(("count", "syntax")):
        return "shed"  # the pool's overload answer: no worker free within queue_wait (30 s)
    return f"{status} {body[:120]!r}"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


@pytest.fixture(scope="module")
def loaded(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server with the default settings (2 workers, 10 s timeout, 30 s queue wait)."""
    folder = tmp_path_factory.mktemp("loaded")
    with miikg_server(home, folder) as server:
        yield server.base + "/sparql"


def test_200_clients_for_30_seconds_and_a_probe_that_is_always_answered(loaded: str) -> None:
    host, port = host_port(loaded)
    expected_count()  # computed now, not by 200 threads at once
    answers: list[Answer] = []
    failures: list[str] = []
    probes: list[Answer] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS + 2)
    deadline = 0.0

    def client(index: int) -> None:
        rng = random.Random(index)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        turn = rng.randrange(len(CYCLE))
        start.wait()
        while time.monotonic() < deadline:
            kind = CYCLE[turn % len(CYCLE)]
            turn += 1
            began = time.monotonic()
            try:
                status, body = _send(conn, kind)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                with lock:
                    failures.append(f"{kind}: {type(exc).__name__}: {exc}")
                continue
            answer = Answer(kind, status, _verdict(kind, status, body), time.monotonic() - began)
            with lock:
                answers.append(answer)
        conn.close()

    def probe() -> None:
        """A monitoring check: a new connection each time, every PROBE_EVERY seconds."""
        start.wait()
        next_at = time.monotonic()
        while next_at < deadline:
            time.sleep(max(0.0, next_at - time.monotonic()))
            began = time.monotonic()
            conn = http.client.HTTPConnection(host, port, timeout=60)
            try:
                status, body = _send(conn, "count-get")
                verdict = _verdict("count-get", status, body)
            except (OSError, http.client.HTTPException) as exc:
                status, verdict = 0, f"{type(exc).__name__}: {exc}"
            finally:
                conn.close()
            probes.append(Answer("probe", status, verdict, time.monotonic() - began))
            next_at += PROBE_EVERY

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    threads.append(threading.Thread(target=probe))
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + SECONDS + 1  # set before the barrier lets anyone go
    start.wait()
    began = time.monotonic()
    for thread in threads:
        thread.join(SECONDS + 120)
    elapsed = time.monotonic() - began

    verdicts = Counter(a.verdict for a in answers)
    by_kind = Counter(a.kind for a in answers)
    latencies = [a.seconds for a in answers]
    good = [a.seconds for a in answers if a.kind.startswith("count") and a.verdict == "ok"]
    probe_times = [p.seconds for p in probes]
    print(
        f"\n{len(answers)} answers in {elapsed:.1f} s = {len(answers) / elapsed:.0f} req/s "
        f"from {CLIENTS} clients; kinds {dict(by_kind)}; verdicts {dict(verdicts)}; "
        f"connection failures {len(failures)}\n"
        f"latency all: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {_percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        f"good counts: p50 {statistics.median(good) * 1000:.0f} ms, "
        f"p99 {_percentile(good, 0.99) * 1000:.0f} ms\n"
        f"probe: {len(probes)} probes, p50 {statistics.median(probe_times) * 1000:.0f} ms, "
        f"max {max(probe_times) * 1000:.0f} ms"
    )
    assert failures == [], failures[:5]
    wrong = Counter(a.verdict for a in answers if a.verdict not in {"ok", "shed"})
    assert wrong == Counter(), wrong.most_common(5)
    assert set(by_kind) == set(CYCLE)
    # every probe: the right count, in time
    assert len(probes) >= SECONDS / PROBE_EVERY - 2
    assert [p.verdict for p in probes] == ["ok"] * len(probes)
    assert max(probe_times) < PROBE_BOUND
    still_up(loaded, within=2)
