"""Free-text notes on the records of a store: ``db.notes``."""

from __future__ import annotations

import builtins

from crm import _crm
from crm._crm import Note

__all__ = ["Notes", "NOTE_ENTITIES"]

#: The kinds of record a note can be about.
NOTE_ENTITIES: tuple[str, ...] = tuple(_crm.NOTE_ENTITIES)


class Notes:
    """Free-text notes on the records of one store, reached as ``db.notes``.

    A note is about one record — a customer, product, purchase or interaction (one of
    :data:`NOTE_ENTITIES`) — and is signed by the principal of the handle that adds it. Adding a
    note is audited; a note about a customer or their records is personal data of that
    customer::

        db.notes.add("customer", ada.id, "Prefers e-mail after 18:00.")
        db.notes.list("customer", ada.id)            # newest first
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: _crm.Database) -> None:
        self._raw = raw

    def __repr__(self) -> str:
        return f"<crm.Notes of {self._raw.path!r}>"

    def add(self, entity: str, id: int, body: str) -> Note:
        """Adds a note to record ``id`` of kind ``entity`` (``"customer"``, ``"product"``,
        ``"purchase"`` or ``"interaction"``) and returns it as stored: the text trimmed, the
        handle's principal as ``author``, the handle's clock as ``created_at``.

        Raises:
            NotFoundError: no such record.
            InvalidInputError: an unknown entity, or a body that is blank, over 64 KiB or holds
                a NUL character.
            InvalidArgumentError: a wrong type (e.g. ``id="7"``, ``body=None``).
        """
        return self._raw.add_note(entity, id, body)

    def list(self, entity: str, id: int) -> builtins.list[Note]:
        """The notes on record ``id`` of kind ``entity``, newest first (an empty list when there
        are none).

        Raises:
            NotFoundError: no such record.
            InvalidInputError: an unknown entity.
            InvalidArgumentError: a wrong type.
        """
        return self._raw.list_notes(entity, id)
