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
