"""Saved customer segments of a store: ``db.segments``."""

from __future__ import annotations

import builtins

from typing import TYPE_CHECKING, Any

from crm import _crm
from crm._crm import Customer, Segment
from crm.customers import _frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Segments"]


class Segments:
    """The saved segments of one store, reached as ``db.segments``: a unique name for a customer
    filter, so that a campaign, an export or a report can use the same audience by name.

    A segment's filter is filter text (the syntax of :meth:`Customers.find`, kept with the
    segment) or keyword filters (saved as the filter they build) — not both. It may use every
    customer field, the behavioural ones (``total_spend``, ``purchase_count``,
    ``last_purchase``, ``last_interaction``) included, and is checked when saved, so a saved
    segment always runs. Its members are computed when asked: they follow the data::

        db.segments.save("big web spenders", "source = 'web' and total_spend > 10000")
        db.segments.save("vip web", source="web", tags="vip")
        db.segments.count("vip web")
        db.segments.members_frame("big web spenders", order_by="-total_spend")   # an export

    Saving, changing and deleting a segment are audited.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Segments of {self._raw.path!r}>"

    def __len__(self) -> int:
        """The number of saved segments."""
        return len(self._raw.list_segments())

    def save(self, name: str, where: str | None = None, /, **filters: Any) -> Segment:
        """Saves a new segment named ``name`` (trimmed; 1–200 characters) whose filter is the
        text ``where`` or the keyword filters, and returns it. ``""`` is the segment of every
        customer.

        Raises:
            AlreadyExistsError: a segment has this name.
            ParseError: a syntax error in ``where`` (the message names the position).
            InvalidInputError: an unknown field, a value a field cannot take, a bad name.
            InvalidArgumentError: both text and keyword filters, neither, or a wrong type.
        """
        return self._raw.save_segment(name, where, filters, False)

    def update(self, name: str, where: str | None = None, /, **filters: Any) -> Segment:
        """Replaces the filter of segment ``name`` (text or keyword filters, as for
        :meth:`save`) and returns it; its ``created_at`` stays.

        Raises:
            NotFoundError: no segment has this name.
            ParseError, InvalidInputError, InvalidArgumentError: as for :meth:`save`.
        """
        return self._raw.save_segment(name, where, filters, True)

    def get(self, name: str) -> Segment:
        """The segment with this name. Raises :class:`NotFoundError` (a ``KeyError``) if
        none."""
        return self._raw.get_segment(name)

    def list(self) -> builtins.list[Segment]:
        """Every saved segment, by name."""
        return self._raw.list_segments()

    def delete(self, name: str) -> None:
        """Deletes a segment; its customers stay. Raises :class:`NotFoundError` if none has
        this name."""
        self._raw.delete_segment(name)

    def count(self, name: str) -> int:
        """How many customers are in the segment now. Raises :class:`NotFoundError` if none has
        this name."""
        return self._raw.count_segment(name)

    def members(
        self,
        name: str,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> builtins.list[Customer]:
        """The segment's customers now, as a list; filter text ``where`` and keyword filters
        narrow them further. ``order_by``, ``limit`` and ``offset`` as for
        :meth:`Customers.find` (behavioural fields included: ``order_by="-total_spend"``).

        Raises:
            NotFoundError: no segment has this name.
        """
        return self._raw.segment_members(name, where, filters, order_by, limit, offset)

    def members_frame(
        self,
        name: str,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> pd.DataFrame:
        """Like :meth:`members`, as a pandas DataFrame with the columns and dtypes of
        :meth:`Customers.find_frame` — the segment as an export."""
        cols = self._raw.segment_member_columns(name, where, filters, order_by, limit, offset)
        return _frame(cols)
