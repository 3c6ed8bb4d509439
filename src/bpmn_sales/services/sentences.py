"""A history entry told as a sentence in the reader's language, made when it is shown.

History rows are stored structured (the action, the stages and statuses before and after, a
detail object), never as text, so the sentence follows whoever reads the history later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bpmn_sales.i18n import _, ngettext


def history_sentence(
    action: str,
    from_stage: str | None,
    to_stage: str | None,
    to_status: str | None,
    detail: Mapping[str, Any],
) -> str:
    """What happened, in the language in force; an action this does not know reads as itself."""
    text = _simple(action)
    if text is not None:
        return text
    if action == "created":
        if detail.get("reopened_from") and to_stage:
            return _(
                "Reopened from deal %(deal)s, restarting at stage '%(stage)s'",
                deal=detail["reopened_from"],
                stage=to_stage,
            )
        if detail.get("reopened_from"):
            return _("Reopened from deal %(deal)s", deal=detail["reopened_from"])
        if detail.get("lead_id"):
            lead = detail.get("lead_name") or detail["lead_id"]
            return _("Qualified from lead “%(lead)s”", lead=lead)
        if to_stage:
            return _("Created at stage '%(stage)s'", stage=to_stage)
        return _("Created")
    if action == "moved":
        return _("Moved from '%(from)s' to '%(to)s'", **{"from": from_stage or "-", "to": to_stage})
    if action == "closed":
        return _closed(to_status, detail.get("reason") or detail.get("lost_reason"))
    if action == "updated":
        changed = [changed_word(str(name)) for name in detail.get("changed") or []]
        return ngettext(
            "Changed %(fields)s", "Changed %(fields)s", len(changed), fields=", ".join(changed)
        )
    return _detailed(action, detail) or action.replace("_", " ")


def _simple(action: str) -> str | None:
    return {
        "note_added": _("Added a note"),
        "timer_fired": _("A timer fired"),
        "qualified": _("Qualified as a deal"),
        "disqualified": _("Disqualified"),
        "renewed": _("Renewed"),
    }.get(action)


def _detailed(action: str, detail: Mapping[str, Any]) -> str | None:
    if action == "task_completed":
        task = detail.get("task", "")
        if detail.get("decision") == "approve":
            return _approval(_("Approved '%(task)s'", task=task), detail.get("comment"))
        if detail.get("decision") == "reject":
            return _approval(_("Rejected '%(task)s'", task=task), detail.get("comment"))
        return _("Completed '%(task)s'", task=task)
    if action == "task_claimed":
        return _("Claimed '%(task)s'", task=detail.get("task", ""))
    if action == "follow_up_done":
        return _("Completed the follow-up '%(title)s'", title=detail.get("follow_up", ""))
    if action == "follow_ups_cancelled":
        titles = [str(t) for t in detail.get("follow_ups") or []]
        return ngettext(
            "The deal closed: cancelled the follow-up %(titles)s",
            "The deal closed: cancelled the follow-ups %(titles)s",
            len(titles),
            titles=", ".join(f"'{t}'" for t in titles),
        )
    if action == "message":
        return _("Received the message '%(name)s'", name=detail.get("message", ""))
    if action == "contact_added":
        return _("Added the contact %(contact)s", contact=detail.get("contact", ""))
    if action == "file_added":
        return _("Added the file %(file)s", file=detail.get("filename", ""))
    if action == "order_created":
        return _("Created the order %(order)s", order=detail.get("order", ""))
    if action == "migrated":
        return _(
            "Moved from version %(from)s to version %(to)s of its process",
            **{"from": detail.get("from_version", "?"), "to": detail.get("to_version", "?")},
        )
    return None


def _approval(sentence: str, comment: object) -> str:
    if not comment:
        return sentence
    return _("%(decision)s: “%(comment)s”", decision=sentence, comment=comment)


def changed_word(name: str) -> str:
    """What a person calls a part of a deal an edit changed (`stage_fields`: "stage fields")."""
    words = {
        "name": _("name"),
        "customer": _("customer"),
        "value": _("value"),
        "currency": _("currency"),
        "expected_close_date": _("expected close date"),
        "fields": _("deal fields"),
        "customer_fields": _("customer fields"),
        "stage_fields": _("stage fields"),
    }
    return words.get(name) or name.replace("_", " ")


def _closed(status: str | None, reason: object) -> str:
    if status == "won":
        return _("Closed as won")
    if status == "lost" and reason:
        return _("Closed as lost: %(reason)s", reason=reason)
    if status == "lost":
        return _("Closed as lost")
    if status == "invalid":
        return _("Closed as invalid")
    return _("Closed as %(outcome)s", outcome=status or "?")
