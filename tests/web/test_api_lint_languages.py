"""Lint findings and deploy refusals over HTTP in the designer's language (Accept-Language):
the sentence is translated, the element it names, its id, line and code stay the same."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from tests.team import Team
from tests.web.api import Api

LINT = Path(__file__).resolve().parents[1] / "data" / "lint"


@pytest.fixture
def api(client: FlaskClient, sqlite_team: Team) -> Api:
    return Api(client, sqlite_team.tokens, "admin")


def _lint(api: Api, name: str, language: str | None) -> list[dict[str, Any]]:
    data = {"file": (io.BytesIO((LINT / name).read_bytes()), name.rsplit("/", 1)[-1])}
    headers = {"Accept-Language": language} if language else {}
    response = api(
        "POST", "/processes/lint", data=data, content_type="multipart/form-data", headers=headers
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["ok"] is False
    problems: list[dict[str, Any]] = body["problems"]
    return problems


def _about(problems: list[dict[str, Any]], element_id: str) -> dict[str, Any]:
    (found,) = [p for p in problems if p["element_id"] == element_id and p["severity"] == "error"]
    return found


@pytest.mark.parametrize(
    ("name", "element_id", "english", "french"),
    [
        (
            "unreachable.bpmn",
            "Activity_Orphan",
            "user task 'Forgotten task' cannot be reached from a start event",
            "impossible d'atteindre tâche utilisateur « Forgotten task » depuis un événement de "
            "début",
        ),
        (
            "spiff/task_with_two_outgoing.bpmn",
            "Activity_SendProposal",
            "user task 'Send proposal' has 2 outgoing sequence flows; a task may have only one",
            "tâche utilisateur « Send proposal » a 2 flux de séquence sortants ; une tâche ne "
            "peut en avoir qu'un",
        ),
        (
            "unknown_property.bpmn",
            "Activity_CallCustomer",
            "unknown property 'wieght' on an activity (did you mean 'weight'?)",
            "propriété inconnue « wieght » sur une activité (vouliez-vous dire « weight » ?)",
        ),
    ],
)
def test_lint_findings_come_out_in_french_naming_the_element(
    api: Api, name: str, element_id: str, english: str, french: str
) -> None:
    in_english = _about(_lint(api, name, None), element_id)
    in_french = _about(_lint(api, name, "fr-FR,fr;q=0.9"), element_id)
    assert english in in_english["message"]
    assert french in in_french["message"], in_french["message"]
    assert english not in in_french["message"]
    same = ("file", "element_id", "line", "severity", "code")
    assert {k: in_french[k] for k in same} == {k: in_english[k] for k in same}


def test_lint_findings_in_polish_and_chinese_use_the_designers_words(api: Api) -> None:
    name = "spiff/task_with_two_outgoing.bpmn"
    polish = _about(_lint(api, name, "pl"), "Activity_SendProposal")["message"]
    chinese = _about(_lint(api, name, "zh-CN"), "Activity_SendProposal")["message"]
    assert polish.startswith("zadanie użytkownika „Send proposal” ma 2 wychodzące przepływy")
    assert "bramkę równoległą" in polish
    assert chinese.startswith("用户任务“Send proposal”有 2 条传出顺序流")
    assert "并行网关" in chinese


def test_a_refused_deploy_says_where_and_why_in_the_callers_language(api: Api) -> None:
    bundled = LINT.parents[2] / "bpmn"
    xml = (bundled / "lead_qualification.bpmn").read_text(encoding="utf-8")
    unsafe = xml.replace("decision == 'qualify'", "__import__('os').system('id')")
    forms = [(io.BytesIO(p.read_bytes()), p.name) for p in sorted(bundled.glob("*.json"))]
    data = {"file": [(io.BytesIO(unsafe.encode()), "lead_qualification.bpmn"), *forms]}
    response = api(
        "POST",
        "/processes",
        data=data,
        content_type="multipart/form-data",
        headers={"Accept-Language": "fr"},
    )
    assert response.status_code == 400
    body = response.get_json()
    assert (body["file"], body["element_id"]) == ("lead_qualification.bpmn", "Flow_Qualify")
    assert body["error"] in ("diagram_error", "unsafe_expression"), body
    assert body["message"].startswith("lead_qualification.bpmn, élément Flow_Qualify"), body
    assert "l'attribut « system » est interdit dans une expression du diagramme" in body["message"]
