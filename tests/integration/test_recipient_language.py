"""Notifications and mail are composed in each recipient's language and time zone (their own
setting, else the company's), whoever caused them; the worker renders the mail in it too."""

from __future__ import annotations

from sqlalchemy import select

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.persistence.models import Deal, Notification, OutboxMessage, User
from bpmn_sales.services import deals
from bpmn_sales.services.common import StoreDirectory
from bpmn_sales.services.delivery import notices, texts
from bpmn_sales.services.people import preferences, users
from tests.helpers import walk_to


def team(ctx: Context) -> None:
    users.create_user(ctx, None, "mia", "Mia", "manager", None, "mia@example.test")
    users.create_user(ctx, None, "rob", "Rob Rep", "rep", "mia", "rob@example.test")
    preferences.update_company_preferences(ctx, None, language="fr", time_zone="Europe/Paris")
    preferences.update_user_preferences(ctx, None, "rob", language="pl", time_zone="Europe/Warsaw")


def test_each_recipient_gets_their_own_language_and_zone(ctx: Context) -> None:
    team(ctx)
    rob = users.actor_for_username(ctx, "rob")
    deal = deals.create_deal(ctx, rob, "Rollout", "Acme", "5000")
    subject, text = texts.completion("Present solution", "Rollout", deal.id, "rob")
    with ctx.uow() as store:
        row = store.session.get(Deal, deal.id)
        assert row is not None
        owner = store.get(User, rob.id, "user")
        notices.notify(
            ctx,
            store,
            ["owner", "direct_manager"],
            StoreDirectory(store, owner, row),
            row,
            "check",
            subject,
            text,
        )
        store.commit()
    with ctx.uow() as store:
        mails = {
            m.recipient: (m.payload["language"], m.payload["time_zone"], m.payload["text_phrase"])
            for m in store.session.scalars(
                select(OutboxMessage).where(OutboxMessage.channel == "mail")
            )
            if m.payload.get("kind") == "check"
        }
        notes = [
            n.message
            for n in store.session.scalars(select(Notification).where(Notification.kind == "check"))
        ]
    assert {r: m[:2] for r, m in mails.items()} == {
        "rob@example.test": ("pl", "Europe/Warsaw"),
        "mia@example.test": ("fr", "Europe/Paris"),  # the company's
    }
    english = f"rob completed 'Present solution' on deal {deal.id} (Rollout)."
    assert notes == [english, english]  # stored in English, told in the reader's language
    told = {}
    for recipient, (language, _zone, phrase) in mails.items():
        with i18n.use_language(language):
            told[recipient] = texts.shown(phrase, english)
    assert "Present solution" in told["rob@example.test"]
    assert told["rob@example.test"] != english and told["mia@example.test"] != english
    assert told["rob@example.test"] != told["mia@example.test"]
    assert i18n.current_language() == "en"  # the caller's language is back in force


def test_an_approval_mail_remembers_its_recipients_language(ctx: Context) -> None:
    team(ctx)
    rob, mia = (users.actor_for_username(ctx, n) for n in ("rob", "mia"))
    deal = deals.create_deal(ctx, rob, "Rollout", "Acme", "5000")
    with i18n.use_language("zh_Hans"):  # mia approves in Chinese; rob reads Polish
        walk_to(ctx, rob, mia, deal.id, "quote_and_bid")
    with ctx.uow() as store:
        payloads = [
            m.payload
            for m in store.session.scalars(
                select(OutboxMessage).where(OutboxMessage.recipient == "rob@example.test")
            )
        ]
    assert payloads and all(p["language"] == "pl" for p in payloads), payloads
    assert all(p["time_zone"] == "Europe/Warsaw" for p in payloads)
