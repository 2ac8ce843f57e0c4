"""Type stubs of the native module ``crm._crm``. Use the public API in ``crm`` instead."""

from datetime import date, datetime, time, timedelta
from os import PathLike
from collections.abc import Iterable, Mapping
from typing import Any, final

import numpy as np
import numpy.typing as npt

__version__: str
SCHEMA_VERSION: int
STAGES: list[str]
SOURCES: list[str]
PURCHASE_STATUSES: list[str]
ADD_MANY_COLUMNS: list[str]
PRODUCT_COLUMNS: list[str]
PURCHASE_COLUMNS: list[str]
LINE_ITEM_COLUMNS: list[str]
CHANNELS: list[str]
DIRECTIONS: list[str]
INTERACTION_KINDS: list[str]
INTERACTION_COLUMNS: list[str]
NOTE_ENTITIES: list[str]
AUDIT_ACTIONS: list[str]
FIELD_TYPES: list[str]
CAMPAIGN_STATUSES: list[str]
EVENT_KINDS: list[str]
EVENT_REJECTIONS: list[str]
DEAL_STATUSES: list[str]
DEAL_GROUP_BY: list[str]
ALTERNATIVES: list[str]
CONFINT_METHODS: list[str]
BASKET_ALGORITHMS: list[str]
RULE_METRICS: list[str]

# ---- tests on proportions (crm.analytics wraps them with statsmodels' / scipy's signatures)

def proportions_ztest_2samp(
    count: Any, nobs: Any, alternative: str
) -> tuple[float, float, float, float, float]:
    """Two-sample pooled z-test: ``(statistic, p_value, p1, p2, difference)``."""
def chi2_contingency(
    cells: Any, cols: int, correction: bool
) -> tuple[float, float, int, npt.NDArray[np.float64], int, int]:
    """Chi-square test on a row-major table: ``(statistic, p_value, dof, expected, rows,
    cols)``."""
def confint_proportions_2indep_diff(
    count1: int, nobs1: int, count2: int, nobs2: int, method: str, alpha: float
) -> tuple[float, float]:
    """Confidence interval ``(low, upp)`` of p1 - p2 (``wald`` or ``newcomb``)."""
def proportion_effectsize(prop1: float, prop2: float) -> float:
    """Cohen's h."""
def samplesize_proportions_2indep(
    p1: float, p2: float, alpha: float, power: float, ratio: float, alternative: str
) -> float:
    """Observations in arm 1, not rounded."""
def samplesize_proportions_2indep_ceil(
    p1: float, p2: float, alpha: float, power: float, ratio: float, alternative: str
) -> tuple[int, int]:
    """``(n1, n2)`` rounded up."""
def samplesize_mde(
    baseline: float, mde: float, alpha: float, power: float, ratio: float, alternative: str
) -> float:
    """Observations in arm 1 for a baseline rate and an absolute change."""
def campaign_sample_size(
    baseline: float, minimum_effect: float, alpha: float, power: float, ratio: float
) -> tuple[int, int]:
    """Members per arm ``(treatment, control)`` for a campaign, two-sided, rounded up."""

# ---- market-basket analysis (crm.analytics.frequent_patterns gives them mlxtend's signatures).
# Sets cross as CSR: ``offsets`` (int64, one more than the sets) and ``items`` (int64 codes).

def frequent_itemsets_long(
    baskets: npt.NDArray[np.int64],
    items: npt.NDArray[np.int64],
    n_items: int,
    min_support: float,
    max_len: int | None,
    algorithm: str,
) -> dict[str, Any]:
    """Itemsets of long-format baskets: ``offsets``, ``items``, ``support``, ``count``,
    ``n_transactions``."""
def frequent_itemsets_dense(
    cells: npt.NDArray[np.bool_], min_support: float, max_len: int | None, algorithm: str
) -> dict[str, Any]:
    """Itemsets of a one-hot bool matrix (rows: baskets)."""
def frequent_itemsets_csr(
    indptr: npt.NDArray[np.int64],
    indices: npt.NDArray[np.int64],
    n_items: int,
    min_support: float,
    max_len: int | None,
    algorithm: str,
) -> dict[str, Any]:
    """Itemsets of a sparse one-hot matrix in CSR form."""
def association_rules(
    offsets: npt.NDArray[np.int64],
    items: npt.NDArray[np.int64],
    support: npt.NDArray[np.float64],
    num_itemsets: int,
    metric: str,
    min_threshold: float,
    support_only: bool,
) -> dict[str, Any]:
    """Rules: ``antecedent_offsets``, ``antecedents``, ``consequent_offsets``, ``consequents``
    and one float64 array per name of ``RULE_METRICS``."""
def recommend_basket(
    antecedent_offsets: npt.NDArray[np.int64],
    antecedents: npt.NDArray[np.int64],
    consequent_offsets: npt.NDArray[np.int64],
    consequents: npt.NDArray[np.int64],
    metrics: dict[str, npt.NDArray[np.float64]],
    basket: npt.NDArray[np.int64],
    n: int,
    metric: str,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """``(item, score, rule)`` of the top ``n`` recommendations, best first."""
TICKET_STATUSES: list[str]
TICKET_PRIORITIES: list[str]
SLA_TARGETS: list[str]
BUSINESS_DAYS: list[str]

@final
class Customer:
    """A customer as stored. Read-only; ``db.customers.update`` returns a new one."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def external_id(self) -> str | None:
        """The key another system uses for this customer (unique), or None."""
    @property
    def name(self) -> str:
        """Display name."""
    @property
    def email(self) -> str | None:
        """E-mail address, lower-case, or None."""
    @property
    def phone(self) -> str | None:
        """Phone number (E.164 when written with a country code), or None."""
    @property
    def company(self) -> str | None:
        """Company or organisation, or None."""
    @property
    def stage(self) -> str:
        """Lifecycle stage: lead, prospect, customer or churned."""
    @property
    def source(self) -> str:
        """Acquisition source: web, referral, ads, event, partner or other."""
    @property
    def tags(self) -> list[str]:
        """Tags, lower-case and sorted."""
    @property
    def created_at(self) -> datetime:
        """When the customer was created (aware, UTC)."""
    @property
    def updated_at(self) -> datetime:
        """When the customer last changed (aware, UTC)."""
    @property
    def version(self) -> int:
        """1 on creation, +1 per change."""
    @property
    def fields(self) -> dict[str, Any]:
        """Custom field values (a new dict on each access; a field without a value is absent):
        str, int, float, bool, ``datetime.date`` or a sorted list of str by the field's type."""
    def to_dict(self) -> dict[str, Any]:
        """The customer as a dict of its fields; ``fields`` holds the custom values."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Product:
    """A catalogue product as stored. Read-only."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def sku(self) -> str:
        """Stock-keeping unit: the product's unique key."""
    @property
    def name(self) -> str:
        """Display name."""
    @property
    def category(self) -> str | None:
        """Category, or None."""
    @property
    def price(self) -> int | None:
        """List price in minor units of ``currency``, or None."""
    @property
    def currency(self) -> str | None:
        """The price's ISO-4217 currency code (upper-case), or None."""
    @property
    def created_at(self) -> datetime:
        """When the product was created (aware, UTC)."""
    def to_dict(self) -> dict[str, Any]:
        """The product as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class LineItem:
    """One line of a purchase as stored. Read-only."""

    @property
    def line(self) -> int:
        """Position in the purchase, from 1."""
    @property
    def product_id(self) -> int | None:
        """The catalogue product's id, or None when the line names no catalogue product."""
    @property
    def sku(self) -> str | None:
        """The product's sku, or None."""
    @property
    def name(self) -> str:
        """Product name."""
    @property
    def category(self) -> str | None:
        """Category, or None."""
    @property
    def quantity(self) -> int:
        """Units bought (at least 1)."""
    @property
    def unit_price(self) -> int:
        """Price of one unit in minor units of the purchase's currency."""
    def to_dict(self) -> dict[str, Any]:
        """The line as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Purchase:
    """A purchase as stored, with its lines. Read-only; ``db.purchases.set_status`` returns a
    new one."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def customer_id(self) -> int:
        """The buyer's customer id."""
    @property
    def external_id(self) -> str | None:
        """The order number in another system (unique), or None."""
    @property
    def purchased_at(self) -> datetime:
        """When the purchase was made (aware, UTC)."""
    @property
    def amount(self) -> int:
        """Total paid, in minor units of ``currency``."""
    @property
    def currency(self) -> str:
        """ISO-4217 currency code, upper-case."""
    @property
    def status(self) -> str:
        """completed, refunded or cancelled."""
    @property
    def created_at(self) -> datetime:
        """When the purchase was recorded (aware, UTC)."""
    @property
    def items(self) -> list[LineItem]:
        """The lines, in order."""
    def to_dict(self) -> dict[str, Any]:
        """The purchase as a dict of its fields; ``items`` as a list of dicts."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Interaction:
    """A customer touchpoint as stored. Read-only."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def customer_id(self) -> int:
        """Whose touchpoint: the customer's id."""
    @property
    def channel(self) -> str:
        """The channel: email, phone, chat, sms, social, web or in_person."""
    @property
    def direction(self) -> str:
        """Who started it: inbound (the customer) or outbound (the company)."""
    @property
    def kind(self) -> str:
        """The kind: note, call, message, meeting, visit or other."""
    @property
    def occurred_at(self) -> datetime:
        """When it happened (aware, UTC)."""
    @property
    def subject(self) -> str | None:
        """Subject line (trimmed), or None."""
    @property
    def body(self) -> str | None:
        """Free text, or None."""
    @property
    def metadata(self) -> dict[str, Any]:
        """Anything else, as a dict of JSON values (a new dict on each access)."""
    @property
    def campaign_id(self) -> int | None:
        """The campaign it belongs to (a campaign message), or None."""
    @property
    def ticket_id(self) -> int | None:
        """The ticket it belongs to (a service request), or None."""
    @property
    def created_at(self) -> datetime:
        """When it was recorded (aware, UTC)."""
    def to_dict(self) -> dict[str, Any]:
        """The interaction as a dict of its fields; ``metadata`` as a dict."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Note:
    """A free-text note on a record, as stored. Read-only."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def entity(self) -> str:
        """The kind of record the note is about: customer, product, purchase or interaction."""
    @property
    def entity_id(self) -> int:
        """The id of the record the note is about."""
    @property
    def body(self) -> str:
        """The text, trimmed."""
    @property
    def author(self) -> str:
        """Who wrote it: the principal of the handle that added it."""
    @property
    def created_at(self) -> datetime:
        """When it was written (aware, UTC)."""
    def to_dict(self) -> dict[str, Any]:
        """The note as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class AuditEntry:
    """One entry of the audit trail. Read-only."""

    @property
    def id(self) -> int:
        """Position in the trail (increasing)."""
    @property
    def at(self) -> datetime:
        """When the write happened (aware, UTC)."""
    @property
    def principal(self) -> str:
        """Who wrote: the principal of the handle."""
    @property
    def role(self) -> str:
        """The principal's role."""
    @property
    def entity(self) -> str:
        """The kind of record: customer, product, purchase, interaction, note, segment …"""
    @property
    def entity_id(self) -> int | None:
        """The record's id, or None for a bulk entry."""
    @property
    def action(self) -> str:
        """What happened: create, update, delete or bulk_create."""
    @property
    def changes(self) -> dict[str, Any]:
        """``field → {"before": …, "after": …}`` (a new dict on each access)."""
    def to_dict(self) -> dict[str, Any]:
        """The entry as a dict of its fields; ``changes`` as a dict."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Segment:
    """A saved segment: a name for a customer filter. Read-only."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def name(self) -> str:
        """The segment's unique name."""
    @property
    def text(self) -> str | None:
        """The filter text it was saved with, or None when saved from keyword filters."""
    @property
    def created_at(self) -> datetime:
        """When the segment was saved first (aware, UTC)."""
    @property
    def updated_at(self) -> datetime:
        """When its filter last changed (aware, UTC)."""
    def to_dict(self) -> dict[str, Any]:
        """The segment as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class FieldDefinition:
    """A custom field as defined in the store. Read-only."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def entity(self) -> str:
        """The kind of record that carries the field (customer)."""
    @property
    def name(self) -> str:
        """The name records, filters and sort orders use."""
    @property
    def type(self) -> str:
        """text, integer, decimal, boolean, date, enum or multi_enum."""
    @property
    def choices(self) -> list[str]:
        """The choices of an enum or multi-enum field, in order (empty otherwise)."""
    @property
    def required(self) -> bool:
        """True when every record must have a value."""
    @property
    def default(self) -> Any:
        """The value of records that give none, or None."""
    @property
    def personal(self) -> bool:
        """True for personal data."""
    @property
    def indexed(self) -> bool:
        """True when backed by an index."""
    @property
    def retired(self) -> bool:
        """True when retired: hidden from records, filters and frames; its values are kept."""
    @property
    def created_at(self) -> datetime:
        """When the field was defined (aware, UTC)."""
    def to_dict(self) -> dict[str, Any]:
        """The definition as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Ticket:
    """A service ticket as stored. Read-only; the write methods return a new one."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def customer_id(self) -> int:
        """Whose ticket: the customer's id."""
    @property
    def subject(self) -> str:
        """One-line summary (trimmed)."""
    @property
    def body(self) -> str | None:
        """The request in full, or None."""
    @property
    def channel(self) -> str:
        """How the request came in: email, phone, chat, sms, social, web or in_person."""
    @property
    def category(self) -> str | None:
        """Lower-case category, or None."""
    @property
    def priority(self) -> str:
        """Urgency: low, normal, high or urgent."""
    @property
    def status(self) -> str:
        """Where it is in the workflow: new, open, pending, resolved or closed."""
    @property
    def assignee(self) -> str | None:
        """Who works on it, or None."""
    @property
    def created_at(self) -> datetime:
        """When the customer raised it (aware, UTC)."""
    @property
    def updated_at(self) -> datetime:
        """When the ticket record last changed (aware, UTC)."""
    @property
    def first_response_at(self) -> datetime | None:
        """The first public comment (the first response), or None."""
    @property
    def resolved_at(self) -> datetime | None:
        """When it was resolved (cleared by a reopen), or None."""
    @property
    def closed_at(self) -> datetime | None:
        """When it was closed, or None."""
    @property
    def version(self) -> int:
        """1 when opened, +1 per change."""
    @property
    def first_response_due(self) -> datetime | None:
        """When the first response is due while awaited; None without an SLA policy."""
    @property
    def resolution_due(self) -> datetime | None:
        """When the resolution is due while its clock runs; None without a policy, once
        resolved or while pending."""
    @property
    def next_due(self) -> datetime | None:
        """The earlier of the pending deadlines, or None."""
    def to_dict(self) -> dict[str, Any]:
        """The ticket as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Comment:
    """A comment on a ticket as stored. Read-only."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def ticket_id(self) -> int:
        """The ticket it belongs to."""
    @property
    def body(self) -> str:
        """The text."""
    @property
    def public(self) -> bool:
        """True when the customer sees it; False for an internal note."""
    @property
    def author(self) -> str:
        """Who wrote it."""
    @property
    def at(self) -> datetime:
        """When it was written (aware, UTC)."""
    def to_dict(self) -> dict[str, Any]:
        """The comment as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class SlaPolicy:
    """The SLA targets of one priority. Read-only."""

    @property
    def priority(self) -> str:
        """The priority the targets apply to."""
    @property
    def first_response(self) -> timedelta:
        """Time from creation to the first public response."""
    @property
    def resolution(self) -> timedelta:
        """Running resolution time allowed until resolution."""
    @property
    def first_response_minutes(self) -> int:
        """The first-response target in minutes."""
    @property
    def resolution_minutes(self) -> int:
        """The resolution target in minutes."""
    @property
    def business_hours(self) -> bool:
        """True when only business hours count."""
    def to_dict(self) -> dict[str, Any]:
        """The policy as a dict (targets as timedeltas)."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class BusinessHours:
    """The weekly business hours, read in the reporting time zone. Read-only."""

    @property
    def days(self) -> tuple[str, ...]:
        """The open days, Monday first, as names (``"mon"`` … ``"sun"``)."""
    @property
    def open(self) -> time:
        """Opening time."""
    @property
    def close(self) -> time:
        """Closing time."""
    def to_dict(self) -> dict[str, Any]:
        """The hours as a dict."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class SlaState:
    """The SLA state of one ticket at some instant. Read-only."""

    @property
    def policy(self) -> SlaPolicy:
        """The policy measured against."""
    @property
    def first_response_due(self) -> datetime:
        """When the first response is (or was) due."""
    @property
    def first_response_at(self) -> datetime | None:
        """The first public comment by then, or None."""
    @property
    def first_response_stopped(self) -> bool:
        """True once the first-response clock stopped."""
    @property
    def first_response_breached(self) -> bool:
        """True when the first-response target is missed."""
    @property
    def first_response_breach_by(self) -> timedelta | None:
        """By how much the first-response target is missed, or None."""
    @property
    def resolution_due(self) -> datetime | None:
        """When the resolution is due; None while paused."""
    @property
    def resolved_at(self) -> datetime | None:
        """When the ticket was resolved, or None."""
    @property
    def resolution_breached(self) -> bool:
        """True when the resolution target is missed."""
    @property
    def resolution_breach_by(self) -> timedelta | None:
        """By how much the resolution target is missed, or None."""
    @property
    def resolution_breached_at(self) -> datetime | None:
        """When the resolution clock passed the target, or None."""
    @property
    def paused(self) -> bool:
        """True while the ticket is pending."""
    @property
    def resolution_elapsed(self) -> timedelta:
        """Policy time the resolution clock has run."""
    def to_dict(self) -> dict[str, Any]:
        """The state as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...

@final
class Campaign:
    """A marketing campaign as stored. Read-only; the ``db.campaigns`` calls return a new one."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def name(self) -> str:
        """The unique name."""
    @property
    def channel(self) -> str:
        """The channel it reaches members on."""
    @property
    def objective(self) -> str | None:
        """What it is for, in words, or None."""
    @property
    def budget(self) -> int | None:
        """Planned spend in minor units of ``currency``, or None."""
    @property
    def cost(self) -> int | None:
        """Actual spend so far in minor units of ``currency``, or None."""
    @property
    def currency(self) -> str | None:
        """The ISO-4217 currency of budget and cost, or None."""
    @property
    def segment(self) -> str | None:
        """The saved segment whose customers become the members at the start, or None."""
    @property
    def variants(self) -> list[dict[str, Any]]:
        """The random split in order: dicts with ``name``, ``share`` and ``control``."""
    @property
    def seed(self) -> int:
        """The seed of the split."""
    @property
    def starts_at(self) -> datetime | None:
        """Planned start (aware, UTC), or None."""
    @property
    def ends_at(self) -> datetime | None:
        """Planned end (aware, UTC), or None."""
    @property
    def status(self) -> str:
        """draft, scheduled, running, completed or cancelled."""
    @property
    def started_at(self) -> datetime | None:
        """When it actually started (the audience was frozen), or None."""
    @property
    def ended_at(self) -> datetime | None:
        """When it completed or was cancelled, or None."""
    @property
    def created_at(self) -> datetime:
        """When it was created (aware, UTC)."""
    @property
    def updated_at(self) -> datetime:
        """When it last changed (aware, UTC)."""
    def to_dict(self) -> dict[str, Any]:
        """The campaign as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class CampaignEvent:
    """A recorded tracking event of a campaign member. Read-only."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def campaign_id(self) -> int:
        """The campaign's id."""
    @property
    def customer_id(self) -> int:
        """The member's customer id."""
    @property
    def kind(self) -> str:
        """sent, delivered, opened, clicked, converted or unsubscribed."""
    @property
    def at(self) -> datetime:
        """When it happened (aware, UTC)."""
    def to_dict(self) -> dict[str, Any]:
        """The event as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Stage:
    """One stage of a pipeline. Read-only."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def name(self) -> str:
        """The name, unique in its pipeline ignoring case."""
    @property
    def position(self) -> int:
        """Its place in the pipeline, from 0."""
    @property
    def probability(self) -> float:
        """The default win probability of deals in it."""
    def to_dict(self) -> dict[str, Any]:
        """The stage as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...

@final
class Pipeline:
    """A sales pipeline with its stages in order. Read-only."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def name(self) -> str:
        """The unique name."""
    @property
    def stages(self) -> list[Stage]:
        """The stages in order."""
    @property
    def stage_names(self) -> list[str]:
        """The stage names in order."""
    @property
    def created_at(self) -> datetime:
        """When it was created (aware, UTC)."""
    def to_dict(self) -> dict[str, Any]:
        """The pipeline as a dict (``stages`` as a list of dicts)."""
    def __len__(self) -> int: ...
    def __eq__(self, other: object) -> bool: ...

@final
class Deal:
    """A deal as stored. Read-only; the ``db.deals`` calls return a new one."""

    @property
    def id(self) -> int:
        """The store's id."""
    @property
    def pipeline_id(self) -> int:
        """The pipeline's id."""
    @property
    def pipeline(self) -> str:
        """The pipeline's name."""
    @property
    def customer_id(self) -> int:
        """The customer the deal is with."""
    @property
    def name(self) -> str:
        """The deal's name."""
    @property
    def amount(self) -> int:
        """Value in minor units of ``currency``."""
    @property
    def currency(self) -> str:
        """ISO-4217 currency of ``amount``."""
    @property
    def stage(self) -> str:
        """The stage's name."""
    @property
    def stage_id(self) -> int:
        """The stage's id."""
    @property
    def probability(self) -> float:
        """The stage's default win probability."""
    @property
    def owner(self) -> str:
        """Who works the deal."""
    @property
    def source(self) -> str | None:
        """Where it came from, or None."""
    @property
    def expected_close(self) -> date | None:
        """When it is expected to close, or None."""
    @property
    def status(self) -> str:
        """open, won or lost."""
    @property
    def lost_reason(self) -> str | None:
        """Why it was lost, or None."""
    @property
    def created_at(self) -> datetime:
        """When it was created (aware, UTC)."""
    @property
    def updated_at(self) -> datetime:
        """When it last changed (aware, UTC)."""
    @property
    def closed_at(self) -> datetime | None:
        """When it was won or lost (aware, UTC), or None."""
    @property
    def version(self) -> int:
        """Starts at 1; every change adds 1."""
    def to_dict(self) -> dict[str, Any]:
        """The deal as a dict of its fields."""
    def __eq__(self, other: object) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Database:
    """The native handle behind ``crm.Database``."""

    def __new__(
        cls,
        path: str | PathLike[str],
        principal: str,
        role: str,
        key: bytes | str | None,
        now: datetime | None,
        time_zone: str | None,
        busy_timeout: float,
    ) -> Database: ...
    def close(self) -> None: ...
    @property
    def closed(self) -> bool: ...
    @property
    def path(self) -> str: ...
    @property
    def principal(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def time_zone(self) -> str: ...
    def set_time_zone(self, name: str) -> None: ...
    @property
    def now(self) -> datetime: ...
    def set_now(self, now: datetime | None) -> None: ...
    @property
    def schema_version(self) -> int: ...
    def add_customer(
        self,
        name: str,
        external_id: str | None,
        email: str | None,
        phone: str | None,
        company: str | None,
        stage: str | None,
        source: str | None,
        tags: Any,
        created_at: datetime | None,
        fields: Mapping[str, Any] | None,
    ) -> Customer: ...
    def add_customer_columns(self, columns: dict[str, Any]) -> npt.NDArray[np.int64]: ...
    def get_customer(self, id: int) -> Customer: ...
    def get_customer_by_external_id(self, external_id: str) -> Customer: ...
    def update_customer(
        self,
        id: int,
        changes: dict[str, Any],
        expected_version: int | None,
        fields: Mapping[str, Any] | None,
    ) -> Customer: ...
    def delete_customer(self, id: int, cascade: bool) -> None: ...
    def find_customers(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> list[Customer]: ...
    def find_customer_columns(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> dict[str, Any]: ...
    def count_customers(self, text: str | None, filters: dict[str, Any]) -> int: ...
    def add_product(
        self,
        sku: str,
        name: str,
        category: str | None,
        price: int | None,
        currency: str | None,
    ) -> Product: ...
    def add_product_columns(self, columns: dict[str, Any]) -> npt.NDArray[np.int64]: ...
    def get_product(self, id: int) -> Product: ...
    def get_product_by_sku(self, sku: str) -> Product: ...
    def delete_product(self, id: int) -> None: ...
    def find_products(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> list[Product]: ...
    def count_products(self, text: str | None, filters: dict[str, Any]) -> int: ...
    def add_purchase(
        self,
        customer_id: int,
        amount: int,
        currency: str,
        purchased_at: datetime | None,
        status: str | None,
        external_id: str | None,
        items: Any,
    ) -> Purchase: ...
    def add_purchase_columns(
        self, purchases: dict[str, Any], items: dict[str, Any] | None
    ) -> npt.NDArray[np.int64]: ...
    def get_purchase(self, id: int) -> Purchase: ...
    def set_purchase_status(self, id: int, status: str) -> Purchase: ...
    def find_purchases(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> list[Purchase]: ...
    def find_purchase_columns(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> dict[str, Any]: ...
    def find_line_item_columns(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> dict[str, Any]: ...
    def count_purchases(self, text: str | None, filters: dict[str, Any]) -> int: ...
    def add_interaction(
        self,
        customer_id: int,
        channel: str,
        kind: str | None,
        direction: str | None,
        occurred_at: datetime | None,
        subject: str | None,
        body: str | None,
        metadata: str | None,
        campaign_id: int | None = None,
        ticket_id: int | None = None,
    ) -> Interaction: ...
    def add_interaction_columns(self, columns: dict[str, Any]) -> npt.NDArray[np.int64]: ...
    def get_interaction(self, id: int) -> Interaction: ...
    def interaction_timeline(
        self,
        customer_id: int,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> list[Interaction]: ...
    def interaction_timeline_columns(
        self,
        customer_id: int,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> dict[str, Any]: ...
    def find_interactions(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> list[Interaction]: ...
    def find_interaction_columns(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> dict[str, Any]: ...
    def count_interactions(self, text: str | None, filters: dict[str, Any]) -> int: ...
    def add_customer_tags(self, id: int, tags: tuple[str, ...]) -> Customer: ...
    def remove_customer_tags(self, id: int, tags: tuple[str, ...]) -> Customer: ...
    def add_note(self, entity: str, id: int, body: str) -> Note: ...
    def list_notes(self, entity: str, id: int) -> list[Note]: ...
    def find_audit(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> list[AuditEntry]: ...
    def find_audit_columns(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> dict[str, Any]: ...
    def save_segment(
        self, name: str, text: str | None, filters: dict[str, Any], replace: bool
    ) -> Segment: ...
    def get_segment(self, name: str) -> Segment: ...
    def list_segments(self) -> list[Segment]: ...
    def delete_segment(self, name: str) -> None: ...
    def count_segment(self, name: str) -> int: ...
    def segment_members(
        self,
        name: str,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> list[Customer]: ...
    def segment_member_columns(
        self,
        name: str,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> dict[str, Any]: ...
    def define_field(
        self,
        entity: str,
        name: str,
        type: str,
        choices: Iterable[str] | None,
        required: bool,
        default: Any,
        personal: bool,
        index: bool,
    ) -> FieldDefinition: ...
    def rename_field(self, entity: str, name: str, new_name: str) -> FieldDefinition: ...
    def retire_field(self, entity: str, name: str, retired: bool) -> FieldDefinition: ...
    def remove_field(self, entity: str, name: str, force: bool) -> None: ...
    def get_field(self, entity: str, name: str) -> FieldDefinition: ...
    def list_fields(self, entity: str, include_retired: bool) -> list[FieldDefinition]: ...
    # ---- campaigns (campaign: an id or a name)
    def create_campaign(
        self,
        name: str,
        channel: str,
        objective: str | None,
        budget: int | None,
        cost: int | None,
        currency: str | None,
        segment: str | None,
        variants: list[tuple[str, float, bool]] | None,
        seed: int | None,
        starts_at: datetime | None,
        ends_at: datetime | None,
    ) -> Campaign: ...
    def get_campaign(self, campaign: int | str) -> Campaign: ...
    def find_campaigns(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> list[Campaign]: ...
    def count_campaigns(self, text: str | None, filters: dict[str, Any]) -> int: ...
    def update_campaign(self, campaign: int | str, changes: dict[str, Any]) -> Campaign: ...
    def campaign_transition(
        self, campaign: int | str, action: str, at: datetime | None
    ) -> Campaign: ...
    def delete_campaign(self, campaign: int | str, cascade: bool) -> None: ...
    def campaign_member_columns(self, campaign: int | str) -> dict[str, Any]: ...
    def record_campaign_event(
        self, campaign: int | str, customer_id: int, kind: str, at: datetime | None
    ) -> CampaignEvent: ...
    def record_campaign_events(
        self, campaign: int | str, columns: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]: ...
    def campaign_event_columns(
        self, campaign: int | str, customer_id: int | None
    ) -> dict[str, Any]: ...
    def evaluate_campaign(
        self,
        campaign: int | str,
        window_days: int,
        yates: bool,
        alpha: float,
        currency: str | None,
    ) -> dict[str, Any]: ...
    # ---- pipelines and deals
    def create_pipeline(self, name: str, stages: list[tuple[str, float]]) -> Pipeline: ...
    def get_pipeline(self, name: str) -> Pipeline: ...
    def list_pipelines(self) -> list[Pipeline]: ...
    def add_pipeline_stage(
        self, pipeline: str, name: str, probability: float, position: int | None
    ) -> Pipeline: ...
    def set_stage_probability(self, pipeline: str, stage: str, probability: float) -> Pipeline: ...
    def remove_pipeline_stage(self, pipeline: str, stage: str) -> Pipeline: ...
    def delete_pipeline(self, name: str) -> None: ...
    def create_deal(
        self,
        pipeline: str,
        customer_id: int,
        name: str,
        amount: int,
        currency: str,
        stage: str | None,
        owner: str | None,
        source: str | None,
        expected_close: date | None,
        created_at: datetime | None,
    ) -> Deal: ...
    def get_deal(self, id: int) -> Deal: ...
    def find_deals(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> list[Deal]: ...
    def find_deal_columns(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> dict[str, Any]: ...
    def count_deals(self, text: str | None, filters: dict[str, Any]) -> int: ...
    def update_deal(
        self, id: int, changes: dict[str, Any], expected_version: int | None
    ) -> Deal: ...
    def move_deal(self, id: int, stage: str, at: datetime | None) -> Deal: ...
    def win_deal(self, id: int, at: datetime | None) -> Deal: ...
    def lose_deal(self, id: int, reason: str, at: datetime | None) -> Deal: ...
    def reopen_deal(self, id: int, at: datetime | None) -> Deal: ...
    def delete_deal(self, id: int) -> None: ...
    def deal_history_columns(self, id: int) -> dict[str, Any]: ...
    def deal_time_in_stage_columns(self, id: int, now: datetime | None) -> dict[str, Any]: ...
    def deal_value_by_stage(self, pipeline: str) -> dict[str, Any]: ...
    def deal_forecast(self, pipeline: str) -> dict[str, Any]: ...
    def deal_win_rates(self, pipeline: str, by: str) -> dict[str, Any]: ...
    def deal_stage_conversion(self, pipeline: str) -> dict[str, Any]: ...
    def open_ticket(
        self,
        customer_id: int,
        subject: str,
        channel: str,
        body: str | None,
        category: str | None,
        priority: str | None,
        assignee: str | None,
        created_at: datetime | None,
    ) -> Ticket: ...
    def get_ticket(self, id: int) -> Ticket: ...
    def find_tickets(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> list[Ticket]: ...
    def find_ticket_columns(
        self,
        text: str | None,
        filters: dict[str, Any],
        order_by: str | list[str] | None,
        limit: int | None,
        offset: int | None,
    ) -> dict[str, Any]: ...
    def count_tickets(self, text: str | None, filters: dict[str, Any]) -> int: ...
    def update_ticket(
        self, id: int, changes: dict[str, Any], expected_version: int | None
    ) -> Ticket: ...
    def assign_ticket(self, id: int, assignee: str | None) -> Ticket: ...
    def transition_ticket(self, id: int, status: str, at: datetime | None) -> Ticket: ...
    def reopen_ticket(self, id: int, at: datetime | None) -> Ticket: ...
    def comment_ticket(
        self, id: int, body: str, public: bool, author: str | None, at: datetime | None
    ) -> Comment: ...
    def ticket_comments(self, id: int) -> list[Comment]: ...
    def ticket_history_columns(self, id: int) -> dict[str, Any]: ...
    def delete_ticket(self, id: int) -> None: ...
    def set_sla_policy(
        self,
        priority: str,
        first_response: timedelta | int,
        resolution: timedelta | int,
        business_hours: bool,
    ) -> None: ...
    def remove_sla_policy(self, priority: str) -> None: ...
    def sla_policies(self) -> list[SlaPolicy]: ...
    def set_business_hours(self, days: Iterable[str], open: time, close: time) -> None: ...
    def business_hours(self) -> BusinessHours: ...
    def ticket_sla(self, id: int, now: datetime | None) -> SlaState | None: ...
    def ticket_queue_columns(self, limit: int | None, now: datetime | None) -> dict[str, Any]: ...
    def sla_breach_columns(self, now: datetime | None) -> dict[str, Any]: ...
    def ticket_stats(self, text: str | None, filters: dict[str, Any]) -> dict[str, Any]: ...
    # ---- market-basket analysis over completed purchases
    def frequent_itemset_columns(
        self,
        min_support: float,
        max_len: int | None,
        algorithm: str,
        since: datetime | None,
        until: datetime | None,
        category: str | None,
    ) -> dict[str, Any]: ...
    def association_rule_columns(
        self,
        min_support: float,
        max_len: int | None,
        metric: str,
        min_threshold: float,
        since: datetime | None,
        until: datetime | None,
        category: str | None,
    ) -> dict[str, Any]: ...
    def recommend_columns(
        self,
        customer_id: int,
        n: int,
        min_support: float,
        max_len: int | None,
        min_confidence: float,
        metric: str,
        fill_with_popular: bool,
        since: datetime | None,
        until: datetime | None,
        category: str | None,
    ) -> dict[str, Any]: ...
