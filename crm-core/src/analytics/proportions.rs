//! Tests on proportions: two-proportion z-test, chi-square, confidence intervals, sample size.
//!
//! These are the statistics of an A/B campaign evaluation: arm 1 (the variant) converted `c1` of
//! `n1` customers, arm 2 (the control) `c2` of `n2`. Every function is pure, works on counts, and
//! reproduces a named function of statsmodels or scipy, formula for formula, so that a notebook
//! and this library give the same numbers (the committed reference in
//! `tests/reference/proportions/` checks each to 1e-9, relative for tiny p-values):
//!
//! | function | matches |
//! |---|---|
//! | [`proportions_ztest`] | `statsmodels.stats.proportion.proportions_ztest(count, nobs, value=0, prop_var=False)` |
//! | [`chi2_contingency`] | `scipy.stats.chi2_contingency(table, correction=...)` |
//! | [`confint_proportions_2indep`] | `statsmodels.stats.proportion.confint_proportions_2indep(..., compare='diff')` |
//! | [`proportion_effectsize`] | `statsmodels.stats.proportion.proportion_effectsize` (Cohen's h) |
//! | [`samplesize_proportions_2indep`] | `NormalIndPower().solve_power(effect_size=proportion_effectsize(p1, p2), nobs1=None, ...)` |
//!
//! Bad input (a count above its total, a negative count, an empty arm, a level outside (0, 1), a
//! NaN) is an [`Error::InvalidInput`] naming the parameter; a table of the wrong shape (ragged or
//! empty) is an [`Error::InvalidArgument`]. Nothing here panics.
//!
//! ```
//! use crm_core::analytics::proportions::{proportions_ztest, Alternative};
//!
//! # fn main() -> crm_core::Result<()> {
//! // Variant: 120 of 1000 converted; control: 100 of 1000.
//! let t = proportions_ztest([120, 100], [1000, 1000], Alternative::TwoSided)?;
//! assert!((t.difference - 0.02).abs() < 1e-12);
//! assert!(t.p_value > 0.05); // not significant at 5 %
//! # Ok(())
//! # }
//! ```

use std::f64::consts::SQRT_2;
use std::fmt;
use std::str::FromStr;

use libm::erfc;
use statrs::function::erf::erfc_inv;
use statrs::function::gamma::checked_gamma_ur;

use crate::error::{Error, Result};

// ------------------------------------------------------------------ distributions
//
// The normal tails use libm's erfc (FreeBSD msun, within an ulp or two); statrs' own erfc is only
// good to about 1e-10 relative, too coarse for p-values that must match scipy to 1e-9 and
// beyond. The normal quantile (erfc_inv, a Boost port) and the chi-square tail (Cephes'
// incomplete gamma) come from statrs and agree with scipy to ~1e-15 and ~1e-13 relative. Tails are
// computed directly (sf, isf) rather than as 1 − cdf, so that tiny p-values keep their relative
// precision, as scipy's do.

/// Standard normal survival function P(Z > x) (scipy `norm.sf`).
fn norm_sf(x: f64) -> f64 {
    0.5 * erfc(x / SQRT_2)
}

/// Standard normal cdf P(Z ≤ x) (scipy `norm.cdf`).
fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / SQRT_2)
}

/// Inverse survival function: the x with P(Z > x) = q, for q in (0, 1) (scipy `norm.isf`).
fn norm_isf(q: f64) -> f64 {
    SQRT_2 * erfc_inv(2.0 * q)
}

/// Chi-square survival function P(X > x) with `dof` degrees of freedom (scipy `chi2.sf`).
fn chi2_sf(x: f64, dof: usize) -> f64 {
    if x.is_nan() {
        f64::NAN
    } else if x <= 0.0 {
        1.0
    } else if x.is_infinite() {
        0.0
    } else {
        // Q(k/2, x/2), the regularised upper incomplete gamma function. Its only errors are for
        // arguments outside (0, ∞), which the branches above and dof ≥ 1 rule out.
        checked_gamma_ur(dof as f64 / 2.0, x / 2.0).unwrap_or(f64::NAN)
    }
}

// ------------------------------------------------------------------ vocabulary

/// The alternative hypothesis of a test, as statsmodels names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Alternative {
    /// H1: p1 ≠ p2 (the default).
    #[default]
    TwoSided,
    /// H1: p1 > p2 (the variant converts better).
    Larger,
    /// H1: p1 < p2.
    Smaller,
}

impl Alternative {
    /// Every value, in order.
    pub const ALL: &'static [Alternative] = &[
        Alternative::TwoSided,
        Alternative::Larger,
        Alternative::Smaller,
    ];
    /// Every value's text form, in order (statsmodels' spelling).
    pub const NAMES: &'static [&'static str] = &["two-sided", "larger", "smaller"];

    /// The text form statsmodels uses: `two-sided`, `larger` or `smaller`.
    pub fn as_str(self) -> &'static str {
        match self {
            Alternative::TwoSided => "two-sided",
            Alternative::Larger => "larger",
            Alternative::Smaller => "smaller",
        }
    }
}

impl FromStr for Alternative {
    type Err = Error;
    /// Parses statsmodels' spelling, case-insensitively; `two_sided` is accepted too.
    fn from_str(s: &str) -> Result<Alternative> {
        match s.trim().to_ascii_lowercase().as_str() {
            "two-sided" | "two_sided" => Ok(Alternative::TwoSided),
            "larger" => Ok(Alternative::Larger),
            "smaller" => Ok(Alternative::Smaller),
            _ => Err(Error::invalid(
                "alternative",
                s,
                format!("must be one of {}", Alternative::NAMES.join(", ")),
            )),
        }
    }
}

impl fmt::Display for Alternative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How [`confint_proportions_2indep`] builds the interval for p1 − p2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ConfintMethod {
    /// The Wald interval: diff ± z·√(p1(1−p1)/n1 + p2(1−p2)/n2). Simple, but too narrow for small
    /// counts or proportions near 0 or 1.
    Wald,
    /// Newcombe's hybrid score interval, built from the two Wilson intervals (statsmodels'
    /// `newcomb`, its default for differences). Keeps its coverage for small counts.
    #[default]
    Newcombe,
}

impl ConfintMethod {
    /// Every value, in order.
    pub const ALL: &'static [ConfintMethod] = &[ConfintMethod::Wald, ConfintMethod::Newcombe];
    /// Every value's text form, in order (statsmodels' spelling).
    pub const NAMES: &'static [&'static str] = &["wald", "newcomb"];

    /// The text form statsmodels uses: `wald` or `newcomb`.
    pub fn as_str(self) -> &'static str {
        match self {
            ConfintMethod::Wald => "wald",
            ConfintMethod::Newcombe => "newcomb",
        }
    }
}

impl FromStr for ConfintMethod {
    type Err = Error;
    /// Parses `wald`, `newcomb` or `newcombe`, case-insensitively.
    fn from_str(s: &str) -> Result<ConfintMethod> {
        match s.trim().to_ascii_lowercase().as_str() {
            "wald" => Ok(ConfintMethod::Wald),
            "newcomb" | "newcombe" => Ok(ConfintMethod::Newcombe),
            _ => Err(Error::invalid(
                "method",
                s,
                format!("must be one of {}", ConfintMethod::NAMES.join(", ")),
            )),
        }
    }
}

impl fmt::Display for ConfintMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

// ------------------------------------------------------------------ validation

/// Checks one arm: 0 ≤ count ≤ nobs and nobs > 0.
fn check_arm(count_name: &str, count: i64, nobs_name: &str, nobs: i64) -> Result<()> {
    if nobs <= 0 {
        return Err(Error::invalid(
            nobs_name,
            nobs.to_string(),
            "must be positive (an arm with no observations has no proportion)",
        ));
    }
    if count < 0 {
        return Err(Error::invalid(
            count_name,
            count.to_string(),
            "must not be negative",
        ));
    }
    if count > nobs {
        return Err(Error::invalid(
            count_name,
            count.to_string(),
            format!("must not exceed {nobs_name} ({nobs})"),
        ));
    }
    Ok(())
}

/// Checks a level (alpha, power) lies strictly inside (0, 1); NaN fails.
fn check_open_unit(name: &str, value: f64) -> Result<()> {
    if value > 0.0 && value < 1.0 {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            value.to_string(),
            "must lie strictly between 0 and 1",
        ))
    }
}

/// Checks a proportion lies in [0, 1]; NaN fails.
fn check_proportion(name: &str, value: f64) -> Result<()> {
    if (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid(
            name,
            value.to_string(),
            "must be a proportion between 0 and 1",
        ))
    }
}

// ------------------------------------------------------------------ z-test

/// The result of [`proportions_ztest`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ZTest {
    /// z = (p1 − p2) / √(p̂(1 − p̂)(1/n1 + 1/n2)); NaN when the pooled proportion p̂ is 0 or 1.
    pub statistic: f64,
    /// The p-value under the chosen alternative; NaN when the statistic is.
    pub p_value: f64,
    /// The first arm's proportion c1 / n1.
    pub p1: f64,
    /// The second arm's proportion c2 / n2.
    pub p2: f64,
    /// p1 − p2.
    pub difference: f64,
}

/// Two-sample z-test of H0: p1 = p2 with the pooled variance.
///
/// `count = [c1, c2]` successes out of `nobs = [n1, n2]` trials (arm 1 is the variant, arm 2 the
/// control). With p̂ = (c1 + c2)/(n1 + n2):
///
/// ```text
/// z = (c1/n1 − c2/n2) / √(p̂ (1 − p̂) (1/n1 + 1/n2))
/// two-sided: p = 2·Φ̄(|z|)    larger (p1 > p2): p = Φ̄(z)    smaller (p1 < p2): p = Φ(z)
/// ```
///
/// Matches `statsmodels.stats.proportion.proportions_ztest(count=[c1, c2], nobs=[n1, n2],
/// value=0, alternative=..., prop_var=False)`. The tails use the survival function, so tiny
/// p-values keep their relative precision. In the two-sided case the p-value equals that of
/// [`chi2_contingency`] on the 2×2 table without correction.
///
/// When both arms converted nobody (or everybody) the pooled variance is 0 and the statistic is
/// 0/0: like statsmodels, the statistic and p-value are then NaN (not an error), while `p1`, `p2`
/// and `difference` are still filled in.
///
/// # Errors
/// [`Error::InvalidInput`] naming `count[i]` or `nobs[i]` when a count is negative or exceeds its
/// total, or a total is not positive.
pub fn proportions_ztest(
    count: [i64; 2],
    nobs: [i64; 2],
    alternative: Alternative,
) -> Result<ZTest> {
    let [c1, c2] = count;
    let [n1, n2] = nobs;
    check_arm("count[0]", c1, "nobs[0]", n1)?;
    check_arm("count[1]", c2, "nobs[1]", n2)?;
    // Counts never exceed their totals, so the totals' sum is the one that can overflow.
    let total_nobs = n1
        .checked_add(n2)
        .ok_or_else(|| Error::invalid("nobs", format!("{nobs:?}"), "sum overflows i64"))?;
    let total_count = c1 + c2;

    // The operation order follows statsmodels so that rounding matches too.
    let p1 = c1 as f64 / n1 as f64;
    let p2 = c2 as f64 / n2 as f64;
    let difference = p1 - p2;
    let pooled = total_count as f64 / total_nobs as f64;
    let nobs_fact = 1.0 / n1 as f64 + 1.0 / n2 as f64;
    let std = (pooled * (1.0 - pooled) * nobs_fact).sqrt();
    let statistic = difference / std;
    let p_value = match alternative {
        Alternative::TwoSided => norm_sf(statistic.abs()) * 2.0,
        Alternative::Larger => norm_sf(statistic),
        Alternative::Smaller => norm_cdf(statistic),
    };
    Ok(ZTest {
        statistic,
        p_value,
        p1,
        p2,
        difference,
    })
}

// ------------------------------------------------------------------ chi-square

/// The result of [`chi2_contingency`].
#[derive(Debug, Clone, PartialEq)]
pub struct Chi2Test {
    /// Pearson's statistic Σ (O − E)² / E, after Yates' correction when it applies.
    pub statistic: f64,
    /// P(χ²(dof) > statistic).
    pub p_value: f64,
    /// Degrees of freedom, (rows − 1)(cols − 1).
    pub dof: usize,
    /// Expected frequencies under independence, row-major (`rows × cols`).
    pub expected: Vec<f64>,
    /// Number of rows of the table.
    pub rows: usize,
    /// Number of columns of the table.
    pub cols: usize,
}

impl Chi2Test {
    /// The expected frequency of cell (`row`, `col`), if it exists.
    pub fn expected_at(&self, row: usize, col: usize) -> Option<f64> {
        if row < self.rows && col < self.cols {
            self.expected.get(row * self.cols + col).copied()
        } else {
            None
        }
    }
}

/// Chi-square test of independence on an r × c contingency table of counts.
///
/// For the campaign the table is 2×2: rows = variant, control; columns = converted, not converted.
/// Any r × c table works. With row sums Rᵢ, column sums Cⱼ and total N:
///
/// ```text
/// Eᵢⱼ = Rᵢ Cⱼ / N      dof = (r − 1)(c − 1)      χ² = Σ (Oᵢⱼ − Eᵢⱼ)² / Eᵢⱼ      p = P(χ²(dof) > χ²)
/// ```
///
/// With `correction` and dof = 1 (a 2×2 table) Yates' continuity correction moves each observed
/// count toward its expected value by min(0.5, |O − E|) before the sum, exactly as scipy does;
/// for other tables `correction` has no effect. A table with dof = 0 (one row or one column) has
/// statistic 0 and p-value 1.
///
/// Matches `scipy.stats.chi2_contingency(table, correction=...)` (statistic, p-value, dof,
/// expected frequencies).
///
/// # Errors
/// - [`Error::InvalidArgument`] when the table has no cells or its rows differ in length.
/// - [`Error::InvalidInput`] naming the cell `table[i][j]` when a count is negative, or naming
///   the row or column whose total is 0 (an expected frequency of 0, where scipy raises
///   `ValueError`), or when the total overflows.
pub fn chi2_contingency<R: AsRef<[i64]>>(table: &[R], correction: bool) -> Result<Chi2Test> {
    let cols = table.first().map_or(0, |r| r.as_ref().len());
    let mut cells = Vec::with_capacity(table.len() * cols);
    for (i, row) in table.iter().enumerate() {
        let row = row.as_ref();
        if row.len() != cols {
            return Err(Error::InvalidArgument(format!(
                "table row {i} has {} cells, row 0 has {cols}: rows must be of equal length",
                row.len()
            )));
        }
        cells.extend_from_slice(row);
    }
    chi2_contingency_flat(&cells, cols, correction)
}

/// [`chi2_contingency`] on a table given as one row-major slice of `cells.len() / cols` rows of
/// `cols` counts each (the shape a numpy array or a C array arrives in).
///
/// # Errors
/// As [`chi2_contingency`]; also [`Error::InvalidArgument`] when `cols` is 0 or does not divide
/// `cells.len()`.
pub fn chi2_contingency_flat(cells: &[i64], cols: usize, correction: bool) -> Result<Chi2Test> {
    if cells.is_empty() || cols == 0 {
        return Err(Error::InvalidArgument(
            "table has no cells: a contingency table needs at least one row and one column".into(),
        ));
    }
    if !cells.len().is_multiple_of(cols) {
        return Err(Error::InvalidArgument(format!(
            "table of {} cells cannot have {cols} columns",
            cells.len()
        )));
    }
    let rows = cells.len() / cols;
    let overflow = || Error::invalid("table", "sum of all cells", "overflows i64");

    let mut row_sums = vec![0_i64; rows];
    let mut col_sums = vec![0_i64; cols];
    for (k, &o) in cells.iter().enumerate() {
        let (i, j) = (k / cols, k % cols);
        if o < 0 {
            return Err(Error::invalid(
                format!("table[{i}][{j}]"),
                o.to_string(),
                "counts must not be negative",
            ));
        }
        row_sums[i] = row_sums[i].checked_add(o).ok_or_else(overflow)?;
        col_sums[j] = col_sums[j].checked_add(o).ok_or_else(overflow)?;
    }
    let total = row_sums
        .iter()
        .try_fold(0_i64, |acc, &r| acc.checked_add(r))
        .ok_or_else(overflow)?;
    // A zero margin makes an expected frequency 0 and the statistic 0/0; scipy refuses it.
    if let Some(i) = row_sums.iter().position(|&r| r == 0) {
        return Err(Error::invalid(
            format!("table row {i}"),
            "total 0",
            "every row and column needs a positive total (an expected frequency would be 0)",
        ));
    }
    if let Some(j) = col_sums.iter().position(|&c| c == 0) {
        return Err(Error::invalid(
            format!("table column {j}"),
            "total 0",
            "every row and column needs a positive total (an expected frequency would be 0)",
        ));
    }

    // scipy computes the margins in float64 and then row_sum * col_sum / total.
    let n = total as f64;
    let expected: Vec<f64> = (0..cells.len())
        .map(|k| row_sums[k / cols] as f64 * col_sums[k % cols] as f64 / n)
        .collect();
    let dof = (rows - 1) * (cols - 1);
    if dof == 0 {
        return Ok(Chi2Test {
            statistic: 0.0,
            p_value: 1.0,
            dof,
            expected,
            rows,
            cols,
        });
    }
    let yates = correction && dof == 1;
    let statistic = cells
        .iter()
        .zip(&expected)
        .map(|(&o, &e)| {
            let mut o = o as f64;
            if yates {
                // Move O toward E by at most 0.5, never past it.
                let diff = e - o;
                o += diff.abs().min(0.5) * sign(diff);
            }
            (o - e) * (o - e) / e
        })
        .sum::<f64>();
    Ok(Chi2Test {
        statistic,
        p_value: chi2_sf(statistic, dof),
        dof,
        expected,
        rows,
        cols,
    })
}

/// numpy's `sign`: −1, 0 or 1 (`f64::signum` gives ±1 for ±0, which would move an O equal to E).
fn sign(x: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x.signum() }
}

// ------------------------------------------------------------------ confidence interval

/// Wilson score interval for one proportion at two-sided level `alpha`, clipped to [0, 1]
/// (statsmodels `proportion_confint(count, nobs, alpha, method='wilson')`).
fn wilson(count: i64, nobs: i64, alpha: f64) -> (f64, f64) {
    let n = nobs as f64;
    let q = count as f64 / n;
    let crit = norm_isf(alpha / 2.0);
    let crit2 = crit * crit;
    let denom = 1.0 + crit2 / n;
    let center = (q + crit2 / (2.0 * n)) / denom;
    let dist = crit * (q * (1.0 - q) / n + crit2 / (4.0 * (n * n))).sqrt() / denom;
    (
        (center - dist).clamp(0.0, 1.0),
        (center + dist).clamp(0.0, 1.0),
    )
}

/// Two-sided `1 − alpha` confidence interval `(low, upp)` for the difference p1 − p2 of two
/// independent proportions, p1 = c1/n1 and p2 = c2/n2.
///
/// - [`ConfintMethod::Wald`]: `diff ± z·√(p1(1 − p1)/n1 + p2(1 − p2)/n2)`, z = Φ̄⁻¹(alpha/2).
/// - [`ConfintMethod::Newcombe`] (Newcombe 1998, method 10): with the Wilson intervals
///   (l1, u1) and (l2, u2) of each arm,
///   `low = diff − √((p1 − l1)² + (u2 − p2)²)`, `upp = diff + √((p2 − l2)² + (u1 − p1)²)`.
///
/// Matches `statsmodels.stats.proportion.confint_proportions_2indep(c1, n1, c2, n2,
/// method='wald'|'newcomb', compare='diff', alpha=alpha)`; like it, the Wald interval is not
/// clipped to [−1, 1].
///
/// # Errors
/// [`Error::InvalidInput`] naming `count1`, `nobs1`, `count2`, `nobs2` or `alpha` when a count
/// is negative or exceeds its total, a total is not positive, or alpha is not in (0, 1).
pub fn confint_proportions_2indep(
    count1: i64,
    nobs1: i64,
    count2: i64,
    nobs2: i64,
    method: ConfintMethod,
    alpha: f64,
) -> Result<(f64, f64)> {
    check_arm("count1", count1, "nobs1", nobs1)?;
    check_arm("count2", count2, "nobs2", nobs2)?;
    check_open_unit("alpha", alpha)?;
    let p1 = count1 as f64 / nobs1 as f64;
    let p2 = count2 as f64 / nobs2 as f64;
    let diff = p1 - p2;
    Ok(match method {
        ConfintMethod::Wald => {
            let var = p1 * (1.0 - p1) / nobs1 as f64 + p2 * (1.0 - p2) / nobs2 as f64;
            let half = norm_isf(alpha / 2.0) * var.sqrt();
            (diff - half, diff + half)
        }
        ConfintMethod::Newcombe => {
            let (low1, upp1) = wilson(count1, nobs1, alpha);
            let (low2, upp2) = wilson(count2, nobs2, alpha);
            let d_low = ((p1 - low1).powi(2) + (upp2 - p2).powi(2)).sqrt();
            let d_upp = ((p2 - low2).powi(2) + (upp1 - p1).powi(2)).sqrt();
            (diff - d_low, diff + d_upp)
        }
    })
}

// ------------------------------------------------------------------ effect size and sample size

/// Cohen's h, the effect size of two proportions on the arcsine scale:
/// `h = 2·(asin √p1 − asin √p2)`.
///
/// Matches `statsmodels.stats.proportion.proportion_effectsize(p1, p2)`.
///
/// # Errors
/// [`Error::InvalidInput`] naming `p1` or `p2` when it is NaN or outside [0, 1].
pub fn proportion_effectsize(p1: f64, p2: f64) -> Result<f64> {
    check_proportion("p1", p1)?;
    check_proportion("p2", p2)?;
    Ok(effectsize(p1, p2))
}

fn effectsize(p1: f64, p2: f64) -> f64 {
    2.0 * (p1.sqrt().asin() - p2.sqrt().asin())
}

/// The number of observations in arm 1 (arm 2 gets `ratio` times as many) for a two-sample
/// z-test on proportions p1 and p2 to reach `power` at level `alpha`.
///
/// With h = [`proportion_effectsize`]`(p1, p2)`, the test statistic is normal with mean
/// s = |h|·√n_eff, where n_eff = n1·n2/(n1 + n2) = n1·ratio/(1 + ratio). The power is
///
/// ```text
/// larger / smaller:  Φ̄(z_α − s)                      ⇒  s = z_α − z_{1−power}   (closed form)
/// two-sided:         Φ̄(z_{α/2} − s) + Φ(−z_{α/2} − s)  (solved by safeguarded Newton)
/// n1 = (s / h)² · (1 + ratio) / ratio
/// ```
///
/// where z_q = Φ̄⁻¹(q). This is what statsmodels' `NormalIndPower().solve_power(effect_size=h,
/// nobs1=None, alpha=alpha, power=power, ratio=ratio, alternative=...)` solves numerically, with
/// a bracketing root finder stopped at an absolute tolerance of 1e-5 in n1; this function solves
/// the same equation to full double precision (the two-sided Newton iteration stops within a few
/// ulps of s). On the committed reference cases it agrees with statsmodels' power equation
/// solved to machine precision to 4e-15 relative, and with `solve_power`'s own output to 2.1e-7
/// relative (the test allows 1e-6): the gap is statsmodels' solver tolerance, not ours, and is
/// largest for small samples, where 1e-5 in n1 is a larger share of it.
///
/// The result is not rounded: [`samplesize_proportions_2indep_ceil`] gives whole customers.
///
/// # Errors
/// [`Error::InvalidInput`] naming the parameter when `p1` or `p2` is outside [0, 1]; `p1 == p2`
/// (no effect to detect, where statsmodels raises too); `alpha` or `power` outside (0, 1);
/// `power ≤ alpha` (any sample reaches that); `ratio` not positive and finite; or a one-sided
/// `alternative` pointing away from the effect (`Larger` needs p1 > p2, `Smaller` p1 < p2),
/// which no sample size can detect.
pub fn samplesize_proportions_2indep(
    p1: f64,
    p2: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: Alternative,
) -> Result<f64> {
    check_proportion("p1", p1)?;
    check_proportion("p2", p2)?;
    let h = effectsize(p1, p2);
    if h == 0.0 {
        return Err(Error::invalid(
            "p2",
            p2.to_string(),
            format!("must differ from p1 ({p1}): an effect of 0 cannot be detected"),
        ));
    }
    samplesize_for_effect(h, alpha, power, ratio, alternative)
}

/// [`samplesize_proportions_2indep`] for a baseline rate and a minimum detectable effect: the
/// variant's rate is `baseline + mde` (an absolute lift, negative for a drop), the control's is
/// `baseline`.
///
/// # Errors
/// As [`samplesize_proportions_2indep`]; `mde` is named when it is 0, NaN, or takes
/// `baseline + mde` outside [0, 1].
pub fn samplesize_mde(
    baseline: f64,
    mde: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: Alternative,
) -> Result<f64> {
    check_proportion("baseline", baseline)?;
    let variant = baseline + mde;
    if !(0.0..=1.0).contains(&variant) {
        return Err(Error::invalid(
            "mde",
            mde.to_string(),
            format!("baseline + mde must be a proportion between 0 and 1 (baseline is {baseline})"),
        ));
    }
    let h = effectsize(variant, baseline);
    if h == 0.0 {
        return Err(Error::invalid(
            "mde",
            mde.to_string(),
            "must not be 0: an effect of 0 cannot be detected",
        ));
    }
    samplesize_for_effect(h, alpha, power, ratio, alternative)
}

/// [`samplesize_proportions_2indep`] rounded up to whole observations: `(n1, n2)` with
/// n1 = ⌈nobs1⌉ for arm 1 and n2 = ⌈ratio · nobs1⌉ for arm 2.
///
/// # Errors
/// As [`samplesize_proportions_2indep`]; also [`Error::InvalidInput`] naming `p2` (the effect is
/// too small) or `ratio` when an arm's size does not fit in an i64.
pub fn samplesize_proportions_2indep_ceil(
    p1: f64,
    p2: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: Alternative,
) -> Result<(i64, i64)> {
    let n1 = samplesize_proportions_2indep(p1, p2, alpha, power, ratio, alternative)?;
    let arm1 = ceil_count(n1).ok_or_else(|| {
        Error::invalid(
            "p2",
            p2.to_string(),
            format!("too close to p1 ({p1}): the sample size {n1} does not fit in an i64"),
        )
    })?;
    let arm2 = ceil_count(n1 * ratio).ok_or_else(|| {
        Error::invalid(
            "ratio",
            ratio.to_string(),
            format!("arm 2's sample size {} does not fit in an i64", n1 * ratio),
        )
    })?;
    Ok((arm1, arm2))
}

/// Rounds a fractional sample size up to whole observations, if it fits in an i64.
fn ceil_count(n: f64) -> Option<i64> {
    // 2^63 as f64; anything at or beyond it does not fit.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let up = n.ceil();
    // Whole, non-negative and below 2^63 here, so the cast is exact.
    (0.0..LIMIT).contains(&up).then_some(up as i64)
}

/// Solves for n1 given an effect size h ≠ 0.
fn samplesize_for_effect(
    h: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: Alternative,
) -> Result<f64> {
    check_open_unit("alpha", alpha)?;
    check_open_unit("power", power)?;
    if power <= alpha {
        return Err(Error::invalid(
            "power",
            power.to_string(),
            format!("must exceed alpha ({alpha}): a test with no data already has power alpha"),
        ));
    }
    if !(ratio > 0.0 && ratio.is_finite()) {
        return Err(Error::invalid(
            "ratio",
            ratio.to_string(),
            "must be positive and finite (n2 = ratio × n1)",
        ));
    }
    match alternative {
        Alternative::Larger if h < 0.0 => {
            return Err(Error::invalid(
                "alternative",
                "larger",
                "needs p1 > p2: the effect points the other way, no sample size detects it",
            ));
        }
        Alternative::Smaller if h > 0.0 => {
            return Err(Error::invalid(
                "alternative",
                "smaller",
                "needs p1 < p2: the effect points the other way, no sample size detects it",
            ));
        }
        _ => {}
    }
    let s = match alternative {
        Alternative::Larger | Alternative::Smaller => norm_isf(alpha) - norm_isf(power),
        Alternative::TwoSided => two_sided_shift(norm_isf(alpha / 2.0), power),
    };
    let n_eff = (s / h).powi(2);
    Ok(n_eff * (1.0 + ratio) / ratio)
}

/// The s ≥ 0 with Φ̄(c − s) + Φ(−c − s) = power, for c = z_{α/2} > 0 and α < power < 1.
///
/// f(s) = Φ̄(c − s) + Φ(−c − s) − power rises strictly on s > 0 (f′ = φ(c − s) − φ(c + s)), and
/// the root lies in [c − z_{power − α/2}, c − z_{power}]: at the upper end the first term alone
/// is `power`, at the lower end the second term is at most α/2. Newton's method from the upper
/// end, kept inside the bracket by bisection, converges in a handful of steps.
fn two_sided_shift(c: f64, power: f64) -> f64 {
    let f = |s: f64| norm_sf(c - s) + norm_cdf(-c - s) - power;
    let density = |x: f64| (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let mut hi = c - norm_isf(power);
    let mut lo = (c - norm_isf(power - norm_cdf(-c))).max(0.0);
    let mut s = hi;
    for _ in 0..200 {
        let fs = f(s);
        if fs == 0.0 {
            return s;
        }
        if fs > 0.0 {
            hi = s;
        } else {
            lo = s;
        }
        let slope = density(c - s) - density(c + s);
        let mut next = s - fs / slope;
        if !(next > lo && next < hi) {
            next = 0.5 * (lo + hi);
        }
        if (next - s).abs() <= 4.0 * f64::EPSILON * s.abs() || hi - lo <= f64::EPSILON * hi {
            return next;
        }
        s = next;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1.0)
    }

    #[test]
    fn normal_tails_are_consistent() {
        assert!(close(norm_sf(1.959963984540054), 0.025, 1e-15));
        assert!(close(norm_cdf(-1.959963984540054), 0.025, 1e-15));
        assert!(close(norm_isf(0.025), 1.959963984540054, 1e-15));
        // The far tail keeps relative precision: Φ̄(10) = 7.619853024160527e-24.
        let t = norm_sf(10.0);
        assert!(
            (t - 7.619853024160527e-24).abs() <= 1e-12 * 7.619853024160527e-24,
            "{t}"
        );
    }

    #[test]
    fn chi2_sf_matches_known_values() {
        // χ²(1) tail at 3.841458820694124 is 0.05; χ²(2) tail is exp(−x/2).
        assert!(close(chi2_sf(3.841458820694124, 1), 0.05, 1e-12));
        assert!(close(chi2_sf(10.0, 2), (-5.0_f64).exp(), 1e-13));
        assert_eq!(chi2_sf(0.0, 3), 1.0);
        assert_eq!(chi2_sf(f64::INFINITY, 3), 0.0);
    }

    #[test]
    fn alternative_and_method_round_trip_their_names() {
        for a in Alternative::ALL {
            assert_eq!(a.as_str().parse::<Alternative>().unwrap(), *a);
        }
        for m in ConfintMethod::ALL {
            assert_eq!(m.to_string().parse::<ConfintMethod>().unwrap(), *m);
        }
        assert_eq!(
            "newcombe".parse::<ConfintMethod>().unwrap(),
            ConfintMethod::Newcombe
        );
        let e = "bigger".parse::<Alternative>().unwrap_err();
        assert!(e.to_string().contains("alternative"), "{e}");
    }

    #[test]
    fn ztest_two_sided_equals_uncorrected_chi2() {
        let z = proportions_ztest([45, 30], [500, 480], Alternative::TwoSided).unwrap();
        let c = chi2_contingency(&[[45, 455], [30, 450]], false).unwrap();
        assert!(close(z.statistic * z.statistic, c.statistic, 1e-12));
        assert!(close(z.p_value, c.p_value, 1e-12));
    }

    #[test]
    fn ztest_pooled_zero_gives_nan_not_error() {
        let z = proportions_ztest([0, 0], [10, 20], Alternative::TwoSided).unwrap();
        assert!(z.statistic.is_nan() && z.p_value.is_nan());
        assert_eq!((z.p1, z.p2, z.difference), (0.0, 0.0, 0.0));
    }

    #[test]
    fn yates_moves_counts_at_most_half_toward_expected() {
        // E = 5 everywhere, |O − E| = 0.2: corrected O equals E, so the statistic is 0.
        let c = chi2_contingency_flat(&[5, 5, 5, 5], 2, true).unwrap();
        assert_eq!(c.statistic, 0.0);
        assert_eq!(c.p_value, 1.0);
        // O = 8, 2 / 2, 8: E = 5, |O − E| = 3 → 2.5 each: χ² = 4 · 2.5² / 5 = 5.
        let c = chi2_contingency_flat(&[8, 2, 2, 8], 2, true).unwrap();
        assert!(close(c.statistic, 5.0, 1e-15));
        assert_eq!(c.expected_at(1, 1), Some(5.0));
        assert_eq!(c.expected_at(2, 0), None);
    }

    #[test]
    fn one_sided_sample_size_has_the_textbook_closed_form() {
        // h = 0.2, α = 0.05, power 0.8, one-sided: n = ((1.6449 + 0.8416) / 0.2)² × 2.
        let h = 0.2;
        let n = samplesize_for_effect(h, 0.05, 0.8, 1.0, Alternative::Larger).unwrap();
        let want = ((norm_isf(0.05) + norm_isf(0.2)) / h).powi(2) * 2.0;
        assert!(close(n, want, 1e-14));
        // scipy: ((norm.isf(0.05) + norm.isf(0.2)) / 0.2)**2 * 2
        assert!(close(n, 309.1278616009885, 1e-12), "{n}");
    }

    #[test]
    fn two_sided_shift_solves_its_equation() {
        for (alpha, power) in [(0.05, 0.8), (0.01, 0.99), (0.2, 0.21), (0.5, 0.9)] {
            let c = norm_isf(alpha / 2.0);
            let s = two_sided_shift(c, power);
            let got = norm_sf(c - s) + norm_cdf(-c - s);
            assert!((got - power).abs() <= 1e-15, "{alpha} {power}: {got}");
        }
    }

    #[test]
    fn ceil_count_rounds_up_and_refuses_overflow() {
        assert_eq!(ceil_count(100.2), Some(101));
        assert_eq!(ceil_count(100.0), Some(100));
        assert_eq!(ceil_count(1e18), Some(1_000_000_000_000_000_000));
        assert_eq!(ceil_count(1e19), None);
        assert_eq!(ceil_count(f64::NAN), None);
    }
}
