"""Notifications and mail are composed in each recipient's language and time zone (their own
setting, else the company's), whoever caused them; the worker renders the mail in it too."""

from __future__ import annotations

from sqlalchemy import select

from bpmn_sales import i18n
from bpmn_sales.context import Context
from bpmn_sales.persistence.models import Deal, Notification, OutboxMessage, User
from bpmn_sales.services import deals
from bpmn_sales.services.common import StoreDirectory
from bpmn_sales.services.delivery import notices
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
            "unused",
            "unused",
            compose=lambda: (i18n.current_language(), i18n.current_time_zone()),
        )
        store.commit()
    with ctx.uow() as store:
        mails = {
            m.recipient: (m.subject, m.body, m.payload["language"], m.payload["time_zone"])
            for m in store.session.scalars(
                select(OutboxMessage).where(OutboxMessage.channel == "mail")
            )
            if m.payload.get("kind") == "check"
        }
        notes = {
            n.user_id: n.message
            for n in store.session.scalars(select(Notification).where(Notification.kind == "check"))
        }
    assert mails == {
        "rob@example.test": ("pl", "Europe/Warsaw", "pl", "Europe/Warsaw"),
        "mia@example.test": ("fr", "Europe/Paris", "fr", "Europe/Paris"),  # the company's
    }
    assert sorted(notes.values()) == ["Europe/Paris", "Europe/Warsaw"]
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
