"""Run named or ad-hoc SPARQL on the store, parameters bound as RDF terms."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeAlias

import pyoxigraph as ox

from miikg.errors import NotFoundError, QueryError
from miikg.queries import NamedQuery, Param, catalogue

if TYPE_CHECKING:
    from rdflib import Dataset

    from miikg.queries.remote import RemoteStore
    from miikg.resolve import NameLookup

__all__ = [
    "Engine",
    "GraphResult",
    "QueryResult",
    "Row",
    "SparqlResult",
    "joined_in_order",
    "named_query",
    "reads_quads",
    "resolve_entity",
    "run_named",
    "run_query",
    "run_sparql",
    "term_text",
    "with_labels",
]

LANGUAGES = ("en", "zh")
Term: TypeAlias = "ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple"
#: Where a query runs: the build's Oxigraph store, rdflib's Dataset of its N-Quads, or a
#: remote SPARQL endpoint holding a push of the build.
Engine: TypeAlias = "ox.Store | Dataset | RemoteStore"


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
    #: Labels of the IRIs among the values, in one language (see :func:`with_labels`).
    labels: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)
    #: Variables joined from several values (``GROUP_CONCAT``), with their separators.
    lists: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[str]:
        """Return the text of one column, row by row."""
        return [row.text(name) for row in self.rows]

    def to_dataframe(self, *, long: bool = False) -> Any:
        """Return the rows as a typed ``pandas.DataFrame``, one column per variable.

        Integers, decimals, dates and booleans keep their type (``Int64``, ``Float64``,
        ``datetime64`` or ``period``, ``boolean``); a value the query joins from several
        (conflicting claims, lists) is a list, or, with *long*, one row per value.
        See :mod:`miikg.queries.frames`. pandas is imported here, on first use.

        :raises MiikgError: pandas is not installed.
        """
        from miikg.queries.frames import to_dataframe

        return to_dataframe(self, lists=self.lists, long=long)


@dataclass(frozen=True)
class GraphResult:
    """The triples of a CONSTRUCT or DESCRIBE query."""

    triples: tuple[ox.Triple, ...]

    def __len__(self) -> int:
        return len(self.triples)


SparqlResult: TypeAlias = "QueryResult | bool | GraphResult"


def term_text(term: Term | None) -> str:
    """Return the lexical form of a literal, the IRI of a node, '' for nothing."""
    if term is None:
        return ""
    if isinstance(term, ox.Literal | ox.NamedNode):
        return term.value
    return str(term)


def reads_quads(store: object) -> bool:
    """Tell whether *store* answers quad patterns as an Oxigraph store does (rdflib's
    engine, used to cross-check queries, does not)."""
    from miikg.queries.remote import RemoteStore

    return isinstance(store, ox.Store | RemoteStore)


def run_query(
    store: Engine,
    text: str,
    bindings: Mapping[str, Term] | None = None,
) -> QueryResult:
    """Run a SELECT query, with *bindings* substituted.

    The default graph of a built store is the merge of every source's graph. Oxigraph
    substitutes only variables of the SELECT projection, so a parameter is projected by
    its query; its column is left out of the result here. Given an rdflib Dataset
    instead of a store, rdflib runs the query (see :mod:`miikg.queries.rdflib_engine`); a
    :class:`~miikg.queries.remote.RemoteStore` binds the parameters in the query's text.
    """
    if not reads_quads(store):
        from miikg.queries.rdflib_engine import select

        return select(store, text, bindings)  # type: ignore[arg-type]
    substitutions = {ox.Variable(k): v for k, v in (bindings or {}).items()}
    try:
        solutions = store.query(text, substitutions=substitutions)
        if not isinstance(solutions, ox.QuerySolutions):
            raise QueryError("only SELECT queries return rows", zh="只有 SELECT 查询返回行")
        variables = tuple(v.value for v in solutions.variables if v.value not in (bindings or {}))
        # Solutions are computed lazily: a failing SERVICE request raises while iterating.
        rows = tuple(Row({name: solution[name] for name in variables}) for solution in solutions)
    except SyntaxError as exc:
        from miikg.queries.diagnose import syntax_error

        raise syntax_error(text, exc, {}) from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}", zh=f"查询失败：{exc}") from None
    return QueryResult(variables, rows)


def run_sparql(store: ox.Store | RemoteStore, text: str) -> SparqlResult:
    """Run an ad-hoc query of any form: rows (SELECT), a boolean (ASK) or triples.

    The project's prefixes (``miikg prefixes``) are declared beforehand; the query may
    declare others or rebind them. Updates are refused: a build is read-only.

    :raises QueryRefusedError: an update.
    :raises QueryError: a syntax error (its cause, line and column), or a failed query.
    """
    from miikg.ontology.namespaces import PREFIXES
    from miikg.queries.diagnose import check_read_only, syntax_error

    check_read_only(text)
    try:
        result = store.query(text, prefixes=dict(PREFIXES))
    except SyntaxError as exc:
        raise syntax_error(text, exc, PREFIXES) from None
    except OSError as exc:
        raise QueryError(f"query failed: {exc}", zh=f"查询失败：{exc}") from None
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QueryTriples | list):  # a remote endpoint's triples: a list
        return GraphResult(tuple(result))
    variables = tuple(v.value for v in result.variables)
    return QueryResult(
        variables, tuple(Row({name: solution[name] for name in variables}) for solution in result)
    )


_RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def labels_of(store: Engine, iris: set[str], lang: str) -> dict[str, str]:
    """Return the label in *lang* (else in the other language) of each of *iris* that has one."""
    if not reads_quads(store):
        return {}
    labels: dict[str, dict[str, str]] = {}
    if isinstance(store, ox.Store):
        for iri in iris:
            for quad in store.quads_for_pattern(
                ox.NamedNode(iri), _RDFS_LABEL, None, ox.DefaultGraph()
            ):
                if isinstance(quad.object, ox.Literal):
                    by_lang = labels.setdefault(iri, {})
                    by_lang.setdefault(quad.object.language or "", quad.object.value)
    else:
        labels = _remote_labels(store, sorted(iris))  # type: ignore[arg-type]
    found: dict[str, str] = {}
    other = "zh" if lang == "en" else "en"
    for iri, by_lang in labels.items():
        if text := by_lang.get(lang) or by_lang.get(other) or by_lang.get(""):
            found[iri] = text
    return found


def _remote_labels(store: RemoteStore, iris: list[str]) -> dict[str, dict[str, str]]:
    """Read the labels of *iris* in one request per few hundred (not one per IRI)."""
    labels: dict[str, dict[str, str]] = {}
    for start in range(0, len(iris), 500):
        listed = " ".join(str(ox.NamedNode(iri)) for iri in iris[start : start + 500])
        rows = store.query(f"SELECT ?s ?l WHERE {{ VALUES ?s {{ {listed} }} ?s {_RDFS_LABEL} ?l }}")
        for row in sorted(rows, key=lambda r: str(r["l"])):
            subject, literal = row["s"], row["l"]
            if isinstance(subject, ox.NamedNode) and isinstance(literal, ox.Literal):
                by_lang = labels.setdefault(subject.value, {})
                by_lang.setdefault(literal.language or "", literal.value)
    return labels


def with_labels(store: Engine, result: QueryResult, lang: str) -> QueryResult:
    """Return *result* with the labels (in *lang*) of the IRIs among its values."""
    iris = {
        value.value
        for row in result.rows
        for value in row.values.values()
        if isinstance(value, ox.NamedNode)
    }
    return replace(result, labels=labels_of(store, iris, lang))


def resolve_entity(store: Engine, text: str) -> list[str]:
    """Return the IRI of the entity *text* names (see :func:`miikg.resolve.resolve`).

    :raises NotFoundError: nothing, or more than one entity, matches.
    """
    from miikg.resolve import resolve

    return [resolve(store, text).entity]


def _term(store: Engine, param: Param, value: Any, index: NameLookup | None = None) -> Term:
    if param.kind == "iri":
        from miikg.ontology.namespaces import PREFIXES
        from miikg.resolve import resolve

        classes: tuple[str, ...] = ()
        if param.of_class:
            prefix, _, local = param.of_class.partition(":")
            classes = (PREFIXES[prefix] + local,)
        try:
            return ox.NamedNode(resolve(store, str(value), classes=classes, index=index).entity)
        except NotFoundError as exc:
            raise NotFoundError(
                f"parameter {param.name}: {exc}",
                zh=f"参数 {param.name}：{exc.text('zh')}",
                candidates=exc.candidates,
                ambiguous=exc.ambiguous,
            ) from None
    if param.kind == "language":
        if value not in LANGUAGES:
            raise QueryError(
                f"parameter {param.name} must be one of {', '.join(LANGUAGES)}, not {value!r}",
                zh=f"参数 {param.name} 须为 {'、'.join(LANGUAGES)} 之一，而不是 {value!r}",
            )
        return ox.Literal(value)
    if param.kind == "choice":
        if value not in param.choices:
            raise QueryError(
                f"parameter {param.name} must be one of {', '.join(param.choices)}, not {value!r}",
                zh=f"参数 {param.name} 须为 {'、'.join(param.choices)} 之一，而不是 {value!r}",
            )
        return ox.Literal(value)
    if param.kind == "integer":
        try:
            return ox.Literal(
                str(int(value)), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            )
        except ValueError:
            raise QueryError(
                f"parameter {param.name} must be a whole number, not {value!r}",
                zh=f"参数 {param.name} 须为整数，而不是 {value!r}",
            ) from None
    return ox.Literal(str(value))


def named_query(name: str) -> NamedQuery:
    """Return the named query *name*.

    :raises NotFoundError: no such query (with the closest names, if any).
    """
    query: NamedQuery | None = catalogue().get(name)
    if query is None:
        from miikg.resolve import suggest

        close = suggest(name, catalogue())
        hint = f"; did you mean: {', '.join(close)}?" if close else "; `miikg queries` lists them"
        hint_zh = (
            f"；您是否要找：{'、'.join(close)}？" if close else "；`miikg queries` 可列出全部查询"
        )
        raise NotFoundError(
            f"no query named {name!r}{hint}",
            zh=f"没有名为 {name!r} 的查询{hint_zh}",
            candidates=tuple(close),
        )
    return query


def run_named(
    store: Engine,
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    lang: str = "en",
    index: NameLookup | None = None,
) -> QueryResult:
    """Run the named query *name*; *params* are checked against its header and bound.

    :param index: where an entity parameter's name is looked up (the build's name index);
        without it, the names are read from the store.
    """
    query = named_query(name)
    given = dict(params or {})
    if query.param("lang") is not None:
        given.setdefault("lang", lang)
    for declared in query.params:
        if declared.default is not None:
            given.setdefault(declared.name, declared.default)
    bindings: dict[str, Term] = {}
    for key, value in given.items():
        param = query.param(key)
        if param is None:
            names = [p.name for p in query.params if p.name != "lang"]
            listed = ", ".join(names) or "none"
            raise QueryError(
                f"query {name!r} has no parameter {key!r} (its parameters: {listed})",
                zh=f"查询 {name!r} 没有参数 {key!r}（其参数：{'、'.join(names) or '无'}）",
            )
        bindings[key] = _term(store, param, value, index)
    missing = [p.name for p in query.params if p.name not in bindings and not p.optional]
    if missing:
        raise QueryError(
            f"query {name!r} needs parameter(s): {', '.join(missing)} (give -p NAME=VALUE)",
            zh=f"查询 {name!r} 需要参数：{'、'.join(missing)}（用 -p 名称=值 给出）",
        )
    from miikg.queries.frames import list_columns

    lists = list_columns(query.text)
    result = run_query(store, query.text, bindings)
    return replace(result, rows=joined_in_order(result.rows, lists), lists=lists)


def joined_in_order(rows: tuple[Row, ...], lists: Mapping[str, str]) -> tuple[Row, ...]:
    """Return *rows* with each joined value (``GROUP_CONCAT``) in one order on every store.

    SPARQL 1.1 leaves three things about ``GROUP_CONCAT`` to the store: the order
    of the parts (Oxigraph keeps the order it met them in, Virtuoso sorts them), the
    language tag of parts that share one (Oxigraph keeps it), and the value over a group
    with nothing to join (Oxigraph: unbound, Virtuoso and rdflib: ``""``). Here the parts
    are sorted, the value is a plain string, and nothing to join is unbound.
    """
    if not lists:
        return rows
    out = []
    for row in rows:
        values = dict(row.values)
        for name, separator in lists.items():
            term = values.get(name)
            text = term.value if isinstance(term, ox.Literal) else ""
            parts = sorted(text.split(separator)) if text else []
            values[name] = ox.Literal(separator.join(parts)) if parts else None
        out.append(Row(values))
    return tuple(out)
