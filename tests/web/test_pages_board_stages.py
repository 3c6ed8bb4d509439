"""Adding and deleting stages on the board page: admins only, errors beside the field."""

from __future__ import annotations

from collections.abc import Callable

from bpmn_sales.context import Context
from bpmn_sales.services import processes
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]
OPENFIRE = "openfire_pipeline"


def stage_keys(ctx: Context) -> list[str]:
    return [s["key"] for s in processes.get_process(ctx, OPENFIRE).stages]


def test_an_admin_adds_a_stage_from_the_board(visitor: Visitor, demo_ctx: Context) -> None:
    admin = visitor("admin")
    page = admin.text(admin.get(f"/board?process={OPENFIRE}"))
    assert 'data-testid="add-stage-form"' in page
    response = admin.post(
        "/board/stages",
        {"process": OPENFIRE, "after": "nouveau", "name": "Call back", "win_rate": "15"},
        status=302,
    )
    page = admin.text(admin.follow(response))
    assert "Stage &#39;Call back&#39; added: version 2 of the process" in page
    assert 'data-testid="column-call_back"' in page
    assert stage_keys(demo_ctx)[:2] == ["nouveau", "call_back"]


def test_bad_stage_input_comes_back_beside_its_field(visitor: Visitor, demo_ctx: Context) -> None:
    admin = visitor("admin")
    admin.get(f"/board?process={OPENFIRE}")
    response = admin.post(
        "/board/stages",
        {"process": OPENFIRE, "after": "nouveau", "name": "Devis", "win_rate": ""},
        status=400,
    )
    page = admin.text(response)
    assert 'id="key-error"' in page and "stage &#39;devis&#39; already exists" in page
    assert 'value="Devis"' in page  # what was typed stays in the form
    response = admin.post(
        "/board/stages",
        {"process": OPENFIRE, "after": "nouveau", "name": "Later", "win_rate": "abc"},
        status=400,
    )
    assert 'id="win_rate-error"' in admin.text(response)
    assert processes.get_process(demo_ctx, OPENFIRE).version == 1


def test_deleting_a_stage_with_deals_is_refused_with_the_count(
    visitor: Visitor, demo_ctx: Context
) -> None:
    admin = visitor("admin")
    admin.get(f"/board?process={OPENFIRE}")
    response = admin.post(
        "/board/stages/visite_technique/delete", {"process": OPENFIRE}, status=302
    )
    page = admin.text(admin.follow(response))
    assert "2 open deal(s) are at it; move them to another stage first" in page
    assert "visite_technique" in stage_keys(demo_ctx)
    response = admin.post("/board/stages/estimation/delete", {"process": OPENFIRE}, status=302)
    page = admin.text(admin.follow(response))
    assert "Stage &#39;estimation&#39; deleted: version 2" in page
    assert 'data-testid="column-estimation"' not in page


def test_only_admins_edit_stages(visitor: Visitor, demo_ctx: Context) -> None:
    mia = visitor("mia")
    page = mia.text(mia.get(f"/board?process={OPENFIRE}"))
    assert "Column settings" in page and 'data-testid="add-stage-form"' not in page
    assert "delete-stage-" not in page
    mia.post("/board/stages", {"process": OPENFIRE, "after": "nouveau", "name": "X"}, status=403)
    mia.post("/board/stages/estimation/delete", {"process": OPENFIRE}, status=403)
    assert processes.get_process(demo_ctx, OPENFIRE).version == 1


def test_stage_edits_need_the_csrf_token(visitor: Visitor, demo_ctx: Context) -> None:
    admin = visitor("admin")
    admin.get("/board")
    response = admin.client.post(
        "/board/stages/estimation/delete", data={"process": OPENFIRE, "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert "estimation" in stage_keys(demo_ctx)
