"""What diagram code may contain: limits, syntax nodes, refusal messages, allowed methods."""

from __future__ import annotations

import ast
from typing import Final, Literal

from babel.support import LazyProxy

from bpmn_sales.i18n import lazy_gettext

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

Kind = Literal["expression", "script"]

# --------------------------------------------------------------------------------------------
# What is allowed
# --------------------------------------------------------------------------------------------

EXPRESSION_NODES: Final[frozenset[type[ast.AST]]] = frozenset(
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

SCRIPT_NODES: Final[frozenset[type[ast.AST]]] = EXPRESSION_NODES | {
    ast.Module,
    ast.Store,
    ast.Assign,
    ast.AugAssign,
    ast.Expr,
    ast.If,
    ast.Pass,
}

# Why a node is refused, for the constructs people actually try.
REFUSALS: Final[dict[type[ast.AST], LazyProxy]] = {
    ast.Import: lazy_gettext("import statements are not allowed"),
    ast.ImportFrom: lazy_gettext("import statements are not allowed"),
    ast.Lambda: lazy_gettext("lambda expressions are not allowed"),
    ast.ListComp: lazy_gettext("comprehensions are not allowed"),
    ast.SetComp: lazy_gettext("comprehensions are not allowed"),
    ast.DictComp: lazy_gettext("comprehensions are not allowed"),
    ast.GeneratorExp: lazy_gettext("generator expressions are not allowed"),
    ast.For: lazy_gettext("loops are not allowed"),
    ast.AsyncFor: lazy_gettext("loops are not allowed"),
    ast.While: lazy_gettext("loops are not allowed"),
    ast.FunctionDef: lazy_gettext("function definitions are not allowed"),
    ast.AsyncFunctionDef: lazy_gettext("function definitions are not allowed"),
    ast.ClassDef: lazy_gettext("class definitions are not allowed"),
    ast.Return: lazy_gettext("return statements are not allowed"),
    ast.With: lazy_gettext("with statements are not allowed"),
    ast.AsyncWith: lazy_gettext("with statements are not allowed"),
    ast.Try: lazy_gettext("try statements are not allowed"),
    ast.TryStar: lazy_gettext("try statements are not allowed"),
    ast.Raise: lazy_gettext("raise statements are not allowed"),
    ast.Assert: lazy_gettext("assert statements are not allowed"),
    ast.Global: lazy_gettext("global declarations are not allowed"),
    ast.Nonlocal: lazy_gettext("nonlocal declarations are not allowed"),
    ast.Delete: lazy_gettext("del statements are not allowed"),
    ast.Del: lazy_gettext("del statements are not allowed"),
    ast.NamedExpr: lazy_gettext("assignment expressions (:=) are not allowed"),
    ast.Await: lazy_gettext("await expressions are not allowed"),
    ast.Yield: lazy_gettext("yield expressions are not allowed"),
    ast.YieldFrom: lazy_gettext("yield expressions are not allowed"),
    ast.Starred: lazy_gettext("starred expressions (*) are not allowed"),
    ast.MatMult: lazy_gettext("the @ operator is not allowed"),
    ast.AnnAssign: lazy_gettext("annotated assignments are not allowed"),
    ast.Match: lazy_gettext("match statements are not allowed"),
    ast.Assign: lazy_gettext("assignments are not allowed"),
    ast.AugAssign: lazy_gettext("assignments are not allowed"),
    ast.If: lazy_gettext("if statements are not allowed"),
}

STR_METHODS: Final = frozenset(
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
DICT_METHODS: Final = frozenset({"get", "items", "keys", "values"})
SEQUENCE_METHODS: Final = frozenset({"count", "index"})
METHODS_BY_TYPE: Final[tuple[tuple[type, frozenset[str]], ...]] = (
    (str, STR_METHODS),
    (dict, DICT_METHODS),
    (list, SEQUENCE_METHODS),
    (tuple, SEQUENCE_METHODS),
)
ALLOWED_METHODS: Final = STR_METHODS | DICT_METHODS | SEQUENCE_METHODS
