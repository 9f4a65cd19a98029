"""A CJK font for matplotlib, found even when matplotlib's font cache predates it.

matplotlib lists fonts once and keeps the list in a cache (``fontlist-v*.json`` in its
config folder); a font installed after that stays invisible to it. So the font is looked
up where the system knows it, through fontconfig's ``fc-list :lang=zh`` (or Debian's
and other common font folders when ``fc-list`` is missing), and added to matplotlib's
font manager for this process. Nothing is written to the cache.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache
from pathlib import Path

__all__ = ["CJK_FAMILIES", "cjk_font", "cjk_font_files"]

#: Preferred CJK families, best first; any family with "CJK" in its name will do.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei")
_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "/Library/Fonts", "C:/Windows/Fonts")
_PATTERNS = ("*CJK*.tt[cf]", "*CJK*.otf", "SourceHan*.otf", "SourceHan*.tt[cf]", "wqy*.tt[cf]")


def cjk_font_files() -> list[Path]:
    """Return the files of the Chinese-capable fonts the system has, best first."""
    found: list[Path] = []
    program = shutil.which("fc-list")
    if program:
        done = subprocess.run(
            [program, ":lang=zh", "file"], capture_output=True, text=True, check=False
        )
        found = [Path(line.rstrip().rstrip(":")) for line in done.stdout.splitlines() if line]
    if not found:
        for folder in map(Path, _FOLDERS):
            if folder.is_dir():
                found += [p for pattern in _PATTERNS for p in folder.rglob(pattern)]
    # Regular weight and sans first: that is what a figure's labels are set in.
    return sorted(
        {p for p in found if p.is_file()},
        key=lambda p: ("Sans" not in p.name, "Regular" not in p.name, p.name),
    )


def _families() -> set[str]:
    from matplotlib import font_manager

    return {f.name for f in font_manager.fontManager.ttflist}


def _pick(names: set[str]) -> str | None:
    for family in CJK_FAMILIES:
        if family in names:
            return family
    return next((n for n in sorted(names) if "CJK" in n and "Mono" not in n), None)


@cache
def cjk_font() -> str | None:
    """Return a CJK family matplotlib can draw with, adding system fonts it has not listed."""
    from matplotlib import font_manager

    family = _pick(_families())
    if family is not None:
        return family
    for path in cjk_font_files():
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):  # a file FreeType cannot read
            continue
        family = _pick(_families())
        if family is not None:
            return family
    return None
