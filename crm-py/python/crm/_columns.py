"""Columns across the boundary, shared by the bulk paths (``add_many``, the ``*_frame`` methods).

Going in, a DataFrame or a dict of columns is brought into the shape the native module reads:
integer and datetime columns as contiguous ``int64`` numpy arrays (no Python object per value),
small vocabularies (currencies, statuses) as ``(codes, values)`` pairs, text as lists with
``None`` for missing values. Coming out, int64 microseconds become ``datetime64[us, UTC]``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from crm.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

#: Marks a missing value in an int64 column (numpy's NaT has the same bits).
MISSING_INT = -(2**63)
_INT64_MAX = 2**63 - 1


def column_items(data: Any, what: str, *, scalars: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """The ``(name, column)`` pairs of a DataFrame or a dict of columns. Each column is a
    list-like (list, numpy array, Series …); the columns named in ``scalars`` may also be a single
    str, meaning that value for every row."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        if not data.columns.is_unique:
            dupes = sorted({str(c) for c in data.columns[data.columns.duplicated()]})
            raise InvalidArgumentError(f"{what}: duplicate column(s) {', '.join(dupes)}")
        items = [(key, data[key]) for key in data.columns]
    elif isinstance(data, Mapping):
        items = list(data.items())
    else:
        raise InvalidArgumentError(
            f"{what}: expected a pandas DataFrame or a dict of columns, got {type(data).__name__}"
        )
    for key, column in items:
        if not isinstance(key, str):
            raise InvalidArgumentError(f"{what}: column names must be str, got {key!r}")
        if key in scalars and isinstance(column, str):
            continue
        if isinstance(column, (str, bytes, Mapping)) or not pd.api.types.is_list_like(column):
            raise InvalidArgumentError(
                f"column {key}: expected a list, numpy array or Series, "
                f"got {type(column).__name__}"
            )
    return items


def series(column: Any) -> pd.Series:
    """A column as a pandas Series (a Series is kept as it is)."""
    import numpy as np
    import pandas as pd

    if isinstance(column, pd.Series):
        return column
    if isinstance(column, np.ndarray) and column.ndim != 1:
        raise InvalidArgumentError(f"expected a 1-dimensional column, got shape {column.shape}")
    if isinstance(column, (np.ndarray, pd.Index, pd.api.extensions.ExtensionArray, list)):
        return pd.Series(column)
    return pd.Series(list(column))


def object_column(column: Any) -> list[Any]:
    """The values as a list, with None for every missing value (None, NaN, ``pd.NA``, NaT)."""
    import pandas as pd

    values = series(column).to_numpy(dtype=object, copy=True)
    values[pd.isna(values)] = None
    return values.tolist()


def time_column(column: Any) -> Any:
    """A datetime64 column (naive = UTC, tz-aware converted) as int64 µs since the epoch, UTC
    (NaT stays the smallest int64, read as missing); any other column as a list of values."""
    import numpy as np
    import pandas as pd

    s = series(column)
    dtype = s.dtype
    if isinstance(dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
        dtype = s.dtype
    if pd.api.types.is_datetime64_dtype(dtype):
        micros = s.to_numpy(dtype="datetime64[us]").view(np.int64)
        return np.ascontiguousarray(micros)
    return object_column(s)


def int_column(column: Any, name: str, *, nullable: bool = False) -> Any:
    """An integer column as a contiguous int64 array; with ``nullable``, missing values become
    :data:`MISSING_INT`. Integer dtypes (numpy, pandas' nullable ``Int64`` …) convert without a
    Python object per value. A float column is refused (money is exact minor units; the message
    names the first missing or fractional value), except for a ``nullable`` column of whole
    numbers and NaN (pandas' way of storing ints with gaps).
    Any other column goes as a list, whose values the native module checks one by one."""
    import numpy as np
    import pandas as pd

    s = series(column)
    dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype):
        raise InvalidArgumentError(f"column {name}: expected integers, got {dtype}")
    if pd.api.types.is_integer_dtype(dtype):
        if not isinstance(dtype, np.dtype):  # pandas' nullable integers may hold NA
            missing = s.isna().to_numpy()
            if missing.any() and not nullable:
                row = int(missing.argmax())
                raise InvalidArgumentError(f"column {name}, row {row}: a value is required")
        if dtype.kind == "u" and len(s) and int(s.max()) > _INT64_MAX:
            raise InvalidArgumentError(f"column {name}: a value does not fit in 64 bits")
        if isinstance(dtype, np.dtype):
            return np.ascontiguousarray(s.to_numpy(dtype=np.int64))
        return np.ascontiguousarray(s.to_numpy(dtype=np.int64, na_value=MISSING_INT))
    if pd.api.types.is_float_dtype(dtype):
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        missing = np.isnan(values)
        whole = ~missing & (values == np.trunc(values)) & (np.abs(values) < 2.0**63)
        bad = ~missing & ~whole
        if bad.any():
            row = int(bad.argmax())
            raise InvalidArgumentError(
                f"column {name}, row {row}: expected int, got float {float(values[row])!r}"
            )
        if not nullable:
            if missing.any():
                row = int(missing.argmax())
                raise InvalidArgumentError(f"column {name}, row {row}: a value is required")
            raise InvalidArgumentError(
                f"column {name}: expected integers, got {dtype} (convert with .astype('int64'))"
            )
        out = np.full(len(values), MISSING_INT, dtype=np.int64)
        out[whole] = values[whole].astype(np.int64)
        return out
    return object_column(s)


def coded_column(column: Any) -> Any:
    """A column of a small vocabulary (currencies, statuses): a single str as it is, any other
    column as ``(codes, values)`` — int64 codes into the list of distinct values, -1 where a
    value is missing — so that each distinct value crosses once."""
    import numpy as np
    import pandas as pd

    if isinstance(column, str):
        return column
    codes, uniques = pd.factorize(series(column), use_na_sentinel=True)
    return (np.ascontiguousarray(codes, dtype=np.int64), list(uniques))


def times(micros: np.ndarray) -> pd.arrays.DatetimeArray:
    """int64 µs since the epoch as a ``datetime64[us, UTC]`` array."""
    import pandas as pd

    return pd.array(micros.view("datetime64[us]")).tz_localize("UTC")


def text(values: list[str | None]) -> Any:
    """Text as pandas' string dtype (missing values NaN)."""
    import pandas as pd

    return pd.array(values, dtype="str")
