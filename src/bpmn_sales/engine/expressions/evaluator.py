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
import copy
import functools
import textwrap
from collections.abc import Mapping, MutableMapping
from types import CodeType, TracebackType
from typing import Any, Final

from bpmn_sales.engine.expressions.allowed import (
    ALLOWED_METHODS,
    EXPRESSION_NODES,
    MAX_INT_BITS,
    MAX_SEQUENCE_LENGTH,
    MAX_SOURCE_LENGTH,
    MAX_VALUE_SIZE,
    REFUSALS,
    SCRIPT_NODES,
    Kind,
)
from bpmn_sales.engine.expressions.guards import (
    ATTRIBUTE_HELPER,
    BINOP_HELPERS,
    FORMAT_HELPER,
    GLOBALS,
    REFUSED_CALLS,
    VALUE_HELPER,
    Refused,
    check_size,
)
from bpmn_sales.errors import UnsafeExpression
from bpmn_sales.i18n import _

__all__ = [
    "MAX_INT_BITS",
    "MAX_SEQUENCE_LENGTH",
    "MAX_SOURCE_LENGTH",
    "MAX_VALUE_SIZE",
    "RestrictedEvaluator",
    "compile_expression",
    "compile_script",
]

_QUOTE_LENGTH: Final = 200
_CACHE_SIZE: Final = 4096

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
    code = _quote(source, kind, line)
    if kind == "expression":
        message = _("%(reason)s in a diagram expression: %(code)s", reason=reason, code=code)
    elif line is None:
        message = _("%(reason)s in a diagram script: %(code)s", reason=reason, code=code)
    else:
        message = _(
            "%(reason)s in a diagram script (line %(line)s): %(code)s",
            reason=reason,
            line=line,
            code=code,
        )
    return UnsafeExpression(message, line=line)


def _check_target(target: ast.expr) -> str | None:
    if isinstance(target, ast.Name):
        return None
    if isinstance(target, ast.Subscript):
        if isinstance(target.slice, ast.Slice):
            return _("assignment to a slice is not allowed")
        return None
    if isinstance(target, ast.Attribute):
        return _("assignment to an attribute is not allowed")
    return _("assignment to several targets at once (unpacking) is not allowed")


def _refusal(node: ast.AST, allowed: frozenset[type[ast.AST]]) -> str | None:
    """Why `node` is refused, or None if it is fine."""
    if type(node) not in allowed:
        reason = REFUSALS.get(type(node))
        if reason is not None:
            return str(reason)
        return _("%(construct)s constructs are not allowed", construct=type(node).__name__)
    if isinstance(node, ast.Name):
        if node.id.startswith("_"):
            return _("name '%(name)s' is not allowed", name=node.id)
    elif isinstance(node, ast.Attribute):
        if node.attr.startswith("_") or node.attr not in ALLOWED_METHODS:
            return _("attribute '%(name)s' is not allowed", name=node.attr)
        if not isinstance(node.ctx, ast.Load):
            return _("assignment to an attribute is not allowed")
    elif isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and not func.id.startswith("_") and func.id in REFUSED_CALLS:
            return _("function '%(name)s' is not allowed", name=func.id)
        if any(keyword.arg is None for keyword in node.keywords):
            return _("keyword unpacking (**) is not allowed")
    elif isinstance(node, ast.Dict):
        if any(key is None for key in node.keys):
            return _("dict unpacking (**) is not allowed")
    elif isinstance(node, ast.FormattedValue):
        if node.format_spec is not None:
            return _("format specifications in f-strings are not allowed")
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            problem = _check_target(target)
            if problem:
                return problem
    elif isinstance(node, ast.AugAssign):
        return _check_target(node.target)
    return None


def _validate(tree: ast.AST, source: str, kind: Kind) -> None:
    allowed = SCRIPT_NODES if kind == "script" else EXPRESSION_NODES
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
        helper = BINOP_HELPERS.get(type(node.op))
        if helper is None:
            return node
        return _helper_call(helper, [node.left, node.right], node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        self.generic_visit(node)
        name = ast.copy_location(ast.Constant(value=node.attr), node)
        return _helper_call(ATTRIBUTE_HELPER, [node.value, name], node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.FormattedValue:
        self.generic_visit(node)
        node.value = _helper_call(FORMAT_HELPER, [node.value], node.value)
        return node

    def visit_Assign(self, node: ast.Assign) -> ast.Assign:
        self.generic_visit(node)
        node.value = _helper_call(VALUE_HELPER, [node.value], node.value)
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
            _(
                "diagram expression is too long (%(length)s characters, at most %(most)s)",
                length=len(source),
                most=MAX_SOURCE_LENGTH,
            )
            if kind == "expression"
            else _(
                "diagram script is too long (%(length)s characters, at most %(most)s)",
                length=len(source),
                most=MAX_SOURCE_LENGTH,
            )
        )
    text = source.strip() if kind == "expression" else textwrap.dedent(source)
    try:
        return ast.parse(text, mode="eval" if kind == "expression" else "exec")
    except SyntaxError as err:
        line = err.lineno or None
        raise _unsafe(_("syntax error (%(error)s)", error=err.msg), text, kind, line) from None
    except (RecursionError, MemoryError, ValueError) as err:
        raise _unsafe(_("unparsable code (%(error)s)", error=err), text, kind, None) from None


def _build(tree: ast.AST, source: str, kind: Kind) -> CodeType:
    _validate(tree, source, kind)
    try:
        guarded = ast.fix_missing_locations(_Guard().visit(tree))
        return compile(guarded, f"<diagram {kind}>", "eval" if kind == "expression" else "exec")
    except (RecursionError, MemoryError) as err:
        raise _unsafe(
            _("code nested too deeply (%(error)s)", error=err), source, kind, None
        ) from None


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
            return eval(code, GLOBALS, names)  # noqa: S307 - checked and guarded code
        except Refused as err:
            raise _unsafe(str(err), source.strip(), "expression", None) from None

    def execute(self, source: str, names: MutableMapping[str, Any]) -> None:
        """Run the script `source`; its assignments land in `names` (and nothing else does)."""
        code, roots = compile_script(source)
        try:
            exec(code, GLOBALS, names)  # noqa: S102 - checked and guarded code
            for root in roots:
                if root in names:
                    check_size(names[root], _("the value of '%(name)s'", name=root))
        except Refused as err:
            line = _refused_line(err.__traceback__, code)
            raise _unsafe(str(err), textwrap.dedent(source), "script", line) from None
