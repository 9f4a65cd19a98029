"""Fold names to a comparable form: case, punctuation, corporate suffixes, '&', Chinese script.

>>> normalise("UI LABS, Inc.")
'ui labs'
>>> normalise("數位製造") == normalise("数位制造")
True
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["CORPORATE_SUFFIXES", "fold_chinese", "normalise", "tokens"]

#: Traditional → simplified for the characters of the graph's zh names (and a few common
#: neighbours): a script fold, not a translation, so one table is enough and nothing is
#: downloaded. Each pair is traditional then simplified.
_PAIRS = (
    "與与業业會会軍军辦办務务動动區区發发員员國国實实學学應应戰战數数術术機机構构標标"
    "現现電电紉纫纖纤約约級级紡纺紐纽組组織织統统維维聯联營营計计設设質质車车輕轻輛辆"
    "進进採采長长陸陆驗验項项創创製制屬属準准澤泽們们個个這这為为關关開开門门問问間间"
    "東东鐵铁鋼钢複复資资經经濟济際际總总處处廳厅層层備备傳传測测試试規规劃划報报書书"
    "圖图號号亞亚灣湾氣气運运輸输過过還还權权樂乐識识認认證证隊队專专雲云獎奖勵励財财"
    "監监導导領领優优勢势興兴團团醫医藥药環环點点線线護护華华頓顿體体積积產产協协議议"
    "網网絡络麥麦蘭兰爾尔羅罗聖圣區区縣县島岛灣湾黨党選选舉举義义軟软檢检驅驱輪轮鏈链"
)
_TRAD_TO_SIMP = str.maketrans(_PAIRS[0::2], _PAIRS[1::2])

#: Words dropped at the end of an English name: legal forms, not part of the identity.
CORPORATE_SUFFIXES = frozenset(
    {"inc", "incorporated", "llc", "l l c", "corp", "corporation", "co", "company", "ltd",
     "limited", "plc", "lp", "llp"}
)  # fmt: skip
_AND = re.compile(r"\s*&\s*|\s*＆\s*")
_NOT_WORD = re.compile(r"[^\w]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


def fold_chinese(text: str) -> str:
    """Return *text* with traditional Chinese characters written in simplified form."""
    return text.translate(_TRAD_TO_SIMP)


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
