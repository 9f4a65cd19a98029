"""What every importer shares: reading the file, its named graph, provenance, the one write.

An import of file *F* goes to the named graph ``…/graph/import-<first 16 hex of sha256(F)>``
and is described in the meta graph with PROV-O: the graph is a ``prov:Bundle`` derived from
a ``prov:Entity`` for the file (``dcterms:title`` its name, ``dcterms:identifier``
``sha256:<hex>``), generated at the import time. The same bytes give the same graph, so a
re-import changes nothing; new bytes under a file name imported before replace that import.

A CSV is read as a stream (:class:`StreamedFile`), never whole: once to check every row (and
learn the checksum), once more to write, so memory does not grow with the number of rows.

Every import also writes its name index and counts (:class:`miikg.name_index.ImportIndex`)
into ``imports/<graph>/`` beside the store, from the triples as they pass, before its
provenance: readers use them exactly while the store describes the import.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, TypeAlias

import pyoxigraph as ox

from miikg.errors import ImportFileError
from miikg.linking.reconcile import importing_query
from miikg.name_index import ImportIndex, graph_folder, remove_import_files
from miikg.ontology.namespaces import GRAPH, ID, MIIKG, W3

__all__ = [
    "CsvRow",
    "ImportFile",
    "StreamedFile",
    "Terms",
    "WriteResult",
    "Writer",
    "read_csv",
    "read_import_file",
    "write_import",
    "write_import_stream",
    "write_into_store",
]

META = ox.NamedNode(GRAPH + "meta")
#: A triple as its three terms, which importers may stream instead of ``ox.Triple``
#: (cheaper: no term objects are made again to split the triple).
Terms = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]
_RDF_TYPE = ox.NamedNode(W3["rdf"] + "type")
#: Triples written per store transaction (each goes in twice: its graph and the merge).
BATCH_TRIPLES = 50_000
#: Bytes read from a CSV file at a time.
_CHUNK = 1 << 20
#: Characters a CSV cell cannot hold: bytes that are not UTF-8 (kept as lone surrogates by
#: the ``surrogateescape`` decoder, so they can be found and named) and NUL.
_BAD_CHARS = re.compile("[\udc80-\udcff\x00]+")


def term(curie: str) -> ox.NamedNode:
    """Return the IRI of a ``prefix:name`` written with the project's prefixes."""
    prefix, _, name = curie.partition(":")
    base = MIIKG if prefix == "miikg" else W3[prefix]
    return ox.NamedNode(base + name)


class _FileIdentity:
    """Name, checksum, graph and provenance IRIs of a file to import."""

    path: Path

    @property
    def sha256(self) -> str:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def graph(self) -> ox.NamedNode:
        return ox.NamedNode(f"{GRAPH}import-{self.sha256[:16]}")

    @property
    def entity(self) -> ox.NamedNode:
        return ox.NamedNode(f"{ID}import-file/sha256-{self.sha256}")

    def error(
        self, message: str, *, zh: str, row: int | None = None, column: str | None = None
    ) -> ImportFileError:
        """Return an error naming this file (and *row*, *column* where given), in en and zh."""
        return ImportFileError(self.name, message, row=row, column=column, zh=zh)

    def _open(self) -> tuple[IO[bytes], _Digest | None]:  # pragma: no cover - overridden
        raise NotImplementedError

    @contextmanager
    def reading(self) -> Iterator[IO[bytes]]:
        """Open the file for one pass over its bytes.

        A :class:`StreamedFile` learns its checksum from the first complete pass (what the
        reader leaves unread is hashed too) and checks every later one against it.
        """
        binary, digest = self._open()
        with binary:
            yield binary
            while binary.read(_CHUNK):
                pass
        if digest is not None:
            digest.finish()

    def rows(self, *, required: Sequence[str]) -> Iterator[CsvRow]:
        """Yield the data rows of this UTF-8 CSV file, one at a time; see :func:`read_csv`."""
        with self.reading() as binary:
            text = io.TextIOWrapper(
                binary, encoding="utf-8-sig", errors="surrogateescape", newline=""
            )
            yield from _csv_rows(self, text, required)


@dataclass(frozen=True)
class ImportFile(_FileIdentity):
    """A file to import, read whole: its name, bytes and checksum, and the graph it goes to."""

    path: Path
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def _open(self) -> tuple[IO[bytes], _Digest | None]:
        return io.BytesIO(self.data), None


class StreamedFile(_FileIdentity):
    """A file read from disk as a stream, never whole; its checksum is learnt on the way.

    :meth:`rows` (or :meth:`reading`) may go through it more than once (to check, then to
    write); each pass
    hashes the bytes it reads, and a pass that reads other bytes than the first fails, so
    a file that changes during an import cannot be written under the old checksum.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._sha256: str | None = None

    @property
    def sha256(self) -> str:
        """Return the checksum; known once :meth:`rows` has been read through."""
        if self._sha256 is None:
            raise RuntimeError(f"{self.name}: read the file through before asking the checksum")
        return self._sha256

    def _open(self) -> tuple[IO[bytes], _Digest | None]:
        try:
            raw = self.path.open("rb", buffering=0)  # closed by rows()
        except OSError as exc:
            raise self.error(
                f"cannot read it: {exc.strerror}", zh=f"无法读取：{exc.strerror}"
            ) from None
        digest = _Digest(self)
        return io.BufferedReader(_Hashing(raw, digest), _CHUNK), digest


class _Digest:
    """The sha256 of one pass over a :class:`StreamedFile`, checked against the first pass."""

    def __init__(self, file: StreamedFile) -> None:
        self.file = file
        self.hash = hashlib.sha256()

    def finish(self) -> None:
        value = self.hash.hexdigest()
        if self.file._sha256 is None:
            self.file._sha256 = value
        elif self.file._sha256 != value:
            raise self.file.error(
                "the file changed while it was being imported: import it again",
                zh="导入期间文件被修改：请重新导入",
            )


class _Hashing(io.RawIOBase):
    """A raw binary stream that feeds every byte it reads to a digest."""

    def __init__(self, raw: io.FileIO, digest: _Digest) -> None:
        self._raw = raw
        self._digest = digest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        n = self._raw.readinto(buffer)
        if n:
            self._digest.hash.update(memoryview(buffer)[:n])
        return n or 0

    def close(self) -> None:
        self._raw.close()
        super().close()


def read_import_file(path: Path) -> ImportFile:
    """Read *path* whole.

    :raises ImportFileError: the file cannot be read.
    """
    try:
        return ImportFile(Path(path), Path(path).read_bytes())
    except OSError as exc:
        raise ImportFileError(
            Path(path).name, f"cannot read it: {exc.strerror}", zh=f"无法读取：{exc.strerror}"
        ) from None


@dataclass(frozen=True)
class CsvRow:
    """A data row of a CSV file; *row* counts lines as a spreadsheet does (header = 1)."""

    row: int
    values: dict[str, str]


def read_csv(file: ImportFile | StreamedFile, *, required: Sequence[str]) -> list[CsvRow]:
    """Decode *file* as UTF-8 CSV with a header holding every *required* column.

    :raises ImportFileError: bytes that are not UTF-8 (with the row and column where they
        are), a missing or repeated column, a row with more or fewer cells than the header,
        text that is not CSV (an unclosed quote).
    """
    return list(file.rows(required=required))


def _csv_rows(
    file: _FileIdentity, text: Iterable[str], required: Sequence[str]
) -> Iterator[CsvRow]:
    # strict: an unclosed quote or text after a closing quote is an error, never a row
    # that silently swallows the rest of the file.
    reader = csv.reader(text, strict=True)
    try:
        header_cells = next(reader)
    except StopIteration:
        raise file.error(
            "the file is empty: a header row is needed", zh="文件为空：需要一行表头"
        ) from None
    except csv.Error as exc:
        raise file.error(f"not CSV: {exc}", row=1, zh=f"不是 CSV：{exc}") from None
    _check_header(file, header_cells)
    header = [h.strip() for h in header_cells]
    missing = [c for c in required if c not in header]
    if missing:
        raise file.error(
            "missing required column(s) "
            + ", ".join(repr(c) for c in missing)
            + f"; the header has {', '.join(repr(h) for h in header)}",
            zh="缺少必需的列 "
            + "、".join(repr(c) for c in missing)
            + f"；表头中的列为 {'、'.join(repr(h) for h in header)}",
            row=1,
            column=missing[0],
        )
    for name in required:
        if header.count(name) > 1:
            cells = [str(i + 1) for i, h in enumerate(header) if h == name]
            raise file.error(
                f"the header has this column more than once (cells {', '.join(cells)})",
                zh=f"表头中该列出现了不止一次（第 {'、'.join(cells)} 格）",
                row=1,
                column=name,
            )
    width = len(header)
    while True:
        first = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            en, zh = _csv_problem(exc)
            raise file.error(en, zh=zh, row=first) from None
        line = reader.line_num
        joined = "".join(cells)
        if not joined.isascii() or "\x00" in joined:
            _check_cells(file, header, cells, line)
        if not joined.strip():
            continue
        if len(cells) != width:
            raise file.error(
                f"{len(cells)} cells where the header has {width}",
                zh=f"有 {len(cells)} 个单元格，而表头有 {width} 列",
                row=line,
            )
        yield CsvRow(line, {h: c.strip() for h, c in zip(header, cells, strict=True)})


def _csv_problem(exc: csv.Error) -> tuple[str, str]:
    """Return what the csv module found wrong, in en and zh."""
    text = str(exc)
    if "field larger than field limit" in text:
        limit = csv.field_size_limit()
        return (
            f'a cell of more than {limit} characters: is a quote (") left open?',
            f'单元格超过 {limit} 个字符：是否有引号（"）未闭合？',
        )
    if "unexpected end of data" in text:
        return 'a quote (") opened in this row is never closed', '本行打开的引号（"）没有闭合'
    if "expected after" in text:
        return (
            'text after the closing quote (") of a cell: quote the whole cell',
            '单元格的闭合引号（"）之后还有文本：请给整个单元格加引号',
        )
    return f"not CSV: {text}", f"不是 CSV：{text}"


def _bad_bytes(found: str) -> bytes:
    return bytes(ord(c) - 0xDC00 if c != "\x00" else 0 for c in found)


def _check_header(file: _FileIdentity, cells: Sequence[str]) -> None:
    first = cells[0] if cells else ""
    if first.startswith(("\udcff\udcfe", "\udcfe\udcff")):
        raise file.error(
            "the file is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8",
            zh="文件是 UTF-16 编码（以 UTF-16 字节顺序标记开头）：请另存为 UTF-8",
            row=1,
        )
    for index, cell in enumerate(cells):
        if match := _BAD_CHARS.search(cell):
            en, zh = _describe(match.group())
            raise file.error(
                f"header cell {index + 1}: {en}", zh=f"表头第 {index + 1} 格：{zh}", row=1
            )


def _check_cells(
    file: _FileIdentity, header: Sequence[str], cells: Sequence[str], line: int
) -> None:
    for index, cell in enumerate(cells):
        if match := _BAD_CHARS.search(cell):
            column = header[index] if index < len(header) else None
            where = "" if column is not None else f"cell {index + 1}: "
            where_zh = "" if column is not None else f"第 {index + 1} 格："
            en, zh = _describe(match.group())
            raise file.error(where + en, zh=where_zh + zh, row=line, column=column)


def _describe(found: str) -> tuple[str, str]:
    """Return what is wrong with the bad characters *found*, in en and zh."""
    if "\x00" in found:
        return (
            "a NUL character, which text does not hold (is the file UTF-16? save it as UTF-8)",
            "含有文本中不应出现的 NUL 字符（文件是 UTF-16 编码吗？请另存为 UTF-8）",
        )
    bad = _bad_bytes(found)
    return (
        f"bytes {bad!r} are not UTF-8 (is the file Latin-1? save it as UTF-8)",
        f"字节 {bad!r} 不是 UTF-8（文件是 Latin-1 编码吗？请另存为 UTF-8）",
    )


@dataclass(frozen=True)
class WriteResult:
    """What a write did: the graph, whether anything changed, which older imports it replaced."""

    graph: str
    changed: bool
    quads: int
    replaced: tuple[str, ...] = ()


def provenance(file: _FileIdentity, *, kind: str, when: datetime) -> list[ox.Quad]:
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
    file: ImportFile | StreamedFile,
    triples: Iterable[ox.Triple],
    *,
    kind: str,
    home: Path | None = None,
) -> WriteResult:
    """Put *triples* (all of them in memory) into *file*'s named graph, with provenance.

    Every triple is checked before the store is touched; then :func:`write_import_stream`
    writes them. The store's default graph is the merge of all graphs (see
    ``build_quads``); imports keep it so, both ways.

    :raises ImportFileError: a blank node (give every resource an IRI).
    :raises MiikgError: the store cannot be opened for writing.
    """
    checked = list(triples)
    for triple in checked:
        _check_triple(file, triple)
    return write_import_stream(file, checked, kind=kind, home=home)


def _check_triple(file: _FileIdentity, triple: ox.Triple) -> None:
    if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
        raise file.error(
            "blank nodes are not imported: give every resource an IRI",
            zh="空白节点不会被导入：请为每个资源指定 IRI",
        )


def write_import_stream(
    file: ImportFile | StreamedFile,
    triples: Iterable[ox.Triple] | Iterable[Terms],
    *,
    kind: str,
    home: Path | None = None,
) -> WriteResult:
    """Stream *triples* into *file*'s named graph of the current build, with provenance.

    *triples* (``ox.Triple`` or :data:`Terms`) is read once, lazily, and written in
    batches of :data:`BATCH_TRIPLES`, each triple into the import's graph and into the
    default graph (the merge of all graphs), so memory stays bounded however many there
    are. Triples that fit in one batch go in one transaction; more go in with
    ``bulk_extend``, batch by batch. The provenance goes in last, in one transaction: an
    import is complete exactly when the meta graph describes it. Only then are older
    imports of the same file name removed (in batches too).

    A file already imported (the meta graph describes its graph) changes nothing, and
    *triples* is not read at all. If anything fails while writing (a blank node, a file that
    changed since it was checked, a full disk, Ctrl-C), what was written is removed again:
    the import's graph, and each of its triples from the default graph unless another named
    graph still holds it. A reader may see the graph filling while it is written, but not
    its provenance. A graph left without provenance by a killed process is removed the same
    way before the next import of that file.

    :raises ImportFileError: a blank node, or (re-raised) whatever *triples* raised.
    :raises MiikgError: the store cannot be opened for writing.
    """
    from miikg.graph_builder.store import current_build

    index = ImportIndex(current_build(home).imports)

    def write(store: ox.Store, graph: ox.NamedNode) -> int:
        _write_batches(store, file, triples, graph, index)
        return _count(store, graph)

    return write_into_store(file, write, kind=kind, home=home, index=index)


#: Writes an import's triples into its graph and the merged default graph; returns how
#: many the graph holds.
Writer: TypeAlias = Callable[[ox.Store, ox.NamedNode], int]


def write_into_store(
    file: _FileIdentity,
    write: Writer,
    *,
    kind: str,
    index: ImportIndex,
    home: Path | None = None,
    undo: Callable[[ox.Store, ox.NamedNode], None] | None = None,
) -> WriteResult:
    """The write every import shares: skip what is imported, *write*, index, provenance, replace.

    See :func:`write_import_stream`. *index* has seen (or sees, while *write* runs) every
    triple written; it is finished and put in place before the provenance, and removed
    with the graph if anything fails. *undo* takes out what a failed *write* left (by
    default the import's graph, and its triples from the merge unless another graph
    holds them).

    :raises MiikgError: the store cannot be opened for writing.
    """
    from miikg.graph_builder.store import completed_imports, current_build, open_writable

    installed = False
    try:
        build = current_build(home)
        store = open_writable(home)
        try:
            graph = file.graph
            if _is_imported(store, file):
                return WriteResult(graph.value, False, 0)
            _drop_graph(store, graph)  # the leftover of an interrupted import, if any
            older = _older_imports(store, file)
            _sweep(build.imports, set(completed_imports(store)))
            try:
                count = write(store, graph)
                index.finish(graph.value, file=file.name, kind=kind, triples=count)
                index.install(build.imports / graph_folder(graph.value))
                added = provenance(file, kind=kind, when=datetime.now(timezone.utc))
                _extend(
                    store, [*added, *(ox.Quad(q.subject, q.predicate, q.object) for q in added)]
                )
                installed = True
            except BaseException:
                (undo or _drop_graph)(store, graph)
                raise
            for old in older:
                _remove_import(store, old)
                remove_import_files(build.imports, old.value)
            store.flush()
        finally:
            del store
    finally:
        if not installed:
            index.discard()
    return WriteResult(graph.value, True, count, tuple(o.value for o in older))


#: A temporary index folder older than this belongs to no running import.
_STALE_SECONDS = 3600


def _sweep(imports: Path, complete: set[str]) -> None:
    """Remove index folders of imports the store does not hold complete (a killed import,
    an interrupted removal); the writer holds the store, so none is being written."""
    import shutil
    import time

    if not imports.is_dir():
        return
    keep = {graph_folder(g) for g in complete}
    for entry in imports.iterdir():
        if entry.name.startswith(".tmp-"):
            if time.time() - entry.stat().st_mtime < _STALE_SECONDS:
                continue  # another process's import, waiting to open the store
        elif entry.name in keep:
            continue
        shutil.rmtree(entry, ignore_errors=True)


def _extend(store: ox.Store, quads: list[ox.Quad]) -> None:
    """Add *quads* in one transaction."""
    store.extend(quads)


def _write_batch(store: ox.Store, quads: list[ox.Quad]) -> None:
    """Add one batch of an import's quads (a seam: tests make it fail to check the undo).

    ``bulk_extend`` writes sorted files straight into the store, about as fast as
    ``extend`` and with far less memory for large batches; it is not transactional, which
    is why a failed import is removed again (see :func:`write_import_stream`).
    """
    store.bulk_extend(quads)


def _write_batches(
    store: ox.Store,
    file: _FileIdentity,
    triples: Iterable[ox.Triple] | Iterable[Terms],
    graph: ox.NamedNode,
    index: ImportIndex,
) -> None:
    iterator: Iterator[Any] = iter(triples)  # an ox.Triple unpacks as a tuple does
    blank, quad = ox.BlankNode, ox.Quad
    index_add, wanted = index.add, index.wanted
    first = True
    while batch := list(itertools.islice(iterator, BATCH_TRIPLES)):
        quads: list[ox.Quad] = []
        add = quads.append
        for s, p, o in batch:
            if type(s) is blank or type(o) is blank:
                _check_triple(file, ox.Triple(s, p, o))
            add(quad(s, p, o, graph))
            add(quad(s, p, o))
            if p in wanted:
                index_add(s, p, o)
        if first and len(batch) < BATCH_TRIPLES:  # all of it: one transaction, as before
            _extend(store, quads)
        else:
            _write_batch(store, quads)
        first = False


def _count(store: ox.Store, graph: ox.NamedNode) -> int:
    result = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    assert isinstance(result, ox.QuerySolutions)
    (row,) = list(result)
    value = row["n"]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def _is_imported(store: ox.Store, file: _FileIdentity) -> bool:
    derived = store.quads_for_pattern(file.graph, term("prov:wasDerivedFrom"), file.entity, META)
    return next(iter(derived), None) is not None


def _older_imports(store: ox.Store, file: _FileIdentity) -> list[ox.NamedNode]:
    result = store.query(
        importing_query("previous-imports"),
        substitutions={ox.Variable("fileName"): ox.Literal(file.name)},
    )
    assert isinstance(result, ox.QuerySolutions)
    found = {row["graph"] for row in result}
    return sorted((g for g in found if isinstance(g, ox.NamedNode) and g != file.graph), key=str)


def _remove_import(store: ox.Store, graph: ox.NamedNode) -> None:
    """Remove an earlier import: its provenance, then its graph (see :func:`_drop_graph`)."""
    files = [
        q.object for q in store.quads_for_pattern(graph, term("prov:wasDerivedFrom"), None, META)
    ]
    doomed = [*store.quads_for_pattern(graph, None, None, META)]
    for f in files:
        if isinstance(f, ox.NamedNode):
            doomed.extend(store.quads_for_pattern(f, None, None, META))
    for quad in doomed:
        store.remove(quad)
    for quad in doomed:
        _drop_from_merge(store, quad)
    _drop_graph(store, graph)


def _drop_graph(store: ox.Store, graph: ox.NamedNode) -> None:
    """Remove *graph* in batches, and its triples from the merge unless another graph has them."""
    while batch := list(
        itertools.islice(store.quads_for_pattern(None, None, None, graph), BATCH_TRIPLES)
    ):
        for quad in batch:
            store.remove(quad)
        for quad in batch:
            _drop_from_merge(store, quad)
    store.remove_graph(graph)


def _drop_from_merge(store: ox.Store, quad: ox.Quad) -> None:
    """Remove *quad*'s triple from the merged default graph unless a graph still has it."""
    held = store.quads_for_pattern(quad.subject, quad.predicate, quad.object)
    if not any(not isinstance(q.graph_name, ox.DefaultGraph) for q in held):
        store.remove(ox.Quad(quad.subject, quad.predicate, quad.object))
