"""Market-basket analysis — frequent itemsets (Apriori, FP-Growth, Eclat), association rules and
recommendations — returning mlxtend's DataFrames.

::

    from crm.analytics import frequent_itemsets, association_rules, recommend

    # long format: one row per (basket, item), as transaction data comes
    lines = pd.DataFrame({"order": [1, 1, 2, 2, 3], "sku": ["tea", "cup", "tea", "pot", "tea"]})
    sets = frequent_itemsets(lines, min_support=0.5)              # support, itemsets
    rules = association_rules(sets, metric="lift", min_threshold=1.0)
    recommend(rules, ["cup"], n=3)                                # item, score, antecedents

    # mlxtend's names, signatures and one-hot input work as they are
    from crm.analytics import apriori, fpgrowth
    sets = fpgrowth(one_hot_frame, min_support=0.6, use_colnames=True)

The mining runs in the native library with the GIL released; labels cross as integer codes
(``pandas.factorize``), so memory stays close to the data's size at any support.

Input (``data``) may be:

- a **long-format DataFrame**: ``basket_col`` and ``item_col`` name its columns; a frame of two
  columns is long format by default (first column the basket, second the item);
- a **pair** ``(baskets, items)`` of equally long array-likes (a tuple);
- mlxtend's **one-hot DataFrame**: one row per basket, one column per item, every column
  ``bool`` (numpy or pandas' ``boolean``), or **sparse** (``pd.arrays.SparseArray`` columns, as
  ``DataFrame.sparse`` makes them) holding only 0/1 or True/False. A dense frame of 0/1
  integers is not taken for one-hot (a two-column one is long format): convert it with
  ``df.astype(bool)``.

Items and baskets may be labelled with ints, strings or any hashable value; an item repeated
within a basket counts once. Supports are relative to the number of baskets (rows of a one-hot
frame, even empty ones; distinct basket labels of long input).

Differences from mlxtend (results are the same itemsets, supports and rule metrics):

- Itemsets come in one fixed order: by length, then by item code (mlxtend's order depends on
  the algorithm). Rules come in the order of their itemset, larger antecedents first.
- ``use_colnames=False`` gives column positions for one-hot input, as mlxtend does, and for long
  input the items' codes in order of first appearance in the data.
- ``verbose`` and ``low_memory`` are accepted and ignored: there is no memory mode to choose.
- :func:`association_rules` has no missing-value mode (``df_orig``, ``null_values``); an
  itemset table missing a subset's support raises :class:`InvalidInputError` (a
  ``ValueError``; mlxtend raises ``KeyError``).

Errors: ``min_support`` outside (0, 1] or NaN, ``max_len`` below 1, no baskets, a missing label
(NaN / None), an unknown algorithm or metric raise :class:`InvalidInputError`; data of a shape
or type that cannot be read raises :class:`InvalidArgumentError`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np

from crm import _columns, _crm
from crm.exceptions import InvalidArgumentError, InvalidInputError, UnsupportedError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "frequent_itemsets",
    "apriori",
    "fpgrowth",
    "eclat",
    "association_rules",
    "recommend",
    "ALGORITHMS",
    "RULE_METRICS",
]

#: The frequent-itemset algorithms (``algorithm=``); all three give the same itemsets.
ALGORITHMS: tuple[str, ...] = tuple(_crm.BASKET_ALGORITHMS)
#: The metric columns of :func:`association_rules`, in mlxtend's order (``metric=`` names).
RULE_METRICS: tuple[str, ...] = tuple(_crm.RULE_METRICS)


# ---------------------------------------------------------------- codes and labels


def _objects(values: Iterable[Any], n: int) -> np.ndarray:
    """An object array of ``values`` (one element each, even when a value is a tuple)."""
    return np.fromiter(values, dtype=object, count=n)


def _factorize(values: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    """``(codes, labels)``: int64 codes in order of first appearance and the labels in code
    order (an object array). A missing value (NaN, None, NaT) is refused, naming its row."""
    import pandas as pd

    try:
        codes, uniques = pd.factorize(values)
    except TypeError as e:
        raise InvalidArgumentError(f"{what}: the labels cannot be read ({e})") from None
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        raise InvalidInputError(
            f"invalid {what} at row {int(missing[0])}: a missing label (NaN or None); "
            "every row needs a label"
        )
    labels = uniques.tolist() if hasattr(uniques, "tolist") else list(uniques)
    return codes, _objects(labels, len(labels))


def _sets(offsets: np.ndarray, items: np.ndarray, labels: np.ndarray) -> list[frozenset]:
    """Frozensets of labels from CSR codes: set ``k`` is ``items[offsets[k]:offsets[k + 1]]``."""
    flat = labels[items].tolist() if len(items) else []
    bounds = offsets.tolist()
    return [frozenset(flat[a:b]) for a, b in zip(bounds, bounds[1:])]


def _tuples(offsets: np.ndarray, items: np.ndarray, labels: np.ndarray) -> list[tuple]:
    """As :func:`_sets`, as tuples in the order given."""
    flat = labels[items].tolist() if len(items) else []
    bounds = offsets.tolist()
    return [tuple(flat[a:b]) for a, b in zip(bounds, bounds[1:])]


def _csr_of_sets(sets: Any, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Itemsets (any iterables of labels, e.g. frozensets) as ``(offsets, codes, labels)``."""
    try:
        lengths = np.fromiter((len(s) for s in sets), dtype=np.int64, count=len(sets))
        flat = list(chain.from_iterable(sets))
    except TypeError as e:
        raise InvalidArgumentError(
            f"{what}: expected a collection of itemsets (frozensets of items), got {e}"
        ) from None
    codes, labels = _factorize(_objects(flat, len(flat)), what)
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return offsets, codes, labels


# ---------------------------------------------------------------- input shapes


def _is_sparse(dtype: Any) -> bool:
    import pandas as pd

    return isinstance(dtype, pd.SparseDtype)


def _is_bool(dtype: Any) -> bool:
    import pandas as pd

    return (isinstance(dtype, np.dtype) and dtype.kind == "b") or isinstance(
        dtype, pd.BooleanDtype
    )


def _is_one_hot(df: pd.DataFrame) -> bool:
    """mlxtend's shape: every column bool, or sparse (checked for 0/1 when read)."""
    return all(_is_bool(dt) or _is_sparse(dt) for dt in df.dtypes)


def _one_hot_positions(col: pd.Series, name: Any) -> np.ndarray:
    """The rows where a one-hot column is set, ascending (int64)."""
    import pandas as pd

    def refuse(what: str) -> InvalidInputError:
        return InvalidInputError(
            f"invalid one-hot column {name!r}: {what}; a one-hot frame holds only "
            "True/False (or 0/1)"
        )

    if _is_sparse(col.dtype):
        arr = col.array
        fill = arr.fill_value
        values = np.asarray(arr.sp_values)
        if values.dtype.kind not in "biuf":
            raise refuse(f"values of dtype {values.dtype}")
        if pd.isna(fill) or (values.dtype.kind == "f" and np.isnan(values).any()):
            raise refuse("missing values (NaN)")
        if not np.isin(values, (0, 1)).all() or fill not in (0, 1):
            raise refuse("values other than 0 and 1")
        if fill:
            # Set by default: the stored values are the exceptions; rare, so densify.
            return np.flatnonzero(np.asarray(arr, dtype=bool)).astype(np.int64)
        return np.asarray(arr.sp_index.indices, dtype=np.int64)[values != 0]
    if col.isna().any():
        raise refuse("missing values (NA)")
    return np.flatnonzero(col.to_numpy(dtype=bool)).astype(np.int64)


def _miner(
    data: Any, basket_col: Hashable | None, item_col: Hashable | None, use_colnames: bool
) -> tuple[Any, np.ndarray]:
    """``(mine, labels)``: ``mine(min_support, max_len, algorithm)`` runs the native miner on
    ``data``; ``labels`` maps its item codes to what the itemsets hold."""
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        if basket_col is not None or item_col is not None:
            if basket_col is None or item_col is None:
                raise InvalidArgumentError(
                    "basket_col and item_col go together: name both columns of the long format"
                )
            for what, col in (("basket_col", basket_col), ("item_col", item_col)):
                if col not in data.columns:
                    raise InvalidArgumentError(
                        f"{what}: no column {col!r} (columns: {list(data.columns)})"
                    )
            return _long(data[basket_col], data[item_col], use_colnames)
        if _is_one_hot(data):
            return _one_hot(data, use_colnames)
        if data.shape[1] == 2:
            return _long(data.iloc[:, 0], data.iloc[:, 1], use_colnames)
        raise InvalidArgumentError(
            f"data: a DataFrame of {data.shape[1]} columns is neither long format (name its "
            "basket_col and item_col) nor one-hot (every column bool, or sparse 0/1; convert "
            "a 0/1 frame with df.astype(bool))"
        )
    if isinstance(data, tuple):
        if len(data) != 2:
            raise InvalidArgumentError(
                f"data: expected a pair (baskets, items), got a tuple of {len(data)}"
            )
        if basket_col is not None or item_col is not None:
            raise InvalidArgumentError("basket_col and item_col name columns of a DataFrame")
        baskets, items = (_column(v, what) for v, what in zip(data, ("baskets", "items")))
        return _long(baskets, items, use_colnames)
    raise InvalidArgumentError(
        "data: expected a DataFrame (long format or one-hot) or a pair (baskets, items), "
        f"got {type(data).__name__}"
    )


def _column(values: Any, what: str) -> Any:
    """One side of a ``(baskets, items)`` pair: a one-dimensional array-like."""
    import pandas as pd

    if isinstance(values, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        return values
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise InvalidArgumentError(
            f"{what}: expected an array or a list of labels, got {type(values).__name__}"
        )
    arr = np.asarray(values) if isinstance(values, np.ndarray) else _objects(values, len(values))
    if arr.ndim != 1:
        raise InvalidArgumentError(f"{what}: expected one dimension, got shape {arr.shape}")
    return arr


def _long(baskets: Any, items: Any, use_colnames: bool) -> tuple[Any, np.ndarray]:
    if len(baskets) != len(items):
        raise InvalidArgumentError(
            f"baskets and items differ in length ({len(baskets)} and {len(items)})"
        )
    basket_codes, _ = _factorize(baskets, "basket")
    item_codes, labels = _factorize(items, "item")
    if not use_colnames:
        labels = _objects(range(len(labels)), len(labels))

    def mine(min_support: Any, max_len: Any, algorithm: Any) -> dict[str, Any]:
        return _crm.frequent_itemsets_long(
            basket_codes, item_codes, len(labels), min_support, max_len, algorithm
        )

    return mine, labels


def _one_hot(df: pd.DataFrame, use_colnames: bool) -> tuple[Any, np.ndarray]:
    n_rows, n_cols = df.shape
    names = list(df.columns) if use_colnames else list(range(n_cols))
    labels = _objects(names, n_cols)
    if not any(_is_sparse(dt) for dt in df.dtypes):
        if any(not isinstance(dt, np.dtype) for dt in df.dtypes) and df.isna().any().any():
            bad = df.columns[df.isna().any()][0]
            raise InvalidInputError(
                f"invalid one-hot column {bad!r}: missing values (NA); a one-hot frame holds "
                "only True/False"
            )
        cells = np.ascontiguousarray(df.to_numpy(dtype=bool))

        def mine_dense(min_support: Any, max_len: Any, algorithm: Any) -> dict[str, Any]:
            return _crm.frequent_itemsets_dense(cells, min_support, max_len, algorithm)

        return mine_dense, labels

    # Sparse (or mixed): the set cells of each column, then rows gathered into CSR.
    rows = [_one_hot_positions(df.iloc[:, j], df.columns[j]) for j in range(n_cols)]
    cols = [np.full(len(r), j, dtype=np.int64) for j, r in enumerate(rows)]
    row = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    col = np.concatenate(cols) if cols else np.empty(0, dtype=np.int64)
    order = np.argsort(row, kind="stable")
    indices = np.ascontiguousarray(col[order])
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(row, minlength=n_rows), out=indptr[1:])

    def mine_csr(min_support: Any, max_len: Any, algorithm: Any) -> dict[str, Any]:
        return _crm.frequent_itemsets_csr(indptr, indices, n_cols, min_support, max_len, algorithm)

    return mine_csr, labels


def _itemsets_frame(found: dict[str, Any], labels: np.ndarray) -> pd.DataFrame:
    import pandas as pd

    sets = _sets(found["offsets"], found["items"], labels)
    return pd.DataFrame(
        {
            "support": np.asarray(found["support"], dtype=np.float64),
            "itemsets": pd.Series(sets, dtype=object),
        }
    )


# ---------------------------------------------------------------- frequent itemsets


def frequent_itemsets(
    data: Any,
    min_support: float,
    algorithm: str = "fpgrowth",
    max_len: int | None = None,
    use_colnames: bool = True,
    basket_col: Hashable | None = None,
    item_col: Hashable | None = None,
) -> pd.DataFrame:
    """The itemsets held by at least ``min_support`` of the baskets, as mlxtend's DataFrame::

        sets = crm.analytics.frequent_itemsets(lines, 0.01, basket_col="order", item_col="sku")
        sets[sets["itemsets"].map(len) > 1].nlargest(10, "support")

    Args:
        data: long-format DataFrame, ``(baskets, items)`` tuple, or one-hot DataFrame (dense
            bool or sparse 0/1); see the module's documentation.
        min_support: the smallest share of baskets an itemset must be in, in (0, 1]; an
            itemset qualifies when ``count / n_baskets >= min_support``, as in mlxtend.
        algorithm: ``"fpgrowth"`` (the default), ``"apriori"`` or ``"eclat"``; the results are
            identical, only the speed differs.
        max_len: the longest itemset wanted (``None``: no limit).
        use_colnames: itemsets of labels (the default here); ``False``: of column positions for
            one-hot input, of item codes in order of first appearance for long input.
        basket_col, item_col: the columns of a long-format DataFrame.

    Returns:
        A DataFrame with columns ``support`` (float64) and ``itemsets`` (frozensets), ordered by
        itemset length, then by item code.

    Raises:
        InvalidInputError: ``min_support`` outside (0, 1] or NaN, ``max_len`` below 1, no
            baskets, a missing label, a one-hot value other than 0/1, an unknown algorithm.
        InvalidArgumentError: ``data`` of another shape or type, columns that do not exist.
    """
    mine, labels = _miner(data, basket_col, item_col, use_colnames)
    return _itemsets_frame(mine(min_support, max_len, algorithm), labels)


def apriori(
    df: Any,
    min_support: float = 0.5,
    use_colnames: bool = False,
    max_len: int | None = None,
    verbose: int = 0,
    low_memory: bool = False,
) -> pd.DataFrame:
    """``mlxtend.frequent_patterns.apriori`` with the same signature and defaults: the frequent
    itemsets of ``df`` by level-wise candidate counting. ``verbose`` and ``low_memory`` are
    ignored. ``df`` may be any input :func:`frequent_itemsets` takes."""
    return frequent_itemsets(df, min_support, "apriori", max_len, use_colnames)


def fpgrowth(
    df: Any,
    min_support: float = 0.5,
    use_colnames: bool = False,
    max_len: int | None = None,
    verbose: int = 0,
) -> pd.DataFrame:
    """``mlxtend.frequent_patterns.fpgrowth`` with the same signature and defaults: the frequent
    itemsets of ``df`` by FP-Growth. ``verbose`` is ignored. ``df`` may be any input
    :func:`frequent_itemsets` takes."""
    return frequent_itemsets(df, min_support, "fpgrowth", max_len, use_colnames)


def eclat(
    df: Any,
    min_support: float = 0.5,
    use_colnames: bool = False,
    max_len: int | None = None,
    verbose: int = 0,
) -> pd.DataFrame:
    """As :func:`fpgrowth`, by Eclat (vertical tid-lists and diffsets). ``verbose`` is
    ignored."""
    return frequent_itemsets(df, min_support, "eclat", max_len, use_colnames)


# ---------------------------------------------------------------- rules


def _rules_frame(
    found: dict[str, Any], labels: np.ndarray, metrics: Sequence[str]
) -> pd.DataFrame:
    import pandas as pd

    columns: dict[str, Any] = {
        "antecedents": pd.Series(
            _sets(found["antecedent_offsets"], found["antecedents"], labels), dtype=object
        ),
        "consequents": pd.Series(
            _sets(found["consequent_offsets"], found["consequents"], labels), dtype=object
        ),
    }
    for m in metrics:
        columns[m] = np.asarray(found[m], dtype=np.float64)
    return pd.DataFrame(columns)


def _return_metrics(return_metrics: Any) -> list[str]:
    if return_metrics is None:
        return list(RULE_METRICS)
    if isinstance(return_metrics, str) or not isinstance(return_metrics, Iterable):
        raise InvalidArgumentError(
            f"return_metrics: expected a list of metric names, got {type(return_metrics).__name__}"
        )
    chosen = list(return_metrics)
    unknown = [m for m in chosen if m not in RULE_METRICS]
    if unknown:
        raise InvalidInputError(
            f"invalid return_metrics {unknown!r}: must be among {', '.join(RULE_METRICS)}"
        )
    return chosen


def association_rules(
    df: pd.DataFrame,
    num_itemsets: int | None = None,
    df_orig: pd.DataFrame | None = None,
    null_values: bool = False,
    metric: str = "confidence",
    min_threshold: float = 0.8,
    support_only: bool = False,
    return_metrics: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The association rules of frequent itemsets, as ``mlxtend.frequent_patterns.
    association_rules`` of mlxtend 0.23.4 (same arguments, columns and numbers)::

        rules = crm.analytics.association_rules(sets, metric="lift", min_threshold=1.2)
        rules.sort_values("lift", ascending=False).head(10)

    Every itemset of two or more items gives one candidate rule per non-empty proper subset
    (the antecedent); a rule is kept when its ``metric`` is at least ``min_threshold`` (NaN
    never is).

    Args:
        df: frequent itemsets with columns ``support`` and ``itemsets`` (from
            :func:`frequent_itemsets`, from mlxtend, or built by hand; each itemset any
            collection of labels).
        num_itemsets: the number of transactions (mlxtend's argument). ``None`` is mlxtend
            0.23.4's default of 1; without missing values it only moves the last bit of
            confidence and kulczynski.
        df_orig, null_values: mlxtend's missing-value mode, not offered: only the defaults
            (``None``, ``False``) are accepted.
        metric: the metric ``min_threshold`` applies to, one of :data:`RULE_METRICS`.
        min_threshold: the smallest value of ``metric`` a rule must have.
        support_only: compute the support only (the other columns are NaN); ``metric`` is
            then ignored and the itemsets need not hold every subset.
        return_metrics: the metric columns to return (default: all, in mlxtend's order).

    Returns:
        A DataFrame with columns ``antecedents``, ``consequents`` (frozensets) and the metrics:
        antecedent support, consequent support, support, confidence, lift, representativity,
        leverage, conviction (inf where confidence is 1), zhangs_metric, jaccard, certainty,
        kulczynski.

    Raises:
        InvalidInputError: no itemsets; a support missing for a subset (without
            ``support_only``); a support outside [0, 1]; an unknown metric; ``min_threshold``
            NaN; ``num_itemsets`` below 1.
        InvalidArgumentError: ``df`` without ``support`` and ``itemsets`` columns.
        UnsupportedError: ``df_orig`` or ``null_values`` given.
    """
    import pandas as pd

    if null_values is not False or df_orig is not None:
        raise UnsupportedError(
            "association_rules: mlxtend's missing-value mode (df_orig, null_values) is not "
            "supported; crm's itemsets come from baskets, which have no missing values"
        )
    if not isinstance(df, pd.DataFrame) or not {"support", "itemsets"} <= set(df.columns):
        raise InvalidArgumentError(
            "df: expected a DataFrame of frequent itemsets with columns 'support' and 'itemsets'"
        )
    metrics = _return_metrics(return_metrics)
    offsets, codes, labels = _csr_of_sets(df["itemsets"], "itemsets")
    try:
        support = np.ascontiguousarray(df["support"], dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise InvalidArgumentError(f"support: expected numbers ({e})") from None
    found = _crm.association_rules(
        offsets,
        codes,
        support,
        1 if num_itemsets is None else num_itemsets,
        metric,
        min_threshold,
        support_only,
    )
    return _rules_frame(found, labels, metrics)


# ---------------------------------------------------------------- recommendations


def recommend(
    rules: pd.DataFrame, basket: Iterable[Hashable], n: int = 5, metric: str = "lift"
) -> pd.DataFrame:
    """The top ``n`` items the ``rules`` suggest for ``basket``, best ``metric`` first::

        rules = crm.analytics.association_rules(sets, metric="confidence", min_threshold=0.2)
        crm.analytics.recommend(rules, ["tea", "cup"], n=3)

    A rule applies when the basket holds all of its antecedents; it suggests each of its
    consequents the basket lacks, scored by the rule's ``metric``. An item suggested by several
    rules keeps its best; ties fall to confidence, then support, then the earlier rule / the
    lower item code. Rules whose ``metric`` is NaN are skipped.

    Args:
        rules: association rules (from :func:`association_rules` or mlxtend's): columns
            ``antecedents``, ``consequents`` and the ``metric`` column.
        basket: the items already held (labels as in the rules).
        n: how many items at most.
        metric: the rule metric that ranks, one of :data:`RULE_METRICS`.

    Returns:
        A DataFrame with columns ``item``, ``score`` (float64) and ``antecedents`` (the
        frozenset of the rule that gave the score), best first.

    Raises:
        InvalidArgumentError: ``rules`` without those columns, ``basket`` not a collection.
        InvalidInputError: an unknown metric, ``n`` negative.
    """
    import pandas as pd

    if not isinstance(rules, pd.DataFrame) or not {"antecedents", "consequents"} <= set(
        rules.columns
    ):
        raise InvalidArgumentError(
            "rules: expected a DataFrame of association rules with columns 'antecedents' and "
            "'consequents'"
        )
    if isinstance(metric, str) and metric in RULE_METRICS and metric not in rules.columns:
        raise InvalidArgumentError(f"rules: no column {metric!r} to rank by")
    if isinstance(basket, (str, bytes)) or not isinstance(basket, Iterable):
        raise InvalidArgumentError(
            f"basket: expected a collection of items, got {type(basket).__name__}"
        )
    held = list(basket)
    n_rules = len(rules)
    ants, cons = rules["antecedents"], rules["consequents"]
    # One code space for both sides and the basket.
    offsets, codes, labels = _csr_of_sets(
        list(ants) + list(cons) + [held], "rules and basket"
    )
    a_end, c_end = offsets[n_rules], offsets[2 * n_rules]
    metric_columns = {}
    for m in RULE_METRICS:
        if m in rules.columns:
            try:
                metric_columns[m] = np.ascontiguousarray(rules[m], dtype=np.float64)
            except (TypeError, ValueError) as e:
                raise InvalidArgumentError(f"rules: column {m!r} is not numeric ({e})") from None
    item, score, rule = _crm.recommend_basket(
        offsets[: n_rules + 1],
        codes[:a_end],
        offsets[n_rules : 2 * n_rules + 1] - a_end,
        codes[a_end:c_end],
        metric_columns,
        codes[c_end:],
        n,
        metric,
    )
    return pd.DataFrame(
        {
            "item": pd.Series(labels[item].tolist() if len(item) else [], dtype=object),
            "score": np.asarray(score, dtype=np.float64),
            "antecedents": pd.Series(ants.iloc[rule].tolist(), dtype=object),
        }
    )


# ---------------------------------------------------------------- the store (db.…)


def _store_itemsets(raw: Any, *args: Any) -> pd.DataFrame:
    """``db.frequent_itemsets``: the native columns as a DataFrame of SKUs, ids and names."""
    import pandas as pd

    found = raw.frequent_itemset_columns(*args)
    skus = _objects(found["sku"], len(found["sku"]))
    names = _objects(found["name"], len(found["name"]))
    ids = np.asarray(found["product_id"], dtype=np.int64)
    offsets, items = found["offsets"], found["items"]
    frame = _itemsets_frame(found, skus)
    frame["product_ids"] = pd.Series(_tuples(offsets, items, ids.astype(object)), dtype=object)
    frame["names"] = pd.Series(_tuples(offsets, items, names), dtype=object)
    return frame


def _store_rules(raw: Any, *args: Any) -> pd.DataFrame:
    """``db.association_rules``: the native columns as a rules DataFrame of SKUs, with the
    product names of each side."""
    import pandas as pd

    found = raw.association_rule_columns(*args)
    skus = _objects(found["sku"], len(found["sku"]))
    names = _objects(found["name"], len(found["name"]))
    frame = _rules_frame(found, skus, RULE_METRICS)
    frame["antecedent_names"] = pd.Series(
        _tuples(found["antecedent_offsets"], found["antecedents"], names), dtype=object
    )
    frame["consequent_names"] = pd.Series(
        _tuples(found["consequent_offsets"], found["consequents"], names), dtype=object
    )
    return frame


def _store_recommend(raw: Any, *args: Any) -> pd.DataFrame:
    """``db.recommend``: the native columns as a DataFrame."""
    import pandas as pd

    found = raw.recommend_columns(*args)
    return pd.DataFrame(
        {
            "product_id": np.asarray(found["product_id"], dtype=np.int64),
            "sku": _columns.text(found["sku"]),
            "name": _columns.text(found["name"]),
            "score": np.asarray(found["score"], dtype=np.float64),
            "because_of": pd.Series(found["because_of"], dtype=object),
        }
    )
