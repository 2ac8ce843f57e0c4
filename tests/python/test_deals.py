"""Pipelines and deals: pipelines and their stages, deals (create, get, find, frames, update),
stage moves, win / lose / reopen, history and time in stages, the pipeline views (value by
stage, forecast, win rates, stage conversion) — and bad input, each leaving the store as it
was."""

from __future__ import annotations

import math
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

import crm
from conftest import T0

UTC_US = pd.DatetimeTZDtype(unit="us", tz="UTC")
STR = pd.StringDtype(na_value=np.nan)
DAY = timedelta(days=1)
STAGES = {"Lead": 0.1, "Qualified": 0.3, "Proposal": 0.6, "Negotiation": 0.8}


def snapshot(db):
    return (
        [p.to_dict() for p in db.deals.pipelines()],
        db.deals.find_frame(),
        {d: db.deals.history(d).to_dict("list") for d in db.deals.find_frame().index},
        len(db.audit.find()),
    )


@contextmanager
def unchanged(db, cls, builtin=Exception, match=None):
    """Asserts the error class, its builtin base and code, and that nothing was written."""
    before = snapshot(db)
    with pytest.raises(cls, match=match) as info:
        yield info
    e = info.value
    assert isinstance(e, crm.CrmError) and isinstance(e, builtin)
    assert e.code == cls.code
    after = snapshot(db)
    assert after[0] == before[0], "pipelines changed"
    assert after[1].equals(before[1]), "deals changed"
    assert after[2] == before[2], "histories changed"
    assert after[3] == before[3], "audit entries were written"


@pytest.fixture
def sales(db):
    return db.deals.create_pipeline("Sales", STAGES)


@pytest.fixture
def deals(db, people, sales):
    """Five deals with a history (T0 is now):

    ====  =======  ==================  =========  ======  =========  ==============
    deal  amount   path                status     owner   source     expected close
    ====  =======  ==================  =========  ======  =========  ==============
    d1    100k EUR Lead→Qual→Proposal  open       li      referral   2026-04-15
    d2     50k EUR Lead                open       li      web        —
    d3     20k USD Qual→Negotiation    won -1d    mo      —          —
    d4     30k EUR Lead                lost -2d   mo      web        —
    d5     10k EUR Lead→Qualified      open       li      referral   2026-05-01
    ====  =======  ==================  =========  ======  =========  ==============
    """
    ada, grace, alan, edsger, barbara = people
    new = db.deals.create
    d1 = new("Sales", ada.id, "A1", 100_000, "EUR", owner="li", source="referral",
             expected_close=date(2026, 4, 15), created_at=T0 - 10 * DAY)
    db.deals.move(d1.id, "Qualified", at=T0 - 8 * DAY)
    db.deals.move(d1.id, "Proposal", at=T0 - 5 * DAY)
    d2 = new("Sales", grace.id, "G1", 50_000, "EUR", owner="li", source="web",
             created_at=T0 - 10 * DAY)
    d3 = new(sales, alan.id, "T1", 20_000, "USD", stage="qualified", owner="mo",
             created_at=T0 - 9 * DAY)
    db.deals.move(d3.id, "Negotiation", at=T0 - 3 * DAY)
    db.deals.win(d3.id, at=T0 - DAY)
    d4 = new("Sales", edsger.id, "E1", 30_000, "EUR", owner="mo", source="web",
             created_at=T0 - 9 * DAY)
    db.deals.lose(d4.id, "price", at=T0 - 2 * DAY)
    d5 = new("Sales", barbara.id, "B1", 10_000, "EUR", owner="li", source="referral",
             expected_close=date(2026, 5, 1), created_at=T0 - 6 * DAY)
    db.deals.move(d5.id, "Qualified", at=T0 - 4 * DAY)
    return [db.deals.get(d.id) for d in (d1, d2, d3, d4, d5)]


# ---------------------------------------------------------------- pipelines


def test_create_pipeline(db, sales):
    p = sales
    assert isinstance(p, crm.Pipeline)
    assert p.name == "Sales" and len(p) == 4 and p.created_at == T0
    assert p.stage_names == ["Lead", "Qualified", "Proposal", "Negotiation"]
    s = p.stages[2]
    assert isinstance(s, crm.Stage)
    assert (s.name, s.position, s.probability) == ("Proposal", 2, 0.6)
    assert s.to_dict() == {"id": s.id, "name": "Proposal", "position": 2, "probability": 0.6}
    assert p.to_dict()["stages"][0]["name"] == "Lead"
    assert db.deals.pipeline("sales") == p  # names ignore case
    assert "'Sales'" in repr(p) and "Proposal" in repr(s)
    q = db.deals.create_pipeline("  Renewals ", [("Due", 0.5), ("Signed", 1.0)])
    assert q.name == "Renewals" and q.stage_names == ["Due", "Signed"]
    assert [x.name for x in db.deals.pipelines()] == ["Renewals", "Sales"]


def test_stages_change(db, sales):
    p = db.deals.add_stage("Sales", "Contacted", 0.2, position=1)
    assert p.stage_names == ["Lead", "Contacted", "Qualified", "Proposal", "Negotiation"]
    assert [s.position for s in p.stages] == [0, 1, 2, 3, 4]
    p = db.deals.add_stage(p, "Verbal", 0.9)
    assert p.stage_names[-1] == "Verbal"
    p = db.deals.set_stage_probability("Sales", "verbal", 0.95)
    assert p.stages[-1].probability == 0.95
    p = db.deals.remove_stage("Sales", "Contacted")
    assert p.stage_names == ["Lead", "Qualified", "Proposal", "Negotiation", "Verbal"]
    db.deals.create_pipeline("Tmp", {"Only": 0.5})
    db.deals.delete_pipeline("Tmp")
    with pytest.raises(crm.NotFoundError):
        db.deals.pipeline("Tmp")


def test_stage_probability_reaches_the_deals(db, people, sales):
    d = db.deals.create("Sales", people[0].id, "X", 1000, "EUR")
    assert d.stage == "Lead" and d.probability == 0.1
    db.deals.set_stage_probability("Sales", "Lead", 0.25)
    assert db.deals.get(d.id).probability == 0.25


def test_pipelines_refuse_bad_input(db, people, sales):
    db.deals.create("Sales", people[0].id, "X", 1000, "EUR")
    with unchanged(db, crm.AlreadyExistsError, ValueError):
        db.deals.create_pipeline("SALES", {"A": 0.1})
    with unchanged(db, crm.InvalidInputError, match="at least one stage"):
        db.deals.create_pipeline("Empty", {})
    with unchanged(db, crm.InvalidInputError, match="named twice"):
        db.deals.create_pipeline("Twice", [("A", 0.1), ("a", 0.2)])
    with unchanged(db, crm.InvalidInputError, match="probability"):
        db.deals.create_pipeline("Odd", {"A": 1.5})
    with unchanged(db, crm.InvalidArgumentError, match="probability"):
        db.deals.create_pipeline("Odd", {"A": "0.5"})
    with unchanged(db, crm.InvalidArgumentError, match="stages"):
        db.deals.create_pipeline("Odd", "Lead")
    with unchanged(db, crm.InvalidArgumentError, match="pairs"):
        db.deals.create_pipeline("Odd", [("A", 0.1, 3)])
    with unchanged(db, crm.InvalidArgumentError, match="name"):
        db.deals.create_pipeline(None, {"A": 0.1})
    with unchanged(db, crm.AlreadyExistsError):
        db.deals.add_stage("Sales", "lead", 0.5)
    with unchanged(db, crm.InvalidInputError, match="position"):
        db.deals.add_stage("Sales", "Late", 0.5, position=99)
    with unchanged(db, crm.InvalidArgumentError, match="position"):
        db.deals.add_stage("Sales", "Late", 0.5, position=-1)
    with unchanged(db, crm.InvalidInputError, match="no such stage"):
        db.deals.set_stage_probability("Sales", "Nope", 0.5)
    with unchanged(db, crm.InvalidInputError, match="probability"):
        db.deals.set_stage_probability("Sales", "Lead", -0.1)
    with unchanged(db, crm.ConstraintError, match="holds 1 deal"):
        db.deals.remove_stage("Sales", "Lead")
    with unchanged(db, crm.ConstraintError, match="delete them first"):
        db.deals.delete_pipeline("Sales")
    db.deals.create_pipeline("One", {"Only": 0.5})
    with unchanged(db, crm.InvalidInputError, match="only stage"):
        db.deals.remove_stage("One", "Only")
    with unchanged(db, crm.NotFoundError, KeyError):
        db.deals.add_stage("Nope", "X", 0.1)
    with unchanged(db, crm.NotFoundError, KeyError):
        db.deals.delete_pipeline("Nope")


# ---------------------------------------------------------------- deals


def test_create_and_get(db, people, sales):
    ada = people[0]
    d = db.deals.create("Sales", ada.id, "Annual licence", 120_000, "eur",
                        source="referral", expected_close=date(2026, 9, 30))
    assert isinstance(d, crm.Deal)
    assert (d.pipeline, d.pipeline_id, d.customer_id) == ("Sales", sales.id, ada.id)
    assert (d.name, d.amount, d.currency) == ("Annual licence", 120_000, "EUR")
    assert (d.stage, d.stage_id, d.probability) == ("Lead", sales.stages[0].id, 0.1)
    assert d.owner == "system"  # the handle's principal
    assert d.source == "referral" and d.expected_close == date(2026, 9, 30)
    assert d.status == "open" and d.lost_reason is None and d.closed_at is None
    assert d.created_at == d.updated_at == T0 and d.version == 1
    assert db.deals.get(d.id) == d and len({d, db.deals.get(d.id)}) == 1
    td = d.to_dict()
    assert td["expected_close"] == date(2026, 9, 30) and td["amount"] == 120_000
    assert list(td) == ["id", "pipeline_id", "pipeline", "customer_id", "name", "amount",
                        "currency", "stage", "stage_id", "probability", "owner", "source",
                        "expected_close", "status", "lost_reason", "created_at", "updated_at",
                        "closed_at", "version"]
    assert "'Annual licence'" in repr(d) and "version=1" in repr(d)
    with pytest.raises(AttributeError):
        d.amount = 5  # type: ignore[misc]
    old = db.deals.create(sales, ada.id, "Imported", 5_000, "EUR", stage="proposal",
                          owner="li", created_at=datetime(2026, 1, 5, 12))
    assert old.stage == "Proposal" and old.owner == "li"
    assert old.created_at == datetime(2026, 1, 5, 12, tzinfo=timezone.utc)
    assert db.deals.history(old.id)["at"].tolist() == [old.created_at]
    assert len(db.deals) == 2


def test_create_refuses_bad_input(db, people, sales):
    ada = people[0].id
    cases = [
        (crm.InvalidInputError, "Lead, Qualified, Proposal, Negotiation", dict(stage="Won")),
        (crm.InvalidInputError, "amount", dict(amount=-1)),
        (crm.InvalidInputError, "currency", dict(currency="EURO")),
        (crm.InvalidInputError, "created_at", dict(created_at=T0 + DAY)),
        (crm.InvalidInputError, "name", dict(name="  ")),
        (crm.NotFoundError, "customer", dict(customer_id=9999)),
        (crm.NotFoundError, "pipeline", dict(pipeline="Nope")),
        (crm.InvalidArgumentError, "amount", dict(amount=12.5)),
        (crm.InvalidArgumentError, "amount", dict(amount=None)),
        (crm.InvalidArgumentError, "currency", dict(currency=None)),
        (crm.InvalidArgumentError, "customer_id", dict(customer_id="1")),
        (crm.InvalidArgumentError, "date", dict(expected_close=datetime(2026, 9, 30))),
        (crm.InvalidArgumentError, "date", dict(expected_close="2026-09-30")),
        (crm.InvalidArgumentError, "stage", dict(stage=3)),
    ]
    for cls, match, kwargs in cases:
        args = {"pipeline": "Sales", "customer_id": ada, "name": "X", "amount": 100,
                "currency": "EUR", **kwargs}
        with unchanged(db, cls, match=match):
            db.deals.create(args.pop("pipeline"), args.pop("customer_id"), args.pop("name"),
                            args.pop("amount"), args.pop("currency"), **args)
    assert len(db.deals) == 0


def test_find_count_and_frame(db, deals):
    d1, d2, d3, d4, d5 = deals
    assert [d.name for d in db.deals.find(status="open")] == ["A1", "G1", "B1"]
    assert db.deals.count(pipeline="Sales") == 5 == len(db.deals)
    assert [d.id for d in db.deals.find(amount__gte=30_000, order_by="-amount")] == [
        d1.id, d2.id, d4.id]
    assert db.deals.count("status = 'open' and owner = 'li'") == 3
    assert [d.name for d in db.deals.find(expected_close__lt=date(2026, 5, 1))] == ["A1"]
    assert db.deals.count(currency="USD", status="won") == 1
    f = db.deals.find_frame()
    assert f.index.name == "id" and f.index.tolist() == [d.id for d in deals]
    assert list(f.columns) == [
        "pipeline", "customer_id", "name", "amount", "currency", "stage", "probability",
        "status", "owner", "source", "expected_close", "lost_reason", "created_at",
        "updated_at", "closed_at", "version"]
    for col in ("pipeline", "name", "currency", "stage", "owner", "source", "lost_reason"):
        assert f[col].dtype == STR, col
    for col in ("customer_id", "amount", "version"):
        assert f[col].dtype == np.int64, col
    assert f["status"].dtype == pd.CategoricalDtype(["open", "won", "lost"])
    assert f["expected_close"].dtype == np.dtype("datetime64[s]")
    for col in ("created_at", "updated_at", "closed_at"):
        assert f[col].dtype == UTC_US, col
    assert f.loc[d1.id, "expected_close"] == pd.Timestamp("2026-04-15")
    assert pd.isna(f.loc[d2.id, "expected_close"]) and pd.isna(f.loc[d3.id, "source"])
    assert f.loc[d4.id, "lost_reason"] == "price" and f.loc[d4.id, "status"] == "lost"
    assert f.loc[d3.id, "closed_at"] == T0 - DAY and pd.isna(f.loc[d1.id, "closed_at"])
    assert f["amount"].tolist() == [100_000, 50_000, 20_000, 30_000, 10_000]
    assert f.loc[d1.id, "probability"] == 0.6 and f.loc[d1.id, "stage"] == "Proposal"
    empty = db.deals.find_frame(status="won", currency="EUR")
    assert empty.empty and list(empty.columns) == list(f.columns)
    assert empty["expected_close"].dtype == np.dtype("datetime64[s]")
    with pytest.raises(crm.InvalidInputError):
        db.deals.find(colour="red")


def test_update(db, deals):
    d1 = deals[0]
    u = db.deals.update(d1.id, name="A1 renewed", amount=150_000, currency="EUR",
                        source=None, expected_close=date(2026, 6, 1), owner="mo",
                        expected_version=d1.version)
    assert (u.name, u.amount, u.source, u.owner) == ("A1 renewed", 150_000, None, "mo")
    assert u.expected_close == date(2026, 6, 1) and u.version == d1.version + 1
    assert db.deals.update(d1.id).version == u.version  # nothing changed, nothing written
    u2 = db.deals.update(d1.id, amount=99, currency="USD")
    assert (u2.amount, u2.currency) == (99, "USD")
    assert db.deals.update(d1.id, expected_close=None).expected_close is None
    with unchanged(db, crm.ConflictError, ValueError, match="version"):
        db.deals.update(d1.id, name="late writer", expected_version=d1.version)
    with unchanged(db, crm.InvalidArgumentError, match="unknown field"):
        db.deals.update(d1.id, stage="Lead")
    with unchanged(db, crm.InvalidArgumentError, match="currency"):
        db.deals.update(d1.id, amount=5)
    with unchanged(db, crm.InvalidArgumentError, match="amount"):
        db.deals.update(d1.id, currency="EUR")
    with unchanged(db, crm.InvalidInputError, match="amount"):
        db.deals.update(d1.id, amount=-5, currency="EUR")
    with unchanged(db, crm.InvalidInputError, match="owner"):
        db.deals.update(d1.id, owner=" ")
    with unchanged(db, crm.InvalidArgumentError, match="expected_version"):
        db.deals.update(d1.id, name="x", expected_version="1")
    with unchanged(db, crm.NotFoundError):
        db.deals.update(9999, name="x")


# ---------------------------------------------------------------- moves and states


def test_moves_and_states(db, deals):
    d1, d2, d3, d4, d5 = deals
    h = db.deals.history(d1.id)
    assert list(h.columns) == ["deal_id", "from_stage", "to_stage", "at", "by"]
    assert h["from_stage"].tolist()[1:] == ["Lead", "Qualified"] and pd.isna(h["from_stage"][0])
    assert h["to_stage"].tolist() == ["Lead", "Qualified", "Proposal"]
    assert h["at"].tolist() == [T0 - 10 * DAY, T0 - 8 * DAY, T0 - 5 * DAY]
    assert h["at"].dtype == UTC_US and set(h["by"]) == {"system"}
    assert (h["deal_id"] == d1.id).all()
    m = db.deals.move(d2.id, "Proposal")  # at: now
    assert m.stage == "Proposal" and m.probability == 0.6 and m.version == d2.version + 1
    assert db.deals.move(d2.id, "proposal").version == m.version  # already there
    w = db.deals.win(d1.id)
    assert w.status == "won" and w.closed_at == T0 and w.stage == "Proposal"
    lost = db.deals.lose(d5.id, "went with a competitor")
    assert lost.status == "lost" and lost.lost_reason == "went with a competitor"
    r = db.deals.reopen(d5.id)
    assert r.status == "open" and r.lost_reason is None and r.closed_at is None
    assert r.stage == "Qualified"
    assert d3.status == "won" and d3.closed_at == T0 - DAY
    assert d4.status == "lost" and d4.lost_reason == "price"


def test_illegal_moves_name_both_states(db, deals):
    d1, d2, d3, d4, d5 = deals
    with unchanged(db, crm.IllegalTransitionError, ValueError, match="from won to won"):
        db.deals.win(d3.id)
    with unchanged(db, crm.IllegalTransitionError, match="from lost to won"):
        db.deals.win(d4.id)
    with unchanged(db, crm.IllegalTransitionError, match="from won to lost"):
        db.deals.lose(d3.id, "changed mind")
    with unchanged(db, crm.IllegalTransitionError, match='from lost to stage "Proposal"'):
        db.deals.move(d4.id, "Proposal")
    with unchanged(db, crm.IllegalTransitionError, match="from open to open"):
        db.deals.reopen(d1.id)
    with unchanged(db, crm.InvalidInputError, match="no such stage"):
        db.deals.move(d1.id, "Closing")
    with unchanged(db, crm.InvalidInputError, match="out of order"):
        db.deals.move(d1.id, "Negotiation", at=T0 - 6 * DAY)
    with unchanged(db, crm.InvalidInputError, match="after now"):
        db.deals.move(d1.id, "Negotiation", at=T0 + DAY)
    with unchanged(db, crm.InvalidInputError, match="lost_reason"):
        db.deals.lose(d1.id, "   ")
    with unchanged(db, crm.InvalidArgumentError, match="reason"):
        db.deals.lose(d1.id, None)
    with unchanged(db, crm.InvalidArgumentError, match="stage"):
        db.deals.move(d1.id, 2)
    with unchanged(db, crm.InvalidArgumentError, match="at"):
        db.deals.win(d1.id, at="yesterday")
    with unchanged(db, crm.InvalidArgumentError, match="id"):
        db.deals.win("1")
    with unchanged(db, crm.NotFoundError):
        db.deals.win(9999)


def test_time_in_stages(db, deals):
    d1, d3 = deals[0], deals[2]
    t = db.deals.time_in_stages(d1.id)
    assert list(t.columns) == ["stage", "entered_at", "left_at", "duration"]
    assert t["stage"].tolist() == ["Lead", "Qualified", "Proposal"]
    assert t["duration"].tolist() == [2 * DAY, 3 * DAY, 5 * DAY]  # the last stay up to now
    assert t["duration"].dtype == np.dtype("timedelta64[us]")
    assert t["entered_at"].dtype == UTC_US and t["left_at"].dtype == UTC_US
    assert pd.isna(t["left_at"].iloc[-1])
    assert db.deals.time_in_stages(d1.id, now=T0 + DAY)["duration"].iloc[-1] == 6 * DAY
    won = db.deals.time_in_stages(d3.id)  # up to the close
    assert won["stage"].tolist() == ["Qualified", "Negotiation"]
    assert won["duration"].tolist() == [6 * DAY, 2 * DAY]
    assert won["left_at"].iloc[-1] == T0 - DAY


def test_delete(db, deals):
    d2 = deals[1]
    db.deals.delete(d2.id)
    with pytest.raises(crm.NotFoundError):
        db.deals.get(d2.id)
    with pytest.raises(crm.NotFoundError):
        db.deals.history(d2.id)
    assert len(db.deals) == 4
    with unchanged(db, crm.NotFoundError):
        db.deals.delete(d2.id)


# ---------------------------------------------------------------- views


def test_value_by_stage(db, deals):
    v = db.deals.value_by_stage("Sales")
    assert list(v.columns) == ["stage", "position", "currency", "count", "amount", "weighted"]
    assert v["stage"].tolist() == ["Lead", "Qualified", "Proposal", "Negotiation"]
    assert set(v["currency"]) == {"EUR"}  # the USD deal is won
    assert v["count"].tolist() == [1, 1, 1, 0]
    assert v["amount"].tolist() == [50_000, 10_000, 100_000, 0]
    assert v["weighted"].tolist() == pytest.approx([5_000, 3_000, 60_000, 0])
    assert v["position"].tolist() == [0, 1, 2, 3] and v["amount"].dtype == np.int64
    # two currencies: every stage once per currency
    db.deals.create("Sales", deals[0].customer_id, "US", 7_000, "USD")
    v = db.deals.value_by_stage(db.deals.pipeline("Sales"))
    assert v["currency"].tolist() == ["EUR"] * 4 + ["USD"] * 4
    assert v.loc[v["currency"] == "USD", "amount"].tolist() == [7_000, 0, 0, 0]


def test_forecast(db, deals):
    f = db.deals.forecast("Sales")
    assert list(f.columns) == ["month", "currency", "count", "amount", "weighted"]
    assert f["month"].tolist()[:2] == ["2026-04", "2026-05"] and pd.isna(f["month"].iloc[2])
    assert f["count"].tolist() == [1, 1, 1]
    assert f["amount"].tolist() == [100_000, 10_000, 50_000]
    assert f["weighted"].tolist() == pytest.approx([60_000, 3_000, 5_000])


def test_win_rates(db, deals):
    w = db.deals.win_rates("Sales")
    assert w.index.name == "owner" and w.index.tolist() == ["li", "mo"]
    assert list(w.columns) == ["won", "lost", "open", "win_rate", "average_cycle"]
    assert w.loc["mo", ["won", "lost", "open"]].tolist() == [1, 1, 0]
    assert w.loc["mo", "win_rate"] == 0.5 and w.loc["mo", "average_cycle"] == 8 * DAY
    assert w.loc["li", "open"] == 3
    assert math.isnan(w.loc["li", "win_rate"]) and pd.isna(w.loc["li", "average_cycle"])
    s = db.deals.win_rates("Sales", by="source")
    assert s.index.name == "source"
    assert s.index.tolist()[:2] == ["referral", "web"] and pd.isna(s.index[2])
    assert s["won"].tolist() == [0, 0, 1] and s["lost"].tolist() == [0, 1, 0]
    assert s["win_rate"].tolist()[1:] == [0.0, 1.0]
    with unchanged(db, crm.InvalidInputError, match="owner, source"):
        db.deals.win_rates("Sales", by="region")
    with unchanged(db, crm.NotFoundError):
        db.deals.win_rates("Nope")


def test_stage_conversion(db, deals):
    c = db.deals.stage_conversion("Sales")
    assert list(c.columns) == ["from_stage", "to_stage", "entered", "advanced", "rate"]
    assert c["from_stage"].tolist() == ["Lead", "Qualified", "Proposal"]
    assert c["to_stage"].tolist() == ["Qualified", "Proposal", "Negotiation"]
    assert c["entered"].tolist() == [4, 3, 1]
    assert c["advanced"].tolist() == [2, 2, 0]
    assert c["rate"].tolist() == [0.5, 2 / 3, 0.0]
    # an empty pipeline: rates undefined
    db.deals.create_pipeline("New", {"A": 0.2, "B": 0.8})
    e = db.deals.stage_conversion("New")
    assert e["entered"].tolist() == [0] and math.isnan(e["rate"].iloc[0])
    assert db.deals.value_by_stage("New").empty and db.deals.forecast("New").empty


def test_views_refuse_unknown_pipelines(db, deals):
    for view in (db.deals.value_by_stage, db.deals.forecast, db.deals.stage_conversion):
        with unchanged(db, crm.NotFoundError, KeyError):
            view("Nope")
        with unchanged(db, crm.InvalidArgumentError, match="pipeline"):
            view(42)
