"""The demo's teams in their languages: the Chinese key-account team on its Chinese process, a
Polish rep on the main process, the OpenFire pipeline's French field team."""

from __future__ import annotations

import pytest

from bpmn_sales.context import Context
from bpmn_sales.domain.model import Actor
from bpmn_sales.errors import NotFound
from bpmn_sales.services import deals, processes, worklist
from bpmn_sales.services.people import users


def who(ctx: Context, username: str) -> Actor:
    return users.actor_for_username(ctx, username)


def test_the_chinese_team_has_deals_at_several_stages_of_its_process(demo_ctx: Context) -> None:
    wang = who(demo_ctx, "wangfang")
    seen = {
        d.name: (d.owner, d.process_key, d.stage_name, d.status, d.currency)
        for d in deals.list_deals(demo_ctx, wang)
    }
    assert seen == {
        "苏州工厂MES项目": ("lilei", "zh_key_account", "验证客户", "open", "CNY"),
        "华东区ERP升级": ("lilei", "zh_key_account", "需求确定", "open", "CNY"),
        "全国门店CRM": ("lilei", "zh_key_account", "方案/报价", "open", "CNY"),
        "集团财务共享平台": ("zhangwei", "zh_key_account", "实施/交付", "won", "CNY"),
        "西南区呼叫中心": ("zhangwei", "zh_key_account", "需求确定", "lost", "CNY"),
    }
    # 王芳 approves the solution and quote of 李雷's store CRM.
    approvals = [t for t in worklist.list_tasks(demo_ctx, wang) if t.title == "审批方案"]
    assert [t.subject_name for t in approvals] == ["全国门店CRM"]


def test_the_chinese_process_applies_to_the_key_account_department(demo_ctx: Context) -> None:
    admin, li, rob = who(demo_ctx, "admin"), who(demo_ctx, "lilei"), who(demo_ctx, "rob")
    listed = {p.key: p.departments for p in processes.list_for_admin(demo_ctx, admin)}
    assert listed["zh_key_account"] == ["大客户部"]
    assert listed["sales_process"] == []
    started = deals.create_deal(demo_ctx, li, "深圳分公司扩容", "深圳鹏程物流", "90000", "CNY")
    assert (started.process_key, started.stage) == ("zh_key_account", "yan_zheng_ke_hu")
    assert deals.create_deal(demo_ctx, rob, "Contoso extra").process_key == "sales_process"
    chinese = next(d for d in deals.list_deals(demo_ctx, admin) if d.name == "全国门店CRM")
    with pytest.raises(NotFound):  # Rob, of another team, does not see it
        deals.get_deal(demo_ctx, rob, chinese.id)


def test_the_polish_rep_works_a_deal_on_the_main_process(demo_ctx: Context) -> None:
    kasia = who(demo_ctx, "kasia")
    (offer,) = deals.list_deals(demo_ctx, kasia)
    assert (offer.name, offer.customer, offer.currency) == (
        "Wdrożenie CRM",
        "Hurtownia Kowalski sp. z o.o.",
        "PLN",
    )
    assert (offer.process_key, offer.stage) == ("sales_process", "needs_analysis")
    assert kasia.manager_id == who(demo_ctx, "mia").id
