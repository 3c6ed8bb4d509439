"""What notices say, kept as a message and its values so each reader gets their own language.

A notification is read later, often by someone whose language is not the one in force when it
was written (the worker's, the actor's). So a notice is stored as a `Phrase`: the English
message (gettext's msgid) and its values, and is translated when it is listed or mailed. The
messages are marked with `N_` (for the catalogs) and translated only by `Phrase.text()`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpmn_sales.i18n import gettext, use_language


def N_(message: str) -> str:
    """Mark `message` for the catalogs; it is translated when the phrase is shown."""
    return message


@dataclass(frozen=True)
class Phrase:
    """A message in the source language with its named values, translated when shown."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        """The phrase in the language in force."""
        return gettext(self.msgid, **self.params)

    def english(self) -> str:
        """The phrase in the source language (stored beside it, for readers of old rows)."""
        with use_language(None):
            return self.text()

    def to_json(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": dict(self.params)}

    @classmethod
    def from_json(cls, value: object) -> Phrase | None:
        """The phrase stored as `to_json` made it; None for anything else (old rows)."""
        if not isinstance(value, dict) or not isinstance(value.get("msgid"), str):
            return None
        params = value.get("params")
        return cls(value["msgid"], dict(params) if isinstance(params, dict) else {})


def shown(stored: object, fallback: str) -> str:
    """A stored phrase in the language in force; `fallback` when there is none or it does not
    fit its values any more (a row written by an older version)."""
    phrase = Phrase.from_json(stored)
    if phrase is None:
        return fallback
    try:
        return phrase.text()
    except (KeyError, ValueError, TypeError):
        return fallback


def completion(activity: str, deal_name: str, deal_id: int, by: str) -> tuple[Phrase, Phrase]:
    """(subject, text) of the notice that an activity was completed."""
    return (
        Phrase(N_("%(activity)s done on deal %(deal)s"), {"activity": activity, "deal": deal_name}),
        Phrase(
            N_("%(user)s completed '%(activity)s' on deal %(id)s (%(deal)s)."),
            {"user": by, "activity": activity, "id": deal_id, "deal": deal_name},
        ),
    )


def approval(
    stage: str, deal_name: str, deal_id: int, choice: str, by: str, comment: str
) -> tuple[Phrase, Phrase]:
    """(subject, text) of the notice that a stage was approved or rejected."""
    values: dict[str, Any] = {
        "stage": stage,
        "deal": deal_name,
        "id": deal_id,
        "user": by,
        "comment": comment,
    }
    if choice == "approve":
        subject = N_("%(stage)s approved on deal %(deal)s")
        text = (
            N_(
                "%(user)s approved stage '%(stage)s' of deal %(id)s (%(deal)s). Comment: "
                "%(comment)s"
            )
            if comment
            else N_("%(user)s approved stage '%(stage)s' of deal %(id)s (%(deal)s).")
        )
    else:
        subject = N_("%(stage)s rejected on deal %(deal)s")
        text = (
            N_(
                "%(user)s rejected stage '%(stage)s' of deal %(id)s (%(deal)s). Comment: "
                "%(comment)s"
            )
            if comment
            else N_("%(user)s rejected stage '%(stage)s' of deal %(id)s (%(deal)s).")
        )
    return Phrase(subject, values), Phrase(text, values)


# (subject, text) of a timer's notice, per kind: with the stage the deal waits in and since
# when, and without (a deal with no stage).
NOTICES = {
    "reminder": (
        (
            N_("Reminder: deal %(deal)s is waiting in stage '%(stage)s'"),
            N_(
                "Deal %(id)s (%(deal)s) has been in stage '%(stage)s' since %(since)s; "
                "time to move it on."
            ),
        ),
        (
            N_("Reminder: deal %(deal)s is waiting"),
            N_("Deal %(id)s (%(deal)s) has been waiting; time to move it on."),
        ),
    ),
    "escalation": (
        (
            N_("Escalation: deal %(deal)s is stuck in stage '%(stage)s'"),
            N_(
                "Deal %(id)s (%(deal)s) is still in stage '%(stage)s' since %(since)s, "
                "past its reminder."
            ),
        ),
        (
            N_("Escalation: deal %(deal)s is stuck"),
            N_("Deal %(id)s (%(deal)s) is still waiting, past its reminder."),
        ),
    ),
    "timeout": (
        (
            N_("Overdue: deal %(deal)s in stage '%(stage)s'"),
            N_("Deal %(id)s (%(deal)s) is overdue in stage '%(stage)s' since %(since)s."),
        ),
        (
            N_("Overdue: deal %(deal)s"),
            N_("Deal %(id)s (%(deal)s) is overdue."),
        ),
    ),
    "notice": (
        (
            N_("Deal %(deal)s"),
            N_("Deal %(id)s (%(deal)s) needs attention in stage '%(stage)s'."),
        ),
        (
            N_("Deal %(deal)s"),
            N_("Deal %(id)s (%(deal)s) needs attention."),
        ),
    ),
}


def notice(
    kind: str, deal_name: str, deal_id: int, stage: str | None, since: str | None
) -> tuple[Phrase, Phrase]:
    """(subject, text) of a timer's notice about a deal that waits in a stage."""
    with_stage, without = NOTICES.get(kind, NOTICES["notice"])
    subject, text = with_stage if stage and since else without
    values = {"deal": deal_name, "id": deal_id, "stage": stage or "", "since": since or ""}
    return Phrase(subject, values), Phrase(text, values)
