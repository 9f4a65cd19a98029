"""Hostile and broken curated data: `miikg build` fails with one exact line, fast, bounded.

Each case breaks a copy of the bundled data in one way and runs ``miikg build`` on it
against a home that already holds a build. The command must exit 1 with exactly one
``miikg: error: <file>[: record …, field …]: <reason>`` line, and the previous build must
stay current and byte-identical. The cases are the classes `test_data_errors.py` does not
cover: sizes, nesting, aliases, encodings, control characters, tags, keys and file types.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from miikg.cli import main
from miikg.errors import DataError
from miikg.graph_builder.load import (
    MAX_ALIAS_NODES,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    bundled_data_dir,
    load_data,
)

MIIKG = Path(sys.executable).with_name("miikg")
FIFTY_MB = 50 * 1024 * 1024
RECORD = "  sources: [paper]\n"

# Defaults that would break the size and nesting checks into reporting something else.
assert MAX_FILE_BYTES == 5 * 1024 * 1024
assert MAX_DEPTH == 64
assert MAX_ALIAS_NODES == 100_000


@pytest.fixture
def previous(home: Path, tmp_path: Path) -> Path:
    """A home holding a finished build of the bundled data (a copy of the session's)."""
    target = tmp_path / "previous-home"
    shutil.copytree(home, target)
    return target


def snapshot(home: Path) -> dict[str, object]:
    """What must not change: CURRENT, the build folders, every byte of the current build."""
    current = (home / "CURRENT").read_text(encoding="utf-8")
    build = home / "builds" / current.strip()
    files = {
        str(p.relative_to(build)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(build.rglob("*"))
        if p.is_file()
    }
    assert {"miikg.nq", "miikg.trig", "summary.json"} <= set(files)
    return {
        "CURRENT": current,
        "builds": sorted(p.name for p in (home / "builds").iterdir()),
        "files": files,
    }


def build_fails(
    home: Path, data: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[list[str], float]:
    """Run ``miikg build`` in-process; return its stderr lines and how long it took."""
    capsys.readouterr()
    start = time.perf_counter()
    code = main(["--store", str(home), "build", "--data", str(data)])
    took = time.perf_counter() - start
    captured = capsys.readouterr()
    assert code == 1, captured
    assert captured.out == ""
    return captured.err.splitlines(), took


def _text(file: str, text: str) -> Callable[[Path], object]:
    return lambda folder: (folder / file).write_text(text, encoding="utf-8")


def _bytes(file: str, data: bytes) -> Callable[[Path], object]:
    return lambda folder: (folder / file).write_bytes(data)


def _replace(file: str, old: bytes, new: bytes) -> Callable[[Path], object]:
    def change(folder: Path) -> None:
        data = (folder / file).read_bytes()
        assert data.count(old) == 1
        (folder / file).write_bytes(data.replace(old, new))

    return change


BILLION_LAUGHS = (
    "- id: lol\n"
    + RECORD
    + "  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(
        f"  {name}: &{name} [{', '.join(['*' + prev] * 9)}]\n"
        for prev, name in zip("abcdefgh", "bcdefghi", strict=True)
    )
)
# The same file (records + BOM + places.yaml's first line) as the places test below.
PLACES_HEAD = "# The United States"

# (case, how to break the data folder, the exact error after "miikg: error: ")
CASES: list[tuple[str, Callable[[Path], object], str]] = [
    (
        "deep-flow-sequences",
        _text("institutes.deep.yaml", "- id: deep\n  label: " + "[" * 100_000 + "]" * 100_000),
        "institutes.deep.yaml: record 'deep', field 'label': YAML error at line 2, column 72: "
        "nested more than 64 levels deep",
    ),
    (
        "deep-flow-mappings",
        _text("institutes.deep.yaml", "- id: deep\n  label: " + "{a: " * 100_000 + "x"),
        "institutes.deep.yaml: record 'deep', field 'label': YAML error at line 2, column 255: "
        "nested more than 64 levels deep",
    ),
    (
        "deep-block-sequences",
        _text("places.deep.yaml", "- " * 10_000 + "x\n"),
        "places.deep.yaml: record '#1': YAML error at line 1, column 129: "
        "nested more than 64 levels deep",
    ),
    (
        "deep-block-mappings",  # 3,000 levels by indentation, 4.5 MB: under the size limit
        _text(
            "places.deep.yaml",
            "- id: deep\n  label:\n" + "".join(" " * (i + 4) + "a:\n" for i in range(3_000)),
        ),
        "places.deep.yaml: record 'deep', field 'label': YAML error at line 64, column 66: "
        "nested more than 64 levels deep",
    ),
    (
        "deep-top-level",  # not a list: there is no record to name
        _text("places.deep.yaml", "a:\n" + "".join(" " * i + "a:\n" for i in range(1, 200))),
        "places.deep.yaml: YAML error at line 64, column 64: nested more than 64 levels deep",
    ),
    (
        "deep-through-aliases",  # each alias nests the one before: deep only once expanded
        _text(
            "places.deep.yaml",
            "- id: deep\n  a0: &a0 [x]\n"
            + "".join(f"  a{i}: &a{i} [*a{i - 1}]\n" for i in range(1, 70)),
        ),
        "places.deep.yaml: record 'deep', field 'a61': YAML error at line 63, column 14: "
        "nested more than 64 levels deep (with what *a60 stands for)",
    ),
    (
        "billion-laughs",
        _text("institutes.lol.yaml", BILLION_LAUGHS),
        "institutes.lol.yaml: record 'lol', field 'f': YAML error at line 8, column 10: "
        "aliases stand for more than 100000 nodes (an alias bomb?): write the values out",
    ),
    (
        "alias-cycle",
        _text("places.cycle.yaml", "- &a [*a]\n"),
        "places.cycle.yaml: record '#1': YAML error at line 1, column 7: "
        "alias *a is inside the node it names (a cycle)",
    ),
    (
        "merge-key",
        _text(
            "places.merge.yaml",
            "- id: base\n  label: &l {en: A, zh: 甲}\n- id: other\n  label: {<<: *l, en: B}\n",
        ),
        "places.merge.yaml: YAML error at line 4, column 11: "
        "merge keys (<<) are not allowed: write the keys out",
    ),
    (
        "invalid-utf8-mid-file",
        _replace("places.yaml", b"  usps: OH\n", b"  usps: O\xffH\n"),
        "places.yaml: not UTF-8 text: bytes b'\\xff' at line 20, column 10",
    ),
    (
        "invalid-utf8-truncated-sequence",  # the first two bytes of a three-byte character
        _bytes("places.extra.yaml", "- id: x\n  label: {zh: 美".encode()[:-1] + b"}\n"),
        "places.extra.yaml: not UTF-8 text: bytes b'\\xe7\\xbe' at line 2, column 15",
    ),
    (
        "utf16",
        _bytes("places.yaml", "- id: ohio\n".encode("utf-16")),
        "places.yaml: not UTF-8 text: it starts with a UTF-16 byte-order mark; save it as UTF-8",
    ),
    (
        "bom-and-nothing-else",
        _bytes("places.yaml", b"\xef\xbb\xbf"),
        "places.yaml: file is empty: expected a list of records",
    ),
    (
        "nul-byte",
        _bytes("places.extra.yaml", b"- id: nul\n  usps: O\x00H\n"),
        "places.extra.yaml: YAML error at line 2, column 10: "
        "character U+0000 is not allowed in YAML text",
    ),
    (
        "control-character",
        _bytes("places.extra.yaml", b"- id: esc\n  usps: \x1b[31mOH\n"),
        "places.extra.yaml: YAML error at line 2, column 9: "
        "character U+001B is not allowed in YAML text",
    ),
    (
        "integer-over-4300-digits",  # Python's int() raises ValueError past 4300 digits
        _text("places.extra.yaml", "- id: big\n  fips: " + "9" * 5_000 + "\n"),
        "places.extra.yaml: YAML error at line 2, column 9: "
        "an integer of 5000 characters (at most 100); quote it if it is text",
    ),
    (
        "sexagesimal-integer",  # YAML 1.1 base 60: quadratic big-integer arithmetic
        _text("places.extra.yaml", "- id: big\n  fips: 1" + ":59" * 200_000 + "\n"),
        "places.extra.yaml: YAML error at line 2, column 9: "
        "an integer of 600001 characters (at most 100); quote it if it is text",
    ),
    (
        "tagged-int",
        _text("places.extra.yaml", "- id: x\n  fips: !!int abc\n"),
        "places.extra.yaml: YAML error at line 2, column 9: 'abc' is not a valid !!int",
    ),
    (
        "tagged-bool",
        _text("places.extra.yaml", "- id: x\n  fips: !!bool maybe\n"),
        "places.extra.yaml: YAML error at line 2, column 9: 'maybe' is not a valid !!bool",
    ),
    (
        "tagged-float",
        _text("places.extra.yaml", "- id: x\n  fips: !!float one\n"),
        "places.extra.yaml: YAML error at line 2, column 9: 'one' is not a valid !!float",
    ),
    (
        "tagged-timestamp",  # stays text, so the model names record and field
        _replace(
            "institutes.yaml",
            b'value: "2020-10", sources',
            b"value: !!timestamp 2020-10-32, sources",
        ),
        "institutes.yaml: record 'biomade', field 'founded': impossible date '2020-10-32': "
        "no day 32 in that month",
    ),
    (
        "python-tag",
        _text("places.extra.yaml", "- !!python/object/apply:os.system ['touch pwned']\n"),
        "places.extra.yaml: YAML error at line 1, column 3: could not determine a constructor "
        "for the tag 'tag:yaml.org,2002:python/object/apply:os.system'",
    ),
    (
        "unhashable-key",
        _text("places.extra.yaml", "- id: x\n  ? [a, b]\n  : c\n"),
        "places.extra.yaml: YAML error at line 2, column 5: found unhashable key",
    ),
    (
        "keys-equal-once-resolved",  # yes and true are both True in YAML 1.1
        _text("places.extra.yaml", "- id: x\n  yes: 1\n  true: 2\n"),
        "places.extra.yaml: YAML error at line 3, column 3: duplicate key True",
    ),
    (
        "two-documents",
        _text("places.extra.yaml", "- id: x\n---\n- id: y\n"),
        "places.extra.yaml: YAML error at line 2, column 1: "
        "expected a single document in the stream, but found another document",
    ),
    (
        "item-not-a-record",
        _text("places.extra.yaml", "- id: x\n- just text\n"),
        "places.extra.yaml: item 2 is not a record (a mapping)",
    ),
    (
        "id-not-text",
        _text("places.extra.yaml", "- id: [1, 2]\n" + RECORD),
        "places.extra.yaml: record '#1', field 'id': Input should be a valid string",
    ),
    (
        "folder-named-yaml",
        lambda folder: (folder / "places.extra.yaml").mkdir(),
        "places.extra.yaml: not a regular file (a folder, device or pipe)",
    ),
    (
        "link-to-dev-zero",  # endless bytes of size 0: read whole, it would never end
        lambda folder: (folder / "places.extra.yaml").symlink_to("/dev/zero"),
        "places.extra.yaml: not a regular file (a folder, device or pipe)",
    ),
    (
        "broken-link",
        lambda folder: (folder / "places.extra.yaml").symlink_to(folder / "nowhere.yaml"),
        "places.extra.yaml: cannot read it: No such file or directory",
    ),
    (
        "just-over-the-limit",
        _bytes("places.extra.yaml", b"#" * (MAX_FILE_BYTES + 1)),
        "places.extra.yaml: file is 5242881 bytes (5.0 MiB), more than the limit of 5242880 "
        "bytes (5 MiB) for a curated data file",
    ),
]


@pytest.mark.parametrize(("case", "breaks", "message"), CASES, ids=[c[0] for c in CASES])
def test_hostile_file_fails_the_build_with_one_exact_line(
    data_copy: Path,
    previous: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    breaks: Callable[[Path], object],
    message: str,
) -> None:
    before = snapshot(previous)
    breaks(data_copy)

    err, took = build_fails(previous, data_copy, capsys)

    assert err == [f"miikg: error: {message}"]
    assert took < 5, f"{case} took {took:.1f} s"
    assert snapshot(previous) == before


def test_the_same_errors_come_from_the_api_with_file_record_and_field(data_copy: Path) -> None:
    _text("institutes.deep.yaml", "- id: deep\n  label: " + "[" * 100_000)(data_copy)
    with pytest.raises(DataError) as caught:
        load_data(data_copy)
    error = caught.value
    assert (error.file, error.record, error.field) == ("institutes.deep.yaml", "deep", "label")
    assert error.reason == "YAML error at line 2, column 72: nested more than 64 levels deep"


def test_a_50_mb_file_is_refused_fast_without_being_read(
    data_copy: Path, previous: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(previous)
    big = data_copy / "institutes.big.yaml"
    with big.open("wb") as handle:  # valid YAML records all the way: only the size is wrong
        line = b"- id: record-of-a-very-large-file\n"
        handle.write(line * (FIFTY_MB // len(line)))
        handle.write(b"#" * (FIFTY_MB - handle.tell()))
    assert big.stat().st_size == FIFTY_MB

    err, took = build_fails(previous, data_copy, capsys)

    assert err == [
        "miikg: error: institutes.big.yaml: file is 52428800 bytes (50.0 MiB), more than the "
        "limit of 5242880 bytes (5 MiB) for a curated data file"
    ]
    assert took < 5, f"refusing a 50 MB file took {took:.1f} s"
    assert snapshot(previous) == before


def _peak_rss_of_build(home: Path, data: Path) -> tuple[int, str, int]:
    """Run the real ``miikg build`` in a fresh wrapper; return its exit code, stderr, peak KiB."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(done.stderr)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    argv = [str(MIIKG), "--store", str(home), "build", "--data", str(data)]
    done = subprocess.run(
        [sys.executable, "-c", wrapper, *argv], capture_output=True, text=True, timeout=120
    )
    *err, last = done.stdout.splitlines()
    code, peak = (int(x) for x in last.split())
    return code, "\n".join(err), peak


def test_the_real_command_exits_1_and_does_not_read_the_50_mb_file(
    data_copy: Path, previous: Path, tmp_path: Path
) -> None:
    """Peak memory refusing a 50 MB file is that of refusing a 30-byte one: it is not read."""
    small = tmp_path / "small"
    shutil.copytree(data_copy, small)
    (small / "institutes.big.yaml").write_bytes(b"- id: x\n  label: \x00\n")
    (data_copy / "institutes.big.yaml").write_bytes(b"- id: x\n" * (FIFTY_MB // 8))
    before = snapshot(previous)

    code_small, err_small, peak_small = _peak_rss_of_build(previous, small)
    code_big, err_big, peak_big = _peak_rss_of_build(previous, data_copy)

    assert (code_small, code_big) == (1, 1)
    assert err_small.startswith("miikg: error: institutes.big.yaml: YAML error at line 2")
    assert err_big == (
        "miikg: error: institutes.big.yaml: file is 52428800 bytes (50.0 MiB), more than the "
        "limit of 5242880 bytes (5 MiB) for a curated data file"
    )
    # Reading the file would add its 50 MB (and as much again decoded) to the peak.
    assert peak_big < peak_small + 10 * 1024, (peak_small, peak_big)
    assert snapshot(previous) == before


def test_the_real_command_refuses_deep_nesting_and_a_fifo_without_a_traceback(
    data_copy: Path, previous: Path
) -> None:
    """A subprocess: the real stack, the real exit status; a FIFO would block an open()."""
    before = snapshot(previous)
    deep = "- id: deep\n  label: " + "[" * 100_000 + "\n"
    (data_copy / "institutes.deep.yaml").write_text(deep, encoding="utf-8")
    argv = [str(MIIKG), "--store", str(previous), "build", "--data", str(data_copy)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == (
        "miikg: error: institutes.deep.yaml: record 'deep', field 'label': "
        "YAML error at line 2, column 72: nested more than 64 levels deep\n"
    )
    (data_copy / "institutes.deep.yaml").unlink()
    os.mkfifo(data_copy / "places.pipe.yaml")
    done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == (
        "miikg: error: places.pipe.yaml: not a regular file (a folder, device or pipe)\n"
    )
    assert snapshot(previous) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_is_named(
    data_copy: Path, previous: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (data_copy / "places.yaml").chmod(0)
    err, _ = build_fails(previous, data_copy, capsys)
    assert err == ["miikg: error: places.yaml: cannot read it: Permission denied"]


def test_the_curated_data_uses_aliases_and_they_still_load(data_copy: Path) -> None:
    """Aliases stay allowed (bounded, not refused): yaml.safe_dump writes them for shared lists."""
    quantities = (bundled_data_dir() / "quantities.yaml").read_text(encoding="utf-8")
    assert "&id001" in quantities and "*id001" in quantities
    curated = load_data(bundled_data_dir())
    assert {"src-bizjournal-america-makes-5-years", "src-crains-youngstown-2015"} <= set(
        curated.sources
    )


def test_a_byte_order_mark_before_valid_data_is_fine(data_copy: Path) -> None:
    expected = load_data(data_copy)
    places = data_copy / "places.yaml"
    places.write_bytes(b"\xef\xbb\xbf" + places.read_bytes())
    assert PLACES_HEAD in places.read_text(encoding="utf-8-sig")
    loaded = load_data(data_copy)
    assert loaded.records == expected.records
    assert loaded.files == expected.files
