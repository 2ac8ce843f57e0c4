"""Bad input from Python: the right exception class, a CrmError with the right code, also the
fitting builtin, and the store unchanged."""

from __future__ import annotations

import pickle
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest

import crm

HIERARCHY = [
    (crm.InvalidArgumentError, 1, "INVALID_ARGUMENT", (ValueError, TypeError)),
    (crm.InvalidInputError, 2, "INVALID_INPUT", (ValueError,)),
    (crm.NotFoundError, 3, "NOT_FOUND", (KeyError,)),
    (crm.AlreadyExistsError, 4, "ALREADY_EXISTS", (ValueError,)),
    (crm.ConstraintError, 5, "CONSTRAINT", (ValueError,)),
    (crm.StorageError, 6, "STORAGE", (OSError,)),
    (crm.NotADatabaseError, 7, "NOT_A_DATABASE", (OSError,)),
    (crm.SchemaTooNewError, 8, "SCHEMA_TOO_NEW", (RuntimeError,)),
    (crm.BusyError, 9, "BUSY", (TimeoutError,)),
    (crm.PermissionDeniedError, 10, "PERMISSION_DENIED", (PermissionError,)),
    (crm.IllegalTransitionError, 11, "ILLEGAL_TRANSITION", (ValueError,)),
    (crm.ParseError, 12, "PARSE", (ValueError,)),
    (crm.NotConvergedError, 13, "NOT_CONVERGED", (RuntimeError,)),
    (crm.UnsupportedError, 14, "UNSUPPORTED", (NotImplementedError,)),
    (crm.InternalError, 15, "INTERNAL", (RuntimeError,)),
    (crm.ConflictError, 16, "CONFLICT", (ValueError,)),
]


@pytest.mark.parametrize("cls, code, name, builtins", HIERARCHY)
def test_exception_hierarchy(cls, code, name, builtins):
    assert issubclass(cls, crm.CrmError)
    for b in builtins:
        assert issubclass(cls, b)
    assert (cls.code, cls.code_name) == (code, name)
    e = cls("something went wrong")
    assert str(e) == "something went wrong"  # NotFoundError too: not quoted like a KeyError
    again = pickle.loads(pickle.dumps(e))
    assert type(again) is cls and str(again) == str(e)


def test_codes_are_unique():
    assert len({cls.code for cls, *_ in HIERARCHY}) == len(HIERARCHY)


@contextmanager
def raises(db, cls, builtin, match=None):
    """Asserts the exception class, its code, its builtin base, and that the store did not change."""
    before = db.customers.find_frame() if not db.closed else None
    with pytest.raises(cls, match=match) as info:
        yield info
    e = info.value
    assert isinstance(e, crm.CrmError)
    assert isinstance(e, builtin)
    assert e.code == cls.code and e.code_name == cls.code_name
    if before is not None and not db.closed:
        after = db.customers.find_frame()
        assert after.equals(before), "the store changed"


def test_duplicate_external_id(db, people):
    with raises(db, crm.AlreadyExistsError, ValueError, match='external_id "A-1" already exists'):
        db.customers.add("Someone", external_id="A-1")
    with raises(db, crm.AlreadyExistsError, ValueError):
        db.customers.update(people[1].id, external_id="A-1")


def test_invalid_values_name_the_field(db, people):
    with raises(db, crm.InvalidInputError, ValueError, match="email"):
        db.customers.add("Ada", email="ada-at-example.com")
    with raises(db, crm.InvalidInputError, ValueError, match="phone"):
        db.customers.add("Ada", phone="call me")
    with raises(db, crm.InvalidInputError, ValueError, match="stage"):
        db.customers.add("Ada", stage="vip")
    with raises(db, crm.InvalidInputError, ValueError, match="name"):
        db.customers.add("   ")
    with raises(db, crm.InvalidInputError, ValueError, match="tag"):
        db.customers.add("Ada", tags=["a,b"])
    with raises(db, crm.InvalidInputError, ValueError, match="email"):
        db.customers.update(people[0].id, email="nope")
    with raises(db, crm.InvalidInputError, ValueError, match="source"):
        db.customers.update(people[0].id, source="tv")


def test_unknown_id(db, people):
    with raises(db, crm.NotFoundError, KeyError) as info:
        db.customers.get(999)
    assert str(info.value) == "customer id 999 not found"
    with raises(db, crm.NotFoundError, KeyError):
        db.customers.get_by_external_id("nope")
    with raises(db, crm.NotFoundError, KeyError):
        db.customers.update(999, name="X")
    with raises(db, crm.NotFoundError, KeyError):
        db.customers.delete(999)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda db: db.customers.add(None), "name cannot be None"),
        (lambda db: db.customers.add(5), "name: expected str, got int"),
        (lambda db: db.customers.add("Ada", email=5), "email: expected str"),
        (lambda db: db.customers.add("Ada", tags=5), "tags: expected a list of str"),
        (lambda db: db.customers.add("Ada", tags="vip"), "tags: expected a list of str, got str"),
        (lambda db: db.customers.add("Ada", tags=["ok", 3]), "tags: expected str"),
        (lambda db: db.customers.add("Ada", created_at="2026-01-01"), "created_at: expected a datetime"),
        (lambda db: db.customers.get("x"), "id: expected int, got str"),
        (lambda db: db.customers.get(1.0), "id: expected int"),
        (lambda db: db.customers.get(True), "id: expected int"),
        (lambda db: db.customers.get(2**70), "64 bits"),
        (lambda db: db.customers.get(None), "id: expected int"),
        (lambda db: db.customers.get_by_external_id(7), "external_id: expected str"),
        (lambda db: db.customers.update(1, colour="red"), 'unknown field "colour"'),
        (lambda db: db.customers.update(1, name=None), "name cannot be None"),
        (lambda db: db.customers.update(1, stage=None), "stage cannot be None"),
        (lambda db: db.customers.update(1, name="X", expected_version="1"), "expected_version"),
        (lambda db: db.customers.find(name__like="A"), 'unknown lookup "like"'),
        (lambda db: db.customers.find(stage__in="lead"), "expected a list"),
        (lambda db: db.customers.find(created_at__between=[1]), "two values"),
        (lambda db: db.customers.find(email__isnull="yes"), "True or False"),
        (lambda db: db.customers.find(email=None), "isnull"),
        (lambda db: db.customers.find(name=object()), "not supported"),
        (lambda db: db.customers.find(tags__gt="a"), "tags support"),
        (lambda db: db.customers.find(version="two"), "expected a number"),
        (lambda db: db.customers.find(limit=-1), "limit: must not be negative"),
        (lambda db: db.customers.find(offset="2"), "offset: expected int"),
        (lambda db: db.customers.find(order_by=5), "order_by: expected str"),
        (lambda db: db.customers.count(id__in=[[1, 2]]), "must not hold another list"),
    ],
)
def test_wrong_types_and_shapes(db, people, call, match):
    with raises(db, crm.InvalidArgumentError, TypeError, match=match):
        call(db)


def test_unknown_filter_field_and_bad_sort(db, people):
    with raises(db, crm.InvalidInputError, ValueError, match="no such field"):
        db.customers.find(colour="red")
    with raises(db, crm.InvalidInputError, ValueError, match="no such field"):
        db.customers.count(colour__in=["red"])
    with raises(db, crm.InvalidInputError, ValueError, match="no such field"):
        db.customers.find(order_by="-colour")
    with raises(db, crm.InvalidInputError, ValueError, match="order_by"):
        db.customers.find(order_by="name,,stage")
    with raises(db, crm.InvalidInputError, ValueError, match="cannot sort by tags"):
        db.customers.find(order_by="tags")
    with raises(db, crm.InvalidInputError, ValueError, match="created_at"):
        db.customers.find(created_at__gte="yesterday")


def test_stale_expected_version(db, people):
    ada = db.customers.update(people[0].id, stage="prospect")
    with raises(db, crm.ConflictError, ValueError, match="version 2, not the expected version 1"):
        db.customers.update(ada.id, stage="customer", expected_version=1)
    assert db.customers.get(ada.id) == ada


def test_a_file_that_is_not_a_store(tmp_path: Path):
    text = tmp_path / "notes.txt"
    text.write_text("these are not the droids you are looking for\n" * 100)
    with pytest.raises(crm.NotADatabaseError) as info:
        crm.open(text)
    assert isinstance(info.value, OSError) and info.value.code == 7
    assert text.read_text().startswith("these are not")  # left alone

    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE things (x)")
    con.commit()
    con.close()
    with pytest.raises(crm.NotADatabaseError, match="not a crm store"):
        crm.open(other)


def test_a_path_that_cannot_be_opened(tmp_path: Path):
    with pytest.raises(crm.StorageError) as info:
        crm.open(tmp_path / "no" / "such" / "dir" / "x.db")
    assert isinstance(info.value, OSError) and info.value.code == 6
    with pytest.raises(crm.InvalidArgumentError, match="path is empty"):
        crm.open("")
    with pytest.raises(crm.InvalidArgumentError, match="path: expected str"):
        crm.open(42)  # type: ignore[arg-type]


def test_an_encryption_key_is_unsupported(tmp_path: Path):
    with pytest.raises(crm.UnsupportedError, match="encryption") as info:
        crm.open(tmp_path / "secret.db", key=b"s3cret")
    assert isinstance(info.value, NotImplementedError) and info.value.code == 14
    assert not (tmp_path / "secret.db").exists()
    with pytest.raises(crm.InvalidArgumentError, match="key"):
        crm.open(key=1234)  # type: ignore[arg-type]


def test_bad_open_arguments():
    with pytest.raises(crm.InvalidArgumentError, match="busy_timeout"):
        crm.open(busy_timeout=-1)
    with pytest.raises(crm.InvalidArgumentError, match="now"):
        crm.open(now="2026-01-01")  # type: ignore[arg-type]
    with pytest.raises(crm.InvalidArgumentError, match="principal"):
        crm.open(principal=None)  # type: ignore[arg-type]


def test_use_after_close(db, people):
    db.close()
    with raises(db, crm.InvalidArgumentError, ValueError, match="database is closed"):
        db.customers.add("Late")
    with raises(db, crm.InvalidArgumentError, ValueError, match="database is closed"):
        db.customers.find_frame()
    with raises(db, crm.InvalidArgumentError, ValueError, match="database is closed"):
        db.now = None


def test_lone_surrogates_are_invalid_arguments(db):
    with pytest.raises(crm.InvalidArgumentError, match="not valid Unicode"):
        db.customers.add("bad \udc80 name")
    assert len(db.customers) == 0
