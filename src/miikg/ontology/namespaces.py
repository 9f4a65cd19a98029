"""Every base IRI the project writes, in one place."""

from __future__ import annotations

__all__ = ["BASE", "GRAPH", "ID", "MIIKG", "PREFIXES", "SHAPES", "W3"]

BASE = "https://w3id.org/miikg/"
MIIKG = BASE + "ontology/"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
SHAPES = BASE + "shapes/"

W3 = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
}

#: Prefixes bound in every serialisation and query the project writes.
PREFIXES: dict[str, str] = {"miikg": MIIKG, "mid": ID, "mgraph": GRAPH, "mshape": SHAPES, **W3}
