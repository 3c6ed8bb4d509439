"""Win probability of an open deal (first version; stage rates come with the sales rules)."""

from __future__ import annotations


def probability(done: int, total: int) -> int:
    """Return the completed share of all activities, in whole percent."""
    if total <= 0:
        return 0
    return round(100 * min(done, total) / total)
