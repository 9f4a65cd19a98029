"""What the commands tell a person: build summaries and entity descriptions, in en or zh."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import pyoxigraph as ox

from miikg.graph_builder.iris import META_GRAPH, ONTOLOGY_GRAPH
from miikg.ontology.namespaces import ID, PREFIXES
from miikg.queries.run import QueryResult, run_named

__all__ = ["Description", "Fact", "Summary", "curie", "describe_entity", "summarize"]

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
class Summary:
    """Counts of a build: statements, sources, entities per class, label coverage."""

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

    def to_dict(self) -> dict[str, Any]:
        """Return the summary as plain JSON-ready data."""
        return asdict(self)

    def text(self, lang: str = "en") -> str:
        """Return the summary as readable lines in *lang*."""
        w = _WORDS[lang]
        lines = [
            f"{w['claims']}: {self.claims}",
            f"{w['triples']}: {self.triples}",
            f"{w['quads']}: {self.quads}",
            f"{w['sources']}: {self.sources} ({w['graphs']}: {self.graphs})",
            f"{w['entities']}: {self.entities}",
            w["coverage"].format(
                labelled=self.labelled,
                en=self.with_en,
                zh=self.with_zh,
                en_pct=_pct(self.with_en, self.labelled),
                zh_pct=_pct(self.with_zh, self.labelled),
            ),
            w["per_class"],
        ]
        for cls, count in sorted(self.per_class.items(), key=lambda kv: (-kv[1], kv[0])):
            label = self.class_labels.get(cls, {}).get(lang, cls)
            lines.append(f"  {count:5d}  {label} ({cls})")
        return "\n".join(lines)


def _int(result: QueryResult, name: str) -> int:
    return int(result.rows[0].text(name) or 0) if result.rows else 0


def summarize(store: ox.Store) -> Summary:
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
    quads = triples = claims = 0
    for quad in store.quads_for_pattern(None, None, None):
        quads += 1
        if isinstance(quad.graph_name, ox.DefaultGraph):
            triples += 1
        elif quad.graph_name.value not in (META_GRAPH, ONTOLOGY_GRAPH):
            claims += 1
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
    """One statement about an entity, with every source that makes it."""

    incoming: bool
    property: str
    property_label: str
    value: str
    value_label: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Description:
    """Every fact about one entity, in one language."""

    entity: str
    label: str
    lang: str
    facts: tuple[Fact, ...]

    def text(self) -> str:
        """Return the description as readable lines."""
        w = _WORDS[self.lang]
        lines = [f"{self.label}  <{curie(self.entity)}>"]
        incoming_started = False
        for fact in self.facts:
            if fact.incoming and not incoming_started:
                lines.append(f"{w['incoming']}:")
                incoming_started = True
            value = fact.value_label or (
                curie(fact.value) if fact.value.startswith("http") else fact.value
            )
            sources = "; ".join(fact.sources)
            lines.append(f"  {fact.property_label}: {value}  [{sources}]")
        return "\n".join(lines)


def describe_entity(store: ox.Store, iri: str, *, lang: str = "en") -> Description:
    """Collect every fact about *iri* and the sources of each."""
    result = run_named(store, "entity-facts", {"entity": iri}, lang=lang)
    grouped: dict[tuple[bool, str, str], dict[str, Any]] = {}
    label = ""
    for row in result:
        incoming = row.text("direction") == "in"
        prop, value = row.text("property"), row.text("value")
        if not incoming and prop == PREFIXES["rdfs"] + "label":
            label = label or value
        key = (incoming, prop, value)
        entry = grouped.setdefault(
            key,
            {
                "property_label": row.text("propertyLabel") or curie(prop),
                "value_label": row.text("valueLabel"),
                "sources": [],
            },
        )
        source = row.text("locator") or row.text("sourceLabel") or curie(row.text("source"))
        if source and source not in entry["sources"]:
            entry["sources"].append(source)
    facts = tuple(
        Fact(incoming, prop, e["property_label"], value, e["value_label"], tuple(e["sources"]))
        for (incoming, prop, value), e in grouped.items()
    )
    return Description(iri, label or iri.removeprefix(ID), lang, facts)
