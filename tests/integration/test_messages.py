"""Messages to deals: quote_generated completes "Send quote"; refusals name what the deal
waits for."""

from __future__ import annotations

import pytest

from bpmn_sales.context import Context
from bpmn_sales.errors import InvalidInput, InvalidState, NotFound
from bpmn_sales.services import deals
from bpmn_sales.services.deals import messages
from tests.helpers import walk_to
from tests.team import Team


def test_quote_generated_completes_send_quote(ctx: Context, team: Team) -> None:
    deal = deals.create_deal(ctx, team.rob, "Acme roll-out", "Acme", 5000)
    walk_to(ctx, team.rob, team.mia, deal.id, "quote_and_bid")
    before = deals.get_deal(ctx, team.rob, deal.id)
    assert sorted(t.title for t in before.tasks) == ["Negotiate terms", "Send quote"]

    view = messages.send_message(
        ctx, team.rob, deal.id, "quote_generated", {"quote_id": "Q-7"}, before.version
    )
    assert [t.title for t in view.tasks] == ["Negotiate terms"]
    assert view.stage == "quote_and_bid"
    # Send quote (weight 1 of 3) now counts as done: 80 % + 20 % * 1/3.
    assert view.probability == 87
    last = deals.deal_history(ctx, team.rob, deal.id)[-1]
    assert last.action == "message"
    assert last.detail["message"] == "quote_generated"
    assert last.detail["payload"] == {"quote_id": "Q-7"}
    assert last.detail["completed"] == ["Activity_SendQuote"]
    with pytest.raises(InvalidState, match="waits for: none"):
        messages.send_message(ctx, team.rob, deal.id, "quote_generated", {})


def test_refusals_name_the_messages_the_deal_waits_for(ctx: Context, team: Team) -> None:
    deal = deals.create_deal(ctx, team.rob, "Acme roll-out", "Acme", 5000)
    with pytest.raises(InvalidState, match="not waiting for message 'quote_generated'"):
        messages.send_message(ctx, team.rob, deal.id, "quote_generated", {})
    with pytest.raises(InvalidInput, match="not one the deal's process knows") as unknown:
        messages.send_message(ctx, team.rob, deal.id, "email_sent", {})
    assert unknown.value.field == "name"
    with pytest.raises(InvalidInput, match="close the deal instead"):
        messages.send_message(ctx, team.rob, deal.id, "deal_close", {"outcome": "won"})
    with pytest.raises(InvalidInput) as bad:
        messages.send_message(ctx, team.rob, deal.id, "quote_generated", ["not", "an object"])
    assert bad.value.field == "payload"
    with pytest.raises(NotFound):
        messages.send_message(ctx, team.rob, 9999, "quote_generated", {})
    with pytest.raises(NotFound):  # olga cannot see rob's deal: as if it did not exist
        messages.send_message(ctx, team.olga, deal.id, "quote_generated", {})
    assert deals.get_deal(ctx, team.rob, deal.id).version == deal.version
