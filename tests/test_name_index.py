"""The name index and the counts kept beside the store: built, kept in step, undone, replaced.

The index must find exactly what reading every name finds (same keys, same entities); an
import adds its names and counts, a newer file of the same name replaces them, and an
import that fails or is killed leaves none behind.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from miikg import api
from miikg.errors import MiikgError, NotFoundError
from miikg.graph_builder.store import completed_imports, current_build, open_build, open_store
from miikg.linking import generic
from miikg.linking.generic import import_rdf
from miikg.name_index import NameIndex, import_counts
from miikg.report import ImportCounts
from miikg.resolve import ID_KEY, NAME_KEY, PART_KEY, fold, fold_all, gather_names, name_rows

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from generate import generate

ID = "https://w3id.org/miikg/id/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SCHEMA = "https://schema.org/"
MIIKG = "https://w3id.org/miikg/ontology/"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _widgets(name: str, short: str, zh: str) -> str:
    """An institute, two members and an agreement, named in en and zh (N-Triples)."""
    s = f"<{ID}test/institute/widgets>"
    return "".join(
        [
            f"{s} <{TYPE}> <{MIIKG}Institute> .\n",
            f'{s} <{RDFS}label> "{name}"@en .\n',
            f'{s} <{RDFS}label> "{zh}"@zh .\n',
            f'{s} <{SCHEMA}alternateName> "{short}"@en .\n',
            f"<{ID}test/organization/a> <{TYPE}> <{MIIKG}Organization> .\n",
            f'<{ID}test/organization/a> <{RDFS}label> "Acme Fabrication Works (AFW)"@en .\n',
            f"<{ID}test/organization/b> <{TYPE}> <{MIIKG}Organization> .\n",
            f'<{ID}test/organization/b> <{RDFS}label> "Bolt Foundry"@en .\n',
            f"<{ID}test/agreement/1> <{TYPE}> <{MIIKG}Agreement> .\n",
        ]
    )


@pytest.fixture
def target(home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(home, copy)
    return copy


def _folders(home: Path) -> list[str]:
    imports = current_build(home).imports
    return sorted(p.name for p in imports.iterdir()) if imports.is_dir() else []


def test_fold_all_folds_each_text_as_fold_does(store: ox.Store) -> None:
    texts = [n.text for n in gather_names(store)]
    texts += ["  ＭｘＤ ", "a\nb", "美 国\t国防部", "Ａ　Ｂ", "x\u2028y", "İstanbul", "“quoted”"]
    texts += ["", " ", "\n", "數字製造 和 設計", "A\r\nB", "\x0bvt\x0c", "Ⅻ", "㍻", "ΣΑΣ"]
    assert len(texts) > 1200
    assert fold_all(texts) == [fold(t) for t in texts]


def test_the_index_holds_the_keys_reading_every_name_gives(
    built: api.BuildResult, store: ox.Store
) -> None:
    index = NameIndex.open(built.paths.root, store)
    assert index is not None and built.paths.names.is_file()
    rows = name_rows(gather_names(store))
    assert {kind for _, kind, _ in rows} == {ID_KEY, NAME_KEY, PART_KEY}
    expected: dict[str, set[tuple[int, str]]] = {}
    for key, kind, entity in rows:
        expected.setdefault(key, set()).add((kind, entity))
    assert len(expected) > 2000
    for key, found in expected.items():
        assert {(kind, entity) for _, kind, entity in index.find(key)} == found, key
    assert index.find(fold("no such name anywhere")) == []


def test_an_import_adds_its_names_and_counts(target: Path, tmp_path: Path) -> None:
    data = tmp_path / "widgets.nt"
    data.write_text(_widgets("Quantum Widget Institute", "QWI", "量子器件创新所"), "utf-8")
    before = api.stats(store=target)
    result = import_rdf(data, home=target)

    build = current_build(target)
    folder = build.imports / result.graph.rsplit("/", 1)[-1]
    assert (folder / "names.sqlite").is_file() and (folder / "summary.json").is_file()
    assert _folders(target) == [folder.name]
    for text in ("QWI", "qwi", "Quantum Widget Institute", "量子器件创新所", "量子器件創新所"):
        (found,) = api.describe(text, store=target)
        assert found.entity == ID + "test/institute/widgets", text
    (part,) = api.describe("AFW", store=target)  # a part of a name, from the index
    assert part.entity == ID + "test/organization/a" and part.how == "part"
    (close,) = api.describe("Quantum Widgit Institute", store=target)
    assert close.entity == ID + "test/institute/widgets" and close.how == "fuzzy"
    rows = api.query("entity-facts", store=target, entity="Bolt Foundry")
    assert {r.text("value") for r in rows if r.text("direction") == "out"} >= {"Bolt Foundry"}

    after = api.stats(store=target)
    assert before.imports == () and len(after.imports) == 1
    counts = after.imports[0]
    assert counts == ImportCounts(
        result.graph, "widgets.nt", "rdf", 9, 4,
        {"miikg:Institute": 1, "miikg:Organization": 2, "miikg:Agreement": 1}, 3, 3, 1,
    )  # fmt: skip
    text = after.text("en")
    assert "imported files: 1, 9 triples in their own graphs" in text
    assert f"entities, with the imports: {before.entities + 4}" in text
    assert "导入的文件：1 个" in after.text("zh")


def test_a_newer_file_replaces_the_names_and_counts_of_the_older(
    target: Path, tmp_path: Path
) -> None:
    data = tmp_path / "widgets.nt"
    data.write_text(_widgets("Quantum Widget Institute", "QWI", "量子器件创新所"), "utf-8")
    first = import_rdf(data, home=target)
    data.write_text(_widgets("Photon Widget Institute", "PWI", "光子器件创新所"), "utf-8")
    second = import_rdf(data, home=target)

    assert second.replaced == (first.graph,)
    assert _folders(target) == [second.graph.rsplit("/", 1)[-1]]
    (found,) = api.describe("PWI", store=target)
    assert found.entity == ID + "test/institute/widgets"
    with pytest.raises(NotFoundError):
        api.describe("QWI", store=target)
    (counts,) = api.stats(store=target).imports
    assert counts.graph == second.graph and counts.triples == 9


def test_a_failed_import_leaves_no_names_and_no_counts(
    target: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "widgets.nt"
    data.write_text(_widgets("Quantum Widget Institute", "QWI", "量子器件创新所"), "utf-8")
    before = api.stats(store=target)

    def fail(store: ox.Store, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode) -> None:
        store.bulk_load(path=path, format=fmt, to_graph=graph)
        raise MiikgError("widgets.nt: the import failed and was undone: disk full")

    monkeypatch.setattr(generic, "_load_twice", fail)
    with pytest.raises(MiikgError, match="disk full"):
        import_rdf(data, home=target)
    assert _folders(target) == []
    assert api.stats(store=target) == before
    with pytest.raises(NotFoundError):
        api.describe("QWI", store=target)


def test_what_a_killed_import_left_is_ignored_then_swept(target: Path, tmp_path: Path) -> None:
    """A graph without provenance and its index folder: readers ignore both; the next
    import removes the folder."""
    data = tmp_path / "widgets.nt"
    data.write_text(_widgets("Quantum Widget Institute", "QWI", "量子器件创新所"), "utf-8")
    scratch = tmp_path / "scratch"
    shutil.copytree(target, scratch)
    done = import_rdf(data, home=scratch)
    folder = done.graph.rsplit("/", 1)[-1]
    # What a process killed after writing the graph and its index, before the provenance,
    # leaves: the graph's quads and the index folder, no provenance.
    store = ox.Store(str(current_build(target).store))
    graph = ox.NamedNode(done.graph)
    store.extend(q for q in open_store(scratch).quads_for_pattern(None, None, None, graph))
    store.flush()
    del store
    shutil.copytree(current_build(scratch).imports / folder, current_build(target).imports / folder)

    opened = open_build(target)
    assert completed_imports(opened.store) == []
    with pytest.raises(NotFoundError):
        api.describe("QWI", store=target)
    assert api.stats(store=target).imports == ()

    other = tmp_path / "other.nt"
    other.write_text(_widgets("Bolt Institute", "BI", "螺栓创新所"), "utf-8")
    kept = import_rdf(other, home=target)
    assert _folders(target) == [kept.graph.rsplit("/", 1)[-1]]


def test_counts_kept_are_the_counts_of_the_graph(target: Path, tmp_path: Path) -> None:
    """What the import counted as the triples streamed past is what its graph holds."""
    from miikg.name_index import _count_graph

    data = tmp_path / "bench-10k.nt"
    generate(10_000, data)
    result = import_rdf(data, home=target)
    opened = open_build(target)
    (kept,) = import_counts(opened.paths.root, opened.store)
    assert kept == _count_graph(opened.store, result.graph)
    assert kept.entities > 1000 and kept.per_class["miikg:Institute"] == 15
    assert kept.with_en == kept.with_zh == kept.labelled > 1000
