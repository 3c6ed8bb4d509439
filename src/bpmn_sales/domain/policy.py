"""Who may do what: the authorization rules every use case checks."""

from __future__ import annotations

from bpmn_sales.domain.model import Actor, Role
from bpmn_sales.errors import Forbidden, NotFound
from bpmn_sales.i18n import _


def missing(what: str, ident: object) -> str:
    """ "<what> <id> does not exist" as a whole sentence in the language in force (each kind of
    record is its own sentence: words such as deal and lead change the grammar around them)."""
    sentences = {
        "deal": _("deal %(id)s does not exist", id=ident),
        "lead": _("lead %(id)s does not exist", id=ident),
        "user": _("user %(id)s does not exist", id=ident),
        "task": _("task %(id)s does not exist", id=ident),
        "process": _("process %(id)s does not exist", id=ident),
        "process version": _("process version %(id)s does not exist", id=ident),
        "migration run": _("migration run %(id)s does not exist", id=ident),
        "outbox message": _("outbox message %(id)s does not exist", id=ident),
    }
    return sentences.get(what) or _("%(what)s %(id)s does not exist", what=what, id=ident)


def can_access(actor: Actor, owner_id: int, owner_manager_id: int | None) -> bool:
    """Admins see everything; a rep their own records; a manager their own and their reports'."""
    if actor.is_admin or actor.id == owner_id:
        return True
    return actor.role is Role.MANAGER and owner_manager_id == actor.id


def require_access(
    actor: Actor, owner_id: int, owner_manager_id: int | None, what: str, ident: int
) -> None:
    """Refuse a record the actor may not see exactly as a missing one is refused (a 404),
    so ids of other teams' records cannot be told from ids that do not exist."""
    if not can_access(actor, owner_id, owner_manager_id):
        raise NotFound(missing(what, ident), id=ident)


def require_admin(actor: Actor, action: str) -> None:
    if not actor.is_admin:
        raise Forbidden(_("only an admin may %(action)s", action=action), actor=actor.username)
