"""List every reference problem in a data folder: ``python -m miikg.graph_builder.check [DIR]``."""

from __future__ import annotations

import sys
from pathlib import Path

from miikg.errors import DataError
from miikg.graph_builder.load import load_data


def main(argv: list[str]) -> int:
    """Print each problem on its own line; return 1 if there are any."""
    problems: list[DataError] = []
    try:
        curated = load_data(Path(argv[0]) if argv else None, problems=problems)
    except DataError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    for problem in problems:
        sys.stderr.write(f"{problem}\n")
    sys.stdout.write(
        f"{len(curated.records)} records, {len(curated.sources)} sources, "
        f"{len(problems)} problems\n"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
