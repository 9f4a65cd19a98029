"""The verbs of miikg; the command line mirrors them one to one."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from miikg.engine import open_engine, open_reader
from miikg.errors import ValidationFailedError
from miikg.exports.export_api import export, export_all
from miikg.exports.network_api import (
    explore,
    explorer,
    figure,
    network_ego,
    network_path,
    network_projection,
    network_stats,
)
from miikg.graph_builder.store import BuildPaths, default_home
from miikg.graph_builder.validate import ValidationReport
from miikg.queries.run import QueryResult, run_named, with_labels
from miikg.report import Description, Summary, describe_entity, summarize

if TYPE_CHECKING:
    from miikg.queries.remote import RemoteStore
    from miikg.queries.run import SparqlResult
    from miikg.tables import Table

__all__ = [
    "BuildResult",
    "build",
    "connect",
    "describe",
    "explore",
    "explorer",
    "export",
    "export_all",
    "figure",
    "network_ego",
    "network_path",
    "network_projection",
    "network_stats",
    "query",
    "sparql",
    "stats",
    "table",
    "validate",
]

log = logging.getLogger(__name__)


def connect(
    endpoint: str, *, user: str | None = None, password: str | None = None, auth: str = "basic"
) -> RemoteStore:
    """Return the SPARQL endpoint a build was pushed to, for the ``endpoint=`` of any verb.

    >>> remote = connect("http://127.0.0.1:8890/sparql-auth", user="dba", password="…",
    ...                  auth="digest")  # doctest: +SKIP
    >>> query("institutes", endpoint=remote)  # doctest: +SKIP
    """
    from miikg.queries.remote import RemoteStore

    return RemoteStore(endpoint, user=user, password=password, auth=auth)  # type: ignore[arg-type]


@dataclass(frozen=True)
class BuildResult:
    """Where a build went, what it holds, and its validation report."""

    paths: BuildPaths
    summary: Summary
    report: ValidationReport


def validate(data_dir: Path | None = None) -> ValidationReport:
    """Load the curated data, build the graph in memory and check it with SHACL.

    :raises DataError: when a data file is broken (before any SHACL check).
    """
    from miikg.graph_builder.build import build_quads
    from miikg.graph_builder.load import load_data
    from miikg.graph_builder.validate import validate_quads

    return validate_quads(build_quads(load_data(data_dir)))


def build(data_dir: Path | None = None, *, out: Path | None = None) -> BuildResult:
    """Load, validate and write a build (store, N-Quads, TriG, summary); make it current.

    Nothing is written unless the data loads and conforms to the shapes; the previous
    build stays current until the new one is complete.

    :raises DataError: a data file is broken.
    :raises ValidationFailedError: the graph breaks a SHACL shape.
    """
    from miikg.graph_builder.build import build_quads
    from miikg.graph_builder.load import load_data
    from miikg.graph_builder.store import write_build
    from miikg.graph_builder.validate import validate_quads

    quads = build_quads(load_data(data_dir))
    report = validate_quads(quads)
    if not report.conforms:
        raise ValidationFailedError(report, report.text("en"))
    result: dict[str, Summary] = {}

    def summary_of(paths: BuildPaths, store: Any) -> dict[str, object]:
        from miikg.name_index import write_names

        write_names(paths.names, store)
        result["summary"] = summarize(store)
        return result["summary"].to_dict()

    paths, _ = write_build(out or default_home(), quads, extra=summary_of)
    log.info("built %s", paths.root)
    return BuildResult(paths, result["summary"], report)


def stats(*, store: Path | None = None, endpoint: str | RemoteStore | None = None) -> Summary:
    """Count what the current build holds: the build's counts and those of each import,
    kept beside the store when they were written (nothing is counted again). A build
    pushed to *endpoint* is counted there."""
    import json
    from dataclasses import replace

    from miikg.graph_builder.iris import expand
    from miikg.name_index import import_counts
    from miikg.queries.run import labels_of

    reader = open_reader(store, endpoint)
    build = reader.build
    if build is None:
        return summarize(reader.engine)
    try:
        text = build.paths.summary.read_text(encoding="utf-8")
        summary = Summary.from_dict(json.loads(text))
    except (OSError, ValueError, TypeError):  # a build without one: count it now
        summary = summarize(build.store)
    imports = tuple(import_counts(build.paths.root, build.store))
    labels = dict(summary.class_labels)
    missing = {c for i in imports for c in i.per_class if c not in labels}
    if missing:
        iris = {c: expand(c) for c in missing}
        by_lang = {lang: labels_of(build.store, set(iris.values()), lang) for lang in ("en", "zh")}
        for cls, iri in iris.items():
            labels[cls] = {lang: by_lang[lang].get(iri, cls) for lang in by_lang}
    return replace(summary, imports=imports, class_labels=labels)


def query(
    name: str,
    *,
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
    lang: str = "en",
    labels: bool = False,
    **params: Any,
) -> QueryResult:
    """Run the named query *name* on the current build; keyword arguments are its parameters.

    Parameters are bound as RDF terms (an entity by id, name or IRI), never spliced
    into the query text.

    :param endpoint: run it there instead, on the build ``miikg push`` wrote (a URL, or
        :func:`connect`'s answer).
    :param labels: also look up the labels (in *lang*) of the IRIs among the values,
        as :attr:`QueryResult.labels`.
    """
    reader = open_reader(store, endpoint)
    result = run_named(reader.engine, name, params, lang=lang, index=reader.index)
    return with_labels(reader.engine, result, lang) if labels else result


def sparql(
    text: str, *, store: Path | None = None, endpoint: str | RemoteStore | None = None
) -> SparqlResult:
    """Run an ad-hoc SPARQL query (SELECT, ASK, CONSTRUCT or DESCRIBE) on the current build.

    :raises QueryError: a syntax error, with its line and column.
    """
    from miikg.queries.run import run_sparql

    return run_sparql(open_engine(store, endpoint), text)


def table(
    name: str,
    *,
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
    lang: str = "zh",
) -> Table:
    """Rebuild the paper's Table 1, 2 or 3 or its MRL list (``mrl``) from the graph."""
    from miikg.tables import build_table

    return build_table(open_engine(store, endpoint), name, lang=lang)


def describe(
    term: str,
    *,
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
    lang: str = "en",
) -> list[Description]:
    """Describe the entity *term* names: an id, IRI or CURIE, a name, short or former name,
    acronym or notation in en or zh (folded for case, width and script), or a close spelling.

    :raises NotFoundError: nothing matches (with the closest names), or several entities
        match equally (the message lists them).
    """
    from miikg.resolve import resolve

    reader = open_reader(store, endpoint)
    found = resolve(reader.engine, term, lang=lang, index=reader.index)
    return [describe_entity(reader.engine, found.entity, lang=lang, how=found.how)]
