"""Figures for print: written, readable, not blank, legible at 16 cm, text kept as text."""

from __future__ import annotations

import itertools
import logging
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from coloraide import Color
from matplotlib import image as mpimg
from PIL import Image, ImageStat
from playwright.sync_api import Browser, Page

from legibility import MIN_FIGURE_PT, svg_legibility
from miikg import cli
from miikg.exports import diagrams, figures
from miikg.exports.diagrams import RELATION_STYLES, FigureError
from miikg.exports.figures import FIGURES, cjk_font, write_figure
from miikg.exports.network import Catalog, NetworkError, read_catalog


@pytest.fixture(scope="session")
def catalog(store: ox.Store) -> Catalog:
    return read_catalog(store)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", FIGURES)
def test_png_figure_is_written_readable_and_not_blank(
    catalog: Catalog, store: ox.Store, tmp_path: Path, kind: str, lang: str
) -> None:
    result = write_figure(catalog, kind, tmp_path / f"{kind}.png", lang=lang, store=store)
    assert result.lang == lang
    pixels = mpimg.imread(result.path)
    assert pixels.shape[0] > 500 and pixels.shape[1] > 500
    with Image.open(result.path) as image:
        assert ImageStat.Stat(image.convert("L")).stddev[0] > 5
    if lang == "zh":
        assert result.font is not None and "CJK" in result.font


# The paper's figures are left out: their English notes quote the paper's Chinese names.
@pytest.mark.parametrize("kind", ["governance", "chain", "timeline"])
def test_chinese_pdf_embeds_the_cjk_font(
    catalog: Catalog, store: ox.Store, tmp_path: Path, kind: str
) -> None:
    result = write_figure(catalog, kind, tmp_path / f"{kind}.pdf", lang="zh", store=store)
    data = result.path.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"NotoSansCJKsc-Regular" in data
    english = write_figure(catalog, kind, tmp_path / f"{kind}-en.pdf", lang="en", store=store).path
    assert b"NotoSansCJK" not in english.read_bytes()


def test_svg_figure_parses_as_svg(catalog: Catalog, tmp_path: Path) -> None:
    result = write_figure(catalog, "chain", tmp_path / "chain.svg", lang="en")
    root = ET.parse(result.path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_a_cjk_font_is_installed() -> None:
    # Debian's fonts-noto-cjk; .ci/run installs it.
    assert cjk_font() == "Noto Sans CJK SC"


def test_without_a_cjk_font_chinese_falls_back_to_english_with_a_warning(
    catalog: Catalog,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(figures, "cjk_font", lambda: None)
    with caplog.at_level(logging.WARNING, logger="miikg.exports.figures"):
        result = write_figure(catalog, "timeline", tmp_path / "t.png", lang="zh")
    assert (result.lang, result.font) == ("en", None)
    assert "no CJK font found" in caplog.text


def test_unknown_figure_or_format_is_refused(catalog: Catalog, tmp_path: Path) -> None:
    with pytest.raises(NetworkError, match="no figure 'map'"):
        write_figure(catalog, "map", tmp_path / "m.png")
    with pytest.raises(NetworkError, match="no format 'gif'"):
        write_figure(catalog, "chain", tmp_path / "m.gif")
    assert list(tmp_path.iterdir()) == []


# --- print quality ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", FIGURES)
def test_every_label_is_legible_at_a4_text_width(
    catalog: Catalog, store: ox.Store, tmp_path: Path, page: Page, kind: str, lang: str
) -> None:
    result = write_figure(catalog, kind, tmp_path / f"{kind}.svg", lang=lang, store=store)
    measured = svg_legibility(page, result.path)
    print(measured.line(f"figure {kind} ({lang})"))
    assert measured.labels >= 20
    assert measured.overlaps == []
    assert measured.clipped == ()
    assert measured.smallest >= MIN_FIGURE_PT


@pytest.mark.parametrize("kind", FIGURES)
def test_svg_text_is_text_in_the_chosen_language(
    catalog: Catalog, store: ox.Store, tmp_path: Path, kind: str
) -> None:
    svg = write_figure(catalog, kind, tmp_path / f"{kind}.svg", lang="zh", store=store).path
    root = ET.parse(svg).getroot()
    texts = [
        "".join(t.itertext()) for t in root.iter() if t.tag == "{http://www.w3.org/2000/svg}text"
    ]
    assert len(texts) >= 20
    words = {
        "governance": "美国国防部",
        "chain": "研究阶段",
        "timeline": "生物制造和设计创新所",
        "paper-1": "研发系统",
        "paper-2": "美国联合制造技术委员会",
        "paper-3": "技术投资协议",
    }
    assert any(words[kind] in t for t in texts)
    assert sum(bool(re.search("[\u4e00-\u9fff]", t)) for t in texts) >= 10
    assert not root.findall(".//{http://www.w3.org/2000/svg}path[@id]") or kind != "governance"


@pytest.mark.parametrize("kind", FIGURES)
def test_pdf_text_is_selectable(
    catalog: Catalog, store: ox.Store, tmp_path: Path, kind: str
) -> None:
    data = write_figure(catalog, kind, tmp_path / f"{kind}.pdf", lang="zh", store=store).path
    raw = data.read_bytes()
    # An embedded font and a ToUnicode map: a PDF reader can select and search the text.
    assert b"/FontFile" in raw and b"/ToUnicode" in raw


def test_relation_styles_stay_apart_for_colour_blind_readers() -> None:
    """Same dash pattern → colours at least 20 CIEDE2000 apart, 10 under deutan/protan."""
    assert len(set(RELATION_STYLES)) == len(RELATION_STYLES) >= 14
    for (a, dash_a), (b, dash_b) in itertools.combinations(RELATION_STYLES, 2):
        if dash_a != dash_b:
            continue
        assert Color(a).delta_e(Color(b), method="2000") >= 20, (a, b)
        for vision in ("deutan", "protan"):
            seen = Color(a).filter(vision).delta_e(Color(b).filter(vision), method="2000")
            assert seen >= 10, (vision, a, b)


def test_a_missing_dot_is_one_clear_error_and_leaves_the_old_file(
    catalog: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "governance.svg"
    target.write_text("old", encoding="utf-8")
    monkeypatch.setattr(diagrams.shutil, "which", lambda name: None)
    with pytest.raises(FigureError) as raised:
        write_figure(catalog, "governance", target)
    # Each language on its own: the English message, and the Chinese under --lang zh.
    assert str(raised.value) == "Graphviz `dot` is not installed (Debian: apt-get install graphviz)"
    assert (
        raised.value.text("zh") == "未安装 Graphviz 的 dot 程序（Debian：apt-get install graphviz）"
    )
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["governance.svg"]


def test_the_fallback_is_said_once_in_the_chosen_language(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(figures, "cjk_font", lambda: None)
    out = tmp_path / "t.svg"
    assert (
        cli.main(["--store", str(home), "--lang", "zh", "figure", "timeline", "-o", str(out)]) == 0
    )
    said = capsys.readouterr()
    assert said.err.strip().splitlines() == [
        "miikg: 未找到中日韩字体（请安装 fonts-noto-cjk 或任一中日韩字体）：图中使用英文标签"
    ]


_STALE_CACHE = """
import json, matplotlib, matplotlib.font_manager as fm
from pathlib import Path
# A cache as matplotlib wrote it before the CJK font was installed.
fm.fontManager.ttflist = [f for f in fm.fontManager.ttflist if "CJK" not in f.name]
path = Path(matplotlib.get_cachedir()) / f"fontlist-v{fm.FontManager.__version__}.json"
fm.json_dump(fm.fontManager, path)
print(path)
"""
_DRAW = """
import sys, matplotlib.font_manager as fm
from pathlib import Path
from miikg.exports.figures import write_figure
from miikg.exports.network import read_catalog
from miikg.graph_builder.store import open_store
assert not any("CJK" in f.name for f in fm.fontManager.ttflist), "the cache was rebuilt"
result = write_figure(read_catalog(open_store(Path(sys.argv[1]))), "timeline", Path(sys.argv[2]),
                      lang="zh")
print(result.lang, result.font)
"""


def test_a_font_cache_older_than_the_cjk_font_still_draws_chinese(
    home: Path, tmp_path: Path
) -> None:
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path / "mpl")}
    made = subprocess.run([sys.executable, "-c", _STALE_CACHE], env=env, capture_output=True,
                          text=True, check=True)  # fmt: skip
    assert Path(made.stdout.strip()).is_file()
    out = tmp_path / "timeline.svg"
    drawn = subprocess.run([sys.executable, "-c", _DRAW, str(home), str(out)], env=env,
                           capture_output=True, text=True, check=False)  # fmt: skip
    assert drawn.returncode == 0, drawn.stderr
    assert drawn.stdout.split() == ["zh", "Noto", "Sans", "CJK", "SC"]
    assert "no CJK font" not in drawn.stderr
    svg = out.read_text(encoding="utf-8")
    assert "生物制造和设计创新所" in svg and "Noto Sans CJK SC" in svg


# --- the paper's figures ----------------------------------------------------------------------

_SVG = "{http://www.w3.org/2000/svg}"


def _boxes(svg: Path, lang: str) -> list[str]:
    """Return the text of every box, frame and arrow ("→ " first) of a Graphviz SVG."""
    found = []
    for group in ET.parse(svg).getroot().iter(_SVG + "g"):
        if group.get("class") in ("node", "cluster", "edge"):
            lines = [t.text or "" for t in group.findall(_SVG + "text")]
            if lines:
                text = ("" if lang == "zh" else " ").join(lines)
                found.append(("→ " if group.get("class") == "edge" else "") + text)
    return sorted(found)


def _caption(svg: Path) -> str:
    graph = next(g for g in ET.parse(svg).getroot().iter(_SVG + "g") if g.get("class") == "graph")
    return " ".join(t.text or "" for t in graph.findall(_SVG + "text"))


_PAPER = {
    # figure: (boxes and frames, title en, title zh, the note's disagreement en, zh)
    "paper-1": (
        24,
        "Figure 1 The logic by which the DoD institutes build a civil-military technology "
        "innovation ecosystem",
        "图 1 美国国防部制造创新所的军民融合技术创新生态系统构建逻辑",
        "",
        "",
    ),
    "paper-2": (
        34,
        "Figure 2 Collaborative governance of the DoD manufacturing innovation institutes",
        "图 2 美国国防部制造创新所协同治理模式",
        "The JDMTP's role",
        "美国联合制造技术委员会（JDMTP）的职责",
    ),
    "paper-3": (
        14,
        "Figure 3 The main policy tools with which DoD fosters its institutes",
        "图 3 美国国防部培育其制造创新所的主要政策工具",
        "Which institutes were set up by CA and which by TIA",
        "哪些制造创新所以合作协议设立、哪些以技术投资协议设立",
    ),
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", sorted(_PAPER))
def test_a_paper_figure_draws_what_the_paper_names(
    catalog: Catalog, store: ox.Store, tmp_path: Path, kind: str, lang: str
) -> None:
    svg = write_figure(catalog, kind, tmp_path / "p.svg", lang=lang, store=store).path
    name = f"paper-figure-{kind[-1]}.{lang}.txt"
    golden = (Path(__file__).parent / "golden" / name).read_text("utf-8")
    expected = [line for line in golden.splitlines() if line and not line.startswith("#")]
    count, title_en, title_zh, note_en, note_zh = _PAPER[kind]
    assert len(expected) == count  # boxes, frames and named arrows
    assert _boxes(svg, lang) == expected
    caption = re.sub(r"\s+", " ", _caption(svg))
    assert re.sub(r"\s+", " ", title_en if lang == "en" else title_zh) in caption
    # Where the public record differs from the paper, a note under the figure says so.
    note = note_en if lang == "en" else note_zh
    if note:
        assert note in caption
    else:
        assert "Note —" not in caption and "注：" not in caption


#: The timeline's rows, department by department, as the sources date each institute.
TIMELINE = {
    "en": [
        "US Department of Defense",
        "America Makes  2012-08", "LIFT  2014-02", "MxD  2014-02", "AIM Photonics  2015-07",
        "NextFlex  2015-08", "AFFOA  2016-04", "BioFabUSA  2016-12", "ARM  2017-01",
        "BioMADE  2020-10",
        "US Department of Energy",
        "PowerAmerica  2014-01", "IACMI  2015-01", "CESMII  2016-06", "RAPID  2016-12",
        "REMADE  2017-01", "CyManII  2020-05", "EPIXC  2023-05",
        "US Department of Commerce",
        "NIIMBL  2016-12", "SMART USA  2025-01",
    ],
    "zh": ["美国国防部", "美国能源部", "PowerAmerica  2014-01", "美国商务部", "NIIMBL  2016-12"],
}  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_timeline_shows_every_institute_by_department(
    catalog: Catalog, tmp_path: Path, lang: str
) -> None:
    svg = write_figure(catalog, "timeline", tmp_path / "timeline.svg", lang=lang).path
    root = ET.parse(svg).getroot()
    texts = [
        "".join(t.itertext()).strip()
        for t in root.iter()
        if t.tag == "{http://www.w3.org/2000/svg}text"
    ]
    shown = [t for t in texts if t in TIMELINE[lang]]
    assert shown == TIMELINE[lang]
    # REMADE (2017-01 and 2017-05) and NIIMBL (2016-12 and 2017) have a second founding
    # date from another source, drawn hollow, and the figure says what a hollow marker is.
    assert {
        "en": "Hollow marker: another founding date a source gives (miikg describe lists them).",
        "zh": "空心标记：某一来源给出的另一成立时间（miikg describe 列出各时间）。",
    }[lang] in texts
    hollow = [
        p
        for p in root.iter("{http://www.w3.org/2000/svg}use")
        if "fill: #ffffff" in p.get("style", "")
    ]
    assert len(hollow) >= 2
