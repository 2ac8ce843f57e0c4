"""crm — an embeddable CRM engine: customers in one SQLite file, from Python, C or Rust.

::

    import crm

    with crm.open("shop.db") as db:
        ada = db.customers.add("Ada Lovelace", email="Ada@Example.com", source="referral",
                               tags=["vip"])
        ada.email                                   # 'ada@example.com' (normalised)
        db.customers.update(ada.id, stage="customer", expected_version=ada.version)
        db.customers.find(stage="customer", tags="vip", order_by="-created_at")
        frame = db.customers.find_frame(source__in=["web", "referral"])   # a pandas DataFrame
        ids = db.customers.add_many(pandas_frame)   # one transaction, returns an int64 array

        db.products.add("TEA-01", "Green tea", category="tea", price=1250, currency="EUR")
        order = db.purchases.add(ada.id, 2500, "EUR", items=[
            {"sku": "TEA-01", "quantity": 2, "unit_price": 1250}])   # linked to the product
        db.purchases.set_status(order.id, "refunded")
        lines = db.purchases.line_items_frame(purchased_at__gte=date(2026, 1, 1))  # long format

        db.interactions.add(ada.id, "phone", kind="call", subject="Delivery date",
                            metadata={"agent": "li", "minutes": 4})
        db.interactions.timeline(ada.id, limit=20)          # newest first
        db.interactions.find_frame(channel__in=["email", "chat"])

        db.customers.find("source = 'web' and total_spend > 10000")   # filter text
        db.customers.add_tags(ada.id, "newsletter")
        db.segments.save("vip web", source="web", tags="vip")          # or as filter text
        db.segments.members_frame("vip web")                           # an export
        db.notes.add("customer", ada.id, "Prefers e-mail after 18:00.")
        db.audit.find_frame(entity="customer", entity_id=ada.id)       # who changed what, when

        db.fields.define("region", "enum", choices=["north", "south"])  # a custom field
        db.customers.update(ada.id, fields={"region": "north"})
        db.customers.find(region="north")                              # a column in find_frame

        db.campaigns.create("Spring", "email", segment="vip web", variants={"A": 0.45, "B": 0.45},
                            control=0.10, seed=42)                     # an A/B test
        db.campaigns.schedule("Spring"); db.campaigns.start("Spring")  # members frozen, split
        db.campaigns.record_events("Spring", events_frame)             # sent, opened, converted …
        db.campaigns.evaluate("Spring").uplift                         # z-test, chi2, intervals
        crm.analytics.proportions_ztest([120, 100], [1000, 1000])      # statsmodels' numbers

        db.deals.create_pipeline("Sales", {"Lead": 0.1, "Proposal": 0.5, "Negotiation": 0.8})
        deal = db.deals.create("Sales", ada.id, "Annual licence", 120_000, "EUR")
        db.deals.move(deal.id, "Proposal"); db.deals.forecast("Sales")

        db.tickets.set_sla_policy("high", timedelta(hours=1), timedelta(hours=8))
        t = db.tickets.open(ada.id, "Parcel never arrived", "email", priority="high")
        db.tickets.transition(t.id, "open")
        db.tickets.comment(t.id, "We are on it.")                      # the first response
        db.tickets.queue()                                             # what to work on next
        db.tickets.breaches()                                          # missed SLA targets

Errors are :class:`CrmError` subclasses that also inherit the fitting builtin
(:class:`NotFoundError` is a ``KeyError``, :class:`InvalidInputError` a ``ValueError`` …), each
with the stable numeric ``code`` shared with the C library.

Times: a naive ``datetime`` means UTC; crm returns aware UTC datetimes, and DataFrames hold
``datetime64[us, UTC]``. Money: exact integers in minor units (cents) with an ISO-4217 currency
code (``2500, "EUR"`` is €25.00).
"""

from crm._crm import (
    AuditEntry,
    Customer,
    FieldDefinition,
    Interaction,
    LineItem,
    Note,
    Product,
    Purchase,
    Segment,
    __version__,
)
from crm.audit import AUDIT_ACTIONS, Audit
from crm import analytics
from crm._crm import Campaign, CampaignEvent, Deal, Pipeline, Stage
from crm.campaigns import (
    CAMPAIGN_STATUSES,
    EVENT_KINDS,
    EVENT_REJECTIONS,
    CampaignReport,
    Campaigns,
    EventReport,
)
from crm.deals import DEAL_STATUSES, Deals
from crm.customers import SOURCES, STAGES, Customers
from crm.database import Database, open
from crm.fields import FIELD_TYPES, Fields
from crm.interactions import CHANNELS, DIRECTIONS, INTERACTION_KINDS, Interactions
from crm.notes import NOTE_ENTITIES, Notes
from crm.products import Products
from crm.purchases import PURCHASE_STATUSES, Purchases
from crm.segments import Segments
from crm.tickets import (
    BUSINESS_DAYS,
    SLA_TARGETS,
    TICKET_PRIORITIES,
    TICKET_STATUSES,
    TicketStats,
    Tickets,
)
from crm._crm import BusinessHours, Comment, SlaPolicy, SlaState, Ticket
from crm.exceptions import (
    AlreadyExistsError,
    BusyError,
    ConflictError,
    ConstraintError,
    CrmError,
    IllegalTransitionError,
    InternalError,
    InvalidArgumentError,
    InvalidInputError,
    NotADatabaseError,
    NotConvergedError,
    NotFoundError,
    ParseError,
    PermissionDeniedError,
    SchemaTooNewError,
    StorageError,
    UnsupportedError,
)

__all__ = [
    "__version__",
    "open",
    "Database",
    "Customers",
    "Customer",
    "STAGES",
    "SOURCES",
    "Products",
    "Product",
    "Purchases",
    "Purchase",
    "LineItem",
    "PURCHASE_STATUSES",
    "Interactions",
    "Interaction",
    "CHANNELS",
    "DIRECTIONS",
    "INTERACTION_KINDS",
    "Notes",
    "Note",
    "NOTE_ENTITIES",
    "Segments",
    "Segment",
    "Audit",
    "AuditEntry",
    "AUDIT_ACTIONS",
    "Fields",
    "FieldDefinition",
    "FIELD_TYPES",
    "Campaigns",
    "Campaign",
    "CampaignEvent",
    "CampaignReport",
    "EventReport",
    "CAMPAIGN_STATUSES",
    "EVENT_KINDS",
    "EVENT_REJECTIONS",
    "Deals",
    "Deal",
    "Pipeline",
    "Stage",
    "DEAL_STATUSES",
    "analytics",
    "Tickets",
    "Ticket",
    "Comment",
    "TicketStats",
    "SlaPolicy",
    "SlaState",
    "BusinessHours",
    "TICKET_STATUSES",
    "TICKET_PRIORITIES",
    "SLA_TARGETS",
    "BUSINESS_DAYS",
    "CrmError",
    "InvalidArgumentError",
    "InvalidInputError",
    "NotFoundError",
    "AlreadyExistsError",
    "ConstraintError",
    "StorageError",
    "NotADatabaseError",
    "SchemaTooNewError",
    "BusyError",
    "PermissionDeniedError",
    "IllegalTransitionError",
    "ParseError",
    "NotConvergedError",
    "UnsupportedError",
    "InternalError",
    "ConflictError",
]
