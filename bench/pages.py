"""Entity pages under load, and the static site (a benchmark, not a test).

Starts ``miikg serve`` on a free 127.0.0.1 port and runs N loopback client threads (one
keep-alive connection each) for a fixed time per case, each request for a page of an
entity drawn in turn from the graph: HTML in en, HTML in zh, Turtle. Prints requests/s,
p50/p99 latency and errors, with the same page read and rendered in-process (the
baseline, this process). Then writes the static site and prints its time, size and
page counts.

    python bench/pages.py [--clients 20] [--seconds 10] [--store HOME] [--no-site]
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path

from miikg import api
from miikg.graph_builder.store import open_store
from miikg.ontology.namespaces import BASE

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


def _client(
    port: int, paths: list[str], offset: int, headers: dict[str, str], deadline: float, tally: Tally
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    order = cycle(paths[offset:] + paths[:offset])
    for _ in range(MAX_REQUESTS):
        if time.monotonic() >= deadline:
            break
        started = time.perf_counter()
        try:
            connection.request("GET", next(order), headers=headers)
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
            raise SystemExit("the server did not start")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start within 30 s")


def _baseline(home: Path, iris: list[str], lang: str) -> float:
    """Median time to read and render one page in this process."""
    from miikg.serve.entity_data import read_entity
    from miikg.serve.entity_pages import ServerLinks, render_entity

    store = open_store(home)
    times = []
    for iri in iris:
        started = time.perf_counter()
        data = read_entity(store, iri, lang=lang)
        assert data is not None
        render_entity(data, links=ServerLinks())
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--store", type=Path, default=None, help="a home with a build")
    parser.add_argument("--no-site", action="store_true", help="skip writing the site")
    options = parser.parse_args()
    home = options.store
    if home is None:
        home = Path(tempfile.mkdtemp(prefix="miikg-bench-"))
        api.build(out=home)
    from miikg.serve.entity_data import entity_iris

    iris = entity_iris(open_store(home))
    paths = ["/" + iri.removeprefix(BASE) for iri in iris]
    cases = {
        "HTML, en": ("?lang=en", {"Accept": "text/html"}),
        "HTML, zh": ("?lang=zh", {"Accept": "text/html"}),
        "Turtle": ("", {"Accept": "text/turtle"}),
    }
    port = _free_port()
    command = [sys.executable, "-m", "miikg.cli", "--store", str(home), "serve"]
    process = subprocess.Popen([*command, "--port", str(port)], stderr=subprocess.DEVNULL)
    rows = []
    try:
        _wait(port, process)
        for name, (query, headers) in cases.items():
            urls = [p + query for p in paths]
            tallies = [Tally() for _ in range(options.clients)]
            deadline = time.monotonic() + options.seconds
            threads = [
                threading.Thread(
                    target=_client,
                    args=(port, urls, i * len(urls) // options.clients, headers, deadline, t),
                )
                for i, t in enumerate(tallies)
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
            base = ""
            if name.startswith("HTML"):
                base = f"{_baseline(home, iris, name[-2:]) * 1000:.1f}"
            rows.append(
                f"| {name} | {len(latencies)} | {len(latencies) / elapsed:.0f} | "
                f"{p50 * 1000:.1f} | {p99 * 1000:.1f} | {errors} | {base} |"
            )
    finally:
        process.terminate()
        process.wait(15)
    print(
        f"{options.clients} concurrent loopback clients, {options.seconds:g} s per case, "
        f"pages of all {len(iris)} IRIs in turn\n"
    )
    print("| page | requests | requests/s | p50 ms | p99 ms | errors | in-process p50 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    if options.no_site:
        return
    from miikg.exports.site import write_site

    folder = Path(tempfile.mkdtemp(prefix="miikg-site-"))
    try:
        site = write_site(home, folder / "site")
        pages = ", ".join(f"{kind} {n}" for kind, n in sorted(site.pages.items()))
        print(
            f"\nsite: {site.seconds:.1f} s, {site.files} files, {site.bytes / 1e6:.1f} MB, "
            f"{sum(site.pages.values())} HTML pages ({pages})"
        )
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
