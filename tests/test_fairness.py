"""Fair under mixed load: cheap queries are never stuck behind expensive ones.

A real ``miikg serve`` with its defaults (2 workers, 10 s timeout). First 4 clients send
cheap queries alone (the baseline), then 8 clients send heavy queries and 4 cheap ones for
30 s: the cheap queries' p99 stays under 1 s and none is refused. Half the heavy clients
send a query the server guesses is heavy from its text (a join of two all-variable
patterns), half one it can only learn is heavy from its run times.
"""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from miikg.serve.cost import CostModel, looks_heavy
from servers import Server, miikg_server

TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
CHEAP = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
#: about 2 s alone on the curated build; heavy by its text. Only the triples with a literal
#: object on the left: with the whole Manufacturing USA network in the graph the full product
#: (12.6 million rows, twice the 5.9 million of the paper's graph) ran out of its 10 s on a
#: loaded machine; this one counts 5.6 million, as heavy as the product was before.
HEAVY_GUESSED = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?b ?f FILTER(isLiteral(?c)) }"
#: about 0.8 s alone; nothing in its text says so: learnt from its first runs
HEAVY_LEARNT = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?a {TYPE} ?t . ?b {TYPE} ?t . ?a ?p ?o }}"
BUSY = b"the endpoint is busy: no query worker was free; try again\n"
TIMED_OUT = b"the query ran out of time (10 s) and was stopped\n"
SECONDS = 30.0
BASELINE_SECONDS = 5.0
#: a bound on each client's loop besides the time
MAX_REQUESTS = 100_000


@dataclass
class Answer:
    kind: str
    status: int
    body: bytes
    seconds: float


@pytest.fixture
def server(home: Path, tmp_path: Path) -> Iterator[Server]:
    with miikg_server(home, tmp_path) as running:
        yield running


def _load(address: tuple[str, int], kinds: list[str], seconds: float) -> list[Answer]:
    """Run one client per entry of *kinds* for *seconds*; return every answer."""
    queries = {"cheap": CHEAP, "guessed": HEAVY_GUESSED, "learnt": HEAVY_LEARNT}
    answers: list[Answer] = []
    lock = threading.Lock()
    start = threading.Barrier(len(kinds) + 1)
    deadline = 0.0

    def client(kind: str) -> None:
        conn = http.client.HTTPConnection(*address, timeout=120)
        target = "/sparql?" + urllib.parse.urlencode({"query": queries[kind]})
        start.wait()
        for _ in range(MAX_REQUESTS):
            if time.monotonic() >= deadline:
                break
            began = time.monotonic()
            try:
                conn.request("GET", target, headers={"Accept": "application/sparql-results+json"})
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                break  # only after the deadline: the server is being stopped
            with lock:
                answers.append(Answer(kind, response.status, body, time.monotonic() - began))
        conn.close()

    threads = [threading.Thread(target=client, args=(kind,), daemon=True) for kind in kinds]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + seconds
    start.wait()
    # A heavy client's last query may wait its turn well past the deadline: what came
    # back within a few seconds of it is what counts (the server is stopped after).
    end = deadline + 5
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    with lock:
        return list(answers)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def _count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_cheap_queries_stay_fast_beside_heavy_ones(server: Server) -> None:
    parts = urllib.parse.urlsplit(server.base)
    assert parts.hostname and parts.port
    endpoint = (parts.hostname, parts.port)
    baseline = _load(endpoint, ["cheap"] * 4, BASELINE_SECONDS)
    mixed = _load(endpoint, ["guessed"] * 4 + ["learnt"] * 4 + ["cheap"] * 4, SECONDS)
    # Queued heavy queries would hold a graceful stop for up to the queue wait (30 s):
    # the measurement is over, so stop it at once (its workers end with it).
    server.process.kill()

    alone = [a.seconds for a in baseline]
    cheap = [a for a in mixed if a.kind == "cheap"]
    times = [a.seconds for a in cheap]
    heavy = Counter((a.kind, a.status, a.body[:24]) for a in mixed if a.kind != "cheap")
    print(
        f"\ncheap alone: {len(alone)} queries, p50 {statistics.median(alone) * 1000:.1f} ms, "
        f"p99 {_percentile(alone, 0.99) * 1000:.1f} ms\n"
        f"cheap beside 8 heavy clients: {len(times)} queries, "
        f"p50 {statistics.median(times) * 1000:.1f} ms, "
        f"p99 {_percentile(times, 0.99) * 1000:.1f} ms, max {max(times) * 1000:.0f} ms\n"
        f"heavy answers (kind, status): {dict(heavy)}"
    )
    assert {a.status for a in baseline} == {200}
    expected = _count(baseline[0].body)
    assert [(a.status, _count(a.body)) for a in cheap] == [(200, expected)] * len(cheap)
    assert len(cheap) > 100
    assert _percentile(times, 0.99) < 1.0
    # The heavy queries are served too, one lane's worth at a time; the overflow is told
    # to come back (503 busy), and on a loaded machine one may run out of time (503):
    # never a wrong answer.
    for answer in mixed:
        if answer.kind != "cheap":
            assert answer.status == 200 or (answer.status, answer.body) in {
                (503, BUSY),
                (503, TIMED_OUT),
            }
    served = Counter(a.kind for a in mixed if a.kind != "cheap" and a.status == 200)
    assert served["guessed"] >= 1 and served["learnt"] >= 1


def test_cost_model_learns_and_guesses() -> None:
    model = CostModel(heavy_seconds=0.25)
    assert looks_heavy(HEAVY_GUESSED) and not looks_heavy(HEAVY_LEARNT)
    assert not looks_heavy(CHEAP)
    shape, heavy = model.is_heavy(HEAVY_LEARNT)
    assert not heavy  # first sight: the text says nothing
    # while its first run is under way, a copy of it (spacing aside) waits as heavy
    copy, heavy_copy = model.is_heavy(HEAVY_LEARNT.replace(" . ", " .\n  # again\n "))
    assert copy == shape and heavy_copy
    model.done(copy, None)
    model.done(shape, 0.8)
    assert model.is_heavy(HEAVY_LEARNT)[1]
    model.done(shape, 0.01)
    model.done(shape, 0.01)  # three runs average under the threshold again
    assert not model.is_heavy(HEAVY_LEARNT)[1]
    small = CostModel(shapes=2)
    for text in ("ASK {}", "ASK { ?s ?p ?o }", CHEAP):
        small.done(small.is_heavy(text)[0], 0.001)
    assert len(small._seen) == 2  # the least recently used shape is forgotten
