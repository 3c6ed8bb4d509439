"""SpiffWorkflow's parse and validation errors, told as a designer's sentence.

SpiffWorkflow raises a `ValidationException` (or wraps another exception's repr in one) with a
message written for its own developers: "Unsupported Catch Event: %r" with the element's XML,
"When looking for a task spec, we found two items", `KeyError('type')`. Each rule in `RULES`
recognises one of those messages and says what is wrong in BPMN terms, naming the element by
its kind and label; the `Problem` carries the element id and the line. A message no rule knows
still loses its XML dump and its Python syntax. The rules are in `spiff_rules.py`.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from lxml import etree

from bpmn_sales.engine.diagrams.problems import Problem, line_of
from bpmn_sales.engine.diagrams.spiff_rules import RULES, Raised, plain
from bpmn_sales.engine.diagrams.wording import at_line, by_id, identified, schema_sentence, what
from bpmn_sales.i18n import _

_WRAPPED = re.compile(r"^(?P<kind>[A-Z]\w*)\((?P<args>.*)\)$", re.S)


def _unwrap(exc: Exception) -> str:
    """The message, with a wrapped exception's repr turned back into `Kind: message`."""
    message = str(exc.args[0]) if exc.args else str(exc)
    if type(exc).__name__ != "ValidationException":
        return f"{type(exc).__name__}: {message}"
    wrapped = _WRAPPED.match(message.strip())
    if wrapped is None:
        return message
    inner = wrapped["args"].split(", b'", 1)[0].strip()
    quoted = len(inner) >= 2 and inner[0] in "'\"" and inner[-1] == inner[0]
    if quoted and wrapped["kind"] != "KeyError":
        inner = inner[1:-1]
    return f"{wrapped['kind']}: {inner}"


def translate(
    exc: Exception,
    filename: str,
    trees: Mapping[str, etree._ElementTree],
    services: Collection[str],
    reported: Collection[str] = (),
) -> Problem | None:
    """A Problem for an exception SpiffWorkflow raised while reading the diagrams; None when
    it only repeats a dangling reference that lint already reported (`reported`)."""
    file = str(getattr(exc, "file_name", "") or filename)
    tree = trees.get(file)
    message = _unwrap(exc)
    element = by_id(tree, getattr(exc, "id", "") or None)
    raw_line = getattr(exc, "line_number", "")
    line = raw_line if isinstance(raw_line, int) else None
    if element is None and line is not None and message.startswith("Element '"):
        # The XML schema check: lxml names the line; the element is the one written there.
        where = identified(at_line(tree, line))
        sentence = schema_sentence(message, tree, line, where)
        return Problem(
            file, sentence, where.get("id") if where is not None else None, line, code="schema"
        )
    raised = Raised(message, element, tree, services, reported, trees)
    for pattern, rule in RULES:
        match = pattern.search(message)
        found = rule(raised, match) if match else None
        if found is None:
            continue
        sentence, where = found
        if not sentence:
            return None
        return Problem(
            file,
            sentence,
            where.get("id") if where is not None else None,
            line_of(where) if where is not None else line,
            code="schema",
        )
    sentence = _(
        "%(element)s cannot be read by the engine (%(error)s)",
        element=what(element),
        error=plain(message),
    )
    where_line = line_of(element) if element is not None else line
    return Problem(
        file,
        sentence,
        element.get("id") if element is not None else None,
        where_line,
        "error",
        "schema",
    )
