"""The interactions of a store and the customer timeline: ``db.interactions``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crm import _columns, _crm
from crm._crm import Interaction
from crm.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["Interactions", "CHANNELS", "DIRECTIONS", "INTERACTION_KINDS"]

#: Channels, in order (the categories of ``find_frame()["channel"]``).
CHANNELS: tuple[str, ...] = tuple(_crm.CHANNELS)
#: Directions, in order (the categories of ``find_frame()["direction"]``).
DIRECTIONS: tuple[str, ...] = tuple(_crm.DIRECTIONS)
#: Interaction kinds, in order (the categories of ``find_frame()["kind"]``).
INTERACTION_KINDS: tuple[str, ...] = tuple(_crm.INTERACTION_KINDS)

_VOCABULARIES = ("channel", "kind", "direction")


class Interactions:
    """The interactions of one store — a customer's touchpoints: calls, messages, visits,
    notes — reached as ``db.interactions``. A customer's interactions, newest first, are their
    timeline.

    An interaction belongs to a customer and has a ``channel`` (one of :data:`CHANNELS`:
    ``email``, ``phone``, ``chat``, ``sms``, ``social``, ``web``, ``in_person``), a ``kind``
    (:data:`INTERACTION_KINDS`, default ``note``), a ``direction`` (:data:`DIRECTIONS`,
    default ``inbound``), a time ``occurred_at`` (default the handle's clock), an optional
    ``subject`` and ``body``, and ``metadata``: a dict of JSON values (str, int, float, bool,
    None, lists and dicts of these), or the same as JSON text. It comes back as a new dict
    with its keys in sorted order.

    Every call is one transaction: a write that fails, a batch with one bad row included, leaves
    the store as it was.

    Filters (``timeline``, ``find``, ``count``, the frames) work as for customers — filter text
    as the first argument, ANDed with keyword filters — on the fields ``id``, ``customer_id``,
    ``channel``, ``direction``, ``kind``, ``occurred_at``, ``subject``, ``campaign_id``,
    ``ticket_id`` and ``created_at``::

        db.interactions.timeline(ada.id, channel="phone", occurred_at__gte=date(2026, 1, 1))
        db.interactions.find(kind__in=["call", "meeting"], direction="outbound")
        db.interactions.count("channel = 'email' and occurred_at >= '2026-01-01'")
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Interactions of {self._raw.path!r}>"

    def __len__(self) -> int:
        """The number of interactions in the store."""
        return self._raw.count_interactions(None, {})

    def add(
        self,
        customer_id: int,
        channel: str,
        *,
        kind: str | None = None,
        direction: str | None = None,
        occurred_at: datetime | None = None,
        subject: str | None = None,
        body: str | None = None,
        metadata: Mapping[str, Any] | str | None = None,
        campaign_id: int | None = None,
        ticket_id: int | None = None,
    ) -> Interaction:
        """Records an interaction and returns it as stored (subject trimmed; a blank subject or
        body is None). ``campaign_id`` and ``ticket_id`` link it to a campaign or a ticket, so
        that the customer's timeline shows them.

        ``kind`` defaults to ``"note"``, ``direction`` to ``"inbound"`` and ``occurred_at`` to
        the handle's clock (a naive datetime means UTC). ``metadata`` is a dict of JSON values
        or JSON text of an object::

            db.interactions.add(ada.id, "phone", kind="call", direction="outbound",
                                subject="Delivery date", metadata={"agent": "li", "minutes": 4})

        Raises:
            NotFoundError: no customer (campaign, ticket) has this id.
            InvalidInputError: a value fails validation (an unknown channel, kind or direction,
                a subject over 500 characters, a body over 1 MiB, metadata that is not a JSON
                object); the message names the field.
            ParseError: ``metadata`` text is not JSON (the message names the position).
            InvalidArgumentError: a wrong type (e.g. ``customer_id="7"``), or metadata that
                cannot be written as JSON (a set, a datetime, NaN …).
        """
        return self._raw.add_interaction(
            customer_id,
            channel,
            kind,
            direction,
            occurred_at,
            subject,
            body,
            _metadata_text(metadata, "metadata"),
            campaign_id,
            ticket_id,
        )

    def add_many(self, data: pd.DataFrame | Mapping[str, Any]) -> np.ndarray:
        """Records many interactions in one transaction; returns their ids (``int64`` array, in
        row order).

        ``data`` is a pandas DataFrame or a dict of columns: ``customer_id`` and ``channel``
        (required), ``kind``, ``direction`` (missing means note / inbound; ``channel``, ``kind``
        and ``direction`` may also be one str for every row), ``occurred_at`` (datetime64 —
        naive means UTC, tz-aware is converted — or datetimes; missing means the handle's
        clock), ``subject``, ``body``, ``metadata`` (dicts or JSON text; missing means
        ``{}``) and ``campaign_id`` / ``ticket_id`` (ints, missing values allowed: the campaign
        or ticket each belongs to)::

            ids = db.interactions.add_many(pd.DataFrame({
                "customer_id": [1, 1, 2],
                "channel": ["email", "phone", "chat"],
                "occurred_at": pd.to_datetime(["2026-01-05 10:00", "2026-01-06 09:00",
                                               "2026-01-06 12:30"]),
                "metadata": [{"campaign": "spring"}, None, '{"agent": "li"}'],
            }))

        Integer and datetime columns cross to the engine as int64 arrays, and the vocabulary
        columns as codes, without a Python object per value. If any row is invalid nothing is
        written and the error names the row (zero-based).

        Raises:
            InvalidArgumentError: an unknown or missing column, columns of different lengths, a
                wrong type, metadata that cannot be written as JSON.
            InvalidInputError: a value fails validation.
            ParseError: metadata text that is not JSON.
            NotFoundError: an unknown customer, campaign or ticket id.
        """
        cols: dict[str, Any] = {}
        for key, column in _columns.column_items(data, "add_many", scalars=_VOCABULARIES):
            if key == "customer_id":
                cols[key] = _columns.int_column(column, key)
            elif key in ("campaign_id", "ticket_id"):
                cols[key] = _columns.int_column(column, key, nullable=True)
            elif key == "occurred_at":
                cols[key] = _columns.time_column(column)
            elif key in _VOCABULARIES:
                cols[key] = _columns.coded_column(column)
            elif key == "metadata":
                cols[key] = [
                    _metadata_text(value, f"column metadata, row {row}")
                    for row, value in enumerate(_columns.object_column(column))
                ]
            else:
                cols[key] = _columns.object_column(column)
        return self._raw.add_interaction_columns(cols)

    def get(self, id: int) -> Interaction:
        """The interaction with this id. Raises :class:`NotFoundError` (a ``KeyError``) if
        none."""
        return self._raw.get_interaction(id)

    def timeline(
        self,
        customer_id: int,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> list[Interaction]:
        """A customer's timeline: their interactions matching the filters (see the class
        docs), newest first (by ``occurred_at``, then ``id``) unless ``order_by`` says otherwise;
        ``limit`` and ``offset`` page through it::

            db.interactions.timeline(ada.id, limit=20)              # the latest 20
            db.interactions.timeline(ada.id, kind="call", order_by="occurred_at")

        Raises:
            NotFoundError: no customer has this id.
        """
        return self._raw.interaction_timeline(
            customer_id, where, filters, order_by, limit, offset
        )

    def timeline_frame(
        self,
        customer_id: int,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> pd.DataFrame:
        """Like :meth:`timeline`, as a pandas DataFrame (the columns of :meth:`find_frame`)."""
        cols = self._raw.interaction_timeline_columns(
            customer_id, where, filters, order_by, limit, offset
        )
        return _frame(cols)

    def find(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> list[Interaction]:
        """Interactions of any customer matching the filters (see the class docs), as a
        list. ``order_by``, ``limit`` and ``offset`` as for :meth:`Customers.find` (the default
        order is by id)."""
        return self._raw.find_interactions(where, filters, order_by, limit, offset)

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

        Columns: ``customer_id`` (``int64``), ``channel``, ``direction`` and ``kind``
        (Categorical, categories in the fixed order of :data:`CHANNELS`, :data:`DIRECTIONS`,
        :data:`INTERACTION_KINDS`), ``occurred_at`` (``datetime64[us, UTC]``), ``subject`` and
        ``body`` (pandas' string dtype), ``metadata`` (``object``: one dict per row), and
        ``campaign_id`` and ``ticket_id`` (``Int64``, missing when the interaction belongs to no
        campaign or ticket). An empty result has the same columns and dtypes.
        """
        cols = self._raw.find_interaction_columns(where, filters, order_by, limit, offset)
        return _frame(cols)

    def count(self, where: str | None = None, /, **filters: Any) -> int:
        """How many interactions match the filters (all interactions without
        filters)."""
        return self._raw.count_interactions(where, filters)


def _json_default(value: Any) -> Any:
    """numpy scalars and arrays in metadata as their Python values; anything else is refused."""
    import numpy as np

    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _metadata_text(value: Any, what: str) -> str | None:
    """Metadata as the native module takes it: None, or JSON text (a str is passed as it is; the
    engine checks that it is a JSON object)."""
    if value is None or isinstance(value, str):
        return value
    try:
        return json.dumps(
            value, ensure_ascii=False, allow_nan=False, separators=(",", ":"),
            default=_json_default,
        )
    except (TypeError, ValueError, RecursionError) as e:
        raise InvalidArgumentError(f"{what}: cannot be written as JSON ({e})") from None


def _frame(cols: dict[str, Any]) -> pd.DataFrame:
    """A DataFrame from the native columns: int64 arrays for ids and times (µs, UTC), int8
    category codes for channel, direction and kind, lists for text and metadata."""
    import pandas as pd

    index = pd.Index(cols["id"], name="id")
    data = {
        "customer_id": cols["customer_id"],
        "channel": pd.Categorical.from_codes(cols["channel"], categories=CHANNELS),
        "direction": pd.Categorical.from_codes(cols["direction"], categories=DIRECTIONS),
        "kind": pd.Categorical.from_codes(cols["kind"], categories=INTERACTION_KINDS),
        "occurred_at": _columns.times(cols["occurred_at"]),
        "subject": _columns.text(cols["subject"]),
        "body": _columns.text(cols["body"]),
        "metadata": pd.Series(cols["metadata"], index=index, dtype=object),
        "campaign_id": _optional_ids(cols["campaign_id"]),
        "ticket_id": _optional_ids(cols["ticket_id"]),
    }
    return pd.DataFrame(data, index=index)


def _optional_ids(ids: np.ndarray) -> Any:
    """An int64 id column whose smallest int64 marks none as pandas' nullable ``Int64``."""
    import pandas as pd

    return pd.arrays.IntegerArray(ids, ids == _columns.MISSING_INT)
