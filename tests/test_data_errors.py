"""Each broken data file gets one clear error naming file, record and field; nothing is built."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Records, edit, record
from miikg import api
from miikg.cli import main
from miikg.errors import DataError
from miikg.graph_builder.load import load_data


def _set(record_id: str, key: str, value: object) -> Callable[[Records], None]:
    def change(records: Records) -> None:
        record(records, record_id)[key] = value

    return change


def _drop(record_id: str, key: str) -> Callable[[Records], None]:
    def change(records: Records) -> None:
        del record(records, record_id)[key]

    return change


def _duplicate(record_id: str) -> Callable[[Records], None]:
    def change(records: Records) -> None:
        records.append(dict(record(records, record_id)))

    return change


def _write(file: str, text: str) -> Callable[[Path], None]:
    def change(folder: Path) -> None:
        (folder / file).write_text(text, encoding="utf-8")

    return change


def _edit(file: str, change: Callable[[Records], None]) -> Callable[[Path], None]:
    return lambda folder: edit(folder, file, change)


# (case, how to break the data, file, record, field, words the message must contain)
CASES = [
    (
        "yaml-syntax",
        _write("institutes.yaml", "- id: america-makes\n  label: {en: [oops\n"),
        "institutes.yaml",
        None,
        None,
        "YAML error at line",
    ),
    (
        "duplicate-id",
        _edit("institutes.yaml", _duplicate("america-makes")),
        "institutes.yaml",
        "america-makes",
        "id",
        "duplicate id",
    ),
    (
        "unknown-reference",
        _edit("institutes.yaml", _set("america-makes", "state", "atlantis")),
        "institutes.yaml",
        "america-makes",
        "state",
        "unknown reference 'atlantis'",
    ),
    (
        "wrong-kind-reference",
        _edit("institutes.yaml", _set("lift", "state", "afrl")),
        "institutes.yaml",
        "lift",
        "state",
        "'afrl' is of kind organization, expected place",
    ),
    (
        "impossible-date",
        _edit("institutes.yaml", _set("biomade", "founded", "2021-02-30")),
        "institutes.yaml",
        "biomade",
        "founded",
        "impossible date '2021-02-30'",
    ),
    (
        "impossible-month",
        _edit("institutes.yaml", _set("arm", "founded", "2017-13")),
        "institutes.yaml",
        "arm",
        "founded",
        "impossible date '2017-13'",
    ),
    (
        "missing-sources",
        _edit("institutes.yaml", _drop("nextflex", "sources")),
        "institutes.yaml",
        "nextflex",
        "sources",
        "required field is missing",
    ),
    (
        "unknown-source",
        _edit("institutes.yaml", _set("affoa", "sources", ["no-such-paper"])),
        "institutes.yaml",
        "affoa",
        "sources",
        "unknown source 'no-such-paper'",
    ),
    (
        "unknown-key",
        _edit("institutes.yaml", _set("mxd", "foundr", "2014-02")),
        "institutes.yaml",
        "mxd",
        "foundr",
        "unknown key",
    ),
    (
        "label-without-language",
        _edit("institutes.yaml", _set("lift", "label", "LIFT")),
        "institutes.yaml",
        "lift",
        "label",
        "text without a language",
    ),
    ("empty-file", _write("places.yaml", ""), "places.yaml", None, None, "file is empty"),
    (
        "not-a-list",
        _write("places.yaml", "id: ohio\n"),
        "places.yaml",
        None,
        None,
        "expected a list of records",
    ),
    (
        "duplicate-key",
        _write(
            "institutes.extra.yaml",
            "- id: extra-institute\n  sources: [paper]\n"
            "  label: {en: A, zh: 甲}\n  label: {en: B, zh: 乙}\n",
        ),
        "institutes.extra.yaml",
        None,
        None,
        "duplicate key 'label'",
    ),
    (
        "not-utf8",
        lambda folder: (folder / "places.yaml").write_bytes(b"- id: \xff\xfe\n"),
        "places.yaml",
        None,
        None,
        "not UTF-8",
    ),
]


@pytest.mark.parametrize(
    ("case", "breaks", "file", "record_id", "field", "words"), CASES, ids=[c[0] for c in CASES]
)
def test_broken_file_names_file_record_and_field(
    data_copy: Path,
    case: str,
    breaks: Callable[[Path], None],
    file: str,
    record_id: str | None,
    field: str | None,
    words: str,
) -> None:
    breaks(data_copy)
    with pytest.raises(DataError) as info:
        load_data(data_copy)
    error = info.value
    assert (error.file, error.record, error.field) == (file, record_id, field)
    assert words in str(error)
    assert str(error).startswith(file)


def test_cli_reports_one_line_and_keeps_the_previous_build(
    data_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    home = tmp_path / "home"
    api.build(data_copy, out=home)
    before = (home / "CURRENT").read_text()
    builds = sorted(p.name for p in (home / "builds").iterdir())
    edit(data_copy, "institutes.yaml", _set("biomade", "founded", "2020-10-32"))
    capsys.readouterr()

    code = main(["--store", str(home), "build", "--data", str(data_copy)])

    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == [
        "miikg: error: institutes.yaml: record 'biomade', field 'founded': "
        "impossible date '2020-10-32': no day 32 in that month"
    ]
    assert (home / "CURRENT").read_text() == before
    assert sorted(p.name for p in (home / "builds").iterdir()) == builds


#: Characters RFC 3987 does not allow in an IRI, and a bad percent escape.
BAD_IRIS = {
    "less-than": ("https://www.americamakes.us/a<b", "Invalid IRI code point '<'"),
    "quote": ('https://www.americamakes.us/a"b', "Invalid IRI code point '\"'"),
    "brace": ("https://www.americamakes.us/{b}", "Invalid IRI code point '{'"),
    "bar": ("https://www.americamakes.us/a|b", "Invalid IRI code point '|'"),
    "percent": ("https://www.americamakes.us/a%zz", "Invalid IRI percent encoding '%zz'"),
}


@pytest.mark.parametrize("case", sorted(BAD_IRIS))
def test_a_curated_iri_is_checked_against_rfc_3987(
    data_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    iri, reason = BAD_IRIS[case]
    home = tmp_path / "home"
    api.build(data_copy, out=home)
    before = (home / "CURRENT").read_text()
    edit(data_copy, "institutes.yaml", _set("america-makes", "website", [iri]))
    with pytest.raises(DataError) as info:
        load_data(data_copy)
    assert (info.value.file, info.value.record, info.value.field) == (
        "institutes.yaml",
        "america-makes",
        "website",
    )
    capsys.readouterr()
    for lang, line in (
        (
            "en",
            f"miikg: error: institutes.yaml: record 'america-makes', field 'website': "
            f"{iri!r} is not an IRI (RFC 3987): {reason}",
        ),
        (
            "zh",
            f"miikg: 错误: institutes.yaml：记录 'america-makes'，字段 'website'："
            f"{iri!r} 不是合法的 IRI（RFC 3987）：{reason}",
        ),
    ):
        code = main(["--lang", lang, "--store", str(home), "build", "--data", str(data_copy)])
        captured = capsys.readouterr()
        assert code == 1 and captured.out == ""
        assert captured.err.splitlines() == [line]
    assert (home / "CURRENT").read_text() == before
