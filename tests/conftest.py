"""Shared fixtures: the real graph, built once per session into a temporary home."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from miikg import api
from miikg.graph_builder.load import bundled_data_dir
from miikg.graph_builder.store import open_store

GOLDEN = Path(__file__).parent / "golden"
#: Debian's Chromium, driven headless by Playwright (never `playwright install`).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
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
def playwright() -> Iterator[Any]:
    """One Playwright for the session: a second sync one cannot start while it runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    """Debian's Chromium, headless, shared by the explorer and figure tests."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()
