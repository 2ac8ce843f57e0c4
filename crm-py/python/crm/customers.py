"""The customers of a store: ``db.customers``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crm import _columns, _crm
from crm._crm import Customer

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["Customers", "STAGES", "SOURCES"]

#: Lifecycle stages, in order (the categories of ``find_frame()["stage"]``).
STAGES: tuple[str, ...] = tuple(_crm.STAGES)
#: Acquisition sources, in order (the categories of ``find_frame()["source"]``).
SOURCES: tuple[str, ...] = tuple(_crm.SOURCES)

_TEXT_COLUMNS = ("external_id", "name", "email", "phone", "company")


class Customers:
    """The customers of one store, reached as ``db.customers``.

    Every call is one transaction: a write that fails leaves the store as it was.

    Filters (``find``, ``find_frame``, ``count``) come as filter text, as keyword filters, or
    both (ANDed). The text syntax (grammar in ``docs/filters.md``) is the one saved segments
    use; its values are always data, never SQL::

        db.customers.find("source = 'web' and total_spend > 10000", order_by="-total_spend")
        db.customers.count("(stage in ('lead', 'prospect') or tags contains 'vip') and "
                           "last_purchase < '2026-01-01'")

    A syntax error raises :class:`ParseError` naming the character position; an unknown field
    :class:`InvalidInputError`.

    Keyword filters are ``field=value`` or ``field__lookup=value`` with the lookups ``eq`` (the
    default), ``ne``, ``lt``, ``lte``, ``gt``, ``gte``, ``in``, ``not_in``, ``between`` (a
    ``(low, high)`` pair), ``isnull`` (``True`` / ``False``), ``contains`` and ``startswith``
    (text, case-insensitive for ASCII). On ``tags``, ``tags="vip"`` or ``tags__contains="vip"``
    asks for a tag, ``tags__in=[...]`` for any of several and ``tags__isnull=True`` for none at
    all. Times may be datetimes (naive = UTC), pandas / numpy timestamps, or dates
    (``datetime.date`` or ``"YYYY-MM-DD"``: midnight in the store's reporting time zone)::

        db.customers.find(stage__in=["lead", "prospect"], created_at__gte=date(2026, 1, 1),
                          tags="vip", order_by="-created_at", limit=10)

    Besides the stored fields (``id``, ``external_id``, ``name``, ``email``, ``phone``,
    ``company``, ``stage``, ``source``, ``tags``, ``created_at``, ``updated_at``, ``version``),
    both forms filter and sort on the behavioural fields, computed from a customer's records
    when the query runs: ``total_spend`` (sum of completed purchases, minor units),
    ``purchase_count`` (completed purchases), ``last_purchase`` and ``last_interaction``
    (instants; empty when there is none)::

        db.customers.find(total_spend__gt=10000, last_purchase__lt=date(2026, 1, 1))

    The store's active custom fields (:class:`Fields`, ``db.fields``) filter and sort by their
    names too, and their values are given with ``fields={...}``::

        db.fields.define("region", "enum", choices=["north", "south"])
        db.customers.add("Ada Lovelace", fields={"region": "north"})
        db.customers.find(region="north")            # or "region = 'north'"
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Customers of {self._raw.path!r}>"

    def __len__(self) -> int:
        """The number of customers in the store."""
        return self._raw.count_customers(None, {})

    def add(
        self,
        name: str,
        *,
        external_id: str | None = None,
        email: str | None = None,
        phone: str | None = None,
        company: str | None = None,
        stage: str | None = None,
        source: str | None = None,
        tags: Iterable[str] = (),
        created_at: datetime | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> Customer:
        """Creates a customer and returns it as stored: trimmed, e-mail lower-case, phone in E.164
        when written with a country code, tags lower-case and sorted, version 1.

        ``stage`` defaults to ``"lead"`` and ``source`` to ``"other"``. ``created_at`` records an
        earlier creation time (imports); by default the handle's clock. ``fields`` gives custom
        field values by field name (see :class:`Fields` for the values each type takes); fields
        left out get their default.

        Raises:
            InvalidInputError: a value fails validation (the message names the field), or
                ``fields`` names a field that is not defined.
            AlreadyExistsError: the external id is taken.
            InvalidArgumentError: an argument has the wrong type.
        """
        return self._raw.add_customer(
            name, external_id, email, phone, company, stage, source, tags, created_at, fields
        )

    def add_many(self, data: pd.DataFrame | Mapping[str, Any]) -> np.ndarray:
        """Creates many customers in one transaction; returns their ids (``int64`` array, in row
        order).

        ``data`` is a pandas DataFrame or a dict of columns (lists, numpy arrays or Series). The
        columns are ``name`` (required), ``external_id``, ``email``, ``phone``, ``company``,
        ``stage``, ``source``, ``tags`` (comma-separated text or lists of str) and ``created_at``
        (datetime64 — naive means UTC, tz-aware is converted — or datetimes), and one column
        per active custom field, named like the field (values as for ``fields=`` in
        :meth:`add`; a datetime64 column gives a date field the UTC date). Missing values
        (None, NaN, ``pd.NA``, ``NaT``) are absent. If any row is invalid nothing is written and
        the error names the row (zero-based).

        Raises:
            InvalidArgumentError: an unknown column, columns of different lengths, a wrong type.
            InvalidInputError: a value fails validation (the message names row and field).
            AlreadyExistsError: an external id is taken.
        """
        return self._raw.add_customer_columns(_prepare_columns(data))

    def get(self, id: int) -> Customer:
        """The customer with this id. Raises :class:`NotFoundError` (a ``KeyError``) if none."""
        return self._raw.get_customer(id)

    def get_by_external_id(self, external_id: str) -> Customer:
        """The customer with this external id. Raises :class:`NotFoundError` if none."""
        return self._raw.get_customer_by_external_id(external_id)

    def update(
        self,
        id: int,
        *,
        expected_version: int | None = None,
        fields: Mapping[str, Any] | None = None,
        **changes: Any,
    ) -> Customer:
        """Changes some fields of a customer and returns it as stored.

        ``changes`` may name ``name``, ``external_id``, ``email``, ``phone``, ``company``,
        ``stage``, ``source`` and ``tags`` (which replaces the tag set); ``None`` clears
        ``external_id``, ``email``, ``phone``, ``company`` and ``tags``. ``fields`` changes
        custom field values by field name (``None`` clears one; fields left out stay). The
        version goes up by one when anything changed. With ``expected_version``, a customer
        changed meanwhile is refused with :class:`ConflictError` and left as it is::

            c = db.customers.get(7)
            db.customers.update(c.id, stage="customer", fields={"region": "south"},
                                expected_version=c.version)

        Raises:
            NotFoundError, ConflictError, AlreadyExistsError,
            InvalidInputError (a bad value, or a custom field that is not defined),
            InvalidArgumentError (an unknown built-in field, a wrong type).
        """
        return self._raw.update_customer(id, changes, expected_version, fields)

    def add_tags(self, id: int, *tags: str) -> Customer:
        """Adds tags to a customer and returns it as stored (tags lower-case and sorted). The
        version goes up by one when a tag is new; tags it already carries change nothing::

            db.customers.add_tags(ada.id, "vip", "newsletter")

        Raises:
            NotFoundError: no customer has this id.
            InvalidInputError: a tag fails validation (empty, over 64 characters, a comma or a
                control character).
            ConflictError: the customer changed meanwhile (another writer); nothing was changed.
            InvalidArgumentError: ``id`` is not an int, or a tag is not a str.
        """
        return self._raw.add_customer_tags(id, tags)

    def remove_tags(self, id: int, *tags: str) -> Customer:
        """Removes tags from a customer and returns it as stored; tags it does not carry are
        ignored (the version goes up only when one was removed).

        Raises:
            NotFoundError: no customer has this id.
            InvalidInputError: a tag fails validation.
            InvalidArgumentError: ``id`` is not an int, or a tag is not a str.
        """
        return self._raw.remove_customer_tags(id, tags)

    def delete(self, id: int, *, cascade: bool = False) -> None:
        """Deletes a customer. Records that reference it make this fail with
        :class:`ConstraintError` unless ``cascade=True``, which deletes them too.

        Raises:
            NotFoundError: no customer has this id.
        """
        self._raw.delete_customer(id, cascade)

    def find(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> list[Customer]:
        """Customers matching the filters (see the class docs), as a list: ``where`` is filter
        text, ANDed with the keyword filters.

        ``order_by`` is a comma-separated list of fields, ``-`` for descending
        (``"-created_at,name"``), or a list of such strings; the id breaks ties, so pages are
        stable. ``limit`` and ``offset`` page through the result.
        """
        return self._raw.find_customers(where, filters, order_by, limit, offset)

    def find_frame(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> pd.DataFrame:
        """Like :meth:`find`, as a pandas DataFrame indexed by ``id``.

        Columns: ``external_id``, ``name``, ``email``, ``phone``, ``company`` (pandas' string
        dtype), ``stage`` and ``source`` (Categorical, categories in the fixed order of
        :data:`STAGES` / :data:`SOURCES`), ``tags`` (lists of str), ``created_at`` and
        ``updated_at`` (``datetime64[us, UTC]``), ``version`` (``int64``), then one column per
        active custom field in definition order: ``text`` as ``str``, ``integer`` as ``Int64``
        and ``boolean`` as ``boolean`` (pandas' nullable dtypes), ``decimal`` as ``float64``,
        ``date`` as ``datetime64[s]`` (midnight, no time zone: a calendar date), ``enum`` as
        Categorical with the field's choices as categories, ``multi_enum`` as lists of str
        (None when missing). An empty result has the same columns and dtypes.
        """
        cols = self._raw.find_customer_columns(where, filters, order_by, limit, offset)
        return _frame(cols)

    def count(self, where: str | None = None, /, **filters: Any) -> int:
        """How many customers match the filter text ``where`` and the keyword filters (all
        customers without filters)."""
        return self._raw.count_customers(where, filters)


def _frame(cols: dict[str, Any]) -> pd.DataFrame:
    """A DataFrame from the native columns: int64 arrays for ids, versions and times (µs, UTC),
    int8 category codes for stage and source, lists for text and tags; then the custom fields
    (``cols["custom"]``, see :func:`_custom_column`)."""
    import pandas as pd

    data: dict[str, Any] = {key: _columns.text(cols[key]) for key in _TEXT_COLUMNS}
    data["stage"] = pd.Categorical.from_codes(cols["stage"], categories=STAGES)
    data["source"] = pd.Categorical.from_codes(cols["source"], categories=SOURCES)
    index = pd.Index(cols["id"], name="id")
    data["tags"] = pd.Series(cols["tags"], index=index, dtype=object)
    data["created_at"] = _columns.times(cols["created_at"])
    data["updated_at"] = _columns.times(cols["updated_at"])
    data["version"] = cols["version"]
    for name, type_, choices, values in cols["custom"]:
        data[name] = _custom_column(type_, choices, values, index)
    return pd.DataFrame(data, index=index)


def _custom_column(type_: str, choices: list[str], values: Any, index: pd.Index) -> Any:
    """One custom field's column from its native shape: ``(values, missing)`` array pairs for
    integers and booleans, float64 with NaN for decimals, int64 seconds since the epoch for
    dates, int32 codes into ``choices`` for enums, lists for text and multi-enums."""
    import pandas as pd

    if type_ == "integer":
        return pd.arrays.IntegerArray(*values)
    if type_ == "boolean":
        return pd.arrays.BooleanArray(*values)
    if type_ == "decimal":
        return values
    if type_ == "date":
        return values.view("datetime64[s]")
    if type_ == "enum":
        return pd.Categorical.from_codes(values, categories=choices)
    if type_ == "multi_enum":
        return pd.Series(values, index=index, dtype=object)
    return _columns.text(values)


def _prepare_columns(data: Any) -> dict[str, Any]:
    """Brings a DataFrame or a dict of columns into the shape the native module reads: each
    column a list with None for missing values, and ``created_at`` from a datetime64 column as
    int64 microseconds since the epoch, UTC (NaT stays the smallest int64, read as missing)."""
    return {
        key: _columns.time_column(column) if key == "created_at" else _columns.object_column(column)
        for key, column in _columns.column_items(data, "add_many")
    }
