"""miikg: the knowledge graph of the US DoD Manufacturing Innovation Institutes.

>>> import miikg
>>> sorted(miikg.__all__)[:3]
['DataError', 'MiikgError', '__version__']
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from miikg.errors import DataError, MiikgError

try:
    __version__ = version("miikg")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "DataError",
    "MiikgError",
    "__version__",
    "build",
    "describe",
    "query",
    "sparql",
    "stats",
    "table",
    "validate",
]

_API = {"build", "describe", "query", "sparql", "stats", "table", "validate"}


def __getattr__(name: str) -> Any:
    # The verbs live in miikg.api, imported on first use so `import miikg` stays light.
    if name in _API:
        return getattr(import_module("miikg.api"), name)
    raise AttributeError(f"module 'miikg' has no attribute {name!r}")
