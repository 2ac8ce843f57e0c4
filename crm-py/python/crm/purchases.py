"""The purchases of a store: ``db.purchases``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crm import _columns, _crm
from crm._crm import LineItem, Purchase

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["Purchases", "PURCHASE_STATUSES"]

#: Purchase statuses, in order (the categories of ``purchases_frame()["status"]``).
PURCHASE_STATUSES: tuple[str, ...] = tuple(_crm.PURCHASE_STATUSES)

_INT_COLUMNS = ("customer_id", "amount")
_ITEM_INT_COLUMNS = ("purchase_row", "quantity", "unit_price")


class Purchases:
    """The purchases (orders) of one store, reached as ``db.purchases``.

    A purchase belongs to a customer and has an exact ``amount`` in minor units (cents) of its
    ISO-4217 ``currency``, a time ``purchased_at``, a ``status`` (``completed``, ``refunded`` or
    ``cancelled``; only a completed purchase may be refunded or cancelled), an optional
    ``external_id`` (an order number, unique) and line items. A line names a product by
    ``product_id`` or ``sku`` — a sku in the catalogue links the product and supplies its name and
    category — or just by ``name``, with a ``quantity`` (at least 1) and a ``unit_price`` (minor
    units).

    Every call is one transaction: a write that fails, a batch with one bad row included, leaves
    the store as it was.

    Filters (``find``, ``count``, the frames) work as for customers — filter text as the first
    argument, ANDed with keyword filters — on the fields ``id``, ``customer_id``,
    ``external_id``, ``purchased_at``, ``amount``, ``currency``, ``status`` and
    ``created_at``::

        db.purchases.find(customer_id=7, status="completed",
                          purchased_at__gte=date(2026, 1, 1), amount__gt=1000)
        db.purchases.count("status = 'completed' and amount > 1000")
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Purchases of {self._raw.path!r}>"

    def __len__(self) -> int:
        """The number of purchases in the store."""
        return self._raw.count_purchases(None, {})

    def add(
        self,
        customer_id: int,
        amount: int,
        currency: str,
        *,
        purchased_at: datetime | None = None,
        status: str | None = None,
        external_id: str | None = None,
        items: Iterable[Mapping[str, Any] | LineItem] = (),
    ) -> Purchase:
        """Records a purchase with its lines and returns it as stored.

        ``amount`` is an int in minor units of ``currency`` (``2500, "EUR"`` is €25.00).
        ``purchased_at`` defaults to the handle's clock (a naive datetime means UTC); ``status``
        to ``"completed"``. Each of ``items`` is a dict with the keys ``quantity`` and
        ``unit_price`` (required) and ``product_id``, ``sku``, ``name``, ``category``, or a
        :class:`crm.LineItem` of another purchase. Lines are numbered by their order in
        ``items``; a dict may also have a ``line`` key (as ``LineItem.to_dict()`` gives) when it
        matches that number::

            db.purchases.add(ada.id, 2750, "EUR", items=[
                {"sku": "TEA-01", "quantity": 2, "unit_price": 1250},
                {"name": "Gift wrap", "quantity": 1, "unit_price": 250},
            ])

        Raises:
            NotFoundError: no customer, or no product, has the id.
            InvalidInputError: a value fails validation (negative amount or unit price, a
                quantity below 1, a currency that is not a three-letter code, a line with no
                product and no name …); the message names the field and line.
            AlreadyExistsError: the external id is taken.
            InvalidArgumentError: a wrong type (e.g. ``amount="12.50"``) or an unknown item key.
        """
        return self._raw.add_purchase(
            customer_id, amount, currency, purchased_at, status, external_id, items
        )

    def add_many(
        self,
        purchases: pd.DataFrame | Mapping[str, Any],
        items: pd.DataFrame | Mapping[str, Any] | None = None,
    ) -> np.ndarray:
        """Records many purchases, with their lines, in one transaction; returns their ids
        (``int64`` array, in row order).

        ``purchases`` is a pandas DataFrame or a dict of columns: ``customer_id`` and ``amount``
        (integers; ``amount`` in minor units), ``currency`` (a column, or one str for every row),
        ``purchased_at`` (datetime64 — naive means UTC, tz-aware is converted — or datetimes;
        missing means the handle's clock), ``status`` (a column or one str; missing means
        completed) and ``external_id``.

        ``items`` holds the lines in long format, one row per line: ``purchase_row`` (the
        zero-based row of ``purchases`` the line belongs to), ``quantity``, ``unit_price``
        (required), ``product_id``, ``sku``, ``name``, ``category``. Lines keep their order
        within a purchase::

            ids = db.purchases.add_many(
                pd.DataFrame({"customer_id": [1, 2], "amount": [2500, 990],
                              "purchased_at": pd.to_datetime(["2026-01-05", "2026-01-06"])}
                             ).assign(currency="EUR"),
                items=pd.DataFrame({"purchase_row": [0, 0, 1], "sku": ["TEA-01", "MUG", "TEA-01"],
                                    "quantity": [1, 1, 1], "unit_price": [1250, 1250, 990]}),
            )

        Integer and datetime columns cross to the engine as int64 arrays, without a Python
        object per value; integer columns must have an integer dtype (a float column is
        refused, except ``product_id`` holding whole numbers and NaN). If any row is invalid
        nothing is written and the error names the row.

        Raises:
            InvalidArgumentError: an unknown or missing column, columns of different lengths, a
                wrong type, a ``purchase_row`` out of range.
            InvalidInputError: a value fails validation.
            NotFoundError: an unknown customer or product id.
            AlreadyExistsError: an external id is taken.
        """
        cols: dict[str, Any] = {}
        for key, column in _columns.column_items(
            purchases, "add_many", scalars=("currency", "status")
        ):
            if key in _INT_COLUMNS:
                cols[key] = _columns.int_column(column, key)
            elif key == "purchased_at":
                cols[key] = _columns.time_column(column)
            elif key in ("currency", "status"):
                cols[key] = _columns.coded_column(column)
            else:
                cols[key] = _columns.object_column(column)
        lines: dict[str, Any] | None = None
        if items is not None:
            lines = {}
            for key, column in _columns.column_items(items, "add_many items"):
                if key in _ITEM_INT_COLUMNS:
                    lines[key] = _columns.int_column(column, key)
                elif key == "product_id":
                    lines[key] = _columns.int_column(column, key, nullable=True)
                else:
                    lines[key] = _columns.object_column(column)
        return self._raw.add_purchase_columns(cols, lines)

    def get(self, id: int) -> Purchase:
        """The purchase with this id, with its lines. Raises :class:`NotFoundError` (a
        ``KeyError``) if none."""
        return self._raw.get_purchase(id)

    def set_status(self, id: int, status: str) -> Purchase:
        """Moves a purchase to ``status`` and returns it as stored. A completed purchase may be
        ``refunded`` or ``cancelled``; those two are final.

        Raises:
            NotFoundError: no purchase has this id.
            IllegalTransitionError: the move is not allowed (the message names both statuses).
            InvalidInputError: an unknown status.
        """
        return self._raw.set_purchase_status(id, status)

    def find(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> list[Purchase]:
        """Purchases matching the filters (see the class docs), with their lines, as a
        list. ``order_by``, ``limit`` and ``offset`` as for :meth:`Customers.find`."""
        return self._raw.find_purchases(where, filters, order_by, limit, offset)

    def purchases_frame(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> pd.DataFrame:
        """Like :meth:`find`, as a pandas DataFrame indexed by ``id`` (without the lines).

        Columns: ``customer_id`` (``int64``), ``external_id`` (pandas' string dtype),
        ``purchased_at`` (``datetime64[us, UTC]``), ``amount`` (``int64``, minor units),
        ``currency`` (Categorical of the currencies present, sorted) and ``status``
        (Categorical, categories in the order of :data:`PURCHASE_STATUSES`). An empty result has
        the same columns and dtypes.
        """
        import pandas as pd

        cols = self._raw.find_purchase_columns(where, filters, order_by, limit, offset)
        index = pd.Index(cols["id"], name="id")
        data = {
            "customer_id": cols["customer_id"],
            "external_id": _columns.text(cols["external_id"]),
            "purchased_at": _columns.times(cols["purchased_at"]),
            "amount": cols["amount"],
            "currency": pd.Categorical.from_codes(
                cols["currency"], categories=pd.Index(cols["currencies"], dtype="str")
            ),
            "status": pd.Categorical.from_codes(cols["status"], categories=PURCHASE_STATUSES),
        }
        return pd.DataFrame(data, index=index)

    #: The same as :meth:`purchases_frame` (the ``find_frame`` name of ``db.customers``).
    find_frame = purchases_frame

    def line_items_frame(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> pd.DataFrame:
        """The lines of the purchases matching the filters — the filters, order and page
        apply to the purchases — as a DataFrame in long format, one row per line, in purchase
        order then line order: the shape market-basket analysis reads.

        Columns: ``purchase_id``, ``customer_id`` (``int64``), ``purchased_at``
        (``datetime64[us, UTC]``), ``line`` (``int64``, from 1), ``product_id`` (``Int64``,
        missing where the line names no catalogue product), ``sku``, ``name``, ``category``
        (pandas' string dtype), ``quantity`` and ``unit_price`` (``int64``, minor units). An empty
        result has the same columns and dtypes.
        """
        import pandas as pd

        cols = self._raw.find_line_item_columns(where, filters, order_by, limit, offset)
        data = {
            "purchase_id": cols["purchase_id"],
            "customer_id": cols["customer_id"],
            "purchased_at": _columns.times(cols["purchased_at"]),
            "line": cols["line"],
            "product_id": pd.arrays.IntegerArray(cols["product_id"], cols["product_id_missing"]),
            "sku": _columns.text(cols["sku"]),
            "name": _columns.text(cols["name"]),
            "category": _columns.text(cols["category"]),
            "quantity": cols["quantity"],
            "unit_price": cols["unit_price"],
        }
        return pd.DataFrame(data)

    def count(self, where: str | None = None, /, **filters: Any) -> int:
        """How many purchases match the filters (all purchases without filters)."""
        return self._raw.count_purchases(where, filters)
