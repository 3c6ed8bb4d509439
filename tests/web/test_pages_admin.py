"""The processes and users admin pages, and the account page: admins only, CSRF, form errors."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidState
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]


@pytest.mark.parametrize("path", ["/processes", "/admin/users", "/admin/users/rob"])
@pytest.mark.parametrize("username", ["rob", "mia"])
def test_admin_pages_refuse_everyone_else(visitor: Visitor, username: str, path: str) -> None:
    page = visitor(username)
    response = page.get(path, status=403)
    assert "only an admin may" in page.text(response)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/processes/sales_process/disable", {}),
        ("/processes/sales_process/departments", {"departments": "Sales"}),
        ("/admin/users", {"username": "eve", "full_name": "Eve", "role": "admin"}),
        ("/admin/users/rob/manager", {"manager": ""}),
        ("/admin/users/rob/groups", {"groups": "presales"}),
        ("/admin/users/mia/password", {"password": "taken-over", "confirm": "taken-over"}),
    ],
)
def test_admin_actions_refuse_a_rep(
    visitor: Visitor, demo_ctx: Context, path: str, data: dict[str, str]
) -> None:
    rob = visitor("rob")
    rob.post(path, data, status=403)
    listed = {u.username: u for u in users.list_users(demo_ctx)}
    assert "eve" not in listed and listed["rob"].manager == "mia"
    assert listed["rob"].groups == ()


def test_processes_page_lists_counts_and_switches(visitor: Visitor, demo_ctx: Context) -> None:
    admin = visitor("admin")
    page = admin.text(admin.get("/processes"))
    assert 'data-testid="deals-sales_process">4 / 7<' in page
    assert 'data-testid="status-openfire_pipeline">enabled<' in page
    response = admin.post("/processes/openfire_pipeline/disable", status=302)
    page = admin.text(admin.follow(response))
    assert 'data-testid="status-openfire_pipeline">disabled<' in page
    rob = users.actor_for_username(demo_ctx, "rob")
    with pytest.raises(InvalidState):
        deals.create_deal(demo_ctx, rob, "Kitchen", value="10", process="openfire_pipeline")
    page = admin.text(admin.follow(admin.post("/processes/openfire_pipeline/enable")))
    assert 'data-testid="status-openfire_pipeline">enabled<' in page
    assert deals.create_deal(demo_ctx, rob, "Kitchen", value="10", process="openfire_pipeline")
    admin.post("/processes/nope/enable", status=302)
    assert "process &#39;nope&#39; is not deployed" in admin.text(admin.get("/processes"))


def test_processes_page_sets_departments_with_errors_beside_the_field(visitor: Visitor) -> None:
    admin = visitor("admin")
    saved = admin.post(
        "/processes/openfire_pipeline/departments", {"departments": ["Field sales"]}, status=302
    )
    page = admin.text(admin.follow(saved))
    assert "applies to: Field sales" in page
    assert '<option value="Field sales" selected>' in page
    bad = admin.post(
        "/processes/openfire_pipeline/departments", {"departments": ["Atlantis"]}, status=400
    )
    text = admin.text(bad)
    assert 'id="dept-openfire_pipeline-error"' in text and "Atlantis" in text


def test_processes_page_needs_the_csrf_token(visitor: Visitor) -> None:
    admin = visitor("admin")
    response = admin.client.post("/processes/sales_process/disable")
    assert response.status_code == 400
    assert 'data-testid="status-sales_process">enabled<' in admin.text(admin.get("/processes"))


def test_users_page_creates_a_user_who_can_sign_in(visitor: Visitor, demo_ctx: Context) -> None:
    admin = visitor("admin")
    page = admin.text(admin.get("/admin/users"))
    assert 'data-testid="user-olga"' in page and "Field sales" in page
    form = {
        "username": "nina",
        "full_name": "Nina New",
        "role": "rep",
        "manager": "omar",
        "department": "Field sales",
        "groups": "installers, presales",
        "password": "nina-secret",
    }
    page = admin.text(admin.follow(admin.post("/admin/users", form, status=302)))
    assert "User nina created" in page and "API token" in page
    nina = next(u for u in users.list_users(demo_ctx) if u.username == "nina")
    assert (nina.manager, nina.department, nina.groups) == (
        "omar",
        "Field sales",
        ("installers", "presales"),
    )
    Pages(admin.client.application).sign_in("nina", "nina-secret")


@pytest.mark.parametrize(
    ("change", "status", "field", "message"),
    [
        ({"password": "short"}, 400, "password", "at least 8 characters"),
        ({"username": "Bad Name"}, 400, "username", "lower-case"),
        ({"username": "rob"}, 409, "username", "already exists"),
        ({"full_name": ""}, 400, "full_name", "full_name is required"),
        ({"manager": "ghost"}, 400, "manager", "does not exist"),
        ({"email": "not-mail"}, 400, "email", "not an e-mail address"),
    ],
)
def test_users_page_shows_bad_input_beside_the_field(
    visitor: Visitor, change: dict[str, str], status: int, field: str, message: str
) -> None:
    admin = visitor("admin")
    form = {"username": "nina", "full_name": "Nina", "role": "rep", "password": "long-enough"}
    response = admin.post("/admin/users", {**form, **change}, status=status)
    text = admin.text(response)
    assert f'id="{field}-error"' in text and message in text
    assert 'value="Nina"' in text or field == "full_name"


def test_user_page_sets_manager_department_groups_and_password(
    visitor: Visitor, demo_ctx: Context
) -> None:
    admin = visitor("admin")
    admin.get("/admin/users/olga")
    admin.post("/admin/users/olga/manager", {"manager": "mia", "department": "Sales"}, status=302)
    admin.post("/admin/users/olga/groups", {"groups": "presales"}, status=302)
    page = admin.text(admin.get("/admin/users"))
    listed = {u.username: u for u in users.list_users(demo_ctx)}
    assert (listed["olga"].manager, listed["olga"].department) == ("mia", "Sales")
    assert listed["olga"].groups == ("presales",)
    assert 'data-testid="user-olga"' in page
    bad = admin.post("/admin/users/olga/manager", {"manager": "ghost"}, status=400)
    assert 'id="manager-error"' in admin.text(bad)
    itself = admin.post("/admin/users/olga/manager", {"manager": "olga"}, status=400)
    assert "their own manager" in admin.text(itself)
    differ = admin.post(
        "/admin/users/olga/password", {"password": "new-secret-1", "confirm": "other"}, status=400
    )
    assert 'id="confirm-error"' in admin.text(differ)
    admin.post(
        "/admin/users/olga/password",
        {"password": "new-secret-1", "confirm": "new-secret-1"},
        status=302,
    )
    Pages(admin.client.application).sign_in("olga", "new-secret-1")
    admin.get("/admin/users/ghost", status=404)


def test_anyone_changes_their_own_password(visitor: Visitor) -> None:
    rob = visitor("rob")
    rob.get("/account")
    short = rob.post("/account", {"password": "short", "confirm": "short"}, status=400)
    assert 'id="password-error"' in rob.text(short)
    differ = rob.post("/account", {"password": "rob-secret-2", "confirm": "x"}, status=400)
    assert 'id="confirm-error"' in rob.text(differ)
    no_token = rob.client.post("/account", data={"password": "hijacked!", "confirm": "hijacked!"})
    assert no_token.status_code == 400
    done = rob.post("/account", {"password": "rob-secret-2", "confirm": "rob-secret-2"})
    assert "Your password was changed" in rob.text(rob.follow(done))
    Pages(rob.client.application).sign_in("rob", "rob-secret-2")
    stranger = visitor(None)
    stranger.get("/sign-in")
    old = stranger.post("/sign-in", {"username": "rob", "password": "demo-sales"}, status=401)
    assert "not right" in stranger.text(old)
