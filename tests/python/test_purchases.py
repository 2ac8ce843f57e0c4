"""Purchases and their line items: add, get, set_status, find, count, the two frames, add_many —
and bad input, each leaving the store as it was."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

import crm
from conftest import T0

UTC_US = pd.DatetimeTZDtype(unit="us", tz="UTC")
STR = pd.StringDtype(na_value=np.nan)  # pandas' default string dtype, "str"
STATUS_DTYPE = pd.CategoricalDtype(["completed", "refunded", "cancelled"])
PURCHASE_COLUMNS = ["customer_id", "external_id", "purchased_at", "amount", "currency", "status"]
LINE_COLUMNS = ["purchase_id", "customer_id", "purchased_at", "line", "product_id", "sku", "name",
                "category", "quantity", "unit_price"]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def assert_purchases_frame(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == PURCHASE_COLUMNS
    assert frame.index.name == "id" and frame.index.dtype == np.int64
    assert frame["customer_id"].dtype == np.int64
    assert frame["external_id"].dtype == STR
    assert frame["purchased_at"].dtype == UTC_US
    assert frame["amount"].dtype == np.int64
    assert isinstance(frame["currency"].dtype, pd.CategoricalDtype)
    assert frame["currency"].cat.categories.dtype == STR
    assert frame["status"].dtype == STATUS_DTYPE
    assert list(frame["status"].cat.categories) == list(crm.PURCHASE_STATUSES)


def assert_lines_frame(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == LINE_COLUMNS
    for col in ("purchase_id", "customer_id", "line", "quantity", "unit_price"):
        assert frame[col].dtype == np.int64, col
    assert frame["purchased_at"].dtype == UTC_US
    assert frame["product_id"].dtype == pd.Int64Dtype()
    for col in ("sku", "name", "category"):
        assert frame[col].dtype == STR, col


@pytest.fixture
def catalogue(db):
    return [
        db.products.add("TEA-01", "Green tea", category="tea", price=1250, currency="EUR"),
        db.products.add("TEA-02", "Black tea", category="tea", price=990, currency="EUR"),
        db.products.add("MUG-01", "Mug", category="kitchen", price=1500, currency="EUR"),
    ]


@pytest.fixture
def orders(db, people, catalogue):
    """Five purchases by three customers around January 2026; one refunded, one in USD."""
    ada, grace, alan = people[:3]
    tea, black, mug = catalogue
    return [
        db.purchases.add(ada.id, 2500, "EUR", purchased_at=datetime(2026, 1, 5, 10),
                         external_id="O-1",
                         items=[{"sku": "TEA-01", "quantity": 2, "unit_price": 1250}]),
        db.purchases.add(ada.id, 2740, "EUR", purchased_at=datetime(2026, 1, 12, 10),
                         external_id="O-2",
                         items=[{"sku": "TEA-02", "quantity": 1, "unit_price": 990},
                                {"product_id": mug.id, "quantity": 1, "unit_price": 1500},
                                {"name": "Gift wrap", "quantity": 1, "unit_price": 250}]),
        db.purchases.add(grace.id, 990, "EUR", purchased_at=datetime(2026, 1, 20, 10),
                         items=[{"product_id": black.id, "quantity": 1, "unit_price": 990}]),
        db.purchases.add(grace.id, 15000, "USD", purchased_at=datetime(2026, 2, 2, 10),
                         status="refunded",
                         items=[{"sku": "MUG-01", "quantity": 10, "unit_price": 1500}]),
        db.purchases.add(alan.id, 500, "EUR", purchased_at=datetime(2025, 12, 31, 23)),
    ]


def snapshot(db):
    return (
        db.customers.find_frame(),
        [p.to_dict() for p in db.products.find()],
        db.purchases.purchases_frame(),
        db.purchases.line_items_frame(),
    )


@contextmanager
def raises(db, cls, builtin, match=None):
    """Asserts the exception class, its code, its builtin base, and that nothing changed."""
    before = snapshot(db)
    with pytest.raises(cls, match=match) as info:
        yield info
    e = info.value
    assert isinstance(e, crm.CrmError) and isinstance(e, builtin)
    assert e.code == cls.code and e.code_name == cls.code_name
    after = snapshot(db)
    assert after[0].equals(before[0]), "customers changed"
    assert after[1] == before[1], "products changed"
    assert after[2].equals(before[2]), "purchases changed"
    assert after[3].equals(before[3]), "line items changed"


# ---------------------------------------------------------------- add and get


def test_add_links_known_skus_and_returns_the_stored_purchase(db, people, catalogue):
    tea, _, mug = catalogue
    p = db.purchases.add(
        people[0].id, 5990, "eur", external_id=" WEB-1 ",
        items=[
            {"sku": " TEA-01 ", "quantity": 2, "unit_price": 1250},       # known sku
            {"product_id": mug.id, "quantity": 1, "unit_price": 1500},    # by product id
            {"sku": "GIFT", "name": "Gift wrap", "quantity": 1, "unit_price": 250},  # not listed
            {"sku": "TEA-01", "name": "Tea (promo)", "category": "promo", "quantity": 1,
             "unit_price": 0},                                            # own name wins
        ],
    )
    assert isinstance(p, crm.Purchase)
    assert p.id >= 1 and p.customer_id == people[0].id
    assert (p.amount, p.currency, p.status) == (5990, "EUR", "completed")
    assert p.external_id == "WEB-1"
    assert p.purchased_at == p.created_at == T0  # the handle's clock
    assert all(isinstance(i, crm.LineItem) for i in p.items)
    got = [(i.line, i.product_id, i.sku, i.name, i.category, i.quantity, i.unit_price)
           for i in p.items]
    assert got == [
        (1, tea.id, "TEA-01", "Green tea", "tea", 2, 1250),
        (2, mug.id, "MUG-01", "Mug", "kitchen", 1, 1500),
        (3, None, "GIFT", "Gift wrap", None, 1, 250),
        (4, tea.id, "TEA-01", "Tea (promo)", "promo", 1, 0),
    ]
    assert db.purchases.get(p.id) == p
    assert db.purchases.get(np.int64(p.id)) == p


def test_defaults_and_none(db, people):
    p = db.purchases.add(people[0].id, 0, "CNY", purchased_at=None, status=None,
                         external_id=None, items=None)
    assert (p.status, p.external_id, p.items, p.purchased_at) == ("completed", None, [], T0)


def test_purchase_times(db, people):
    cid = people[0].id
    naive = db.purchases.add(cid, 1, "EUR", purchased_at=datetime(2026, 1, 5, 10))
    assert naive.purchased_at == utc(2026, 1, 5, 10)  # naive means UTC
    aware = db.purchases.add(
        cid, 1, "EUR", purchased_at=datetime(2026, 1, 5, 18, tzinfo=ZoneInfo("Asia/Shanghai")))
    assert aware.purchased_at == utc(2026, 1, 5, 10)
    assert aware.purchased_at.tzinfo is not None
    stamp = db.purchases.add(cid, 1, "EUR", purchased_at=pd.Timestamp("2026-01-05 10:00"))
    assert stamp.purchased_at == utc(2026, 1, 5, 10)
    numpy = db.purchases.add(cid, 1, "EUR", purchased_at=np.datetime64("2026-01-05T10:00"))
    assert numpy.purchased_at == utc(2026, 1, 5, 10)


def test_line_items_of_a_stored_purchase_can_be_reused(db, orders):
    again = db.purchases.add(orders[1].customer_id, 2740, "EUR", items=orders[1].items)
    strip = lambda items: [(i.product_id, i.sku, i.name, i.category, i.quantity, i.unit_price)
                           for i in items]
    assert strip(again.items) == strip(orders[1].items)
    assert [i.line for i in again.items] == [1, 2, 3]
    # as dicts too: LineItem.to_dict() carries the line number, which must match its place
    copied = db.purchases.add(orders[1].customer_id, 2740, "EUR",
                              items=[i.to_dict() for i in orders[1].items])
    assert strip(copied.items) == strip(orders[1].items)


def test_purchase_and_line_item_are_read_only_values(db, orders):
    p = orders[1]
    with pytest.raises(AttributeError):
        p.amount = 1  # type: ignore[misc]
    with pytest.raises(AttributeError):
        p.items[0].quantity = 5  # type: ignore[misc]
    assert p == db.purchases.get(p.id) and p != orders[0] and p != p.id
    assert len({p, db.purchases.get(p.id)}) == 1
    r = repr(p)
    assert r.startswith("Purchase(id=") and "amount=2740" in r and "'EUR'" in r and "n_items=3" in r
    d = p.to_dict()
    assert list(d) == ["id", "customer_id", "external_id", "purchased_at", "amount", "currency",
                       "status", "created_at", "items"]
    assert d["purchased_at"] == utc(2026, 1, 12, 10) and d["created_at"] == T0
    assert d["items"][2] == {"line": 3, "product_id": None, "sku": None, "name": "Gift wrap",
                             "category": None, "quantity": 1, "unit_price": 250}
    line = p.items[0]
    assert line == db.purchases.get(p.id).items[0] and line != p.items[1]
    assert len({line, db.purchases.get(p.id).items[0]}) == 1
    assert repr(line).startswith("LineItem(line=1,") and "'TEA-02'" in repr(line)
    assert line.to_dict() == d["items"][0]


def test_len_and_count(db, orders):
    assert len(db.purchases) == db.purchases.count() == 5


# ---------------------------------------------------------------- status


def test_set_status_transitions(db, orders):
    p = orders[0]
    refunded = db.purchases.set_status(p.id, "refunded")
    assert refunded.status == "refunded" and refunded.items == p.items
    assert db.purchases.get(p.id) == refunded
    assert db.purchases.set_status(p.id, "REFUNDED").status == "refunded"  # staying put is fine
    with raises(db, crm.IllegalTransitionError, ValueError, match="refunded to completed") as info:
        db.purchases.set_status(p.id, "completed")
    assert info.value.code == 11
    with raises(db, crm.IllegalTransitionError, ValueError, match="refunded to cancelled"):
        db.purchases.set_status(p.id, "cancelled")
    cancelled = db.purchases.set_status(orders[1].id, "cancelled")
    assert cancelled.status == "cancelled"
    with raises(db, crm.IllegalTransitionError, ValueError, match="cancelled to refunded"):
        db.purchases.set_status(cancelled.id, "refunded")


def test_set_status_bad_input(db, orders):
    with raises(db, crm.InvalidInputError, ValueError, match='status "lost"'):
        db.purchases.set_status(orders[0].id, "lost")
    with raises(db, crm.InvalidArgumentError, TypeError, match="status cannot be None"):
        db.purchases.set_status(orders[0].id, None)
    with raises(db, crm.NotFoundError, KeyError, match="purchase id 999 not found"):
        db.purchases.set_status(999, "refunded")


# ---------------------------------------------------------------- find and count


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, [0, 1, 2, 3, 4]),
        (dict(status="completed"), [0, 1, 2, 4]),
        (dict(status__in=["refunded", "cancelled"]), [3]),
        (dict(currency="USD"), [3]),
        (dict(amount__gt=1000), [0, 1, 3]),
        (dict(amount__between=(900, 2500)), [0, 2]),
        (dict(purchased_at__gte=date(2026, 1, 1)), [0, 1, 2, 3]),
        (dict(purchased_at__gte="2026-01-12", purchased_at__lt="2026-02-01"), [1, 2]),
        (dict(purchased_at__lt=datetime(2026, 1, 5, 10, 0, 1)), [0, 4]),
        (dict(external_id="O-2"), [1]),
        (dict(external_id__isnull=True), [2, 3, 4]),
        (dict(created_at=T0), [0, 1, 2, 3, 4]),
    ],
)
def test_find_and_count_with_filters(db, orders, filters, expected):
    want = [orders[i] for i in expected]
    assert db.purchases.find(**filters) == want
    assert db.purchases.count(**filters) == len(want)


def test_filter_by_customer(db, people, orders):
    assert db.purchases.find(customer_id=people[0].id) == orders[:2]
    assert db.purchases.count(customer_id=np.int64(people[1].id), status="completed") == 1
    assert db.purchases.find(customer_id__in=[people[2].id, 999]) == [orders[4]]


def test_order_by_limit_offset(db, orders):
    assert db.purchases.find(order_by="-amount") == sorted(orders, key=lambda p: -p.amount)
    assert db.purchases.find(order_by="purchased_at", limit=2) == [orders[4], orders[0]]
    pages = [db.purchases.find(order_by="purchased_at", limit=2, offset=o) for o in (0, 2, 4)]
    assert [p for page in pages for p in page] == sorted(orders, key=lambda p: p.purchased_at)
    assert db.purchases.find(limit=0) == []


def test_filter_errors(db, orders):
    with raises(db, crm.InvalidInputError, ValueError, match="no such field"):
        db.purchases.find(colour="red")
    with raises(db, crm.InvalidInputError, ValueError, match='status "lost"'):
        db.purchases.count(status="lost")
    with raises(db, crm.InvalidInputError, ValueError, match="no such field"):
        db.purchases.line_items_frame(order_by="sku")
    with raises(db, crm.InvalidArgumentError, TypeError, match="amount: expected a number"):
        db.purchases.find(amount="x")
    with raises(db, crm.InvalidArgumentError, TypeError, match="offset"):
        db.purchases.purchases_frame(offset=-1)


# ---------------------------------------------------------------- frames


def test_purchases_frame(db, people, orders):
    frame = db.purchases.purchases_frame()
    assert_purchases_frame(frame)
    assert list(frame.index) == [p.id for p in orders]
    assert frame["customer_id"].tolist() == [p.customer_id for p in orders]
    assert frame["amount"].tolist() == [2500, 2740, 990, 15000, 500]
    assert frame["purchased_at"].tolist() == [pd.Timestamp(p.purchased_at) for p in orders]
    assert frame["external_id"].iloc[0] == "O-1" and pd.isna(frame["external_id"].iloc[2])
    assert list(frame["currency"].cat.categories) == ["EUR", "USD"]
    assert frame["currency"].astype(str).tolist() == ["EUR", "EUR", "EUR", "USD", "EUR"]
    assert frame["status"].astype(str).tolist() == [p.status for p in orders]
    some = db.purchases.purchases_frame(status="completed", order_by="-amount", limit=2)
    assert list(some.index) == [orders[1].id, orders[0].id]
    assert db.purchases.find_frame(currency="USD").equals(
        db.purchases.purchases_frame(currency="USD"))


def test_empty_purchases_frame_keeps_columns_and_dtypes(db, orders):
    frame = db.purchases.purchases_frame(status="cancelled")
    assert len(frame) == 0
    assert_purchases_frame(frame)
    with crm.open() as empty:
        assert_purchases_frame(empty.purchases.purchases_frame())


def test_line_items_frame(db, people, catalogue, orders):
    tea, black, mug = catalogue
    lines = db.purchases.line_items_frame()
    assert_lines_frame(lines)
    assert len(lines) == 6
    assert lines["purchase_id"].tolist() == [orders[i].id for i in (0, 1, 1, 1, 2, 3)]
    assert lines["customer_id"].tolist() == [orders[i].customer_id for i in (0, 1, 1, 1, 2, 3)]
    assert lines["purchased_at"].tolist() == [
        pd.Timestamp(orders[i].purchased_at) for i in (0, 1, 1, 1, 2, 3)]
    assert lines["line"].tolist() == [1, 1, 2, 3, 1, 1]
    assert lines["product_id"].tolist() == [tea.id, black.id, mug.id, pd.NA, black.id, mug.id]
    assert lines["sku"].tolist()[:3] == ["TEA-01", "TEA-02", "MUG-01"]
    assert pd.isna(lines["sku"].iloc[3])
    assert lines["name"].tolist() == ["Green tea", "Black tea", "Mug", "Gift wrap", "Black tea",
                                      "Mug"]
    assert lines["category"].tolist()[:3] == ["tea", "tea", "kitchen"]
    assert lines["quantity"].tolist() == [2, 1, 1, 1, 1, 10]
    assert lines["unit_price"].tolist() == [1250, 990, 1500, 250, 990, 1500]


def test_line_items_frame_filters_order_and_page_apply_to_purchases(db, people, orders):
    completed = db.purchases.line_items_frame(status="completed")
    assert sorted(set(completed["purchase_id"])) == [orders[i].id for i in (0, 1, 2)]
    newest = db.purchases.line_items_frame(order_by="-purchased_at", limit=2)
    assert newest["purchase_id"].tolist() == [orders[3].id, orders[2].id]
    ada = db.purchases.line_items_frame(customer_id=people[0].id, order_by="-amount")
    assert ada["purchase_id"].tolist() == [orders[1].id] * 3 + [orders[0].id]
    assert ada["line"].tolist() == [1, 2, 3, 1]


def test_empty_line_items_frame_keeps_columns_and_dtypes(db, orders):
    frame = db.purchases.line_items_frame(customer_id=orders[4].customer_id)  # no lines
    assert len(frame) == 0
    assert_lines_frame(frame)
    with crm.open() as empty:
        assert_lines_frame(empty.purchases.line_items_frame())


# ---------------------------------------------------------------- add_many


def _bulk(customer_ids: np.ndarray, n: int, seed: int = 11):
    rng = np.random.default_rng(seed)
    purchases = pd.DataFrame(
        {
            "customer_id": rng.choice(customer_ids, n),
            "amount": rng.integers(0, 100_000, n),
            "currency": pd.Categorical(rng.choice(["EUR", "CNY"], n)),
            "purchased_at": pd.date_range("2025-01-01", periods=n, freq="37min",
                                          tz="Asia/Shanghai"),
            "status": rng.choice(["completed"] * 3 + ["refunded", "cancelled"], n),
            "external_id": [f"ORD-{i:06d}" for i in range(n)],
        }
    )
    per_purchase = rng.integers(1, 6, n)  # 1 to 5 lines, 3 on average
    rows = np.repeat(np.arange(n), per_purchase)
    m = len(rows)
    skus = rng.choice(["TEA-01", "TEA-02", "MUG-01", "BOX"], m)
    items = pd.DataFrame(
        {
            "purchase_row": rows,
            "sku": skus,
            "name": np.where(skus == "BOX", "Mystery box", None),
            "quantity": rng.integers(1, 4, m),
            "unit_price": rng.integers(0, 5_000, m),
        }
    )
    return purchases, items


def test_add_many_from_dataframes(db, catalogue):
    buyers = db.customers.add_many({"name": [f"Buyer {i}" for i in range(300)]})
    purchases, items = _bulk(buyers, 10_000)
    assert 28_000 < len(items) < 32_000

    ids = db.purchases.add_many(purchases, items)
    assert isinstance(ids, np.ndarray) and ids.dtype == np.int64 and ids.shape == (10_000,)
    assert (np.diff(ids) > 0).all()
    assert len(db.purchases) == 10_000

    frame = db.purchases.purchases_frame()
    assert_purchases_frame(frame)
    assert (frame.index.to_numpy() == ids).all()
    assert (frame["customer_id"].to_numpy() == purchases["customer_id"].to_numpy()).all()
    assert (frame["amount"].to_numpy() == purchases["amount"].to_numpy()).all()
    assert frame["currency"].astype(str).tolist() == purchases["currency"].astype(str).tolist()
    assert frame["status"].astype(str).tolist() == purchases["status"].tolist()
    assert frame["external_id"].tolist() == purchases["external_id"].tolist()
    expected = purchases["purchased_at"].dt.tz_convert("UTC").astype(UTC_US)
    assert (frame["purchased_at"].to_numpy() == expected.to_numpy()).all()
    assert frame["purchased_at"].iloc[0] == pd.Timestamp("2024-12-31 16:00", tz="UTC")
    assert db.purchases.count(status="refunded") == (purchases["status"] == "refunded").sum()

    lines = db.purchases.line_items_frame()
    assert_lines_frame(lines)
    assert len(lines) == len(items)
    rows = items["purchase_row"].to_numpy()
    assert (lines["purchase_id"].to_numpy() == ids[rows]).all()
    assert (lines["customer_id"].to_numpy() == purchases["customer_id"].to_numpy()[rows]).all()
    assert (lines["line"].to_numpy() == items.groupby("purchase_row").cumcount().to_numpy() + 1).all()
    assert (lines["quantity"].to_numpy() == items["quantity"].to_numpy()).all()
    assert (lines["unit_price"].to_numpy() == items["unit_price"].to_numpy()).all()
    by_sku = {p.sku: p for p in catalogue}
    want_names = [by_sku[s].name if s in by_sku else "Mystery box" for s in items["sku"]]
    assert lines["name"].tolist() == want_names
    box = (items["sku"] == "BOX").to_numpy()
    assert lines["product_id"][box].isna().all()
    assert lines["category"][box].isna().all()
    assert lines["product_id"][~box].tolist() == [by_sku[s].id for s in items["sku"][~box]]
    assert set(lines["category"][~box]) == {"tea", "kitchen"}


def test_add_many_from_a_dict_with_one_currency(db, people):
    cid = people[0].id
    ids = db.purchases.add_many(
        {
            "customer_id": [cid, cid, people[1].id],
            "amount": np.array([100, 200, 300], dtype=np.int32),
            "currency": "cny",
            "purchased_at": [datetime(2026, 1, 1), None,
                             datetime(2026, 1, 3, 8, tzinfo=ZoneInfo("Asia/Shanghai"))],
        }
    )
    got = [db.purchases.get(int(i)) for i in ids]
    assert [p.currency for p in got] == ["CNY"] * 3
    assert [p.status for p in got] == ["completed"] * 3
    assert [p.purchased_at for p in got] == [utc(2026, 1, 1), T0, utc(2026, 1, 3)]
    assert [p.items for p in got] == [[], [], []]
    assert [p.amount for p in got] == [100, 200, 300]
    # status as one str as well, and pandas' nullable integers
    more = db.purchases.add_many({"customer_id": pd.array([cid], dtype="Int64"),
                                  "amount": pd.Series([5], dtype="UInt16"),
                                  "currency": "EUR", "status": "cancelled"})
    assert db.purchases.get(int(more[0])).status == "cancelled"


def test_add_many_items_by_product_id_with_gaps(db, people, catalogue):
    tea, black, mug = catalogue
    ids = db.purchases.add_many(
        {"customer_id": [people[0].id] * 2, "amount": [1, 2], "currency": ["EUR", "USD"]},
        items={
            "purchase_row": [1, 0, 1],
            "product_id": [mug.id, np.nan, tea.id],  # float64 with NaN: pandas' ints with gaps
            "name": [None, "Card", None],
            "quantity": [1, 2, 3],
            "unit_price": [10, 20, 30],
        },
    )
    first, second = (db.purchases.get(int(i)) for i in ids)
    assert [(i.product_id, i.name) for i in first.items] == [(None, "Card")]
    assert [(i.line, i.product_id, i.sku, i.name) for i in second.items] == [
        (1, mug.id, "MUG-01", "Mug"), (2, tea.id, "TEA-01", "Green tea")]
    again = db.purchases.add_many(
        {"customer_id": [people[0].id], "amount": [1], "currency": "EUR"},
        items=pd.DataFrame({"purchase_row": [0], "product_id": pd.array([black.id], dtype="Int64"),
                            "quantity": [1], "unit_price": [1]}))
    assert db.purchases.get(int(again[0])).items[0].name == "Black tea"


def test_add_many_of_nothing(db):
    ids = db.purchases.add_many(
        pd.DataFrame({"customer_id": pd.Series([], dtype=np.int64),
                      "amount": pd.Series([], dtype=np.int64), "currency": pd.Series([], dtype=str)}),
        items=pd.DataFrame({"purchase_row": pd.Series([], dtype=np.int64),
                            "quantity": pd.Series([], dtype=np.int64),
                            "unit_price": pd.Series([], dtype=np.int64)}))
    assert ids.dtype == np.int64 and len(ids) == 0
    assert len(db.purchases) == 0


# ---------------------------------------------------------------- bad bulk input: nothing written


def _three(people, **changes):
    cols = {"customer_id": [people[0].id, people[1].id, people[2].id], "amount": [100, 200, 300],
            "currency": ["EUR", "EUR", "USD"], "external_id": ["B-1", "B-2", "B-3"]}
    cols.update(changes)
    return cols


def _lines(**changes):
    cols = {"purchase_row": [0, 1, 2, 2], "sku": ["TEA-01", "TEA-02", "MUG-01", "TEA-01"],
            "quantity": [1, 1, 1, 1], "unit_price": [1, 1, 1, 1]}
    cols.update(changes)
    return cols


@pytest.mark.parametrize(
    "purchases, items, cls, builtin, match",
    [
        (dict(customer_id=[1, 2, 999]), None, crm.NotFoundError, KeyError,
         r"customer id 999 \(row 2\)"),
        (dict(amount=[100, -1, 300]), None, crm.InvalidInputError, ValueError, "row 1: amount"),
        (dict(currency=["EUR", "EUR", "EURO"]), None, crm.InvalidInputError, ValueError,
         'row 2: currency "EURO"'),
        (dict(currency=["EUR", None, "USD"]), None, crm.InvalidInputError, ValueError,
         "row 1: currency"),
        (dict(status=["completed", "lost", None]), None, crm.InvalidInputError, ValueError,
         'row 1: status "lost"'),
        (dict(external_id=["B-1", "O-1", "B-3"]), None, crm.AlreadyExistsError, ValueError,
         'row 1: external_id "O-1"'),
        (dict(external_id=["B-1", "B-2", "B-1"]), None, crm.AlreadyExistsError, ValueError,
         'row 2: external_id "B-1"'),
        ({}, dict(quantity=[1, 1, 1, -2]), crm.InvalidInputError, ValueError,
         "row 2: line 2: quantity"),
        ({}, dict(unit_price=[1, -1, 1, 1]), crm.InvalidInputError, ValueError,
         "row 1: line 1: unit_price"),
        ({}, dict(sku=["TEA-01", "NOPE", "MUG-01", "TEA-01"]), crm.InvalidInputError, ValueError,
         'sku "NOPE".*not in the catalogue'),
        ({}, dict(product_id=[None, 999, None, None]), crm.NotFoundError, KeyError,
         "product id 999"),
        ({}, dict(purchase_row=[0, 1, 2, 3]), crm.InvalidArgumentError, TypeError,
         "item 3: purchase row 3 is out of range"),
        ({}, dict(purchase_row=[0, -1, 2, 2]), crm.InvalidArgumentError, TypeError,
         "item 1: purchase row -1 is out of range"),
    ],
)
def test_a_bad_row_writes_nothing_and_is_named(db, people, orders, purchases, items, cls, builtin,
                                               match):
    if "customer_id" in purchases:  # real ids, with the bad one kept
        purchases["customer_id"] = [people[0].id, people[1].id, purchases["customer_id"][2]]
    with raises(db, cls, builtin, match=match):
        db.purchases.add_many(_three(people, **purchases), _lines(**items or {}))


@pytest.mark.parametrize(
    "purchases, items, match",
    [
        (dict(amount=[1.0, 2.0, 3.0]), None, "column amount: expected integers, got float64"),
        (dict(amount=["1.00", "2.00", "3.00"]), None, "column amount, row 0: expected int, got str"),
        (dict(amount=[True, False, True]), None, "column amount: expected integers, got bool"),
        (dict(customer_id=[1, None, 3]), None, "column customer_id, row 1: a value is required"),
        (dict(customer_id=np.array([1, None, 3], dtype=object)), None,
         "column customer_id, row 1: expected int, got NoneType"),
        (dict(customer_id=pd.array([1, None, 3], dtype="Int64")), None,
         "column customer_id, row 1: a value is required"),
        (dict(currency=[978, 978, 978]), None, "column currency, row 0: expected str, got int"),
        (dict(currency=5), None, "column currency"),
        (dict(purchased_at=["2026-01-01"] * 3), None, "purchased_at, row 0: expected a datetime"),
        (dict(colour=["red"] * 3), None, '"colour"'),
        (dict(amount=[1, 2]), None, "column amount has 2 values, customer_id has 3"),
        ({}, dict(quantity=[1, 1.5, 1, 1]), "column quantity, row 1: expected int, got float 1.5"),
        ({}, dict(quantity=[1.0, 1.0, 1.0, 2.0]), "column quantity: expected integers, got float64"),
        ({}, dict(quantity=[1, "2", 1, 1]), "column quantity, row 1: expected int, got str"),
        ({}, dict(product_id=[None, 1.5, None, None]), "column product_id, row 1: expected int"),
        ({}, dict(colour=[1, 2, 3, 4]), 'items: unknown column.*"colour"'),
        ({}, dict(sku=["A", "B"]), "item_sku has 2 values, item_purchase_row has 4"),
    ],
)
def test_bulk_wrong_types_and_shapes(db, people, orders, purchases, items, match):
    with raises(db, crm.InvalidArgumentError, TypeError, match=match) as info:
        db.purchases.add_many(_three(people, **purchases), _lines(**items or {}))
    assert info.value.code == 1


def test_bulk_missing_columns(db, people, orders):
    three = _three(people)
    for column in ("customer_id", "amount", "currency"):
        cols = {k: v for k, v in three.items() if k != column}
        with raises(db, crm.InvalidArgumentError, TypeError, match=f"a {column} column is required"):
            db.purchases.add_many(cols)
    for column in ("purchase_row", "quantity", "unit_price"):
        lines = {k: v for k, v in _lines().items() if k != column}
        with raises(db, crm.InvalidArgumentError, TypeError,
                    match=f"items: a {column} column is required"):
            db.purchases.add_many(three, lines)
    with raises(db, crm.InvalidArgumentError, TypeError, match="DataFrame or a dict"):
        db.purchases.add_many([{"customer_id": 1, "amount": 1, "currency": "EUR"}])
    with raises(db, crm.InvalidArgumentError, TypeError, match="DataFrame or a dict"):
        db.purchases.add_many(three, items=[{"purchase_row": 0}])


# ---------------------------------------------------------------- customers with purchases


def test_deleting_a_customer_with_purchases(db, people, orders):
    ada = people[0]
    with raises(db, crm.ConstraintError, ValueError, match="purchases") as info:
        db.customers.delete(ada.id)
    assert info.value.code == 5
    db.customers.delete(ada.id, cascade=True)
    assert db.purchases.count(customer_id=ada.id) == 0
    assert len(db.purchases) == 3
    lines = db.purchases.line_items_frame()
    assert ada.id not in set(lines["customer_id"]) and len(lines) == 2
    with pytest.raises(crm.NotFoundError):
        db.purchases.get(orders[0].id)
    db.customers.delete(people[3].id)  # no purchases: no cascade needed


# ---------------------------------------------------------------- bad input, one purchase


def test_unknown_customer_and_product(db, people, orders):
    with raises(db, crm.NotFoundError, KeyError, match="customer id 999 not found") as info:
        db.purchases.add(999, 100, "EUR")
    assert info.value.code == 3
    with raises(db, crm.NotFoundError, KeyError, match=r"product id 999 \(line 2\) not found"):
        db.purchases.add(people[0].id, 100, "EUR",
                         items=[{"sku": "TEA-01", "quantity": 1, "unit_price": 1},
                                {"product_id": 999, "quantity": 1, "unit_price": 1}])
    with raises(db, crm.NotFoundError, KeyError, match="purchase id 999 not found"):
        db.purchases.get(999)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(amount=-1), 'amount "-1 EUR": must not be negative'),
        (dict(currency="EURO"), 'currency "EURO"'),
        (dict(currency=""), "currency"),
        (dict(status="lost"), 'status "lost"'),
        (dict(items=[{"sku": "TEA-01", "quantity": -1, "unit_price": 1}]), "line 1: quantity"),
        (dict(items=[{"sku": "TEA-01", "quantity": 0, "unit_price": 1}]), "line 1: quantity"),
        (dict(items=[{"sku": "TEA-01", "quantity": 1, "unit_price": 1},
                     {"name": "x", "quantity": 1, "unit_price": -5}]), "line 2: unit_price"),
        (dict(items=[{"sku": "NOPE", "quantity": 1, "unit_price": 1}]), "not in the catalogue"),
        (dict(items=[{"quantity": 1, "unit_price": 1}]), "needs a product_id, a sku or a name"),
    ],
)
def test_invalid_values(db, people, orders, kwargs, match):
    args = dict(customer_id=people[0].id, amount=100, currency="EUR")
    args.update(kwargs)
    with raises(db, crm.InvalidInputError, ValueError, match=match) as info:
        db.purchases.add(**args)
    assert info.value.code == 2


def test_duplicate_external_id(db, people, orders):
    with raises(db, crm.AlreadyExistsError, ValueError,
                match='external_id "O-1" already exists') as info:
        db.purchases.add(people[1].id, 100, "EUR", external_id=" O-1 ")
    assert info.value.code == 4


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(amount="12.50"), "amount: expected int, got str"),
        (dict(amount=12.5), "amount: expected int, got float"),
        (dict(amount=None), "amount: expected int"),
        (dict(amount=2**64), "64 bits"),
        (dict(customer_id=None), "customer_id: expected int"),
        (dict(customer_id="1"), "customer_id: expected int"),
        (dict(currency=None), "currency cannot be None"),
        (dict(currency=978), "currency: expected str"),
        (dict(status=1), "status: expected str"),
        (dict(external_id=7), "external_id: expected str"),
        (dict(purchased_at="2026-01-01"), "purchased_at: expected a datetime"),
        (dict(items="TEA-01"), "items: expected a list of line items"),
        (dict(items={"sku": "TEA-01"}), "items: expected a list of line items"),
        (dict(items=5), "items: expected a list of line items"),
        (dict(items=[5]), r"items\[0\]: expected a dict or a crm.LineItem, got int"),
        (dict(items=[{"sku": "TEA-01", "quantity": 1.5, "unit_price": 1}]),
         r"items\[0\].quantity: expected int, got float"),
        (dict(items=[{"sku": "TEA-01", "quantity": 1, "unit_price": "1"}]),
         r"items\[0\].unit_price: expected int"),
        (dict(items=[{"sku": "TEA-01", "quantity": 1, "unit_price": 1, "colour": "red"}]),
         r'items\[0\]: unknown key "colour"'),
        (dict(items=[{"sku": "TEA-01", "quantity": 1, "unit_price": 1, "line": 2}]),
         r"items\[0\].line: is 2, but this is line 1"),
        (dict(items=[{"sku": "TEA-01", "unit_price": 1}]), r"items\[0\]: quantity is required"),
        (dict(items=[{"sku": "TEA-01", "quantity": 1}]), r"items\[0\]: unit_price is required"),
        (dict(items=[{"sku": 5, "quantity": 1, "unit_price": 1}]), r"items\[0\].sku: expected str"),
        (dict(items=[{"product_id": "7", "quantity": 1, "unit_price": 1}]),
         r"items\[0\].product_id: expected int"),
    ],
)
def test_wrong_types(db, people, orders, kwargs, match):
    args = dict(customer_id=people[0].id, amount=100, currency="EUR")
    args.update(kwargs)
    with raises(db, crm.InvalidArgumentError, TypeError, match=match) as info:
        db.purchases.add(**args)
    assert info.value.code == 1
    assert isinstance(info.value, ValueError)
