"""What the commands tell a person: build summaries and entity descriptions, in en or zh."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pyoxigraph as ox

from miikg.graph_builder.iris import META_GRAPH, ONTOLOGY_GRAPH
from miikg.ontology.namespaces import ID, PREFIXES
from miikg.queries.run import Engine, QueryResult, reads_quads, run_named

__all__ = [
    "Description",
    "Fact",
    "ImportCounts",
    "Summary",
    "curie",
    "describe_entity",
    "summarize",
]

_WORDS = {
    "en": {
        "claims": "claims (a statement as one source makes it)",
        "triples": "distinct triples in the merged default graph",
        "quads": "quads written (claims, merge, ontology, source descriptions)",
        "sources": "sources",
        "graphs": "named graphs with claims",
        "entities": "entities",
        "coverage": "labels: {labelled} labelled things, {en} with English ({en_pct}), "
        "{zh} with Chinese ({zh_pct})",
        "per_class": "entities per class:",
        "incoming": "referred to by",
        "sources_of": "sources",
        "inverse": "{label} of",
        "imports": "imported files: {n}, {triples} triples in their own graphs",
        "import": "  {file} ({kind}): {triples} triples, {entities} entities, "
        "{labelled} labelled things",
        "all_entities": "entities, with the imports: {n}",
        "all_coverage": "labels, with the imports: {labelled} things; in English {en} "
        "({en_pct}), in Chinese {zh} ({zh_pct})",
        "all_per_class": "entities per class, with the imports",
        "overlap": "(an entity an import describes again counts again):",
    },
    "zh": {
        "claims": "陈述（按来源计的说法）",
        "triples": "合并默认图中的不同三元组",
        "quads": "写出的四元组（陈述、合并图、本体、来源描述）",
        "sources": "来源",
        "graphs": "含陈述的命名图",
        "entities": "实体",
        "coverage": "标签：{labelled} 个带标签的事物，其中 {en} 个有英文（{en_pct}），"
        "{zh} 个有中文（{zh_pct}）",
        "per_class": "各类实体数量：",
        "incoming": "被以下引用",
        "sources_of": "来源",
        "inverse": "以此为{label}",
        "imports": "导入的文件：{n} 个，各自命名图中共 {triples} 个三元组",
        "import": "  {file}（{kind}）：{triples} 个三元组，{entities} 个实体，"
        "{labelled} 个带标签的事物",
        "all_entities": "实体（含导入）：{n}",
        "all_coverage": "标签（含导入）：{labelled} 个事物；有英文 {en} 个（{en_pct}），"
        "有中文 {zh} 个（{zh_pct}）",
        "all_per_class": "各类实体数量（含导入",
        "overlap": "；导入数据再次描述的实体重复计数）：",
    },
}


def curie(iri: str) -> str:
    """Shorten *iri* with the project's prefixes (``mid:institute/mxd`` stays readable)."""
    for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base) :]}"
    return iri


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"


@dataclass(frozen=True)
class ImportCounts:
    """What one import's own graph holds: triples, entities per class, labels per language.

    Counted as the import is written (see :class:`miikg.name_index.ImportIndex`).
    """

    graph: str
    file: str
    kind: str
    triples: int
    entities: int
    per_class: dict[str, int]
    labelled: int
    with_en: int
    with_zh: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportCounts:
        """Read counts written by :meth:`Summary.to_dict` or an import's ``summary.json``."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["per_class"] = {curie(c): n for c, n in dict(values.get("per_class", {})).items()}
        return cls(**values)


@dataclass(frozen=True)
class Summary:
    """Counts of a build: statements, sources, entities per class, label coverage.

    The counts are those of the curated build; *imports* are the counts of each import
    the store holds, kept beside it, added up in :meth:`text`.
    """

    quads: int
    claims: int
    triples: int
    sources: int
    graphs: int
    entities: int
    per_class: dict[str, int] = field(default_factory=dict)
    class_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    labelled: int = 0
    with_en: int = 0
    with_zh: int = 0
    imports: tuple[ImportCounts, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as plain JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Summary:
        """Read a summary written by :meth:`to_dict` (``summary.json`` of a build)."""
        names = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in names}
        values["imports"] = tuple(ImportCounts.from_dict(i) for i in data.get("imports", ()))
        return cls(**values)

    def text(self, lang: str = "en") -> str:
        """Return the summary as readable lines in *lang*."""
        w = _WORDS[lang]
        lines = [
            f"{w['claims']}: {self.claims}",
            f"{w['triples']}: {self.triples}",
            f"{w['quads']}: {self.quads}",
            f"{w['sources']}: {self.sources} ({w['graphs']}: {self.graphs})",
            f"{w['entities']}: {self.entities}",
            _coverage(w["coverage"], self.labelled, self.with_en, self.with_zh),
        ]
        per_class = dict(self.per_class)
        if self.imports:
            lines.append(
                w["imports"].format(
                    n=len(self.imports), triples=sum(i.triples for i in self.imports)
                )
            )
            lines += [w["import"].format(**asdict(i)) for i in self.imports]
            lines.append(
                w["all_entities"].format(n=self.entities + sum(i.entities for i in self.imports))
            )
            lines.append(
                _coverage(
                    w["all_coverage"],
                    self.labelled + sum(i.labelled for i in self.imports),
                    self.with_en + sum(i.with_en for i in self.imports),
                    self.with_zh + sum(i.with_zh for i in self.imports),
                )
            )
            for counts in self.imports:
                for cls, n in counts.per_class.items():
                    per_class[cls] = per_class.get(cls, 0) + n
            lines.append(w["all_per_class"] + (" " if lang == "en" else "") + w["overlap"])
        else:
            lines.append(w["per_class"])
        for cls, count in sorted(per_class.items(), key=lambda kv: (-kv[1], kv[0])):
            label = self.class_labels.get(cls, {}).get(lang, cls)
            lines.append(f"  {count:5d}  {label} ({cls})")
        return "\n".join(lines)


def _coverage(template: str, labelled: int, en: int, zh: int) -> str:
    return template.format(
        labelled=labelled, en=en, zh=zh, en_pct=_pct(en, labelled), zh_pct=_pct(zh, labelled)
    )


def _int(result: QueryResult, name: str) -> int:
    return int(result.rows[0].text(name) or 0) if result.rows else 0


def _sizes(store: Engine) -> tuple[int, int, int]:
    """Return the quads, the triples of the merged default graph, and the claims."""
    if not isinstance(store, ox.Store):  # an endpoint counts for itself
        triples, graphs = store.counts()  # type: ignore[union-attr]
        claims = sum(n for g, n in graphs.items() if g not in (META_GRAPH, ONTOLOGY_GRAPH))
        return triples + sum(graphs.values()), triples, claims
    quads = triples = claims = 0
    for quad in store.quads_for_pattern(None, None, None):
        quads += 1
        if isinstance(quad.graph_name, ox.DefaultGraph):
            triples += 1
        elif quad.graph_name.value not in (META_GRAPH, ONTOLOGY_GRAPH):
            claims += 1
    return quads, triples, claims


def summarize(store: Engine) -> Summary:
    """Count what the store holds, with the named queries a user can run too."""
    per_class: dict[str, int] = {}
    class_labels: dict[str, dict[str, str]] = {}
    for lang in ("en", "zh"):
        for row in run_named(store, "entities-per-class", lang=lang):
            cls = curie(row.text("class"))
            per_class[cls] = int(row.text("entities"))
            class_labels.setdefault(cls, {})[lang] = row.text("label") or cls
    coverage = run_named(store, "language-coverage")
    graphs = run_named(store, "source-graphs", lang="en")
    entities = run_named(store, "all-entities")
    quads, triples, claims = _sizes(store)
    return Summary(
        quads=quads,
        claims=claims,
        triples=triples,
        sources=len(graphs),
        graphs=sum(1 for r in graphs if int(r.text("statements") or 0) > 0),
        entities=_int(entities, "entities"),
        per_class=per_class,
        class_labels=class_labels,
        labelled=_int(coverage, "labelled"),
        with_en=_int(coverage, "withEn"),
        with_zh=_int(coverage, "withZh"),
    )


@dataclass(frozen=True)
class Fact:
    """One statement about an entity, with every source that makes it.

    For an incoming statement (``incoming``), *property_label* reads from the entity's
    side ("used in"), and *value* is the subject that points to the entity.
    """

    incoming: bool
    property: str
    property_label: str
    value: str
    value_label: str
    sources: tuple[str, ...]
    #: A curated disagreement concerns this entity and property (see ``disagreements``).
    disputed: bool = False


_ORDER = (PREFIXES["rdfs"] + "label", PREFIXES["rdf"] + "type")
_DISPUTED = {"en": " (disputed)", "zh": "（有争议）"}


@dataclass(frozen=True)
class Description:
    """Every fact about one entity, in one language."""

    entity: str
    label: str
    lang: str
    facts: tuple[Fact, ...]
    #: How the name given was resolved (``id``, ``name``, ``fuzzy`` …; see miikg.resolve).
    how: str = ""

    def notes(self) -> list[str]:
        """Return the sources in the order they are first cited (note 1, 2, …)."""
        seen: dict[str, None] = {}
        for fact in self._ordered():
            for source in fact.sources:
                seen.setdefault(source, None)
        return list(seen)

    def _ordered(self) -> list[Fact]:
        def key(fact: Fact) -> tuple[bool, int, str]:
            rank = _ORDER.index(fact.property) if fact.property in _ORDER else len(_ORDER)
            return fact.incoming, rank, fact.property_label.casefold()

        return sorted(self.facts, key=key)

    def text(self, width: int | None = None) -> str:
        """Return the description as readable lines, wrapped to *width* display columns.

        Facts are grouped by property, one line each (wrapped with a hanging indent);
        each source is a numbered note at the end, cited as ``[1][3]``.
        """
        w = _WORDS[self.lang]
        notes = {source: n for n, source in enumerate(self.notes(), start=1)}
        lines: list[tuple[int, str]] = [(0, f"{self.label}  <{curie(self.entity)}>")]
        grouped: dict[tuple[bool, str], list[Fact]] = {}
        for fact in self._ordered():
            grouped.setdefault((fact.incoming, fact.property_label), []).append(fact)
        incoming_started = False
        colon = "：" if self.lang == "zh" else ": "
        sep = "；" if self.lang == "zh" else "; "
        for (incoming, label), facts in grouped.items():
            if incoming and not incoming_started:
                lines.append((0, f"{w['incoming']}{colon.strip()}"))
                incoming_started = True
            values = []
            for fact in facts:
                value = fact.value_label or (
                    curie(fact.value) if fact.value.startswith("http") else fact.value
                )
                marks = "".join(f"[{n}]" for n in sorted(notes[s] for s in fact.sources))
                disputed = _DISPUTED[self.lang] if fact.disputed else ""
                values.append(f"{value}{disputed} {marks}".rstrip())
            lines.append((2, f"{label}{colon}{sep.join(values)}"))
        lines.append((0, f"{w['sources_of']}{colon.strip()}"))
        lines += [(2, f"[{n}] {source}") for source, n in notes.items()]
        from miikg.terminal import wrap

        return "\n".join(wrap(text, width, indent=indent) for indent, text in lines)


def _disputed(store: Engine, iri: str) -> set[str]:
    """Return the properties of *iri* a curated disagreement concerns."""
    concerns = ox.NamedNode(PREFIXES["miikg"] + "concerns")
    on_property = ox.NamedNode(PREFIXES["miikg"] + "onProperty")
    found: set[str] = set()
    for quad in store.quads_for_pattern(  # type: ignore[union-attr]
        None, concerns, ox.NamedNode(iri), ox.DefaultGraph()
    ):
        for prop in store.quads_for_pattern(  # type: ignore[union-attr]
            quad.subject, on_property, None, ox.DefaultGraph()
        ):
            if isinstance(prop.object, ox.NamedNode | ox.Literal):
                found.add(prop.object.value)
    return found


def describe_entity(store: Engine, iri: str, *, lang: str = "en", how: str = "") -> Description:
    """Collect every fact about *iri* and the sources of each."""
    result = run_named(store, "entity-facts", {"entity": iri}, lang=lang)
    disputed = _disputed(store, iri) if reads_quads(store) else set()
    grouped: dict[tuple[bool, str, str], dict[str, Any]] = {}
    label = ""
    for row in result:
        incoming = row.text("direction") == "in"
        prop, value = row.text("property"), row.text("value")
        if not incoming and prop == PREFIXES["rdfs"] + "label":
            label = label or value
        key = (incoming, prop, value)
        property_label = row.text("propertyLabel") or curie(prop)
        if incoming:
            property_label = row.text("inverseLabel") or _WORDS[lang]["inverse"].format(
                label=property_label
            )
        entry = grouped.setdefault(
            key,
            {
                "property_label": property_label,
                "value_label": row.text("valueLabel"),
                "sources": [],
            },
        )
        source = row.text("locator") or row.text("sourceLabel") or curie(row.text("source"))
        if source and source not in entry["sources"]:
            entry["sources"].append(source)
    facts = tuple(
        Fact(
            incoming,
            prop,
            e["property_label"],
            value,
            e["value_label"],
            tuple(e["sources"]),
            disputed=not incoming and prop in disputed,
        )
        for (incoming, prop, value), e in grouped.items()
    )
    return Description(iri, label or iri.removeprefix(ID), lang, facts, how)
