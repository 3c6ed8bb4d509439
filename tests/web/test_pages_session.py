"""Signing in and out, CSRF on every form, the sign-in rate limit, security headers."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from bpmn_sales.context import Context
from bpmn_sales.services.people import sessions, users
from tests.web.pages import Pages


def test_pages_need_a_signed_in_user(visitor: Callable[[str | None], Pages]) -> None:
    anonymous = visitor(None)
    response = anonymous.client.get("/notifications?unread=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/notifications?unread%3D1"
    assert anonymous.client.get("/").headers["Location"] == "/sign-in"


def test_sign_in_goes_back_to_the_page_asked_for(site: Flask) -> None:
    pages = Pages(site)
    pages.get("/sign-in?next=/leads")
    response = pages.post(
        "/sign-in", {"username": "rob", "password": "demo-sales", "next": "/leads"}, 302
    )
    assert response.headers["Location"] == "/leads"
    assert pages.client.get("/").headers["Location"] == "/tasks"
    page = pages.text(pages.get("/notifications"))
    assert 'data-testid="signed-in-as">rob' in page


def test_sign_in_never_redirects_off_site(site: Flask) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "tasks"):
        pages = Pages(site)
        pages.get("/sign-in")
        response = pages.post(
            "/sign-in", {"username": "rob", "password": "demo-sales", "next": target}, 302
        )
        assert response.headers["Location"] == "/tasks", target


def test_wrong_password_is_refused_without_saying_which_part(site: Flask) -> None:
    pages = Pages(site)
    pages.get("/sign-in")
    for username in ("rob", "nobody"):
        response = pages.post("/sign-in", {"username": username, "password": "wrong-one"}, 401)
        body = pages.text(response)
        assert "the user name or password is not right" in body
        assert 'value="' + username + '"' in body
    assert pages.client.get("/notifications").status_code == 302


def test_failed_sign_ins_are_rate_limited(site: Flask, demo_ctx: Context) -> None:
    pages = Pages(site)
    pages.get("/sign-in")
    for _ in range(sessions.MAX_FAILURES):
        pages.post("/sign-in", {"username": "rob", "password": "guess-guess"}, 401)
    # Even the right password is refused while the limit holds, and the page says how long.
    response = pages.post("/sign-in", {"username": "rob", "password": "demo-sales"}, 429)
    assert "too many failed sign-ins; try again in 15 minute(s)" in pages.text(response)
    assert int(response.headers["Retry-After"]) == 15 * 60
    # Another user from another address is not affected.
    Pages(site).sign_in("sara")
    # Once the window has passed, rob can sign in again.
    demo_ctx.clock.advance(minutes=16)  # type: ignore[attr-defined]
    Pages(site).sign_in("rob")


def test_every_form_post_needs_the_csrf_token(site: Flask) -> None:
    pages = Pages(site)
    pages.sign_in("rob")
    for token in (None, "forged"):
        form = {"csrf_token": token} if token else {}
        response = pages.client.post("/sign-out", data=form)
        assert response.status_code == 400
        assert "CSRF check failed" in pages.text(response)
    # Still signed in: the forged sign-out did nothing.
    assert pages.client.get("/notifications").status_code == 200
    assert pages.post("/sign-out", {}, 302).headers["Location"] == "/sign-in"
    assert pages.client.get("/notifications").status_code == 302


def test_sign_in_form_itself_needs_the_token(site: Flask) -> None:
    response = Pages(site).client.post("/sign-in", data={"username": "rob", "password": "x"})
    assert response.status_code == 400


def test_pages_send_security_headers(site: Flask) -> None:
    response = Pages(site).get("/sign-in")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_api_needs_no_csrf_token(site: Flask, demo_ctx: Context) -> None:
    """Bearer-token API calls carry no cookie, so no CSRF token is asked of them."""
    _, token = users.create_user(demo_ctx, None, "api-bot", "API Bot", "rep")
    response = site.test_client().post(
        "/api/v1/leads",
        json={"name": "From a script"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201


def test_unknown_page_is_a_page_not_json(site: Flask) -> None:
    pages = Pages(site)
    pages.sign_in("rob")
    response = pages.get("/no-such-page", status=404)
    assert 'data-testid="error-page"' in pages.text(response)
    api = site.test_client().get("/api/v1/no-such")
    assert api.status_code == 404 and api.is_json
