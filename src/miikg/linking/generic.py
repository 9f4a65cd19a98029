"""Import any CSV through a small YAML mapping, or any RDF file pyoxigraph parses.

A mapping file (``yaml.safe_load``; unknown keys are refused)::

    subject: {column: id, template: "https://example.org/org/{value}"}
    type: schema:Organization          # optional; a CURIE of the project's prefixes or an IRI
    columns:
      name: {property: rdfs:label, language: en}
      founded: {property: schema:foundingDate, datatype: xsd:date}
      homepage: {property: schema:url, kind: iri}
      recipient: {property: miikg:awardee, kind: reconcile}   # linked by name, if matched

``kind`` is ``literal`` (the default), ``iri``, or ``reconcile`` (the reconciled entity;
a row whose name is ambiguous or unmatched gets no link and is reported). Every row is
checked before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import yaml

from miikg.errors import ImportFileError
from miikg.linking.importing import (
    ImportFile,
    WriteResult,
    read_csv,
    read_import_file,
    term,
    write_import,
)
from miikg.linking.reconcile import Reconciler
from miikg.linking.usaspending import ImportReport, RowOutcome
from miikg.ontology.namespaces import GRAPH, PREFIXES

__all__ = ["import_csv", "import_rdf"]

_KINDS = ("literal", "iri", "reconcile")
_COLUMN_KEYS = {"property", "kind", "language", "datatype"}
_CHECKS: dict[str, Callable[[str], object]] = {
    "date": date.fromisoformat,
    "integer": int,
    "decimal": Decimal,
}


@dataclass(frozen=True)
class ColumnMap:
    column: str
    predicate: ox.NamedNode
    kind: str
    language: str | None
    datatype: ox.NamedNode | None


@dataclass(frozen=True)
class Mapping:
    subject_column: str
    template: str
    type: ox.NamedNode | None
    columns: tuple[ColumnMap, ...]


def _iri(value: object, where: str, fail: Any) -> ox.NamedNode:
    if not isinstance(value, str) or not value:
        raise fail(f"{where}: expected an IRI or prefix:name")
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return ox.NamedNode(PREFIXES[prefix] + local)
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise fail(f"{where}: {value!r} is not an IRI or a known prefix:name") from None


def read_mapping(path: Path) -> Mapping:
    """Read and check a mapping file.

    :raises ImportFileError: naming the mapping file and the field that is wrong.
    """

    def fail(message: str) -> ImportFileError:
        return ImportFileError(path.name, message)

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise fail(f"cannot read the mapping: {exc}") from None
    if not isinstance(raw, dict) or set(raw) - {"subject", "type", "columns"}:
        raise fail("expected keys subject, columns and optionally type")
    subject = raw.get("subject")
    if not isinstance(subject, dict) or set(subject) != {"column", "template"}:
        raise fail("subject: expected {column: NAME, template: 'https://…{value}'}")
    if "{value}" not in str(subject["template"]):
        raise fail("subject.template: must contain {value}")
    columns = raw.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise fail("columns: expected a mapping of column name to {property: …}")
    mapped = []
    for name, spec in columns.items():
        where = f"columns.{name}"
        if not isinstance(spec, dict) or "property" not in spec or set(spec) - _COLUMN_KEYS:
            raise fail(f"{where}: expected property and optionally kind, language, datatype")
        kind = spec.get("kind", "literal")
        if kind not in _KINDS:
            raise fail(f"{where}.kind: {kind!r} is not one of {', '.join(_KINDS)}")
        datatype = _iri(spec["datatype"], f"{where}.datatype", fail) if "datatype" in spec else None
        mapped.append(
            ColumnMap(
                str(name),
                _iri(spec["property"], f"{where}.property", fail),
                kind,
                spec.get("language"),
                datatype,
            )
        )
    kind_iri = _iri(raw["type"], "type", fail) if "type" in raw else None
    return Mapping(str(subject["column"]), str(subject["template"]), kind_iri, tuple(mapped))


def _literal(file: ImportFile, row: int, col: ColumnMap, value: str) -> ox.Literal:
    if col.language:
        return ox.Literal(value, language=col.language)
    if col.datatype is None:
        return ox.Literal(value)
    check = _CHECKS.get(col.datatype.value.rsplit("#", 1)[-1])
    if check is not None:
        try:
            check(value)
        except (ValueError, InvalidOperation):
            name = col.datatype.value.rsplit("#", 1)[-1]
            raise file.error(
                f"{value!r} is not an xsd:{name}", row=row, column=col.column
            ) from None
    return ox.Literal(value, datatype=col.datatype)


def import_csv(
    path: Path, mapping_path: Path, *, home: Path | None = None, dry_run: bool = False
) -> ImportReport:
    """Import the CSV at *path* through the mapping at *mapping_path* into its own graph.

    :raises ImportFileError: a broken mapping, CSV, or cell (naming file, row, column).
    """
    mapping = read_mapping(mapping_path)
    file = read_import_file(path)
    rows = read_csv(file, required=[mapping.subject_column, *(c.column for c in mapping.columns)])
    needs_names = any(c.kind == "reconcile" for c in mapping.columns)
    reconciler = Reconciler.from_home(home) if needs_names else None
    triples: list[ox.Triple] = []
    outcomes: list[RowOutcome] = []
    for row in rows:
        key = row.values[mapping.subject_column]
        if not key:
            raise file.error("empty subject", row=row.row, column=mapping.subject_column)
        try:
            subject = ox.NamedNode(mapping.template.replace("{value}", quote(key, safe="-._~")))
        except ValueError:
            raise file.error(
                f"{key!r} makes no IRI", row=row.row, column=mapping.subject_column
            ) from None
        if mapping.type is not None:
            triples.append(ox.Triple(subject, term("rdf:type"), mapping.type))
        for col in mapping.columns:
            value = row.values[col.column]
            if not value:
                continue
            obj: ox.NamedNode | ox.Literal
            if col.kind == "reconcile":
                assert reconciler is not None
                match = reconciler.reconcile(value)
                outcomes.append(RowOutcome(row.row, key, match))
                if match.entity is None:
                    continue
                obj = ox.NamedNode(match.entity)
            elif col.kind == "iri":
                try:
                    obj = ox.NamedNode(value)
                except ValueError:
                    raise file.error(
                        f"{value!r} is not an IRI", row=row.row, column=col.column
                    ) from None
            else:
                obj = _literal(file, row.row, col, value)
            triples.append(ox.Triple(subject, col.predicate, obj))
    report = ImportReport(file.name, file.sha256, tuple(outcomes))
    if dry_run:
        return report
    written = write_import(file, triples, kind="csv", home=home)
    return ImportReport(file.name, file.sha256, tuple(outcomes), written)


def import_rdf(path: Path, *, home: Path | None = None) -> WriteResult:
    """Import any RDF file pyoxigraph parses (format from its extension) into its own graph.

    Graph names of a dataset are dropped: the whole file becomes one graph. Blank nodes
    become IRIs under the import graph, numbered in the order they first appear.

    :raises ImportFileError: an unknown extension, or a syntax error with its position
        (a truncated file imports nothing).
    """
    file = read_import_file(path)
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower())
    if fmt is None:
        raise file.error(
            f"unknown RDF file extension {path.suffix!r}: use .ttl, .nt, .nq, .trig, .rdf, .jsonld"
        )
    try:
        quads = list(ox.parse(file.data, format=fmt))
    except (SyntaxError, ValueError) as exc:
        raise file.error(f"not valid {fmt.name}: {exc}") from None
    skolem: dict[str, ox.NamedNode] = {}
    base = f"{GRAPH}import-{file.sha256[:16]}/node/"

    def named(node: Any) -> Any:
        if isinstance(node, ox.BlankNode):
            if node.value not in skolem:
                skolem[node.value] = ox.NamedNode(f"{base}{len(skolem) + 1}")
            return skolem[node.value]
        return node

    triples = [ox.Triple(named(q.subject), q.predicate, named(q.object)) for q in quads]
    return write_import(file, triples, kind="rdf", home=home)
