"""The modeler page and the JSON routes its script calls (session cookie + X-CSRF-Token)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from bpmn_sales.context import Context
from bpmn_sales.services import processes
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]
BASE = "/processes/sales_process/modeler"
WEIGHT = '<spiffworkflow:property name="weight" value="2" />'


def send(pages: Pages, method: str, path: str, data: Any = None, csrf: bool = True) -> Any:
    headers = {"X-CSRF-Token": pages.csrf} if csrf else {}
    response = pages.client.open(path, method=method, json=data, headers=headers)
    assert "Traceback" not in response.get_data(as_text=True)
    return response


def test_the_page_carries_the_vocabulary_and_no_inline_script(visitor: Visitor) -> None:
    admin = visitor("admin")
    response = admin.get(BASE)
    html = admin.text(response)
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'data-load-url="/processes/sales_process/modeler/draft.json"' in html
    assert "vendor/modeler/modeler.min.js" in html and "js/modeler-page.js" in html
    found = re.search(r'<script type="application/json" id="sales-vocabulary">(.*?)</script>', html)
    assert found is not None
    schema = json.loads(found[1])
    assert schema["$defs"]["activity"]["properties"]["weight"]["minimum"] == 0
    # Every other script is a file (CSP: script-src 'self').
    assert all("src=" in tag for tag in re.findall(r"<script(?![^>]*application/json)[^>]*>", html))
    assert "Version 1 of 1" in html
    assert admin.get(f"{BASE}?version=1").status_code == 200
    assert admin.get(f"{BASE}?version=x", status=400)


def test_only_admins_open_the_modeler(visitor: Visitor) -> None:
    assert "only an admin" in visitor("mia").text(visitor("mia").get(BASE, status=403))
    assert visitor(None).get(BASE, status=302).headers["Location"].startswith("/sign-in")
    assert visitor("admin").get("/processes/nope/modeler", status=404)


def test_save_lint_deploy_through_the_page_routes(visitor: Visitor, demo_ctx: Context) -> None:
    admin = visitor("admin")
    admin.get(BASE)
    loaded = admin.get(f"{BASE}/draft.json").get_json()
    xml = loaded["xml"].replace(WEIGHT, WEIGHT.replace('"2"', '"3"'), 1)
    assert send(admin, "PUT", f"{BASE}/draft", {"xml": xml}, csrf=False).status_code == 400
    saved = send(admin, "PUT", f"{BASE}/draft", {"xml": xml, "base_revision": None})
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert body["problems"] == [] and body["xml"] is None and body["revision"]
    stale = send(admin, "PUT", f"{BASE}/draft", {"xml": xml, "base_revision": None})
    assert stale.status_code == 409 and "saved this draft" in stale.get_json()["message"]
    checked = send(admin, "POST", f"{BASE}/lint", {"xml": xml.replace('value="3"', 'value="x"', 1)})
    assert checked.get_json()["problems"][0]["element_id"] == "Activity_MeetCustomer"
    page = admin.text(admin.get(BASE))
    assert "Draft based on version 1" in page and "Discard draft" in page
    download = admin.get(f"{BASE}/diagram.bpmn")
    assert 'value="3"' in download.get_data(as_text=True)
    assert "sales_process.bpmn" in download.headers["Content-Disposition"]
    deployed = send(
        admin,
        "POST",
        f"{BASE}/deploy",
        {"mode": "new_version", "disable_previous": True, "base_revision": body["revision"]},
    )
    assert deployed.status_code == 200, deployed.get_json()
    assert deployed.get_json()["next"] == BASE and deployed.get_json()["disabled"] == [1]
    after = admin.text(admin.get(BASE))
    assert "Version 2 of &#39;Sales process&#39; deployed" in after
    assert "switched off for new deals" in after and "Version 2 of 2" in after
    assert processes.get_process(demo_ctx, "sales_process").version == 2


def test_discard_without_javascript(visitor: Visitor) -> None:
    admin = visitor("admin")
    admin.get(BASE)
    xml = admin.get(f"{BASE}/draft.json").get_json()["xml"]
    send(admin, "PUT", f"{BASE}/draft", {"xml": xml})
    response = admin.post(f"{BASE}/discard", status=302)
    assert "Draft discarded" in admin.text(admin.follow(response))
    again = admin.follow(admin.post(f"{BASE}/discard", status=302))
    assert "has no draft" in admin.text(again)
    deploy = send(admin, "POST", f"{BASE}/deploy", {"mode": "migrate"})
    assert deploy.status_code == 404 and "no draft" in deploy.get_json()["message"]
