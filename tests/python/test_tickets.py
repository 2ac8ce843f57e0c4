"""Service tickets with SLAs: the workflow and its history, comments and the first response, SLA
deadlines (calendar and business time), pauses, imported history, the work queue, breaches,
statistics, the customer's timeline and ticket filters — and bad input, each leaving the store as
it was."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest

import crm

UTC_US = pd.DatetimeTZDtype(unit="us", tz="UTC")
STR = pd.StringDtype(na_value=np.nan)
TD_US = np.dtype("timedelta64[us]")
STATUSES = ("new", "open", "pending", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")
TICKET_COLUMNS = [
    "customer_id", "subject", "body", "channel", "category", "priority", "status", "assignee",
    "created_at", "updated_at", "first_response_at", "resolved_at", "closed_at", "version",
    "first_response_due", "resolution_due", "next_due",
]
QUEUE_COLUMNS = TICKET_COLUMNS + [
    "first_response_breached", "first_response_breach_by", "resolution_breached",
    "resolution_breach_by",
]
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def ts(text: str) -> datetime:
    """An aware UTC datetime from ``"2026-05-04 09:00"``."""
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


@pytest.fixture
def db():
    """An in-memory store opened by agent ``li.wei`` on Monday 2026-05-04 09:00 UTC."""
    with crm.open(":memory:", principal="li.wei", role="agent", now=ts("2026-05-04 09:00")) as h:
        yield h


@pytest.fixture
def ada(db):
    return db.customers.add("Ada").id


@pytest.fixture
def bob(db):
    return db.customers.add("Bob").id


def state(db):
    """Everything a ticket write can touch, for before/after comparisons."""
    tickets = db.tickets.find_frame()
    history = [db.tickets.history(int(i)) for i in tickets.index]
    comments = [db.tickets.comments(int(i)) for i in tickets.index]
    return (
        tickets,
        history,
        comments,
        db.tickets.sla_policies(),
        db.tickets.business_hours(),
        len(db.audit.find()),
        db.interactions.find_frame(),
    )


def same_state(a, b) -> bool:
    return (
        a[0].equals(b[0])
        and len(a[1]) == len(b[1])
        and all(x.equals(y) for x, y in zip(a[1], b[1]))
        and a[2] == b[2]
        and a[3].equals(b[3])
        and a[4] == b[4]
        and a[5] == b[5]
        and a[6].drop(columns="metadata").equals(b[6].drop(columns="metadata"))
    )


@contextmanager
def unchanged(db, cls, builtin=Exception, match=None):
    """Asserts the exception class, its code, its builtin base, and that nothing changed."""
    before = state(db)
    with pytest.raises(cls, match=match) as info:
        yield info
    e = info.value
    assert isinstance(e, crm.CrmError) and isinstance(e, builtin)
    assert e.code == cls.code and e.code_name == cls.code_name
    assert same_state(before, state(db)), "the store changed"


# ---------------------------------------------------------------- vocabularies and records


def test_vocabularies_and_classes_come_from_the_engine(db):
    assert crm.TICKET_STATUSES == STATUSES
    assert crm.TICKET_PRIORITIES == PRIORITIES
    assert crm.SLA_TARGETS == ("first_response", "resolution")
    assert crm.BUSINESS_DAYS == ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    assert crm.Ticket is crm._crm.Ticket and crm.Comment is crm._crm.Comment
    assert crm.SlaState is crm._crm.SlaState and crm.SlaPolicy is crm._crm.SlaPolicy
    assert isinstance(db.tickets, crm.Tickets)
    assert repr(db.tickets) == "<crm.Tickets of ':memory:'>"


def test_open_returns_the_stored_ticket(db, ada):
    t = db.tickets.open(ada, "  Parcel never arrived ", "Email", body="Order ORD-7.",
                        category=" Delivery ", priority="HIGH", assignee="wu.fei")
    assert isinstance(t, crm.Ticket)
    assert (t.customer_id, t.subject, t.body) == (ada, "Parcel never arrived", "Order ORD-7.")
    assert (t.channel, t.category, t.priority, t.status) == ("email", "delivery", "high", "new")
    assert t.assignee == "wu.fei" and t.version == 1
    assert t.created_at == t.updated_at == ts("2026-05-04 09:00")
    assert t.created_at.tzinfo is not None
    assert (t.first_response_at, t.resolved_at, t.closed_at) == (None, None, None)
    # No policy for its priority: no deadlines.
    assert (t.first_response_due, t.resolution_due, t.next_due) == (None, None, None)
    assert db.tickets.get(t.id) == t and db.tickets.get(np.int64(t.id)) == t
    assert len(db.tickets) == 1

    d = t.to_dict()
    assert list(d) == ["id"] + TICKET_COLUMNS
    assert d["subject"] == "Parcel never arrived" and d["next_due"] is None
    r = repr(t)
    assert r.startswith("Ticket(id=") and "status='new'" in r and "'Parcel never arrived'" in r
    with pytest.raises(AttributeError):
        t.status = "open"  # type: ignore[misc]
    assert len({t, db.tickets.get(t.id)}) == 1

    defaults = db.tickets.open(ada, "Invoice copy", "web")
    assert (defaults.priority, defaults.body, defaults.category, defaults.assignee) == (
        "normal", None, None, None)
    assert db.tickets.open(ada, "s", "web", priority=None).priority == "normal"


def test_opening_a_ticket_puts_it_on_the_timeline(db, ada):
    t = db.tickets.open(ada, "Broken kettle", "phone", created_at=datetime(2026, 5, 1, 10))
    timeline = db.interactions.timeline(ada)
    assert len(timeline) == 1
    i = timeline[0]
    assert i.ticket_id == t.id
    assert (i.subject, i.channel, i.kind, i.direction) == (
        "Broken kettle", "phone", "message", "inbound")
    assert i.occurred_at == utc(2026, 5, 1, 10) == t.created_at
    assert db.interactions.count(customer_id=ada) == 1


# ---------------------------------------------------------------- workflow


def test_the_workflow_with_history_and_reopen(db, ada):
    tickets = db.tickets
    t = tickets.open(ada, "Parcel never arrived", "email")
    db.now = ts("2026-05-04 09:30")
    t = tickets.transition(t.id, "open")
    assert (t.status, t.version, t.updated_at) == ("open", 2, ts("2026-05-04 09:30"))
    db.now = ts("2026-05-04 10:00")
    tickets.transition(t.id, "pending")
    db.now = ts("2026-05-04 11:00")
    tickets.transition(t.id, "open")
    db.now = ts("2026-05-04 12:00")
    t = tickets.transition(t.id, "resolved")
    assert t.resolved_at == ts("2026-05-04 12:00")
    db.now = ts("2026-05-04 13:00")
    t = tickets.reopen(t.id)
    assert (t.status, t.resolved_at) == ("open", None)
    db.now = ts("2026-05-04 14:00")
    tickets.transition(t.id, "resolved")
    # Closing may record an earlier instant than the clock, in order.
    db.now = ts("2026-05-05 09:00")
    t = tickets.transition(t.id, "closed", at=datetime(2026, 5, 4, 15))
    assert (t.status, t.closed_at, t.resolved_at) == (
        "closed", ts("2026-05-04 15:00"), ts("2026-05-04 14:00"))
    assert t.version == 8

    h = tickets.history(t.id)
    assert list(h.columns) == ["from", "to", "at", "by"]
    assert h["from"].dtype == pd.CategoricalDtype(STATUSES)
    assert h["to"].dtype == pd.CategoricalDtype(STATUSES)
    assert h["at"].dtype == UTC_US and h["by"].dtype == STR
    steps = [(None if pd.isna(f) else f, to, at) for f, to, at in
             zip(h["from"], h["to"], h["at"].dt.strftime("%d %H:%M"))]
    assert steps == [
        (None, "new", "04 09:00"),
        ("new", "open", "04 09:30"),
        ("open", "pending", "04 10:00"),
        ("pending", "open", "04 11:00"),
        ("open", "resolved", "04 12:00"),
        ("resolved", "open", "04 13:00"),
        ("open", "resolved", "04 14:00"),
        ("resolved", "closed", "04 15:00"),
    ]
    assert set(h["by"]) == {"li.wei"}

    # The trail has the creation and each change.
    trail = db.audit.find(entity="ticket", entity_id=t.id)
    assert len(trail) == 8 and trail[0].action == "create"
    assert trail[-1].changes["status"] == {"before": "resolved", "after": "closed"}


def test_illegal_transitions_name_both_states_and_change_nothing(db, ada):
    t = db.tickets.open(ada, "Refund", "chat")
    db.tickets.transition(t.id, "open")
    with unchanged(db, crm.IllegalTransitionError, ValueError,
                   match="^illegal ticket transition from open to closed$") as info:
        db.tickets.transition(t.id, "closed")
    assert info.value.code == 11 and "open" in str(info.value) and "closed" in str(info.value)
    with unchanged(db, crm.IllegalTransitionError, match="from open to open"):
        db.tickets.transition(t.id, "open")
    with unchanged(db, crm.IllegalTransitionError, match="from open to new"):
        db.tickets.transition(t.id, "new")
    with unchanged(db, crm.IllegalTransitionError, match="from open to open"):
        db.tickets.reopen(t.id)
    assert db.tickets.get(t.id).status == "open"
    # An unknown status is bad input, not a transition.
    with unchanged(db, crm.InvalidInputError, match="status"):
        db.tickets.transition(t.id, "done")


def test_closed_is_final_and_reopen_is_for_resolved_tickets(db, ada):
    t = db.tickets.open(ada, "Login", "web")
    db.tickets.transition(t.id, "pending")
    with unchanged(db, crm.InvalidInputError, match="only a resolved ticket"):
        db.tickets.reopen(t.id)
    db.tickets.transition(t.id, "resolved")
    db.tickets.transition(t.id, "closed")
    with unchanged(db, crm.IllegalTransitionError, match="from closed to open"):
        db.tickets.reopen(t.id)
    with unchanged(db, crm.InvalidInputError, match="follow-up"):
        db.tickets.comment(t.id, "One more thing")


def test_transition_times_must_be_in_order_and_not_in_the_future(db, ada):
    db.now = ts("2026-05-04 12:00")
    t = db.tickets.open(ada, "Refund", "email", created_at=ts("2026-05-04 08:00"))
    db.tickets.transition(t.id, "open", at=ts("2026-05-04 10:00"))
    with unchanged(db, crm.InvalidInputError, match="out of order"):
        db.tickets.transition(t.id, "pending", at=ts("2026-05-04 09:59"))
    with unchanged(db, crm.InvalidInputError, match="future"):
        db.tickets.transition(t.id, "pending", at=ts("2026-05-04 12:01"))
    aware = datetime(2026, 5, 4, 19, tzinfo=ZoneInfo("Asia/Shanghai"))  # 11:00 UTC
    assert db.tickets.transition(t.id, "pending", at=aware).updated_at == ts("2026-05-04 12:00")
    assert db.tickets.history(t.id)["at"].iloc[-1] == pd.Timestamp("2026-05-04 11:00", tz="UTC")


# ---------------------------------------------------------------- comments


def test_comments_and_the_first_response(db, ada):
    t = db.tickets.open(ada, "Cannot log in", "email")
    db.now = ts("2026-05-04 09:05")
    note = db.tickets.comment(t.id, "Checking the auth logs", public=False)
    assert isinstance(note, crm.Comment)
    assert (note.ticket_id, note.public, note.author) == (t.id, False, "li.wei")
    after_note = db.tickets.get(t.id)
    assert after_note.first_response_at is None and after_note.version == 1

    db.now = ts("2026-05-04 09:20")
    reply = db.tickets.comment(t.id, "Please reset your password.", author="Wu Fei")
    assert (reply.author, reply.at, reply.public) == ("Wu Fei", ts("2026-05-04 09:20"), True)
    t2 = db.tickets.get(t.id)
    assert (t2.first_response_at, t2.version) == (ts("2026-05-04 09:20"), 2)
    db.now = ts("2026-05-04 10:00")
    db.tickets.comment(t.id, "Did that help?")
    assert db.tickets.get(t.id).first_response_at == ts("2026-05-04 09:20"), "later replies"

    assert [(c.body, c.public) for c in db.tickets.comments(t.id)] == [
        ("Checking the auth logs", False),
        ("Please reset your password.", True),
        ("Did that help?", True),
    ]
    assert reply.to_dict() == {"id": reply.id, "ticket_id": t.id,
                               "body": "Please reset your password.", "public": True,
                               "author": "Wu Fei", "at": ts("2026-05-04 09:20")}
    assert "author='Wu Fei'" in repr(reply)

    # Bad comments write nothing.
    for body, kw, cls in [
        ("   ", {}, crm.InvalidInputError),
        ("early", {"at": ts("2026-05-04 08:59")}, crm.InvalidInputError),
        ("late", {"at": ts("2026-05-04 10:01")}, crm.InvalidInputError),
        ("nul \0 byte", {}, crm.InvalidInputError),
        ("flag", {"public": 1}, crm.InvalidArgumentError),
        ("who", {"author": 7}, crm.InvalidArgumentError),
        (None, {}, crm.InvalidArgumentError),
        (b"bytes", {}, crm.InvalidArgumentError),
    ]:
        with unchanged(db, cls):
            db.tickets.comment(t.id, body, **kw)
    assert len(db.tickets.comments(t.id)) == 3


def test_an_earlier_imported_reply_becomes_the_first_response(db, ada):
    db.now = ts("2026-05-04 12:00")
    t = db.tickets.open(ada, "Old", "email", created_at=ts("2026-05-04 08:00"))
    db.tickets.comment(t.id, "later", at=ts("2026-05-04 11:00"))
    db.tickets.comment(t.id, "earlier", at=ts("2026-05-04 09:00"))
    assert db.tickets.get(t.id).first_response_at == ts("2026-05-04 09:00")


# ---------------------------------------------------------------- updates and delete


def test_update_assign_versions_and_delete(db, ada):
    t = db.tickets.open(ada, "Typo in invoice", "email", category="billing")
    db.now = ts("2026-05-04 10:00")
    t2 = db.tickets.update(t.id, expected_version=1, subject="Wrong VAT", category=None)
    assert (t2.subject, t2.category, t2.version) == ("Wrong VAT", None, 2)
    assert t2.updated_at == ts("2026-05-04 10:00")
    t3 = db.tickets.assign(t.id, " wu.fei ")
    assert (t3.assignee, t3.version) == ("wu.fei", 3)
    assert db.tickets.assign(t.id, "wu.fei").version == 3, "no change, no new version"
    assert db.tickets.assign(t.id, None).assignee is None

    with unchanged(db, crm.ConflictError, ValueError):
        db.tickets.update(t.id, expected_version=2, priority="urgent")
    with unchanged(db, crm.InvalidArgumentError, match="unknown field"):
        db.tickets.update(t.id, status="open")
    with unchanged(db, crm.InvalidArgumentError, match="subject"):
        db.tickets.update(t.id, subject=None)
    with unchanged(db, crm.InvalidInputError, match="subject"):
        db.tickets.update(t.id, subject="   ")
    with unchanged(db, crm.InvalidInputError, match="priority"):
        db.tickets.update(t.id, priority="asap")
    with unchanged(db, crm.InvalidArgumentError):
        db.tickets.update(t.id, expected_version="4")

    db.tickets.comment(t.id, "hello")
    db.tickets.delete(t.id)
    assert len(db.tickets) == 0
    with pytest.raises(crm.NotFoundError):
        db.tickets.get(t.id)
    assert db.audit.find(entity="ticket", entity_id=t.id)[-1].action == "delete"


def test_unknown_tickets_raise_not_found(db, ada):
    db.tickets.open(ada, "Exists", "web")
    calls = [
        lambda: db.tickets.get(42),
        lambda: db.tickets.update(42, subject="x"),
        lambda: db.tickets.assign(42, "li"),
        lambda: db.tickets.transition(42, "open"),
        lambda: db.tickets.reopen(42),
        lambda: db.tickets.comment(42, "hi"),
        lambda: db.tickets.comments(42),
        lambda: db.tickets.history(42),
        lambda: db.tickets.sla(42),
        lambda: db.tickets.delete(42),
    ]
    for call in calls:
        with unchanged(db, crm.NotFoundError, KeyError) as info:
            call()
        assert str(info.value) == "ticket id 42 not found"
    with unchanged(db, crm.NotFoundError, KeyError, match="customer id 999 not found"):
        db.tickets.open(999, "Who am I", "web")
    with unchanged(db, crm.NotFoundError):
        db.tickets.remove_sla_policy("low")


def test_bad_input_to_open_changes_nothing(db, ada):
    db.tickets.open(ada, "Exists", "web")
    for args, kw, cls in [
        ((ada, "   ", "web"), {}, crm.InvalidInputError),
        ((ada, "x" * 501, "web"), {}, crm.InvalidInputError),
        ((ada, "s", "fax"), {}, crm.InvalidInputError),
        ((ada, "s", "web"), {"priority": "asap"}, crm.InvalidInputError),
        ((ada, "s", "web"), {"category": "c" * 101}, crm.InvalidInputError),
        ((ada, "s", "web"), {"created_at": ts("2026-05-04 09:01")}, crm.InvalidInputError),
        ((str(ada), "s", "web"), {}, crm.InvalidArgumentError),
        ((True, "s", "web"), {}, crm.InvalidArgumentError),
        ((ada, None, "web"), {}, crm.InvalidArgumentError),
        ((ada, "s", None), {}, crm.InvalidArgumentError),
        ((ada, "s", 3), {}, crm.InvalidArgumentError),
        ((ada, "s", "web"), {"priority": 2}, crm.InvalidArgumentError),
        ((ada, "s", "web"), {"created_at": "2026-05-01"}, crm.InvalidArgumentError),
        ((ada, "s", "web"), {"body": 5}, crm.InvalidArgumentError),
    ]:
        with unchanged(db, cls):
            db.tickets.open(*args, **kw)
    assert len(db.tickets) == 1


# ---------------------------------------------------------------- SLA


def test_sla_deadlines_follow_policies_and_priorities(db, ada):
    db.tickets.set_sla_policy("high", timedelta(hours=1), 8 * 60)
    high = db.tickets.open(ada, "Checkout down", "email", priority="high")
    assert high.first_response_due == ts("2026-05-04 10:00")
    assert high.resolution_due == ts("2026-05-04 17:00")
    assert high.next_due == ts("2026-05-04 10:00")

    normal = db.tickets.open(ada, "Invoice copy", "email")
    assert (normal.first_response_due, normal.resolution_due) == (None, None)
    assert db.tickets.sla(normal.id) is None
    # Raising the priority starts the high targets from the ticket's creation.
    db.now = ts("2026-05-04 09:30")
    normal = db.tickets.update(normal.id, priority="high")
    assert normal.first_response_due == ts("2026-05-04 10:00")

    # A policy change moves the deadlines; removing it clears them without a new version.
    db.tickets.set_sla_policy("high", pd.Timedelta(minutes=30), timedelta(hours=8))
    assert db.tickets.get(high.id).first_response_due == ts("2026-05-04 09:30")
    db.tickets.remove_sla_policy("high")
    high = db.tickets.get(high.id)
    assert (high.first_response_due, high.resolution_due, high.version) == (None, None, 1)
    assert db.tickets.sla(high.id) is None
    assert [e.action for e in db.audit.find(entity="sla_policy")] == [
        "create", "update", "delete"]


def test_sla_policies_as_objects_and_as_a_frame(db):
    empty = db.tickets.sla_policies()
    assert list(empty.columns) == ["first_response", "resolution", "business_hours"]
    assert len(empty) == 0 and empty["first_response"].dtype == TD_US
    db.tickets.set_sla_policy("urgent", 30, timedelta(hours=4), business_hours=True)
    db.tickets.set_sla_policy("low", np.timedelta64(2, "D"), np.int64(14 * 24 * 60))
    frame = db.tickets.sla_policies()
    assert frame.index.name == "priority" and list(frame.index) == ["low", "urgent"]
    assert frame["first_response"].dtype == TD_US and frame["resolution"].dtype == TD_US
    assert frame.loc["urgent", "first_response"] == pd.Timedelta(minutes=30)
    assert frame.loc["low", "resolution"] == pd.Timedelta(days=14)
    assert frame["business_hours"].tolist() == [False, True]

    p = db.tickets.policy("urgent")
    assert isinstance(p, crm.SlaPolicy)
    assert (p.priority, p.first_response, p.resolution, p.business_hours) == (
        "urgent", timedelta(minutes=30), timedelta(hours=4), True)
    assert (p.first_response_minutes, p.resolution_minutes) == (30, 240)
    assert p.to_dict() == {"priority": "urgent", "first_response": timedelta(minutes=30),
                           "resolution": timedelta(hours=4), "business_hours": True}
    assert db.tickets.policy("normal") is None


def test_bad_sla_targets_change_nothing(db, ada):
    db.tickets.open(ada, "A ticket", "web")
    db.tickets.set_sla_policy("normal", 60, 480)
    # A target <= 0 (or over 366 days) fails validation and names the field.
    for first, resolution, field in [
        (0, 60, "first_response_minutes"),
        (60, -1, "resolution_minutes"),
        (timedelta(0), 60, "first_response_minutes"),
        (60, -timedelta(minutes=5), "resolution_minutes"),
        (60, timedelta(days=367), "resolution_minutes"),
    ]:
        with unchanged(db, crm.InvalidInputError, ValueError, match=field):
            db.tickets.set_sla_policy("normal", first, resolution)
    # Wrong types, and durations that are not whole minutes.
    for kw in [
        {"first_response": "60"},
        {"first_response": 1.5},
        {"first_response": None},
        {"first_response": True},
        {"resolution": timedelta(seconds=90)},
        {"resolution": timedelta(minutes=1, microseconds=1)},
        {"resolution": np.timedelta64(30, "s")},
        {"resolution": np.timedelta64("NaT")},
        {"business_hours": "yes"},
        {"business_hours": 1},
    ]:
        args = {"first_response": 60, "resolution": 480, **kw}
        with unchanged(db, crm.InvalidArgumentError, TypeError):
            db.tickets.set_sla_policy("normal", **args)
    with unchanged(db, crm.InvalidInputError, match="priority"):
        db.tickets.set_sla_policy("asap", 60, 60)
    with unchanged(db, crm.InvalidArgumentError):
        db.tickets.set_sla_policy(None, 60, 60)
    assert db.tickets.policy("normal").resolution_minutes == 480


def test_a_deterministic_breach_with_the_clock_and_explicit_now(db, ada):
    db.tickets.set_sla_policy("high", 60, 8 * 60)
    t = db.tickets.open(ada, "Card declined", "email", priority="high")
    s = db.tickets.sla(t.id, now=ts("2026-05-04 09:30"))
    assert isinstance(s, crm.SlaState)
    assert not s.first_response_breached and not s.resolution_breached
    assert s.first_response_breach_by is None and s.resolution_breach_by is None
    assert s.first_response_due == ts("2026-05-04 10:00")
    assert s.resolution_due == ts("2026-05-04 17:00")
    assert s.resolution_elapsed == 30 * MIN and not s.paused
    assert s.policy == db.tickets.policy("high")

    # Not met and overdue, by the handle's clock: breached by now − due.
    db.now = ts("2026-05-04 10:45")
    s = db.tickets.sla(t.id)
    assert s.first_response_breached and s.first_response_breach_by == 45 * MIN
    assert isinstance(s.first_response_breach_by, timedelta)
    # An explicit now wins over the clock (naive means UTC).
    assert db.tickets.sla(t.id, now=datetime(2026, 5, 4, 10, 5)).first_response_breach_by == (
        5 * MIN)

    # Met late (at 10:20): breached by 20 minutes however late we look.
    db.tickets.comment(t.id, "On it", at=ts("2026-05-04 10:20"))
    s = db.tickets.sla(t.id, now=ts("2026-05-10 00:00"))
    assert s.first_response_at == ts("2026-05-04 10:20") and s.first_response_stopped
    assert s.first_response_breach_by == 20 * MIN
    # The resolution was due at 17:00; at 18:00 it is an hour over.
    s = db.tickets.sla(t.id, now=pd.Timestamp("2026-05-04 18:00", tz="UTC"))
    assert s.resolution_due == ts("2026-05-04 17:00")
    assert s.resolution_breached and s.resolution_breach_by == HOUR
    assert s.resolution_breached_at == ts("2026-05-04 17:00")
    assert s.resolution_elapsed == 9 * HOUR
    d = s.to_dict()
    assert d["resolution_breach_by"] == HOUR and d["policy"]["priority"] == "high"
    assert "resolution_breached=True" in repr(s)
    # Once answered, only the resolution deadline is pending.
    t = db.tickets.get(t.id)
    assert t.first_response_due is None and t.next_due == ts("2026-05-04 17:00")

    with pytest.raises(crm.InvalidArgumentError):
        db.tickets.sla(t.id, now="2026-05-04")
    with pytest.raises(crm.InvalidInputError, match="now"):
        db.tickets.sla(t.id, now=np.datetime64(2**62, "us"))


def test_pending_pauses_the_resolution_clock(db, ada):
    db.now = ts("2026-05-04 08:00")
    db.tickets.set_sla_policy("normal", 60, 4 * 60)
    t = db.tickets.open(ada, "Wrong size", "email")
    db.now = ts("2026-05-04 09:00")
    db.tickets.transition(t.id, "open")
    db.tickets.comment(t.id, "Which size do you need?")
    db.now = ts("2026-05-04 10:00")
    t = db.tickets.transition(t.id, "pending")
    assert t.resolution_due is None and t.next_due is None
    s = db.tickets.sla(t.id, now=ts("2026-05-05 10:00"))
    assert s.paused and not s.resolution_breached
    assert s.resolution_elapsed == 2 * HOUR and s.resolution_due is None

    # The customer answers a day later: two hours are left.
    db.now = ts("2026-05-05 10:00")
    t = db.tickets.transition(t.id, "open")
    assert t.resolution_due == ts("2026-05-05 12:00")
    db.now = ts("2026-05-05 12:30")
    t = db.tickets.transition(t.id, "resolved")
    assert (t.first_response_due, t.resolution_due) == (None, None)
    s = db.tickets.sla(t.id)
    assert s.resolved_at == ts("2026-05-05 12:30")
    assert s.resolution_breach_by == 30 * MIN, "the paused day does not count"
    assert not s.first_response_breached


def test_business_hours(db, ada):
    assert db.tickets.business_hours().days == ("mon", "tue", "wed", "thu", "fri")
    default = db.tickets.business_hours()
    assert (default.open, default.close) == (time(9), time(17))
    assert default.to_dict() == {"days": ("mon", "tue", "wed", "thu", "fri"),
                                 "open": time(9), "close": time(17)}

    db.now = ts("2026-05-04 12:00")
    db.tickets.set_sla_policy("urgent", timedelta(hours=2), timedelta(hours=10),
                              business_hours=True)
    # Raised Friday 16:00: 1h Friday, then Monday.
    t = db.tickets.open(ada, "Data export broken", "email", priority="urgent",
                        created_at=ts("2026-05-01 16:00"))
    assert t.first_response_due == ts("2026-05-04 10:00")
    assert t.resolution_due == ts("2026-05-05 10:00"), "1h Friday + 8h Monday + 1h Tuesday"
    # Breaches count business time: at Monday 12:00, 1 + 3 business hours used of 2.
    assert db.tickets.sla(t.id).first_response_breach_by == 2 * HOUR
    assert db.tickets.sla(t.id, now=ts("2026-05-04 09:30")).first_response_breach_by is None

    # New hours (Monday to Saturday, 08–18) move the deadlines of active tickets.
    db.tickets.set_business_hours(["Mon", "tue", "wed", "thu", "friday", "sat"],
                                  open=time(8), close=time(18))
    hours = db.tickets.business_hours()
    assert isinstance(hours, crm.BusinessHours)
    assert hours.days == ("mon", "tue", "wed", "thu", "fri", "sat")
    assert (hours.open, hours.close) == (time(8), time(18))
    t = db.tickets.get(t.id)
    assert t.first_response_due == ts("2026-05-01 18:00")
    assert t.resolution_due == ts("2026-05-02 16:00")
    # Friday 16–18, Saturday 8–18, Monday 8–12: 16 business hours, 14 over the 2h target.
    assert db.tickets.sla(t.id).first_response_breach_by == 14 * HOUR

    # Bad hours change nothing.
    for kw, cls in [
        ({"open": time(18), "close": time(9)}, crm.InvalidInputError),
        ({"days": []}, crm.InvalidInputError),
        ({"days": ["mon", "someday"]}, crm.InvalidArgumentError),
        ({"days": "mon"}, crm.InvalidArgumentError),
        ({"days": [1, 2]}, crm.InvalidArgumentError),
        ({"open": "09:00"}, crm.InvalidArgumentError),
        ({"open": time(9, tzinfo=timezone.utc)}, crm.InvalidArgumentError),
        ({"close": datetime(2026, 1, 1, 17)}, crm.InvalidArgumentError),
    ]:
        with unchanged(db, cls):
            db.tickets.set_business_hours(**kw)
    assert db.tickets.business_hours() == hours
    # The defaults restore Monday to Friday, 09–17.
    db.tickets.set_business_hours()
    assert db.tickets.business_hours() == default


def test_business_hours_follow_the_reporting_time_zone(tmp_path):
    with crm.open(":memory:", now=ts("2026-03-30 12:00"), time_zone="Europe/Berlin") as db:
        ada = db.customers.add("Ada").id
        db.tickets.set_sla_policy("normal", 120, 600, business_hours=True)
        # Friday 16:00 CET; clocks go forward on Sunday; Monday 09:00 CEST is 07:00 UTC.
        t = db.tickets.open(ada, "Login loop", "chat", created_at=ts("2026-03-27 15:00"))
        assert t.first_response_due == ts("2026-03-30 08:00")
        s = db.tickets.sla(t.id, now=ts("2026-03-30 09:00"))
        assert s.first_response_breach_by == HOUR, "business time, not 66 calendar hours"


def test_imported_history_is_measured_against_its_own_times(db, ada):
    db.now = ts("2026-06-01 12:00")
    db.tickets.set_sla_policy("normal", 60, 8 * 60)
    t = db.tickets.open(ada, "Old complaint", "email", created_at=datetime(2026, 1, 5, 9))
    assert (t.created_at, t.updated_at) == (ts("2026-01-05 09:00"), ts("2026-06-01 12:00"))
    db.tickets.transition(t.id, "open", at=datetime(2026, 1, 5, 9, 10))
    db.tickets.comment(t.id, "Sorry about that", at=datetime(2026, 1, 5, 9, 30))
    db.tickets.transition(t.id, "resolved", at=datetime(2026, 1, 6, 9))
    t = db.tickets.transition(t.id, "closed", at=datetime(2026, 1, 8, 9))
    assert t.first_response_at == ts("2026-01-05 09:30")
    assert (t.resolved_at, t.closed_at) == (ts("2026-01-06 09:00"), ts("2026-01-08 09:00"))
    s = db.tickets.sla(t.id)
    assert not s.first_response_breached
    assert s.resolution_breach_by == 16 * HOUR
    assert db.tickets.history(t.id)["at"].iloc[0] == pd.Timestamp("2026-01-05 09:00", tz="UTC")
    assert db.interactions.timeline(ada)[0].occurred_at == ts("2026-01-05 09:00")

    with unchanged(db, crm.InvalidInputError, match="future"):
        db.tickets.open(ada, "Later", "email", created_at=ts("2026-06-01 12:00:01"))


# ---------------------------------------------------------------- queue, breaches, stats


def test_the_queue_orders_by_priority_then_deadline_then_age(db, ada):
    db.now = ts("2026-05-04 12:00")
    db.tickets.set_sla_policy("high", 60, 8 * 60)
    db.tickets.set_sla_policy("normal", 120, 16 * 60)

    def open_(name, priority, created):
        return db.tickets.open(ada, name, "email", priority=priority, created_at=ts(created)).id

    a = open_("a", "normal", "2026-05-04 08:00")  # due 10:00
    b = open_("b", "high", "2026-05-04 11:00")  # due 12:00
    c = open_("c", "high", "2026-05-04 10:30")  # due 11:30
    d = open_("d", "low", "2026-05-04 07:00")  # no policy
    e = open_("e", "low", "2026-05-04 06:00")  # no policy, older
    f = open_("f", "urgent", "2026-05-04 11:59")  # no policy
    g = open_("g", "high", "2026-05-04 05:00")  # pending: waits on the customer
    h = open_("h", "normal", "2026-05-04 05:00")  # resolved
    i = open_("i", "normal", "2026-05-04 09:00")  # answered: resolution due 01:00 next day
    j = open_("j", "urgent", "2026-05-04 11:00")  # no policy, older than f
    k = open_("k", "high", "2026-05-04 10:00")  # answered: resolution due 18:00
    db.tickets.transition(g, "pending")
    db.tickets.transition(h, "resolved")
    for id_ in (i, k):
        db.tickets.comment(id_, "Hello", at=ts("2026-05-04 11:00"))
    db.tickets.transition(a, "open")

    q = db.tickets.queue(limit=100)
    assert list(q.index) == [j, f, c, b, k, a, i, e, d]
    assert list(q.columns) == QUEUE_COLUMNS and q.index.name == "id"
    assert q["first_response_breached"].dtype == "boolean"
    assert q["first_response_breach_by"].dtype == TD_US
    assert q["resolution_breach_by"].dtype == TD_US
    assert q["next_due"].dtype == UTC_US and q["priority"].cat.ordered
    # Tickets without a policy carry no SLA state.
    assert pd.isna(q.loc[j, "first_response_breached"])
    assert pd.isna(q.loc[j, "first_response_breach_by"])
    assert q.loc[c, "first_response_breached"] == True  # noqa: E712 (a numpy/pandas bool)
    assert q.loc[c, "first_response_breach_by"] == pd.Timedelta(minutes=30)
    assert q.loc[b, "first_response_breached"] == False  # noqa: E712
    assert pd.isna(q.loc[b, "first_response_breach_by"])
    assert q.loc[k, "next_due"] == pd.Timestamp("2026-05-04 18:00", tz="UTC")
    assert q.loc[c, "status"] == "new" and q.loc[a, "status"] == "open"

    # A page, the default limit, and an explicit now.
    assert list(db.tickets.queue(3).index) == [j, f, c]
    assert len(db.tickets.queue()) == 9
    assert len(db.tickets.queue(limit=None)) == 9
    later = db.tickets.queue(now=ts("2026-05-04 13:00"))
    assert later.loc[c, "first_response_breach_by"] == pd.Timedelta(minutes=90)
    assert later.loc[b, "first_response_breach_by"] == pd.Timedelta(minutes=60)

    with pytest.raises(crm.InvalidArgumentError):
        db.tickets.queue(limit=-1)
    with pytest.raises(crm.InvalidArgumentError):
        db.tickets.queue(limit="10")


def test_the_empty_queue_and_frames_keep_their_shape(db):
    q = db.tickets.queue()
    assert len(q) == 0 and list(q.columns) == QUEUE_COLUMNS
    assert q["first_response_breached"].dtype == "boolean"
    assert q["resolution_breach_by"].dtype == TD_US
    f = db.tickets.find_frame()
    assert len(f) == 0 and list(f.columns) == TICKET_COLUMNS
    assert f["created_at"].dtype == UTC_US
    b = db.tickets.breaches()
    assert len(b) == 0 and list(b.columns) == ["ticket_id", "target", "due", "breach_by"]
    assert b["breach_by"].dtype == TD_US and b["due"].dtype == UTC_US


def test_the_breaches_view(db, ada):
    db.now = ts("2026-05-04 13:00")
    db.tickets.set_sla_policy("high", 60, 4 * 60)

    def open_(name, priority, created):
        return db.tickets.open(ada, name, "email", priority=priority, created_at=ts(created)).id

    late = open_("late reply", "high", "2026-05-04 08:00")
    db.tickets.comment(late, "Hello", at=ts("2026-05-04 09:30"))
    db.tickets.transition(late, "resolved", at=ts("2026-05-04 10:00"))
    db.tickets.transition(late, "closed")
    slow = open_("slow", "high", "2026-05-04 08:00")
    db.tickets.comment(slow, "Hello", at=ts("2026-05-04 08:30"))
    fine = open_("fine", "high", "2026-05-04 12:00")
    db.tickets.comment(fine, "Hello", at=ts("2026-05-04 12:10"))
    open_("no policy", "low", "2026-05-01 08:00")

    b = db.tickets.breaches()
    assert list(b.columns) == ["ticket_id", "target", "due", "breach_by"]
    assert b["ticket_id"].dtype == np.int64
    assert b["target"].dtype == pd.CategoricalDtype(("first_response", "resolution"))
    assert b["due"].dtype == UTC_US and b["breach_by"].dtype == TD_US
    rows = [(int(t), str(g), d, bb) for t, g, d, bb in
            zip(b["ticket_id"], b["target"], b["due"], b["breach_by"])]
    assert rows == [
        (late, "first_response", pd.Timestamp("2026-05-04 09:00", tz="UTC"),
         pd.Timedelta(minutes=30)),
        (slow, "resolution", pd.Timestamp("2026-05-04 12:00", tz="UTC"), pd.Timedelta(hours=1)),
    ]
    assert fine not in set(b["ticket_id"])
    # Looking back to 11:00, the open ticket was still within its target.
    earlier = db.tickets.breaches(now=ts("2026-05-04 11:00"))
    assert earlier["ticket_id"].tolist() == [late]
    with pytest.raises(crm.InvalidArgumentError):
        db.tickets.breaches(now=1)


def test_stats_count_and_time_responses(db, ada):
    db.now = ts("2026-05-10 12:00")

    def at(hm):
        return ts(f"2026-05-04 {hm}")

    specs = [
        ("billing", "09:10", "11:00"),
        ("billing", "09:30", "13:00"),
        ("delivery", "10:00", "18:00"),
        (None, "11:00", None),
        (None, None, None),
    ]
    ids = []
    for n, (category, reply, resolved) in enumerate(specs):
        t = db.tickets.open(ada, f"t{n}", "email", category=category, created_at=at("09:00"),
                            priority="urgent" if n == 4 else "normal")
        if reply:
            db.tickets.comment(t.id, "hi", at=at(reply))
        if resolved:
            db.tickets.transition(t.id, "resolved", at=at(resolved))
        ids.append(t.id)
    db.tickets.transition(ids[3], "open")

    s = db.tickets.stats()
    assert isinstance(s, crm.TicketStats)
    assert s.total == 5
    assert s.by_status.to_dict() == {"new": 1, "open": 1, "pending": 0, "resolved": 3,
                                     "closed": 0}
    assert list(s.by_status.index) == list(STATUSES) and s.by_status.dtype == np.int64
    assert list(s.by_category.items()) == [("billing", 2), ("delivery", 1), (None, 2)]
    assert s.by_priority.to_dict() == {"low": 0, "normal": 4, "high": 0, "urgent": 1}
    # First response after 10, 30, 60, 120 minutes: mean 55, median 45.
    assert s.mean_first_response == pd.Timedelta(minutes=55)
    assert s.median_first_response == pd.Timedelta(minutes=45)
    assert isinstance(s.median_first_response, timedelta)
    # Resolution after 2, 4, 9 hours: mean 5, median 4.
    assert s.mean_resolution == pd.Timedelta(hours=5)
    assert s.median_resolution == pd.Timedelta(hours=4)

    billing = db.tickets.stats(category="billing")
    assert billing.total == 2 and billing.mean_first_response == pd.Timedelta(minutes=20)
    assert db.tickets.stats("category = 'billing'").total == 2
    none = db.tickets.stats(status="pending")
    assert none.total == 0
    assert none.mean_resolution is pd.NaT and none.median_first_response is pd.NaT
    assert none.to_dict()["by_status"]["new"] == 0
    with pytest.raises(crm.InvalidInputError):
        db.tickets.stats(colour="red")
    with pytest.raises(crm.ParseError):
        db.tickets.stats("category = ")


# ---------------------------------------------------------------- filters


def test_find_count_and_frames_with_filters(db, ada, bob):
    db.now = ts("2026-05-04 12:00")
    mk = db.tickets.open
    t1 = mk(ada, "Parcel", "email", priority="high", category="delivery",
            created_at=ts("2026-05-04 08:00"))
    t2 = mk(ada, "Invoice", "web", priority="low", category="billing",
            created_at=ts("2026-05-04 09:00"))
    t3 = mk(bob, "Login", "chat", priority="urgent", assignee="wu.fei",
            created_at=ts("2026-05-04 10:00"))
    db.tickets.transition(t2.id, "resolved")

    ids = lambda ts_: [t.id for t in ts_]  # noqa: E731
    assert ids(db.tickets.find()) == [t1.id, t2.id, t3.id]
    assert ids(db.tickets.find(customer_id=ada)) == [t1.id, t2.id]
    assert ids(db.tickets.find(priority__gte="high")) == [t1.id, t3.id]
    assert ids(db.tickets.find(status__in=["new", "open"], order_by="-priority")) == [
        t3.id, t1.id]
    assert ids(db.tickets.find("priority >= 'high' and assignee = 'wu.fei'")) == [t3.id]
    assert ids(db.tickets.find(created_at__gte=datetime(2026, 5, 4, 9))) == [t2.id, t3.id]
    assert ids(db.tickets.find(order_by="-created_at", limit=2, offset=1)) == [t2.id, t1.id]
    assert db.tickets.count() == 3 and db.tickets.count(status="resolved") == 1
    assert db.tickets.count("channel = 'chat'", customer_id=bob) == 1

    frame = db.tickets.find_frame(customer_id=ada)
    assert list(frame.columns) == TICKET_COLUMNS and list(frame.index) == [t1.id, t2.id]
    assert frame.index.name == "id" and frame.index.dtype == np.int64
    assert frame["channel"].dtype == pd.CategoricalDtype(crm.CHANNELS)
    assert frame["priority"].dtype == pd.CategoricalDtype(PRIORITIES, ordered=True)
    assert frame["status"].dtype == pd.CategoricalDtype(STATUSES)
    for col in ("subject", "body", "category", "assignee"):
        assert frame[col].dtype == STR, col
    for col in ("created_at", "updated_at", "first_response_at", "resolved_at", "closed_at",
                "first_response_due", "resolution_due", "next_due"):
        assert frame[col].dtype == UTC_US, col
    assert frame["version"].dtype == np.int64 and frame["customer_id"].dtype == np.int64
    assert frame.loc[t2.id, "resolved_at"] == pd.Timestamp("2026-05-04 12:00", tz="UTC")
    assert pd.isna(frame.loc[t1.id, "resolved_at"]) and pd.isna(frame.loc[t1.id, "body"])
    assert frame.loc[t2.id, "status"] == "resolved" and frame.loc[t1.id, "version"] == 1
    assert (frame["priority"] > "normal").tolist() == [True, False]

    with pytest.raises(crm.InvalidInputError):
        db.tickets.find(colour="red")
    with pytest.raises(crm.ParseError):
        db.tickets.find("status = ")
    with pytest.raises(crm.InvalidArgumentError):
        db.tickets.find(limit="2")
    with pytest.raises(crm.InvalidInputError):
        db.tickets.find(priority="asap")


def test_customer_filter_fields_for_tickets(db):
    db.now = ts("2026-06-01 00:00")
    ada, bob, cy = (db.customers.add(n).id for n in ("Ada", "Bob", "Cy"))
    # Ada: one open ticket (recent) and one resolved long ago; Bob: an old closed one.
    db.tickets.open(ada, "Where is my parcel?", "email", created_at=ts("2026-05-20 00:00"))
    old = db.tickets.open(ada, "Invoice", "email", created_at=ts("2026-01-10 00:00"))
    db.tickets.transition(old.id, "resolved", at=ts("2026-01-11 00:00"))
    b = db.tickets.open(bob, "Login", "chat", created_at=ts("2026-04-01 00:00"))
    db.tickets.transition(b.id, "resolved", at=ts("2026-04-02 00:00"))
    db.tickets.transition(b.id, "closed", at=ts("2026-04-03 00:00"))

    names = lambda found: [c.name for c in found]  # noqa: E731
    find = db.customers.find
    assert names(find(has_open_ticket=True)) == ["Ada"]
    assert names(find("has_open_ticket = true")) == ["Ada"]
    assert names(find(has_open_ticket=False)) == ["Bob", "Cy"]
    assert names(find(open_tickets=0)) == ["Bob", "Cy"]
    assert names(find("open_tickets >= 1")) == ["Ada"]
    # 90 days before 2026-06-01 is 2026-03-03: Ada's May ticket and Bob's April one.
    assert names(find(tickets_last_90d__gte=1)) == ["Ada", "Bob"]
    assert names(find("tickets_last_90d >= 1")) == ["Ada", "Bob"]
    assert names(find(tickets_last_90d=2)) == []
    assert db.customers.count(has_open_ticket=True) == 1
    assert names(find(order_by="-open_tickets,name", limit=1)) == ["Ada"]
    db.segments.save("service trouble", "has_open_ticket = true")
    assert db.segments.count("service trouble") == 1

    # Resolving Ada's open ticket moves her out; the 90-day count stays.
    open_one = db.tickets.find(customer_id=ada, status="new")[0]
    db.tickets.transition(open_one.id, "resolved")
    assert db.customers.count(has_open_ticket=True) == 0
    assert db.segments.count("service trouble") == 0
    assert names(find(tickets_last_90d=1)) == ["Ada", "Bob"]
    # The clock moves the 90-day window.
    db.now = ts("2026-07-15 00:00")
    assert names(find(tickets_last_90d__gte=1)) == ["Ada"]
    with pytest.raises(crm.InvalidArgumentError, match="has_open_ticket"):
        find(has_open_ticket="maybe")
    with pytest.raises(crm.InvalidArgumentError, match="open_tickets"):
        find("open_tickets > 'many'")
    with pytest.raises(crm.InvalidInputError, match="open_ticket"):
        find(open_ticket=1)
