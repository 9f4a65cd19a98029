"""Import a USAspending.gov assistance prime-award CSV: awards linked to institutes.

Each row becomes ``…/id/award/<FAIN>``, a ``schema:MonetaryGrant`` with its amount
(``schema:amount``, ``schema:currency`` USD), period of performance (``schema:startDate``,
``schema:endDate``) and, as plain literals because USAspending gives only names, terms of
this importer: ``miikg:awardingAgencyName``, ``miikg:awardingSubAgencyName``,
``miikg:assistanceType``, ``miikg:recipientName``, ``miikg:recipientUei``. The award links
to the graph as the curated agreements do: ``miikg:agreementFor`` an institute,
``miikg:awardee`` an organisation, and ``skos:exactMatch`` the curated agreement whose
number is the FAIN. Identifiers decide first (FAIN, then UEI), then the recipient's name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from miikg.linking.importing import (
    CsvRow,
    ImportFile,
    StreamedFile,
    WriteResult,
    term,
    write_import_stream,
)
from miikg.linking.reconcile import Match, Reconciler
from miikg.ontology.namespaces import ID, W3

__all__ = [
    "COLUMNS",
    "ImportReport",
    "RowOutcome",
    "import_usaspending",
    "iter_awards",
    "parse_awards",
]

#: The columns of USAspending's assistance prime-award download this importer reads.
COLUMNS = (
    "award_id_fain",
    "recipient_name",
    "recipient_uei",
    "awarding_agency_name",
    "awarding_sub_agency_name",
    "assistance_type_description",
    "period_of_performance_start_date",
    "period_of_performance_current_end_date",
    "total_obligated_amount",
)
_INSTITUTE = ID + "institute/"
_XSD = W3["xsd"]


@dataclass(frozen=True)
class Award:
    """One checked row of the file."""

    row: int
    fain: str
    recipient: str
    uei: str
    agency: str
    sub_agency: str
    assistance_type: str
    start: date | None
    end: date | None
    amount: Decimal

    @property
    def iri(self) -> ox.NamedNode:
        return ox.NamedNode(ID + "award/" + quote(self.fain, safe="-._~"))


@dataclass(frozen=True)
class RowOutcome:
    """How one row reconciled: its row number, key (the FAIN) and the match."""

    row: int
    key: str
    match: Match


@dataclass(frozen=True)
class ImportReport:
    """The rows of an import by outcome, and what the write did."""

    file: str
    sha256: str
    rows: tuple[RowOutcome, ...]
    write: WriteResult | None = None
    #: Data rows read; ``rows`` holds only those with a name to reconcile.
    data_rows: int = 0

    def with_status(self, status: str) -> list[RowOutcome]:
        """Return the rows whose match has *status* (matched, ambiguous, unmatched)."""
        return [r for r in self.rows if r.match.status == status]


def parse_awards(file: ImportFile | StreamedFile) -> list[Award]:
    """Check every row of *file* and return its awards.

    :raises ImportFileError: a missing column, bad encoding, an empty or repeated FAIN, an
        amount or date that does not parse; the message names row and column.
    """
    return list(iter_awards(file))


def iter_awards(file: ImportFile | StreamedFile) -> Iterator[Award]:
    """Yield the awards of *file* one row at a time, each checked as :func:`parse_awards` does."""
    seen: dict[str, int] = {}
    for row in file.rows(required=COLUMNS):
        fain = _required(file, row, "award_id_fain")
        if fain in seen:
            raise file.error(
                f"award {fain!r} appears again (first in row {seen[fain]})",
                zh=f"资助 {fain!r} 重复出现（首次出现在第 {seen[fain]} 行）",
                row=row.row,
                column="award_id_fain",
            )
        seen[fain] = row.row
        v = row.values
        yield Award(
            row=row.row,
            fain=fain,
            recipient=_required(file, row, "recipient_name"),
            uei=v["recipient_uei"],
            agency=v["awarding_agency_name"],
            sub_agency=v["awarding_sub_agency_name"],
            assistance_type=v["assistance_type_description"],
            start=_date(file, row, "period_of_performance_start_date"),
            end=_date(file, row, "period_of_performance_current_end_date"),
            amount=_amount(file, row, "total_obligated_amount"),
        )


def _required(file: ImportFile | StreamedFile, row: CsvRow, column: str) -> str:
    value = row.values[column]
    if not value:
        raise file.error(
            "empty, but every award needs it", zh="为空，但每笔资助都需要此值", row=row.row,
            column=column,
        )  # fmt: skip
    return value


def _date(file: ImportFile | StreamedFile, row: CsvRow, column: str) -> date | None:
    value = row.values[column]
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise file.error(
            f"{value!r} is not a date (YYYY-MM-DD)",
            zh=f"{value!r} 不是日期（YYYY-MM-DD）",
            row=row.row,
            column=column,
        ) from None


def _amount(file: ImportFile | StreamedFile, row: CsvRow, column: str) -> Decimal:
    value = _required(file, row, column)
    try:
        amount = Decimal(value.replace(",", "").removeprefix("$"))
    except InvalidOperation:
        raise file.error(
            f"{value!r} is not an amount", zh=f"{value!r} 不是金额", row=row.row, column=column
        ) from None
    if not amount.is_finite():
        raise file.error(
            f"{value!r} is not an amount", zh=f"{value!r} 不是金额", row=row.row, column=column
        )
    return amount


def link(award: Award, reconciler: Reconciler) -> Match:
    """Reconcile one award: its FAIN, then its recipient's UEI, then the recipient's name."""
    return reconciler.reconcile(award.recipient, identifiers=[award.fain, award.uei])


def award_triples(
    award: Award, match: Match, reconciler: Reconciler, *, source: ox.NamedNode
) -> Iterator[ox.Triple]:
    """Yield the triples of one award and, when matched, its links into the graph."""
    s = award.iri
    yield ox.Triple(s, term("rdf:type"), term("schema:MonetaryGrant"))
    yield ox.Triple(s, term("schema:identifier"), ox.Literal(award.fain))
    yield ox.Triple(
        s, term("rdfs:label"), ox.Literal(f"Award {award.fain} to {award.recipient}", language="en")
    )
    yield ox.Triple(
        s,
        term("rdfs:label"),
        ox.Literal(f"{award.recipient} 获得的资助 {award.fain}", language="zh"),
    )
    yield ox.Triple(
        s,
        term("schema:amount"),
        ox.Literal(str(award.amount), datatype=ox.NamedNode(_XSD + "decimal")),
    )
    yield ox.Triple(s, term("schema:currency"), ox.Literal("USD"))
    yield ox.Triple(s, term("miikg:recipientName"), ox.Literal(award.recipient))
    yield ox.Triple(s, term("dcterms:source"), source)
    for predicate, value in (
        ("miikg:recipientUei", award.uei),
        ("miikg:awardingAgencyName", award.agency),
        ("miikg:awardingSubAgencyName", award.sub_agency),
        ("miikg:assistanceType", award.assistance_type),
    ):
        if value:
            yield ox.Triple(s, term(predicate), ox.Literal(value))
    for predicate, day in (("schema:startDate", award.start), ("schema:endDate", award.end)):
        if day is not None:
            yield ox.Triple(
                s,
                term(predicate),
                ox.Literal(day.isoformat(), datatype=ox.NamedNode(_XSD + "date")),
            )
    entity = match.entity
    if entity is None:
        return
    agreement = (
        reconciler.agreement(award.fain) if match.candidates[0].evidence == award.fain else None
    )
    if agreement is not None:
        yield ox.Triple(s, term("skos:exactMatch"), ox.NamedNode(agreement[0]))
        if agreement[1] is not None:
            yield ox.Triple(s, term("miikg:awardee"), ox.NamedNode(agreement[1]))
    predicate = "miikg:agreementFor" if entity.startswith(_INSTITUTE) else "miikg:awardee"
    yield ox.Triple(s, term(predicate), ox.NamedNode(entity))


def reconcile_awards(awards: Iterable[Award], reconciler: Reconciler) -> list[RowOutcome]:
    """Return each award's reconciliation, row by row.

    A recipient name is matched once however many awards it has (by name matching is the
    slow part); an award whose FAIN or UEI the graph knows is reconciled by that as ever.
    """
    by_name: dict[str, Match] = {}
    outcomes = []
    for award in awards:
        if any(reconciler.by_identifier(v) for v in (award.fain, award.uei) if v.strip()):
            match = link(award, reconciler)
        else:
            found = by_name.get(award.recipient)
            match = found if found is not None else link(award, reconciler)
            by_name[award.recipient] = match
        outcomes.append(RowOutcome(award.row, award.fain, match))
    return outcomes


def import_usaspending(
    path: Path, *, home: Path | None = None, dry_run: bool = False
) -> ImportReport:
    """Import the award CSV at *path* into its own named graph of the current build.

    Every row is checked, then reconciled, before anything is written; with *dry_run*
    nothing is written at all. The file is streamed (checked, reconciled, then written in
    batches) and never held whole; the report keeps one outcome per row.

    :raises ImportFileError: the file is broken (the message names row and column).
    """
    file = StreamedFile(path)
    for _ in iter_awards(file):  # first pass: every row checked before anything else
        pass
    reconciler = Reconciler.from_home(home)
    outcomes = reconcile_awards(iter_awards(file), reconciler)
    report = ImportReport(file.name, file.sha256, tuple(outcomes), data_rows=len(outcomes))
    if dry_run:
        return report
    written = write_import_stream(
        file, _triples(file, outcomes, reconciler), kind="usaspending", home=home
    )
    return ImportReport(file.name, file.sha256, tuple(outcomes), written, len(outcomes))


def _triples(
    file: StreamedFile, outcomes: Sequence[RowOutcome], reconciler: Reconciler
) -> Iterator[ox.Triple]:
    """Yield the triples of every award, read again from *file*, with its reconciliation."""
    pending = iter(outcomes)
    for award in iter_awards(file):
        outcome = next(pending, None)
        if outcome is None or outcome.key != award.fain:
            raise file.error(
                "the file changed while it was being imported: import it again",
                zh="导入期间文件被修改：请重新导入",
            )
        yield from award_triples(award, outcome.match, reconciler, source=file.entity)
