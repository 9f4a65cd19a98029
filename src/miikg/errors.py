"""Errors a curator or user can act on: each names what is wrong and where, in en and zh.

Every error carries its English message (``str(exc)``) and, where the raiser gives one,
its Chinese message; :meth:`MiikgError.text` picks the language the command line shows.

>>> MiikgError("no such query", zh="没有这个查询").text("zh")
'没有这个查询'
>>> MiikgError("no such query").text("zh")
'no such query'
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "DataError",
    "EndpointError",
    "ImportFileError",
    "MiikgError",
    "NotFoundError",
    "PushError",
    "QueryError",
    "QueryRefusedError",
    "StoreNotFoundError",
    "ValidationFailedError",
]


class MiikgError(Exception):
    """Base class of every error the library raises on purpose.

    :param zh: the same message in Chinese (the English one is the exception's text).
    """

    def __init__(self, message: str = "", *args: Any, zh: str | None = None) -> None:
        super().__init__(message, *args)
        self.zh = zh

    def text(self, lang: str = "en") -> str:
        """Return the message in *lang* (English where no Chinese was given)."""
        if lang == "zh" and self.zh:
            return self.zh
        return str(self)


class DataError(MiikgError):
    """A curated data file is broken; the message names file, record and field."""

    def __init__(
        self,
        file: str,
        message: str,
        *,
        record: str | None = None,
        field: str | None = None,
        zh: str | None = None,
    ) -> None:
        self.file = file
        self.record = record
        self.field = field
        self.reason = message
        self.reason_zh = zh
        super().__init__(self._where("en") + message, zh=self._where("zh") + (zh or message))

    def _where(self, lang: str) -> str:
        where = self.file
        if lang == "zh":
            if self.record is not None:
                where += f"：记录 '{self.record}'"
            if self.field is not None:
                where += f"，字段 '{self.field}'"
            return where + "："
        if self.record is not None:
            where += f": record '{self.record}'"
        if self.field is not None:
            where += f", field '{self.field}'"
        return where + ": "


class ImportFileError(MiikgError):
    """A file to import is broken; the message names file and, where known, row and column."""

    def __init__(
        self,
        file: str,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        zh: str | None = None,
    ) -> None:
        self.file = file
        self.row = row
        self.column = column
        self.reason = message
        where = where_zh = file
        if row is not None:
            where += f": row {row}"
            where_zh += f"：第 {row} 行"
        if column is not None:
            where += f", column '{column}'" if row is not None else f": column '{column}'"
            where_zh += f"，列 '{column}'" if row is not None else f"：列 '{column}'"
        super().__init__(f"{where}: {message}", zh=f"{where_zh}：{zh or message}")


class ValidationFailedError(MiikgError):
    """The built graph breaks one or more SHACL shapes."""

    def __init__(self, report: Any, message: str) -> None:
        self.report = report
        super().__init__(message)

    def text(self, lang: str = "en") -> str:
        """Return the SHACL report in *lang*."""
        return str(self.report.text(lang))


class StoreNotFoundError(MiikgError):
    """No built store where one was expected."""


class QueryError(MiikgError):
    """A query could not be parsed or run."""


class NotFoundError(QueryError):
    """A name the user gave (entity, query, scheme, table) matches nothing, or several things.

    :param candidates: what the name might have meant, best first (for "did you mean").
    :param ambiguous: several things match equally (the candidates), rather than none.
    """

    def __init__(
        self,
        message: str,
        *,
        zh: str | None = None,
        candidates: tuple[str, ...] = (),
        ambiguous: bool = False,
    ) -> None:
        self.candidates = candidates
        self.ambiguous = ambiguous
        super().__init__(message, zh=zh)


class QueryRefusedError(QueryError):
    """The endpoint will not run a request; *status* is the HTTP status that says why."""

    def __init__(self, message: str, *, status: int = 403, zh: str | None = None) -> None:
        self.status = status
        super().__init__(message, zh=zh)


class EndpointError(QueryError):
    """A remote SPARQL endpoint cannot answer, or lacks what ``miikg push`` wrote there."""


class PushError(MiikgError):
    """A graph could not be sent to a remote Graph Store."""
