"""The pipeline board use cases on the demo data: columns, cards, filters, column settings."""

from __future__ import annotations

import pytest

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import Forbidden, InvalidInput, InvalidState, NotFound, RuleViolation
from bpmn_sales.services import board, deals, leads, processes
from bpmn_sales.services.board import Board, Card
from bpmn_sales.services.people import users

OPENFIRE = "openfire_pipeline"


def who(ctx: Context, username: str) -> Actor:
    return users.actor_for_username(ctx, username)


def cards(shown: Board) -> dict[str, tuple[str, Card]]:
    """Every card by deal name, with the key of its column."""
    return {card.name: (col.key, card) for col in shown.columns for card in col.cards}


def test_columns_follow_the_diagram(demo_ctx: Context) -> None:
    shown = board.pipeline_board(demo_ctx, who(demo_ctx, "admin"), OPENFIRE)
    assert shown.process == OPENFIRE
    assert [c.key for c in shown.columns] == ["nouveau", "estimation", "visite_technique", "devis"]
    assert [c.position for c in shown.columns] == [1, 2, 3, 4]
    visit = shown.columns[2]
    assert (visit.label, visit.win_rate, visit.phase, visit.count) == (
        "Visite technique",
        50,
        "pre_sale",
        2,
    )
    assert float(visit.totals["EUR"]) == 12500 + 7800
    assert {p["key"] for p in shown.processes} == {OPENFIRE, "sales_process", "zh_key_account"}


def test_sales_board_counts_won_and_lost_and_shows_post_sale_columns(demo_ctx: Context) -> None:
    shown = board.pipeline_board(demo_ctx, who(demo_ctx, "admin"), "sales_process")
    assert (shown.won, shown.lost) == (1, 1)
    phases = {c.key: c.phase for c in shown.columns}
    assert phases["initial_visit"] == "pre_sale" and phases["installation"] == "post_sale"
    # Only open deals are cards; the won deal in installation still counts as using the stage.
    installation = next(c for c in shown.columns if c.key == "installation")
    assert installation.cards == [] and installation.in_use == 1
    assert board.stage_usage(demo_ctx, who(demo_ctx, "mia"), "sales_process", "installation") == 1


def test_the_board_opens_on_the_process_of_the_readers_open_deals(demo_ctx: Context) -> None:
    def opened(username: str, **filters: str) -> str:
        return board.pipeline_board(demo_ctx, who(demo_ctx, username), **filters).process

    assert opened("rob") == "sales_process"  # three of his four open deals
    assert opened("olga") == OPENFIRE and opened("omar") == OPENFIRE  # omar: his team's
    assert opened("lilei") == "zh_key_account" and opened("wangfang") == "zh_key_account"
    # nobody's deals: the process a new deal of theirs starts on
    assert opened("admin") == "sales_process"
    # filtered by an owner or a team: the process of their open deals
    assert opened("admin", team="omar") == OPENFIRE
    assert opened("admin", owner="lilei") == "zh_key_account"


def test_a_rep_sees_only_their_own_deals(demo_ctx: Context) -> None:
    rob = board.pipeline_board(demo_ctx, who(demo_ctx, "rob"), OPENFIRE)
    assert set(cards(rob)) == {"Rénovation cuisine"}
    assert rob.owners == ["rob"] and rob.teams == [] and not rob.can_configure
    assert all(c.in_use is None for c in rob.columns)
    with pytest.raises(InvalidInput) as refused:
        board.pipeline_board(demo_ctx, who(demo_ctx, "rob"), owner="olga")
    assert refused.value.field == "owner"
    olga = board.pipeline_board(demo_ctx, who(demo_ctx, "olga"), OPENFIRE)
    assert set(cards(olga)) == {"Salle de bain"}


def test_filters_by_owner_and_team(demo_ctx: Context) -> None:
    admin = who(demo_ctx, "admin")
    assert set(cards(board.pipeline_board(demo_ctx, admin, OPENFIRE, owner="olga"))) == {
        "Salle de bain"
    }
    assert set(cards(board.pipeline_board(demo_ctx, admin, OPENFIRE, team="omar"))) == {
        "Salle de bain"
    }
    assert set(cards(board.pipeline_board(demo_ctx, admin, OPENFIRE, team="mia"))) == {
        "Rénovation cuisine"
    }
    sales = board.pipeline_board(demo_ctx, who(demo_ctx, "mia"), "sales_process", owner="sara")
    assert set(cards(sales)) == {"Contoso opportunity"}
    with pytest.raises(InvalidInput) as refused:
        board.pipeline_board(demo_ctx, admin, team="rob")
    assert refused.value.field == "team"
    with pytest.raises(NotFound):
        board.pipeline_board(demo_ctx, admin, "no_such_process")
    with pytest.raises(InvalidInput):
        board.pipeline_board(demo_ctx, admin, "lead_qualification")


def test_days_in_stage_follow_the_product_clock(demo_ctx: Context, clock: object) -> None:
    rob = who(demo_ctx, "rob")
    _, card = cards(board.pipeline_board(demo_ctx, rob, OPENFIRE))["Rénovation cuisine"]
    assert card.days_in_stage == 0
    clock.advance(days=3, hours=5)  # type: ignore[attr-defined]
    column, card = cards(board.pipeline_board(demo_ctx, rob, OPENFIRE))["Rénovation cuisine"]
    assert (column, card.days_in_stage) == ("visite_technique", 3)
    deals.move_deal(demo_ctx, rob, card.id, "nouveau", card.version)
    column, card = cards(board.pipeline_board(demo_ctx, rob, OPENFIRE))["Rénovation cuisine"]
    assert (column, card.days_in_stage, card.probability) == ("nouveau", 0, 10)


def test_moving_past_an_unmet_rule_is_refused_with_the_rule(demo_ctx: Context) -> None:
    rob = who(demo_ctx, "rob")
    _, card = cards(board.pipeline_board(demo_ctx, rob, OPENFIRE))["Rénovation cuisine"]
    with pytest.raises(RuleViolation) as refused:
        deals.move_deal(demo_ctx, rob, card.id, "devis", card.version)
    assert any("Réaliser la visite" in u for u in refused.value.details["unmet"])
    assert (
        cards(board.pipeline_board(demo_ctx, rob, OPENFIRE))["Rénovation cuisine"][0]
        == "visite_technique"
    )


def test_managers_rename_and_reorder_columns(demo_ctx: Context) -> None:
    mia = who(demo_ctx, "mia")
    board.rename_column(demo_ctx, mia, OPENFIRE, "devis", "  Quote sent  ")
    board.reorder_columns(demo_ctx, mia, OPENFIRE, ["devis", "nouveau"])
    shown = board.pipeline_board(demo_ctx, who(demo_ctx, "rob"), OPENFIRE)
    assert [(c.key, c.label) for c in shown.columns] == [
        ("devis", "Quote sent"),
        ("nouveau", "Nouveau"),
        ("estimation", "Estimation"),
        ("visite_technique", "Visite technique"),
    ]
    assert shown.columns[0].name == "Devis"
    # Renaming back to the diagram's name clears the label; other processes are untouched.
    board.rename_column(demo_ctx, mia, OPENFIRE, "devis", "Devis")
    assert board.pipeline_board(demo_ctx, mia, OPENFIRE).columns[0].label == "Devis"
    sales = board.pipeline_board(demo_ctx, mia, "sales_process")
    assert sales.columns[0].key == "initial_visit"


def test_column_settings_refuse_reps_and_bad_input(demo_ctx: Context) -> None:
    rob, mia = who(demo_ctx, "rob"), who(demo_ctx, "mia")
    with pytest.raises(Forbidden):
        board.rename_column(demo_ctx, rob, OPENFIRE, "devis", "Mine")
    with pytest.raises(Forbidden):
        board.reorder_columns(demo_ctx, rob, OPENFIRE, ["devis"])
    with pytest.raises(Forbidden):
        board.stage_usage(demo_ctx, rob, OPENFIRE, "devis")
    bad: list[tuple[str, object, str]] = [
        ("devis", "   ", "label"),
        ("devis", "x" * 101, "label"),
        ("ghost", "Ghost", "stage"),
    ]
    for stage, label, field in bad:
        with pytest.raises(InvalidInput) as refused:
            board.rename_column(demo_ctx, mia, OPENFIRE, stage, label)
        assert refused.value.field == field
    for order in (["ghost"], [], ["devis", "devis"], "devis"):
        with pytest.raises(InvalidInput) as refused:
            board.reorder_columns(demo_ctx, mia, OPENFIRE, order)
        assert refused.value.field == "order"
    with pytest.raises(InvalidInput):
        board.rename_column(demo_ctx, mia, None, "devis", "Quote")
    assert board.pipeline_board(demo_ctx, mia, OPENFIRE).columns[3].label == "Devis"


def test_a_disabled_process_starts_no_leads_or_deals(demo_ctx: Context) -> None:
    admin, rob = who(demo_ctx, "admin"), who(demo_ctx, "rob")
    with pytest.raises(Forbidden):
        processes.set_enabled(demo_ctx, rob, OPENFIRE, False)
    view = processes.set_enabled(demo_ctx, admin, OPENFIRE, False)
    assert not view.enabled and view.open_deals == 2 and view.total_deals == 2
    with pytest.raises(InvalidState) as refused:
        deals.create_deal(demo_ctx, rob, "New kitchen", value="100", process=OPENFIRE)
    assert OPENFIRE in refused.value.message
    # Running deals go on; the board still shows them.
    _, card = cards(board.pipeline_board(demo_ctx, rob, OPENFIRE))["Rénovation cuisine"]
    deals.move_deal(demo_ctx, rob, card.id, "nouveau")
    processes.set_enabled(demo_ctx, admin, "lead_qualification", False)
    with pytest.raises(InvalidState) as refused:
        leads.create_lead(demo_ctx, rob, "Someone")
    assert "no enabled lead process applies to department 'Sales'" in refused.value.message
    processes.set_enabled(demo_ctx, admin, OPENFIRE, True)
    assert deals.create_deal(demo_ctx, rob, "New kitchen", value="100", process=OPENFIRE).id


def test_departments_of_a_process(demo_ctx: Context) -> None:
    admin = who(demo_ctx, "admin")
    view = processes.set_departments(demo_ctx, admin, OPENFIRE, ["Field sales", "Field sales"])
    assert view.departments == ["Field sales"]
    with pytest.raises(InvalidInput) as refused:
        processes.set_departments(demo_ctx, admin, OPENFIRE, ["Nowhere"])
    assert "Nowhere" in refused.value.message and refused.value.field == "departments"
    with pytest.raises(Forbidden):
        processes.set_departments(demo_ctx, who(demo_ctx, "mia"), OPENFIRE, [])
    listed = {p.key: p for p in processes.list_for_admin(demo_ctx, admin)}
    assert listed[OPENFIRE].departments == ["Field sales"]
    assert (listed["sales_process"].open_deals, listed["sales_process"].total_deals) == (4, 7)
    assert processes.set_departments(demo_ctx, admin, OPENFIRE, []).departments == []
