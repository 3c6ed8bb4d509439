"""Parse, check and lint diagrams: the one place diagram XML turns into Spiff specs.

Lint runs on every deploy, so every check works on one lxml tree per file (which keeps source
lines): XML safety, the BPMN schema, code through the restricted evaluator and service
operations here; the sales-rule checks (vocabulary, stages, terminals, reachability, labels,
layout) in `lint.py`. Each finding is a `Problem` naming file, line and element id.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from bpmn_sales.engine.diagrams.forms import base_name, form_problems, is_form_file
from bpmn_sales.engine.diagrams.lint import rule_problems
from bpmn_sales.engine.diagrams.problems import NS, Problem, line_of
from bpmn_sales.engine.diagrams.xml import element_line, parse_xml
from bpmn_sales.engine.expressions.evaluator import RestrictedEvaluator
from bpmn_sales.errors import DiagramError, UnsafeExpression

# Every place a diagram can carry code, and whether it is an expression or a script.
CODE_XPATHS: tuple[tuple[str, str], ...] = (
    ("//bpmn:conditionExpression", "expression"),
    ("//bpmn:timeDuration | //bpmn:timeDate | //bpmn:timeCycle", "expression"),
    ("//bpmn:loopCardinality | //bpmn:completionCondition", "expression"),
    ("//bpmn:formalExpression | //bpmn:messagePath", "expression"),
    ("//spiffworkflow:messagePayload", "expression"),
    ("//spiffworkflow:processVariableCorrelation/spiffworkflow:expression", "expression"),
    ("//bpmn:script | //spiffworkflow:preScript | //spiffworkflow:postScript", "script"),
)


@dataclass(frozen=True)
class ParsedProcess:
    """A process found in the diagrams, with its specs ready to run or serialize."""

    key: str
    name: str
    file: str
    spec: Any
    subprocess_specs: dict[str, Any]
    # The JSON form files its user tasks name, parsed, by file name.
    forms: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# Code, service operations, schema
# --------------------------------------------------------------------------------------------


def _owner_id(node: etree._Element) -> str | None:
    current: etree._Element | None = node
    while current is not None:
        # Spiff's own elements use `id` for names (parameters, operations): skip them.
        if etree.QName(current).namespace == NS["bpmn"] and current.get("id"):
            return current.get("id")
        current = current.getparent()
    return None


def _code_problems(
    tree: etree._ElementTree, filename: str, evaluator: RestrictedEvaluator
) -> Iterator[Problem]:
    for xpath, kind in CODE_XPATHS:
        for node in tree.xpath(xpath, namespaces=NS):
            assert isinstance(node, etree._Element)
            source = (node.text or "").strip()
            if not source:
                continue
            yield from _check_code(source, kind, node, filename, evaluator)
    for node in tree.xpath("//spiffworkflow:parameter[@value]", namespaces=NS):
        assert isinstance(node, etree._Element)
        yield from _check_code(node.get("value", ""), "expression", node, filename, evaluator)


def _check_code(
    source: str,
    kind: str,
    node: etree._Element,
    filename: str,
    evaluator: RestrictedEvaluator,
) -> Iterator[Problem]:
    try:
        if kind == "script":
            evaluator.validate_script(source)
        else:
            evaluator.validate_expression(source)
    except DiagramError as exc:
        yield Problem(filename, exc.reason, _owner_id(node), line_of(node), code=exc.code)


def _operation_problems(
    tree: etree._ElementTree, filename: str, services: Collection[str]
) -> Iterator[Problem]:
    xpath = "//spiffworkflow:serviceTaskOperator"
    for node in tree.xpath(xpath, namespaces=NS):
        assert isinstance(node, etree._Element)
        name = node.get("id", "")
        if name not in services:
            known = ", ".join(sorted(services))
            message = f"unknown service task operation '{name}' (known: {known})"
            yield Problem(
                filename, message, _owner_id(node), line_of(node), code="unknown_operation"
            )


def _validation_problem(
    exc: SpiffWorkflowException, filename: str, tree: etree._ElementTree | None
) -> Problem:
    element_id = getattr(exc, "id", "") or None
    line = getattr(exc, "line_number", "") or None
    if not isinstance(line, int):
        line = element_line(tree, element_id) if (tree is not None and element_id) else None
    message = str(exc.args[0]) if exc.args else str(exc)
    return Problem(
        getattr(exc, "file_name", "") or filename, message, element_id, line, code="schema"
    )


# --------------------------------------------------------------------------------------------
# The compiler
# --------------------------------------------------------------------------------------------


class DiagramCompiler:
    """Turn uploaded diagram files into checked Spiff specs, or a list of located problems."""

    def __init__(self, services: Collection[str]) -> None:
        self.services = services
        self.evaluator = RestrictedEvaluator()
        self.validator = BpmnValidator()

    def lint(self, files: Mapping[str, bytes]) -> list[Problem]:
        """Return every problem found in the files (errors and warnings), by file and line."""
        problems, _ = self._compile(files)
        return problems

    def compile(self, files: Mapping[str, bytes]) -> list[ParsedProcess]:
        """Return the executable processes defined in the files; raise on the first error."""
        problems, processes = self._compile(files)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            first = errors[0]
            more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
            error = UnsafeExpression if first.code == UnsafeExpression.code else DiagramError
            raise error(first.message + more, first.file, first.element_id, first.line)
        return processes

    def _compile(self, files: Mapping[str, bytes]) -> tuple[list[Problem], list[ParsedProcess]]:
        problems: list[Problem] = []
        parser = SpiffBpmnParser(validator=self.validator)
        trees: dict[str, etree._ElementTree] = {}
        # Form files travel with the diagrams; user tasks name them without a folder.
        form_files = {base_name(n): data for n, data in files.items() if is_form_file(n)}
        forms: dict[str, dict[str, Any]] = {}
        for filename, data in files.items():
            if is_form_file(filename):
                continue
            try:
                tree = parse_xml(data, filename)
            except DiagramError as exc:
                problems.append(Problem(filename, exc.reason, None, exc.line, code="xml"))
                continue
            trees[filename] = tree
            file_problems = [
                *_code_problems(tree, filename, self.evaluator),
                *_operation_problems(tree, filename, self.services),
                *rule_problems(tree, filename),
                *form_problems(tree, filename, form_files, forms.setdefault(filename, {})),
            ]
            try:
                parser.add_bpmn_xml(tree, filename)
            except SpiffWorkflowException as exc:
                file_problems.append(_validation_problem(exc, filename, tree))
            problems.extend(sorted(file_problems, key=lambda p: p.line or 0))
        if any(p.severity == "error" for p in problems):
            return problems, []
        return problems, self._processes(parser, trees, problems, forms)

    def _processes(
        self,
        parser: SpiffBpmnParser,
        trees: Mapping[str, etree._ElementTree],
        problems: list[Problem],
        forms: Mapping[str, dict[str, Any]],
    ) -> list[ParsedProcess]:
        processes = []
        for filename, tree in trees.items():
            xpath = "/bpmn:definitions/bpmn:process[@isExecutable='true']"
            for node in tree.xpath(xpath, namespaces=NS):
                assert isinstance(node, etree._Element)
                key = node.get("id", "")
                try:
                    spec = parser.get_spec(key)
                    subs = parser.get_subprocess_specs(key)
                except (ValidationException, SpiffWorkflowException) as exc:
                    problems.append(_validation_problem(exc, filename, tree))
                    continue
                name = node.get("name") or key
                used = forms.get(filename, {})
                processes.append(ParsedProcess(key, name, filename, spec, subs, used))
        if not processes and not problems:
            file = next(iter(trees), "?")
            problems.append(Problem(file, "no executable process found", code="no_process"))
        return processes
