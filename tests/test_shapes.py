"""Each SHACL fixture trips exactly the shape it targets; the curated data trips none."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Records, edit, record
from miikg import api
from miikg.cli import main
from miikg.errors import ValidationFailedError
from miikg.graph_builder.build import build_quads
from miikg.graph_builder.iris import entity_iri
from miikg.graph_builder.load import load_data
from miikg.graph_builder.validate import validate_quads


def test_curated_data_conforms(built: api.BuildResult) -> None:
    assert built.report.conforms
    assert built.report.findings == []


def _without(record_id: str, key: str) -> Callable[[Records], None]:
    def change(records: Records) -> None:
        del record(records, record_id)[key]

    return change


def _with(record_id: str, **values: object) -> Callable[[Records], None]:
    def change(records: Records) -> None:
        record(records, record_id).update(values)

    return change


def _unmark_translation(record_id: str, source: str) -> Callable[[Records], None]:
    def change(records: Records) -> None:
        found = record(records, record_id)
        zh = found.pop("translated_label")[0]["value"]["zh"]
        found["label"] = [{"value": {**found["label"][0]["value"], "zh": zh}, "sources": [source]}]

    return change


# (case, file, change, the one shape expected to trip, its focus record)
CASES = [
    (
        "institute-without-founding-date",
        "institutes.yaml",
        _without("america-makes", "founded"),
        "mshape:InstituteFounded",
        "america-makes",
    ),
    (
        "institute-without-state",
        "institutes.yaml",
        _without("lift", "state"),
        "mshape:InstituteState",
        "lift",
    ),
    (
        "institute-without-organizer",
        "institutes.yaml",
        _without("arm", "organizer"),
        "mshape:InstituteOrganizer",
        "arm",
    ),
    (
        "institute-without-mission",
        "institutes.yaml",
        _without("biomade", "mission"),
        "mshape:InstituteMission",
        "biomade",
    ),
    (
        # The paper states no mission for the network's institutes: not needed of them.
        "dod-institute-mission-only",
        "institutes.yaml",
        _without("lift", "mission"),
        "mshape:InstituteMission",
        "lift",
    ),
    (
        # A translated Chinese name passed off as one an English source gives.
        "network-institute-chinese-label-unmarked",
        "institutes.network.yaml",
        _unmark_translation("niimbl", "src-udel-niimbl-2016"),
        "mshape:TranslatedName",
        "niimbl",
    ),
    (
        # A second Chinese label beside the marked translation, claimed by an English page.
        "network-institute-second-chinese-label",
        "institutes.network.yaml",
        _with(
            "cymanii",
            label=[
                {
                    "value": {"en": "CyManII", "zh": "网络安全制造创新研究院"},
                    "sources": ["src-executivegov-cymanii"],
                }
            ],
        ),
        "mshape:TranslatedName",
        "cymanii",
    ),
    (
        "label-without-chinese",
        "institutes.yaml",
        _with("nextflex", label={"en": "NextFlex"}),
        "mshape:LabelZh",
        "nextflex",
    ),
    (
        "label-without-english",
        "places.yaml",
        _with("ohio", label={"zh": "俄亥俄州"}),
        "mshape:LabelEn",
        "ohio",
    ),
    ("mrl-above-ten", "levels.yaml", _with("mrl-10", level=11), "mshape:MRLLevel", "mrl-10"),
    ("mrl-below-one", "levels.yaml", _with("mrl-1", level=0), "mshape:MRLLevel", "mrl-1"),
    (
        "concept-without-chinese-definition",
        "concepts.yaml",
        _with("goal-3", definition={"en": "Maintain an optimal program design"}),
        "mshape:DefinitionZh",
        "goal-3",
    ),
    (
        "stage-range-inverted",
        "stages.yaml",
        _with("stage-maturation", min_mrl=8, max_mrl=5),
        "mshape:StageRange",
        "stage-maturation",
    ),
]


@pytest.mark.parametrize(
    ("case", "file", "change", "shape", "focus"), CASES, ids=[c[0] for c in CASES]
)
def test_fixture_trips_exactly_its_shape(
    data_copy: Path,
    case: str,
    file: str,
    change: Callable[[Records], None],
    shape: str,
    focus: str,
) -> None:
    edit(data_copy, file, change)
    report = api.validate(data_copy)
    assert not report.conforms
    assert {(f.shape, f.focus_id) for f in report.findings} == {(shape, focus)}
    finding = report.findings[0]
    assert set(finding.message) == {"en", "zh"}


def test_a_chinese_name_a_chinese_source_gives_needs_no_mark(data_copy: Path) -> None:
    # PowerAmerica's name as the Chinese mirror site writes it, as its label: sourced, so
    # the translation shape has nothing to say.
    def change(records: Records) -> None:
        found = record(records, "poweramerica")
        del found["translated_label"]
        found["label"].append(
            {
                "value": {"zh": "下一代電力電子技術國家制造業創新研究所"},
                "sources": ["src-zh-poweramerica-u63"],
            }
        )

    edit(data_copy, "institutes.network.yaml", change)
    report = api.validate(data_copy)
    assert report.conforms, report.text()


def test_institute_without_source_trips_its_shape() -> None:
    # The loader insists on sources, so this shape guards RDF edited by other means.
    subject = entity_iri("institute", "mxd")
    quads = [
        q
        for q in build_quads(load_data())
        if not (q.subject.value == subject and q.predicate.value.endswith("/source"))
    ]
    report = validate_quads(quads)
    assert {(f.shape, f.focus_id) for f in report.findings} == {("mshape:InstituteSource", "mxd")}


def test_validate_command_prints_report_in_chinese_and_fails(
    data_copy: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    edit(data_copy, "institutes.yaml", _without("affoa", "state"))
    code = main(["--lang", "zh", "validate", "--data", str(data_copy)])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines() == [
        "1 处 SHACL 违规",
        "违规：affoa [miikg:state]：制造创新所须注明所在州（state）",
    ]


def test_build_refuses_a_graph_that_breaks_a_shape(data_copy: Path, tmp_path: Path) -> None:
    edit(data_copy, "levels.yaml", _with("mrl-5", level=12))
    with pytest.raises(ValidationFailedError, match="mrl-5"):
        api.build(data_copy, out=tmp_path / "home")
    assert not (tmp_path / "home" / "CURRENT").exists()
