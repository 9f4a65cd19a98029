"""Hostile and broken files to import: one exact error, exit 1, nothing half-imported.

Every failing import is run through the CLI (``miikg import csv|usaspending|rdf``) against
a copy of a built home; the store's quad count, named-graph list and quads must be what
they were. The CSV importer streams: a million rows go in with bounded memory.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from miikg import api, cli
from miikg.errors import ImportFileError
from miikg.graph_builder.store import current_build, open_store
from miikg.linking import importing
from miikg.linking.generic import import_csv, import_rdf
from miikg.ontology.namespaces import GRAPH, W3

FIXTURES = Path(__file__).parent / "fixtures" / "importing"
MIIKG = Path(sys.executable).with_name("miikg")
META = ox.NamedNode(GRAPH + "meta")
MAPPING = """\
subject: {column: id, template: "https://example.org/partner/{value}"}
type: schema:Organization
columns:
  name: {property: rdfs:label, language: en}
  founded: {property: schema:foundingDate, datatype: xsd:date}
  homepage: {property: schema:url, kind: iri}
"""
GOOD = (
    "id,name,founded,homepage\n"
    "p-1,Partner One,2015-03-01,https://example.org/one\n"
    "p-2,Café Two,2018-11-20,\n"
    "p-3,Partner Three,2020-01-31,https://example.org/three\n"
)
#: Triples GOOD makes: 3 types, 3 labels, 3 dates, 2 homepages.
GOOD_TRIPLES = 11
#: Quads of one import's provenance in the meta graph (and as many in the default graph).
PROVENANCE = 10


@pytest.fixture
def writable_home(home: Path, tmp_path: Path) -> Path:
    target = tmp_path / "home"
    shutil.copytree(home, target)
    return target


@pytest.fixture
def mapping(tmp_path: Path) -> Path:
    path = tmp_path / "partners.mapping.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


State = tuple[int, list[str], set[ox.Quad], list[str], dict[str, object]]


def state(home: Path) -> State:
    """The quad count, the named graphs and every quad of the current build's store, the
    folders of the name index and counts kept beside it, and the counts `stats` shows."""
    store = open_store(home)
    imports = current_build(home).imports
    folders = sorted(p.name for p in imports.iterdir()) if imports.is_dir() else []
    counts = api.stats(store=home).to_dict()
    return len(store), sorted(g.value for g in store.named_graphs()), set(store), folders, counts


def graphs(home: Path) -> list[str]:
    return sorted(g.value for g in open_store(home).named_graphs())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def count(home: Path, graph: str | None) -> int:
    """Triples in *graph* (the default graph when None) of the current build."""
    pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    result = open_store(home).query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
    assert isinstance(result, ox.QuerySolutions)
    (row,) = list(result)
    value = row["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def _rows(n: int, bad_at: int | None = None, bad: bytes = b"") -> bytes:
    """A CSV of *n* good rows; data row *bad_at* (1-based) gets *bad* in its name."""
    lines = [b"id,name,founded,homepage\n"]
    for i in range(1, n + 1):
        name = b"Partner " + str(i).encode() + (bad if i == bad_at else b"")
        lines.append(b"p-%d,%s,2015-03-01,https://example.org/%d\n" % (i, name, i))
    return b"".join(lines)


UNCLOSED_LONG = b'id,name,founded,homepage\np-1,"Partner One,2015-03-01,\n' + _rows(5_000)[25:]

# (case, the CSV's bytes, the exact error after "miikg: error: partners.csv: ")
CSV_CASES: list[tuple[str, bytes, str]] = [
    (
        "utf16-with-bom",
        GOOD.encode("utf-16"),
        "row 1: the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8",
    ),
    (
        "utf16-without-bom",
        GOOD.encode("utf-16-le"),
        "row 1: header cell 1: a NUL character, which text does not hold "
        "(is the file UTF-16? save it as UTF-8)",
    ),
    (
        "latin1",
        GOOD.encode("latin-1"),
        "row 3, column 'name': bytes b'\\xe9' are not UTF-8 "
        "(is the file Latin-1? save it as UTF-8)",
    ),
    (
        "windows-1252-quotes",
        GOOD.replace("Café", "Cafe").replace("Partner Three", "“Three”").encode("cp1252"),
        "row 4, column 'name': bytes b'\\x93' are not UTF-8 "
        "(is the file Latin-1? save it as UTF-8)",
    ),
    (
        "bad-bytes-past-the-first-megabytes",  # 60,000 rows, about 4 MB: read in chunks
        _rows(60_000, bad_at=50_000, bad=b"\xff\xfe"),
        "row 50001, column 'name': bytes b'\\xff\\xfe' are not UTF-8 "
        "(is the file Latin-1? save it as UTF-8)",
    ),
    (
        "bad-bytes-in-the-header",
        GOOD.replace("name", "n\xe4me", 1).encode("latin-1"),
        "row 1: header cell 2: bytes b'\\xe4' are not UTF-8 "
        "(is the file Latin-1? save it as UTF-8)",
    ),
    (
        "nul-in-a-cell",
        GOOD.replace("Partner One", "Partner\x00One").encode(),
        "row 2, column 'name': a NUL character, which text does not hold "
        "(is the file UTF-16? save it as UTF-8)",
    ),
    (
        "two-columns-missing",
        b"id,homepage\np-1,https://example.org/one\n",
        "row 1, column 'name': missing required column(s) 'name', 'founded'; "
        "the header has 'id', 'homepage'",
    ),
    (
        "a-column-twice",
        b"id,name,name,founded,homepage\np-1,A,B,2015-03-01,\n",
        "row 1, column 'name': the header has this column more than once (cells 2, 3)",
    ),
    ("empty", b"", "the file is empty: a header row is needed"),
    (
        "ragged-row",
        GOOD.replace("p-2,Café Two,2018-11-20,", "p-2,Café Two,2018-11-20").encode(),
        "row 3: 3 cells where the header has 4",
    ),
    (
        "unclosed-quote-at-the-end",
        GOOD.replace("Partner Three", '"Partner Three').encode(),
        'row 4: a quote (") opened in this row is never closed',
    ),
    (
        "unclosed-quote-swallowing-the-rest",
        UNCLOSED_LONG,
        'row 2: a cell of more than 131072 characters: is a quote (") left open?',
    ),
    (
        "text-after-a-closing-quote",
        GOOD.replace("Partner One", '"Partner" One').encode(),
        'row 2: text after the closing quote (") of a cell: quote the whole cell',
    ),
    (
        "bad-value-in-the-last-of-100000-rows",  # checked before anything is written
        _rows(100_000) + b"p-x,Last,2021-02-30,\n",
        "row 100002, column 'founded': '2021-02-30' is not an xsd:date",
    ),
]


@pytest.mark.parametrize(("case", "data", "message"), CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_a_broken_csv_is_one_exact_error_and_imports_nothing(
    writable_home: Path,
    mapping: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    data: bytes,
    message: str,
) -> None:
    path = tmp_path / "partners.csv"
    path.write_bytes(data)
    before = state(writable_home)

    code, out, err = run(
        capsys, "--store", str(writable_home), "import", "csv", str(path), "--mapping", str(mapping)
    )

    assert (code, out) == (1, "")
    assert err.splitlines() == [f"miikg: error: partners.csv: {message}"]
    assert state(writable_home) == before


def _deep(folder: Path) -> Path:
    path = folder / "deep.mapping.yaml"
    path.write_text("subject: " + "[" * 10_000 + "\n", encoding="utf-8")
    return path


def _bomb(folder: Path) -> Path:
    path = folder / "bomb.mapping.yaml"
    levels = "".join(
        f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
    path.write_text("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + levels)
    return path


def _latin1(folder: Path) -> Path:
    path = folder / "latin1.mapping.yaml"
    path.write_bytes(MAPPING.replace("type: schema:Organization", "# Caf\xe9").encode("latin-1"))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            _deep,
            "deep.mapping.yaml: cannot read the mapping: YAML error at line 1, column 73: "
            "nested more than 64 levels deep",
        ),
        (
            _bomb,
            "bomb.mapping.yaml: cannot read the mapping: YAML error at line 6, column 8: "
            "aliases stand for more than 100000 nodes (an alias bomb?): write the values out",
        ),
        (
            _latin1,
            "latin1.mapping.yaml: cannot read the mapping: not UTF-8 text: bytes b'\\xe9' "
            "at line 2, column 6",
        ),
    ],
    ids=["deep", "alias-bomb", "latin1"],
)
def test_a_hostile_mapping_is_named_and_imports_nothing(
    writable_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], Path],
    message: str,
) -> None:
    path = tmp_path / "partners.csv"
    path.write_text(GOOD, encoding="utf-8")
    bad = make(tmp_path)
    before = state(writable_home)
    started = time.perf_counter()
    code, out, err = run(
        capsys, "--store", str(writable_home), "import", "csv", str(path), "--mapping", str(bad)
    )
    assert time.perf_counter() - started < 5
    assert (code, out, err.splitlines()) == (1, "", [f"miikg: error: {message}"])
    assert state(writable_home) == before


@pytest.mark.parametrize(
    ("encoding", "message"),
    [
        (
            "utf-16",
            "row 1: the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8",
        ),
        (
            "utf-16-be",
            "row 1: header cell 1: a NUL character, which text does not hold "
            "(is the file UTF-16? save it as UTF-8)",
        ),
    ],
)
def test_a_utf16_award_file_is_refused_naming_row_1(
    writable_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    encoding: str,
    message: str,
) -> None:
    path = tmp_path / "awards.csv"
    path.write_bytes((FIXTURES / "usaspending-awards.csv").read_text("utf-8").encode(encoding))
    before = state(writable_home)
    code, out, err = run(capsys, "--store", str(writable_home), "import", "usaspending", str(path))
    assert (code, out, err.splitlines()) == (1, "", [f"miikg: error: awards.csv: {message}"])
    assert state(writable_home) == before


NT = "".join(
    f'<https://example.org/s/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "Thing {i}"@en .\n'
    for i in range(200)
)
TTL = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n" + "".join(
    f'<https://example.org/s/{i}> rdfs:label "Thing {i}"@en ; rdfs:comment "c{i}" .\n'
    for i in range(200)
)


@pytest.mark.parametrize(
    ("name", "text", "cut"),
    [
        ("cut.nt", NT, NT.index("<https://example.org/s/150>") + 40),  # inside a predicate
        ("cut-literal.nt", NT, NT.index('"Thing 120"') + 4),  # inside a string
        ("cut.ttl", TTL, TTL.index("<https://example.org/s/180>") + 52),
        ("cut-prefix.ttl", TTL, 30),  # inside the prefix declaration
    ],
)
def test_truncated_rdf_is_refused_and_imports_nothing(
    writable_home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    text: str,
    cut: int,
) -> None:
    whole = tmp_path / f"whole{Path(name).suffix}"
    whole.write_text(text, encoding="utf-8")
    assert len(list(ox.parse(path=whole))) in {200, 400}  # the uncut file is valid
    path = tmp_path / name
    path.write_text(text[:cut], encoding="utf-8")
    before = state(writable_home)

    code, out, err = run(capsys, "--store", str(writable_home), "import", "rdf", str(path))

    assert (code, out) == (1, "")
    (line,) = err.splitlines()
    assert line.startswith(f"miikg: error: {name}: ")
    assert "not valid" in line
    assert state(writable_home) == before
    with pytest.raises(ImportFileError, match="not valid"):
        import_rdf(path, home=writable_home)
    assert state(writable_home) == before


def _csv(tmp_path: Path, rows: int, name: str = "partners.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(_rows(rows))
    return path


def test_a_failure_in_the_middle_of_the_write_is_undone(
    writable_home: Path, mapping: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of 7 triples: the third batch fails (a full disk); the first two are removed."""
    path = _csv(tmp_path, 20)  # 80 triples, 12 batches
    before = state(writable_home)
    monkeypatch.setattr(importing, "BATCH_TRIPLES", 7)
    real = importing._write_batch
    calls: list[int] = []

    def failing(store: ox.Store, quads: list[ox.Quad]) -> None:
        calls.append(len(quads))
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(store, quads)

    monkeypatch.setattr(importing, "_write_batch", failing)
    with pytest.raises(OSError, match="No space left on device"):
        import_csv(path, mapping, home=writable_home)
    assert calls == [14, 14, 14]
    assert state(writable_home) == before


def test_ctrl_c_in_the_middle_of_the_write_is_undone(
    writable_home: Path, mapping: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _csv(tmp_path, 20)
    before = state(writable_home)
    monkeypatch.setattr(importing, "BATCH_TRIPLES", 10)
    real = importing._write_batch
    calls: list[int] = []

    def interrupted(store: ox.Store, quads: list[ox.Quad]) -> None:
        calls.append(len(quads))
        real(store, quads)
        if len(calls) == 5:
            raise KeyboardInterrupt

    monkeypatch.setattr(importing, "_write_batch", interrupted)
    with pytest.raises(KeyboardInterrupt):
        import_csv(path, mapping, home=writable_home)
    assert state(writable_home) == before


def test_a_file_that_changes_during_the_import_is_refused_and_undone(
    writable_home: Path, mapping: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Checked, then appended to while it is written: the second pass sees other bytes."""
    path = _csv(tmp_path, 4_000)  # about 230 kB: several read buffers of 64 kB
    monkeypatch.setattr(importing, "_CHUNK", 64 * 1024)
    before = state(writable_home)
    monkeypatch.setattr(importing, "BATCH_TRIPLES", 1_000)
    real = importing._write_batch

    def appending(store: ox.Store, quads: list[ox.Quad]) -> None:
        real(store, quads)
        with path.open("ab") as handle:
            handle.write(b"p-new,Appended,2020-01-01,\n")

    monkeypatch.setattr(importing, "_write_batch", appending)
    with pytest.raises(
        ImportFileError,
        match=r"^partners\.csv: the file changed while it was being imported: import it again$",
    ):
        import_csv(path, mapping, home=writable_home)
    assert state(writable_home) == before


def test_what_a_killed_import_left_is_replaced_by_the_next_import(
    writable_home: Path, mapping: Path, tmp_path: Path
) -> None:
    """A graph without provenance (a killed process) is not 'already imported'."""
    path = _csv(tmp_path, 5)
    graph = ox.NamedNode(GRAPH + "import-" + hashlib.sha256(path.read_bytes()).hexdigest()[:16])
    stray = (ox.NamedNode("https://example.org/stray"), ox.NamedNode("https://example.org/p"))
    store = ox.Store(str(current_build(writable_home).store))
    store.extend([ox.Quad(*stray, ox.Literal("x"), graph), ox.Quad(*stray, ox.Literal("x"))])
    store.flush()
    del store

    report = import_csv(path, mapping, home=writable_home)

    assert report.write is not None and report.write.changed
    assert report.write.graph == graph.value and report.write.quads == 20
    store = open_store(writable_home)
    assert not list(store.quads_for_pattern(stray[0], None, None))
    assert count(writable_home, graph.value) == 20


def _without_time(quads: set[ox.Quad]) -> set[ox.Quad]:
    when = ox.NamedNode(W3["prov"] + "generatedAtTime")
    return {q for q in quads if q.predicate != when}


def test_csv_reimport_changes_nothing_and_a_new_version_replaces_it_whole(
    writable_home: Path,
    mapping: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "partners.csv"
    path.write_text(GOOD, encoding="utf-8")
    argv = ["--store", str(writable_home), "import", "csv", str(path), "--mapping", str(mapping)]
    start = state(writable_home)
    code, out, _ = run(capsys, *argv)
    assert code == 0 and f"({GOOD_TRIPLES} triples, sha256 " in out
    first = state(writable_home)
    assert first[0] == start[0] + 2 * (GOOD_TRIPLES + PROVENANCE)

    code, out, _ = run(capsys, *argv)
    assert code == 0 and "nothing changed" in out
    assert state(writable_home) == first

    path.write_text(GOOD.replace("Partner One", "Partner Uno"), encoding="utf-8")
    code, out, _ = run(capsys, *argv)
    assert code == 0 and "Replaced the earlier import" in out
    second = state(writable_home)
    # The old graph is gone from the graph list, not left empty; counts are as before.
    assert len(second[1]) == len(first[1]) and second[0] == first[0]
    assert second[1] != first[1]
    labels = {
        q.object.value
        for q in second[2]
        if isinstance(q.object, ox.Literal) and q.predicate.value.endswith("#label")
    }
    assert "Partner Uno" in labels and "Partner One" not in labels


def test_batched_and_single_transaction_writes_store_the_same_quads(
    home: Path, mapping: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _csv(tmp_path, 100)
    one, many = tmp_path / "one", tmp_path / "many"
    shutil.copytree(home, one)
    shutil.copytree(home, many)
    single = import_csv(path, mapping, home=one)
    monkeypatch.setattr(importing, "BATCH_TRIPLES", 50)
    batched = import_csv(path, mapping, home=many)
    assert single.write == batched.write
    assert single.write is not None and single.write.quads == 400
    a, b = state(one), state(many)
    assert a[:2] == b[:2]
    assert _without_time(a[2]) == _without_time(b[2])


def _import_measured(home: Path, csv_path: Path, mapping: Path) -> tuple[str, float, int]:
    """Import through the real CLI in a fresh wrapper; return stdout, seconds, peak RSS KiB."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "took = time.perf_counter() - start\n"
        "sys.stdout.write(done.stdout + done.stderr)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(done.returncode, took, peak)\n"
    )
    argv = [str(MIIKG), "--store", str(home), "import", "csv", str(csv_path)]
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *argv, "--mapping", str(mapping)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    *lines, last = done.stdout.splitlines()
    code, took, peak = last.split()
    assert code == "0", done.stdout + done.stderr
    return "\n".join(lines), float(took), int(peak)


def _write_rows(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("id,name,founded\n")
        handle.writelines(
            f"r{i:07d},Organisation number {i},20{i % 25:02d}-0{i % 9 + 1}-1{i % 10}\n"
            for i in range(n)
        )


def test_a_million_row_csv_streams_with_bounded_memory(home: Path, tmp_path: Path) -> None:
    """1,000,000 rows, 2,000,000 triples, through `miikg import csv` in a subprocess.

    Measured on 2 cores: 100,000 rows in about 4 s at a peak RSS of about 205 MiB, and
    1,000,000 rows in about 34 s at about 240 MiB, where the importer that held the file,
    its rows and its triples peaked at 823 MiB and 7.9 GB (and took 151 s). The peak is
    the interpreter, pyoxigraph/RocksDB and one batch of 50,000 triples (100,000 quads in
    ``bulk_extend``); ten times the rows adds well under 100 MiB, where holding them would
    add gigabytes (a million ``ox.Triple`` objects alone take hundreds of MB).
    """
    mapping = tmp_path / "rows.mapping.yaml"
    mapping.write_text(
        'subject: {column: id, template: "https://example.org/row/{value}"}\n'
        "columns:\n"
        "  name: {property: rdfs:label, language: en}\n"
        "  founded: {property: schema:foundingDate, datatype: xsd:date}\n",
        encoding="utf-8",
    )
    peaks: dict[int, int] = {}
    for rows in (100_000, 1_000_000):
        target = tmp_path / f"home-{rows}"
        shutil.copytree(home, target)
        default_before, meta_before = count(target, None), count(target, META.value)
        graphs_before = graphs(target)
        csv_path = tmp_path / f"rows-{rows}.csv"
        _write_rows(csv_path, rows)
        sha = hashlib.sha256(csv_path.read_bytes()).hexdigest()
        graph = f"{GRAPH}import-{sha[:16]}"

        out, took, peaks[rows] = _import_measured(target, csv_path, mapping)

        print(f"{rows} rows: {took:.1f} s, peak RSS {peaks[rows] / 1024:.0f} MiB")
        triples = 2 * rows
        assert out.splitlines()[0].endswith(
            f"into <{graph}> ({triples} triples, sha256 {sha[:16]})."
        )
        assert count(target, graph) == triples
        assert count(target, None) == default_before + triples + PROVENANCE
        assert count(target, META.value) == meta_before + PROVENANCE
        assert graphs(target) == sorted([*graphs_before, graph])
        csv_path.unlink()
        shutil.rmtree(target)
    mib = 1024
    assert peaks[1_000_000] < 400 * mib
    assert peaks[1_000_000] < peaks[100_000] + 100 * mib
