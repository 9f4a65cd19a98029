"""Errors a curator or user can act on: each names what is wrong and where."""

from __future__ import annotations

from typing import Any

__all__ = [
    "DataError",
    "ImportFileError",
    "MiikgError",
    "PushError",
    "QueryError",
    "QueryRefusedError",
    "StoreNotFoundError",
    "ValidationFailedError",
]


class MiikgError(Exception):
    """Base class of every error the library raises on purpose."""


class DataError(MiikgError):
    """A curated data file is broken; the message names file, record and field."""

    def __init__(
        self, file: str, message: str, *, record: str | None = None, field: str | None = None
    ) -> None:
        self.file = file
        self.record = record
        self.field = field
        self.reason = message
        where = file
        if record is not None:
            where += f": record '{record}'"
        if field is not None:
            where += f", field '{field}'"
        super().__init__(f"{where}: {message}")


class ImportFileError(MiikgError):
    """A file to import is broken; the message names file and, where known, row and column."""

    def __init__(
        self, file: str, message: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.reason = message
        where = file
        if row is not None:
            where += f": row {row}"
        if column is not None:
            where += f", column '{column}'" if row is not None else f": column '{column}'"
        super().__init__(f"{where}: {message}")


class ValidationFailedError(MiikgError):
    """The built graph breaks one or more SHACL shapes."""

    def __init__(self, report: Any, message: str) -> None:
        self.report = report
        super().__init__(message)


class StoreNotFoundError(MiikgError):
    """No built store where one was expected."""


class QueryError(MiikgError):
    """A query could not be parsed or run."""


class QueryRefusedError(QueryError):
    """The endpoint will not run a request; *status* is the HTTP status that says why."""

    def __init__(self, message: str, *, status: int = 403) -> None:
        self.status = status
        super().__init__(message)


class PushError(MiikgError):
    """A graph could not be sent to a remote Graph Store."""
