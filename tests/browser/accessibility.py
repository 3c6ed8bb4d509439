"""axe-core in the browser: the WCAG 2 A/AA rules run on a page the test has open.

axe-core comes from npm (tests/browser/package.json, installed by scripts/setup); it is evaluated
in the page through Playwright, which the pages' Content-Security-Policy does not block.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG2_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return result.violations.flatMap(v => v.nodes.map(n => ({
    id: v.id, target: n.target.join(' '), summary: n.failureSummary || ''
  })));
}"""


@cache
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run scripts/setup to install tests/browser's npm packages")
    return AXE.read_text(encoding="utf-8")


def violations(page: Page) -> list[str]:
    """One line per failing node: `rule-id  target  (page path)  why`."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    path = page.evaluate("() => location.pathname + location.search")
    found = page.evaluate(RUN, WCAG2_A_AA)
    return [
        f"{v['id']}  {v['target']}  ({path})  {' '.join(v['summary'].split())[:200]}" for v in found
    ]
