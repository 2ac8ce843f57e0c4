"""The exceptions of crm: one base class, :class:`CrmError`, and one subclass per error code.

Every error code of the engine (shared with the C library) has a class here. Each class also
inherits the builtin exception that fits, so code that knows nothing of crm still catches what it
expects::

    try:
        db.customers.get(42)
    except KeyError:            # crm.NotFoundError is a KeyError
        ...

    try:
        db.customers.add("Ada", email="not-an-address")
    except crm.InvalidInputError as e:   # also a ValueError
        print(e.code, e.code_name, e)    # 2 INVALID_INPUT invalid email "not-an-address": ...

The numeric codes are stable: they are only ever appended, never renumbered.
"""

from __future__ import annotations

__all__ = [
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


class CrmError(Exception):
    """Base class of every error raised by crm.

    Attributes:
        code: the stable numeric error code (the same number the C library returns).
        code_name: the code's name, e.g. ``"NOT_FOUND"``.
    """

    code: int = -1
    code_name: str = "UNKNOWN"

    def __init__(self, message: str = "") -> None:
        super().__init__(message)

    @property
    def message(self) -> str:
        """The error message, without the class name."""
        return str(self.args[0]) if self.args else ""


class InvalidArgumentError(CrmError, ValueError, TypeError):
    """An argument has the wrong type or shape: ``None`` where a value is required, a column of
    the wrong length, an unknown keyword, a closed database."""

    code = 1
    code_name = "INVALID_ARGUMENT"


class InvalidInputError(CrmError, ValueError):
    """A value failed validation; the message names the field, the value and the rule."""

    code = 2
    code_name = "INVALID_INPUT"


class NotFoundError(CrmError, KeyError):
    """No record has this key."""

    code = 3
    code_name = "NOT_FOUND"

    def __str__(self) -> str:
        # KeyError would quote the message like a key.
        return self.message


class AlreadyExistsError(CrmError, ValueError):
    """A unique key (external id …) is already taken."""

    code = 4
    code_name = "ALREADY_EXISTS"


class ConstraintError(CrmError, ValueError):
    """The change would break a relation between records (delete with ``cascade=True``)."""

    code = 5
    code_name = "CONSTRAINT"


class StorageError(CrmError, OSError):
    """SQLite or the file system failed; the message keeps SQLite's code and text."""

    code = 6
    code_name = "STORAGE"


class NotADatabaseError(CrmError, OSError):
    """The file is not a crm store (or the encryption key is wrong)."""

    code = 7
    code_name = "NOT_A_DATABASE"


class SchemaTooNewError(CrmError, RuntimeError):
    """The store was written by a newer version of crm; upgrade the library."""

    code = 8
    code_name = "SCHEMA_TOO_NEW"


class BusyError(CrmError, TimeoutError):
    """Another writer held the store past the busy timeout."""

    code = 9
    code_name = "BUSY"


class PermissionDeniedError(CrmError, PermissionError):
    """The principal's role does not allow the operation."""

    code = 10
    code_name = "PERMISSION_DENIED"


class IllegalTransitionError(CrmError, ValueError):
    """A state machine refused a transition; the message names both states."""

    code = 11
    code_name = "ILLEGAL_TRANSITION"


class ParseError(CrmError, ValueError):
    """Filter text, CSV or JSON could not be parsed; the message names the position."""

    code = 12
    code_name = "PARSE"


class NotConvergedError(CrmError, RuntimeError):
    """An estimator stopped before converging."""

    code = 13
    code_name = "NOT_CONVERGED"


class UnsupportedError(CrmError, NotImplementedError):
    """Valid, but not supported by this build or store (e.g. an encryption key)."""

    code = 14
    code_name = "UNSUPPORTED"


class InternalError(CrmError, RuntimeError):
    """A bug in crm; please report it with the message."""

    code = 15
    code_name = "INTERNAL"


class ConflictError(CrmError, ValueError):
    """The record changed since it was read: its version is not the ``expected_version``."""

    code = 16
    code_name = "CONFLICT"


#: Code name → class; the native module picks the class of an engine error here.
_BY_CODE_NAME: dict[str, type[CrmError]] = {
    cls.code_name: cls
    for cls in (
        InvalidArgumentError,
        InvalidInputError,
        NotFoundError,
        AlreadyExistsError,
        ConstraintError,
        StorageError,
        NotADatabaseError,
        SchemaTooNewError,
        BusyError,
        PermissionDeniedError,
        IllegalTransitionError,
        ParseError,
        NotConvergedError,
        UnsupportedError,
        InternalError,
        ConflictError,
    )
}
