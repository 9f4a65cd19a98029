"""Every named query on the embedded store, ``oxigraph serve`` and Virtuoso 7 (a benchmark).

Builds the curated graph in a temporary folder, starts ``oxigraph serve`` and Virtuoso on
loopback ports (tests/servers.py), pushes the build to each (to Virtuoso with the merged
default graph in a named graph), then runs each named query (English labels, the
catalogue's example parameters given as IRIs, so a remote run is one request) three times
on each engine and writes the medians, whether the endpoint's rows are the embedded
store's (:mod:`miikg.queries.check`), how the parameters were bound, the dataset the
runner stated, and what the query needed to give the same rows on Virtuoso.

    python bench/remote.py [--out bench/results/remote.md]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
# The servers the tests start (and always stop), reused rather than written twice.
sys.path.insert(0, str(ROOT / "tests"))

from miikg import api  # noqa: E402
from miikg.graph_builder.store import open_store  # noqa: E402
from miikg.queries import EXAMPLE_PARAMS, catalogue  # noqa: E402
from miikg.queries.binding import bind_text, names_graphs  # noqa: E402
from miikg.queries.check import first_difference  # noqa: E402
from miikg.queries.frames import list_columns  # noqa: E402
from miikg.queries.remote import RemoteStore  # noqa: E402
from miikg.queries.run import Engine, QueryResult, _term, run_named  # noqa: E402
from miikg.serve.push import UrlTransport, push  # noqa: E402
from servers import oxigraph_server, virtuoso_binary, virtuoso_server  # noqa: E402

MERGE = "https://w3id.org/miikg/graph/default-merge"
#: What a query's text needed, beyond what the runner does for every query, to give the
#: embedded store's rows on Virtuoso 7.2 (each also says so in the query's comments).
REWRITTEN = {
    "connections": "UNION split in two halves, filters in each (Virtuoso crashed)",
    "contract-instruments": "why-zero per row in BIND (Virtuoso: IF/COALESCE of aggregates)",
    "institutes-by-instrument": "COALESCE in BIND; doubt by joins, not NOT EXISTS in OPTIONAL",
    "network-by-instrument": "COALESCE in BIND; doubt by joins, not NOT EXISTS in OPTIONAL",
    "network-by-technology": "one aggregate under SUBSTR, not COALESCE of aggregates",
    "network-departments": "one aggregate under SUBSTR, not IF/COALESCE of aggregates",
    "network-models": "IF(BOUND) before CONCAT, not COALESCE of a CONCAT",
    "network-network": "a join and a UNION branch, not FILTER EXISTS and the zero-length step of *",
    "network-size": "a join and a UNION in the subquery, not an OPTIONAL subquery",
    "network-sources": "paper-or-not by OPTIONAL, not BIND(EXISTS) after OPTIONALs",
    "paper-only": "OPTIONAL + !BOUND, not a correlated NOT EXISTS on literals",
    "institutes": "STR() in GROUP_CONCAT",
    "institutes-by-year": "STR() in GROUP_CONCAT",
    "phases": "STR() in GROUP_CONCAT",
    "stages": "STR() in GROUP_CONCAT",
}


def _needed(name: str, local: QueryResult, remote: QueryResult) -> str:
    """Say what the query needed on Virtuoso: its rewrite, the runner's part, the check's."""
    notes = [REWRITTEN[name]] if name in REWRITTEN else []
    if list_columns(catalogue()[name].text):
        notes.append("GROUP_CONCAT parts sorted after the query (runner)")
    raw = Counter(tuple(str(r[v]) for v in local.variables) for r in local)
    if raw != Counter(tuple(str(r[v]) for v in remote.variables) for r in remote):
        notes.append("booleans come back as 1/0 (compared by value)")
    return "; ".join(notes)


def _virtuoso_version() -> str:
    binary = virtuoso_binary() or "virtuoso-t"
    shown = subprocess.run([binary, "--help"], capture_output=True, text=True, check=False)
    found = re.search(r"Version (\d+\.\d+\.\d+)", shown.stdout + shown.stderr)
    return found[1] if found else "7"


def _median(run: Callable[[], QueryResult], repeats: int = 3) -> tuple[float, QueryResult]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _params(store: ox.Store, name: str) -> dict[str, str]:
    query = catalogue()[name]
    out = {}
    for key, value in EXAMPLE_PARAMS.get(name, {}).items():
        param = query.param(key)
        assert param is not None
        term = _term(store, param, value)
        out[key] = term.value if isinstance(term, ox.NamedNode) else value
    return out


def _how(store: ox.Store, name: str) -> str:
    query = catalogue()[name]
    given = {**EXAMPLE_PARAMS.get(name, {}), **({"lang": "en"} if query.param("lang") else {})}
    terms = {k: _term(store, query.param(k), v) for k, v in given.items()}  # type: ignore[arg-type]
    how = bind_text(query.text, terms).how if terms else {}
    return ", ".join(f"{k}: {v}" for k, v in sorted(how.items())) or "–"


def measure(out: Path) -> str:
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="miikg-remote-")))
        built = api.build(out=folder / "home")
        store = open_store(folder / "home")
        build_id = built.paths.root.name
        ox_server = stack.enter_context(oxigraph_server(folder / "oxdb", folder))
        push(store, f"{ox_server.base}/store", state=folder / "s1", build_id=build_id)
        vt_server = stack.enter_context(virtuoso_server(folder / "virtuoso"))
        push(
            store,
            f"{vt_server.base}/sparql-graph-crud-auth",
            state=folder / "s2",
            build_id=build_id,
            default_as=MERGE,
            transport=UrlTransport(user="dba", password="dba", auth="digest"),
        )
        engines: dict[str, Engine] = {
            "embedded": store,
            "oxigraph": RemoteStore(f"{ox_server.base}/query"),
            "virtuoso": RemoteStore(f"{vt_server.base}/sparql"),
        }
        for engine in engines.values():
            if isinstance(engine, RemoteStore):
                assert engine.dataset.graphs  # read (and checked) once, before timing
        graphs = len(engines["virtuoso"].dataset.graphs)  # type: ignore[union-attr]
        lines = [
            f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
            f"{platform.system()} {platform.release()}; Python {platform.python_version()}, "
            f"pyoxigraph {ox.__version__}, Virtuoso {_virtuoso_version()} (Debian), all on one "
            "2-core machine shared with other work, so single figures move from run to run. "
            "Median of 3 runs per query (English labels; example parameters as IRIs); "
            "remote times include HTTP and parsing the JSON results.",
            "",
            "| query | rows | embedded ms | oxigraph serve ms | Virtuoso ms | same rows "
            "(oxigraph / Virtuoso) | parameters | dataset stated (Virtuoso) | needed |",
            "|---|---:|---:|---:|---:|:-:|---|---|---|",
        ]
        same_all = 0
        total = dict.fromkeys(engines, 0.0)
        for name, query in catalogue().items():
            params = _params(store, name)
            timed = {
                key: _median(functools.partial(run_named, engine, name, params, lang="en"))
                for key, engine in engines.items()
            }
            local = timed["embedded"][1]
            for key in engines:
                total[key] += timed[key][0]
            marks = []
            for key in ("oxigraph", "virtuoso"):
                differs = first_difference(local, timed[key][1])[0]
                marks.append("✗ " + differs[:60] if differs else "✓")
            same_all += all(m == "✓" for m in marks)
            dataset = (
                f"FROM merge + FROM NAMED ×{graphs}" if names_graphs(query.text) else ("FROM merge")
            )
            lines.append(
                f"| `{name}` | {len(local)} | "
                + " | ".join(f"{timed[k][0] * 1000:.1f}" for k in engines)
                + f" | {' / '.join(marks)} | {_how(store, name)} | {dataset} | "
                + f"{_needed(name, local, timed['virtuoso'][1])} |"
            )
        lines += [
            "| all, sum of medians | | "
            + " | ".join(f"{total[k] * 1000:.0f}" for k in engines)
            + " | | | | |",
            "",
            f"{same_all} of {len(catalogue())} queries give the embedded store's rows on both "
            "endpoints (rows as multisets; numbers by value, booleans as 1/0). What every "
            "query gets from the runner: its dataset stated (FROM the merge and, for a query "
            "that reads GRAPH, FROM NAMED each pushed graph; oxigraph serve holds the merge in "
            "its own default graph, which cannot be named, so there nothing is stated), its "
            "parameters written in as terms, the parts of each GROUP_CONCAT sorted, and "
            "booleans Virtuoso answers as 1/0 read as true/false.",
        ]
    text = "\n".join(lines) + "\n"
    out.write_text(text, encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "remote.md")
    args = parser.parse_args()
    print(measure(args.out))


if __name__ == "__main__":
    main()
