"""The demo's Chinese key-account team on bpmn/zh_key_account.bpmn, and Kasia's Polish deal.

王芳 manages 李雷 and 张伟 in the 大客户部 department, to which the Chinese process applies.
Their deals sit at several stages: just opened, in 需求确定, in 方案/报价 waiting for 王芳's
approval, won and in 实施/交付, and one lost. Each person acts in their own language, so what
their steps write (notifications, history) is in it. Appended after the rest of the demo, so the
ids of the records before stay what the README and the tests say.
"""

from __future__ import annotations

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.services import deals, processes
from bpmn_sales.services.deals import records
from bpmn_sales.services.demo import steps
from bpmn_sales.services.demo.people import KEY_ACCOUNTS, demo_language
from bpmn_sales.services.people import users

PROCESS = "zh_key_account"
CURRENCY = "CNY"


def _verify_customer(ctx: Context, rep: Actor, deal_id: int, industry: str) -> None:
    """验证客户: the direct contact and the decision maker, the customer's industry."""
    records.add_contact(ctx, rep, deal_id, "刘洋", "liu.yang@customer.example", title="采购经理")
    records.add_contact(ctx, rep, deal_id, "陈总", title="总经理")
    deals.update_deal(ctx, rep, deal_id, {"customer_fields": {"industry": industry}})
    steps.do(ctx, rep, deal_id, "拜访客户")
    steps.do(ctx, rep, deal_id, "确认关键决策人", note="陈总拍板，刘洋负责采购。")


def _confirm_needs(ctx: Context, rep: Actor, deal_id: int, budget: int) -> None:
    """需求确定: the budget and the expected close date."""
    changes = {"fields": {"budget": budget}, "expected_close_date": "2027-06-30"}
    deals.update_deal(ctx, rep, deal_id, changes)
    steps.do(ctx, rep, deal_id, "分析需求")
    steps.do(ctx, rep, deal_id, "确认预算")


def _solution_and_quote(ctx: Context, rep: Actor, deal_id: int) -> None:
    """方案/报价: the design and the customer's feedback, the design file, the quote."""
    fields = {
        "design_summary": "分两期上线：总部先行，分公司随后",
        "customer_feedback": "认可分期方案",
    }
    deals.update_deal(ctx, rep, deal_id, {"stage_fields": {"fang_an_bao_jia": fields}})
    design = records.upload_attachment(
        ctx, rep, deal_id, "实施方案.txt", "第一期：总部。\n第二期：各分公司。\n".encode()
    )
    steps.do(ctx, rep, deal_id, "设计方案", note="方案见附件", attachment_ids=[design["id"]])
    steps.do(ctx, rep, deal_id, "编制报价")


def load_key_accounts(ctx: Context) -> None:
    """The Chinese team's deals at several stages, and Kasia's deal on the main process."""
    admin = users.actor_for_username(ctx, "admin")
    processes.set_departments(ctx, admin, PROCESS, [KEY_ACCOUNTS])
    wang, li, zhang = (users.actor_for_username(ctx, u) for u in ("wangfang", "lilei", "zhangwei"))

    with i18n.use_language(demo_language("lilei")):
        deals.create_deal(
            ctx, li, "苏州工厂MES项目", "苏州恒达精密", "380000", CURRENCY, process=PROCESS
        )
        needs = deals.create_deal(
            ctx, li, "华东区ERP升级", "上海明达制造", "520000", CURRENCY, process=PROCESS
        )
        _verify_customer(ctx, li, needs.id, "制造业")
        approval = deals.create_deal(
            ctx, li, "全国门店CRM", "杭州优品连锁", "860000", CURRENCY, process=PROCESS
        )
        _verify_customer(ctx, li, approval.id, "零售业")
        _confirm_needs(ctx, li, approval.id, 860000)
        _solution_and_quote(ctx, li, approval.id)

    with i18n.use_language(demo_language("zhangwei")):
        won = deals.create_deal(
            ctx, zhang, "集团财务共享平台", "北京华信集团", "1250000", CURRENCY, process=PROCESS
        )
        _verify_customer(ctx, zhang, won.id, "金融业")
        _confirm_needs(ctx, zhang, won.id, 1250000)
        _solution_and_quote(ctx, zhang, won.id)
        with i18n.use_language(demo_language("wangfang")):
            decision = {"decision": "approve", "comment": "同意，按此报价推进。"}
            steps.do(ctx, wang, won.id, "审批方案", data=decision)
        steps.do(ctx, zhang, won.id, "发送报价")
        terms = {"discount_percent": 5, "payment_terms": "by_milestone", "terms_signed": True}
        steps.do(ctx, zhang, won.id, "商务谈判", data=terms)
        records.create_order(ctx, zhang, won.id)
        deals.close_deal(ctx, zhang, won.id, "won")
        steps.do(ctx, zhang, won.id, "签署合同")
        lost = deals.create_deal(
            ctx, zhang, "西南区呼叫中心", "成都云帆科技", "300000", CURRENCY, process=PROCESS
        )
        _verify_customer(ctx, zhang, lost.id, "互联网")
        deals.close_deal(ctx, zhang, lost.id, "lost", "输给竞争对手")

    kasia = users.actor_for_username(ctx, "kasia")
    with i18n.use_language(demo_language("kasia")):
        offer = deals.create_deal(
            ctx, kasia, "Wdrożenie CRM", "Hurtownia Kowalski sp. z o.o.", "27000", "PLN"
        )
        steps.initial_visit(ctx, kasia, offer.id, "Handel hurtowy")
