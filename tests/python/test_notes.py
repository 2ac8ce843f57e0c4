"""Notes on records: add on every kind of record, list newest first, crm.Note — and bad input,
each leaving the store as it was."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest

import crm
from conftest import T0

ENTITIES = ("customer", "product", "purchase", "interaction")


@pytest.fixture
def records(db, people):
    """One record of each kind a note can be about: entity → id."""
    ada = people[0]
    product = db.products.add("TEA-01", "Green tea", price=1250, currency="EUR")
    purchase = db.purchases.add(ada.id, 2500, "EUR", items=[
        {"sku": "TEA-01", "quantity": 2, "unit_price": 1250}])
    interaction = db.interactions.add(ada.id, "phone", kind="call")
    return {"customer": ada.id, "product": product.id, "purchase": purchase.id,
            "interaction": interaction.id}


def all_notes(db, records):
    return {entity: db.notes.list(entity, id) for entity, id in records.items()}


@contextmanager
def raises(db, records, cls, builtin, match=None):
    """Asserts the class, its builtin base and code, and that nothing was written."""
    notes, entries = all_notes(db, records), len(db.audit.find())
    with pytest.raises(cls, match=match) as info:
        yield info
    e = info.value
    assert isinstance(e, crm.CrmError) and isinstance(e, builtin)
    assert e.code == cls.code and e.code_name == cls.code_name
    assert all_notes(db, records) == notes, "notes changed"
    assert len(db.audit.find()) == entries, "audit entries were written"


def test_vocabulary_and_class():
    assert crm.NOTE_ENTITIES == ENTITIES
    assert crm.Note is crm._crm.Note


@pytest.mark.parametrize("entity", ENTITIES)
def test_add_on_every_kind_of_record(db, records, entity):
    n = db.notes.add(entity, records[entity], "  Called about the invoice.\n")
    assert isinstance(n, crm.Note)
    assert n.id >= 1 and n.entity == entity and n.entity_id == records[entity]
    assert n.body == "Called about the invoice."  # trimmed
    assert n.author == "system" and n.created_at == T0 and n.created_at.tzinfo is not None
    assert db.notes.list(entity, records[entity]) == [n]
    others = [e for e in ENTITIES if e != entity]
    assert all(db.notes.list(e, records[e]) == [] for e in others)


def test_author_is_the_principal(tmp_path):
    with crm.open(tmp_path / "n.db", principal="li", role="agent", now=T0) as db:
        ada = db.customers.add("Ada")
        n = db.notes.add("customer", ada.id, "Prefers e-mail.")
        assert n.author == "li"
        (entry,) = db.audit.find(entity="note")
        assert (entry.principal, entry.role, entry.entity_id, entry.action) == (
            "li", "agent", n.id, "create")
        assert entry.changes["body"]["after"] == "Prefers e-mail."


def test_list_is_newest_first(db, records):
    ada = records["customer"]
    first = db.notes.add("customer", ada, "first")
    db.now = T0 + timedelta(hours=1)
    second = db.notes.add("customer", ada, "second")
    db.now = T0 + timedelta(days=1)
    third = db.notes.add("customer", ada, "third")
    fourth = db.notes.add("customer", ada, "fourth (same time)")
    assert db.notes.list("customer", ada) == [fourth, third, second, first]
    assert db.notes.list("Customer", ada) == [fourth, third, second, first]
    assert db.notes.list("product", records["product"]) == []


def test_note_is_a_read_only_value(db, records):
    n = db.notes.add("product", records["product"], "Supplier changes in May.")
    assert n.to_dict() == {"id": n.id, "entity": "product", "entity_id": records["product"],
                           "body": "Supplier changes in May.", "author": "system",
                           "created_at": T0}
    (again,) = db.notes.list("product", records["product"])
    assert again == n and hash(again) == hash(n)
    assert "entity='product'" in repr(n)
    with pytest.raises(AttributeError):
        n.body = "changed"
    long = db.notes.add("product", records["product"], "x" * 1000)
    assert len(repr(long)) < 200


@pytest.mark.parametrize("body", [
    "O'Brien said: 'no'",
    "Robert'); DROP TABLE notes;--",
    "a; DELETE FROM customers; /* c */ --",
    "名字 🎉 \u202e multi\nline\ttext",
    "%_\\",
])
def test_hostile_bodies_are_data(db, records, body):
    n = db.notes.add("customer", records["customer"], body)
    assert n.body == body.strip()
    assert db.notes.list("customer", records["customer"]) == [n]
    assert len(db.customers) == 5


def test_a_60_kb_note(db, records):
    body = ("x'; DROP TABLE notes; -- 名" * 2400)[:60_000]
    assert len(body.encode()) <= 64 * 1024
    n = db.notes.add("interaction", records["interaction"], body)
    assert db.notes.list("interaction", records["interaction"])[0].body == body == n.body


# ---------------------------------------------------------------- bad input


def test_unknown_entity(db, records):
    for entity in ("order", "note", "segment", ""):
        with raises(db, records, crm.InvalidInputError, ValueError, match="entity"):
            db.notes.add(entity, records["customer"], "x")
        with raises(db, records, crm.InvalidInputError, ValueError, match="entity"):
            db.notes.list(entity, records["customer"])


@pytest.mark.parametrize("entity", ENTITIES)
def test_unknown_record(db, records, entity):
    with raises(db, records, crm.NotFoundError, KeyError, match=entity):
        db.notes.add(entity, 999, "x")
    with raises(db, records, crm.NotFoundError, KeyError, match=entity):
        db.notes.list(entity, 999)


def test_bad_bodies(db, records):
    ada = records["customer"]
    for body in ("", "   ", "\n\t "):
        with raises(db, records, crm.InvalidInputError, ValueError, match="empty"):
            db.notes.add("customer", ada, body)
    with raises(db, records, crm.InvalidInputError, ValueError, match="NUL"):
        db.notes.add("customer", ada, "a\0b")
    with raises(db, records, crm.InvalidInputError, ValueError, match="64 KiB"):
        db.notes.add("customer", ada, "x" * (64 * 1024 + 1))


def test_wrong_types(db, records):
    ada = records["customer"]
    bad_calls = [
        (5, ada, "x"),
        (None, ada, "x"),
        ("customer", str(ada), "x"),
        ("customer", float(ada), "x"),
        ("customer", True, "x"),
        ("customer", None, "x"),
        ("customer", ada, None),
        ("customer", ada, 5),
        ("customer", ada, b"bytes"),
    ]
    for args in bad_calls:
        with raises(db, records, crm.InvalidArgumentError, TypeError):
            db.notes.add(*args)
    with raises(db, records, crm.InvalidArgumentError, TypeError):
        db.notes.list("customer", "1")
    with raises(db, records, crm.InvalidArgumentError, TypeError):
        db.notes.list(["customer"], ada)
