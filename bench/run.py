"""Measure miikg against the raw engines at several sizes, in one run; write JSON and Markdown.

    python bench/run.py            # 10k, 100k and 1M generated triples (about half an hour)
    python bench/run.py --quick    # 10k triples, few repetitions (under a minute)

For each size, ``bench/generate.py`` writes governance-shaped N-Triples, then each
measurement runs in a fresh process (``bench/tasks.py``), one at a time:

- import: ``miikg import rdf`` (into a copy of a curated build: its own named graph plus
  the merged default graph, with provenance) vs raw ``pyoxigraph.Store.bulk_load`` into an
  empty on-disk store vs rdflib ``Graph.parse``;
- the named queries and four query shapes on the imported store: miikg's runner vs raw
  pyoxigraph (``Store.query``, every value of every row read) vs rdflib's engine (its
  Dataset holds the curated N-Quads plus the generated triples in its default graph);
- every export format, against the raw store's dumps; the NetworkX catalogue,
  projections and centrality, and the explorer page's size; pySHACL over the generated
  data (what validating everything on every import would cost: ``miikg validate``
  checks the curated data only);
- on the curated build: ``miikg --help`` and ``miikg query institutes`` cold, ``miikg
  build`` (which validates) and ``miikg validate``;
- the interactive commands (``bench/interactive.py``): each command a person waits for,
  on the curated build and with the generated data imported, as a ratio.

Times are medians with min–max; a query that passes the rdflib time limit shows as
"> limit" and is not run at larger sizes. Peak memory is each process's maximum
resident set. Results go to ``bench/results/latest.json`` and ``latest.md`` (``--out``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from interactive import measure, raw_times, spawner  # noqa: E402
from report import markdown  # noqa: E402

SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


@dataclass
class Settings:
    sizes: list[str]
    import_reps: int
    query_reps: int
    query_budget: float
    rdflib_timeout: float
    cli_reps: int
    shacl_limit: int
    task_timeout: float
    interactive_reps: int


QUICK = Settings(["10k"], 3, 3, 0.5, 0.4, 5, 10_000, 120, 2)
FULL = Settings(["10k", "100k", "1m"], 3, 5, 3.0, 20.0, 7, 1_000_000, 3600, 5)


def run(command: list[str], *, timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run *command*; return wall seconds, peak RSS (MiB), stdout and exit status.

    Started by ``bench/spawn.py`` (a small process), so the peak is the command's own,
    not this driver's size when it started the command.
    """
    with tempfile.NamedTemporaryFile(delete=False) as out:
        path = Path(out.name)
    try:
        done = spawner().run(command, env=env, timeout=timeout, stdout=path)
        if "timeout" in done:
            return {"timeout": timeout, "seconds": timeout}
        return {**done, "stdout": path.read_text()}
    finally:
        path.unlink(missing_ok=True)


def task(name: str, limit: float, **args: Any) -> dict[str, Any]:
    """Run one task of ``bench/tasks.py`` in a fresh process; its JSON plus peak RSS."""
    done = run([sys.executable, str(HERE / "tasks.py"), name, json.dumps(args)], timeout=limit)
    if "timeout" in done:
        return {"timeout": limit}
    return {**json.loads(done["stdout"].strip().splitlines()[-1]), "rss_mib": done["rss_mib"]}


def summary(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def miikg(*args: str) -> list[str]:
    return [sys.executable, "-m", "miikg.cli", *args]


def curated(work: Path, s: Settings) -> tuple[Path, dict[str, Any]]:
    """Build the curated graph; time the cold CLI, the build and validation."""
    home = work / "curated"
    run(miikg("build", "--out", str(home)), timeout=300)
    out: dict[str, Any] = {}
    cases = {
        "miikg --help": (miikg("--help"), s.cli_reps),
        "miikg query institutes": (miikg("--store", str(home), "query", "institutes"), s.cli_reps),
        "miikg build (with SHACL)": (miikg("build", "--out", str(work / "rebuild")), 3),
        "miikg validate": (miikg("validate"), 3),
    }
    for label, (command, reps) in cases.items():
        runs = [run(command, timeout=300) for _ in range(reps)]
        out[label] = {
            **summary([r["seconds"] for r in runs]),
            "rss_mib": max(r["rss_mib"] for r in runs),
        }
        print(f"  {label}: {out[label]['median']:.3f} s", flush=True)
    return home, out


def import_step(data: Path, home: Path, work: Path, s: Settings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for engine in ("miikg", "raw", "raw-same", "rdflib"):
        runs = []
        for rep in range(s.import_reps):
            target = work / f"import-{engine}-{rep}"
            shutil.rmtree(target, ignore_errors=True)
            if engine == "miikg":
                shutil.copytree(home, target)
            runs.append(
                task("import", s.task_timeout, engine=engine, data=str(data), target=str(target))
            )
            if engine != "miikg" or rep < s.import_reps - 1:
                shutil.rmtree(target, ignore_errors=True)
        out[engine] = {
            **summary([r["seconds"] for r in runs]),
            "rss_mib": max(r["rss_mib"] for r in runs),
            "triples": runs[0]["triples"],
        }
        print(f"  import {engine}: {out[engine]['median']:.2f} s", flush=True)
    return out


def query_step(imported: Path, s: Settings, skip: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for engine in ("miikg", "raw", "rdflib"):
        out[engine] = task(
            "queries",
            s.task_timeout,
            engine=engine,
            home=str(imported),
            reps=s.query_reps,
            budget=s.query_budget,
            timeout=s.rdflib_timeout if engine == "rdflib" else None,
            skip=skip if engine == "rdflib" else [],
        )
        print(f"  queries {engine}: done", flush=True)
    return out


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {}
    for package in ("pyoxigraph", "rdflib", "pyshacl", "networkx"):
        from importlib.metadata import version

        versions[package] = version(package)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory, 1),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "versions": versions,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10k triples, few repetitions")
    parser.add_argument("--sizes", help="comma-separated, of " + ", ".join(SIZES))
    parser.add_argument("--out", type=Path, default=HERE / "results", help="folder for results")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    args = parser.parse_args()
    spawner()  # before the generated data makes this process large
    s = QUICK if args.quick else FULL
    if args.sizes:
        s.sizes = args.sizes.split(",")
    started = time.perf_counter()
    results: dict[str, Any] = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "mode": "quick" if args.quick else "full",
        "machine": machine(),
        "sizes": {},
    }
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        env_home = work / "home-for-validate"
        os.environ["MIIKG_HOME"] = str(env_home)
        print("curated build and command line", flush=True)
        home, results["curated"] = curated(work, s)
        skip: list[str] = []
        for size in s.sizes:
            print(f"size {size}", flush=True)

            data = work / f"data-{size}.nt"
            triples = generate(SIZES[size], data)
            entry: dict[str, Any] = {"triples": triples, "bytes": data.stat().st_size}
            entry["import"] = import_step(data, home, work, s)
            imported = work / f"import-miikg-{s.import_reps - 1}"
            entry["queries"] = query_step(imported, s, skip)
            skip = sorted(
                {
                    n
                    for n, r in entry["queries"]["rdflib"]["named"].items()
                    if "timeout" in r or r.get("skipped")
                }
                | set(skip)
            )
            entry["exports"] = task(
                "exports", s.task_timeout, home=str(imported), out=str(work / f"exports-{size}")
            )
            print("  exports: done", flush=True)
            entry["network"] = task("network", s.task_timeout, home=str(imported))
            print("  network: done", flush=True)
            print("  interactive (ratio to the curated build):", flush=True)
            entry["interactive"] = measure(home, imported, reps=s.interactive_reps)
            entry["interactive"]["raw_queries"] = raw_times(imported, s.query_reps)
            if triples <= s.shacl_limit * 1.05:
                entry["shacl"] = task("shacl", s.task_timeout, data=str(data))
                print("  shacl: done", flush=True)
            results["sizes"][size] = entry
            shutil.rmtree(work / f"exports-{size}", ignore_errors=True)
            for old in work.glob("import-*"):
                shutil.rmtree(old, ignore_errors=True)
    results["seconds"] = time.perf_counter() - started
    text = markdown(results)
    args.out.mkdir(parents=True, exist_ok=True)
    name = "quick" if args.quick else "latest"
    (args.out / f"{name}.json").write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    (args.out / f"{name}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
