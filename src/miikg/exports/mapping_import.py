"""Add reviewed SSSOM mappings to the current build, each import in a named graph of its own.

The graph is ``https://w3id.org/miikg/graph/import-<first 16 hex of the file's SHA-256>``:
the same file always lands in the same graph, so a second import of it changes nothing.
The meta graph describes the import with PROV-O (file name, date, checksum) as the other
importers do; every mapping
keeps its justification as an ``owl:Axiom`` in the SSSOM RDF style, and its triple is also
added to the merged default graph. The whole file is checked before anything is written:
a broken row gives one :class:`MappingImportError` and the store is left as it was.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyoxigraph as ox
import yaml

from miikg.errors import MiikgError
from miikg.exports.sssom import CURIE_MAP, expand
from miikg.graph_builder.store import open_writable
from miikg.ontology.namespaces import GRAPH, ID, PREFIXES

__all__ = ["PREDICATES", "REQUIRED", "MappingImport", "MappingImportError", "import_mappings"]

#: Columns a mapping file must have.
REQUIRED = ("subject_id", "predicate_id", "object_id", "mapping_justification")
#: The mapping predicates an import may state.
PREDICATES = frozenset(
    [PREFIXES["owl"] + "sameAs"]
    + [PREFIXES["skos"] + p for p in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")]
    + [PREFIXES["skos"] + "relatedMatch"]
)
SEMAPV = CURIE_MAP["semapv"]
SSSOM = "https://w3id.org/sssom/"


def _n(curie: str) -> ox.NamedNode:
    prefix, _, local = curie.partition(":")
    return ox.NamedNode(PREFIXES[prefix] + local)


_TYPE = _n("rdf:type")
_META = ox.NamedNode(GRAPH + "meta")


class MappingImportError(MiikgError):
    """A mapping file cannot be imported; the message names file, row and column.

    *row* counts mappings (the first below the header is row 1; the header is row 0);
    *line* is the line of the file, metadata block included.
    """

    def __init__(
        self,
        file: str,
        message: str,
        *,
        row: int | None = None,
        line: int | None = None,
        column: str | None = None,
        zh: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.line = line
        self.column = column
        self.reason = message
        where = where_zh = file
        if row is not None:
            where += ": header" if row == 0 else f": row {row}"
            where += f" (line {line})" if line is not None else ""
            where_zh += "：表头" if row == 0 else f"：第 {row} 行"
            where_zh += f"（文件第 {line} 行）" if line is not None else ""
        if column is not None:
            where += f", column '{column}'"
            where_zh += f"，列 '{column}'"
        super().__init__(f"{where}: {message}", zh=f"{where_zh}：{zh or message}")


@dataclass(frozen=True)
class MappingImport:
    """What an import did: its graph, the mappings it holds, and whether it was new."""

    graph: str
    mappings: int
    checksum: str
    added: bool


@dataclass(frozen=True)
class _Row:
    number: int
    subject: str
    predicate: str
    target: str
    justification: str
    confidence: str
    comment: str


def _split(name: str, text: str) -> tuple[dict[str, str], list[tuple[int, str]]]:
    """Return the curie_map of the metadata block and the lines of the table, numbered."""
    lines = text.splitlines()
    head = [line[1:] for line in lines if line.startswith("#")]
    table = [(n, line) for n, line in enumerate(lines, 1) if line and not line.startswith("#")]
    try:
        metadata = yaml.safe_load("\n".join(head)) if head else {}
    except yaml.YAMLError as exc:
        raise MappingImportError(
            name, f"the metadata block is not YAML: {exc}", zh=f"元数据块不是 YAML：{exc}"
        ) from None
    if not isinstance(metadata, dict):
        raise MappingImportError(
            name, "the metadata block is not a YAML mapping", zh="元数据块不是 YAML 映射"
        )
    declared = metadata.get("curie_map") or {}
    if not isinstance(declared, dict):
        raise MappingImportError(
            name,
            "curie_map in the metadata block is not a mapping",
            zh="元数据块中的 curie_map 不是映射",
        )
    return {**CURIE_MAP, **{str(k): str(v) for k, v in declared.items()}}, table


def _rows(name: str, text: str, store: ox.Store) -> list[_Row]:
    curie_map, table = _split(name, text)
    if not table:
        raise MappingImportError(name, "no header row and no mappings", zh="没有表头行，也没有映射")
    reader = csv.DictReader(io.StringIO("\n".join(t for _, t in table)), delimiter="\t")
    header = reader.fieldnames or []
    for column in REQUIRED:
        if column not in header:
            raise MappingImportError(
                name, "missing column", row=0, line=table[0][0], column=column, zh="缺少该列"
            )
    rows: list[_Row] = []
    for number, record in enumerate(reader, start=1):
        line = table[reader.line_num - 1][0]
        rows.append(_row(name, record, curie_map, store, row=number, line=line))
    if not rows:
        raise MappingImportError(name, "the file holds no mappings", zh="文件中没有映射")
    return rows


def _row(
    name: str,
    record: dict[str, str | None],
    curie_map: dict[str, str],
    store: ox.Store,
    *,
    row: int,
    line: int,
) -> _Row:
    def fail(message: str, column: str | None = None, *, zh: str) -> MappingImportError:
        return MappingImportError(name, message, row=row, line=line, column=column, zh=zh)

    def iri(column: str) -> str:
        value = (record.get(column) or "").strip()
        if not value:
            raise fail("empty value", column, zh="值为空")
        expanded = expand(value, curie_map)
        if expanded is None or not expanded.startswith(("http://", "https://")):
            raise fail(
                f"bad CURIE {value!r} (prefixes: {', '.join(curie_map)})",
                column,
                zh=f"无效的 CURIE {value!r}（可用前缀：{'、'.join(curie_map)}）",
            )
        return expanded

    if None in record:
        raise fail("more cells than columns", zh="单元格多于列数")
    subject, predicate, target = iri("subject_id"), iri("predicate_id"), iri("object_id")
    justification = iri("mapping_justification")
    if not subject.startswith(ID) or not _is_known(store, subject):
        raise fail(
            f"unknown subject {record['subject_id']!r}",
            "subject_id",
            zh=f"未知的主体 {record['subject_id']!r}",
        )
    if predicate not in PREDICATES:
        raise fail(
            f"unsupported mapping predicate {record['predicate_id']!r}",
            "predicate_id",
            zh=f"不支持的映射谓词 {record['predicate_id']!r}",
        )
    if not justification.startswith(SEMAPV):
        raise fail(
            "the justification must be a semapv: term",
            "mapping_justification",
            zh="映射依据须为 semapv: 术语",
        )
    confidence = (record.get("confidence") or "").strip()
    if confidence and not _is_confidence(confidence):
        raise fail(
            f"confidence {confidence!r} is not a number from 0 to 1",
            "confidence",
            zh=f"置信度 {confidence!r} 不是 0 到 1 之间的数",
        )
    comment = (record.get("comment") or "").strip()
    return _Row(row, subject, predicate, target, justification, confidence, comment)


def _is_known(store: ox.Store, iri: str) -> bool:
    found = store.quads_for_pattern(ox.NamedNode(iri), None, None, ox.DefaultGraph())
    return next(iter(found), None) is not None


def _is_confidence(text: str) -> bool:
    try:
        return 0.0 <= float(text) <= 1.0
    except ValueError:
        return False


def _quads(
    name: str, digest: str, rows: list[_Row], when: datetime
) -> tuple[ox.NamedNode, list[ox.Quad]]:
    key = digest[:16]
    graph = ox.NamedNode(f"{GRAPH}import-{key}")
    file = ox.NamedNode(f"{ID}import-file/sha256-{digest}")
    stamp = ox.Literal(
        when.astimezone(timezone.utc).isoformat(timespec="seconds"), datatype=_n("xsd:dateTime")
    )
    # The same description as the other importers' (miikg.linking.importing.provenance).
    quads = [
        ox.Quad(graph, _TYPE, _n("prov:Bundle"), _META),
        ox.Quad(graph, _TYPE, _n("prov:Entity"), _META),
        ox.Quad(graph, _n("rdfs:label"), ox.Literal(f"Import of {name}", language="en"), _META),
        ox.Quad(graph, _n("rdfs:label"), ox.Literal(f"导入：{name}", language="zh"), _META),
        ox.Quad(graph, _n("dcterms:type"), ox.Literal("mappings"), _META),
        ox.Quad(graph, _n("prov:wasDerivedFrom"), file, _META),
        ox.Quad(graph, _n("prov:generatedAtTime"), stamp, _META),
        ox.Quad(file, _TYPE, _n("prov:Entity"), _META),
        ox.Quad(file, _n("dcterms:title"), ox.Literal(name), _META),
        ox.Quad(file, _n("dcterms:identifier"), ox.Literal(f"sha256:{digest}"), _META),
    ]
    for row in rows:
        s, p, o = ox.NamedNode(row.subject), ox.NamedNode(row.predicate), ox.NamedNode(row.target)
        axiom_key = hashlib.sha256(
            f"{row.subject} {row.predicate} {row.target}".encode()
        ).hexdigest()
        axiom = ox.NamedNode(f"{ID}import/{key}/mapping-{axiom_key[:16]}")
        quads += [
            ox.Quad(s, p, o, graph),
            ox.Quad(s, p, o, ox.DefaultGraph()),
            ox.Quad(axiom, _TYPE, _n("owl:Axiom"), graph),
            ox.Quad(axiom, _n("owl:annotatedSource"), s, graph),
            ox.Quad(axiom, _n("owl:annotatedProperty"), p, graph),
            ox.Quad(axiom, _n("owl:annotatedTarget"), o, graph),
            ox.Quad(
                axiom,
                ox.NamedNode(SSSOM + "mapping_justification"),
                ox.NamedNode(row.justification),
                graph,
            ),
        ]
        if row.confidence:
            confidence = ox.Literal(row.confidence, datatype=_n("xsd:double"))
            quads.append(ox.Quad(axiom, ox.NamedNode(SSSOM + "confidence"), confidence, graph))
        if row.comment:
            quads.append(ox.Quad(axiom, _n("rdfs:comment"), ox.Literal(row.comment), graph))
    return graph, quads


def import_mappings(
    path: Path, *, store: Path | None = None, when: datetime | None = None
) -> MappingImport:
    """Add the mappings of the SSSOM TSV *path* to the current build under *store*.

    :param when: the import date written to the provenance (now, by default).
    :raises MappingImportError: naming file, row and column; nothing is written then.
    :raises MiikgError: the store cannot be opened for writing (another writer holds it).
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MappingImportError(
            path.name, f"cannot read the file: {exc.strerror}", zh=f"无法读取文件：{exc.strerror}"
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MappingImportError(
            path.name, f"not UTF-8 (byte {exc.start})", zh=f"不是 UTF-8 编码（第 {exc.start} 字节）"
        ) from None
    digest = hashlib.sha256(data).hexdigest()
    target = open_writable(store)
    try:
        rows = _rows(path.name, text, target)
        graph, quads = _quads(path.name, digest, rows, when or datetime.now(timezone.utc))
        if target.contains_named_graph(graph):
            return MappingImport(graph.value, len(rows), digest, added=False)
        target.extend(quads)
        target.flush()
    finally:
        del target
    return MappingImport(graph.value, len(rows), digest, added=True)
