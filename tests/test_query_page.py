"""The query page and the entity pages in Chromium, the network cut except the local server.

The page must load with no failed request and no console error, run a named query,
complete ``miikg:Inst`` from the graph's own vocabulary, show result IRIs with labels
that lead to the local entity page, and switch language. Each kind of page is
screenshotted in en and zh (``$MIIKG_SHOTS`` keeps them); the test prints the list.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser

from browser import Browsing, shots_folder
from servers import miikg_server

PAGES = {
    "query": "/",
    "institute": "/id/institute/mxd",
    "class": "/ontology/Institute",
    "property": "/ontology/organizer",
    "concept": "/id/concept/mrl-4",
    "scheme": "/id/scheme/member-types",
    "source": "/id/source/paper-table-2",
    "graph": "/graph/paper-table-2",
    "disagreement": "/id/disagreement/disagreement-aim-photonics-state",
    "search": "/search?q=photonics",
    "not-found": "/id/institute/no-such-thing",
}


@pytest.fixture(scope="module")
def server(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with miikg_server(home, tmp_path_factory.mktemp("query-page")) as running:
        yield running.base


@pytest.fixture
def browsing(browser: Browser, server: str) -> Iterator[Browsing]:
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    yield Browsing(context, server + "/")
    context.close()


def _ready(tab_page: object) -> None:
    tab_page.wait_for_selector(".yasqe .CodeMirror", timeout=30_000)  # type: ignore[attr-defined]


def test_query_page_runs_a_named_query_and_leads_to_the_entity_page(
    browsing: Browsing, server: str
) -> None:
    tab = browsing.open(server + "/?lang=en")
    page = tab.page
    _ready(page)
    page.click("#catalogue button[data-name='institutes']")
    page.locator("#status", has_text="row(s)").wait_for(timeout=30_000)
    assert page.text_content("#status").startswith("9 row(s)")
    link = page.locator("#results a.iri", has_text="MxD (Manufacturing times Digital)")
    assert link.count() == 1
    assert link.get_attribute("href") == "/id/institute/mxd?lang=en"
    assert page.locator("#results .curie", has_text="mid:institute/mxd").count() == 1
    # sortable: a click on a column header reorders the rows
    first = page.locator("#results tbody tr").first.inner_text()
    page.locator("#results thead th", has_text="name").first.click()
    page.locator("#results thead th", has_text="name").first.click()
    assert page.locator("#results tbody tr").first.inner_text() != first
    # downloads in every result format
    formats = page.eval_on_selector_all("#downloads a", "as => as.map(a => a.dataset.format)")
    assert formats == ["json", "xml", "csv", "tsv"]
    href = page.get_attribute("#downloads a[data-format='csv']", "href")
    rows = list(csv.reader(io.StringIO(httpx.get(server + href, timeout=30).text)))
    assert len(rows) == 10  # header + 9 institutes
    # a shareable link reopens the same query and runs it
    page.click("#share")
    assert page.url.endswith("#q=institutes")
    again = browsing.open(page.url)
    _ready(again.page)
    again.page.locator("#status", has_text="9 row(s)").wait_for(timeout=30_000)
    # follow the IRI to its page, then switch language there
    link.click()
    page.wait_for_url("**/id/institute/mxd?lang=en")
    assert page.text_content("h1") == "MxD (Manufacturing times Digital)"
    page.click("#lang-zh")
    page.wait_for_url("**/id/institute/mxd?lang=zh")
    assert page.text_content("h1") == "数字制造和设计创新所"
    assert "2014-02" in page.text_content("#facts")
    for t in browsing.tabs:
        assert t.clean, t.problems()


def test_editor_completes_classes_and_properties_of_the_graph(
    browsing: Browsing, server: str
) -> None:
    tab = browsing.open(server + "/?lang=en")
    page = tab.page
    _ready(page)
    page.evaluate("miikgQuery.yasqe.setValue('SELECT * WHERE {\\n  ?x a ')")
    page.evaluate("miikgQuery.yasqe.focus(); miikgQuery.yasqe.setCursor({line: 1, ch: 7})")
    page.keyboard.type("miikg:Inst", delay=40)
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li", timeout=15_000)
    hints = page.eval_on_selector_all(".CodeMirror-hints li", "ls => ls.map(l => l.textContent)")
    assert "miikg:Institute" in hints
    assert all(h.startswith("miikg:Inst") for h in hints)
    # the prefix was declared as it was typed, from the project's own prefixes
    assert "PREFIX miikg: <https://w3id.org/miikg/ontology/>" in page.evaluate(
        "miikgQuery.yasqe.getValue()"
    )
    page.keyboard.press("Enter")
    assert "?x a miikg:Institute" in page.evaluate("miikgQuery.yasqe.getValue()")
    assert tab.clean, tab.problems()


def test_named_query_in_chinese_shows_chinese_labels(browsing: Browsing, server: str) -> None:
    tab = browsing.open(server + "/?lang=zh#q=conflicts")
    page = tab.page
    _ready(page)
    page.locator("#status", has_text=re.compile(r"\d+ 行")).wait_for(timeout=30_000)
    assert (
        page.locator("#catalogue button.current .desc").inner_text().startswith("对只应有一个取值")
    )
    assert page.locator("#results a.iri", has_text="数字制造和设计创新所").count() >= 1
    assert tab.clean, tab.problems()


_RESULT_WORDS = """() => {
  const root = document.querySelector('#results');
  const out = [];
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (n.parentElement.closest('td, th, .CodeMirror')) continue;
    if (n.textContent.trim()) out.push(n.textContent.trim());
  }
  for (const el of root.querySelectorAll('[placeholder], [title], [aria-label]')) {
    if (el.closest('td, .CodeMirror')) continue;
    for (const a of ['placeholder', 'title', 'aria-label']) {
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  return out;
}"""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_result_view_speaks_the_page_language(
    browsing: Browsing, server: str, lang: str
) -> None:
    """YASR's own words (tabs, filter, page size, counts, sort labels) in the page's language."""
    tab = browsing.open(server + f"/?lang={lang}#q=conflicts")
    page = tab.page
    _ready(page)
    page.wait_for_selector("#results tbody tr", timeout=30_000)
    page.locator("#results .dataTables_info, #results .yasr_response_chip").first.wait_for()
    words = page.evaluate(_RESULT_WORDS)
    # a word with no Chinese in it ("subject：点击排序" names a column: it has)
    english = [w for w in words if re.search(r"[A-Za-z]{3}", w) and not re.search(r"[一-鿿]", w)]
    if lang == "zh":
        assert english == [], english
        for expected in ("表格", "原始响应", "筛选结果", "每页行数：", "subject：点击排序"):
            assert expected in words, (expected, words)
        assert any(re.fullmatch(r"58 条结果，用时 [\d.]+ 秒", w) for w in words), words
        # the data stays as the endpoint sent it: column names are the query's variables
        assert page.locator("#results thead th", has_text="subjectLabel").count() == 1
    else:
        for expected in ("Table", "Response", "Filter query results", "subject: Activate to sort"):
            assert expected in words, (expected, words)
    assert tab.clean, tab.problems()


def test_every_kind_of_page_in_both_languages_loads_cleanly_and_is_screenshotted(
    browsing: Browsing, server: str, tmp_path: Path
) -> None:
    folder = shots_folder(tmp_path)
    written = []
    for kind, path in PAGES.items():
        for lang in ("en", "zh"):
            sep = "&" if "?" in path else "?"
            tab = browsing.open()
            reply = tab.page.goto(f"{server}{path}{sep}lang={lang}")
            assert reply is not None
            assert reply.status == (404 if kind == "not-found" else 200)
            if kind == "query":
                _ready(tab.page)
            csp = reply.headers["content-security-policy"]
            assert csp.startswith("default-src 'none'") and "unsafe-eval" not in csp
            assert tab.page.evaluate("document.documentElement.lang") == (
                "zh-Hans" if lang == "zh" else "en"
            )
            name = f"server-{kind}-{lang}.png"
            tab.page.screenshot(path=str(folder / name), full_page=kind != "graph")
            written.append(name)
            if kind == "not-found":
                tab.failed.clear()  # the 404 itself
                tab.errors[:] = [e for e in tab.errors if "404" not in e]
            assert tab.clean, (kind, lang, tab.problems())
    print(f"\nscreenshots in {folder}:\n" + "\n".join(f"  {n}" for n in written))
    assert len(written) == 2 * len(PAGES)
