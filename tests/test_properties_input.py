"""Property-based checks of what reads outside input: the YAML loader and the reconciler."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
import re
from typing import Any

import pyoxigraph as ox
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from miikg.errors import DataError
from miikg.graph_builder.load import parse_yaml
from miikg.linking.normalise import normalise
from miikg.linking.reconcile import Match, Reconciler

FILE = "fuzz.yaml"
FAST = settings(max_examples=150, deadline=None)
# The reconciler fixture is session-scoped, built once; hypothesis need not worry about it.
SLOW = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# ---------------------------------------------------------------------------- YAML loader

#: Pieces of YAML syntax, so generated text reaches the parser's corners (tags, anchors,
#: aliases, flow and block collections, directives, documents, escapes) more than random
#: characters would.
FRAGMENTS = [
    "- ", ": ", "? ", "[", "]", "{", "}", ", ", "\n", "\n  ", "\t", "#", "&a ", "*a", "&b ",
    "*b", "<<: ", "!!int ", "!!float ", "!!bool ", "!!timestamp ", "!!binary ", "!!set ",
    "!!omap ", "!!python/object:os.system ", "!foo ", "---\n", "...\n", "%YAML 1.1\n",
    "%TAG ! tag:x,2000:\n", "|\n", ">-\n", '"', "'", "\\x00", "\\u12", "id", "yes", "~",
    "0x1F", "0o17", "1_000", "1:30:00", "6.8523015e+5", ".inf", ".nan", "2001-12-14",
    "2021-02-30", "\x00", "\x85", "\u2028", "\ufeff", "é", "美",
]  # fmt: skip
YAMLISH = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=3)), max_size=40).map(
    "".join
)


def _load(data: bytes) -> Any:
    """parse_yaml, asserting that whatever it raises is a DataError naming the file."""
    try:
        return parse_yaml(data, FILE)
    except DataError as exc:
        assert exc.file == FILE
        assert str(exc).startswith(f"{FILE}: ")
        assert exc.reason
        raise


def _anything_or_data_error(data: bytes) -> None:
    with contextlib.suppress(DataError):
        _load(data)


@FAST
@given(data=st.binary(max_size=300))
def test_any_bytes_load_or_raise_a_data_error_naming_the_file(data: bytes) -> None:
    _anything_or_data_error(data)


@FAST
@given(text=YAMLISH)
def test_any_yaml_like_text_loads_or_raises_a_data_error_naming_the_file(text: str) -> None:
    _anything_or_data_error(text.encode("utf-8", errors="surrogatepass"))


KEY = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(
    lambda k: k not in {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
)
SCALAR_TEXT = st.from_regex(r"[A-Za-z][A-Za-z0-9 ]{0,10}", fullmatch=True).map(str.strip)


@FAST
@given(
    path=st.lists(KEY, max_size=4),
    key=KEY,
    first=SCALAR_TEXT,
    second=SCALAR_TEXT,
    flow=st.booleans(),
)
def test_a_repeated_key_is_always_refused(
    path: list[str], key: str, first: str, second: str, flow: bool
) -> None:
    if flow:
        text = f"{{{key}: {first or 'x'}, {key}: {second or 'y'}}}"
        for outer in reversed(path):
            text = f"{{{outer}: {text}}}"
    else:
        indent = "  " * len(path)
        text = "".join(f"{'  ' * i}{outer}:\n" for i, outer in enumerate(path))
        text += f"{indent}{key}: {first or 'x'}\n{indent}{key}: {second or 'y'}\n"
    with pytest.raises(DataError, match=f"duplicate key '{key}'"):
        _load(text.encode())


@FAST
@given(number=st.integers(-(10**20), 10**20), hexadecimal=st.booleans())
def test_keys_equal_once_resolved_are_refused(number: int, hexadecimal: bool) -> None:
    other = (("-" if number < 0 else "") + hex(abs(number))) if hexadecimal else f"+{number}"
    if other.startswith("+-"):
        other = other[1:]
    with pytest.raises(DataError, match=f"duplicate key {number}"):
        _load(f"{number}: a\n{other}: b\n".encode())


TIMESTAMPS = st.one_of(
    st.dates().map(dt.date.isoformat),
    st.datetimes().map(lambda d: d.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat(sep=" ")),
    st.from_regex(r"[12][0-9]{3}-[0-9]{1,2}-[0-9]{1,2}", fullmatch=True),  # also impossible
)


@FAST
@given(stamp=TIMESTAMPS, tagged=st.booleans())
def test_timestamps_stay_the_text_they_were(stamp: str, tagged: bool) -> None:
    tag = "!!timestamp " if tagged else ""
    loaded = _load(f"- {{founded: {tag}{stamp}}}\n- {tag}{stamp}\n".encode())
    assert loaded == [{"founded": stamp}, stamp]
    assert all(isinstance(v, str) for v in (loaded[0]["founded"], loaded[1]))


#: Text without NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR: YAML 1.1 reads them as line
#: breaks, and PyYAML's emitter writes them raw in single quotes, where they fold into a
#: space: ``safe_dump(["\x85"], allow_unicode=True)`` loads back as ``[" "]`` with any
#: loader, PyYAML's own included (a dumper bug, not the loader's).
TEXT = st.text(alphabet=st.characters(exclude_characters="\x85\u2028\u2029"), max_size=20)
PLAIN = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False),
    TEXT,
)
NESTED = st.recursive(
    PLAIN,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)),
    max_leaves=20,
)


def _same(a: Any, b: Any) -> bool:
    """Equal, telling True from 1 and 1.0 from 1 (YAML keeps them apart)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, float):
        return a == b or (math.isinf(a) and a == b)
    return bool(a == b)


@FAST
@given(value=NESTED, unicode=st.booleans(), flow=st.none() | st.booleans())
def test_safe_dump_of_plain_nested_values_loads_back_equal(
    value: Any, unicode: bool, flow: bool | None
) -> None:
    text = yaml.safe_dump(value, allow_unicode=unicode, default_flow_style=flow)
    loaded = _load(text.encode("utf-8"))
    assert _same(loaded, value), (text, loaded)


# ------------------------------------------------------------------------------ reconciler


@pytest.fixture(scope="session")
def reconciler(store: ox.Store) -> Reconciler:
    return Reconciler.from_store(store)


@pytest.fixture(scope="session")
def names(reconciler: Reconciler) -> list[tuple[str, str]]:
    found = sorted(set(reconciler.names))
    assert len(found) > 100
    assert all(normalise(name) for _, name in found)  # every name can be looked up
    return found


def _outcome(match: Match) -> tuple[str, tuple[tuple[str, float], ...]]:
    return match.status, tuple((c.entity, c.score) for c in match.candidates)


@SLOW
@given(data=st.data())
def test_an_entitys_own_name_finds_it_or_is_ambiguous_never_another_entity(
    reconciler: Reconciler, names: list[tuple[str, str]], data: st.DataObject
) -> None:
    entity, name = data.draw(st.sampled_from(names))
    match = reconciler.reconcile(name)
    if match.status == "matched":
        assert match.entity == entity, (name, match)
    else:
        assert match.status == "ambiguous", (name, match)
        assert entity in {c.entity for c in match.candidates} or len(match.candidates) == 5
        assert match.candidates[0].score == 1.0


PUNCTUATION = st.sampled_from(list(",.;:!?\"'()/·、，。"))
SPACE = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000", " \n "])
CASES = [str.upper, str.lower, str.casefold, str.swapcase, str.title, lambda s: s]


def _perturbed(name: str, data: st.DataObject) -> str:
    """*name* in another case, other spaces, punctuation where words already break."""
    text = data.draw(st.sampled_from(CASES))(name)
    words = re.split(r"\s+", text.strip())
    glue = [
        data.draw(st.lists(PUNCTUATION, max_size=2).map("".join)) + data.draw(SPACE)
        for _ in words[1:]
    ]
    joined = words[0] + "".join(g + w for g, w in zip(glue, words[1:], strict=True))
    lead = data.draw(st.lists(SPACE | PUNCTUATION, max_size=3).map("".join))
    tail = data.draw(st.lists(SPACE | PUNCTUATION, max_size=3).map("".join))
    return f"{lead} {joined} {tail}" if lead or tail else joined


@SLOW
@given(data=st.data())
def test_case_spacing_and_punctuation_do_not_change_the_outcome(
    reconciler: Reconciler, names: list[tuple[str, str]], data: st.DataObject
) -> None:
    _, name = data.draw(st.sampled_from(names))
    changed = _perturbed(name, data)
    assert _outcome(reconciler.reconcile(changed)) == _outcome(reconciler.reconcile(name)), (
        name,
        changed,
    )


@SLOW
@given(text=st.text(max_size=40) | YAMLISH, identifier=st.none() | st.text(max_size=12))
def test_any_text_reconciles_without_error_to_a_score_in_0_1(
    reconciler: Reconciler, text: str, identifier: str | None
) -> None:
    match = reconciler.reconcile(text, identifiers=[identifier])
    assert match.status in {"matched", "ambiguous", "unmatched"}
    assert 0.0 <= match.score <= 1.0
    assert all(0.0 <= c.score <= 1.0 for c in match.candidates)
    assert [c.score for c in match.candidates] == sorted(
        (c.score for c in match.candidates), reverse=True
    )
    if match.status == "matched":
        assert match.entity is not None and match.score >= reconciler.threshold
    else:
        assert match.entity is None


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**32 - 1), queries=st.lists(st.text(max_size=20), max_size=3))
def test_the_outcome_does_not_depend_on_the_order_names_come_in(
    reconciler: Reconciler, names: list[tuple[str, str]], seed: int, queries: list[str]
) -> None:
    shuffled = list(reconciler.names)
    random.Random(seed).shuffle(shuffled)
    ids = {k: sorted(v, reverse=True) for k, v in reconciler.identifiers.items()}
    other = Reconciler(shuffled, ids, agreements=reconciler.agreements)
    for query in [*queries, *(name for _, name in names[seed % len(names) :][:3])]:
        first = reconciler.reconcile(query)
        assert reconciler.reconcile(query) == first
        assert other.reconcile(query) == first
