"""One forgiving lookup: what a person types → the entity they mean.

``describe``, every ``iri`` query parameter and ``network path`` go through
:func:`resolve`. It tries, in order:

1. an IRI, or a CURIE with one of the project's prefixes (``mid:institute/mxd``);
2. an id (``america-makes``);
3. a name the graph gives the entity: label in en or zh, short name, former name,
   alternative label, notation (``CA``, ``TIA``, ``MRL 4``), compared after folding case,
   width (``ＭｘＤ``), spacing and script (traditional → simplified, by OpenCC);
4. the parts of a name (``Carnegie Mellon University`` and ``CMU`` of
   ``Carnegie Mellon University (CMU)``);
5. fuzzy matching (rapidfuzz): a clear winner is taken, otherwise the closest names are
   offered ("did you mean …").

Several entities with the same name are an ambiguity: the error lists them. The names
come from :func:`gather_names`, which reads every one from the store, or from a
:class:`NameLookup` (the build's name index, :mod:`miikg.name_index`), which finds the
names of one folded key and the few keys near it without reading the others: both give
the same keys (:func:`name_rows`), so both find the same entities.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, Protocol

import pyoxigraph as ox

from miikg.errors import NotFoundError
from miikg.ontology.namespaces import ID, PREFIXES

__all__ = [
    "ID_KEY",
    "NAME_KEY",
    "PART_KEY",
    "Name",
    "NameLookup",
    "Resolution",
    "fold",
    "fold_all",
    "gather_names",
    "name_rows",
    "resolve",
    "suggest",
]

#: The lowest rapidfuzz score (0–100) a name needs to be offered as "did you mean".
SUGGEST_AT = 70.0
#: A fuzzy match is taken without asking only at or above this score, and only when the
#: next entity scores at least :data:`MARGIN` lower.
TAKE_AT = 90.0
MARGIN = 6.0
#: Names this short (acronyms, codes) are never matched fuzzily, only offered.
_SHORT = 4
_PARENTHESIS = re.compile(r"\s*[（(]([^()（）]+)[)）]\s*")
_DASH = re.compile(r"\s+[–—-]\s+")
_SPACE = re.compile(r"\s+")
_SPACE_IN_LINE = re.compile(r"[^\S\n]+")
#: What a name with parts has (see _parts); most names have none of these.
_PART_MARKS = re.compile(r"[(（\-–—]")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])")
#: Quotation marks around a name (“制造美国”, 《…》) are not part of it.
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』《》〈〉")
_QUOTE_MARKS = re.compile("[\"'“”‘’「」『』《》〈〉]")
#: "美国" (United States) before a Chinese name: the paper often leaves it out.
_US_ZH = "美国"
#: The IRI path segments of curated records (``…/id/<segment>/<id>``), most looked-up
#: first; graph_builder.models names them (a test keeps the two alike). An id is tried
#: under each before any name is gathered: the common case costs a few index lookups.
SEGMENTS = (
    "institute", "organization", "concept", "place", "programme", "scheme", "agreement",
    "quantity", "event", "effect", "revenue-arrangement", "revenue-stream", "argument",
    "disagreement", "source",
)  # fmt: skip
#: Kinds of record a person looks up by name; the others (sources, events, figures,
#: agreements, disagreements) come after them among equally close names.
_THINGS = ("institute/", "organization/", "concept/", "place/", "programme/", "scheme/")

How = Literal["iri", "id", "name", "part", "fuzzy"]
#: What a folded key stands for: an id (or the path after ``/id/``), a whole name, a part.
ID_KEY, NAME_KEY, PART_KEY = 0, 1, 2
#: A folded key, what it stands for, and the entity: one row of the name index.
KeyRow = tuple[str, int, str]


@dataclass(frozen=True)
class Name:
    """One name of one entity, and the property that gives it (``label``, ``notation`` …)."""

    entity: str
    text: str
    via: str
    #: The language of the name (``en``, ``zh``, or ``""`` for a code or notation).
    lang: str = ""


@dataclass(frozen=True)
class Resolution:
    """The entity a text names, how it was found, and the label to show for it."""

    text: str
    entity: str
    how: How
    name: str


def fold(text: str) -> str:
    """Return *text* folded for comparison: width, case, spacing and Chinese script.

    >>> fold("  ＭｘＤ ") == fold("mxd")
    True
    >>> fold("聯合製造技術委員會")
    '联合制造技术委员会'
    """
    from miikg.linking.normalise import fold_chinese

    return _fold_width(fold_chinese(text))


def fold_all(texts: Sequence[str]) -> list[str]:
    """Return :func:`fold` of each of *texts*, converting all Chinese ones in one call."""
    from miikg.linking.normalise import fold_chinese, is_chinese

    chinese = [i for i, t in enumerate(texts) if is_chinese(t)]
    out = list(texts)
    if chinese:
        # One conversion of all the Chinese names, one per line, costs one OpenCC call.
        joined = fold_chinese("\n".join(texts[i].replace("\n", " ") for i in chinese))
        for i, converted in zip(chinese, joined.split("\n"), strict=True):
            out[i] = converted
    # The same folding as _fold_width, done once on all the texts, one per line: the
    # Unicode normalisation, case folding and substitutions work character by character
    # (no newline is made or joined), so each line comes out as it would alone.
    joined = "\n".join(t.replace("\n", " ") for t in out)
    joined = _QUOTE_MARKS.sub("", unicodedata.normalize("NFKC", joined).casefold())
    joined = _CJK_GAP.sub("", _SPACE_IN_LINE.sub(" ", joined))
    return [line.strip() for line in joined.split("\n")] if out else []


def _fold_width(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_QUOTES)
    return _CJK_GAP.sub("", _SPACE.sub(" ", text).strip())


def _parts(name: str) -> set[str]:
    """Return the parts of *name*: a parenthesised acronym, the part before it, dash halves."""
    if not _PART_MARKS.search(name) and not name.startswith(_US_ZH):
        return set()  # most names have no parts: skip the regular expressions
    found = {inner.strip() for inner in _PARENTHESIS.findall(name)}
    bare = _PARENTHESIS.sub(" ", name).strip()
    if bare and bare != name:
        found.add(bare)
    found.update(part.strip() for part in _DASH.split(bare, maxsplit=1) if part.strip())
    for part in list(found | {name}):
        if part.startswith(_US_ZH) and len(part) > len(_US_ZH) + 1:
            found.add(part.removeprefix(_US_ZH))
    found.discard(name)
    return {p for p in found if p}


def name_rows(names: Sequence[Name]) -> list[KeyRow]:
    """Return the folded keys of *names*: each whole name, each of its parts, its entity's id.

    The one definition of what a name is looked up by, for the lookup in memory and for the
    name index alike.
    """
    rows: list[KeyRow] = []
    parts: list[tuple[str, str]] = []
    entities: set[str] = set()
    for name, key in zip(names, fold_all([n.text for n in names]), strict=True):
        rows.append((key, NAME_KEY, name.entity))
        parts.extend((part, name.entity) for part in _parts(name.text))
        if name.entity not in entities:
            entities.add(name.entity)
            local = name.entity.removeprefix(ID)
            rows.append((local.rsplit("/", 1)[-1].casefold(), ID_KEY, name.entity))
            rows.append((local.casefold(), ID_KEY, name.entity))
    folded = fold_all([part for part, _ in parts])
    rows.extend((key, PART_KEY, entity) for key, (_, entity) in zip(folded, parts, strict=True))
    return rows


@cache
def _names_query() -> str:
    folder = resources.files("miikg.queries").joinpath("resolving")
    return folder.joinpath("names.rq").read_text(encoding="utf-8")


def gather_names(store: object) -> list[Name]:
    """Return every name of every curated entity (the candidates of :func:`resolve`).

    This is the one seam between the resolver and the store: a store too large to list
    every name can answer from an index instead, with the same return value.
    """
    if not isinstance(store, ox.Store):  # rdflib engine (tests, benchmarks)
        from miikg.queries.run import run_query

        result = run_query(store, _names_query())  # type: ignore[arg-type]
        return [
            Name(
                r.text("entity"),
                r.text("name"),
                r.text("via").rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                getattr(r["name"], "language", None) or "",
            )
            for r in result
        ]
    solutions = store.query(_names_query())
    assert isinstance(solutions, ox.QuerySolutions)
    names = []
    for row in solutions:
        entity, name, via = row["entity"], row["name"], row["via"]
        assert entity is not None and name is not None and via is not None
        local = via.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1]
        lang = name.language or "" if isinstance(name, ox.Literal) else ""
        names.append(Name(entity.value, name.value, local, lang))
    return names


def _expand(text: str) -> str | None:
    if text.startswith(("http://", "https://")):
        return text
    prefix, sep, local = text.partition(":")
    if sep and prefix in PREFIXES and local and " " not in local:
        return PREFIXES[prefix] + local
    return None


class NameLookup(Protocol):
    """Where the folded keys of names are looked up (the build's name index)."""

    def find(self, key: str) -> list[KeyRow]:
        """Return the rows of *key*."""

    def near(self, key: str) -> list[KeyRow]:
        """Return the rows of names close enough to *key* to be offered (fuzzy matching)."""


@dataclass
class _Index:
    exact: dict[str, set[str]]
    parts: dict[str, set[str]]
    ids: dict[str, set[str]]

    @classmethod
    def build(cls, rows: Iterable[KeyRow], keep: Callable[[str], bool]) -> _Index:
        tables: tuple[dict[str, set[str]], ...] = ({}, {}, {})
        for key, kind, entity in rows:
            if keep(entity):
                tables[kind].setdefault(key, set()).add(entity)
        ids, exact, parts = tables
        return cls(exact, parts, ids)


def _display(names: Iterable[Name], lang: str) -> dict[str, str]:
    """Return the label to show for each entity: in *lang*, else the first one given."""
    display: dict[str, str] = {}
    for name in names:
        if name.via == "label" and (name.lang == lang or name.entity not in display):
            display[name.entity] = name.text
    return display


def _describe_candidates(entities: Iterable[str], display: dict[str, str]) -> tuple[str, ...]:
    from miikg.report import curie

    return tuple(f"{display.get(e, curie(e))} <{curie(e)}>" for e in entities)


def resolve(
    store: object,
    text: str,
    *,
    within: Container[str] | None = None,
    classes: Sequence[str] = (),
    names: Iterable[Name] | None = None,
    index: NameLookup | None = None,
    lang: str = "en",
) -> Resolution:
    """Return the one entity *text* names.

    :param within: only these entities count (e.g. the nodes of a network view).
    :param classes: only instances of one of these classes (IRIs) count.
    :param names: the candidates, if already gathered (default: :func:`gather_names`).
    :param index: look names up here instead of gathering them all (see
        :class:`miikg.name_index.NameIndex`); *names* wins if both are given.
    :param lang: the language of the names shown in a "did you mean" message.
    :raises NotFoundError: nothing matches (with the closest names, if any), or several
        entities match equally (the message lists them).
    """
    query = text.strip()
    if not query:
        raise NotFoundError("an empty name matches nothing", zh="空名称不匹配任何实体")
    iri = _expand(query)
    in_scope = iri is not None and (within is None or iri in within)
    if iri is not None and in_scope and (not classes or _is_a(store, iri, classes)):
        return Resolution(query, iri, "iri", query)

    by_id = _by_id(store, query)
    if (
        by_id is not None
        and (within is None or by_id in within)
        and (not classes or _is_a(store, by_id, classes))
    ):
        return Resolution(query, by_id, "id", query)
    typed: dict[str, bool] = {}
    members = _members(store, classes) if classes else None

    def keep(entity: str) -> bool:
        if within is not None and entity not in within:
            return False
        if members is not None:
            return entity in members
        if classes and entity not in typed:
            typed[entity] = _is_a(store, entity, classes)
        return not classes or typed[entity]

    key = fold(query)
    shown: dict[str, str] | None = None
    if index is not None and names is None:
        table = _Index.build(index.find(key), keep)
    else:
        listed = [n for n in (gather_names(store) if names is None else names) if keep(n.entity)]
        table = _Index.build(name_rows(listed), keep)
        shown = _display(listed, lang)

    def display(found: Iterable[str]) -> dict[str, str]:
        # With the index, only the labels shown are read, from the store.
        return shown if shown is not None else _labels(store, found, lang)

    for how, found in (
        ("id", table.ids.get(key, set())),
        ("name", table.exact.get(key, set())),
        ("part", table.parts.get(key, set())),
    ):
        if len(found) == 1:
            entity = next(iter(found))
            return Resolution(query, entity, how, display(found).get(entity, query))  # type: ignore[arg-type]
        if len(found) > 1:
            listed_found = _describe_candidates(sorted(found), display(found))
            raise NotFoundError(
                f"{query!r} names {len(found)} entities: {'; '.join(listed_found)}; "
                "give an id or a fuller name",
                zh=f"“{query}”对应 {len(found)} 个实体：{'；'.join(listed_found)}；"
                "请给出 id 或更完整的名称",
                candidates=tuple(sorted(found)),
                ambiguous=True,
            )
    if index is not None and names is None:
        table = _Index.build(index.near(key), keep)
    ranked = _fuzzy(table, key)
    if ranked:
        (best, score), *rest = ranked
        runner_up = rest[0][1] if rest else 0.0
        if score >= TAKE_AT and len(key) > _SHORT and score - runner_up >= MARGIN:
            return Resolution(query, best, "fuzzy", display([best]).get(best, query))
        offered = [e for e, _ in ranked[:3]]
        listed_found = _describe_candidates(offered, display(offered))
        raise NotFoundError(
            f"nothing matches {query!r}; did you mean: {'; '.join(listed_found)}?",
            zh=f"没有名为“{query}”的实体；您是否要找：{'；'.join(listed_found)}？",
            candidates=tuple(offered),
        )
    raise NotFoundError(
        f"nothing matches {query!r}; try an id such as america-makes, or a name in en or zh",
        zh=f"没有名为“{query}”的实体；请用 id（如 america-makes）或中英文名称",
    )


def _labels(store: object, entities: Iterable[str], lang: str) -> dict[str, str]:
    """Return the label of each of *entities* to show, read from the store."""
    from miikg.queries.run import labels_of

    return labels_of(store, set(entities), lang)  # type: ignore[arg-type]


def _fuzzy(index: _Index, key: str) -> list[tuple[str, float]]:
    """Return entities by their best fuzzy score against *key*, best first.

    rapidfuzz's WRatio scores every name that contains *key* alike (90); the plain ratio
    then puts the closest whole name first ("美国国防部" before a long title with 国防部).
    """
    from rapidfuzz import fuzz, process, utils

    choices = list(index.exact) + list(index.parts)
    entities = [index.exact.get(c) or index.parts[c] for c in choices]
    best: dict[str, tuple[float, float]] = {}

    def scorer(a: str, b: str, **kwargs: object) -> float:
        # WRatio favours a name that contains the query; all of the query's words in a
        # longer name ("ARM Institute" in "Advanced Robotics for Manufacturing (ARM)
        # Institute") count nearly as much.
        return max(fuzz.WRatio(a, b), 0.95 * fuzz.token_set_ratio(a, b))

    for _, score, position in process.extract(
        key,
        choices,
        scorer=scorer,
        processor=utils.default_process,
        score_cutoff=SUGGEST_AT,
        limit=None,
    ):
        choice = choices[position]
        # A short name (an acronym) close to a long query says little ("ARM" in "ARMI").
        if len(choice) <= _SHORT and choice != key:
            score = min(score, SUGGEST_AT)
        rank = (float(score), fuzz.ratio(key, choice))
        for entity in entities[position]:
            best[entity] = max(best.get(entity, rank), rank)

    def order(item: tuple[str, tuple[float, float]]) -> tuple[float, bool, float, str]:
        entity, (score, closeness) = item
        is_thing = entity.removeprefix(ID).startswith(_THINGS)
        return -score, not is_thing, -closeness, entity

    ordered = sorted(best.items(), key=order)
    return [(entity, score) for entity, (score, _) in ordered]


def suggest(text: str, choices: Iterable[str], *, limit: int = 3) -> list[str]:
    """Return the choices closest to *text* (for misspelt query, table or scheme names).

    >>> suggest("institues", ["institutes", "stages", "phases"])
    ['institutes']
    """
    from rapidfuzz import fuzz, process

    options = list(choices)
    found = process.extract(
        fold(text), [fold(c) for c in options], scorer=fuzz.WRatio, score_cutoff=SUGGEST_AT,
        limit=limit,
    )  # fmt: skip
    return [options[position] for _, _, position in found]


_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_ID_TEXT = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _by_id(store: object, text: str) -> str | None:
    """Return the one curated entity whose id is *text* (folded), without reading names."""
    if not isinstance(store, ox.Store):  # elsewhere the names hold the ids too
        return None
    key = unicodedata.normalize("NFKC", text).strip().casefold()
    if not _ID_TEXT.match(key):
        return None
    found = []
    for segment in SEGMENTS:
        subject = ox.NamedNode(f"{ID}{segment}/{key}")
        if next(iter(store.quads_for_pattern(subject, _RDF_TYPE, None, ox.DefaultGraph())), None):
            found.append(subject.value)
    return found[0] if len(found) == 1 else None


def _members(store: object, classes: Sequence[str]) -> set[str] | None:
    """Return the instances of *classes* at a remote endpoint, in one request (None for a
    local store, which answers each entity's type at once)."""
    from miikg.queries.remote import RemoteStore

    if not isinstance(store, RemoteStore):
        return None
    listed = " ".join(str(ox.NamedNode(c)) for c in classes)
    rows = store.query(f"SELECT DISTINCT ?e WHERE {{ VALUES ?c {{ {listed} }} ?e a ?c }}")
    return {row["e"].value for row in rows if isinstance(row["e"], ox.NamedNode)}


def _is_a(store: object, entity: str, classes: Sequence[str]) -> bool:
    from miikg.queries.run import reads_quads

    if not reads_quads(store):  # rdflib's engine, which cross-checks queries only
        return True
    subject = ox.NamedNode(entity)
    for cls in classes:
        pattern = store.quads_for_pattern(  # type: ignore[attr-defined]
            subject, _RDF_TYPE, ox.NamedNode(cls), ox.DefaultGraph()
        )
        if next(iter(pattern), None) is not None:
            return True
    return False
