"""Shared fixtures. The tests exercise the installed wheel (`make test-python` builds and installs
it into .venv), never the source tree."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

import crm

_SOURCE_TREE = Path(__file__).resolve().parents[2] / "crm-py" / "python"
if Path(crm.__file__).resolve().is_relative_to(_SOURCE_TREE):
    raise RuntimeError(
        f"crm was imported from the source tree ({crm.__file__}), not from the installed wheel: "
        "run the tests with `make test-python`"
    )

#: The fixed clock of the `db` fixture.
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def db():
    """An in-memory store whose clock reads T0."""
    with crm.open(":memory:", now=T0) as handle:
        yield handle


@pytest.fixture
def people(db):
    """Five customers with a spread of fields, added at one-day steps from T0."""
    from datetime import timedelta

    rows = [
        dict(name="Ada Lovelace", email="ada@example.com", company="Analytical", stage="customer",
             source="referral", tags=["vip", "newsletter"], external_id="A-1"),
        dict(name="Grace Hopper", email="grace@navy.example", phone="+1 202 555 0100",
             stage="prospect", source="web", tags=["vip"], external_id="A-2"),
        dict(name="Alan Turing", company="Bletchley", source="web", external_id="A-3"),
        dict(name="Edsger Dijkstra", email="ewd@example.org", stage="churned", source="event",
             tags=["newsletter"]),
        dict(name="Barbara Liskov", phone="0044 20 7946 0000", source="ads", stage="lead"),
    ]
    out = []
    for i, row in enumerate(rows):
        out.append(db.customers.add(**row, created_at=T0 + timedelta(days=i)))
    return out


@pytest.fixture
def shop(db, people):
    """The five `people` with purchases and interactions, for the behavioural fields:

    ============  ===========  ==============  =============  ================
    customer      total_spend  purchase_count  last_purchase  last_interaction
    ============  ===========  ==============  =============  ================
    Ada           23000        2               2026-01-15     —
    Grace         15000        1 (+1 refund)   2026-02-01     —
    Alan          500          1               2025-06-01     2026-02-20
    Edsger        0            0               —              —
    Barbara       0            0               —              2025-12-01
    ============  ===========  ==============  =============  ================
    """
    ada, grace, alan, _edsger, barbara = people
    buy = db.purchases.add
    buy(ada.id, 20000, "EUR", purchased_at=datetime(2025, 11, 10, 12))
    buy(ada.id, 3000, "EUR", purchased_at=datetime(2026, 1, 15, 12))
    buy(grace.id, 15000, "EUR", purchased_at=datetime(2026, 2, 1, 12))
    refunded = buy(grace.id, 50000, "EUR", purchased_at=datetime(2026, 2, 10, 12))
    db.purchases.set_status(refunded.id, "refunded")
    buy(alan.id, 500, "EUR", purchased_at=datetime(2025, 6, 1, 12))
    db.interactions.add(alan.id, "email", occurred_at=datetime(2026, 2, 20, 8))
    db.interactions.add(barbara.id, "chat", occurred_at=datetime(2025, 12, 1, 8))
    return people
