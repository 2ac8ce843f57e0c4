"""Tests on proportions — the statistics of an A/B campaign — with statsmodels' and scipy's
signatures and numbers.

Each function reproduces a named function of statsmodels or scipy formula for formula (checked
to 1e-9 against reference values computed with them), on counts: arm 1 (the variant) converted
``count1`` of ``nobs1``, arm 2 (the control) ``count2`` of ``nobs2``:

==================================  ===============================================================
crm.analytics                       matches
==================================  ===============================================================
:func:`proportions_ztest`           ``statsmodels.stats.proportion.proportions_ztest``
:func:`chi2_contingency`            ``scipy.stats.chi2_contingency``
:func:`confint_proportions_2indep`  ``statsmodels.stats.proportion.confint_proportions_2indep``
:func:`proportion_effectsize`       ``statsmodels.stats.proportion.proportion_effectsize``
:func:`samplesize_proportions_2indep`  ``NormalIndPower().solve_power(effect_size=h, nobs1=None, …)``
==================================  ===============================================================

Differences from statsmodels and scipy (all refused with a clear error rather than answered
differently):

- Counts are integers (``int`` or an integer numpy dtype); a float count is
  :class:`InvalidArgumentError`.
- :func:`proportions_ztest` is the two-sample test with ``value=0`` and the pooled variance
  (``prop_var=False``) only; a one-sample test, ``value != 0``, ``prop_var`` or more than two
  samples are :class:`UnsupportedError`.
- :func:`chi2_contingency` takes two-dimensional tables only and has no ``lambda_``.
- :func:`confint_proportions_2indep` offers ``compare="diff"`` with ``method="wald"`` or
  ``"newcomb"`` (statsmodels' default); other methods and comparisons are
  :class:`UnsupportedError`.
- :func:`samplesize_proportions_2indep` solves statsmodels' power equation to full precision,
  where ``solve_power`` stops its root finder at 1e-5: the two agree to about 1e-7 relative.

Invalid values (a count above its total, an empty arm, alpha outside (0, 1) …) raise
:class:`InvalidInputError` (a ``ValueError``) naming the parameter.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from crm import _crm
from crm.exceptions import InvalidArgumentError, UnsupportedError

__all__ = [
    "proportions_ztest",
    "chi2_contingency",
    "Chi2ContingencyResult",
    "confint_proportions_2indep",
    "proportion_effectsize",
    "samplesize_proportions_2indep",
    "samplesize_proportions_2indep_ceil",
    "samplesize_mde",
    "ALTERNATIVES",
    "CONFINT_METHODS",
]

#: The alternatives of the tests, in statsmodels' spelling.
ALTERNATIVES: tuple[str, ...] = tuple(_crm.ALTERNATIVES)
#: The interval methods of :func:`confint_proportions_2indep`.
CONFINT_METHODS: tuple[str, ...] = tuple(_crm.CONFINT_METHODS)

# statsmodels' other methods for a difference: valid there, not offered here.
_OTHER_DIFF_METHODS = ("agresti-caffo", "score")


def _pair(values: Any, what: str) -> Any:
    """Two counts (arm 1, arm 2) as a list or an int64 array; one count or three are a
    one-sample or k-sample test, which this library does not offer."""
    if np.ndim(values) == 0:
        raise UnsupportedError(
            f"{what}: the one-sample test is not supported; pass two counts (variant, control)"
        )
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise InvalidArgumentError(f"{what}: expected two counts, got shape {arr.shape}")
    if len(arr) != 2:
        raise UnsupportedError(
            f"{what}: only two samples are supported, got {len(arr)}"
        )
    if arr.dtype.kind in "iu":
        return np.ascontiguousarray(arr, dtype=np.int64)
    return list(values)


def proportions_ztest(
    count: Any,
    nobs: Any,
    value: float | None = None,
    alternative: str = "two-sided",
    prop_var: bool = False,
) -> tuple[float, float]:
    """Two-sample z-test of H0: p1 = p2 with the pooled variance; returns ``(zstat, pvalue)``
    as ``statsmodels.stats.proportion.proportions_ztest(count, nobs, value, alternative,
    prop_var)`` does::

        z, p = crm.analytics.proportions_ztest([120, 100], [1000, 1000])   # variant, control

    Args:
        count: successes of the two arms, ``[c1, c2]``.
        nobs: trials of the two arms, ``[n1, n2]``.
        value: the difference under H0; only ``None`` or 0 (statsmodels' default for two
            samples).
        alternative: ``"two-sided"`` (p1 ≠ p2), ``"larger"`` (p1 > p2) or ``"smaller"``.
        prop_var: only ``False`` (the pooled variance).

    When both arms converted nobody (or everybody) the pooled variance is 0: the statistic and
    p-value are NaN, as in statsmodels.

    Raises:
        InvalidInputError: a count negative or above its total, a total not positive, an
            unknown alternative.
        UnsupportedError: a one-sample test, more than two samples, ``value != 0`` or
            ``prop_var``.
        InvalidArgumentError: a count that is not an integer.
    """
    if value is not None and value != 0:
        raise UnsupportedError(
            f"value: only a difference of 0 under H0 is supported, got {value!r}"
        )
    if prop_var is not False:
        raise UnsupportedError("prop_var: only the pooled variance (prop_var=False) is supported")
    z, p, *_ = _crm.proportions_ztest_2samp(
        _pair(count, "count"), _pair(nobs, "nobs"), alternative
    )
    return z, p


class Chi2ContingencyResult(NamedTuple):
    """The result of :func:`chi2_contingency`, like scipy's: unpacks as
    ``statistic, pvalue, dof, expected_freq``."""

    statistic: float
    """Pearson's chi-square statistic (after Yates' correction when it applies)."""
    pvalue: float
    """P(chi2(dof) > statistic)."""
    dof: int
    """Degrees of freedom, (rows - 1)(cols - 1)."""
    expected_freq: np.ndarray
    """Expected frequencies under independence, the table's shape (float64)."""


def chi2_contingency(observed: Any, correction: bool = True) -> Chi2ContingencyResult:
    """Chi-square test of independence on a two-dimensional contingency table of counts, as
    ``scipy.stats.chi2_contingency(observed, correction)``::

        # rows: variant, control; columns: converted, not converted
        stat, p, dof, expected = crm.analytics.chi2_contingency([[120, 880], [100, 900]])

    With ``correction`` and one degree of freedom (a 2×2 table), Yates' continuity correction
    is applied, as scipy does. A table with one row or one column has statistic 0 and p-value 1.

    Raises:
        InvalidInputError: a negative count, or a row or column whose total is 0 (an expected
            frequency of 0, which scipy refuses too).
        InvalidArgumentError: a table that is not two-dimensional or has no cells, counts
            that are not integers, ``correction`` that is not a bool.
    """
    try:
        table = np.asarray(observed)
    except ValueError as e:  # a ragged table
        raise InvalidArgumentError(
            f"observed: rows must be of equal length ({e})"
        ) from None
    if table.ndim != 2:
        raise InvalidArgumentError(
            f"observed: expected a two-dimensional table, got {table.ndim} dimension(s)"
        )
    if table.dtype.kind in "iu":
        cells: Any = np.ascontiguousarray(table, dtype=np.int64).ravel()
    elif table.dtype.kind == "O" or table.size == 0:
        cells = table.ravel().tolist()
    else:
        raise InvalidArgumentError(
            f"observed: counts must be integers, got dtype {table.dtype}"
        )
    statistic, pvalue, dof, expected, rows, cols = _crm.chi2_contingency(
        cells, table.shape[1], correction
    )
    return Chi2ContingencyResult(statistic, pvalue, dof, expected.reshape(rows, cols))


def confint_proportions_2indep(
    count1: int,
    nobs1: int,
    count2: int,
    nobs2: int,
    method: str | None = None,
    compare: str = "diff",
    alpha: float = 0.05,
    correction: bool = True,
) -> tuple[float, float]:
    """Two-sided ``1 - alpha`` confidence interval ``(low, upp)`` for p1 - p2, as
    ``statsmodels.stats.proportion.confint_proportions_2indep(count1, nobs1, count2, nobs2,
    method, compare="diff", alpha)``::

        low, upp = crm.analytics.confint_proportions_2indep(120, 1000, 100, 1000)

    Args:
        method: ``"newcomb"`` (the default, Newcombe's hybrid Wilson score interval, which
            keeps its coverage for small counts) or ``"wald"`` (not clipped to [-1, 1], as in
            statsmodels).
        compare: only ``"diff"``.
        correction: as in statsmodels, it affects only the ``score`` method, which is not
            offered; accepted for compatibility.

    Raises:
        InvalidInputError: a count negative or above its total, a total not positive, alpha
            outside (0, 1), an unknown method.
        UnsupportedError: ``compare`` other than ``"diff"``; statsmodels' ``agresti-caffo`` and
            ``score`` methods.
    """
    if compare != "diff":
        raise UnsupportedError(f"compare: only 'diff' is supported, got {compare!r}")
    if not isinstance(correction, (bool, np.bool_)):
        raise InvalidArgumentError(
            f"correction: expected bool, got {type(correction).__name__}"
        )
    if method is None:
        method = "newcomb"
    if isinstance(method, str) and method.strip().lower() in _OTHER_DIFF_METHODS:
        raise UnsupportedError(
            f"method: {method!r} is not supported (supported: {', '.join(CONFINT_METHODS)})"
        )
    return _crm.confint_proportions_2indep_diff(count1, nobs1, count2, nobs2, method, alpha)


def proportion_effectsize(prop1: Any, prop2: Any, method: str = "normal") -> Any:
    """Cohen's h, the effect size of two proportions on the arcsine scale,
    ``2 * (asin(sqrt(prop1)) - asin(sqrt(prop2)))``, as
    ``statsmodels.stats.proportion.proportion_effectsize``. Scalars give a float; array-likes
    broadcast and give an ndarray.

    Raises:
        InvalidInputError: a proportion outside [0, 1] or NaN.
        UnsupportedError: a ``method`` other than ``"normal"``.
    """
    if method != "normal":
        raise UnsupportedError(f"method: only 'normal' is implemented, got {method!r}")
    if np.ndim(prop1) == 0 and np.ndim(prop2) == 0:
        return _crm.proportion_effectsize(_real(prop1), _real(prop2))
    a, b = np.broadcast_arrays(np.asarray(prop1), np.asarray(prop2))
    out = np.empty(a.shape, dtype=np.float64)
    for i in np.ndindex(a.shape):
        out[i] = _crm.proportion_effectsize(_real(a[i]), _real(b[i]))
    return out


def _real(x: Any) -> Any:
    """numpy scalars as Python numbers (the native module checks the type)."""
    return x.item() if isinstance(x, np.generic) else x


def samplesize_proportions_2indep(
    p1: float,
    p2: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> float:
    """The observations arm 1 needs (arm 2 gets ``ratio`` times as many) for a two-sample
    z-test on proportions ``p1`` and ``p2`` to reach ``power`` at level ``alpha``, not rounded:
    what ``NormalIndPower().solve_power(effect_size=proportion_effectsize(p1, p2), nobs1=None,
    alpha=alpha, power=power, ratio=ratio, alternative=...)`` solves::

        crm.analytics.samplesize_proportions_2indep(0.12, 0.10)   # 3834.59…

    Raises:
        InvalidInputError: a proportion outside [0, 1], ``p1 == p2``, alpha or power outside
            (0, 1), power ≤ alpha, a ratio that is not positive, a one-sided alternative
            pointing away from the effect.
    """
    return _crm.samplesize_proportions_2indep(
        _real(p1), _real(p2), _real(alpha), _real(power), _real(ratio), alternative
    )


def samplesize_proportions_2indep_ceil(
    p1: float,
    p2: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> tuple[int, int]:
    """:func:`samplesize_proportions_2indep` in whole observations: ``(n1, n2)`` with
    ``n1 = ceil(nobs1)`` and ``n2 = ceil(ratio * nobs1)``."""
    return _crm.samplesize_proportions_2indep_ceil(
        _real(p1), _real(p2), _real(alpha), _real(power), _real(ratio), alternative
    )


def samplesize_mde(
    baseline: float,
    mde: float,
    alpha: float = 0.05,
    power: float = 0.8,
    ratio: float = 1.0,
    alternative: str = "two-sided",
) -> float:
    """:func:`samplesize_proportions_2indep` for a ``baseline`` rate (the control's) and a
    minimum detectable effect ``mde``, an absolute change (the variant's rate is
    ``baseline + mde``; negative for a drop)."""
    return _crm.samplesize_mde(
        _real(baseline), _real(mde), _real(alpha), _real(power), _real(ratio), alternative
    )

