"""Every named query: documented in en and zh, parses, runs and returns rows."""

from __future__ import annotations

from importlib import resources

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from miikg.queries import catalogue
from miikg.queries.run import run_named

EXPECTED_QUERIES = 15
PARAMS = {"entity-facts": {"entity": "america-makes"}, "resolve-entity": {"text": "MxD"}}


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
