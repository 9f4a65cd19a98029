"""Time every named query on the embedded Oxigraph store against rdflib on the same data.

    python bench/queries.py [--runs 5] [--store HOME] [--lang en]

Both engines answer in this one process, on the same build (the store and its N-Quads),
with the same parameters, so the ratio is what the numbers are for. The last row is a
user's cold start: ``miikg query institutes`` in a fresh process, median of the runs.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from miikg import api
from miikg.graph_builder.store import current_build, open_store
from miikg.queries import EXAMPLE_PARAMS, catalogue
from miikg.queries.rdflib_engine import load_dataset
from miikg.queries.run import Engine, run_named


def _median_ms(call: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def _cold_start_ms(home: Path, runs: int) -> list[float]:
    command = [sys.executable, "-m", "miikg.cli", "--store", str(home), "query", "institutes"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(1000 * (time.perf_counter() - start))
    return times


def _row(name: str, engines: dict[str, Engine], lang: str, runs: int) -> tuple[str, ...]:
    params = EXAMPLE_PARAMS.get(name, {})
    rows = len(run_named(engines["oxigraph"], name, params, lang=lang))  # warm caches
    ms = {
        engine: _median_ms(lambda e=handle: run_named(e, name, params, lang=lang), runs)
        for engine, handle in engines.items()
    }
    ratio = ms["rdflib"] / ms["oxigraph"] if ms["oxigraph"] else float("nan")
    return (name, str(rows), f"{ms['oxigraph']:.1f}", f"{ms['rdflib']:.1f}", f"{ratio:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    parser.add_argument(
        "--store", type=Path, default=None, help="home of a build (default: build one)"
    )
    parser.add_argument("--lang", choices=("en", "zh"), default="en")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = args.store or api.build(out=Path(tmp) / "home").paths.root.parent.parent
        start = time.perf_counter()
        dataset = load_dataset(current_build(home).nquads)
        load_ms = 1000 * (time.perf_counter() - start)
        engines: dict[str, Engine] = {"oxigraph": open_store(home), "rdflib": dataset}
        rows = [_row(name, engines, args.lang, args.runs) for name in sorted(catalogue())]
        cold = _cold_start_ms(home, args.runs)
    print(
        f"{len(rows)} named queries, lang={args.lang}, median of {args.runs} runs; "
        f"Python {platform.python_version()}, {platform.machine()}; "
        f"rdflib parse of the N-Quads: {load_ms:.0f} ms (not in the query times)\n"
    )
    print("| query | rows | oxigraph ms | rdflib ms | rdflib ÷ oxigraph |")
    print("|---|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    ox_total = sum(float(r[2]) for r in rows)
    rdf_total = sum(float(r[3]) for r in rows)
    print(
        f"| **all {len(rows)}** | | {ox_total:.1f} | {rdf_total:.1f} | {rdf_total / ox_total:.0f} |"
    )
    print(
        f"\n`miikg query institutes`, fresh process: median {statistics.median(cold):.0f} ms "
        f"(min {min(cold):.0f}, max {max(cold):.0f}, {args.runs} runs)"
    )


if __name__ == "__main__":
    main()
