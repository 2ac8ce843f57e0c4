"""Campaigns: create, lifecycle, update, delete, members, tracking events (one by one and in
batches), evaluation, sample size; the customer filters in_campaign / campaign_variant /
responded; interactions linked to a campaign or a ticket — and bad input, each leaving the store
as it was."""

from __future__ import annotations

import math
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

import crm
from crm import analytics
from conftest import T0

UTC_US = pd.DatetimeTZDtype(unit="us", tz="UTC")
MINUTE = timedelta(minutes=1)


def snapshot(db):
    camps = [c.to_dict() for c in db.campaigns.list()]
    members = {c["id"]: db.campaigns.members(c["id"]).to_dict("list") for c in camps}
    events = {c["id"]: db.campaigns.events(c["id"]).reset_index().to_dict("list") for c in camps}
    return camps, members, events, len(db.audit.find()), len(db.interactions)


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
    assert after[0] == before[0], "campaigns changed"
    assert after[1] == before[1], "members changed"
    assert after[2] == before[2], "events changed"
    assert after[3] == before[3], "audit entries were written"
    assert after[4] == before[4], "interactions were written"


@pytest.fixture
def crowd(db):
    """100 customers, every other one from the web; the segments 'everyone' and 'web'."""
    ids = db.customers.add_many({
        "name": [f"Customer {i}" for i in range(100)],
        "source": ["web" if i % 2 == 0 else "ads" for i in range(100)],
    })
    db.segments.save("everyone", "")
    db.segments.save("web", source="web")
    return ids.tolist()


@pytest.fixture
def spring(db, crowd):
    """'Spring', started at T0 over everyone: A 45 %, B 45 %, control 10 %."""
    c = db.campaigns.create("Spring", "email", segment="everyone", budget=50_000, cost=10_000,
                            currency="EUR", variants={"A": 0.45, "B": 0.45}, control=0.10,
                            seed=42, objective="reactivation")
    db.campaigns.schedule(c)
    return db.campaigns.start("Spring")


# ---------------------------------------------------------------- create, get, find


def test_create_returns_the_stored_campaign(db, crowd):
    starts = datetime(2026, 3, 10, 8)  # naive: UTC
    c = db.campaigns.create(
        "  Spring ", "email", objective="reactivation", budget=50_000, cost=0, currency="eur",
        segment="everyone", variants=[("A", 0.45), ("B", 0.45)], control=("holdout", 0.10),
        seed=42, starts_at=starts, ends_at=starts + timedelta(days=14),
    )
    assert isinstance(c, crm.Campaign)
    assert c.id >= 1 and c.name == "Spring" and c.channel == "email"
    assert c.objective == "reactivation" and c.segment == "everyone"
    assert c.budget == 50_000 and c.cost == 0 and c.currency == "EUR"
    assert isinstance(c.budget, int)
    assert c.variants == [
        {"name": "A", "share": 0.45, "control": False},
        {"name": "B", "share": 0.45, "control": False},
        {"name": "holdout", "share": 0.10, "control": True},
    ]
    assert c.seed == 42 and c.status == "draft"
    assert c.starts_at == starts.replace(tzinfo=timezone.utc) and c.starts_at.tzinfo is not None
    assert c.ends_at - c.starts_at == timedelta(days=14)
    assert c.started_at is None and c.ended_at is None
    assert c.created_at == c.updated_at == T0
    assert db.campaigns.get(c.id) == c == db.campaigns.get("Spring") == db.campaigns.get(c)
    assert len({c, db.campaigns.get(c.id)}) == 1
    d = c.to_dict()
    assert d["budget"] == 50_000 and d["status"] == "draft" and d["variants"] == c.variants
    assert list(d) == ["id", "name", "channel", "objective", "budget", "cost", "currency",
                       "segment", "variants", "seed", "starts_at", "ends_at", "status",
                       "started_at", "ended_at", "created_at", "updated_at"]
    r = repr(c)
    assert r.startswith("Campaign(id=") and "'Spring'" in r and "'holdout'" in r
    with pytest.raises(AttributeError):
        c.name = "x"  # type: ignore[misc]


def test_create_defaults(db):
    c = db.campaigns.create("Plain", "sms")
    assert c.variants == [{"name": "all", "share": 1.0, "control": False}]
    assert c.budget is None and c.cost is None and c.currency is None and c.segment is None
    assert c.seed == c.id  # the default seed is the campaign's id
    # a control group given as a share alone is named "control"
    d = db.campaigns.create("Ctl", "email", variants={"A": 0.8}, control=0.2)
    assert d.variants[-1] == {"name": "control", "share": 0.2, "control": True}
    # numpy numbers are numbers
    e = db.campaigns.create("Np", "email", variants={"A": np.float64(0.5)},
                            control=np.float64(0.5), seed=np.int64(3), budget=np.int64(100),
                            currency="USD")
    assert e.seed == 3 and e.budget == 100
    big = db.campaigns.create("Big seed", "email", seed=2**64 - 1)
    assert big.seed == 2**64 - 1


def test_find_count_list(db, crowd, spring):
    db.campaigns.create("Summer", "sms", segment="web")
    db.campaigns.create("Autumn", "email")
    assert [c.name for c in db.campaigns.list()] == ["Spring", "Summer", "Autumn"]
    assert len(db.campaigns) == 3 == db.campaigns.count()
    assert [c.name for c in db.campaigns.find(status="running")] == ["Spring"]
    assert [c.name for c in db.campaigns.find(channel="email", order_by="-name")] == [
        "Spring", "Autumn"]
    assert db.campaigns.count("status = 'draft' and channel = 'sms'") == 1
    assert [c.name for c in db.campaigns.find(name__startswith="S", limit=1, offset=1)] == [
        "Summer"]
    assert db.campaigns.count(started_at__gte=T0) == 1
    with pytest.raises(crm.InvalidInputError):
        db.campaigns.find(budget=5)  # not a filterable field
    with pytest.raises(crm.ParseError):
        db.campaigns.count("status = ")


# ---------------------------------------------------------------- lifecycle


def test_lifecycle(db, crowd):
    c = db.campaigns.create("Spring", "email", segment="everyone")
    s = db.campaigns.schedule(c.id)
    assert s.status == "scheduled" and s.started_at is None
    at = T0 - timedelta(hours=1)
    r = db.campaigns.start("Spring", at=at)
    assert r.status == "running" and r.started_at == at
    assert len(db.campaigns.members(r)) == 100
    done = db.campaigns.complete(r, at=T0)
    assert done.status == "completed" and done.ended_at == T0
    x = db.campaigns.create("Off", "email")
    assert db.campaigns.cancel(x).status == "cancelled"
    assert db.campaigns.get("Off").ended_at == T0


def test_illegal_transitions_name_both_states(db, crowd, spring):
    draft = db.campaigns.create("Draft", "email", segment="everyone")
    with unchanged(db, crm.IllegalTransitionError, ValueError,
                   match="from draft to running") as info:
        db.campaigns.start(draft)
    assert info.value.code_name == "ILLEGAL_TRANSITION"
    with unchanged(db, crm.IllegalTransitionError, match="from draft to completed"):
        db.campaigns.complete("Draft")
    with unchanged(db, crm.IllegalTransitionError, match="from running to scheduled"):
        db.campaigns.schedule(spring)
    db.campaigns.complete(spring)
    with unchanged(db, crm.IllegalTransitionError, match="from completed to cancelled"):
        db.campaigns.cancel(spring)
    # scheduling needs an audience
    bare = db.campaigns.create("Bare", "email")
    with unchanged(db, crm.InvalidInputError, match="segment"):
        db.campaigns.schedule(bare)
    # completing before the start
    other = db.campaigns.create("Other", "email", segment="everyone")
    db.campaigns.schedule(other)
    db.campaigns.start(other)
    with unchanged(db, crm.InvalidInputError, match="before the campaign started"):
        db.campaigns.complete(other, at=T0 - timedelta(days=1))


def test_transitions_refuse_bad_arguments(db, crowd, spring):
    with unchanged(db, crm.NotFoundError, KeyError):
        db.campaigns.schedule("No such campaign")
    with unchanged(db, crm.NotFoundError, KeyError):
        db.campaigns.get(999)
    with unchanged(db, crm.InvalidArgumentError, TypeError, match="id .int. or a name"):
        db.campaigns.start(1.5)
    with unchanged(db, crm.InvalidArgumentError, match="at"):
        db.campaigns.complete(spring, at="tomorrow")


# ---------------------------------------------------------------- members


def test_members_are_a_seeded_random_split(db, crowd, spring):
    m = db.campaigns.members(spring)
    assert list(m.columns) == ["customer_id", "variant", "control", "assigned_at"]
    assert m["customer_id"].dtype == np.int64 and m["control"].dtype == bool
    assert m["variant"].dtype == pd.CategoricalDtype(["A", "B", "control"])
    assert m["assigned_at"].dtype == UTC_US and (m["assigned_at"] == T0).all()
    assert m["customer_id"].tolist() == sorted(crowd)
    assert m["variant"].value_counts().to_dict() == {"A": 45, "B": 45, "control": 10}
    assert (m["control"] == (m["variant"] == "control")).all()
    # not a block split
    assert set(m["variant"].iloc[:10]) != {"A"}
    # the same customers, variants and seed give the same split in another store
    with crm.open(now=T0) as other:
        other.customers.add_many({"name": [f"Customer {i}" for i in range(100)]})
        other.segments.save("everyone", "")
        other.campaigns.create("Spring", "email", segment="everyone",
                               variants={"A": 0.45, "B": 0.45}, control=0.10, seed=42)
        other.campaigns.schedule("Spring")
        other.campaigns.start("Spring")
        assert other.campaigns.members("Spring")["variant"].tolist() == m["variant"].tolist()
    # the audience is frozen: a new customer does not join
    db.customers.add("Late Comer")
    assert len(db.campaigns.members(spring)) == 100
    # a draft has no members, and the frame keeps its columns and dtypes
    empty = db.campaigns.members(db.campaigns.create("Later", "email"))
    assert len(empty) == 0 and list(empty.columns) == list(m.columns)
    assert empty["assigned_at"].dtype == UTC_US and empty["customer_id"].dtype == np.int64


# ---------------------------------------------------------------- update, delete


def test_update(db, crowd):
    c = db.campaigns.create("Spring", "email", segment="everyone", budget=1000, currency="EUR")
    db.now = T0 + MINUTE
    u = db.campaigns.update(c, name="Spring sale", objective="win back", cost=250,
                            currency="EUR", variants={"A": 0.5}, control=0.5, seed=7)
    assert u.name == "Spring sale" and u.objective == "win back"
    assert u.cost == 250 and u.budget == 1000 and u.currency == "EUR"
    assert [v["name"] for v in u.variants] == ["A", "control"] and u.seed == 7
    assert u.updated_at == T0 + MINUTE and u.created_at == T0
    u = db.campaigns.update("Spring sale", objective=None, budget=None)
    assert u.objective is None and u.budget is None and u.cost == 250
    db.campaigns.schedule(u)
    db.campaigns.start(u)
    # spend while running
    assert db.campaigns.update(u, cost=900, currency="EUR").cost == 900
    # the plan is fixed once it started
    with unchanged(db, crm.InvalidInputError, match="fixed"):
        db.campaigns.update(u, variants={"A": 1.0})
    with unchanged(db, crm.InvalidInputError, match="fixed"):
        db.campaigns.update(u, segment="web")
    with unchanged(db, crm.InvalidArgumentError, match="unknown field"):
        db.campaigns.update(u, status="completed")
    with unchanged(db, crm.InvalidArgumentError, match="currency"):
        db.campaigns.update(u, cost=100)
    with unchanged(db, crm.InvalidInputError, match="cost"):
        db.campaigns.update(u, cost=-1, currency="EUR")
    with unchanged(db, crm.InvalidArgumentError, match="name"):
        db.campaigns.update(u, name=None)
    db.campaigns.complete(u)
    with unchanged(db, crm.InvalidInputError, match="completed"):
        db.campaigns.update(u, cost=1, currency="EUR")


def test_delete(db, crowd, spring):
    draft = db.campaigns.create("Draft", "email")
    db.campaigns.delete(draft)
    with pytest.raises(crm.NotFoundError):
        db.campaigns.get("Draft")
    db.campaigns.record_event(spring, int(db.campaigns.members(spring)["customer_id"][0]), "converted")
    with unchanged(db, crm.ConstraintError, ValueError, match="cascade"):
        db.campaigns.delete("Spring")
    db.campaigns.delete("Spring", cascade=True)
    assert len(db.campaigns) == 0
    assert db.customers.count(in_campaign="Spring") == 0
    with pytest.raises(crm.NotFoundError):
        db.campaigns.delete("Spring")


# ---------------------------------------------------------------- bad input on create


def test_create_refuses_bad_input(db, crowd):
    db.campaigns.create("Taken", "email")
    cases = [
        (crm.InvalidInputError, "budget", dict(budget=-1, currency="EUR")),
        (crm.InvalidInputError, "cost", dict(cost=-5, currency="EUR")),
        (crm.InvalidInputError, "add up to 1", dict(variants={"A": 0.5, "B": 0.4})),
        (crm.InvalidInputError, "must receive the campaign", dict(control=1.0)),
        (crm.InvalidInputError, "unique", dict(variants=[("A", 0.5), ("a", 0.5)])),
        (crm.InvalidInputError, "channel", dict(channel="pigeon")),
        (crm.InvalidInputError, "ends_at", dict(starts_at=T0, ends_at=T0 - MINUTE)),
        (crm.InvalidInputError, "seed", dict(seed=-1)),
        (crm.InvalidInputError, "currency", dict(budget=10, currency="EURO")),
        (crm.AlreadyExistsError, "Taken", dict(name="Taken")),
        (crm.NotFoundError, "segment", dict(segment="nobody")),
        (crm.InvalidArgumentError, "currency", dict(budget=100)),
        (crm.InvalidArgumentError, "currency", dict(currency="EUR")),
        (crm.InvalidArgumentError, "budget", dict(budget=12.5, currency="EUR")),
        (crm.InvalidArgumentError, "budget", dict(budget="100", currency="EUR")),
        (crm.InvalidArgumentError, "name", dict(name=42)),
        (crm.InvalidArgumentError, "name", dict(name=None)),
        (crm.InvalidArgumentError, "variants", dict(variants="A")),
        (crm.InvalidArgumentError, "pairs", dict(variants=[("A", 0.5, True)])),
        (crm.InvalidArgumentError, "share", dict(variants={"A": "1"})),
        (crm.InvalidArgumentError, "share", dict(variants={"A": True})),
        (crm.InvalidArgumentError, "control", dict(control=("c", 0.1, 2))),
        (crm.InvalidArgumentError, "seed", dict(seed=1.5)),
        (crm.InvalidArgumentError, "seed", dict(seed=True)),
        (crm.InvalidArgumentError, "starts_at", dict(starts_at="2026-03-01")),
    ]
    for cls, match, kwargs in cases:
        args = {"name": "New", "channel": "email", **kwargs}
        name, channel = args.pop("name"), args.pop("channel")
        with unchanged(db, cls, match=match):
            db.campaigns.create(name, channel, **args)
    assert [c.name for c in db.campaigns.list()] == ["Taken"]


# ---------------------------------------------------------------- tracking events


def test_record_event_one_by_one(db, crowd, spring):
    m = db.campaigns.members(spring)
    a = m.loc[m["variant"] == "A", "customer_id"].tolist()
    ctl = m.loc[m["control"], "customer_id"].tolist()
    e = db.campaigns.record_event("Spring", a[0], "sent", at=T0)
    assert isinstance(e, crm.CampaignEvent)
    assert (e.campaign_id, e.customer_id, e.kind, e.at) == (spring.id, a[0], "sent", T0)
    assert e.to_dict() == {"id": e.id, "campaign_id": spring.id, "customer_id": a[0],
                           "kind": "sent", "at": T0}
    assert "kind='sent'" in repr(e)
    # a sent event puts the message on the customer's timeline, linked to the campaign
    (msg,) = db.interactions.timeline(a[0])
    assert (msg.campaign_id, msg.direction, msg.kind, msg.subject) == (
        spring.id, "outbound", "message", "Spring")
    assert db.interactions.count(campaign_id=spring.id) == 1
    d = db.campaigns.record_event(spring, np.int64(a[0]), "delivered")  # at: now
    assert d.at == T0 and d.kind == "delivered"
    # a control member converts without a message
    assert db.campaigns.record_event(spring, ctl[0], "converted").kind == "converted"
    ev = db.campaigns.events(spring)
    assert list(ev.columns) == ["customer_id", "kind", "at"] and ev.index.name == "id"
    assert ev["kind"].dtype == pd.CategoricalDtype(crm.EVENT_KINDS)
    assert ev["at"].dtype == UTC_US
    assert ev["kind"].tolist() == ["sent", "delivered", "converted"]
    assert db.campaigns.events(spring, customer_id=a[0])["kind"].tolist() == ["sent", "delivered"]


def test_record_event_refusals(db, crowd, spring):
    m = db.campaigns.members(spring)
    a = m.loc[m["variant"] == "A", "customer_id"].tolist()
    ctl = m.loc[m["control"], "customer_id"].tolist()
    outsider = db.customers.add("Not a member").id
    with unchanged(db, crm.InvalidInputError, ValueError, match="not a member"):
        db.campaigns.record_event(spring, outsider, "sent")
    with unchanged(db, crm.InvalidInputError, match="control group"):
        db.campaigns.record_event(spring, ctl[0], "sent")
    with unchanged(db, crm.InvalidInputError, match="no sent event"):
        db.campaigns.record_event(spring, a[0], "delivered")
    with unchanged(db, crm.InvalidInputError, match="before the campaign started"):
        db.campaigns.record_event(spring, a[0], "sent", at=T0 - MINUTE)
    with unchanged(db, crm.InvalidInputError, match="event"):
        db.campaigns.record_event(spring, a[0], "bounced")
    with unchanged(db, crm.InvalidArgumentError, match="customer_id"):
        db.campaigns.record_event(spring, str(a[0]), "sent")
    with unchanged(db, crm.InvalidArgumentError, match="kind"):
        db.campaigns.record_event(spring, a[0], None)
    draft = db.campaigns.create("Draft", "email", segment="everyone")
    with unchanged(db, crm.InvalidInputError, match="draft"):
        db.campaigns.record_event(draft, a[0], "converted")


def test_record_events_in_a_batch(db, crowd, spring):
    m = db.campaigns.members(spring)
    a = m.loc[m["variant"] == "A", "customer_id"].tolist()
    ctl = m.loc[m["control"], "customer_id"].tolist()
    outsider = db.customers.add("Not a member").id
    t = T0 + MINUTE
    batch = pd.DataFrame({
        "customer_id": [a[0], a[0], a[1], ctl[0], outsider, a[2], a[3]],
        "kind": ["sent", "delivered", "opened", "sent", "sent", "converted", "sent"],
        "at": pd.to_datetime([t, t + MINUTE, t, t, t, t, None], utc=True),
    })
    report = db.campaigns.record_events(spring, batch)
    assert isinstance(report, crm.EventReport)
    assert report.recorded == 4  # a delivered may follow its sent in the same batch
    r = report.rejected
    assert list(r.columns) == ["index", "customer_id", "kind", "at", "reason", "message"]
    assert r["index"].tolist() == [2, 3, 4]
    assert r["customer_id"].tolist() == [a[1], ctl[0], outsider]
    assert r["kind"].tolist() == ["opened", "sent", "sent"]
    assert r["reason"].tolist() == ["out_of_order", "control_group", "not_member"]
    assert r["reason"].dtype == pd.CategoricalDtype(crm.EVENT_REJECTIONS)
    assert r["at"].dtype == UTC_US and (r["at"] == t).all()
    assert "not a member" in r["message"].iloc[2]
    assert "recorded=4" in repr(report)
    ev = db.campaigns.events(spring)
    assert len(ev) == 4
    assert ev.loc[ev["customer_id"] == a[3], "at"].tolist() == [T0]  # NaT: now
    # a dict of columns, one kind for every row, no times
    report = db.campaigns.record_events("Spring", {"customer_id": a[4:9], "kind": "sent"})
    assert report.recorded == 5 and report.rejected.empty
    assert list(report.rejected.columns) == list(r.columns)
    assert report.rejected["at"].dtype == UTC_US


def test_record_events_refuses_bad_batches(db, crowd, spring):
    a = db.campaigns.members(spring)["customer_id"].tolist()
    bad = [
        (crm.InvalidArgumentError, "unknown column", {"customer_id": a[:1], "kind": ["sent"],
                                                      "when": [T0]}),
        (crm.InvalidArgumentError, "customer_id column is required", {"kind": ["sent"]}),
        (crm.InvalidArgumentError, "kind column is required", {"customer_id": a[:1]}),
        (crm.InvalidArgumentError, "column kind has 1 values", {"customer_id": a[:2],
                                                               "kind": ["sent"]}),
        (crm.InvalidArgumentError, "column at has 1 values", {"customer_id": a[:2],
                                                             "kind": "sent", "at": [T0]}),
        (crm.InvalidInputError, "row 1", {"customer_id": a[:2], "kind": ["sent", "bounced"]}),
        (crm.InvalidArgumentError, "customer_id", {"customer_id": [1.5], "kind": "sent"}),
        (crm.InvalidArgumentError, "DataFrame", [(a[0], "sent")]),
    ]
    for cls, match, data in bad:
        with unchanged(db, cls, match=match):
            db.campaigns.record_events(spring, data)
    with unchanged(db, crm.NotFoundError):
        db.campaigns.record_events("Nope", {"customer_id": a[:1], "kind": "sent"})


# ---------------------------------------------------------------- evaluation


@pytest.fixture
def evaluated(db, crowd):
    """'Eval': A 50 %, control 50 %, cost €10.00, with a known funnel (see the test)."""
    c = db.campaigns.create("Eval", "email", segment="everyone", cost=1000, currency="EUR",
                            variants={"A": 0.5}, control=0.5, seed=7)
    db.campaigns.schedule(c)
    db.campaigns.start(c)
    m = db.campaigns.members(c)
    a = m.loc[~m["control"], "customer_id"].tolist()
    ctl = m.loc[m["control"], "customer_id"].tolist()
    t = T0 + MINUTE
    kinds = (["sent"] * 50 + ["delivered"] * 40 + ["opened"] * 20 + ["clicked"] * 10
             + ["converted"] * 8 + ["converted"] * 3)
    who = a[:50] + a[:40] + a[:20] + a[:10] + a[:8] + ctl[:3]
    report = db.campaigns.record_events(c, {"customer_id": who, "kind": kinds,
                                            "at": [t] * len(who)})
    assert report.recorded == len(who)
    db.now = T0 + timedelta(days=30)
    # one attributed purchase of a delivered A member who had no converted event, one too late
    db.purchases.add(a[8], 5000, "EUR", purchased_at=T0 + timedelta(days=1))
    db.purchases.add(a[9], 7000, "EUR", purchased_at=T0 + timedelta(days=20))
    return c, a, ctl


def test_evaluate_reports_the_funnel_and_the_uplift(db, evaluated):
    c, a, ctl = evaluated
    r = db.campaigns.evaluate("Eval")
    assert isinstance(r, crm.CampaignReport)
    assert (r.campaign_id, r.name, r.currency) == (c.id, "Eval", "EUR")
    assert (r.window_days, r.yates, r.alpha) == (7, True, 0.05)
    v = r.variants
    assert v.index.name == "variant" and v.index.tolist() == ["A", "control"]
    assert list(v.columns) == [
        "control", "members", "sent", "delivered", "opened", "clicked", "converted",
        "converted_events", "unsubscribed", "purchases", "revenue", "open_rate", "click_rate",
        "conversion_rate", "revenue_per_member"]
    for col in ("members", "sent", "delivered", "converted", "revenue"):
        assert v[col].dtype == np.int64, col
    assert v["control"].dtype == bool and v["open_rate"].dtype == np.float64
    assert v.loc["A"][["members", "sent", "delivered", "opened", "clicked", "converted",
                       "converted_events", "purchases", "revenue"]].tolist() == [
        50, 50, 40, 20, 10, 9, 8, 1, 5000]
    assert v.loc["control"][["members", "sent", "delivered", "converted", "revenue"]].tolist() \
        == [50, 0, 0, 3, 0]
    assert v.loc["A", "open_rate"] == 0.5 and v.loc["A", "click_rate"] == 0.25
    assert v.loc["A", "conversion_rate"] == 9 / 50 and v.loc["A", "revenue_per_member"] == 100.0
    assert math.isnan(v.loc["control", "open_rate"])  # nothing delivered: undefined
    assert v.loc["control", "conversion_rate"] == 3 / 50
    # the money
    assert (r.conversions, r.revenue, r.cost) == (9, 5000, 1000)
    assert r.cost_per_conversion == pytest.approx(1000 / 9)
    assert r.roi == pytest.approx(4.0)
    # the uplift: the same numbers as crm.analytics on the same counts
    u = r.uplift
    assert u.index.tolist() == ["A"] and u.index.name == "variant"
    assert list(u.columns) == [
        "control", "rate", "control_rate", "difference", "relative", "z", "z_p_value", "chi2",
        "chi2_p_value", "ci_wald_low", "ci_wald_high", "ci_newcombe_low", "ci_newcombe_high",
        "significant"]
    row = u.loc["A"]
    assert row["control"] == "control"
    assert row["rate"] == 9 / 50 and row["control_rate"] == 3 / 50
    assert row["difference"] == pytest.approx(0.12) and row["relative"] == pytest.approx(2.0)
    z, p = analytics.proportions_ztest([9, 3], [50, 50])
    assert (row["z"], row["z_p_value"]) == (z, p)
    chi = analytics.chi2_contingency([[9, 41], [3, 47]], correction=True)
    assert (row["chi2"], row["chi2_p_value"]) == (chi.statistic, chi.pvalue)
    assert (row["ci_wald_low"], row["ci_wald_high"]) == analytics.confint_proportions_2indep(
        9, 50, 3, 50, method="wald")
    assert (row["ci_newcombe_low"], row["ci_newcombe_high"]) == \
        analytics.confint_proportions_2indep(9, 50, 3, 50)
    assert row["significant"] == (p < 0.05)
    assert u["significant"].dtype == bool
    assert "Eval" in repr(r)


def test_evaluate_options(db, evaluated):
    # a 30-day window attributes the late purchase too
    r = db.campaigns.evaluate("Eval", window_days=30)
    assert r.variants.loc["A", "converted"] == 10 and r.revenue == 12_000
    assert r.window_days == 30
    # without Yates' correction: the uncorrected chi-square, whose p-value is the z-test's
    r = db.campaigns.evaluate("Eval", yates=False, alpha=0.5)
    chi = analytics.chi2_contingency([[9, 41], [3, 47]], correction=False)
    assert r.uplift.loc["A", "chi2"] == chi.statistic
    assert r.uplift.loc["A", "chi2_p_value"] == pytest.approx(r.uplift.loc["A", "z_p_value"])
    assert r.alpha == 0.5 and bool(r.uplift.loc["A", "significant"])
    # the campaign's own currency, named
    assert db.campaigns.evaluate("Eval", currency="EUR").revenue == 5000


def test_evaluate_without_control_group_has_no_uplift(db, crowd):
    c = db.campaigns.create("AB", "email", segment="everyone", variants={"A": 0.5, "B": 0.5})
    db.campaigns.schedule(c)
    db.campaigns.start(c)
    r = db.campaigns.evaluate(c)
    assert r.uplift.empty and list(r.uplift.columns)[-1] == "significant"
    assert r.variants["members"].tolist() == [50, 50]
    assert r.cost is None and r.roi is None and r.cost_per_conversion is None
    assert r.currency is None


def test_evaluate_refuses_bad_input(db, evaluated):
    draft = db.campaigns.create("Draft", "email")
    with unchanged(db, crm.InvalidInputError, match="has not started"):
        db.campaigns.evaluate(draft)
    with unchanged(db, crm.InvalidInputError, match="alpha"):
        db.campaigns.evaluate("Eval", alpha=1.5)
    with unchanged(db, crm.InvalidInputError, match="attribution_window"):
        db.campaigns.evaluate("Eval", window_days=0)
    with unchanged(db, crm.InvalidInputError, match="currency"):
        db.campaigns.evaluate("Eval", currency="USD")  # the cost is in EUR
    with unchanged(db, crm.InvalidArgumentError, match="window_days"):
        db.campaigns.evaluate("Eval", window_days="7")
    with unchanged(db, crm.InvalidArgumentError, match="yates"):
        db.campaigns.evaluate("Eval", yates=1)
    with unchanged(db, crm.NotFoundError):
        db.campaigns.evaluate("Nope")


# ---------------------------------------------------------------- customer filters


def test_customer_filters_by_campaign(db, evaluated):
    c, a, ctl = evaluated
    other = db.campaigns.create("Other", "sms", segment="web")
    db.campaigns.schedule(other)
    db.campaigns.start(other, at=T0)
    web_member = next(i for i in db.campaigns.members(other)["customer_id"]
                      if i not in a[:20] and i not in ctl[:3])
    db.campaigns.record_event(other, int(web_member), "converted", at=T0 + MINUTE)

    count = db.customers.count
    assert count(in_campaign="Eval") == 100
    assert count(in_campaign="Other") == 50
    assert count(in_campaign="No such campaign") == 0
    assert count(campaign_variant=("Eval", "control")) == 50
    assert count(campaign_variant=["Eval", "a"]) == 50  # variant names ignore case
    assert {x.id for x in db.customers.find(campaign_variant=("Eval", "control"))} == set(ctl)
    # responded: opened, clicked or converted (not a purchase alone)
    assert {x.id for x in db.customers.find(responded="Eval")} == set(a[:20]) | set(ctl[:3])
    assert count(responded=True) == 24
    assert count(responded=False) == 100 - 24
    # the same in filter text
    assert count("in_campaign('Eval')") == 100
    assert count("in_campaign('Eval', 'A')") == 50
    assert count("campaign_variant('Eval') = 'control'") == 50
    assert count("responded('Eval')") == 23
    assert count("responded()") == 24
    assert count("responded() and source = 'web'") == len(
        [i for i in set(a[:20]) | set(ctl[:3]) | {int(web_member)}
         if db.customers.get(i).source == "web"])
    # combined with other filters, in a segment too
    db.segments.save("eval responders", "responded('Eval')")
    assert db.segments.count("eval responders") == 23
    assert db.customers.find_frame(responded="Eval", source="web").index.isin(
        set(a[:20]) | set(ctl[:3])).all()


def test_customer_filters_by_campaign_refuse_bad_values(db, evaluated):
    count = db.customers.count
    with pytest.raises(crm.InvalidArgumentError, match="campaign name"):
        count(in_campaign=5)
    with pytest.raises(crm.InvalidArgumentError, match="pair"):
        count(campaign_variant="Eval")
    with pytest.raises(crm.InvalidArgumentError, match="True or False"):
        count(responded=3)
    with pytest.raises(crm.ParseError, match="in_campaign"):
        count("in_campaign()")
    with pytest.raises(crm.ParseError, match="unknown function"):
        count("member_of('Eval')")
    with pytest.raises(crm.ParseError):
        count("campaign_variant('Eval')")
    # customer predicates only
    with pytest.raises(crm.InvalidInputError, match="applies to customers"):
        db.campaigns.count(in_campaign="Eval")


# ---------------------------------------------------------------- interactions linked to
# campaigns and tickets


def test_interactions_link_campaigns_and_tickets(db, crowd, spring):
    who = crowd[0]
    ticket = db.tickets.open(who, "Where is my order?", "email")
    # opening a ticket may itself record an interaction linked to it
    of_ticket = [x.id for x in db.interactions.find(ticket_id=ticket.id)]
    i = db.interactions.add(who, "email", kind="message", campaign_id=spring.id)
    j = db.interactions.add(who, "phone", kind="call", ticket_id=ticket.id)
    k = db.interactions.add(who, "chat")
    assert (i.campaign_id, i.ticket_id) == (spring.id, None)
    assert (j.campaign_id, j.ticket_id) == (None, ticket.id)
    assert (k.campaign_id, k.ticket_id) == (None, None)
    assert db.interactions.get(j.id) == j
    d = i.to_dict()
    assert d["campaign_id"] == spring.id and d["ticket_id"] is None
    # the frames carry both, as nullable integers
    f = db.interactions.find_frame()
    assert f["campaign_id"].dtype == pd.Int64Dtype() and f["ticket_id"].dtype == pd.Int64Dtype()
    assert f.loc[i.id, "campaign_id"] == spring.id and pd.isna(f.loc[i.id, "ticket_id"])
    assert f.loc[j.id, "ticket_id"] == ticket.id and pd.isna(f.loc[k.id, "campaign_id"])
    t = db.interactions.timeline_frame(who)
    assert t.loc[j.id, "ticket_id"] == ticket.id
    assert list(t.columns)[-2:] == ["campaign_id", "ticket_id"]
    # and filters
    assert [x.id for x in db.interactions.find(campaign_id=spring.id)] == [i.id]
    assert [x.id for x in db.interactions.find(ticket_id=ticket.id)] == of_ticket + [j.id]
    assert db.interactions.count("ticket_id = %d" % ticket.id) == len(of_ticket) + 1
    # an empty frame keeps the columns and dtypes
    empty = db.interactions.find_frame(campaign_id=-1)
    assert empty.empty and empty["ticket_id"].dtype == pd.Int64Dtype()


def test_interaction_links_refuse_bad_input(db, crowd, spring):
    before = len(db.interactions)
    with pytest.raises(crm.NotFoundError, match="campaign"):
        db.interactions.add(crowd[0], "email", campaign_id=9999)
    with pytest.raises(crm.NotFoundError, match="ticket"):
        db.interactions.add(crowd[0], "email", ticket_id=9999)
    with pytest.raises(crm.InvalidArgumentError, match="campaign_id"):
        db.interactions.add(crowd[0], "email", campaign_id="Spring")
    with pytest.raises(crm.InvalidArgumentError, match="ticket_id"):
        db.interactions.add(crowd[0], "email", ticket_id=1.0)
    assert len(db.interactions) == before


# ---------------------------------------------------------------- stubs


def test_stubs_cover_the_native_api():
    """_crm.pyi (installed with the wheel) names every public member of the native classes
    and functions of campaigns, deals and the tests on proportions."""
    import ast
    from pathlib import Path

    from crm import _crm

    stub = ast.parse((Path(crm.__file__).parent / "_crm.pyi").read_text(encoding="utf-8"))
    classes = {n.name: n for n in stub.body if isinstance(n, ast.ClassDef)}
    top = {n.name for n in stub.body if isinstance(n, ast.FunctionDef)}
    top |= {n.target.id for n in stub.body if isinstance(n, ast.AnnAssign)}

    def members(node):
        return {n.name for n in node.body if isinstance(n, ast.FunctionDef)}

    for name in ("Campaign", "CampaignEvent", "Deal", "Pipeline", "Stage"):
        native = {m for m in dir(getattr(_crm, name)) if not m.startswith("_")}
        missing = native - members(classes[name])
        assert not missing, f"{name}: {sorted(missing)} not in the stub"
    db_methods = {m for m in dir(_crm.Database) if not m.startswith("_")
                  and any(w in m for w in ("campaign", "deal", "pipeline", "stage"))}
    assert len(db_methods) >= 25
    missing = db_methods - members(classes["Database"])
    assert not missing, f"Database: {sorted(missing)} not in the stub"
    for name in ("proportions_ztest_2samp", "chi2_contingency", "confint_proportions_2indep_diff",
                 "proportion_effectsize", "samplesize_proportions_2indep",
                 "samplesize_proportions_2indep_ceil", "samplesize_mde", "campaign_sample_size",
                 "CAMPAIGN_STATUSES", "EVENT_KINDS", "EVENT_REJECTIONS", "DEAL_STATUSES",
                 "DEAL_GROUP_BY", "ALTERNATIVES", "CONFINT_METHODS"):
        assert hasattr(_crm, name), name
        assert name in top, f"{name} not in the stub"


def test_add_many_links_campaigns_and_tickets(db, crowd, spring):
    ticket = db.tickets.open(crowd[1], "Refund?", "email")
    before = len(db.interactions)
    ids = db.interactions.add_many(pd.DataFrame({
        "customer_id": [crowd[0], crowd[1], crowd[2]],
        "channel": "email",
        "campaign_id": pd.array([spring.id, None, None], dtype="Int64"),
        "ticket_id": pd.array([None, ticket.id, None], dtype="Int64"),
    }))
    got = [db.interactions.get(int(i)) for i in ids]
    assert [(x.campaign_id, x.ticket_id) for x in got] == [
        (spring.id, None), (None, ticket.id), (None, None)]
    # a link to a missing campaign writes nothing and says which
    with pytest.raises(crm.NotFoundError, match="campaign id 9999"):
        db.interactions.add_many({"customer_id": [crowd[0], crowd[1]], "channel": "sms",
                                  "campaign_id": [spring.id, 9999]})
    assert len(db.interactions) == before + 3
