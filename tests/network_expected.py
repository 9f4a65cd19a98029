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
}
VIEWS = tuple(FIELDS)


@cache
def curated() -> Curated:
    return load_data()


def _values(record: object, name: str) -> Iterator[object]:
    for claim in claims(record, name):  # type: ignore[arg-type]
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
                edges |= {(iri(record.id), predicate, iri(str(v))) for v in _values(record, name)}
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
                edges |= {(iri(record.id), predicate, iri(str(v))) for v in _values(record, name)}
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


def expected_nodes(view: str) -> frozenset[str]:
    """Return the IRIs at either end of an edge of *view*."""
    return frozenset(n for s, _, o in expected_edges(view) for n in (s, o))


def all_edges() -> frozenset[Edge]:
    return frozenset().union(*(expected_edges(v) for v in VIEWS))
