"""Adding and deleting a stage from the board: a new version that runs, refusals that name why."""

from __future__ import annotations

import pytest
from lxml import etree

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.engine.diagrams.problems import NS
from bpmn_sales.errors import Forbidden, InvalidInput, InvalidState, NotFound
from bpmn_sales.services import board, deals, processes
from bpmn_sales.services.people import users
from bpmn_sales.services.processes import stages
from tests import helpers

OPENFIRE = "openfire_pipeline"
SALES = "sales_process"


def who(ctx: Context, username: str) -> Actor:
    return users.actor_for_username(ctx, username)


def stage_keys(ctx: Context, key: str) -> list[str]:
    return [s["key"] for s in processes.get_process(ctx, key).stages]


def column(ctx: Context, process: str, key: str) -> board.Column:
    shown = board.pipeline_board(ctx, who(ctx, "admin"), process)
    return next(c for c in shown.columns if c.key == key)


def latest_xml(ctx: Context, key: str) -> etree._Element:
    with ctx.uow() as store:
        process = store.process_by_key(key)
        assert process is not None
        version = store.latest_version(process.id, enabled_only=False)
        assert version is not None
        return etree.fromstring(version.bpmn_xml.encode())


def test_added_stage_is_a_new_version_that_new_deals_can_move_into(demo_ctx: Context) -> None:
    admin, rob = who(demo_ctx, "admin"), who(demo_ctx, "rob")
    before = processes.get_process(demo_ctx, OPENFIRE)
    running = deals.list_deals(demo_ctx, admin, process=OPENFIRE)
    change = stages.add(demo_ctx, admin, OPENFIRE, "estimation", "Site survey", win_rate="40")
    assert change.to_dict() == {
        "process": OPENFIRE,
        "version": before.version + 1,
        "stage": "site_survey",
        "action": "added",
    }
    assert stage_keys(demo_ctx, OPENFIRE) == [
        "nouveau",
        "estimation",
        "site_survey",
        "visite_technique",
        "devis",
    ]
    survey = column(demo_ctx, OPENFIRE, "site_survey")
    assert (survey.name, survey.win_rate, survey.phase) == ("Site survey", 40, "pre_sale")
    orders = {s["key"]: s["order"] for s in processes.get_process(demo_ctx, OPENFIRE).stages}
    assert (orders["estimation"], orders["site_survey"], orders["devis"]) == (2, 3, 5)
    # Running deals stay on their version; a new deal starts on the new one and can move there.
    for deal in running:
        assert deals.get_deal(demo_ctx, admin, deal.id).version == deal.version
    deal = deals.create_deal(demo_ctx, rob, "Garage", process=OPENFIRE)
    moved = deals.move_deal(demo_ctx, rob, deal.id, "site_survey")
    assert moved.stage == "site_survey"
    # The copied free-move wiring works from the new stage too: on to the next stage.
    onward = deals.move_deal(demo_ctx, rob, deal.id, "visite_technique")
    assert onward.stage == "visite_technique"
    # The board shows the new column right after the stage it follows.
    shown = board.pipeline_board(demo_ctx, admin, OPENFIRE)
    assert [c.key for c in shown.columns][1:3] == ["estimation", "site_survey"]


def test_added_stage_is_drawn_and_wired_like_its_neighbour(demo_ctx: Context) -> None:
    stages.add(demo_ctx, who(demo_ctx, "admin"), OPENFIRE, "nouveau", "Call back", key="call_back")
    root = latest_xml(demo_ctx, OPENFIRE)
    stage = root.find(".//bpmn:subProcess[@name='Call back']", NS)
    assert stage is not None
    stage_id = stage.get("id")
    drawn = {e.get("bpmnElement") for e in root.iter("{*}BPMNShape", "{*}BPMNEdge")}
    assert stage_id in drawn
    # A move-request boundary event, an entry gateway and a route branch naming the new key.
    boundary = root.xpath("//bpmn:boundaryEvent[@attachedToRef=$id]", namespaces=NS, id=stage_id)
    assert len(boundary) == 1 and boundary[0].get("id") in drawn
    conditions = [c.text for c in root.iter("{*}conditionExpression")]
    assert "move_request['stage'] == 'call_back'" in conditions
    assert not [
        p for p in demo_ctx.engine.lint({"d.bpmn": etree.tostring(root)}) if p.severity == "error"
    ]


def test_post_sale_stage_added_after_installation_is_post_sale(demo_ctx: Context) -> None:
    stages.add(demo_ctx, who(demo_ctx, "admin"), SALES, "installation", "Site handover")
    assert column(demo_ctx, SALES, "site_handover").phase == "post_sale"
    keys = stage_keys(demo_ctx, SALES)
    assert keys.index("site_handover") == keys.index("installation") + 1


def test_deleting_a_stage_that_holds_deals_is_refused_with_the_count(demo_ctx: Context) -> None:
    admin = who(demo_ctx, "admin")
    version = processes.get_process(demo_ctx, OPENFIRE).version
    with pytest.raises(InvalidState) as refused:
        stages.delete(demo_ctx, admin, OPENFIRE, "visite_technique")
    assert refused.value.message == (
        "stage 'visite_technique' cannot be deleted: 2 open deal(s) are at it; move them to "
        "another stage first"
    )
    # A closed deal counts too (the won deal of the B2B process sits in installation), and the
    # refusal does not ask for a move that cannot be made.
    with pytest.raises(InvalidState) as refused:
        stages.delete(demo_ctx, admin, SALES, "installation")
    assert refused.value.message == (
        "stage 'installation' cannot be deleted: 1 closed deal(s) ended at it and keep it in "
        "their history, so it stays; fold its column on the board to hide it, or clone the "
        "process and delete the stage in the clone"
    )
    assert (refused.value.details["open_deals"], refused.value.details["closed_deals"]) == (0, 1)
    assert processes.get_process(demo_ctx, OPENFIRE).version == version


def test_deleting_an_unused_stage_makes_a_version_without_it(demo_ctx: Context) -> None:
    admin, rob = who(demo_ctx, "admin"), who(demo_ctx, "rob")
    board.rename_column(demo_ctx, admin, OPENFIRE, "estimation", "Quick estimate")
    change = stages.delete(demo_ctx, admin, OPENFIRE, "estimation")
    assert change.action == "deleted"
    assert stage_keys(demo_ctx, OPENFIRE) == ["nouveau", "visite_technique", "devis"]
    orders = [s["order"] for s in processes.get_process(demo_ctx, OPENFIRE).stages]
    assert orders == [1, 2, 3]
    # New deals run on it: the stage after Nouveau is now Visite technique.
    deal = deals.create_deal(demo_ctx, rob, "Porch", process=OPENFIRE)
    assert deals.move_deal(demo_ctx, rob, deal.id, "visite_technique").stage == "visite_technique"
    with pytest.raises(InvalidInput, match="stage 'estimation' does not exist"):
        deals.move_deal(demo_ctx, rob, deal.id, "estimation")
    # The column's saved label went with the stage; deals on the old version keep it.
    assert "estimation" not in [
        c.key for c in board.pipeline_board(demo_ctx, admin, OPENFIRE).columns
    ]


def test_deleting_a_sequential_stage_rewires_the_b2b_process(demo_ctx: Context) -> None:
    admin = who(demo_ctx, "admin")
    stages.delete(demo_ctx, admin, SALES, "training")
    root = latest_xml(demo_ctx, SALES)
    flows = {(f.get("sourceRef"), f.get("targetRef")) for f in root.iter("{*}sequenceFlow")}
    assert ("Stage_Installation", "Stage_Acceptance") in flows
    assert root.find(".//*[@id='Stage_Training']") is None
    assert root.find(".//*[@bpmnElement='Stage_Training']") is None
    assert stage_keys(demo_ctx, SALES)[-2:] == ["installation", "acceptance"]


def test_an_edit_that_breaks_the_diagram_is_refused_with_the_lint_error(
    demo_ctx: Context,
) -> None:
    # The won terminal takes orders from "Quote and bid": without it, lint says so.
    version = processes.get_process(demo_ctx, SALES).version
    with pytest.raises(InvalidState, match="orders_from_stage 'quote_and_bid' names no stage"):
        stages.delete(demo_ctx, who(demo_ctx, "admin"), SALES, "quote_and_bid")
    assert processes.get_process(demo_ctx, SALES).version == version


def test_stage_edits_are_for_admins_and_check_their_input(demo_ctx: Context) -> None:
    admin, mia = who(demo_ctx, "admin"), who(demo_ctx, "mia")
    with pytest.raises(Forbidden):
        stages.add(demo_ctx, mia, OPENFIRE, "nouveau", "Anything")
    with pytest.raises(Forbidden):
        stages.delete(demo_ctx, mia, OPENFIRE, "estimation")
    with pytest.raises(InvalidInput, match="already exists") as taken:
        stages.add(demo_ctx, admin, OPENFIRE, "nouveau", "Devis")
    assert taken.value.field == "key"
    with pytest.raises(InvalidInput) as unknown:
        stages.add(demo_ctx, admin, OPENFIRE, "nowhere", "New one")
    assert unknown.value.field == "after"
    with pytest.raises(InvalidInput) as no_name:
        stages.add(demo_ctx, admin, OPENFIRE, "nouveau", "  ")
    assert no_name.value.field == "name"
    with pytest.raises(InvalidInput) as rate:
        stages.add(demo_ctx, admin, OPENFIRE, "nouveau", "New one", win_rate="120")
    assert rate.value.field == "win_rate"
    with pytest.raises(InvalidInput) as key:
        stages.add(demo_ctx, admin, OPENFIRE, "nouveau", "New one", key="9 lives")
    assert key.value.field == "key"
    with pytest.raises(NotFound):
        stages.delete(demo_ctx, admin, "no_such_process", "nouveau")
    with pytest.raises(InvalidInput, match="not a stage"):
        stages.delete(demo_ctx, admin, OPENFIRE, "nowhere")
    assert processes.get_process(demo_ctx, OPENFIRE).version == 1


def test_a_deal_on_the_new_b2b_version_waits_in_the_added_stage(demo_ctx: Context) -> None:
    admin, rob = who(demo_ctx, "admin"), who(demo_ctx, "rob")
    stages.add(
        demo_ctx, admin, SALES, "initial_visit", "Reference call", activity="Call a reference"
    )
    deal = deals.create_deal(demo_ctx, rob, "Fleet renewal", customer="Northwind")
    after_visit = helpers.initial_visit(demo_ctx, rob, deal.id)
    assert after_visit.stage == "reference_call"
    # The added stage's rate sits halfway between its neighbours (10 and 30 in the diagram).
    assert column(demo_ctx, SALES, "reference_call").win_rate == 20
    helpers.complete(demo_ctx, rob, deal.id, "Call a reference")
    assert deals.get_deal(demo_ctx, rob, deal.id).stage == "needs_analysis"


def test_a_stage_named_in_french_polish_or_chinese_gets_a_readable_unique_key(
    demo_ctx: Context,
) -> None:
    admin = who(demo_ctx, "admin")
    first = stages.add(demo_ctx, admin, OPENFIRE, "estimation", "Négociation")
    again = stages.add(demo_ctx, admin, OPENFIRE, "negociation", "Negociation")
    polish = stages.add(demo_ctx, admin, OPENFIRE, "negociation_2", "Złożenie oferty")
    chinese = stages.add(demo_ctx, admin, OPENFIRE, "zlozenie_oferty", "初次拜访")
    assert [c.stage for c in (first, again, polish, chinese)] == [
        "negociation",
        "negociation_2",
        "zlozenie_oferty",
        "chu_ci_bai_fang",
    ]
    assert stage_keys(demo_ctx, OPENFIRE)[1:6] == [
        "estimation",
        "negociation",
        "negociation_2",
        "zlozenie_oferty",
        "chu_ci_bai_fang",
    ]
    names = {s["key"]: s["name"] for s in processes.get_process(demo_ctx, OPENFIRE).stages}
    assert names["chu_ci_bai_fang"] == "初次拜访"
    ids = set(latest_xml(demo_ctx, OPENFIRE).xpath("//@id"))
    assert {"Stage_ChuCiBaiFang", "Activity_CompleteChuCiBaiFang", "Stage_Negociation"} <= ids
    with pytest.raises(InvalidInput, match="stage 'negociation' already exists"):
        stages.add(demo_ctx, admin, OPENFIRE, "estimation", "négociation")
    assert names["negociation"] == "Négociation"


def test_a_scaffold_keys_its_stages_by_transliteration(demo_ctx: Context) -> None:
    made = processes.scaffold_process(
        demo_ctx,
        "grands_comptes",
        "Qualification préalable:10,Négociation:40,Negociation:60",
        "实施/交付,回款",
    )
    assert made.stages == ["qualification_prealable", "negociation", "negociation_2"]
    assert made.post_sale == ["shi_shi_jiao_fu", "hui_kuan"]
    assert demo_ctx.engine.lint({"grands_comptes.bpmn": made.xml}) == []
