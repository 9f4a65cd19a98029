"""Match outside names and identifiers to the graph's institutes and organisations.

Identifiers decide first (a UEI or other ``schema:identifier``, an agreement's award
number, a Wikidata QID); names only when no identifier is known. A name is compared with
every label, short name and former name in en and zh, after :func:`normalise`. Below
:data:`THRESHOLD` nothing is linked, and when the two best entities score within
:data:`MARGIN` of each other the result is ambiguous: a wrong link is worse than none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import pyoxigraph as ox

from miikg.linking.normalise import is_chinese, normalise

__all__ = [
    "MARGIN",
    "THRESHOLD",
    "Candidate",
    "Match",
    "Reconciler",
    "importing_query",
    "name_score",
]

#: The lowest score that links a name.
THRESHOLD = 0.85
#: Two entities scoring within this of each other make the result ambiguous.
MARGIN = 0.05
#: Names this short (acronyms) must match exactly; a near miss says nothing ("ARM"/"AIM").
_SHORT = 5
_PARENTHESIS = re.compile(r"\s*[（(]([^()（）]+)[)）]\s*")
_DASH = re.compile(r"\s+[–—-]\s+")

Status = Literal["matched", "ambiguous", "unmatched"]
Method = Literal["identifier", "name"]


@cache
def importing_query(name: str) -> str:
    """Return the text of ``queries/importing/<name>.rq`` (not part of the catalogue)."""
    folder = resources.files("miikg.queries").joinpath("importing")
    return folder.joinpath(f"{name}.rq").read_text(encoding="utf-8")


@dataclass(frozen=True)
class Candidate:
    """One entity a query could mean, with how it was found and how well it fits."""

    entity: str
    score: float
    method: Method
    #: The graph's name (or identifier) that fits best.
    evidence: str


@dataclass(frozen=True)
class Match:
    """The outcome for one name: matched (one entity), ambiguous, or unmatched."""

    query: str
    status: Status
    candidates: tuple[Candidate, ...] = ()

    @property
    def entity(self) -> str | None:
        """Return the linked entity's IRI, only when matched."""
        return self.candidates[0].entity if self.status == "matched" else None

    @property
    def score(self) -> float:
        """Return the best candidate's score (0 when there is none)."""
        return self.candidates[0].score if self.candidates else 0.0


def name_variants(name: str) -> set[str]:
    """Return *name* plus the forms it contains: a parenthesised acronym, the part before it.

    >>> sorted(name_variants("Massachusetts Institute of Technology (MIT)"))
    ['MIT', 'Massachusetts Institute of Technology', 'Massachusetts Institute of Technology (MIT)']
    """
    found = {name}
    for inner in _PARENTHESIS.findall(name):
        found.add(inner.strip())
    bare = _PARENTHESIS.sub(" ", name).strip()
    if bare:
        found.add(bare)
    found.update(part.strip() for part in _DASH.split(bare, maxsplit=1) if part.strip())
    return found


def name_score(a: str, b: str) -> float:
    """Return how alike two normalised names are, in [0, 1] (1 only when equal)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if is_chinese(a) != is_chinese(b):
        return 0.0
    ratio = SequenceMatcher(None, a, b, autojunk=False).ratio()
    if not is_chinese(a):
        ordered = SequenceMatcher(
            None, " ".join(sorted(a.split())), " ".join(sorted(b.split())), autojunk=False
        ).ratio()
        ratio = max(ratio, ordered)
    if min(len(a), len(b)) <= _SHORT:
        ratio *= 0.5
    return min(ratio, 0.99)


@dataclass
class Reconciler:
    """Names and identifiers of the graph's entities, and the rule that matches against them.

    :param names: ``(entity IRI, name)`` pairs; variants (acronyms in parentheses) are added.
    :param identifiers: identifier value → the entities it names.
    """

    names: Iterable[tuple[str, str]]
    identifiers: Mapping[str, Iterable[str]] = field(default_factory=dict)
    threshold: float = THRESHOLD
    margin: float = MARGIN
    #: Award number → the agreement that carries it (and its awardee, if any).
    agreements: Mapping[str, tuple[str, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        index: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for entity, name in self.names:
            for variant in name_variants(name):
                if key := normalise(variant):
                    index[key].add((entity, variant))
        self._index = {key: sorted(value) for key, value in index.items()}
        self._ids = {
            _id_key(value): tuple(sorted(set(entities)))
            for value, entities in self.identifiers.items()
        }

    @classmethod
    def from_store(cls, store: ox.Store, **options: float) -> Reconciler:
        """Read candidates and identifiers from the default graph of *store*."""
        names = [
            (_value(row["entity"]), _value(row["name"]))
            for row in _select(store, importing_query("candidates"))
        ]
        identifiers: dict[str, set[str]] = defaultdict(set)
        agreements: dict[str, tuple[str, str | None]] = {}
        for row in _select(store, importing_query("identifiers")):
            value = _value(row["value"])
            identifiers[value].add(_value(row["entity"]))
            if row["agreement"] is not None:
                awardee = row["awardee"]
                agreements[_id_key(value)] = (
                    _value(row["agreement"]),
                    _value(awardee) if awardee is not None else None,
                )
        return cls(names, identifiers, agreements=agreements, **options)

    @classmethod
    def from_home(cls, home: Path | None = None, **options: float) -> Reconciler:
        """Read candidates from the current build under *home* (read-only)."""
        from miikg.graph_builder.store import open_store

        return cls.from_store(open_store(home), **options)

    def by_identifier(self, value: str) -> tuple[str, ...]:
        """Return the entities *value* identifies (none, one, or several)."""
        return self._ids.get(_id_key(value), ())

    def agreement(self, value: str) -> tuple[str, str | None] | None:
        """Return the agreement numbered *value* and its awardee, if the graph has it."""
        return self.agreements.get(_id_key(value))

    def reconcile(self, name: str | None, *, identifiers: Sequence[str | None] = ()) -> Match:
        """Match one outside record: the first identifier the graph knows decides, else the name.

        >>> r = Reconciler([("mid:a", "UI LABS"), ("mid:b", "MxD")], {"Q1": ["mid:b"]})
        >>> r.reconcile("UI Labs, Inc.").entity
        'mid:a'
        >>> r.reconcile("anything", identifiers=["Q1"]).entity
        'mid:b'
        >>> r.reconcile("Nobody at all").status
        'unmatched'
        """
        query = (name or "").strip()
        for value in identifiers:
            if not value or not value.strip():
                continue
            entities = self.by_identifier(value)
            if entities:
                found = tuple(Candidate(e, 1.0, "identifier", value.strip()) for e in entities)
                status: Status = "matched" if len(found) == 1 else "ambiguous"
                return Match(query or value.strip(), status, found)
        return self._by_name(query)

    def _by_name(self, query: str) -> Match:
        key = normalise(query)
        best: dict[str, Candidate] = {}
        if key in self._index:
            for entity, variant in self._index[key]:
                best[entity] = Candidate(entity, 1.0, "name", variant)
        else:
            for other, pairs in self._index.items():
                score = name_score(key, other)
                if score <= 0:
                    continue
                for entity, variant in pairs:
                    known = best.get(entity)
                    # Equal scores keep the smallest variant, whatever order names came in.
                    if known is None or (round(score, 3), known.evidence) > (
                        known.score,
                        variant,
                    ):
                        best[entity] = Candidate(entity, round(score, 3), "name", variant)
        ranked = tuple(sorted(best.values(), key=lambda c: (-c.score, c.entity)))[:5]
        if not ranked or ranked[0].score < self.threshold:
            return Match(query, "unmatched", ranked)
        if len(ranked) > 1 and ranked[1].score >= ranked[0].score - self.margin:
            return Match(query, "ambiguous", ranked)
        return Match(query, "matched", ranked)


def _id_key(value: str) -> str:
    return value.strip().upper()


def _value(term: object) -> str:
    return str(getattr(term, "value", term))


def _select(store: ox.Store, text: str) -> list[ox.QuerySolution]:
    result = store.query(text)
    assert isinstance(result, ox.QuerySolutions)
    return list(result)
