"""Reconcile the rows of any CSV for a curator's review, without importing anything."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from miikg.linking.importing import read_csv, read_import_file
from miikg.linking.reconcile import Reconciler
from miikg.linking.usaspending import RowOutcome

__all__ = ["ID_COLUMNS", "NAME_COLUMNS", "reconcile_csv"]

#: Name columns looked for, in order, when none is given.
NAME_COLUMNS = ("recipient_name", "name", "organization", "organisation")
#: Identifier columns used, in order, when present and none are given.
ID_COLUMNS = ("award_id_fain", "recipient_uei", "uei", "qid", "wikidata")


def reconcile_csv(
    path: Path,
    *,
    home: Path | None = None,
    name_column: str | None = None,
    id_columns: Sequence[str] | None = None,
) -> list[RowOutcome]:
    """Return how each row of the CSV at *path* reconciles with the current build.

    :raises ImportFileError: the file is not UTF-8 CSV, or lacks the name column.
    """
    file = read_import_file(path)
    header_rows = read_csv(file, required=())
    header = list(header_rows[0].values) if header_rows else []
    if name_column is None:
        name_column = next((c for c in NAME_COLUMNS if c in header), NAME_COLUMNS[1])
    ids = list(id_columns) if id_columns is not None else [c for c in ID_COLUMNS if c in header]
    rows = read_csv(file, required=[name_column, *ids])
    reconciler = Reconciler.from_home(home)
    key = ids[0] if ids else name_column
    return [
        RowOutcome(
            row.row,
            row.values[key],
            reconciler.reconcile(row.values[name_column], identifiers=[row.values[c] for c in ids]),
        )
        for row in rows
    ]
