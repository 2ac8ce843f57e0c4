"""Saved segments: save (text or keyword filters), update, get, list, delete, count, members,
members_frame — and bad input, each leaving the store as it was."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta

import pytest

import crm
from conftest import T0

BIG_WEB = "source = 'web' and total_spend > 10000"


def names(customers):
    return [c.name.split()[0] for c in customers]


def quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def snapshot(db):
    return (
        db.customers.find_frame(),
        [s.to_dict() for s in db.segments.list()],
        len(db.audit.find()),
    )


@contextmanager
def raises(db, cls, builtin, match=None):
    """Asserts the class, its builtin base and code, and that nothing was written."""
    before = snapshot(db)
    with pytest.raises(cls, match=match) as info:
        yield info
    e = info.value
    assert isinstance(e, crm.CrmError) and isinstance(e, builtin)
    assert e.code == cls.code and e.code_name == cls.code_name
    after = snapshot(db)
    assert after[0].equals(before[0]), "customers changed"
    assert after[1] == before[1], "segments changed"
    assert after[2] == before[2], "audit entries were written"


@pytest.fixture
def segments(db, shop):
    """Two segments: one saved as text, one from keyword filters."""
    return (
        db.segments.save("big web", BIG_WEB),
        db.segments.save("vip web", source="web", tags="vip"),
    )


# ---------------------------------------------------------------- save, get, list


def test_save_as_text(db, shop):
    s = db.segments.save("  big web ", "  " + BIG_WEB + " ")
    assert isinstance(s, crm.Segment)
    assert s.id >= 1 and s.name == "big web"
    assert s.text == BIG_WEB  # trimmed
    assert s.created_at == s.updated_at == T0 and s.created_at.tzinfo is not None
    assert db.segments.get("big web") == s
    assert s.to_dict() == {"id": s.id, "name": "big web", "text": BIG_WEB, "created_at": T0,
                           "updated_at": T0}
    assert "big web" in repr(s)


def test_save_as_keyword_filters(db, shop):
    s = db.segments.save("vip web", source="web", tags="vip")
    assert s.text is None
    assert names(db.segments.members("vip web")) == ["Grace"]
    # A customer field named like a parameter is a filter: `name` is positional-only.
    db.segments.save("a-names", name__startswith="A")
    assert names(db.segments.members("a-names")) == ["Ada", "Alan"]
    db.segments.save("spenders", total_spend__gte=500, last_purchase__lt=date(2026, 2, 1))
    assert names(db.segments.members("spenders")) == ["Ada", "Alan"]


def test_every_customer(db, shop):
    s = db.segments.save("everyone", "")
    assert s.text == ""
    assert db.segments.count("everyone") == 5


def test_list_get_len(db, segments):
    big, vip = segments
    assert db.segments.list() == [big, vip]  # by name
    assert len(db.segments) == 2
    assert db.segments.get("vip web") == vip
    assert hash(db.segments.get("vip web")) == hash(vip)


# ---------------------------------------------------------------- members


def test_count_and_members(db, segments):
    assert db.segments.count("big web") == 1
    assert names(db.segments.members("big web")) == ["Grace"]
    assert db.segments.count("vip web") == 1
    db.segments.save("spent", "total_spend > 0")
    assert names(db.segments.members("spent", order_by="-total_spend")) == [
        "Ada", "Grace", "Alan"]
    assert names(db.segments.members("spent", order_by="total_spend", limit=2)) == [
        "Alan", "Grace"]
    assert names(db.segments.members("spent", order_by="total_spend", limit=2, offset=2)) == [
        "Ada"]
    # Text and keyword filters narrow further.
    assert names(db.segments.members("spent", "source = 'web'")) == ["Grace", "Alan"]
    assert names(db.segments.members("spent", source="web", total_spend__lt=1000)) == ["Alan"]


def test_members_follow_the_data(db, segments):
    alan = db.customers.find(name="Alan Turing")[0]
    assert db.segments.count("big web") == 1
    db.purchases.add(alan.id, 10000, "EUR", purchased_at=datetime(2026, 2, 25))
    assert db.segments.count("big web") == 2
    db.customers.add_tags(alan.id, "vip")
    assert names(db.segments.members("vip web")) == ["Grace", "Alan"]


def test_members_frame_is_the_customers_export(db, segments):
    frame = db.segments.members_frame("vip web")
    expected = db.customers.find_frame(source="web", tags="vip")
    assert frame.equals(expected)
    assert list(frame.columns) == list(expected.columns)
    assert (frame.dtypes == expected.dtypes).all()
    assert frame.index.name == "id"
    empty = db.segments.members_frame("big web", source="ads")
    assert len(empty) == 0 and (empty.dtypes == expected.dtypes).all()
    ordered = db.segments.members_frame("big web", order_by="-total_spend", limit=1)
    assert list(ordered["name"]) == ["Grace Hopper"]


def test_text_and_keyword_segments_agree(db, shop):
    pairs = [
        ("source = 'web' and tags contains 'vip'", dict(source="web", tags="vip")),
        ("total_spend > 10000", dict(total_spend__gt=10000)),
        ("last_purchase < '2026-01-01'", dict(last_purchase__lt=date(2026, 1, 1))),
        ("last_interaction is not null", dict(last_interaction__isnull=False)),
        ("stage in ('lead', 'churned')", dict(stage__in=["lead", "churned"])),
        ("purchase_count = 0", dict(purchase_count=0)),
    ]
    for i, (text, keywords) in enumerate(pairs):
        db.segments.save(f"t{i}", text)
        db.segments.save(f"k{i}", **keywords)
        assert db.segments.members(f"t{i}") == db.segments.members(f"k{i}"), text
        assert db.segments.count(f"t{i}") == db.segments.count(f"k{i}"), text
        assert db.segments.members(f"t{i}") == db.customers.find(text)
        assert db.segments.members_frame(f"k{i}").equals(db.customers.find_frame(**keywords))


# ---------------------------------------------------------------- update and delete


def test_update(db, segments):
    big, vip = segments
    db.now = T0 + timedelta(hours=1)
    s = db.segments.update("big web", "source = 'web' and total_spend > 100")
    assert s.id == big.id and s.text == "source = 'web' and total_spend > 100"
    assert s.created_at == T0 and s.updated_at == T0 + timedelta(hours=1)
    assert names(db.segments.members("big web")) == ["Grace", "Alan"]
    s = db.segments.update("big web", source="referral")
    assert s.text is None and names(db.segments.members("big web")) == ["Ada"]
    s = db.segments.update("vip web", "tags contains 'newsletter'")
    assert s.text == "tags contains 'newsletter'"
    assert names(db.segments.members("vip web")) == ["Ada", "Edsger"]
    assert len(db.segments) == 2


def test_delete(db, segments):
    db.segments.delete("big web")
    assert [s.name for s in db.segments.list()] == ["vip web"]
    assert len(db.customers) == 5  # its customers stay
    with raises(db, crm.NotFoundError, KeyError):
        db.segments.get("big web")
    db.segments.save("big web", "total_spend > 1")  # the name is free again
    assert db.segments.count("big web") == 3


def test_saving_is_audited(db, segments):
    big, _ = segments
    db.segments.update("big web", "total_spend > 1")
    db.segments.delete("big web")
    entries = db.audit.find(entity="segment", entity_id=big.id)
    assert [e.action for e in entries] == ["create", "update", "delete"]
    assert entries[0].changes["filter"]["after"] == BIG_WEB
    assert entries[0].changes["name"]["after"] == "big web"
    assert entries[1].changes["filter"]["after"] == "total_spend > 1"
    assert entries[2].changes["name"] == {"before": "big web", "after": None}


# ---------------------------------------------------------------- hostile values stay data

HOSTILE = [
    "O'Brien",
    "Robert'); DROP TABLE segments;--",
    "a' OR '1'='1",
    'say "hi"; -- now',
    "名字 🎉 \u202eevil",
    "100%_done\\",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_data(db, shop, value):
    c = db.customers.add("Mallory", company=value)
    t = db.segments.save("by text", "company = " + quote(value))
    k = db.segments.save("by keywords", company=value)
    assert t.text == "company = " + quote(value)
    assert db.segments.members("by text") == db.segments.members("by keywords") == [c]
    assert db.segments.count("by text") == db.segments.count("by keywords") == 1
    assert db.segments.count("by text") == 1
    # A hostile segment name is data too.
    s = db.segments.save(value, company=value)
    assert db.segments.get(value) == s and db.segments.members(value) == [c]
    db.segments.delete(value)
    assert db.segments.list() == [k, t]
    assert len(db.customers) == 6


def test_a_60_kb_value(db, shop):
    big = ("x'; DROP TABLE segments; --" * 2300)[:60_000]
    t = db.segments.save("big text", "name = " + quote(big) + " or source = 'web'")
    k = db.segments.save("big keywords", name=big)
    assert db.segments.get("big text").text == t.text and len(t.text) > 60_000
    assert names(db.segments.members("big text")) == ["Grace", "Alan"]
    assert db.segments.count("big keywords") == 0
    assert db.segments.get("big keywords") == k
    assert len(db.customers) == 5 and len(db.segments) == 2


# ---------------------------------------------------------------- bad input


def test_malformed_text(db, segments):
    for bad in ("source = ", "source = 'web' and", "(total_spend > 1", "total_spend >> 1"):
        with raises(db, crm.ParseError, ValueError, match="position") as info:
            db.segments.save("new", bad)
        assert info.value.code == 12
        with raises(db, crm.ParseError, ValueError, match="position"):
            db.segments.update("big web", bad)
        with raises(db, crm.ParseError, ValueError, match="position"):
            db.segments.members("big web", bad)


def test_unknown_field(db, segments):
    with raises(db, crm.InvalidInputError, ValueError, match="nosuch"):
        db.segments.save("new", "nosuch = 1")
    with raises(db, crm.InvalidInputError, ValueError, match="nosuch"):
        db.segments.save("new", nosuch=1)
    with raises(db, crm.InvalidInputError, ValueError, match="amount"):
        db.segments.save("new", "amount > 1")  # a purchase field, not a customer's
    with raises(db, crm.InvalidInputError, ValueError, match="nosuch"):
        db.segments.update("big web", "source = 'web' or nosuch is null")
    with raises(db, crm.InvalidInputError, ValueError):
        db.segments.save("new", stage="vip")
    assert db.segments.get("big web").text == BIG_WEB


def test_duplicate_name(db, segments):
    with raises(db, crm.AlreadyExistsError, ValueError, match="big web"):
        db.segments.save("big web", "source = 'ads'")
    with raises(db, crm.AlreadyExistsError, ValueError):
        db.segments.save("  vip web ", source="ads")  # names are trimmed
    assert db.segments.count("big web") == 1


def test_unknown_segment(db, segments):
    for call in (db.segments.get, db.segments.count, db.segments.delete,
                 db.segments.members, db.segments.members_frame):
        with raises(db, crm.NotFoundError, KeyError, match="nope"):
            call("nope")
    with raises(db, crm.NotFoundError, KeyError):
        db.segments.update("nope", "source = 'web'")
    with raises(db, crm.NotFoundError, KeyError):
        db.segments.update("nope", source="web")


def test_bad_names(db, segments):
    with raises(db, crm.InvalidInputError, ValueError):
        db.segments.save("   ", "source = 'web'")
    with raises(db, crm.InvalidInputError, ValueError):
        db.segments.save("x" * 201, "source = 'web'")


def test_wrong_types(db, segments):
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.segments.save(5, "source = 'web'")
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.segments.save(None, "source = 'web'")
    with raises(db, crm.InvalidArgumentError, TypeError, match="where"):
        db.segments.save("new", 5)
    with raises(db, crm.InvalidArgumentError, TypeError, match="not both"):
        db.segments.save("new", "source = 'web'", stage="lead")
    with raises(db, crm.InvalidArgumentError, TypeError, match="filter is required"):
        db.segments.save("new")
    with raises(db, crm.InvalidArgumentError, TypeError, match="filter is required"):
        db.segments.update("big web")
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.segments.save("new", total_spend__gt="lots")
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.segments.save("new", created_at__gte=object())
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.segments.get(1)
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.segments.count(None)
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.segments.members("big web", limit=-1)
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.segments.members_frame("big web", order_by=5)


def test_closed_database(segments, db):
    db.close()
    with pytest.raises(crm.InvalidArgumentError, match="closed"):
        db.segments.list()
