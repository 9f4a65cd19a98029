"""``miikg push`` into real Graph Stores (``oxigraph serve``, Virtuoso 7), read back per graph.

Each named graph is fetched back over HTTP and compared with the build's quads of that
graph (the built data has no blank nodes, so isomorphism is set equality of triples).
"""

from __future__ import annotations

import base64
import http.server
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib

from miikg.errors import PushError
from miikg.graph_builder.store import current_build
from miikg.queries.pushed import DESCRIPTION_GRAPH, read_description
from miikg.serve.push import DEFAULT, MERGE_GRAPH, Progress, UrlTransport, push
from servers import Server, free_port, oxigraph_server


def local(store: ox.Store, graph: str) -> set[tuple[str, ...]]:
    name = ox.DefaultGraph() if graph == DEFAULT else ox.NamedNode(graph)
    text = "".join(f"{q.triple} .\n" for q in store.quads_for_pattern(None, None, None, name))
    return triples(text.encode())


def triples(data: bytes) -> set[tuple[str, ...]]:
    """Parse N-Triples with rdflib (the independent reader) into comparable tuples."""
    graph = rdflib.Graph().parse(data=data, format="nt")
    assert not any(isinstance(t, rdflib.BNode) for triple in graph for t in triple)
    return {tuple(t.n3() for t in triple) for triple in graph}


def graphs_of(store: ox.Store) -> list[str]:
    return sorted(g.value for g in store.named_graphs())


def fetch(url: str, accept: str = "application/n-triples") -> bytes:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return bytes(reply.read())
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return b""
        raise


def oxigraph_graph(base: str, graph: str) -> set[tuple[str, ...]]:
    target = "default" if graph == DEFAULT else "graph=" + urllib.parse.quote(graph, safe="")
    return triples(fetch(f"{base}/store?{target}"))


def remote_graph_names(base: str) -> set[str]:
    query = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"})
    data = fetch(f"{base}/query?{query}", "text/csv").decode()
    return set(data.split()[1:])


def run_command(argv: list[str]) -> int:
    """Run a ``miikg`` command line in this process; ``--debug`` lets errors propagate."""
    from miikg import cli

    return cli.main(["--debug", *argv])


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[Server]:
    with oxigraph_server(tmp_path / "oxigraph-db", tmp_path) as server:
        yield server


# oxigraph serve -----------------------------------------------------------------------


def test_push_command_to_oxigraph_round_trips_every_graph(
    oxigraph: Server,
    home: Path,
    store: ox.Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = tmp_path / "state.json"
    argv = ["--store", str(home), "push", "--endpoint", f"{oxigraph.base}/store", "--replace"]
    assert run_command([*argv, "--batch-size", "500", "--state", str(state)]) == 0
    out, err = capsys.readouterr()
    total = len(store)
    assert "100%" in err and f"{total}/{total} triples" in err
    assert f"Pushed {len(graphs_of(store)) + 1} graph(s), {total} triples" in out
    assert not state.exists()
    names = graphs_of(store)
    # every graph of the build, and last the description of the push (test_remote.py)
    assert remote_graph_names(oxigraph.base) == {*names, DESCRIPTION_GRAPH}
    for graph in [*names, DEFAULT]:
        assert oxigraph_graph(oxigraph.base, graph) == local(store, graph), graph
    text = fetch(f"{oxigraph.base}/store?graph={urllib.parse.quote(DESCRIPTION_GRAPH, safe='')}")
    described = read_description(q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES))
    assert described is not None
    assert described.build == current_build(home).root.name
    assert described.graphs == {g: len(local(store, g)) for g in names}
    assert (described.merge, described.merge_triples) == (None, len(local(store, DEFAULT)))


def test_push_command_to_oxigraph_with_only_the_endpoint(
    oxigraph: Server,
    home: Path,
    store: ox.Store,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    started = time.monotonic()
    argv = ["--store", str(home), "push", "--endpoint", f"{oxigraph.base}/store", "--quiet"]
    assert run_command(argv) == 0
    seconds = time.monotonic() - started
    out, _ = capsys.readouterr()
    print(f"\npush to oxigraph serve: {len(store)} triples in {seconds:.1f} s")
    assert "default graph" not in out  # written where it belongs, nothing to say
    for graph in [*graphs_of(store), DEFAULT]:
        assert oxigraph_graph(oxigraph.base, graph) == local(store, graph), graph


def test_replace_puts_and_plain_push_adds(
    oxigraph: Server, store: ox.Store, tmp_path: Path
) -> None:
    meta = "https://w3id.org/miikg/graph/meta"
    endpoint = f"{oxigraph.base}/store"
    extra = b"<urn:x> <urn:y> <urn:z> ."
    request = urllib.request.Request(
        endpoint + "?graph=" + urllib.parse.quote(meta, safe=""),
        data=extra,
        method="POST",
        headers={"Content-Type": "application/n-triples"},
    )
    urllib.request.urlopen(request, timeout=30).close()
    push(store, endpoint, state=tmp_path / "s", build_id="b", graph=meta, batch_size=300)
    assert oxigraph_graph(oxigraph.base, meta) == local(store, meta) | triples(extra)
    push(store, endpoint, state=tmp_path / "s", build_id="b", graph=meta, replace=True)
    assert oxigraph_graph(oxigraph.base, meta) == local(store, meta)


@pytest.mark.parametrize("graph", ["https://w3id.org/miikg/graph/paper-table-2", DEFAULT])
def test_push_one_graph(oxigraph: Server, store: ox.Store, tmp_path: Path, graph: str) -> None:
    result = push(
        store,
        f"{oxigraph.base}/store",
        state=tmp_path / "s",
        build_id="b",
        graph=graph,
        batch_size=50,
    )
    assert result.graphs == 1
    assert result.batches_sent == -(-len(local(store, graph)) // 50) > 1
    assert oxigraph_graph(oxigraph.base, graph) == local(store, graph)
    expected = set() if graph == DEFAULT else {graph}
    assert remote_graph_names(oxigraph.base) == expected


def test_unknown_graph_is_refused(store: ox.Store, tmp_path: Path) -> None:
    with pytest.raises(PushError, match="no graph <urn:nope>"):
        push(
            store, "http://127.0.0.1:9/store", state=tmp_path / "s", build_id="b", graph="urn:nope"
        )


def test_resume_after_the_server_goes_away(store: ox.Store, tmp_path: Path) -> None:
    """The server is stopped mid-push; the rerun, server back, sends only what is left."""
    location, port = tmp_path / "db", free_port()
    endpoint = f"http://127.0.0.1:{port}/store"
    state = tmp_path / "state.json"
    sent_before: list[int] = []
    with oxigraph_server(location, tmp_path, port) as server:

        def stop_after_40(p: Progress) -> None:
            sent_before.append(p.batches_done)
            if p.batches_done == 40:
                server.stop()

        with pytest.raises(PushError, match="rerun the same command to resume"):
            push(
                store,
                endpoint,
                state=state,
                build_id="b",
                replace=True,
                batch_size=200,
                retries=2,
                sleep=lambda _: None,
                progress=stop_after_40,
            )
    assert max(sent_before) == 40
    assert state.exists()
    recorder = Recording(UrlTransport())
    with oxigraph_server(location, tmp_path, port) as server:
        result = push(
            store,
            endpoint,
            state=state,
            build_id="b",
            replace=True,
            batch_size=200,
            transport=recorder,
        )
        assert result.batches_skipped == 40
        assert result.batches_sent == len(recorder.sent) > 0
        assert not state.exists()
        for graph in [*graphs_of(store), DEFAULT]:
            assert oxigraph_graph(server.base, graph) == local(store, graph), graph


class Recording:
    """A transport double that records requests and can fail after a number of them."""

    def __init__(self, inner: Any, *, fail_after: int | None = None) -> None:
        self.inner = inner
        self.fail_after = fail_after
        self.sent: list[tuple[str, str, bytes]] = []
        self.statuses: list[int] = []

    def send(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> int:
        if self.fail_after is not None and len(self.sent) >= self.fail_after:
            raise ConnectionResetError("injected: connection reset by peer")
        self.sent.append((method, url, body))
        status = int(self.inner.send(method, url, body, headers)) if self.inner else 201
        self.statuses.append(status)
        return status


def test_resume_after_injected_connection_failures(
    oxigraph: Server, store: ox.Store, tmp_path: Path
) -> None:
    endpoint = f"{oxigraph.base}/store"
    state = tmp_path / "state.json"
    first = Recording(UrlTransport(), fail_after=25)
    sleeps: list[float] = []
    with pytest.raises(PushError, match="connection failed: injected"):
        push(
            store,
            endpoint,
            state=state,
            build_id="b",
            batch_size=300,
            transport=first,
            retries=3,
            sleep=sleeps.append,
        )
    assert sleeps == [0.5, 1.0, 2.0]  # backoff doubles between tries
    second = Recording(UrlTransport())
    result = push(store, endpoint, state=state, build_id="b", batch_size=300, transport=second)
    assert result.batches_skipped == 25
    assert not {(u, b) for _, u, b in first.sent} & {(u, b) for _, u, b in second.sent}
    assert len(first.sent) + len(second.sent) == result.batches_sent + result.batches_skipped
    for graph in [*graphs_of(store), DEFAULT]:
        assert oxigraph_graph(oxigraph.base, graph) == local(store, graph), graph


def test_a_state_file_of_another_build_is_ignored(store: ox.Store, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with pytest.raises(PushError):
        push(
            store,
            "http://127.0.0.1:9/x",
            state=state,
            build_id="old",
            graph=DEFAULT,
            transport=Recording(None, fail_after=1),
            retries=0,
            batch_size=1000,
        )
    assert state.exists()
    recorder = Recording(None)
    result = push(
        store,
        "http://127.0.0.1:9/x",
        state=state,
        build_id="new",
        graph=DEFAULT,
        transport=recorder,
        batch_size=1000,
    )
    assert result.batches_skipped == 0
    assert result.triples == len(local(store, DEFAULT))
    # every batch again, none skipped: the old build's state is not trusted
    assert len(recorder.sent) == result.batches_sent == -(-result.triples // 1000)


class _Flaky:
    def __init__(self, statuses: list[int]) -> None:
        self.statuses = statuses

    def send(self, method: str, url: str, body: bytes, headers: dict[str, str]) -> int:
        return self.statuses.pop(0)


def test_busy_server_is_retried_and_refusal_is_not(store: ox.Store, tmp_path: Path) -> None:
    meta = "https://w3id.org/miikg/graph/meta"
    sleeps: list[float] = []
    result = push(
        store,
        "http://127.0.0.1:9/x",
        state=tmp_path / "a",
        build_id="b",
        graph=meta,
        transport=_Flaky([503, 502, 201]),
        sleep=sleeps.append,
    )
    assert result.batches_sent == 1
    assert sleeps == [0.5, 1.0]
    with pytest.raises(PushError, match=r"refused by .*HTTP 401"):
        push(
            store,
            "http://127.0.0.1:9/x",
            state=tmp_path / "b",
            build_id="b",
            graph=meta,
            transport=_Flaky([401]),
            sleep=sleeps.append,
        )
    assert sleeps == [0.5, 1.0]


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        (503, "rerun the same command to resume"),
        (502, "rerun the same command to resume"),
        (500, "the store's log says why; a rerun will not get past it"),
    ],
)
def test_rerun_is_advised_only_where_it_helps(
    store: ox.Store, tmp_path: Path, status: int, advice: str
) -> None:
    with pytest.raises(PushError) as caught:
        push(
            store,
            "http://127.0.0.1:9/x",
            state=tmp_path / "s",
            build_id="b",
            graph="https://w3id.org/miikg/graph/meta",
            transport=_Flaky([status] * 3),
            retries=2,
            sleep=lambda _: None,
        )
    assert str(caught.value).endswith(f"failed after 3 tries (HTTP {status}); {advice}")


# Basic authentication, password from the environment ------------------------------------


class _BasicStore(http.server.BaseHTTPRequestHandler):
    seen: list[str | None] = []  # noqa: RUF012
    expected = "Basic " + base64.b64encode(b"curator:s3cret pass").decode()

    def do_PUT(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        _BasicStore.seen.append(self.headers.get("Authorization"))
        self.send_response(204 if self.headers.get("Authorization") == self.expected else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self) -> None:
        self.do_PUT()

    def log_message(self, *args: object) -> None:
        return


def test_basic_auth_password_comes_from_the_environment(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _BasicStore)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}/store"
    argv = [
        "--store",
        str(home),
        "push",
        "--endpoint",
        endpoint,
        "--graph",
        "https://w3id.org/miikg/graph/meta",
        "--replace",
        "--user",
        "curator",
        "--password-env",
        "MIIKG_TEST_PW",
        "--state",
        str(tmp_path / "s"),
        "--quiet",
    ]
    try:
        monkeypatch.delenv("MIIKG_TEST_PW", raising=False)
        with pytest.raises(PushError, match="MIIKG_TEST_PW is not set"):
            run_command(argv)
        monkeypatch.setenv("MIIKG_TEST_PW", "wrong")
        with pytest.raises(PushError, match="HTTP 401"):
            run_command(argv)
        monkeypatch.setenv("MIIKG_TEST_PW", "s3cret pass")
        assert run_command(argv) == 0
    finally:
        server.shutdown()
    assert _BasicStore.seen[-1] == _BasicStore.expected


# Virtuoso Open Source 7 -----------------------------------------------------------------


# The session's Virtuoso (conftest.py), shared with the remote tests.


def virtuoso_graph(base: str, graph: str) -> set[tuple[str, ...]]:
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    return triples(
        fetch(f"{base}/sparql?" + urllib.parse.urlencode({"query": query}), "text/plain")
    )


def test_push_command_to_virtuoso_with_only_endpoint_user_and_password(
    virtuoso: Server,
    home: Path,
    store: ox.Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The flags a user guesses first: the digest challenge is answered, and the default
    graph Virtuoso will not write (HTTP 500) goes to a named graph, which the output names."""
    monkeypatch.setenv("VIRTUOSO_PASSWORD", "dba")
    argv = [
        "--store",
        str(home),
        "push",
        "--endpoint",
        f"{virtuoso.base}/sparql-graph-crud-auth",
        "--user",
        "dba",
        "--password-env",
        "VIRTUOSO_PASSWORD",
    ]
    started = time.monotonic()
    assert run_command(argv) == 0
    seconds = time.monotonic() - started
    out, _ = capsys.readouterr()
    print(f"\npush to Virtuoso 7: {len(store)} triples in {seconds:.1f} s")
    assert f"the merged default graph is in the named graph <{MERGE_GRAPH}>" in out
    assert "HTTP 500" in out
    for graph in graphs_of(store):
        assert virtuoso_graph(virtuoso.base, graph) == local(store, graph), graph
    assert virtuoso_graph(virtuoso.base, MERGE_GRAPH) == local(store, DEFAULT)


def test_push_to_virtuoso_with_explicit_digest_and_merge_graph(
    virtuoso: Server, store: ox.Store, tmp_path: Path
) -> None:
    meta = "https://w3id.org/miikg/graph/meta"
    transport = UrlTransport(user="dba", password="dba", auth="digest")
    result = push(
        store,
        f"{virtuoso.base}/sparql-graph-crud-auth",
        state=tmp_path / "s",
        build_id="b",
        graph=meta,
        replace=True,
        transport=transport,
    )
    assert result.batches_sent == 1
    assert virtuoso_graph(virtuoso.base, meta) == local(store, meta)


def test_virtuoso_refuses_a_wrong_password(
    virtuoso: Server, store: ox.Store, tmp_path: Path
) -> None:
    transport = UrlTransport(user="dba", password="not-the-password")
    with pytest.raises(
        PushError, match="HTTP 401 \\(the user name or password was not accepted\\)"
    ):
        push(
            store,
            f"{virtuoso.base}/sparql-graph-crud-auth",
            state=tmp_path / "s",
            build_id="b",
            graph="https://w3id.org/miikg/graph/meta",
            transport=transport,
        )
    assert transport.scheme == "digest"  # learnt from the challenge, not given


def test_virtuoso_default_graph_is_detected_and_the_merge_moved(
    virtuoso: Server, store: ox.Store, tmp_path: Path
) -> None:
    """Virtuoso answers a write to ?default with HTTP 500: at once, not after six tries."""
    transport = Recording(UrlTransport(user="dba", password="dba"))
    sleeps: list[float] = []
    result = push(
        store,
        f"{virtuoso.base}/sparql-graph-crud-auth",
        state=tmp_path / "s",
        build_id="b",
        graph=DEFAULT,
        replace=True,
        transport=transport,
        batch_size=2000,
        sleep=sleeps.append,
    )
    assert (result.default_target, result.default_refused) == (MERGE_GRAPH, 500)
    assert sleeps == []  # no retries: a refusal of the default graph is not a hiccup
    assert [u.split("?")[1][:7] for _, u, _ in transport.sent[:2]] == ["default", "graph=h"]
    assert transport.statuses[0] == 500
    assert result.batches_sent == len(transport.sent) - 1
    assert virtuoso_graph(virtuoso.base, MERGE_GRAPH) == local(store, DEFAULT)
