"""RDF serialisations of a build: Turtle, TriG, N-Quads, compact JSON-LD and RDF/XML.

Turtle, JSON-LD and RDF/XML hold the merged default graph; TriG and N-Quads hold every
named graph (claims per source, ``meta``, ``ontology``) and the default graph.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from miikg.ontology.namespaces import PREFIXES
from miikg.report import curie

if TYPE_CHECKING:
    from miikg.exports.registry import ExportSource

__all__ = [
    "CONTEXT_FILENAME",
    "context_document",
    "write_jsonld",
    "write_nquads",
    "write_rdfxml",
    "write_trig",
    "write_turtle",
]

#: The file the context is also written to, next to the JSON-LD export, for reuse.
CONTEXT_FILENAME = "context.jsonld"
_XSD_STRING = PREFIXES["xsd"] + "string"


def _serialize(items: list[Any], path: Path, fmt: ox.RdfFormat) -> Path:
    with path.open("wb") as handle:
        ox.serialize(items, handle, format=fmt, prefixes=dict(PREFIXES))
    return path


def write_turtle(source: ExportSource, path: Path) -> Path:
    """Write the merged default graph as Turtle with the project's prefixes."""
    return _serialize(source.triples(), path, ox.RdfFormat.TURTLE)


def write_rdfxml(source: ExportSource, path: Path) -> Path:
    """Write the merged default graph as RDF/XML."""
    return _serialize(source.triples(), path, ox.RdfFormat.RDF_XML)


def write_trig(source: ExportSource, path: Path) -> Path:
    """Write every graph (default and named) as TriG."""
    return _serialize(source.quads(), path, ox.RdfFormat.TRIG)


def write_nquads(source: ExportSource, path: Path) -> Path:
    """Write every graph as N-Quads, one quad a line, sorted as text."""
    lines = sorted(str(q) + " .\n" for q in source.quads())
    path.write_bytes("".join(lines).encode("utf-8"))
    return path


def context_document() -> dict[str, Any]:
    """Return the JSON-LD context document: one prefix definition per project prefix."""
    return {"@context": {name: PREFIXES[name] for name in sorted(PREFIXES)}}


def _compact(iri: str) -> str:
    short = curie(iri)
    # A CURIE whose local part starts with "//" would read as an absolute IRI.
    return iri if short == iri or short.split(":", 1)[1].startswith("//") else short


def _value(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> Any:
    if isinstance(term, ox.NamedNode):
        return {"@id": _compact(term.value)}
    if isinstance(term, ox.BlankNode):
        return {"@id": "_:" + term.value}
    if term.language:
        return {"@value": term.value, "@language": term.language}
    if term.datatype.value == _XSD_STRING:
        return term.value
    return {"@value": term.value, "@type": _compact(term.datatype.value)}


def _node_id(term: ox.NamedNode | ox.BlankNode) -> str:
    return _compact(term.value) if isinstance(term, ox.NamedNode) else "_:" + term.value


def write_jsonld(source: ExportSource, path: Path) -> Path:
    """Write the merged default graph as compact JSON-LD, and its context file beside it.

    The context is inline, so the document expands anywhere, offline included (a
    remote context would have to be fetched, and an unregistered IRI cannot be); the
    same context is also written to ``context.jsonld`` in the same folder, for readers
    that compact their own documents with it.
    """
    nodes: dict[str, dict[str, Any]] = {}
    rdf_type = PREFIXES["rdf"] + "type"
    for triple in source.triples():
        subject = triple.subject
        if isinstance(subject, ox.Triple):  # pragma: no cover - the build has no RDF-star
            continue
        node = nodes.setdefault(_node_id(subject), {"@id": _node_id(subject)})
        obj = triple.object
        if isinstance(obj, ox.Triple):  # pragma: no cover
            continue
        if triple.predicate.value == rdf_type and isinstance(obj, ox.NamedNode):
            node.setdefault("@type", []).append(_compact(obj.value))
        else:
            node.setdefault(_compact(triple.predicate.value), []).append(_value(obj))
    graph = [
        {key: node[key] for key in sorted(node, key=lambda k: (not k.startswith("@"), k))}
        for _, node in sorted(nodes.items())
    ]
    document = {**context_document(), "@graph": graph}
    _write_json(document, path)
    _write_json(context_document(), path.parent / CONTEXT_FILENAME)
    return path


def _write_json(data: Any, path: Path) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
