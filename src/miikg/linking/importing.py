"""What every importer shares: reading the file, its named graph, provenance, the one write.

An import of file *F* goes to the named graph ``…/graph/import-<first 16 hex of sha256(F)>``
and is described in the meta graph with PROV-O: the graph is a ``prov:Bundle`` derived from
a ``prov:Entity`` for the file (``dcterms:title`` its name, ``dcterms:identifier``
``sha256:<hex>``), generated at the import time. The same bytes give the same graph, so a
re-import changes nothing; new bytes under a file name imported before replace that import.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox

from miikg.errors import ImportFileError, MiikgError
from miikg.linking.reconcile import importing_query
from miikg.ontology.namespaces import GRAPH, ID, MIIKG, W3

__all__ = ["CsvRow", "ImportFile", "WriteResult", "read_csv", "read_import_file", "write_import"]

META = ox.NamedNode(GRAPH + "meta")
_RDF_TYPE = ox.NamedNode(W3["rdf"] + "type")


def term(curie: str) -> ox.NamedNode:
    """Return the IRI of a ``prefix:name`` written with the project's prefixes."""
    prefix, _, name = curie.partition(":")
    base = MIIKG if prefix == "miikg" else W3[prefix]
    return ox.NamedNode(base + name)


@dataclass(frozen=True)
class ImportFile:
    """A file to import: its name, bytes and checksum, and the graph it goes to."""

    path: Path
    data: bytes

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def graph(self) -> ox.NamedNode:
        return ox.NamedNode(f"{GRAPH}import-{self.sha256[:16]}")

    @property
    def entity(self) -> ox.NamedNode:
        return ox.NamedNode(f"{ID}import-file/sha256-{self.sha256}")

    def error(
        self, message: str, *, row: int | None = None, column: str | None = None
    ) -> ImportFileError:
        """Return an error naming this file (and *row*, *column* where given)."""
        return ImportFileError(self.name, message, row=row, column=column)


def read_import_file(path: Path) -> ImportFile:
    """Read *path* whole.

    :raises ImportFileError: the file cannot be read.
    """
    try:
        return ImportFile(Path(path), Path(path).read_bytes())
    except OSError as exc:
        raise ImportFileError(Path(path).name, f"cannot read it: {exc.strerror}") from None


@dataclass(frozen=True)
class CsvRow:
    """A data row of a CSV file; *row* counts lines as a spreadsheet does (header = 1)."""

    row: int
    values: dict[str, str]


def read_csv(file: ImportFile, *, required: Sequence[str]) -> list[CsvRow]:
    """Decode *file* as UTF-8 CSV with a header holding every *required* column.

    :raises ImportFileError: bytes that are not UTF-8 (with the row and column where they
        are), a missing column, a row with more or fewer cells than the header.
    """
    try:
        text = file.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _encoding_error(file, exc) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise file.error("the file is empty: a header row is needed") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise file.error(
            "missing required column(s) "
            + ", ".join(repr(c) for c in missing)
            + f"; the header has {', '.join(repr(h) for h in header)}",
            row=1,
            column=missing[0],
        )
    rows = []
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            raise file.error(f"{len(cells)} cells where the header has {len(header)}", row=line)
        rows.append(CsvRow(line, {h: c.strip() for h, c in zip(header, cells, strict=True)}))
    return rows


def _encoding_error(file: ImportFile, exc: UnicodeDecodeError) -> ImportFileError:
    bad = file.data[exc.start : exc.end]
    text = file.data.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, [])
    for cells in reader:
        for name, cell in zip(header, cells, strict=False):
            if "\ufffd" in cell:
                return file.error(f"bytes {bad!r} are not UTF-8", row=reader.line_num, column=name)
    line = file.data[: exc.start].count(b"\n") + 1
    return file.error(f"bytes {bad!r} are not UTF-8", row=line)


@dataclass(frozen=True)
class WriteResult:
    """What a write did: the graph, whether anything changed, which older imports it replaced."""

    graph: str
    changed: bool
    quads: int
    replaced: tuple[str, ...] = ()


def provenance(file: ImportFile, *, kind: str, when: datetime) -> list[ox.Quad]:
    """Return the meta-graph quads that describe the import of *file*."""
    g, f = file.graph, file.entity
    xsd = W3["xsd"]
    return [
        ox.Quad(g, _RDF_TYPE, term("prov:Bundle"), META),
        ox.Quad(g, _RDF_TYPE, term("prov:Entity"), META),
        ox.Quad(g, term("rdfs:label"), ox.Literal(f"Import of {file.name}", language="en"), META),
        ox.Quad(g, term("rdfs:label"), ox.Literal(f"导入：{file.name}", language="zh"), META),
        ox.Quad(g, term("dcterms:type"), ox.Literal(kind), META),
        ox.Quad(g, term("prov:wasDerivedFrom"), f, META),
        ox.Quad(
            g,
            term("prov:generatedAtTime"),
            ox.Literal(when.isoformat(timespec="seconds"), datatype=ox.NamedNode(xsd + "dateTime")),
            META,
        ),
        ox.Quad(f, _RDF_TYPE, term("prov:Entity"), META),
        ox.Quad(f, term("dcterms:title"), ox.Literal(file.name), META),
        ox.Quad(f, term("dcterms:identifier"), ox.Literal(f"sha256:{file.sha256}"), META),
    ]


def write_import(
    file: ImportFile,
    triples: Iterable[ox.Triple],
    *,
    kind: str,
    home: Path | None = None,
) -> WriteResult:
    """Put *triples* into *file*'s named graph of the current build, with provenance.

    Everything is built and checked before the store is touched; the new graph and its
    provenance go in one atomic ``extend``, and only then are older imports of the same
    file name removed, so no reader sees a half-written import. The store's default graph
    is the merge of all graphs (see ``build_quads``); imports keep it so, both ways.

    :raises MiikgError: the store cannot be opened for writing.
    """
    from miikg.graph_builder.store import current_build

    graph = file.graph
    quads = sorted({ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples}, key=str)
    for quad in quads:
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            raise file.error("blank nodes are not imported: give every resource an IRI")
    path = current_build(home).store
    try:
        store = ox.Store(str(path))
    except OSError as exc:
        raise MiikgError(f"cannot open the store {path} for writing: {exc}") from None
    try:
        if next(iter(store.quads_for_pattern(None, None, None, graph)), None) is not None:
            return WriteResult(graph.value, False, 0)
        older = _older_imports(store, file)
        added = [*quads, *provenance(file, kind=kind, when=datetime.now(timezone.utc))]
        store.extend([*added, *(ox.Quad(q.subject, q.predicate, q.object) for q in added)])
        for old in older:
            _remove_import(store, old)
        store.flush()
    finally:
        del store
    return WriteResult(graph.value, True, len(quads), tuple(o.value for o in older))


def _older_imports(store: ox.Store, file: ImportFile) -> list[ox.NamedNode]:
    result = store.query(
        importing_query("previous-imports"),
        substitutions={ox.Variable("fileName"): ox.Literal(file.name)},
    )
    assert isinstance(result, ox.QuerySolutions)
    found = {row["graph"] for row in result}
    return sorted((g for g in found if isinstance(g, ox.NamedNode) and g != file.graph), key=str)


def _remove_import(store: ox.Store, graph: ox.NamedNode) -> None:
    files = [
        q.object for q in store.quads_for_pattern(graph, term("prov:wasDerivedFrom"), None, META)
    ]
    doomed = [*store.quads_for_pattern(graph, None, None, META)]
    for f in files:
        if isinstance(f, ox.NamedNode):
            doomed.extend(store.quads_for_pattern(f, None, None, META))
    doomed.extend(store.quads_for_pattern(None, None, None, graph))
    for quad in doomed:
        store.remove(quad)
    for quad in doomed:
        _drop_from_merge(store, quad)


def _drop_from_merge(store: ox.Store, quad: ox.Quad) -> None:
    """Remove *quad*'s triple from the merged default graph unless a graph still has it."""
    held = store.quads_for_pattern(quad.subject, quad.predicate, quad.object)
    if not any(not isinstance(q.graph_name, ox.DefaultGraph) for q in held):
        store.remove(ox.Quad(quad.subject, quad.predicate, quad.object))
