"""The network verbs on the current build: projection, stats, path, ego, explorer, figure.

Each opens the store read-only (or the endpoint a build was pushed to, ``endpoint=``),
reads what it needs with the ``network-*`` queries, and returns a small result object;
the command line only formats it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from miikg.engine import open_engine, open_reader
from miikg.graph_builder.store import current_build

if TYPE_CHECKING:
    import networkx as nx

    from miikg.exports.analytics import EgoResult, NetworkStats, PathResult
    from miikg.exports.explorer import ExplorerFrame
    from miikg.exports.figures import FigureResult
    from miikg.queries.remote import RemoteStore

__all__ = [
    "explore",
    "explorer",
    "figure",
    "network_ego",
    "network_path",
    "network_projection",
    "network_stats",
]


def network_projection(
    view: str = "governance",
    *,
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
) -> nx.MultiDiGraph[str]:
    """Return the NetworkX multi-digraph of *view* of the current build."""
    from miikg.exports.network import project, read_catalog

    return project(read_catalog(open_engine(store, endpoint)), view)


def network_stats(
    view: str = "governance",
    *,
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
    top: int = 10,
    sample: int | None = None,
) -> NetworkStats:
    """Return centrality, communities and the most central bodies of *view*."""
    from miikg.exports.analytics import centrality_stats
    from miikg.exports.network import describe_nodes, project, read_catalog

    catalog = read_catalog(open_engine(store, endpoint))
    graph = project(catalog, view, details=False)
    describe_nodes(catalog, graph, list(graph.nodes))  # kinds rank the bodies
    return centrality_stats(graph, top=top, sample=sample)


def network_path(
    start: str,
    end: str,
    *,
    view: str = "all",
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
    directed: bool = False,
) -> PathResult:
    """Return every shortest path between two entities (by id, name or IRI) in *view*."""
    from miikg.exports.analytics import shortest_paths
    from miikg.exports.network import (
        ViewNodes,
        describe_nodes,
        edges_between,
        find_node,
        project,
        read_catalog,
    )

    reader = open_reader(store, endpoint)
    catalog = read_catalog(reader.engine)
    nodes = ViewNodes(catalog, view)
    a = find_node(reader.engine, nodes, start, index=reader.index)
    b = find_node(reader.engine, nodes, end, index=reader.index)
    # Undirected, the paths are found around the two nodes; directed (rare), in the whole
    # view, as when the search around them grows past its limit.
    near = None if directed else edges_between(catalog, view, a, b)
    graph = project(catalog, view, details=False, edges=near)
    result = shortest_paths(graph, a, b, directed=directed)
    shown = {a, b} | {n for path in result.paths for hop in path for n in (hop.start, hop.end)}
    describe_nodes(catalog, graph, shown)
    return result


def network_ego(
    center: str,
    *,
    depth: int = 1,
    view: str = "all",
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
) -> EgoResult:
    """Return the entities within *depth* hops of *center* in *view*."""
    from miikg.exports.analytics import ego
    from miikg.exports.network import (
        ViewNodes,
        describe_nodes,
        edges_around,
        find_node,
        project,
        read_catalog,
    )

    reader = open_reader(store, endpoint)
    catalog = read_catalog(reader.engine)
    center_node = find_node(reader.engine, ViewNodes(catalog, view), center, index=reader.index)
    near = edges_around(catalog, view, center_node, depth)
    graph = project(catalog, view, details=False, edges=near)
    result = ego(graph, center_node, depth=depth)
    describe_nodes(catalog, result.graph, list(result.graph.nodes))
    return result


def _default_out(store: Path | None, name: str, endpoint: object = None) -> Path:
    if endpoint is not None:
        from miikg.errors import MiikgError

        raise MiikgError(
            "give the file to write (-o FILE): reading an endpoint, there is no local build "
            "folder to write into",
            zh="请用 -o 文件 指定输出文件：从端点读取时没有本地构建目录可写入",
        )
    folder = current_build(store).root / "exports"
    folder.mkdir(exist_ok=True)
    return folder / name


def explore(
    view: str = "governance",
    *,
    out: Path | None = None,
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
    lang: str = "en",
) -> Path:
    """Write the offline explorer page of *view*; return its path.

    :param out: the HTML file (default: ``exports/explorer-<view>-<lang>.html`` in the
        current build's folder; required with *endpoint*).
    """
    from miikg.exports.explorer import write_explorer

    path = out or _default_out(store, f"explorer-{view}-{lang}.html", endpoint)
    graph = network_projection(view, store=store, endpoint=endpoint)
    return write_explorer(graph, path, lang=lang)


def explorer(
    view: str = "governance",
    *,
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
    lang: str = "en",
    height: int = 700,
) -> ExplorerFrame:
    """Return the explorer of *view* for a notebook cell (an iframe with ``srcdoc``)."""
    from miikg.exports.explorer import explorer_frame

    graph = network_projection(view, store=store, endpoint=endpoint)
    return explorer_frame(graph, lang=lang, height=height)


def figure(
    kind: str,
    *,
    out: Path | None = None,
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
    lang: str = "en",
    fmt: str | None = None,
) -> FigureResult:
    """Draw the *kind* figure (paper-1 … timeline) and write it; return where.

    :param fmt: svg, pdf or png (default: from *out*, else svg).
    """
    from miikg.exports.figures import write_figure
    from miikg.exports.network import read_catalog

    fmt = fmt or (out.suffix.lstrip(".") if out and out.suffix else "svg")
    path = out or _default_out(store, f"figure-{kind}-{lang}.{fmt}", endpoint)
    engine = open_engine(store, endpoint)
    return write_figure(read_catalog(engine), kind, path, lang=lang, fmt=fmt, store=engine)
