"""Every query with parameters starts from what is bound (Oxigraph's own plan, read back).

A query about one entity (a parameter that is an IRI or a text) reads nothing but what
hangs off that entity: none of its patterns may scan (but a query about one named graph
may read that graph). A query whose only parameter is
the language lists one kind of thing: it may read every triple of a predicate it names,
or every claim of the sources it is about, but never every label, every type or every
triple of the store (what every import adds to).
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pyoxigraph as ox
import pytest

from miikg import api
from miikg.queries import NamedQuery, catalogue, internal_query
from plans import explain, oxigraph_binary, plan_shape, scans

pytestmark = pytest.mark.skipif(oxigraph_binary() is None, reason="needs the oxigraph command")

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
#: Predicates every labelled or typed thing has: scanning one reads the whole store's worth.
EVERYWHERE = {
    "?",
    RDF_TYPE,
    "<http://www.w3.org/2000/01/rdf-schema#label>",
    "<http://www.w3.org/2004/02/skos/core#prefLabel>",
    "<http://purl.org/dc/terms/source>",
    # Every dated thing (each imported event, agreement and award): network-size once
    # joined every one with every institute, 15 minutes at 1M imported triples.
    "<http://purl.org/dc/terms/date>",
}
#: The internal queries with parameters (entity pages, tables, imports), besides the catalogue.
INTERNAL = (
    "pages/conflicts",
    "pages/disagreements",
    "importing/previous-imports",
    "resolving/graph-names",
    "tables/conflicts-of",
)
#: Text searches, which compare every name with the text in lower case: SPARQL cannot look
#: a lower-cased key up (a computed value never drives Oxigraph's index lookups). miikg's
#: own lookups (``describe``, ``-p entity=…``, ``network path``) use the name index instead.
TEXT_SEARCHES = {"pages/search", "resolve-entity"}


def _parameterised() -> list[NamedQuery]:
    queries = [q for q in catalogue().values() if q.params and q.name not in TEXT_SEARCHES]
    return sorted([*queries, *(internal_query(n) for n in INTERNAL)], key=lambda q: q.name)


def test_every_parameterised_query_file_is_checked() -> None:
    folder = resources.files("miikg.queries")
    with_params = {
        f"{sub.name}/{entry.name.removesuffix('.rq')}"
        for sub in folder.iterdir()
        if sub.is_dir() and sub.name in {"pages", "importing", "resolving", "tables"}
        for entry in sub.iterdir()
        if entry.name.endswith(".rq") and "# param" in entry.read_text("utf-8")
    }
    assert with_params == set(INTERNAL) | TEXT_SEARCHES - set(catalogue())
    assert TEXT_SEARCHES & set(catalogue()) == {"resolve-entity"}
    assert len(_parameterised()) == 50


@pytest.fixture(scope="module")
def plan_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty store: the plan is the same as on the built one (see below), and made
    without running the query (``connections`` takes minutes unbound on the real graph)."""
    target = tmp_path_factory.mktemp("plans") / "store"
    ox.Store(str(target)).flush()
    return target


@pytest.mark.parametrize("name", ["institutes", "conflicts", "quantities", "arguments"])
def test_a_plan_does_not_depend_on_the_data(
    name: str, built: api.BuildResult, plan_store: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "store"
    shutil.copytree(built.paths.store, copy)  # the oxigraph command opens it for itself
    text = catalogue()[name].text
    on_data = explain(copy, text, tmp_path / "a.json")
    assert plan_shape(on_data) == plan_shape(explain(plan_store, text, tmp_path / "b.json"))


def _is_about_one_entity(query: NamedQuery) -> bool:
    return any(p.kind in ("iri", "string") for p in query.params)


@pytest.mark.parametrize("query", _parameterised(), ids=lambda q: q.name)
def test_the_plan_starts_from_what_is_bound(
    query: NamedQuery, plan_store: Path, tmp_path: Path
) -> None:
    plan = explain(plan_store, query.text, tmp_path / "plan.json")
    bound = {f"?{p.name}" for p in query.params}
    found = scans(plan, bound)
    if _is_about_one_entity(query):
        wider = [s for s in found if s.graph not in bound]
        assert wider == [], f"{query.name} reads more than its entity: {wider}"
        return
    wide = [s for s in found if s.predicate in EVERYWHERE and s.graph in ("", "?")]
    assert wide == [], f"{query.name} reads every label, type or triple: {wide}"


def test_the_checker_sees_a_scan_and_a_bound_pattern(plan_store: Path, tmp_path: Path) -> None:
    """The checker itself: a label join outside the OPTIONAL that binds the source scans."""
    text = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?entity ?p ?source ?sl WHERE {
  GRAPH ?g { ?entity ?p ?o }
  OPTIONAL { ?g prov:wasDerivedFrom ?source }
  OPTIONAL { ?source rdfs:label ?sl }
}"""
    found = scans(explain(plan_store, text, tmp_path / "plan.json"), {"?entity"})
    assert [s.predicate for s in found] == ["<http://www.w3.org/2000/01/rdf-schema#label>"]
    nested = text.replace(
        "OPTIONAL { ?g prov:wasDerivedFrom ?source }\n  OPTIONAL { ?source rdfs:label ?sl }",
        "OPTIONAL { ?g prov:wasDerivedFrom ?source OPTIONAL { ?source rdfs:label ?sl } }",
    )
    assert scans(explain(plan_store, nested, tmp_path / "plan.json"), {"?entity"}) == []
    unbound = scans(explain(plan_store, text, tmp_path / "plan.json"), set())
    assert [(s.predicate, s.graph) for s in unbound] == [
        ("?", "?"),
        ("<http://www.w3.org/2000/01/rdf-schema#label>", ""),
    ]
