"""The SPARQL service description of the endpoint (GET /sparql without a query).

The default graph of a miikg store is the merge of all its named graphs, written into the
store at build time (each triple once). That is what ``sd:UnionDefaultGraph`` promises,
so the description declares the feature and says in en and zh how it is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from miikg.ontology.namespaces import PREFIXES
from miikg.serve.results import GRAPH_FORMATS, SOLUTION_FORMATS, Format

__all__ = ["Description", "describe_store"]

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
_COUNTS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
_DEFAULT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_UNION = {
    "en": "The default graph is the RDF merge of every named graph of this store: each "
    "triple of any named graph once (materialised at build time, not computed per query). "
    "Each named graph holds the claims of one source.",
    "zh": "默认图是本存储中全部命名图的 RDF 合并：任一命名图中的每条三元组只出现一次"
    "（在构建时写入，而非查询时计算）。每个命名图保存一个来源的陈述。",
}


@dataclass(frozen=True)
class Description:
    """What the service description says: the store's graphs and their sizes."""

    graphs: frozenset[str]
    counts: tuple[tuple[str, int], ...]
    default_triples: int
    prefixes: dict[str, str]

    def triples(self, endpoint: str) -> list[ox.Triple]:
        """Return the description of the service at *endpoint* (IRIs minted under it)."""
        sd = SD
        service = ox.NamedNode(endpoint)
        dataset = ox.NamedNode(f"{endpoint}#dataset")
        default = ox.NamedNode(f"{endpoint}#default-graph")
        out = [
            ox.Triple(service, RDF_TYPE, ox.NamedNode(sd + "Service")),
            ox.Triple(service, ox.NamedNode(sd + "endpoint"), service),
            ox.Triple(
                service, ox.NamedNode(sd + "supportedLanguage"), ox.NamedNode(sd + "SPARQL11Query")
            ),
            ox.Triple(
                service, ox.NamedNode(sd + "feature"), ox.NamedNode(sd + "UnionDefaultGraph")
            ),
            ox.Triple(service, ox.NamedNode(sd + "defaultDataset"), dataset),
            ox.Triple(dataset, RDF_TYPE, ox.NamedNode(sd + "Dataset")),
            ox.Triple(dataset, ox.NamedNode(sd + "defaultGraph"), default),
            ox.Triple(default, RDF_TYPE, ox.NamedNode(sd + "Graph")),
            ox.Triple(default, ox.NamedNode(VOID + "triples"), _integer(self.default_triples)),
        ]
        for fmt in (*SOLUTION_FORMATS, *GRAPH_FORMATS):
            out.append(ox.Triple(service, ox.NamedNode(sd + "resultFormat"), ox.NamedNode(fmt.iri)))
        for lang, text in _UNION.items():
            literal = ox.Literal(text, language=lang)
            out.append(ox.Triple(default, ox.NamedNode(DCTERMS + "description"), literal))
            out.append(ox.Triple(service, ox.NamedNode(DCTERMS + "description"), literal))
        for iri, count in self.counts:
            named = ox.NamedNode(f"{endpoint}#graph-{iri.rsplit('/', 1)[-1]}")
            graph = ox.NamedNode(f"{endpoint}#graph-{iri.rsplit('/', 1)[-1]}-triples")
            out += [
                ox.Triple(dataset, ox.NamedNode(sd + "namedGraph"), named),
                ox.Triple(named, RDF_TYPE, ox.NamedNode(sd + "NamedGraph")),
                ox.Triple(named, ox.NamedNode(sd + "name"), ox.NamedNode(iri)),
                ox.Triple(named, ox.NamedNode(sd + "graph"), graph),
                ox.Triple(graph, RDF_TYPE, ox.NamedNode(sd + "Graph")),
                ox.Triple(graph, ox.NamedNode(VOID + "triples"), _integer(count)),
            ]
        return sorted(out, key=lambda triple: str(triple.subject))

    def serialize(self, endpoint: str, fmt: Format) -> bytes:
        """Write the description in an RDF format of :data:`GRAPH_FORMATS`."""
        from miikg.serve.results import Limits, write_triples

        prefixes = {"sd": SD, "void": VOID, "dcterms": DCTERMS}
        limits = Limits(rows=1_000_000, bytes=1 << 30)
        return write_triples(self.triples(endpoint), fmt, limits, prefixes=prefixes).data


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


def describe_store(store: Path) -> Description:
    """Read the graphs of the store at *store* (a store folder) and count their triples."""
    handle = ox.Store.read_only(str(store))
    counts = tuple((_text(s["g"]), int(_text(s["n"]))) for s in _solutions(handle, _COUNTS))
    default = int(_text(next(iter(_solutions(handle, _DEFAULT)))["n"]))
    return Description(frozenset(iri for iri, _ in counts), counts, default, dict(PREFIXES))


def _solutions(store: ox.Store, query: str) -> ox.QuerySolutions:
    answer = store.query(query)
    assert isinstance(answer, ox.QuerySolutions)
    return answer


def _text(term: object) -> str:
    assert isinstance(term, ox.NamedNode | ox.Literal)
    return term.value
