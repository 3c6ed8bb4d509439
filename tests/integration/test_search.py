"""Text search on deals and leads on both backends: word prefixes, any case and punctuation,
kept in step when a name changes, and a query with nothing to search for named."""

from __future__ import annotations

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidInput
from bpmn_sales.services import deals, leads
from bpmn_sales.services.deals.edits import update_deal
from tests.team import Team


def found(ctx: Context, team: Team, q: str) -> list[str]:
    return sorted(d.name for d in deals.list_deals(ctx, team.admin, q=q, limit=500))


def test_deals_are_found_by_the_beginnings_of_their_words(ctx: Context, team: Team) -> None:
    deals.create_deal(ctx, team.rob, "Northwind rollout", "Northwind Traders")
    deals.create_deal(ctx, team.rob, "Ärger-Frei GmbH", "a-c ab ac")
    renamed = deals.create_deal(ctx, team.sara, "Contoso pilot", "Contoso Ltd")
    assert found(ctx, team, "north") == ["Northwind rollout"]
    assert found(ctx, team, "TRAD, north") == ["Northwind rollout"]
    assert found(ctx, team, "ärger frei") == ["Ärger-Frei GmbH"]
    # A prefix is a byte range on every backend: "a" finds words beginning with a, not "b".
    assert found(ctx, team, "ac") == ["Ärger-Frei GmbH"]
    assert found(ctx, team, "b") == []
    update_deal(ctx, team.sara, renamed.id, {"name": "Fabrikam pilot", "customer": "Fabrikam"})
    assert found(ctx, team, "contoso") == []
    assert found(ctx, team, "fabrik pil") == ["Fabrikam pilot"]
    # Visibility still applies: rob does not see sara's deal.
    assert [d.name for d in deals.list_deals(ctx, team.rob, q="fabrikam")] == []


def test_leads_are_found_by_name_and_company(ctx: Context, team: Team) -> None:
    leads.create_lead(ctx, team.rob, "Jane Cooper", "Adventure Works")
    leads.create_lead(ctx, team.rob, "John Smith", "Tailspin Toys")
    names = [lead.name for lead in leads.list_leads(ctx, team.rob, q="advent")]
    assert names == ["Jane Cooper"]
    assert [lead.name for lead in leads.list_leads(ctx, team.rob, q="smi tail")] == ["John Smith"]


@pytest.mark.parametrize(("q", "message"), [("!!!", "a letter or a digit"), ("a b c d e f", "5")])
def test_a_query_with_nothing_to_search_for_is_named(
    ctx: Context, team: Team, q: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        deals.list_deals(ctx, team.rob, q=q)
    assert raised.value.field == "q" and message in raised.value.message
