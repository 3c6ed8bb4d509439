"""The bundled Chinese key-account process, bpmn/zh_key_account.bpmn (Fxiaoke's method, seed
002): four pre-sale stages at 10/30/50/80 %, the manager's approval of the solution and quote,
two contacts and the customer's industry before leaving the first stage, then contract,
delivery and payment after the win; won end to end, and lost with a reason of its own."""

from __future__ import annotations

from typing import Any

import pytest

from bpmn_sales.errors import InvalidInput, RuleViolation
from bpmn_sales.services import processes
from tests.workflow.rules_helpers import PDF, ROUNDTRIP, Desk

pytestmark = ROUNDTRIP

KEY = "zh_key_account"


def test_its_stages_are_named_in_chinese_and_keyed_in_pinyin(desk: Desk) -> None:
    view = processes.get_process(desk.ctx, KEY)
    assert view.name == "重要客户销售流程"
    assert [(s["key"], s["name"]) for s in view.stages] == [
        ("yan_zheng_ke_hu", "验证客户"),
        ("xu_qiu_que_ding", "需求确定"),
        ("fang_an_bao_jia", "方案/报价"),
        ("tan_pan_shen_he", "谈判审核"),
        ("qian_ding_he_tong", "签订合同"),
        ("shi_shi_jiao_fu", "实施/交付"),
        ("hui_kuan", "回款"),
    ]
    assert view.lost_reasons == ["价格太高", "输给竞争对手", "没有预算", "客户迟迟未决策", "其他"]


def test_a_key_account_deal_from_the_first_visit_to_payment(desk: Desk) -> None:
    rob, mia = desk.team.rob, desk.team.mia
    deal = desk.create(KEY, name="华东区ERP升级", customer="上海明达制造")
    seen: list[tuple[str, str | None, int]] = [("start", deal.stage, deal.probability)]

    def do(actor: Any, title: str, **kwargs: Any) -> None:
        desk.do(actor, deal.id, title, **kwargs)
        view = desk.deal(deal.id)
        seen.append((title, view.stage, view.probability))

    do(rob, "拜访客户")
    with pytest.raises(RuleViolation) as too_few:
        desk.do(rob, deal.id, "确认关键决策人", note="王总拍板")
    unmet = too_few.value.details["unmet"]
    assert any("2" in line and "contact" in line for line in unmet), unmet
    assert any("行业" in line for line in unmet), unmet
    desk.contact(rob, deal.id, "李经理", "li@mingda.example")
    desk.contact(rob, deal.id, "王总")
    desk.update(rob, deal.id, {"customer_fields": {"industry": "制造业"}})
    do(rob, "确认关键决策人", note="王总拍板，李经理负责采购。")
    desk.update(rob, deal.id, {"fields": {"budget": 500000}, "expected_close_date": "2026-09-30"})
    do(rob, "分析需求")
    do(rob, "确认预算")
    desk.update(
        rob,
        deal.id,
        {
            "stage_fields": {
                "fang_an_bao_jia": {"design_summary": "两期实施", "customer_feedback": "认可"}
            }
        },
    )
    design = desk.upload(rob, deal.id, "方案.pdf", PDF)
    do(rob, "设计方案", note="方案见附件", attachment_ids=[design])
    do(rob, "编制报价")
    # The manager sends it back once, with a comment; the rep revises and it comes back.
    with pytest.raises(InvalidInput) as no_comment:
        desk.do(mia, deal.id, "审批方案", data={"decision": "reject"})
    assert no_comment.value.field == "data.comment"
    assert "审批意见" in no_comment.value.message
    do(mia, "审批方案", data={"decision": "reject", "comment": "折扣过高，请重新报价"})
    do(rob, "修改方案")
    do(mia, "审批方案", data={"decision": "approve", "comment": "同意"})
    do(rob, "发送报价")
    do(rob, "商务谈判", data={"discount_percent": 8, "payment_terms": "by_milestone"})

    # Rates 10, 30, 50, 80 then won 100; weights (2, 1), (2, 1), (2, 1, 0, 0), (1, 2).
    assert seen == [
        ("start", "yan_zheng_ke_hu", 10),
        ("拜访客户", "yan_zheng_ke_hu", 23),
        ("确认关键决策人", "xu_qiu_que_ding", 30),
        ("分析需求", "xu_qiu_que_ding", 43),
        ("确认预算", "fang_an_bao_jia", 50),
        ("设计方案", "fang_an_bao_jia", 70),
        ("编制报价", "fang_an_bao_jia", 80),
        ("审批方案", "fang_an_bao_jia", 80),  # rejected: back to the rep
        ("修改方案", "fang_an_bao_jia", 80),
        ("审批方案", "tan_pan_shen_he", 80),
        ("发送报价", "tan_pan_shen_he", 87),
        ("商务谈判", "tan_pan_shen_he", 100),
    ]
    desk.assert_state_round_trips(deal.id)
    with pytest.raises(RuleViolation) as no_order:
        desk.close(rob, deal.id, "won")
    assert no_order.value.details == {"unmet": ["an order must exist to win"]}
    desk.order(rob, deal.id)

    won = desk.close(rob, deal.id, "won")
    assert (won.status, won.outcome_label, won.probability, won.stage) == (
        "won",
        "赢单",
        100,
        "qian_ding_he_tong",
    )
    seen.clear()
    do(rob, "签署合同")
    do(rob, "交付并培训")
    with pytest.raises(RuleViolation) as no_date:
        desk.do(rob, deal.id, "确认回款")
    assert no_date.value.details == {"unmet": ["回款: 回款日期 is empty"]}
    desk.update(rob, deal.id, {"stage_fields": {"hui_kuan": {"payment_date": "2026-11-15"}}})
    do(rob, "确认回款")
    assert seen == [
        ("签署合同", "shi_shi_jiao_fu", 100),
        ("交付并培训", "hui_kuan", 100),
        ("确认回款", "hui_kuan", 100),
    ]
    paid = desk.deal(deal.id)
    assert (paid.status, paid.outcome_label, paid.tasks) == ("won", "赢单并已回款", [])
    desk.assert_state_round_trips(deal.id)


def test_a_key_account_deal_lost_with_a_chinese_reason(desk: Desk) -> None:
    rob = desk.team.rob
    deal = desk.create(KEY, name="西南区CRM试点", customer="成都云帆科技")
    desk.do(rob, deal.id, "拜访客户")
    with pytest.raises(InvalidInput) as unknown:
        desk.close(rob, deal.id, "lost", "Too expensive")
    assert unknown.value.field == "reason"
    assert "价格太高; 输给竞争对手" in unknown.value.message
    lost = desk.close(rob, deal.id, "lost", "输给竞争对手")
    assert (lost.status, lost.outcome_label, lost.probability, lost.stage) == (
        "lost",
        "输单",
        0,
        "yan_zheng_ke_hu",
    )
    assert desk.tasks(deal.id) == []
    desk.assert_state_round_trips(deal.id)
    invalid = desk.create(KEY, name="重复录入", customer=None, value="0")
    closed = desk.close(rob, invalid.id, "invalid")
    assert (closed.status, closed.outcome_label) == ("invalid", "无效")
