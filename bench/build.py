"""Time the curated build end to end, against the raw engines loading the same quads.

    python bench/build.py [--runs 5] [--json FILE]

Each measurement runs in a fresh child process (cold imports, like a user's command),
and reports the median and min-max wall time and the child's peak resident memory. This
process imports nothing heavy itself: a forked child's peak memory counts the parent's
pages until it execs.
Baselines, measured in the same run on the N-Quads the build wrote: raw
``pyoxigraph.Store.bulk_load`` into an on-disk store, and rdflib's in-memory ``Dataset``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = {
    "miikg build (load YAML, SHACL, store, dumps)": (
        "from miikg import api; from pathlib import Path; import sys\n"
        "api.build(out=Path(sys.argv[1]) / 'home')"
    ),
    "miikg validate (load YAML, SHACL)": "from miikg import api\napi.validate()",
    "raw pyoxigraph bulk_load of the same N-Quads": (
        "import pyoxigraph as ox, sys\n"
        "s = ox.Store(sys.argv[1] + '/raw')\n"
        "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_QUADS)\ns.flush()"
    ),
    "rdflib Dataset.parse of the same N-Quads": (
        "import rdflib, sys\nrdflib.Dataset().parse(sys.argv[2], format='nquads')"
    ),
}

PREPARE = (
    "from miikg import api; from pathlib import Path; import shutil, sys\n"
    "built = api.build(out=Path(sys.argv[1]) / 'prepare')\n"
    "shutil.copyfile(built.paths.nquads, sys.argv[2])"
)


def _run_child(code: str, nquads: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", code, tmp, str(nquads)])
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"benchmark child failed: {code.splitlines()[0]}")
    return elapsed, usage.ru_maxrss * 1024  # Linux reports KiB


def main() -> None:
    """Run every case *runs* times and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        nquads = Path(tmp) / "graph.nq"
        subprocess.run([sys.executable, "-c", PREPARE, tmp, str(nquads)], check=True)
        quads = len(nquads.read_bytes().splitlines())
        results = {}
        for name, code in CASES.items():
            runs = [_run_child(code, nquads) for _ in range(args.runs)]
            times = [t for t, _ in runs]
            results[name] = {
                "median_s": statistics.median(times),
                "min_s": min(times),
                "max_s": max(times),
                "peak_rss_mib": max(m for _, m in runs) / 2**20,
            }
    base = results["raw pyoxigraph bulk_load of the same N-Quads"]["median_s"]
    print(
        f"quads: {quads}; runs: {args.runs}; python {platform.python_version()}"
        f"; {platform.machine()}, {os.cpu_count()} cores"
    )
    print("| case | median s | min–max s | × raw pyoxigraph | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|")
    for name, r in results.items():
        print(
            f"| {name} | {r['median_s']:.2f} | {r['min_s']:.2f}–{r['max_s']:.2f} "
            f"| {r['median_s'] / base:.1f} | {r['peak_rss_mib']:.0f} |"
        )
    if args.json:
        args.json.write_text(
            json.dumps({"quads": quads, "results": results}, indent=2),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
