"""Notification mail in its recipient's language: the greeting, the link and the footer of both
parts, and `<html lang>`, follow the recipient's language (theirs, else the company's) when the
worker renders the mail, whatever the worker's own language."""

from __future__ import annotations

import pytest

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.services.delivery import mail
from bpmn_sales.services.delivery.send import deliver_due
from bpmn_sales.services.people import preferences
from tests.fakes import FakeClock
from tests.integration.test_delivery_mail import BASE, queue_one_mail
from tests.local_servers import SmtpServer

#: language: (html lang, greeting, link line, footer word)
EXPECTED = {
    "en": ("en", "Hello Rob Rep,", "Open the deal: ", "take part in this deal"),
    "pl": ("pl", "Dzień dobry, Rob Rep,", "Otwórz szansę sprzedaży: ", "uczestniczysz"),
    "zh_Hans": ("zh-Hans", "Rob Rep\uff0c您好\uff1a", "打开商机\uff1a", "您参与了此商机"),
    "fr": ("fr", "Bonjour Rob Rep,", "Ouvrir l'opportunité : ", "vous participez"),
}


def test_a_mail_to_a_polish_reader_is_in_polish(
    ctx: Context, clock: FakeClock, smtp: SmtpServer
) -> None:
    preferences.update_company_preferences(ctx, None, language="pl")  # rob has no language
    deal_id = queue_one_mail(ctx, clock)
    ctx.smtp_url, ctx.base_url = f"smtp://127.0.0.1:{smtp.port}", BASE
    with i18n.use_language("fr"):  # the worker's own language
        assert deliver_due(ctx) == 1
    [sent] = smtp.catcher.wait_for(1)
    text = sent.get_body(("plain",)).get_content()
    html = sent.get_body(("html",)).get_content()
    assert "Dzień dobry, Rob Rep," in text and "Hello" not in text
    assert f"Otwórz szansę sprzedaży: {BASE}/deals/{deal_id}" in text
    assert "ponieważ uczestniczysz w tej szansie sprzedaży" in text
    assert '<html lang="pl">' in html
    assert f'<a href="{BASE}/deals/{deal_id}">Otwórz szansę sprzedaży</a>' in html
    assert "Open the deal" not in html and "Hello" not in html


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_both_parts_follow_the_language_in_force(language: str) -> None:
    lang, greeting, link_line, footer = EXPECTED[language]
    with i18n.use_language(language):
        message = mail.render(
            "Subject", "The text.", "Rob Rep", f"{BASE}/deals/7", "s@example.test", "r@x.test"
        )
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert greeting in text and greeting in html
    assert f"{link_line}{BASE}/deals/7" in text
    assert footer in text and footer in html
    assert f'<html lang="{lang}">' in html
    assert "The text." in text and "The text." in html
