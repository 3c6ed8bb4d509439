"""Runtime guards for diagram code: the operations that can blow up, checked as they run.

The evaluator rewrites `*`, `**`, `<<`, `+`, `%`, attribute access, assignments and f-strings
into calls of these guards, and gives user code only the builtins listed here.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterable
from typing import Any, Final

from bpmn_sales.engine.expressions.allowed import (
    MAX_INT_BITS,
    MAX_ROUND_DIGITS,
    MAX_SEQUENCE_LENGTH,
    MAX_VALUE_SIZE,
    METHODS_BY_TYPE,
)
from bpmn_sales.i18n import _

# --------------------------------------------------------------------------------------------
# Runtime guards
# --------------------------------------------------------------------------------------------


class Refused(Exception):
    """Raised by a guard; `evaluate`/`execute` turn it into `UnsafeExpression` with the source."""


def _value_size(value: object, budget: int) -> int:
    """Elements plus characters in `value`, through nested containers (shared references and
    cycles are counted every time they are reached); stops counting once above `budget`."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        total += 1
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
        if total > budget:
            break
    return total


def check_size(value: object, what: str) -> None:
    size = _value_size(value, MAX_VALUE_SIZE)
    if size > MAX_VALUE_SIZE:
        raise Refused(
            _(
                "%(what)s is too large (more than %(most)s elements and characters)",
                what=what,
                most=MAX_VALUE_SIZE,
            )
        )


def _check_length(length: int, what: str) -> None:
    if length > MAX_SEQUENCE_LENGTH:
        raise Refused(
            _(
                "%(what)s would produce a sequence of %(length)s items (at most %(most)s)",
                what=what,
                length=length,
                most=MAX_SEQUENCE_LENGTH,
            )
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_bits(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise Refused(
            _(
                "%(what)s would produce an integer of about %(bits)s bits (at most %(most)s)",
                what=what,
                bits=bits,
                most=MAX_INT_BITS,
            )
        )


def _guard_mul(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, str | bytes | list | tuple):
        left, right = right, left
    if isinstance(left, str | bytes | list | tuple) and isinstance(right, int):
        _check_length(len(left) * right, "repetition (*)")
        if right > 0 and isinstance(left, list | tuple):
            budget = MAX_VALUE_SIZE // right
            if _value_size(left, budget) > budget:
                raise Refused(
                    _(
                        "repetition (*) would produce a value larger than %(most)s elements",
                        most=MAX_VALUE_SIZE,
                    )
                )
    elif _is_int(left) and _is_int(right):
        _check_bits(left.bit_length() + right.bit_length(), "multiplication (*)")
    return left * right


def _guard_pow(base: Any, exponent: Any) -> Any:
    if _is_int(base) and _is_int(exponent) and exponent > 0 and base not in (-1, 0, 1):
        _check_bits(base.bit_length() * exponent, "power (**)")
    return base**exponent


def _guard_lshift(left: Any, right: Any) -> Any:
    if _is_int(left) and _is_int(right) and left != 0:
        _check_bits(left.bit_length() + right, "shift (<<)")
    return left << right


def _guard_add(left: Any, right: Any) -> Any:
    if isinstance(left, str | bytes | list | tuple) and isinstance(
        right, str | bytes | list | tuple
    ):
        _check_length(len(left) + len(right), "concatenation (+)")
    return left + right


def _guard_mod(left: Any, right: Any) -> Any:
    if isinstance(left, str | bytes):
        raise Refused(_("%-formatting of strings is not allowed (use an f-string)"))
    return left % right


def _guard_value(value: Any) -> Any:
    if callable(value):
        raise Refused(_("functions and methods cannot be assigned"))
    check_size(value, _("the assigned value"))
    return value


def _guard_format(value: Any) -> Any:
    check_size(value, _("the value formatted in an f-string"))
    return value


def _safe_str(*args: Any) -> str:
    if args:
        check_size(args[0], _("the value passed to str()"))
    return str(*args)


def _safe_sum(values: Iterable[Any], /, start: Any = 0) -> Any:
    if not isinstance(start, int | float):
        raise Refused(_("sum() only adds numbers"))
    return sum(values, start)


def _safe_round(number: Any, ndigits: Any = None) -> Any:
    if ndigits is None:
        return round(number)
    if _is_int(ndigits) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise Refused(_("round() takes at most %(most)s digits", most=MAX_ROUND_DIGITS))
    return round(number, ndigits)


def _safe_join(separator: str) -> Callable[[Iterable[Any]], str]:
    def join(iterable: Iterable[Any], /) -> str:
        items = list(iterable)
        length = len(separator) * max(len(items) - 1, 0)
        length += sum(len(item) for item in items if isinstance(item, str))
        _check_length(length, "str.join()")
        return separator.join(items)

    return join


def _safe_replace(text: str) -> Callable[..., str]:
    def replace(old: str, new: str, count: int = -1, /) -> str:
        if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
            hits = text.count(old) if old else len(text) + 1
            if _is_int(count) and count >= 0:
                hits = min(hits, count)
            _check_length(len(text) + hits * (len(new) - len(old)), "str.replace()")
        return text.replace(old, new, count)

    return replace


def _guard_attribute(value: Any, name: str) -> Any:
    for kind, methods in METHODS_BY_TYPE:
        if isinstance(value, kind):
            if name not in methods:
                raise AttributeError(
                    _(
                        "'%(type)s' object has no allowed attribute '%(name)s'",
                        type=kind.__name__,
                        name=name,
                    )
                )
            if isinstance(value, str) and name == "join":
                return _safe_join(value)
            if isinstance(value, str) and name == "replace":
                return _safe_replace(value)
            return getattr(value, name)
    if value is None or isinstance(value, int | float | complex):
        raise AttributeError(
            _(
                "'%(type)s' object has no attribute '%(name)s'",
                type=type(value).__name__,
                name=name,
            )
        )
    raise Refused(
        _(
            "attribute '%(name)s' is only allowed on str, dict, list and tuple values, not on "
            "%(type)s",
            name=name,
            type=type(value).__name__,
        )
    )


ATTRIBUTE_HELPER: Final = "__bs_attribute"
VALUE_HELPER: Final = "__bs_value"
FORMAT_HELPER: Final = "__bs_format"
BINOP_HELPERS: Final[dict[type[ast.operator], str]] = {
    ast.Mult: "__bs_mul",
    ast.Pow: "__bs_pow",
    ast.LShift: "__bs_lshift",
    ast.Add: "__bs_add",
    ast.Mod: "__bs_mod",
}

SAFE_BUILTINS: Final[dict[str, object]] = {
    "abs": abs,
    "all": all,
    "any": any,
    "bool": bool,
    "dict": dict,
    "float": float,
    "int": int,
    "len": len,
    "list": list,
    "max": max,
    "min": min,
    "round": _safe_round,
    "set": set,
    "sorted": sorted,
    "str": _safe_str,
    "sum": _safe_sum,
    "tuple": tuple,
}

# Calls of other Python builtins (open, eval, exec, getattr, type, ...) are refused up front
# with a clear message; as plain names they may still be diagram variables (e.g. `type`).
REFUSED_CALLS: Final = frozenset(dir(builtins)) - SAFE_BUILTINS.keys()

# Globals of every evaluation; user code cannot write to it (no `global`, no `_` names).
GLOBALS: Final[dict[str, Any]] = {
    "__builtins__": SAFE_BUILTINS,
    ATTRIBUTE_HELPER: _guard_attribute,
    VALUE_HELPER: _guard_value,
    FORMAT_HELPER: _guard_format,
    "__bs_mul": _guard_mul,
    "__bs_pow": _guard_pow,
    "__bs_lshift": _guard_lshift,
    "__bs_add": _guard_add,
    "__bs_mod": _guard_mod,
}
