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
        raise InvalidInput(f"{field} must be text", field=field)
    items = [item.strip() for item in text.split(",") if item.strip()]
    if len(items) > MAX_STAGES:
        raise InvalidInput(f"{field}: at most {MAX_STAGES} stages", field=field)
    plans = []
    for item in items:
        name, colon, rate_text = item.partition(":")
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InvalidInput(
                f"{field}: '{item}' needs a name of 1 to {MAX_NAME} characters", field
            )
        key = stage_key(name)
        rate = None
        if colon:
            if not rated:
                raise InvalidInput(f"{field}: post-sale stage '{name}' takes no win rate", field)
            try:
                rate = float(rate_text)
            except ValueError:
                rate = -1.0
            if not 0 <= rate <= 100:
                raise InvalidInput(
                    f"{field}: the win rate of '{name}' must be a number from 0 to 100, "
                    f"not '{rate_text.strip()}'",
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
            f"stages: give every stage a win rate, or none ({bare} has none)", "stages"
        )
    for before, after in pairwise(rated):
        if (after.win_rate or 0) < (before.win_rate or 0):
            raise InvalidInput(
                f"stages: the win rate of '{after.name}' ({after.win_rate:g}) is lower than "
                f"that of '{before.name}' ({before.win_rate:g}); rates may not fall",
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
                    f"stages '{twin}' and '{plan.name}' both get the key '{plan.key}'; "
                    "give them different names",
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
        raise InvalidInput("give the new process a key, e.g. key_account", field="key")
    if not isinstance(key, str) or not PROCESS_KEY.match(key):
        raise InvalidInput(
            f"'{key}' is not a valid process key: a letter or '_', then letters, digits, '_' "
            "or '-' (at most 100)",
            field="key",
        )
    title = name if isinstance(name, str) and name.strip() else key.replace("_", " ").capitalize()
    pre = _plans(stages, "stages", rated=True)
    post = _plans(post_sale or "", "post_sale", rated=False)
    if not pre:
        raise InvalidInput("stages: name at least one pre-sale stage, e.g. 'Qualify:10'", "stages")
    _check_rates(pre)
    pre, post = _unique_keys(pre, post)
    xml = scaffold(key, title.strip(), pre, post, free_moves)
    problems = ctx.engine.lint({f"{key}.bpmn": xml})
    if problems:  # the templates lint clean; a problem here is ours, not the designer's
        raise InvalidState(f"the scaffold does not lint clean: {problems[0]}")
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
    require_admin(actor, "create processes")
    made = scaffold_process(ctx, key, stages, post_sale, free_moves, name)
    with ctx.uow() as store:
        if store.process_by_key(made.key) is not None:
            raise InvalidInput(
                f"process '{made.key}' already exists; choose another key", field="key"
            )
        (result,) = deploy_in(ctx, store, actor, {f"{made.key}.bpmn": made.xml})
        store.commit()
    return result
