"""The network views recomputed from the curated YAML records, apart from the SPARQL.

Each view's edges are read off the records' fields (the model says which predicate each
field becomes), so a projection test compares two independent derivations.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from miikg.graph_builder.build import record_iri
from miikg.graph_builder.load import Curated, claims, load_data
from miikg.graph_builder.models import (
    Agreement,
    Concept,
    Institute,
    Level,
    Organization,
    Phase,
    Programme,
    Quantity,
    RevenueArrangement,
    RevenueStream,
    Scheme,
    Stage,
)

Edge = tuple[str, str, str]  # subject IRI, predicate CURIE, object IRI

#: (record class, field, predicate CURIE) per view: the plain reference fields.
FIELDS = {
    "governance": [
        (Institute, "organizer", "miikg:organizer"),
        (Institute, "part_of", "org:memberOf"),
        (Institute, "sponsor", "miikg:sponsor"),
        (Institute, "managed_by", "miikg:managedBy"),
        (Organization, "parent", "org:subOrganizationOf"),
        (Organization, "oversees", "miikg:oversees"),
        (Organization, "coordinates", "miikg:coordinates"),
        (Organization, "guides", "miikg:guides"),
        (Organization, "evaluates", "miikg:evaluates"),
        (Organization, "administers", "miikg:administers"),
        (Organization, "founded_by", "miikg:foundedBy"),
        (Programme, "part_of", "dcterms:isPartOf"),
        (Programme, "run_by", "miikg:runBy"),
        (Programme, "evaluated_by", "miikg:evaluatedBy"),
    ],
    "agreements": [
        (Agreement, "institute", "miikg:agreementFor"),
        (Agreement, "awardee", "miikg:awardee"),
        (Agreement, "instrument", "miikg:instrument"),
        (Agreement, "managed_by", "miikg:managedBy"),
        (Organization, "funds", "miikg:funds"),
        (RevenueArrangement, "funder", "miikg:funder"),
        (RevenueStream, "arrangement", "miikg:arrangement"),
        (RevenueStream, "revenue_source", "miikg:revenueSource"),
        (Phase, "instruments", "miikg:instrument"),
        (Phase, "funding_model", "miikg:fundingModel"),
        (Phase, "precedes", "miikg:precedes"),
    ],
    "chain": [
        (Stage, "precedes", "miikg:precedes"),
        (Stage, "performers", "miikg:performer"),
        (Stage, "funders", "miikg:funder"),
        (Stage, "instruments", "miikg:instrument"),
        (Stage, "funded_activities", "miikg:fundedActivity"),
    ],
    "membership": [(Institute, "member_types", "miikg:hasMemberType")],
    # The whole Manufacturing USA network: see _network_edges for the offices above.
    "network": [
        (Institute, "sponsor", "miikg:sponsor"),
        (Institute, "managed_by", "miikg:managedBy"),
        (Institute, "part_of", "org:memberOf"),
    ],
}
VIEWS = tuple(FIELDS)
#: The views of the paper: they leave out what only the network research states.
PAPER_VIEWS = ("governance", "agreements", "chain", "membership")
NETWORK_RESEARCH = "network-research"
MANUFACTURING_USA = "manufacturing-usa"


@cache
def curated() -> Curated:
    return load_data()


def _is_research(source: str) -> bool:
    c = curated()
    return source == NETWORK_RESEARCH or c.sources[source].part_of == NETWORK_RESEARCH


def _values(record: object, name: str, view: str = "all") -> Iterator[object]:
    """Yield the values of a field; for a paper view, those a non-research source states."""
    for claim in claims(record, name):  # type: ignore[arg-type]
        sources = claim.sources or record.sources  # type: ignore[attr-defined]
        if view not in PAPER_VIEWS or not all(_is_research(s) for s in sources):
            yield claim.value


def member_class(c: Curated, record: object) -> str | None:
    if isinstance(record, Concept):
        scheme = c.records[record.scheme]
        assert isinstance(scheme, Scheme)
        return scheme.member_class
    return None


def _has_party(record: Quantity) -> bool:
    return bool(record.funder or record.recipient)


@cache
def expected_edges(view: str) -> frozenset[Edge]:
    """Return the (subject, predicate, object) edges of *view*, from the records."""
    c = curated()
    iri = lambda rid: record_iri(c, rid)  # noqa: E731
    edges: set[Edge] = set()
    for record in c.records.values():
        for cls, name, predicate in FIELDS[view]:
            if type(record) is cls:
                edges |= {
                    (iri(record.id), predicate, iri(str(v))) for v in _values(record, name, view)
                }
    if view == "network":
        return frozenset(_network_edges(c, edges))
    levels = {
        int(next(_values(r, "level"))): r.id  # type: ignore[call-overload]
        for r in c.records.values()
        if isinstance(r, Level) and member_class(c, r) == "ManufacturingReadinessLevel"
    }
    for record in c.records.values():
        kind = member_class(c, record)
        if view == "agreements" and isinstance(record, Quantity) and _has_party(record):
            for name, predicate in (
                ("funder", "miikg:funder"),
                ("recipient", "miikg:recipient"),
                ("about", "miikg:about"),
            ):
                edges |= {
                    (iri(record.id), predicate, iri(str(v))) for v in _values(record, name, view)
                }
        if view == "agreements" and kind == "ContractInstrument":
            assert isinstance(record, Concept)
            for v in _values(record, "related"):
                if member_class(c, c.records[str(v)]) == "ContractInstrument":
                    edges.add((iri(record.id), "skos:related", iri(str(v))))
        if view == "chain" and isinstance(record, Stage):
            for name, predicate in (("min_mrl", "miikg:minMRL"), ("max_mrl", "miikg:maxMRL")):
                for v in _values(record, name):
                    edges.add((iri(record.id), predicate, iri(levels[int(str(v))])))
        if view == "membership" and kind in ("MemberType", "MemberRight", "RightsFactor"):
            assert isinstance(record, Concept)
            edges.add((iri(record.id), "skos:inScheme", iri(record.scheme)))
        if view == "membership" and isinstance(record, Quantity):
            for v in _values(record, "about"):
                if member_class(c, c.records[str(v)]) == "MemberType":
                    edges.add((iri(record.id), "miikg:about", iri(str(v))))
    return frozenset(edges)


def _network_edges(c: Curated, edges: set[Edge]) -> set[Edge]:
    """Add to the institutes' edges the networks' and the offices above every body."""
    iri = lambda rid: record_iri(c, rid)  # noqa: E731
    found = {e for e in edges if e[2] != iri(MANUFACTURING_USA)}
    networks = [r for r in c.records.values() if isinstance(r, Programme) and r.type == "network"]
    bodies: set[str] = set()
    for record in c.records.values():
        if isinstance(record, Institute):
            bodies |= {str(v) for n in ("sponsor", "managed_by") for v in _values(record, n)}
    for record in networks:
        runs = {str(v) for v in _values(record, "run_by")}
        bodies |= runs
        found |= {(iri(record.id), "miikg:runBy", iri(v)) for v in runs}
        found |= {
            (iri(record.id), "dcterms:isPartOf", iri(str(v)))
            for v in _values(record, "part_of")
            if any(n.id == str(v) for n in networks)
        }
    parents = {
        r.id: {str(v) for v in _values(r, "parent")}
        for r in c.records.values()
        if isinstance(r, Organization)
    }
    above = set(bodies)
    todo = list(bodies)
    while todo:
        for up in parents.get(todo.pop(), set()) - above:
            above.add(up)
            todo.append(up)
    found |= {
        (iri(body), "org:subOrganizationOf", iri(up))
        for body in above
        for up in parents.get(body, ())
    }
    return found


def expected_nodes(view: str) -> frozenset[str]:
    """Return the IRIs at either end of an edge of *view*."""
    return frozenset(n for s, _, o in expected_edges(view) for n in (s, o))


def all_edges() -> frozenset[Edge]:
    return frozenset().union(*(expected_edges(v) for v in VIEWS))
