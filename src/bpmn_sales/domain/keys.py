"""Machine keys made from the names people give things: `Négociation` -> `negociation`.

A stage key is what the API, the CLI and the diagram's properties use; the name is what people
read, in any language. Letters with accents lose them (`Złożenie oferty` -> `zlozenie_oferty`),
Chinese and Japanese characters become their syllables, one word each (`初次拜访` ->
`chu_ci_bai_fang`), so a key stays readable and typeable on any keyboard.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection

from anyascii import anyascii

#: A stage key: a lower-case letter, then lower-case letters, digits and '_' (63 at most).
MAX_KEY = 63
FALLBACK = "stage"


def transliterate(text: str) -> str:
    """`text` in ASCII: accents dropped, each wide (CJK) character its own word."""
    parts = []
    for char in unicodedata.normalize("NFC", text):
        if char.isascii():
            parts.append(char)
            continue
        latin = anyascii(char)
        wide = unicodedata.east_asian_width(char) in ("W", "F")
        parts.append(f" {latin} " if wide and latin.isalnum() else latin)
    return "".join(parts)


def _fit(base: str, suffix: str = "") -> str:
    return base[: MAX_KEY - len(suffix)].rstrip("_") + suffix


def stage_key(name: str, taken: Collection[str] = ()) -> str:
    """A stage key for `name`, never empty, starting with a letter, not in `taken`."""
    words = re.findall(r"[a-z0-9]+", transliterate(name).lower())
    key = "_".join(words) or FALLBACK
    if not key[0].isalpha():
        key = f"{FALLBACK}_{key}"
    key = _fit(key)
    number = 2
    unique = key
    while unique in taken:
        unique = _fit(key, f"_{number}")
        number += 1
    return unique
