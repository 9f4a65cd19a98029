"""Every read command against real remote stores: ``oxigraph serve`` and Virtuoso 7.

The session pushes the build once to each (conftest.py): to ``oxigraph serve`` with the
merged default graph in the store's default graph, to Virtuoso with it in a named graph.
Then each named query (in each language it takes), each of the paper's tables, the
description of each institute, the counts, the network views, the explorer and every
export format, read through the endpoint, must equal what the embedded store gives:
rows as multisets, numbers by value and booleans as 1/0 (:mod:`miikg.queries.check`),
everything else exactly.
"""

from __future__ import annotations

import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import VIRTUOSO_MERGE
from miikg import api
from miikg.errors import EndpointError
from miikg.exports import network_api
from miikg.exports.site import Site
from miikg.graph_builder.iris import META_GRAPH
from miikg.queries import catalogue
from miikg.queries.check import cell_key, compare
from miikg.queries.pushed import read_description
from miikg.queries.remote import RemoteStore
from miikg.queries.run import run_named
from miikg.serve.push import push
from miikg.tables import TABLES
from servers import Server, free_port, oxigraph_server

STORES = ("oxigraph", "virtuoso")
LANGS = ("en", "zh")
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(params=STORES)
def remote(request: pytest.FixtureRequest) -> RemoteStore:
    found: RemoteStore = request.getfixturevalue(f"{request.param}_remote")
    return found


def run_command(argv: list[str]) -> int:
    from miikg import cli

    return cli.main(argv)


# What the push wrote, read back ----------------------------------------------------------


def test_the_push_describes_what_it_wrote(
    oxigraph_remote: RemoteStore, virtuoso_remote: RemoteStore, store: ox.Store
) -> None:
    graphs = {g.value: 0 for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    for quad in store.quads_for_pattern(None, None, None, None):
        if isinstance(quad.graph_name, ox.NamedNode):
            graphs[quad.graph_name.value] += 1
    merge = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    for remote, where in ((oxigraph_remote, None), (virtuoso_remote, VIRTUOSO_MERGE)):
        dataset = remote.dataset
        assert dataset.graphs == graphs
        assert len(dataset.graphs) == 259
        assert (dataset.merge, dataset.merge_triples) == (where, merge)
        assert dataset.version and dataset.build


def test_the_description_round_trips() -> None:
    from miikg.queries.pushed import description_triples

    for merge in (None, VIRTUOSO_MERGE):
        triples = description_triples(
            build="b1", version="9", graphs={META_GRAPH: 5}, merge=merge, merge_triples=7
        )
        read = read_description(triples)
        assert read is not None
        assert (read.build, read.version, read.graphs) == ("b1", "9", {META_GRAPH: 5})
        assert (read.merge, read.merge_triples) == (merge, 7)
    assert read_description([]) is None


# The catalogue: every named query, in each language ------------------------------------


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_named_query_gives_the_embedded_rows(
    remote: RemoteStore, store: ox.Store, name: str
) -> None:
    query = catalogue()[name]
    for lang in ("en", "zh") if query.param("lang") else ("en",):
        result = compare(name, store, remote, lang=lang)
        assert not result.error[0], result.error[0]
        assert result.here > 0
        assert result.same, f"{name} ({lang}): {result.difference[0]}"


def test_the_comparison_normalises_numbers_and_booleans_only() -> None:
    def lit(value: str, datatype: str = "string", lang: str | None = None) -> ox.Literal:
        if lang:
            return ox.Literal(value, language=lang)
        return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))

    same = [
        (lit("1.50", "decimal"), lit("1.5", "decimal")),
        (lit("2", "integer"), lit("2.0", "decimal")),
        (lit("true", "boolean"), lit("1", "integer")),
        (lit("false", "boolean"), lit("0", "boolean")),
    ]
    for a, b in same:
        assert cell_key(a) == cell_key(b), (a, b)
    different = [
        (lit("Ohio", lang="en"), lit("Ohio")),
        (lit("2014-02", "gYearMonth"), lit("2014-02")),
        (lit("1"), lit("1", "integer")),
        (ox.NamedNode("urn:a"), lit("urn:a")),
        (None, lit("")),
    ]
    for a, b in different:
        assert cell_key(a) != cell_key(b), (a, b)


def test_parameters_reach_the_endpoint_as_terms(remote: RemoteStore, store: ox.Store) -> None:
    """A name is resolved at the endpoint; a hostile string stays a string."""
    here = run_named(store, "entity-facts", {"entity": "MxD"}, lang="zh")
    there = run_named(remote, "entity-facts", {"entity": "MxD"}, lang="zh")
    assert len(there) == len(here) > 20
    hostile = '" } } DROP ALL #'
    rows = run_named(remote, "resolve-entity", {"text": hostile})
    assert len(rows) == len(run_named(store, "resolve-entity", {"text": hostile})) == 0
    assert remote.dataset.graphs  # still there


def test_ad_hoc_sparql_of_each_form(remote: RemoteStore, store: ox.Store) -> None:
    """The project's prefixes are declared for the endpoint too (escaped names written out
    for Virtuoso, which refuses the backslash); ASK is a boolean (Virtuoso answers a table);
    triples come back as such."""
    from miikg.queries.run import GraphResult, QueryResult, run_sparql

    select = "SELECT ?i ?s WHERE { ?i a miikg:Institute ; miikg:state ?s }"
    here, there = run_sparql(store, select), run_sparql(remote, select)
    assert isinstance(here, QueryResult) and isinstance(there, QueryResult)
    assert sorted(map(str, there.column("i"))) == sorted(map(str, here.column("i")))
    assert len(there) == len(here) == 19
    ask = "ASK { mid:institute\\/mxd miikg:state mid:place\\/illinois }"
    assert run_sparql(remote, ask) is run_sparql(store, ask) is True
    wrong = ask.replace("illinois", "ohio")
    assert run_sparql(remote, wrong) is run_sparql(store, wrong) is False
    construct = "CONSTRUCT WHERE { mid:institute\\/mxd rdfs:label ?l }"
    graph, local = run_sparql(remote, construct), run_sparql(store, construct)
    assert isinstance(graph, GraphResult) and isinstance(local, GraphResult)
    assert set(graph.triples) == set(local.triples) and len(local) == 2


# Tables, descriptions, counts ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("table", TABLES)
def test_every_table_is_the_embedded_one(
    remote: RemoteStore, home: Path, table: str, lang: str
) -> None:
    here = api.table(table, store=home, lang=lang)
    there = api.table(table, endpoint=remote, lang=lang)
    assert there.to_markdown() == here.to_markdown()
    assert there.to_csv() == here.to_csv()


@pytest.fixture(scope="module")
def institutes(store: ox.Store) -> list[str]:
    found = run_named(store, "institutes").column("institute")
    assert len(found) == 9
    return found


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_describe_every_institute(
    remote: RemoteStore, store: ox.Store, institutes: list[str], lang: str
) -> None:
    from miikg.report import describe_entity

    for iri in institutes:
        here = describe_entity(store, iri, lang=lang).text(width=100)
        there = describe_entity(remote, iri, lang=lang).text(width=100)
        assert there == here, iri
        assert "[1]" in there


def test_stats_count_the_same(remote: RemoteStore, home: Path) -> None:
    assert api.stats(endpoint=remote) == api.stats(store=home)


def test_network_views(remote: RemoteStore, home: Path) -> None:
    here = network_api.network_path("biomade", "jdmtp", store=home)
    there = network_api.network_path("biomade", "jdmtp", endpoint=remote)
    assert there.text("zh") == here.text("zh")
    assert there.paths
    ego = network_api.network_ego("MxD", endpoint=remote)
    assert ego.text("en") == network_api.network_ego("MxD", store=home).text("en")
    stats = network_api.network_stats("governance", endpoint=remote)
    assert stats.text("en") == network_api.network_stats("governance", store=home).text("en")


def test_explorer_and_exports_are_byte_identical(
    remote: RemoteStore, home: Path, tmp_path: Path
) -> None:
    here = network_api.explore("chain", store=home, out=tmp_path / "here.html", lang="zh")
    there = network_api.explore("chain", endpoint=remote, out=tmp_path / "there.html", lang="zh")
    assert there.read_bytes() == here.read_bytes()
    mine = api.export_all(tmp_path / "here", store=home)
    theirs = api.export_all(tmp_path / "there", endpoint=remote)
    sums = (theirs.folder / "SHA256SUMS").read_text(encoding="utf-8")
    assert sums == (mine.folder / "SHA256SUMS").read_text(encoding="utf-8")
    assert len(sums.splitlines()) >= 12  # every format of the registry


def test_the_site_is_the_local_one(
    virtuoso_remote: RemoteStore, site: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Pages from a copy of the pushed graphs, query pages from queries run at the endpoint.

    Every file is the local site's, byte for byte, except that a query page may list rows
    its query's ORDER BY leaves tied in another order: there the lines compare as a multiset.
    """
    out = tmp_path / "public"
    assert run_command(["site", "-o", str(out), "--endpoint", virtuoso_remote.endpoint]) == 0
    assert "entities" in capsys.readouterr().out

    def files(root: Path) -> dict[str, bytes]:
        found = (p for p in root.rglob("*") if p.is_file())
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in found}

    mine, theirs = files(site.folder), files(out)
    assert sorted(theirs) == sorted(mine)
    assert len(mine) > 5000
    differ = [name for name in mine if theirs[name] != mine[name]]
    assert all(name.startswith("queries/") for name in differ), differ
    for name in differ:
        assert sorted(theirs[name].splitlines()) == sorted(mine[name].splitlines()), name


# The command line ------------------------------------------------------------------------


def test_commands_take_endpoint(
    oxigraph_remote: RemoteStore, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = oxigraph_remote.endpoint
    for argv in (
        ["describe", "AIM Photonics", "--lang", "zh"],
        ["query", "conflicts", "--format", "csv"],
        ["table", "2", "--format", "text"],
        ["stats"],
        ["network", "path", "LIFT", "ONR"],
        ["sparql", "SELECT ?i WHERE { ?i miikg:state mid:place\\/ohio }", "--format", "csv"],
    ):
        assert run_command(["--store", str(home), *argv]) == 0
        local = capsys.readouterr().out
        assert run_command([*argv, "--endpoint", url]) == 0, argv
        assert capsys.readouterr().out == local, argv
        assert local.strip()


def test_miikg_endpoint_names_it_once(
    oxigraph_remote: RemoteStore,
    store: ox.Store,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With no local build at all (the default home is empty), the variable is enough."""
    monkeypatch.setenv("MIIKG_ENDPOINT", oxigraph_remote.endpoint)
    assert run_command(["query", "institutes", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 + 9
    assert "AIM Photonics" in out


def test_check_says_every_answer_is_the_same(
    remote: RemoteStore, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_command(["--store", str(home), "check", "--endpoint", remote.endpoint]) == 0
    out = capsys.readouterr().out
    runs = sum(2 if q.param("lang") else 1 for q in catalogue().values())
    assert out.count("\nsame ") == runs == 103
    assert f"{runs} of {runs} answers the same; 0 differ" in out
    assert "(the same build)" in out
    assert "graph sizes: all 259 named graphs and the merge as pushed" in out


# Digest authentication (Virtuoso's /sparql-auth) ------------------------------------------


def test_virtuoso_read_with_digest_auth(
    virtuoso_remote: RemoteStore,
    virtuoso: Server,
    home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"{virtuoso.base}/sparql-auth"
    argv = ["query", "institutes-by-agency", "--format", "csv", "--endpoint", url]
    assert run_command(argv) == 1
    assert "asks for credentials (HTTP 401)" in capsys.readouterr().err
    monkeypatch.setenv("VIRTUOSO_PASSWORD", "dba")
    auth = ["--user", "dba", "--password-env", "VIRTUOSO_PASSWORD", "--auth", "digest"]
    assert run_command([*argv, *auth]) == 0
    there = capsys.readouterr().out
    assert (
        run_command(["--store", str(home), "query", "institutes-by-agency", "--format", "csv"]) == 0
    )
    assert sorted(there.splitlines()) == sorted(capsys.readouterr().out.splitlines())
    monkeypatch.setenv("VIRTUOSO_PASSWORD", "wrong")
    assert run_command([*argv, *auth]) == 1
    assert "HTTP 401" in capsys.readouterr().err


# An endpoint without what the push wrote: one clear line ---------------------------------


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Server]:
    """An ``oxigraph serve`` of its own, for tests that break what it holds."""
    with oxigraph_server(tmp_path / "db", tmp_path) as server:
        yield server


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert run_command(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    return err


def test_an_endpoint_with_no_push(scratch: Server, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["query", "institutes", "--endpoint", f"{scratch.base}/query"]
    assert "holds no graph miikg pushed" in _error(argv, capsys)
    err = _error(["--lang", "zh", *argv], capsys)
    assert "中没有 miikg 推送的图" in err


def test_an_endpoint_missing_a_graph(
    scratch: Server, store: ox.Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    push(store, f"{scratch.base}/store", state=tmp_path / "s", build_id="b1")
    graph = "https://w3id.org/miikg/graph/paper-table-2"
    target = f"{scratch.base}/store?graph={urllib.parse.quote(graph, safe='')}"
    urllib.request.urlopen(urllib.request.Request(target, method="DELETE"), timeout=30).close()
    err = _error(["describe", "MxD", "--endpoint", f"{scratch.base}/query"], capsys)
    assert f"lacks {graph}, which the push of build b1 wrote" in err


def test_an_endpoint_without_the_merge(
    scratch: Server, store: ox.Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    push(store, f"{scratch.base}/store", state=tmp_path / "s", build_id="b2", default_as=None)
    err = _error(["stats", "--endpoint", f"{scratch.base}/query"], capsys)
    assert "left out the merged default graph" in err


def test_an_answer_cut_short(
    virtuoso_remote: RemoteStore, virtuoso: Server, capsys: pytest.CaptureFixture[str]
) -> None:
    """Virtuoso caps results (ResultSetMaxRows, or maxrows=) and says so in a header."""
    url = f"{virtuoso.base}/sparql?maxrows=50"
    err = _error(["query", "network-labels", "--endpoint", url], capsys)
    assert "cut its answer short (50 rows at most)" in err
    assert "ResultSetMaxRows" in err


def test_an_unreachable_endpoint(capsys: pytest.CaptureFixture[str]) -> None:
    url = f"http://127.0.0.1:{free_port()}/sparql"
    assert "cannot reach the SPARQL endpoint" in _error(["stats", "--endpoint", url], capsys)
    with pytest.raises(EndpointError, match="cannot reach"):
        api.query("institutes", endpoint=url)


def test_check_names_the_first_difference(
    scratch: Server,
    store: ox.Store,
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A claim added at the endpoint after the push: check says where, and exits 1."""
    push(store, f"{scratch.base}/store", state=tmp_path / "s", build_id="b3", replace=True)
    claim = (
        b"<https://w3id.org/miikg/id/institute/mxd> <https://w3id.org/miikg/ontology/state> "
        b"<https://w3id.org/miikg/id/place/ohio> .\n"
    )
    graph = "https://w3id.org/miikg/graph/fact-sheet"
    for target in (f"graph={urllib.parse.quote(graph, safe='')}", "default"):
        request = urllib.request.Request(
            f"{scratch.base}/store?{target}",
            data=claim,
            method="POST",
            headers={"Content-Type": "application/n-triples"},
        )
        urllib.request.urlopen(request, timeout=30).close()
    argv = [
        "--store",
        str(home),
        "check",
        "--endpoint",
        f"{scratch.base}/query",
        "-q",
        "institutes",
    ]
    assert run_command([*argv, "-q", "conflicts"]) == 1
    out = capsys.readouterr().out
    assert "(a different build: expect differences)" in out
    assert f"graph sizes differ: <{graph}> holds" in out
    lines = {
        " ".join(line.split()[1:3]): line for line in out.splitlines() if line.startswith("diff")
    }
    assert set(lines) == {f"{q} ({lang})" for q in ("institutes", "conflicts") for lang in LANGS}
    mxd = "1 row(s) only here, first: https://w3id.org/miikg/id/institute/mxd"
    assert mxd in lines["institutes (en)"]
    assert "Illinois / Ohio" in lines["institutes (en)"]
    assert "row(s) only there" in lines["conflicts (zh)"]
    assert run_command(["--lang", "zh", *argv]) == 1
    out = capsys.readouterr().out
    assert "（不同的构建：会有差异）" in out
    assert "2 个结果中 0 个相同，2 个不同" in out
    assert "1 行仅见于本地，首行：https://w3id.org/miikg/id/institute/mxd" in out
