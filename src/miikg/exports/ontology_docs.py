"""HTML documentation of the ontology, in English and Chinese, from ``miikg.ttl``.

A small renderer of its own rather than pyLODE: one self-contained page (inline CSS, no
script, no font or CDN link), every term in IRI order, so the same ontology always gives
the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import rdflib
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from miikg.ontology import ontology_path
from miikg.ontology.namespaces import MIIKG
from miikg.report import curie

if TYPE_CHECKING:
    from miikg.exports.registry import ExportSource

__all__ = ["SECTIONS", "render_docs", "write_docs"]

#: The kinds of term the page lists, in order: (anchor, rdf:type, English, Chinese).
SECTIONS = (
    ("classes", OWL.Class, "Classes", "类"),
    ("object-properties", OWL.ObjectProperty, "Object properties", "对象属性"),
    ("datatype-properties", OWL.DatatypeProperty, "Datatype properties", "数据属性"),
)
_RELATIONS = (
    (RDFS.subClassOf, "Subclass of", "父类"),
    (RDFS.subPropertyOf, "Subproperty of", "父属性"),
    (RDFS.domain, "Domain", "定义域"),
    (RDFS.range, "Range", "值域"),
    (RDF.type, "Type", "类型"),
)
_CSS = """
body{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.5;color:#1b1b1b}
h1{font-size:1.6rem}h2{border-bottom:1px solid #ccc;margin-top:2.5rem}
section.term{border-left:3px solid #4a7;padding:.2rem 0 .2rem 1rem;margin:1.2rem 0}
code{font-size:.9em;background:#f3f3f3;padding:0 .2em}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}
dd{margin:0}nav ul{columns:3}
""".strip()


def _texts(
    graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef
) -> dict[str, str]:
    found: dict[str, list[str]] = {}
    for value in graph.objects(subject, predicate):
        if isinstance(value, rdflib.Literal):
            found.setdefault(value.language or "", []).append(str(value))
    return {lang: " / ".join(sorted(values)) for lang, values in found.items()}


def _anchor(iri: str) -> str:
    return curie(iri).replace(":", "-").replace("/", "-")


def _link(graph: rdflib.Graph, iri: str, local: set[str]) -> str:
    labels = _texts(graph, rdflib.URIRef(iri), RDFS.label)
    text = escape(curie(iri))
    name = " ".join(escape(labels[lang]) for lang in ("en", "zh") if lang in labels)
    target = f"#{_anchor(iri)}" if iri in local else escape(iri)
    title = f' <span class="label">{name}</span>' if name else ""
    return f'<a href="{target}"><code>{text}</code></a>{title}'


def _term(graph: rdflib.Graph, iri: str, local: set[str]) -> Iterable[str]:
    node = rdflib.URIRef(iri)
    labels = _texts(graph, node, RDFS.label)
    definitions = _texts(graph, node, SKOS.definition)
    yield f'<section class="term" id="{_anchor(iri)}">'
    en, zh = labels.get("en", ""), labels.get("zh", "")
    yield (f'<h3><span lang="en">{escape(en)}</span> · <span lang="zh">{escape(zh)}</span></h3>')
    yield f"<p><code>{escape(curie(iri))}</code> — <code>{escape(iri)}</code></p>"
    yield "<dl>"
    for lang, word in (("en", "Definition"), ("zh", "定义")):
        if lang in definitions:
            yield f'<dt>{word}</dt><dd lang="{lang}">{escape(definitions[lang])}</dd>'
    for predicate, word_en, word_zh in _RELATIONS:
        values = sorted(
            str(v)
            for v in graph.objects(node, predicate)
            if isinstance(v, rdflib.URIRef) and not (predicate == RDF.type and v in _KINDS)
        )
        if values:
            links = ", ".join(_link(graph, v, local) for v in values)
            yield f"<dt>{word_en} · {word_zh}</dt><dd>{links}</dd>"
    yield "</dl></section>"


_KINDS = {kind for _, kind, _, _ in SECTIONS}


def render_docs(graph: rdflib.Graph) -> str:
    """Return the HTML page documenting the ontology in *graph*."""
    ontology = rdflib.URIRef(MIIKG)
    titles = _texts(graph, ontology, DCTERMS.title)
    descriptions = _texts(graph, ontology, DCTERMS.description)
    version = next((str(v) for v in graph.objects(ontology, OWL.versionInfo)), "")
    licence = sorted(str(v) for v in graph.objects(ontology, DCTERMS.license))
    # The ontology's own terms; the external ones it declares (OWL 2 DL asks for it) are
    # linked to where they are used, not documented here.
    terms = {
        anchor: sorted(
            str(s)
            for s in graph.subjects(RDF.type, kind)
            if isinstance(s, rdflib.URIRef) and str(s).startswith(MIIKG)
        )
        for anchor, kind, _, _ in SECTIONS
    }
    local = {iri for iris in terms.values() for iri in iris}
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        '<head><meta charset="utf-8">',
        f"<title>{escape(titles.get('en', 'miikg ontology'))}</title>",
        f"<style>{_CSS}</style></head>",
        "<body>",
        f'<h1><span lang="en">{escape(titles.get("en", ""))}</span><br>'
        f'<span lang="zh">{escape(titles.get("zh", ""))}</span></h1>',
        f'<p lang="en">{escape(descriptions.get("en", ""))}</p>',
        f'<p lang="zh">{escape(descriptions.get("zh", ""))}</p>',
        "<dl>",
        f"<dt>IRI</dt><dd><code>{escape(MIIKG)}</code></dd>",
        f"<dt>Version · 版本</dt><dd>{escape(version)}</dd>",
    ]
    lines += [
        f'<dt>Licence · 许可</dt><dd><a href="{escape(u)}">{escape(u)}</a></dd>' for u in licence
    ]
    lines.append("</dl><nav><h2>Contents · 目录</h2>")
    for anchor, _, title_en, title_zh in SECTIONS:
        lines.append(f'<h3><a href="#{anchor}">{title_en} · {title_zh}</a></h3><ul>')
        for iri in terms[anchor]:
            label = _texts(graph, rdflib.URIRef(iri), RDFS.label)
            name = escape(f"{label.get('en', '')} · {label.get('zh', '')}")
            lines.append(f'<li><a href="#{_anchor(iri)}">{name}</a></li>')
        lines.append("</ul>")
    lines.append("</nav>")
    for anchor, _, title_en, title_zh in SECTIONS:
        lines.append(f'<h2 id="{anchor}">{title_en} · {title_zh} ({len(terms[anchor])})</h2>')
        for iri in terms[anchor]:
            lines.extend(_term(graph, iri, local))
    lines += ["</body>", "</html>", ""]
    return "\n".join(lines)


def write_docs(source: ExportSource | None, path: Path) -> Path:
    """Write the ontology documentation page (the build is not read: the ontology is)."""
    graph = rdflib.Graph()
    graph.parse(ontology_path(), format="turtle")
    path.write_text(render_docs(graph), encoding="utf-8")
    return path
