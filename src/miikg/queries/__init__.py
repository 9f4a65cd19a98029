"""The named SPARQL queries (one ``<name>.rq`` file each) and the code that runs them.

A query file starts with a header of comments::

    # title@en: Institutes
    # title@zh: 制造创新所
    # description@en: The nine DoD institutes with founding month, organiser and state.
    # description@zh: 九个国防部制造创新所及其成立时间、组织者和所在州。
    # param lang (language): language of the labels, en or zh | 标签语言，en 或 zh
    # param scope (choice dod network; default dod): which institutes | 哪些制造创新所
    # param state (iri schema:State; optional): only this state | 仅限该州
    # column name: Name | 名称

and declares its own PREFIXes, so it can be pasted into any SPARQL tool. Each parameter
is a variable of the SELECT projection (and of GROUP BY, where the query groups):
Oxigraph binds only projected variables; the runner leaves their columns out. A
``choice`` parameter takes one of the listed words; ``default`` gives the value used when
none is given, and an ``optional`` parameter left out stays unbound (its column shows). Each
``# column`` line titles one result variable in en and zh: the terminal table shows the
titles, CSV and JSON keep the variable names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

__all__ = [
    "EXAMPLE_PARAMS",
    "NamedQuery",
    "Param",
    "catalogue",
    "internal_query",
    "parse_query_file",
]

#: A value for each parameter other than ``lang`` that returns rows on the curated graph:
#: what tests, benchmarks and examples pass.
EXAMPLE_PARAMS: dict[str, dict[str, str]] = {
    "connections": {"a": "america-makes", "b": "jdmtp"},
    "entity-facts": {"entity": "america-makes"},
    "resolve-entity": {"text": "MxD"},
    "scheme-concepts": {"scheme": "member-types"},
}

ParamKind = Literal["iri", "string", "language", "integer", "choice"]
_HEADER = re.compile(r"^#\s*(title|description)@(en|zh):\s*(.+?)\s*$")
_COLUMN = re.compile(r"^#\s*column\s+([A-Za-z_]\w*):\s*(.+?)\s*\|\s*(.+?)\s*$")
_PARAM = re.compile(
    r"^#\s*param\s+([A-Za-z_]\w*)\s+\((iri|string|language|integer|choice)((?:\s+[\w:-]+)*)"
    r"(?:;\s*(optional|default\s+[\w:-]+))?\):\s*(.+?)\s*$"
)


@dataclass(frozen=True)
class Param:
    """A query parameter: a SPARQL variable bound as an RDF term, never spliced as text."""

    name: str
    kind: ParamKind
    doc: dict[str, str]
    #: For an ``iri`` parameter: the class (a CURIE) its value must be an instance of.
    of_class: str | None = None
    #: For a ``choice`` parameter: the words it accepts.
    choices: tuple[str, ...] = ()
    #: The value used when none is given.
    default: str | None = None
    #: Left out, the parameter stays unbound (the query returns every value).
    optional: bool = False


@dataclass(frozen=True)
class NamedQuery:
    """One query of the catalogue."""

    name: str
    text: str
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    params: tuple[Param, ...] = ()
    #: Column titles by variable: ``{"agencyLabel": {"en": ..., "zh": ...}}``.
    columns: dict[str, dict[str, str]] = field(default_factory=dict)

    def column_title(self, variable: str, lang: str) -> str:
        """Return the title of *variable*'s column in *lang* (the variable name if none)."""
        return self.columns.get(variable, {}).get(lang, variable)

    def param(self, name: str) -> Param | None:
        """Return the declared parameter *name*, if any."""
        return next((p for p in self.params if p.name == name), None)


def parse_query_file(name: str, text: str) -> NamedQuery:
    """Read the header of a ``.rq`` file into a :class:`NamedQuery`."""
    title: dict[str, str] = {}
    description: dict[str, str] = {}
    params: list[Param] = []
    columns: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if match := _HEADER.match(line):
            target = title if match[1] == "title" else description
            target[match[2]] = match[3]
        elif match := _PARAM.match(line):
            en, _, zh = match[5].partition("|")
            doc = {"en": en.strip(), "zh": zh.strip()}
            words = tuple(match[3].split())
            extra = match[4] or ""
            params.append(
                Param(
                    match[1],
                    match[2],  # type: ignore[arg-type]
                    doc,
                    of_class=words[0] if match[2] == "iri" and words else None,
                    choices=words if match[2] == "choice" else (),
                    default=extra.split()[1] if extra.startswith("default") else None,
                    optional=extra == "optional",
                )
            )
        elif match := _COLUMN.match(line):
            columns[match[1]] = {"en": match[2], "zh": match[3]}
    return NamedQuery(name, text, title, description, tuple(params), columns)


@cache
def catalogue() -> dict[str, NamedQuery]:
    """Return every named query shipped with the package, by name."""
    folder = resources.files(__package__)
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name.removesuffix(".rq")
            found[name] = parse_query_file(name, entry.read_text(encoding="utf-8"))
    return found


@cache
def internal_query(path: str) -> NamedQuery:
    """Return a query of a subfolder (``tables/conflicts-of``): used by code, not listed."""
    folder, _, name = path.partition("/")
    entry = resources.files(__package__).joinpath(folder).joinpath(f"{name}.rq")
    return parse_query_file(path, entry.read_text(encoding="utf-8"))
