"""Custom fields of a store: ``db.fields``."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Any

from crm import _crm
from crm._crm import FieldDefinition

__all__ = ["Fields", "FIELD_TYPES"]

#: The types a custom field may have.
FIELD_TYPES: tuple[str, ...] = tuple(_crm.FIELD_TYPES)


class Fields:
    """The custom fields of one store, reached as ``db.fields``: a company adds ``region`` or
    ``loyalty_tier`` to its customers at run time, without a code change. Defining a field adds
    a column to the store (and an index with ``index=True``) in one audited transaction::

        db.fields.define("region", "enum", choices=["north", "south"], index=True)
        db.fields.define("renewal", "date")
        db.customers.add("Ada Lovelace", fields={"region": "north", "renewal": date(2027, 1, 1)})
        db.customers.update(ada.id, fields={"region": None})        # clears it
        db.customers.find(region="north", order_by="renewal")       # or "region = 'north'"
        db.customers.find_frame()                                   # one column per field

    Types (:data:`FIELD_TYPES`) and the Python values they take and give:

    ==============  ==========================================  ===============================
    type            values                                      ``find_frame`` dtype
    ==============  ==========================================  ===============================
    ``text``        ``str``                                     ``str``
    ``integer``     ``int`` (or a whole ``float``)              ``Int64`` (nullable)
    ``decimal``     ``float`` or ``int`` (not for money)        ``float64`` (NaN when missing)
    ``boolean``     ``bool``                                    ``boolean`` (nullable)
    ``date``        ``datetime.date`` or ``"YYYY-MM-DD"``       ``datetime64[s]`` at midnight,
                    (a ``datetime`` gives its UTC date)         no time zone (NaT when missing)
    ``enum``        one of ``choices`` (``str``)                Categorical of ``choices``
    ``multi_enum``  a list of ``choices`` (or one ``str``)      lists of str (None when missing)
    ==============  ==========================================  ===============================

    ``Customer.fields`` gives the values as ``str``, ``int``, ``float``, ``bool``,
    ``datetime.date`` and sorted ``list[str]``. A value a field cannot take raises
    :class:`InvalidInputError` naming the field, the value and the rule.

    Only customers carry custom fields for now: ``entity`` is ``"customer"`` (another entity
    raises :class:`UnsupportedError`).
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Fields of {self._raw.path!r}>"

    def __len__(self) -> int:
        """The number of active custom fields of customers."""
        return len(self._raw.list_fields("customer", False))

    def define(
        self,
        name: str,
        type: str,
        *,
        entity: str = "customer",
        choices: Iterable[str] | None = None,
        required: bool = False,
        default: Any = None,
        personal: bool = False,
        index: bool = False,
    ) -> FieldDefinition:
        """Defines a custom field and returns its definition.

        Args:
            name: lower-case letters, digits and ``_``, starting with a letter, at most 63
                characters; not a built-in field (``email``, ``total_spend`` …).
            type: one of :data:`FIELD_TYPES`.
            entity: the kind of record that carries it (``"customer"``).
            choices: the allowed values of an ``enum`` or ``multi_enum`` field (required for
                those, refused for the others); their order is the order of the frame's
                categories.
            required: every record must have a value (a field defined while customers exist
                needs a ``default`` then).
            default: the value of records that give none.
            personal: the field holds personal data.
            index: back the field by an index, so that filtering on it is an index lookup.

        Raises:
            InvalidInputError: a bad name, one that shadows a built-in field, an unknown type,
                bad choices or default.
            AlreadyExistsError: a field of ``entity`` has this name.
            UnsupportedError: an entity other than customers.
            InvalidArgumentError: an argument has the wrong type.
        """
        return self._raw.define_field(
            entity, name, type, choices, required, default, personal, index
        )

    def rename(self, name: str, new_name: str, *, entity: str = "customer") -> FieldDefinition:
        """Renames a field and returns its definition; its values stay, and filters, sort
        orders, records and frames use the new name from now on (saved segments that name the
        old one no longer run).

        Raises:
            NotFoundError: no field has this name.
            AlreadyExistsError: ``new_name`` is taken.
            InvalidInputError: ``new_name`` is not a valid field name or shadows a built-in one.
        """
        return self._raw.rename_field(entity, name, new_name)

    def retire(self, name: str, *, entity: str = "customer") -> FieldDefinition:
        """Retires a field: hidden from records, filters and frames; its values are kept and
        come back with :meth:`restore`. Raises :class:`NotFoundError` if none has this name."""
        return self._raw.retire_field(entity, name, True)

    def restore(self, name: str, *, entity: str = "customer") -> FieldDefinition:
        """Brings a retired field back, with its values. Raises :class:`NotFoundError` if none
        has this name."""
        return self._raw.retire_field(entity, name, False)

    def remove(self, name: str, *, force: bool = False, entity: str = "customer") -> None:
        """Removes a field and its column. A field holding values is refused with
        :class:`ConstraintError` unless ``force=True``, which deletes the values with it.

        Raises:
            NotFoundError: no field has this name.
            ConstraintError: the field holds values and ``force`` is not given.
        """
        self._raw.remove_field(entity, name, force)

    def get(self, name: str, *, entity: str = "customer") -> FieldDefinition:
        """The field with this name, retired or not. Raises :class:`NotFoundError` (a
        ``KeyError``) if none."""
        return self._raw.get_field(entity, name)

    def list(
        self, *, include_retired: bool = False, entity: str = "customer"
    ) -> builtins.list[FieldDefinition]:
        """The fields in definition order; retired ones only with ``include_retired=True``."""
        return self._raw.list_fields(entity, include_retired)
