"""Where builds live on disk, and how a new one replaces the last without a broken moment.

A *home* folder holds ``builds/<name>/`` folders and a ``CURRENT`` file naming the one in
use. A build is written in full under a temporary name, then ``CURRENT`` is replaced in
one atomic rename; a failed build leaves the previous one untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from miikg.errors import StoreNotFoundError
from miikg.ontology.namespaces import PREFIXES

__all__ = ["BuildPaths", "current_build", "default_home", "open_store", "write_build"]

HOME_ENV = "MIIKG_HOME"
POINTER = "CURRENT"
#: Builds kept besides the current one, so a reader of the previous build finishes.
KEEP_PREVIOUS = 1


def default_home() -> Path:
    """Return the folder of builds: ``$MIIKG_HOME``, else the per-user data folder."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("miikg", appauthor=False))


@dataclass(frozen=True)
class BuildPaths:
    """The files of one build."""

    root: Path

    @property
    def store(self) -> Path:
        return self.root / "store"

    @property
    def nquads(self) -> Path:
        return self.root / "miikg.nq"

    @property
    def trig(self) -> Path:
        return self.root / "miikg.trig"

    @property
    def summary(self) -> Path:
        return self.root / "summary.json"


def current_build(home: Path | None = None) -> BuildPaths:
    """Return the build in use under *home* (a home folder or one build's folder).

    :raises StoreNotFoundError: with the command that makes one.
    """
    folder = home if home is not None else default_home()
    pointer = folder / POINTER
    if pointer.is_file():
        build = BuildPaths(folder / "builds" / pointer.read_text(encoding="utf-8").strip())
    else:
        build = BuildPaths(folder)
    if not build.store.is_dir():
        hint = "miikg build" if home is None else f"miikg build --out {folder}"
        raise StoreNotFoundError(f"no built graph in {folder}: run `{hint}` first")
    return build


def open_store(home: Path | None = None) -> ox.Store:
    """Open the current build's store read-only (no parsing: the store is on disk)."""
    return ox.Store.read_only(str(current_build(home).store))


def write_build(
    home: Path,
    quads: list[ox.Quad],
    *,
    extra: Callable[[BuildPaths, ox.Store], dict[str, object]] | None = None,
) -> tuple[BuildPaths, dict[str, object]]:
    """Write a build of *quads* (already in their canonical order) and make it current.

    :param extra: called with the finished store before the swap; its result is written
        to ``summary.json`` and returned.
    """
    builds = home / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=builds))
    try:
        paths = BuildPaths(tmp)
        nquads = b"".join(str(q).encode("utf-8") + b" .\n" for q in quads)
        paths.nquads.write_bytes(nquads)
        by_graph = sorted(quads, key=lambda q: (str(q.graph_name), str(q.triple)))
        ox.serialize(by_graph, str(paths.trig), format=ox.RdfFormat.TRIG, prefixes=dict(PREFIXES))
        store = ox.Store(str(paths.store))
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        store.flush()
        store.optimize()
        summary = extra(paths, store) if extra else {}
        del store
        paths.summary.write_text(
            json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
            encoding="utf-8",
        )
        digest = hashlib.sha256(nquads).hexdigest()[:12]
        name = f"{time.time_ns():020d}-{digest}"
        final = builds / name
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    _point_to(home, name)
    _prune(builds, keep={name})
    return BuildPaths(final), summary


def _point_to(home: Path, name: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".CURRENT-", dir=home)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
    Path(tmp).replace(home / POINTER)


def _prune(builds: Path, *, keep: set[str]) -> None:
    done = sorted((p for p in builds.iterdir() if not p.name.startswith(".")), reverse=True)
    for old in [p for p in done if p.name not in keep][KEEP_PREVIOUS:]:
        shutil.rmtree(old, ignore_errors=True)
