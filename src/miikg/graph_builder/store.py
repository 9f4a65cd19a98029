"""Where builds live on disk, and how a new one replaces the last without a broken moment.

A *home* folder holds ``builds/<name>/`` folders and a ``CURRENT`` file naming the one in
use. A build is written in full under a temporary name, then ``CURRENT`` is replaced in
one atomic rename; a failed build leaves the previous one untouched.

After the swap, older builds are pruned: the current one and ``KEEP_PREVIOUS`` before it
stay, and so does any older build still *in use*. A reader marks a build in use with a
shared advisory lock (``flock``) on the build's folder: :func:`open_store` holds it while
it opens the store (an open store keeps its files open, so removing the folder later
does not disturb it), :func:`pin_build` for the rest of the process (``miikg serve``,
whose query workers reopen the store whenever one is replaced). The pruner takes an
exclusive lock without waiting; a build it cannot lock is skipped (a later build prunes
it once its readers are gone), one it can lock is renamed out of the way under that lock
and then deleted. A reader that named a build just pruned finds it gone once it holds
its lock and reads ``CURRENT`` again. Without ``flock`` (Windows) nothing is locked and
only the current and previous builds are kept, as before.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from miikg.errors import MiikgError, StoreNotFoundError
from miikg.ontology.namespaces import GRAPH, PREFIXES

if sys.platform != "win32":
    import fcntl

__all__ = [
    "BuildPaths",
    "OpenBuild",
    "completed_imports",
    "current_build",
    "default_home",
    "open_build",
    "open_store",
    "open_writable",
    "pin_build",
    "write_build",
]

HOME_ENV = "MIIKG_HOME"
POINTER = "CURRENT"
#: Builds kept besides the current one (and besides any older build still in use).
KEEP_PREVIOUS = 1
#: A pruned build is renamed to this prefix, then deleted.
_TRASH = ".trash-"
#: How often a reader reads ``CURRENT`` again when the build it named was just pruned.
_ATTEMPTS = 10
#: Lock descriptors of the builds this process has pinned; released when it exits.
_PINNED: dict[Path, int] = {}


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

    @property
    def names(self) -> Path:
        """The name index of the curated graph (see :mod:`miikg.name_index`)."""
        return self.root / "names.sqlite"

    @property
    def imports(self) -> Path:
        """The folder of each import's name index and counts (``imports/<graph>/``)."""
        return self.root / "imports"


@dataclass(frozen=True)
class OpenBuild:
    """A build's store, opened read-only, and where the build's other files are."""

    store: ox.Store
    paths: BuildPaths


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
        raise StoreNotFoundError(
            f"no built graph in {folder}: run `{hint}` first",
            zh=f"{folder} 中没有已构建的图谱：请先运行 `{hint}`",
        )
    return build


def _lock_shared(root: Path) -> int | None:
    """Hold a shared lock on the build folder *root*; None if that build is gone.

    :raises OSError: the folder cannot be opened or locked here (other than gone).
    """
    try:
        fd = os.open(root, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        # Blocks only while a pruner holds its exclusive lock, that is while it renames.
        fcntl.flock(fd, fcntl.LOCK_SH)
        if os.path.samestat(os.fstat(fd), root.stat()):
            return fd
    except FileNotFoundError:  # renamed away by a pruner before we got the lock
        pass
    except BaseException:
        os.close(fd)
        raise
    os.close(fd)
    return None


def _locked_current(home: Path | None) -> tuple[BuildPaths, int | None]:
    """Return the current build and a shared lock held on it (None: read unlocked)."""
    for attempt in range(_ATTEMPTS):
        try:
            build = current_build(home)
        except StoreNotFoundError:
            if attempt == _ATTEMPTS - 1:
                raise
            continue  # CURRENT moved on and its old build was pruned: read it again
        if sys.platform == "win32":
            return build, None
        try:
            fd = _lock_shared(build.root)
        except OSError:  # no locks on this file system: read as before
            return build, None
        if fd is not None:
            return build, fd
    return current_build(home), None  # pruned under us every time: read it as before


def open_store(home: Path | None = None) -> ox.Store:
    """Open the current build's store read-only (no parsing: the store is on disk).

    The build is locked while the store opens, so a build finishing meanwhile cannot
    prune it half-way; once open, the store no longer needs its folder.
    """
    return open_build(home).store


def open_build(home: Path | None = None) -> OpenBuild:
    """Open the current build's store read-only; see :func:`open_store`."""
    build, fd = _locked_current(home)
    try:
        return OpenBuild(ox.Store.read_only(str(build.store)), build)
    finally:
        if fd is not None:
            os.close(fd)


_DERIVED_FROM = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")


def completed_imports(store: ox.Store) -> list[str]:
    """Return the import graphs *store* holds complete: those its meta graph describes.

    An import's provenance is written last, in one transaction, so a graph still filling
    (or left by a killed import) is not among them; nor is one an undo took out.
    """
    meta = ox.NamedNode(GRAPH + "meta")
    prefix = GRAPH + "import-"
    found = {
        q.subject.value
        for q in store.quads_for_pattern(None, _DERIVED_FROM, None, meta)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(prefix)
    }
    return sorted(found)


def open_writable(home: Path | None = None) -> ox.Store:
    """Open the current build's store for writing (what imports add to it).

    :raises MiikgError: the store cannot be opened (another process writes to it).
    """
    path = current_build(home).store
    try:
        return ox.Store(str(path))
    except OSError as exc:
        raise MiikgError(
            f"cannot open the store {path} for writing: {exc}",
            zh=f"无法以写入方式打开存储 {path}：{exc}",
        ) from None


def pin_build(home: Path | None = None) -> BuildPaths:
    """Return the current build and keep it from being pruned until this process ends.

    For a long-running reader that opens the store again later (``miikg serve`` starts a
    new query worker on it whenever one is killed). Pinning the same build twice holds
    one lock.
    """
    build, fd = _locked_current(home)
    if fd is not None:
        key = build.root.resolve()
        if key in _PINNED:
            os.close(fd)
        else:
            _PINNED[key] = fd
    return build


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
    """Delete builds older than *keep* and ``KEEP_PREVIOUS`` more, unless in use."""
    done = sorted((p for p in builds.iterdir() if not p.name.startswith(".")), reverse=True)
    for old in [p for p in done if p.name not in keep][KEEP_PREVIOUS:]:
        if sys.platform == "win32":
            shutil.rmtree(old, ignore_errors=True)
            continue
        try:
            fd = os.open(old, os.O_RDONLY)
        except OSError:  # another build's prune got there first, or not ours to open
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # a reader holds it: a later build prunes it
            os.close(fd)
            continue
        except OSError:  # no locks on this file system: nobody can hold one either
            pass
        try:
            old.rename(builds / f"{_TRASH}{old.name}")
        except OSError:
            continue
        finally:
            os.close(fd)
    for trash in builds.glob(f"{_TRASH}*"):  # also what an interrupted prune left
        shutil.rmtree(trash, ignore_errors=True)
