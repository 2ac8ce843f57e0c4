"""The audit trail of a store: ``db.audit``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm import _columns, _crm
from crm._crm import AuditEntry

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Audit", "AUDIT_ACTIONS"]

#: What a write did, in order (the categories of ``find_frame()["action"]``).
AUDIT_ACTIONS: tuple[str, ...] = tuple(_crm.AUDIT_ACTIONS)


class Audit:
    """The audit trail of one store, reached as ``db.audit``: one entry per write — who
    (``principal``, ``role``: the handle's, from :func:`crm.open`), when (``at``: the handle's
    clock), which record (``entity``, ``entity_id``), what (``action``: one of
    :data:`AUDIT_ACTIONS`) and the ``changes``, a dict ``field → {"before": …, "after": …}``
    (bulk writes: ``count``, ``first_id``, ``last_id``). Entries are written by the store in the
    same transaction as the write; they cannot be changed. Personal values (a customer's name,
    e-mail, phone, notes about them) are kept apart so that an erasure can redact them; erased
    values read as ``"[erased]"``.

    Filters work as for customers — filter text as the first argument, ANDed with keyword
    filters — on the fields ``id``, ``at``, ``principal``, ``role``, ``entity``, ``entity_id``
    and ``action``::

        db.audit.find(entity="customer", entity_id=ada.id)
        db.audit.find(principal="li", action__in=["update", "delete"],
                      at__gte=date(2026, 3, 1), order_by="-at", limit=50)
        db.audit.find("entity = 'customer' and action = 'delete'")
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Audit of {self._raw.path!r}>"

    def find(
        self,
        where: str | None = None,
        /,
        *,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        offset: int = 0,
        **filters: Any,
    ) -> list[AuditEntry]:
        """Entries matching the filters (see the class docs), oldest first unless ``order_by``
        says otherwise; ``limit`` and ``offset`` page through them."""
        return self._raw.find_audit(where, filters, order_by, limit, offset)

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

        Columns: ``at`` (``datetime64[us, UTC]``), ``principal``, ``role``, ``entity`` (pandas'
        string dtype), ``entity_id`` (``Int64``, missing for bulk entries), ``action``
        (Categorical, categories in the fixed order of :data:`AUDIT_ACTIONS`) and ``changes``
        (``object``: one dict per row). An empty result has the same columns and dtypes.
        """
        import pandas as pd

        cols = self._raw.find_audit_columns(where, filters, order_by, limit, offset)
        index = pd.Index(cols["id"], name="id")
        data = {
            "at": _columns.times(cols["at"]),
            "principal": _columns.text(cols["principal"]),
            "role": _columns.text(cols["role"]),
            "entity": _columns.text(cols["entity"]),
            "entity_id": pd.arrays.IntegerArray(cols["entity_id"], cols["entity_id_missing"]),
            "action": pd.Categorical.from_codes(cols["action"], categories=AUDIT_ACTIONS),
            "changes": pd.Series(cols["changes"], index=index, dtype=object),
        }
        return pd.DataFrame(data, index=index)
