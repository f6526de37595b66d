"""Arabic string normalization shared by the tokenizer, the actor linker and the classifier.

Only `camel_tools.utils` is imported: `camel_tools.data` (morphology) would create
~/.camel_tools and contact the network at import time.
"""
import re
from functools import lru_cache

from camel_tools.utils.dediac import dediac_ar
from camel_tools.utils.normalize import (
    normalize_alef_ar,
    normalize_alef_maksura_ar,
    normalize_teh_marbuta_ar,
)

TATWEEL = "\u0640"
# Bidi and zero-width marks carry no meaning for matching; they are dropped from norms only,
# never from the text.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\ufeff"))
_ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# str.translate with a table is slow on non-ASCII text (tens of µs per sentence); one regex
# search tells whether any character it would change is there at all (rarely).
_TRANSLATED = re.compile("[" + re.escape("".join(map(chr, [*_INVISIBLE, *_ARABIC_INDIC]))) + "]")
# Single-letter proclitics (conjunctions, prepositions) that attach to names in news text.
PROCLITICS = ("و", "ف", "ب", "ل", "ك")


@lru_cache(maxsize=200_000)
def normalize(text: str) -> str:
    """CAMeL normalization: dediacritize, unify alef / alef maqsura / teh marbuta, drop tatweel
    and invisible marks, Western digits, lower-cased Latin.

    text (str): The string to normalize.
    RETURNS (str): The normalized string (may be shorter than `text`).
    """
    s = text.replace(TATWEEL, "")
    if _TRANSLATED.search(s):
        s = s.translate(_INVISIBLE).translate(_ARABIC_INDIC)
    s = dediac_ar(s)
    s = normalize_alef_ar(s)
    s = normalize_alef_maksura_ar(s)
    s = normalize_teh_marbuta_ar(s)
    return s.lower()


def strip_proclitics(word: str, *, min_stem: int = 2) -> list[str]:
    """All readings of a normalized word with attached proclitics removed, longest first.

    `وللامم` → [`وللامم`, `للامم`, `الامم`, `لامم`, `امم`]: `لل` stands for `ل` + `ال` (the alef
    of the article drops after lam), so `الامم` is restored. Callers pick the first reading that
    is known, so an unknown word never loses letters by guesswork.

    word (str): A normalized word.
    RETURNS (list[str]): Candidate readings, the original first.
    """
    out = [word]
    w = word
    for _ in range(2):  # at most two stacked proclitics: و + ب/ل/ك
        if len(w) > min_stem and w[0] in PROCLITICS:
            if w[0] == "ل" and w.startswith("لل") and len(w) > min_stem + 1:
                out.append("ا" + w[1:])  # لل → ال
            w = w[1:]
            out.append(w)
        else:
            break
    if w.startswith("ال") and len(w) > min_stem + 2:
        out.append(w[2:])
    # keep order, drop duplicates
    seen = set()
    return [x for x in out if not (x in seen or seen.add(x))]
