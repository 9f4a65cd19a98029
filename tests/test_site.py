"""The static site, written once from the curated build and crawled from its index.

Every internal link and resource of every page must resolve to a file of the site;
every entity of the graph has a page in en and zh; every page names its CSP; the
downloads match their checksums. In Chromium, opened from the folder (``file://``) with
every other request cut, a reader finds MxD's founding date, its sources and its
disagreement by clicking from the index, in both languages, and the search box works.
"""

from __future__ import annotations

import html.parser
import json
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pyoxigraph as ox
import pytest
import rdflib
from playwright.sync_api import Browser
from rdflib.compare import isomorphic

from browser import Browsing, shots_folder
from miikg.exports.release import verify_checksums
from miikg.exports.site import MARKER, Site, SiteError, write_site
from miikg.ontology.namespaces import ID
from miikg.queries import catalogue
from miikg.serve.entity_data import entity_iris, entity_triples
from miikg.serve.entity_pages import site_path

# The session's site of the build: conftest.py (test_remote.py compares one with it).


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.csp: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name) is not None and tag in {"a", "link", "script", "img", "form"}:
                self.links.append(str(values[name]))
        if values.get("action") is not None:
            self.links.append(str(values["action"]))
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.csp.append(str(values.get("content")))


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_link_of_every_page_resolves_within_the_site(site: Site) -> None:
    pages = sorted(site.folder.rglob("*.html"))
    assert len(pages) == sum(site.pages.values()) + 1  # + downloads/ontology.html
    external: set[str] = set()
    checked = 0
    for page in pages:
        parsed = _parse(page)
        assert len(parsed.csp) == 1, page
        assert parsed.csp[0].startswith("default-src 'none'"), page
        assert "unsafe-inline" not in parsed.csp[0] and "unsafe-eval" not in parsed.csp[0]
        for link in parsed.links:
            parts = urlsplit(link)
            if parts.scheme in {"http", "https"}:
                external.add(parts.netloc)
                continue
            if link == "data:,":  # the empty icon: keeps the browser from asking for one
                continue
            assert not parts.scheme, (page, link)  # no javascript:, data:, file:
            if not parts.path:
                assert not parts.fragment or parts.fragment in parsed.ids, (page, link)
                continue
            target = site.folder / posixpath.normpath(
                posixpath.join(page.parent.relative_to(site.folder).as_posix(), unquote(parts.path))
            )
            assert target.is_file(), (page, link)
            checked += 1
    assert checked > 50_000
    # links out go to sources' web pages and vocabularies, never to scripts or styles
    assert "www.whitehouse.gov" in external and "www.w3.org" in external


def test_every_entity_has_its_pages_and_data_in_both_languages(site: Site, store: ox.Store) -> None:
    iris = entity_iris(store)
    assert site.entities == len(iris) > 800
    for iri in iris:
        for lang in ("en", "zh"):
            assert (site.folder / site_path(iri, lang)).is_file(), iri
    mxd = ID + "institute/mxd"
    graph = rdflib.Graph().parse(site.folder / site_path(mxd, suffix="ttl"))
    expected = rdflib.Graph().parse(
        data=ox.serialize(entity_triples(store, mxd), format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    assert isomorphic(graph, expected)
    for suffix in ("nt", "jsonld", "rdf"):
        assert (site.folder / site_path(mxd, suffix=suffix)).stat().st_size > 1000


def test_index_reaches_every_page_by_links(site: Site) -> None:
    reached: set[Path] = set()
    todo = [(site.folder / "index.html").resolve()]
    while todo:
        page = todo.pop()
        if page in reached or page.suffix != ".html":
            continue
        reached.add(page)
        for link in _parse(page).links:
            parts = urlsplit(link)
            if not parts.scheme and parts.path:
                todo.append((page.parent / unquote(parts.path)).resolve())
    assert reached == {p.resolve() for p in site.folder.rglob("*.html")}


def test_queries_downloads_search_and_sitemap(site: Site) -> None:
    names = set(catalogue())
    assert {p.name for p in (site.folder / "queries").glob("*.csv")} == {
        f"{n}{s}.csv" for n in names for s in ("", ".zh")
    }
    conflicts = (site.folder / "queries" / "conflicts.html").read_text(encoding="utf-8")
    assert "AIM Photonics" in conflicts and "California" in conflicts
    assert verify_checksums(site.folder / "downloads") == []
    assert (site.folder / "downloads" / "void.ttl").is_file()
    index = json.loads((site.folder / "search-index.json").read_text(encoding="utf-8"))
    assert len(index) == site.entities
    mxd = next(e for e in index if e["i"] == ID + "institute/mxd")
    assert "DMDII" in mxd["a"] and mxd["zh"] == "数字制造和设计创新所"
    sitemap = (site.folder / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert len(locs) == len(list(site.folder.rglob("*.html")))
    assert "https://w3id.org/miikg/id/institute/mxd.zh.html" in locs


def test_a_rebuild_replaces_a_site_and_a_foreign_folder_is_refused(
    store: ox.Store, tmp_path: Path
) -> None:
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(SiteError, match="is not a miikg site"):
        write_site(store, foreign)
    assert [p.name for p in foreign.iterdir()] == ["notes.txt"]
    assert not list(tmp_path.glob(".mine.*"))


def test_a_reader_finds_mxd_by_clicking_in_both_languages(
    site: Site, browser: Browser, tmp_path: Path
) -> None:
    folder = shots_folder(tmp_path)
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    browsing = Browsing(context, "file://")
    written = []
    try:
        for lang, institutes, founded, disagreement in (
            ("en", "Institutes", "founding date", "MxD's organizer"),
            ("zh", "制造创新所", "成立时间", "MxD 的组织者"),
        ):
            suffix = "" if lang == "en" else ".zh"
            tab = browsing.open((site.folder / f"index{suffix}.html").as_uri())
            page = tab.page
            page.screenshot(path=str(folder / f"site-index-{lang}.png"))
            page.click(f'a:text-is("{institutes}")')
            page.screenshot(path=str(folder / f"site-browse-{lang}.png"))
            page.click("a[href^='../id/institute/mxd']")
            assert page.url.endswith(f"/id/institute/mxd{suffix}.html")
            row = page.locator("table.facts tbody tr", has_text=founded)
            assert "2014-02" in row.inner_text()
            note = row.locator("sup a").first.get_attribute("href")
            assert note is not None and page.locator(note).count() == 1
            assert disagreement in page.locator("#disagreements").inner_text()
            page.screenshot(path=str(folder / f"site-entity-{lang}.png"), full_page=True)
            page.goto((site.folder / f"search{suffix}.html").as_uri() + "?q=dmdii")
            page.locator("#hits li").first.wait_for()
            assert page.locator("#hits a[href$='id/institute/mxd" + suffix + ".html']").count() == 1
            page.screenshot(path=str(folder / f"site-search-{lang}.png"))
            for name in ("queries/conflicts", "downloads", "explorer"):
                page.goto((site.folder / f"{name}{suffix}.html").as_uri())
                shot = f"site-{name.replace('/', '-')}-{lang}.png"
                page.screenshot(path=str(folder / shot))
                written.append(shot)
            written += [f"site-{k}-{lang}.png" for k in ("index", "browse", "entity", "search")]
            assert tab.clean, tab.problems()
    finally:
        context.close()
    print(f"\nscreenshots in {folder}:\n" + "\n".join(f"  {n}" for n in sorted(written)))
    assert MARKER and len(written) == 14


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_site_has_the_network_explorer_from_its_index(site: Site, lang: str) -> None:
    suffix = "" if lang == "en" else ".zh"
    page = site.folder / f"explorer-network{suffix}.html"
    assert f"explorer-network{suffix}.html" in _parse(site.folder / f"index{suffix}.html").links
    data = json.loads(
        re.search(r'id="miikg-data">(.*?)</script>', page.read_text("utf-8"), re.S)[1]  # type: ignore[index]
    )
    assert data["view"] == "network" and data["lang"] == lang
    institutes = [n for n in data["nodes"] if n["kind"] == "miikg:Institute"]
    assert len(institutes) == 18
    assert len(data["layouts"][lang]["groups"]) == 3
