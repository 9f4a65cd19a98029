"""Shared fixtures: the real graph, built once per session into a temporary home."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
import pytest
import yaml

from miikg import api
from miikg.graph_builder.load import bundled_data_dir
from miikg.graph_builder.store import open_store

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

    from miikg.exports.site import Site
    from miikg.queries.remote import RemoteStore
    from servers import Server

GOLDEN = Path(__file__).parent / "golden"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _no_user_home(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Never touch the real per-user data folder: every test gets an empty default home."""
    monkeypatch.setenv("MIIKG_HOME", str(tmp_path_factory.mktemp("default-home")))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> api.BuildResult:
    """Build the curated graph once for the whole session."""
    return api.build(out=tmp_path_factory.mktemp("home"))


@pytest.fixture(scope="session")
def home(built: api.BuildResult) -> Path:
    return built.paths.root.parent.parent


@pytest.fixture(scope="session")
def store(home: Path) -> ox.Store:
    return open_store(home)


@pytest.fixture(scope="session")
def site(store: ox.Store, tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The static site of the build (``miikg site``), written once."""
    from miikg.exports.site import write_site

    return write_site(store, tmp_path_factory.mktemp("site") / "public")


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled data, for tests that break it on purpose."""
    target = tmp_path / "data"
    shutil.copytree(bundled_data_dir(), target)
    return target


Records = list[dict[str, Any]]


def edit(folder: Path, file: str, change: Callable[[Records], None]) -> None:
    """Load *file* of *folder*, let *change* edit its records, write it back."""
    path = folder / file
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")


def record(records: Records, record_id: str) -> dict[str, Any]:
    """Return the record with *record_id* (fails the test if absent)."""
    found = [r for r in records if r.get("id") == record_id]
    assert len(found) == 1, f"expected one record {record_id!r}"
    return found[0]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail any attempt to open a network connection."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a test tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """The session's one Playwright: its sync API allows one at a time per thread."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium, headless (never a browser Playwright downloads)."""
    from browser import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip("needs Debian's chromium")
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    yield launched
    launched.close()


# Real stores, started once per session and shared (each takes seconds to start) ---------

#: Where a push to Virtuoso puts the merged default graph (its default graph is the union
#: of all graphs and cannot be written).
VIRTUOSO_MERGE = "https://w3id.org/miikg/graph/default-merge"


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Virtuoso Open Source 7 (``dba``/``dba``), shared by the push and remote tests."""
    from servers import virtuoso_binary, virtuoso_server

    if virtuoso_binary() is None:
        pytest.fail("virtuoso-t is missing: apt-get install virtuoso-opensource-7-bin")
    with virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as server:
        yield server


@pytest.fixture(scope="session")
def oxigraph_remote(
    store: ox.Store, built: api.BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RemoteStore]:
    """``oxigraph serve`` holding a push of the build (the merge in its default graph)."""
    from miikg.queries.remote import RemoteStore
    from miikg.serve.push import push
    from servers import oxigraph_server

    folder = tmp_path_factory.mktemp("oxigraph-remote")
    with oxigraph_server(folder / "db", folder) as server:
        push(
            store,
            f"{server.base}/store",
            state=folder / "state",
            build_id=built.paths.root.name,
            replace=True,
        )
        yield RemoteStore(f"{server.base}/query")


@pytest.fixture(scope="session")
def virtuoso_remote(virtuoso: Server, store: ox.Store, built: api.BuildResult) -> RemoteStore:
    """The session's Virtuoso holding a push of the build (the merge in a named graph)."""
    from miikg.queries.remote import RemoteStore
    from miikg.serve.push import UrlTransport, push

    state = built.paths.root / "push-virtuoso-fixture.json"
    push(
        store,
        f"{virtuoso.base}/sparql-graph-crud-auth",
        state=state,
        build_id=built.paths.root.name,
        default_as=VIRTUOSO_MERGE,
        replace=True,
        transport=UrlTransport(user="dba", password="dba", auth="digest"),
    )
    return RemoteStore(f"{virtuoso.base}/sparql")
