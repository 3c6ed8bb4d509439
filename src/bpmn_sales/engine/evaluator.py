"""A restricted evaluator for the Python found in diagrams (conditions, parameters, scripts).

Diagrams are untrusted user input, so their code is parsed with `ast`, checked against a
whitelist of node types, rewritten so that the operations which can blow up (`*`, `**`, `+`,
`<<`, `%`, attribute access, f-string values, assignments) go through guarded helpers, and
then compiled once. Both the check and the compiled code are cached per source string, so
the hot path (a condition evaluated on every engine step) is a cache lookup plus one `eval`.

Refused code raises `UnsafeExpression`; ordinary runtime errors of well-formed code
(`NameError`, `KeyError`, `TypeError`, `ZeroDivisionError`, ...) propagate unchanged.
"""

from __future__ import annotations

import ast
import builtins
import copy
import functools
import textwrap
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from types import CodeType, TracebackType
from typing import Any, Final, Literal

from bpmn_sales.errors import UnsafeExpression

__all__ = [
    "MAX_INT_BITS",
    "MAX_SEQUENCE_LENGTH",
    "MAX_SOURCE_LENGTH",
    "MAX_VALUE_SIZE",
    "RestrictedEvaluator",
    "compile_expression",
    "compile_script",
]

MAX_SOURCE_LENGTH: Final = 10_000
"""Longest expression or script accepted, in characters."""
MAX_SEQUENCE_LENGTH: Final = 100_000
"""Longest str/bytes/list/tuple that `*`, `+`, `join` and `replace` may produce."""
MAX_INT_BITS: Final = 100_000
"""Largest integer (in bits) that `*`, `**` and `<<` may produce."""
MAX_VALUE_SIZE: Final = 1_000_000
"""Largest value (elements + characters, counted through nested containers) that a script may
assign, `str()` or an f-string may format, or a repetition may build."""
MAX_ROUND_DIGITS: Final = 100
_QUOTE_LENGTH: Final = 200
_CACHE_SIZE: Final = 4096

Kind = Literal["expression", "script"]

# --------------------------------------------------------------------------------------------
# What is allowed
# --------------------------------------------------------------------------------------------

_EXPRESSION_NODES: Final[frozenset[type[ast.AST]]] = frozenset(
    {
        ast.Expression,
        ast.Constant,
        ast.Name,
        ast.Load,
        ast.List,
        ast.Tuple,
        ast.Dict,
        ast.Set,
        ast.Subscript,
        ast.Slice,
        ast.BoolOp,
        ast.And,
        ast.Or,
        ast.Compare,
        ast.Eq,
        ast.NotEq,
        ast.Lt,
        ast.LtE,
        ast.Gt,
        ast.GtE,
        ast.Is,
        ast.IsNot,
        ast.In,
        ast.NotIn,
        ast.UnaryOp,
        ast.Not,
        ast.USub,
        ast.UAdd,
        ast.Invert,
        ast.BinOp,
        ast.Add,
        ast.Sub,
        ast.Mult,
        ast.Div,
        ast.FloorDiv,
        ast.Mod,
        ast.Pow,
        ast.LShift,
        ast.RShift,
        ast.BitOr,
        ast.BitXor,
        ast.BitAnd,
        ast.IfExp,
        ast.Call,
        ast.keyword,
        ast.Attribute,
        ast.JoinedStr,
        ast.FormattedValue,
    }
)

_SCRIPT_NODES: Final[frozenset[type[ast.AST]]] = _EXPRESSION_NODES | {
    ast.Module,
    ast.Store,
    ast.Assign,
    ast.AugAssign,
    ast.Expr,
    ast.If,
    ast.Pass,
}

# Why a node is refused, for the constructs people actually try.
_REFUSALS: Final[dict[type[ast.AST], str]] = {
    ast.Import: "import statements are",
    ast.ImportFrom: "import statements are",
    ast.Lambda: "lambda expressions are",
    ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are",
    ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "generator expressions are",
    ast.For: "loops are",
    ast.AsyncFor: "loops are",
    ast.While: "loops are",
    ast.FunctionDef: "function definitions are",
    ast.AsyncFunctionDef: "function definitions are",
    ast.ClassDef: "class definitions are",
    ast.Return: "return statements are",
    ast.With: "with statements are",
    ast.AsyncWith: "with statements are",
    ast.Try: "try statements are",
    ast.TryStar: "try statements are",
    ast.Raise: "raise statements are",
    ast.Assert: "assert statements are",
    ast.Global: "global declarations are",
    ast.Nonlocal: "nonlocal declarations are",
    ast.Delete: "del statements are",
    ast.Del: "del statements are",
    ast.NamedExpr: "assignment expressions (:=) are",
    ast.Await: "await expressions are",
    ast.Yield: "yield expressions are",
    ast.YieldFrom: "yield expressions are",
    ast.Starred: "starred expressions (*) are",
    ast.MatMult: "the @ operator is",
    ast.AnnAssign: "annotated assignments are",
    ast.Match: "match statements are",
    ast.Assign: "assignments are",
    ast.AugAssign: "assignments are",
    ast.If: "if statements are",
}

_STR_METHODS: Final = frozenset(
    {
        "capitalize",
        "casefold",
        "count",
        "endswith",
        "find",
        "index",
        "isalnum",
        "isalpha",
        "isdecimal",
        "isdigit",
        "islower",
        "isnumeric",
        "isspace",
        "istitle",
        "isupper",
        "join",
        "lower",
        "lstrip",
        "partition",
        "removeprefix",
        "removesuffix",
        "replace",
        "rfind",
        "rindex",
        "rpartition",
        "rsplit",
        "rstrip",
        "split",
        "splitlines",
        "startswith",
        "strip",
        "swapcase",
        "title",
        "upper",
    }
)
_DICT_METHODS: Final = frozenset({"get", "items", "keys", "values"})
_SEQUENCE_METHODS: Final = frozenset({"count", "index"})
_METHODS_BY_TYPE: Final[tuple[tuple[type, frozenset[str]], ...]] = (
    (str, _STR_METHODS),
    (dict, _DICT_METHODS),
    (list, _SEQUENCE_METHODS),
    (tuple, _SEQUENCE_METHODS),
)
_ALLOWED_METHODS: Final = _STR_METHODS | _DICT_METHODS | _SEQUENCE_METHODS

# --------------------------------------------------------------------------------------------
# Runtime guards
# --------------------------------------------------------------------------------------------


class _Refused(Exception):
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


def _check_size(value: object, what: str) -> None:
    size = _value_size(value, MAX_VALUE_SIZE)
    if size > MAX_VALUE_SIZE:
        raise _Refused(f"{what} is too large (more than {MAX_VALUE_SIZE} elements and characters)")


def _check_length(length: int, what: str) -> None:
    if length > MAX_SEQUENCE_LENGTH:
        raise _Refused(
            f"{what} would produce a sequence of {length} items (at most {MAX_SEQUENCE_LENGTH})"
        )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_bits(bits: int, what: str) -> None:
    if bits > MAX_INT_BITS:
        raise _Refused(
            f"{what} would produce an integer of about {bits} bits (at most {MAX_INT_BITS})"
        )


def _guard_mul(left: Any, right: Any) -> Any:
    if isinstance(left, int) and isinstance(right, str | bytes | list | tuple):
        left, right = right, left
    if isinstance(left, str | bytes | list | tuple) and isinstance(right, int):
        _check_length(len(left) * right, "repetition (*)")
        if right > 0 and isinstance(left, list | tuple):
            budget = MAX_VALUE_SIZE // right
            if _value_size(left, budget) > budget:
                raise _Refused(
                    f"repetition (*) would produce a value larger than {MAX_VALUE_SIZE} elements"
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
        raise _Refused("%-formatting of strings is not allowed (use an f-string)")
    return left % right


def _guard_value(value: Any) -> Any:
    if callable(value):
        raise _Refused("functions and methods cannot be assigned")
    _check_size(value, "the assigned value")
    return value


def _guard_format(value: Any) -> Any:
    _check_size(value, "the value formatted in an f-string")
    return value


def _safe_str(*args: Any) -> str:
    if args:
        _check_size(args[0], "the value passed to str()")
    return str(*args)


def _safe_sum(values: Iterable[Any], /, start: Any = 0) -> Any:
    if not isinstance(start, int | float):
        raise _Refused("sum() only adds numbers")
    return sum(values, start)


def _safe_round(number: Any, ndigits: Any = None) -> Any:
    if ndigits is None:
        return round(number)
    if _is_int(ndigits) and abs(ndigits) > MAX_ROUND_DIGITS:
        raise _Refused(f"round() takes at most {MAX_ROUND_DIGITS} digits")
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
    for kind, methods in _METHODS_BY_TYPE:
        if isinstance(value, kind):
            if name not in methods:
                raise AttributeError(f"'{kind.__name__}' object has no allowed attribute '{name}'")
            if isinstance(value, str) and name == "join":
                return _safe_join(value)
            if isinstance(value, str) and name == "replace":
                return _safe_replace(value)
            return getattr(value, name)
    if value is None or isinstance(value, int | float | complex):
        raise AttributeError(f"'{type(value).__name__}' object has no attribute '{name}'")
    raise _Refused(
        f"attribute '{name}' is only allowed on str, dict, list and tuple values, "
        f"not on {type(value).__name__}"
    )


_ATTRIBUTE_HELPER: Final = "__bs_attribute"
_VALUE_HELPER: Final = "__bs_value"
_FORMAT_HELPER: Final = "__bs_format"
_BINOP_HELPERS: Final[dict[type[ast.operator], str]] = {
    ast.Mult: "__bs_mul",
    ast.Pow: "__bs_pow",
    ast.LShift: "__bs_lshift",
    ast.Add: "__bs_add",
    ast.Mod: "__bs_mod",
}

_SAFE_BUILTINS: Final[dict[str, object]] = {
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
_REFUSED_CALLS: Final = frozenset(dir(builtins)) - _SAFE_BUILTINS.keys()

# Globals of every evaluation; user code cannot write to it (no `global`, no `_` names).
_GLOBALS: Final[dict[str, Any]] = {
    "__builtins__": _SAFE_BUILTINS,
    _ATTRIBUTE_HELPER: _guard_attribute,
    _VALUE_HELPER: _guard_value,
    _FORMAT_HELPER: _guard_format,
    "__bs_mul": _guard_mul,
    "__bs_pow": _guard_pow,
    "__bs_lshift": _guard_lshift,
    "__bs_add": _guard_add,
    "__bs_mod": _guard_mod,
}

# --------------------------------------------------------------------------------------------
# Static check
# --------------------------------------------------------------------------------------------


def _quote(source: str, kind: Kind, line: int | None) -> str:
    if kind == "script" and line is not None:
        lines = source.splitlines()
        text = lines[line - 1].strip() if 0 < line <= len(lines) else source.strip()
    else:
        text = " ".join(source.split())
    return text if len(text) <= _QUOTE_LENGTH else text[: _QUOTE_LENGTH - 3] + "..."


def _unsafe(reason: str, source: str, kind: Kind, line: int | None) -> UnsafeExpression:
    where = f" (line {line})" if kind == "script" and line is not None else ""
    return UnsafeExpression(
        f"{reason} in a diagram {kind}{where}: {_quote(source, kind, line)}", line=line
    )


def _check_target(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return None
    if isinstance(target, ast.Subscript):
        if isinstance(target.slice, ast.Slice):
            return "assignment to a slice is not allowed"
        return None
    if isinstance(target, ast.Attribute):
        return "assignment to an attribute is not allowed"
    return "assignment to several targets at once (unpacking) is not allowed"


def _refusal(node: ast.AST, allowed: frozenset[type[ast.AST]]) -> str | None:
    """Why `node` is refused, or None if it is fine."""
    if type(node) not in allowed:
        reason = _REFUSALS.get(type(node), f"{type(node).__name__} constructs are")
        return f"{reason} not allowed"
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            return f"name '{node.id}' is not allowed"
    elif isinstance(node, ast.Attribute):
        if node.attr.startswith("_") or node.attr not in _ALLOWED_METHODS:
            return f"attribute '{node.attr}' is not allowed"
        if not isinstance(node.ctx, ast.Load):
            return "assignment to an attribute is not allowed"
    elif isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and not func.id.startswith("_") and func.id in _REFUSED_CALLS:
            return f"function '{func.id}' is not allowed"
        if any(keyword.arg is None for keyword in node.keywords):
            return "keyword unpacking (**) is not allowed"
    elif isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            return "dict unpacking (**) is not allowed"
    elif isinstance(node, ast.FormattedValue):
        if node.format_spec is not None:
            return "format specifications in f-strings are not allowed"
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            problem = _check_target(target)
            if problem:
                return problem
    elif isinstance(node, ast.AugAssign):
        return _check_target(node.target)
    return None


def _validate(tree: ast.AST, source: str, kind: Kind) -> None:
    allowed = _SCRIPT_NODES if kind == "script" else _EXPRESSION_NODES
    for node in ast.walk(tree):
        reason = _refusal(node, allowed)
        if reason is not None:
            raise _unsafe(reason, source, kind, getattr(node, "lineno", None))


# --------------------------------------------------------------------------------------------
# Rewriting
# --------------------------------------------------------------------------------------------


def _helper_call(helper: str, args: list[ast.expr], where: ast.AST) -> ast.Call:
    call = ast.Call(func=ast.Name(id=helper, ctx=ast.Load()), args=args, keywords=[])
    return ast.copy_location(call, where)


class _Guard(ast.NodeTransformer):
    """Route the operations that can blow up or escape through the guards above."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        helper = _BINOP_HELPERS.get(type(node.op))
        if helper is None:
            return node
        return _helper_call(helper, [node.left, node.right], node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        self.generic_visit(node)
        name = ast.copy_location(ast.Constant(value=node.attr), node)
        return _helper_call(_ATTRIBUTE_HELPER, [node.value, name], node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.FormattedValue:
        self.generic_visit(node)
        node.value = _helper_call(_FORMAT_HELPER, [node.value], node.value)
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.Assign:
        self.generic_visit(node)
        node.value = _helper_call(_VALUE_HELPER, [node.value], node.value)
        return node

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.Assign:
        # `t op= v` becomes `t = t op v`, so the binary-operator guards apply.
        current = copy.deepcopy(node.target)
        current.ctx = ast.Load()
        value = ast.copy_location(ast.BinOp(left=current, op=node.op, right=node.value), node)
        assign = ast.copy_location(ast.Assign(targets=[node.target], value=value), node)
        return self.visit_Assign(assign)


def _assigned_roots(tree: ast.Module) -> frozenset[str]:
    """Variables a script assigns to, directly or through a subscript (`a['x'] = ...` -> a)."""
    roots: set[str] = set()
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign):
            targets = [node.target]
        for target in targets:
            while isinstance(target, ast.Subscript):
                target = target.value
            if isinstance(target, ast.Name):
                roots.add(target.id)
    return frozenset(roots)


def _parse(source: str, kind: Kind) -> ast.AST:
    if not isinstance(source, str):
        raise TypeError(f"a diagram {kind} must be a str, not {type(source).__name__}")
    if len(source) > MAX_SOURCE_LENGTH:
        raise UnsafeExpression(
            f"diagram {kind} is too long ({len(source)} characters, at most {MAX_SOURCE_LENGTH})"
        )
    text = source.strip() if kind == "expression" else textwrap.dedent(source)
    try:
        return ast.parse(text, mode="eval" if kind == "expression" else "exec")
    except SyntaxError as err:
        line = err.lineno or None
        raise _unsafe(f"syntax error ({err.msg})", text, kind, line) from None
    except (RecursionError, MemoryError, ValueError) as err:
        raise _unsafe(f"unparsable code ({err})", text, kind, None) from None


def _build(tree: ast.AST, source: str, kind: Kind) -> CodeType:
    _validate(tree, source, kind)
    try:
        guarded = ast.fix_missing_locations(_Guard().visit(tree))
        return compile(guarded, f"<diagram {kind}>", "eval" if kind == "expression" else "exec")
    except (RecursionError, MemoryError) as err:
        raise _unsafe(f"code nested too deeply ({err})", source, kind, None) from None


@functools.lru_cache(maxsize=_CACHE_SIZE)
def compile_expression(source: str) -> CodeType:
    """Check `source` as a diagram expression and compile its guarded form (cached)."""
    return _build(_parse(source, "expression"), source.strip(), "expression")


@functools.lru_cache(maxsize=_CACHE_SIZE)
def compile_script(source: str) -> tuple[CodeType, frozenset[str]]:
    """Check `source` as a diagram script and compile its guarded form (cached); also return
    the variables it assigns."""
    tree = _parse(source, "script")
    assert isinstance(tree, ast.Module)
    roots = _assigned_roots(tree)
    return _build(tree, textwrap.dedent(source), "script"), roots


def _refused_line(traceback: TracebackType | None, code: CodeType) -> int | None:
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code is code:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


class RestrictedEvaluator:
    """Check, evaluate and execute the Python found in diagrams, within a restricted subset.

    Stateless; the caches behind `compile_expression`/`compile_script` are module-wide.
    """

    def validate_expression(self, source: str) -> None:
        """Raise `UnsafeExpression` if `source` is not an acceptable diagram expression."""
        compile_expression(source)

    def validate_script(self, source: str) -> None:
        """Raise `UnsafeExpression` if `source` is not an acceptable diagram script."""
        compile_script(source)

    def evaluate(self, source: str, names: Mapping[str, Any]) -> Any:
        """Evaluate the expression `source` with `names` as its variables."""
        code = compile_expression(source)
        try:
            return eval(code, _GLOBALS, names)  # noqa: S307 - checked and guarded code
        except _Refused as err:
            raise _unsafe(str(err), source.strip(), "expression", None) from None

    def execute(self, source: str, names: MutableMapping[str, Any]) -> None:
        """Run the script `source`; its assignments land in `names` (and nothing else does)."""
        code, roots = compile_script(source)
        try:
            exec(code, _GLOBALS, names)  # noqa: S102 - checked and guarded code
            for root in roots:
                if root in names:
                    _check_size(names[root], f"the value of '{root}'")
        except _Refused as err:
            line = _refused_line(err.__traceback__, code)
            raise _unsafe(str(err), textwrap.dedent(source), "script", line) from None
