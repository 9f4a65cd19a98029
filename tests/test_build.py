"""Builds are deterministic, complete, swapped in atomically, and found by later commands."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from miikg import api
from miikg.cli import main
from miikg.errors import StoreNotFoundError
from miikg.graph_builder.build import build_quads
from miikg.graph_builder.load import load_data
from miikg.graph_builder.store import current_build


def test_same_input_gives_byte_identical_nquads(built: api.BuildResult, tmp_path: Path) -> None:
    again = api.build(out=tmp_path / "again")
    assert again.paths.nquads.read_bytes() == built.paths.nquads.read_bytes()
    assert again.paths.trig.read_bytes() == built.paths.trig.read_bytes()


def test_build_writes_store_dumps_and_summary(built: api.BuildResult) -> None:
    lines = built.paths.nquads.read_bytes().splitlines()
    assert len(lines) == built.summary.quads
    assert len(set(lines)) == len(lines)
    dataset = ox.Store()
    dataset.load(path=str(built.paths.trig), format=ox.RdfFormat.TRIG)
    assert len(dataset) == built.summary.quads
    summary = json.loads(built.paths.summary.read_text(encoding="utf-8"))
    assert summary["quads"] == built.summary.quads
    # The paper's nine DoD institutes and the nine of DOE and Commerce (see test_network_data).
    assert summary["per_class"]["miikg:Institute"] == 18
    quads = build_quads(load_data())
    assert built.summary.triples == len({q.triple for q in quads})
    named = [q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)]
    assert built.summary.claims == sum(
        1 for q in named if not q.graph_name.value.endswith(("/graph/meta", "/graph/ontology"))
    )


def test_no_blank_nodes_in_built_data() -> None:
    quads = build_quads(load_data())
    assert not [
        q
        for q in quads
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)
    ]


def test_every_claim_graph_is_a_known_source(store: ox.Store) -> None:
    graphs = {g.value for g in store.named_graphs()}
    sources = load_data().sources
    expected = {f"https://w3id.org/miikg/graph/{s}" for s in sources}
    assert (
        graphs - {"https://w3id.org/miikg/graph/meta", "https://w3id.org/miikg/graph/ontology"}
        <= expected
    )


def test_later_commands_find_the_build_without_flags(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("MIIKG_HOME", str(tmp_path / "default"))
    assert main(["build"]) == 0
    out = capsys.readouterr().out
    assert "miikg:Institute" in out
    assert main(["stats"]) == 0
    assert "miikg:Institute" in capsys.readouterr().out
    assert current_build().root.parent == tmp_path / "default" / "builds"


def test_a_command_before_any_build_says_how_to_build(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(StoreNotFoundError, match="miikg build"):
        api.stats(store=tmp_path / "empty")
    code = main(["--store", str(tmp_path / "empty"), "describe", "mxd"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert len(err) == 1
    assert f"run `miikg build --out {tmp_path / 'empty'}` first" in err[0]


def test_a_new_build_replaces_the_old_and_keeps_one_previous(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = api.build(out=home)
    second = api.build(out=home)
    third = api.build(out=home)
    kept = sorted(p.name for p in (home / "builds").iterdir())
    assert kept == sorted([second.paths.root.name, third.paths.root.name])
    assert first.paths.root.name not in kept
    assert current_build(home).root == third.paths.root


def test_default_graph_is_the_merge_each_triple_once(store: ox.Store) -> None:
    founded = ox.NamedNode("https://schema.org/foundingDate")
    institutes = {
        q.subject
        for q in store.quads_for_pattern(None, founded, None)
        if q.subject.value.startswith("https://w3id.org/miikg/id/institute/")
    }
    in_default = [
        q
        for q in store.quads_for_pattern(None, founded, None, ox.DefaultGraph())
        if q.subject in institutes
    ]
    in_all = [q for q in store.quads_for_pattern(None, founded, None) if q.subject in institutes]
    # One triple per (institute, date): the DoD nine one each; the network's institutes one
    # per date their sources give (NIIMBL 2016-12 and 2017, REMADE 2017-01 and 2017-05).
    assert len(in_default) == 20
    # Most founding dates are stated by several sources: each claim is kept.
    assert len(in_all) > 2 * len(in_default)
