"""Languages and time zones: one's own, a user's (users admin), the company's (admin settings);
which language a page and an API answer are in; the sign-in page's language switch."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask

from bpmn_sales.context import Context
from bpmn_sales.services.people import preferences
from tests.statements import Statements
from tests.web.api import Api
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]
HTML_LANG = re.compile(r'<html lang="([^"]+)">')
TIME_ZONE = re.compile(r'<meta name="time-zone" content="([^"]+)">')


def lang_of(page: Pages, path: str, **kwargs: object) -> str:
    found = HTML_LANG.search(page.text(page.get(path, **kwargs)))  # type: ignore[arg-type]
    assert found, path
    return found.group(1)


def zone_of(page: Pages, path: str) -> str:
    found = TIME_ZONE.search(page.text(page.get(path)))
    assert found, path
    return found.group(1)


def test_the_admin_sets_the_company_defaults_on_their_page(
    visitor: Visitor, demo_ctx: Context
) -> None:
    admin = visitor("admin")
    page = admin.text(admin.get("/admin/settings"))
    assert 'href="/admin/settings"' in page  # linked from the admin navigation
    assert 'value="UTC"' in page and 'value="USD"' in page
    saved = admin.post(
        "/admin/settings", {"language": "pl", "time_zone": "Europe/Warsaw", "currency": "pln"}
    )
    assert "Ustawienia firmy zostały zapisane." in admin.text(admin.follow(saved))
    assert preferences.company_preferences(demo_ctx) == preferences.CompanyPreferences(
        "pl", "Europe/Warsaw", "PLN"
    )
    # nobody chose a language or zone: the company's apply (admin's browser asks for none)
    assert lang_of(admin, "/tasks") == "pl"
    assert zone_of(admin, "/tasks") == "Europe/Warsaw"
    # a browser that asks for French gets French; the zone stays the company's
    rob = visitor("rob")
    assert lang_of(rob, "/tasks", headers={"Accept-Language": "fr-FR,fr;q=0.9"}) == "fr"
    assert zone_of(rob, "/tasks") == "Europe/Warsaw"


def test_bad_company_values_are_refused_beside_their_field(
    visitor: Visitor, demo_ctx: Context
) -> None:
    admin = visitor("admin")
    for field, value, needle in (
        ("time_zone", "Mars/Olympus", "is not a time zone"),
        ("currency", "EURO", "is not a currency code"),
        ("language", "tlh", "Choose a language from en, zh_Hans, pl, fr."),
        ("time_zone", "../../etc/passwd", "is not a time zone"),
    ):
        form = {"language": "en", "time_zone": "UTC", "currency": "USD", field: value}
        response = admin.post("/admin/settings", form, status=400)
        page = admin.text(response)
        assert needle in page, (field, page[:300])
        assert f'id="{field}-error"' in page
    assert preferences.company_preferences(demo_ctx) == preferences.CompanyPreferences()


def test_only_an_admin_may_see_or_change_the_company_settings(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    rob.get("/admin/settings", status=403)
    rob.post("/admin/settings", {"language": "fr"}, status=403)
    assert 'href="/admin/settings"' not in rob.text(rob.get("/tasks"))
    admin = visitor("admin")
    admin.csrf = "forged"
    admin.post("/admin/settings", {"language": "fr"}, status=400)  # the CSRF check
    assert preferences.company_preferences(demo_ctx).language == "en"


def test_ones_own_language_wins_over_the_browsers(visitor: Visitor) -> None:
    admin = visitor("admin")
    page = admin.text(admin.get("/account"))
    assert 'data-testid="preferences-form"' in page
    saved = admin.post(
        "/account/preferences", {"language": "zh_Hans", "time_zone": "Asia/Shanghai"}
    )
    shown = admin.text(admin.follow(saved))
    assert "您的语言和时区已保存。" in shown
    assert '<option value="zh_Hans" lang="zh-Hans" selected>' in shown
    assert lang_of(admin, "/tasks", headers={"Accept-Language": "fr"}) == "zh-Hans"
    assert zone_of(admin, "/tasks") == "Asia/Shanghai"
    assert "公司设置" in admin.text(admin.get("/tasks"))  # the admin navigation, in Chinese
    # blank: back to the company's (and the browser's)
    admin.post("/account/preferences", {"language": "", "time_zone": ""})
    assert lang_of(admin, "/tasks", headers={"Accept-Language": "fr"}) == "fr"
    assert zone_of(admin, "/tasks") == "UTC"


def test_a_bad_time_zone_on_the_account_page_is_a_form_error(visitor: Visitor) -> None:
    rob = visitor("rob")
    response = rob.post(
        "/account/preferences", {"language": "pl", "time_zone": "Warsaw"}, status=400
    )
    page = rob.text(response)
    assert "&#39;Warsaw&#39; is not a time zone" in page and 'id="time_zone-error"' in page
    assert 'value="Warsaw"' in page  # what was typed stays in the field
    assert lang_of(rob, "/tasks") == "en"  # nothing was stored


def test_the_users_admin_sets_a_users_language(visitor: Visitor) -> None:
    admin = visitor("admin")
    page = admin.text(admin.get("/admin/users/rob"))
    assert 'action="/admin/users/rob/preferences"' in page
    admin.post("/admin/users/rob/preferences", {"language": "fr", "time_zone": "Europe/Paris"})
    assert 'value="Europe/Paris"' in admin.text(admin.get("/admin/users/rob"))
    rob = visitor("rob")
    assert lang_of(rob, "/tasks", headers={"Accept-Language": "pl"}) == "fr"
    assert zone_of(rob, "/tasks") == "Europe/Paris"
    sara = visitor("sara")
    sara.post("/admin/users/rob/preferences", {"language": "pl"}, status=403)
    assert lang_of(visitor("rob"), "/tasks") == "fr"


def test_the_sign_in_page_switches_language_and_remembers_it(visitor: Visitor) -> None:
    anonymous = visitor(None)
    page = anonymous.text(anonymous.get("/sign-in"))
    assert 'data-testid="language-switch"' in page
    for name in ("English", "简体中文", "Polski", "Français"):
        assert name in page
    switched = anonymous.get("/language/pl?next=/sign-in%3Fnext%3D/board", status=302)
    assert switched.headers["Location"] == "/sign-in?next=/board"
    cookie = switched.headers["Set-Cookie"]
    assert "bpmn_sales_language=pl" in cookie and "HttpOnly" in cookie
    assert lang_of(anonymous, "/sign-in", headers={"Accept-Language": "fr"}) == "pl"
    # another site as `next` is ignored; an unknown language changes nothing
    assert (
        anonymous.get("/language/fr?next=https://evil.example/", status=302).headers["Location"]
        == "/sign-in"
    )
    unknown = anonymous.get("/language/xx", status=302)
    assert "Set-Cookie" not in unknown.headers
    assert lang_of(anonymous, "/sign-in") == "fr"


def test_the_company_language_is_the_last_resort_and_costs_no_statement(
    visitor: Visitor, demo_ctx: Context, statements: Statements
) -> None:
    rob = visitor("rob")
    rob.get("/tasks")
    with statements.counting():
        rob.get("/tasks")
    before = statements.count
    preferences.update_company_preferences(demo_ctx, None, language="fr", time_zone="Europe/Paris")
    with statements.counting():
        assert lang_of(rob, "/tasks") == "fr"
    assert statements.count == before, statements.summary()
    assert lang_of(visitor(None), "/sign-in") == "fr"
    assert lang_of(visitor(None), "/sign-in", headers={"Accept-Language": "zh-CN"}) == "zh-Hans"


def test_the_api_reads_and_changes_the_company_settings(api: Api) -> None:
    assert api("GET", "/settings/company").get_json() == {
        "language": "en",
        "time_zone": "UTC",
        "currency": "USD",
    }
    refused = api("PATCH", "/settings/company", json={"currency": "EUR"})
    assert refused.status_code == 403 and refused.get_json()["error"] == "forbidden"
    bad = api("PATCH", "/settings/company", user="admin", json={"time_zone": "Nowhere/Else"})
    assert bad.status_code == 400
    assert bad.get_json()["error"] == "invalid_input" and bad.get_json()["field"] == "time_zone"
    unknown = api("PATCH", "/settings/company", user="admin", json={"colour": "red"})
    assert unknown.status_code == 400 and unknown.get_json()["field"] == "colour"
    changed = api(
        "PATCH", "/settings/company", user="admin", json={"currency": "eur", "language": "fr-FR"}
    )
    assert changed.status_code == 200
    assert changed.get_json() == {"language": "fr", "time_zone": "UTC", "currency": "EUR"}


def test_the_api_localises_message_by_the_same_rule(api: Api) -> None:
    me = api("GET", "/me").get_json()
    assert me["language"] is None and me["time_zone"] is None
    # Accept-Language for a caller who chose nothing; `error` and `field` stay codes
    bad = api("PATCH", "/me", json={"time_zone": "Warsaw"}, headers={"Accept-Language": "pl"})
    body = bad.get_json()
    assert bad.status_code == 400 and body["error"] == "invalid_input"
    assert body["field"] == "time_zone"
    assert body["message"].startswith("'Warsaw' nie jest strefą czasową")
    chosen = api("PATCH", "/me", json={"language": "zh-CN", "time_zone": "Asia/Shanghai"})
    assert chosen.get_json()["language"] == "zh_Hans"
    assert api("GET", "/me").get_json()["time_zone"] == "Asia/Shanghai"
    # the caller's own language wins over the header
    again = api("PATCH", "/me", json={"language": "tlh"}, headers={"Accept-Language": "fr"})
    assert again.get_json()["message"].startswith("请从以下语言中选择")
    cleared = api("PATCH", "/me", json={"language": None, "time_zone": ""})
    assert cleared.get_json()["language"] is None and cleared.get_json()["time_zone"] is None


def test_the_page_carries_the_scripts_catalog_of_its_language(
    visitor: Visitor, site: Flask
) -> None:
    rob = visitor("rob")
    english = rob.text(rob.get("/board"))
    assert (
        '<script type="application/json" id="i18n-catalog">{"messages": {}, "plurals": [1, 0, 1,'
        in english
    )
    polish = rob.text(rob.get("/board", headers={"Accept-Language": "pl"}))
    assert "Nie udało się przenieść szansy sprzedaży." in polish
    # Polish has three plural forms: 1, 2-4 (not 12-14), and the rest
    plurals = re.search(r'"plurals": \[([0-9, ]+)\]', polish)
    assert plurals
    indices = [int(n) for n in plurals.group(1).split(", ")]
    assert (indices[1], indices[2], indices[5], indices[12], indices[22], indices[112]) == (
        0,
        1,
        2,
        2,
        1,
        2,
    )
