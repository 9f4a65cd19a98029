"""What an entity page shows, read from the store starting at the entity's IRI.

Every lookup is bound to the entity (quad patterns with its IRI as subject or object, and
two queries of ``queries/pages/`` with ``?subject`` bound), so a page costs the same in
a store of ten thousand triples as in one of a million: nothing here scans the store.
Incoming links and a named graph's claims are read lazily and cut at a limit.

Claims are kept per source: each named graph is one source (``prov:wasDerivedFrom``), so
a value two sources give is one statement with two notes, and two values of a
single-valued property from different sources are both shown, marked as a conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from itertools import islice
from urllib.parse import urlsplit

import pyoxigraph as ox

from miikg.ontology.namespaces import BASE, GRAPH, ID, MIIKG, PREFIXES
from miikg.queries.run import run_query

__all__ = [
    "PAGE_PREFIXES",
    "Disagreement",
    "EntityData",
    "Incoming",
    "Note",
    "Statement",
    "Value",
    "entity_iris",
    "entity_triples",
    "has_entity",
    "is_http_iri",
    "label_map",
    "page_kind",
    "page_query",
    "read_entity",
]

#: The parts of the base IRI that have pages: ``/id/…``, ``/ontology/…``, ``/graph/…``.
PAGE_PREFIXES = (ID, MIIKG, GRAPH)
_RDF, _RDFS, _SKOS = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["skos"]
_DCT, _SCHEMA, _PROV, _OWL = (
    PREFIXES["dcterms"],
    PREFIXES["schema"],
    PREFIXES["prov"],
    PREFIXES["owl"],
)
TYPE = ox.NamedNode(_RDF + "type")
LABEL_PROPERTIES = tuple(
    ox.NamedNode(p)
    for p in (_RDFS + "label", _SKOS + "prefLabel", _DCT + "title", _SCHEMA + "name")
)
DESCRIPTION_PROPERTIES = tuple(
    ox.NamedNode(p)
    for p in (
        _SKOS + "definition",
        _DCT + "description",
        _SCHEMA + "description",
        _RDFS + "comment",
    )
)
DERIVED_FROM = ox.NamedNode(_PROV + "wasDerivedFrom")
LOCATOR = ox.NamedNode(MIIKG + "locator")
URL = ox.NamedNode(_SCHEMA + "url")
#: Shown as the notes of each claim, not as facts of their own.
SOURCE_LINK = ox.NamedNode(_DCT + "source")
#: Incoming links and graph claims shown at most (the rest are counted as "more").
INCOMING_LIMIT = 200
GRAPH_CLAIMS_LIMIT = 300
#: How a named graph is called after its source, in each language.
GRAPH_LABEL = {"en": "Claims of {source}", "zh": "{source}中的陈述"}
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


def is_http_iri(text: str) -> bool:
    """Tell whether *text* is an ``http(s)`` IRI, the only kind a page makes a link of.

    >>> is_http_iri("https://w3id.org/miikg/id/institute/mxd"), is_http_iri("javascript:x")
    (True, False)
    """
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def page_kind(iri: str) -> str | None:
    """Return ``id``, ``ontology`` or ``graph`` for an IRI that has a page, else None."""
    for prefix in PAGE_PREFIXES:
        if iri.startswith(prefix):
            return prefix[len(BASE) :].rstrip("/")
    return None


@dataclass(frozen=True)
class Value:
    """A term as a page shows it: its label (or lexical form) and what it is."""

    text: str
    iri: str | None = None
    lang: str = ""
    datatype: str = ""
    #: the IRI, for a node: the page links it only if it is http(s)
    is_node: bool = False


@dataclass(frozen=True)
class Note:
    """A numbered source note: the source (or graph) a claim comes from."""

    number: int
    iri: str
    graph: str
    label: str
    locator: str = ""
    url: str = ""


@dataclass(frozen=True)
class Statement:
    """One value of one property, with the notes of every source that gives it."""

    property: Value
    value: Value
    notes: tuple[int, ...]
    conflict: bool = False


@dataclass(frozen=True)
class Incoming:
    """A link from another entity to this one."""

    subject: Value
    property: Value
    notes: tuple[int, ...]


@dataclass(frozen=True)
class Disagreement:
    """A curated disagreement about the entity: the property and the competing claims."""

    iri: str
    label: str
    property: Value
    claims: tuple[tuple[Value, tuple[int, ...]], ...]


@dataclass(frozen=True)
class EntityData:
    """Everything one page shows about one IRI, in one language."""

    iri: str
    lang: str
    label: str
    description: str
    types: tuple[Value, ...]
    statements: tuple[Statement, ...]
    incoming: tuple[Incoming, ...]
    incoming_more: bool
    notes: tuple[Note, ...]
    disagreements: tuple[Disagreement, ...]
    #: for a named graph: claims it holds (subject, property, value)
    graph_claims: tuple[tuple[Value, Value, Value], ...] = ()
    graph_claims_more: bool = False
    conflicts: int = 0
    alternates: dict[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """Return the part of the base IRI the entity lives in (``id``, ``ontology``, ``graph``)."""
        return page_kind(self.iri) or "id"


@cache
def page_query(name: str) -> str:
    folder = resources.files("miikg.queries").joinpath("pages")
    return folder.joinpath(f"{name}.rq").read_text(encoding="utf-8")


def curie(iri: str) -> str:
    """Shorten *iri* with the project's prefixes."""
    for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base) and iri != base:
            return f"{prefix}:{iri[len(base) :]}"
    return iri


class _Labels:
    """Labels of nodes in one language, read once per node (from the merged default graph)."""

    def __init__(self, store: ox.Store, lang: str) -> None:
        self.store = store
        self.lang = lang
        self._seen: dict[str, str] = {}

    def literal(self, subject: str, properties: Iterable[ox.NamedNode]) -> str:
        """Return the first literal in the page's language, else untagged or English, else any."""
        node = ox.NamedNode(subject)
        fallback: tuple[int, str] | None = None
        for prop in properties:
            for quad in self.store.quads_for_pattern(node, prop, None, ox.DefaultGraph()):
                obj = quad.object
                if not isinstance(obj, ox.Literal):
                    continue
                if obj.language == self.lang:
                    return obj.value
                rank = 0 if obj.language in {"", None, "en"} else 1
                if fallback is None or rank < fallback[0]:
                    fallback = (rank, obj.value)
        return fallback[1] if fallback else ""

    def __call__(self, iri: str) -> str:
        if iri not in self._seen:
            try:
                found = self.literal(iri, LABEL_PROPERTIES)
                if not found and iri.startswith(GRAPH):
                    found = self._graph_label(iri)
            except ValueError:
                found = ""
            self._seen[iri] = found or curie(iri)
        return self._seen[iri]

    def _graph_label(self, graph: str) -> str:
        """A named graph has no label of its own: name it after its source."""
        for quad in self.store.quads_for_pattern(ox.NamedNode(graph), DERIVED_FROM, None, None):
            if isinstance(quad.object, ox.NamedNode):
                source = self.literal(quad.object.value, LABEL_PROPERTIES)
                if source:
                    return GRAPH_LABEL[self.lang].format(source=source)
        return ""

    def value(self, term: Term) -> Value:
        if isinstance(term, ox.NamedNode):
            return Value(self(term.value), term.value, is_node=True)
        if isinstance(term, ox.BlankNode):
            return Value(f"_:{term.value}")
        if isinstance(term, ox.Triple):
            return Value(str(term))
        datatype = term.datatype.value if term.datatype else ""
        if term.language or datatype == PREFIXES["xsd"] + "string":
            datatype = ""
        return Value(term.value, lang=term.language or "", datatype=curie(datatype))


class _Notes:
    """Numbered notes, one per source (or per graph where no source is declared)."""

    def __init__(self, store: ox.Store, labels: _Labels) -> None:
        self.store = store
        self.labels = labels
        self.by_graph: dict[str, Note] = {}
        self.by_source: dict[str, Note] = {}

    def source_of(self, graph: str) -> str:
        for quad in self.store.quads_for_pattern(ox.NamedNode(graph), DERIVED_FROM, None, None):
            if isinstance(quad.object, ox.NamedNode):
                return quad.object.value
        return graph

    def number(self, graph: str) -> int:
        """Return the note number of the source of *graph* (the graph itself if it has none)."""
        if graph not in self.by_graph:
            self.by_graph[graph] = self.note_for(self.source_of(graph), graph)
        return self.by_graph[graph].number

    def note_for(self, source: str, graph: str = "") -> Note:
        """Return the note of *source*, numbered on first use."""
        note = self.by_source.get(source)
        if note is None:
            locator = self.labels.literal(source, (LOCATOR,))
            url = ""
            for quad in self.store.quads_for_pattern(ox.NamedNode(source), URL, None, None):
                obj = quad.object
                if isinstance(obj, ox.NamedNode | ox.Literal) and is_http_iri(obj.value):
                    url = obj.value
                    break
            note = Note(len(self.by_source) + 1, source, graph, self.labels(source), locator, url)
            self.by_source[source] = note
        return note

    def all(self) -> tuple[Note, ...]:
        return tuple(sorted(self.by_source.values(), key=lambda n: n.number))


def _claims(quads: Iterator[ox.Quad]) -> Iterator[ox.Quad]:
    """Quads of named graphs only: the default graph is their merge and has no source."""
    return (q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph))


def _keep_literal(term: Term, lang: str, others: set[str]) -> bool:
    """Keep literals in *lang* or without language; others only when nothing else exists."""
    if not isinstance(term, ox.Literal) or not term.language:
        return True
    return term.language == lang or lang not in others


def has_entity(store: ox.Store, iri: str) -> bool:
    """Tell whether the store mentions *iri*: as a subject, an object or a graph name."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    patterns = (
        store.quads_for_pattern(node, None, None, None),
        store.quads_for_pattern(None, None, node, None),
        store.quads_for_pattern(None, None, None, node),
    )
    return any(next(iter(found), None) is not None for found in patterns)


def entity_triples(store: ox.Store, iri: str) -> list[ox.Triple]:
    """Return the triples of the merged default graph with *iri* as subject, sorted."""
    node = ox.NamedNode(iri)
    found = store.quads_for_pattern(node, None, None, ox.DefaultGraph())
    return sorted((q.triple for q in found), key=str)


def _conflicts(store: ox.Store, iri: str) -> set[tuple[str, str]]:
    result = run_query(store, page_query("conflicts"), {"subject": ox.NamedNode(iri)})
    return {(row.text("property"), str(row["value"])) for row in result}


def _disagreements(store: ox.Store, iri: str, labels: _Labels, notes: _Notes) -> list[Disagreement]:
    result = run_query(store, page_query("disagreements"), {"subject": ox.NamedNode(iri)})
    grouped: dict[str, dict[str, object]] = {}
    for row in result:
        entry = grouped.setdefault(
            row.text("disagreement"), {"property": row.text("property"), "claims": {}}
        )
        value = row["value"]
        assert value is not None and not isinstance(value, ox.Triple)
        claims: dict[Value, list[int]] = entry["claims"]  # type: ignore[assignment]
        number = notes.note_for(row.text("source")).number
        numbers = claims.setdefault(labels.value(value), [])
        if number not in numbers:
            numbers.append(number)
    out = []
    for d_iri, entry in grouped.items():
        prop = str(entry["property"])
        claims = entry["claims"]  # type: ignore[assignment]
        out.append(
            Disagreement(
                d_iri,
                labels(d_iri),
                Value(labels(prop), prop, is_node=True),
                tuple((v, tuple(sorted(n))) for v, n in claims.items()),
            )
        )
    return out


def read_entity(store: ox.Store, iri: str, *, lang: str = "en") -> EntityData | None:
    """Read what the page of *iri* shows, in *lang*; None if the store says nothing of it."""
    if not has_entity(store, iri):
        return None
    node = ox.NamedNode(iri)
    labels = _Labels(store, lang)
    notes = _Notes(store, labels)
    conflicts = _conflicts(store, iri)

    outgoing = list(_claims(iter(store.quads_for_pattern(node, None, None, None))))
    languages: dict[str, set[str]] = {}
    for q in outgoing:
        if isinstance(q.object, ox.Literal) and q.object.language:
            languages.setdefault(q.predicate.value, set()).add(q.object.language)
    grouped: dict[tuple[str, str], tuple[ox.Quad, list[int]]] = {}
    types: dict[str, Value] = {}
    for q in sorted(outgoing, key=lambda q: (q.predicate.value, str(q.object), str(q.graph_name))):
        if q.predicate == SOURCE_LINK:
            continue
        if not _keep_literal(q.object, lang, languages.get(q.predicate.value, set())):
            continue
        if q.predicate == TYPE and isinstance(q.object, ox.NamedNode):
            types.setdefault(q.object.value, labels.value(q.object))
        key = (q.predicate.value, str(q.object))
        entry = grouped.setdefault(key, (q, []))
        number = notes.number(q.graph_name.value)  # type: ignore[union-attr]
        if number not in entry[1]:
            entry[1].append(number)
    statements = tuple(
        Statement(
            labels.value(q.predicate),
            labels.value(q.object),
            tuple(sorted(numbers)),
            (q.predicate.value, str(q.object)) in conflicts,
        )
        for q, numbers in grouped.values()
    )

    incoming: dict[tuple[str, str], tuple[ox.Quad, list[int]]] = {}
    more = False
    for q in _claims(iter(store.quads_for_pattern(None, None, node, None))):
        key = (str(q.subject), q.predicate.value)
        if key not in incoming and len(incoming) >= INCOMING_LIMIT:
            more = True
            break
        entry = incoming.setdefault(key, (q, []))
        number = notes.number(q.graph_name.value)  # type: ignore[union-attr]
        if number not in entry[1]:
            entry[1].append(number)
    links = sorted(
        (
            Incoming(labels.value(q.subject), labels.value(q.predicate), tuple(sorted(n)))
            for q, n in incoming.values()
        ),
        key=lambda i: (i.property.text, i.subject.text),
    )

    graph_claims: list[tuple[Value, Value, Value]] = []
    graph_more = False
    if iri.startswith(GRAPH):
        found = store.quads_for_pattern(None, None, None, node)
        for q in islice(found, GRAPH_CLAIMS_LIMIT + 1):
            if len(graph_claims) == GRAPH_CLAIMS_LIMIT:
                graph_more = True
                break
            graph_claims.append(
                (labels.value(q.subject), labels.value(q.predicate), labels.value(q.object))
            )

    disagreements = tuple(_disagreements(store, iri, labels, notes))
    return EntityData(
        iri=iri,
        lang=lang,
        label=labels(iri),
        description=labels.literal(iri, DESCRIPTION_PROPERTIES),
        types=tuple(types.values()),
        statements=statements,
        incoming=tuple(links),
        incoming_more=more,
        notes=notes.all(),
        disagreements=disagreements,
        graph_claims=tuple(graph_claims),
        graph_claims_more=graph_more,
        conflicts=len(conflicts),
    )


def entity_iris(store: ox.Store) -> list[str]:
    """Return every IRI under the base that the store mentions (sorted).

    Subjects, objects and graph names: each has a page. This one scans the store; it is
    for writing the static site, not for serving a page.
    """
    found: set[str] = set()
    for quad in store.quads_for_pattern(None, None, None, None):
        for term in (quad.subject, quad.object, quad.graph_name):
            if isinstance(term, ox.NamedNode) and page_kind(term.value) is not None:
                found.add(term.value)
    return sorted(found)


def label_map(store: ox.Store, iris: Iterable[str], *, lang: str = "en") -> dict[str, str]:
    """Return the label of each IRI in *lang* (its CURIE where it has none)."""
    labels = _Labels(store, lang)
    return {iri: labels(iri) for iri in iris}
