"""The product catalogue: add, add_many, get, get_by_sku, delete, find, count — and bad input."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest

import crm
from conftest import T0


@pytest.fixture
def catalogue(db):
    """Four products: two teas and a mug with prices in EUR, a cake without a price."""
    return [
        db.products.add("TEA-01", "Green tea", category="tea", price=1250, currency="EUR"),
        db.products.add("TEA-02", "Black tea", category="tea", price=990, currency="EUR"),
        db.products.add("MUG-01", "Mug", category="kitchen", price=1500, currency="USD"),
        db.products.add("CAKE", "Lemon cake"),
    ]


@contextmanager
def raises(db, cls, builtin, match=None):
    """Asserts the exception class, its code, its builtin base, and an unchanged catalogue."""
    before = [p.to_dict() for p in db.products.find()]
    with pytest.raises(cls, match=match) as info:
        yield info
    e = info.value
    assert isinstance(e, crm.CrmError) and isinstance(e, builtin)
    assert e.code == cls.code and e.code_name == cls.code_name
    assert [p.to_dict() for p in db.products.find()] == before, "the catalogue changed"


# ---------------------------------------------------------------- add, get, delete


def test_add_normalises_and_returns_the_stored_product(db):
    p = db.products.add("  TEA-01 ", " Green tea ", category=" tea ", price=1250, currency="eur")
    assert isinstance(p, crm.Product)
    assert p.id >= 1
    assert (p.sku, p.name, p.category) == ("TEA-01", "Green tea", "tea")
    assert (p.price, p.currency) == (1250, "EUR")
    assert p.created_at == T0 and p.created_at.tzinfo is not None


def test_add_without_category_and_price(db):
    p = db.products.add("CAKE", "Lemon cake", category="  ")
    assert (p.category, p.price, p.currency) == (None, None, None)
    assert db.products.add("FREE", "Sticker", price=0, currency="EUR").price == 0


def test_get_and_get_by_sku(db, catalogue):
    tea = catalogue[0]
    assert db.products.get(tea.id) == tea
    assert db.products.get(np.int64(tea.id)) == tea
    assert db.products.get_by_sku("TEA-01") == tea
    assert db.products.get_by_sku(" TEA-01 ") == tea


def test_product_is_a_read_only_value(db, catalogue):
    tea = catalogue[0]
    with pytest.raises(AttributeError):
        tea.price = 1  # type: ignore[misc]
    assert tea == db.products.get(tea.id) and tea != catalogue[1] and tea != "TEA-01"
    assert len({tea, db.products.get(tea.id)}) == 1
    r = repr(tea)
    assert r.startswith("Product(id=") and "'TEA-01'" in r and "price=1250" in r
    d = tea.to_dict()
    assert list(d) == ["id", "sku", "name", "category", "price", "currency", "created_at"]
    assert d["currency"] == "EUR" and d["created_at"] == T0
    assert catalogue[3].to_dict()["price"] is None


def test_delete(db, catalogue):
    db.products.delete(catalogue[3].id)
    assert len(db.products) == 3
    with raises(db, crm.NotFoundError, KeyError):
        db.products.get(catalogue[3].id)
    with raises(db, crm.NotFoundError, KeyError):
        db.products.delete(catalogue[3].id)


def test_a_product_named_by_purchase_lines_cannot_be_deleted(db, catalogue):
    buyer = db.customers.add("Ada")
    db.purchases.add(buyer.id, 1250, "EUR", items=[{"sku": "TEA-01", "quantity": 1,
                                                   "unit_price": 1250}])
    with raises(db, crm.ConstraintError, ValueError, match="purchase line") as info:
        db.products.delete(catalogue[0].id)
    assert info.value.code == 5
    db.products.delete(catalogue[1].id)  # named by no line


# ---------------------------------------------------------------- find and count


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, [0, 1, 2, 3]),
        (dict(category="tea"), [0, 1]),
        (dict(category__isnull=True), [3]),
        (dict(price__lt=1300), [0, 1]),
        (dict(price__isnull=True), [3]),
        (dict(currency="USD"), [2]),
        (dict(sku__startswith="tea"), [0, 1]),
        (dict(name__contains="TEA"), [0, 1]),
        (dict(sku__in=["CAKE", "MUG-01"]), [2, 3]),
        (dict(created_at=T0), [0, 1, 2, 3]),
        (dict(category="tea", price__gte=1000), [0]),
    ],
)
def test_find_and_count_with_filters(db, catalogue, filters, expected):
    want = [catalogue[i] for i in expected]
    assert db.products.find(**filters) == want
    assert db.products.count(**filters) == len(want)


def test_order_by_limit_offset(db, catalogue):
    by_price = db.products.find(order_by="-price", price__isnull=False)
    assert [p.sku for p in by_price] == ["MUG-01", "TEA-01", "TEA-02"]
    assert [p.name for p in db.products.find(order_by="name")] == [
        "Black tea", "Green tea", "Lemon cake", "Mug"]
    assert db.products.find(order_by="name", limit=2, offset=1) == [catalogue[0], catalogue[3]]
    assert len(db.products) == db.products.count() == 4


# ---------------------------------------------------------------- add_many


def test_add_many_from_a_dataframe(db):
    n = 500
    data = pd.DataFrame(
        {
            "sku": [f"SKU-{i:04d}" for i in range(n)],
            "name": [f"Product {i}" for i in range(n)],
            "category": [["tea", "kitchen", None][i % 3] for i in range(n)],
            "price": pd.array([None if i % 5 == 0 else 100 + i for i in range(n)], dtype="Int64"),
            "currency": [None if i % 5 == 0 else "eur" for i in range(n)],
        }
    )
    ids = db.products.add_many(data)
    assert isinstance(ids, np.ndarray) and ids.dtype == np.int64 and ids.shape == (n,)
    assert len(db.products) == n
    first, second = db.products.get(int(ids[0])), db.products.get(int(ids[1]))
    assert (first.price, first.currency, first.category) == (None, None, "tea")
    assert (second.price, second.currency, second.category) == (101, "EUR", "kitchen")
    assert db.products.count(category__isnull=True) == n // 3
    assert db.products.count(price__isnull=True) == n // 5


def test_add_many_from_a_dict_of_columns(db):
    ids = db.products.add_many(
        {
            "sku": np.array(["A", "B", "C"]),
            "name": ["Apple", "Banana", "Cherry"],
            "price": [10, None, np.int64(30)],
            "currency": ["EUR", None, "CNY"],
        }
    )
    got = [db.products.get(int(i)) for i in ids]
    assert [(p.sku, p.price, p.currency) for p in got] == [
        ("A", 10, "EUR"), ("B", None, None), ("C", 30, "CNY")]
    # pandas stores an int column with gaps as float64: whole numbers are accepted.
    db.products.add_many({"sku": ["D", "E"], "name": ["D", "E"], "price": [5.0, np.nan],
                          "currency": ["EUR", None]})
    assert db.products.get_by_sku("D").price == 5
    assert len(db.products.add_many({"sku": [], "name": []})) == 0


def test_add_many_bad_row_writes_nothing_and_names_the_row(db, catalogue):
    with raises(db, crm.InvalidInputError, ValueError, match='row 2: currency "EURO"'):
        db.products.add_many({"sku": ["X1", "X2", "X3"], "name": ["a", "b", "c"],
                              "price": [1, 2, 3], "currency": ["EUR", "EUR", "EURO"]})
    with raises(db, crm.InvalidInputError, ValueError, match="row 1: price"):
        db.products.add_many({"sku": ["X1", "X2"], "name": ["a", "b"], "price": [1, -2],
                              "currency": ["EUR", "EUR"]})
    with raises(db, crm.InvalidInputError, ValueError, match="row 1: name"):
        db.products.add_many({"sku": ["X1", "X2"], "name": ["a", None]})
    with raises(db, crm.AlreadyExistsError, ValueError, match='row 1: sku "TEA-01"'):
        db.products.add_many({"sku": ["X1", "TEA-01"], "name": ["a", "b"]})
    with raises(db, crm.AlreadyExistsError, ValueError, match='row 2: sku "X1"'):
        db.products.add_many({"sku": ["X1", "X2", "X1"], "name": ["a", "b", "c"]})


@pytest.mark.parametrize(
    "data, match",
    [
        ([{"sku": "A", "name": "a"}], "DataFrame or a dict"),
        ({"sku": ["A"]}, "sku and name columns are required"),
        ({"sku": ["A"], "name": ["a"], "colour": ["red"]}, '"colour"'),
        ({"sku": ["A", "B"], "name": ["a"]}, "name has 1 values, sku has 2"),
        ({"sku": ["A"], "name": ["a"], "price": [100]}, "row 0: price and currency go together"),
        ({"sku": ["A"], "name": ["a"], "currency": ["EUR"]}, "row 0: price and currency"),
        ({"sku": ["A"], "name": ["a"], "price": [12.5], "currency": ["EUR"]},
         "column price, row 0: expected int"),
        ({"sku": ["A"], "name": ["a"], "price": ["12.50"], "currency": ["EUR"]},
         "column price, row 0: expected int, got str"),
        ({"sku": [1], "name": ["a"]}, "column sku, row 0: expected str"),
        ({"sku": "A", "name": "a"}, "column sku"),
    ],
)
def test_add_many_wrong_types_and_shapes(db, catalogue, data, match):
    with raises(db, crm.InvalidArgumentError, TypeError, match=match) as info:
        db.products.add_many(data)
    assert info.value.code == 1


# ---------------------------------------------------------------- bad input, one product


def test_duplicate_sku(db, catalogue):
    with raises(db, crm.AlreadyExistsError, ValueError, match='sku "TEA-01" already exists') as info:
        db.products.add(" TEA-01", "Another tea")
    assert info.value.code == 4


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(sku="  ", name="x"), "sku"),
        (dict(sku="X", name=""), "name"),
        (dict(sku="X", name="x", price=-1, currency="EUR"), "price"),
        (dict(sku="X", name="x", price=1, currency="EURO"), 'currency "EURO"'),
        (dict(sku="X", name="x", price=1, currency="€"), "currency"),
    ],
)
def test_invalid_values(db, catalogue, kwargs, match):
    with raises(db, crm.InvalidInputError, ValueError, match=match) as info:
        db.products.add(**kwargs)
    assert info.value.code == 2


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda db: db.products.add("X", "x", price=100), "a price needs a currency"),
        (lambda db: db.products.add("X", "x", currency="EUR"), "a currency needs a price"),
        (lambda db: db.products.add(None, "x"), "sku cannot be None"),
        (lambda db: db.products.add("X", None), "name cannot be None"),
        (lambda db: db.products.add(5, "x"), "sku: expected str, got int"),
        (lambda db: db.products.add("X", "x", category=3), "category: expected str"),
        (lambda db: db.products.add("X", "x", price="12.50", currency="EUR"), "price: expected int"),
        (lambda db: db.products.add("X", "x", price=12.5, currency="EUR"), "price: expected int"),
        (lambda db: db.products.add("X", "x", price=True, currency="EUR"), "price: expected int"),
        (lambda db: db.products.add("X", "x", price=1, currency=978), "currency: expected str"),
        (lambda db: db.products.get("1"), "id: expected int"),
        (lambda db: db.products.get_by_sku(7), "sku: expected str"),
        (lambda db: db.products.delete(None), "id: expected int"),
        (lambda db: db.products.find(price__in=5), "expected a list"),
        (lambda db: db.products.find(limit=-1), "limit"),
    ],
)
def test_wrong_types(db, catalogue, call, match):
    with raises(db, crm.InvalidArgumentError, TypeError, match=match) as info:
        call(db)
    assert info.value.code == 1


def test_unknown_product(db, catalogue):
    with raises(db, crm.NotFoundError, KeyError) as info:
        db.products.get(999)
    assert str(info.value) == "product id 999 not found" and info.value.code == 3
    with raises(db, crm.NotFoundError, KeyError, match="NOPE"):
        db.products.get_by_sku("NOPE")


def test_unknown_filter_field(db, catalogue):
    with raises(db, crm.InvalidInputError, ValueError, match="no such field"):
        db.products.find(colour="red")
    with raises(db, crm.InvalidInputError, ValueError, match="no such field"):
        db.products.find(order_by="-colour")
