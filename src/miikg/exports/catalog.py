"""What the network projections read from the store: a view's edges, and the nodes they touch.

Each view's edges come from its own named query (``network-governance`` …), which reads
the predicates and classes that view draws and nothing else: the governance view never
reads an agreement, an award or an amount. A node's labels, class, position and facts
are read when the projection first asks for them, from the node's IRI (index lookups),
so a projection reads what it shows, whatever else the store holds. A facet (stage,
instrument, phase) is read from the facet value's side: the edges of any view that touch
it, with the value bound.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import pyoxigraph as ox

from miikg.ontology.namespaces import ID, MIIKG, PREFIXES
from miikg.queries import catalogue
from miikg.queries.run import Engine, run_named

__all__ = ["BASE_VIEWS", "Catalog", "Fact", "SourceInfo", "merge_edges", "read_catalog"]

#: The views with a query of their own; ``all`` is their union.
BASE_VIEWS = ("governance", "agreements", "chain", "membership", "network")
SOURCE_PREFIX = ID + "source/"
_DEFAULT = ox.DefaultGraph()
_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
_DERIVED_FROM = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
_SOURCE_LINK = PREFIXES["dcterms"] + "source"
_SOURCE_CLASS = ox.NamedNode(MIIKG + "Source")
_NUMBERS = {"position": ox.NamedNode(MIIKG + "position"), "level": ox.NamedNode(MIIKG + "level")}

Edges = dict[tuple[str, str, str], set[str]]
V = TypeVar("V")


@dataclass(frozen=True)
class SourceInfo:
    """A source as the network shows it: its id, labels, locator, URL, paper or not."""

    id: str
    en: str
    zh: str
    locator: str
    url: str
    is_paper: bool


@dataclass(frozen=True)
class Fact:
    """One statement about a node: property, value (IRI or text), language, sources."""

    property: str
    value: str
    is_iri: bool
    lang: str
    sources: tuple[str, ...]


class _Lazy(Mapping[str, V], Generic[V]):
    """A mapping read from the store one key at a time, when first asked for.

    Iterating it (``items()``) reads every key *every* names: a whole-store read, which
    only the print figures need.
    """

    def __init__(self, load: Callable[[str], V | None], every: Callable[[], Iterable[str]]):
        self._load = load
        self._every = every
        self._cache: dict[str, V | None] = {}

    def __getitem__(self, key: str) -> V:
        if key not in self._cache:
            self._cache[key] = self._load(key)
        found = self._cache[key]
        if found is None:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(k for k in set(self._every()) if k in self))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


def _source_id(iri: str) -> str:
    return iri.removeprefix(SOURCE_PREFIX)


class Catalog:
    """What the projections need from the store, read as they ask for it."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        #: Each labelled thing's English and Chinese label ("" where it has none).
        self.labels: Mapping[str, dict[str, str]] = _Lazy(self._labels_of, self._labelled)
        #: Each node's miikg class (its kind in the views).
        self.classes: Mapping[str, str] = _Lazy(self._class_of, self._typed)
        #: Each node's position or level, where it has one.
        self.numbers: Mapping[str, dict[str, int]] = _Lazy(self._numbers_of, self._typed)
        #: Each node's statements, with the sources that make each.
        self.facts: Mapping[str, list[Fact]] = _Lazy(self._facts_of, self._typed)
        self._sources: dict[str, SourceInfo] | None = None
        self._graph_sources: dict[str, list[str]] | None = None
        self._edges: dict[str, Edges] = {}
        self._near: dict[tuple[str, str, str], Edges] = {}

    @property
    def views_read(self) -> tuple[str, ...]:
        """The views whose edges were read whole (what a projection asked for)."""
        return tuple(v for v in BASE_VIEWS if v in self._edges)

    @property
    def facts_read(self) -> set[str]:
        """The nodes whose statements were read."""
        assert isinstance(self.facts, _Lazy)
        return set(self.facts._cache)

    # -- edges -----------------------------------------------------------------------------

    def edges(self, view: str) -> Edges:
        """Return the edges of *view* (``all``: of every view): (s, p, o) → source ids."""
        if view == "all":
            merged: Edges = {}
            for base in BASE_VIEWS:
                merge_edges(merged, self.edges(base))
            return merged
        if view not in self._edges:
            self._edges[view] = _edges(self.store, catalogue()[f"network-{view}"].text)
        return self._edges[view]

    def edges_near(
        self, node: str, view: str, sides: tuple[str, ...] = ("subject", "object")
    ) -> Edges:
        """Return the edges of *view* (``all``: of every view) with *node* at one of *sides*.

        Read with *node* bound (index lookups), unless the view was already read whole: a
        node's edges cost what the node has, whatever else the store holds.
        """
        found: Edges = {}
        for base in BASE_VIEWS if view == "all" else (view,):
            for side in sides:
                key = (base, side, node)
                if key not in self._near:
                    if base in self._edges:
                        at = 0 if side == "subject" else 2
                        self._near[key] = {
                            e: s for e, s in self._edges[base].items() if e[at] == node
                        }
                    else:
                        text = catalogue()[f"network-{base}"].text
                        self._near[key] = _edges(self.store, text, {side: node})
                merge_edges(found, self._near[key])
        return found

    def neighbours(self, node: str) -> set[str]:
        """Return what the edges of any view link to *node*, read from *node*'s side."""
        return {o if s == node else s for s, _, o in self.edges_near(node, "all")}

    def instances(self, cls: str) -> list[str]:
        """Return the nodes whose class is *cls* (a facet's values: a few concepts)."""
        found = {
            q.subject.value
            for q in self.store.quads_for_pattern(None, _TYPE, ox.NamedNode(cls), _DEFAULT)
            if isinstance(q.subject, ox.NamedNode)
        }
        return sorted(n for n in found if self.classes.get(n) == cls)

    # -- sources ---------------------------------------------------------------------------

    @property
    def sources(self) -> dict[str, SourceInfo]:
        """Every source (and imported file), by id (a few hundred, read once)."""
        if self._sources is None:
            self._sources = {}
            for row in run_named(self.store, "network-sources"):
                iri = row.text("source")
                names = self.labels.get(iri, {})
                locator = row.text("locator")
                self._sources[_source_id(iri)] = SourceInfo(
                    id=_source_id(iri),
                    # An imported file has no label of its own: its name says what it is.
                    en=names.get("en") or f"Imported file {locator}",
                    zh=names.get("zh") or f"导入的文件 {locator}",
                    locator=locator,
                    url=row.text("url"),
                    # Virtuoso answers a boolean as 1 or 0
                    is_paper=row.text("paper") in {"true", "1"},
                )
        return self._sources

    def _sources_of(self, graph: str) -> list[str]:
        if self._graph_sources is None:
            self._graph_sources = {}
            for q in self.store.quads_for_pattern(None, _DERIVED_FROM, None, _DEFAULT):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                    self._graph_sources.setdefault(q.subject.value, []).append(q.object.value)
        return self._graph_sources.get(graph, [])

    # -- one node at a time ----------------------------------------------------------------

    def _labels_of(self, iri: str) -> dict[str, str] | None:
        found: dict[str, str] = {}
        for q in self.store.quads_for_pattern(ox.NamedNode(iri), _LABEL, None, _DEFAULT):
            if isinstance(q.object, ox.Literal):
                found.setdefault(q.object.language or "", q.object.value)
        if not found:
            return None
        return {"en": found.get("en", ""), "zh": found.get("zh", "")}

    def _class_of(self, iri: str) -> str | None:
        """The node's smallest miikg class, for an entity that has a label and is no source."""
        if not iri.startswith(ID) or self.labels.get(iri) is None:
            return None
        types = {
            q.object.value
            for q in self.store.quads_for_pattern(ox.NamedNode(iri), _TYPE, None, _DEFAULT)
            if isinstance(q.object, ox.NamedNode)
        }
        if _SOURCE_CLASS.value in types:
            return None
        return min((t for t in types if t.startswith(MIIKG)), default=None)

    def _numbers_of(self, iri: str) -> dict[str, int] | None:
        if self.classes.get(iri) is None:
            return None
        found = {}
        for name, predicate in _NUMBERS.items():
            for q in self.store.quads_for_pattern(ox.NamedNode(iri), predicate, None, _DEFAULT):
                if isinstance(q.object, ox.Literal):
                    found[name] = int(q.object.value)
                    break
        return found or None

    def _facts_of(self, iri: str) -> list[Fact] | None:
        """Every statement a source makes about *iri*, the source links themselves left out."""
        if not iri.startswith(ID):
            return None
        grouped: dict[tuple[str, str, bool, str], set[str]] = {}
        for q in self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None):
            graph, prop, value = q.graph_name, q.predicate.value, q.object
            if isinstance(graph, ox.DefaultGraph) or prop == _SOURCE_LINK:
                continue
            sources = self._sources_of(graph.value)
            if not sources or not isinstance(value, ox.NamedNode | ox.Literal):
                continue
            lang = value.language or "" if isinstance(value, ox.Literal) else ""
            key = (prop, value.value, isinstance(value, ox.NamedNode), lang)
            grouped.setdefault(key, set()).update(_source_id(s) for s in sources)
        facts = [
            Fact(prop, text, is_iri, lang, tuple(sorted(sids)))
            for (prop, text, is_iri, lang), sids in sorted(grouped.items())
        ]
        return facts or None

    # -- what iterating reads (the print figures only) -------------------------------------

    def _typed(self) -> Iterable[str]:
        for q in self.store.quads_for_pattern(None, _TYPE, None, _DEFAULT):
            if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ID):
                yield q.subject.value

    def _labelled(self) -> Iterable[str]:
        for q in self.store.quads_for_pattern(None, _LABEL, None, _DEFAULT):
            if isinstance(q.subject, ox.NamedNode):
                yield q.subject.value


def merge_edges(into: Edges, edges: Edges) -> None:
    """Add *edges* to *into*, the sources of an edge in both joined."""
    for edge, sources in edges.items():
        into.setdefault(edge, set()).update(sources)


def _edges(store: ox.Store, text: str, bound: dict[str, str] | None = None) -> Edges:
    """Run an edge query (with *bound* terms) and return (s, p, o) → source ids.

    The solutions are read straight from pyoxigraph: a view of the whole store can have
    tens of thousands of edges.
    """
    bound = bound or {}
    solutions = store.query(
        text, substitutions={ox.Variable(k): ox.NamedNode(v) for k, v in bound.items()}
    )
    assert isinstance(solutions, ox.QuerySolutions)
    edges: Edges = {}
    for row in solutions:
        s, p, o, source = (row[v] for v in ("subject", "predicate", "object", "source"))
        key = (
            bound.get("subject") or _text(s),
            _text(p),
            bound.get("object") or _text(o),
        )
        edges.setdefault(key, set()).add(_source_id(_text(source)))
    return edges


def _text(term: object) -> str:
    return term.value if isinstance(term, ox.NamedNode | ox.Literal) else ""


def read_catalog(store: Engine) -> Catalog:
    """Return the catalogue of *store*; nothing is read until a projection asks.

    Read from an endpoint, the catalogue reads a copy of every graph the push wrote
    (:meth:`~miikg.queries.remote.RemoteStore.snapshot`, one read per graph): a projection
    reads node by node, which over the network would be a request per node.
    """
    from miikg.queries.remote import RemoteStore

    if isinstance(store, RemoteStore):
        return Catalog(store.snapshot())
    if not isinstance(store, ox.Store):
        raise TypeError(f"the network is read from a pyoxigraph store, not {type(store)}")
    return Catalog(store)
