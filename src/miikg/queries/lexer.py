"""SPARQL's terminals (§19.8), for the few places that look at a query's text.

The endpoint's policy looks for keywords (an update, ``SERVICE``, ``FROM``) and the
remote engine binds parameters; both must not mistake a word inside an IRI, a string or
a comment for a keyword, nor a ``?x`` inside a string for a variable. The pattern below
is the grammar's terminals in the order that decides ambiguities: an IRI before ``<``,
a string before anything it may contain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Token", "lex", "tokenize"]

_WIDE = "\u00c0-\uffff\U00010000-\U000effff"
_PN_CHARS = rf"[\w\-\u00B7{_WIDE}]"
_PN_PREFIX = rf"[A-Za-z{_WIDE}](?:[\w\-.\u00B7{_WIDE}]*[\w\-\u00B7{_WIDE}])?"
_PN_LOCAL = rf"(?:{_PN_CHARS}|[:.%]|\\[_~.\-!$&'()*+,;=/?#@%])*"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$]\w+)
  | (?P<bnode>_:[\w\-.\u00B7\u00C0-\uFFFF]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:"""
    + _PN_PREFIX
    + ")?:"
    + _PN_LOCAL
    + r""")
  | (?P<word>[A-Za-z_]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Token:
    """One terminal: its kind (``iri``, ``string``, ``var``, ``word`` …), text and offset."""

    kind: str
    text: str
    start: int = 0

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def lex(text: str) -> list[Token]:
    """Split *text* into SPARQL terminals, whitespace and comments included."""
    return [Token(m.lastgroup or "other", m.group(), m.start()) for m in _TOKEN.finditer(text)]


def tokenize(text: str) -> list[Token]:
    """Split *text* into SPARQL tokens, whitespace and comments left out.

    >>> [t.text for t in tokenize('ASK { ?s ?p "?o # not a comment" } # a comment')]
    ['ASK', '{', '?s', '?p', '"?o # not a comment"', '}']
    """
    return [t for t in lex(text) if t.kind not in {"ws", "comment"}]
