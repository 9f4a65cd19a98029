"""Figures for print: written, readable, not blank, Chinese drawn with a CJK font."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph as ox
import pytest
from matplotlib import image as mpimg
from PIL import Image, ImageStat

from miikg.exports import figures
from miikg.exports.figures import FIGURES, cjk_font, write_figure
from miikg.exports.network import Catalog, NetworkError, read_catalog


@pytest.fixture(scope="session")
def catalog(store: ox.Store) -> Catalog:
    return read_catalog(store)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kind", FIGURES)
def test_png_figure_is_written_readable_and_not_blank(
    catalog: Catalog, tmp_path: Path, kind: str, lang: str
) -> None:
    result = write_figure(catalog, kind, tmp_path / f"{kind}.png", lang=lang)
    assert result.lang == lang
    pixels = mpimg.imread(result.path)
    assert pixels.shape[0] > 500 and pixels.shape[1] > 500
    with Image.open(result.path) as image:
        assert ImageStat.Stat(image.convert("L")).stddev[0] > 5
    if lang == "zh":
        assert result.font is not None and "CJK" in result.font


@pytest.mark.parametrize("kind", FIGURES)
def test_chinese_pdf_embeds_the_cjk_font(catalog: Catalog, tmp_path: Path, kind: str) -> None:
    result = write_figure(catalog, kind, tmp_path / f"{kind}.pdf", lang="zh")
    data = result.path.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"NotoSansCJKsc-Regular" in data
    english = write_figure(catalog, kind, tmp_path / f"{kind}-en.pdf", lang="en").path
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
