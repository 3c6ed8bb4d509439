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
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from bpmn_sales.engine.diagrams import references
from bpmn_sales.engine.diagrams.forms import base_name, form_problems, is_form_file
from bpmn_sales.engine.diagrams.lint import rule_problems
from bpmn_sales.engine.diagrams.problems import NS, Problem, line_of, ranked
from bpmn_sales.engine.diagrams.spiff_errors import translate
from bpmn_sales.engine.diagrams.wiring import wiring_problems
from bpmn_sales.engine.diagrams.wording import what
from bpmn_sales.engine.diagrams.xml import parse_xml
from bpmn_sales.engine.expressions.evaluator import RestrictedEvaluator
from bpmn_sales.errors import DiagramError, UnsafeExpression
from bpmn_sales.i18n import _, ngettext

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
        if not name:
            task = node.xpath("ancestor::bpmn:serviceTask[1]", namespaces=NS)
            owner = what(task[0]) if isinstance(task, list) and task else _("a service task")
            message = _(
                "%(element)s: spiffworkflow:serviceTaskOperator has no id: give the name of the "
                "function to call as its id (%(known)s)",
                element=owner,
                known=", ".join(sorted(services)) or _("none"),
            )
            yield Problem(
                filename, message, _owner_id(node), line_of(node), code="unknown_operation"
            )
        elif name not in services:
            known = ", ".join(sorted(services))
            message = _(
                "unknown service task operation '%(name)s' (known: %(known)s)",
                name=name,
                known=known,
            )
            yield Problem(
                filename, message, _owner_id(node), line_of(node), code="unknown_operation"
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
        problems, _parsed = self._compile(files)
        return problems

    def compile(self, files: Mapping[str, bytes]) -> list[ParsedProcess]:
        """Return the executable processes defined in the files; raise naming the errors."""
        problems, processes = self._compile(files)
        errors = [p for p in problems if p.severity == "error"]
        if errors:
            raise refusal(errors)
        return processes

    def _compile(self, files: Mapping[str, bytes]) -> tuple[list[Problem], list[ParsedProcess]]:
        problems: list[Problem] = []
        parser = SpiffBpmnParser(validator=self.validator)
        trees: dict[str, etree._ElementTree] = {}
        accepted: list[str] = []  # the files SpiffWorkflow took in
        missing: set[str] = set()  # ids that references name but no element has
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
            found = references.check(tree, filename)
            missing |= found.missing
            problems += [
                *found.problems,
                *_code_problems(tree, filename, self.evaluator),
                *_operation_problems(tree, filename, self.services),
                *rule_problems(tree, filename),
                *wiring_problems(tree, filename),
                *form_problems(tree, filename, form_files, forms.setdefault(filename, {})),
            ]
            try:
                parser.add_bpmn_xml(tree, filename)
                accepted.append(filename)
            except Exception as exc:  # SpiffWorkflow's own errors, and whatever it lets through
                problems += self._translated(exc, filename, trees, missing)
        problems += _no_process(trees, problems)
        processes = []
        for filename in accepted:
            processes += self._processes(parser, filename, trees, problems, forms, missing)
        order = {name: index for index, name in enumerate(files)}
        problems.sort(key=lambda p: (order.get(p.file, len(order)), p.line or 0))
        if any(p.severity == "error" for p in problems):
            return problems, []
        return problems, processes

    def _translated(
        self,
        exc: Exception,
        filename: str,
        trees: Mapping[str, etree._ElementTree],
        missing: set[str],
    ) -> list[Problem]:
        problem = translate(exc, filename, trees, self.services, missing)
        return [problem] if problem is not None else []

    def _processes(
        self,
        parser: SpiffBpmnParser,
        filename: str,
        trees: Mapping[str, etree._ElementTree],
        problems: list[Problem],
        forms: Mapping[str, dict[str, Any]],
        missing: set[str],
    ) -> list[ParsedProcess]:
        """The file's executable processes parsed into specs; errors go to `problems`."""
        processes = []
        xpath = "/bpmn:definitions/bpmn:process[@isExecutable='true']"
        for node in trees[filename].xpath(xpath, namespaces=NS):
            assert isinstance(node, etree._Element)
            key = node.get("id", "")
            try:
                spec = parser.get_spec(key)
                subs = parser.get_subprocess_specs(key)
            except Exception as exc:  # as above: every parse error becomes a located sentence
                problems += self._translated(exc, filename, trees, missing)
                continue
            name = node.get("name") or key
            used = forms.get(filename, {})
            processes.append(ParsedProcess(key, name, filename, spec, subs, used))
        return processes


def _no_process(trees: Mapping[str, etree._ElementTree], problems: list[Problem]) -> list[Problem]:
    """An error when no file holds an executable process, whatever else is wrong."""
    if any(p.code == "xml" for p in problems):
        return []  # a file that is not XML may be the one that held it
    found = [
        (filename, node)
        for filename, tree in trees.items()
        for node in tree.getroot().iterfind("bpmn:process", NS)
    ]
    if any(node.get("isExecutable") == "true" for _file, node in found):
        return []
    if not found:
        file = next(iter(trees), "?")
        return [
            Problem(
                file,
                _("no executable process found: the files hold no process"),
                code="no_process",
            )
        ]
    file, node = found[0]
    message = _(
        "no executable process found: process '%(process)s' is not executable; set "
        'isExecutable="true" on it (the "Executable" switch in a modeler)',
        process=node.get("name") or node.get("id"),
    )
    return [Problem(file, message, node.get("id"), line_of(node), code="no_process")]


SHOWN = 5


def refusal(errors: list[Problem]) -> DiagramError:
    """The error a deploy raises: the first few errors, causes first, and how many more."""
    ordered = ranked(errors)
    first = ordered[0]
    message = first.message
    later = [_located(p, first.file) for p in ordered[1:SHOWN]]
    if later:
        message = _("%(first)s; then %(later)s", first=message, later="; ".join(later))
    if len(ordered) > SHOWN:
        message = ngettext(
            "%(message)s (and %(num)s more; lint lists every problem)",
            "%(message)s (and %(num)s more; lint lists every problem)",
            len(ordered) - SHOWN,
            message=message,
        )
    kind = UnsafeExpression if first.code == UnsafeExpression.code else DiagramError
    error = kind(message, first.file, first.element_id, first.line)
    error.details["problems"] = [p.to_dict() for p in ordered]
    return error


def _located(problem: Problem, file: str) -> str:
    where = [
        problem.file if problem.file != file else None,
        _("element %(element)s", element=problem.element_id) if problem.element_id else None,
        _("line %(line)s", line=problem.line) if problem.line else None,
    ]
    place = ", ".join(w for w in where if w)
    if place:
        return _("%(where)s: %(reason)s", where=place, reason=problem.message)
    return problem.message
