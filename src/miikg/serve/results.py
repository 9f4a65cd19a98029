"""Result formats of the endpoint: content negotiation, and writers that stop at a limit.

Solutions are written here rather than by pyoxigraph's serialiser so that a result can be
cut at a row or byte limit while it streams out of the engine; graphs are cut the same
way before pyoxigraph serialises them. A cut result is still a complete document in its
format; the ``Miikg-Truncated`` response header says that, and why.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from miikg.errors import QueryRefusedError

__all__ = [
    "GRAPH_FORMATS",
    "SOLUTION_FORMATS",
    "Body",
    "Format",
    "Limits",
    "negotiate",
    "wants_page",
    "write_boolean",
    "write_solutions",
    "write_triples",
]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Format:
    """One result format: its short name, the media type sent, the ones accepted."""

    name: str
    media_type: str
    accepts: tuple[str, ...]
    #: the W3C format IRI, for the service description
    iri: str


SOLUTION_FORMATS = (
    Format(
        "json",
        "application/sparql-results+json",
        (
            "application/sparql-results+json",
            "application/json",
            "text/javascript",
            "application/javascript",
        ),
        "http://www.w3.org/ns/formats/SPARQL_Results_JSON",
    ),
    Format(
        "xml",
        "application/sparql-results+xml",
        ("application/sparql-results+xml", "application/xml", "text/xml"),
        "http://www.w3.org/ns/formats/SPARQL_Results_XML",
    ),
    Format("csv", "text/csv", ("text/csv",), "http://www.w3.org/ns/formats/SPARQL_Results_CSV"),
    Format(
        "tsv",
        "text/tab-separated-values",
        ("text/tab-separated-values", "text/plain"),
        "http://www.w3.org/ns/formats/SPARQL_Results_TSV",
    ),
)
GRAPH_FORMATS = (
    Format(
        "turtle",
        "text/turtle",
        # N3 readers read Turtle (a subset of N3): what clients asking for N3 get.
        (
            "text/turtle",
            "application/x-turtle",
            "application/turtle",
            "text/n3",
            "text/rdf+n3",
            "application/n3",
        ),
        "http://www.w3.org/ns/formats/Turtle",
    ),
    Format(
        "ntriples",
        "application/n-triples",
        ("application/n-triples", "text/plain"),
        "http://www.w3.org/ns/formats/N-Triples",
    ),
    Format(
        "nquads",
        "application/n-quads",
        ("application/n-quads", "text/x-nquads"),
        "http://www.w3.org/ns/formats/N-Quads",
    ),
    Format(
        "jsonld",
        "application/ld+json",
        ("application/ld+json", "application/json", "application/x-json+ld"),
        "http://www.w3.org/ns/formats/JSON-LD",
    ),
    Format(
        "rdfxml",
        "application/rdf+xml",
        ("application/rdf+xml", "application/xml", "text/xml"),
        "http://www.w3.org/ns/formats/RDF_XML",
    ),
)
#: ``format=`` values clients send (SPARQLWrapper sends its return format: ``xml``,
#: ``json``, ``n3``, ``turtle``, ``rdf``, ``rdf+xml``, ``json-ld``, ``csv``, ``tsv``),
#: per kind of result; a media type of a format's ``accepts`` works too.
_NAMES = {
    False: {"json": "json", "srj": "json", "xml": "xml", "srx": "xml", "csv": "csv",
            "tsv": "tsv"},
    True: {"turtle": "turtle", "ttl": "turtle", "n3": "turtle", "nt": "ntriples",
           "ntriples": "ntriples", "n-triples": "ntriples", "nq": "nquads", "nquads": "nquads",
           "n-quads": "nquads", "json": "jsonld", "json-ld": "jsonld", "jsonld": "jsonld",
           "xml": "rdfxml", "rdf": "rdfxml", "rdf+xml": "rdfxml", "rdfxml": "rdfxml",
           "rdf-xml": "rdfxml"},
}  # fmt: skip
_RDF_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}
_HTML = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True)
class Limits:
    """The most rows (or triples) and bytes one response may carry."""

    rows: int = 10_000
    bytes: int = 16 * 1024 * 1024


@dataclass(frozen=True)
class Body:
    """A written result; *truncated* is None, ``"rows"`` or ``"bytes"``."""

    data: bytes
    media_type: str
    truncated: str | None = None


def _accept(header: str) -> list[tuple[float, str]]:
    ranges = []
    for item in header.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if media:
            ranges.append((weight, media.lower()))
    return sorted(ranges, key=lambda r: -r[0])


def _by_name(graph: bool, name: str) -> Format | None:
    offered = GRAPH_FORMATS if graph else SOLUTION_FORMATS
    wanted = name.strip().lower()
    wanted = _NAMES[graph].get(wanted, wanted)
    return next((f for f in offered if wanted == f.name or wanted in f.accepts), None)


def _by_accept(graph: bool, accept: str | None, *, browser: bool = True) -> Format | None:
    offered = GRAPH_FORMATS if graph else SOLUTION_FORMATS
    if not accept:
        return offered[0]
    for weight, media in _accept(accept):
        if weight <= 0:
            continue
        if media == "*/*" or (browser and media in _HTML):
            # A browser (text/html first, */* after): the default format, shown as text.
            return offered[0]
        if media in {"application/*", "text/*"}:
            kind = media.split("/")[0]
            return next((f for f in offered if f.media_type.startswith(kind)), offered[0])
        for fmt in offered:
            if media in fmt.accepts:
                if media == "text/plain":  # sent as what was asked for: a browser shows it
                    return replace(fmt, media_type="text/plain")
                return fmt
    return None


def wants_page(accept: str | None) -> bool:
    """Tell whether *accept* takes HTML and no result format: a person, not a client."""
    if not accept:
        return False
    ranges = [media for weight, media in _accept(accept) if weight > 0]
    if not any(media in _HTML for media in ranges):
        return False
    return (
        _by_accept(False, accept, browser=False) is None
        and _by_accept(True, accept, browser=False) is None
    )


def negotiate(graph: bool, *, accept: str | None, name: str | None = None) -> Format:
    """Choose the format of a result (a graph, or solutions) from ``format`` or ``Accept``.

    A ``format`` value known for this kind of result wins; an unknown one is ignored
    when ``Accept`` can be met (clients add ``format=`` for every query form).

    :raises QueryRefusedError: (406) nothing acceptable is offered.
    """
    offered = GRAPH_FORMATS if graph else SOLUTION_FORMATS
    if name and (named := _by_name(graph, name)) is not None:
        return named
    # HTML counts as "a browser: the default format" only beside a type offered here;
    # HTML alone asks for the query page (wants_page).
    if _by_accept(graph, accept, browser=False) is not None:
        chosen = _by_accept(graph, accept)
        if chosen is not None:
            return chosen
    if name:
        raise QueryRefusedError(
            f"format {name!r} is not offered for this query, nor is any type in Accept; "
            "use one of " + ", ".join(f.name for f in offered),
            status=406,
            zh=f"此查询不提供格式 {name!r}，也不提供 Accept 中的任何类型；请使用 "
            + "、".join(f.name for f in offered),
        )
    raise QueryRefusedError(
        "none of the media types in Accept is offered for this query; offered: "
        + ", ".join(f.media_type for f in offered),
        status=406,
        zh="此查询不提供 Accept 中的任何媒体类型；可提供："
        + "、".join(f.media_type for f in offered),
    )


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    out: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (
            f"<triple><subject>{_xml_term(term.subject)}</subject>"
            f"<predicate>{_xml_term(term.predicate)}</predicate>"
            f"<object>{_xml_term(term.object)}</object></triple>"
        )
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _csv_line(values: Sequence[str], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerow(values)
    return buffer.getvalue()


class _Writer:
    """Header, one piece per row, footer: the shape shared by the four formats."""

    def __init__(self, fmt: str, variables: Sequence[str]) -> None:
        self.fmt = fmt
        self.variables = list(variables)

    def header(self) -> str:
        if self.fmt == "json":
            return '{"head":{"vars":' + json.dumps(self.variables) + '},"results":{"bindings":['
        if self.fmt == "xml":
            heads = "".join(f"<variable name={quoteattr(v)}/>" for v in self.variables)
            return (
                '<?xml version="1.0" encoding="UTF-8"?>\n'
                '<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head>{heads}</head><results>\n"
            )
        if self.fmt == "csv":
            return _csv_line(self.variables)
        return "\t".join(f"?{v}" for v in self.variables) + "\n"

    def row(self, values: Sequence[Term | None], first: bool) -> str:
        pairs = [(v, t) for v, t in zip(self.variables, values, strict=True) if t is not None]
        if self.fmt == "json":
            binding = {v: _json_term(t) for v, t in pairs}
            return ("" if first else ",") + json.dumps(binding, ensure_ascii=False)
        if self.fmt == "xml":
            inner = "".join(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in pairs
            )
            return f"<result>{inner}</result>\n"
        if self.fmt == "csv":
            return _csv_line([_csv_value(t) for t in values])
        return "\t".join("" if t is None else str(t) for t in values) + "\n"

    def footer(self) -> str:
        return {"json": "]}}", "xml": "</results></sparql>\n"}.get(self.fmt, "")


def write_solutions(
    variables: Sequence[str],
    solutions: Iterable[ox.QuerySolution],
    fmt: Format,
    limits: Limits,
) -> Body:
    """Write SELECT solutions in *fmt*, stopping at the row or byte limit."""
    writer = _Writer(fmt.name, variables)
    footer = writer.footer().encode()
    parts = [writer.header().encode()]
    size = len(parts[0]) + len(footer)
    truncated = None
    for count, solution in enumerate(solutions):
        if count >= limits.rows:
            truncated = "rows"
            break
        piece = writer.row([solution[v] for v in variables], count == 0).encode()
        if size + len(piece) > limits.bytes:
            truncated = "bytes"
            break
        parts.append(piece)
        size += len(piece)
    parts.append(footer)
    return Body(b"".join(parts), fmt.media_type, truncated)


def write_boolean(value: bool, fmt: Format) -> Body:
    """Write an ASK answer; CSV and TSV carry it as a one-cell table."""
    text = "true" if value else "false"
    if fmt.name == "json":
        data = json.dumps({"head": {}, "boolean": value})
    elif fmt.name == "xml":
        data = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sparql '
            'xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
            f"<boolean>{text}</boolean></sparql>\n"
        )
    elif fmt.name == "csv":
        data = f"_askResult\r\n{text}\r\n"
    else:
        data = f"?_askResult\n{text}\n"
    return Body(data.encode(), fmt.media_type)


def write_triples(
    triples: Iterable[ox.Triple],
    fmt: Format,
    limits: Limits,
    *,
    prefixes: dict[str, str] | None = None,
) -> Body:
    """Write CONSTRUCT/DESCRIBE triples in *fmt*, cut at the row limit or (measured as
    N-Triples) the byte limit."""
    kept: list[ox.Triple] = []
    size = 0
    truncated = None
    for triple in triples:
        if len(kept) >= limits.rows:
            truncated = "rows"
            break
        size += len(str(triple).encode()) + 3
        if size > limits.bytes:
            truncated = "bytes"
            break
        kept.append(triple)
    rdf_format = _RDF_FORMAT[fmt.name]
    items: list[ox.Triple] | list[ox.Quad] = kept
    if rdf_format is ox.RdfFormat.N_QUADS:
        items = [ox.Quad(t.subject, t.predicate, t.object) for t in kept]
    data = ox.serialize(
        items,
        format=rdf_format,
        prefixes=prefixes if fmt.name in {"turtle", "rdfxml"} else None,
    )
    return Body(data or b"", fmt.media_type, truncated)
