"""The catalogue on two engines, compared query by query: what to run after every push.

Two answers are the same when they hold the same rows, as a multiset (row order is the
store's where a query's ORDER BY leaves it open). Values compare as RDF terms, with two
exceptions stores legitimately differ on: numbers compare by value (``1.50`` and ``1.5``,
an integer and a decimal), and a boolean as 1 or 0 (Virtuoso answers ``true`` as ``1``).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import pyoxigraph as ox

from miikg.queries import EXAMPLE_PARAMS, catalogue
from miikg.queries.run import Engine, QueryResult, Row, run_named, term_text

if TYPE_CHECKING:
    from miikg.queries.run import Term

__all__ = ["Comparison", "cell_key", "compare", "compare_catalogue", "first_difference"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMBERS = {
    XSD + t
    for t in (
        "integer", "decimal", "double", "float", "int", "long", "short", "byte",
        "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
        "unsignedInt", "unsignedLong", "unsignedShort", "unsignedByte",
    )
}  # fmt: skip
_BOOLEAN = XSD + "boolean"

Key = tuple[str, ...]


def cell_key(term: Term | None) -> Key:
    """Return what decides whether two values are the same (see the module).

    >>> cell_key(ox.Literal("1.50", datatype=ox.NamedNode(XSD + "decimal")))
    ('number', '1.5')
    >>> cell_key(ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean")))
    ('number', '1')
    """
    if term is None:
        return ("unbound",)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype == _BOOLEAN and term.value in {"true", "false", "1", "0"}:
            return ("number", "1" if term.value in {"true", "1"} else "0")
        if datatype in _NUMBERS:
            try:
                number = Decimal(term.value.strip())
            except InvalidOperation:
                return ("literal", term.value, datatype)
            text = format(number.normalize(), "f") if number.is_finite() else str(number)
            return ("number", text)
        return ("literal", term.value, term.language or "", datatype)
    return (type(term).__name__, str(term))


def _rows(result: QueryResult) -> Counter[tuple[Key, ...]]:
    return Counter(tuple(cell_key(row[v]) for v in result.variables) for row in result)


def _shown(row: Row, variables: tuple[str, ...]) -> str:
    return " | ".join(term_text(row[v]) or "∅" for v in variables)


@dataclass(frozen=True)
class Comparison:
    """One query in one language on both engines: the same rows or not, and where not."""

    query: str
    lang: str
    here: int
    there: int
    seconds_here: float
    seconds_there: float
    #: The first difference, in words (en, zh); empty when the rows are the same.
    difference: tuple[str, str] = ("", "")
    #: What went wrong at the endpoint, if the query failed there (en, zh).
    error: tuple[str, str] = ("", "")

    @property
    def same(self) -> bool:
        return not self.difference[0] and not self.error[0]


def first_difference(here: QueryResult, there: QueryResult) -> tuple[str, str]:
    """Return the first difference between two answers, in en and zh ('' when the same)."""
    if here.variables != there.variables:
        columns = ", ".join(here.variables), ", ".join(there.variables)
        return (
            f"columns differ: {columns[0]} here, {columns[1]} there",
            f"列不同：本地为 {columns[0]}，端点为 {columns[1]}",
        )
    mine, theirs = _rows(here), _rows(there)
    if mine == theirs:
        return "", ""
    missing = mine - theirs
    extra = theirs - mine
    keyed = {tuple(cell_key(r[v]) for v in here.variables): r for r in here}
    keyed_there = {tuple(cell_key(r[v]) for v in there.variables): r for r in there}
    en, zh = [], []
    if missing:
        shown = _shown(keyed[min(missing)], here.variables)
        en.append(f"{sum(missing.values())} row(s) only here, first: {shown}")
        zh.append(f"{sum(missing.values())} 行仅见于本地，首行：{shown}")
    if extra:
        shown = _shown(keyed_there[min(extra)], there.variables)
        en.append(f"{sum(extra.values())} row(s) only there, first: {shown}")
        zh.append(f"{sum(extra.values())} 行仅见于端点，首行：{shown}")
    return "; ".join(en), "；".join(zh)


def compare(name: str, here: Engine, there: Engine, *, lang: str = "en") -> Comparison:
    """Run the named query *name* on both engines (its example parameters) and compare."""
    params = EXAMPLE_PARAMS.get(name, {})
    start = time.perf_counter()
    mine = run_named(here, name, params, lang=lang)
    middle = time.perf_counter()
    try:
        theirs = run_named(there, name, params, lang=lang)
    except Exception as exc:
        from miikg.errors import MiikgError

        if not isinstance(exc, MiikgError):
            raise
        end = time.perf_counter()
        return Comparison(
            name, lang, len(mine), 0, middle - start, end - middle,
            error=(exc.text("en"), exc.text("zh")),
        )  # fmt: skip
    end = time.perf_counter()
    return Comparison(
        name, lang, len(mine), len(theirs), middle - start, end - middle,
        first_difference(mine, theirs),
    )  # fmt: skip


def compare_catalogue(
    here: Engine,
    there: Engine,
    *,
    names: list[str] | None = None,
    progress: Callable[[Comparison], None] | None = None,
) -> Iterator[Comparison]:
    """Compare every named query (or *names*), in each language it takes."""
    for name, query in catalogue().items():
        if names is not None and name not in names:
            continue
        for lang in ("en", "zh") if query.param("lang") else ("en",):
            result = compare(name, here, there, lang=lang)
            if progress is not None:
                progress(result)
            yield result
