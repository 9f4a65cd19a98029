"""The second engine: rdflib's SPARQL over the build's N-Quads, for cross-checking.

Every named query must give the same answer here as on the Oxigraph store. rdflib reads
the N-Quads into a :class:`rdflib.Dataset` with ``default_union=False``: the build
already wrote the default graph as the merge of all graphs, so a union would only
repeat it. Results come back as pyoxigraph terms, so both engines share one result type.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from miikg.errors import QueryError

if TYPE_CHECKING:
    from rdflib import Dataset

    from miikg.queries.run import QueryResult, Term

__all__ = ["load_dataset", "select"]


@contextmanager
def _quiet() -> Iterator[None]:
    # rdflib 7.x warns about its own internal uses of Dataset.default_context and
    # Dataset.contexts, thousands of times per query; they say nothing about our code.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        yield


def load_dataset(nquads: Path) -> Dataset:
    """Read a build's N-Quads file into an rdflib Dataset (default graph as written)."""
    from rdflib import Dataset

    dataset = Dataset(default_union=False)
    with _quiet():
        dataset.parse(str(nquads), format="nquads")
    return dataset


def _to_rdflib(term: Term) -> Any:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise QueryError(f"cannot bind {term!r} in rdflib", zh=f"无法在 rdflib 中绑定 {term!r}")


def _to_ox(term: Any) -> Term | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise QueryError(f"unexpected rdflib term {term!r}", zh=f"意外的 rdflib 项 {term!r}")


def select(dataset: Dataset, text: str, bindings: Mapping[str, Term] | None = None) -> QueryResult:
    """Run a SELECT query with rdflib, *bindings* passed as ``initBindings`` (RDF terms)."""
    from pyparsing import ParseException
    from rdflib.query import Result
    from rdflib.term import Variable

    from miikg.queries.run import QueryResult, Row

    bound = dict(bindings or {})
    try:
        with _quiet():
            result: Result = dataset.query(
                text, initBindings={k: _to_rdflib(v) for k, v in bound.items()}
            )
            solutions = list(result.bindings)
    except ParseException as exc:
        raise QueryError(
            f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}",
            zh=f"SPARQL 语法错误，第 {exc.lineno} 行第 {exc.col} 列：{exc.msg}",
        ) from None
    if result.type != "SELECT" or result.vars is None:
        raise QueryError("only SELECT queries return rows", zh="只有 SELECT 查询返回行")
    variables = tuple(str(v) for v in result.vars if str(v) not in bound)
    rows = tuple(
        Row({name: _to_ox(solution.get(Variable(name))) for name in variables})
        for solution in solutions
    )
    return QueryResult(variables, rows)
