"""Opening, closing, reopening, the clock and the reporting time zone."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import crm
from conftest import T0


def test_open_in_memory_defaults():
    db = crm.open()
    assert db.path == ":memory:"
    assert db.principal == "system"
    assert db.role == "admin"
    assert db.time_zone == "UTC"
    assert db.schema_version >= 1
    assert not db.closed
    assert "':memory:'" in repr(db) and "open" in repr(db)
    assert len(db.customers) == 0
    db.close()
    assert db.closed


def test_version_and_public_names():
    assert crm.__version__.count(".") == 2
    assert crm.STAGES == ("lead", "prospect", "customer", "churned")
    assert crm.SOURCES == ("web", "referral", "ads", "event", "partner", "other")
    for name in crm.__all__:
        assert hasattr(crm, name), name


def test_file_store_keeps_data_across_reopen(tmp_path: Path):
    path = tmp_path / "shop.db"
    with crm.open(path) as db:  # an os.PathLike works as well as a str
        ada = db.customers.add("Ada Lovelace", email="ada@example.com", tags=["vip"])
    assert db.closed
    with crm.open(str(path)) as db:
        assert db.path == str(path)
        again = db.customers.get(ada.id)
        assert again == ada
        assert len(db.customers) == 1


def test_context_manager_closes_even_on_error(tmp_path: Path):
    with pytest.raises(RuntimeError):
        with crm.open(tmp_path / "x.db") as db:
            raise RuntimeError("boom")
    assert db.closed
    assert "closed" in repr(db)
    db.close()  # twice is harmless


def test_use_after_close_is_a_clear_error():
    db = crm.open()
    db.customers.add("Ada")
    db.close()
    for call in (
        lambda: db.customers.add("Grace"),
        lambda: db.customers.get(1),
        lambda: db.customers.find(),
        lambda: db.customers.count(),
        lambda: db.schema_version,
        lambda: db.time_zone,
    ):
        with pytest.raises(crm.InvalidArgumentError, match="database is closed") as info:
            call()
        assert info.value.code == 1
    # What the handle was stays readable.
    assert db.path == ":memory:"


def test_fixed_clock_sets_created_and_updated_at(db):
    c = db.customers.add("Ada")
    assert c.created_at == T0
    assert c.created_at.tzinfo is not None and c.created_at.utcoffset() == timedelta(0)
    assert c.updated_at == T0
    assert db.now == T0

    later = T0 + timedelta(hours=5)
    db.now = later
    assert db.customers.update(c.id, stage="prospect").updated_at == later
    assert db.customers.get(c.id).created_at == T0


def test_naive_datetime_means_utc_and_aware_is_converted(db):
    db.now = datetime(2026, 3, 1, 12, 0)  # naive: UTC
    assert db.now == datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    db.now = datetime(2026, 3, 1, 20, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert db.now == datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    c = db.customers.add("Ada", created_at=datetime(2026, 1, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris")))
    assert c.created_at == datetime(2026, 1, 1, 8, 0, tzinfo=timezone.utc)


def test_now_none_returns_to_the_system_clock(db):
    db.now = None
    assert db.now != T0
    assert db.now.tzinfo is not None


def test_time_zone_decides_what_a_date_means(tmp_path: Path):
    path = tmp_path / "tz.db"
    with crm.open(path) as db:
        db.set_time_zone("Asia/Shanghai")
        assert db.time_zone == "Asia/Shanghai"
        # Midnight 2026-03-01 in Shanghai is 2026-02-28 16:00 UTC.
        early = db.customers.add("Before", created_at=datetime(2026, 2, 28, 15, 59))
        late = db.customers.add("After", created_at=datetime(2026, 2, 28, 16, 1))
        assert [c.id for c in db.customers.find(created_at__gte=date(2026, 3, 1))] == [late.id]
        assert [c.id for c in db.customers.find(created_at__lt="2026-03-01")] == [early.id]
    with crm.open(path) as db:  # saved in the store
        assert db.time_zone == "Asia/Shanghai"
        assert db.customers.count(created_at__gte=date(2026, 3, 1)) == 1
    with crm.open(path, time_zone="UTC") as db:  # this handle only
        assert db.customers.count(created_at__gte=date(2026, 3, 1)) == 0


def test_unknown_time_zone_is_refused(db):
    with pytest.raises(crm.InvalidInputError, match="time zone"):
        db.set_time_zone("Mars/Olympus")
    with pytest.raises(crm.InvalidInputError):
        crm.open(time_zone="Nowhere/Else")
    assert db.time_zone == "UTC"


def test_principal_and_role():
    with crm.open(principal="li.wei", role="agent") as db:
        assert (db.principal, db.role) == ("li.wei", "agent")
    with pytest.raises(crm.InvalidInputError, match="principal"):
        crm.open(principal="  ")
    with pytest.raises(crm.InvalidInputError, match="role"):
        crm.open(role="not a role")


def test_one_handle_shared_by_threads(db):
    errors = []

    def work(k: int) -> None:
        try:
            for i in range(50):
                db.customers.add(f"T{k}-{i}")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(db.customers) == 200
