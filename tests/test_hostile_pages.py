"""Hostile IRIs and labels imported with ``miikg import rdf`` run nowhere.

The dataset links MxD to ``javascript:`` and ``data:`` IRIs and to an IRI under the base
that carries markup; its labels and comments are markup. Every kind of page, on the
server and in the static site, is opened in Chromium (every other origin cut): no
script runs (``window.__pwned`` never set, no dialog), no element carries an event
handler attribute, no link has a scheme other than http(s), and the markup shows as text.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page

from browser import Browsing
from miikg.exports.site import Site, write_site
from servers import miikg_server

EVIL = "https://w3id.org/miikg/id/hostile/x'onmouseover='window.__pwned=1"
HOSTILE = f"""\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix miikg: <https://w3id.org/miikg/ontology/> .
<https://w3id.org/miikg/id/institute/mxd> rdfs:seeAlso <javascript:window.__pwned=1> ,
    <data:text/html;base64,PHNjcmlwdD53aW5kb3cuX19wd25lZD0xPC9zY3JpcHQ+> , <{EVIL}> .
<https://w3id.org/miikg/id/institute/mxd> rdfs:comment
    "</script><script>window.__pwned=1</script>"@en , "<img src=x onerror=window.__pwned=1>"@zh .
<javascript:window.__pwned=1> rdfs:label "<img src=x onerror=window.__pwned=1>"@en ,
    "<img src=y onerror=window.__pwned=1>"@zh .
<{EVIL}> a miikg:Organization ;
  rdfs:label "<script>window.__pwned=1</script>"@en , "\\"><svg onload=window.__pwned=1>"@zh ;
  rdfs:seeAlso <javascript:alert(document.domain)> ;
  miikg:about <https://w3id.org/miikg/id/institute/mxd> .
"""
SCRIPT_LABEL = "<script>window.__pwned=1</script>"

#: Find what should never be there: handlers, script links, a flag set by a payload.
INSPECT = """() => {
  const handlers = [];
  for (const el of document.querySelectorAll('*'))
    for (const a of el.getAttributeNames())
      if (a.startsWith('on')) handlers.push(el.tagName + ' ' + a);
  const links = [...document.querySelectorAll('[href], [src], [action]')]
    .map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action'))
    .filter(v => /^\\s*(javascript|data|vbscript):/i.test(v) && v !== 'data:,');
  return {pwned: window.__pwned === undefined ? null : String(window.__pwned), handlers, links,
          text: document.body.innerText};
}"""


@pytest.fixture(scope="module")
def hostile_home(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    target = folder / "home"
    shutil.copytree(home, target)
    data = folder / "hostile.ttl"
    data.write_text(HOSTILE, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "miikg.cli", "--store", str(target), "import", "rdf", str(data)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "(12 triples" in done.stdout
    return target


@pytest.fixture(scope="module")
def server(hostile_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with miikg_server(hostile_home, tmp_path_factory.mktemp("hostile-serve")) as running:
        yield running.base


@pytest.fixture(scope="module")
def site(hostile_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Site:
    return write_site(hostile_home, tmp_path_factory.mktemp("hostile-site") / "public")


def _visit(page: Page) -> dict[str, object]:
    for link in page.locator("a").all()[:400]:
        if link.is_visible():
            link.hover(timeout=2000, force=True)
    found: dict[str, object] = page.evaluate(INSPECT)
    return found


def _assert_safe(found: dict[str, object], where: str) -> None:
    assert found["pwned"] is None, where
    assert found["handlers"] == [], where
    assert found["links"] == [], where


def test_nothing_runs_on_any_page_of_the_server(browser: Browser, server: str) -> None:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    browsing = Browsing(context, server + "/")
    evil_path = "/" + quote(EVIL.removeprefix("https://w3id.org/miikg/"), safe="/")
    pages = {
        "entity": "/id/institute/mxd",
        "hostile entity": evil_path,
        "graph of the import": "/graph/" + _import_graph(server),
        "search": "/search?q=" + quote("<script>"),
        "not found": "/id/" + quote("<script>window.__pwned=1</script>"),
        "query page": "/#query="
        + quote("SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?o }"),
    }
    seen_text = ""
    try:
        for kind, path in pages.items():
            for lang in ("en", "zh"):
                tab = browsing.open()
                url = server + path
                if "#" in url:
                    base, _, fragment = url.partition("#")
                    url = f"{base}?lang={lang}#{fragment}"
                else:
                    url += ("&" if "?" in url else "?") + f"lang={lang}"
                tab.page.goto(url)
                if kind == "query page":
                    done = re.compile(r"\d+ 行" if lang == "zh" else r"\d+ row")
                    tab.page.locator("#status", has_text=done).wait_for()
                    assert tab.page.locator("#results tbody tr").count() >= 4
                found = _visit(tab.page)
                _assert_safe(found, f"{kind} {lang}")
                seen_text += str(found["text"])
                assert tab.dialogs == [], kind
                assert tab.blocked == [], (kind, tab.blocked)
    finally:
        context.close()
    assert SCRIPT_LABEL in seen_text  # shown, as text
    assert "javascript:window.__pwned=1" in seen_text


def _import_graph(server: str) -> str:
    import httpx

    query = "SELECT ?g WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?o } }"
    rows = httpx.get(server + "/sparql", params={"query": query, "format": "csv"}, timeout=30)
    graphs = {g for g in rows.text.split()[1:] if "/graph/import-" in g}
    assert len(graphs) == 1
    return graphs.pop().rsplit("/", 1)[1]


def test_nothing_runs_on_any_page_of_the_site(browser: Browser, site: Site) -> None:
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    browsing = Browsing(context, "file://")
    hostile_pages = sorted((site.folder / "id" / "hostile").glob("*.html"))
    assert len(hostile_pages) == 2  # the entity, en and zh
    pages = [
        site.folder / "id/institute/mxd.html",
        site.folder / "id/institute/mxd.zh.html",
        *hostile_pages,
        site.folder / "browse/id-hostile.html",
        site.folder / "browse/id-hostile.zh.html",
        *sorted((site.folder / "graph").glob("import-*.html")),
    ]
    assert len(pages) == 8
    seen_text = ""
    try:
        for path in pages:
            tab = browsing.open(path.as_uri())
            found = _visit(tab.page)
            _assert_safe(found, path.name)
            seen_text += str(found["text"])
            assert tab.clean, (path.name, tab.problems())
        for lang, suffix in (("en", ""), ("zh", ".zh")):
            tab = browsing.open((site.folder / f"search{suffix}.html").as_uri() + "?q=pwned")
            tab.page.locator("#hits li").first.wait_for()
            found = _visit(tab.page)
            _assert_safe(found, f"search {lang}")
            seen_text += str(found["text"])
            assert tab.clean, (lang, tab.problems())
    finally:
        context.close()
    assert SCRIPT_LABEL in seen_text
    assert "<img src=x onerror=window.__pwned=1>" in seen_text
