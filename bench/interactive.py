"""What a person waits for, with imported data and without: each command as a ratio.

Each command a person runs at a prompt (``describe``, ``query entity-facts``, ``table``,
``network path|ego|stats``, ``explore`` of each view, ``stats``) runs in a fresh process
(process start included; started by ``bench/spawn.py``, so each peak memory is the
command's own) on the curated build alone and on the same build after ``miikg
import rdf`` of generated data, the two interleaved run by run, so both see the same load
on a shared machine; the ratio of their medians is the figure. The endpoint's entity
page is timed as a request to a running ``miikg serve`` (start-up excluded). Beside each,
the raw pyoxigraph time of the equivalent minimal query on the imported store
(``bench/tasks.py raw-interactive``), and each process's peak memory.

    python bench/interactive.py --sizes 10k,100k,1m            # the table, to stdout
    python bench/interactive.py --code OTHER/src --out x.json  # another checkout's code
    python bench/interactive.py --markdown bench/results/interactive.md  # the README's table

``--code`` measures the miikg of another source tree (its ``src`` folder, e.g. an older
commit checked out elsewhere) with this file's commands: the BEFORE figures of a change.
``bench/run.py`` runs the same step at each size of its full run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

#: (label, arguments after ``miikg --store HOME``, raw query of bench/tasks.py)
COMMANDS: list[tuple[str, list[str], str]] = [
    ("describe MxD", ["describe", "MxD"], "entity"),
    ("describe 'Amerca Makes' (a misspelt name)", ["describe", "Amerca Makes"], "entity"),
    ("query entity-facts -p entity=mxd", ["query", "entity-facts", "-p", "entity=mxd"], "entity"),
    ("table 2", ["table", "2"], "table-2"),
    ("network path biomade jdmtp", ["network", "path", "biomade", "jdmtp"], "around"),
    ("network ego mxd", ["network", "ego", "mxd"], "around"),
    ("network stats", ["network", "stats"], "view-governance"),
    *(
        (f"explore --view {v}", ["explore", "--view", v, "-o", "{out}"], f"view-{v}")
        for v in ("governance", "agreements", "chain", "membership", "all")
    ),
    ("stats", ["stats"], "count"),
]
PAGE = "/id/institute/mxd"


class Spawner:
    """The process that starts every measured command (``bench/spawn.py``): started while
    the driver is small, so each command's peak memory is its own."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, str(HERE / "spawn.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(
        self,
        command: list[str],
        *,
        env: dict[str, str] | None = None,
        timeout: float,
        stdout: Path | None = None,
    ) -> dict[str, Any]:
        """Run *command*; return its wall seconds and peak memory, or the timeout passed.

        :raises RuntimeError: the command failed.
        """
        assert self._proc.stdin is not None and self._proc.stdout is not None
        request = {
            "argv": command,
            "env": env if env is not None else dict(os.environ),
            "timeout": timeout,
            "stdout": str(stdout) if stdout else None,
        }
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        done: dict[str, Any] = json.loads(self._proc.stdout.readline())
        if "timeout" in done:
            return {"seconds": timeout, "timeout": timeout, "rss_mib": 0.0}
        if done["code"] != 0:
            raise RuntimeError(f"{' '.join(command)} failed ({done['code']}):\n{done['stderr']}")
        return {"seconds": done["seconds"], "rss_mib": done["rss_mib"]}


_SPAWNER: list[Spawner] = []


def spawner() -> Spawner:
    """Return the spawner, started on first use: call it before the driver grows."""
    if not _SPAWNER:
        _SPAWNER.append(Spawner())
    return _SPAWNER[0]


def _run(command: list[str], env: dict[str, str], timeout: float) -> dict[str, Any]:
    return spawner().run(command, env=env, timeout=timeout)


def _summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    times = [r["seconds"] for r in runs]
    out: dict[str, Any] = {
        "median": statistics.median(times),
        "min": min(times),
        "max": max(times),
        "rss_mib": max(r["rss_mib"] for r in runs),
    }
    if any("timeout" in r for r in runs):
        out["timeout"] = runs[0].get("timeout")
    return out


def environment(code: Path | None) -> dict[str, str]:
    """The environment of a miikg process: *code* (a ``src`` folder) first on the path."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code), env.get("PYTHONPATH")]))
    return env


def miikg(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "miikg.cli", "--store", str(home), *args]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _page_times(home: Path, env: dict[str, str], reps: int) -> list[float]:
    """Start ``miikg serve`` on *home*; time *reps* requests for MxD's page (HTML, en)."""
    port = _free_port()
    proc = subprocess.Popen(
        miikg(home, "serve", "--port", str(port)),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(600):
            if proc.poll() is not None:
                raise RuntimeError("miikg serve did not start")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        times = []
        for _ in range(reps + 1):  # the first request warms the worker up
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            start = time.perf_counter()
            conn.request("GET", PAGE, headers={"Accept": "text/html"})
            reply = conn.getresponse()
            reply.read()
            times.append(time.perf_counter() - start)
            conn.close()
            if reply.status != 200:
                raise RuntimeError(f"GET {PAGE}: {reply.status}")
        return times[1:]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure(
    curated: Path,
    imported: Path,
    *,
    reps: int,
    code: Path | None = None,
    timeout: float = 1800,
) -> dict[str, Any]:
    """Time every command on *curated* and on *imported*, interleaved run by run."""
    env = environment(code)
    scratch = Path(tempfile.mkdtemp(prefix="miikg-interactive-"))
    out: dict[str, Any] = {"commands": {}}
    try:
        for label, args, raw in COMMANDS:
            runs: dict[str, list[dict[str, float]]] = {"curated": [], "imported": []}
            for _ in range(reps):
                for which, home in (("curated", curated), ("imported", imported)):
                    argv = [a.replace("{out}", str(scratch / "page.html")) for a in args]
                    runs[which].append(_run(miikg(home, *argv), env, timeout))
            entry = {which: _summary(r) for which, r in runs.items()}
            entry["raw"] = raw
            out["commands"][label] = entry
            ratio = entry["imported"]["median"] / entry["curated"]["median"]
            print(f"    {label}: {ratio:.2f}×", flush=True)
        page: dict[str, list[float]] = {"curated": [], "imported": []}
        for which, home in (("curated", curated), ("imported", imported)):
            page[which] = _page_times(home, env, reps * 4)
        out["page"] = {
            which: {"median": statistics.median(t), "min": min(t), "max": max(t)}
            for which, t in page.items()
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return out


def raw_times(imported: Path, reps: int, timeout: float = 1800) -> dict[str, Any]:
    """The raw pyoxigraph minimal queries on *imported*, in one fresh process."""
    done = subprocess.run(
        [sys.executable, str(HERE / "tasks.py"), "raw-interactive",
         json.dumps({"home": str(imported), "reps": reps})],
        capture_output=True, text=True, timeout=timeout, check=True,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def prepare(work: Path, data: Path, code: Path | None) -> tuple[Path, Path]:
    """Build the curated graph and a copy with *data* imported, with the code measured."""
    env = environment(code)
    curated, imported = work / "curated", work / f"imported-{data.stem}"
    if not curated.exists():
        _run([sys.executable, "-m", "miikg.cli", "build", "--out", str(curated)], env, 600)
    shutil.rmtree(imported, ignore_errors=True)
    shutil.copytree(curated, imported)
    _run(miikg(imported, "import", "rdf", str(data)), env, 3600)
    return curated, imported


def main() -> int:
    spawner()  # before the generated data makes this process large
    sys.path.insert(0, str(HERE))
    from generate import generate
    from report import interactive_table

    sizes = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--code", type=Path, help="the src folder of the miikg to measure")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument("--out", type=Path, help="write the results (JSON) here too")
    parser.add_argument(
        "--markdown", type=Path, help="write the table, its targets and the machine here too"
    )
    args = parser.parse_args()
    started = time.time()
    results: dict[str, Any] = {"code": str(args.code or "this checkout"), "sizes": {}}
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        work = Path(tmp)
        for size in args.sizes.split(","):
            data = work / f"data-{size}.nt"
            triples = generate(sizes[size], data)
            print(f"size {size}: {triples} triples", flush=True)
            curated, imported = prepare(work, data, args.code)
            entry = measure(curated, imported, reps=args.reps, code=args.code)
            entry["raw_queries"] = raw_times(imported, args.reps)
            entry["triples"] = triples
            results["sizes"][size] = entry
            shutil.rmtree(imported, ignore_errors=True)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    print("\n".join(interactive_table(results["sizes"])))
    if args.markdown:
        text = report(results, args.sizes, args.reps, time.time() - started)
        args.markdown.write_text(text, encoding="utf-8")
    return 0


def report(results: dict[str, Any], sizes: str, reps: int, seconds: float) -> str:
    """The results as Markdown: when and where, the targets at the largest size, the table."""
    from report import interactive_table, interactive_targets
    from run import machine

    m = machine()
    largest = list(results["sizes"])[-1]
    lines = [
        f"Measured {datetime.now(timezone.utc).isoformat(timespec='seconds')} "
        f"(`python bench/interactive.py --sizes {sizes} --reps {reps}`, {seconds / 60:.1f} min) "
        f"on {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['system']}; "
        f"Python {m['python']}, "
        + ", ".join(f"{k} {v}" for k, v in m["versions"].items())
        + f". Each command in a fresh process, process start included, {reps} runs on the "
        "curated build and on the same build with the generated data imported, interleaved "
        "run by run; medians; ratio = with the import ÷ curated. Raw pyoxigraph: the minimal "
        "query the command needs, on the imported store, in one process. Peak memory: each "
        "process's maximum RSS.",
        "",
        f"**Targets at {largest}**",
        "",
        "| target | measured | note | met |",
        "|---|---:|---|:-:|",
    ]
    for what, measured, note, met in interactive_targets(results["sizes"], largest):
        lines.append(f"| {what} | {measured} | {note} | {'yes' if met else '**no**'} |")
    lines += ["", *interactive_table(results["sizes"]), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
