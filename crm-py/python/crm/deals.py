"""Sales pipelines and deals of a store: ``db.deals``."""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Union

from crm import _columns, _crm
from crm._crm import Deal, Pipeline
from crm.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Deals", "DEAL_STATUSES"]

#: Deal statuses, in order (the categories of ``find_frame()["status"]``).
DEAL_STATUSES: tuple[str, ...] = tuple(_crm.DEAL_STATUSES)

#: A pipeline named by the caller: its name or the pipeline itself.
PipelineLike = Union[str, Pipeline]


def _name(pipeline: Any) -> Any:
    return pipeline.name if isinstance(pipeline, Pipeline) else pipeline


def _stages(stages: Any) -> builtins.list[tuple[Any, Any]]:
    """Stages as the native module takes them: a list of (name, probability) pairs, from a dict
    ``{name: probability}`` or an iterable of pairs."""
    if isinstance(stages, Mapping):
        return builtins.list(stages.items())
    if isinstance(stages, (str, bytes)) or not isinstance(stages, Iterable):
        raise InvalidArgumentError(
            "stages: expected a dict {name: probability} or a list of (name, probability) "
            f"pairs, got {type(stages).__name__}"
        )
    out = []
    for pair in stages:
        if isinstance(pair, (str, bytes)) or not isinstance(pair, Iterable):
            raise InvalidArgumentError(
                f"stages: expected (name, probability) pairs, got {type(pair).__name__}"
            )
        pair = tuple(pair)
        if len(pair) != 2:
            raise InvalidArgumentError(
                f"stages: expected (name, probability) pairs, got {len(pair)} values"
            )
        out.append(pair)
    return out


def _dates(days: Any) -> Any:
    """int64 days since 1970-01-01 (the smallest int64 for none) as ``datetime64[s]``."""
    return days.view("datetime64[D]").astype("datetime64[s]")


class Deals:
    """The sales pipelines and deals of one store, reached as ``db.deals``.

    A pipeline is an ordered list of stages, each with a default win probability. A deal is
    with a customer, worth an exact ``amount`` in minor units of its ``currency``, and sits in
    one stage of one pipeline; it is ``open``, ``won`` or ``lost``. Its moves between stages are
    its history, from which :meth:`time_in_stages` and :meth:`stage_conversion` are computed::

        db.deals.create_pipeline("Sales", {"Lead": 0.1, "Proposal": 0.5, "Negotiation": 0.8})
        d = db.deals.create("Sales", ada.id, "Annual licence", 120_000, "EUR",
                            source="referral", expected_close=date(2026, 9, 30))
        db.deals.move(d.id, "Proposal")
        db.deals.win(d.id)
        db.deals.forecast("Sales")                  # weighted value by close month
        db.deals.win_rates("Sales", by="owner")

    Every write is one transaction, audited; a refused write leaves the store as it was. Stage
    and pipeline names ignore case. A pipeline is named by its name or the
    :class:`crm.Pipeline` itself.

    Filters (:meth:`find`, :meth:`count`, :meth:`find_frame`) work as for customers — filter
    text as the first argument, ANDed with keyword filters — on the fields ``id``,
    ``customer_id``, ``name``, ``pipeline``, ``stage``, ``status``, ``owner``, ``source``,
    ``amount``, ``currency``, ``probability``, ``expected_close``, ``created_at``,
    ``updated_at`` and ``closed_at``::

        db.deals.find(pipeline="Sales", status="open", amount__gte=100_000)
        db.deals.count("stage = 'Proposal' and expected_close < '2026-07-01'")
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Deals of {self._raw.path!r}>"

    def __len__(self) -> int:
        """The number of deals in the store."""
        return self._raw.count_deals(None, {})

    # ---------------------------------------------------------------- pipelines

    def create_pipeline(
        self, name: str, stages: Mapping[str, float] | Iterable[tuple[str, float]]
    ) -> Pipeline:
        """Creates a pipeline with ``stages`` in order — a dict ``{name: probability}`` or a
        list of ``(name, probability)`` pairs, probabilities from 0 to 1 — and returns it.

        Raises:
            AlreadyExistsError: a pipeline has this name (ignoring case).
            InvalidInputError: no stages, a stage named twice, a probability outside 0..1.
            InvalidArgumentError: a wrong type.
        """
        return self._raw.create_pipeline(name, _stages(stages))

    def pipeline(self, name: str) -> Pipeline:
        """The pipeline with this name. Raises :class:`NotFoundError` (a ``KeyError``) if
        none."""
        return self._raw.get_pipeline(name)

    def pipelines(self) -> builtins.list[Pipeline]:
        """Every pipeline, by name."""
        return self._raw.list_pipelines()

    def add_stage(
        self,
        pipeline: PipelineLike,
        name: str,
        probability: float,
        *,
        position: int | None = None,
    ) -> Pipeline:
        """Adds a stage at ``position`` (0 = first; default last), moving later stages down;
        returns the pipeline.

        Raises:
            AlreadyExistsError: the pipeline has a stage of this name (ignoring case).
            InvalidInputError: a bad name or probability, a position past the end.
            NotFoundError: no such pipeline.
        """
        return self._raw.add_pipeline_stage(_name(pipeline), name, probability, position)

    def set_stage_probability(
        self, pipeline: PipelineLike, stage: str, probability: float
    ) -> Pipeline:
        """Sets a stage's default win probability (0 to 1); the deals in it take it at once.
        Returns the pipeline.

        Raises:
            InvalidInputError: an unknown stage (the message lists the stages), a probability
                outside 0..1.
            NotFoundError: no such pipeline.
        """
        return self._raw.set_stage_probability(_name(pipeline), stage, probability)

    def remove_stage(self, pipeline: PipelineLike, stage: str) -> Pipeline:
        """Removes a stage and returns the pipeline. Deals that passed through it keep its
        name in their history.

        Raises:
            ConstraintError: deals (open or closed) are in it.
            InvalidInputError: an unknown stage, or the pipeline's only stage.
            NotFoundError: no such pipeline.
        """
        return self._raw.remove_pipeline_stage(_name(pipeline), stage)

    def delete_pipeline(self, name: PipelineLike) -> None:
        """Deletes a pipeline and its stages.

        Raises:
            ConstraintError: it has deals (delete them first).
            NotFoundError: no such pipeline.
        """
        self._raw.delete_pipeline(_name(name))

    # ---------------------------------------------------------------- deals

    def create(
        self,
        pipeline: PipelineLike,
        customer_id: int,
        name: str,
        amount: int,
        currency: str,
        *,
        stage: str | None = None,
        owner: str | None = None,
        source: str | None = None,
        expected_close: date | None = None,
        created_at: datetime | None = None,
    ) -> Deal:
        """Creates a deal and returns it as stored.

        ``amount`` is an int in minor units of ``currency`` (``120_000, "EUR"`` is
        €1,200.00). The deal starts in ``stage`` (default the pipeline's first), owned by
        ``owner`` (default the handle's principal); ``source`` is free text (``"referral"``);
        ``expected_close`` a ``datetime.date``; ``created_at`` back-dates an imported deal (not
        after now).

        Raises:
            NotFoundError: no such pipeline or customer.
            InvalidInputError: a negative amount, an unknown stage (the message lists the
                stages), a bad currency, a creation time after now.
            InvalidArgumentError: a wrong type (e.g. ``amount=12.5``, a datetime for
                ``expected_close``).
        """
        return self._raw.create_deal(
            _name(pipeline), customer_id, name, amount, currency, stage, owner, source,
            expected_close, created_at,
        )

    def get(self, id: int) -> Deal:
        """The deal with this id. Raises :class:`NotFoundError` (a ``KeyError``) if none."""
        return self._raw.get_deal(id)

    def find(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | builtins.list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> builtins.list[Deal]:
        """Deals matching the filters (see the class docs), as a list. ``order_by``,
        ``limit`` and ``offset`` as for :meth:`Customers.find`."""
        return self._raw.find_deals(where, filters, order_by, limit, offset)

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

        Columns: ``pipeline``, ``name``, ``stage``, ``owner``, ``source``, ``lost_reason``
        (pandas' string dtype), ``customer_id``, ``amount`` (minor units), ``version``
        (``int64``), ``currency`` (string), ``probability`` (``float64``), ``status``
        (Categorical of :data:`DEAL_STATUSES`), ``expected_close`` (``datetime64[s]``, midnight;
        NaT when none), ``created_at``, ``updated_at``, ``closed_at`` (``datetime64[us, UTC]``,
        NaT while open). An empty result has the same columns and dtypes.
        """
        import pandas as pd

        cols = self._raw.find_deal_columns(where, filters, order_by, limit, offset)
        data = {
            "pipeline": _columns.text(cols["pipeline"]),
            "customer_id": cols["customer_id"],
            "name": _columns.text(cols["name"]),
            "amount": cols["amount"],
            "currency": _columns.text(cols["currency"]),
            "stage": _columns.text(cols["stage"]),
            "probability": cols["probability"],
            "status": pd.Categorical.from_codes(cols["status"], categories=DEAL_STATUSES),
            "owner": _columns.text(cols["owner"]),
            "source": _columns.text(cols["source"]),
            "expected_close": _dates(cols["expected_close"]),
            "lost_reason": _columns.text(cols["lost_reason"]),
            "created_at": _columns.times(cols["created_at"]),
            "updated_at": _columns.times(cols["updated_at"]),
            "closed_at": _columns.times(cols["closed_at"]),
            "version": cols["version"],
        }
        return pd.DataFrame(data, index=pd.Index(cols["id"], name="id"))

    def count(self, where: str | None = None, /, **filters: Any) -> int:
        """How many deals match the filters (all deals without filters)."""
        return self._raw.count_deals(where, filters)

    def update(self, id: int, *, expected_version: int | None = None, **changes: Any) -> Deal:
        """Changes a deal's ``name``, ``amount`` (with its ``currency``), ``owner``,
        ``source`` or ``expected_close`` (``None`` clears the last two) and returns it as
        stored; the version goes up by one when anything changed. Stage and status change
        through :meth:`move`, :meth:`win`, :meth:`lose` and :meth:`reopen`. With
        ``expected_version``, a deal changed meanwhile is refused with
        :class:`ConflictError`::

            d = db.deals.get(7)
            db.deals.update(d.id, amount=150_000, currency="EUR", expected_version=d.version)

        Raises:
            NotFoundError, ConflictError, InvalidInputError (a bad value),
            InvalidArgumentError (an unknown field, a wrong type, an amount without currency).
        """
        return self._raw.update_deal(id, changes, expected_version)

    def move(self, id: int, stage: str, at: datetime | None = None) -> Deal:
        """Moves an open deal to ``stage`` of its pipeline at ``at`` (default now) and records
        the move; moving it to the stage it is in changes nothing.

        Raises:
            IllegalTransitionError: the deal is won or lost (reopen it first).
            InvalidInputError: an unknown stage (the message lists the stages), or ``at``
                before the deal's last move or after now.
            NotFoundError: no such deal.
        """
        return self._raw.move_deal(id, stage, at)

    def win(self, id: int, at: datetime | None = None) -> Deal:
        """Closes an open deal as won at ``at`` (default now).

        Raises:
            IllegalTransitionError: it is not open (the message names both states).
            InvalidInputError: ``at`` before its last stage change or after now.
        """
        return self._raw.win_deal(id, at)

    def lose(self, id: int, reason: str, at: datetime | None = None) -> Deal:
        """Closes an open deal as lost for ``reason`` (required) at ``at`` (default now).

        Raises:
            IllegalTransitionError: it is not open.
            InvalidInputError: a blank reason, ``at`` out of order or after now.
        """
        return self._raw.lose_deal(id, reason, at)

    def reopen(self, id: int, at: datetime | None = None) -> Deal:
        """Reopens a won or lost deal in the stage it closed in, without close time or lost
        reason.

        Raises:
            IllegalTransitionError: it is open.
        """
        return self._raw.reopen_deal(id, at)

    def delete(self, id: int) -> None:
        """Deletes a deal and its stage history. Raises :class:`NotFoundError` if none."""
        self._raw.delete_deal(id)

    def history(self, id: int) -> pd.DataFrame:
        """A deal's stage changes, oldest first, as a DataFrame: ``deal_id``, ``from_stage``
        (missing for the entry into its first stage), ``to_stage``, ``at``
        (``datetime64[us, UTC]``) and ``by`` (the principal who moved it)."""
        import pandas as pd

        cols = self._raw.deal_history_columns(id)
        return pd.DataFrame({
            "deal_id": cols["deal_id"],
            "from_stage": _columns.text(cols["from_stage"]),
            "to_stage": _columns.text(cols["to_stage"]),
            "at": _columns.times(cols["at"]),
            "by": _columns.text(cols["by"]),
        })

    def time_in_stages(self, id: int, now: datetime | None = None) -> pd.DataFrame:
        """The time a deal spent in each stage, one row per stay in order: ``stage``,
        ``entered_at``, ``left_at`` (``datetime64[us, UTC]``; NaT while still there) and
        ``duration`` (``timedelta64[us]``, up to ``now`` — default the handle's clock — for the
        current stay, up to the close for a won or lost deal)."""
        import pandas as pd

        cols = self._raw.deal_time_in_stage_columns(id, now)
        return pd.DataFrame({
            "stage": _columns.text(cols["stage"]),
            "entered_at": _columns.times(cols["entered_at"]),
            "left_at": _columns.times(cols["left_at"]),
            "duration": cols["duration"].view("timedelta64[us]"),
        })

    # ---------------------------------------------------------------- pipeline views

    def value_by_stage(self, pipeline: PipelineLike) -> pd.DataFrame:
        """Open deals' value by stage, per currency: one row for every stage (in order) of
        every currency among the open deals — ``stage``, ``position``, ``currency``,
        ``count``, ``amount`` (minor units) and ``weighted`` (by the stage's probability). Empty
        when nothing is open. Raises :class:`NotFoundError` for an unknown pipeline."""
        import pandas as pd

        cols = self._raw.deal_value_by_stage(_name(pipeline))
        return pd.DataFrame({
            "stage": _columns.text(cols["stage"]),
            "position": cols["position"],
            "currency": _columns.text(cols["currency"]),
            "count": cols["count"],
            "amount": cols["amount"],
            "weighted": cols["weighted"],
        })

    def forecast(self, pipeline: PipelineLike) -> pd.DataFrame:
        """Open deals by expected close ``month`` (``"YYYY-MM"``, ascending; missing for deals
        without a date, last) and ``currency``: ``count``, ``amount`` and ``weighted`` (by each
        deal's stage probability)."""
        import pandas as pd

        cols = self._raw.deal_forecast(_name(pipeline))
        return pd.DataFrame({
            "month": _columns.text(cols["month"]),
            "currency": _columns.text(cols["currency"]),
            "count": cols["count"],
            "amount": cols["amount"],
            "weighted": cols["weighted"],
        })

    def win_rates(self, pipeline: PipelineLike, by: str = "owner") -> pd.DataFrame:
        """Won, lost and open deals of the pipeline by ``owner`` or ``source``, as a DataFrame
        indexed by it (``None`` for deals without a source, last): ``won``, ``lost``,
        ``open``, ``win_rate`` (won / (won + lost), NaN when none closed) and
        ``average_cycle`` (mean creation-to-close time of won deals, ``timedelta64``; NaT when
        none won).

        Raises:
            InvalidInputError: ``by`` is neither ``owner`` nor ``source``.
        """
        import pandas as pd

        cols = self._raw.deal_win_rates(_name(pipeline), by)
        return pd.DataFrame(
            {
                "won": cols["won"],
                "lost": cols["lost"],
                "open": cols["open"],
                "win_rate": cols["win_rate"],
                "average_cycle": pd.to_timedelta(cols["average_cycle"], unit="us"),
            },
            index=pd.Index(_columns.text(cols["key"]), name=str(by).strip().lower()),
        )

    def stage_conversion(self, pipeline: PipelineLike) -> pd.DataFrame:
        """Conversion between consecutive stages: one row per pair (``from_stage``,
        ``to_stage``) with ``entered`` (deals that ever entered ``from_stage``), ``advanced``
        (of those, deals that later reached ``to_stage`` or beyond, or were won) and ``rate``
        (NaN when none entered)."""
        import pandas as pd

        cols = self._raw.deal_stage_conversion(_name(pipeline))
        return pd.DataFrame({
            "from_stage": _columns.text(cols["from_stage"]),
            "to_stage": _columns.text(cols["to_stage"]),
            "entered": cols["entered"],
            "advanced": cols["advanced"],
            "rate": cols["rate"],
        })

