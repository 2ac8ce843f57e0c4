"""Reference values for crm_core::analytics::proportions, computed with statsmodels and scipy.

Run through `make reference-proportions` (which builds the pinned venv), or by hand with the
packages of requirements.txt:

    python generate.py [OUTPUT]        # default: proportions.json beside this script

The output is committed; `cargo test -p crm-core --test proportions` reads it, so the Rust tests
never need Python. Floats are written with repr (full precision); NaN and infinities, which JSON
lacks, are written as the strings "nan", "inf" and "-inf". Keys are sorted so that a regeneration
with the same packages gives the same bytes.
"""

import json
import math
import platform
import sys
import warnings
from pathlib import Path

import numpy as np
import scipy
import statsmodels
from scipy import optimize, stats
from statsmodels.stats.power import NormalIndPower
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_effectsize,
    proportions_ztest,
)

HERE = Path(__file__).resolve().parent


def num(x):
    """A float for JSON: repr precision, non-finite values as explicit strings."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


# ---------------------------------------------------------------- A/B count pairs
# (name, [c1, c2], [n1, n2]) — arm 1 is the variant, arm 2 the control.
AB = [
    ("balanced", [120, 100], [1000, 1000]),
    ("unbalanced", [45, 310], [500, 4200]),
    ("tiny_n", [1, 3], [3, 4]),
    ("single_observation_each", [1, 0], [1, 1]),
    ("huge_n_small_lift", [10500, 10000], [1000000, 1000000]),
    ("huge_n_tiny_p_value", [110000, 100000], [1000000, 1000000]),
    ("billion_visitors", [123456789, 123400000], [1000000000, 1000000000]),
    ("p_near_zero", [1, 9], [50000, 50000]),
    ("p_near_one", [49990, 49950], [50000, 50000]),
    ("zero_conversions_variant", [0, 12], [400, 400]),
    ("zero_conversions_control", [7, 0], [250, 900]),
    ("identical_arms", [50, 50], [500, 500]),
    ("identical_rates_unequal_n", [30, 60], [300, 600]),
    ("none_converted", [0, 0], [100, 200]),
    ("all_converted", [10, 20], [10, 20]),
    ("strong_lift", [5000, 4000], [20000, 20000]),
    ("strong_drop", [4000, 5000], [20000, 20000]),
    ("small_drop", [80, 100], [1000, 1000]),
]

ALTERNATIVES = ["two-sided", "larger", "smaller"]


def ztest_cases():
    out = []
    for name, count, nobs in AB:
        for alternative in ALTERNATIVES:
            with warnings.catch_warnings():
                # 0/0 for a pooled proportion of 0 or 1: statsmodels returns nan, as we do.
                warnings.simplefilter("ignore", RuntimeWarning)
                stat, p = proportions_ztest(
                    count=np.array(count), nobs=np.array(nobs), value=0,
                    alternative=alternative, prop_var=False,
                )
            p1 = count[0] / nobs[0]
            p2 = count[1] / nobs[1]
            out.append({
                "name": f"{name}/{alternative}",
                "count": count,
                "nobs": nobs,
                "alternative": alternative,
                "statistic": num(stat),
                "p_value": num(p),
                "p1": num(p1),
                "p2": num(p2),
                "difference": num(p1 - p2),
            })
    return out


# ---------------------------------------------------------------- chi-square tables
def ab_table(count, nobs):
    return [[count[0], nobs[0] - count[0]], [count[1], nobs[1] - count[1]]]


TABLES = [(f"ab_{name}", ab_table(c, n)) for name, c, n in AB] + [
    ("yates_half_step_caps_at_expected", [[5, 5], [5, 6]]),
    ("yates_exact_expected", [[5, 5], [5, 5]]),
    ("two_by_three", [[10, 20, 30], [15, 25, 20]]),
    ("three_by_four", [[12, 7, 5, 9], [3, 14, 8, 6], [10, 2, 11, 4]]),
    ("three_by_four_huge", [[120000, 70000, 50000, 90000],
                            [30000, 140000, 80000, 60000],
                            [100000, 20000, 110000, 40000]]),
    ("three_by_two_campaign_arms", [[130, 870], [100, 900], [115, 885]]),
    ("one_row", [[3, 4, 5]]),
    ("one_column", [[3], [4], [5]]),
    ("two_by_two_large_statistic", [[5000, 15000], [4000, 16000]]),
]


def chi2_cases():
    out, errors = [], []
    for name, table in TABLES:
        for correction in (True, False):
            case_name = f"{name}/{'yates' if correction else 'no_correction'}"
            try:
                res = stats.chi2_contingency(np.array(table), correction=correction)
            except ValueError as e:
                errors.append({"name": case_name, "table": table, "correction": correction,
                               "scipy_error": str(e)})
                continue
            out.append({
                "name": case_name,
                "table": table,
                "correction": correction,
                "statistic": num(res.statistic),
                "p_value": num(res.pvalue),
                "dof": int(res.dof),
                "expected": [num(v) for v in np.asarray(res.expected_freq).ravel()],
            })
    return out, errors


# ---------------------------------------------------------------- confidence intervals
def confint_cases():
    out = []
    for name, count, nobs in AB:
        for alpha in (0.05, 0.01, 0.2):
            for method in ("wald", "newcomb"):
                low, upp = confint_proportions_2indep(
                    count[0], nobs[0], count[1], nobs[1],
                    method=method, compare="diff", alpha=alpha,
                )
                out.append({
                    "name": f"{name}/{method}/alpha={alpha}",
                    "count1": count[0], "nobs1": nobs[0],
                    "count2": count[1], "nobs2": nobs[1],
                    "method": method,
                    "alpha": alpha,
                    "low": num(low),
                    "upp": num(upp),
                })
    return out


# ---------------------------------------------------------------- effect size and sample size
EFFECT_PAIRS = [
    (0.5, 0.4), (0.4, 0.5), (0.12, 0.10), (0.0, 0.0), (0.0, 1.0), (1.0, 0.0),
    (0.001, 0.0), (0.999, 1.0), (0.3, 0.3), (0.05, 0.06),
]


def effectsize_cases():
    return [{"p1": p1, "p2": p2, "effect_size": num(proportion_effectsize(p1, p2))}
            for p1, p2 in EFFECT_PAIRS]


# (name, p1, p2, alpha, power, ratio, alternative, mde-form or None)
SAMPLESIZE = [
    ("ab_12_vs_10", 0.12, 0.10, 0.05, 0.8, 1.0, "two-sided", None),
    ("ab_12_vs_10_power90", 0.12, 0.10, 0.05, 0.9, 1.0, "two-sided", None),
    ("ab_12_vs_10_alpha01", 0.12, 0.10, 0.01, 0.8, 1.0, "two-sided", None),
    ("ab_12_vs_10_ratio2", 0.12, 0.10, 0.05, 0.8, 2.0, "two-sided", None),
    ("ab_12_vs_10_ratio_half", 0.12, 0.10, 0.05, 0.8, 0.5, "two-sided", None),
    ("ab_12_vs_10_larger", 0.12, 0.10, 0.05, 0.8, 1.0, "larger", None),
    ("ab_10_vs_12_smaller", 0.10, 0.12, 0.05, 0.8, 1.0, "smaller", None),
    ("ab_10_vs_12_two_sided", 0.10, 0.12, 0.05, 0.8, 1.0, "two-sided", None),
    ("low_rates", 0.012, 0.010, 0.05, 0.8, 1.0, "two-sided", None),
    ("very_low_rates", 0.002, 0.001, 0.1, 0.95, 3.7, "two-sided", None),
    ("high_rates", 0.95, 0.90, 0.05, 0.9, 1.0, "two-sided", None),
    ("coin_flip_lift", 0.55, 0.50, 0.1, 0.8, 1.5, "larger", None),
    ("large_effect", 0.6, 0.2, 0.05, 0.8, 1.0, "two-sided", None),
    ("large_effect_tiny_n", 0.99, 0.01, 0.05, 0.8, 1.0, "two-sided", None),
    ("power_barely_above_alpha", 0.3, 0.2, 0.2, 0.25, 1.0, "two-sided", None),
    ("loose_alpha_high_power", 0.3, 0.2, 0.5, 0.99, 1.0, "two-sided", None),
    ("strict_alpha_high_power", 0.3, 0.25, 0.001, 0.99, 0.8, "two-sided", None),
    ("one_sided_strict", 0.22, 0.20, 0.01, 0.95, 2.5, "larger", None),
    ("mde_plus_2pts", None, None, 0.05, 0.8, 1.0, "two-sided", (0.10, 0.02)),
    ("mde_plus_half_pt", None, None, 0.05, 0.9, 1.0, "larger", (0.03, 0.005)),
    ("mde_minus_half_pt", None, None, 0.05, 0.8, 2.0, "smaller", (0.03, -0.005)),
]


def solve_exact(es, alpha, power, ratio, alternative):
    """statsmodels' power equation solved to machine precision (solve_power stops at xtol=1e-5)."""
    analysis = NormalIndPower()

    def f(n1):
        return analysis.power(effect_size=es, nobs1=n1, alpha=alpha, ratio=ratio,
                              alternative=alternative) - power

    low, high = 1e-9, 1.0
    while f(high) < 0:
        high *= 2.0
    return optimize.brentq(f, low, high, xtol=1e-14, rtol=4 * np.finfo(float).eps, maxiter=500)


def samplesize_cases():
    out = []
    for name, p1, p2, alpha, power, ratio, alternative, mde in SAMPLESIZE:
        case = {"name": name, "alpha": alpha, "power": power, "ratio": ratio,
                "alternative": alternative}
        if mde is not None:
            baseline, lift = mde
            p1, p2 = baseline + lift, baseline
            case.update({"baseline": baseline, "mde": lift})
        es = proportion_effectsize(p1, p2)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a convergence warning would mean a bad reference
            n_sm = NormalIndPower().solve_power(
                effect_size=es, nobs1=None, alpha=alpha, power=power, ratio=ratio,
                alternative=alternative,
            )
        n_exact = solve_exact(es, alpha, power, ratio, alternative)
        case.update({
            "p1": p1,
            "p2": p2,
            "effect_size": num(es),
            "nobs1_statsmodels": num(n_sm),
            "nobs1_exact": num(n_exact),
            "nobs1_ceil": math.ceil(n_exact),
            "nobs2_ceil": math.ceil(n_exact * ratio),
        })
        out.append(case)
    return out


def main():
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "proportions.json"
    chi2, chi2_errors = chi2_cases()
    samplesize = samplesize_cases()
    worst = max(abs(c["nobs1_statsmodels"] - c["nobs1_exact"]) / c["nobs1_exact"]
                for c in samplesize)
    doc = {
        "about": "Reference values for crm_core::analytics::proportions; regenerate with "
                 "`make reference-proportions` (see tests/reference/README.md). NaN is written "
                 "as the string \"nan\".",
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "statsmodels": statsmodels.__version__,
        },
        "ztest": ztest_cases(),
        "chi2": chi2,
        "chi2_errors": chi2_errors,
        "confint": confint_cases(),
        "effectsize": effectsize_cases(),
        "samplesize": samplesize,
        "samplesize_statsmodels_vs_exact_max_rel": worst,
    }
    text = json.dumps(doc, indent=1, sort_keys=True, allow_nan=False) + "\n"
    output.write_text(text)
    counts = {k: len(v) for k, v in doc.items() if isinstance(v, list)}
    print(f"wrote {output}: {counts}; statsmodels solve_power vs exact: max rel {worst:.3g}")


if __name__ == "__main__":
    main()
