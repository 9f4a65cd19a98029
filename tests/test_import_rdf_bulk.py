"""``import rdf`` of a file without blank nodes: bulk-loaded into two graphs, or not at all."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from miikg.errors import MiikgError
from miikg.graph_builder.store import open_store
from miikg.linking import generic
from miikg.linking.generic import import_rdf

ID = "https://w3id.org/miikg/id/"
GRAPH = "https://w3id.org/miikg/graph/"
PROV = "http://www.w3.org/ns/prov#"
TRIPLES = [
    f"<https://example.org/org/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "
    f'"Partner {i}"@en .\n'
    f"<https://example.org/org/{i}> <http://www.w3.org/ns/org#memberOf> <{ID}institute/mxd> .\n"
    for i in range(500)
]


@pytest.fixture
def target(home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    return copy


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_every_triple_lands_in_its_graph_and_the_merge_with_provenance(
    target: Path, tmp_path: Path
) -> None:
    data = _write(tmp_path, "partners.nt", TRIPLES)
    before = set(open_store(target))
    result = import_rdf(data, home=target)

    sha = hashlib.sha256(data.read_bytes()).hexdigest()
    assert result.changed and result.quads == 1000 and result.replaced == ()
    assert result.graph == f"{GRAPH}import-{sha[:16]}"
    store = open_store(target)
    graph = ox.NamedNode(result.graph)
    parsed = {q.triple for q in ox.parse(path=data, format=ox.RdfFormat.N_TRIPLES)}
    assert {q.triple for q in store.quads_for_pattern(None, None, None, graph)} == parsed
    merged = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert parsed <= merged
    meta = ox.NamedNode(GRAPH + "meta")
    derived = [
        q.object
        for q in store.quads_for_pattern(graph, ox.NamedNode(PROV + "wasDerivedFrom"), None, meta)
    ]
    assert derived == [ox.NamedNode(f"{ID}import-file/sha256-{sha}")]
    added = set(store) - before
    # 1000 in the import graph, 1000 in the merge, 10 provenance quads in meta and merge
    assert len(added) == 2000 + 20

    again = import_rdf(data, home=target)
    assert not again.changed and set(open_store(target)) == set(store)


def test_a_newer_file_of_the_same_name_replaces_the_older_import(
    target: Path, tmp_path: Path
) -> None:
    first = import_rdf(_write(tmp_path, "partners.nt", TRIPLES[:10]), home=target)
    second = import_rdf(_write(tmp_path, "partners.nt", TRIPLES[5:20]), home=target)
    assert second.replaced == (first.graph,)
    store = open_store(target)
    subjects = {
        q.subject.value
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        if "example.org/org/" in q.subject.value
    }
    assert subjects == {f"https://example.org/org/{i}" for i in range(5, 20)}
    assert not any(store.quads_for_pattern(None, None, None, ox.NamedNode(first.graph)))


def test_a_failed_load_is_taken_out_of_both_graphs(
    target: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _write(tmp_path, "partners.nt", TRIPLES)
    before = set(open_store(target))

    def half_then_fail(store: ox.Store, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode) -> None:
        store.bulk_load(path=path, format=fmt, to_graph=graph)
        store.bulk_load(input=b"".join(t.encode() for t in TRIPLES[:100]), format=fmt)
        raise MiikgError("partners.nt: the import failed and was undone: disk full")

    monkeypatch.setattr(generic, "_load_twice", half_then_fail)
    with pytest.raises(MiikgError, match="disk full"):
        import_rdf(data, home=target)
    assert set(open_store(target)) == before
    monkeypatch.undo()
    assert import_rdf(data, home=target).changed


def test_a_syntax_error_anywhere_imports_nothing(target: Path, tmp_path: Path) -> None:
    lines = [*TRIPLES, '<https://example.org/org/x> <http://example.org/p> "open\n']
    before = set(open_store(target))
    with pytest.raises(MiikgError, match=r"^partners\.nt: not valid N-Triples: .*line 1001"):
        import_rdf(_write(tmp_path, "partners.nt", lines), home=target)
    assert set(open_store(target)) == before


def test_a_dataset_becomes_one_graph_and_repeated_triples_count_once(
    target: Path, tmp_path: Path
) -> None:
    quads = [
        line.replace(" .\n", f" <https://example.org/g/{n % 3}> .\n")
        for n, line in enumerate(TRIPLES[:10])
    ]
    data = _write(tmp_path, "partners.nq", quads + quads[:4])
    result = import_rdf(data, home=target)
    assert result.changed and result.quads == 20
    store = open_store(target)
    graphs = {q.graph_name.value for q in store if "example.org/g/" in str(q.graph_name)}
    assert graphs == set()
    assert (
        sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(result.graph))) == 20
    )

    repeated = _write(tmp_path, "twice.nt", TRIPLES[:10] + TRIPLES[:10])
    assert import_rdf(repeated, home=target).quads == 20
