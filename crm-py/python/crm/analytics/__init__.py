"""Analytics on crm data — pure functions and estimators over columns (numpy arrays, pandas
DataFrames), usable on any data, not only a crm store.

Tests on proportions (the statistics of an A/B campaign), with statsmodels' and scipy's
signatures and numbers (see :mod:`crm.analytics.proportions`)::

    from crm.analytics import proportions_ztest, chi2_contingency, confint_proportions_2indep

    z, p = proportions_ztest([120, 100], [1000, 1000])          # variant, control
    stat, p, dof, expected = chi2_contingency([[120, 880], [100, 900]])
    low, upp = confint_proportions_2indep(120, 1000, 100, 1000)  # Newcombe, 95 %

Market-basket analysis with mlxtend's names and DataFrames, on long-format transactions or
mlxtend's one-hot frames (see :mod:`crm.analytics.frequent_patterns`)::

    from crm.analytics import frequent_itemsets, association_rules, recommend

    sets = frequent_itemsets(lines, 0.01, basket_col="order_id", item_col="sku")
    rules = association_rules(sets, metric="lift", min_threshold=1.2)
    recommend(rules, ["tea", "cup"], n=5)
"""

from crm.analytics.frequent_patterns import (
    ALGORITHMS,
    RULE_METRICS,
    apriori,
    association_rules,
    eclat,
    fpgrowth,
    frequent_itemsets,
    recommend,
)
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
    "frequent_itemsets",
    "apriori",
    "fpgrowth",
    "eclat",
    "association_rules",
    "recommend",
    "ALGORITHMS",
    "RULE_METRICS",
]
