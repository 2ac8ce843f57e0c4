"""Custom fields: define each type, fill them through add / update / add_many, filter and sort on
them, read them from records and frames, rename / retire / restore / remove them — and bad input,
each leaving the store as it was."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
import pytest

import crm
from conftest import T0

STR = pd.StringDtype(na_value=np.nan)
BUILT_IN = ["external_id", "name", "email", "phone", "company", "stage", "source", "tags",
            "created_at", "updated_at", "version"]
#: One field of each type, in definition order.
CUSTOM = ["note", "score", "ratio", "active", "renewal", "region", "langs"]


def names(customers):
    return [c.name for c in customers]


def snapshot(db):
    return (
        db.customers.find_frame(),
        [f.to_dict() for f in db.fields.list(include_retired=True)],
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
    assert after[1] == before[1], "field definitions changed"
    assert after[2] == before[2], "audit entries were written"


@pytest.fixture
def fields(db):
    """One custom field of each type."""
    define = db.fields.define
    return [
        define("note", "text"),
        define("score", "integer"),
        define("ratio", "decimal"),
        define("active", "boolean"),
        define("renewal", "date"),
        define("region", "enum", choices=["north", "south", "east"], index=True),
        define("langs", "multi_enum", choices=["en", "fr", "de"]),
    ]


@pytest.fixture
def filled(db, fields):
    """Three customers: Ada with every field, Grace with some, Alan with none."""
    ada = db.customers.add("Ada", fields={
        "note": "likes tea", "score": 7, "ratio": 0.25, "active": True,
        "renewal": date(2026, 6, 30), "region": "north", "langs": ["fr", "en"],
    })
    grace = db.customers.add("Grace", fields={
        "score": 3, "active": False, "renewal": "2027-01-15", "region": "south", "langs": "de",
    })
    alan = db.customers.add("Alan")
    return ada, grace, alan


# ---------------------------------------------------------------- define, get, list


def test_define_each_type(db, fields):
    assert crm.FIELD_TYPES == ("text", "integer", "decimal", "boolean", "date", "enum",
                               "multi_enum")
    assert [f.type for f in fields] == list(crm.FIELD_TYPES)
    assert [f.name for f in fields] == CUSTOM
    region = fields[5]
    assert isinstance(region, crm.FieldDefinition)
    assert region.id >= 1 and region.entity == "customer"
    assert region.choices == ["north", "south", "east"] and region.indexed
    assert not (region.required or region.personal or region.retired)
    assert region.default is None
    assert region.created_at == T0
    assert fields[0].choices == [] and not fields[0].indexed
    assert db.fields.get("region") == region
    assert len({region, db.fields.get("region")}) == 1
    assert db.fields.list() == fields and len(db.fields) == 7
    d = region.to_dict()
    assert list(d) == ["id", "entity", "name", "type", "choices", "required", "default",
                       "personal", "indexed", "retired", "created_at"]
    assert d["type"] == "enum" and d["created_at"] == T0
    r = repr(region)
    assert r.startswith("FieldDefinition(id=") and "'region'" in r and "indexed=True" in r
    # Defining a field is audited.
    entries = db.audit.find(entity="field")
    assert len(entries) == 7 and entries[0].action == "create"


def test_defaults_required_and_personal(db, people):
    # A required field needs a default while customers exist; they all get it.
    tier = db.fields.define("tier", "enum", choices=["basic", "gold"], required=True,
                            default="basic", personal=True)
    assert tier.required and tier.personal and tier.default == "basic"
    assert {c.fields["tier"] for c in db.customers.find()} == {"basic"}
    since = db.fields.define("since", "date", default=date(2020, 1, 1))
    assert since.default == date(2020, 1, 1)
    new = db.customers.add("New", fields={"tier": "gold"})
    assert new.fields == {"tier": "gold", "since": date(2020, 1, 1)}


def test_index_true_field_filters(db, fields, filled):
    assert db.fields.get("region").indexed
    assert names(db.customers.find(region="north")) == ["Ada"]


# ---------------------------------------------------------------- add, update, records


def test_add_with_fields_and_record_values(db, filled):
    ada, grace, alan = filled
    assert ada.fields == {
        "note": "likes tea", "score": 7, "ratio": 0.25, "active": True,
        "renewal": date(2026, 6, 30), "region": "north", "langs": ["en", "fr"],
    }
    v = ada.fields
    assert type(v["score"]) is int and type(v["ratio"]) is float and type(v["active"]) is bool
    assert type(v["renewal"]) is date
    assert grace.fields == {"score": 3, "active": False, "renewal": date(2027, 1, 15),
                            "region": "south", "langs": ["de"]}
    assert alan.fields == {}
    assert db.customers.get(ada.id) == ada
    assert ada.to_dict()["fields"] == ada.fields
    # A fresh dict each time: changing it changes nothing stored.
    ada.fields["score"] = 99
    assert ada.fields["score"] == 7


def test_typed_values_convert(db, fields):
    c = db.customers.add("Typed", fields={
        "score": np.int64(5), "ratio": 2, "active": np.bool_(True),
        "renewal": datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc), "langs": ("en", "en"),
        "region": " east ",
    })
    assert c.fields == {"score": 5, "ratio": 2.0, "active": True, "renewal": date(2026, 3, 1),
                        "langs": ["en"], "region": "east"}
    # A whole float is an integer; None is no value.
    assert db.customers.add("Whole", fields={"score": 4.0, "note": None}).fields == {"score": 4}


def test_update_sets_and_clears_fields(db, filled):
    ada, grace, _ = filled
    u = db.customers.update(ada.id, fields={"region": "east", "score": None, "langs": []},
                            stage="customer", expected_version=ada.version)
    assert u.version == ada.version + 1 and u.stage == "customer"
    assert u.fields["region"] == "east" and "score" not in u.fields
    assert u.fields["note"] == "likes tea", "fields left out stay"
    assert db.customers.get(ada.id) == u
    cleared = db.customers.update(grace.id, fields={k: None for k in grace.fields})
    assert cleared.fields == {}
    # Nothing changed: the version stays.
    same = db.customers.update(grace.id, fields={"region": None})
    assert same.version == cleared.version


# ---------------------------------------------------------------- add_many


def test_add_many_with_custom_columns(db, fields):
    frame = pd.DataFrame({
        "name": ["A", "B", "C"],
        "note": ["x", None, np.nan],
        "score": pd.array([1, None, 3], dtype="Int64"),
        "ratio": [0.5, np.nan, 2.0],
        "active": pd.array([True, None, False], dtype="boolean"),
        "renewal": pd.to_datetime(["2026-01-31", None, "2026-12-01"]),
        "region": pd.Categorical(["north", None, "south"]),
        "langs": [["en", "de"], None, ["fr"]],
    })
    ids = db.customers.add_many(frame)
    got = [db.customers.get(int(i)).fields for i in ids]
    assert got == [
        {"note": "x", "score": 1, "ratio": 0.5, "active": True, "renewal": date(2026, 1, 31),
         "region": "north", "langs": ["de", "en"]},
        {},
        {"score": 3, "ratio": 2.0, "active": False, "renewal": date(2026, 12, 1),
         "region": "south", "langs": ["fr"]},
    ]
    # A float column of whole numbers with NaN fills an integer field; a dict of lists works too.
    ids = db.customers.add_many({"name": ["D", "E"], "score": [10.0, np.nan],
                                 "renewal": [date(2030, 1, 1), pd.NaT]})
    assert [db.customers.get(int(i)).fields for i in ids] == [
        {"score": 10, "renewal": date(2030, 1, 1)}, {}]


def test_add_many_round_trips_a_frame(db, filled):
    frame = db.customers.find_frame().reset_index(drop=True)
    frame = frame[["name"] + CUSTOM]
    ids = db.customers.add_many(frame)
    back = db.customers.find_frame(id__in=ids.tolist())[["name"] + CUSTOM]
    pd.testing.assert_frame_equal(back.reset_index(drop=True), frame)


# ---------------------------------------------------------------- filters and order


def test_keyword_filters(db, filled):
    find = db.customers.find
    assert names(find(region="north")) == ["Ada"]
    assert names(find(region__in=["north", "south"])) == ["Ada", "Grace"]
    assert names(find(region__isnull=True)) == ["Alan"]
    assert names(find(score__gte=5)) == ["Ada"]
    assert names(find(ratio__lt=1)) == ["Ada"]
    assert names(find(active=False)) == ["Grace"]
    assert names(find(renewal__lt=date(2027, 1, 1))) == ["Ada"]
    assert names(find(renewal__between=("2026-01-01", "2027-12-31"))) == ["Ada", "Grace"]
    assert names(find(langs="fr")) == ["Ada"]
    assert names(find(note__contains="TEA")) == ["Ada"]
    assert names(find(region="north", stage="lead")) == ["Ada"]
    assert db.customers.count(region__isnull=False) == 2


def test_text_filters(db, filled):
    find = db.customers.find
    assert names(find("region = 'north'")) == ["Ada"]
    assert names(find("score > 2 and active = false")) == ["Grace"]
    assert names(find("langs contains 'de' or region is null")) == ["Grace", "Alan"]
    assert names(find("renewal >= '2027-01-01'")) == ["Grace"]
    assert db.customers.count("region in ('north', 'south')") == 2
    db.segments.save("northern", "region = 'north'")
    assert names(db.segments.members("northern")) == ["Ada"]


def test_order_by_a_custom_field(db, filled):
    assert names(db.customers.find(order_by="-score")) == ["Ada", "Grace", "Alan"]
    assert names(db.customers.find(order_by="renewal", region__isnull=False)) == ["Ada", "Grace"]
    assert names(db.customers.find(order_by=["-region", "name"])) == ["Grace", "Ada", "Alan"]


# ---------------------------------------------------------------- frames


def assert_custom_dtypes(frame):
    assert list(frame.columns) == BUILT_IN + CUSTOM
    assert frame["note"].dtype == STR
    assert frame["score"].dtype == pd.Int64Dtype()
    assert frame["ratio"].dtype == np.float64
    assert frame["active"].dtype == pd.BooleanDtype()
    assert frame["renewal"].dtype == np.dtype("datetime64[s]")
    assert frame["region"].dtype == pd.CategoricalDtype(["north", "south", "east"])
    assert list(frame["region"].cat.categories) == ["north", "south", "east"]
    assert frame["langs"].dtype == object


def test_find_frame_has_a_column_per_field(db, filled):
    frame = db.customers.find_frame()
    assert_custom_dtypes(frame)
    ada, grace, alan = (frame.loc[c.id] for c in filled)
    assert ada["note"] == "likes tea" and ada["score"] == 7 and ada["ratio"] == 0.25
    assert bool(ada["active"]) is True and bool(grace["active"]) is False
    assert ada["renewal"] == pd.Timestamp("2026-06-30")
    assert ada["region"] == "north" and ada["langs"] == ["en", "fr"]
    assert grace["langs"] == ["de"] and pd.isna(grace["note"]) and pd.isna(grace["ratio"])
    for col in CUSTOM[:-1]:
        assert pd.isna(alan[col]), col
    assert alan["langs"] is None
    assert frame["score"].isna().tolist() == [False, False, True]
    assert frame["active"].isna().tolist() == [False, False, True]


def test_empty_frames_keep_the_dtypes(db, filled):
    assert_custom_dtypes(db.customers.find_frame(name="nobody"))
    db.segments.save("nobody", name="nobody")
    assert_custom_dtypes(db.segments.members_frame("nobody"))
    fresh = crm.open(":memory:")
    fresh.fields.define("region", "enum", choices=["a"])
    empty = fresh.customers.find_frame()
    assert list(empty.columns) == BUILT_IN + ["region"] and len(empty) == 0
    assert empty["region"].dtype == pd.CategoricalDtype(["a"])
    fresh.close()


def test_segment_members_frame_has_the_fields(db, filled):
    db.segments.save("scored", score__isnull=False)
    frame = db.segments.members_frame("scored", order_by="score")
    assert_custom_dtypes(frame)
    assert frame["score"].tolist() == [3, 7]


def test_frames_without_custom_fields_are_unchanged(db, people):
    assert list(db.customers.find_frame().columns) == BUILT_IN


# ---------------------------------------------------------------- rename, retire, restore, remove


def test_rename_keeps_values(db, filled):
    ada = filled[0]
    renamed = db.fields.rename("region", "area")
    assert renamed.name == "area" and renamed.id == db.fields.get("area").id
    assert db.customers.get(ada.id).fields["area"] == "north"
    assert names(db.customers.find(area="north")) == ["Ada"]
    assert "area" in db.customers.find_frame().columns
    with raises(db, crm.NotFoundError, KeyError):
        db.fields.get("region")


def test_retire_and_restore(db, filled):
    ada = filled[0]
    retired = db.fields.retire("score")
    assert retired.retired
    assert "score" not in db.customers.get(ada.id).fields
    assert "score" not in db.customers.find_frame().columns
    assert [f.name for f in db.fields.list()] == [n for n in CUSTOM if n != "score"]
    assert "score" in [f.name for f in db.fields.list(include_retired=True)]
    assert db.fields.get("score").retired
    with raises(db, crm.InvalidInputError, ValueError, match="score"):
        db.customers.find(score=7)
    with raises(db, crm.InvalidInputError, ValueError, match="score"):
        db.customers.add("X", fields={"score": 1})
    with raises(db, crm.InvalidArgumentError, TypeError, match="score"):
        db.customers.add_many({"name": ["X"], "score": [1]})
    restored = db.fields.restore("score")
    assert not restored.retired
    assert db.customers.get(ada.id).fields["score"] == 7


def test_remove(db, filled):
    with raises(db, crm.ConstraintError, ValueError, match="score.*force"):
        db.fields.remove("score")
    db.fields.remove("score", force=True)
    assert "score" not in [f.name for f in db.fields.list(include_retired=True)]
    assert "score" not in db.customers.get(filled[0].id).fields
    # An empty field goes without force; its name is free again.
    db.fields.define("spare", "text")
    db.fields.remove("spare")
    assert db.fields.define("score", "text").type == "text"
    with raises(db, crm.NotFoundError, KeyError):
        db.fields.remove("nope")


# ---------------------------------------------------------------- bad input


def test_enum_value_not_allowed(db, filled):
    with raises(db, crm.InvalidInputError, ValueError) as info:
        db.customers.add("X", fields={"region": "west"})
    msg = str(info.value)
    assert "region" in msg and "west" in msg and "must be one of north, south, east" in msg
    with raises(db, crm.InvalidInputError, ValueError, match="region.*west"):
        db.customers.update(filled[0].id, fields={"region": "west"})
    with raises(db, crm.InvalidInputError, ValueError, match="langs.*each choice"):
        db.customers.add("X", fields={"langs": ["en", "es"]})


@pytest.mark.parametrize("field, value, rule", [
    ("score", "seven", "integer"),
    ("score", 2.5, "integer"),
    ("ratio", "0.5", "decimal"),
    ("active", 1, "boolean"),
    ("renewal", "2026-02-30", "date"),
    ("renewal", 20260101, "date"),
    ("note", 5, "text"),
    ("region", 1, "enum"),
])
def test_wrong_value_type(db, filled, field, value, rule):
    with raises(db, crm.InvalidInputError, ValueError, match=f"{field}.*{rule}"):
        db.customers.add("X", fields={field: value})


def test_unknown_field(db, filled):
    with raises(db, crm.InvalidInputError, ValueError, match='colour.*not defined'):
        db.customers.add("X", fields={"colour": "red"})
    with raises(db, crm.InvalidInputError, ValueError, match='colour.*not defined'):
        db.customers.update(filled[0].id, fields={"colour": "red"})
    # A custom field given as a keyword is not a built-in field.
    with raises(db, crm.InvalidArgumentError, TypeError, match='unknown field "region"'):
        db.customers.update(filled[0].id, region="south")
    with raises(db, crm.InvalidArgumentError, TypeError, match='unknown column.*"colour"'):
        db.customers.add_many({"name": ["X"], "colour": ["red"]})


@pytest.mark.parametrize("name", ["email", "total_spend", "tags", "id"])
def test_shadowing_a_built_in(db, fields, name):
    with raises(db, crm.InvalidInputError, ValueError, match=f"{name}.*built-in"):
        db.fields.define(name, "text")
    with raises(db, crm.InvalidInputError, ValueError, match=f"{name}.*built-in"):
        db.fields.rename("note", name)


def test_duplicate(db, fields):
    with raises(db, crm.AlreadyExistsError, ValueError, match="region"):
        db.fields.define("region", "text")
    with raises(db, crm.AlreadyExistsError, ValueError, match="score"):
        db.fields.rename("note", "score")


@pytest.mark.parametrize("kwargs, match", [
    (dict(name="x", type="blob"), "blob.*must be one of text, integer"),
    (dict(name="Bad-Name", type="text"), "lower-case"),
    (dict(name="x", type="enum"), "at least one choice"),
    (dict(name="x", type="enum", choices=["a", "a"]), "twice"),
    (dict(name="x", type="text", choices=["a"]), "only enum"),
    (dict(name="x", type="integer", default="many"), "integer"),
    (dict(name="x", type="enum", choices=["a"], default="b"), "must be one of a"),
    (dict(name="x", type="text", required=True), "default"),
    (dict(name="x", type="text", entity="planet"), "entity"),
])
def test_bad_definitions(db, fields, filled, kwargs, match):
    with raises(db, crm.InvalidInputError, ValueError, match=match):
        db.fields.define(**kwargs)


def test_other_entities_are_unsupported(db):
    with raises(db, crm.UnsupportedError, NotImplementedError, match="customers only"):
        db.fields.define("weight", "decimal", entity="product")


@pytest.mark.parametrize("call, match", [
    (lambda db: db.fields.define(3, "text"), "name: expected str"),
    (lambda db: db.fields.define("x", None), "type"),
    (lambda db: db.fields.define("x", "enum", choices="ab"), "choices: expected a list"),
    (lambda db: db.fields.define("x", "enum", choices=["a", 1]), "choices"),
    (lambda db: db.fields.define("x", "text", required=1), "required: expected bool"),
    (lambda db: db.fields.define("x", "text", index="yes"), "index: expected bool"),
    (lambda db: db.fields.define("x", "text", default=object()), "default"),
    (lambda db: db.fields.remove("note", force=None), "force: expected bool"),
    (lambda db: db.fields.list(include_retired=1), "include_retired"),
    (lambda db: db.fields.get(None), "name"),
    (lambda db: db.customers.add("X", fields="region"), "fields: expected a dict"),
    (lambda db: db.customers.add("X", fields=[("region", "north")]), "fields: expected a dict"),
    (lambda db: db.customers.add("X", fields={1: "north"}), "field name: expected str"),
    (lambda db: db.customers.add("X", fields={"note": object()}), r'fields\["note"\]'),
    (lambda db: db.customers.add("X", fields={"langs": [["en"]]}), "another list"),
    (lambda db: db.customers.update(1, fields={"note": {"a": 1}}), r'fields\["note"\]'),
    (lambda db: db.customers.add_many({"name": ["X"], "note": [object()]}), "note, row 0"),
])
def test_wrong_python_types(db, filled, call, match):
    with raises(db, crm.InvalidArgumentError, TypeError, match=match):
        call(db)


def test_a_bad_row_in_add_many_writes_nothing(db, filled):
    frame = pd.DataFrame({"name": ["X", "Y", "Z"], "region": ["north", "west", "south"],
                          "score": [1, 2, 3]})
    with raises(db, crm.InvalidInputError, ValueError, match="row 1: region.*west"):
        db.customers.add_many(frame)
    with raises(db, crm.InvalidInputError, ValueError, match="row 2: score"):
        db.customers.add_many({"name": ["X", "Y", "Z"], "score": [1, 2, 2.5]})
    assert len(db.customers) == 3
