"""The SSSOM export, read back by the sssom library, and `import mappings` into a build."""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml

import miikg
from conftest import FIXTURES
from miikg.exports.mapping_commands import add_commands, import_group
from miikg.exports.mapping_import import MappingImportError, import_mappings
from miikg.exports.registry import export
from miikg.exports.sssom import COLUMNS, CURIE_MAP
from miikg.graph_builder.store import current_build, open_store
from miikg.ontology.namespaces import GRAPH, ID, PREFIXES

REVIEWED = FIXTURES / "mappings-reviewed.sssom.tsv"
SAME_AS = ox.NamedNode(PREFIXES["schema"] + "sameAs")
SKOS = PREFIXES["skos"]
WHEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def sssom_file(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export("sssom", open_store(home), tmp_path_factory.mktemp("sssom") / "m.sssom.tsv")


def _same_as_links(store: ox.Store) -> set[tuple[str, str]]:
    return {
        (q.subject.value, q.object.value)
        for q in store.quads_for_pattern(None, SAME_AS, None, ox.DefaultGraph())
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode)
    }


def test_the_sssom_library_reads_the_export(sssom_file: Path, store: ox.Store) -> None:
    from sssom.parsers import parse_sssom_table

    msdf = parse_sssom_table(sssom_file)
    assert msdf.metadata["mapping_set_version"] == miikg.__version__
    assert msdf.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert msdf.metadata["mapping_set_id"].startswith("https://w3id.org/miikg/")
    assert list(msdf.df.columns) == list(COLUMNS)
    expand = msdf.converter.expand
    links = {
        (expand(s), expand(o)) for s, o in zip(msdf.df.subject_id, msdf.df.object_id, strict=True)
    }
    assert links == _same_as_links(store)
    assert len(msdf.df) == len(links) == 14
    assert set(msdf.df.predicate_id) == {"skos:exactMatch"}
    assert set(msdf.df.mapping_justification) == {"semapv:ManualMappingCuration"}
    mit = msdf.df[msdf.df.object_id == "wikidata:Q49108"].iloc[0]
    assert mit.subject_id == "mid:organization/mit"
    assert mit.subject_label == "Massachusetts Institute of Technology (MIT)"
    assert mit.see_also == "mid:source/src-university-id-datasets"
    assert mit.comment.startswith("Wikidata QIDs and ROR IDs of MIT")
    ror = set(msdf.df[msdf.df.subject_id == "mid:organization/cmu"].object_id)
    assert ror == {"wikidata:Q190080", "ror:05x2bcf33"}


def test_the_metadata_block_and_columns_by_plain_parsing(sssom_file: Path) -> None:
    lines = sssom_file.read_text(encoding="utf-8").splitlines()
    head = [line[1:] for line in lines if line.startswith("#")]
    metadata = yaml.safe_load("\n".join(head))
    assert metadata["curie_map"] == CURIE_MAP
    assert metadata["mapping_set_version"] == miikg.__version__
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[len(head) :])), delimiter="\t"))
    assert tuple(rows[0]) == COLUMNS
    keys = [(r["subject_id"], r["object_id"]) for r in rows]
    assert keys == sorted(keys)


# --- import ------------------------------------------------------------------------------


@pytest.fixture
def writable(home: Path, tmp_path: Path) -> Path:
    """A copy of the session's build home that a test may write to."""
    target = tmp_path / "home"
    shutil.copytree(home, target)
    return target


def _quads(home: Path) -> set[ox.Quad]:
    return set(ox.Store.read_only(str(current_build(home).store)))


def test_import_adds_mappings_with_provenance(writable: Path) -> None:
    before = _quads(writable)
    done = import_mappings(REVIEWED, store=writable, when=WHEN)
    digest = hashlib.sha256(REVIEWED.read_bytes()).hexdigest()
    assert done.added and done.mappings == 2 and done.checksum == digest
    graph = ox.NamedNode(f"{GRAPH}import-{digest[:16]}")
    assert done.graph == graph.value
    added = _quads(writable) - before
    store = ox.Store()
    store.extend(added)
    mxd, wd = ox.NamedNode(ID + "institute/mxd"), ox.NamedNode("http://www.wikidata.org/entity/")
    close = ox.NamedNode(SKOS + "closeMatch")
    target = ox.NamedNode(wd.value + "Q900001")
    assert ox.Quad(mxd, close, target, graph) in store
    assert ox.Quad(mxd, close, target, ox.DefaultGraph()) in store
    justified = {
        (q.subject, q.object.value)
        for q in store.quads_for_pattern(
            None, ox.NamedNode("https://w3id.org/sssom/mapping_justification"), None, graph
        )
    }
    assert sorted(j for _, j in justified) == [
        "https://w3id.org/semapv/vocab/LexicalMatching",
        "https://w3id.org/semapv/vocab/ManualMappingCuration",
    ]
    meta = ox.NamedNode(GRAPH + "meta")
    file = ox.NamedNode(f"{ID}import-file/sha256-{digest}")
    title, identifier = (ox.NamedNode(PREFIXES["dcterms"] + p) for p in ("title", "identifier"))
    assert ox.Quad(graph, ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom"), file, meta) in store
    assert ox.Quad(file, title, ox.Literal(REVIEWED.name), meta) in store
    assert ox.Quad(file, identifier, ox.Literal(f"sha256:{digest}"), meta) in store
    xsd_datetime = ox.NamedNode(PREFIXES["xsd"] + "dateTime")
    stamp = ox.Literal("2026-01-02T03:04:05+00:00", datatype=xsd_datetime)
    generated = ox.NamedNode(PREFIXES["prov"] + "generatedAtTime")
    assert ox.Quad(graph, generated, stamp, meta) in store
    assert {q.graph_name for q in added} == {graph, meta, ox.DefaultGraph()}


def test_reimporting_the_same_file_changes_nothing(writable: Path) -> None:
    assert import_mappings(REVIEWED, store=writable, when=WHEN).added
    after_first = _quads(writable)
    again = import_mappings(REVIEWED, store=writable, when=datetime.now(timezone.utc))
    assert not again.added and again.mappings == 2
    assert _quads(writable) == after_first


def test_the_export_imports_back(writable: Path, sssom_file: Path) -> None:
    done = import_mappings(sssom_file, store=writable)
    assert done.added and done.mappings == 14
    store = ox.Store.read_only(str(current_build(writable).store))
    exact = ox.NamedNode(SKOS + "exactMatch")
    imported = {
        (q.subject.value, q.object.value)
        for q in store.quads_for_pattern(None, exact, None, ox.NamedNode(done.graph))
    }
    assert imported == _same_as_links(store)


BROKEN = {
    "missing column": (
        lambda t: t.replace("\tobject_id\t", "\tobject\t"),
        "bad.sssom.tsv: header (line 8), column 'object_id': missing column",
    ),
    "unknown subject": (
        lambda t: t.replace("mid:institute/mxd", "mid:institute/nowhere"),
        "bad.sssom.tsv: row 1 (line 9), column 'subject_id': unknown subject "
        "'mid:institute/nowhere'",
    ),
    "bad CURIE": (
        lambda t: t.replace("wikidata:Q49108", "wikidatum:Q49108"),
        "bad.sssom.tsv: row 2 (line 10), column 'object_id': bad CURIE 'wikidatum:Q49108' "
        "(prefixes: mid, wikidata, ror, skos, owl, semapv)",
    ),
    "unsupported predicate": (
        lambda t: t.replace("skos:closeMatch", "skos:broader"),
        "bad.sssom.tsv: row 1 (line 9), column 'predicate_id': unsupported mapping "
        "predicate 'skos:broader'",
    ),
    "justification": (
        lambda t: t.replace("semapv:LexicalMatching", "skos:exactMatch"),
        "bad.sssom.tsv: row 2 (line 10), column 'mapping_justification': the justification "
        "must be a semapv: term",
    ),
    "confidence": (
        lambda t: t.replace("\t0.95\t", "\thigh\t"),
        "bad.sssom.tsv: row 2 (line 10), column 'confidence': confidence 'high' is not a "
        "number from 0 to 1",
    ),
    "metadata": (
        lambda t: "#curie_map: [unclosed\n" + t,
        "bad.sssom.tsv: the metadata block is not YAML",
    ),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_file_names_file_row_and_column_and_imports_nothing(
    writable: Path, tmp_path: Path, case: str
) -> None:
    change, message = BROKEN[case]
    bad = tmp_path / "bad.sssom.tsv"
    text = REVIEWED.read_text(encoding="utf-8")
    assert change(text) != text
    bad.write_text(change(text), encoding="utf-8")
    before = _quads(writable)
    with pytest.raises(MappingImportError) as caught:
        import_mappings(bad, store=writable)
    assert str(caught.value).startswith(message)
    assert _quads(writable) == before


def test_import_is_a_command_group_others_can_extend() -> None:
    parser = argparse.ArgumentParser(prog="miikg")
    sub = parser.add_subparsers(dest="command")
    add_commands(sub)
    import_group(sub).add_parser("csv").add_argument("file")
    args = parser.parse_args(["import", "mappings", "m.sssom.tsv"])
    assert (args.command, args.import_kind, args.file) == (
        "import",
        "mappings",
        Path("m.sssom.tsv"),
    )
    assert parser.parse_args(["import", "csv", "x.csv"]).import_kind == "csv"
    with pytest.raises(SystemExit):
        parser.parse_args(["import"])


def test_the_command_imports_and_reports(
    writable: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser(prog="miikg")
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--lang", default="en")
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["--store", str(writable), "import", "mappings", str(REVIEWED)])
    assert args.func(args) == 0
    assert args.func(args) == 0
    first, second = capsys.readouterr().out.splitlines()
    graph = f"{GRAPH}import-{hashlib.sha256(REVIEWED.read_bytes()).hexdigest()[:16]}"
    assert first == f"Imported 2 mapping(s) from {REVIEWED} into {graph}"
    assert second == f"{REVIEWED} is already imported in {graph}: nothing changed"
