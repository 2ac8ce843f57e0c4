"""Columnar work: find_frame and add_many with pandas and numpy."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

import crm
from conftest import T0

STAGE_DTYPE = pd.CategoricalDtype(["lead", "prospect", "customer", "churned"])
SOURCE_DTYPE = pd.CategoricalDtype(["web", "referral", "ads", "event", "partner", "other"])
UTC_US = pd.DatetimeTZDtype(unit="us", tz="UTC")
STR = pd.StringDtype(na_value=np.nan)  # pandas' default string dtype, "str"
COLUMNS = ["external_id", "name", "email", "phone", "company", "stage", "source", "tags",
           "created_at", "updated_at", "version"]


def assert_frame_shape(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == COLUMNS
    assert frame.index.name == "id"
    assert frame.index.dtype == np.int64
    for col in ("external_id", "name", "email", "phone", "company"):
        assert frame[col].dtype == STR, col
    assert frame["stage"].dtype == STAGE_DTYPE
    assert list(frame["stage"].cat.categories) == list(crm.STAGES)
    assert frame["source"].dtype == SOURCE_DTYPE
    assert list(frame["source"].cat.categories) == list(crm.SOURCES)
    assert frame["tags"].dtype == object
    assert frame["created_at"].dtype == UTC_US
    assert frame["updated_at"].dtype == UTC_US
    assert frame["version"].dtype == np.int64


def test_find_frame_dtypes_and_values(db, people):
    frame = db.customers.find_frame()
    assert_frame_shape(frame)
    assert list(frame.index) == [c.id for c in people]
    ada = frame.loc[people[0].id]
    assert ada["name"] == "Ada Lovelace"
    assert ada["email"] == "ada@example.com"
    assert pd.isna(ada["phone"])
    assert ada["stage"] == "customer" and ada["source"] == "referral"
    assert ada["tags"] == ["newsletter", "vip"]
    assert frame.loc[people[2].id, "tags"] == []
    assert ada["created_at"] == pd.Timestamp(T0)
    assert ada["version"] == 1
    assert frame["created_at"].tolist() == [pd.Timestamp(c.created_at) for c in people]


def test_find_frame_takes_the_same_arguments_as_find(db, people):
    frame = db.customers.find_frame(source__in=["web", "ads"], order_by="-name", limit=2)
    want = [c.id for c in db.customers.find(source__in=["web", "ads"], order_by="-name", limit=2)]
    assert list(frame.index) == want
    assert_frame_shape(frame)


def test_empty_frame_has_the_columns_and_dtypes(db, people):
    frame = db.customers.find_frame(stage="lead", source="partner")
    assert len(frame) == 0
    assert_frame_shape(frame)
    empty_store = crm.open()
    assert_frame_shape(empty_store.customers.find_frame())


def _frame(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    return pd.DataFrame(
        {
            "external_id": [f"EXT-{i:05d}" for i in range(n)],
            "name": [f"Customer {i}" for i in range(n)],
            "email": [f"Person.{i}@Example.com" if i % 3 else None for i in range(n)],
            "stage": rng.choice(["lead", "prospect", "customer", "churned"], n),
            "source": rng.choice(["web", "referral", "ads"], n),
            "tags": ["vip,newsletter" if i % 10 == 0 else np.nan for i in range(n)],
            "created_at": pd.date_range("2025-01-01", periods=n, freq="h"),  # datetime64[ns], naive
        }
    )


def test_add_many_from_a_dataframe(db):
    data = _frame(5_000)
    ids = db.customers.add_many(data)
    assert isinstance(ids, np.ndarray) and ids.dtype == np.int64 and ids.shape == (5_000,)
    assert (np.diff(ids) > 0).all()
    assert len(db.customers) == 5_000

    frame = db.customers.find_frame()
    assert_frame_shape(frame)
    assert list(frame.index) == ids.tolist()
    assert frame["name"].tolist() == data["name"].tolist()
    assert frame["email"].iloc[1] == "person.1@example.com"
    assert pd.isna(frame["email"].iloc[0])
    assert frame["tags"].iloc[0] == ["newsletter", "vip"] and frame["tags"].iloc[1] == []
    assert frame["stage"].astype(str).tolist() == data["stage"].tolist()
    expected = data["created_at"].dt.tz_localize("UTC").astype(UTC_US)
    assert (frame["created_at"].to_numpy() == expected.to_numpy()).all()
    assert (frame["updated_at"] >= frame["created_at"]).all()
    assert db.customers.count(tags="vip") == 500


def test_add_many_from_a_dict_of_columns(db):
    n = 1_000
    ids = db.customers.add_many(
        {
            "name": np.array([f"N{i}" for i in range(n)]),
            "phone": pd.Series(["+49 30 1234567" if i % 2 else pd.NA for i in range(n)], dtype="string"),
            "company": [None if i % 4 == 0 else "ACME" for i in range(n)],
            "source": ["web"] * n,
            "tags": [["a", "B"] if i % 2 else [] for i in range(n)],
            "created_at": [datetime(2025, 6, 1) + timedelta(minutes=i) if i % 5 else None
                           for i in range(n)],
        }
    )
    assert len(ids) == n
    first, second = db.customers.get(int(ids[0])), db.customers.get(int(ids[1]))
    assert first.phone is None and second.phone == "+49301234567"
    assert first.company is None and second.company == "ACME"
    assert first.tags == [] and second.tags == ["a", "b"]
    assert first.created_at == T0  # None: the handle's clock
    assert second.created_at == datetime(2025, 6, 1, 0, 1, tzinfo=timezone.utc)
    assert db.customers.count(source="web") == n


def test_add_many_missing_values_are_absent(db):
    ids = db.customers.add_many(
        pd.DataFrame(
            {
                "name": ["A", "B", "C", "D"],
                "email": ["a@example.com", None, np.nan, pd.NA],
                "stage": ["customer", np.nan, None, "lead"],
                "created_at": pd.to_datetime(["2024-05-01", None, "2024-05-03", pd.NaT]),
            }
        )
    )
    got = [db.customers.get(int(i)) for i in ids]
    assert [c.email for c in got] == ["a@example.com", None, None, None]
    assert [c.stage for c in got] == ["customer", "lead", "lead", "lead"]
    assert got[0].created_at == datetime(2024, 5, 1, tzinfo=timezone.utc)
    assert got[1].created_at == T0 and got[3].created_at == T0


def test_add_many_converts_aware_created_at(db):
    stamps = pd.Series(pd.to_datetime(["2026-01-01 08:00", "2026-07-01 08:00"])).dt.tz_localize(
        "Asia/Shanghai")
    ids = db.customers.add_many({"name": ["A", "B"], "created_at": stamps})
    got = [db.customers.get(int(i)).created_at for i in ids]
    assert got == [datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc),
                   datetime(2026, 7, 1, 0, 0, tzinfo=timezone.utc)]


def test_add_many_of_nothing(db):
    ids = db.customers.add_many(pd.DataFrame({"name": pd.Series([], dtype=object)}))
    assert ids.dtype == np.int64 and len(ids) == 0
    assert len(db.customers) == 0


def test_add_many_bad_row_writes_nothing_and_names_the_row(db):
    data = _frame(3_000)
    data.loc[1_234, "email"] = "not-an-address"
    with pytest.raises(crm.InvalidInputError, match="row 1234: email") as info:
        db.customers.add_many(data)
    assert info.value.code == 2 and isinstance(info.value, ValueError)
    assert len(db.customers) == 0


def test_add_many_missing_name_names_the_row(db):
    with pytest.raises(crm.InvalidInputError, match="row 2: name"):
        db.customers.add_many({"name": ["A", "B", np.nan]})
    assert len(db.customers) == 0


def test_add_many_duplicate_external_id_names_the_row(db, people):
    with pytest.raises(crm.AlreadyExistsError, match='row 1: external_id "A-1"'):
        db.customers.add_many({"name": ["X", "Y"], "external_id": ["NEW-1", "A-1"]})
    assert len(db.customers) == len(people)


def test_add_many_columns_of_different_length(db):
    with pytest.raises(crm.InvalidArgumentError, match="email has 2 values, name has 3") as info:
        db.customers.add_many({"name": ["A", "B", "C"], "email": ["a@example.com", None]})
    assert info.value.code == 1
    assert len(db.customers) == 0


def test_add_many_unknown_columns_are_named(db):
    with pytest.raises(crm.InvalidArgumentError, match='"colour", "size"'):
        db.customers.add_many(pd.DataFrame({"name": ["A"], "colour": ["red"], "size": [3]}))
    with pytest.raises(crm.InvalidArgumentError, match="name column is required"):
        db.customers.add_many({"email": ["a@example.com"]})
    assert len(db.customers) == 0


def test_add_many_tag_with_a_comma_is_invalid_input(db):
    # The same rule, and the same error, as for a single add.
    with pytest.raises(crm.InvalidInputError, match=r"row 1: tag \"a,b\".*comma"):
        db.customers.add_many({"name": ["A", "B"], "tags": [["ok"], ["a,b"]]})
    with pytest.raises(crm.InvalidInputError, match="comma"):
        db.customers.add("C", tags=["a,b"])
    assert len(db.customers) == 0


@pytest.mark.parametrize(
    "data, match",
    [
        ([{"name": "A"}], "DataFrame or a dict"),
        ({"name": "Ada"}, "column name"),
        ({"name": [1, 2]}, "column name, row 0: expected str, got int"),
        ({"name": ["A"], "tags": [5]}, "column tags, row 0"),
        ({"name": ["A"], "created_at": ["2024-01-01"]}, "created_at, row 0: expected a datetime"),
    ],
)
def test_add_many_wrong_types(db, data, match):
    with pytest.raises(crm.InvalidArgumentError, match=match) as info:
        db.customers.add_many(data)
    assert isinstance(info.value, TypeError)
    assert len(db.customers) == 0
