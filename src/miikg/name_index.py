"""The name index: every name an entity is looked up by, folded, in SQLite files beside the store.

A build writes ``names.sqlite`` for the curated graph; each import writes its own, in its
folder ``imports/<graph>/`` beside the store, before its provenance (see
:func:`miikg.linking.importing.write_into_store`). An import's file counts only while the
store's meta graph describes the import, so a reader sees an import's names exactly when
it sees the import, and an import taken out again (undone, replaced) takes its names with
it. The keys are :func:`miikg.resolve.name_rows`, the resolver's own: an exact lookup is one
index probe, and fuzzy matching runs over the curated names and the imported names whose
keys sort next to the text, never over every name.

An :class:`ImportIndex` takes an import's triples as they stream past (the importer's own
pass over them) and writes the names in batches, so memory does not grow with the file;
it counts the import's entities per class and its labels per language on the way.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pyoxigraph as ox

from miikg.ontology.namespaces import ID, MIIKG, PREFIXES
from miikg.report import ImportCounts, curie
from miikg.resolve import KeyRow, Name, gather_names, name_rows

__all__ = [
    "IMPORTS",
    "NAME_PREDICATES",
    "ImportIndex",
    "LazyNameIndex",
    "NameIndex",
    "graph_folder",
    "import_counts",
    "remove_import_files",
    "write_names",
]

#: The properties whose values are names a person may type (see ``resolving/names.rq``).
NAME_PREDICATES = {
    ox.NamedNode(PREFIXES["rdfs"] + "label"): "label",
    ox.NamedNode(PREFIXES["schema"] + "alternateName"): "alternateName",
    ox.NamedNode(MIIKG + "formerName"): "formerName",
    ox.NamedNode(PREFIXES["skos"] + "altLabel"): "altLabel",
    ox.NamedNode(PREFIXES["skos"] + "notation"): "notation",
}
NAMES_FILE = "names.sqlite"
COUNTS_FILE = "summary.json"
#: The folder beside the store holding one folder per import.
IMPORTS = "imports"
_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
#: Names folded and written at a time.
_BATCH = 50_000
#: Imported keys offered to fuzzy matching: those sharing the text's first characters
#: (at most this many) and this many on either side of it in sorted order.
_PREFIX_CHARS, _PREFIX_ROWS, _NEIGHBOURS = 3, 400, 25


_TABLE = "CREATE TABLE names (key TEXT NOT NULL, kind INTEGER NOT NULL, entity TEXT NOT NULL)"


def _create(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)
    # A new file, written once and renamed into place when complete: no journal needed.
    db.execute("PRAGMA journal_mode = OFF")
    db.execute("PRAGMA synchronous = OFF")
    db.execute(_TABLE)
    db.execute("BEGIN")
    return db


def _finish(db: sqlite3.Connection) -> None:
    db.execute("COMMIT")
    db.execute("CREATE INDEX names_key ON names (key)")
    db.close()


def write_names(path: Path, store: ox.Store) -> int:
    """Write the name index of the curated graph in *store* to *path*; return its rows."""
    rows = name_rows(gather_names(store))
    db = _create(path)
    db.executemany("INSERT INTO names VALUES (?, ?, ?)", rows)
    _finish(db)
    return len(rows)


class ImportIndex:
    """The name index and counts of one import, filled as its triples stream past.

    Give it every triple of the import (:meth:`add`), then :meth:`finish` it with the
    number of triples the import's graph holds: it leaves a folder ready to be renamed into
    ``imports/<graph>/`` (:meth:`install`). :meth:`discard` removes what it wrote.
    """

    def __init__(self, imports: Path) -> None:
        imports.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(prefix=".tmp-", dir=imports))
        self._names = _create(self.folder / NAMES_FILE)
        # Entities per class and labels per language, counted on disk (a file of a million
        # labelled rows must not need a million strings in memory); an entity is counted
        # by the hash of its IRI, 64 bits, which two of a billion IRIs share by chance.
        self._scratch = sqlite3.connect(self.folder / "scratch.sqlite", isolation_level=None)
        for pragma in ("journal_mode = OFF", "synchronous = OFF"):
            self._scratch.execute(f"PRAGMA {pragma}")
        self._scratch.execute("CREATE TABLE types (entity INTEGER, class TEXT)")
        self._scratch.execute("CREATE TABLE labels (entity INTEGER, lang TEXT)")
        self._scratch.execute("BEGIN")
        self._pending: list[Name] = []
        self._types: list[tuple[int, str]] = []
        self._labels: list[tuple[int, str]] = []

    #: The predicates :meth:`add` looks at: a caller may skip the others.
    wanted = frozenset({_TYPE, *NAME_PREDICATES})

    def add(self, subject: object, predicate: ox.NamedNode, obj: object) -> None:
        """Take one triple of the import (anything else is ignored quickly)."""
        if predicate == _TYPE:
            if type(subject) is ox.NamedNode and type(obj) is ox.NamedNode:
                iri = subject.value
                if iri.startswith(ID):
                    self._types.append((hash(iri), obj.value))
            return
        via = NAME_PREDICATES.get(predicate)
        if via is None or not isinstance(obj, ox.Literal) or not isinstance(subject, ox.NamedNode):
            return
        if predicate == _LABEL:
            self._labels.append((hash(subject.value), obj.language or ""))
        if subject.value.startswith(ID):
            self._pending.append(Name(subject.value, obj.value, via, obj.language or ""))
        if len(self._pending) + len(self._labels) + len(self._types) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        self._names.executemany("INSERT INTO names VALUES (?, ?, ?)", name_rows(self._pending))
        self._scratch.executemany("INSERT INTO types VALUES (?, ?)", self._types)
        self._scratch.executemany("INSERT INTO labels VALUES (?, ?)", self._labels)
        self._pending, self._types, self._labels = [], [], []

    def finish(self, graph: str, *, file: str, kind: str, triples: int) -> ImportCounts:
        """Write the index and the counts; return the counts."""
        self._flush()
        _finish(self._names)
        db = self._scratch
        db.execute("COMMIT")
        per_class = dict(
            db.execute(
                "SELECT class, COUNT(DISTINCT entity) FROM types"
                " WHERE class >= ? AND class < ? GROUP BY class",
                (MIIKG, MIIKG + "\uffff"),
            ).fetchall()
        )
        (entities,) = db.execute("SELECT COUNT(DISTINCT entity) FROM types").fetchone()
        (labelled,) = db.execute("SELECT COUNT(DISTINCT entity) FROM labels").fetchone()
        langs = dict(
            db.execute("SELECT lang, COUNT(DISTINCT entity) FROM labels GROUP BY lang").fetchall()
        )
        db.close()
        (self.folder / "scratch.sqlite").unlink()
        counts = ImportCounts(
            graph, file, kind, triples, entities, {curie(c): n for c, n in per_class.items()},
            labelled, langs.get("en", 0), langs.get("zh", 0),
        )  # fmt: skip
        _write_json(self.folder / COUNTS_FILE, asdict(counts))
        return counts

    def install(self, target: Path) -> None:
        """Rename the finished folder to *target* (an older one there is removed first)."""
        if target.exists():
            _remove(target)
        self.folder.rename(target)
        self.folder = target

    def discard(self) -> None:
        """Remove everything written (a failed or skipped import)."""
        for db in (self._names, self._scratch):
            db.close()
        _remove(self.folder)


def _remove(folder: Path) -> None:
    """Remove *folder*: renamed out of the way first, so no reader finds half of it."""
    if not folder.exists():
        return
    doomed = folder.with_name(f".trash-{folder.name}-{id(folder)}")
    folder.rename(doomed)
    shutil.rmtree(doomed, ignore_errors=True)


def remove_import_files(imports: Path, graph: str) -> None:
    """Remove the index and counts of the import *graph* (after the store dropped it)."""
    _remove(imports / graph_folder(graph))


def graph_folder(graph: str) -> str:
    """Return the folder name of the import *graph* (``import-<16 hex>``)."""
    return graph.rsplit("/", 1)[-1]


class NameIndex:
    """The name index of a build: the curated names and those of each import the store holds."""

    def __init__(self, curated: sqlite3.Connection, imports: list[sqlite3.Connection]) -> None:
        self._curated = curated
        self._imports = imports
        self._curated_near: list[KeyRow] | None = None

    @classmethod
    def open(cls, root: Path, store: ox.Store) -> NameIndex | None:
        """Open the index of the build in *root* whose store is *store*; None if the build
        has none (an older build: the resolver then reads every name).

        Only the files of the imports the store holds count (see ``completed_imports``).
        """
        from miikg.graph_builder.store import completed_imports

        curated = _open(root / NAMES_FILE)
        if curated is None:
            return None
        imports = []
        for graph in completed_imports(store):
            db = _open(root / IMPORTS / graph_folder(graph) / NAMES_FILE)
            imports.append(db if db is not None else _in_memory(store, graph))
        return cls(curated, imports)

    def _all(self) -> Iterator[sqlite3.Connection]:
        yield self._curated
        yield from self._imports

    def find(self, key: str) -> list[KeyRow]:
        """Return every row of the folded *key*."""
        sql = "SELECT key, kind, entity FROM names WHERE key = ?"
        return [row for db in self._all() for row in db.execute(sql, (key,))]

    def near(self, key: str) -> list[KeyRow]:
        """Return the rows fuzzy matching looks at: every curated name and part, and the
        imported ones whose keys share the first characters of *key* or sort next to it."""
        if self._curated_near is None:
            sql = "SELECT key, kind, entity FROM names WHERE kind > 0"
            self._curated_near = list(self._curated.execute(sql))
        rows = list(self._curated_near)
        prefix = key[:_PREFIX_CHARS]
        for db in self._imports:
            rows += db.execute(
                "SELECT key, kind, entity FROM names WHERE kind > 0 AND key >= ? AND key < ?"
                " LIMIT ?",
                (prefix, prefix + "\uffff", _PREFIX_ROWS),
            ).fetchall()
            rows += db.execute(
                "SELECT key, kind, entity FROM names WHERE kind > 0 AND key >= ?"
                " ORDER BY key LIMIT ?",
                (key, _NEIGHBOURS),
            ).fetchall()
            rows += db.execute(
                "SELECT key, kind, entity FROM names WHERE kind > 0 AND key < ?"
                " ORDER BY key DESC LIMIT ?",
                (key, _NEIGHBOURS),
            ).fetchall()
        return rows


def _open(path: Path) -> sqlite3.Connection | None:
    """Open an index file read-only (it never changes once in place); None if absent."""
    if not path.is_file():
        return None
    try:
        return sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.OperationalError:  # removed since (an import replaced meanwhile)
        return None


def _in_memory(store: ox.Store, graph: str) -> sqlite3.Connection:
    """Return an index of the names in the import *graph*, made now (an import written
    without an index file: by an older miikg, or ``import mappings``)."""
    from miikg.queries import internal_query
    from miikg.queries.run import run_query

    query = internal_query("resolving/graph-names").text
    names = [
        Name(r.text("entity"), r.text("name"), r.text("via").rsplit("#", 1)[-1].rsplit("/", 1)[-1])
        for r in run_query(store, query, {"graph": ox.NamedNode(graph)})
    ]
    db = sqlite3.connect(":memory:")
    db.execute(_TABLE)
    db.executemany("INSERT INTO names VALUES (?, ?, ?)", name_rows(names))
    db.execute("CREATE INDEX names_key ON names (key)")
    return db


class LazyNameIndex:
    """The name index of a build, opened at the first lookup (most commands need none).

    A build without an index (made by an older miikg) is looked up in names read from
    the store, as before.
    """

    def __init__(self, root: Path, store: ox.Store) -> None:
        self._root = root
        self._store = store
        self._index: NameIndex | _Rows | None = None

    def _open(self) -> NameIndex | _Rows:
        if self._index is None:
            opened = NameIndex.open(self._root, self._store)
            self._index = opened if opened is not None else _Rows(self._store)
        return self._index

    def find(self, key: str) -> list[KeyRow]:
        """See :meth:`NameIndex.find`."""
        return self._open().find(key)

    def near(self, key: str) -> list[KeyRow]:
        """See :meth:`NameIndex.near`."""
        return self._open().near(key)


class _Rows:
    """Every name's keys, read from the store (a build without an index file)."""

    def __init__(self, store: ox.Store) -> None:
        self._rows = name_rows(gather_names(store))

    def find(self, key: str) -> list[KeyRow]:
        return [row for row in self._rows if row[0] == key]

    def near(self, key: str) -> list[KeyRow]:
        return [row for row in self._rows if row[1] > 0]


def _write_json(path: Path, data: object) -> None:
    path.write_text(
        json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def import_counts(root: Path, store: ox.Store) -> list[ImportCounts]:
    """Return the counts of each import *store* holds, as written beside it at import time
    (counted now from the import's graph where none were written: ``import mappings``, or
    an import by an older miikg)."""
    from miikg.graph_builder.store import completed_imports

    found = []
    for graph in completed_imports(store):
        path = root / IMPORTS / graph_folder(graph) / COUNTS_FILE
        try:
            found.append(ImportCounts.from_dict(json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError, TypeError):
            found.append(_count_graph(store, graph))
    return found


def _count_graph(store: ox.Store, graph: str) -> ImportCounts:
    """Count what the import *graph* holds by reading it."""
    node = ox.NamedNode(graph)
    meta = ox.NamedNode(PREFIXES["mgraph"] + "meta")
    dcterms = PREFIXES["dcterms"]
    kind = next(store.quads_for_pattern(node, ox.NamedNode(dcterms + "type"), None, meta), None)
    derived = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")
    source = next(store.quads_for_pattern(node, derived, None, meta), None)
    title = None
    if source is not None and isinstance(source.object, ox.NamedNode):
        title_of = ox.NamedNode(dcterms + "title")
        title = next(store.quads_for_pattern(source.object, title_of, None, meta), None)
    file = title.object if title is not None else None
    kind_text = kind.object if kind is not None else None
    per_class: dict[str, set[str]] = {}
    typed: set[str] = set()
    for quad in store.quads_for_pattern(None, _TYPE, None, node):
        subject, cls = quad.subject, quad.object
        named = isinstance(subject, ox.NamedNode) and isinstance(cls, ox.NamedNode)
        if named and subject.value.startswith(ID):  # type: ignore[union-attr]
            typed.add(subject.value)  # type: ignore[union-attr]
            if cls.value.startswith(MIIKG):  # type: ignore[union-attr]
                per_class.setdefault(curie(cls.value), set()).add(subject.value)  # type: ignore[union-attr]
    labels: dict[str, set[str]] = {}
    for quad in store.quads_for_pattern(None, _LABEL, None, node):
        if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
            labels.setdefault(quad.object.language or "", set()).add(quad.subject.value)
    triples = sum(1 for _ in store.quads_for_pattern(None, None, None, node))
    return ImportCounts(
        graph,
        file.value if isinstance(file, ox.Literal) else graph_folder(graph),
        kind_text.value if isinstance(kind_text, ox.Literal) else "",
        triples,
        len(typed),
        {cls: len(s) for cls, s in per_class.items()},
        len(set().union(*labels.values())) if labels else 0,
        len(labels.get("en", ())),
        len(labels.get("zh", ())),
    )
