"""Our sales-rule policy for moving a deal to a newer version (the engine checks the diagram).

A deal may land in a version whose stages ask for more than the deal's own version did: a new
required field, more contacts. Where the deal already is (its landing stage) and where it has
been (the stages it passed, up to the landing one), such a new requirement must already be met,
or the move is refused naming it; requirements the old version had too are checked as usual
when the deal leaves the stage.
"""

from __future__ import annotations

from bpmn_sales.domain.rules import ProcessRules, StageRule
from bpmn_sales.i18n import _
from bpmn_sales.persistence.stage_visits import SEPARATOR
from bpmn_sales.tasks.requirements import DealFacts, field_value, is_empty


def added_requirements(old: ProcessRules, new: ProcessRules) -> bool:
    """Whether any stage of `new` asks for a field or contacts its `old` counterpart did not."""
    return any(_added(old.stage(stage.key), stage) for stage in new.stages)


def _added(before: StageRule | None, stage: StageRule) -> bool:
    known = {ref.path for ref in before.required_fields} if before else set()
    more_contacts = stage.min_contacts > (before.min_contacts if before else 0)
    return more_contacts or any(ref.path not in known for ref in stage.required_fields)


def stages_to_check(new: ProcessRules, landing: str | None, reached: str | None) -> list[StageRule]:
    """The landing stage and the stages before it that the deal has entered."""
    target = new.stage(landing)
    if target is None:
        return []
    entered = set(reached.split(SEPARATOR)) if reached else set()
    return [
        s
        for s in new.stages
        if s.key == target.key or (s.order < target.order and s.key in entered)
    ]


def unmet_on_arrival(
    old: ProcessRules, new: ProcessRules, stages: list[StageRule], facts: DealFacts, label: str
) -> list[str]:
    """The new requirements of `stages` the deal does not meet, each naming stage and field."""
    unmet = []
    for stage in stages:
        before = old.stage(stage.key)
        known = {ref.path for ref in before.required_fields} if before else set()
        for ref in stage.required_fields:
            if ref.path not in known and is_empty(field_value(ref, facts, stage.key)):
                unmet.append(
                    _(
                        "%(stage)s: %(field)s is empty (%(label)s requires it)",
                        stage=stage.name,
                        field=ref.label,
                        label=label,
                    )
                )
        had = before.min_contacts if before else 0
        if stage.min_contacts > had and facts.contacts < stage.min_contacts:
            unmet.append(
                _(
                    "%(stage)s: the customer needs at least %(least)s contacts (has %(count)s; "
                    "%(label)s requires it)",
                    stage=stage.name,
                    least=stage.min_contacts,
                    count=facts.contacts,
                    label=label,
                )
            )
    return unmet
