"""Modeler drafts over HTTP: open, save, discard, lint and deploy a process's draft."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services.processes import drafts
from bpmn_sales.web.api.base import actor, ctx
from bpmn_sales.web.api.operation import Answer, delete, get, post, put
from bpmn_sales.web.schemas.drafts import (
    Draft,
    DraftDeploy,
    DraftDeployed,
    DraftLint,
    DraftProblems,
    DraftQuery,
    DraftSave,
)

KEY = {"key": {"description": "The process key"}}


@get(
    "/processes/<key:key>/draft",
    path=KEY,
    query=DraftQuery,
    responses={200: Draft},
    errors=(403,),
)
def get_draft(key: str, query: DraftQuery) -> Any:
    """The process's draft, or a version's diagram when there is none (admin)."""
    return drafts.open_draft(ctx(), actor(), key, query.version or None).to_dict()


@put(
    "/processes/<key:key>/draft",
    path=KEY,
    body=DraftSave,
    responses={200: Draft},
    errors=(403, 409),
)
def save_draft(key: str, body: DraftSave) -> Any:
    """Save the draft (admin); no version or deal changes. Returns its lint problems."""
    view = drafts.save_draft(ctx(), actor(), key, body.xml, body.base_revision, body.based_on)
    return view.to_dict()


@delete(
    "/processes/<key:key>/draft",
    path=KEY,
    responses={204: Answer(description="Discarded")},
    errors=(403,),
)
def discard_draft(key: str) -> Any:
    """Discard the draft (admin)."""
    drafts.discard_draft(ctx(), actor(), key)
    return "", 204


@post(
    "/processes/<key:key>/draft/lint",
    path=KEY,
    body=DraftLint,
    responses={200: DraftProblems},
    errors=(403,),
)
def lint_draft(key: str, body: DraftLint) -> Any:
    """Lint the stored draft, or the XML sent (not stored)."""
    problems = drafts.lint_draft(ctx(), actor(), key, body.xml)
    return {"problems": [p.to_dict() for p in problems]}


@post(
    "/processes/<key:key>/draft/deploy",
    path=KEY,
    body=DraftDeploy,
    responses={200: DraftDeployed},
    errors=(403, 409),
)
def deploy_draft(key: str, body: DraftDeploy) -> Any:
    """Deploy the draft like an upload and delete it (admin)."""
    deployed = drafts.deploy_draft(
        ctx(), actor(), key, body.mode, body.disable_previous, body.base_revision
    )
    return deployed.to_dict()
