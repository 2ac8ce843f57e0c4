"""Analytics on crm data — pure functions and estimators over columns (numpy arrays, pandas
DataFrames), usable on any data, not only a crm store.

Tests on proportions (the statistics of an A/B campaign), with statsmodels' and scipy's
signatures and numbers (see :mod:`crm.analytics.proportions`)::

    from crm.analytics import proportions_ztest, chi2_contingency, confint_proportions_2indep

    z, p = proportions_ztest([120, 100], [1000, 1000])          # variant, control
    stat, p, dof, expected = chi2_contingency([[120, 880], [100, 900]])
    low, upp = confint_proportions_2indep(120, 1000, 100, 1000)  # Newcombe, 95 %
"""

from crm.analytics.proportions import (
    ALTERNATIVES,
    CONFINT_METHODS,
    Chi2ContingencyResult,
    chi2_contingency,
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
    samplesize_mde,
    samplesize_proportions_2indep,
    samplesize_proportions_2indep_ceil,
)

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
