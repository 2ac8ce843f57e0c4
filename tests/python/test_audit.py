"""The audit trail: one entry per write with the handle's principal, found by entity, action,
time, principal; as crm.AuditEntry objects and as a DataFrame — and bad input."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

import crm

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
UTC_US = pd.DatetimeTZDtype(unit="us", tz="UTC")
STR = pd.StringDtype(na_value=np.nan)
ACTIONS = ("create", "update", "delete", "bulk_create")
COLUMNS = ["at", "principal", "role", "entity", "entity_id", "action", "changes"]


@pytest.fixture
def agent():
    """An in-memory store opened for the agent li, clock at T0."""
    with crm.open(":memory:", principal="li", role="agent", now=T0) as handle:
        yield handle


@pytest.fixture
def history(agent):
    """Ada added at T0, changed an hour later, Bob added and deleted a day later."""
    db = agent
    ada = db.customers.add("Ada Lovelace", email="ada@example.com", source="web", tags=["vip"])
    db.now = T0 + timedelta(hours=1)
    ada = db.customers.update(ada.id, email="ada@lovelace.example", stage="customer")
    db.now = T0 + timedelta(days=1)
    bob = db.customers.add("Bob", phone="+44 20 7946 0000")
    db.customers.delete(bob.id)
    return ada, bob


def assert_frame(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == COLUMNS
    assert frame.index.name == "id" and frame.index.dtype == np.int64
    assert frame["at"].dtype == UTC_US
    for col in ("principal", "role", "entity"):
        assert frame[col].dtype == STR, col
    assert frame["entity_id"].dtype == pd.Int64Dtype()
    assert frame["action"].dtype == pd.CategoricalDtype(ACTIONS)
    assert list(frame["action"].cat.categories) == list(ACTIONS)
    assert frame["changes"].dtype == object
    assert all(isinstance(c, dict) for c in frame["changes"])


def snapshot(db):
    return db.customers.find_frame(), len(db.audit.find())


@contextmanager
def raises(db, cls, builtin, match=None):
    """Asserts the class, its builtin base and code, and that nothing was written."""
    customers, entries = snapshot(db)
    with pytest.raises(cls, match=match) as info:
        yield info
    e = info.value
    assert isinstance(e, crm.CrmError) and isinstance(e, builtin)
    assert e.code == cls.code and e.code_name == cls.code_name
    after_customers, after_entries = snapshot(db)
    assert after_customers.equals(customers), "customers changed"
    assert after_entries == entries, "audit entries were written"


# ---------------------------------------------------------------- entries


def test_vocabulary_and_classes():
    assert crm.AUDIT_ACTIONS == ACTIONS
    assert crm.AuditEntry is crm._crm.AuditEntry


def test_add_update_delete_are_recorded_with_the_principal(agent, history):
    ada, bob = history
    entries = agent.audit.find()
    assert all(isinstance(e, crm.AuditEntry) for e in entries)
    assert [(e.entity, e.entity_id, e.action) for e in entries] == [
        ("customer", ada.id, "create"),
        ("customer", ada.id, "update"),
        ("customer", bob.id, "create"),
        ("customer", bob.id, "delete"),
    ]
    assert {(e.principal, e.role) for e in entries} == {("li", "agent")}
    assert [e.at for e in entries] == [T0, T0 + timedelta(hours=1), T0 + timedelta(days=1),
                                       T0 + timedelta(days=1)]
    assert entries[0].at.tzinfo is not None
    assert [e.id for e in entries] == sorted(e.id for e in entries)


def test_changes_hold_the_values(agent, history):
    ada, bob = history
    create, update, bob_create, delete = agent.audit.find()
    # Personal values (name, e-mail, phone) are present for a reader of the trail.
    assert create.changes["name"] == {"before": None, "after": "Ada Lovelace"}
    assert create.changes["email"] == {"before": None, "after": "ada@example.com"}
    assert create.changes["source"] == {"before": None, "after": "web"}
    assert create.changes["tags"] == {"before": None, "after": ["vip"]}
    assert update.changes == {
        "email": {"before": "ada@example.com", "after": "ada@lovelace.example"},
        "stage": {"before": "lead", "after": "customer"},
    }
    assert bob_create.changes["phone"] == {"before": None, "after": "+442079460000"}
    assert delete.changes["name"] == {"before": "Bob", "after": None}
    assert delete.changes["phone"] == {"before": "+442079460000", "after": None}


def test_entry_is_a_read_only_value(agent, history):
    e = agent.audit.find(limit=1)[0]
    changes = e.changes
    changes["name"] = "tampered"
    assert e.changes["name"]["after"] == "Ada Lovelace"  # a new dict on each access
    d = e.to_dict()
    assert d == {"id": e.id, "at": T0, "principal": "li", "role": "agent", "entity": "customer",
                 "entity_id": history[0].id, "action": "create", "changes": e.changes}
    assert agent.audit.find(limit=1)[0] == e and hash(agent.audit.find(limit=1)[0]) == hash(e)
    assert "principal='li'" in repr(e) and "action='create'" in repr(e)
    with pytest.raises(AttributeError):
        e.action = "delete"


def test_bulk_entries(agent):
    ids = agent.customers.add_many({"name": ["A", "B", "C"]})
    (e,) = agent.audit.find(action="bulk_create")
    assert e.entity == "customer" and e.entity_id is None
    assert e.changes == {
        "count": {"before": None, "after": 3},
        "first_id": {"before": None, "after": int(ids[0])},
        "last_id": {"before": None, "after": int(ids[-1])},
    }
    frame = agent.audit.find_frame(action="bulk_create")
    assert frame["entity_id"].isna().tolist() == [True]


def test_other_records_and_principals(tmp_path, agent):
    path = tmp_path / "shop.db"
    with crm.open(path, principal="li", role="agent", now=T0) as li:
        ada = li.customers.add("Ada")
        li.notes.add("customer", ada.id, "Called about the invoice.")
        li.purchases.add(ada.id, 2500, "EUR")
    with crm.open(path, principal="mo", role="admin", now=T0 + timedelta(days=2)) as mo:
        mo.customers.update(ada.id, company="Analytical")
        mo.segments.save("all", "")
        assert [e.entity for e in mo.audit.find(principal="li")] == [
            "customer", "note", "purchase"]
        assert [(e.entity, e.action) for e in mo.audit.find(principal="mo")] == [
            ("customer", "update"), ("segment", "create")]
        assert mo.audit.find(role="admin") == mo.audit.find(principal="mo")
        note = mo.audit.find(entity="note")[0]
        assert note.changes["body"]["after"] == "Called about the invoice."
        assert note.changes["entity"]["after"] == "customer"


# ---------------------------------------------------------------- filters


def test_filters(agent, history):
    ada, bob = history
    audit = agent.audit
    assert [e.action for e in audit.find(entity="customer", entity_id=ada.id)] == [
        "create", "update"]
    assert [e.entity_id for e in audit.find(action="delete")] == [bob.id]
    assert len(audit.find(action__in=["update", "delete"])) == 2
    assert audit.find(entity="product") == []
    assert len(audit.find(at__gte=T0 + timedelta(minutes=30))) == 3
    assert len(audit.find(at__lt=datetime(2026, 3, 1, 10, 0))) == 1  # naive = UTC
    assert len(audit.find(at__gte=date(2026, 3, 2))) == 2
    assert len(audit.find(at__between=(T0, T0 + timedelta(hours=1)))) == 2
    assert len(audit.find(principal="li", role="agent")) == 4
    assert audit.find(principal="someone else") == []


def test_text_filters(agent, history):
    ada, bob = history
    audit = agent.audit
    assert audit.find("entity = 'customer' and action = 'delete'") == audit.find(
        entity="customer", action="delete")
    assert audit.find(f"entity_id = {ada.id}", action="update") == audit.find(
        entity_id=ada.id, action="update")
    assert len(audit.find("at >= '2026-03-02'")) == 2
    assert audit.find_frame("action in ('create')").equals(audit.find_frame(action="create"))


def test_order_and_pages(agent, history):
    audit = agent.audit
    all_ids = [e.id for e in audit.find()]
    assert [e.id for e in audit.find(order_by="-id")] == all_ids[::-1]
    # Bob's two entries share a time: the id breaks the tie.
    assert [e.id for e in audit.find(order_by="-at", limit=2)] == all_ids[2:4]
    assert [e.id for e in audit.find(limit=2, offset=1)] == all_ids[1:3]
    assert [e.id for e in audit.find(order_by=["action", "id"])] == [
        all_ids[0], all_ids[2], all_ids[3], all_ids[1]]


def test_find_frame(agent, history):
    ada, bob = history
    frame = agent.audit.find_frame()
    assert_frame(frame)
    entries = agent.audit.find()
    assert list(frame.index) == [e.id for e in entries]
    assert list(frame["at"]) == [e.at for e in entries]
    assert list(frame["entity_id"]) == [ada.id, ada.id, bob.id, bob.id]
    assert list(frame["action"]) == ["create", "update", "create", "delete"]
    assert set(frame["principal"]) == {"li"} and set(frame["role"]) == {"agent"}
    assert list(frame["changes"]) == [e.changes for e in entries]
    page = agent.audit.find_frame(entity_id=bob.id, order_by="-id", limit=1)
    assert_frame(page)
    assert list(page["action"]) == ["delete"]


def test_empty_frame_has_the_dtypes(agent):
    frame = agent.audit.find_frame()
    assert len(frame) == 0
    assert_frame(frame)


def test_failed_writes_leave_no_entry(agent, history):
    ada, _ = history
    with raises(agent, crm.InvalidInputError, ValueError):
        agent.customers.add("Eve", email="not-an-address")
    with raises(agent, crm.NotFoundError, KeyError):
        agent.customers.update(999, name="X")
    with raises(agent, crm.ConflictError, ValueError):
        agent.customers.update(ada.id, name="Ada", expected_version=1)
    with raises(agent, crm.InvalidInputError, ValueError):
        agent.customers.add_many({"name": ["A", "B"], "email": ["a@x.example", "bad"]})


# ---------------------------------------------------------------- bad input


def test_bad_filters(agent, history):
    audit = agent.audit
    with raises(agent, crm.ParseError, ValueError, match="position 9"):
        audit.find("action = ")
    with raises(agent, crm.ParseError, ValueError, match="position"):
        audit.find_frame("entity = 'customer' and")
    with raises(agent, crm.InvalidInputError, ValueError, match="nosuch"):
        audit.find(nosuch="x")
    with raises(agent, crm.InvalidInputError, ValueError, match="changes"):
        audit.find("changes contains 'Ada'")  # not a filter field
    with raises(agent, crm.InvalidInputError, ValueError, match="bulk_create"):
        audit.find(action="rename")
    with raises(agent, crm.InvalidArgumentError, TypeError):
        audit.find(entity_id="one")
    with raises(agent, crm.InvalidArgumentError, TypeError):
        audit.find(at__gte=object())
    with raises(agent, crm.InvalidArgumentError, TypeError, match="where"):
        audit.find(7)
    with raises(agent, crm.InvalidArgumentError, TypeError):
        audit.find(limit="10")
    with raises(agent, crm.InvalidArgumentError, TypeError):
        audit.find_frame(offset=-1)
    with raises(agent, crm.InvalidInputError, ValueError):
        audit.find(order_by="nosuch")
