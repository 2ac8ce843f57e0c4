"""Marketing campaigns of a store — plan, start, track, evaluate: ``db.campaigns``."""

from __future__ import annotations

import builtins
import numbers
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Union

from crm import _columns, _crm
from crm._crm import Campaign, CampaignEvent
from crm.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Campaigns",
    "CampaignReport",
    "EventReport",
    "CAMPAIGN_STATUSES",
    "EVENT_KINDS",
    "EVENT_REJECTIONS",
]

#: Campaign statuses, in the order of their life (``cancelled`` last).
CAMPAIGN_STATUSES: tuple[str, ...] = tuple(_crm.CAMPAIGN_STATUSES)
#: Tracking event kinds, in funnel order (the categories of ``events()["kind"]``).
EVENT_KINDS: tuple[str, ...] = tuple(_crm.EVENT_KINDS)
#: Why a tracking event was refused (the categories of ``EventReport.rejected["reason"]``).
EVENT_REJECTIONS: tuple[str, ...] = tuple(_crm.EVENT_REJECTIONS)

#: The name of the control group when ``control`` is given as a share alone.
CONTROL = "control"

#: A campaign named by the caller: its id, its name, or the campaign itself.
CampaignLike = Union[int, str, Campaign]

_VARIANT_COUNTS = (
    "members", "sent", "delivered", "opened", "clicked", "converted", "converted_events",
    "unsubscribed", "purchases", "revenue",
)
_VARIANT_RATES = ("open_rate", "click_rate", "conversion_rate", "revenue_per_member")
_UPLIFT_FLOATS = (
    "rate", "control_rate", "difference", "relative", "z", "z_p_value", "chi2", "chi2_p_value",
    "ci_wald_low", "ci_wald_high", "ci_newcombe_low", "ci_newcombe_high",
)


def _key(campaign: Any) -> Any:
    """A campaign as the native module takes it: its id or its name."""
    return campaign.id if isinstance(campaign, Campaign) else campaign


def _share(value: Any, what: str) -> Any:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(
            f"{what}: expected a share (a number in (0, 1]), got {type(value).__name__}"
        )
    return value


def _variants(variants: Any, control: Any) -> list[tuple[Any, Any, bool]]:
    """``variants`` ({name: share} or (name, share) pairs) and ``control`` (a share, or a
    (name, share) pair) as the native module takes them: (name, share, is_control) tuples."""
    out: list[tuple[Any, Any, bool]] = []
    if variants is not None:
        if isinstance(variants, Mapping):
            pairs: Iterable[Any] = variants.items()
        elif isinstance(variants, (str, bytes)) or not isinstance(variants, Iterable):
            raise InvalidArgumentError(
                "variants: expected a dict {name: share} or a list of (name, share) pairs, "
                f"got {type(variants).__name__}"
            )
        else:
            pairs = variants
        for pair in pairs:
            if isinstance(pair, (str, bytes)) or not isinstance(pair, Iterable):
                raise InvalidArgumentError(
                    f"variants: expected (name, share) pairs, got {type(pair).__name__}"
                )
            pair = tuple(pair)
            if len(pair) != 2:
                raise InvalidArgumentError(
                    f"variants: expected (name, share) pairs, got {len(pair)} values"
                )
            out.append((pair[0], _share(pair[1], f"share of variant {pair[0]!r}"), False))
    if control is not None:
        if isinstance(control, (tuple, builtins.list)):
            if len(control) != 2:
                raise InvalidArgumentError(
                    f"control: expected a share or a (name, share) pair, got {len(control)} values"
                )
            name, share = control
        else:
            name, share = CONTROL, control
        out.append((name, _share(share, "control"), True))
    return out


class EventReport:
    """What :meth:`Campaigns.record_events` did: ``recorded`` events landed; ``rejected`` is a
    DataFrame of the ones that did not, one row each in batch order, with the columns ``index``
    (the zero-based row of the batch), ``customer_id``, ``kind``, ``at`` (NaT: "now" was
    meant), ``reason`` (a Categorical of :data:`EVENT_REJECTIONS`: ``not_member``,
    ``control_group``, ``out_of_order``, ``bad_time``, ``not_tracking``) and ``message``."""

    __slots__ = ("recorded", "rejected")

    recorded: int
    rejected: pd.DataFrame

    def __init__(self, recorded: int, rejected: pd.DataFrame) -> None:
        self.recorded = recorded
        self.rejected = rejected

    def __repr__(self) -> str:
        return f"EventReport(recorded={self.recorded}, rejected={len(self.rejected)})"


class CampaignReport:
    """The evaluation of a started campaign (:meth:`Campaigns.evaluate`).

    Attributes:
        campaign_id, name: the campaign.
        variants: a DataFrame indexed by ``variant`` (in the campaign's order): ``control``
            (bool), the counts of distinct members ``members``, ``sent``, ``delivered``,
            ``opened``, ``clicked``, ``converted`` (a ``converted`` event or an attributed
            purchase), ``converted_events`` (a ``converted`` event), ``unsubscribed``, then
            ``purchases`` (attributed) and ``revenue`` (their sum, minor units of ``currency``)
            as ``int64``; ``open_rate`` and ``click_rate`` (per delivered), ``conversion_rate``
            and ``revenue_per_member`` (per member) as ``float64``, NaN where undefined.
        uplift: a DataFrame indexed by treatment ``variant`` (empty without a control group):
            ``control`` (its name), ``rate``, ``control_rate``, ``difference`` and ``relative``
            (NaN when the control rate is 0), the pooled two-proportion ``z`` and its two-sided
            ``z_p_value`` (statsmodels ``proportions_ztest``), ``chi2`` and ``chi2_p_value``
            (scipy ``chi2_contingency``; NaN when nobody or everybody converted), the intervals
            ``ci_wald_low``/``ci_wald_high`` and ``ci_newcombe_low``/``ci_newcombe_high`` of the
            difference at ``1 - alpha``, and ``significant`` (``z_p_value < alpha``).
        conversions: conversions in the treatment variants.
        revenue: attributed revenue of the treatment variants (minor units).
        cost: the campaign's cost (minor units), or None.
        cost_per_conversion: cost / conversions, or None.
        roi: (revenue - cost) / cost, or None.
        currency: the currency of revenue and cost, or None when there is neither.
        window_days, yates, alpha: the options used.
    """

    __slots__ = (
        "campaign_id", "name", "variants", "uplift", "conversions", "revenue", "cost",
        "cost_per_conversion", "roi", "currency", "window_days", "yates", "alpha",
    )

    campaign_id: int
    name: str
    variants: pd.DataFrame
    uplift: pd.DataFrame
    conversions: int
    revenue: int
    cost: int | None
    cost_per_conversion: float | None
    roi: float | None
    currency: str | None
    window_days: int
    yates: bool
    alpha: float

    def __init__(self, raw: dict[str, Any]) -> None:
        import pandas as pd

        v = raw["variants"]
        index = pd.Index(_columns.text(v["variant"]), name="variant")
        data: dict[str, Any] = {"control": v["control"]}
        data.update({k: v[k] for k in _VARIANT_COUNTS})
        data.update({k: v[k] for k in _VARIANT_RATES})
        self.variants = pd.DataFrame(data, index=index)

        u = raw["uplift"]
        index = pd.Index(_columns.text(u["variant"]), name="variant")
        data = {"control": _columns.text(u["control"])}
        data.update({k: u[k] for k in _UPLIFT_FLOATS})
        data["significant"] = u["significant"]
        self.uplift = pd.DataFrame(data, index=index)

        for key in (
            "campaign_id", "name", "conversions", "revenue", "cost", "cost_per_conversion",
            "roi", "currency", "window_days", "yates", "alpha",
        ):
            setattr(self, key, raw[key])

    def __repr__(self) -> str:
        return (
            f"CampaignReport(name={self.name!r}, variants={list(self.variants.index)}, "
            f"conversions={self.conversions}, revenue={self.revenue}, cost={self.cost}, "
            f"roi={self.roi}, currency={self.currency!r})"
        )


class Campaigns:
    """The marketing campaigns of one store, reached as ``db.campaigns``.

    A campaign is planned in ``draft``, ``schedule``-d, ``start``-ed — its audience, a saved
    segment, is then frozen into members and split at random (seeded, reproducible) into
    variants in the given shares, one of which may be a control group that receives nothing —
    and finally ``complete``-d (or ``cancel``-led before that). Tracking events (``sent``,
    ``delivered``, ``opened``, ``clicked``, ``converted``, ``unsubscribed``) are recorded per
    member; :meth:`evaluate` reports rates, attributed revenue, ROI and each variant's uplift
    against the control group with its significance::

        db.segments.save("lapsed", "last_purchase < '2025-12-01'")
        spring = db.campaigns.create("Spring", "email", segment="lapsed", budget=50_000,
                                     currency="EUR", variants={"A": 0.45, "B": 0.45},
                                     control=0.10, seed=42)
        db.campaigns.schedule("Spring")
        db.campaigns.start("Spring")
        members = db.campaigns.members("Spring")            # customer_id, variant, control …
        db.campaigns.record_events("Spring", events_frame)  # customer_id, kind, at
        report = db.campaigns.evaluate("Spring", window_days=7)
        report.uplift[["difference", "z_p_value", "significant"]]

    A campaign is named by its id (int), its name (str) or the :class:`crm.Campaign` itself
    wherever one is expected. Money is exact: ``budget`` and ``cost`` are ints in minor units of
    one ``currency``. Every call is one transaction; a refused call changes nothing.

    Customers can be filtered by campaign: ``db.customers.find(in_campaign="Spring")``,
    ``campaign_variant=("Spring", "A")``, ``responded="Spring"`` (opened, clicked or converted)
    or ``responded=True`` (any campaign); in filter text ``in_campaign('Spring')``,
    ``campaign_variant('Spring') = 'A'``, ``responded()``.

    Filters of :meth:`find` and :meth:`count` name the campaign fields ``id``, ``name``,
    ``channel``, ``objective``, ``status``, ``segment``, ``starts_at``, ``ends_at``,
    ``started_at`` and ``created_at``.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Campaigns of {self._raw.path!r}>"

    def __len__(self) -> int:
        """The number of campaigns in the store."""
        return self._raw.count_campaigns(None, {})

    def create(
        self,
        name: str,
        channel: str,
        *,
        objective: str | None = None,
        budget: int | None = None,
        cost: int | None = None,
        currency: str | None = None,
        segment: str | None = None,
        variants: Mapping[str, float] | Iterable[tuple[str, float]] | None = None,
        control: float | tuple[str, float] | None = None,
        seed: int | None = None,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
    ) -> Campaign:
        """Plans a campaign in ``draft`` and returns it.

        Args:
            name: unique name (trimmed, 1–200 characters).
            channel: one of :data:`crm.CHANNELS` (``email``, ``sms`` …).
            objective: what it is for, in words.
            budget, cost: planned and actual spend, ints in minor units of ``currency``
                (``50_000, currency="EUR"`` is €500.00); not negative.
            currency: the ISO-4217 code of budget and cost (required with either).
            segment: the name of the saved segment whose customers become the members when it
                starts (required to schedule it).
            variants: the treatment arms and their shares of the audience, as a dict
                ``{"A": 0.45, "B": 0.45}`` or a list of ``(name, share)`` pairs. None: one arm,
                ``"all"``, with everyone.
            control: the control group's share (named ``"control"``), or a ``(name, share)``
                pair. All shares must add up to 1.
            seed: seed of the random split (an int ≥ 0); default the campaign's id.
            starts_at, ends_at: the planned window (naive datetimes mean UTC).

        Raises:
            AlreadyExistsError: a campaign has this name.
            NotFoundError: no segment has the name ``segment``.
            InvalidInputError: a bad value — a negative budget, shares that do not add up to 1,
                two control groups, an unknown channel, ``ends_at`` before ``starts_at`` …
            InvalidArgumentError: a wrong type, or money without a currency.
        """
        return self._raw.create_campaign(
            name, channel, objective, budget, cost, currency, segment,
            _variants(variants, control), seed, starts_at, ends_at,
        )

    def get(self, campaign: CampaignLike) -> Campaign:
        """The campaign with this id or name. Raises :class:`NotFoundError` (a ``KeyError``)
        if none."""
        return self._raw.get_campaign(_key(campaign))

    def find(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | builtins.list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> builtins.list[Campaign]:
        """Campaigns matching filter text ``where`` and keyword filters (see the class docs),
        as a list: ``db.campaigns.find(status="running", channel="email")``. ``order_by``,
        ``limit`` and ``offset`` as for :meth:`Customers.find`."""
        return self._raw.find_campaigns(where, filters, order_by, limit, offset)

    def count(self, where: str | None = None, /, **filters: Any) -> int:
        """How many campaigns match the filters (all campaigns without filters)."""
        return self._raw.count_campaigns(where, filters)

    def list(self) -> builtins.list[Campaign]:
        """Every campaign, by id."""
        return self._raw.find_campaigns(None, {}, "id", None, None)

    def update(self, campaign: CampaignLike, **changes: Any) -> Campaign:
        """Changes a campaign and returns it as stored.

        ``changes`` may name ``name``, ``objective``, ``budget``, ``cost`` (with their
        ``currency``), ``starts_at`` and ``ends_at`` until the campaign ends, and ``segment``,
        ``variants``/``control`` (as for :meth:`create`) and ``seed`` only before it starts.
        ``None`` clears ``objective``, ``budget``, ``cost``, ``segment`` and the dates::

            db.campaigns.update("Spring", cost=41_250, currency="EUR")   # spend so far

        Raises:
            NotFoundError: no such campaign (or segment).
            InvalidInputError: a bad value, a completed or cancelled campaign, or a change to
                the audience, variants or seed of a started one.
            InvalidArgumentError: an unknown field, a wrong type, money without a currency.
        """
        if "variants" in changes or "control" in changes:
            variants = changes.pop("variants", None)
            control = changes.pop("control", None)
            changes["variants"] = _variants(variants, control)
        return self._raw.update_campaign(_key(campaign), changes)

    def schedule(self, campaign: CampaignLike, at: datetime | None = None) -> Campaign:
        """``draft`` → ``scheduled``; the campaign needs an audience segment.

        Raises:
            IllegalTransitionError: it is not a draft (the message names both states).
            InvalidInputError: it has no segment.
        """
        return self._raw.campaign_transition(_key(campaign), "schedule", at)

    def start(self, campaign: CampaignLike, at: datetime | None = None) -> Campaign:
        """``scheduled`` → ``running`` at ``at`` (default now): the segment's customers at this
        moment become the members, split at random into the variants with the campaign's seed.
        Later changes to the segment or the customers do not change the members.

        Raises:
            IllegalTransitionError: it is not scheduled.
        """
        return self._raw.campaign_transition(_key(campaign), "start", at)

    def complete(self, campaign: CampaignLike, at: datetime | None = None) -> Campaign:
        """``running`` → ``completed`` at ``at`` (default now). Late events (conversions) are
        still tracked.

        Raises:
            IllegalTransitionError: it is not running.
            InvalidInputError: ``at`` is before its start.
        """
        return self._raw.campaign_transition(_key(campaign), "complete", at)

    def cancel(self, campaign: CampaignLike, at: datetime | None = None) -> Campaign:
        """``draft``, ``scheduled`` or ``running`` → ``cancelled`` at ``at`` (default now).

        Raises:
            IllegalTransitionError: it is completed or cancelled already.
        """
        return self._raw.campaign_transition(_key(campaign), "cancel", at)

    def delete(self, campaign: CampaignLike, cascade: bool = False) -> None:
        """Deletes a campaign. One that started (it has members) is refused with
        :class:`ConstraintError` unless ``cascade=True``, which deletes its members and events
        too."""
        self._raw.delete_campaign(_key(campaign), cascade)

    def members(self, campaign: CampaignLike) -> pd.DataFrame:
        """The campaign's members (empty before it starts), by customer id, as a DataFrame:
        ``customer_id`` (``int64``), ``variant`` (Categorical of the campaign's variants, in
        order), ``control`` (bool) and ``assigned_at`` (``datetime64[us, UTC]``)."""
        import pandas as pd

        cols = self._raw.campaign_member_columns(_key(campaign))
        return pd.DataFrame({
            "customer_id": cols["customer_id"],
            "variant": pd.Categorical.from_codes(
                cols["variant"], categories=pd.Index(cols["variants"], dtype="str")
            ),
            "control": cols["control"],
            "assigned_at": _columns.times(cols["assigned_at"]),
        })

    def record_event(
        self,
        campaign: CampaignLike,
        customer_id: int,
        kind: str,
        at: datetime | None = None,
    ) -> CampaignEvent:
        """Records one tracking event of a member (``kind`` one of :data:`EVENT_KINDS`; ``at``
        default now) and returns it. A ``sent`` event also puts the message on the customer's
        timeline (an outbound interaction linked to the campaign).

        Raises:
            InvalidInputError: the event is refused — the customer is not a member, a message
                event for the control group, out of order (``opened`` before ``delivered``),
                before the start, or the campaign is not running or completed; the message says
                which. Nothing is recorded.
            NotFoundError: no such campaign.
        """
        return self._raw.record_campaign_event(_key(campaign), customer_id, kind, at)

    def record_events(
        self, campaign: CampaignLike, data: pd.DataFrame | Mapping[str, Any]
    ) -> EventReport:
        """Records a batch of tracking events in one transaction, in row order (so a
        ``delivered`` may follow its ``sent`` in the same batch). ``data`` is a DataFrame or a
        dict of columns ``customer_id``, ``kind`` (a column, or one str for every row) and
        optionally ``at`` (datetime64 or datetimes; missing means now). Accepted events land;
        refused ones are listed in the returned :class:`EventReport` with their row and reason
        and record nothing::

            report = db.campaigns.record_events("Spring", pd.DataFrame({
                "customer_id": [1, 1, 2], "kind": ["sent", "delivered", "sent"],
                "at": pd.to_datetime(["2026-03-02 09:00", "2026-03-02 09:01",
                                      "2026-03-02 09:00"]),
            }))
            report.recorded, report.rejected

        Raises:
            NotFoundError: no such campaign.
            InvalidArgumentError: an unknown or missing column, columns of different lengths.
            InvalidInputError: an unknown event kind (the message names the row).
        """
        import pandas as pd

        cols: dict[str, Any] = {}
        for key, column in _columns.column_items(data, "record_events", scalars=("kind",)):
            if key == "customer_id":
                cols[key] = _columns.int_column(column, key)
            elif key == "at":
                cols[key] = _columns.time_column(column)
            elif key == "kind":
                cols[key] = _columns.coded_column(column)
            else:
                cols[key] = _columns.object_column(column)
        recorded, r = self._raw.record_campaign_events(_key(campaign), cols)
        rejected = pd.DataFrame({
            "index": r["index"],
            "customer_id": r["customer_id"],
            "kind": pd.Categorical.from_codes(r["kind"], categories=EVENT_KINDS),
            "at": _columns.times(r["at"]),
            "reason": pd.Categorical.from_codes(r["reason"], categories=EVENT_REJECTIONS),
            "message": _columns.text(r["message"]),
        })
        return EventReport(recorded, rejected)

    def events(self, campaign: CampaignLike, customer_id: int | None = None) -> pd.DataFrame:
        """The campaign's events in time order — of one member, or of all — as a DataFrame
        indexed by event ``id``: ``customer_id`` (``int64``), ``kind`` (Categorical of
        :data:`EVENT_KINDS`) and ``at`` (``datetime64[us, UTC]``)."""
        import pandas as pd

        cols = self._raw.campaign_event_columns(_key(campaign), customer_id)
        return pd.DataFrame(
            {
                "customer_id": cols["customer_id"],
                "kind": pd.Categorical.from_codes(cols["kind"], categories=EVENT_KINDS),
                "at": _columns.times(cols["at"]),
            },
            index=pd.Index(cols["id"], name="id"),
        )

    def evaluate(
        self,
        campaign: CampaignLike,
        window_days: int = 7,
        yates: bool = True,
        alpha: float = 0.05,
        currency: str | None = None,
    ) -> CampaignReport:
        """Evaluates a started campaign: per-variant counts and rates, attributed revenue,
        cost per conversion, ROI, and each variant's uplift against the control group with a
        z-test, a chi-square test (Yates' correction when ``yates``) and confidence intervals
        at ``1 - alpha`` (see :class:`CampaignReport`).

        A member converted when they have a ``converted`` event or a completed purchase within
        ``window_days`` after their exposure (their first delivery, else first send; the start
        for the control group). Revenue is in ``currency`` (default: the campaign's, else the
        one currency its members bought in).

        Raises:
            InvalidInputError: it has not started; ``window_days`` not positive, ``alpha``
                outside (0, 1); purchases in several currencies and no ``currency`` chosen.
            NotFoundError: no such campaign.
        """
        return CampaignReport(
            self._raw.evaluate_campaign(_key(campaign), window_days, yates, alpha, currency)
        )

    @staticmethod
    def sample_size(
        baseline: float,
        minimum_effect: float,
        alpha: float = 0.05,
        power: float = 0.8,
        ratio: float = 1.0,
    ) -> tuple[int, int]:
        """The members each arm needs to detect a change of conversion rate from ``baseline``
        by ``minimum_effect`` (an absolute lift: ``0.02`` for 10 % → 12 %) with a two-sided test
        at ``alpha`` and ``power``, when the control arm is ``ratio`` times the treatment arm.
        Returns ``(treatment, control)``, rounded up — statsmodels'
        ``NormalIndPower().solve_power(proportion_effectsize(baseline + minimum_effect,
        baseline), ...)``::

            db.campaigns.sample_size(0.10, 0.02)      # (3835, 3835)

        Raises:
            InvalidInputError: a rate outside [0, 1], no effect, alpha or power outside
                (0, 1), power ≤ alpha, a ratio that is not positive.
        """
        return _crm.campaign_sample_size(baseline, minimum_effect, alpha, power, ratio)
