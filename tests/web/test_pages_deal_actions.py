"""The deal page's forms: edits, records, closing, reopening, moving; refusals and bad input."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from bpmn_sales.context import Context
from bpmn_sales.services import deals
from bpmn_sales.services.people import users
from tests.web.pages import Pages

Visitor = Callable[[str | None], Pages]


def deal_id(ctx: Context, name: str) -> int:
    admin = users.actor_for_username(ctx, "admin")
    return next(d.id for d in deals.list_deals(ctx, admin) if d.name == name)


def version_of(ctx: Context, deal: int) -> int:
    return deals.get_deal(ctx, users.actor_for_username(ctx, "admin"), deal).version


def test_forms_without_the_csrf_token_are_refused(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    for path, form in (
        (f"/deals/{kitchen}/notes", {"text": "forged"}),
        (f"/deals/{kitchen}/close", {"outcome": "lost", "reason": "Autre"}),
        ("/deals/new", {"name": "Forged"}),
    ):
        response = rob.client.post(path, data=form)
        assert response.status_code == 400
        assert "CSRF check failed" in rob.text(response)
    assert deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), kitchen).status == (
        "open"
    )


def test_add_contact_note_and_file(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    deal = deal_id(demo_ctx, "Adventure Works rollout")
    page = rob.text(rob.follow(rob.post(f"/deals/{deal}/notes", {"text": "Called them"}, 302)))
    assert "Note added" in page and "Called them" in page
    added = rob.post(
        f"/deals/{deal}/contacts", {"name": "Ann Buyer", "email": "ann@aw.example"}, 302
    )
    assert "Ann Buyer" in rob.text(rob.follow(added))
    upload = rob.post(
        f"/deals/{deal}/files",
        {"file": (io.BytesIO(b"minutes of the call\n"), "minutes.txt")},
        302,
        content_type="multipart/form-data",
    )
    page = rob.text(rob.follow(upload))
    assert "File minutes.txt uploaded" in page and ">minutes.txt</a>" in page
    history = [
        h.action
        for h in deals.deal_history(demo_ctx, users.actor_for_username(demo_ctx, "rob"), deal)
    ]
    assert {"note_added", "contact_added", "file_added"} <= set(history)


def test_bad_input_is_shown_beside_the_field(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    deal = deal_id(demo_ctx, "Adventure Works rollout")
    bad = rob.text(rob.post(f"/deals/{deal}/contacts", {"name": "Ann", "email": "nope"}, 400))
    assert re.search(r'id="contact-email-error"[^>]*>email &#39;nope&#39; is not an e-mail', bad)
    assert 'value="Ann"' in bad  # the form keeps what was typed
    bad = rob.text(rob.post(f"/deals/{deal}/notes", {"text": "  "}, 400))
    assert re.search(r'id="note-text-error"[^>]*>text is required', bad)
    bad = rob.text(rob.post(f"/deals/{deal}/files", {}, 400, content_type="multipart/form-data"))
    assert re.search(r'id="file-file-error"[^>]*>choose a file', bad)
    bad = rob.text(
        rob.post(
            f"/deals/{deal}/files",
            {"file": (io.BytesIO(b"<html><script>x</script>"), "page.html")},
            400,
            content_type="multipart/form-data",
        )
    )
    assert 'id="file-file-error"' in bad
    version = version_of(demo_ctx, deal)
    bad = rob.text(
        rob.post(f"/deals/{deal}/edit", {"name": "AW", "value": "lots", "version": version}, 400)
    )
    assert re.search(
        r'id="edit-value-error"[^>]*>lots is not an amount: type it like 1,234.50', bad
    )
    assert "<details open" in bad  # the edit form is open on the error
    assert "Check the form" in bad
    bad = rob.text(rob.post(f"/deals/{deal}/close", {"outcome": "lost", "version": version}, 400))
    assert re.search(r'id="lost-reason-error"[^>]*>a lost deal needs a reason', bad)


def test_edit_fields_with_the_stage_requirements(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    deal = deal_id(demo_ctx, "Wide World upgrade")
    page = rob.text(rob.get(f"/deals/{deal}"))
    assert 'name="deal_fields.budget"' in page and "required here" in page
    saved = rob.post(
        f"/deals/{deal}/edit",
        {
            "name": "Wide World upgrade",
            "customer": "Wide World Importers",
            "value": "25000",
            "currency": "USD",
            "expected_close_date": "2027-06-30",
            "deal_fields.budget": "24000",
            "version": version_of(demo_ctx, deal),
        },
        302,
    )
    page = rob.text(rob.follow(saved))
    assert "Deal saved" in page and "$25,000.00" in page and "24000" in page
    bad = rob.text(
        rob.post(
            f"/deals/{deal}/edit",
            {"deal_fields.budget": "much", "version": version_of(demo_ctx, deal)},
            400,
        )
    )
    assert re.search(r'id="edit-deal_fields.budget-error"[^>]*>deal_fields.budget must be', bad)


def test_a_stale_version_is_a_conflict_not_an_overwrite(
    visitor: Visitor, demo_ctx: Context
) -> None:
    rob = visitor("rob")
    deal = deal_id(demo_ctx, "Adventure Works rollout")
    stale = version_of(demo_ctx, deal)
    rob.post(f"/deals/{deal}/edit", {"name": "AW rollout", "version": stale}, 302)
    for path, form in (
        ("edit", {"name": "Overwritten", "version": stale}),
        ("close", {"outcome": "lost", "reason": "Lost to a competitor", "version": stale}),
    ):
        response = rob.post(f"/deals/{deal}/{path}", form, 302)
        assert response.headers["Location"] == f"/deals/{deal}"
        page = rob.text(rob.follow(response))
        assert 'data-testid="flash-error"' in page and "someone else changed it" in page
    view = deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), deal)
    assert view.name == "AW rollout" and view.status == "open"


def test_winning_too_early_lists_every_unmet_rule(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    deal = deal_id(demo_ctx, "Adventure Works rollout")
    refused = rob.post(
        f"/deals/{deal}/close", {"outcome": "won", "version": version_of(demo_ctx, deal)}, 302
    )
    page = rob.text(rob.follow(refused))
    assert "cannot be won" in page
    unmet = re.search(r'<ul class="unmet">(.*?)</ul>', page, re.S)
    assert unmet is not None and unmet[1].count("<li>") >= 2
    assert "obligatory activity" in unmet[1]


def test_close_lost_then_reopen(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    deal = deal_id(demo_ctx, "Adventure Works rollout")
    form = {
        "outcome": "lost",
        "reason": "Lost to a competitor",
        "version": str(version_of(demo_ctx, deal)),
    }
    # The first post asks; nothing is closed until the confirmation is posted.
    asked = rob.text(rob.post(f"/deals/{deal}/close", form, 200))
    assert "Close Adventure Works rollout as lost?" in asked
    assert 'name="confirmed" value="yes"' in asked
    assert 'name="reason" value="Lost to a competitor"' in asked
    assert deals.get_deal(demo_ctx, users.actor_for_username(demo_ctx, "rob"), deal).status == (
        "open"
    )
    closed = rob.post(f"/deals/{deal}/close", {**form, "confirmed": "yes"}, 302)
    page = rob.text(rob.follow(closed))
    assert "Deal closed" in page and 'data-testid="lost-reason">Lost to a competitor' in page
    again = rob.post(f"/deals/{deal}/close", {"outcome": "won"}, 302)
    assert "not open" in rob.text(rob.follow(again))
    reopened = rob.post(f"/deals/{deal}/reopen", {"version": version_of(demo_ctx, deal)}, 302)
    new_id = int(reopened.headers["Location"].rsplit("/", 1)[1])
    assert new_id != deal
    page = rob.text(rob.follow(reopened))
    assert (
        "Deal reopened" in page and f'href="/deals/{deal}" data-testid="link-reopened-from"' in page
    )
    old = rob.text(rob.get(f"/deals/{deal}"))
    assert f'href="/deals/{new_id}" data-testid="link-reopened-as">“' in old
    twice = rob.post(f"/deals/{deal}/reopen", {}, 302)
    assert "already reopened" in rob.text(rob.follow(twice))


def test_move_and_order_where_the_process_allows(visitor: Visitor, demo_ctx: Context) -> None:
    rob = visitor("rob")
    kitchen = deal_id(demo_ctx, "Rénovation cuisine")
    moved = rob.post(
        f"/deals/{kitchen}/move", {"stage": "estimation", "version": version_of(demo_ctx, kitchen)}
    )
    assert "Deal moved to Estimation" in rob.text(rob.follow(moved))
    refused = rob.post(
        f"/deals/{kitchen}/move", {"stage": "devis", "version": version_of(demo_ctx, kitchen)}
    )
    page = rob.text(rob.follow(refused))
    assert "cannot leave stage" in page and '<ul class="unmet">' in page  # each rule listed
    sales = deal_id(demo_ctx, "Wide World upgrade")
    refused = rob.post(f"/deals/{sales}/move", {"stage": "quote_and_bid"}, 302)
    assert "does not allow moving" in rob.text(rob.follow(refused))
    litware = deal_id(demo_ctx, "Litware renewal")
    ordered = rob.post(f"/deals/{litware}/orders", {"amount": "500"}, 302)
    assert "Order SO-" in rob.text(rob.follow(ordered))
    bad = rob.text(rob.post(f"/deals/{litware}/orders", {"amount": "-5"}, 400))
    assert 'id="order-amount-error"' in bad
