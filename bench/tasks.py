"""One measured task per process, for ``bench/run.py``: it prints one JSON object.

    python bench/tasks.py TASK '{"arg": …}'

Each task times only its own work (imports of modules excluded); the parent reads the
process's peak resident memory from ``wait4``. Tasks: ``import`` (miikg / raw pyoxigraph /
rdflib), ``queries`` (the named queries and four query shapes on one engine), ``exports``
(every export format, and the raw engine's dumps), ``network`` (catalogue, projections,
centrality, explorer page), ``shacl`` (pySHACL over generated data).
"""

from __future__ import annotations

import json
import signal
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BENCH = "https://w3id.org/miikg/id/bench/"
ID = "https://w3id.org/miikg/id/"

#: Four representative query shapes over the curated graph plus the generated data.
SHAPES: dict[str, str] = {
    "lookup": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?entity ?p ?o WHERE { ?entity ?p ?o }""",
    "multi-hop join": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX miikg: <https://w3id.org/miikg/ontology/>
SELECT ?award ?amount ?institute ?state WHERE {
  ?award a schema:MonetaryGrant ; schema:amount ?amount ; miikg:awardee ?member .
  ?membership org:member ?member ; org:organization ?institute .
  ?institute miikg:state ?s .
  ?s rdfs:label ?state FILTER(LANG(?state) = "en")
  FILTER(?amount > 49000000)
}""",
    "group-by": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX miikg: <https://w3id.org/miikg/ontology/>
SELECT ?funder (COUNT(?award) AS ?awards) (SUM(?amount) AS ?total) WHERE {
  ?award a schema:MonetaryGrant ; schema:funder ?funder ; schema:amount ?amount .
}
GROUP BY ?funder ORDER BY DESC(?total)""",
    "optional + language": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX miikg: <https://w3id.org/miikg/ontology/>
SELECT ?institute ?zh ?focus WHERE {
  ?institute a miikg:Institute .
  OPTIONAL { ?institute rdfs:label ?zh FILTER(LANG(?zh) = "zh") }
  OPTIONAL { ?institute miikg:technologyFocus ?focus FILTER(LANGMATCHES(LANG(?focus), "en")) }
}""",
}
#: The lookup's parameter: one generated institute (the same IRI at every size).
SHAPE_BINDINGS = {"lookup": {"entity": BENCH + "institute/0"}}
#: IRI parameters of the named queries, given as IRIs so no engine resolves names.
NAMED_IRI_PARAMS = {
    "connections": {"a": ID + "institute/america-makes", "b": ID + "organization/jdmtp"},
    "entity-facts": {"entity": ID + "institute/america-makes"},
    "scheme-concepts": {"scheme": ID + "scheme/member-types"},
}


class QueryTimeoutError(Exception):
    """The task's per-query time limit passed."""


@contextmanager
def _limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`QueryTimeoutError` here (main thread) after *seconds* of pure Python."""
    if not seconds:
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise QueryTimeoutError

    old = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _times(
    call: Callable[[], int], reps: int, budget: float, timeout: float | None
) -> dict[str, Any]:
    """Run *call* at least once and up to *reps* times within *budget* seconds."""
    times: list[float] = []
    rows = 0
    while len(times) < reps and (not times or sum(times) < budget):
        start = time.perf_counter()
        try:
            with _limit(timeout):
                rows = call()
        except QueryTimeoutError:
            return {"timeout": timeout}
        except Exception as exc:  # an engine that cannot answer: say so, go on
            return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
        times.append(time.perf_counter() - start)
    return {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "runs": len(times),
        "rows": rows,
    }


def task_import(engine: str, data: str, target: str) -> dict[str, Any]:
    if engine == "miikg":
        from miikg.linking.generic import import_rdf

        start = time.perf_counter()
        result = import_rdf(Path(data), home=Path(target))
        return {"seconds": time.perf_counter() - start, "triples": result.quads}
    if engine == "raw":
        import pyoxigraph as ox

        start = time.perf_counter()
        store = ox.Store(target)
        store.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES)
        store.flush()
        return {"seconds": time.perf_counter() - start, "triples": len(store)}
    if engine == "raw-same":
        # What miikg's import writes, done with pyoxigraph alone: the file bulk-loaded into
        # a named graph and into the default graph, on two threads at once.
        import threading

        import pyoxigraph as ox

        start = time.perf_counter()
        store = ox.Store(target)
        loaders = [
            threading.Thread(
                target=store.bulk_load,
                kwargs={"path": data, "format": ox.RdfFormat.N_TRIPLES, **graph},
            )
            for graph in ({"to_graph": ox.NamedNode(BENCH + "graph")}, {})
        ]
        for loader in loaders:
            loader.start()
        for loader in loaders:
            loader.join()
        store.flush()
        return {"seconds": time.perf_counter() - start, "triples": len(store) // 2}
    import rdflib

    start = time.perf_counter()
    graph = rdflib.Graph()
    graph.parse(data, format="nt")
    return {"seconds": time.perf_counter() - start, "triples": len(graph)}


def _consume_raw(store: Any, text: str, bindings: dict[str, Any]) -> int:
    import pyoxigraph as ox

    result = store.query(text, substitutions={ox.Variable(k): v for k, v in bindings.items()})
    names = [v.value for v in result.variables]
    count = 0
    for row in result:
        for name in names:
            row[name]
        count += 1
    return count


def task_queries(
    engine: str,
    home: str,
    reps: int,
    budget: float,
    timeout: float | None,
    skip: list[str],
) -> dict[str, Any]:
    import pyoxigraph as ox

    from miikg.graph_builder.store import open_store
    from miikg.queries import EXAMPLE_PARAMS, catalogue
    from miikg.queries.run import _term, run_named, run_query

    store = open_store(Path(home))
    handle: Any = store
    load = 0.0
    if engine == "rdflib":
        from miikg.queries.rdflib_engine import load_dataset

        # The very quads of the store (the import's named graph and the merged default
        # graph included), so both engines query the same dataset.
        dump = Path(home) / "all.nq"
        store.dump(dump, ox.RdfFormat.N_QUADS)
        start = time.perf_counter()
        handle = load_dataset(dump)
        load = time.perf_counter() - start
    out: dict[str, Any] = {"load_seconds": load, "named": {}, "shapes": {}}
    for name, query in sorted(catalogue().items()):
        if name in skip:
            out["named"][name] = {"skipped": True, "timeout": timeout}
            continue
        params = {**EXAMPLE_PARAMS.get(name, {}), **NAMED_IRI_PARAMS.get(name, {})}
        if engine == "raw":
            given = dict(params)
            if query.param("lang") is not None:
                given.setdefault("lang", "en")
            bound = {k: _term(store, query.param(k), v) for k, v in given.items()}  # type: ignore[arg-type]
            call: Callable[[], int] = lambda q=query, b=bound: _consume_raw(store, q.text, b)  # noqa: E731
        else:
            call = lambda n=name, p=params: len(run_named(handle, n, p))  # noqa: E731
        out["named"][name] = _times(call, reps, budget, timeout)
    for name, text in SHAPES.items():
        bindings = {k: ox.NamedNode(v) for k, v in SHAPE_BINDINGS.get(name, {}).items()}
        if engine == "raw":
            call = lambda t=text, b=bindings: _consume_raw(store, t, b)  # noqa: E731
        else:
            call = lambda t=text, b=bindings: len(run_query(handle, t, b))  # noqa: E731
        out["shapes"][name] = _times(call, reps, budget, timeout)
    return out


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def task_exports(home: str, out: str) -> dict[str, Any]:
    import pyoxigraph as ox

    from miikg.exports.registry import EXPORTERS, as_source, export
    from miikg.graph_builder.store import open_store

    store = open_store(Path(home))
    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"miikg": {}, "raw": {}}
    raw_formats = {
        "turtle": (ox.RdfFormat.TURTLE, ox.DefaultGraph()),
        "nquads": (ox.RdfFormat.N_QUADS, None),
        "trig": (ox.RdfFormat.TRIG, None),
        "rdf-xml": (ox.RdfFormat.RDF_XML, ox.DefaultGraph()),
    }
    for name, (fmt, graph) in raw_formats.items():
        path = folder / f"raw-{name}"
        start = time.perf_counter()
        if graph is None:
            store.dump(path, fmt)
        else:
            store.dump(path, fmt, from_graph=graph)
        result["raw"][name] = {"seconds": time.perf_counter() - start, "bytes": _size(path)}
    source = as_source(store)
    start = time.perf_counter()
    source.quads()
    result["read_sorted_quads_seconds"] = time.perf_counter() - start
    start = time.perf_counter()
    source.projection()
    result["projection_seconds"] = time.perf_counter() - start
    for name, exporter in EXPORTERS.items():
        start = time.perf_counter()
        path = export(name, source, folder / exporter.filename)
        result["miikg"][name] = {"seconds": time.perf_counter() - start, "bytes": _size(path)}
    return result


def task_network(home: str) -> dict[str, Any]:
    from miikg.exports.analytics import centrality_stats
    from miikg.exports.explorer import explorer_html
    from miikg.exports.network import project, read_catalog
    from miikg.graph_builder.store import open_store

    store = open_store(Path(home))
    out: dict[str, Any] = {}
    start = time.perf_counter()
    catalog = read_catalog(store)
    out["catalog_seconds"] = time.perf_counter() - start
    for view in ("governance", "all"):
        start = time.perf_counter()
        graph = project(catalog, view)
        projected = time.perf_counter() - start
        start = time.perf_counter()
        stats = centrality_stats(graph)
        centrality = time.perf_counter() - start
        start = time.perf_counter()
        page = explorer_html(graph)
        explorer = time.perf_counter() - start
        out[view] = {
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "projection_seconds": projected,
            "centrality_seconds": centrality,
            "betweenness": stats.betweenness_method,
            "explorer_seconds": explorer,
            "explorer_bytes": len(page.encode("utf-8")),
        }
    return out


def task_shacl(data: str) -> dict[str, Any]:
    import pyoxigraph as ox

    from miikg.graph_builder.validate import validate_quads
    from miikg.ontology import ontology_path

    quads = [*ox.parse(path=data, format=ox.RdfFormat.N_TRIPLES)]
    quads += ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE)
    start = time.perf_counter()
    report = validate_quads(quads)
    return {"seconds": time.perf_counter() - start, "findings": len(report.findings)}


#: The entity the interactive commands look at.
MXD = ID + "institute/mxd"
_FACTS_PER_GRAPH = """SELECT ?entity ?g ?s ?p ?o WHERE {
  { GRAPH ?g { ?entity ?p ?o } } UNION { GRAPH ?g { ?s ?p ?entity } }
}"""


def task_raw_interactive(home: str, reps: int) -> dict[str, Any]:
    """The raw pyoxigraph time of the minimal query each interactive command needs."""
    import pyoxigraph as ox

    from miikg.exports.catalog import BASE_VIEWS
    from miikg.graph_builder.store import open_store
    from miikg.queries import catalogue

    store = open_store(Path(home))
    mxd = ox.NamedNode(MXD)

    def query(text: str, bindings: dict[str, Any] | None = None) -> Callable[[], int]:
        return lambda: _consume_raw(store, text, bindings or {})

    def views(*names: str) -> Callable[[], int]:
        calls = [query(catalogue()[f"network-{n}"].text) for n in names]
        return lambda: sum(call() for call in calls)

    def around() -> int:
        """One node's edges in every view, read with it bound: what path and ego read per
        node they reach."""
        texts = [catalogue()[f"network-{v}"].text for v in BASE_VIEWS]
        return sum(
            _consume_raw(store, text, {side: mxd})
            for text in texts
            for side in ("subject", "object")
        )

    def page() -> int:
        quads = list(store.quads_for_pattern(mxd, None, None, None))
        return len(quads) + len(list(store.quads_for_pattern(None, None, mxd, None)))

    cases: dict[str, Callable[[], int]] = {
        "entity": query(_FACTS_PER_GRAPH, {"entity": mxd}),
        "table-2": query(catalogue()["paper-table-2"].text, {"lang": ox.Literal("en")}),
        "count": query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"),
        "page": page,
        "around": around,
        **{f"view-{v}": views(v) for v in ("governance", "agreements", "chain", "membership")},
        "view-all": views("governance", "agreements", "chain", "membership"),
    }
    return {name: _times(call, reps, 60.0, None) for name, call in cases.items()}


TASKS: dict[str, Callable[..., dict[str, Any]]] = {
    "import": task_import,
    "queries": task_queries,
    "exports": task_exports,
    "network": task_network,
    "shacl": task_shacl,
    "raw-interactive": task_raw_interactive,
}

if __name__ == "__main__":
    print(json.dumps(TASKS[sys.argv[1]](**json.loads(sys.argv[2]))))
