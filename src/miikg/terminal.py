"""Rows for people and rows for machines: the formats of query results.

The ``table`` format is for a person at a terminal: labels instead of IRIs, column titles
in the chosen language, cells wrapped to the terminal's width (CJK characters counted as
two columns, by rich). CSV, TSV, JSON and Markdown are for machines and other tools: they
keep the variable names and the full values. The command modules (``miikg.cli`` and the
ones it registers) format through here, so none of them imports the command line.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from miikg.queries.run import QueryResult

__all__ = ["ROW_FORMATS", "format_result", "render_table", "terminal_width", "wrap"]

ROW_FORMATS = ("table", "csv", "tsv", "json", "markdown")
#: Width used when output goes to a pipe or file and ``COLUMNS`` is not set: wide enough
#: that nothing wraps, so ``miikg query … | grep`` sees whole rows.
_UNWRAPPED = 100_000


def terminal_width() -> int | None:
    """Return the width to wrap tables to: ``$COLUMNS``, else the terminal's, else none."""
    env = os.environ.get("COLUMNS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None


#: Columns are set two display columns apart.
_GAP = 2


def _widths(columns: Sequence[Sequence[str]], width: int | None) -> list[int]:
    """Return a width for each column (its cells' texts) so that all fit *width*.

    A column that fits keeps its natural width. When they do not all fit, each keeps at
    least its longest word (an English word or an IRI cut mid-word is hard to read; a
    Chinese text breaks between any two characters) and a short column all of its
    width, each within an equal share of the line; the rest of the line goes to the
    columns that need it, in proportion to need.
    """
    from rich.cells import cell_len

    natural = [max(cell_len(line) for cell in c for line in cell.split("\n")) for c in columns]
    room = (width or _UNWRAPPED) - _GAP * (len(columns) - 1)
    if sum(natural) <= room:
        return natural
    share = max(room // len(columns), 4)
    words = [
        max((cell_len(w) for cell in c for w in _TOKEN.findall(cell) if not w.isspace()), default=1)
        for c in columns
    ]
    # A short column (a state, a date, a count, a short Chinese name) is not worth breaking.
    short = min(share, 16)
    floor = [min(n, max(min(w, share), short)) for n, w in zip(natural, words, strict=True)]
    spare = room - sum(floor)
    need = [n - f for n, f in zip(natural, floor, strict=True)]
    if spare <= 0 or not sum(need):
        return floor
    extra = [spare * n // sum(need) for n in need]
    return [f + e for f, e in zip(floor, extra, strict=True)]


def render_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], *, width: int | None = None
) -> str:
    """Return *rows* under *header* as a plain-text table that fits *width* display columns.

    Cells wrap at spaces and between Chinese characters (a word longer than its column,
    such as an IRI, is cut); nothing is lost.

    >>> print(render_table(["a", "b"], [["1", "x y"]], width=20))
    a  b
    ──────
    1  x y
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    columns = [[h, *(r[i] for r in rows)] for i, h in enumerate(header)]
    widths = _widths(columns, width)
    table = Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
        header_style="",
        expand=False,
    )

    def fit(text: str, size: int) -> Text:
        return Text("\n".join(wrap(part, size, hanging=0, least=2) for part in text.split("\n")))

    for title, size in zip(header, widths, strict=True):
        table.add_column(fit(title, size), width=size, no_wrap=True, overflow="crop")
    for row in rows:
        table.add_row(*(fit(cell, size) for cell, size in zip(row, widths, strict=True)))
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or _UNWRAPPED,
        color_system=None,
        force_terminal=False,
        highlight=False,
        legacy_windows=False,
    )
    console.print(table)
    lines = [line.rstrip() for line in buffer.getvalue().splitlines()]
    return "\n".join(line for line in lines if line)


#: A wide (CJK) character, a run of other non-space characters, or a run of spaces: the
#: units a line may break between (Chinese breaks between any two characters).
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_TOKEN = re.compile(rf"[{_WIDE}]|[^\s{_WIDE}]+|\s+")


def wrap(
    text: str, width: int | None, *, indent: int = 0, hanging: int = 2, least: int = 10
) -> str:
    """Return *text* indented by *indent*, wrapped to *width* display columns.

    Lines break at spaces and between Chinese characters (each counted as two columns);
    continuation lines are indented *hanging* more; a word longer than a line is cut.
    A line holds at least *least* columns, however narrow *width*. Without *width*,
    *text* is only indented.

    >>> print(wrap("one two three", 9, hanging=1))
    one two
     three
    >>> print(wrap("公开记录为纽约州", 10, hanging=0))
    公开记录为
    纽约州
    """
    if width is None:
        return " " * indent + text
    from rich.cells import cell_len

    lines: list[str] = []
    line, used = "", 0
    room = max(width - indent, least)
    for token in _TOKEN.findall(text):
        size = cell_len(token)
        if token.isspace():
            if line:
                line, used = line + token, used + size
            continue
        while size > room - used and (line.strip() or size > room):
            if line.strip():
                lines.append(line.rstrip())
                room, line, used = max(width - indent - hanging, least), "", 0
                continue
            # A word longer than a whole line: cut it where the line ends.
            cut = 0
            while cell_len(token[: cut + 1]) <= room:
                cut += 1
            cut = max(cut, 1)  # a wide character in a one-column line: it goes whole
            lines.append(token[:cut])
            room, token = max(width - indent - hanging, least), token[cut:]
            size = cell_len(token)
        line, used = line + token, used + size
    if line.strip() or not lines:
        lines.append(line.rstrip())
    return "\n".join(
        " " * (indent if n == 0 else indent + hanging) + line for n, line in enumerate(lines)
    )


def _display(value: str, labels: Mapping[str, str]) -> str:
    from miikg.report import curie

    if value.startswith(("http://", "https://")):
        return labels.get(value) or curie(value)
    return value


def format_result(
    result: QueryResult,
    fmt: str,
    *,
    lang: str = "en",
    titles: Mapping[str, str] | None = None,
    iris: bool = False,
    width: int | None = None,
) -> str:
    """Render query rows as a table for people, or as CSV, TSV, JSON or Markdown.

    :param titles: column titles by variable (the named query's, in *lang*); the table
        shows them, the other formats keep the variable names.
    :param iris: in the table, show IRI columns (as CURIEs) beside their labels.
    :param width: the table's width in display columns (default: no wrapping).
    """
    header = list(result.variables)
    rows = [[row.text(v) for v in header] for row in result]
    if fmt == "json":
        return json.dumps(
            [dict(zip(header, r, strict=True)) for r in rows], ensure_ascii=False, indent=2
        )
    if fmt in {"csv", "tsv"}:
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    if fmt == "markdown":
        from miikg.report import curie

        shown = [
            [curie(c) if c.startswith(("http://", "https://")) else c for c in r] for r in rows
        ]
        esc = [[c.replace("|", "\\|").replace("\n", " ") for c in r] for r in shown]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in esc]
        return "\n".join(lines)
    labels = {} if iris else result.labels
    # A variable with a label column beside it (agency, agencyLabel) is shown by its
    # label; the label column falls back to the variable's own value where it is empty.
    keep = [i for i, v in enumerate(header) if iris or f"{v}Label" not in header]
    partner = {
        i: header.index(v.removesuffix("Label"))
        for i, v in enumerate(header)
        if v.endswith("Label") and v.removesuffix("Label") in header and not iris
    }
    cells = [
        [
            _display(r[i] or (r[partner[i]] if i in partner else ""), labels)
            if not iris or not r[i].startswith(("http://", "https://"))
            else _display(r[i], {})
            for i in keep
        ]
        for r in rows
    ]
    names = [(titles or {}).get(header[i], header[i]) for i in keep]
    if not iris and cells:
        # An IRI column shown by its label repeats the label column beside it (instrument
        # and label): of two columns that read the same on every row, keep the later one,
        # whose title names the label.
        columns = list(zip(*cells, strict=True))
        unique = [j for j, col in enumerate(columns) if col not in columns[j + 1 :]]
        names = [names[j] for j in unique]
        cells = [[row[j] for j in unique] for row in cells]
    return render_table(names, cells, width=width)
