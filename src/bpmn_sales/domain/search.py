"""Text search on names and companies: the words a record is found by, and a query's words.

A record is found by the beginnings of its words: "north" finds "Northwind Traders", and so do
"trad" and "northwind t". Matching is case-insensitive and ignores punctuation; each word of
a query must begin some word of the record.
"""

from __future__ import annotations

import re

from bpmn_sales.errors import InvalidInput
from bpmn_sales.i18n import _

TERM_LENGTH = 40  # longer words are kept by their first 40 characters
MAX_QUERY_WORDS = 5
WORD = re.compile(r"\w+")


def words(text: str | None) -> list[str]:
    """The text's words, case-folded and cut to TERM_LENGTH, in order, without repeats."""
    found = (w.casefold()[:TERM_LENGTH] for w in WORD.findall(text or ""))
    return list(dict.fromkeys(w for w in found if w))


def terms(*texts: str | None) -> set[str]:
    """Every word a record with these texts (name, company) is found by."""
    return {w for text in texts for w in words(text)}


def query_words(query: str | None) -> list[str]:
    """The words of a search box; refuse a query with nothing to search for or too much."""
    if query is None or not query.strip():
        return []
    found = words(query)
    if not found:
        raise InvalidInput(_("q must contain a letter or a digit to search for"), field="q")
    if len(found) > MAX_QUERY_WORDS:
        raise InvalidInput(_("q may have at most %(most)s words", most=MAX_QUERY_WORDS), field="q")
    return found


def prefix_range(word: str) -> tuple[str, str]:
    """(low, high): the words beginning with `word` are low <= w < high in code-point order."""
    return word, word[:-1] + chr(ord(word[-1]) + 1)
