"""The restricted evaluator: what diagrams may do, and the attacks it refuses."""

from __future__ import annotations

import datetime as dt
from collections import ChainMap
from typing import Any

import pytest

from bpmn_sales.engine.expressions import evaluator as evaluator_module
from bpmn_sales.engine.expressions.evaluator import (
    MAX_SOURCE_LENGTH,
    RestrictedEvaluator,
    compile_expression,
    compile_script,
)
from bpmn_sales.errors import DiagramError, UnsafeExpression


@pytest.fixture
def ev() -> RestrictedEvaluator:
    return RestrictedEvaluator()


DATA: dict[str, Any] = {
    "decision": "qualify",
    "close": {"outcome": "won", "amount": 1200},
    "close_request": {"reason": "budget"},
    "items": ["a", "b", "c"],
    "name": "  Acme Corp  ",
    "amount": 10,
    "type": "inbound",
}


# --------------------------------------------------------------------------------------------
# What diagrams do
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("decision == 'qualify'", True),
        ("decision == 'disqualify'", False),
        ("close['outcome'] == 'won'", True),
        ("close_request.get('reason')", "budget"),
        ("close_request.get('missing', 'none')", "none"),
        ("'P3D'", "P3D"),
        ("['a', 'b', 1]", ["a", "b", 1]),
        ("{'k': (1, 2), 's': {3}}", {"k": (1, 2), "s": {3}}),
        ("f'{decision}-{amount}'", "qualify-10"),
        ("f'{items!r}'", "['a', 'b', 'c']"),
        ("amount * 2 + 3 - 1", 22),
        ("amount / 4", 2.5),
        ("amount // 3 % 2", 1),
        ("2 ** 10", 1024),
        ("-amount", -10),
        ("len(items) > 2", True),
        ("len(items) > 3", False),
        ("items[1:]", ["b", "c"]),
        ("items[-1]", "c"),
        ("'won' if close['amount'] > 1000 else 'small'", "won"),
        ("decision in ('qualify', 'nurture') and not amount < 5", True),
        ("name.strip().lower()", "acme corp"),
        ("name.strip().upper().startswith('ACME')", True),
        ("', '.join(items)", "a, b, c"),
        ("'a-b'.split('-')", ["a", "b"]),
        ("'a-b'.replace('-', '+')", "a+b"),
        ("sorted(close.keys())", ["amount", "outcome"]),
        ("sum([1, 2, 3]) + max(1, 5) + min([4, 2]) + abs(-1)", 14),
        ("round(2.567, 2)", 2.57),
        ("str(amount) + '!'", "10!"),
        ("int('7') + float('0.5')", 7.5),
        ("any([False, True]) and all([])", True),
        ("items.count('a') + items.index('c')", 3),
        ("type == 'inbound'", True),  # a diagram variable may be called `type`
        ("'ab' * 3", "ababab"),
        ("[0] * 3", [0, 0, 0]),
        ("1 << 4", 16),
        ("10 % 3", 1),
        ("None is None", True),
    ],
)
def test_typical_expressions(ev: RestrictedEvaluator, source: str, expected: object) -> None:
    ev.validate_expression(source)
    assert ev.evaluate(source, DATA) == expected


def test_surrounding_whitespace_of_an_expression_is_ignored(ev: RestrictedEvaluator) -> None:
    assert ev.evaluate("\n    decision == 'qualify'\n  ", DATA) is True


def test_evaluate_accepts_any_mapping(ev: RestrictedEvaluator) -> None:
    names = ChainMap({"a": 1}, {"a": 5, "b": 2})
    assert ev.evaluate("a + b", names) == 3


def test_script_assignments_land_in_names(ev: RestrictedEvaluator) -> None:
    names: dict[str, Any] = {"close": {"outcome": "won"}, "amount": 10}
    ev.execute(
        "total = amount * 3\n"
        "total += 1\n"
        "close['label'] = f'{close[\"outcome\"]}:{total}'\n"
        "close['count'] = 0\n"
        "close['count'] += 2\n"
        "a = b = 'same'\n"
        "pass\n",
        names,
    )
    assert names == {
        "close": {"outcome": "won", "label": "won:31", "count": 2},
        "amount": 10,
        "total": 31,
        "a": "same",
        "b": "same",
    }


@pytest.mark.parametrize(("amount", "expected"), [(5, "small"), (50, "medium"), (500, "large")])
def test_script_if_elif_else(ev: RestrictedEvaluator, amount: int, expected: str) -> None:
    names: dict[str, Any] = {"amount": amount}
    ev.execute(
        "if amount < 10:\n"
        "    size = 'small'\n"
        "elif amount < 100:\n"
        "    size = 'medium'\n"
        "else:\n"
        "    size = 'large'\n",
        names,
    )
    assert names == {"amount": amount, "size": expected}


def test_indented_script_is_dedented(ev: RestrictedEvaluator) -> None:
    names: dict[str, Any] = {}
    ev.execute("\n        x = 1\n        y = x + 1\n    ", names)
    assert names == {"x": 1, "y": 2}


def test_execute_leaves_no_extra_keys(ev: RestrictedEvaluator) -> None:
    names: dict[str, Any] = {"amount": 3}
    ev.execute("doubled = len(str(amount)) + amount * 2\nlabel = 'x'.upper()", names)
    assert set(names) == {"amount", "doubled", "label"}
    assert "__builtins__" not in names


def test_execute_of_an_expression_statement_changes_nothing(ev: RestrictedEvaluator) -> None:
    names: dict[str, Any] = {"amount": 3}
    ev.execute("amount + 1", names)
    assert names == {"amount": 3}


# --------------------------------------------------------------------------------------------
# Runtime errors of well-formed code propagate unchanged
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "error"),
    [
        ("unknown_variable == 1", NameError),
        ("close['nope']", KeyError),
        ("amount + 'x'", TypeError),
        ("amount / 0", ZeroDivisionError),
        ("items[10]", IndexError),
    ],
)
def test_runtime_errors_are_not_converted(
    ev: RestrictedEvaluator, source: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as info:
        ev.evaluate(source, DATA)
    assert not isinstance(info.value, DiagramError)


def test_runtime_error_in_a_script_propagates(ev: RestrictedEvaluator) -> None:
    with pytest.raises(KeyError):
        ev.execute("x = close['nope']", {"close": {}})


def test_open_is_not_a_builtin_at_runtime(ev: RestrictedEvaluator) -> None:
    # referenced as a value (not called) it is just an unknown variable
    with pytest.raises(NameError):
        ev.evaluate("open", {})


# --------------------------------------------------------------------------------------------
# Attacks refused up front
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("__import__('os')", "name '__import__' is not allowed in a diagram expression: "),
        ("__builtins__", "name '__builtins__' is not allowed"),
        ("_x + 1", "name '_x' is not allowed"),
        ("().__class__.__bases__[0].__subclasses__()", "attribute '__subclasses__' is not allowed"),
        ("x.__class__", "attribute '__class__' is not allowed"),
        ("x.format(1)", "attribute 'format' is not allowed"),
        ("x.ljust(10**9)", "attribute 'ljust' is not allowed"),
        ("open('/etc/passwd')", "function 'open' is not allowed"),
        ("eval('1')", "function 'eval' is not allowed"),
        ("exec('x = 1')", "function 'exec' is not allowed"),
        ("compile('1', 'f', 'eval')", "function 'compile' is not allowed"),
        ("getattr(x, 'y')", "function 'getattr' is not allowed"),
        ("type(x)", "function 'type' is not allowed"),
        ("globals()", "function 'globals' is not allowed"),
        ("vars(x)", "function 'vars' is not allowed"),
        ("range(10)", "function 'range' is not allowed"),
        ("lambda: 1", "lambda expressions are not allowed"),
        ("[x for x in y]", "comprehensions are not allowed"),
        ("{k: 1 for k in y}", "comprehensions are not allowed"),
        ("sum(x for x in y)", "generator expressions are not allowed"),
        ("(y := 1)", "assignment expressions (:=) are not allowed"),
        ("[*y]", "starred expressions (*) are not allowed"),
        ("f(*y)", "starred expressions (*) are not allowed"),
        ("dict(**y)", "keyword unpacking (**) is not allowed"),
        ("{**y}", "dict unpacking (**) is not allowed"),
        ("f'{x:>99999999}'", "format specifications in f-strings are not allowed"),
        ("a @ b", "the @ operator is not allowed"),
    ],
)
def test_refused_expressions(ev: RestrictedEvaluator, source: str, message: str) -> None:
    with pytest.raises(UnsafeExpression) as info:
        ev.validate_expression(source)
    assert message in str(info.value)
    assert info.value.message.endswith(source)
    # evaluate refuses too, before running anything
    with pytest.raises(UnsafeExpression):
        ev.evaluate(source, {"x": "s", "y": [1]})


def test_refusal_message_quotes_the_source(ev: RestrictedEvaluator) -> None:
    with pytest.raises(UnsafeExpression) as info:
        ev.validate_expression("__import__('os')")
    assert info.value.message.endswith(
        "name '__import__' is not allowed in a diagram expression: __import__('os')"
    )
    assert info.value.code == "unsafe_expression"
    assert info.value.line == 1


@pytest.mark.parametrize(
    ("script", "message", "line"),
    [
        ("x = 1\nimport os", "import statements are not allowed in a diagram script (line 2)", 2),
        ("from os import path", "import statements are not allowed", 1),
        ("while True: pass", "loops are not allowed in a diagram script (line 1)", 1),
        ("x = 1\nfor i in y:\n    pass", "loops are not allowed", 2),
        ("def f():\n    pass", "function definitions are not allowed", 1),
        ("class C:\n    pass", "class definitions are not allowed", 1),
        ("with x:\n    pass", "with statements are not allowed", 1),
        ("try:\n    x = 1\nexcept Exception:\n    pass", "try statements are not allowed", 1),
        ("global x", "global declarations are not allowed", 1),
        ("x = 1\ndel x", "del statements are not allowed", 2),
        ("raise ValueError", "raise statements are not allowed", 1),
        ("x: int = 1", "annotated assignments are not allowed", 1),
        ("a, b = 1, 2", "unpacking", 1),
        ("y[0:2] = [1]", "assignment to a slice is not allowed", 1),
        ("y.z = 1", "assignment to an attribute is not allowed", 1),
        ("y.get = 1", "assignment to an attribute is not allowed", 1),
        ("x = 1\n_private = 2", "name '_private' is not allowed", 2),
        ("x = 1\n\nx = (lambda: 1)", "lambda expressions are not allowed", 3),
    ],
)
def test_refused_scripts(ev: RestrictedEvaluator, script: str, message: str, line: int) -> None:
    with pytest.raises(UnsafeExpression) as info:
        ev.validate_script(script)
    assert message in str(info.value)
    assert info.value.line == line
    names: dict[str, Any] = {"y": [1]}
    with pytest.raises(UnsafeExpression):
        ev.execute(script, names)
    assert names == {"y": [1]}  # nothing ran


def test_statements_are_not_expressions(ev: RestrictedEvaluator) -> None:
    with pytest.raises(UnsafeExpression, match="syntax error"):
        ev.validate_expression("x = 1")


def test_syntax_error_in_a_script_has_its_line(ev: RestrictedEvaluator) -> None:
    with pytest.raises(UnsafeExpression) as info:
        ev.validate_script("x = 1\ny = (\nz = 3")
    assert "syntax error" in str(info.value)
    assert info.value.line == 2


def test_syntax_error_in_an_expression(ev: RestrictedEvaluator) -> None:
    with pytest.raises(UnsafeExpression) as info:
        ev.validate_expression("decision ==")
    assert "syntax error" in str(info.value)
    assert info.value.message.endswith("decision ==")
    assert info.value.line == 1


@pytest.mark.parametrize("validate", ["validate_expression", "validate_script"])
def test_too_long_source(ev: RestrictedEvaluator, validate: str) -> None:
    source = "1 + " * (MAX_SOURCE_LENGTH // 4) + "1"
    with pytest.raises(UnsafeExpression, match="too long"):
        getattr(ev, validate)(source)


def test_source_at_the_length_cap_is_fine(ev: RestrictedEvaluator) -> None:
    source = "1" + " " * (MAX_SOURCE_LENGTH - 1)
    assert ev.evaluate(source, {}) == 1


def test_deeply_nested_source_is_refused(ev: RestrictedEvaluator) -> None:
    with pytest.raises(UnsafeExpression):
        ev.validate_expression("-" * 5000 + "1")


def test_null_bytes_are_refused(ev: RestrictedEvaluator) -> None:
    with pytest.raises(UnsafeExpression):
        ev.validate_expression("1\x00")


# --------------------------------------------------------------------------------------------
# Denial of service, refused at runtime
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("'a' * 10**9", "repetition (*) would produce a sequence of 1000000000 items"),
        ("10**9 * 'a'", "repetition (*)"),
        ("[0] * 10**9", "repetition (*)"),
        ("[[0] * 100000] * 100000", "repetition (*) would produce a value larger"),
        ("2 ** 10**10", "power (**)"),
        ("10 ** 100000", "power (**)"),
        ("1 << 10**9", "shift (<<)"),
        ("'%999999999d' % 1", "%-formatting of strings is not allowed"),
        ("sum([[1]] * 10, [])", "sum() only adds numbers"),
        ("round(5, -10**9)", "round() takes at most"),
        ("('a' * 100000) + ('a' * 100000)", "concatenation (+)"),
        ("('a' * 1000).join(['b' * 100] * 1000)", "str.join()"),
        ("('a' * 1000).replace('a', 'b' * 1000)", "str.replace()"),
    ],
)
def test_resource_limits(ev: RestrictedEvaluator, source: str, message: str) -> None:
    ev.validate_expression(source)  # statically fine; the guard stops it when it runs
    with pytest.raises(UnsafeExpression) as info:
        ev.evaluate(source, {})
    assert message in str(info.value)
    assert info.value.message.endswith(source)


def test_large_int_multiplication_is_refused(ev: RestrictedEvaluator) -> None:
    names = {"big": 2**90_000}
    with pytest.raises(UnsafeExpression, match="multiplication"):
        ev.evaluate("big * big", names)


def test_doubling_a_string_in_a_script_stops(ev: RestrictedEvaluator) -> None:
    script = "s = 'a' * 1000\n" + "s += s\n" * 40
    names: dict[str, Any] = {}
    with pytest.raises(UnsafeExpression) as info:
        ev.execute(script, names)
    assert "concatenation" in str(info.value)
    assert info.value.line is not None and info.value.line > 2


def test_shared_references_cannot_amplify(ev: RestrictedEvaluator) -> None:
    script = "a = [0] * 100000\nb = [a, a, a, a, a, a, a, a, a, a, a]\n"
    with pytest.raises(UnsafeExpression, match="too large") as info:
        ev.execute(script, {})
    assert info.value.line == 2


def test_formatting_a_huge_value_is_refused(ev: RestrictedEvaluator) -> None:
    names = {"a": [[0] * 1000] * 2000}
    with pytest.raises(UnsafeExpression, match=r"str\(\)"):
        ev.evaluate("str(a)", names)
    with pytest.raises(UnsafeExpression, match="f-string"):
        ev.evaluate("f'{a}'", names)


def test_cyclic_value_left_by_a_script_is_refused(ev: RestrictedEvaluator) -> None:
    with pytest.raises(UnsafeExpression, match="the value of 'a' is too large"):
        ev.execute("a = [0]\na[0] = a", {})


def test_functions_cannot_be_stored(ev: RestrictedEvaluator) -> None:
    with pytest.raises(UnsafeExpression, match="functions and methods cannot be assigned"):
        ev.execute("f = 'x'.upper", {})


def test_methods_only_on_plain_data(ev: RestrictedEvaluator) -> None:
    with pytest.raises(UnsafeExpression, match="only allowed on str, dict, list and tuple"):
        ev.evaluate("when.count()", {"when": dt.date(2024, 1, 1)})
    with pytest.raises(AttributeError):
        ev.evaluate("missing.get('a')", {"missing": None})
    with pytest.raises(AttributeError):
        ev.evaluate("'text'.get('a')", {})  # dict method on a str
    with pytest.raises(UnsafeExpression):
        ev.evaluate("str.upper('a')", {})  # on the type, not a value


# --------------------------------------------------------------------------------------------
# Caching
# --------------------------------------------------------------------------------------------


def test_expression_is_checked_and_compiled_once(ev: RestrictedEvaluator) -> None:
    compile_expression.cache_clear()
    source = "close['outcome'] == 'won'"
    ev.validate_expression(source)
    for _ in range(5):
        assert ev.evaluate(source, DATA) is True
    info = compile_expression.cache_info()
    assert (info.misses, info.hits) == (1, 5)


def test_script_is_checked_and_compiled_once(ev: RestrictedEvaluator) -> None:
    compile_script.cache_clear()
    ev.validate_script("x = 1")
    ev.execute("x = 1", {})
    ev.execute("x = 1", {})
    info = compile_script.cache_info()
    assert (info.misses, info.hits) == (1, 2)


def test_hot_path_does_not_parse_again(
    ev: RestrictedEvaluator, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = "len(items) > 2 and decision == 'qualify'"
    ev.validate_expression(source)

    def no_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(evaluator_module, "_parse", no_parse)
    assert ev.evaluate(source, DATA) is True
