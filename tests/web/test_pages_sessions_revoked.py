"""Sessions kept on the server: sign-out, a new password and "sign out everywhere" end them at
once; idle and absolute timeouts; Secure cookies and HSTS over https; a trusted proxy's
X-Forwarded-For is who signs in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from bpmn_sales.context import Context
from bpmn_sales.services.people import sessions
from bpmn_sales.settings import Settings
from bpmn_sales.web import create_app
from tests.fakes import FakeClock
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]
SESSION_COOKIE = "bpmn_sales_session"


def cookie_of(pages: Pages) -> str:
    found = pages.client.get_cookie(SESSION_COOKIE)
    assert found is not None
    return found.value


def with_cookie(site: Flask, value: str) -> Pages:
    """Another browser that presents a copied session cookie (what a thief would do)."""
    other = Pages(site)
    other.client.set_cookie(SESSION_COOKIE, value)
    return other


def signed_in(pages: Pages) -> bool:
    return pages.client.get("/notifications").status_code == 200


def test_a_cookie_stops_working_once_its_session_signs_out(site: Flask, visitor: Visitor) -> None:
    rob = visitor("rob")
    stolen = cookie_of(rob)
    assert signed_in(with_cookie(site, stolen))
    rob.post("/sign-out", status=302)
    assert not signed_in(rob)
    assert not signed_in(with_cookie(site, stolen))  # the copy is worthless too


def test_a_new_password_signs_every_browser_out(site: Flask, visitor: Visitor) -> None:
    rob, phone = visitor("rob"), visitor("rob")
    admin = visitor("admin")
    admin.post(
        "/admin/users/rob/password",
        {"password": "a-new-secret", "confirm": "a-new-secret"},
        status=302,
    )
    assert not signed_in(rob) and not signed_in(phone)
    assert signed_in(admin)
    Pages(site).sign_in("rob", "a-new-secret")


def test_changing_your_own_password_keeps_this_browser_only(visitor: Visitor) -> None:
    laptop, phone = visitor("rob"), visitor("rob")
    laptop.post("/account", {"password": "fresh-secret", "confirm": "fresh-secret"}, status=302)
    assert signed_in(laptop) and not signed_in(phone)


def test_an_admin_signs_a_user_out_everywhere(visitor: Visitor) -> None:
    rob, phone, admin = visitor("rob"), visitor("rob"), visitor("admin")
    done = admin.follow(admin.post("/admin/users/rob/sign-out", status=302))
    assert "rob: signed out of 2 browser session(s)" in admin.text(done)
    assert not signed_in(rob) and not signed_in(phone) and signed_in(admin)
    refused = visitor("sara").post("/admin/users/rob/sign-out")
    assert refused.status_code == 403


def test_idle_and_absolute_timeouts(site: Flask, demo_ctx: Context) -> None:
    clock = demo_ctx.clock
    assert isinstance(clock, FakeClock)
    idle = Pages(site)
    idle.sign_in("rob")
    clock.advance(minutes=119)
    assert signed_in(idle)  # each request keeps it alive
    clock.advance(minutes=119)
    assert signed_in(idle)
    clock.advance(minutes=121)
    assert not signed_in(idle)  # two hours without a request

    busy = Pages(site)
    busy.sign_in("sara")
    for _ in range(11):
        clock.advance(hours=1)
        assert signed_in(busy)
    clock.advance(hours=1, minutes=1)
    assert not signed_in(busy)  # twelve hours after signing in, however busy


def test_timeouts_come_from_the_settings(demo_ctx: Context) -> None:
    settings = Settings(session_idle=timedelta(minutes=5), session_lifetime=timedelta(hours=1))
    demo_ctx.settings = settings
    app = create_app({"CONTEXT": demo_ctx, "SETTINGS": settings, "SECRET_KEY": "s" * 16})
    pages = Pages(app)
    pages.sign_in("rob")
    assert isinstance(demo_ctx.clock, FakeClock)
    demo_ctx.clock.advance(minutes=6)
    assert not signed_in(pages)


def test_over_https_the_cookie_is_secure_and_hsts_is_sent(demo_ctx: Context) -> None:
    settings = Settings(base_url="https://sales.example.com", session_cookie_secure=True)
    app = create_app({"CONTEXT": demo_ctx, "SETTINGS": settings, "SECRET_KEY": "s" * 16})
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://sales.example.com")
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    signed = client.post(
        "/sign-in",
        data={"csrf_token": token, "username": "rob", "password": "demo-sales"},
        base_url="https://sales.example.com",
    )
    cookie = signed.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers  # plain http


def test_https_base_url_makes_cookies_secure_by_default() -> None:
    assert Settings.from_env({"BASE_URL": "https://sales.example.com"}).session_cookie_secure
    assert not Settings.from_env({"BASE_URL": "http://127.0.0.1:8000"}).session_cookie_secure
    explicit = {"BASE_URL": "https://sales.example.com", "SESSION_COOKIE_SECURE": "0"}
    assert not Settings.from_env(explicit).session_cookie_secure


def test_behind_a_trusted_proxy_each_client_has_its_own_address(demo_ctx: Context) -> None:
    """Without PROXY_HOPS every client shares the proxy's address: 20 failures from anyone
    would lock everyone out. With it, the limit is per real client."""
    settings = Settings(proxy_hops=1)
    app = create_app({"CONTEXT": demo_ctx, "SETTINGS": settings, "SECRET_KEY": "s" * 16})
    for number in range(sessions.MAX_FAILURES_PER_ADDRESS + 2):
        guesser = Pages(app)
        guesser.get("/sign-in")
        answer = guesser.post(
            "/sign-in",
            {"username": f"nobody{number}", "password": "guess-guess"},
            headers={"X-Forwarded-For": "203.0.113.9"},
        )
        assert answer.status_code in (401, 429)
    assert answer.status_code == 429  # the guesser's own address is limited
    honest = Pages(app)
    honest.get("/sign-in")
    response = honest.post(
        "/sign-in",
        {"username": "rob", "password": "demo-sales"},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert response.status_code == 302  # another client behind the same proxy is not
