"""Use case: scaffold a new deal process from a list of stages (engine/editing/scaffold.py).

`--stages "Qualify:10,Propose:30,Negotiate:60"` names the pre-sale stages in order, each with
an optional win rate; `--post-sale "Install,Train"` the stages after the win. The result is a
laid-out diagram that lints clean, for a designer to edit in a modeler and then deploy (the
CLI writes it to a file); the processes page deploys it as a new process to open in the
modeler.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from itertools import pairwise

from bpmn_sales.context import Context
from bpmn_sales.domain.keys import stage_key
from bpmn_sales.domain.model import Actor
from bpmn_sales.domain.policy import require_admin
from bpmn_sales.engine.editing.cloning import PROCESS_KEY
from bpmn_sales.engine.editing.scaffold import StagePlan, scaffold
from bpmn_sales.engine.editing.stage_edit import MAX_NAME
from bpmn_sales.errors import InvalidInput, InvalidState
from bpmn_sales.i18n import _
from bpmn_sales.services.processes.definitions import DeployResult, deploy_in

MAX_STAGES = 30


@dataclass(frozen=True)
class Scaffold:
    """A scaffolded diagram and what it holds."""

    key: str
    xml: bytes
    stages: list[str]
    post_sale: list[str]


def _plans(text: object, field: str, rated: bool) -> list[StagePlan]:
    """`Name[:rate],...` as stage plans, refusing what a stage edit would refuse."""
    text = "" if text is None else text
    if not isinstance(text, str):
        raise InvalidInput(_("%(field)s must be text", field=field), field=field)
    items = [item.strip() for item in text.split(",") if item.strip()]
    if len(items) > MAX_STAGES:
        raise InvalidInput(
            _("%(field)s: at most %(most)s stages", field=field, most=MAX_STAGES), field=field
        )
    plans = []
    for item in items:
        name, colon, rate_text = item.partition(":")
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InvalidInput(
                _(
                    "%(field)s: '%(item)s' needs a name of 1 to %(most)s characters",
                    field=field,
                    item=item,
                    most=MAX_NAME,
                ),
                field,
            )
        key = stage_key(name)
        rate = None
        if colon:
            if not rated:
                raise InvalidInput(
                    _(
                        "%(field)s: post-sale stage '%(stage)s' takes no win rate",
                        field=field,
                        stage=name,
                    ),
                    field,
                )
            try:
                rate = float(rate_text)
            except ValueError:
                rate = -1.0
            if not 0 <= rate <= 100:
                raise InvalidInput(
                    _(
                        "%(field)s: the win rate of '%(stage)s' must be a number from 0 to 100, "
                        "not '%(value)s'",
                        field=field,
                        stage=name,
                        value=rate_text.strip(),
                    ),
                    field=field,
                )
        plans.append(StagePlan(name, key, rate))
    return plans


def _check_rates(plans: list[StagePlan]) -> None:
    """Every pre-sale stage rated, or none; rates that do not fall (lint's rules)."""
    rated = [p for p in plans if p.win_rate is not None]
    if rated and len(rated) != len(plans):
        bare = ", ".join(p.name for p in plans if p.win_rate is None)
        raise InvalidInput(
            _("stages: give every stage a win rate, or none (%(stages)s has none)", stages=bare),
            "stages",
        )
    for before, after in pairwise(rated):
        if (after.win_rate or 0) < (before.win_rate or 0):
            raise InvalidInput(
                _(
                    "stages: the win rate of '%(stage)s' (%(rate)s) is lower than that of "
                    "'%(before)s' (%(before_rate)s); rates may not fall",
                    stage=after.name,
                    rate=f"{after.win_rate:g}",
                    before=before.name,
                    before_rate=f"{before.win_rate:g}",
                ),
                field="stages",
            )


def _unique_keys(
    pre: list[StagePlan], post: list[StagePlan]
) -> tuple[list[StagePlan], list[StagePlan]]:
    """Stages named alike in another script (`Négociation`, `Negociation`) get `_2`, `_3`;
    the same name twice is refused."""
    seen: dict[str, str] = {}
    lists: tuple[list[StagePlan], list[StagePlan]] = ([], [])
    for field, plans, out in (("stages", pre, lists[0]), ("post_sale", post, lists[1])):
        for plan in plans:
            twin = seen.get(plan.key)
            if twin is not None and twin.casefold() == plan.name.casefold():
                raise InvalidInput(
                    _(
                        "stages '%(first)s' and '%(second)s' both get the key '%(key)s'; give "
                        "them different names",
                        first=twin,
                        second=plan.name,
                        key=plan.key,
                    ),
                    field=field,
                )
            key = stage_key(plan.name, seen)
            seen[key] = plan.name
            out.append(replace(plan, key=key))
    return lists


def scaffold_process(
    ctx: Context,
    key: object,
    stages: object,
    post_sale: object = "",
    free_moves: bool = False,
    name: object = None,
) -> Scaffold:
    """A laid-out, lint-clean diagram of a new deal process KEY with these stages."""
    if key is None or key == "":
        raise InvalidInput(_("give the new process a key, e.g. key_account"), field="key")
    if not isinstance(key, str) or not PROCESS_KEY.match(key):
        raise InvalidInput(
            _(
                "'%(key)s' is not a valid process key: a letter or '_', then letters, digits, '_' "
                "or '-' (at most 100)",
                key=key,
            ),
            field="key",
        )
    title = name if isinstance(name, str) and name.strip() else key.replace("_", " ").capitalize()
    pre = _plans(stages, "stages", rated=True)
    post = _plans(post_sale or "", "post_sale", rated=False)
    if not pre:
        raise InvalidInput(
            _("stages: name at least one pre-sale stage, e.g. 'Qualify:10'"), "stages"
        )
    _check_rates(pre)
    pre, post = _unique_keys(pre, post)
    xml = scaffold(key, title.strip(), pre, post, free_moves)
    problems = ctx.engine.lint({f"{key}.bpmn": xml})
    if problems:  # the templates lint clean; a problem here is ours, not the designer's
        raise InvalidState(_("the scaffold does not lint clean: %(problem)s", problem=problems[0]))
    return Scaffold(key, xml, [p.key for p in pre], [p.key for p in post])


def create_process(
    ctx: Context,
    actor: Actor,
    key: object,
    stages: object,
    post_sale: object = "",
    free_moves: bool = False,
    name: object = None,
) -> DeployResult:
    """Scaffold a new process KEY and deploy it as its first version (admins); an existing key
    is refused, so the scaffold never becomes a new version of another process."""
    require_admin(actor, _("create processes"))
    made = scaffold_process(ctx, key, stages, post_sale, free_moves, name)
    with ctx.uow() as store:
        if store.process_by_key(made.key) is not None:
            raise InvalidInput(
                _("process '%(process)s' already exists; choose another key", process=made.key),
                field="key",
            )
        (result,) = deploy_in(ctx, store, actor, {f"{made.key}.bpmn": made.xml})
        store.commit()
    return result
