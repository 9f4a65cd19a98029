"""Query rows as a typed pandas DataFrame: numbers as numbers, dates as dates, lists as lists.

Each column's dtype follows the XSD datatypes of its values: integers → ``Int64``,
decimals and doubles → ``Float64``, booleans → ``boolean``, ``xsd:date``/``dateTime`` →
``datetime64``, ``xsd:gYearMonth`` → ``period[M]``, ``xsd:gYear`` → ``period[Y]`` (a
column mixing date precisions becomes ``datetime64`` at the start of each period); IRIs
and text stay ``str``, an unbound value is missing (``<NA>``). A value a query joins
from several (``GROUP_CONCAT`` with a separator) arrives as a list, each item typed like
a column would be: conflicting claims are never one pre-joined string.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from importlib import import_module
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from miikg.errors import MiikgError

if TYPE_CHECKING:
    from miikg.queries.run import QueryResult

__all__ = ["list_columns", "to_dataframe"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {
    XSD + t
    for t in (
        "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
        "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
        "unsignedShort", "unsignedByte",
    )
}  # fmt: skip
_FLOATS = {XSD + "decimal", XSD + "double", XSD + "float"}
_DATES = {
    XSD + "date": "date",
    XSD + "dateTime": "date",
    XSD + "gYearMonth": "M",
    XSD + "gYear": "Y",
}
_ISO_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_CONCAT = re.compile(
    r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*?;\s*separator\s*=\s*\"((?:[^\"\\]|\\.)*)\"\s*\)"
    r"\s*AS\s+\?(\w+)",
    re.IGNORECASE,
)


def list_columns(query_text: str) -> dict[str, str]:
    """Return the variables a query joins from several values, with their separators.

    >>> list_columns('SELECT (GROUP_CONCAT(DISTINCT ?s; separator=" / ") AS ?state) {}')
    {'state': ' / '}
    """
    return {m[2]: m[1].encode().decode("unicode_escape") for m in _CONCAT.finditer(query_text)}


def _kind(term: Any) -> str:
    if not isinstance(term, ox.Literal):
        return "text"
    datatype = term.datatype.value
    if datatype in _INTEGERS:
        return "int"
    if datatype in _FLOATS:
        return "float"
    if datatype == XSD + "boolean":
        return "bool"
    return _DATES.get(datatype, "text")


def _value(term: Any, kind: str) -> Any:
    text = term.value
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(Decimal(text))
    if kind == "bool":
        return text in ("true", "1")
    if kind in ("date", "M", "Y"):
        return text
    return text


def _column(pandas: Any, terms: Sequence[Any]) -> Any:
    """Return a Series of *terms* with the dtype their datatypes call for."""
    kinds = {_kind(t) for t in terms if t is not None}
    values = [None if t is None else _value(t, _kind(t)) for t in terms]
    if kinds == {"int"}:
        return pandas.array(values, dtype="Int64")
    if kinds and kinds <= {"int", "float"}:
        return pandas.array(values, dtype="Float64")
    if kinds == {"bool"}:
        return pandas.array(values, dtype="boolean")
    if kinds and kinds <= {"date", "M", "Y"}:
        if len(kinds) == 1 and kinds != {"date"}:
            (freq,) = kinds
            return pandas.array(
                [None if v is None else pandas.Period(v, freq=freq) for v in values],
                dtype=f"period[{freq}]",
            )
        return pandas.to_datetime(
            pandas.Series([None if v is None else _start(v) for v in values], dtype="object")
        ).array
    return pandas.array([None if v is None else str(v) for v in values], dtype=object)


def _start(text: str) -> datetime:
    parts = text[:10].split("-")
    year, month, day = int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, 1
    if len(parts) > 2 and parts[2]:
        day = int(parts[2][:2])
    return datetime.combine(date(year, month, day), datetime.min.time())


def _list_column(pandas: Any, texts: Sequence[str], separator: str) -> Any:
    """Return the cells of a joined column as lists, the items of the column typed alike.

    The separator splits each cell; items are dates when every item of the column is an
    ISO date or year and one at least has a month, else numbers when all are, else text.
    """
    cells = [t.split(separator) if t else [] for t in texts]
    items = [i for cell in cells for i in cell]
    convert: Any = str
    if items and all(_ISO_DATE.match(i) for i in items) and any("-" in i for i in items):
        convert = lambda i: pandas.Timestamp(_start(i))  # noqa: E731
    else:
        for parse in (int, float):
            try:
                for i in items:
                    parse(i)
            except ValueError:
                continue
            convert = parse
            break
    return pandas.array([[convert(i) for i in cell] for cell in cells], dtype=object)


def to_dataframe(
    result: QueryResult, *, lists: Mapping[str, str] | None = None, long: bool = False
) -> Any:
    """Return *result* as a typed ``pandas.DataFrame`` (see the module docstring).

    :param lists: variables joined from several values, with their separators
        (:func:`list_columns` of the query); their cells become lists.
    :param long: one row per value of each list column instead of lists (rows repeat
        the other columns).
    :raises MiikgError: pandas is not installed.
    """
    try:
        pandas = import_module("pandas")
    except ImportError:
        raise MiikgError(
            "to_dataframe needs pandas, which is not installed: pip install pandas",
            zh="to_dataframe 需要 pandas，但尚未安装：pip install pandas",
        ) from None
    from miikg.queries.run import term_text

    lists = dict(lists or {})
    columns: dict[str, Any] = {}
    for name in result.variables:
        terms = [row[name] for row in result.rows]
        if name in lists:
            columns[name] = _list_column(pandas, [term_text(t) for t in terms], lists[name])
        else:
            columns[name] = _column(pandas, terms)
    frame = pandas.DataFrame(columns, columns=list(result.variables))
    if long:
        for name in result.variables:
            if name in lists:
                frame = frame.explode(name, ignore_index=True)
    return frame
