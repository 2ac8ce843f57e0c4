"""Service tickets of a store, with their SLAs: ``db.tickets``."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from crm import _columns, _crm
from crm._crm import BusinessHours, Comment, SlaPolicy, SlaState, Ticket

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "Tickets",
    "TicketStats",
    "TICKET_STATUSES",
    "TICKET_PRIORITIES",
    "SLA_TARGETS",
    "BUSINESS_DAYS",
]

#: Ticket statuses in workflow order (the categories of ``find_frame()["status"]``).
TICKET_STATUSES: tuple[str, ...] = tuple(_crm.TICKET_STATUSES)
#: Ticket priorities from low to urgent (the ordered categories of ``find_frame()["priority"]``).
TICKET_PRIORITIES: tuple[str, ...] = tuple(_crm.TICKET_PRIORITIES)
#: The SLA targets a breach can be about (the categories of ``breaches()["target"]``).
SLA_TARGETS: tuple[str, ...] = tuple(_crm.SLA_TARGETS)
#: Day names of business hours, Monday first.
BUSINESS_DAYS: tuple[str, ...] = tuple(_crm.BUSINESS_DAYS)

_WEEKDAYS = BUSINESS_DAYS[:5]

_CHANNELS: tuple[str, ...] = tuple(_crm.CHANNELS)


@dataclass(frozen=True, eq=False)
class TicketStats:
    """Counts and response times over a set of tickets (:meth:`Tickets.stats`).

    Attributes:
        total: how many tickets.
        by_status: tickets per status (a pandas Series indexed by every status in workflow
            order, zeros included).
        by_category: tickets per category (indexed by category name; ``None`` — uncategorised —
            last).
        by_priority: tickets per priority (indexed by every priority from low to urgent, zeros
            included).
        mean_first_response, median_first_response: calendar time from creation to the first
            public response, over the tickets that have one (``pandas.Timedelta``; ``NaT`` when
            none has).
        mean_resolution, median_resolution: calendar time from creation to resolution, over the
            tickets that are resolved (``NaT`` when none is).
    """

    total: int
    by_status: pd.Series
    by_category: pd.Series
    by_priority: pd.Series
    mean_first_response: pd.Timedelta
    median_first_response: pd.Timedelta
    mean_resolution: pd.Timedelta
    median_resolution: pd.Timedelta

    def to_dict(self) -> dict[str, Any]:
        """The statistics as a dict; the counts as dicts of name → count."""
        return {
            "total": self.total,
            "by_status": self.by_status.to_dict(),
            "by_category": self.by_category.to_dict(),
            "by_priority": self.by_priority.to_dict(),
            "mean_first_response": self.mean_first_response,
            "median_first_response": self.median_first_response,
            "mean_resolution": self.mean_resolution,
            "median_resolution": self.median_resolution,
        }


class Tickets:
    """The service tickets of one store, reached as ``db.tickets``: customer requests moving
    through a small workflow, with comments, a status history and SLA deadlines.

    Workflow (:data:`TICKET_STATUSES`)::

        new ──► open ◄──► pending
         │       │  ▲       │
         │       ▼  │reopen │
         └────► resolved ◄──┘
                 │
                 ▼
               closed (final: a follow-up is a new ticket)

    A transition the workflow does not allow raises :class:`IllegalTransitionError` naming both
    states. Every call is one transaction: a write that fails leaves the store as it was.
    Opening a ticket also puts the request on the customer's timeline (an inbound message with
    ``ticket_id`` set, see :meth:`Interactions.timeline`).

    SLAs: one policy per priority sets the time to the first public response and the time to
    resolution, in calendar time or in business hours (read in the store's reporting time
    zone). The resolution clock stops while a ticket is pending. Deadlines move when a policy,
    the business hours or a ticket's priority change. Views of the SLA (:meth:`sla`,
    :meth:`queue`, :meth:`breaches`) are computed at ``now`` — the handle's clock unless given.

    Filters (``find``, ``count``, ``stats``, the frames) work as for customers — filter text as
    the first argument, ANDed with keyword filters — on the fields ``id``, ``customer_id``,
    ``subject``, ``channel``, ``category``, ``priority`` (compared by rank: ``priority__gte=
    "high"`` is high and urgent), ``status``, ``assignee``, ``created_at``, ``updated_at``,
    ``first_response_at``, ``resolved_at``, ``closed_at`` and ``next_due``::

        t = db.tickets.open(ada.id, "Parcel never arrived", "email", priority="high")
        db.tickets.transition(t.id, "open")
        db.tickets.comment(t.id, "We are on it.")           # the first response
        db.tickets.find(status__in=["new", "open"], priority__gte="high")
        db.tickets.set_sla_policy("high", timedelta(hours=1), timedelta(hours=8))
        db.tickets.queue()                                  # what to work on next
        db.tickets.breaches()                               # which targets were missed
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Tickets of {self._raw.path!r}>"

    def __len__(self) -> int:
        """The number of tickets in the store."""
        return self._raw.count_tickets(None, {})

    # ------------------------------------------------------------ records

    def open(
        self,
        customer_id: int,
        subject: str,
        channel: str,
        *,
        body: str | None = None,
        category: str | None = None,
        priority: str = "normal",
        assignee: str | None = None,
        created_at: datetime | None = None,
    ) -> Ticket:
        """Opens a ticket (status ``new``) and returns it as stored: subject trimmed, category
        trimmed and lower-cased, SLA deadlines set when its priority has a policy.

        ``channel`` is how the request came in (one of :data:`crm.CHANNELS`). ``created_at``
        is when the customer raised it — default the handle's clock; a past instant imports an
        old ticket, whose SLA is measured from that instant (a naive datetime means UTC).

        Raises:
            NotFoundError: no customer has this id.
            InvalidInputError: a value fails validation (a blank subject or one over 500
                characters, an unknown channel or priority, a category over 100 characters, a
                ``created_at`` in the future); the message names the field.
            InvalidArgumentError: a wrong type (e.g. ``customer_id="7"``).
        """
        return self._raw.open_ticket(
            customer_id, subject, channel, body, category, priority, assignee, created_at
        )

    def get(self, id: int) -> Ticket:
        """The ticket with this id. Raises :class:`NotFoundError` (a ``KeyError``) if none."""
        return self._raw.get_ticket(id)

    def find(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | builtins.list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> builtins.list[Ticket]:
        """Tickets matching the filters (see the class docs), as a list. ``order_by`` names
        fields, ``-`` for descending (``"-priority,created_at"``: most urgent first, then
        oldest); ``limit`` and ``offset`` page through the result (the default order is by id).

        Raises:
            ParseError: a syntax error in ``where`` (the message names the position).
            InvalidInputError: an unknown field or a value the field cannot take.
        """
        return self._raw.find_tickets(where, filters, order_by, limit, offset)

    def find_frame(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | builtins.list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> pd.DataFrame:
        """Like :meth:`find`, as a pandas DataFrame indexed by ``id``.

        Columns: ``customer_id`` and ``version`` (``int64``); ``subject``, ``body``,
        ``category``, ``assignee`` (pandas' string dtype); ``channel``, ``status`` (Categorical
        over :data:`crm.CHANNELS`, :data:`TICKET_STATUSES`) and ``priority`` (ordered
        Categorical over :data:`TICKET_PRIORITIES`); ``created_at``, ``updated_at``,
        ``first_response_at``, ``resolved_at``, ``closed_at``, ``first_response_due``,
        ``resolution_due`` and ``next_due`` (``datetime64[us, UTC]``, NaT where absent). An
        empty result has the same columns and dtypes.
        """
        cols = self._raw.find_ticket_columns(where, filters, order_by, limit, offset)
        return _ticket_frame(cols)

    def count(self, where: str | None = None, /, **filters: Any) -> int:
        """How many tickets match the filters (all tickets without filters)."""
        return self._raw.count_tickets(where, filters)

    def update(self, id: int, expected_version: int | None = None, **changes: Any) -> Ticket:
        """Changes the ticket's ``subject``, ``category`` (None clears it), ``priority`` (the
        SLA deadlines follow, measured from the ticket's creation) or ``assignee`` (None
        unassigns) and returns it. The version goes up by one when anything changed. The status
        changes through :meth:`transition`, not here.

        With ``expected_version``, a ticket changed meanwhile is refused with
        :class:`ConflictError`.

        Raises:
            NotFoundError: no ticket has this id.
            InvalidInputError: a value fails validation.
            InvalidArgumentError: an unknown field (``status`` included), a wrong type, None for
                the subject or priority.
            ConflictError: the ticket is not at ``expected_version``.
        """
        return self._raw.update_ticket(id, changes, expected_version)

    def assign(self, id: int, assignee: str | None) -> Ticket:
        """Assigns the ticket to ``assignee`` (None unassigns) and returns it."""
        return self._raw.assign_ticket(id, assignee)

    def transition(self, id: int, status: str, at: datetime | None = None) -> Ticket:
        """Moves the ticket to ``status`` and returns it, recording the change in its history.
        ``at`` is when it happened — default the handle's clock; a past instant records
        imported history, and must not be before the ticket's last status change. Resolving
        sets ``resolved_at``, closing sets ``closed_at``.

        Raises:
            IllegalTransitionError: the workflow does not allow the move (the message names
                both states, e.g. ``illegal ticket transition from open to closed``).
            InvalidInputError: an unknown status, or ``at`` in the future or out of order.
            NotFoundError: no ticket has this id.
        """
        return self._raw.transition_ticket(id, status, at)

    def reopen(self, id: int, at: datetime | None = None) -> Ticket:
        """Reopens a resolved ticket (``resolved`` → ``open``) and returns it; its resolution
        clock continues from where it stopped and ``resolved_at`` is cleared.

        Raises:
            IllegalTransitionError: the ticket is closed (final: open a follow-up ticket) or
                already open.
            InvalidInputError: the ticket is new or pending (use :meth:`transition`), or ``at``
                is in the future or out of order.
            NotFoundError: no ticket has this id.
        """
        return self._raw.reopen_ticket(id, at)

    def comment(
        self,
        id: int,
        body: str,
        *,
        public: bool = True,
        author: str | None = None,
        at: datetime | None = None,
    ) -> Comment:
        """Adds a comment to the ticket and returns it. The earliest public comment is the
        ticket's first response (it sets ``first_response_at`` and stops the first-response
        clock); ``public=False`` makes an internal note that does not count. ``author``
        defaults to the handle's principal, ``at`` to the handle's clock.

        Raises:
            InvalidInputError: a blank body or one over 1 MiB, ``at`` in the future or before
                the ticket was created, or a closed ticket (closed is final).
            InvalidArgumentError: a wrong type (``public`` must be a bool).
            NotFoundError: no ticket has this id.
        """
        return self._raw.comment_ticket(id, body, public, author, at)

    def comments(self, id: int) -> builtins.list[Comment]:
        """The ticket's comments, oldest first. Raises :class:`NotFoundError` if no ticket has
        this id."""
        return self._raw.ticket_comments(id)

    def history(self, id: int) -> pd.DataFrame:
        """The ticket's status history, oldest first, as a DataFrame with the columns ``from``
        and ``to`` (Categorical over :data:`TICKET_STATUSES`; ``from`` is NaN for the creation
        entry), ``at`` (``datetime64[us, UTC]``) and ``by`` (who made the change: the
        principal of the handle). Raises :class:`NotFoundError` if no ticket has this id."""
        import pandas as pd

        cols = self._raw.ticket_history_columns(id)
        return pd.DataFrame(
            {
                "from": pd.Categorical.from_codes(cols["from"], categories=TICKET_STATUSES),
                "to": pd.Categorical.from_codes(cols["to"], categories=TICKET_STATUSES),
                "at": _columns.times(cols["at"]),
                "by": _columns.text(cols["by"]),
            }
        )

    def delete(self, id: int) -> None:
        """Deletes the ticket with its comments and history. Raises :class:`NotFoundError` if
        no ticket has this id."""
        self._raw.delete_ticket(id)

    # ------------------------------------------------------------ SLA settings

    def set_sla_policy(
        self,
        priority: str,
        first_response: timedelta | int,
        resolution: timedelta | int,
        business_hours: bool = False,
    ) -> None:
        """Sets the SLA targets of ``priority`` (replacing any) and moves the deadlines of its
        active tickets. ``first_response`` and ``resolution`` are ``datetime.timedelta`` (or
        ``pandas.Timedelta``) or whole minutes (int); with ``business_hours`` only the
        :meth:`business_hours` count::

            db.tickets.set_sla_policy("urgent", timedelta(minutes=30), timedelta(hours=4),
                                      business_hours=True)
            db.tickets.set_sla_policy("normal", 240, 3 * 24 * 60)   # minutes

        Raises:
            InvalidInputError: a target ≤ 0 or over 366 days (the message names it), an
                unknown priority.
            InvalidArgumentError: a target that is not a whole number of minutes, or of the
                wrong type.
        """
        self._raw.set_sla_policy(priority, first_response, resolution, business_hours)

    def remove_sla_policy(self, priority: str) -> None:
        """Removes the SLA policy of ``priority``; its tickets have no deadlines from then on.
        Raises :class:`NotFoundError` when that priority has no policy."""
        self._raw.remove_sla_policy(priority)

    def sla_policies(self) -> pd.DataFrame:
        """The SLA policies as a DataFrame indexed by ``priority`` (low to urgent), with the
        columns ``first_response`` and ``resolution`` (``timedelta64[us]``) and
        ``business_hours`` (bool)."""
        import numpy as np
        import pandas as pd

        policies = self._raw.sla_policies()
        index = pd.Index([p.priority for p in policies], name="priority", dtype=object)
        return pd.DataFrame(
            {
                "first_response": _durations(
                    np.array([p.first_response_minutes for p in policies], dtype=np.int64)
                    * 60_000_000
                ),
                "resolution": _durations(
                    np.array([p.resolution_minutes for p in policies], dtype=np.int64)
                    * 60_000_000
                ),
                "business_hours": np.array([p.business_hours for p in policies], dtype=bool),
            },
            index=index,
        )

    def policy(self, priority: str) -> SlaPolicy | None:
        """The SLA policy of ``priority`` as an object, or None when it has none."""
        for p in self._raw.sla_policies():
            if p.priority == priority:
                return p
        return None

    def set_business_hours(
        self,
        days: Iterable[str] = _WEEKDAYS,
        open: time = time(9),
        close: time = time(17),
    ) -> None:
        """Sets the weekly business hours — ``open`` to ``close`` (``datetime.time``, no
        tzinfo) on each of ``days`` (names such as ``"mon"`` or ``"Monday"``) — read in the
        store's reporting time zone, and moves the deadlines of active tickets under
        business-hours policies::

            db.tickets.set_business_hours(["mon", "tue", "wed", "thu", "fri", "sat"],
                                          open=time(8), close=time(18))

        Raises:
            InvalidInputError: no day is open, or ``open`` is not before ``close``.
            InvalidArgumentError: an unknown day name, a time with tzinfo, a wrong type.
        """
        self._raw.set_business_hours(days, open, close)

    def business_hours(self) -> BusinessHours:
        """The business hours (Monday to Friday, 09:00–17:00 until set)."""
        return self._raw.business_hours()

    # ------------------------------------------------------------ SLA views

    def sla(self, id: int, now: datetime | None = None) -> SlaState | None:
        """The ticket's SLA state at ``now`` (default the handle's clock): deadlines, whether
        each target is breached and by how much (timedeltas). None when its priority has no
        policy.

        Raises:
            NotFoundError: no ticket has this id.
            InvalidInputError: ``now`` outside the years 1 to 9999.
        """
        return self._raw.ticket_sla(id, now)

    def queue(self, limit: int | None = 20, now: datetime | None = None) -> pd.DataFrame:
        """The work queue: up to ``limit`` tickets that need work — new and open (pending ones
        wait on the customer) — most urgent first, then earliest SLA deadline (none last), then
        oldest, as a DataFrame indexed by ``id`` in that order (``limit=None`` for all).

        The columns of :meth:`find_frame`, and the SLA state at ``now`` (default the handle's
        clock): ``first_response_breached`` and ``resolution_breached`` (pandas' nullable
        ``boolean``, NA when the priority has no policy), ``first_response_breach_by`` and
        ``resolution_breach_by`` (``timedelta64[us]``, NaT when not breached).
        """
        import pandas as pd

        cols = self._raw.ticket_queue_columns(limit, now)
        frame = _ticket_frame(cols)
        for target in SLA_TARGETS:
            frame[f"{target}_breached"] = pd.array(cols[f"{target}_breached"], dtype="boolean")
            frame[f"{target}_breach_by"] = _durations(cols[f"{target}_breach_by"])
        return frame

    def breaches(self, now: datetime | None = None) -> pd.DataFrame:
        """Every breached SLA target at ``now`` (default the handle's clock), of any ticket,
        active or not — targets met late and targets overdue — by ticket id, first response
        before resolution.

        Columns: ``ticket_id`` (``int64``), ``target`` (Categorical over :data:`SLA_TARGETS`),
        ``due`` (when the target was due; for resolution, when its clock passed the target;
        ``datetime64[us, UTC]``) and ``breach_by`` (``timedelta64[us]``: by how much, in the
        policy's time — business time for a business-hours policy).
        """
        import pandas as pd

        cols = self._raw.sla_breach_columns(now)
        return pd.DataFrame(
            {
                "ticket_id": cols["ticket_id"],
                "target": pd.Categorical.from_codes(cols["target"], categories=SLA_TARGETS),
                "due": _columns.times(cols["due"]),
                "breach_by": _durations(cols["breach_by"]),
            }
        )

    def stats(self, where: str | None = None, /, **filters: Any) -> TicketStats:
        """Counts by status, category and priority, and mean and median calendar times to the
        first response and to resolution, over the tickets matching the filters (all without
        filters)::

            s = db.tickets.stats(category="billing")
            s.by_status["open"], s.median_first_response      # int, pandas.Timedelta
        """
        import pandas as pd

        raw = self._raw.ticket_stats(where, filters)

        def counts(pairs: builtins.list[tuple[Any, int]], name: str) -> pd.Series:
            index = pd.Index([k for k, _ in pairs], name=name, dtype=object)
            return pd.Series([n for _, n in pairs], index=index, dtype="int64", name="count")

        def duration(micros: float | None) -> pd.Timedelta:
            return pd.NaT if micros is None else pd.Timedelta(micros, unit="us")

        return TicketStats(
            total=raw["total"],
            by_status=counts(raw["by_status"], "status"),
            by_category=counts(raw["by_category"], "category"),
            by_priority=counts(raw["by_priority"], "priority"),
            mean_first_response=duration(raw["mean_first_response"]),
            median_first_response=duration(raw["median_first_response"]),
            mean_resolution=duration(raw["mean_resolution"]),
            median_resolution=duration(raw["median_resolution"]),
        )


def _durations(micros: np.ndarray) -> np.ndarray:
    """int64 µs (the smallest int64 for none) as ``timedelta64[us]`` (NaT for none)."""
    import numpy as np

    return np.ascontiguousarray(micros, dtype=np.int64).view("timedelta64[us]")


def _ticket_frame(cols: dict[str, Any]) -> pd.DataFrame:
    """A DataFrame from the native ticket columns: int64 arrays for ids, versions and times (µs,
    UTC; NaT for none), int8 codes for channel, priority and status, lists for text."""
    import pandas as pd

    index = pd.Index(cols["id"], name="id")
    data = {
        "customer_id": cols["customer_id"],
        "subject": _columns.text(cols["subject"]),
        "body": _columns.text(cols["body"]),
        "channel": pd.Categorical.from_codes(cols["channel"], categories=_CHANNELS),
        "category": _columns.text(cols["category"]),
        "priority": pd.Categorical.from_codes(
            cols["priority"], categories=TICKET_PRIORITIES, ordered=True
        ),
        "status": pd.Categorical.from_codes(cols["status"], categories=TICKET_STATUSES),
        "assignee": _columns.text(cols["assignee"]),
    }
    for name in ("created_at", "updated_at", "first_response_at", "resolved_at", "closed_at"):
        data[name] = _columns.times(cols[name])
    data["version"] = cols["version"]
    for name in ("first_response_due", "resolution_due", "next_due"):
        data[name] = _columns.times(cols[name])
    return pd.DataFrame(data, index=index)
