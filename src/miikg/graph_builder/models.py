"""Strict models of the curated records, and how each field becomes RDF.

Every content field holds a list of :class:`Claim`: a value and, optionally, the sources
that state it. A plain value in YAML is one claim made by the record's own ``sources``;
``{value: ..., sources: [...]}`` is a claim made by other sources. So two sources that
disagree are both kept, each in its own named graph.

Each field carries an :class:`Emit` that says which predicate it becomes and what kind
of RDF term its values are; the builder reads nothing else.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from miikg.graph_builder.iris import ID_PATTERN

__all__ = [
    "KINDS",
    "Claim",
    "Emit",
    "Record",
    "Source",
    "Text",
]

T = TypeVar("T")

Id = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
TermKind = Literal["text", "ref", "string", "iri", "curie", "date", "integer", "decimal", "boolean"]


@dataclass(frozen=True)
class Emit:
    """How a field becomes triples: its predicate (a CURIE) and the kind of its values."""

    predicate: str
    kind: TermKind
    #: For refs: the record kinds the value may name (empty: any kind).
    targets: tuple[str, ...] = ()
    #: For refs to concepts: the concept scheme the value must belong to.
    scheme: str | None = None
    #: More than one value per source is allowed.
    many: bool = False
    #: Further predicates that get the same values (e.g. ``skos:prefLabel``).
    also: tuple[str, ...] = ()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in English and/or Chinese; the graph must end up with both (SHACL checks)."""

    en: str | None = None
    zh: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _needs_language(cls, value: Any) -> Any:
        if isinstance(value, str):
            raise ValueError("text without a language: write it as {en: ..., zh: ...}")
        return value

    @model_validator(mode="after")
    def _not_empty(self) -> Text:
        for lang in ("en", "zh"):
            text = getattr(self, lang)
            if text is not None and not text.strip():
                raise ValueError(f"empty {lang} text")
        if self.en is None and self.zh is None:
            raise ValueError("text needs an en or a zh value")
        return self


_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def _check_date(value: str) -> str:
    match = _DATE.fullmatch(value)
    if not match:
        raise ValueError(f"date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise ValueError(f"impossible date {value!r}: month {month}")
    if day is not None:
        assert year is not None and month is not None
        try:
            dt.date(year, month, day)
        except ValueError:
            raise ValueError(f"impossible date {value!r}: no day {day} in that month") from None
    return value


#: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, checked against the calendar.
Date = Annotated[str, AfterValidator(_check_date)]


def _check_iri(value: str) -> str:
    # Oxigraph's IRI parser (oxiri) implements RFC 3987: a character such as <, ", {, |
    # or a bad %-escape is refused here, with the record and field, not later in the build.
    import pyoxigraph as ox

    try:
        ox.NamedNode(value)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IRI (RFC 3987): {exc}") from None
    return value


#: An ``http(s)`` IRI, checked against RFC 3987.
Url = Annotated[str, StringConstraints(pattern=r"^https?://\S+$"), AfterValidator(_check_iri)]


class Claim(Strict, Generic[T]):
    """One value and the sources that state it (default: the record's sources)."""

    value: T
    sources: list[Id] | None = Field(default=None, min_length=1)


def _as_claims(value: Any) -> Any:
    items = value if isinstance(value, list) else [value]
    return [i if isinstance(i, dict) and "value" in i else {"value": i} for i in items]


_wrap = BeforeValidator(_as_claims)
TextClaims = Annotated[list[Claim[Text]], _wrap]
IdClaims = Annotated[list[Claim[Id]], _wrap]
StrClaims = Annotated[list[Claim[str]], _wrap]
DateClaims = Annotated[list[Claim[Date]], _wrap]
UrlClaims = Annotated[list[Claim[Url]], _wrap]
IntClaims = Annotated[list[Claim[int]], _wrap]
BoolClaims = Annotated[list[Claim[bool]], _wrap]
DecimalClaims = Annotated[list[Claim[Decimal]], _wrap]


def one(predicate: str, kind: TermKind, **options: Any) -> Emit:
    """Describe a field that has one value per source."""
    return Emit(predicate, kind, **options)


def many(predicate: str, kind: TermKind, **options: Any) -> Emit:
    """Describe a field that may have several values per source."""
    return Emit(predicate, kind, many=True, **options)


ORG_LIKE = ("organization", "institute", "programme")
ANY: tuple[str, ...] = ()


class Record(Strict):
    """A curated record: an id, a bilingual label, sources, and typed claims."""

    kind: ClassVar[str]
    #: IRI path segment: ``…/id/<segment>/<id>``.
    segment: ClassVar[str]
    #: ``rdf:type`` of every record of this kind (CURIEs).
    types: ClassVar[tuple[str, ...]]

    id: Id
    sources: list[Id] = Field(min_length=1)
    label: Annotated[TextClaims, one("rdfs:label", "text")]
    #: A label no source gives, translated by the curators (claimed by the source
    #: ``curator-translation``): a label that also says it is a translation.
    translated_label: Annotated[
        TextClaims, one("miikg:curatorTranslation", "text", also=("rdfs:label",))
    ] = []
    description: Annotated[TextClaims, one("dcterms:description", "text")] = []
    comment: Annotated[TextClaims, many("rdfs:comment", "text")] = []

    def rdf_types(self) -> tuple[str, ...]:
        """Return the CURIEs of the classes this record is an instance of."""
        return self.types


class Source(Strict):
    """Where claims come from: the paper (or a part of it), a report, a web page."""

    kind: ClassVar[str] = "source"
    segment: ClassVar[str] = "source"

    id: Id
    type: Literal["publication", "publication-part", "report", "web-page", "dataset"]
    title: Text
    citation: str | None = None
    url: Url | None = None
    doi: str | None = None
    part_of: Id | None = None
    locator: str | None = None
    date: Date | None = None
    status: Literal["verified", "verified-secondary", "seed-only", "unsure"] | None = None
    #: The language the source is written in (``dcterms:language``).
    language: Literal["en", "zh"] | None = None


class Scheme(Record):
    """A SKOS concept scheme (a code list)."""

    kind = "scheme"
    segment = "scheme"
    types = ("skos:ConceptScheme",)
    label: Annotated[TextClaims, one("rdfs:label", "text", also=("skos:prefLabel",))]
    definition: Annotated[TextClaims, one("skos:definition", "text")] = []
    #: Local name of the ontology class every concept of this scheme belongs to.
    member_class: str


class Concept(Record):
    """A SKOS concept in one of the schemes."""

    kind = "concept"
    segment = "concept"
    types = ("skos:Concept",)
    scheme: Annotated[Id, one("skos:inScheme", "ref", targets=("scheme",))]
    label: Annotated[TextClaims, one("rdfs:label", "text", also=("skos:prefLabel",))]
    definition: Annotated[TextClaims, one("skos:definition", "text")] = []
    notation: Annotated[StrClaims, one("skos:notation", "string")] = []
    position: Annotated[IntClaims, one("miikg:position", "integer")] = []
    broader: Annotated[IdClaims, many("skos:broader", "ref", targets=("concept",))] = []
    related: Annotated[IdClaims, many("skos:related", "ref")] = []
    common_to_all: Annotated[BoolClaims, one("miikg:commonToAll", "boolean")] = []
    meets_need: Annotated[
        IdClaims, many("miikg:meetsNeed", "ref", targets=("concept",), scheme="needs")
    ] = []
    need_of: Annotated[IdClaims, many("miikg:needOf", "ref", targets=ORG_LIKE)] = []


class Level(Concept):
    """A readiness level (MRL or TRL): a concept with a number."""

    kind = "level"
    level: Annotated[IntClaims, one("miikg:level", "integer")]
    corresponds_to: Annotated[
        IdClaims, many("miikg:roughlyCorrespondsTo", "ref", targets=("level",))
    ] = []


class Stage(Concept):
    """A stage of the innovation chain (paper Table 1)."""

    kind = "stage"
    min_mrl: Annotated[IntClaims, one("miikg:minMRL", "integer")] = []
    max_mrl: Annotated[IntClaims, one("miikg:maxMRL", "integer")] = []
    performers: Annotated[IdClaims, many("miikg:performer", "ref")] = []
    funders: Annotated[IdClaims, many("miikg:funder", "ref")] = []
    funded_activities: Annotated[
        IdClaims, many("miikg:fundedActivity", "ref", targets=("concept",))
    ] = []
    instruments: Annotated[
        IdClaims,
        many("miikg:instrument", "ref", targets=("concept",), scheme="contract-instruments"),
    ] = []
    mii_link: Annotated[TextClaims, one("miikg:miiLink", "text")] = []
    precedes: Annotated[IdClaims, one("miikg:precedes", "ref", targets=("stage",))] = []


class Phase(Concept):
    """A development phase of the institutes (paper §3) and its funding model."""

    kind = "phase"
    funding_model: Annotated[
        IdClaims, one("miikg:fundingModel", "ref", targets=("concept",), scheme="funding-models")
    ] = []
    instruments: Annotated[
        IdClaims,
        many("miikg:instrument", "ref", targets=("concept",), scheme="contract-instruments"),
    ] = []
    driver: Annotated[TextClaims, one("miikg:driver", "text")] = []
    dod_role: Annotated[TextClaims, one("miikg:dodRole", "text")] = []
    timing: Annotated[TextClaims, one("miikg:timing", "text")] = []
    funded_activities: Annotated[
        IdClaims, many("miikg:fundedActivity", "ref", targets=("concept",))
    ] = []
    precedes: Annotated[IdClaims, one("miikg:precedes", "ref", targets=("phase",))] = []


ORG_CLASSES: dict[str, tuple[str, ...]] = {
    "government-body": ("miikg:GovernmentBody", "org:FormalOrganization"),
    "office": ("miikg:Office", "org:OrganizationalUnit"),
    "coordinating-body": ("miikg:CoordinatingBody", "org:OrganizationalUnit"),
    "community": ("miikg:Community", "org:Organization"),
    "organization": ("miikg:Organization", "org:FormalOrganization"),
}


class Organization(Record):
    """Any organisation that is not an institute: DoD bodies, lead organisations, funders."""

    kind = "organization"
    segment = "organization"
    types = ()
    type: Literal["government-body", "office", "coordinating-body", "community", "organization"]
    short_name: Annotated[StrClaims, many("schema:alternateName", "string")] = []
    former_names: Annotated[TextClaims, many("miikg:formerName", "text")] = []
    alternative_names: Annotated[TextClaims, many("skos:altLabel", "text")] = []
    classification: Annotated[
        IdClaims, many("org:classification", "ref", targets=("concept",))
    ] = []
    parent: Annotated[IdClaims, one("org:subOrganizationOf", "ref", targets=ORG_LIKE)] = []
    founded: Annotated[DateClaims, one("schema:foundingDate", "date")] = []
    founded_by: Annotated[IdClaims, many("miikg:foundedBy", "ref", targets=ORG_LIKE)] = []
    city: Annotated[IdClaims, one("miikg:city", "ref", targets=("place",))] = []
    state: Annotated[IdClaims, one("miikg:state", "ref", targets=("place",))] = []
    website: Annotated[UrlClaims, many("schema:url", "iri")] = []
    same_as: Annotated[UrlClaims, many("schema:sameAs", "iri")] = []
    coordinates: Annotated[IdClaims, many("miikg:coordinates", "ref")] = []
    guides: Annotated[IdClaims, many("miikg:guides", "ref")] = []
    evaluates: Annotated[IdClaims, many("miikg:evaluates", "ref")] = []
    oversees: Annotated[IdClaims, many("miikg:oversees", "ref")] = []
    administers: Annotated[IdClaims, many("miikg:administers", "ref")] = []
    funds: Annotated[IdClaims, many("miikg:funds", "ref")] = []

    def rdf_types(self) -> tuple[str, ...]:
        return ORG_CLASSES[self.type]


class Institute(Record):
    """A manufacturing innovation institute (paper Table 2)."""

    kind = "institute"
    segment = "institute"
    types = ("miikg:Institute", "org:OrganizationalCollaboration")
    short_name: Annotated[StrClaims, many("schema:alternateName", "string")] = []
    former_names: Annotated[TextClaims, many("miikg:formerName", "text")] = []
    alternative_names: Annotated[TextClaims, many("skos:altLabel", "text")] = []
    founded: Annotated[DateClaims, one("schema:foundingDate", "date")] = []
    organizer: Annotated[IdClaims, one("miikg:organizer", "ref", targets=ORG_LIKE)] = []
    state: Annotated[IdClaims, one("miikg:state", "ref", targets=("place",))] = []
    city: Annotated[IdClaims, one("miikg:city", "ref", targets=("place",))] = []
    mission: Annotated[TextClaims, one("miikg:mission", "text")] = []
    technology_focus: Annotated[TextClaims, one("miikg:technologyFocus", "text")] = []
    website: Annotated[UrlClaims, many("schema:url", "iri")] = []
    managed_by: Annotated[IdClaims, many("miikg:managedBy", "ref", targets=ORG_LIKE)] = []
    sponsor: Annotated[IdClaims, many("miikg:sponsor", "ref", targets=ORG_LIKE)] = []
    part_of: Annotated[IdClaims, many("org:memberOf", "ref", targets=("programme",))] = []
    member_types: Annotated[
        IdClaims, many("miikg:hasMemberType", "ref", targets=("concept",), scheme="member-types")
    ] = []
    same_as: Annotated[UrlClaims, many("schema:sameAs", "iri")] = []


class Programme(Record):
    """A programme, initiative or network (ManTech, Manufacturing USA, the DoD MII network)."""

    kind = "programme"
    segment = "programme"
    types = ()
    type: Literal["programme", "network"]
    short_name: Annotated[StrClaims, many("schema:alternateName", "string")] = []
    former_names: Annotated[TextClaims, many("miikg:formerName", "text")] = []
    alternative_names: Annotated[TextClaims, many("skos:altLabel", "text")] = []
    part_of: Annotated[IdClaims, many("dcterms:isPartOf", "ref", targets=("programme",))] = []
    run_by: Annotated[IdClaims, many("miikg:runBy", "ref", targets=ORG_LIKE)] = []
    established: Annotated[DateClaims, one("schema:foundingDate", "date")] = []
    legal_basis: Annotated[TextClaims, one("miikg:legalBasis", "text")] = []
    purpose: Annotated[TextClaims, one("miikg:purpose", "text")] = []
    website: Annotated[UrlClaims, many("schema:url", "iri")] = []
    evaluated_by: Annotated[IdClaims, many("miikg:evaluatedBy", "ref", targets=ORG_LIKE)] = []
    links: Annotated[IdClaims, many("miikg:links", "ref", targets=("concept",))] = []
    fills: Annotated[IdClaims, many("miikg:fills", "ref", targets=("concept",))] = []
    integrates: Annotated[IdClaims, many("miikg:integrates", "ref", targets=("concept",))] = []
    pulled_by: Annotated[
        IdClaims, many("miikg:pulledBy", "ref", targets=("concept",), scheme="needs")
    ] = []

    def rdf_types(self) -> tuple[str, ...]:
        if self.type == "network":
            return ("miikg:Network", "org:OrganizationalCollaboration")
        return ("miikg:Programme",)


class Place(Record):
    """A country, state or city."""

    kind = "place"
    segment = "place"
    types = ()
    type: Literal["country", "state", "city"]
    within: Annotated[IdClaims, one("schema:containedInPlace", "ref", targets=("place",))] = []
    usps: Annotated[StrClaims, one("miikg:uspsCode", "string")] = []
    fips: Annotated[StrClaims, one("miikg:fipsCode", "string")] = []
    same_as: Annotated[UrlClaims, many("schema:sameAs", "iri")] = []

    def rdf_types(self) -> tuple[str, ...]:
        return {
            "country": ("schema:Country", "miikg:Place"),
            "state": ("schema:State", "miikg:Place"),
            "city": ("schema:City", "miikg:Place"),
        }[self.type]


class Agreement(Record):
    """An agreement that sets up or funds an institute (CA, TIA, OTA, …)."""

    kind = "agreement"
    segment = "agreement"
    types = ("miikg:Agreement",)
    institute: Annotated[IdClaims, one("miikg:agreementFor", "ref", targets=("institute",))]
    awardee: Annotated[IdClaims, one("miikg:awardee", "ref", targets=ORG_LIKE)] = []
    instrument: Annotated[
        IdClaims,
        one("miikg:instrument", "ref", targets=("concept",), scheme="contract-instruments"),
    ] = []
    managed_by: Annotated[IdClaims, many("miikg:managedBy", "ref", targets=ORG_LIKE)] = []
    date: Annotated[DateClaims, one("dcterms:date", "date")] = []
    number: Annotated[StrClaims, one("schema:identifier", "string")] = []
    establishing: Annotated[BoolClaims, one("miikg:establishing", "boolean")] = []
    term_years: Annotated[IntClaims, one("miikg:termYears", "integer")] = []


class Quantity(Record):
    """A figure with its unit, date and scope: money, a count, a share."""

    kind = "quantity"
    segment = "quantity"
    types = ("miikg:Quantity", "schema:QuantitativeValue")
    value: Annotated[DecimalClaims, one("schema:value", "decimal")]
    unit: Annotated[IdClaims, one("miikg:unit", "ref", targets=("concept",), scheme="units")]
    qualifier: Annotated[
        IdClaims, one("miikg:qualifier", "ref", targets=("concept",), scheme="amount-qualifiers")
    ] = []
    measure: Annotated[
        IdClaims, one("miikg:measure", "ref", targets=("concept",), scheme="measures")
    ] = []
    date: Annotated[DateClaims, one("dcterms:date", "date")] = []
    scope: Annotated[TextClaims, one("miikg:scope", "text")] = []
    about: Annotated[IdClaims, many("miikg:about", "ref")] = []
    funder: Annotated[IdClaims, many("miikg:funder", "ref")] = []
    recipient: Annotated[IdClaims, many("miikg:recipient", "ref")] = []


class Event(Record):
    """A dated event in an institute's life: award, opening, rename, continuation."""

    kind = "event"
    segment = "event"
    types = ("miikg:Event",)
    event_type: Annotated[
        IdClaims, one("miikg:eventType", "ref", targets=("concept",), scheme="event-types")
    ]
    about: Annotated[IdClaims, many("miikg:about", "ref")]
    date: Annotated[DateClaims, one("dcterms:date", "date")]
    former_name: Annotated[TextClaims, one("miikg:formerName", "text")] = []
    new_name: Annotated[TextClaims, one("miikg:newName", "text")] = []


class Effect(Record):
    """What one development phase does to one DoD strategic goal (paper §3)."""

    kind = "effect"
    segment = "effect"
    types = ("miikg:PhaseEffect",)
    phase: Annotated[IdClaims, one("miikg:phase", "ref", targets=("phase",))]
    goal: Annotated[
        IdClaims, one("miikg:goal", "ref", targets=("concept",), scheme="strategic-goals")
    ]
    direction: Annotated[
        IdClaims,
        one("miikg:direction", "ref", targets=("concept",), scheme="effect-directions"),
    ] = []


class RevenueArrangement(Record):
    """A row of paper Table 3: a DoD funder, what it pays for, and who does it."""

    kind = "revenue-arrangement"
    segment = "revenue-arrangement"
    types = ("miikg:RevenueArrangement",)
    funder: Annotated[IdClaims, one("miikg:funder", "ref")]
    activity: Annotated[TextClaims, one("miikg:activity", "text")]
    beneficiary: Annotated[TextClaims, one("miikg:beneficiary", "text")] = []
    position: Annotated[IntClaims, one("miikg:position", "integer")] = []


class RevenueStream(Record):
    """One revenue source within a Table 3 row, with its condition."""

    kind = "revenue-stream"
    segment = "revenue-stream"
    types = ("miikg:RevenueStream",)
    arrangement: Annotated[
        IdClaims, one("miikg:arrangement", "ref", targets=("revenue-arrangement",))
    ]
    revenue_source: Annotated[
        IdClaims,
        one("miikg:revenueSource", "ref", targets=("concept",), scheme="revenue-sources"),
    ]
    condition: Annotated[TextClaims, one("miikg:condition", "text")] = []
    position: Annotated[IntClaims, one("miikg:position", "integer")] = []


class Argument(Record):
    """A lesson the paper draws (§4) or a recommendation it makes (§5)."""

    kind = "argument"
    segment = "argument"
    types = ()
    type: Literal["lesson", "recommendation"]
    draws_on: Annotated[IdClaims, many("miikg:drawsOn", "ref")] = []
    based_on: Annotated[IdClaims, many("miikg:basedOn", "ref", targets=("argument",))] = []
    position: Annotated[IntClaims, one("miikg:position", "integer")] = []

    def rdf_types(self) -> tuple[str, ...]:
        return ("miikg:Lesson",) if self.type == "lesson" else ("miikg:Recommendation",)


class Disagreement(Record):
    """A point where the paper and the public record differ; both claims stay in the graph."""

    kind = "disagreement"
    segment = "disagreement"
    types = ("miikg:Disagreement",)
    concerns: Annotated[IdClaims, many("miikg:concerns", "ref")]
    on_property: Annotated[StrClaims, many("miikg:onProperty", "curie")] = []


#: Record kinds by kind name; the YAML file ``<name>.yaml`` (or ``<name>.<part>.yaml``)
#: holds records of that kind.
KINDS: dict[str, type[Record] | type[Source]] = {
    "sources": Source,
    "schemes": Scheme,
    "concepts": Concept,
    "levels": Level,
    "stages": Stage,
    "phases": Phase,
    "organizations": Organization,
    "institutes": Institute,
    "programmes": Programme,
    "places": Place,
    "agreements": Agreement,
    "quantities": Quantity,
    "events": Event,
    "effects": Effect,
    "revenue-arrangements": RevenueArrangement,
    "revenue-streams": RevenueStream,
    "arguments": Argument,
    "disagreements": Disagreement,
}
