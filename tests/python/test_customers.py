"""Customers row by row: create, read, update, delete, find, count."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

import crm
from conftest import T0


def ids(customers):
    return [c.id for c in customers]


# ---------------------------------------------------------------- create and read


def test_add_normalises_and_returns_the_stored_customer(db):
    c = db.customers.add(
        "  Ada Lovelace ",
        email=" Ada.Lovelace@Example.COM",
        phone="+44 (20) 7946-0958",
        company="Analytical Engines",
        stage="Customer",
        source="referral",
        tags=["VIP", "newsletter", "vip"],
        external_id="A-1",
    )
    assert isinstance(c, crm.Customer)
    assert c.id >= 1
    assert c.name == "Ada Lovelace"
    assert c.email == "ada.lovelace@example.com"
    assert c.phone == "+442079460958"  # E.164
    assert c.company == "Analytical Engines"
    assert c.stage == "customer"
    assert c.source == "referral"
    assert c.tags == ["newsletter", "vip"]
    assert c.external_id == "A-1"
    assert c.version == 1
    assert c.created_at == c.updated_at == T0


def test_none_means_the_core_defaults(db):
    c = db.customers.add("Nobody", stage=None, source=None)
    assert (c.stage, c.source) == ("lead", "other")


def test_defaults(db):
    c = db.customers.add("Grace Hopper")
    assert (c.stage, c.source, c.tags) == ("lead", "other", [])
    assert c.email is None and c.phone is None and c.company is None and c.external_id is None


def test_get_and_get_by_external_id(db, people):
    ada = people[0]
    assert db.customers.get(ada.id) == ada
    assert db.customers.get(np.int64(ada.id)) == ada
    assert db.customers.get_by_external_id("A-1") == ada
    assert db.customers.get_by_external_id(" A-1 ") == ada


def test_customer_is_a_read_only_value(db, people):
    ada = people[0]
    with pytest.raises(AttributeError):
        ada.name = "Someone else"  # type: ignore[misc]
    assert ada == db.customers.get(ada.id)
    assert ada != people[1]
    assert ada != "Ada Lovelace"
    assert len({ada, db.customers.get(ada.id)}) == 1
    r = repr(ada)
    assert r.startswith("Customer(id=") and "'Ada Lovelace'" in r
    d = ada.to_dict()
    assert list(d) == ["id", "external_id", "name", "email", "phone", "company", "stage",
                       "source", "tags", "created_at", "updated_at", "version", "fields"]
    assert d["fields"] == {} == ada.fields
    assert d["email"] == "ada@example.com" and d["tags"] == ["newsletter", "vip"]
    assert d["created_at"] == T0


# ---------------------------------------------------------------- update


def test_update_changes_fields_and_bumps_the_version(db, people):
    grace = people[1]
    db.now = T0 + timedelta(days=30)
    u = db.customers.update(grace.id, stage="customer", email="GRACE@Example.com", tags=["Speaker"])
    assert u.version == grace.version + 1
    assert u.stage == "customer"
    assert u.email == "grace@example.com"
    assert u.tags == ["speaker"]
    assert u.updated_at == T0 + timedelta(days=30)
    assert u.created_at == grace.created_at
    assert db.customers.get(grace.id) == u


def test_update_none_clears_nullable_fields(db, people):
    ada = people[0]
    u = db.customers.update(ada.id, email=None, company=None, external_id=None, tags=None)
    assert (u.email, u.company, u.external_id, u.tags) == (None, None, None, [])
    with pytest.raises(crm.NotFoundError):
        db.customers.get_by_external_id("A-1")


def test_update_that_changes_nothing_keeps_the_version(db, people):
    ada = people[0]
    assert db.customers.update(ada.id, name="Ada Lovelace").version == ada.version
    assert db.customers.update(ada.id).version == ada.version


def test_update_with_expected_version(db, people):
    ada = people[0]
    u = db.customers.update(ada.id, stage="churned", expected_version=ada.version)
    assert u.version == 2
    with pytest.raises(crm.ConflictError) as info:
        db.customers.update(ada.id, stage="lead", expected_version=ada.version)
    assert info.value.code == 16
    assert "version 2" in str(info.value)
    assert db.customers.get(ada.id) == u  # unchanged


# ---------------------------------------------------------------- delete


def test_delete(db, people):
    ada = people[0]
    db.customers.delete(ada.id)
    with pytest.raises(crm.NotFoundError):
        db.customers.get(ada.id)
    with pytest.raises(crm.NotFoundError):
        db.customers.delete(ada.id)
    assert len(db.customers) == len(people) - 1
    db.customers.delete(people[1].id, cascade=True)
    assert len(db.customers) == len(people) - 2


# ---------------------------------------------------------------- find and count


def test_find_all_in_id_order(db, people):
    assert db.customers.find() == people


@pytest.mark.parametrize(
    "filters, expected",
    [
        (dict(stage="customer"), [0]),
        (dict(stage__eq="prospect"), [1]),
        (dict(source__ne="web"), [0, 3, 4]),
        (dict(stage__in=["lead", "churned"]), [2, 3, 4]),
        (dict(stage__in=("lead",)), [2, 4]),
        (dict(source__not_in=["web", "ads"]), [0, 3]),
        (dict(email__isnull=True), [2, 4]),
        (dict(email__isnull=False), [0, 1, 3]),
        (dict(company__isnull=False), [0, 2]),
        (dict(name__contains="ra"), [1, 3, 4]),
        (dict(name__startswith="a"), [0, 2]),
        (dict(email__contains="EXAMPLE.COM"), [0]),
        (dict(tags="vip"), [0, 1]),
        (dict(tags__contains="NEWSLETTER"), [0, 3]),
        (dict(tags__in=["vip", "newsletter"]), [0, 1, 3]),
        (dict(tags__isnull=True), [2, 4]),
        (dict(tags__isnull=False), [0, 1, 3]),
        (dict(phone="+1 (202) 555-0100"), [1]),
        (dict(external_id="A-3"), [2]),
        (dict(created_at=T0), [0]),
        (dict(created_at__gt=T0 + timedelta(days=2)), [3, 4]),
        (dict(created_at__gte=T0 + timedelta(days=2)), [2, 3, 4]),
        (dict(created_at__lt=T0 + timedelta(days=1)), [0]),
        (dict(created_at__lte=T0 + timedelta(days=1)), [0, 1]),
        (dict(created_at__between=(T0 + timedelta(days=1), T0 + timedelta(days=3))), [1, 2, 3]),
        (dict(created_at__gte=date(2026, 3, 3)), [2, 3, 4]),
        (dict(created_at__gte="2026-03-03"), [2, 3, 4]),
        (dict(created_at__lt=datetime(2026, 3, 2, 9, 30)), [0]),  # naive = UTC
        (dict(id__in=[]), []),
        (dict(version=1), [0, 1, 2, 3, 4]),
        (dict(version__between=[2, 5]), []),
        (dict(stage="lead", source="web"), [2]),  # ANDed
        (dict(source="web", tags="vip", stage__ne="lead"), [1]),
    ],
)
def test_find_with_each_lookup(db, people, filters, expected):
    want = [people[i].id for i in expected]
    assert ids(db.customers.find(**filters)) == want
    assert db.customers.count(**filters) == len(want)


def test_filter_values_from_numpy_and_pandas(db, people):
    assert ids(db.customers.find(id=np.int64(people[2].id))) == [people[2].id]
    assert ids(db.customers.find(id__in=np.array([people[0].id, people[4].id]))) == [
        people[0].id, people[4].id]
    assert ids(db.customers.find(stage__in=pd.Series(["prospect", "churned"]))) == [
        people[1].id, people[3].id]
    assert db.customers.count(created_at__gte=pd.Timestamp("2026-03-04 09:30")) == 2
    assert db.customers.count(created_at__gte=pd.Timestamp("2026-03-04 17:30", tz="Asia/Shanghai")) == 2
    assert db.customers.count(created_at__gte=np.datetime64("2026-03-04T09:30:00")) == 2
    assert db.customers.count(created_at__lt=np.datetime64("2026-03-02T09:30:00.000000000")) == 1
    assert db.customers.count(version__gte=np.float64(1.0)) == 5
    assert db.customers.count(email__isnull=np.bool_(True)) == 2


def test_order_by_limit_offset(db, people):
    by_name = sorted(people, key=lambda c: c.name)
    assert db.customers.find(order_by="name") == by_name
    assert db.customers.find(order_by="-created_at") == people[::-1]
    assert db.customers.find(order_by=["source", "-name"]) == sorted(
        sorted(people, key=lambda c: c.name, reverse=True), key=lambda c: c.source)
    pages = [db.customers.find(order_by="name", limit=2, offset=o) for o in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert [c for p in pages for c in p] == by_name
    assert db.customers.find(limit=0) == []
    assert db.customers.find(order_by="-created_at,name", limit=1, stage="lead") == [people[4]]


def test_count_and_len(db, people):
    assert db.customers.count() == len(db.customers) == 5
    assert db.customers.count(source="web") == 2
