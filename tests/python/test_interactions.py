"""Interactions and the customer timeline: add, add_many, get, timeline, find, count, the frames,
metadata — and bad input, each leaving the store as it was."""

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
COLUMNS = ["customer_id", "channel", "direction", "kind", "occurred_at", "subject", "body",
           "metadata", "campaign_id", "ticket_id"]
CHANNELS = ("email", "phone", "chat", "sms", "social", "web", "in_person")
DIRECTIONS = ("inbound", "outbound")
KINDS = ("note", "call", "message", "meeting", "visit", "other")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def assert_frame(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == COLUMNS
    assert frame.index.name == "id" and frame.index.dtype == np.int64
    assert frame["customer_id"].dtype == np.int64
    assert frame["channel"].dtype == pd.CategoricalDtype(CHANNELS)
    assert frame["direction"].dtype == pd.CategoricalDtype(DIRECTIONS)
    assert frame["kind"].dtype == pd.CategoricalDtype(KINDS)
    for col, names in (("channel", CHANNELS), ("direction", DIRECTIONS), ("kind", KINDS)):
        assert list(frame[col].cat.categories) == list(names), col
        assert not frame[col].cat.ordered
    assert frame["occurred_at"].dtype == UTC_US
    assert frame["subject"].dtype == STR and frame["body"].dtype == STR
    assert frame["metadata"].dtype == object
    assert all(isinstance(m, dict) for m in frame["metadata"])
    assert frame["campaign_id"].dtype == pd.Int64Dtype()
    assert frame["ticket_id"].dtype == pd.Int64Dtype()


@pytest.fixture
def touches(db, people):
    """Seven interactions: five of Ada's (one pair at the same time), one of Grace's, one of
    Alan's."""
    ada, grace, alan = people[:3]
    add = db.interactions.add
    return [
        add(ada.id, "email", kind="message", occurred_at=datetime(2026, 1, 5, 10),
            subject="Welcome", metadata={"campaign": "spring"}),
        add(ada.id, "phone", kind="call", direction="outbound",
            occurred_at=datetime(2026, 1, 12, 9), subject="Delivery date",
            body="Asked about the delivery date.", metadata={"agent": "li", "minutes": 4}),
        add(ada.id, "chat", occurred_at=datetime(2026, 2, 1, 15), subject="Refund?"),
        add(ada.id, "in_person", kind="visit", occurred_at=datetime(2026, 2, 1, 15),
            subject="Shop visit"),
        add(ada.id, "phone", kind="call", occurred_at=datetime(2025, 12, 20, 8)),
        add(grace.id, "email", kind="message", direction="outbound",
            occurred_at=datetime(2026, 1, 20, 10), subject="Offer"),
        add(alan.id, "web", kind="other", occurred_at=datetime(2026, 2, 10, 11)),
    ]


def snapshot(db):
    return db.customers.find_frame(), db.interactions.find_frame()


@contextmanager
def raises(db, cls, builtin, match=None):
    """Asserts the exception class, its code, its builtin base, and that nothing changed."""
    before = snapshot(db)
    n = len(db.interactions)
    with pytest.raises(cls, match=match) as info:
        yield info
    e = info.value
    assert isinstance(e, crm.CrmError) and isinstance(e, builtin)
    assert e.code == cls.code and e.code_name == cls.code_name
    after = snapshot(db)
    assert len(db.interactions) == n, "interactions were written"
    assert after[0].equals(before[0]), "customers changed"
    assert after[1].equals(before[1]), "interactions changed"
    assert after[1]["metadata"].tolist() == before[1]["metadata"].tolist()


# ---------------------------------------------------------------- add and get


def test_vocabularies_come_from_the_engine():
    assert crm.CHANNELS == CHANNELS
    assert crm.DIRECTIONS == DIRECTIONS
    assert crm.INTERACTION_KINDS == KINDS
    assert crm.Interaction is crm._crm.Interaction


def test_add_returns_the_stored_interaction(db, people):
    ada = people[0]
    i = db.interactions.add(ada.id, "Phone", kind="CALL", direction="outbound",
                            occurred_at=datetime(2026, 2, 3, 4, 5), subject="  Delivery date ",
                            body="Asked about delivery.", metadata={"agent": "li"})
    assert isinstance(i, crm.Interaction)
    assert i.id >= 1 and i.customer_id == ada.id
    assert (i.channel, i.kind, i.direction) == ("phone", "call", "outbound")
    assert i.occurred_at == utc(2026, 2, 3, 4, 5) and i.occurred_at.tzinfo is not None
    assert i.created_at == T0
    assert (i.subject, i.body) == ("Delivery date", "Asked about delivery.")
    assert i.metadata == {"agent": "li"}
    assert db.interactions.get(i.id) == i
    assert db.interactions.get(np.int64(i.id)) == i


def test_defaults_and_none(db, people):
    i = db.interactions.add(people[0].id, "chat")
    assert (i.kind, i.direction) == ("note", "inbound")
    assert i.occurred_at == i.created_at == T0  # the handle's clock
    assert (i.subject, i.body, i.metadata) == (None, None, {})
    j = db.interactions.add(people[0].id, "sms", kind=None, direction=None, occurred_at=None,
                            subject="   ", body=" \n ", metadata=None)
    assert (j.kind, j.direction, j.subject, j.body, j.metadata) == (
        "note", "inbound", None, None, {})


def test_times(db, people):
    cid = people[0].id
    add = db.interactions.add
    assert add(cid, "web", occurred_at=datetime(2026, 1, 5, 10)).occurred_at == utc(2026, 1, 5, 10)
    aware = datetime(2026, 1, 5, 18, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert add(cid, "web", occurred_at=aware).occurred_at == utc(2026, 1, 5, 10)
    assert add(cid, "web", occurred_at=pd.Timestamp("2026-01-05 10:00")).occurred_at == utc(
        2026, 1, 5, 10)
    assert add(cid, "web", occurred_at=np.datetime64("2026-01-05T10:00")).occurred_at == utc(
        2026, 1, 5, 10)


def test_interaction_is_a_read_only_value(db, touches):
    i = touches[1]
    with pytest.raises(AttributeError):
        i.subject = "x"  # type: ignore[misc]
    assert i == db.interactions.get(i.id) and i != touches[0] and i != i.id
    assert len({i, db.interactions.get(i.id)}) == 1
    r = repr(i)
    assert r.startswith("Interaction(id=") and "channel='phone'" in r and "kind='call'" in r
    assert "'Delivery date'" in r and "2026-01-12T09:00:00Z" in r
    d = i.to_dict()
    assert list(d) == ["id", "customer_id", "channel", "direction", "kind", "occurred_at",
                       "subject", "body", "metadata", "campaign_id", "ticket_id",
                       "created_at"]
    assert d["occurred_at"] == utc(2026, 1, 12, 9) and d["created_at"] == T0
    assert d["metadata"] == {"agent": "li", "minutes": 4}
    # metadata is a new dict on each access: changing it changes nothing stored
    m = i.metadata
    m["agent"] = "someone else"
    assert i.metadata == {"agent": "li", "minutes": 4}
    assert db.interactions.get(i.id).metadata == {"agent": "li", "minutes": 4}


def test_metadata_round_trip(db, people):
    meta = {
        "agent": {"name": "Li Wei", "team": ["support", "vip"], "level": 3},
        "scores": [1, 2.5, -3, None, True, False],
        "nested": {"a": {"b": {"c": [{"d": "é ✓ 中文"}]}}},
        "empty": {}, "none": None, "big": 2**53, "float": 0.1,
    }
    i = db.interactions.add(people[0].id, "email", metadata=meta)
    assert i.metadata == meta
    assert db.interactions.get(i.id).metadata == meta
    assert db.interactions.find_frame()["metadata"].iloc[0] == meta
    # JSON text of an object is the same
    j = db.interactions.add(people[0].id, "email", metadata='{"x": [1, {"y": null}]}')
    assert j.metadata == {"x": [1, {"y": None}]}
    # numpy values inside become their Python values
    k = db.interactions.add(people[0].id, "email",
                            metadata={"n": np.int64(4), "f": np.float64(0.5),
                                      "a": np.array([1, 2])})
    assert k.metadata == {"n": 4, "f": 0.5, "a": [1, 2]}
    assert type(k.metadata["n"]) is int


# ---------------------------------------------------------------- timeline


def test_timeline_is_newest_first(db, people, touches):
    ada = people[0]
    got = db.interactions.timeline(ada.id)
    # newest first; the two at the same time by id, newest (highest) first
    assert got == [touches[3], touches[2], touches[1], touches[0], touches[4]]
    assert all(i.customer_id == ada.id for i in got)
    assert db.interactions.timeline(people[1].id) == [touches[5]]
    assert db.interactions.timeline(people[3].id) == []
    assert db.interactions.timeline(np.int64(ada.id)) == got


def test_timeline_order_and_pages(db, people, touches):
    ada = people[0]
    full = db.interactions.timeline(ada.id)
    pages = [db.interactions.timeline(ada.id, limit=2, offset=o) for o in (0, 2, 4, 6)]
    assert [len(p) for p in pages] == [2, 2, 1, 0]
    assert [i for page in pages for i in page] == full
    assert db.interactions.timeline(ada.id, limit=0) == []
    assert db.interactions.timeline(ada.id, offset=4) == full[4:]
    oldest_first = db.interactions.timeline(ada.id, order_by="occurred_at")
    assert oldest_first == [touches[4], touches[0], touches[1], touches[2], touches[3]]
    assert db.interactions.timeline(ada.id, order_by=["kind", "-id"]) == [
        touches[4], touches[1], touches[0], touches[2], touches[3]]


@pytest.mark.parametrize(
    "filters, expected",
    [
        (dict(channel="phone"), [1, 4]),
        (dict(kind__in=["call", "visit"]), [3, 1, 4]),
        (dict(direction="outbound"), [1]),
        (dict(occurred_at__gte=date(2026, 1, 1)), [3, 2, 1, 0]),
        (dict(occurred_at__gte="2026-01-10", occurred_at__lt=datetime(2026, 2, 1, 15)), [1]),
        (dict(subject__contains="DELIVERY"), [1]),
        (dict(subject__isnull=True), [4]),
        (dict(channel__not_in=["phone", "email"], kind="note"), [2]),
    ],
)
def test_timeline_filters(db, people, touches, filters, expected):
    assert db.interactions.timeline(people[0].id, **filters) == [touches[i] for i in expected]


def test_timeline_frame(db, people, touches):
    frame = db.interactions.timeline_frame(people[0].id, occurred_at__gte=date(2026, 1, 1))
    assert_frame(frame)
    want = [touches[i] for i in (3, 2, 1, 0)]
    assert list(frame.index) == [i.id for i in want]
    assert frame["channel"].astype(str).tolist() == ["in_person", "chat", "phone", "email"]
    assert frame["occurred_at"].tolist() == [pd.Timestamp(i.occurred_at) for i in want]
    assert frame["metadata"].tolist() == [{}, {}, {"agent": "li", "minutes": 4},
                                          {"campaign": "spring"}]
    paged = db.interactions.timeline_frame(people[0].id, limit=2, offset=1, order_by="-id")
    assert list(paged.index) == [touches[3].id, touches[2].id]
    empty = db.interactions.timeline_frame(people[4].id)
    assert len(empty) == 0
    assert_frame(empty)


# ---------------------------------------------------------------- find, count, frames


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, [0, 1, 2, 3, 4, 5, 6]),
        (dict(channel="email"), [0, 5]),
        (dict(kind__in=["message", "other"]), [0, 5, 6]),
        (dict(direction="outbound", channel="email"), [5]),
        (dict(occurred_at__gte=date(2026, 2, 1)), [2, 3, 6]),
        (dict(occurred_at__between=(datetime(2026, 1, 1), datetime(2026, 1, 31))), [0, 1, 5]),
        (dict(created_at=T0), [0, 1, 2, 3, 4, 5, 6]),
    ],
)
def test_find_and_count_with_filters(db, touches, filters, expected):
    want = [touches[i] for i in expected]
    assert db.interactions.find(**filters) == want
    assert db.interactions.count(**filters) == len(want)


def test_find_by_customer_order_and_pages(db, people, touches):
    assert db.interactions.find(customer_id__in=[people[1].id, people[2].id]) == touches[5:]
    assert db.interactions.count(customer_id=np.int64(people[0].id)) == 5
    by_time = sorted(touches, key=lambda i: (i.occurred_at, i.id))
    assert db.interactions.find(order_by="occurred_at") == by_time
    pages = [db.interactions.find(order_by="occurred_at", limit=3, offset=o) for o in (0, 3, 6)]
    assert [i for page in pages for i in page] == by_time
    assert db.interactions.find(limit=0) == []


def test_len_and_count(db, touches):
    assert len(db.interactions) == db.interactions.count() == 7
    assert repr(db.interactions).startswith("<crm.Interactions of ")


def test_find_frame(db, people, touches):
    frame = db.interactions.find_frame()
    assert_frame(frame)
    assert list(frame.index) == [i.id for i in touches]
    assert frame["customer_id"].tolist() == [i.customer_id for i in touches]
    assert frame["channel"].astype(str).tolist() == [i.channel for i in touches]
    assert frame["direction"].astype(str).tolist() == [i.direction for i in touches]
    assert frame["kind"].astype(str).tolist() == [i.kind for i in touches]
    assert frame["occurred_at"].tolist() == [pd.Timestamp(i.occurred_at) for i in touches]
    assert frame["subject"].iloc[0] == "Welcome" and pd.isna(frame["subject"].iloc[4])
    assert frame["body"].iloc[1] == "Asked about the delivery date."
    assert pd.isna(frame["body"].iloc[0])
    assert frame["metadata"].tolist() == [i.metadata for i in touches]
    # the dicts are independent objects
    frame["metadata"].iloc[2]["x"] = 1
    assert frame["metadata"].iloc[3] == {}
    some = db.interactions.find_frame(channel="phone", order_by="-occurred_at", limit=1)
    assert list(some.index) == [touches[1].id]


def test_empty_frames_keep_columns_and_dtypes(db, touches):
    assert_frame(db.interactions.find_frame(channel="sms"))
    with crm.open() as empty:
        assert_frame(empty.interactions.find_frame())
        assert empty.interactions.find() == [] and len(empty.interactions) == 0


# ---------------------------------------------------------------- add_many


def test_add_many_of_10000_rows_from_a_dataframe(db):
    ids_c = db.customers.add_many({"name": [f"Customer {i}" for i in range(200)]})
    rng = np.random.default_rng(7)
    n = 10_000
    meta_choices = [{"campaign": "spring"}, None, '{"agent": "li", "score": 4}',
                    {"tags": ["a", "b"], "nested": {"k": 1.5}}]
    data = pd.DataFrame(
        {
            "customer_id": rng.choice(ids_c, n),
            "channel": pd.Categorical(rng.choice(list(CHANNELS), n)),
            "kind": rng.choice(list(KINDS), n),
            "direction": rng.choice(list(DIRECTIONS), n),
            "occurred_at": pd.date_range("2025-01-01", periods=n, freq="17min",
                                         tz="Asia/Shanghai"),
            "subject": [f"Subject {i}" if i % 3 else None for i in range(n)],
            "body": np.where(np.arange(n) % 2 == 0, "Some text", None),
            "metadata": [meta_choices[i % 4] for i in range(n)],
        }
    )
    ids = db.interactions.add_many(data)
    assert isinstance(ids, np.ndarray) and ids.dtype == np.int64 and ids.shape == (n,)
    assert (np.diff(ids) > 0).all()
    assert len(db.interactions) == n

    frame = db.interactions.find_frame()
    assert_frame(frame)
    assert (frame.index.to_numpy() == ids).all()
    assert (frame["customer_id"].to_numpy() == data["customer_id"].to_numpy()).all()
    for col in ("channel", "kind", "direction"):
        assert frame[col].astype(str).tolist() == data[col].astype(str).tolist(), col
    expected = data["occurred_at"].dt.tz_convert("UTC").astype(UTC_US)
    assert (frame["occurred_at"].to_numpy() == expected.to_numpy()).all()
    assert frame["occurred_at"].iloc[0] == pd.Timestamp("2024-12-31 16:00", tz="UTC")
    assert frame["subject"].isna().sum() == len(range(0, n, 3))
    assert frame["subject"].iloc[1] == "Subject 1"
    assert frame["body"].iloc[0] == "Some text" and pd.isna(frame["body"].iloc[1])
    want_meta = [{"campaign": "spring"}, {}, {"agent": "li", "score": 4},
                 {"tags": ["a", "b"], "nested": {"k": 1.5}}]
    assert frame["metadata"].tolist() == [want_meta[i % 4] for i in range(n)]
    assert db.interactions.count(channel="phone") == (data["channel"] == "phone").sum()
    cid = int(data["customer_id"].iloc[0])
    tl = db.interactions.timeline_frame(cid)
    assert len(tl) == (data["customer_id"] == cid).sum()
    assert tl["occurred_at"].is_monotonic_decreasing


def test_add_many_from_a_dict_with_defaults_and_one_channel(db, people):
    cid = people[0].id
    ids = db.interactions.add_many(
        {
            "customer_id": [cid, cid, people[1].id],
            "channel": "sms",
            "occurred_at": [datetime(2026, 1, 1), None,
                            datetime(2026, 1, 3, 8, tzinfo=ZoneInfo("Asia/Shanghai"))],
            "metadata": [None, {"a": 1}, float("nan")],
        }
    )
    got = [db.interactions.get(int(i)) for i in ids]
    assert [i.channel for i in got] == ["sms"] * 3
    assert [(i.kind, i.direction) for i in got] == [("note", "inbound")] * 3
    assert [i.occurred_at for i in got] == [utc(2026, 1, 1), T0, utc(2026, 1, 3)]
    assert [i.metadata for i in got] == [{}, {"a": 1}, {}]
    assert [i.customer_id for i in got] == [cid, cid, people[1].id]
    more = db.interactions.add_many({"customer_id": pd.array([cid], dtype="Int64"),
                                     "channel": ["email"], "kind": "meeting",
                                     "direction": [None]})
    m = db.interactions.get(int(more[0]))
    assert (m.channel, m.kind, m.direction) == ("email", "meeting", "inbound")


def test_add_many_of_nothing(db):
    ids = db.interactions.add_many(
        pd.DataFrame({"customer_id": pd.Series([], dtype=np.int64),
                      "channel": pd.Series([], dtype=str)}))
    assert ids.dtype == np.int64 and len(ids) == 0
    assert len(db.interactions) == 0


# ---------------------------------------------------------------- customers with interactions


def test_deleting_a_customer_with_interactions(db, people, touches):
    ada = people[0]
    with raises(db, crm.ConstraintError, ValueError, match="interactions") as info:
        db.customers.delete(ada.id)
    assert info.value.code == 5
    db.customers.delete(ada.id, cascade=True)
    assert db.interactions.count(customer_id=ada.id) == 0
    assert len(db.interactions) == 2
    with pytest.raises(crm.NotFoundError):
        db.interactions.get(touches[0].id)
    with pytest.raises(crm.NotFoundError):
        db.interactions.timeline(ada.id)
    db.customers.delete(people[3].id)  # no interactions: no cascade needed


# ---------------------------------------------------------------- bad input: nothing written


@pytest.mark.parametrize(
    "args, kwargs, cls, builtin, match",
    [
        ((999, "email"), {}, crm.NotFoundError, KeyError, "customer id 999"),
        ((None, "fax"), {}, crm.InvalidInputError, ValueError, 'channel "fax"'),
        ((None, "email"), dict(kind="lunch"), crm.InvalidInputError, ValueError, 'kind "lunch"'),
        ((None, "email"), dict(direction="sideways"), crm.InvalidInputError, ValueError,
         'direction "sideways"'),
        ((None, "email"), dict(metadata=[1, 2]), crm.InvalidInputError, ValueError,
         "metadata.*must be a JSON object"),
        ((None, "email"), dict(metadata="[1, 2]"), crm.InvalidInputError, ValueError,
         "metadata.*must be a JSON object"),
        ((None, "email"), dict(metadata=5), crm.InvalidInputError, ValueError,
         "metadata.*must be a JSON object"),
        ((None, "email"), dict(metadata="{oops"), crm.ParseError, ValueError,
         "metadata is not JSON"),
        ((None, "email"), dict(metadata=""), crm.ParseError, ValueError, "metadata is not JSON"),
        ((None, "email"), dict(metadata=object()), crm.InvalidArgumentError, TypeError,
         "metadata: cannot be written as JSON"),
        ((None, "email"), dict(metadata={"when": datetime(2026, 1, 1)}), crm.InvalidArgumentError,
         TypeError, "metadata: cannot be written as JSON"),
        ((None, "email"), dict(metadata={"x": float("nan")}), crm.InvalidArgumentError,
         TypeError, "metadata: cannot be written as JSON"),
        ((None, "email"), dict(metadata={"s": {1, 2}}), crm.InvalidArgumentError, TypeError,
         "metadata: cannot be written as JSON"),
        (("x", "email"), {}, crm.InvalidArgumentError, TypeError,
         "customer_id: expected int, got str"),
        ((1.0, "email"), {}, crm.InvalidArgumentError, TypeError,
         "customer_id: expected int, got float"),
        ((None, None), {}, crm.InvalidArgumentError, TypeError, "channel cannot be None"),
        ((None, 3), {}, crm.InvalidArgumentError, TypeError, "channel: expected str, got int"),
        ((None, "email"), dict(subject=5), crm.InvalidArgumentError, TypeError,
         "subject: expected str, got int"),
        ((None, "email"), dict(body=b"bytes"), crm.InvalidArgumentError, TypeError,
         "body: expected str, got bytes"),
        ((None, "email"), dict(kind=1), crm.InvalidArgumentError, TypeError,
         "kind: expected str"),
        ((None, "email"), dict(occurred_at="2026-01-01"), crm.InvalidArgumentError, TypeError,
         "occurred_at: expected a datetime"),
        ((None, "email"), dict(subject="x" * 501), crm.InvalidInputError, ValueError,
         "subject.*at most 500"),
        ((None, "email"), dict(body="a\0b"), crm.InvalidInputError, ValueError, "body.*NUL"),
    ],
)
def test_bad_input_writes_nothing(db, people, touches, args, kwargs, cls, builtin, match):
    customer_id, channel = args
    if customer_id is None:
        customer_id = people[0].id
    with raises(db, cls, builtin, match=match):
        db.interactions.add(customer_id, channel, **kwargs)


def test_unknown_ids(db, people, touches):
    with raises(db, crm.NotFoundError, KeyError, match="interaction id 999 not found"):
        db.interactions.get(999)
    with raises(db, crm.NotFoundError, KeyError, match="customer id 999 not found"):
        db.interactions.timeline(999)
    with raises(db, crm.NotFoundError, KeyError, match="customer id 999 not found"):
        db.interactions.timeline_frame(999, channel="email")
    with raises(db, crm.InvalidArgumentError, TypeError, match="customer_id: expected int"):
        db.interactions.timeline("1")
    with raises(db, crm.InvalidArgumentError, TypeError, match="id: expected int"):
        db.interactions.get("1")


def test_filter_errors(db, touches):
    with raises(db, crm.InvalidInputError, ValueError, match="no such field"):
        db.interactions.find(colour="red")
    with raises(db, crm.InvalidInputError, ValueError, match="no such field"):
        db.interactions.find(body__contains="x")  # body is not filterable
    with raises(db, crm.InvalidInputError, ValueError, match='channel "fax"'):
        db.interactions.count(channel="fax")
    with raises(db, crm.InvalidInputError, ValueError, match="no such field"):
        db.interactions.find_frame(order_by="metadata")
    with raises(db, crm.InvalidArgumentError, TypeError, match="offset"):
        db.interactions.timeline(touches[0].customer_id, offset=-1)
    with raises(db, crm.InvalidArgumentError, TypeError, match="limit"):
        db.interactions.find(limit="10")


def _three(people, **changes):
    cols = {"customer_id": [people[0].id, people[1].id, people[2].id],
            "channel": ["email", "phone", "chat"],
            "subject": ["a", "b", "c"],
            "metadata": [{"n": 0}, '{"n": 1}', None]}
    cols.update(changes)
    return cols


@pytest.mark.parametrize(
    "changes, cls, builtin, match",
    [
        (dict(customer_id=[1, 2, 999]), crm.NotFoundError, KeyError,
         r"customer id 999 \(row 2\)"),
        (dict(channel=["email", "phone", "fax"]), crm.InvalidInputError, ValueError,
         'row 2: channel "fax"'),
        (dict(channel=["email", None, "chat"]), crm.InvalidInputError, ValueError,
         "row 1: channel"),
        (dict(kind=["note", "lunch", "call"]), crm.InvalidInputError, ValueError,
         'row 1: kind "lunch"'),
        (dict(direction="sideways"), crm.InvalidInputError, ValueError,
         'direction "sideways"'),
        (dict(metadata=[{}, "{oops", None]), crm.ParseError, ValueError,
         "row 1: metadata is not JSON"),
        (dict(metadata=[{}, None, [1, 2]]), crm.InvalidInputError, ValueError,
         "row 2: metadata.*must be a JSON object"),
        (dict(metadata=[{}, None, "[1]"]), crm.InvalidInputError, ValueError,
         "row 2: metadata.*must be a JSON object"),
        (dict(metadata=[{}, {"x": object()}, None]), crm.InvalidArgumentError, TypeError,
         "column metadata, row 1: cannot be written as JSON"),
        (dict(subject=["a", "x" * 501, "c"]), crm.InvalidInputError, ValueError,
         "row 1: subject"),
        (dict(customer_id=[1, "x", 3]), crm.InvalidArgumentError, TypeError,
         "column customer_id, row 1: expected int, got str"),
        (dict(customer_id=[1.0, 2.0, 3.0]), crm.InvalidArgumentError, TypeError,
         "column customer_id: expected integers, got float64"),
        (dict(subject=["a", 5, "c"]), crm.InvalidArgumentError, TypeError,
         "column subject, row 1: expected str, got int"),
        (dict(occurred_at=["2026-01-01"] * 3), crm.InvalidArgumentError, TypeError,
         "occurred_at, row 0: expected a datetime"),
        (dict(channel=5), crm.InvalidArgumentError, TypeError, "column channel"),
        (dict(colour=["red"] * 3), crm.InvalidArgumentError, TypeError, '"colour"'),
        (dict(subject=["a", "b"]), crm.InvalidArgumentError, TypeError,
         "column subject has 2 values, customer_id has 3"),
        (dict(kind=["note"]), crm.InvalidArgumentError, TypeError,
         "column kind has 1 values, customer_id has 3"),
    ],
)
def test_a_bad_row_writes_nothing_and_is_named(db, people, touches, changes, cls, builtin, match):
    if "customer_id" in changes and changes["customer_id"][2] == 999:  # real ids, one bad
        changes["customer_id"] = [people[0].id, people[1].id, 999]
    with raises(db, cls, builtin, match=match):
        db.interactions.add_many(_three(people, **changes))


def test_bulk_missing_columns_and_wrong_containers(db, people, touches):
    three = _three(people)
    for column in ("customer_id", "channel"):
        cols = {k: v for k, v in three.items() if k != column}
        with raises(db, crm.InvalidArgumentError, TypeError,
                    match="the customer_id and channel columns are required"):
            db.interactions.add_many(cols)
    with raises(db, crm.InvalidArgumentError, TypeError, match="DataFrame or a dict"):
        db.interactions.add_many([{"customer_id": people[0].id, "channel": "email"}])
    with raises(db, crm.InvalidArgumentError, TypeError, match="column subject"):
        db.interactions.add_many({**three, "subject": "one str"})


def test_closed_database():
    handle = crm.open()
    cid = handle.customers.add("Ada").id
    handle.close()
    with pytest.raises(crm.InvalidArgumentError, match="closed"):
        handle.interactions.add(cid, "email")
    with pytest.raises(crm.InvalidArgumentError, match="closed"):
        len(handle.interactions)
