"""Say what is wrong with a query a person wrote: an update, an undeclared prefix, a typo.

Oxigraph's parser reports where it gave up, which for a query cut short is the end of
the input, and what it expected there, which for a prefixed name is a list of Unicode
ranges. Here the error names its cause in one line (plus the line of the query and a
caret) in en and zh.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from miikg.errors import QueryError, QueryRefusedError

__all__ = ["check_read_only", "syntax_error"]

#: The first keyword of each SPARQL 1.1 Update operation.
UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
)
#: Parts of a query that may contain anything: IRIs, strings, comments.
_OPAQUE = re.compile(
    r"<[^<>\"{}|^`\\\s]*>|\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|\"(?:[^\"\\\n]|\\.)*\""
    r"|'(?:[^'\\\n]|\\.)*'|#[^\n]*"
)
_WORD = re.compile(r"[A-Za-z]+")
_PREFIX_DECL = re.compile(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
_PREFIXED = re.compile(r"(?<![\w:?$@-])([A-Za-z][\w.-]*)?:(?=[\w%\\])")
_POSITION = re.compile(r"\b(\d+):(\d+)\b")
_SLASHED = re.compile(r"(?<![\w:?$@<-])([A-Za-z][\w.-]*)?:((?:[\w.-]|\\.)*/[\w./-]*)")
_NOISE = re.compile(r",?\s*\[[^\]]*\]")


def _blank(text: str) -> str:
    """Return *text* with IRIs, strings and comments blanked out (same length, same lines)."""
    return _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m[0]), text)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def check_read_only(text: str) -> None:
    """Refuse a SPARQL Update: a build is read-only.

    :raises QueryRefusedError: the text is an update (INSERT, DELETE, LOAD, CLEAR …).
    """
    for word in _WORD.findall(_blank(text)):
        upper = word.upper()
        if upper in {"PREFIX", "BASE"}:
            continue
        if upper in UPDATE_KEYWORDS:
            raise QueryRefusedError(
                f"{upper} is a SPARQL update, and miikg sparql is read-only: it only queries "
                "the current build (change the curated data and run `miikg build`, or use "
                "`miikg import`)",
                zh=f"{upper} 是 SPARQL 更新操作，而 miikg sparql 只读：它只查询当前构建"
                "（请修改整理的数据后运行 `miikg build`，或使用 `miikg import`）",
            )
        return


def _undeclared(text: str, predeclared: Mapping[str, str]) -> tuple[str, int] | None:
    blank = _blank(text)
    declared = {m[1] or "" for m in _PREFIX_DECL.finditer(blank)} | set(predeclared)
    for match in _PREFIXED.finditer(blank):
        name = match[1] or ""
        before = blank[: match.start()].rstrip()
        if before.upper().endswith("PREFIX"):
            continue
        if name not in declared:
            return name, match.start()
    return None


def _declared(text: str) -> dict[str, str]:
    return {
        m[1] or "": m[2]
        for m in re.finditer(r"\bPREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", text, re.IGNORECASE)
    }


def _shown(text: str, line: int, column: int) -> str:
    lines = text.splitlines() or [""]
    source = lines[min(line, len(lines)) - 1]
    return f"\n  {source}\n  {' ' * max(column - 1, 0)}^"


def syntax_error(text: str, exc: SyntaxError, predeclared: Mapping[str, str]) -> QueryError:
    """Turn Oxigraph's parse error into one that names the cause and where it is."""
    found = _undeclared(text, predeclared)
    if found is not None:
        name, offset = found
        line, column = _line_col(text, offset)
        return QueryError(
            f"undeclared prefix '{name}:' at line {line}, column {column}: declare it "
            f"(PREFIX {name}: <…>) or use one of the prefixes `miikg prefixes` lists"
            + _shown(text, line, column),
            zh=f"第 {line} 行第 {column} 列使用了未声明的前缀“{name}:”：请先声明"
            f"（PREFIX {name}: <…>），或使用 `miikg prefixes` 列出的前缀"
            + _shown(text, line, column),
        )
    slashed = _SLASHED.search(_blank(text))
    if slashed is not None:
        name, local = slashed[1] or "", slashed[2]
        line, column = _line_col(text, slashed.start())
        base = predeclared.get(name) or _declared(text).get(name)
        full = f"<{base}{local}>" if base else f"{name}:{local.replace('/', chr(92) + '/')}"
        escaped = f"{name}:{local.replace('/', chr(92) + '/')}"
        return QueryError(
            f"'{name}:{local}' at line {line}, column {column}: a prefixed name cannot hold "
            f"'/' in SPARQL; write {full} or {escaped}" + _shown(text, line, column),
            zh=f"第 {line} 行第 {column} 列的“{name}:{local}”：SPARQL 的前缀名中不能含“/”；"
            f"请写作 {full} 或 {escaped}" + _shown(text, line, column),
        )
    message = str(exc)
    where = _POSITION.search(message)
    if where is None:
        return QueryError(f"SPARQL syntax error: {message}", zh=f"SPARQL 语法错误：{message}")
    line, column = int(where[1]), int(where[2])
    detail = _NOISE.sub("", message[where.end() :].lstrip(": ")).strip(" ,") or message
    lines = text.splitlines() or [""]
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + column - 1
    if not text[offset:].strip() and text.strip():
        # The parser gave up at the end of the input: the query stops short. Point at the
        # last thing written, where something is missing, not at the empty end.
        last = re.search(r"\S+\s*$", text)
        line, column = _line_col(text, last.start() if last else 0)
        detail_zh = f"查询到此结束，但尚不完整（{detail}）"
        detail = f"the query ends before it is complete ({detail})"
    else:
        detail_zh = detail
    shown = _shown(text, line, column)
    return QueryError(
        f"SPARQL syntax error at line {line}, column {column}: {detail}{shown}",
        zh=f"SPARQL 语法错误，第 {line} 行第 {column} 列：{detail_zh}{shown}",
    )
