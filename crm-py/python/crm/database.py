"""An open store: :func:`crm.open` and :class:`Database`."""

from __future__ import annotations

import os
from datetime import datetime
from types import TracebackType

from crm import _crm
from crm.audit import Audit
from crm.campaigns import Campaigns
from crm.customers import Customers
from crm.deals import Deals
from crm.fields import Fields
from crm.interactions import Interactions
from crm.notes import Notes
from crm.products import Products
from crm.purchases import Purchases
from crm.segments import Segments
from crm.tickets import Tickets

__all__ = ["Database", "open"]


class Database:
    """An open crm store: one SQLite file (or ``":memory:"``), the principal acting on it, its
    clock and its reporting time zone. Open one with :func:`crm.open`.

    Use it as a context manager to close it when done::

        with crm.open("shop.db") as db:
            db.customers.add("Ada Lovelace", email="ada@example.com")

    Several handles — in threads or processes — may share one file; writers queue for up to the
    busy timeout. A handle may be shared by threads too (calls are serialised); every call
    releases the GIL while the store works.
    """

    __slots__ = (
        "_raw",
        "customers",
        "products",
        "purchases",
        "interactions",
        "notes",
        "segments",
        "audit",
        "fields",
    )

    customers: Customers
    """The customers of this store."""
    products: Products
    """The product catalogue of this store."""
    purchases: Purchases
    """The purchases of this store, with their line items."""
    interactions: Interactions
    """The interactions of this store (customer touchpoints) and the customer timeline."""
    notes: Notes
    """Free-text notes on the records of this store."""
    segments: Segments
    """The saved customer segments of this store."""
    audit: Audit
    """The audit trail of this store: who changed what, when."""
    fields: Fields
    """The custom fields of this store (``region``, ``loyalty_tier`` … defined at run time)."""

    def __init__(
        self,
        path: str | os.PathLike[str] = ":memory:",
        *,
        principal: str = "system",
        role: str = "admin",
        key: bytes | str | None = None,
        now: datetime | None = None,
        time_zone: str | None = None,
        busy_timeout: float = 5.0,
    ) -> None:
        """Opens the store; see :func:`crm.open`."""
        self._raw = _crm.Database(path, principal, role, key, now, time_zone, busy_timeout)
        self.customers = Customers(self._raw)
        self.products = Products(self._raw)
        self.purchases = Purchases(self._raw)
        self.interactions = Interactions(self._raw)
        self.notes = Notes(self._raw)
        self.segments = Segments(self._raw)
        self.audit = Audit(self._raw)
        self.fields = Fields(self._raw)

    def close(self) -> None:
        """Closes the store. Later calls raise :class:`InvalidArgumentError`; closing twice is
        harmless."""
        self._raw.close()

    @property
    def tickets(self) -> Tickets:
        """The service tickets of this store, with their comments, status history and SLAs."""
        return Tickets(self._raw)

    @property
    def campaigns(self) -> Campaigns:
        """The marketing campaigns of this store: plan, start, track and evaluate A/B tests."""
        return Campaigns(self._raw)

    @property
    def deals(self) -> Deals:
        """The sales pipelines and deals of this store."""
        return Deals(self._raw)

    @property
    def closed(self) -> bool:
        """True once the store is closed."""
        return self._raw.closed

    @property
    def path(self) -> str:
        """The path the store was opened with (``":memory:"`` for an in-memory store)."""
        return self._raw.path

    @property
    def principal(self) -> str:
        """The name of the principal acting through this handle (recorded by the audit trail)."""
        return self._raw.principal

    @property
    def role(self) -> str:
        """The principal's role (``admin``, ``agent``, ``analyst`` or a custom role)."""
        return self._raw.role

    @property
    def time_zone(self) -> str:
        """The reporting time zone (an IANA name such as ``"Asia/Shanghai"``): calendar
        boundaries and date literals in filters (``created_at__gte="2026-03-01"``) use it."""
        return self._raw.time_zone

    def set_time_zone(self, name: str) -> None:
        """Sets the store's reporting time zone and saves it in the store, for every handle
        opened later. Raises :class:`InvalidInputError` for an unknown zone name."""
        self._raw.set_time_zone(name)

    @property
    def now(self) -> datetime:
        """The handle's current time (aware, UTC). Assign a datetime to fix the clock (naive
        means UTC), or ``None`` to return to the system clock."""
        return self._raw.now

    @now.setter
    def now(self, value: datetime | None) -> None:
        self._raw.set_now(value)

    @property
    def schema_version(self) -> int:
        """The version of the store's schema."""
        return self._raw.schema_version

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<crm.Database {self.path!r} principal={self.principal!r} {state}>"


def open(
    path: str | os.PathLike[str] = ":memory:",
    *,
    principal: str = "system",
    role: str = "admin",
    key: bytes | str | None = None,
    now: datetime | None = None,
    time_zone: str | None = None,
    busy_timeout: float = 5.0,
) -> Database:
    """Opens the crm store at ``path``, creating it if missing and upgrading an older schema.

    Args:
        path: a file path, or ``":memory:"`` (the default) for a private in-memory store.
        principal: who acts through this handle (recorded by the audit trail).
        role: the principal's role: ``admin`` (the default), ``agent``, ``analyst`` or a custom
            role name.
        key: encryption key of the store file. Not available in this build:
            :class:`UnsupportedError`.
        now: fixes the handle's clock at this datetime (naive means UTC); default: the system
            clock. Change it later with ``db.now = ...``.
        time_zone: the reporting time zone for this handle (an IANA name); default: the zone
            saved in the store, UTC unless set.
        busy_timeout: seconds a write waits for another writer before :class:`BusyError`.

    Raises:
        NotADatabaseError: the file is not a crm store.
        SchemaTooNewError: the store was written by a newer crm.
        StorageError: the file cannot be opened or created.
    """
    return Database(
        path,
        principal=principal,
        role=role,
        key=key,
        now=now,
        time_zone=time_zone,
        busy_timeout=busy_timeout,
    )
