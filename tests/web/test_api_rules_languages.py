"""The sales rules' refusals over HTTP in the caller's language (Accept-Language), with the same
machine-readable `error` and `field` codes as in English (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bpmn_sales.context import Context
from bpmn_sales.web import create_app
from tests.team import Team
from tests.web.api import Api


@pytest.fixture
def app(ctx: Context) -> Flask:
    return create_app({"CONTEXT": ctx, "TESTING": True})


@pytest.fixture
def api(client: FlaskClient, team: Team) -> Api:
    return Api(client, team.tokens)


def _in(language: str) -> dict[str, Any]:
    return {"headers": {"Accept-Language": language}}


def _deal(api: Api) -> int:
    body = {"name": "Litware rollout", "customer": "Litware", "value": 8000}
    created = api("POST", "/deals", json=body)
    assert created.status_code == 201, created.get_json()
    return int(created.get_json()["id"])


def _complete(api: Api, deal_id: int, title: str, language: str, **json: Any) -> Any:
    tasks = api("GET", f"/deals/{deal_id}").get_json()["tasks"]
    (task,) = [t for t in tasks if t["title"] == title]
    return api("POST", f"/tasks/{task['task_id']}/complete", json=json, **_in(language))


@pytest.mark.parametrize(
    ("language", "unmet"),
    [
        (
            "pl",
            [
                "Initial visit: pole Industry jest puste",
                "Initial visit: klient musi mieć co najmniej 2 kontakty (ma 0)",
            ],
        ),
        (
            "zh-CN,zh;q=0.9",
            [
                "Initial visit：Industry 为空",
                "Initial visit：客户至少需要 2 个联系人（现有 0 个）",
            ],
        ),
        (
            "fr-FR,fr;q=0.8",
            [
                "Initial visit : le champ Industry est vide",
                "Initial visit : le client doit avoir au moins 2 contacts (il en a 0)",
            ],
        ),
    ],
)
def test_a_stage_refusal_names_each_unmet_requirement_in_the_callers_language(
    api: Api, language: str, unmet: list[str]
) -> None:
    deal_id = _deal(api)
    assert _complete(api, deal_id, "Meet the customer", language).status_code == 200
    response = _complete(api, deal_id, "Identify decision makers", language, note="Kim decides.")
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"] == "rule_violation"
    assert body["unmet"] == unmet
    for problem in unmet:
        assert problem in body["message"], body["message"]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("pl", "przegrana szansa sprzedaży wymaga powodu, jednego z: "),
        ("zh-CN", "输单需要填写原因，可选："),
        ("fr", "une opportunité perdue nécessite un motif, parmi : "),
        ("en", "a lost deal needs a reason, one of: "),
    ],
)
def test_closing_without_a_reason_is_refused_in_the_callers_language_with_the_same_codes(
    api: Api, language: str, message: str
) -> None:
    deal_id = _deal(api)
    response = api("POST", f"/deals/{deal_id}/close", json={"outcome": "lost"}, **_in(language))
    assert response.status_code == 400
    body = response.get_json()
    assert (body["error"], body["field"]) == ("invalid_input", "reason")
    assert message in body["message"], body["message"]
    assert "Lost to a competitor" in body["message"]


def test_without_accept_language_the_refusal_stays_english(api: Api) -> None:
    deal_id = _deal(api)
    response = api("POST", f"/deals/{deal_id}/close", json={"outcome": "lost"})
    assert response.get_json()["message"].startswith("a lost deal needs a reason, one of: ")


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("pl", "pole value musi być liczbą lub liczbą zapisaną jako tekst"),
        ("zh-CN", "value 必须是数字或数字文本"),
        ("fr", "le champ value doit être un nombre ou un nombre écrit en texte"),
    ],
)
def test_a_body_that_does_not_fit_its_schema_is_refused_in_the_callers_language(
    api: Api, language: str, message: str
) -> None:
    body = {"name": "Litware rollout", "customer": "Litware", "value": [1]}
    response = api("POST", "/deals", json=body, **_in(language))
    assert response.status_code == 400
    refused = response.get_json()
    assert (refused["error"], refused["field"]) == ("invalid_input", "value")
    assert refused["message"] == message
