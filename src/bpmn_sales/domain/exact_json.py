"""JSON with money exact: a Decimal is written as a JSON number with its own digits.

`json.dumps` refuses a Decimal and going through `float` would let binary rounding in; here
`Decimal("0.30")` becomes the number `0.30`, digit for digit. The API and the CLI's `--json`
write through this; a reader that needs the exact value parses numbers as decimals (Python:
`json.loads(text, parse_float=Decimal)`).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from decimal import Decimal
from typing import Any

# A per-process random tag: no text a user sends can pass for an amount.
_TAG = f"decimal-{secrets.token_hex(12)}:"
_TAGGED = re.compile(rf'"{re.escape(_TAG)}(-?[0-9]+(?:\.[0-9]+)?)"')


def dumps(value: Any, fallback: Callable[[Any], Any] = str, **kwargs: Any) -> str:
    """`json.dumps` with Decimals as exact numbers; other unknown values through `fallback`."""

    def default(item: Any) -> Any:
        if isinstance(item, Decimal) and item.is_finite():
            return f"{_TAG}{item:f}"
        return fallback(item)

    return _TAGGED.sub(r"\1", json.dumps(value, default=default, **kwargs))
