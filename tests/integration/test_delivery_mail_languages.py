"""A notice's mail is written when it is sent, in its recipient's language (theirs, else the
company's), whatever the worker's own language."""

from __future__ import annotations

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.services.delivery import outbox
from bpmn_sales.services.delivery.send import deliver_due
from bpmn_sales.services.people import preferences, users
from tests.fakes import FakeClock
from tests.integration.test_delivery_mail import queue_one_mail
from tests.local_servers import SmtpServer


def test_a_mail_queued_in_english_goes_out_in_polish(
    ctx: Context, clock: FakeClock, smtp: SmtpServer
) -> None:
    preferences.update_company_preferences(ctx, None, language="pl")
    deal_id = queue_one_mail(ctx, clock)
    admin = users.actor_for_username(ctx, "admin")
    [queued] = outbox.overview(ctx, admin, "pending")["messages"]
    assert queued["subject"] == "Solution design approved on deal Rollout"
    ctx.smtp_url, ctx.base_url = f"smtp://127.0.0.1:{smtp.port}", "https://sales.example.test"
    with i18n.use_language("fr"):  # the worker's own language does not matter
        assert deliver_due(ctx) == 1
    [mail] = smtp.catcher.wait_for(1)
    assert mail["Subject"] == "Solution design – zaakceptowano w szansie sprzedaży Rollout"  # noqa: RUF001
    text = mail.get_body(("plain",)).get_content()
    assert f"zaakceptował(a) etap „Solution design” szansy sprzedaży {deal_id} (Rollout)." in text
    assert "approved" not in text
