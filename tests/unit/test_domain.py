"""Domain rules: money, e-mail, currency, probability, access policy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from bpmn_sales.domain.model import Actor, Role, currency, money, optional_email
from bpmn_sales.domain.policy import can_access, require_role_for_task
from bpmn_sales.domain.probability import probability
from bpmn_sales.errors import Forbidden, InvalidInput

# --------------------------------------------------------------------------------------------
# money
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, Decimal("0.00")),
        (12, Decimal("12.00")),
        ("12.5", Decimal("12.50")),
        (" 12.50 ", Decimal("12.50")),
        (0.1, Decimal("0.10")),
        (Decimal("3.14"), Decimal("3.14")),
        ("999999999999.99", Decimal("999999999999.99")),
        ("1e2", Decimal("100.00")),
    ],
)
def test_money_accepts_amounts(value: Any, expected: Decimal) -> None:
    result = money(value, "value")
    assert result == expected
    assert result is not None and result.as_tuple().exponent == -2


@pytest.mark.parametrize("value", [None, ""])
def test_money_absent_is_none(value: Any) -> None:
    assert money(value, "value") is None


@pytest.mark.parametrize(
    "value",
    [
        -1,
        "-0.01",
        Decimal("-5"),
        "1.234",
        0.001,
        "1e-9",
        float("nan"),
        float("inf"),
        float("-inf"),
        "NaN",
        "sNaN",
        "Infinity",
        10**12,
        "1000000000000",
        "1e999999999",
        "9" * 5000,
        "abc",
        "1,000",
        True,
        False,
        [1],
        {"amount": 1},
    ],
)
def test_money_refuses(value: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        money(value, "estimated_value")
    assert refused.value.field == "estimated_value"
    assert "estimated_value" in refused.value.message


def test_money_refuses_a_huge_integer() -> None:
    """An int with more digits than Python will turn into a str must still be InvalidInput."""
    with pytest.raises(InvalidInput) as refused:
        money(10**5000, "value")
    assert refused.value.field == "value"


def test_money_negative_zero_is_plain_zero() -> None:
    result = money("-0", "value")
    assert result == 0
    assert result is not None and not result.is_signed()


# --------------------------------------------------------------------------------------------
# optional_email, currency
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, "", "   "])
def test_optional_email_absent(value: Any) -> None:
    assert optional_email(value) is None


def test_optional_email_trims() -> None:
    assert optional_email("  ann@acme.test ") == "ann@acme.test"


@pytest.mark.parametrize(
    "value", ["ann", "ann@", "@acme.test", "ann@acme", "an n@acme.test", "a@b@c.d", 5, ["a@b.c"]]
)
def test_optional_email_refuses(value: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        optional_email(value, "contact_email")
    assert refused.value.field == "contact_email"


def test_optional_email_length() -> None:
    with pytest.raises(InvalidInput):
        optional_email("a" * 200 + "@acme.test")


@pytest.mark.parametrize(
    ("value", "expected"), [(None, "USD"), ("", "USD"), ("eur", "EUR"), (" gbp ", "GBP")]
)
def test_currency(value: Any, expected: str) -> None:
    assert currency(value) == expected


@pytest.mark.parametrize("value", ["EURO", "US", "E1R", "€UR", "   ", 840, ["USD"]])
def test_currency_refuses(value: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        currency(value)
    assert refused.value.field == "currency"


# --------------------------------------------------------------------------------------------
# probability
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        (0, 0, 0),
        (3, 0, 0),
        (0, -1, 0),
        (0, 6, 0),
        (1, 6, 17),
        (3, 6, 50),
        (2, 3, 67),
        (6, 6, 100),
        (9, 6, 100),
    ],
)
def test_probability(done: int, total: int, expected: int) -> None:
    assert probability(done, total) == expected


# --------------------------------------------------------------------------------------------
# policy
# --------------------------------------------------------------------------------------------

ADMIN = Actor(1, "admin", Role.ADMIN)
MIA = Actor(2, "mia", Role.MANAGER)  # manager of rob
MAX = Actor(3, "max", Role.MANAGER)  # manager of another team
ROB = Actor(4, "rob", Role.REP, manager_id=2)
OLGA = Actor(5, "olga", Role.REP, manager_id=3)


@pytest.mark.parametrize(
    ("actor", "owner_id", "owner_manager_id", "allowed"),
    [
        (ADMIN, ROB.id, ROB.manager_id, True),
        (ADMIN, 99, None, True),
        (ROB, ROB.id, ROB.manager_id, True),  # owner
        (MIA, ROB.id, ROB.manager_id, True),  # manager of the owner
        (MIA, MIA.id, None, True),  # a manager's own record
        (MAX, ROB.id, ROB.manager_id, False),  # manager of another team
        (MAX, 99, None, False),
        (OLGA, ROB.id, ROB.manager_id, False),  # rep of another team
        (ROB, OLGA.id, OLGA.manager_id, False),
        # A rep is never a "manager of" anyone, even if an id happens to match.
        (Actor(2, "not-mia", Role.REP), ROB.id, ROB.manager_id, False),
    ],
)
def test_can_access(
    actor: Actor, owner_id: int, owner_manager_id: int | None, allowed: bool
) -> None:
    assert can_access(actor, owner_id, owner_manager_id) is allowed


@pytest.mark.parametrize("actor", [ROB, OLGA])
def test_manager_task_refuses_reps(actor: Actor) -> None:
    with pytest.raises(Forbidden) as refused:
        require_role_for_task(actor, "manager", "Review proposal")
    assert "Review proposal" in refused.value.message
    assert refused.value.details["actor"] == actor.username


@pytest.mark.parametrize("actor", [MIA, MAX, ADMIN])
def test_manager_task_allows_managers_and_admins(actor: Actor) -> None:
    assert require_role_for_task(actor, "manager", "Review proposal") is None
    assert require_role_for_task(actor, Role.MANAGER, "Review proposal") is None


@pytest.mark.parametrize("actor", [ROB, OLGA, MIA, ADMIN])
def test_rep_task_allows_anyone(actor: Actor) -> None:
    assert require_role_for_task(actor, "rep", "Analyse needs") is None
