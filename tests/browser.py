"""Debian's Chromium, headless, with every request outside one origin cut and recorded.

A test opens pages through :class:`Browsing`; each tab records the requests it was
refused, requests that failed, console errors, page errors and dialogs, so a test can
assert that a page loaded cleanly and that nothing ran that should not have.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page

__all__ = ["ARGS", "CHROMIUM", "Browsing", "Tab", "shots_folder"]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@dataclass
class Tab:
    """A page and what went wrong on it."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.blocked or self.failed or self.errors or self.dialogs)

    def problems(self) -> dict[str, list[str]]:
        return {
            "blocked": self.blocked,
            "failed": self.failed,
            "errors": self.errors,
            "dialogs": self.dialogs,
        }


class Browsing:
    """Tabs in one browser context that may reach *allowed* (a URL prefix) and nothing else."""

    def __init__(self, context: BrowserContext, allowed: str) -> None:
        self.context = context
        self.allowed = allowed
        self.tabs: list[Tab] = []

    def open(self, url: str | None = None) -> Tab:
        page = self.context.new_page()
        tab = Tab(page)

        def route(r: Any) -> None:
            if r.request.url.startswith(self.allowed):
                r.continue_()
            else:
                tab.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda r: tab.failed.append(r.url))
        page.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: tab.errors.append(str(e)))
        page.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
        if url is not None:
            page.goto(url)
        self.tabs.append(tab)
        return tab


def shots_folder(tmp_path: Path) -> Path:
    """Where screenshots go: ``$MIIKG_SHOTS`` if set (to look at them), else *tmp_path*."""
    folder = Path(os.environ.get("MIIKG_SHOTS") or tmp_path / "shots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
