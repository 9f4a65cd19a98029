"""Which queries are heavy: learnt from each query's past run times, guessed on first sight.

The worker pool keeps capacity for cheap queries (:mod:`miikg.serve.workers`): a heavy
query may take only some of the workers, and one client only so many heavy ones at once.
That needs a cost before the query runs, which the engine does not give. A query is
judged by its *shape* (its tokens, comments and spacing aside): clients repeat the same
queries, so the last run times of a shape (a moving average) say what the next run will
cost. A shape never seen is guessed from its text (a product of unrelated patterns such as
``?a ?b ?c . ?d ?e ?f``, or a ``*``/``+`` property path, is heavy), and while its first run
is under way, further copies of it count as heavy: a burst of one new expensive query can
then take no more than one of the cheap queries' workers.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass

from miikg.serve.policy import tokenize

__all__ = ["CostModel", "looks_heavy", "shape_of"]


def shape_of(text: str) -> str:
    """Return the shape of a query: its tokens, one space apart (comments dropped)."""
    return " ".join(token.text for token in tokenize(text))


def looks_heavy(text: str) -> bool:
    """Guess from the text alone whether a query is expensive.

    Two or more triple patterns made of variables only (each matches every triple, so
    two of them make a product of the graph with itself), or a ``*`` or ``+`` path.

    >>> looks_heavy("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    False
    >>> looks_heavy("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }")
    True
    >>> looks_heavy("SELECT * WHERE { ?a <urn:p>+ ?b }")
    True
    """
    tokens = tokenize(text)
    open_patterns = 0
    for i in range(len(tokens) - 2):
        if all(t.kind == "var" for t in tokens[i : i + 3]):
            previous = tokens[i - 1].text if i else ""
            if previous in {"{", ".", ""} or previous.upper() == "WHERE":
                open_patterns += 1
    if open_patterns >= 2:
        return True
    for before, token in itertools.pairwise(tokens):
        if token.text in {"*", "+"} and (before.kind in {"iri", "pname"} or before.text == ")"):
            return True
    return False


@dataclass
class _Seen:
    seconds: float
    runs: int


class CostModel:
    """Run times of query shapes, and the verdict heavy or cheap.

    :param heavy_seconds: a shape whose average run takes this long or longer is heavy.
    :param shapes: how many shapes are remembered (least recently used go first).
    """

    def __init__(self, *, heavy_seconds: float = 0.25, shapes: int = 10_000) -> None:
        self.heavy_seconds = heavy_seconds
        self.shapes = shapes
        self._seen: OrderedDict[str, _Seen] = OrderedDict()
        self._first_runs: dict[str, int] = {}
        self._lock = threading.Lock()

    def is_heavy(self, text: str) -> tuple[str, bool]:
        """Return the shape of *text* and whether it is heavy; call :meth:`done` after."""
        shape = shape_of(text)
        with self._lock:
            seen = self._seen.get(shape)
            if seen is not None:
                self._seen.move_to_end(shape)
                return shape, seen.seconds >= self.heavy_seconds
            running = self._first_runs.get(shape, 0)
            self._first_runs[shape] = running + 1
            return shape, running > 0 or looks_heavy(text)

    def done(self, shape: str, seconds: float | None) -> None:
        """Record one run of *shape* that took *seconds* (None: it did not run at all)."""
        with self._lock:
            left = self._first_runs.get(shape, 0) - 1
            if left > 0:
                self._first_runs[shape] = left
            else:
                self._first_runs.pop(shape, None)
            if seconds is None:
                return
            seen = self._seen.get(shape)
            if seen is None:
                self._seen[shape] = _Seen(seconds, 1)
                while len(self._seen) > self.shapes:
                    self._seen.popitem(last=False)
            else:
                seen.seconds = (seen.seconds + seconds) / 2
                seen.runs += 1
                self._seen.move_to_end(shape)
