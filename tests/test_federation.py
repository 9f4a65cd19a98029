"""Federated queries against a local `oxigraph serve` holding a Wikidata-shaped fixture."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from conftest import FIXTURES
from miikg import cli
from miikg.errors import QueryError
from miikg.queries import catalogue
from miikg.queries.federated import (
    WIKIDATA_SPARQL,
    federated_catalogue,
    run_federated,
    with_service_endpoint,
)
from miikg.queries.run import run_named
from servers import Server, free_port, oxigraph_server

WIKIDATA = FIXTURES / "wikidata-sample.ttl"


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The SPARQL endpoint of a local Oxigraph server loaded with the fixture."""
    folder = tmp_path_factory.mktemp("wikidata")
    loaded = ox.Store(str(folder / "store"))
    loaded.bulk_load(path=str(WIKIDATA), format=ox.RdfFormat.TURTLE)
    loaded.flush()
    del loaded
    server: Server
    with oxigraph_server(folder / "store", folder) as server:
        yield server.base + "/query"


def _rows(store: ox.Store, name: str, endpoint: str, lang: str = "en") -> list[tuple[str, ...]]:
    result = run_federated(store, name, lang=lang, service_endpoint=endpoint)
    return [tuple(row.text(v) for v in result.variables) for row in result]


def test_the_federated_queries_are_found_and_name_wikidata() -> None:
    queries = federated_catalogue()
    assert sorted(queries) == ["lead-universities", "ror-agreement", "state-population"]
    for query in queries.values():
        assert f"SERVICE <{WIKIDATA_SPARQL}>" in query.text
        assert set(query.title) == set(query.description) == {"en", "zh"}
        assert [p.name for p in query.params] == ["lang"]


def test_they_are_never_run_by_default(store: ox.Store) -> None:
    assert not set(federated_catalogue()) & set(catalogue())
    assert not any("SERVICE" in q.text for q in catalogue().values())
    with pytest.raises(QueryError, match="no query named 'state-population'"):
        run_named(store, "state-population")


def test_state_population(store: ox.Store, wikidata: str) -> None:
    wd, mid = "http://www.wikidata.org/entity/", "https://w3id.org/miikg/id/place/"
    # California counts AIM Photonics too: the paper places it there (a curated disagreement).
    assert _rows(store, "state-population", wikidata) == [
        (mid + "california", "California", wd + "Q99", "39538223", "2"),
        (mid + "new-york", "New York", wd + "Q1384", "20201249", "1"),
        (mid + "pennsylvania", "Pennsylvania", wd + "Q1400", "13002700", "1"),
        (mid + "illinois", "Illinois", wd + "Q1204", "12812508", "1"),
        (mid + "ohio", "Ohio", wd + "Q1397", "11799448", "1"),
        (mid + "michigan", "Michigan", wd + "Q1166", "10077331", "1"),
        (mid + "massachusetts", "Massachusetts", wd + "Q771", "7029917", "1"),
    ]
    zh = _rows(store, "state-population", wikidata, "zh")
    assert [r[1] for r in zh][:2] == ["加利福尼亚州", "纽约州"]


def test_lead_universities(store: ox.Store, wikidata: str) -> None:
    wd, mid = "http://www.wikidata.org/entity/", "https://w3id.org/miikg/id/"
    assert _rows(store, "lead-universities", wikidata) == [
        (
            mid + "institute/affoa", "Advanced Functional Fabrics of America (AFFOA)",
            mid + "organization/mit", "Massachusetts Institute of Technology (MIT)",
            wd + "Q49108", "1861", wd + "Q30", "United States",
        ),
        (
            mid + "institute/arm", "Advanced Robotics for Manufacturing (ARM) Institute",
            mid + "organization/cmu", "Carnegie Mellon University (CMU)",
            wd + "Q190080", "1900", wd + "Q30", "United States",
        ),
    ]  # fmt: skip
    zh = _rows(store, "lead-universities", wikidata, "zh")
    assert [(r[3], r[7]) for r in zh] == [("麻省理工学院", "美国"), ("卡耐基梅隆大学", "美国")]


def test_ror_agreement(store: ox.Store, wikidata: str) -> None:
    rows = _rows(store, "ror-agreement", wikidata)
    assert [(r[0].rsplit("/", 1)[1], r[3], r[4], r[5]) for r in rows] == [
        ("cmu", "https://ror.org/05x2bcf33", "05x2bcf33", "true"),
        ("mit", "https://ror.org/042nb2s44", "042nb2s44", "true"),
    ]


def test_an_unreachable_endpoint_is_a_query_error(store: ox.Store) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/query"
    with pytest.raises(QueryError, match="query failed"):
        run_federated(store, "state-population", service_endpoint=endpoint)


def test_only_the_service_iri_is_rewritten() -> None:
    text = federated_catalogue()["state-population"].text
    local = "http://127.0.0.1:7878/query"
    rewritten = with_service_endpoint(text, local)
    assert rewritten == text.replace(f"SERVICE <{WIKIDATA_SPARQL}>", f"SERVICE <{local}>")
    assert rewritten.count(local) == 1


@pytest.mark.parametrize(
    "endpoint",
    ["ftp://example.org/sparql", "http://x> { ?s ?p ?o } #", "http:///sparql", "localhost:7878"],
)
def test_a_bad_endpoint_is_refused(endpoint: str) -> None:
    with pytest.raises(QueryError, match="is not an http\\(s\\) IRI"):
        with_service_endpoint(federated_catalogue()["state-population"].text, endpoint)


def test_a_query_without_the_service_is_refused() -> None:
    with pytest.raises(QueryError, match="has no SERVICE"):
        with_service_endpoint("SELECT * WHERE { ?s ?p ?o }", "http://127.0.0.1:1/query")


def test_the_fixture_is_wikidata_shaped() -> None:
    store = ox.Store()
    store.bulk_load(path=str(WIKIDATA), format=ox.RdfFormat.TURTLE)
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    assert {q.subject.value.rsplit("/", 1)[0] for q in store} == {"http://www.wikidata.org/entity"}
    assert {q.predicate.value for q in store if q.predicate.value != label} == {
        f"http://www.wikidata.org/prop/direct/{p}"
        for p in ("P17", "P31", "P279", "P571", "P1082", "P6782")
    }


def _parser() -> argparse.ArgumentParser:
    return cli._parser()


def test_the_command_runs_a_query_against_the_given_endpoint(
    home: Path, wikidata: str, capsys: pytest.CaptureFixture[str]
) -> None:
    args = _parser().parse_args(
        ["--store", str(home), "--lang", "zh", "federated", "lead-universities",
         "--service-endpoint", wikidata, "--format", "csv"]
    )  # fmt: skip
    assert args.func(args) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == (
        "institute,instituteLabel,organizer,organizerLabel,wikidata,founded,country,countryLabel"
    )
    assert len(lines) == 3 and "麻省理工学院" in lines[1]
    assert f"SERVICE 发往 {wikidata}" in err


def test_the_command_lists_the_queries(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parser().parse_args(["federated"])
    assert args.func(args) == 0
    names = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert names == sorted(federated_catalogue())
