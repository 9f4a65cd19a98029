"""Projections, analytics and the network commands, checked against the curated records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest

from miikg import cli
from miikg.exports import network as network_module
from miikg.exports.analytics import (
    EXACT_BETWEENNESS_MAX,
    SAMPLE_PIVOTS,
    centrality_stats,
    ego,
    shortest_paths,
)
from miikg.exports.network import (
    Catalog,
    NetworkError,
    ViewNodes,
    edges_around,
    edges_between,
    find_node,
    project,
    read_catalog,
)
from miikg.exports.network_api import network_ego, network_path
from miikg.graph_builder.build import record_iri
from miikg.report import curie
from network_expected import VIEWS, all_edges, curated, expected_edges, expected_nodes

ID = "https://w3id.org/miikg/id/"
BIOMADE = ID + "institute/biomade"
JDMTP = ID + "organization/jdmtp"


@pytest.fixture(scope="session")
def catalog(store: ox.Store) -> Catalog:
    return read_catalog(store)


def _edges(graph: nx.MultiDiGraph[str]) -> set[tuple[str, str, str]]:
    return {(u, str(k), v) for u, v, k in graph.edges(keys=True)}


@pytest.mark.parametrize("view", VIEWS)
def test_each_view_has_the_nodes_and_edges_the_records_give(catalog: Catalog, view: str) -> None:
    graph = project(catalog, view)
    assert graph.number_of_nodes() == len(expected_nodes(view))
    assert graph.number_of_edges() == len(expected_edges(view))
    assert set(graph.nodes) == expected_nodes(view)
    assert _edges(graph) == set(expected_edges(view))


def test_the_all_view_is_the_union_of_the_views(catalog: Catalog) -> None:
    graph = project(catalog, "all")
    assert _edges(graph) == set(all_edges())


def test_nodes_and_edges_keep_iri_class_labels_and_sources(catalog: Catalog) -> None:
    graph = project(catalog, "governance")
    record = curated().records["biomade"]
    node = graph.nodes[BIOMADE]
    assert node["iri"] == BIOMADE
    assert node["kind"] == "miikg:Institute"
    assert (node["class_en"], node["class_zh"]) == (
        "Manufacturing innovation institute",
        "制造创新所",
    )
    labels = {lang: getattr(c.value, lang) for c in record.label for lang in ("en", "zh")}
    assert node["label_zh"] == next(c.value.zh for c in record.label if c.value.zh)
    assert node["label_en"] == next(c.value.en for c in record.label if c.value.en)
    assert labels
    edge = graph.edges[BIOMADE, ID + "programme/dod-mii-network", "org:memberOf"]
    claim = next(c for c in record.part_of if c.value == "dod-mii-network")
    assert edge["sources"] == sorted(claim.sources or record.sources)
    assert (edge["label_en"], edge["label_zh"]) == ("member of", "隶属于")
    assert edge["iri"] == "http://www.w3.org/ns/org#memberOf"


def test_an_unknown_view_is_refused(catalog: Catalog) -> None:
    with pytest.raises(NetworkError, match="no view 'money'"):
        project(catalog, "money")


def test_the_path_from_biomade_to_the_jdmtp_hop_by_hop(store: ox.Store, catalog: Catalog) -> None:
    graph = project(catalog, "governance")
    start, end = find_node(store, graph, "BioMADE"), find_node(store, graph, "JDMTP")
    assert (start, end) == (BIOMADE, JDMTP)
    result = shortest_paths(graph, start, end)
    hops = [[(h.start, h.end, {(s, k, o) for s, k, o, _, _ in h.relations}) for h in p]
            for p in result.paths]  # fmt: skip
    dod, network = ID + "organization/dod", ID + "programme/dod-mii-network"
    assert hops == [
        [
            (BIOMADE, dod, {(BIOMADE, "miikg:sponsor", dod)}),
            (dod, JDMTP, {(JDMTP, "org:subOrganizationOf", dod)}),
        ],
        [
            (BIOMADE, network, {(BIOMADE, "org:memberOf", network)}),
            (
                network,
                JDMTP,
                {
                    (network, "miikg:evaluatedBy", JDMTP),
                    (JDMTP, "miikg:coordinates", network),
                    (JDMTP, "miikg:guides", network),
                    (JDMTP, "miikg:evaluates", network),
                },
            ),
        ],
    ]
    # Every relation on the way is one the records state.
    for path in hops:
        for _, _, relations in path:
            assert relations <= expected_edges("governance")
    text = result.text("en")
    assert "BioMADE) —member of→ DoD Manufacturing Innovation Institutes (DoD MIIs)" in text
    assert "2 shortest path(s) of 2 hop(s)" in text
    assert "生物制造和设计创新所 —隶属于→ 美国国防部制造创新所" in result.text("zh")


def test_no_path_is_told_as_such(catalog: Catalog) -> None:
    graph = project(catalog, "membership")
    a, b = sorted(graph.nodes)[:2]
    graph.remove_edges_from(list(graph.edges(a)) + list(graph.in_edges(a)))
    result = shortest_paths(graph, a, b)
    assert result.paths == ()
    assert result.text("en").startswith("no path from")


def test_a_name_that_matches_nothing_in_the_view_is_an_error(
    store: ox.Store, catalog: Catalog
) -> None:
    graph = project(catalog, "membership")
    with pytest.raises(NetworkError, match="matches no node in the membership view"):
        find_node(store, graph, "JDMTP")


def _hops(graph: nx.MultiDiGraph[str], a: str, b: str) -> list[list[tuple[str, str, Any]]]:
    return [[(h.start, h.end, h.relations) for h in p] for p in shortest_paths(graph, a, b).paths]


@pytest.mark.parametrize("view", ["all", "governance", "agreements", "network"])
def test_path_and_ego_read_around_their_nodes_and_answer_as_the_whole_view(
    store: ox.Store, catalog: Catalog, view: str
) -> None:
    """Read from the nodes' side, never the whole view: the same paths, rings and edges."""
    whole = project(catalog, view, details=False)
    nodes = sorted(whole.nodes)
    picks = nodes[:: max(1, len(nodes) // 8)]
    compared = 0
    for a in picks:
        for b in picks:
            near = read_catalog(store)
            edges = edges_between(near, view, a, b)
            assert edges is not None
            assert _hops(project(near, view, details=False, edges=edges), a, b) == _hops(
                whole, a, b
            ), (a, b)
            assert near.views_read == ()
            compared += 1
        for depth in (1, 2):
            near = read_catalog(store)
            edges = edges_around(near, view, a, depth)
            assert edges is not None
            local = ego(project(near, view, details=False, edges=edges), a, depth=depth)
            expected = ego(whole, a, depth=depth)
            assert local.distances == expected.distances, (a, depth)
            assert sorted(local.graph.edges(keys=True)) == sorted(expected.graph.edges(keys=True))
            assert near.views_read == ()
    assert compared >= 49
    # A node is in the view when the view has an edge at it, read from its side.
    inside = ViewNodes(read_catalog(store), view)
    assert all(n in inside for n in picks)
    assert ID + "source/paper-table-2" not in inside


def test_a_search_that_would_read_too_much_reads_the_whole_view(
    home: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    dod = ID + "organization/dod"
    assert edges_between(catalog, "all", BIOMADE, JDMTP, limit=1) is None
    assert edges_around(catalog, "all", dod, 1, limit=5) is None
    around = network_path("BioMADE", "JDMTP", store=home)
    around_ego = network_ego("JDMTP", depth=2, store=home)
    monkeypatch.setattr(network_module, "edges_between", lambda *a, **k: None)
    monkeypatch.setattr(network_module, "edges_around", lambda *a, **k: None)
    whole = network_path("BioMADE", "JDMTP", store=home)
    whole_ego = network_ego("JDMTP", depth=2, store=home)
    assert len(whole.paths) == 2
    assert around.paths == whole.paths
    assert around.text("zh") == whole.text("zh")
    assert len(whole_ego.distances) > 20
    assert around_ego.distances == whole_ego.distances
    assert around_ego.text("en") == whole_ego.text("en")


def test_ego_network_holds_the_neighbours_the_records_give(catalog: Catalog) -> None:
    graph = project(catalog, "governance")
    result = ego(graph, JDMTP, depth=1)
    neighbours = {o for s, _, o in expected_edges("governance") if s == JDMTP}
    neighbours |= {s for s, _, o in expected_edges("governance") if o == JDMTP}
    assert set(result.distances) == neighbours | {JDMTP}
    assert set(result.graph.nodes) == neighbours | {JDMTP}
    assert "美国国防部" in result.text("zh")


def test_stats_rank_bodies_by_centrality_with_the_exact_method(catalog: Catalog) -> None:
    graph = project(catalog, "governance")
    stats = centrality_stats(graph)
    assert stats.betweenness_method == "exact"
    assert (stats.nodes, stats.edges) == (len(expected_nodes("governance")), 92)
    degree: dict[str, set[str]] = {}
    for s, _, o in expected_edges("governance"):
        if s != o:
            degree.setdefault(s, set()).add(o)
            degree.setdefault(o, set()).add(s)
    best = max(len(v) for v in degree.values())
    top_degree = max(stats.top, key=lambda c: c.degree)
    assert len(degree[top_degree.node]) == best
    assert all(c.kind.startswith("miikg:") for c in stats.top_bodies)
    assert sum(len(c) for c in stats.communities) == stats.nodes
    assert "exact (networkx, 42 nodes)" in stats.text("en")
    assert "精确计算" in stats.text("zh")


def test_large_graphs_get_sampled_betweenness_and_say_so() -> None:
    n = EXACT_BETWEENNESS_MAX + 200
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(view="all")
    for i in range(n):
        graph.add_node(str(i), label_en=f"n{i}", label_zh=f"节点{i}", kind="miikg:Organization")
    for i in range(1, n):
        graph.add_edge(str(i), str((i * 7919) % i), key="miikg:funds")
    stats = centrality_stats(graph)
    assert (stats.betweenness_method, stats.sample_size) == ("sampled", SAMPLE_PIVOTS)
    assert f"k={SAMPLE_PIVOTS} pivots" in stats.text("en")


# --- the commands ------------------------------------------------------------------------


@pytest.fixture
def run(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:

    def go(*argv: str) -> tuple[int, str, str]:
        code = cli.main(["--store", str(home), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return go


def test_network_path_command_tells_the_path_in_chinese(
    run: Callable[..., tuple[int, str, str]],
) -> None:
    code, out, _ = run("--lang", "zh", "network", "path", "生物制造和设计创新所", "jdmtp",
                       "--view", "governance")  # fmt: skip
    assert code == 0
    assert out.splitlines()[0].startswith(
        "生物制造和设计创新所 → 美国联合制造技术委员会：2 条最短路径"
    )


def test_network_stats_and_ego_commands(run: Callable[..., tuple[int, str, str]]) -> None:
    code, out, _ = run("network", "stats", "--view", "chain", "--lang", "zh")
    assert code == 0 and "中介中心性" in out
    # No record gives BioMADE member types, so it is not in the membership view.
    assert "biomade" not in {n.rsplit("/", 1)[-1] for n in expected_nodes("membership")}
    code, _, err = run("network", "ego", "BioMADE", "--view", "membership")
    assert code == 1 and "matches no node in the membership view" in err
    code, out, _ = run("network", "ego", "america-makes", "--view", "membership")
    assert code == 0 and "Company" in out and "University" in out


def test_the_network_view_joins_the_three_departments(
    run: Callable[..., tuple[int, str, str]],
) -> None:
    from miikg.exports.commands import VIEW_CHOICES
    from miikg.exports.network import VIEWS

    assert set(VIEW_CHOICES) == set(VIEWS)
    code, out, _ = run("network", "stats", "--view", "network")
    assert code == 0 and "connected components: 1" in out
    # From a DOE institute to a Commerce one: through DOE's network, Manufacturing USA
    # (run by NIST) and NIST, NIIMBL's sponsor.
    code, out, _ = run("network", "path", "PowerAmerica", "NIIMBL", "--view", "network")
    assert code == 0
    assert out.splitlines()[1] == (
        "1. PowerAmerica (Next Generation Power Electronics Manufacturing Innovation Institute)"
        " — DOE Clean Energy Manufacturing Innovation Institutes (CEMIIs) — Manufacturing USA"
        " — National Institute of Standards and Technology (NIST)"
        " — National Institute for Innovation in Manufacturing Biopharmaceuticals (NIIMBL)"
    )


def test_an_unknown_entity_fails_with_one_line(run: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = run("network", "path", "no-such-thing", "jdmtp")
    assert code == 1 and out == ""
    assert err.strip() == "miikg: error: 'no-such-thing' matches no node in the all view"


def test_record_iri_and_projection_agree_on_ids(catalog: Catalog) -> None:
    graph = project(catalog, "governance")
    assert curie(record_iri(curated(), "jdmtp")) == "mid:organization/jdmtp"
    assert graph.nodes[JDMTP]["id"] == "organization/jdmtp"


def test_explore_and_figure_commands_write_where_told(
    run: Callable[..., tuple[int, str, str]], tmp_path: Path
) -> None:
    page = tmp_path / "chain.html"
    code, out, _ = run("explore", "--view", "chain", "--lang", "zh", "-o", str(page))
    assert (code, out.strip()) == (0, f"已写出 {page}")
    assert '<html lang="zh-Hans">' in page.read_text(encoding="utf-8")
    figure = tmp_path / "timeline.svg"
    code, out, err = run("--lang", "zh", "figure", "timeline", "-o", str(figure))
    assert (code, out.strip(), err) == (0, f"已写出 {figure}", "")
    assert figure.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chain.html", "timeline.svg"]
