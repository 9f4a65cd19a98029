"""Builds while others read: every reader sees one whole build, the old or the new.

One module-wide scenario, all through the command line in processes of their own, on one
``MIIKG_HOME``: a first ``miikg build`` of data folder A, then a ``miikg serve`` started
on it, then three ``miikg build`` in a row (B, A, B: the two folders build different
triple counts, and the third build prunes the first, the one the server opened) while

- one thread runs ``miikg sparql 'SELECT (COUNT(*) …)'`` in a loop and another
  ``miikg stats``, each a new process, and
- a probe asks the server the same count every 0.1 s.

Every read must exit 0 (or answer 200) with exactly the old or the new count. After
the builds, two over-long queries make the server replace both its query workers; the
replacements must open the server's build, still there because the server holds it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from conftest import Records, edit
from miikg.graph_builder.build import build_quads
from miikg.graph_builder.load import bundled_data_dir, load_data
from miikg.graph_builder.store import write_build
from servers import miikg_server

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT = 1.0
#: a state record the bundled data does not have: folder B builds more triples than A
EXTRA_PLACE = {
    "id": "test-extra-state",
    "type": "state",
    "sources": ["src-census-state-codes"],
    "label": {"en": "Test Extra State", "zh": "测试州"},
    "within": "united-states",
}
Reader = Callable[[], tuple[bool, int | None, str]]
STATS_LINE = re.compile(r"^distinct triples in the merged default graph: (\d+)$", re.MULTILINE)


def miikg(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``miikg`` command line in a process of its own on *home*."""
    env = {**os.environ, "MIIKG_HOME": str(home), "MIIKG_LANG": "en"}
    return subprocess.run(
        [sys.executable, "-m", "miikg.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def triples(folder: Path) -> int:
    """Distinct triples of the default graph a data folder builds (computed in memory)."""
    return len({q.triple for q in build_quads(load_data(folder))})


@dataclass
class Read:
    """One read: what ran, how it ended, the count it gave (None if it gave none)."""

    kind: str
    ok: bool
    count: int | None
    detail: str
    started: float
    seconds: float


@dataclass
class Scenario:
    home: Path
    endpoint: str
    counts: dict[str, int]
    builds: list[subprocess.CompletedProcess[str]] = field(default_factory=list)
    cli_reads: list[Read] = field(default_factory=list)
    http_reads: list[Read] = field(default_factory=list)
    build_seconds: float = 0.0


def _cli_sparql(home: Path) -> tuple[bool, int | None, str]:
    done = miikg(home, "sparql", COUNT, "--format", "csv")
    lines = done.stdout.split()
    if done.returncode == 0 and len(lines) == 2 and lines[0] == "n" and lines[1].isdigit():
        return True, int(lines[1]), ""
    return False, None, f"exit {done.returncode}: {done.stdout!r} {done.stderr!r}"


def _cli_stats(home: Path) -> tuple[bool, int | None, str]:
    done = miikg(home, "stats")
    found = STATS_LINE.findall(done.stdout)
    if done.returncode == 0 and len(found) == 1:
        return True, int(found[0]), ""
    return False, None, f"exit {done.returncode}: {done.stdout[-300:]!r} {done.stderr!r}"


def _http_count(endpoint: str) -> tuple[bool, int | None, str]:
    try:
        reply = httpx.get(endpoint, params={"query": COUNT}, timeout=30)
    except httpx.HTTPError as exc:
        return False, None, f"{type(exc).__name__}: {exc}"
    if reply.status_code != 200:
        return False, None, f"{reply.status_code}: {reply.text.strip()}"
    return True, int(reply.json()["results"]["bindings"][0]["n"]["value"]), ""


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Folder A: the bundled data; folder B: the same plus one record."""
    base = tmp_path_factory.mktemp("data")
    a, b = base / "a", base / "b"
    shutil.copytree(bundled_data_dir(), a)
    shutil.copytree(bundled_data_dir(), b)

    def add(records: Records) -> None:
        records.append(dict(EXTRA_PLACE))

    edit(b, "places.yaml", add)
    return {"A": a, "B": b}


@pytest.fixture(scope="module")
def scenario(
    folders: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Scenario]:
    counts = {name: triples(folder) for name, folder in folders.items()}
    assert counts["A"] != counts["B"], counts
    home = tmp_path_factory.mktemp("home")
    first = miikg(home, "build", "--data", str(folders["A"]))
    assert first.returncode == 0, first.stderr
    log_folder = tmp_path_factory.mktemp("serve-during-builds")
    with miikg_server(home, log_folder, "--timeout", str(TIMEOUT)) as server:
        result = Scenario(home, server.base + "/sparql", counts, builds=[first])
        stop = threading.Event()

        def loop(kind: str, read: Reader, sink: list[Read], pause: float) -> None:
            while not stop.is_set():
                started = time.monotonic()
                ok, count, detail = read()
                sink.append(Read(kind, ok, count, detail, started, time.monotonic() - started))
                stop.wait(pause)

        readers = [
            threading.Thread(
                target=loop, args=("sparql", lambda: _cli_sparql(home), result.cli_reads, 0.1)
            ),
            threading.Thread(
                target=loop, args=("stats", lambda: _cli_stats(home), result.cli_reads, 0.1)
            ),
            threading.Thread(
                target=loop,
                args=("http", lambda: _http_count(result.endpoint), result.http_reads, 0.1),
            ),
        ]
        for thread in readers:
            thread.start()
        started = time.monotonic()
        try:
            for name in ("B", "A", "B"):
                result.builds.append(miikg(home, "build", "--data", str(folders[name])))
        finally:
            result.build_seconds = time.monotonic() - started
            stop.set()
            for thread in readers:
                thread.join(120)
        yield result


def test_every_build_succeeded(scenario: Scenario) -> None:
    assert [b.returncode for b in scenario.builds] == [0, 0, 0, 0], [
        b.stderr for b in scenario.builds
    ]
    names = [Path(b.stdout.splitlines()[0].removeprefix("Built ")).name for b in scenario.builds]
    current = (scenario.home / "CURRENT").read_text(encoding="utf-8").strip()
    assert current == names[-1]
    # kept: the last two, and the first, which the server still reads; the second is pruned
    assert _names(scenario.home) == sorted([names[0], names[2], names[3]])
    # the last build is current: a fresh read gives folder B's count
    ok, count, detail = _cli_sparql(scenario.home)
    assert ok, detail
    assert count == scenario.counts["B"]


def test_command_line_reads_during_builds_see_the_old_or_the_new_count(
    scenario: Scenario,
) -> None:
    reads = scenario.cli_reads
    failed = [r for r in reads if not r.ok]
    assert failed == [], failed[:5]
    expected = {scenario.counts["A"], scenario.counts["B"]}
    assert {r.count for r in reads} <= expected
    # the reads spanned the swaps: both counts were seen, by both kinds of read
    assert {r.count for r in reads if r.kind == "sparql"} == expected
    assert {r.count for r in reads if r.kind == "stats"} == expected
    print(
        f"\n{len(reads)} command-line reads during {scenario.build_seconds:.1f} s of builds "
        f"({sum(r.kind == 'sparql' for r in reads)} sparql, "
        f"{sum(r.kind == 'stats' for r in reads)} stats): all exit 0 with "
        f"{sorted(expected)}; slowest {max(r.seconds for r in reads):.2f} s"
    )


def test_a_server_started_before_the_builds_answers_one_of_the_two_counts(
    scenario: Scenario,
) -> None:
    reads = scenario.http_reads
    assert len(reads) >= 10
    failed = [r for r in reads if not r.ok]
    assert failed == [], failed[:5]
    assert {r.count for r in reads} <= {scenario.counts["A"], scenario.counts["B"]}
    print(
        f"\n{len(reads)} HTTP reads during the builds, counts {sorted({r.count for r in reads})}, "
        f"slowest {max(r.seconds for r in reads):.3f} s"
    )


def test_the_server_replaces_its_workers_after_its_build_was_superseded(
    scenario: Scenario,
) -> None:
    """Its build is two builds old now; a worker started now must still open it."""
    for _ in range(2):  # twice: both workers overrun and are replaced
        reply = httpx.post(scenario.endpoint, data={"query": SLOW}, timeout=60)
        assert reply.status_code == 503, reply.text
        assert f"ran out of time ({TIMEOUT:g} s)" in reply.text
    for _ in range(4):  # more queries than workers: every worker answers
        started = time.monotonic()
        ok, count, detail = _http_count(scenario.endpoint)
        assert ok, detail
        assert count in {scenario.counts["A"], scenario.counts["B"]}
        assert time.monotonic() - started < 20


# A build in use is kept; once released, the next build prunes it ---------------------

_QUADS = [
    ox.Quad(ox.NamedNode("urn:miikg:test:s"), ox.NamedNode("urn:miikg:test:p"), ox.Literal("1"))
]
_HOLDER = """
import sys
from pathlib import Path
from miikg.graph_builder.store import pin_build
print(pin_build(Path(sys.argv[1])).root.name, flush=True)
sys.stdin.read()
"""


def _names(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "builds").iterdir())


def test_a_build_in_use_is_kept_until_its_reader_ends(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first, _ = write_build(home, _QUADS)
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == first.root.name
        second, _ = write_build(home, _QUADS)
        third, _ = write_build(home, _QUADS)
        fourth, _ = write_build(home, _QUADS)
        # kept: the one in use, the current one and one previous; the second is gone
        assert _names(home) == sorted([first.root.name, third.root.name, fourth.root.name])
        assert not second.root.exists()
        # what a replaced query worker does: open the pinned build again
        assert len(ox.Store.read_only(str(first.store))) == 1
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        assert holder.wait(30) == 0
    fifth, _ = write_build(home, _QUADS)
    assert _names(home) == sorted([fourth.root.name, fifth.root.name])
