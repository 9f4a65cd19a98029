"""Check the built graph against the SHACL shapes, with pySHACL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from miikg.ontology import shapes_path
from miikg.ontology.namespaces import ID, PREFIXES

__all__ = ["Finding", "ValidationReport", "validate_quads"]

SH = PREFIXES["sh"]
#: SHACL's severities (sh:Violation, sh:Warning, sh:Info) as a report names them.
SEVERITIES = {
    "en": {"Violation": "Violation", "Warning": "Warning", "Info": "Info"},
    "zh": {"Violation": "违规", "Warning": "警告", "Info": "提示"},
}


@dataclass(frozen=True)
class Finding:
    """One SHACL result: which node, which path, which shape, and why (en and zh)."""

    focus: str
    path: str | None
    shape: str
    severity: str
    message: dict[str, str]

    @property
    def focus_id(self) -> str:
        """The record id of the focus node, or its IRI when it is not a record."""
        return self.focus.rsplit("/", 1)[-1] if self.focus.startswith(ID) else self.focus

    def text(self, lang: str = "en") -> str:
        """Return one readable line in *lang* (falling back to the other language)."""
        message = self.message.get(lang) or next(iter(self.message.values()), "")
        path = f" [{self.path}]" if self.path else ""
        severity = SEVERITIES.get(lang, SEVERITIES["en"]).get(self.severity, self.severity)
        colon = "：" if lang == "zh" else ": "
        return f"{severity}{colon}{self.focus_id}{path}{colon}{message}"


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a graph: conforms, and every finding."""

    conforms: bool
    findings: list[Finding] = field(default_factory=list)

    def text(self, lang: str = "en") -> str:
        """Return the report as lines in *lang*, sorted for stable output."""
        if self.conforms:
            return "conforms: no SHACL violations" if lang == "en" else "符合：无 SHACL 违规"
        lines = sorted(f.text(lang) for f in self.findings)
        head = f"{len(lines)} SHACL violation(s)" if lang == "en" else f"{len(lines)} 处 SHACL 违规"
        return "\n".join([head, *lines])


def _curie(iri: str) -> str:
    for prefix, base in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(base):
            return f"{prefix}:{iri[len(base) :]}"
    return iri


def _language_of(text: str) -> str:
    # pySHACL re-creates the message of a SPARQL-based constraint without its language tag
    # (after filling in {?var}); the shapes' messages are English or Chinese.
    return "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en"


def validate_quads(quads: Iterable[ox.Quad]) -> ValidationReport:
    """Validate the union of *quads* (ontology included) against ``shapes.ttl``."""
    from pyshacl import validate
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import RDF

    triples = {q.triple for q in quads}
    data = Graph()
    data.parse(data="".join(f"{t} .\n" for t in triples), format="nt")
    shapes = Graph().parse(shapes_path(), format="turtle")
    conforms, results, _ = validate(data, shacl_graph=shapes, inference="none", allow_warnings=True)
    findings: list[Finding] = []

    def sh(name: str) -> URIRef:
        return URIRef(SH + name)

    for result in results.subjects(RDF.type, sh("ValidationResult")):
        focus = results.value(result, sh("focusNode"))
        path = results.value(result, sh("resultPath"))
        source_shape = results.value(result, sh("sourceShape"))
        severity = results.value(result, sh("resultSeverity"))
        messages: dict[str, str] = {}
        for message in results.objects(result, sh("resultMessage")):
            if isinstance(message, Literal):
                messages[message.language or _language_of(str(message))] = str(message)
        findings.append(
            Finding(
                focus=str(focus),
                path=_curie(str(path)) if isinstance(path, URIRef) else None,
                shape=_curie(str(source_shape)) if isinstance(source_shape, URIRef) else "",
                severity=str(severity).rsplit("#", 1)[-1],
                message=messages,
            )
        )
    return ValidationReport(bool(conforms), findings)
