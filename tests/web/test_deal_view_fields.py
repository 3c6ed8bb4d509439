"""The deal page's field form: a stage's required fields are marked, its optional ones
(stage_fields) offered without the mark, each typed as declared."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from bpmn_sales.web.pages.deal_view import custom_fields


def test_optional_stage_fields_are_offered_but_not_required() -> None:
    deal: Any = SimpleNamespace(fields={"budget": 100, "source": "fair"}, stage_fields={})
    detail = {
        "current_stage": {
            "key": "visit",
            "required_fields": ["deal.budget:number", "deal.value"],
            "optional_fields": ["stage.visit_date:date", "deal.budget:number", "deal.region"],
        },
        "customer": None,
    }
    builtins, inputs = custom_fields(deal, detail)
    assert builtins == {"value"}
    assert [(i.name, i.type, i.required) for i in inputs] == [
        ("deal_fields.budget", "number", True),
        ("deal_fields.region", "text", False),
        ("deal_fields.source", "text", False),
        ("stage_fields.visit.visit_date", "date", False),
    ]
