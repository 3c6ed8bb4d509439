"""Leads over HTTP: list, create, read, qualify, disqualify, renew, history."""

from __future__ import annotations

from typing import Any

from bpmn_sales.services import leads
from bpmn_sales.web.api.base import (
    actor,
    ctx,
    expected_version,
    respond_created,
    respond_versioned,
)
from bpmn_sales.web.api.operation import NOT_MODIFIED, created, get, patch, post, versioned
from bpmn_sales.web.api.paging import page_of, paged
from bpmn_sales.web.schemas.common import Versioned
from bpmn_sales.web.schemas.history import HistoryEntry, HistoryQuery
from bpmn_sales.web.schemas.leads import (
    Disqualification,
    Lead,
    LeadListQuery,
    LeadStatusChange,
    NewLead,
    Qualification,
)


@get("/leads", query=LeadListQuery, responses={200: page_of(list[Lead])})
def list_leads(query: LeadListQuery) -> Any:
    """List visible leads, a page at a time.

    Filter by status, owner, process, words of the name or company (`q`) and estimated value;
    sort by newest, value or name. Paging headers as for deals.
    """
    found = leads.list_leads(
        ctx(),
        actor(),
        query.status,
        query.limit,
        query.owner,
        process=query.process,
        q=query.q,
        value_min=query.value_min,
        value_max=query.value_max,
        sort=query.sort,
        cursor=query.cursor,
    )
    return paged(found, [v.to_dict() for v in found])


@post("/leads", body=NewLead, responses={201: created(Lead)}, errors=(403, 404, 409))
def create_lead(body: NewLead) -> Any:
    """Create a lead (starts qualification)."""
    view = leads.create_lead(
        ctx(),
        actor(),
        body.name,
        body.company,
        body.email,
        body.phone,
        body.estimated_value,
        body.owner,
        body.currency,
    )
    return respond_created(view.to_dict(), f"/api/v1/leads/{view.id}")


@get("/leads/<id:lead_id>", responses={200: versioned(Lead), 304: NOT_MODIFIED}, errors=(403,))
def get_lead(lead_id: int) -> Any:
    """One lead."""
    return respond_versioned(leads.get_lead(ctx(), actor(), lead_id).to_dict())


@patch(
    "/leads/<id:lead_id>",
    body=LeadStatusChange,
    responses={200: versioned(Lead)},
    errors=(403, 409),
)
def set_lead_status(lead_id: int, body: LeadStatusChange) -> Any:
    """Set the lead's status (new renews, qualified, disqualified)."""
    version = expected_version(body.version)
    return respond_versioned(
        leads.set_lead_status(ctx(), actor(), lead_id, body.status, body.reason, version).to_dict()
    )


@post(
    "/leads/<id:lead_id>/qualify",
    body=Qualification,
    responses={200: versioned(Lead)},
    errors=(403, 409),
)
def qualify_lead(lead_id: int, body: Qualification) -> Any:
    """Qualify a new lead into an opportunity worth `value` in `currency`, expected to close on
    `expected_close_date` (the lead's estimate and currency by default); the lead's person
    becomes the customer's first contact."""
    view = leads.qualify_lead(
        ctx(),
        actor(),
        lead_id,
        expected_version(body.version),
        value=body.value,
        currency_code=body.currency,
        expected_close_date=body.expected_close_date,
    )
    return respond_versioned(view.to_dict())


@post(
    "/leads/<id:lead_id>/disqualify",
    body=Disqualification,
    responses={200: versioned(Lead)},
    errors=(403, 409),
)
def disqualify_lead(lead_id: int, body: Disqualification) -> Any:
    """Disqualify a new lead with a reason."""
    version = expected_version(body.version)
    return respond_versioned(
        leads.disqualify_lead(ctx(), actor(), lead_id, body.reason, version).to_dict()
    )


@post(
    "/leads/<id:lead_id>/renew", body=Versioned, responses={200: versioned(Lead)}, errors=(403, 409)
)
def renew_lead(lead_id: int, body: Versioned) -> Any:
    """Renew a disqualified lead (back to new)."""
    return respond_versioned(
        leads.renew_lead(ctx(), actor(), lead_id, expected_version(body.version)).to_dict()
    )


@get(
    "/leads/<id:lead_id>/history",
    query=HistoryQuery,
    responses={200: page_of(list[HistoryEntry])},
    errors=(403,),
)
def lead_history(lead_id: int, query: HistoryQuery) -> Any:
    """The lead's history, a page at a time (oldest first unless sort=newest)."""
    found = leads.lead_history(
        ctx(), actor(), lead_id, sort=query.sort, cursor=query.cursor, limit=query.limit
    )
    return paged(found, [h.to_dict() for h in found])
