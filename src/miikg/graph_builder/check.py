"""List every reference problem in a data folder: ``python -m miikg.graph_builder.check [DIR]``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from miikg.errors import DataError
from miikg.graph_builder.load import load_data


def main(argv: list[str]) -> int:
    """Print each problem on its own line (in $MIIKG_LANG, en or zh); 1 if there are any."""
    lang = "zh" if os.environ.get("MIIKG_LANG") == "zh" else "en"
    problems: list[DataError] = []
    try:
        curated = load_data(Path(argv[0]) if argv else None, problems=problems)
    except DataError as exc:
        sys.stderr.write(f"{exc.text(lang)}\n")
        return 1
    for problem in problems:
        sys.stderr.write(f"{problem.text(lang)}\n")
    records, sources = len(curated.records), len(curated.sources)
    sys.stdout.write(
        f"{records} records, {sources} sources, {len(problems)} problems\n"
        if lang == "en"
        else f"{records} 条记录，{sources} 个来源，{len(problems)} 个问题\n"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
