"""The export verbs on the current build: one format, or a whole release folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from miikg.engine import open_engine

if TYPE_CHECKING:
    from miikg.exports.release import Release
    from miikg.queries.remote import RemoteStore

__all__ = ["export", "export_all"]


def export(
    fmt: str,
    out: Path,
    *,
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
    view: str = "all",
    lang: str = "en",
) -> Path:
    """Write the current build (or the build pushed to *endpoint*) in format *fmt* to
    *out*; return the path written.

    :param view: the view a network format (graphml, gexf, neo4j, cytoscape) projects.
    :param lang: the language of the ``label`` a network format gives nodes and edges.
    :raises ExportError: for an unknown format, or a view or language it does not take.
    """
    from miikg.exports.registry import export as write

    return write(fmt, open_engine(store, endpoint), Path(out), view=view, lang=lang)


def export_all(
    out: Path,
    *,
    store: Path | None = None,
    endpoint: str | RemoteStore | None = None,
    previous: Path | None = None,
) -> Release:
    """Write a release folder: every format, ``SHA256SUMS``, and a diff against *previous*."""
    from miikg.exports.release import write_release

    return write_release(open_engine(store, endpoint), Path(out), previous=previous)
