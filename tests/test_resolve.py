"""The one forgiving lookup: what a person types, in en or zh, → the entity meant."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from miikg import api
from miikg.cli import main
from miikg.errors import NotFoundError
from miikg.name_index import NameIndex
from miikg.ontology.namespaces import ID
from miikg.resolve import NameLookup, resolve, suggest

# (what a person types, the entity it must find)
FOUND = [
    # ids, IRIs, CURIEs
    ("america-makes", "institute/america-makes"),
    ("mid:institute/lift", "institute/lift"),
    ("https://w3id.org/miikg/id/institute/arm", "institute/arm"),
    # names, short and former names, in en and zh
    ("America Makes", "institute/america-makes"),
    ("美国增材制造创新所", "institute/america-makes"),
    ("NAMII", "institute/america-makes"),
    ("MxD", "institute/mxd"),
    ("DMDII", "institute/mxd"),
    ("数字制造和设计创新所", "institute/mxd"),
    ("LM3I", "institute/lift"),
    ("lightweight innovations for tomorrow", "institute/lift"),
    ("aim photonics", "institute/aim-photonics"),
    ("FHE MII", "institute/nextflex"),
    ("ATB-MII", "institute/biofabusa"),
    ("UI Labs", "organization/ui-labs"),
    ("RF SUNY", "organization/rf-suny"),
    ("美国国防部", "organization/dod"),
    ("美国陆军", "organization/army"),
    ("建立阶段", "concept/phase-establishment"),
    ("DoD customer model", "concept/funding-model-dod-customer"),
    # acronyms and notations, from the graph (skos:notation, short names)
    ("TIA", "concept/instrument-tia"),
    ("CA", "concept/instrument-ca"),
    ("OTA", "concept/instrument-ota"),
    ("MRL 4", "concept/mrl-4"),
    ("mrl 7", "concept/mrl-7"),
    ("JDMTP", "organization/jdmtp"),
    ("AFRL", "organization/afrl"),
    ("OSD ManTech", "organization/osd-mantech"),
    # the parts of a name: without its acronym, the acronym alone, without 美国
    ("technology investment agreement", "concept/instrument-tia"),
    ("Cooperative agreement", "concept/instrument-ca"),
    ("Carnegie Mellon University", "organization/cmu"),
    ("Joint Defense Manufacturing Technology Panel", "organization/jdmtp"),
    ("Air Force Research Laboratory", "organization/afrl"),
    ("联合制造技术委员会", "organization/jdmtp"),
    ("国防部", "organization/dod"),
    # traditional script, full width, case
    ("數字製造和設計創新所", "institute/mxd"),
    ("明日輕量化製造創新所", "institute/lift"),
    ("美國集成光子學製造創新所", "institute/aim-photonics"),
    ("先進再生製造創新所", "institute/biofabusa"),
    ("合作協議", "concept/instrument-ca"),
    ("技術投資協議", "concept/instrument-tia"),
    ("卡耐基梅隆大學", "organization/cmu"),
    ("美國聯合製造技術委員會", "organization/jdmtp"),
    ("海軍研究辦公室", "organization/onr"),
    ("ＭｘＤ", "institute/mxd"),
    ("BIOMADE", "institute/biomade"),
    # typos: a clear winner is taken
    ("Amerca Makes", "institute/america-makes"),
    ("NextFlx", "institute/nextflex"),
    ("Nxtflex", "institute/nextflex"),
    ("Bio MADE", "institute/biomade"),
]
# (what a person types, the entity "did you mean" must offer first)
SUGGESTED = [
    ("ARM Institute", "institute/arm"),
    ("Biomade institute", "institute/biomade"),
    ("Advanced Robotics Manufacturing", "institute/arm"),
    ("America Makes Institute", "institute/america-makes"),
    ("AIM", "institute/aim-photonics"),
]
# (what a person types, the entities it names equally)
AMBIGUOUS = [
    ("Advanced Functional Fabrics of America", {"institute/affoa", "organization/affoa-nonprofit"}),
]


@pytest.fixture(params=["every name", "name index"])
def lookup(request: pytest.FixtureRequest, built: api.BuildResult, store: ox.Store) -> object:
    """Each case both ways: reading every name from the store, and the build's name index."""
    if request.param == "every name":
        return None
    index: NameLookup | None = NameIndex.open(built.paths.root, store)
    assert index is not None
    return index


def test_the_table_has_at_least_40_cases_in_both_languages() -> None:
    cases = [text for text, _ in FOUND + SUGGESTED] + [text for text, _ in AMBIGUOUS]
    assert len(cases) >= 40
    chinese = [t for t in cases if any("\u4e00" <= c <= "\u9fff" for c in t)]
    assert len(chinese) >= 15


@pytest.mark.parametrize(("text", "entity"), FOUND, ids=[t for t, _ in FOUND])
def test_a_name_finds_its_entity(store: ox.Store, lookup: Any, text: str, entity: str) -> None:
    assert resolve(store, text, index=lookup).entity == ID + entity


@pytest.mark.parametrize(("text", "entity"), SUGGESTED, ids=[t for t, _ in SUGGESTED])
def test_a_near_miss_offers_the_entity_first(
    store: ox.Store, lookup: Any, text: str, entity: str
) -> None:
    with pytest.raises(NotFoundError) as caught:
        resolve(store, text, index=lookup)
    assert not caught.value.ambiguous
    assert caught.value.candidates[0] == ID + entity
    assert "did you mean" in str(caught.value) and "您是否要找" in caught.value.text("zh")


@pytest.mark.parametrize(("text", "entities"), AMBIGUOUS, ids=[t for t, _ in AMBIGUOUS])
def test_an_ambiguous_name_lists_its_candidates(
    store: ox.Store, lookup: Any, text: str, entities: set[str]
) -> None:
    with pytest.raises(NotFoundError) as caught:
        resolve(store, text, index=lookup)
    assert caught.value.ambiguous
    assert set(caught.value.candidates) == {ID + e for e in entities}
    for entity in entities:
        assert f"<mid:{entity}>" in str(caught.value)


def test_nothing_close_is_nothing(store: ox.Store, lookup: Any) -> None:
    with pytest.raises(NotFoundError, match="nothing matches 'qqqzzz'") as caught:
        resolve(store, "qqqzzz", index=lookup)
    assert caught.value.candidates == ()


def test_only_the_given_class_counts(store: ox.Store, lookup: Any) -> None:
    scheme = "http://www.w3.org/2004/02/skos/core#ConceptScheme"
    found = resolve(store, "instrument", classes=[scheme], index=lookup)
    assert found.entity == ID + "scheme/contract-instruments"
    assert found.how == "fuzzy"


def test_misspelt_names_of_queries_get_a_suggestion() -> None:
    assert suggest("institues", ["institutes", "stages", "phases"]) == ["institutes"]


def test_query_parameters_and_network_path_use_the_resolver(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--store", str(home), "query", "scheme-concepts", "-p", "scheme=instrument"])
    out = capsys.readouterr().out
    assert code == 0 and "Technology investment agreement (TIA)" in out
    code = main(
        [
            "--store",
            str(home),
            "network",
            "path",
            "Joint Defense Manufacturing Technology Panel",
            "生物制造和设计创新所",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "Joint Defense Manufacturing Technology Panel" in out
    code = main(["--store", str(home), "query", "connections", "-p", "a=TIA", "-p", "b=CA"])
    assert code == 0


def test_hit_rate_of_the_table(store: ox.Store, lookup: Any) -> None:
    """All FOUND cases are found outright and every near miss offers the right entity."""
    found = sum(resolve(store, text, index=lookup).entity == ID + entity for text, entity in FOUND)
    assert found == len(FOUND) == 50


def test_the_id_segments_are_those_of_the_models() -> None:
    from miikg.graph_builder.models import KINDS
    from miikg.resolve import SEGMENTS

    assert set(SEGMENTS) == {model.segment for model in KINDS.values()}
