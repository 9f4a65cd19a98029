"""A release folder: every export format, ``SHA256SUMS``, and what changed since the last.

The diff is computed from the N-Quads of both releases: an *entity* is a typed resource
of the ``mid:`` namespace, a *fact* a triple of the merged default graph. A fact whose
subject and property stay but whose values differ is *changed*, not added and removed.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from miikg.exports.registry import EXPORTERS, ExportError, Source, as_source
from miikg.ontology.namespaces import ID, PREFIXES
from miikg.report import curie

__all__ = [
    "CHANGES",
    "CHECKSUMS",
    "FactChange",
    "Release",
    "ReleaseDiff",
    "diff_nquads",
    "verify_checksums",
    "write_checksums",
    "write_release",
]

CHECKSUMS = "SHA256SUMS"
CHANGES = "CHANGES.md"
NQUADS = EXPORTERS["nquads"].filename
_TYPE = PREFIXES["rdf"] + "type"

Pair = tuple[str, str]


@dataclass(frozen=True)
class FactChange:
    """The values of one (subject, property) before and after."""

    subject: str
    property: str
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class ReleaseDiff:
    """Entities and facts added, removed and changed between two releases."""

    entities_added: tuple[str, ...] = ()
    entities_removed: tuple[str, ...] = ()
    entities_changed: tuple[str, ...] = ()
    facts_added: tuple[tuple[str, str, str], ...] = ()
    facts_removed: tuple[tuple[str, str, str], ...] = ()
    facts_changed: tuple[FactChange, ...] = ()
    claims_added: int = 0
    claims_removed: int = 0

    @property
    def is_empty(self) -> bool:
        """Tell whether nothing changed."""
        return not (self.facts_added or self.facts_removed or self.facts_changed) and not (
            self.claims_added or self.claims_removed
        )

    def text(self) -> str:
        """Return the diff as Markdown a person can read."""
        lines = [
            "# Changes since the previous release",
            "",
            f"- entities: {len(self.entities_added)} added, {len(self.entities_removed)} "
            f"removed, {len(self.entities_changed)} changed",
            f"- facts (merged default graph): {len(self.facts_added)} added, "
            f"{len(self.facts_removed)} removed, {len(self.facts_changed)} changed",
            f"- claims (quads in source graphs): {self.claims_added} added, "
            f"{self.claims_removed} removed",
        ]
        for title, items in (
            ("Entities added", self.entities_added),
            ("Entities removed", self.entities_removed),
            ("Entities changed", self.entities_changed),
        ):
            if items:
                lines += ["", f"## {title}", ""] + [f"- {curie(e)}" for e in items]
        if self.facts_changed:
            lines += ["", "## Facts changed", ""]
            for c in self.facts_changed:
                lines.append(
                    f"- {curie(c.subject)} {curie(c.property)}: "
                    f"{', '.join(c.before)} → {', '.join(c.after)}"
                )
        for title, facts in (
            ("Facts added", self.facts_added),
            ("Facts removed", self.facts_removed),
        ):
            if facts:
                lines += ["", f"## {title}", ""] + [f"- {s} {p} {o}" for s, p, o in facts]
        return "\n".join(lines) + "\n"


def _show(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return curie(term.value)
    if isinstance(term, ox.Literal) and term.language:
        return f'"{term.value}"@{term.language}'
    if isinstance(term, ox.Literal) and term.datatype.value != PREFIXES["xsd"] + "string":
        return f'"{term.value}"^^{curie(term.datatype.value)}'
    return str(term)


def _read(path: Path) -> tuple[set[ox.Triple], set[ox.Quad]]:
    if not path.is_file():
        raise ExportError(
            f"no {path.name} in {path.parent}: not a miikg release folder",
            zh=f"{path.parent} 中没有 {path.name}：不是 miikg 发布目录",
        )
    with path.open("rb") as handle:
        quads = set(ox.parse(handle, format=ox.RdfFormat.N_QUADS))
    facts = {q.triple for q in quads if isinstance(q.graph_name, ox.DefaultGraph)}
    return facts, {q for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}


def _entities(facts: set[ox.Triple]) -> set[str]:
    return {
        t.subject.value
        for t in facts
        if t.predicate.value == _TYPE
        and isinstance(t.subject, ox.NamedNode)
        and t.subject.value.startswith(ID)
    }


def diff_nquads(before: Path, after: Path) -> ReleaseDiff:
    """Compare two N-Quads files: entities and facts added, removed and changed."""
    old_facts, old_claims = _read(before)
    new_facts, new_claims = _read(after)
    added, removed = new_facts - old_facts, old_facts - new_facts
    by_key: dict[Pair, tuple[list[ox.Triple], list[ox.Triple]]] = defaultdict(lambda: ([], []))
    for t in removed:
        by_key[str(t.subject), t.predicate.value][0].append(t)
    for t in added:
        by_key[str(t.subject), t.predicate.value][1].append(t)
    changed: list[FactChange] = []
    old_keys = {(str(t.subject), t.predicate.value) for t in old_facts}
    new_keys = {(str(t.subject), t.predicate.value) for t in new_facts}
    for key, (gone, came) in sorted(by_key.items()):
        if key in old_keys and key in new_keys and gone and came:
            subject = gone[0].subject
            changed.append(
                FactChange(
                    subject.value if isinstance(subject, ox.NamedNode) else str(subject),
                    key[1],
                    tuple(sorted(_show(t.object) for t in gone)),
                    tuple(sorted(_show(t.object) for t in came)),
                )
            )
            added.difference_update(came)
            removed.difference_update(gone)
    old_entities, new_entities = _entities(old_facts), _entities(new_facts)
    touched = {str(t.subject) for t in (new_facts ^ old_facts)}
    both = old_entities & new_entities

    def rows(facts: set[ox.Triple]) -> tuple[tuple[str, str, str], ...]:
        return tuple(sorted((_show(t.subject), _show(t.predicate), _show(t.object)) for t in facts))

    return ReleaseDiff(
        entities_added=tuple(sorted(new_entities - old_entities)),
        entities_removed=tuple(sorted(old_entities - new_entities)),
        entities_changed=tuple(sorted(e for e in both if f"<{e}>" in touched)),
        facts_added=rows(added),
        facts_removed=rows(removed),
        facts_changed=tuple(changed),
        claims_added=len(new_claims - old_claims),
        claims_removed=len(old_claims - new_claims),
    )


@dataclass(frozen=True)
class Release:
    """A written release folder: the file of each format, the checksums, the diff."""

    folder: Path
    files: dict[str, Path] = field(default_factory=dict)
    checksums: Path | None = None
    diff: ReleaseDiff | None = None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def write_checksums(folder: Path) -> Path:
    """Write ``SHA256SUMS`` for every file under *folder*; return its path."""
    files = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.name != CHECKSUMS
    )
    lines = [f"{_sha256(folder / name)}  {name}\n" for name in files]
    path = folder / CHECKSUMS
    path.write_text("".join(lines), encoding="utf-8")
    return path


def verify_checksums(folder: Path) -> list[str]:
    """Return the files of *folder* whose SHA-256 differs from ``SHA256SUMS`` (or is missing)."""
    bad = []
    for line in (folder / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = folder / name
        if not path.is_file() or _sha256(path) != digest:
            bad.append(name)
    return bad


def write_release(source: Source, folder: Path, *, previous: Path | None = None) -> Release:
    """Write every format into *folder*, the diff against *previous*, then ``SHA256SUMS``.

    :raises ExportError: when *folder* is not empty, or *previous* is not a release.
    """
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ExportError(
            f"{folder} is not empty: a release needs a new or empty folder",
            zh=f"{folder} 不是空目录：发布需要新目录或空目录",
        )
    if previous is not None and not (Path(previous) / NQUADS).is_file():
        raise ExportError(
            f"no {NQUADS} in {previous}: not a miikg release folder",
            zh=f"{previous} 中没有 {NQUADS}：不是 miikg 发布目录",
        )
    folder.mkdir(parents=True, exist_ok=True)
    data = as_source(source)
    files = {
        name: exporter(data, folder / exporter.filename) for name, exporter in EXPORTERS.items()
    }
    diff = None
    if previous is not None:
        diff = diff_nquads(Path(previous) / NQUADS, folder / NQUADS)
        (folder / CHANGES).write_text(diff.text(), encoding="utf-8")
    return Release(folder, files, write_checksums(folder), diff)
