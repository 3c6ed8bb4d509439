"""New leads and deals start on the enabled process that applies to the owner's department."""

from __future__ import annotations

import pytest

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.services import deals, leads, processes
from bpmn_sales.services.people import users

OPENFIRE = "openfire_pipeline"


# The demo (tests/conftest.py's demo_ctx) on each backend.
pytestmark = pytest.mark.parametrize("demo_backend", ["sqlite", "postgres"])


def who(ctx: Context, username: str) -> Actor:
    return users.actor_for_username(ctx, username)


def new_deal(ctx: Context, username: str, process: str | None = None) -> str:
    view = deals.create_deal(ctx, who(ctx, username), "Choice", "Acme", "100", "EUR", None, process)
    return view.process.split(" ")[0]


def test_without_departments_everyone_starts_on_the_default_processes(demo_ctx: Context) -> None:
    assert new_deal(demo_ctx, "rob") == "sales_process"
    assert new_deal(demo_ctx, "olga") == "sales_process"
    lead = leads.create_lead(demo_ctx, who(demo_ctx, "olga"), "Walk-in")
    assert lead.process.startswith("lead_qualification ")


def test_a_process_naming_the_department_wins_for_its_people(demo_ctx: Context) -> None:
    admin = who(demo_ctx, "admin")
    processes.set_departments(demo_ctx, admin, OPENFIRE, ["Field sales"])
    assert new_deal(demo_ctx, "olga") == OPENFIRE
    assert new_deal(demo_ctx, "rob") == "sales_process"  # Sales: only the unrestricted one
    # A qualified lead of Olga's opens its deal on her department's process too.
    olga = who(demo_ctx, "olga")
    lead = leads.create_lead(demo_ctx, olga, "Salle d'eau", estimated_value="5000")
    qualified = leads.qualify_lead(demo_ctx, olga, lead.id)
    assert qualified.deal_id is not None
    deal = deals.get_deal(demo_ctx, olga, qualified.deal_id)
    assert deal.process.startswith(OPENFIRE + " ")


def test_disabled_processes_are_passed_over(demo_ctx: Context) -> None:
    admin = who(demo_ctx, "admin")
    processes.set_departments(demo_ctx, admin, OPENFIRE, ["Field sales"])
    processes.set_enabled(demo_ctx, admin, OPENFIRE, False)
    assert new_deal(demo_ctx, "olga") == "sales_process"


def test_no_applicable_process_is_refused_with_the_department(demo_ctx: Context) -> None:
    admin = who(demo_ctx, "admin")
    processes.set_departments(demo_ctx, admin, "sales_process", ["Sales"])
    processes.set_departments(demo_ctx, admin, OPENFIRE, ["Sales"])
    with pytest.raises(InvalidState) as refused:
        new_deal(demo_ctx, "olga")
    assert "department 'Field sales'" in refused.value.message
    assert "no enabled sales process" in refused.value.message
    assert deals.list_deals(demo_ctx, admin, owner="olga", status="open") != []  # demo deals only
    before = len(deals.list_deals(demo_ctx, admin, owner="olga"))
    with pytest.raises(InvalidState):
        new_deal(demo_ctx, "olga")
    assert len(deals.list_deals(demo_ctx, admin, owner="olga")) == before


def test_a_named_process_must_apply_to_the_owner(demo_ctx: Context) -> None:
    admin = who(demo_ctx, "admin")
    processes.set_departments(demo_ctx, admin, OPENFIRE, ["Field sales"])
    with pytest.raises(InvalidInput) as refused:
        new_deal(demo_ctx, "rob", OPENFIRE)
    assert refused.value.field == "process"
    assert "applies to Field sales" in refused.value.message
    assert "rob's department (Sales)" in refused.value.message
    # A manager creating for someone in the department is fine.
    view = deals.create_deal(
        demo_ctx, who(demo_ctx, "omar"), "Cuisine", "Acme", "100", "EUR", "olga", OPENFIRE
    )
    assert view.process.startswith(OPENFIRE + " ")
