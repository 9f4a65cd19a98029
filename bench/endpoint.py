"""Throughput of ``miikg serve`` under concurrent loopback clients (a benchmark, not a test).

Starts the endpoint on a free 127.0.0.1 port, runs N client threads (one keep-alive
connection each) for a fixed time per query, and prints a Markdown table: requests,
requests/s, p50/p99 latency, errors, and the p50 as a multiple of the same query run
in-process on pyoxigraph (the baseline, measured in this process).

    python bench/endpoint.py [--clients 20] [--seconds 10] [--workers 2] [--store HOME]
"""

from __future__ import annotations

import argparse
import http.client
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from miikg import api
from miikg.graph_builder.store import open_store
from miikg.queries import catalogue

#: hard cap per client, so the loop is bounded in count as well as in time
MAX_REQUESTS = 200_000


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _client(port: int, body: bytes, deadline: float, tally: Tally) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json",
    }
    for _ in range(MAX_REQUESTS):
        if time.monotonic() >= deadline:
            break
        started = time.perf_counter()
        try:
            connection.request("POST", "/sparql", body, headers)
            reply = connection.getresponse()
            reply.read()
            ok = reply.status == 200
        except OSError:
            ok = False
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        if ok:
            tally.latencies.append(time.perf_counter() - started)
        else:
            tally.errors += 1
    connection.close()


def _wait(port: int, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise SystemExit("the endpoint did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the endpoint did not start within 30 s")


def _baseline(home: Path, query: str, bindings: dict[str, str], runs: int = 200) -> float:
    import pyoxigraph as ox

    store = open_store(home)
    substitutions = {ox.Variable(k): ox.Literal(v) for k, v in bindings.items()}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        list(store.query(query, substitutions=substitutions))  # type: ignore[call-overload]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", type=Path, default=None, help="a home with a build")
    options = parser.parse_args()
    home = options.store
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="miikg-bench-"))
        api.build(out=home)
    cases = {
        "count triples (default graph)": ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", {}),
        "named query: institutes (zh)": (catalogue()["institutes"].text, {"lang": "zh"}),
    }
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "miikg.cli",
        "--store",
        str(home),
        "serve",
        "--port",
        str(port),
    ]
    command += ["--workers", str(options.workers)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    rows = []
    try:
        _wait(port, process)
        for name, (query, bindings) in cases.items():
            form = {"query": query, **{f"${k}": f'"{v}"' for k, v in bindings.items()}}
            body = urllib.parse.urlencode(form).encode()
            tallies = [Tally() for _ in range(options.clients)]
            deadline = time.monotonic() + options.seconds
            threads = [
                threading.Thread(target=_client, args=(port, body, deadline, t)) for t in tallies
            ]
            started = time.monotonic()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            latencies = sorted(x for t in tallies for x in t.latencies)
            errors = sum(t.errors for t in tallies)
            p50 = latencies[len(latencies) // 2] if latencies else float("nan")
            p99 = latencies[int(len(latencies) * 0.99)] if latencies else float("nan")
            base = _baseline(home, query, bindings)
            rows.append(
                f"| {name} | {len(latencies)} | {len(latencies) / elapsed:.0f} | "
                f"{p50 * 1000:.1f} | {p99 * 1000:.1f} | {errors} | {base * 1000:.2f} | "
                f"{p50 / base:.0f} |"
            )
    finally:
        process.terminate()
        process.wait(15)
    print(
        f"{options.clients} concurrent loopback clients, {options.seconds:g} s per query, "
        f"{options.workers} query workers\n"
    )
    print(
        "| query | requests | requests/s | p50 ms | p99 ms | errors | in-process ms "
        "| p50 × in-process |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
