"""Parameters bound in a query's text, for endpoints: the same answer as Oxigraph's binding.

The remote engine writes each parameter into the query (``VALUES`` where that is
equivalent, substitution of the pyoxigraph-serialised term where not). Run here on the
embedded store without any binding of Oxigraph's own, every named query must give
exactly the rows Oxigraph gives with ``substitutions`` (SEP-0007).
"""

from __future__ import annotations

from collections import Counter

import pyoxigraph as ox
import pytest

from miikg.errors import QueryError
from miikg.queries import EXAMPLE_PARAMS, catalogue
from miikg.queries.binding import bind_text, names_graphs, states_dataset, with_dataset
from miikg.queries.run import _term, joined_in_order, run_query


def _terms(store: ox.Store, name: str, lang: str) -> dict[str, ox.NamedNode | ox.Literal]:
    query = catalogue()[name]
    given = dict(EXAMPLE_PARAMS.get(name, {}))
    if query.param("lang"):
        given["lang"] = lang
    found = {}
    for key, value in given.items():
        param = query.param(key)
        assert param is not None
        term = _term(store, param, value)
        assert isinstance(term, ox.NamedNode | ox.Literal)
        found[key] = term
    return found


def _rows(solutions: object, variables: tuple[str, ...]) -> Counter[tuple[str, ...]]:
    assert isinstance(solutions, ox.QuerySolutions)
    return Counter(tuple(str(s[v]) for v in variables) for s in solutions)


def test_the_catalogue_is_all_there() -> None:
    assert len(catalogue()) == 58


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_bound_text_gives_oxigraphs_rows(store: ox.Store, name: str) -> None:
    query = catalogue()[name]
    for lang in ("en", "zh") if query.param("lang") else ("en",):
        terms = _terms(store, name, lang)
        expected = run_query(store, query.text, terms)
        bound = bind_text(query.text, terms)
        assert set(bound.how) == set(terms)
        solutions = store.query(bound.text)
        assert _rows(solutions, expected.variables) == Counter(
            tuple(str(r[v]) for v in expected.variables) for r in expected
        )
        assert len(expected) > 0


def test_values_where_equivalent_substitution_where_not(store: ox.Store) -> None:
    facts = bind_text(catalogue()["entity-facts"].text, _terms(store, "entity-facts", "zh"))
    # ?entity sits in UNION branches, inside GRAPH: a VALUES outside is not seen there;
    # ?lang filters the source's label inside a nested OPTIONAL, where it is not either
    assert facts.how == {"entity": "substituted", "lang": "substituted"}
    assert "GRAPH ?g { <https://w3id.org/miikg/id/institute/america-makes> ?property" in facts.text
    assert 'OPTIONAL { ?source rdfs:label ?sl FILTER(LANG(?sl) = "zh") }' in facts.text
    institutes = bind_text(catalogue()["institutes"].text, _terms(store, "institutes", "en"))
    assert institutes.how == {"lang": "values"}
    assert "FILTER(LANG(?n) = ?lang)" in institutes.text


def test_a_hostile_string_stays_one_literal(store: ox.Store) -> None:
    text = '" } } DROP ALL ; SELECT * { ?s ?p ?o } #\n\\'
    bound = bind_text(catalogue()["resolve-entity"].text, {"text": ox.Literal(text)})
    assert str(ox.Literal(text)) in bound.text
    assert len(list(store.query(bound.text))) == 0


def test_a_query_that_assigns_its_parameter_is_refused() -> None:
    with pytest.raises(QueryError, match=r"assigns its parameter \?x"):
        bind_text("SELECT ?x WHERE { BIND(1 AS ?x) }", {"x": ox.Literal("2")})


def test_the_dataset_goes_before_the_where_clause() -> None:
    text = 'SELECT (COUNT(*) AS ?n) # WHERE {\nWHERE { ?s ?p "{" }'
    assert with_dataset(text, ["urn:d"], ["urn:a", "urn:b"]) == (
        "SELECT (COUNT(*) AS ?n) # WHERE {\n"
        'FROM <urn:d> FROM NAMED <urn:a> FROM NAMED <urn:b> WHERE { ?s ?p "{" }'
    )
    assert with_dataset("ASK { ?s ?p ?o }", ["urn:d"]) == "ASK FROM <urn:d> { ?s ?p ?o }"
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    assert with_dataset(construct, ["urn:d"]) == (
        "CONSTRUCT { ?s ?p ?o } FROM <urn:d> WHERE { ?s ?p ?o }"
    )
    assert with_dataset(construct) == construct
    assert states_dataset("SELECT * FROM <urn:g> { }") and not states_dataset("ASK { }")
    assert names_graphs("ASK { GRAPH ?g { } }") and not names_graphs('ASK { ?s ?p "GRAPH" }')


def test_joined_values_come_in_one_order_as_plain_strings() -> None:
    from miikg.queries.run import Row

    rows = (
        Row({"state": ox.Literal("纽约州 / 加利福尼亚州", language="zh"), "n": ox.Literal("1")}),
        Row({"state": ox.Literal(""), "n": ox.Literal("2")}),
        Row({"state": None, "n": ox.Literal("3")}),
    )
    out = joined_in_order(rows, {"state": " / "})
    assert [r["state"] for r in out] == [ox.Literal("加利福尼亚州 / 纽约州"), None, None]
    assert [r["n"] for r in out] == [r["n"] for r in rows]
