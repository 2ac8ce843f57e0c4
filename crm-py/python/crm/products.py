"""The product catalogue of a store: ``db.products``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crm import _columns, _crm
from crm._crm import Product

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["Products"]


class Products:
    """The product catalogue of one store, reached as ``db.products``.

    A product has a unique ``sku``, a ``name``, an optional ``category`` and an optional list
    price: ``price`` in minor units (cents) with its ISO-4217 ``currency``, both or neither.
    Purchase lines that name a known sku link to the product and take its name and category.

    Every call is one transaction. Filters (``find``, ``count``) work as for customers — filter
    text as the first argument, ANDed with keyword filters::

        db.products.find(category="tea", price__lt=1500, order_by="name")
        db.products.count("category = 'tea' and price < 1500")
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Products of {self._raw.path!r}>"

    def __len__(self) -> int:
        """The number of products in the catalogue."""
        return self._raw.count_products(None, {})

    def add(
        self,
        sku: str,
        name: str,
        *,
        category: str | None = None,
        price: int | None = None,
        currency: str | None = None,
    ) -> Product:
        """Adds a product and returns it as stored (text trimmed, currency upper-case).

        ``price`` is an int in minor units of ``currency`` (``1250, "EUR"`` is €12.50); give both
        or neither.

        Raises:
            AlreadyExistsError: the sku is taken.
            InvalidInputError: a value fails validation (empty sku or name, negative price, a
                currency that is not a three-letter code).
            InvalidArgumentError: a wrong type, or a price without a currency (or the reverse).
        """
        return self._raw.add_product(sku, name, category, price, currency)

    def add_many(self, data: pd.DataFrame | Mapping[str, Any]) -> np.ndarray:
        """Adds many products in one transaction; returns their ids (``int64`` array, in row
        order).

        ``data`` is a pandas DataFrame or a dict of columns: ``sku`` and ``name`` (required),
        ``category``, ``price`` (integers in minor units; missing values allowed, e.g. pandas'
        ``Int64``) and ``currency``. Each row has both a price and a currency or neither. If any
        row is invalid nothing is written and the error names the row (zero-based).

        Raises:
            InvalidArgumentError: an unknown column, columns of different lengths, a wrong type,
                a price without a currency.
            InvalidInputError: a value fails validation.
            AlreadyExistsError: a sku is taken (also by an earlier row of ``data``).
        """
        cols: dict[str, Any] = {}
        for key, column in _columns.column_items(data, "add_many"):
            if key == "price":
                cols[key] = _columns.int_column(column, key, nullable=True)
            else:
                cols[key] = _columns.object_column(column)
        return self._raw.add_product_columns(cols)

    def get(self, id: int) -> Product:
        """The product with this id. Raises :class:`NotFoundError` (a ``KeyError``) if none."""
        return self._raw.get_product(id)

    def get_by_sku(self, sku: str) -> Product:
        """The product with this sku. Raises :class:`NotFoundError` if none."""
        return self._raw.get_product_by_sku(sku)

    def delete(self, id: int) -> None:
        """Deletes a product.

        Raises:
            NotFoundError: no product has this id.
            ConstraintError: purchase lines name the product.
        """
        self._raw.delete_product(id)

    def find(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> list[Product]:
        """Products matching the filters, as a list. Fields: ``id``, ``sku``, ``name``,
        ``category``, ``price``, ``currency``, ``created_at``. ``order_by``, ``limit`` and
        ``offset`` as for :meth:`Customers.find`."""
        return self._raw.find_products(where, filters, order_by, limit, offset)

    def count(self, where: str | None = None, /, **filters: Any) -> int:
        """How many products match the filters (all products without filters)."""
        return self._raw.count_products(where, filters)
