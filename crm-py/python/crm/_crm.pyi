"""Type stubs of the native module ``crm._crm``. Use the public API in ``crm`` instead."""

from datetime import datetime
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
