"""Filters as text (``db.customers.find("source = 'web' and total_spend > 10000")``) on every
finder, ANDed with keyword filters; the behavioural customer fields; hostile values staying data;
customer tags — and bad input, each leaving the store as it was."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone

import pandas as pd
import pytest

import crm


def names(customers):
    return [c.name.split()[0] for c in customers]


def quote(value: str) -> str:
    """A string literal of the text syntax: single quotes, a quote written twice."""
    return "'" + value.replace("'", "''") + "'"


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


# ---------------------------------------------------------------- text filters


def test_text_filters_customers(db, people):
    assert names(db.customers.find("source = 'web'")) == ["Grace", "Alan"]
    assert names(db.customers.find("stage in ('lead', 'prospect') or tags contains 'vip'")) == [
        "Ada", "Grace", "Alan", "Barbara"]
    assert names(db.customers.find("not (email is null) and name starts with 'a'")) == ["Ada"]
    assert names(db.customers.find("created_at >= '2026-03-03'", order_by="-created_at")) == [
        "Barbara", "Edsger", "Alan"]
    assert db.customers.count("source = 'web'") == 2
    assert db.customers.count("") == db.customers.count() == len(db.customers) == 5
    assert db.customers.find("   ") == db.customers.find()
    assert db.customers.find(None) == db.customers.find()


def test_text_and_keywords_are_anded(db, people):
    assert names(db.customers.find("source = 'web'", stage="prospect")) == ["Grace"]
    assert db.customers.count("tags contains 'vip'", source="referral") == 1
    assert names(db.customers.find("source in ('web', 'event')", order_by="-name", limit=2,
                                   offset=1)) == ["Edsger", "Alan"]
    frame = db.customers.find_frame("source = 'web'", tags="vip")
    assert list(frame["name"]) == ["Grace Hopper"]
    assert frame.equals(db.customers.find_frame(source="web", tags="vip"))


def test_behavioural_fields(db, shop):
    assert names(db.customers.find("source = 'web' and total_spend > 10000")) == ["Grace"]
    assert names(db.customers.find(total_spend__gt=10000)) == ["Ada", "Grace"]
    # The refunded purchase does not count.
    assert names(db.customers.find(total_spend=15000, purchase_count=1)) == ["Grace"]
    assert names(db.customers.find(last_purchase__lt=date(2026, 1, 1))) == ["Alan"]
    assert names(db.customers.find(last_purchase__gte=datetime(2026, 1, 15, 12))) == [
        "Ada", "Grace"]
    assert names(db.customers.find(last_interaction__isnull=False)) == ["Alan", "Barbara"]
    assert names(db.customers.find("purchase_count = 0")) == ["Edsger", "Barbara"]
    assert names(db.customers.find(order_by="-total_spend,name")) == [
        "Ada", "Grace", "Alan", "Barbara", "Edsger"]
    assert names(db.customers.find(order_by="last_purchase", purchase_count__gt=0)) == [
        "Alan", "Ada", "Grace"]
    frame = db.customers.find_frame("total_spend between 500 and 20000", order_by="total_spend")
    assert list(frame["name"]) == ["Alan Turing", "Grace Hopper"]


def test_behavioural_fields_follow_the_data(db, shop):
    edsger = shop[3]
    assert db.customers.count("total_spend > 10000") == 2
    db.purchases.add(edsger.id, 12000, "EUR", purchased_at=datetime(2026, 2, 27))
    assert db.customers.count("total_spend > 10000") == 3


TEXT_AND_KEYWORDS = [
    ("source = 'web'", dict(source="web")),
    ("source != 'web'", dict(source__ne="web")),
    ("stage in ('lead', 'churned')", dict(stage__in=["lead", "churned"])),
    ("stage not in ('lead', 'churned')", dict(stage__not_in=["lead", "churned"])),
    ("tags contains 'vip'", dict(tags="vip")),
    ("tags is null", dict(tags__isnull=True)),
    ("email is not null", dict(email__isnull=False)),
    ("company contains 'LET'", dict(company__contains="LET")),
    ("name starts with 'gr'", dict(name__startswith="gr")),
    ("created_at >= '2026-03-02' and created_at < '2026-03-04'",
     dict(created_at__gte=date(2026, 3, 2), created_at__lt=date(2026, 3, 4))),
    ("created_at between '2026-03-02T09:30:00Z' and '2026-03-03T09:30:00Z'",
     dict(created_at__between=(datetime(2026, 3, 2, 9, 30), datetime(2026, 3, 3, 9, 30)))),
    ("id > 2 and version = 1", dict(id__gt=2, version=1)),
    ("total_spend > 10000", dict(total_spend__gt=10000)),
    ("total_spend >= 500 and purchase_count <= 1", dict(total_spend__gte=500,
                                                        purchase_count__lte=1)),
    ("last_purchase < '2026-01-01'", dict(last_purchase__lt=date(2026, 1, 1))),
    ("last_purchase is null", dict(last_purchase__isnull=True)),
    ("last_interaction >= '2026-01-01'",
     dict(last_interaction__gte=datetime(2026, 1, 1, tzinfo=timezone.utc))),
]


@pytest.mark.parametrize("text, keywords", TEXT_AND_KEYWORDS, ids=[t for t, _ in TEXT_AND_KEYWORDS])
def test_text_and_keyword_filters_agree(db, shop, text, keywords):
    by_text = db.customers.find(text)
    assert by_text == db.customers.find(**keywords)
    assert db.customers.count(text) == db.customers.count(**keywords) == len(by_text)
    assert db.customers.find_frame(text).equals(db.customers.find_frame(**keywords))


def test_text_in_the_reporting_time_zone(db, people):
    # Barbara was added at 2026-03-05 09:30 UTC, 17:30 in Shanghai.
    db.set_time_zone("Asia/Shanghai")
    assert names(db.customers.find("created_at >= '2026-03-05 17:00'")) == ["Barbara"]
    assert names(db.customers.find("created_at >= '2026-03-05 18:00'")) == []


def test_text_filters_other_finders(db, shop):
    ada, grace = shop[:2]
    assert [p.amount for p in db.purchases.find("status = 'completed' and amount > 1000",
                                                order_by="amount")] == [3000, 15000, 20000]
    assert db.purchases.count("status = 'refunded'") == 1
    assert db.purchases.count("currency = 'EUR'", customer_id=ada.id) == 2
    assert list(db.purchases.find_frame("amount < 1000")["amount"]) == [500]
    assert len(db.purchases.line_items_frame("amount < 1000")) == 0
    assert db.interactions.count("channel = 'email'") == 1
    assert [i.channel for i in db.interactions.find("occurred_at < '2026-01-01'")] == ["chat"]
    assert len(db.interactions.find_frame("channel in ('chat', 'email')")) == 2
    assert db.interactions.timeline(grace.id, "channel = 'email'") == []
    assert len(db.interactions.timeline_frame(shop[2].id, "channel = 'email'")) == 1
    db.products.add("TEA-01", "Green tea", category="tea", price=1250, currency="EUR")
    db.products.add("TEA-02", "Black tea", category="tea", price=950, currency="EUR")
    assert [p.sku for p in db.products.find("category = 'tea' and price < 1000")] == ["TEA-02"]
    assert db.products.count("name contains 'tea'", price__gt=1000) == 1


# ---------------------------------------------------------------- hostile values stay data

HOSTILE = [
    "O'Brien",
    "Robert'); DROP TABLE customers;--",
    "a' OR '1'='1",
    'say "hi" -- now',
    "x; DELETE FROM customers; /* c */",
    "100%_done\\",
    "名字 🎉 \u202eevil",
    "'' ; ''",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_are_data(db, people, value):
    c = db.customers.add("Mallory", company=value, tags=["x"])
    assert c.company == value.strip()
    assert db.customers.find(company=value) == [c]
    assert db.customers.find("company = " + quote(value)) == [c]
    assert db.customers.find('company = "' + value.replace('"', '""') + '"') == [c]
    assert db.customers.find("company contains " + quote(value[2:6])) == [c]
    assert db.customers.find(company__contains=value[2:6]) == [c]
    assert db.customers.count("company != " + quote(value)) == 5
    assert db.customers.find("name = " + quote(value)) == []
    assert len(db.customers) == 6
    assert db.purchases.find("currency = " + quote(value)) == []


def test_like_wildcards_are_literal(db, people):
    c = db.customers.add("Mallory", company="100%_done")
    db.customers.add("Trent", company="100ab_done")
    assert db.customers.find(company__contains="%_") == [c]
    assert db.customers.find("company contains '%_'") == [c]
    assert db.customers.find("company starts with '100%'") == [c]


def test_a_60_kb_value(db, people):
    big = ("x'; DROP TABLE customers; --" * 2200)[:60_000]
    assert db.customers.find(name=big) == []
    assert db.customers.find("name = " + quote(big)) == []
    assert db.customers.count("name != " + quote(big)) == 5
    assert db.customers.find(company__startswith=big[:40_000]) == []
    assert len(db.customers) == 5


def test_a_60_kb_contains_value(db, people):
    # Longer than SQLite's LIKE pattern limit: contains / starts with do not use LIKE.
    big = ("x'; DROP TABLE customers; --" * 2200)[:60_000]
    assert db.customers.find("company contains " + quote(big)) == []
    assert db.customers.find(company__contains=big) == []
    assert db.customers.find(company__startswith=big) == []
    assert len(db.customers) == 5


# ---------------------------------------------------------------- tags


def test_add_and_remove_tags(db, people):
    alan = people[2]
    assert alan.tags == [] and alan.version == 1
    c = db.customers.add_tags(alan.id, "VIP", " newsletter ", "vip")
    assert isinstance(c, crm.Customer)
    assert c.tags == ["newsletter", "vip"] and c.version == 2
    assert db.customers.get(alan.id) == c
    assert db.customers.add_tags(alan.id, "vip").version == 2  # nothing new: no change
    assert db.customers.add_tags(alan.id).version == 2
    c = db.customers.remove_tags(alan.id, "Newsletter", "never-had-it")
    assert c.tags == ["vip"] and c.version == 3
    assert db.customers.remove_tags(alan.id, "unknown").version == 3
    assert db.customers.find("tags contains 'vip'", source="web") == [people[1], c]
    c = db.customers.remove_tags(alan.id, "vip")
    assert c.tags == [] and db.customers.find(tags__isnull=True, source="web") == [c]
    entries = db.audit.find(entity="customer", entity_id=alan.id, action="update")
    assert [e.changes["tags"] for e in entries] == [
        {"before": [], "after": ["newsletter", "vip"]},
        {"before": ["newsletter", "vip"], "after": ["vip"]},
        {"before": ["vip"], "after": []},
    ]


def test_tags_bad_input(db, people):
    ada = people[0]
    with raises(db, crm.NotFoundError, KeyError):
        db.customers.add_tags(999, "vip")
    with raises(db, crm.NotFoundError, KeyError):
        db.customers.remove_tags(999, "vip")
    with raises(db, crm.InvalidInputError, ValueError, match="tag"):
        db.customers.add_tags(ada.id, "a,b")
    with raises(db, crm.InvalidInputError, ValueError, match="tag"):
        db.customers.add_tags(ada.id, "ok", "   ")
    with raises(db, crm.InvalidInputError, ValueError, match="tag"):
        db.customers.add_tags(ada.id, "x" * 65)
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.customers.add_tags(ada.id, ["vip"])  # tags are separate arguments
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.customers.add_tags(ada.id, None)
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.customers.remove_tags(ada.id, 7)
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.customers.add_tags(str(ada.id), "vip")


# ---------------------------------------------------------------- bad filters


@pytest.mark.parametrize("text, position", [
    ("source = ", 9),
    ("source = 'web", 9),
    ("source = 'web' and", 18),
    ("(source = 'web'", 15),
    ("source 'web'", 7),
    ("名字 = 1 and ; drop", 11),
    ("name = 'x'; DROP TABLE customers; --", 10),
])
def test_malformed_text_is_a_parse_error_with_the_position(db, people, text, position):
    for call in (db.customers.find, db.customers.find_frame, db.customers.count,
                 db.purchases.find, db.interactions.find, db.products.count, db.audit.find):
        with raises(db, crm.ParseError, ValueError, match=f"position {position}\\b"):
            call(text)
    with raises(db, crm.ParseError, ValueError, match="position"):
        db.customers.find(text, source="web")


def test_text_over_64_kib_is_refused(db, people):
    with raises(db, crm.ParseError, ValueError, match="position 0.*longer"):
        db.customers.find("name = '" + "x" * 70_000 + "'")


def test_unknown_field_in_text(db, people):
    with raises(db, crm.InvalidInputError, ValueError, match="nosuch"):
        db.customers.find("nosuch = 1")
    with raises(db, crm.InvalidInputError, ValueError, match="nosuch"):
        db.customers.count("source = 'web' or nosuch is null")
    with raises(db, crm.InvalidInputError, ValueError, match="total_spend"):
        db.purchases.find("total_spend > 1")  # a customer field only
    with raises(db, crm.InvalidInputError, ValueError, match="lead, prospect"):
        db.customers.find("stage = 'vip'")


def test_wrong_types_in_filters(db, people):
    with raises(db, crm.InvalidArgumentError, TypeError, match="where"):
        db.customers.find(5)
    with raises(db, crm.InvalidArgumentError, TypeError, match="where"):
        db.customers.count(b"source = 'web'")
    with raises(db, crm.InvalidArgumentError, TypeError, match="where"):
        db.customers.find_frame(["source = 'web'"])
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.customers.find("total_spend > 'lots'")
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.customers.find(total_spend__gt="lots")
    with raises(db, crm.InvalidArgumentError, TypeError):
        db.customers.find("source = 'web'", limit="10")
    frame = db.customers.find_frame("source = 'web'")
    assert isinstance(frame, pd.DataFrame) and len(frame) == 2
