"""Importers: a USAspending award CSV into its own named graph, linked, with provenance."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from miikg import cli
from miikg.errors import ImportFileError
from miikg.graph_builder.store import current_build, open_store
from miikg.linking.generic import import_csv, import_rdf
from miikg.linking.usaspending import import_usaspending
from miikg.ontology.namespaces import GRAPH, ID, MIIKG, W3

FIXTURES = Path(__file__).parent / "fixtures" / "importing"
AWARDS = FIXTURES / "usaspending-awards.csv"
META = ox.NamedNode(GRAPH + "meta")
SCHEMA = W3["schema"]
UEIS = {
    "UEITESTA0001": ["institute/mxd"],
    "UEITESTDUP01": ["organization/ncdmm", "organization/ui-labs"],
}


@pytest.fixture
def writable_home(home: Path, tmp_path: Path) -> Path:
    """A copy of the built home whose store gives three entities a (made-up) UEI."""
    target = tmp_path / "home"
    shutil.copytree(home, target)
    store = ox.Store(str(current_build(target).store))
    identifier = ox.NamedNode(SCHEMA + "identifier")
    store.extend(
        ox.Quad(ox.NamedNode(ID + entity), identifier, ox.Literal(uei), ox.DefaultGraph())
        for uei, entities in UEIS.items()
        for entity in entities
    )
    store.flush()
    del store
    return target


def all_quads(home: Path) -> set[ox.Quad]:
    return set(open_store(home))


def objects(store: ox.Store, subject: str, predicate: str, graph: ox.NamedNode) -> set[str]:
    return {
        q.object.value
        for q in store.quads_for_pattern(
            ox.NamedNode(subject), ox.NamedNode(predicate), None, graph
        )
    }


def test_awards_link_by_award_number_uei_and_name_and_ambiguity_is_reported(
    writable_home: Path,
) -> None:
    report = import_usaspending(AWARDS, home=writable_home)
    status = {r.key: (r.match.status, r.match.entity) for r in report.rows}
    assert status == {
        "W911NF-17-3-0004": ("matched", ID + "institute/arm"),
        "TEST-AWARD-0001": ("matched", ID + "institute/mxd"),
        "TEST-AWARD-0002": ("matched", ID + "organization/ncdmm"),
        "TEST-AWARD-0003": ("ambiguous", None),
        "TEST-AWARD-0004": ("ambiguous", None),
        "TEST-AWARD-0005": ("unmatched", None),
        "TEST-AWARD-0006": ("matched", ID + "institute/america-makes"),
    }
    assert [r.match.candidates[0].method for r in report.with_status("matched")] == [
        "identifier", "identifier", "name", "name",
    ]  # fmt: skip
    assert report.write is not None and report.write.changed
    graph = ox.NamedNode(report.write.graph)
    assert graph.value == GRAPH + "import-" + report.sha256[:16]

    store = open_store(writable_home)
    arm = ID + "award/W911NF-17-3-0004"
    assert objects(store, arm, W3["rdf"] + "type", graph) == {SCHEMA + "MonetaryGrant"}
    assert objects(store, arm, MIIKG + "agreementFor", graph) == {ID + "institute/arm"}
    assert objects(store, arm, MIIKG + "awardee", graph) == {ID + "organization/american-robotics"}
    assert objects(store, arm, W3["skos"] + "exactMatch", graph) == {
        ID + "agreement/arm-award-2017"
    }
    assert objects(store, arm, SCHEMA + "amount", graph) == {"80000000"}
    assert objects(store, arm, SCHEMA + "startDate", graph) == {"2017-01-13"}
    assert objects(store, arm, MIIKG + "awardingSubAgencyName", graph) == {"Department of the Army"}
    ncdmm = ID + "award/TEST-AWARD-0002"
    assert objects(store, ncdmm, MIIKG + "awardee", graph) == {ID + "organization/ncdmm"}
    assert objects(store, ncdmm, SCHEMA + "amount", graph) == {"30000000"}
    for unlinked in ("TEST-AWARD-0003", "TEST-AWARD-0004", "TEST-AWARD-0005"):
        iri = ID + "award/" + unlinked
        assert objects(store, iri, MIIKG + "awardee", graph) == set()
        assert objects(store, iri, MIIKG + "agreementFor", graph) == set()
        assert objects(store, iri, SCHEMA + "identifier", graph) == {unlinked}
    # The default graph stays the merge of all graphs, so plain queries see the import.
    merged = store.quads_for_pattern(ox.NamedNode(arm), None, None, ox.DefaultGraph())
    assert {q.triple for q in merged} == {
        q.triple for q in store.quads_for_pattern(ox.NamedNode(arm), None, None, graph)
    }

    prov = W3["prov"]
    assert objects(store, graph.value, W3["rdf"] + "type", META) == {
        prov + "Bundle",
        prov + "Entity",
    }
    (file,) = objects(store, graph.value, prov + "wasDerivedFrom", META)
    assert objects(store, file, W3["dcterms"] + "title", META) == {"usaspending-awards.csv"}
    assert objects(store, file, W3["dcterms"] + "identifier", META) == {"sha256:" + report.sha256}
    (when,) = objects(store, graph.value, prov + "generatedAtTime", META)
    assert when[:2] == "20"


def test_reimporting_the_same_file_changes_nothing(writable_home: Path) -> None:
    first = import_usaspending(AWARDS, home=writable_home)
    before = all_quads(writable_home)
    again = import_usaspending(AWARDS, home=writable_home)
    assert again.write is not None and not again.write.changed
    assert again.write.graph == first.write.graph if first.write else False
    assert all_quads(writable_home) == before


def test_a_newer_file_of_the_same_name_replaces_its_graph(
    writable_home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "awards.csv"
    shutil.copy(AWARDS, path)
    old = import_usaspending(path, home=writable_home).write
    path.write_text(
        AWARDS.read_text(encoding="utf-8").replace("80000000.00", "90000000.00"), encoding="utf-8"
    )
    new = import_usaspending(path, home=writable_home).write
    assert old is not None and new is not None
    assert new.graph != old.graph
    assert new.replaced == (old.graph,)
    store = open_store(writable_home)
    assert not list(store.quads_for_pattern(None, None, None, ox.NamedNode(old.graph)))
    assert not list(store.quads_for_pattern(ox.NamedNode(old.graph), None, None, META))
    arm = ox.NamedNode(ID + "award/W911NF-17-3-0004")
    amounts = {
        q.object.value for q in store.quads_for_pattern(arm, ox.NamedNode(SCHEMA + "amount"), None)
    }
    assert amounts == {"90000000"}
    # The default graph stays the merge: the new claim is in it, the replaced one is gone.
    in_merge = {
        q.object.value
        for q in store.quads_for_pattern(
            arm, ox.NamedNode(SCHEMA + "amount"), None, ox.DefaultGraph()
        )
    }
    assert in_merge == {"90000000"}
    graphs = {q.graph_name for q in store.quads_for_pattern(None, None, None)}
    merged = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    named = {
        q.triple
        for g in graphs
        if isinstance(g, ox.NamedNode)
        for q in store.quads_for_pattern(None, None, None, g)
    }
    assert named - merged == set()


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        (
            "usaspending-missing-column.csv",
            "usaspending-missing-column.csv: row 1, column 'recipient_uei': missing required "
            "column(s) 'recipient_uei'",
        ),
        (
            "usaspending-latin1.csv",
            "usaspending-latin1.csv: row 2, column 'recipient_name': bytes b'\\xe9' are not UTF-8",
        ),
        (
            "usaspending-bad-amount.csv",
            "usaspending-bad-amount.csv: row 3, column 'total_obligated_amount': "
            "'lots' is not an amount",
        ),
    ],
)
def test_broken_files_name_file_row_and_column_and_import_nothing(
    writable_home: Path, fixture: str, message: str
) -> None:
    before = all_quads(writable_home)
    with pytest.raises(ImportFileError) as caught:
        import_usaspending(FIXTURES / fixture, home=writable_home)
    assert str(caught.value).startswith(message)
    assert all_quads(writable_home) == before


def test_a_repeated_award_or_a_bad_date_is_refused(writable_home: Path, tmp_path: Path) -> None:
    lines = AWARDS.read_text(encoding="utf-8").splitlines()
    repeated = tmp_path / "repeated.csv"
    repeated.write_text("\n".join([*lines[:3], lines[1]]) + "\n", encoding="utf-8")
    with pytest.raises(
        ImportFileError,
        match=r"row 4, column 'award_id_fain': "
        r"award 'W911NF-17-3-0004' appears again \(first in row 2\)",
    ):
        import_usaspending(repeated, home=writable_home)
    bad_date = tmp_path / "date.csv"
    bad_date.write_text(
        "\n".join([lines[0], lines[1].replace("2023-01-12", "2023-02-30")]) + "\n", encoding="utf-8"
    )
    with pytest.raises(
        ImportFileError, match=r"row 2, column 'period_of_performance_current_end_date'"
    ):
        import_usaspending(bad_date, home=writable_home)


def test_dry_run_writes_nothing(writable_home: Path) -> None:
    before = all_quads(writable_home)
    report = import_usaspending(AWARDS, home=writable_home, dry_run=True)
    assert report.write is None
    assert len(report.with_status("ambiguous")) == 2
    assert all_quads(writable_home) == before


def test_import_usaspending_command_reports_in_en_and_zh(
    writable_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--store", str(writable_home), "import", "usaspending", str(AWARDS)]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(
        "Imported 7 rows of usaspending-awards.csv into <https://w3id.org/miikg/graph/import-"
    )
    assert out[1] == "matched: 4, ambiguous: 2, unmatched: 1"
    assert cli.main(["--lang", "zh", *argv]) == 0
    zh = capsys.readouterr().out.splitlines()
    assert "已导入" in zh[0] and "没有任何变化" in zh[0]
    assert zh[1] == "已匹配：4，有歧义：2，未匹配：1"
    assert cli.main([*argv[:3], "usaspending", str(FIXTURES / "usaspending-latin1.csv")]) == 1
    assert "usaspending-latin1.csv: row 2, column 'recipient_name'" in capsys.readouterr().err


def test_csv_with_a_mapping_imports_typed_values_and_reconciled_links(writable_home: Path) -> None:
    report = import_csv(
        FIXTURES / "partners.csv", FIXTURES / "partners.mapping.yaml", home=writable_home
    )
    assert [(r.key, r.match.status) for r in report.rows] == [
        ("p-001", "matched"),
        ("p-002", "ambiguous"),
        ("p-003", "unmatched"),
    ]
    assert report.write is not None and report.write.changed
    graph = ox.NamedNode(report.write.graph)
    store = open_store(writable_home)
    one, two = "https://example.org/partner/p-001", "https://example.org/partner/p-002"
    assert objects(store, one, W3["rdf"] + "type", graph) == {SCHEMA + "Organization"}
    assert objects(store, one, W3["rdfs"] + "label", graph) == {"Example Partner One", "示例伙伴一"}
    assert objects(store, one, MIIKG + "organizer", graph) == {ID + "organization/ui-labs"}
    assert objects(store, one, SCHEMA + "url", graph) == {"https://example.org/one"}
    assert objects(store, two, MIIKG + "organizer", graph) == set()
    assert objects(store, two, SCHEMA + "url", graph) == set()
    (founded,) = store.quads_for_pattern(
        ox.NamedNode(one), ox.NamedNode(SCHEMA + "foundingDate"), None, graph
    )
    assert founded.object == ox.Literal("2015-03-01", datatype=ox.NamedNode(W3["xsd"] + "date"))


@pytest.mark.parametrize(
    ("csv_file", "mapping", "message"),
    [
        (
            "partners-bad-date.csv",
            "partners.mapping.yaml",
            "partners-bad-date.csv: row 3, column 'founded': '2018-13-20' is not an xsd:date",
        ),
        (
            "partners.csv",
            "bad.mapping.yaml",
            "bad.mapping.yaml: columns.name.kind: 'text' is not one of literal, iri, reconcile",
        ),
        (
            "usaspending-awards.csv",
            "partners.mapping.yaml",
            "usaspending-awards.csv: row 1, column 'id': missing required column(s) 'id'",
        ),
    ],
)
def test_a_broken_csv_or_mapping_imports_nothing(
    writable_home: Path, csv_file: str, mapping: str, message: str
) -> None:
    before = all_quads(writable_home)
    with pytest.raises(ImportFileError) as caught:
        import_csv(FIXTURES / csv_file, FIXTURES / mapping, home=writable_home)
    assert str(caught.value).startswith(message)
    assert all_quads(writable_home) == before


def test_rdf_file_goes_to_its_own_graph_with_blank_nodes_named(writable_home: Path) -> None:
    result = import_rdf(FIXTURES / "extra.ttl", home=writable_home)
    assert result.changed and result.quads == 7
    graph = ox.NamedNode(result.graph)
    store = open_store(writable_home)
    report = "https://example.org/report/1"
    assert objects(store, report, SCHEMA + "about", graph) == {ID + "institute/mxd"}
    (author,) = objects(store, report, SCHEMA + "author", graph)
    assert author == result.graph + "/node/1"
    assert objects(store, author, SCHEMA + "name", graph) == {"A. Author"}
    assert not any(
        isinstance(q.subject, ox.BlankNode)
        for q in store.quads_for_pattern(None, None, None, graph)
    )
    before = all_quads(writable_home)
    assert not import_rdf(FIXTURES / "extra.ttl", home=writable_home).changed
    assert all_quads(writable_home) == before


def test_truncated_rdf_names_the_position_and_imports_nothing(writable_home: Path) -> None:
    before = all_quads(writable_home)
    with pytest.raises(ImportFileError, match=r"^truncated\.ttl: not valid Turtle: .*line 6"):
        import_rdf(FIXTURES / "truncated.ttl", home=writable_home)
    assert all_quads(writable_home) == before


def test_import_csv_and_rdf_commands(
    writable_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = ["--store", str(writable_home), "import"]
    mapping = str(FIXTURES / "partners.mapping.yaml")
    assert cli.main([*store, "csv", str(FIXTURES / "partners.csv"), "--mapping", mapping]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Imported 3 rows of partners.csv into <")
    assert out[1] == "matched: 1, ambiguous: 1, unmatched: 1"
    assert cli.main(["--lang", "zh", *store, "rdf", str(FIXTURES / "extra.ttl")]) == 0
    assert capsys.readouterr().out.startswith("已将 extra.ttl 导入 <")
    assert cli.main([*store, "rdf", str(FIXTURES / "truncated.ttl")]) == 1
    assert "truncated.ttl: not valid Turtle" in capsys.readouterr().err


def test_import_csv_counts_rows_when_nothing_is_reconciled(
    writable_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mapping = tmp_path / "names.mapping.yaml"
    mapping.write_text(
        'subject: {column: id, template: "https://example.org/partner/{value}"}\n'
        "columns:\n  name: {property: rdfs:label, language: en}\n",
        encoding="utf-8",
    )
    store = ["--store", str(writable_home), "import"]
    assert cli.main([*store, "csv", str(FIXTURES / "partners.csv"), "--mapping", str(mapping)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Imported 3 rows of partners.csv into <")
    assert "(3 triples, sha256 " in out[0]
