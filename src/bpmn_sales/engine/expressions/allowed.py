"""What diagram code may contain: limits, syntax nodes, refusal messages, allowed methods."""

from __future__ import annotations

import ast
from typing import Final, Literal

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
REFUSALS: Final[dict[type[ast.AST], str]] = {
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
