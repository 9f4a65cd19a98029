"""The explorer in a real browser: headless Chromium (Debian's), every non-file request blocked."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pyoxigraph as ox
import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser, Page

from legibility import MIN_EXPLORER_PX, explorer_legibility
from miikg.exports.diagrams import RELATION_STYLES
from miikg.exports.explorer import explorer_frame, explorer_html, write_explorer
from miikg.exports.network import Catalog, project, read_catalog
from miikg.graph_builder.build import record_iri
from miikg.graph_builder.models import Concept, Institute, Phase, Stage
from network_expected import all_edges, curated, expected_nodes

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="session")
def catalog(store: ox.Store) -> Catalog:
    return read_catalog(store)


@dataclass
class Visit:
    """A page opened from a file, with what went wrong on the way."""

    page: Page
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Browser, tmp_path: Path) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    visits: list[Visit] = []

    def open_page(
        page_html: str,
        name: str = "explorer.html",
        *,
        ready: bool = True,
        viewport: dict[str, int] | None = None,
    ) -> Visit:
        path = tmp_path / name
        path.write_text(page_html, encoding="utf-8")
        page = context.new_page()
        if viewport:
            page.set_viewport_size(viewport)  # type: ignore[arg-type]
        v = Visit(page)

        def route(r: Any) -> None:
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                v.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda r: v.failed.append(r.url))
        page.on("console", lambda m: v.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: v.errors.append(str(e)))
        page.on("dialog", lambda d: (v.dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri())
        if ready:
            page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        visits.append(v)
        return v

    yield open_page
    for v in visits:
        # Every visit, whatever the test checked, must be clean.
        assert v.blocked == [] and v.failed == [] and v.errors == [] and v.dialogs == []
    context.close()


def _labels(page: Page) -> list[str]:
    # ``text``: the label as one line (the drawn label is wrapped to fit its box).
    return [str(x) for x in page.evaluate("miikgExplorer.nodes.get().map(n => n.text)")]


def _visible(page: Page) -> int:
    return int(page.evaluate("miikgExplorer.nodes.get({filter: n => !n.hidden}).length"))


def _institute_labels(lang: str) -> set[str]:
    """The labels of the paper's nine, the institutes of the DoD MII network."""
    found = set()
    for record in curated().records.values():
        if isinstance(record, Institute) and any(
            c.value == "dod-mii-network" for c in record.part_of
        ):
            found.add(next(getattr(c.value, lang) for c in record.label if getattr(c.value, lang)))
    return found


def test_page_is_self_contained(catalog: Catalog) -> None:
    page = explorer_html(project(catalog, "governance"))
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)
    assert "<link" not in page and not re.search(r"<script[^>]+src=", page)
    for host in ("jsdelivr", "cdnjs", "unpkg", "bootstrapcdn", "googleapis"):
        assert host not in page
    assert "default-src 'none'" in page


def test_the_governance_explorer_loads_offline_with_all_nine_institutes(
    catalog: Catalog, visit: Any
) -> None:
    v = visit(explorer_html(project(catalog, "governance")))
    labels = set(_labels(v.page))
    assert len(_institute_labels("en")) == 9
    assert _institute_labels("en") <= labels
    assert _visible(v.page) == len(expected_nodes("governance"))
    # Hierarchical views are laid out in layers (Graphviz dot), not by forces.
    assert v.page.text_content("#layout") == "Layout: hierarchical"


def test_the_language_switch_turns_labels_and_ui_into_chinese(catalog: Catalog, visit: Any) -> None:
    v = visit(explorer_html(project(catalog, "governance")))
    en, zh = _institute_labels("en"), _institute_labels("zh")
    biomade_en = next(x for x in en if "BioMADE" in x)
    assert biomade_en in _labels(v.page)
    v.page.select_option("#lang", "zh")
    labels = set(_labels(v.page))
    assert "生物制造和设计创新所" in labels and biomade_en not in labels
    assert zh <= labels
    assert v.page.text_content("h2[data-i18n='kinds']") == "实体类别"
    assert v.page.get_attribute("#search", "placeholder") == "搜索（中文或英文，含曾用名）"
    assert v.page.text_content("#count") == f"显示 {len(labels)} / {len(labels)} 个节点"
    v.page.select_option("#lang", "en")
    assert biomade_en in _labels(v.page)


def test_unchecking_a_kind_hides_exactly_its_nodes(catalog: Catalog, visit: Any) -> None:
    v = visit(explorer_html(project(catalog, "governance")))
    institutes = {record_iri(curated(), r.id) for r in curated().records.values()
                  if isinstance(r, Institute)}  # fmt: skip
    in_view = institutes & expected_nodes("governance")
    before = _visible(v.page)
    v.page.click("input[data-kind='miikg:Institute']")
    assert before - _visible(v.page) == len(in_view) == 9
    assert v.page.text_content("#count") == f"{before - 9} of {before} nodes shown"
    v.page.click("input[data-kind='miikg:Institute']")
    assert _visible(v.page) == before


def _facet_class_members(facet: str) -> set[str]:
    c = curated()
    if facet == "stage":
        return {record_iri(c, r.id) for r in c.records.values() if isinstance(r, Stage)}
    if facet == "phase":
        return {record_iri(c, r.id) for r in c.records.values() if isinstance(r, Phase)}
    return {
        record_iri(c, r.id)
        for r in c.records.values()
        if isinstance(r, Concept) and r.scheme == "contract-instruments"
    }


@pytest.mark.parametrize(
    ("view", "facet", "value"),
    [
        ("chain", "stage", "stage-research"),
        ("agreements", "instrument", "instrument-ca"),
        ("agreements", "phase", "phase-transition"),
        ("chain", "instrument", "instrument-ota"),
    ],
)
def test_a_facet_filter_keeps_the_value_and_what_links_to_it(
    catalog: Catalog, visit: Any, view: str, facet: str, value: str
) -> None:
    v = visit(explorer_html(project(catalog, view)))
    iri = record_iri(curated(), value)
    linked = {o for s, _, o in all_edges() if s == iri} | {s for s, _, o in all_edges() if o == iri}
    expected = ({iri} | (linked - _facet_class_members(facet))) & expected_nodes(view)
    before = _visible(v.page)
    v.page.select_option(f"#facet-{facet}", iri)
    assert _visible(v.page) == len(expected) < before
    v.page.select_option(f"#facet-{facet}", "")
    assert _visible(v.page) == before


def _paper_sources() -> set[str]:
    c = curated()
    paper = {"paper"}
    while True:
        more = {s.id for s in c.sources.values() if s.part_of in paper} - paper
        if not more:
            return paper
        paper |= more


def _record_sources(record: Any) -> set[str]:
    found = set(record.sources)
    for name in type(record).model_fields:
        value = getattr(record, name)
        for item in value if isinstance(value, list) else []:
            found |= set(getattr(item, "sources", None) or [])
    return found


def test_the_source_filter_keeps_what_the_paper_states(catalog: Catalog, visit: Any) -> None:
    v = visit(explorer_html(project(catalog, "governance")))
    paper = _paper_sources()
    c = curated()
    by_iri = {record_iri(c, r.id): r for r in c.records.values()}
    nodes = expected_nodes("governance")
    from_paper = {n for n in nodes if _record_sources(by_iri[n]) & paper}
    from_others = {n for n in nodes if _record_sources(by_iri[n]) - paper}
    v.page.select_option("#facet-source", "paper")
    assert _visible(v.page) == len(from_paper) < len(nodes)
    v.page.select_option("#facet-source", "other")
    assert _visible(v.page) == len(from_others) < len(nodes)


def test_the_chain_is_laid_out_in_stage_order(catalog: Catalog, visit: Any) -> None:
    v = visit(explorer_html(project(catalog, "chain")))
    assert v.page.text_content("#layout") == "Layout: hierarchical"
    xs = v.page.evaluate(
        """() => { const p = miikgExplorer.network.getPositions();
        const id = (l) => miikgExplorer.nodes.get({filter: n => n.text === l})[0].id;
        return ['Research stage', 'Experimental development stage', 'Maturation stage',
                'Production stage'].map(l => p[id(l)].x); }"""
    )
    assert xs == sorted(xs) and len(set(xs)) == 4


def test_search_finds_biomade_by_its_chinese_name_and_opens_its_facts(
    catalog: Catalog, visit: Any
) -> None:
    v = visit(explorer_html(project(catalog, "governance")))
    v.page.fill("#search", "生物制造和设计创新所")
    results = v.page.locator("#results button")
    assert results.count() == 1
    assert "BioMADE" in (results.first.text_content() or "")
    results.first.click()
    assert "BioMADE" in (v.page.text_content("#panel-title") or "")
    facts = v.page.text_content("#panel-facts") or ""
    assert "member of" in facts and "Table 2" in facts
    # Former names are searchable too (MxD was DMDII).
    v.page.fill("#search", "DMDII")
    v.page.press("#search", "Enter")
    assert "MxD" in (v.page.text_content("#panel-title") or "")
    # Neighbour highlighting: the selected node's neighbours keep their colour.
    dimmed = v.page.evaluate("miikgExplorer.nodes.get({filter: n => n.color === '#e0e0e0'}).length")
    assert 0 < dimmed < _visible(v.page)


def _hostile_graph() -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(view="governance")
    fact = {"property": {"en": HOSTILE, "zh": HOSTILE}, "value": {"en": HOSTILE, "zh": HOSTILE},
            "lang": "", "sources": [HOSTILE]}  # fmt: skip
    for i, name in enumerate([HOSTILE, "</script><script>alert(2)</script>"]):
        graph.add_node(
            f"urn:x:{i}", iri=f"urn:x:{i}", kind=f"miikg:{name}", class_en=name, class_zh=name,
            label_en=name, label_zh=name, names=[name], sources=[HOSTILE], facts=[fact],
            stage=[], instrument=[], phase=[],
        )  # fmt: skip
    graph.add_edge("urn:x:0", "urn:x:1", key=HOSTILE, label_en=HOSTILE, label_zh=HOSTILE)
    return graph


def test_a_hostile_label_renders_as_text_and_runs_nothing(visit: Any) -> None:
    v = visit(explorer_html(_hostile_graph()))
    v.page.fill("#search", "<img")
    assert v.page.text_content("#results button") == HOSTILE
    v.page.click("#results button")
    assert v.page.text_content("#panel-title") == HOSTILE
    assert HOSTILE in (v.page.text_content("#panel-facts") or "")
    assert HOSTILE in (v.page.text_content("#kinds") or "")
    assert v.page.evaluate("document.querySelectorAll('img').length") == 0
    assert v.page.evaluate("document.querySelectorAll('script').length") == 3
    v.page.select_option("#lang", "zh")
    assert v.dialogs == []


def _spread(image: Image.Image) -> float:
    return max(ImageStat.Stat(image.convert("L")).stddev[0], 0.0)


def test_the_canvas_is_not_blank_and_exports_a_png(
    catalog: Catalog, visit: Any, tmp_path: Path
) -> None:
    v = visit(explorer_html(project(catalog, "governance")))
    shot = tmp_path / "canvas.png"
    v.page.locator("#network canvas").screenshot(path=str(shot))
    with Image.open(shot) as image:
        assert _spread(image) > 5
    with v.page.expect_download() as download:
        v.page.click("#export")
    target = tmp_path / "export.png"
    download.value.save_as(target)
    assert download.value.suggested_filename == "miikg-governance.png"
    with Image.open(target) as image:
        assert image.format == "PNG" and _spread(image) > 5


def test_the_notebook_frame_shows_the_page_inline(catalog: Catalog, visit: Any) -> None:
    graph = project(catalog, "membership")
    frame = explorer_frame(graph, lang="zh", height=500)
    markup = frame._repr_html_()
    srcdoc = re.fullmatch(r'<iframe srcdoc="([^"]*)" .*</iframe>', markup, re.S)
    assert srcdoc is not None
    assert html.unescape(srcdoc[1]) == explorer_html(graph, lang="zh")
    v = visit(markup, "notebook.html", ready=False)
    inner = v.page.frames[1]
    inner.wait_for_selector("body[data-ready='1']")
    assert "企业" in inner.evaluate("miikgExplorer.nodes.get().map(n => n.label)")


def test_write_explorer_writes_one_file(catalog: Catalog, tmp_path: Path) -> None:
    target = write_explorer(project(catalog, "agreements"), tmp_path / "a.html", lang="zh")
    assert [p.name for p in tmp_path.iterdir()] == ["a.html"]
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def _kinds_graph(n: int, kinds: int) -> nx.MultiDiGraph[str]:
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(view="membership")
    for i in range(n):
        kind = f"miikg:Kind{i % kinds}"
        graph.add_node(f"urn:n:{i}", kind=kind, class_en=f"Kind {i % kinds}",
                       class_zh=f"类别{i % kinds}", label_en=f"Member {i}", label_zh=f"会员{i}",
                       names=[f"Member {i}"], sources=["s"], facts=[])  # fmt: skip
        if i:
            graph.add_edge(f"urn:n:{i}", f"urn:n:{i // 2}", key="org:memberOf")
    return graph


def _drawn(page: Page) -> int:
    return len(page.evaluate("Object.keys(miikgExplorer.network.getPositions())"))


def test_above_the_threshold_the_explorer_opens_grouped_by_kind(visit: Any) -> None:
    v = visit(explorer_html(_kinds_graph(60, 3), group_above=50))
    assert v.page.is_checked("#group")
    assert _drawn(v.page) == 3
    labels = sorted(v.page.evaluate(
        "Object.keys(miikgExplorer.network.getPositions()).map(id => "
        "miikgExplorer.network.body.nodes[id].options.label)"
    ))  # fmt: skip
    assert labels == ["Kind 0 (20)", "Kind 1 (20)", "Kind 2 (20)"]
    # Searching a member opens its group, and only that one.
    v.page.fill("#search", "Member 7")
    v.page.press("#search", "Enter")
    assert v.page.text_content("#panel-title") == "Member 7"
    assert _drawn(v.page) == 2 + 20
    # A filter regroups what stays visible; hidden nodes are drawn in no group.
    v.page.click("input[data-kind='miikg:Kind0']")
    assert _drawn(v.page) == 2
    v.page.uncheck("#group")
    assert _drawn(v.page) == _visible(v.page) == 40
    v.page.check("#group")
    assert _drawn(v.page) == 2


def test_below_the_threshold_nothing_is_grouped(visit: Any) -> None:
    v = visit(explorer_html(_kinds_graph(60, 3), group_above=60))
    assert not v.page.is_checked("#group")
    assert _drawn(v.page) == 60


# --- legible at first sight ---------------------------------------------------------------------

FIRST_VIEW = {"width": 1280, "height": 900}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("view", ["governance", "agreements", "chain", "membership", "network"])
def test_the_first_view_is_legible(catalog: Catalog, visit: Any, view: str, lang: str) -> None:
    """At 1280x900: no two visible nodes' drawn boxes overlap, no label under 10 CSS px."""
    v = visit(explorer_html(project(catalog, view), lang=lang), viewport=FIRST_VIEW)
    measured = explorer_legibility(v.page)
    print(measured.line(f"explorer {view} ({lang})"))
    assert measured.labels >= min(15, len(expected_nodes(view)))
    assert measured.overlaps == []
    assert measured.smallest >= MIN_EXPLORER_PX
    assert (
        v.page.text_content("#layout")
        == {"en": "Layout: hierarchical", "zh": "布局: 层次布局"}[lang]
    )


def test_switching_language_lays_the_view_out_again(catalog: Catalog, visit: Any) -> None:
    v = visit(explorer_html(project(catalog, "governance"), lang="en"), viewport=FIRST_VIEW)
    before = v.page.evaluate("miikgExplorer.network.getPositions()")
    v.page.select_option("#lang", "zh")
    assert v.page.evaluate("miikgExplorer.network.getPositions()") != before
    measured = explorer_legibility(v.page)
    assert measured.overlaps == [] and measured.smallest >= MIN_EXPLORER_PX


def _canvas_width(page: Page) -> float:
    return float(page.evaluate("document.querySelector('#network canvas').clientWidth"))


def test_opening_the_panel_refits_the_canvas(catalog: Catalog, visit: Any) -> None:
    v = visit(explorer_html(project(catalog, "governance")), viewport=FIRST_VIEW)
    wide = _canvas_width(v.page)
    v.page.fill("#search", "BioMADE")
    v.page.press("#search", "Enter")
    assert not v.page.is_hidden("#panel")
    narrow = _canvas_width(v.page)
    panel = v.page.evaluate("document.getElementById('panel').getBoundingClientRect().width")
    assert narrow == pytest.approx(wide - panel, abs=2)
    # The canvas bitmap follows the narrower frame, and the node sits in its middle.
    where = v.page.evaluate(
        """() => { const net = miikgExplorer.network; const id = net.getSelectedNodes()[0];
        const p = net.canvasToDOM(net.getPositions([id])[id]);
        const c = document.querySelector('#network canvas');
        return {x: p.x, y: p.y, w: c.clientWidth, h: c.clientHeight,
                bitmap: c.width / window.devicePixelRatio}; }"""
    )
    assert where["bitmap"] == pytest.approx(narrow, abs=1)
    assert where["x"] == pytest.approx(where["w"] / 2, abs=2)
    assert where["y"] == pytest.approx(where["h"] / 2, abs=2)
    v.page.click("#close")
    assert v.page.is_hidden("#panel")
    assert _canvas_width(v.page) == pytest.approx(wide, abs=1)
    assert explorer_legibility(v.page).overlaps == []


@pytest.mark.parametrize("view", ["governance", "agreements", "chain", "membership", "network"])
def test_every_relation_has_its_own_colour_and_line(catalog: Catalog, view: str) -> None:
    page = explorer_html(project(catalog, view))
    data = json.loads(re.search(r'id="miikg-data">(.*?)</script>', page, re.S)[1])  # type: ignore[index]
    styles = [(k["color"], k["dash"]) for k in data["edgeKinds"]]
    assert len(styles) == len(set(styles)) == len({k["kind"] for k in data["edgeKinds"]}) >= 3
    # The colour-blind-safe set the figures use (its distances are tested in test_figures).
    assert set(styles) <= set(RELATION_STYLES)
    drawn = {(e["color"]["color"] if isinstance(e["color"], dict) else e["color"]) for e in
             data["vis"]["edges"]}  # fmt: skip
    assert drawn == {c for c, _ in styles}


def test_export_png_is_print_resolution_with_title_and_legend(
    catalog: Catalog, visit: Any, tmp_path: Path
) -> None:
    v = visit(explorer_html(project(catalog, "governance")), viewport=FIRST_VIEW)
    width, height = v.page.evaluate(
        "[document.querySelector('#network canvas').clientWidth, "
        "document.querySelector('#network canvas').clientHeight]"
    )
    with v.page.expect_download() as download:
        v.page.click("#export")
    target = tmp_path / "export.png"
    download.value.save_as(target)
    with Image.open(target) as image:
        rgb = image.convert("RGB")
    assert rgb.width >= 2 * width and rgb.height > 2 * height
    # The title band above the drawing has dark text; the legend band below has every
    # kind's colour swatch.
    title = rgb.crop((0, 0, rgb.width, 80))
    assert min(sum(p) for p in title.getdata()) < 200
    legend = rgb.crop((0, 80 + 2 * height, rgb.width, rgb.height))
    colours = {c for _, c in legend.getcolors(legend.width * legend.height) or []}
    data = json.loads(re.search(r'id="miikg-data">(.*?)</script>', v.page.content(), re.S)[1])  # type: ignore[index]
    for kind in data["kinds"]:
        hexa = kind["color"].lstrip("#")
        assert tuple(int(hexa[i : i + 2], 16) for i in (0, 2, 4)) in colours, kind["kind"]
    # The screen is left as it was.
    assert v.page.evaluate("document.querySelector('#network canvas').clientWidth") == width


DEPARTMENTS = {
    "dod": {"en": "US Department of Defense", "zh": "美国国防部"},
    "doe": {"en": "US Department of Energy", "zh": "美国能源部"},
    "doc": {"en": "US Department of Commerce", "zh": "美国商务部"},
}


def _department_of(institute: Institute) -> str:
    sponsors = {str(c.value) for c in institute.sponsor}
    (department,) = sponsors & set(DEPARTMENTS)
    return department


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_network_view_frames_every_institute_in_its_department(
    catalog: Catalog, lang: str
) -> None:
    page = explorer_html(project(catalog, "network"), lang=lang)
    data = json.loads(re.search(r'id="miikg-data">(.*?)</script>', page, re.S)[1])  # type: ignore[index]
    layout = data["layouts"][lang]
    frames = {f["label"]: f for f in layout["groups"]}
    assert set(frames) == {d[lang] for d in DEPARTMENTS.values()}
    institutes = {
        record_iri(curated(), r.id): r
        for r in curated().records.values()
        if isinstance(r, Institute)
    }
    placed = 0
    for node in data["nodes"]:
        record = institutes.get(node["iri"])
        if record is None:
            continue
        frame = frames[DEPARTMENTS[_department_of(record)][lang]]
        i = node["id"]
        x, y, w, h = (layout[k][i] for k in ("x", "y", "w", "h"))
        assert frame["x"] <= x - w / 2 and x + w / 2 <= frame["x"] + frame["w"], node["label"]
        assert frame["y"] <= y - h / 2 and y + h / 2 <= frame["y"] + frame["h"], node["label"]
        placed += 1
    assert placed == 18
    # No two department frames overlap.
    boxes = list(frames.values())
    for a, b in [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]]:
        apart = (
            a["x"] + a["w"] <= b["x"]
            or b["x"] + b["w"] <= a["x"]
            or a["y"] + a["h"] <= b["y"]
            or b["y"] + b["h"] <= a["y"]
        )
        assert apart, (a["label"], b["label"])
