"""An open store: :func:`crm.open` and :class:`Database`."""

from __future__ import annotations

import os
from datetime import datetime
from types import TracebackType
from typing import TYPE_CHECKING

from crm import _crm
from crm.analytics import frequent_patterns as _frequent_patterns
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

if TYPE_CHECKING:
    import pandas as pd

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

    def frequent_itemsets(
        self,
        min_support: float,
        *,
        max_len: int | None = None,
        algorithm: str = "fpgrowth",
        since: datetime | None = None,
        until: datetime | None = None,
        category: str | None = None,
    ) -> pd.DataFrame:
        """Products bought together: the frequent itemsets of the completed purchases (each a
        basket of the catalogue products on its lines; see
        :func:`crm.analytics.frequent_itemsets`)::

            db.frequent_itemsets(0.01, since=datetime(2026, 1, 1), category="tea")

        Returns a DataFrame with ``support`` and ``itemsets`` (frozensets of SKUs), as mlxtend,
        plus ``product_ids`` and ``names`` (tuples in product-id order). ``since`` / ``until``
        bound the purchase time (``[since, until)``), ``category`` keeps lines of one category.
        Raises :class:`InvalidInputError` for a support outside (0, 1], ``max_len`` below 1 or
        no purchases to mine."""
        return _frequent_patterns._store_itemsets(
            self._raw, min_support, max_len, algorithm, since, until, category
        )

    def association_rules(
        self,
        min_support: float,
        *,
        max_len: int | None = None,
        metric: str = "confidence",
        min_threshold: float = 0.8,
        since: datetime | None = None,
        until: datetime | None = None,
        category: str | None = None,
    ) -> pd.DataFrame:
        """Association rules between products bought together: itemsets at ``min_support`` (as
        :meth:`frequent_itemsets`), then the rules whose ``metric`` is at least
        ``min_threshold`` (see :func:`crm.analytics.association_rules`). Returns mlxtend's
        columns with ``antecedents`` / ``consequents`` as frozensets of SKUs, plus
        ``antecedent_names`` and ``consequent_names`` (tuples in product-id order)."""
        return _frequent_patterns._store_rules(
            self._raw, min_support, max_len, metric, min_threshold, since, until, category
        )

    def recommend(
        self,
        customer_id: int,
        n: int = 5,
        *,
        min_support: float = 0.01,
        max_len: int | None = 3,
        min_confidence: float = 0.1,
        metric: str = "lift",
        fill_with_popular: bool = True,
        since: datetime | None = None,
        until: datetime | None = None,
        category: str | None = None,
    ) -> pd.DataFrame:
        """Up to ``n`` products for a customer, from the association rules of every basket
        (itemsets at ``min_support`` up to ``max_len`` items, rules of at least
        ``min_confidence``) whose antecedents the customer has bought, best ``metric`` first,
        never one they already bought; with ``fill_with_popular``, topped up with the most
        bought products they lack (scored by their support).

        Returns a DataFrame with ``product_id``, ``sku``, ``name``, ``score`` and
        ``because_of`` (a tuple of the ids of the customer's products that led to it; empty for
        a popular top-up). Raises :class:`NotFoundError` for an unknown customer and
        :class:`InvalidInputError` for a support outside (0, 1] or a confidence outside
        [0, 1]."""
        return _frequent_patterns._store_recommend(
            self._raw,
            customer_id,
            n,
            min_support,
            max_len,
            min_confidence,
            metric,
            fill_with_popular,
            since,
            until,
            category,
        )

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
