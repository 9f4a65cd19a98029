"""The miikg ontology (OWL + SKOS), its SHACL shapes and the namespaces they use."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from miikg.ontology.namespaces import BASE, GRAPH, ID, MIIKG, PREFIXES

__all__ = ["BASE", "GRAPH", "ID", "MIIKG", "PREFIXES", "ontology_path", "shapes_path"]


def ontology_path() -> Path:
    """Return the path of ``miikg.ttl`` inside the installed package."""
    return Path(str(resources.files(__package__).joinpath("miikg.ttl")))


def shapes_path() -> Path:
    """Return the path of ``shapes.ttl`` inside the installed package."""
    return Path(str(resources.files(__package__).joinpath("shapes.ttl")))
