"""crm.analytics' tests on proportions against the committed statsmodels/scipy reference
(tests/reference/proportions/proportions.json, every case to 1e-9), and their refusals of bad
input."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import crm
from crm import analytics

REFERENCE = Path(__file__).resolve().parents[1] / "reference" / "proportions" / "proportions.json"
#: |got - want| <= TOL * max(1, |want|), and relative for p-values.
TOL = 1e-9


@pytest.fixture(scope="module")
def ref():
    with open(REFERENCE, encoding="utf-8") as f:
        return json.load(f)


def cases(ref, key, at_least=1):
    found = ref[key]
    assert len(found) >= at_least, f"only {len(found)} {key} cases"
    return found


def num(v):
    """A reference float: a JSON number, or "nan" / "inf" / "-inf"."""
    return float(v)


def close(case, what, got, want, *, p_value=False):
    want = num(want)
    assert isinstance(got, float), f"{case}: {what} is a {type(got).__name__}"
    if math.isnan(want):
        assert math.isnan(got), f"{case}: {what} = {got}, reference nan"
        return
    err = abs(got - want)
    assert err <= TOL * max(1.0, abs(want)), f"{case}: {what} = {got!r}, reference {want!r}"
    if p_value and want != 0:
        assert err / abs(want) <= TOL, f"{case}: {what} = {got!r}, reference {want!r} (relative)"


# ---------------------------------------------------------------- against the reference


def test_ztest_matches_statsmodels(ref):
    alternatives = set()
    for c in cases(ref, "ztest", 25):
        z, p = analytics.proportions_ztest(c["count"], c["nobs"], alternative=c["alternative"])
        close(c["name"], "statistic", z, c["statistic"])
        close(c["name"], "p_value", p, c["p_value"], p_value=True)
        # numpy arrays in, and statsmodels' value=0 spelled out, give the same numbers
        z2, p2 = analytics.proportions_ztest(
            np.array(c["count"]), np.array(c["nobs"]), value=0, alternative=c["alternative"]
        )
        assert (z2, p2) == (z, p) or (math.isnan(z) and math.isnan(z2))
        alternatives.add(c["alternative"])
    assert alternatives == {"two-sided", "larger", "smaller"}


def test_chi2_contingency_matches_scipy(ref):
    shapes = set()
    for c in cases(ref, "chi2", 25):
        name = c["name"]
        result = analytics.chi2_contingency(c["table"], correction=c["correction"])
        stat, p, dof, expected = result  # unpacks like scipy's result
        assert isinstance(result, analytics.Chi2ContingencyResult)
        assert (result.statistic, result.pvalue, result.dof) == (stat, p, dof)
        close(name, "statistic", stat, c["statistic"])
        close(name, "p_value", p, c["p_value"], p_value=True)
        assert dof == c["dof"] and isinstance(dof, int), name
        table = np.asarray(c["table"])
        assert isinstance(expected, np.ndarray) and expected.dtype == np.float64
        assert expected.shape == table.shape, name
        for k, (g, w) in enumerate(zip(expected.ravel().tolist(), c["expected"])):
            close(name, f"expected[{k}]", g, w)
        shapes.add(table.shape)
        # an int32 array is the same table
        again = analytics.chi2_contingency(table.astype(np.int32), c["correction"])
        assert again.statistic == stat and again.pvalue == p
    for shape in [(2, 2), (2, 3), (3, 4), (1, 3), (3, 1)]:
        assert shape in shapes, shape


def test_chi2_refuses_what_scipy_refuses(ref):
    for c in cases(ref, "chi2_errors"):
        with pytest.raises(crm.InvalidInputError, match="expected frequency would be 0"):
            analytics.chi2_contingency(c["table"], correction=c["correction"])


def test_confint_matches_statsmodels(ref):
    methods = set()
    for c in cases(ref, "confint", 25):
        low, upp = analytics.confint_proportions_2indep(
            c["count1"], c["nobs1"], c["count2"], c["nobs2"], method=c["method"],
            compare="diff", alpha=c["alpha"],
        )
        close(c["name"], "low", low, c["low"])
        close(c["name"], "upp", upp, c["upp"])
        methods.add(c["method"])
        if c["method"] == "newcomb":
            # statsmodels' default method for a difference is newcomb
            assert analytics.confint_proportions_2indep(
                c["count1"], c["nobs1"], c["count2"], c["nobs2"], alpha=c["alpha"]
            ) == (low, upp)
    assert methods == {"wald", "newcomb"}


def test_effectsize_matches_statsmodels(ref):
    found = cases(ref, "effectsize", 5)
    for c in found:
        h = analytics.proportion_effectsize(c["p1"], c["p2"])
        close(f"h({c['p1']}, {c['p2']})", "effect_size", h, c["effect_size"])
    # array-likes broadcast, like statsmodels'
    p1 = np.array([c["p1"] for c in found])
    p2 = np.array([c["p2"] for c in found])
    hs = analytics.proportion_effectsize(p1, p2)
    assert isinstance(hs, np.ndarray) and hs.shape == p1.shape
    for g, c in zip(hs.tolist(), found):
        close("array", "effect_size", g, c["effect_size"])


def test_samplesize_matches_statsmodels(ref):
    for c in cases(ref, "samplesize", 20):
        name = c["name"]
        args = dict(alpha=c["alpha"], power=c["power"], ratio=c["ratio"],
                    alternative=c["alternative"])
        if "mde" in c:
            n = analytics.samplesize_mde(c["baseline"], c["mde"], **args)
        else:
            n = analytics.samplesize_proportions_2indep(c["p1"], c["p2"], **args)
        # statsmodels' power equation solved to machine precision: 1e-9, relative
        exact = num(c["nobs1_exact"])
        assert abs(n - exact) / exact <= TOL, f"{name}: {n} vs {exact}"
        # solve_power itself stops its root finder at 1e-5 in n1
        sm = num(c["nobs1_statsmodels"])
        assert abs(n - sm) / sm <= 1e-6, f"{name}: {n} vs solve_power {sm}"
        n1, n2 = analytics.samplesize_proportions_2indep_ceil(c["p1"], c["p2"], **args)
        assert (n1, n2) == (c["nobs1_ceil"], c["nobs2_ceil"]), name
        assert isinstance(n1, int) and isinstance(n2, int)


def test_campaign_sample_size_is_the_two_sided_rounded_size(ref):
    found = [c for c in cases(ref, "samplesize") if "mde" in c and c["alternative"] == "two-sided"]
    assert found
    for c in found:
        got = crm.Campaigns.sample_size(
            c["baseline"], c["mde"], alpha=c["alpha"], power=c["power"], ratio=c["ratio"]
        )
        assert got == (c["nobs1_ceil"], c["nobs2_ceil"]), c["name"]
    with crm.open() as db:
        assert db.campaigns.sample_size(0.10, 0.02) == (3835, 3835)
        with pytest.raises(crm.InvalidInputError, match="minimum_effect"):
            db.campaigns.sample_size(0.10, 0.95)
        with pytest.raises(crm.InvalidInputError, match="alpha"):
            db.campaigns.sample_size(0.10, 0.02, alpha=1.0)
        with pytest.raises(crm.InvalidArgumentError, match="baseline"):
            db.campaigns.sample_size("0.1", 0.02)


def test_ztest_squared_is_the_uncorrected_chi2():
    z, p = analytics.proportions_ztest([45, 30], [500, 480])
    t = analytics.chi2_contingency([[45, 455], [30, 450]], correction=False)
    assert math.isclose(z * z, t.statistic, rel_tol=1e-12)
    assert math.isclose(p, t.pvalue, rel_tol=1e-12)
    # Yates' correction makes a difference on a 2x2 table
    assert analytics.chi2_contingency([[45, 455], [30, 450]]).statistic < t.statistic


def test_degenerate_pool_is_nan_like_statsmodels():
    z, p = analytics.proportions_ztest([0, 0], [10, 20])
    assert math.isnan(z) and math.isnan(p)


# ---------------------------------------------------------------- bad input


def test_ztest_refuses_bad_input():
    ztest = analytics.proportions_ztest
    with pytest.raises(crm.InvalidInputError, match=r"count\[0\]"):
        ztest([11, 5], [10, 10])
    with pytest.raises(crm.InvalidInputError, match=r"nobs\[1\]"):
        ztest([1, 0], [10, 0])
    with pytest.raises(crm.InvalidInputError, match="alternative"):
        ztest([1, 2], [10, 10], alternative="bigger")
    with pytest.raises(crm.UnsupportedError, match="value"):
        ztest([1, 2], [10, 10], value=0.05)
    with pytest.raises(crm.UnsupportedError, match="prop_var"):
        ztest([1, 2], [10, 10], prop_var=True)
    with pytest.raises(crm.UnsupportedError, match="one-sample"):
        ztest(5, 10)
    with pytest.raises(crm.UnsupportedError, match="two samples"):
        ztest([1, 2, 3], [10, 10, 10])
    with pytest.raises(crm.InvalidArgumentError, match="expected int"):
        ztest([1.5, 2.0], [10, 10])
    with pytest.raises(crm.InvalidArgumentError):
        ztest(["1", "2"], [10, 10])
    # UnsupportedError is a NotImplementedError, as statsmodels raises for k samples
    with pytest.raises(NotImplementedError):
        ztest([1, 2, 3], [10, 10, 10])


def test_chi2_refuses_bad_tables():
    chi2 = analytics.chi2_contingency
    with pytest.raises(crm.InvalidInputError, match=r"table\[1\]\[1\]"):
        chi2([[4, 5], [6, -1]])
    with pytest.raises(crm.InvalidInputError, match="table column 1"):
        chi2([[1, 0, 3], [4, 0, 6]])
    with pytest.raises(crm.InvalidArgumentError, match="two-dimensional"):
        chi2([1, 2, 3])
    with pytest.raises(crm.InvalidArgumentError, match="two-dimensional"):
        chi2(np.ones((2, 2, 2), dtype=np.int64))
    with pytest.raises(crm.InvalidArgumentError, match="equal length"):
        chi2([[1, 2], [3]])
    with pytest.raises(crm.InvalidArgumentError, match="integers"):
        chi2([[1.5, 2.0], [3.0, 4.0]])
    with pytest.raises(crm.InvalidArgumentError, match="no cells"):
        chi2(np.zeros((2, 0), dtype=np.int64))
    with pytest.raises(crm.InvalidArgumentError, match="correction"):
        chi2([[1, 2], [3, 4]], correction="yes")


def test_confint_refuses_bad_input():
    ci = analytics.confint_proportions_2indep
    with pytest.raises(crm.InvalidInputError, match="count1"):
        ci(5, 4, 1, 10)
    with pytest.raises(crm.InvalidInputError, match="nobs2"):
        ci(0, 3, 0, 0)
    for alpha in (0.0, 1.0, -0.1, float("nan")):
        with pytest.raises(crm.InvalidInputError, match="alpha"):
            ci(1, 4, 1, 10, alpha=alpha)
    with pytest.raises(crm.InvalidInputError, match="method"):
        ci(1, 4, 1, 10, method="exact")
    with pytest.raises(crm.UnsupportedError, match="score"):
        ci(1, 4, 1, 10, method="score")
    with pytest.raises(crm.UnsupportedError, match="compare"):
        ci(1, 4, 1, 10, compare="ratio")
    with pytest.raises(crm.InvalidArgumentError, match="alpha"):
        ci(1, 4, 1, 10, alpha="0.05")
    with pytest.raises(crm.InvalidArgumentError, match="alpha"):
        ci(1, 4, 1, 10, alpha=True)
    with pytest.raises(crm.InvalidArgumentError, match="count1"):
        ci(1.0, 4, 1, 10)


def test_effectsize_and_samplesize_refuse_bad_input():
    with pytest.raises(crm.InvalidInputError, match="p1"):
        analytics.proportion_effectsize(1.5, 0.2)
    with pytest.raises(crm.InvalidInputError, match="p2"):
        analytics.proportion_effectsize(0.5, float("nan"))
    with pytest.raises(crm.UnsupportedError, match="normal"):
        analytics.proportion_effectsize(0.5, 0.4, method="arcsine")
    with pytest.raises(crm.InvalidArgumentError, match="prop1"):
        analytics.proportion_effectsize("0.5", 0.4)
    size = analytics.samplesize_proportions_2indep
    with pytest.raises(crm.InvalidInputError, match="p2"):
        size(0.1, 0.1)
    with pytest.raises(crm.InvalidInputError, match="power"):
        size(0.12, 0.1, alpha=0.2, power=0.1)
    with pytest.raises(crm.InvalidInputError, match="ratio"):
        size(0.12, 0.1, ratio=0)
    with pytest.raises(crm.InvalidInputError, match="alternative"):
        size(0.12, 0.1, alternative="smaller")
    with pytest.raises(crm.InvalidInputError, match="mde"):
        analytics.samplesize_mde(0.99, 0.05)


def test_the_vocabularies_are_exported():
    assert analytics.ALTERNATIVES == ("two-sided", "larger", "smaller")
    assert analytics.CONFINT_METHODS == ("wald", "newcomb")
    assert crm.analytics is analytics
