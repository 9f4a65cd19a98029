"""Parameters bound in the text of a query, for stores that take no bindings of their own.

Oxigraph binds a parameter as an RDF term (``substitutions``, SPARQL-dev SEP-0007:
every occurrence of the variable is that term), rdflib as ``initBindings``; a remote
SPARQL endpoint takes only text. There the binding is written into the query, in one of
two ways, both with the term as pyoxigraph serialises it (an IRI pyoxigraph has
checked, a literal it has escaped), never the text a person typed:

- ``VALUES ?param { term }`` as the first element of the query's outer group, where that
  is equivalent to substitution: every occurrence of the variable is in the outer group
  itself or directly in one of its ``OPTIONAL`` groups (a join, and the filters of a left
  join, see the outer bindings);
- otherwise substitution of the term for each occurrence (inside a ``UNION`` branch, a
  ``GRAPH`` or ``EXISTS`` group, a sub-query, where a ``VALUES`` outside is not seen), plus
  the same ``VALUES``, so the projection and ``GROUP BY`` still find the variable bound.

>>> import pyoxigraph as ox
>>> bind_text("SELECT ?lang ?x WHERE { ?x ?p ?l FILTER(LANG(?l) = ?lang) }",
...           {"lang": ox.Literal("zh")}).text
'SELECT ?lang ?x WHERE { VALUES ?lang { "zh" } ?x ?p ?l FILTER(LANG(?l) = ?lang) }'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import pyoxigraph as ox

from miikg.errors import QueryError
from miikg.queries.lexer import Token, lex

__all__ = [
    "BoundQuery",
    "bind_text",
    "names_graphs",
    "outer_group",
    "states_dataset",
    "unescaped_names",
    "with_dataset",
]

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
How = Literal["values", "substituted"]
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


@dataclass(frozen=True)
class BoundQuery:
    """A query's text with its parameters bound, and how each was bound."""

    text: str
    how: dict[str, How] = field(default_factory=dict)


def _significant(tokens: list[Token]) -> list[int]:
    return [i for i, t in enumerate(tokens) if t.kind not in {"ws", "comment"}]


def _matching(tokens: list[Token], significant: list[int], position: int) -> int:
    """Return the index (in *significant*) of the brace closing the one at *position*."""
    depth = 0
    for k in range(position, len(significant)):
        text = tokens[significant[k]].text
        if text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
            if depth == 0:
                return k
    raise QueryError("the query's braces do not balance", zh="查询中的花括号不配对")


def outer_group(text: str) -> tuple[int, int] | None:
    """Return the offsets of the braces of the query's WHERE group (None: none found).

    >>> outer_group("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    (30, 41)
    """
    tokens = lex(text)
    significant = _significant(tokens)
    form = None
    parens = 0
    k = 0
    while k < len(significant):
        token = tokens[significant[k]]
        word = token.text.upper() if token.kind == "word" else ""
        if form is None:
            if word in _FORMS:
                form = word
        elif token.text == "(":
            parens += 1
        elif token.text == ")":
            parens -= 1
        elif token.text == "{" and parens == 0:
            previous = tokens[significant[k - 1]].text.upper()
            if form == "CONSTRUCT" and previous == "CONSTRUCT":
                k = _matching(tokens, significant, k) + 1  # the template, not the pattern
                continue
            end = _matching(tokens, significant, k)
            return tokens[significant[k]].start, tokens[significant[end]].start
        k += 1
    return None


def _occurrences(
    tokens: list[Token], significant: list[int], first: int, last: int, names: set[str]
) -> dict[str, list[tuple[int, bool]]]:
    """Map each of *names* to its occurrences in the group: (token index, VALUES-safe)."""
    found: dict[str, list[tuple[int, bool]]] = {name: [] for name in names}
    stack: list[str] = []
    for k in range(first, last + 1):
        token = tokens[significant[k]]
        if token.text == "{":
            before = tokens[significant[k - 1]].text.upper() if k > first else ""
            stack.append("top" if not stack else "optional" if before == "OPTIONAL" else "other")
        elif token.text == "}":
            stack.pop()
        elif token.kind == "var" and token.text[1:] in names:
            before = tokens[significant[k - 1]].text.upper()
            if before in {"AS", "VALUES"}:
                raise QueryError(
                    f"the query assigns its parameter {token.text} ({before}), so it cannot be "
                    "bound",
                    zh=f"查询本身为参数 {token.text} 赋值（{before}），无法绑定",
                )
            safe = stack == ["top"] or stack == ["top", "optional"]
            found[token.text[1:]].append((significant[k], safe))
    return found


def bind_text(text: str, bindings: Mapping[str, Term]) -> BoundQuery:
    """Return *text* with each variable of *bindings* bound to its term (see the module).

    :raises QueryError: the query has no WHERE group, or assigns a parameter itself.
    """
    if not bindings:
        return BoundQuery(text)
    tokens = lex(text)
    significant = _significant(tokens)
    group = outer_group(text)
    if group is None:
        raise QueryError(
            "the query has no WHERE group to bind its parameters in",
            zh="查询没有可绑定参数的 WHERE 组",
        )
    first = next(k for k, i in enumerate(significant) if tokens[i].start == group[0])
    last = next(k for k, i in enumerate(significant) if tokens[i].start == group[1])
    occurrences = _occurrences(tokens, significant, first, last, set(bindings))
    how: dict[str, How] = {}
    replaced: dict[int, str] = {}
    for name, places in occurrences.items():
        if all(safe for _, safe in places):
            how[name] = "values"
            continue
        how[name] = "substituted"
        for index, _ in places:
            replaced[index] = str(bindings[name])
    values = "".join(f" VALUES ?{name} {{ {bindings[name]} }}" for name in sorted(bindings))
    out = []
    for i, token in enumerate(tokens):
        out.append(replaced.get(i, token.text))
        if token.start == group[0] and token.text == "{":
            out.append(values)
    return BoundQuery("".join(out), how)


def _words(text: str) -> list[str]:
    return [t.text.upper() for t in lex(text) if t.kind == "word"]


def names_graphs(text: str) -> bool:
    """Tell whether the query reads named graphs (a ``GRAPH`` pattern).

    >>> names_graphs('SELECT * { GRAPH ?g { ?s ?p "GRAPH" } }'), names_graphs("ASK {}")
    (True, False)
    """
    return "GRAPH" in _words(text)


def states_dataset(text: str) -> bool:
    """Tell whether the query names its own dataset (``FROM`` or ``FROM NAMED``).

    >>> states_dataset("SELECT * FROM <urn:g> { ?s ?p ?o }")
    True
    """
    return "FROM" in _words(text)


def with_dataset(text: str, default: Iterable[str] = (), named: Iterable[str] = ()) -> str:
    """Return *text* with ``FROM`` and ``FROM NAMED`` clauses naming its dataset.

    They go just before the query's WHERE clause, where the grammar puts them; each IRI is
    written by pyoxigraph (checked, never text spliced as it came).

    >>> with_dataset("ASK WHERE { ?s ?p ?o }", ["urn:a"], ["urn:b"])
    'ASK FROM <urn:a> FROM NAMED <urn:b> WHERE { ?s ?p ?o }'
    """
    clauses = [f"FROM {ox.NamedNode(g)}" for g in default]
    clauses += [f"FROM NAMED {ox.NamedNode(g)}" for g in named]
    if not clauses:
        return text
    group = outer_group(text)
    if group is None:
        raise QueryError("the query has no WHERE group", zh="查询没有 WHERE 组")
    tokens = [t for t in lex(text) if t.kind not in {"ws", "comment"} and t.start < group[0]]
    at = tokens[-1].start if tokens and tokens[-1].text.upper() == "WHERE" else group[0]
    return text[:at] + " ".join(clauses) + " " + text[at:]


def unescaped_names(text: str, prefixes: Mapping[str, str]) -> str:
    """Return *text* with each prefixed name that holds an escape (``mid:place\\/ohio``)
    written as the full IRI, which every store reads.

    SPARQL 1.1 lets a prefixed name escape ``/`` and other characters with ``\\``;
    Virtuoso 7.2 refuses the backslash. *prefixes* are declared before the query; the
    query's own PREFIX declarations win.

    >>> unescaped_names(r"ASK { mid:place\\/ohio ?p ?o }", {"mid": "https://w3id.org/miikg/id/"})
    'ASK { <https://w3id.org/miikg/id/place/ohio> ?p ?o }'
    """
    tokens = lex(text)
    declared = dict(prefixes)
    significant = [t for t in tokens if t.kind not in {"ws", "comment"}]
    for i, token in enumerate(significant[:-2]):
        if token.kind == "word" and token.text.upper() == "PREFIX":
            name, iri = significant[i + 1], significant[i + 2]
            if iri.kind == "iri":
                declared[name.text.rstrip(":")] = iri.text[1:-1]
    out = []
    for token in tokens:
        prefix, _, local = token.text.partition(":")
        if token.kind == "pname" and "\\" in local and prefix in declared:
            out.append(str(ox.NamedNode(declared[prefix] + re.sub(r"\\(.)", r"\1", local))))
        else:
            out.append(token.text)
    return "".join(out)
