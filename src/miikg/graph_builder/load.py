"""Read the curated YAML files into checked models, or fail naming file, record and field."""

from __future__ import annotations

import codecs
import logging
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from miikg.errors import DataError
from miikg.graph_builder.models import KINDS, Claim, Concept, Emit, Record, Scheme, Source

__all__ = ["Curated", "bundled_data_dir", "emits", "load_data", "parse_yaml"]

log = logging.getLogger(__name__)

#: A data file larger than this is refused before it is read (a curated file is a few kB).
#: Only its size on disk is looked at, and at most this many bytes (plus one) are read.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Values nested deeper than this are refused while parsing (the curated files nest six
#: deep at most: list, record, field, claim, value, text); PyYAML's composer recurses once
#: per level, so without a limit deep nesting ends in a RecursionError or a crash.
MAX_DEPTH = 64
#: Aliases (``*name``) may stand for at most this many nodes per file, counting everything
#: inside the anchored node and inside aliases within it. The curated data uses a few
#: aliases (``yaml.safe_dump`` writes ``&id001`` for a shared ``sources`` list), so they
#: stay allowed; a "billion laughs" file, whose aliases expand exponentially, is refused
#: while it is parsed, long before anything is expanded. A cycle (an alias inside the node
#: it names) and merge keys (``<<``) are refused too.
MAX_ALIAS_NODES = 100_000
#: A plain integer longer than this is refused: Python's ``int`` refuses over 4300 digits
#: with a ValueError, and a sexagesimal ``1:2:3:…`` of many parts takes quadratic time.
MAX_INT_CHARS = 100

_MERGE_TAG = "tag:yaml.org,2002:merge"


def bundled_data_dir() -> Path:
    """Return the folder of the curated data files shipped with the package."""
    return Path(str(resources.files("miikg").joinpath("data")))


class _Refused(yaml.MarkedYAMLError):
    """Parsing stopped on purpose (too deep, aliases too big); knows record and field."""

    def __init__(
        self, problem: str, mark: Any, where: tuple[str | None, str | None], *, zh: str
    ) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.record, self.field = where
        self.problem_zh = zh


class _Problem(yaml.constructor.ConstructorError):
    """A value this loader refuses (a duplicate key, a bad tagged scalar), in en and zh."""

    def __init__(self, problem: str, mark: Any, *, zh: str) -> None:
        super().__init__(None, None, problem, mark)
        self.problem_zh = zh


class _Loader(yaml.SafeLoader):
    """SafeLoader that keeps dates as text, refuses duplicate keys and bounds its work.

    Every value a curated file can hold comes out as a plain Python value or a
    :class:`yaml.MarkedYAMLError` with a position: nesting deeper than :data:`MAX_DEPTH`,
    aliases standing for more than :data:`MAX_ALIAS_NODES` nodes, a tagged scalar that does
    not parse (``!!int abc``) and over-long integers are refused with their line and column.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        #: (parent, index) of every node being composed, outermost first.
        self._path: list[tuple[yaml.Node | None, Any]] = []
        #: id(node) -> (nodes inside it, counting itself and what its aliases stand for;
        #: its height). Composed nodes stay alive until the load ends, so ids are unique.
        self._sizes: dict[int, tuple[int, int]] = {}
        self._aliased = 0

    def _where(self) -> tuple[str | None, str | None]:
        """Return the record (its id, else ``#n``) and field being composed, where known."""
        path = self._path
        if len(path) < 2 or not isinstance(path[1][0], yaml.SequenceNode):
            return None, None
        record = f"#{path[1][1] + 1}"
        field_name = None
        if len(path) >= 3 and isinstance(path[2][0], yaml.MappingNode):
            for key, value in path[2][0].value:
                if key.value == "id" and isinstance(value, yaml.ScalarNode):
                    record = str(value.value)
            if isinstance(path[2][1], yaml.ScalarNode):
                field_name = str(path[2][1].value)
        return record, field_name

    def _refuse(self, problem: str, mark: Any, *, zh: str) -> _Refused:
        return _Refused(problem, mark, self._where(), zh=zh)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            target = self.anchors.get(event.anchor)
            if target is not None:
                size = self._sizes.get(id(target))
                if size is None:
                    raise self._refuse(
                        f"alias *{event.anchor} is inside the node it names (a cycle)",
                        event.start_mark,
                        zh=f"别名 *{event.anchor} 位于它所指的节点之内（循环引用）",
                    )
                self._aliased += size[0]
                if self._aliased > MAX_ALIAS_NODES:
                    raise self._refuse(
                        f"aliases stand for more than {MAX_ALIAS_NODES} nodes "
                        "(an alias bomb?): write the values out",
                        event.start_mark,
                        zh=f"别名所代表的节点超过 {MAX_ALIAS_NODES} 个（别名炸弹？）："
                        "请直接写出各个值",
                    )
                if len(self._path) + size[1] > MAX_DEPTH:
                    raise self._refuse(
                        f"nested more than {MAX_DEPTH} levels deep (with what *{event.anchor} "
                        "stands for)",
                        event.start_mark,
                        zh=f"嵌套超过 {MAX_DEPTH} 层（计入 *{event.anchor} 所代表的内容）",
                    )
            return super().compose_node(parent, index)
        if len(self._path) >= MAX_DEPTH:
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise self._refuse(
                f"nested more than {MAX_DEPTH} levels deep",
                event.start_mark,
                zh=f"嵌套超过 {MAX_DEPTH} 层",
            )
        self._path.append((parent, index))
        try:
            node = super().compose_node(parent, index)
        finally:
            self._path.pop()
        if node is not None:
            self._sizes[id(node)] = self._size(node)
        return node

    def _size(self, node: yaml.Node) -> tuple[int, int]:
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            return 1, 1
        sizes = [self._sizes[id(child)] for child in children]
        return 1 + sum(w for w, _ in sizes), 1 + max((h for _, h in sizes), default=0)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # PyYAML lets ValueError, KeyError and IndexError out of tagged scalars
        # (``!!int abc``, ``!!bool maybe``, an empty ``!!float``); make them errors with a
        # position like every other.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, KeyError, IndexError, TypeError, OverflowError):
            tag = str(node.tag).replace("tag:yaml.org,2002:", "!!")
            raise _Problem(
                f"{node.value!r} is not a valid {tag}",
                node.start_mark,
                zh=f"{node.value!r} 不是合法的 {tag} 值",
            ) from None


# Dates stay strings so the models can check them and name the record; PyYAML's own
# timestamp resolver would fail on 2021-02-30 with no record in its message. An explicit
# ``!!timestamp`` tag gives a string too, for the same reason.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_mapping(loader: _Loader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == _MERGE_TAG:
            raise _Problem(
                "merge keys (<<) are not allowed: write the keys out",
                key_node.start_mark,
                zh="不允许使用合并键（<<）：请直接写出各个键",
            )
        key = loader.construct_object(key_node, deep=deep)
        try:
            repeated = key in seen
        except TypeError:  # a list or mapping as key: SafeLoader says "unhashable key"
            continue
        if repeated:
            raise _Problem(f"duplicate key {key!r}", key_node.start_mark, zh=f"重复的键 {key!r}")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    if len(str(node.value)) > MAX_INT_CHARS:
        raise _Problem(
            f"an integer of {len(node.value)} characters (at most {MAX_INT_CHARS}); "
            "quote it if it is text",
            node.start_mark,
            zh=f"整数长达 {len(node.value)} 个字符（最多 {MAX_INT_CHARS} 个）；若是文本请加引号",
        )
    return loader.construct_yaml_int(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> str:
    return loader.construct_yaml_str(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_str)


def parse_yaml(data: bytes, file: str) -> Any:
    """Parse the bytes of one curated file: a plain Python value, or a :class:`DataError`.

    Text must be UTF-8 (a byte-order mark is allowed). Dates stay strings, duplicate keys
    are refused, and so are nesting, aliases and integers past the limits above. The
    error names *file*, the line and column, and the record and field where known.

    :raises DataError: the bytes are not UTF-8 or not YAML this loader accepts.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DataError(
            file,
            "not UTF-8 text: it starts with a UTF-16 byte-order mark; save it as UTF-8",
            zh="不是 UTF-8 文本：文件以 UTF-16 字节顺序标记开头；请另存为 UTF-8",
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        start = exc.start
        line_start = data.rfind(b"\n", 0, start) + 1
        column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
        bad = data[start : exc.end]
        line = data.count(b"\n", 0, start) + 1
        raise DataError(
            file,
            f"not UTF-8 text: bytes {bad!r} at line {line}, column {column}",
            zh=f"不是 UTF-8 文本：第 {line} 行第 {column} 列的字节 {bad!r}",
        ) from None
    try:
        return yaml.load(text, Loader=_Loader)
    except _Refused as exc:
        mark = exc.problem_mark
        where, where_zh = _position(mark)
        raise DataError(
            file,
            f"YAML error{where}{exc.problem}",
            record=exc.record,
            field=exc.field,
            zh=f"YAML 错误{where_zh}{exc.problem_zh}",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where, where_zh = _position(mark)
        problem = exc.problem or str(exc)
        if problem.startswith("but ") and exc.context:  # "…, but found another document"
            problem = f"{exc.context}, {problem}"
        # PyYAML's own problem text stays as it wrote it, in the Chinese frame.
        raise DataError(
            file,
            f"YAML error{where}{problem}",
            zh=f"YAML 错误{where_zh}{getattr(exc, 'problem_zh', problem)}",
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - text.rfind("\n", 0, exc.position)
        raise DataError(
            file,
            f"YAML error at line {line}, column {column}: character U+{exc.character:04X} "
            "is not allowed in YAML text",
            zh=f"YAML 错误，第 {line} 行第 {column} 列：YAML 文本中不允许出现字符 "
            f"U+{exc.character:04X}",
        ) from None
    except (yaml.YAMLError, RecursionError) as exc:  # pragma: no cover - defence in depth
        raise DataError(
            file, f"YAML error: {type(exc).__name__}", zh=f"YAML 错误：{type(exc).__name__}"
        ) from None


def _position(mark: Any) -> tuple[str, str]:
    """Return where a YAML problem is, as the English and the Chinese frame write it."""
    if not mark:
        return ": ", "："
    line, column = mark.line + 1, mark.column + 1
    return f" at line {line}, column {column}: ", f"，第 {line} 行第 {column} 列："


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


def _check_file(path: Path, display: str) -> int:
    """Refuse what is not a regular file of at most :data:`MAX_FILE_BYTES`; return its size.

    Only metadata is read: a 50 MB file, a folder, a FIFO or a link to ``/dev/zero`` named
    ``<kind>.yaml`` is refused at once, whatever it holds.
    """
    try:
        info = path.stat()
    except OSError as exc:
        raise DataError(
            display, f"cannot read it: {exc.strerror}", zh=f"无法读取：{exc.strerror}"
        ) from None
    if not stat.S_ISREG(info.st_mode):
        raise DataError(
            display,
            "not a regular file (a folder, device or pipe)",
            zh="不是普通文件（而是文件夹、设备或管道）",
        )
    if info.st_size > MAX_FILE_BYTES:
        en, zh = _too_big(info.st_size)
        raise DataError(display, en, zh=zh)
    return info.st_size


def _too_big(size: int) -> tuple[str, str]:
    return (
        f"file is {size} bytes ({size / 2**20:.1f} MiB), more than the limit of "
        f"{MAX_FILE_BYTES} bytes ({MAX_FILE_BYTES / 2**20:.0f} MiB) for a curated data file",
        f"文件有 {size} 字节（{size / 2**20:.1f} MiB），超过整理数据文件的上限 "
        f"{MAX_FILE_BYTES} 字节（{MAX_FILE_BYTES / 2**20:.0f} MiB）",
    )


def _read(path: Path, display: str) -> list[dict[str, Any]]:
    _check_file(path, display)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DataError(
            display, f"cannot read it: {exc.strerror}", zh=f"无法读取：{exc.strerror}"
        ) from None
    if len(data) > MAX_FILE_BYTES:  # it grew after the size check
        en, zh = _too_big(len(data))
        raise DataError(display, en, zh=zh)
    value = parse_yaml(data, display)
    if value is None:
        raise DataError(
            display, "file is empty: expected a list of records", zh="文件为空：应为记录列表"
        )
    if not isinstance(value, list):
        raise DataError(
            display, "expected a list of records at the top level", zh="顶层应为记录列表"
        )
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise DataError(
                display,
                f"item {index + 1} is not a record (a mapping)",
                zh=f"第 {index + 1} 项不是记录（映射）",
            )
    return value


#: Chinese for the checks of models.py whose messages a curator meets most.
_REASONS_ZH = (
    (re.compile(r"^(.+) is not an IRI \(RFC 3987\): (.+)$"), "{0} 不是合法的 IRI（RFC 3987）：{1}"),
    (re.compile(r"^impossible date (.+?): no day (\d+) in that month$"),
     "不可能的日期 {0}：该月没有第 {1} 日"),
    (re.compile(r"^impossible date (.+?): month (\d+)$"), "不可能的日期 {0}：没有第 {1} 月"),
    (re.compile(r"^date (.+) is not YYYY, YYYY-MM or YYYY-MM-DD$"),
     "日期 {0} 不是 YYYY、YYYY-MM 或 YYYY-MM-DD 格式"),
    (re.compile(r"^text without a language: (.+)$"), "文本未注明语言：请写作 {{en: ..., zh: ...}}"),
    (re.compile(r"^empty (en|zh) text$"), "{0} 文本为空"),
    (re.compile(r"^text needs an en or a zh value$"), "文本须有 en 或 zh 值"),
)  # fmt: skip


#: Chinese for pydantic's commonest type errors, by error type.
_TYPES_ZH = {
    "string_type": "应为字符串",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "list_type": "应为列表",
    "dict_type": "应为映射",
    "model_type": "应为映射",
}


def _first_error(exc: ValidationError) -> tuple[str | None, str, str]:
    """Return the field, the English reason and the Chinese reason of the first error."""
    error = exc.errors(include_url=False)[0]
    loc = [str(p) for p in error["loc"]]
    field_name = loc[0] if loc else None
    kind = error["type"]
    if kind == "extra_forbidden":
        return field_name, "unknown key", "未知的键"
    if kind == "missing":
        return field_name, "required field is missing", "缺少必填字段"
    message = str(error["msg"]).removeprefix("Value error, ")
    detail = ".".join(p for p in loc[1:] if not p.isdigit() and p not in {"value"})
    zh = _TYPES_ZH.get(kind, message)
    if kind == "literal_error" and error.get("ctx"):
        zh = f"应为 {str(error['ctx']['expected']).replace(' or ', ' 或 ')} 之一"
    for pattern, template in _REASONS_ZH:
        if match := pattern.match(message):
            zh = template.format(*match.groups())
            break
    return (
        field_name,
        message + (f" (in {detail})" if detail else ""),
        zh + (f"（位于 {detail}）" if detail else ""),
    )


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
        raise DataError(str(folder), "not a folder of data files", zh="不是数据文件目录")
    curated = Curated()
    found = sorted(p for p in folder.iterdir() if p.suffix == ".yaml" and _kind_of(p))
    if not found:
        raise DataError(
            str(folder),
            "no data files (<kind>.yaml) found",
            zh="未找到数据文件（<kind>.yaml）",
        )
    for path in found:  # sizes and file types first: a bad file fails before any parsing
        _check_file(path, path.name)
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
                fname, message, message_zh = _first_error(exc)
                raise DataError(display, message, record=rid, field=fname, zh=message_zh) from None
            if item.id in curated.files:
                raise DataError(
                    display,
                    f"duplicate id, already used in {curated.files[item.id]}",
                    record=item.id,
                    field="id",
                    zh=f"id 重复，已在 {curated.files[item.id]} 中使用",
                )
            if item.id in {"meta", "ontology"}:
                raise DataError(display, "reserved id", record=item.id, field="id", zh="保留的 id")
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
            raise DataError(
                file,
                f"unknown source '{sid}'",
                record=rid,
                field="sources",
                zh=f"未知的来源 '{sid}'",
            )
    if isinstance(record, Concept):
        scheme = curated.records.get(record.scheme)
        if not isinstance(scheme, Scheme):
            raise DataError(
                file,
                f"unknown scheme '{record.scheme}'",
                record=rid,
                field="scheme",
                zh=f"未知的概念体系 '{record.scheme}'",
            )
    for name, emit in emits(type(record)):
        if name == "scheme":
            continue
        per_source: dict[str, object] = {}
        for claim in claims(record, name):
            for sid in claim.sources or ():
                if sid not in curated.sources:
                    raise DataError(
                        file,
                        f"unknown source '{sid}'",
                        record=rid,
                        field=name,
                        zh=f"未知的来源 '{sid}'",
                    )
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
                            zh=f"来源 '{sid}' 为单值字段给出了两个值",
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
                zh=f"未知的来源 '{source.part_of}'",
            )


def _check_ref(curated: Curated, record: Record, name: str, emit: Emit, value: str) -> None:
    file = curated.files[record.id]
    target = curated.records.get(value)
    if target is None:
        raise DataError(
            file,
            f"unknown reference '{value}'",
            record=record.id,
            field=name,
            zh=f"未知的引用 '{value}'",
        )
    if not _matches(target, emit.targets):
        raise DataError(
            file,
            f"'{value}' is of kind {target.kind}, expected {' or '.join(emit.targets)}",
            record=record.id,
            field=name,
            zh=f"'{value}' 的类型是 {target.kind}，应为 {' 或 '.join(emit.targets)}",
        )
    if emit.scheme is not None and getattr(target, "scheme", None) != emit.scheme:
        raise DataError(
            file,
            f"'{value}' is not in the concept scheme '{emit.scheme}'",
            record=record.id,
            field=name,
            zh=f"'{value}' 不在概念体系 '{emit.scheme}' 中",
        )
