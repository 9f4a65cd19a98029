"""One registry of standard exporters: a format name → ``exporter(source, path) -> path``.

Every exporter reads one build (its read-only store, or the folder of the build) and
writes a deterministic file: the same build gives byte-identical output, because every
iteration is sorted and nothing writes a timestamp.

>>> sorted(EXPORTERS)[:3]
['cytoscape', 'gexf', 'graphml']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from miikg.errors import MiikgError

if TYPE_CHECKING:
    import networkx as nx
    import pyoxigraph as ox

    from miikg.graph_builder.store import BuildPaths
    from miikg.queries.remote import RemoteStore
    from miikg.queries.run import Engine

__all__ = [
    "EXPORTERS",
    "NETWORK_FORMATS",
    "ExportError",
    "ExportSource",
    "Exporter",
    "Source",
    "as_source",
    "export",
]


class ExportError(MiikgError):
    """An unknown format, or an export that cannot be written where it was asked."""


@dataclass
class ExportSource:
    """One build as the exporters read it; the sorted quads and projection are read once.

    Read from an endpoint, *store* is a copy in memory of every graph the push wrote
    (:meth:`~miikg.queries.remote.RemoteStore.snapshot`), and *engine* the endpoint, where
    the named queries run.
    """

    store: ox.Store
    #: The network view the GraphML, GEXF, Neo4j and Cytoscape exports project.
    view: str = "all"
    #: The language of the ``label`` those exports give each node and edge.
    lang: str = "en"
    engine: Engine | None = None
    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def queries(self) -> Engine:
        """Where the named queries run: the endpoint read, or the store."""
        return self.store if self.engine is None else self.engine

    def quads(self) -> list[ox.Quad]:
        """Return every quad, ordered by graph then triple (the order of the build's TriG)."""
        if "quads" not in self._cache:
            found = self.store.quads_for_pattern(None, None, None, None)
            self._cache["quads"] = sorted(found, key=lambda q: (str(q.graph_name), str(q.triple)))
        return self._cache["quads"]  # type: ignore[return-value]

    def triples(self) -> list[ox.Triple]:
        """Return the triples of the merged default graph, sorted."""
        if "triples" not in self._cache:
            from pyoxigraph import DefaultGraph

            found = self.store.quads_for_pattern(None, None, None, DefaultGraph())
            self._cache["triples"] = sorted((q.triple for q in found), key=str)
        return self._cache["triples"]  # type: ignore[return-value]

    def projection(self) -> nx.MultiDiGraph[str]:
        """Return the NetworkX projection of :attr:`view` (``all`` unless told)."""
        if "projection" not in self._cache:
            from miikg.exports.network import project, read_catalog

            self._cache["projection"] = project(read_catalog(self.queries), self.view)
        return self._cache["projection"]  # type: ignore[return-value]


# Importing the registry (the CLI does, for its choices) stays free of pyoxigraph.
#: What an exporter accepts: a store, a build, a home or build folder, an endpoint a build
#: was pushed to, or an ExportSource.
Source: TypeAlias = "ExportSource | ox.Store | BuildPaths | Path | RemoteStore"


def as_source(source: Source) -> ExportSource:
    """Return *source* as an :class:`ExportSource` (a store, a build, or a home folder)."""
    import pyoxigraph as ox

    from miikg.graph_builder.store import BuildPaths, current_build
    from miikg.queries.remote import RemoteStore

    if isinstance(source, ExportSource):
        return source
    if isinstance(source, ox.Store):
        return ExportSource(source)
    if isinstance(source, RemoteStore):
        return ExportSource(source.snapshot(), engine=source)
    build = source if isinstance(source, BuildPaths) else current_build(source)
    return ExportSource(ox.Store.read_only(str(build.store)))


@dataclass(frozen=True)
class Exporter:
    """A format: its name, its file name in a release folder, and where its writer lives.

    The writer is named as ``module:function`` and imported on first use, so reading
    the registry does not import networkx or rdflib.
    """

    name: str
    filename: str
    writer: str
    description: str

    def __call__(self, source: Source, path: Path) -> Path:
        module, _, function = self.writer.partition(":")
        write: Callable[[ExportSource, Path], Path] = getattr(
            import_module(f"miikg.exports.{module}"), function
        )
        return write(as_source(source), Path(path))


#: Every standard export format, by name, in the order a release lists them.
EXPORTERS: dict[str, Exporter] = {
    e.name: e
    for e in (
        Exporter("turtle", "miikg.ttl", "rdf_formats:write_turtle", "merged default graph"),
        Exporter("trig", "miikg.trig", "rdf_formats:write_trig", "every named graph"),
        Exporter("nquads", "miikg.nq", "rdf_formats:write_nquads", "every named graph"),
        Exporter("json-ld", "miikg.jsonld", "rdf_formats:write_jsonld", "compact, + @context"),
        Exporter("rdf-xml", "miikg.rdf", "rdf_formats:write_rdfxml", "merged default graph"),
        Exporter("graphml", "miikg.graphml", "graph_formats:write_graphml", "`all` network"),
        Exporter("gexf", "miikg.gexf", "graph_formats:write_gexf", "`all` network, Gephi"),
        Exporter("neo4j", "neo4j", "graph_formats:write_neo4j", "bulk-import CSV folder"),
        Exporter("cytoscape", "miikg.cyjs", "graph_formats:write_cytoscape", "Cytoscape.js"),
        Exporter("void", "void.ttl", "void:write_void", "VoID + DCAT description"),
        Exporter("html-docs", "ontology.html", "ontology_docs:write_docs", "ontology docs"),
        Exporter("sssom", "miikg.sssom.tsv", "sssom:write_sssom", "external links, SSSOM"),
    )
}


#: The formats written from a network projection: they follow ``view`` and ``lang``.
NETWORK_FORMATS = ("graphml", "gexf", "neo4j", "cytoscape")


def export(name: str, source: Source, path: Path, *, view: str = "all", lang: str = "en") -> Path:
    """Write *source* in format *name* to *path*; return the path written.

    :param view: for the network formats, the view to project (``governance`` …).
    :param lang: for the network formats, the language of each ``label``.
    :raises ExportError: for an unknown format, view or language, or a view or
        language given to a format that is not a network.
    """
    from miikg.exports.network import VIEWS

    if name not in EXPORTERS:
        raise ExportError(
            f"no export format {name!r}; formats: {', '.join(EXPORTERS)}",
            zh=f"没有导出格式 {name!r}；可选：{'、'.join(EXPORTERS)}",
        )
    if view not in VIEWS:
        raise ExportError(
            f"no view {view!r}; views: {', '.join(VIEWS)}",
            zh=f"没有视图 {view!r}；可选：{'、'.join(VIEWS)}",
        )
    if lang not in ("en", "zh"):
        raise ExportError(
            f"no language {lang!r}; languages: en, zh", zh=f"没有语言 {lang!r}；可选：en、zh"
        )
    if (view, lang) != ("all", "en") and name not in NETWORK_FORMATS:
        raise ExportError(
            f"--view and --lang apply to the network formats only "
            f"({', '.join(NETWORK_FORMATS)}), not to {name}",
            zh=f"--view 和 --lang 只适用于网络格式（{'、'.join(NETWORK_FORMATS)}），"
            f"不适用于 {name}",
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if name in NETWORK_FORMATS:
        base = as_source(source)
        source = ExportSource(base.store, view=view, lang=lang, engine=base.engine)
    return EXPORTERS[name](source, path)
