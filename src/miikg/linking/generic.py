"""Import any CSV through a small YAML mapping, or any RDF file pyoxigraph parses.

A mapping file (YAML, read as curated data is; unknown keys are refused)::

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

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox

from miikg.errors import DataError, ImportFileError, MiikgError
from miikg.graph_builder.load import MAX_FILE_BYTES, parse_yaml
from miikg.graph_builder.store import current_build
from miikg.linking.importing import (
    CsvRow,
    StreamedFile,
    Terms,
    WriteResult,
    _count,
    _drop_from_merge,
    read_import_file,
    term,
    write_import,
    write_import_stream,
    write_into_store,
)
from miikg.linking.reconcile import Match, Reconciler
from miikg.linking.usaspending import ImportReport, RowOutcome
from miikg.name_index import ImportIndex
from miikg.ontology.namespaces import GRAPH, PREFIXES

__all__ = ["import_csv", "import_rdf"]

_KINDS = ("literal", "iri", "reconcile")
_COLUMN_KEYS = {"property", "kind", "language", "datatype"}
_RDF_TYPE = term("rdf:type")
#: Characters ``quote`` leaves as they are: a key made of them only needs no quoting.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]+")
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
        raise fail(f"{where}: expected an IRI or prefix:name", zh=f"{where}：应为 IRI 或 前缀:名称")
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return ox.NamedNode(PREFIXES[prefix] + local)
    try:
        return ox.NamedNode(value)
    except ValueError:
        raise fail(
            f"{where}: {value!r} is not an IRI or a known prefix:name",
            zh=f"{where}：{value!r} 不是 IRI，也不是已知前缀的 前缀:名称",
        ) from None


def read_mapping(path: Path) -> Mapping:
    """Read and check a mapping file.

    :raises ImportFileError: naming the mapping file and the field that is wrong.
    """

    def fail(message: str, *, zh: str) -> ImportFileError:
        return ImportFileError(path.name, message, zh=zh)

    # The curated data's loader: bounded nesting and aliases, so a hostile mapping is an
    # error naming it, never a RecursionError or an alias bomb.
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise fail(
            f"cannot read the mapping: {exc.strerror}", zh=f"无法读取映射文件：{exc.strerror}"
        ) from None
    if len(data) > MAX_FILE_BYTES:
        raise fail(
            f"cannot read the mapping: more than {MAX_FILE_BYTES} bytes",
            zh=f"无法读取映射文件：超过 {MAX_FILE_BYTES} 字节",
        )
    try:
        raw = parse_yaml(data, path.name)
    except DataError as exc:
        raise fail(
            f"cannot read the mapping: {exc.reason}",
            zh=f"无法读取映射文件：{exc.reason_zh or exc.reason}",
        ) from None
    if not isinstance(raw, dict) or set(raw) - {"subject", "type", "columns"}:
        raise fail(
            "expected keys subject, columns and optionally type",
            zh="应有键 subject 和 columns，可选键 type",
        )
    subject = raw.get("subject")
    if not isinstance(subject, dict) or set(subject) != {"column", "template"}:
        raise fail(
            "subject: expected {column: NAME, template: 'https://…{value}'}",
            zh="subject：应为 {column: 列名, template: 'https://…{value}'}",
        )
    if "{value}" not in str(subject["template"]):
        raise fail("subject.template: must contain {value}", zh="subject.template：须包含 {value}")
    columns = raw.get("columns")
    if not isinstance(columns, dict) or not columns:
        raise fail(
            "columns: expected a mapping of column name to {property: …}",
            zh="columns：应为从列名到 {property: …} 的映射",
        )
    mapped = []
    for name, spec in columns.items():
        where = f"columns.{name}"
        if not isinstance(spec, dict) or "property" not in spec or set(spec) - _COLUMN_KEYS:
            raise fail(
                f"{where}: expected property and optionally kind, language, datatype",
                zh=f"{where}：应有 property，可选 kind、language、datatype",
            )
        kind = spec.get("kind", "literal")
        if kind not in _KINDS:
            raise fail(
                f"{where}.kind: {kind!r} is not one of {', '.join(_KINDS)}",
                zh=f"{where}.kind：{kind!r} 不是 {'、'.join(_KINDS)} 之一",
            )
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


def _literal(file: StreamedFile, row: int, col: ColumnMap, value: str) -> ox.Literal:
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
                f"{value!r} is not an xsd:{name}",
                zh=f"{value!r} 不是合法的 xsd:{name} 值",
                row=row,
                column=col.column,
            ) from None
    return ox.Literal(value, datatype=col.datatype)


def import_csv(
    path: Path, mapping_path: Path, *, home: Path | None = None, dry_run: bool = False
) -> ImportReport:
    """Import the CSV at *path* through the mapping at *mapping_path* into its own graph.

    The file is streamed twice and never held whole: the first pass checks every row (and
    reconciles the ``reconcile`` columns, each distinct name once), the second writes the
    triples in batches (see :func:`~miikg.linking.importing.write_import_stream`), so memory
    does not grow with the number of rows; only the report's reconciled rows do.

    :raises ImportFileError: a broken mapping, CSV, or cell (naming file, row, column).
    """
    mapping = read_mapping(mapping_path)
    file = StreamedFile(path)
    required = [mapping.subject_column, *(c.column for c in mapping.columns)]
    reconciler: Reconciler | None = None
    if any(c.kind == "reconcile" for c in mapping.columns):
        reconciler = Reconciler.from_home(home)
    matches: dict[str, Match] = {}

    def match(value: str) -> Match:
        found = matches.get(value)
        if found is None:
            assert reconciler is not None
            found = matches[value] = reconciler.reconcile(value)
        return found

    outcomes: list[RowOutcome] = []
    count = 0
    for row in file.rows(required=required):  # first pass: check, reconcile, write nothing
        count += 1
        for _ in _row_triples(file, mapping, row, match, outcomes):
            pass
    report = ImportReport(file.name, file.sha256, tuple(outcomes), data_rows=count)
    if dry_run:
        return report
    triples = (
        triple
        for row in file.rows(required=required)
        for triple in _row_triples(file, mapping, row, match, None)
    )
    written = write_import_stream(file, triples, kind="csv", home=home)
    return ImportReport(file.name, file.sha256, tuple(outcomes), written, count)


def _row_triples(
    file: StreamedFile,
    mapping: Mapping,
    row: CsvRow,
    match: Callable[[str], Match],
    outcomes: list[RowOutcome] | None,
) -> Iterator[Terms]:
    """Check one row and yield its triples (as term tuples); record reconciled cells."""
    key = row.values[mapping.subject_column]
    if not key:
        raise file.error("empty subject", zh="主体为空", row=row.row, column=mapping.subject_column)
    try:
        local = key if _UNRESERVED.fullmatch(key) else quote(key, safe="-._~")
        subject = ox.NamedNode(mapping.template.replace("{value}", local))
    except ValueError:
        raise file.error(
            f"{key!r} makes no IRI",
            zh=f"{key!r} 无法构成 IRI",
            row=row.row,
            column=mapping.subject_column,
        ) from None
    if mapping.type is not None:
        yield subject, _RDF_TYPE, mapping.type
    for col in mapping.columns:
        value = row.values[col.column]
        if not value:
            continue
        obj: ox.NamedNode | ox.Literal
        if col.kind == "reconcile":
            found = match(value)
            if outcomes is not None:
                outcomes.append(RowOutcome(row.row, key, found))
            if found.entity is None:
                continue
            obj = ox.NamedNode(found.entity)
        elif col.kind == "iri":
            try:
                obj = ox.NamedNode(value)
            except ValueError:
                raise file.error(
                    f"{value!r} is not an IRI", zh=f"{value!r} 不是 IRI", row=row.row,
                    column=col.column,
                ) from None  # fmt: skip
        else:
            obj = _literal(file, row.row, col, value)
        yield subject, col.predicate, obj


def import_rdf(path: Path, *, home: Path | None = None) -> WriteResult:
    """Import any RDF file pyoxigraph parses (format from its extension) into its own graph.

    Graph names of a dataset are dropped: the whole file becomes one graph. Blank nodes
    become IRIs under the import graph, numbered in the order they first appear.

    The file is read as a stream, twice at most: one pass parses all of it and computes
    its checksum, so a syntax error anywhere imports nothing; then a file of triples
    without blank nodes is bulk-loaded, into its named graph and the merged default graph
    at once (two loaders on two threads), and its provenance is written last. A file with
    blank nodes, or a dataset (N-Quads, TriG), is read into memory, renamed in Python and
    written in one transaction (``write_import``).

    :raises ImportFileError: an unknown extension, or a syntax error with its position
        (a truncated file imports nothing).
    """
    path = Path(path)
    fmt = ox.RdfFormat.from_extension(path.suffix.lstrip(".").lower())
    if fmt is None:
        raise ImportFileError(
            path.name,
            f"unknown RDF file extension {path.suffix!r}: use .ttl, .nt, .nq, .trig, .rdf, .jsonld",
            zh=f"未知的 RDF 文件扩展名 {path.suffix!r}："
            "请用 .ttl、.nt、.nq、.trig、.rdf 或 .jsonld",
        )
    file = StreamedFile(path)
    index = ImportIndex(current_build(home).imports)
    try:
        in_memory = _check_rdf(file, fmt, index) or fmt.supports_datasets
    except BaseException:
        index.discard()
        raise
    if in_memory:  # renamed in Python, and indexed as it is written
        index.discard()
        return _import_rdf_in_memory(path, fmt, home=home)
    return _bulk_import(file, fmt, home=home, index=index)


def _check_rdf(file: StreamedFile, fmt: ox.RdfFormat, index: ImportIndex) -> bool:
    """Parse all of *file* (so its checksum is known); tell whether it has blank nodes.

    Each triple goes past *index* on the way (the names and counts of a bulk load).

    :raises ImportFileError: the file cannot be read or does not parse.
    """
    blank = False
    add, wanted = index.add, index.wanted
    try:
        with file.reading() as binary:
            for quad in ox.parse(binary, format=fmt):
                if quad.predicate in wanted:
                    add(quad.subject, quad.predicate, quad.object)
                if not blank and (
                    isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)
                ):
                    blank = True
    except OSError as exc:
        raise file.error(
            f"cannot read it: {exc.strerror}", zh=f"无法读取：{exc.strerror}"
        ) from None
    except (SyntaxError, ValueError) as exc:
        raise file.error(
            f"not valid {fmt.name}: {exc}", zh=f"不是合法的 {fmt.name}：{exc}"
        ) from None
    return blank


def _import_rdf_in_memory(path: Path, fmt: ox.RdfFormat, *, home: Path | None) -> WriteResult:
    file = read_import_file(path)
    skolem: dict[str, ox.NamedNode] = {}
    base = f"{GRAPH}import-{file.sha256[:16]}/node/"

    def named(node: Any) -> Any:
        if isinstance(node, ox.BlankNode):
            if node.value not in skolem:
                skolem[node.value] = ox.NamedNode(f"{base}{len(skolem) + 1}")
            return skolem[node.value]
        return node

    quads = ox.parse(file.data, format=fmt)
    triples = [ox.Triple(named(q.subject), q.predicate, named(q.object)) for q in quads]
    return write_import(file, triples, kind="rdf", home=home)


def _undo_bulk_load(store: ox.Store, graph: ox.NamedNode, path: Path, fmt: ox.RdfFormat) -> None:
    """Take out what a failed bulk load of *path* put in *graph* and the merged default graph."""
    store.clear_graph(graph)
    for quad in ox.parse(path=path, format=fmt):
        _drop_from_merge(store, ox.Quad(quad.subject, quad.predicate, quad.object, graph))


def _load_twice(store: ox.Store, path: Path, fmt: ox.RdfFormat, graph: ox.NamedNode) -> None:
    """Bulk-load *path* into *graph* and into the default graph, on two threads at once.

    :raises MiikgError: a loader failed (after both stopped).
    """
    errors: list[BaseException] = []

    def load(into: ox.Store, to_graph: ox.NamedNode | None) -> None:
        try:
            if to_graph is None:
                into.bulk_load(path=path, format=fmt)
            else:
                into.bulk_load(path=path, format=fmt, to_graph=to_graph)
        except BaseException as exc:  # re-raised below, after both loaders stop
            errors.append(exc)

    loaders = [threading.Thread(target=load, args=(store, g)) for g in (graph, None)]
    for loader in loaders:
        loader.start()
    for loader in loaders:
        loader.join()
    if errors:
        # The loader's own text (Oxigraph's parse error) is the detail, kept as it is.
        raise MiikgError(
            f"{path.name}: the import failed and was undone: {errors[0]}",
            zh=f"{path.name}：导入失败，已撤销：{errors[0]}",
        )


def _bulk_import(
    file: StreamedFile, fmt: ox.RdfFormat, *, home: Path | None, index: ImportIndex
) -> WriteResult:
    """Bulk-load a checked file of triples without blank nodes; see :func:`import_rdf`.

    *index* saw every triple of the file while it was checked.
    """
    path = file.path

    def write(store: ox.Store, graph: ox.NamedNode) -> int:
        _load_twice(store, path, fmt, graph)
        return _count(store, graph)

    def undo(store: ox.Store, graph: ox.NamedNode) -> None:  # a full disk, Ctrl-C
        _undo_bulk_load(store, graph, path, fmt)

    return write_into_store(file, write, kind="rdf", home=home, undo=undo, index=index)
