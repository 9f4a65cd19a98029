"""Run named or ad-hoc SPARQL on the store, parameters bound as RDF terms."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any, TypeAlias

import pyoxigraph as ox

from miikg.errors import MiikgError, QueryError
from miikg.queries import NamedQuery, Param, catalogue

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = [
    "Engine",
    "GraphResult",
    "QueryResult",
    "Row",
    "SparqlResult",
    "resolve_entity",
    "run_named",
    "run_query",
    "run_sparql",
    "term_text",
]

LANGUAGES = ("en", "zh")
Term: TypeAlias = "ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple"
#: Where a query runs: the build's Oxigraph store, or rdflib's Dataset of its N-Quads.
Engine: TypeAlias = "ox.Store | Dataset"


@dataclass(frozen=True)
class Row:
    """One solution: values by variable name (``None`` where unbound)."""

    values: dict[str, Term | None]

    def __getitem__(self, name: str) -> Term | None:
        return self.values[name]

    def text(self, name: str) -> str:
        """Return the value of *name* as plain text ('' when unbound)."""
        return term_text(self.values.get(name))


@dataclass(frozen=True)
class QueryResult:
    """The rows of a SELECT query, with its variables in order."""

    variables: tuple[str, ...]
    rows: tuple[Row, ...]

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[str]:
        """Return the text of one column, row by row."""
        return [row.text(name) for row in self.rows]

    def to_dataframe(self) -> Any:
        """Return the rows as a ``pandas.DataFrame`` of text, one column per variable.

        pandas is optional, so it is imported here and the return type is left open.

        :raises MiikgError: pandas is not installed.
        """
        try:
            pandas = import_module("pandas")
        except ImportError:
            raise MiikgError(
                "to_dataframe needs pandas, which is not installed: pip install pandas"
            ) from None
        return pandas.DataFrame(
            [[row.text(v) for v in self.variables] for row in self.rows],
            columns=list(self.variables),
        )


@dataclass(frozen=True)
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query."""

    triples: tuple[ox.Triple, ...]

    def __len__(self) -> int:
        return len(self.triples)


SparqlResult: TypeAlias = "QueryResult | bool | GraphResult"
_POSITION = re.compile(r"\b(\d+):(\d+)\b")


def _syntax_error(text: str, exc: SyntaxError) -> QueryError:
    """Turn Oxigraph's parse error ("error at LINE:COLUMN: …") into one with the line shown."""
    message = str(exc)
    where = _POSITION.search(message)
    if where is None:
        return QueryError(f"SPARQL syntax error: {message}")
    line, column = int(where[1]), int(where[2])
    detail = message[where.end() :].lstrip(": ") or message
    lines = text.splitlines() or [""]
    source = lines[min(line, len(lines)) - 1]
    caret = " " * max(column - 1, 0) + "^"
    return QueryError(
        f"SPARQL syntax error at line {line}, column {column}: {detail}\n  {source}\n  {caret}"
    )


def term_text(term: Term | None) -> str:
    """Return the lexical form of a literal, the IRI of a node, '' for nothing."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal | ox.NamedNode):
        return term.value
    return str(term)


def run_query(
    store: Engine,
    text: str,
    bindings: Mapping[str, Term] | None = None,
) -> QueryResult:
    """Run a SELECT query, with *bindings* substituted.

    The default graph of a built store is the merge of every source's graph. Oxigraph
    substitutes only variables of the SELECT projection, so a parameter is projected by
    its query; its column is left out of the result here. Given an rdflib Dataset
    instead of a store, rdflib runs the query (see :mod:`miikg.queries.rdflib_engine`).
    """
    if not isinstance(store, ox.Store):
        from miikg.queries.rdflib_engine import select

        return select(store, text, bindings)
    substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
    try:
        solutions = store.query(text, substitutions=substitutions)
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("only SELECT queries return rows")
        variables = tuple(v.value for v in solutions.variables if v.value not in (bindings or {}))
        # Solutions are computed lazily: a failing SERVICE request raises while iterating.
        rows = tuple(Row({name: solution[name] for name in variables}) for solution in solutions)
    except SyntaxError as exc:
        raise _syntax_error(text, exc) from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from None
    return QueryResult(variables, rows)


def run_sparql(store: ox.Store, text: str) -> SparqlResult:
    """Run an ad-hoc query of any form: rows (SELECT), a boolean (ASK) or triples."""
    try:
        result = store.query(text)
    except SyntaxError as exc:
        raise _syntax_error(text, exc) from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples):
        return GraphResult(tuple(result))
    variables = tuple(v.value for v in result.variables)
    return QueryResult(
        variables, tuple(Row({name: solution[name] for name in variables}) for solution in result)
    )


def resolve_entity(store: Engine, text: str) -> list[str]:
    """Return the IRIs of the entities whose id, label, short or former name is *text*."""
    if text.startswith(("http://", "https://")):
        return [text]
    result = run_query(
        store, catalogue()["resolve-entity"].text, {"text": ox.Literal(text.strip())}
    )
    by_id = [r.text("entity") for r in result if r.text("match") == "id"]
    return sorted(set(by_id or [r.text("entity") for r in result]))


def _term(store: Engine, param: Param, value: Any) -> Term:
    if param.kind == "iri":
        matches = resolve_entity(store, str(value))
        if len(matches) != 1:
            found = "nothing" if not matches else ", ".join(matches)
            raise QueryError(f"parameter {param.name}={value!r} matches {found}")
        return ox.NamedNode(matches[0])
    if param.kind == "language":
        if value not in LANGUAGES:
            raise QueryError(f"parameter {param.name} must be one of {', '.join(LANGUAGES)}")
        return ox.Literal(value)
    if param.kind == "integer":
        try:
            return ox.Literal(
                str(int(value)), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            )
        except ValueError:
            raise QueryError(f"parameter {param.name} must be a whole number") from None
    return ox.Literal(str(value))


def run_named(
    store: Engine, name: str, params: Mapping[str, Any] | None = None, *, lang: str = "en"
) -> QueryResult:
    """Run the named query *name*; *params* are checked against its header and bound."""
    query: NamedQuery | None = catalogue().get(name)
    if query is None:
        raise QueryError(f"no query named {name!r}; `miikg queries` lists them")
    given = dict(params or {})
    if query.param("lang") is not None:
        given.setdefault("lang", lang)
    bindings: dict[str, Term] = {}
    for key, value in given.items():
        param = query.param(key)
        if param is None:
            raise QueryError(f"query {name!r} has no parameter {key!r}")
        bindings[key] = _term(store, param, value)
    missing = [p.name for p in query.params if p.name not in bindings]
    if missing:
        raise QueryError(f"query {name!r} needs parameter(s): {', '.join(missing)}")
    return run_query(store, query.text, bindings)
