"""The one error family of bpmn-sales; the edges (API, CLI) translate it, nothing else does."""

from __future__ import annotations

from bpmn_sales.i18n import _


class SalesError(Exception):
    """Base of every error the product reports to a user."""

    code = "error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None}

    def to_dict(self) -> dict[str, object]:
        return {"error": self.code, "message": self.message, **self.details}


class NotFound(SalesError):
    """A lead, deal, task, process or user that does not exist."""

    code = "not_found"


class InvalidInput(SalesError):
    """A missing or malformed field; `field` names it."""

    code = "invalid_input"

    def __init__(self, message: str, field: str | None = None, **details: object) -> None:
        super().__init__(message, field=field, **details)
        self.field = field


class InvalidState(SalesError):
    """The action is not possible in the entity's current state."""

    code = "invalid_state"


class Conflict(SalesError):
    """Someone else changed the entity since the caller read it."""

    code = "conflict"


class Forbidden(SalesError):
    """The user may not do this."""

    code = "forbidden"


class Unauthorized(SalesError):
    """No valid credentials were given."""

    code = "unauthorized"


class RuleViolation(SalesError):
    """A sales rule carried by the diagram refuses the action."""

    code = "rule_violation"


class DiagramError(SalesError):
    """A diagram that cannot be deployed or run; names file, element and line where known."""

    code = "diagram_error"

    def __init__(
        self,
        message: str,
        file: str | None = None,
        element_id: str | None = None,
        line: int | None = None,
    ) -> None:
        parts = [file] if file else []
        if element_id:
            parts.append(_("element %(element)s", element=element_id))
        if line:
            parts.append(_("line %(line)s", line=line))
        where = ", ".join(parts)
        super().__init__(
            _("%(where)s: %(reason)s", where=where, reason=message) if where else message,
            file=file,
            element_id=element_id,
            line=line,
        )
        self.reason = message  # without the "file, element, line:" prefix
        self.file = file
        self.element_id = element_id
        self.line = line


class UnsafeExpression(DiagramError):
    """A condition or script in a diagram uses something the restricted evaluator refuses."""

    code = "unsafe_expression"


class StorageUnavailable(SalesError):
    """The database cannot be reached (restarting, network down); trying again later may work."""

    code = "storage_unavailable"


class InvalidSetting(SalesError):
    """An environment variable the product reads holds a value it cannot use; `setting` names it."""

    code = "invalid_setting"


class TooManyAttempts(SalesError):
    """Too many failed attempts in a short time; `retry_after` says how many seconds to wait."""

    code = "too_many_attempts"


class NoDatabase(SalesError):
    """The database is missing or has no tables yet; `bpmn-sales init` makes it."""

    code = "no_database"
