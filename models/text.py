"""Normalisation of Vietnamese names, so that spelling variants match one unit.

"Hoà Bình", "Hòa Bình", "tỉnh hòa bình" and "Tỉnh Hoà Bình" must all give the same key:
NFC/NFD differences, tone-mark placement (old "hoà" vs new "hòa"), case, punctuation and
administrative prefixes are not part of a unit's identity.
"""

from __future__ import annotations

import re
import unicodedata

# The five tone marks as combining characters (NFD). Other marks (circumflex, breve, horn)
# change the vowel itself and are kept.
_TONE_MARKS = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}



def _syllable_key(syllable: str) -> str:
    tone = ""
    base = []
    for ch in unicodedata.normalize("NFD", syllable):
        if ch in _TONE_MARKS:
            tone = _TONE_MARKS[ch]
        else:
            base.append(ch)
    return unicodedata.normalize("NFC", "".join(base)) + tone


def name_key(name: str) -> str:
    """A key that ignores case, tone placement, punctuation and spacing."""
    text = unicodedata.normalize("NFC", name).casefold()
    text = re.sub(r"[^\w]+", " ", text).strip()
    return " ".join(_syllable_key(s) for s in text.split())


# The Vietnamese alphabet (a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y): a letter
# with a breve, circumflex or horn is a letter of its own, sorted after its base; tone marks
# only break ties. Written here because Python's locale collation depends on the machine's
# locales and PyICU needs the ICU library compiled in.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_MARKS = {"\u0306": "\u0306", "\u0302": "\u0302", "\u031b": "\u031b"}


def vietnamese_sort_key(text: str) -> tuple:
    """Sorts names as a Vietnamese reader expects: "Đắk Lắk" after "Dak", "Ơ" after "Ô"."""
    letters: list[tuple[int, str]] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFD", text.casefold()):
        if ch in _TONE_MARKS:
            tones[-1:] = [_TONE_MARKS[ch]]
        elif ch in _LETTER_MARKS and letters:
            composed = unicodedata.normalize("NFC", letters[-1][1] + ch)
            letters[-1] = (_rank(composed), composed)
        else:
            letters.append((_rank(ch), ch))
            tones.append("0")
    return tuple(rank for rank, _ in letters), tuple(ch for _, ch in letters), tuple(tones)


def _rank(ch: str) -> int:
    """Spaces and punctuation first ("Hà Giang" before "Hải Dương"), then the alphabet, then the rest."""
    if not ch.isalnum():
        return -1
    at = _ALPHABET.find(ch)
    return at if at >= 0 else len(_ALPHABET) + ord(ch)


def lower_first(text: str) -> str:
    """``text`` as it reads inside a sentence: "Số lượt …" → "số lượt …"; an acronym keeps its
    capitals ("PAR INDEX", "UBND")."""
    return text[:1].lower() + text[1:] if text[1:2].islower() or len(text) < 2 else text


def strip_accents(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def short_name_key(name: str) -> str | None:
    """The key of a name without its administrative prefix ("Tỉnh", "Thành phố", "TP."),
    or None when the name has no such prefix."""
    words = name_key(name).split()
    for prefix in _PREFIX_KEYS:
        if words[: len(prefix)] == prefix and len(words) > len(prefix):
            return " ".join(words[len(prefix) :])
    return None


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def printable(text: str) -> str:
    """``text`` fit to store and show: bytes that were not UTF-8 (a file name from another system,
    which Python decodes as lone surrogates) become U+FFFD; control and invisible formatting
    characters (NUL, new lines, a right-to-left override) become '?'; other spaces a plain space."""
    return "".join(ch if ch.isprintable() else "\ufffd" if unicodedata.category(ch) == "Cs"
                   else " " if unicodedata.category(ch) == "Zs" else "?" for ch in text)


_PREFIX_KEYS = [
    name_key(p).split()
    for p in ("Thành phố trực thuộc Trung ương", "Thành phố", "TP", "Tỉnh")
]
