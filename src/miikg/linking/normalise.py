"""Fold names to a comparable form: case, punctuation, corporate suffixes, '&', Chinese script.

>>> normalise("UI LABS, Inc.")
'ui labs'
>>> normalise("數位製造") == normalise("数位制造")
True
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

__all__ = ["CORPORATE_SUFFIXES", "fold_chinese", "is_chinese", "normalise", "tokens"]

#: Words dropped at the end of an English name: legal forms, not part of the identity.
CORPORATE_SUFFIXES = frozenset(
    {"inc", "incorporated", "llc", "l l c", "corp", "corporation", "co", "company", "ltd",
     "limited", "plc", "lp", "llp"}
)  # fmt: skip
_AND = re.compile(r"\s*&\s*|\s*＆\s*")
_NOT_WORD = re.compile(r"[^\w]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@cache
def _converter() -> Any:
    # OpenCC's traditional → simplified tables (characters and phrases), shipped in the
    # wheel: a script fold, not a translation, and nothing is downloaded.
    import opencc

    return opencc.OpenCC("t2s")


def fold_chinese(text: str) -> str:
    """Return *text* with traditional Chinese characters written in simplified form.

    >>> fold_chinese("聯合製造技術委員會")
    '联合制造技术委员会'
    """
    if not _CJK.search(text):
        return text
    return str(_converter().convert(text))


def tokens(text: str) -> list[str]:
    """Return the words of *text* after folding (CJK text is one token per character run)."""
    text = fold_chinese(unicodedata.normalize("NFKC", text)).casefold()
    text = _AND.sub(" and ", text)
    words = [w for w in _NOT_WORD.sub(" ", text).replace("_", " ").split() if w]
    while len(words) > 1 and words[-1] in CORPORATE_SUFFIXES:
        words.pop()
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return words


def normalise(text: str) -> str:
    """Return the folded form of *text*: its tokens joined by one space, CJK runs unspaced."""
    joined = " ".join(tokens(text))
    # Chinese names carry no word spaces, and punctuation inside them is not a boundary.
    return re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", joined)


def is_chinese(text: str) -> bool:
    """Return whether *text* contains a CJK character."""
    return bool(_CJK.search(text))
