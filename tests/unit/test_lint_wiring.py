"""Lint checks the free-move and close wiring of a process that declares free moves.

Each case is `tests/data/rules/free_moves.bpmn` (wired right: it lints clean) with one mistake
that would otherwise show only when a rep moves or closes a deal.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bpmn_sales.engine.diagrams.compiler import DiagramCompiler
from bpmn_sales.engine.diagrams.problems import Problem

REPO = Path(__file__).resolve().parents[2]
FREE_MOVES = (REPO / "tests" / "data" / "rules" / "free_moves.bpmn").read_text()
CLEAN = (REPO / "tests" / "data" / "lint" / "clean_deal.bpmn").read_text()


def changed(*pairs: tuple[str, str], text: str = FREE_MOVES) -> bytes:
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text.encode()


def without(element_id: str, text: str = FREE_MOVES) -> str:
    """The diagram without one element and the flows from or to it."""
    text = re.sub(rf'\s*<bpmn:(\w+) id="{element_id}".*?</bpmn:\1>', "", text, count=1, flags=re.S)
    return re.sub(rf'\s*<bpmn:sequenceFlow id="[^"]*" sourceRef="{element_id}"[^>]*/>', "", text)


def wiring(compiler: DiagramCompiler, data: bytes) -> list[tuple[str, str | None, str]]:
    problems: list[Problem] = compiler.lint({"moves.bpmn": data})
    return [(p.code, p.element_id, p.message) for p in problems if p.severity == "error"]


def test_the_wired_diagrams_are_clean(compiler: DiagramCompiler) -> None:
    assert wiring(compiler, FREE_MOVES.encode()) == []
    # A process without free moves is not asked for the pattern (clean_deal closes otherwise).
    assert wiring(compiler, CLEAN.encode()) == []


CASES = [
    (
        "a stage without its move boundary event",
        without("Event_MoveOptionalStep").encode(),
        [
            (
                "move_wiring",
                "Stage_OptionalStep",
                "stage 'Optional step' has no boundary event catching deal_move, so a deal at it "
                "cannot be moved: attach an interrupting message boundary event for deal_move "
                "(message variable move_request), as on the other stages",
            )
        ],
    ),
    (
        "a move kept in another variable",
        changed(
            (
                'messageRef="Message_DealMove">\n          <bpmn:extensionElements>\n'
                "            <spiffworkflow:messageVariable>move_request</spiffworkflow:"
                "messageVariable>\n          </bpmn:extensionElements>\n        </bpmn:message"
                "EventDefinition>\n      </bpmn:boundaryEvent>\n      <bpmn:sequenceFlow",
                'messageRef="Message_DealMove">\n          <bpmn:extensionElements>\n'
                "            <spiffworkflow:messageVariable>request</spiffworkflow:"
                "messageVariable>\n          </bpmn:extensionElements>\n        </bpmn:message"
                "EventDefinition>\n      </bpmn:boundaryEvent>\n      <bpmn:sequenceFlow",
            ),
        ),
        [
            (
                "move_wiring",
                "Event_MoveLast",
                "boundary event 'Move requested' keeps deal_move in 'request': the routes read "
                "move_request['stage'], so name its message variable move_request",
            )
        ],
    ),
    (
        "a move that does not interrupt",
        changed(
            (
                'id="Event_MoveFirst" name="Move requested"',
                'id="Event_MoveFirst" name="Move requested" cancelActivity="false"',
            )
        ),
        [
            (
                "move_wiring",
                "Event_MoveFirst",
                "boundary event 'Move requested' catches deal_move without interrupting, so the "
                "deal would stay in its stage as well: make it interrupting",
            )
        ],
    ),
    (
        "a route naming a key no stage has",
        changed(("== 'last'", "== 'lst'")),
        [
            (
                "move_wiring",
                "Flow_RouteToStageToEnterLast",
                "sequence flow 'Last' routes free moves to stage 'lst', which is no pre-sale "
                "stage of this process (first, optional_step, last)",
            ),
            (
                "move_wiring",
                "Stage_Last",
                "no free-move route leads to stage 'Last': give the router gateway a flow with "
                "the condition move_request['stage'] == 'last' into the stage",
            ),
        ],
    ),
    (
        "a route into the wrong stage",
        changed(
            (
                'name="Last" sourceRef="Gateway_RouteToStage" targetRef="Gateway_EnterLast"',
                'name="Last" sourceRef="Gateway_RouteToStage" targetRef="Gateway_EnterFirst"',
            )
        ),
        [
            (
                "move_wiring",
                "Flow_RouteToStageToEnterLast",
                "sequence flow 'Last' routes free moves for 'last' to stage 'First', not to "
                "stage 'Last': point it at the stage (or at the gateway in front of it)",
            )
        ],
    ),
    (
        "stages no close can reach",
        without("Event_CloseRequestedEarly").encode(),
        [
            (
                "close_wiring",
                stage,
                f"a deal at stage '{name}' cannot be closed: attach an interrupting boundary "
                "event catching deal_close to the stage or to a sub-process around it",
            )
            for stage, name in (
                ("Stage_First", "First"),
                ("Stage_OptionalStep", "Optional step"),
                ("Stage_Last", "Last"),
            )
        ],
    ),
    (
        "no deal_close at all",
        changed(
            (
                '<bpmn:message id="Message_DealClose" name="deal_close" />',
                '<bpmn:message id="Message_DealClose" name="deal_finish" />',
            )
        ),
        [
            (
                "close_wiring",
                "free_moves",
                "this process allows free moves but never catches deal_close, so its deals "
                "cannot be closed: add the close pattern (authoring guide 2.4)",
            )
        ],
    ),
    (
        "a close that never reaches validate_close",
        changed(('serviceTaskOperator id="validate_close"', 'serviceTaskOperator id="notify"')),
        [
            (
                "close_wiring",
                event,
                f"after {kind} the flow reaches no validate_close service task: lead it (through "
                "a merge gateway) to the validate_close task",
            )
            for event, kind in (
                ("Event_CloseRequestedEarly", "boundary event 'Close requested early'"),
                ("Event_AwaitClose", "intermediate catch event 'Awaiting close'"),
            )
        ],
    ),
    (
        "validate_close keeping its result elsewhere",
        changed(('resultVariable="close"', 'resultVariable="checked"')),
        [
            (
                "close_wiring",
                "Activity_ValidateClose",
                "service task 'Validate close' keeps its result in 'checked': the product and "
                'the outcome routes read close, so set resultVariable="close"',
            )
        ],
    ),
    (
        "an outcome routed to the wrong terminal",
        changed(("close['outcome'] == 'lost'", "close['outcome'] == 'invalid'")),
        [
            (
                "close_wiring",
                "Flow_Lost",
                "sequence flow 'Lost' routes close['outcome'] == 'invalid' to end event 'Lost', "
                "which is not a terminal event with outcome invalid",
            ),
            (
                "close_wiring",
                "Activity_ValidateClose",
                "no flow after service task 'Validate close' routes close['outcome'] == 'lost' "
                "to the terminal with outcome lost, so a close as lost would fail",
            ),
        ],
    ),
]


@pytest.mark.parametrize(("data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_wiring_mistake_is_named(
    compiler: DiagramCompiler, data: bytes, expected: list[tuple[str, str, str]]
) -> None:
    assert sorted(wiring(compiler, data)) == sorted(expected)
