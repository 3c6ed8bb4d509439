"""The use cases' messages in the reader's language (issue 18), over HTTP on both databases.

Errors keep their machine-readable `error` and `field` while `message` follows the request's
Accept-Language; a notification written while someone works in English is read in Polish by a
Polish reader, through the API and through the use case alike; a notification stored before
messages were kept with their values shows its English text.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.persistence.models import Notification
from bpmn_sales.services.delivery import notices
from bpmn_sales.services.people import users
from bpmn_sales.web import create_app
from tests.team import Team
from tests.web.api import Api
from tests.web.test_api_rules import (
    TEXT_FILE,
    complete,
    create,
    initial_visit,
    needs_analysis,
    ok,
    upload,
)

LANGUAGES = ("pl", "zh-CN", "fr")


@pytest.fixture
def app(ctx: Context) -> Flask:
    return create_app({"CONTEXT": ctx, "TESTING": True})


@pytest.fixture
def pia(ctx: Context, team: Team) -> str:
    """A presales member ('Present solution' notifies group:presales)."""
    _, token = users.create_user(
        ctx, None, "pia", "Pia Presales", "rep", "mia", "pia@example.com", groups=["presales"]
    )
    return token


@pytest.fixture
def api(client: FlaskClient, team: Team, pia: str) -> Api:
    return Api(client, {**team.tokens, "pia": pia})


def refused(api: Api, language: str, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
    """The error body of a call made in `language` (its Accept-Language)."""
    response = api(method, path, headers={"Accept-Language": language}, **kwargs)
    assert response.status_code >= 400, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def test_errors_speak_the_callers_language_and_keep_their_codes(api: Api) -> None:
    deal = create(api)["id"]
    ok(api("POST", f"/deals/{deal}/close", json={"outcome": "invalid"}))
    fresh = create(api, "Wide World upgrade")["id"]
    calls: list[tuple[str, str, dict[str, Any], str, str | None, str]] = [
        # (method, path, kwargs, error, field, what the English message says)
        ("GET", "/analytics/funnel", {}, "forbidden", None, "rob may not see analytics"),
        (
            "POST",
            f"/deals/{fresh}/move",
            {"json": {"stage": "nowhere"}},
            "invalid_input",
            "stage",
            "stage 'nowhere' does not exist",
        ),
        (
            "POST",
            f"/deals/{fresh}/move",
            {"json": {"stage": "needs_analysis"}},
            "rule_violation",
            None,
            f"this process does not allow moving deal {fresh} freely",
        ),
        (
            "POST",
            f"/deals/{deal}/close",
            {"json": {"outcome": "won"}},
            "invalid_state",
            None,
            f"deal {deal} is invalid, not open",
        ),
    ]
    for method, path, kwargs, code, field, english in calls:
        said = {}
        for language in ("en", *LANGUAGES):
            body = refused(api, language, method, path, **kwargs)
            assert (body["error"], body.get("field")) == (code, field), (language, body)
            said[language] = body["message"]
        assert english in said["en"], said
        # each language says it its own way, and none of them in English
        assert len(set(said.values())) == 4, said
        assert all(english not in said[language] for language in LANGUAGES), said
    polish = refused(api, "pl", "GET", "/analytics/funnel")["message"]
    assert polish == (
        "rob nie ma dostępu do analityki: jest ona przeznaczona dla kierowników i administratorów"
    )
    chinese = refused(
        api, "zh-CN,zh;q=0.9", "POST", f"/deals/{deal}/close", json={"outcome": "won"}
    )
    assert chinese["message"] == f"商机 {deal} 的状态为 invalid，不是进行中"
    french = refused(
        api, "fr-FR", "POST", f"/deals/{fresh}/move", json={"stage": "needs_analysis"}
    )["message"]
    assert french.startswith(
        f"ce processus ne permet pas de déplacer librement l'opportunité {fresh} entre les étapes"
    )


def present_solution(api: Api) -> int:
    """Walk a deal to its 'Present solution' activity and complete it (in English): pia, of
    group presales, is notified."""
    deal = int(create(api)["id"])
    initial_visit(api, deal)
    needs_analysis(api, deal)
    design = ok(api("POST", f"/deals/{deal}/attachments", **upload(*TEXT_FILE)), 201)
    ok(complete(api, deal, "Design solution", note="Design", attachment_ids=[design["id"]]))
    ok(complete(api, deal, "Present solution"))
    return deal


def test_a_notice_written_in_english_is_read_in_polish(api: Api, ctx: Context) -> None:
    deal = present_solution(api)
    english = f"rob completed 'Present solution' on deal {deal} (Litware rollout)."
    listed = ok(api("GET", "/notifications", user="pia"))["notifications"]
    assert [(n["kind"], n["message"]) for n in listed] == [("activity_done", english)]

    # through the API: the reader's Accept-Language
    polish = f"rob wykonał(a) „Present solution” w szansie sprzedaży {deal} (Litware rollout)."
    headers = {"Accept-Language": "pl-PL,pl;q=0.9"}
    shown = ok(api("GET", "/notifications", user="pia", headers=headers))["notifications"]
    assert [(n["kind"], n["message"]) for n in shown] == [("activity_done", polish)]
    chinese = ok(api("GET", "/notifications", user="pia", headers={"Accept-Language": "zh-CN"}))
    assert chinese["notifications"][0]["message"] == (
        f"rob 完成了商机 {deal}（Litware rollout）的“Present solution”。"
    )

    # through the use case: the language in force
    pia = users.actor_for_username(ctx, "pia")
    with i18n.use_language("pl"):
        page = notices.list_notifications(ctx, pia).to_dict()
    assert [n["message"] for n in page["notifications"]] == [polish]
    with i18n.use_language("fr"):
        page = notices.list_notifications(ctx, pia).to_dict()
    assert [n["message"] for n in page["notifications"]] == [
        f"rob a effectué «\u00a0Present solution\u00a0» sur l'opportunité {deal} (Litware rollout)."
    ]
    # the mail waiting in the outbox keeps the English text, and its phrase for the recipient
    outbox = ok(api("GET", "/outbox", user="admin"))
    [mail] = [m for m in outbox if m["recipient"] == "pia@example.com"]
    assert mail["subject"] == "Present solution done on deal Litware rollout"


def test_a_notice_stored_before_phrases_shows_its_own_text(api: Api, ctx: Context) -> None:
    rob = users.actor_for_username(ctx, "rob")
    with ctx.uow() as store:
        store.add(
            Notification(
                user_id=rob.id,
                subject_type="deal",
                subject_id=1,
                kind="notice",
                message="Deal 1 (Old) needs attention.",
                phrase=None,
                created_at=ctx.clock(),
            )
        )
        store.commit()
    with i18n.use_language("pl"):
        page = notices.list_notifications(ctx, rob).to_dict()
    assert [n["message"] for n in page["notifications"]] == ["Deal 1 (Old) needs attention."]
    shown = ok(api("GET", "/notifications", headers={"Accept-Language": "pl"}))
    assert [n["message"] for n in shown["notifications"]] == ["Deal 1 (Old) needs attention."]


def test_an_analytics_csv_heads_its_columns_in_the_readers_language(api: Api) -> None:
    create(api, value=8000)
    english = api("GET", "/analytics/funnel.csv", user="mia")
    assert english.status_code == 200
    header = english.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert header.startswith("stage,name,reached,went_on,skipped,to_next_pct,overall_pct")
    polish = api("GET", "/analytics/funnel.csv", user="mia", headers={"Accept-Language": "pl"})
    cells = polish.get_data(as_text=True).lstrip("\ufeff").splitlines()[0]
    assert cells.startswith("etap")
    assert "przeszło dalej" in cells and "wartość (USD)" in cells
    french = api("GET", "/analytics/funnel.csv", user="mia", headers={"Accept-Language": "fr"})
    assert french.get_data(as_text=True).lstrip("\ufeff").startswith("étape")


def test_history_entries_tell_what_happened_in_the_readers_language(api: Api) -> None:
    deal = create(api)["id"]
    ok(api("POST", f"/deals/{deal}/contacts", json={"name": "Pat Direct"}), 201)
    ok(api("POST", f"/deals/{deal}/close", json={"outcome": "invalid"}))
    path = f"/deals/{deal}/history"
    english = ok(api("GET", path))
    assert [(h["action"], h["summary"]) for h in english] == [
        ("created", "Created at stage 'Initial visit'"),
        ("contact_added", "Added the contact Pat Direct"),
        ("closed", "Closed as invalid"),
    ]
    polish = ok(api("GET", path, headers={"Accept-Language": "pl"}))
    assert [(h["action"], h["summary"]) for h in polish] == [
        ("created", "Utworzono na etapie „Initial visit”"),
        ("contact_added", "Dodano kontakt Pat Direct"),
        ("closed", "Zamknięto jako nieważną"),
    ]
    chinese = ok(api("GET", path, headers={"Accept-Language": "zh-CN"}))
    assert [h["summary"] for h in chinese][-1] == "作为无效关闭"
