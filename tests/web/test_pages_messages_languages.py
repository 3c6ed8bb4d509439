"""The messages the pages build (form errors, flash messages) in the visitor's language."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]


@pytest.mark.parametrize(
    ("language", "mismatch"),
    [
        ("pl", "podane hasła nie są takie same"),
        ("zh-CN", "两次输入的密码不一致"),
        ("fr", "les deux mots de passe ne sont pas identiques"),
        ("en", "the two passwords are not the same"),
    ],
)
def test_a_form_error_is_in_the_visitors_language(
    visitor: Visitor, language: str, mismatch: str
) -> None:
    rob = visitor("rob")
    form = {"password": "a-long-new-secret", "confirm": "a-long-new-secrex"}
    response = rob.post("/account", form, 400, headers={"Accept-Language": language})
    assert mismatch in rob.text(response)


@pytest.mark.parametrize(
    ("language", "flash", "english"),
    [
        ("pl", "oznaczon", "marked read"),
        ("zh-CN", "条通知已标记为已读", "marked read"),
        ("fr", "comme lu", "marked read"),
    ],
)
def test_a_flash_message_is_in_the_visitors_language(
    visitor: Visitor, language: str, flash: str, english: str
) -> None:
    rob = visitor("rob")
    done = rob.post("/notifications/read", {}, 302, headers={"Accept-Language": language})
    page = rob.text(rob.follow(done))
    assert flash in page
    assert english not in page
