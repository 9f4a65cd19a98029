"""Query plans from Oxigraph's own planner, and where a plan reads more than it needs.

pyoxigraph 0.5 has no ``explain``; the ``oxigraph`` command of the same release does
(``oxigraph query --explain-file``). Its plan is the plan the runner's query gets: the
runner binds parameters as an initial solution (``substitutions``), which the planner does
not see, so the plan of the unchanged query text is the one that runs. Evaluating it, a
pattern knows the bound parameters and, on the right of a for-loop join (``ForLoopJoin``,
``ForLoopLeftJoin``, ``Lateral``, an ``EXISTS`` filter), the values its left side binds.

A pattern *scans* when neither its subject nor its object is known when it is evaluated:
it reads every triple of its predicate (or of the store, if the predicate is free too).

The planner of Oxigraph 0.5 looks at the query only, not at the data, so a plan can be
read from an empty store without running the query on the real one (a test checks that
the plans agree).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Scan", "explain", "oxigraph_binary", "plan_shape", "scans"]

_TERM = re.compile(r'<[^>]*>|"(?:[^"\\]|\\.)*"(?:@[\w-]+|\^\^<[^>]*>)?|\?\w+|_:\w+|\([^()]*\)|\S+')
_VARIABLE = re.compile(r"\?\w+")
#: Variables the planner makes up (hex digits, leading zeros dropped) differ run to run.
_MADE_UP = re.compile(r"\?[0-9a-f]{20,32}\b")
_PATTERNS = ("QuadPattern(", "Path(")
_FOR_LOOPS = ("ForLoopJoin", "ForLoopLeftJoin", "Lateral")


def oxigraph_binary() -> str | None:
    """Return the ``oxigraph`` command installed beside this Python, or on the PATH."""
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def explain(store: Path, text: str, out: Path) -> dict[str, Any]:
    """Return the plan Oxigraph makes for *text* on the store in *store*."""
    binary = oxigraph_binary()
    assert binary, "the oxigraph command (pip package oxigraph) is needed"
    subprocess.run(
        [binary, "query", "-l", str(store), "--results-format", "tsv", "-q", text,
         "--explain-file", str(out)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120,
    )  # fmt: skip
    plan: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))["plan"]
    return plan


@dataclass(frozen=True)
class Scan:
    """A pattern evaluated with its subject and object unknown.

    *predicate* and *graph* are ``?`` when unknown too; *graph* is ``""`` for the default
    graph. A scan with a known graph reads that graph only (one source's claims).
    """

    pattern: str
    predicate: str
    graph: str


def _terms(name: str) -> tuple[str, str, str, str]:
    inner = name[name.index("(") + 1 : name.rindex(")")]
    terms = _TERM.findall(inner)
    if name.startswith("Path("):
        return terms[0], terms[1], terms[-1], ""
    return terms[0], terms[1], terms[2], terms[3] if len(terms) > 3 else ""


def _variables(node: dict[str, Any]) -> set[str]:
    """Return the variables a plan node may bind (a superset: OPTIONAL ones count too)."""
    name: str = node["name"]
    found: set[str] = set()
    if name.startswith((*_PATTERNS, "StaticBindings")):
        found = set(_VARIABLE.findall(name))
    elif name.startswith("Extend("):
        found = set(_VARIABLE.findall(name.rsplit("->", 1)[-1]))
    for child in node.get("children", []):
        found |= _variables(child)
    return found


def scans(node: dict[str, Any], bound: set[str]) -> list[Scan]:
    """Return the patterns of the plan *node* that scan, *bound* known beforehand."""
    name: str = node["name"]
    children: list[dict[str, Any]] = node.get("children", [])
    if name.startswith(_PATTERNS):
        subject, predicate, obj, graph = _terms(name)

        def free(term: str) -> bool:
            return term.startswith(("?", "_:")) and term not in bound

        if free(subject) and free(obj):
            known = "?" if free(predicate) else predicate
            return [Scan(name, known, "?" if free(graph) else graph)]
        return []
    for_loop = name.startswith(_FOR_LOOPS) or (name.startswith("Filter(") and len(children) > 1)
    if for_loop and children:
        left, *rest = children
        found = scans(left, bound)
        inner = bound | _variables(left)
        for child in rest:
            found += scans(child, inner)
        return found
    return [scan for child in children for scan in scans(child, bound)]


def plan_shape(node: dict[str, Any]) -> tuple[str, list[Any]]:
    """Return the plan *node* without the names the planner makes up, for comparison."""
    return _MADE_UP.sub("?_", node["name"]), [plan_shape(c) for c in node.get("children", [])]
