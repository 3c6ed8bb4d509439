"""The Chinese key-account team in a real browser: the stage names and the demo's Chinese data
render as characters (the test set-up installs a CJK font), on the deal page and the board."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from bpmn_sales.context import Context
from bpmn_sales.domain.model import DealView
from bpmn_sales.services import deals
from bpmn_sales.services.people import users

STAGES = ["验证客户", "需求确定", "方案/报价", "谈判审核", "签订合同", "实施/交付", "回款"]

# Width of text drawn in the page's own font stack, and of as many characters no font has
# (drawn as the "missing glyph" box): equal widths mean the Chinese text is boxes too.
MEASURE = """([text, font]) => {
  const canvas = document.createElement('canvas').getContext('2d');
  canvas.font = font;
  const missing = String.fromCodePoint(0x10FFFD).repeat([...text].length);
  return [canvas.measureText(text).width, canvas.measureText(missing).width];
}"""


def deal_named(ctx: Context, name: str) -> DealView:
    admin = users.actor_for_username(ctx, "admin")
    return next(d for d in deals.list_deals(ctx, admin) if d.name == name)


def assert_renders_as_characters(page: Page, text: str) -> None:
    font = page.evaluate("getComputedStyle(document.body).font")
    drawn, boxes = page.evaluate(MEASURE, [text, font])
    assert drawn > 0 and drawn != boxes, f"'{text}' draws as missing-glyph boxes in {font}"


def test_the_machine_has_a_font_for_chinese() -> None:
    families = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=True
    ).stdout
    assert families.strip(), "no CJK font: run scripts/setup, which installs fonts-wqy-microhei"


def test_a_chinese_deal_page_shows_its_stage_names(
    open_as: Callable[..., Page], screenshot: Callable[..., Path], demo_ctx: Context
) -> None:
    deal = deal_named(demo_ctx, "全国门店CRM")
    page = open_as("lilei")
    page.goto(f"/deals/{deal.id}")
    expect(page.get_by_test_id("deal-name")).to_have_text("全国门店CRM")
    expect(page.get_by_test_id("deal-customer")).to_have_text("杭州优品连锁")
    expect(page.get_by_test_id("deal-stage")).to_have_text("方案/报价")
    path = page.get_by_test_id("stage-path")
    for name in STAGES:
        expect(path).to_contain_text(name)
    expect(path.locator("[aria-current=step]")).to_contain_text("方案/报价")
    expect(page.get_by_test_id("deal-diagram")).to_have_attribute("data-state", "ready")
    expect(
        page.get_by_test_id("deal-diagram").locator(
            'g.djs-element.highlight-current[data-element-id="Activity_ApproveSolution"]'
        )
    ).to_have_count(1)
    assert_renders_as_characters(page, "方案/报价")
    screenshot(page, "deal-zh")


def test_the_key_account_board_in_chinese(
    open_as: Callable[..., Page], screenshot: Callable[..., Path], demo_ctx: Context
) -> None:
    page = open_as("wangfang")
    page.goto("/board?process=zh_key_account")
    for key, name in (
        ("yan_zheng_ke_hu", "验证客户"),
        ("xu_qiu_que_ding", "需求确定"),
        ("fang_an_bao_jia", "方案/报价"),
        ("tan_pan_shen_he", "谈判审核"),
    ):
        expect(page.get_by_test_id(f"column-label-{key}")).to_have_text(name)
    waiting = deal_named(demo_ctx, "全国门店CRM")
    column = page.get_by_test_id("column-fang_an_bao_jia")
    expect(column.get_by_test_id(f"card-{waiting.id}")).to_contain_text("全国门店CRM")
    expect(page.get_by_test_id("column-count-yan_zheng_ke_hu")).to_have_text("1")
    assert_renders_as_characters(page, "验证客户")
    screenshot(page, "board-zh")
