"""Read the curated YAML files into checked models, or fail naming file, record and field."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from miikg.errors import DataError
from miikg.graph_builder.models import KINDS, Claim, Concept, Emit, Record, Scheme, Source

__all__ = ["Curated", "bundled_data_dir", "emits", "load_data"]

log = logging.getLogger(__name__)

#: A data file larger than this is refused before parsing (a curated file is a few kB).
MAX_FILE_BYTES = 5 * 1024 * 1024


def bundled_data_dir() -> Path:
    """Return the folder of the curated data files shipped with the package."""
    return Path(str(resources.files("miikg").joinpath("data")))


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text and refuses duplicate keys."""


# Dates stay strings so the models can check them and name the record; PyYAML's own
# timestamp resolver would fail on 2021-02-30 with no record in its message.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass
class Curated:
    """All curated records, checked: sources by id, records by id, and where each came from."""

    sources: dict[str, Source] = field(default_factory=dict)
    records: dict[str, Record] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)


def emits(model: type[Record]) -> Iterator[tuple[str, Emit]]:
    """Yield ``(field name, Emit)`` for every field of *model* that becomes triples."""
    for name, info in model.model_fields.items():
        for meta in info.metadata:
            if isinstance(meta, Emit):
                yield name, meta


def claims(record: Record, name: str) -> list[Claim[Any]]:
    """Return the claims of one field, a plain (structural) value wrapped as one claim."""
    value = getattr(record, name)
    if isinstance(value, list):
        return value
    if value is None:
        return []
    return [Claim[Any](value=value)]


def _kind_of(path: Path) -> str | None:
    stem = path.name.split(".", 1)[0]
    return stem if stem in KINDS else None


def _read(path: Path, display: str) -> list[dict[str, Any]]:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise DataError(display, f"file is {size} bytes, more than {MAX_FILE_BYTES}")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(display, f"not UTF-8 text (byte {exc.start})") from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise DataError(display, f"YAML error at {where}{exc.problem or exc}") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise DataError(display, f"YAML error: {type(exc).__name__}") from None
    if data is None:
        raise DataError(display, "file is empty: expected a list of records")
    if not isinstance(data, list):
        raise DataError(display, "expected a list of records at the top level")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise DataError(display, f"item {index + 1} is not a record (a mapping)")
    return data


def _first_error(exc: ValidationError) -> tuple[str | None, str]:
    error = exc.errors(include_url=False)[0]
    loc = [str(p) for p in error["loc"]]
    field_name = loc[0] if loc else None
    kind = error["type"]
    if kind == "extra_forbidden":
        return field_name, "unknown key"
    if kind == "missing":
        return field_name, "required field is missing"
    message = str(error["msg"]).removeprefix("Value error, ")
    detail = ".".join(p for p in loc[1:] if not p.isdigit() and p not in {"value"})
    return field_name, f"{message}" + (f" (in {detail})" if detail else "")


def load_data(
    data_dir: Path | None = None,
    *,
    problems: list[DataError] | None = None,
) -> Curated:
    """Load and check every ``<kind>[.<part>].yaml`` file in *data_dir*.

    :param problems: if given, reference problems are appended here instead of raised,
        so a curator sees all of them at once (parse and model errors still raise).
    :raises DataError: on the first problem, naming file, record and field.
    """
    folder = data_dir or bundled_data_dir()
    if not folder.is_dir():
        raise DataError(str(folder), "not a folder of data files")
    curated = Curated()
    found = sorted(p for p in folder.iterdir() if p.suffix == ".yaml" and _kind_of(p))
    if not found:
        raise DataError(str(folder), "no data files (<kind>.yaml) found")
    for path in found:
        kind = _kind_of(path)
        assert kind is not None
        model = KINDS[kind]
        display = path.name
        for index, raw in enumerate(_read(path, display)):
            rid = raw.get("id") if isinstance(raw.get("id"), str) else f"#{index + 1}"
            try:
                item = model.model_validate(raw)
            except ValidationError as exc:
                fname, message = _first_error(exc)
                raise DataError(display, message, record=rid, field=fname) from None
            if item.id in curated.files:
                raise DataError(
                    display,
                    f"duplicate id, already used in {curated.files[item.id]}",
                    record=item.id,
                    field="id",
                )
            if item.id in {"meta", "ontology"}:
                raise DataError(display, "reserved id", record=item.id, field="id")
            curated.files[item.id] = display
            if isinstance(item, Source):
                curated.sources[item.id] = item
            else:
                curated.records[item.id] = item
    _check_sources(curated)
    _check_references(curated, problems)
    log.info("loaded %d records and %d sources", len(curated.records), len(curated.sources))
    return curated


def _matches(target: Record, kinds: tuple[str, ...]) -> bool:
    return not kinds or any(
        target.kind == k or (k == "concept" and isinstance(target, Concept)) for k in kinds
    )


def _check_references(curated: Curated, problems: list[DataError] | None) -> None:
    for rid in sorted(curated.records):
        try:
            _check_record(curated, rid)
        except DataError as exc:
            if problems is None:
                raise
            problems.append(exc)


def _check_record(curated: Curated, rid: str) -> None:
    record = curated.records[rid]
    file = curated.files[rid]
    for sid in record.sources:
        if sid not in curated.sources:
            raise DataError(file, f"unknown source '{sid}'", record=rid, field="sources")
    if isinstance(record, Concept):
        scheme = curated.records.get(record.scheme)
        if not isinstance(scheme, Scheme):
            raise DataError(file, f"unknown scheme '{record.scheme}'", record=rid, field="scheme")
    for name, emit in emits(type(record)):
        if name == "scheme":
            continue
        per_source: dict[str, object] = {}
        for claim in claims(record, name):
            for sid in claim.sources or ():
                if sid not in curated.sources:
                    raise DataError(file, f"unknown source '{sid}'", record=rid, field=name)
            if emit.kind == "ref":
                _check_ref(curated, record, name, emit, claim.value)
            if not emit.many:
                for sid in claim.sources or record.sources:
                    if sid in per_source and per_source[sid] != claim.value:
                        raise DataError(
                            file,
                            f"source '{sid}' gives two values for a one-value field",
                            record=rid,
                            field=name,
                        )
                    per_source[sid] = claim.value


def _check_sources(curated: Curated) -> None:
    for sid, source in curated.sources.items():
        if source.part_of is not None and source.part_of not in curated.sources:
            raise DataError(
                curated.files[sid],
                f"unknown source '{source.part_of}'",
                record=sid,
                field="part_of",
            )


def _check_ref(curated: Curated, record: Record, name: str, emit: Emit, value: str) -> None:
    file = curated.files[record.id]
    target = curated.records.get(value)
    if target is None:
        raise DataError(file, f"unknown reference '{value}'", record=record.id, field=name)
    if not _matches(target, emit.targets):
        raise DataError(
            file,
            f"'{value}' is of kind {target.kind}, expected {' or '.join(emit.targets)}",
            record=record.id,
            field=name,
        )
    if emit.scheme is not None and getattr(target, "scheme", None) != emit.scheme:
        raise DataError(
            file,
            f"'{value}' is not in the concept scheme '{emit.scheme}'",
            record=record.id,
            field=name,
        )
