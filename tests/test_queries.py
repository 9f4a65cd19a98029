"""Every named query: documented in en and zh, parses, runs and returns rows."""

from __future__ import annotations

import sys
from importlib import resources

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from conftest import FIXTURES
from miikg.errors import MiikgError, QueryError
from miikg.queries import EXAMPLE_PARAMS, catalogue
from miikg.queries.run import GraphResult, run_named, run_sparql

EXPECTED_QUERIES = 58
PARAMS = EXAMPLE_PARAMS


def test_the_catalogue_finds_every_rq_file() -> None:
    files = [e.name for e in resources.files("miikg.queries").iterdir() if e.name.endswith(".rq")]
    assert len(files) == EXPECTED_QUERIES
    assert len(catalogue()) == EXPECTED_QUERIES


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_query_is_documented_in_both_languages(name: str) -> None:
    query = catalogue()[name]
    assert set(query.title) == {"en", "zh"}
    assert set(query.description) == {"en", "zh"}
    select = next(line for line in query.text.splitlines() if line.startswith("SELECT"))
    for param in query.params:
        assert param.doc["en"] and param.doc["zh"], param
        assert f"?{param.name}" in select.split(), "oxigraph binds projected variables only"
    prepareQuery(query.text)  # rdflib parses it too: it can be pasted into other tools


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_query_returns_rows_on_the_built_graph(store: ox.Store, name: str) -> None:
    for lang in ("en", "zh") if catalogue()[name].param("lang") else ("en",):
        result = run_named(store, name, PARAMS.get(name, {}), lang=lang)
        assert len(result) > 0, (name, lang)


def test_to_dataframe_gives_one_text_column_per_variable(store: ox.Store) -> None:
    pandas = pytest.importorskip("pandas")
    result = run_named(store, "strategic-goals", lang="zh")
    frame = result.to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == list(result.variables)
    assert frame["label"].tolist() == result.column("label")


def test_to_dataframe_without_pandas_is_a_clear_error(
    store: ox.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # what an absent package looks like
    with pytest.raises(MiikgError, match="pip install pandas"):
        run_named(store, "strategic-goals").to_dataframe()


def test_a_syntax_error_names_line_and_column(store: ox.Store) -> None:
    with pytest.raises(QueryError) as caught:
        run_sparql(store, (FIXTURES / "broken.rq").read_text(encoding="utf-8"))
    # Oxigraph notices the missing object at the closing brace, line 4, column 1.
    first, source, caret = str(caught.value).splitlines()
    assert "line 4, column 1" in first
    assert source == "  }"
    assert caret == "  ^"


def test_ad_hoc_queries_of_every_form(store: ox.Store) -> None:
    text = (FIXTURES / "ask-institute.rq").read_text(encoding="utf-8")
    assert run_sparql(store, text) is True
    described = run_sparql(store, (FIXTURES / "describe-jdmtp.rq").read_text(encoding="utf-8"))
    assert isinstance(described, GraphResult) and len(described) > 0
    assert all(t.subject.value.endswith("/jdmtp") for t in described.triples)


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_parameter_has_an_example_value(name: str) -> None:
    # A parameter with a default, or one left unbound when not given, needs no example.
    needed = {
        p.name
        for p in catalogue()[name].params
        if p.name != "lang" and p.default is None and not p.optional
    }
    assert set(EXAMPLE_PARAMS.get(name, {})) == needed
