//! Statistics on proportions as pure C functions: counts and rates in, results through
//! out-parameters. No handle and no store: they work on any numbers (a campaign's report uses the
//! same functions). Each one is `crm_core::analytics::proportions`, which matches statsmodels and
//! scipy; the outcome goes to the thread's last error (`crm_errcode(NULL)`, `crm_errmsg(NULL)`).
//!
//! The out-parameters are written on success only.

use std::ffi::c_int;

use crm_core::analytics::proportions::{
    self, Alternative, ConfintMethod, chi2_contingency_flat, confint_proportions_2indep,
    proportion_effectsize, proportions_ztest, samplesize_proportions_2indep_ceil,
};
use crm_core::{Error, Result};

use crate::args::{check_out, slice};
use crate::error::guard;

/// Alternative hypothesis p1 ≠ p2 (statsmodels' `two-sided`).
pub const CRM_ALTERNATIVE_TWO_SIDED: c_int = 0;
/// Alternative hypothesis p1 > p2 (statsmodels' `larger`).
pub const CRM_ALTERNATIVE_LARGER: c_int = 1;
/// Alternative hypothesis p1 < p2 (statsmodels' `smaller`).
pub const CRM_ALTERNATIVE_SMALLER: c_int = 2;

/// Confidence interval method for a difference of proportions: Wald.
pub const CRM_CONFINT_WALD: c_int = 0;
/// Confidence interval method for a difference of proportions: Newcombe's hybrid score
/// (statsmodels' `newcomb`).
pub const CRM_CONFINT_NEWCOMBE: c_int = 1;

fn alternative_of(a: c_int) -> Result<Alternative> {
    match a {
        CRM_ALTERNATIVE_TWO_SIDED => Ok(Alternative::TwoSided),
        CRM_ALTERNATIVE_LARGER => Ok(Alternative::Larger),
        CRM_ALTERNATIVE_SMALLER => Ok(Alternative::Smaller),
        _ => Err(Error::InvalidArgument(format!(
            "alternative {a} is not one of CRM_ALTERNATIVE_TWO_SIDED, _LARGER, _SMALLER"
        ))),
    }
}

fn confint_method(m: c_int) -> Result<ConfintMethod> {
    match m {
        CRM_CONFINT_WALD => Ok(ConfintMethod::Wald),
        CRM_CONFINT_NEWCOMBE => Ok(ConfintMethod::Newcombe),
        _ => Err(Error::InvalidArgument(format!(
            "method {m} is not CRM_CONFINT_WALD or CRM_CONFINT_NEWCOMBE"
        ))),
    }
}

/// Two-sample z-test of H0: p1 = p2 with the pooled variance, for `count1` successes of `nobs1`
/// trials (arm 1, the variant) against `count2` of `nobs2` (arm 2, the control). Matches
/// statsmodels `proportions_ztest([count1, count2], [nobs1, nobs2], alternative=...)`:
/// `[4, 2]` of `[20, 20]` gives z = 0.8856148855400953, p = 0.37582508748869836. When nobody
/// (or everybody) succeeded in both arms the statistic is 0/0 and both results are NaN, as in
/// statsmodels (not an error). Writes `*out_statistic` and `*out_p_value`.
///
/// Errors: `CRM_INVALID_INPUT` (a negative count, a count above its total, a total that is not
/// positive; the message names it), `CRM_INVALID_ARGUMENT` (NULL out-parameter, an unknown
/// `alternative`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stats_proportions_ztest(
    count1: i64,
    nobs1: i64,
    count2: i64,
    nobs2: i64,
    alternative: c_int,
    out_statistic: *mut f64,
    out_p_value: *mut f64,
) -> c_int {
    guard("crm_stats_proportions_ztest", || {
        check_out(out_statistic, "out_statistic")?;
        check_out(out_p_value, "out_p_value")?;
        let t = proportions_ztest(
            [count1, count2],
            [nobs1, nobs2],
            alternative_of(alternative)?,
        )?;
        // SAFETY: both non-NULL (checked) and writable by the caller's contract.
        unsafe {
            out_statistic.write(t.statistic);
            out_p_value.write(t.p_value);
        }
        Ok(())
    })
}

/// Chi-square test of independence on a `rows` × `cols` table of counts given row-major in
/// `table` (`rows * cols` values). With `correction` non-zero, Yates' continuity correction
/// applies to a 2×2 table (scipy's default); it has no effect on other shapes. Matches scipy
/// `chi2_contingency(table, correction=...)`: `[[4, 16], [2, 18]]` without correction gives
/// 0.7843137254901961. Writes `*out_statistic` and `*out_p_value`; also the degrees of freedom to
/// `*out_dof` and the expected frequencies (row-major, `rows * cols` doubles) to `out_expected`
/// when those are not NULL.
///
/// Errors: `CRM_INVALID_INPUT` (a negative count, a row or column summing to 0),
/// `CRM_INVALID_ARGUMENT` (NULL `table` with cells, no cells, NULL `out_statistic` or
/// `out_p_value`, `rows * cols` overflowing).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stats_chi2_contingency(
    table: *const i64,
    rows: usize,
    cols: usize,
    correction: c_int,
    out_statistic: *mut f64,
    out_p_value: *mut f64,
    out_dof: *mut usize,
    out_expected: *mut f64,
) -> c_int {
    guard("crm_stats_chi2_contingency", || {
        check_out(out_statistic, "out_statistic")?;
        check_out(out_p_value, "out_p_value")?;
        let n = rows.checked_mul(cols).ok_or_else(|| {
            Error::InvalidArgument(format!("a table of {rows} × {cols} cells is too large"))
        })?;
        // SAFETY: NULL or `rows * cols` counts by the caller's contract.
        let cells = unsafe { slice(table, n, "table") }?;
        let t = chi2_contingency_flat(cells, cols, correction != 0)?;
        // SAFETY (all): non-NULL (checked) and writable; `out_expected` has room for
        // `rows * cols` doubles by the contract, which is `t.expected.len()`.
        unsafe {
            out_statistic.write(t.statistic);
            out_p_value.write(t.p_value);
            if !out_dof.is_null() {
                out_dof.write(t.dof);
            }
            if !out_expected.is_null() {
                std::ptr::copy_nonoverlapping(t.expected.as_ptr(), out_expected, t.expected.len());
            }
        }
        Ok(())
    })
}

/// Two-sided `1 − alpha` confidence interval for the difference p1 − p2 of two independent
/// proportions, `count1` of `nobs1` and `count2` of `nobs2`, by `method` (`CRM_CONFINT_WALD` or
/// `CRM_CONFINT_NEWCOMBE`). Matches statsmodels `confint_proportions_2indep(count1, nobs1,
/// count2, nobs2, method='wald'|'newcomb', compare='diff', alpha=alpha)`; the Wald interval is not
/// clipped. Writes `*out_low` and `*out_high`.
///
/// Errors: `CRM_INVALID_INPUT` (a bad count or total, `alpha` outside (0, 1)),
/// `CRM_INVALID_ARGUMENT` (NULL out-parameter, an unknown `method`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stats_confint_proportions_2indep(
    count1: i64,
    nobs1: i64,
    count2: i64,
    nobs2: i64,
    method: c_int,
    alpha: f64,
    out_low: *mut f64,
    out_high: *mut f64,
) -> c_int {
    guard("crm_stats_confint_proportions_2indep", || {
        check_out(out_low, "out_low")?;
        check_out(out_high, "out_high")?;
        let method = confint_method(method)?;
        let (low, high) = confint_proportions_2indep(count1, nobs1, count2, nobs2, method, alpha)?;
        // SAFETY: both non-NULL (checked) and writable.
        unsafe {
            out_low.write(low);
            out_high.write(high);
        }
        Ok(())
    })
}

/// Cohen's h for proportions `p1` and `p2`: `2·(asin √p1 − asin √p2)` (statsmodels
/// `proportion_effectsize`), written to `*out`.
///
/// Errors: `CRM_INVALID_INPUT` (`p1` or `p2` NaN or outside [0, 1]), `CRM_INVALID_ARGUMENT` (NULL
/// `out`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stats_proportion_effectsize(p1: f64, p2: f64, out: *mut f64) -> c_int {
    guard("crm_stats_proportion_effectsize", || {
        check_out(out, "out")?;
        let h = proportion_effectsize(p1, p2)?;
        // SAFETY: non-NULL (checked) and writable.
        unsafe { out.write(h) };
        Ok(())
    })
}

/// The observations arm 1 needs (arm 2 gets `ratio` times as many) for a two-sample z-test on
/// proportions `p1` and `p2` to reach `power` at level `alpha`, unrounded (statsmodels
/// `NormalIndPower().solve_power` on Cohen's h): 0.12 against 0.10 at alpha 0.05, power 0.8,
/// ratio 1, two-sided gives 3834.5957…. Written to `*out_nobs1`.
///
/// Errors: `CRM_INVALID_INPUT` (a proportion outside [0, 1], `p1 == p2`, `alpha` or `power`
/// outside (0, 1), `power <= alpha`, `ratio` not positive and finite, a one-sided alternative
/// pointing away from the effect; the message names the parameter), `CRM_INVALID_ARGUMENT` (NULL
/// `out_nobs1`, an unknown `alternative`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stats_samplesize_proportions_2indep(
    p1: f64,
    p2: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: c_int,
    out_nobs1: *mut f64,
) -> c_int {
    guard("crm_stats_samplesize_proportions_2indep", || {
        check_out(out_nobs1, "out_nobs1")?;
        let alt = alternative_of(alternative)?;
        let n = proportions::samplesize_proportions_2indep(p1, p2, alpha, power, ratio, alt)?;
        // SAFETY: non-NULL (checked) and writable.
        unsafe { out_nobs1.write(n) };
        Ok(())
    })
}

/// `crm_stats_samplesize_proportions_2indep` rounded up to whole observations: `*out_nobs1` =
/// ⌈n1⌉ for arm 1 and `*out_nobs2` = ⌈ratio · n1⌉ for arm 2 (3835 and 3835 for the example
/// above).
///
/// Errors as for `crm_stats_samplesize_proportions_2indep`; also `CRM_INVALID_INPUT` when a size
/// does not fit in an `int64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn crm_stats_samplesize_proportions_2indep_ceil(
    p1: f64,
    p2: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
    alternative: c_int,
    out_nobs1: *mut i64,
    out_nobs2: *mut i64,
) -> c_int {
    guard("crm_stats_samplesize_proportions_2indep_ceil", || {
        check_out(out_nobs1, "out_nobs1")?;
        check_out(out_nobs2, "out_nobs2")?;
        let alt = alternative_of(alternative)?;
        let (n1, n2) = samplesize_proportions_2indep_ceil(p1, p2, alpha, power, ratio, alt)?;
        // SAFETY: both non-NULL (checked) and writable.
        unsafe {
            out_nobs1.write(n1);
            out_nobs2.write(n2);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crm_code::*;

    #[test]
    fn matches_statsmodels_and_refuses_bad_input() {
        let (mut z, mut p) = (0.0, 0.0);
        let code = unsafe {
            crm_stats_proportions_ztest(4, 20, 2, 20, CRM_ALTERNATIVE_TWO_SIDED, &mut z, &mut p)
        };
        assert_eq!(code, 0);
        assert!((z - 0.8856148855400953).abs() < 1e-12, "{z}");
        assert!((p - 0.37582508748869836).abs() < 1e-12, "{p}");
        let code = unsafe { crm_stats_proportions_ztest(4, 20, 2, 20, 7, &mut z, &mut p) };
        assert_eq!(code, CRM_INVALID_ARGUMENT as c_int);
        let code = unsafe { crm_stats_proportions_ztest(21, 20, 2, 20, 0, &mut z, &mut p) };
        assert_eq!(code, CRM_INVALID_INPUT as c_int);

        let table = [4i64, 16, 2, 18];
        let (mut chi, mut dof, mut expected) = (0.0, 0usize, [0.0f64; 4]);
        let code = unsafe {
            crm_stats_chi2_contingency(
                table.as_ptr(),
                2,
                2,
                0,
                &mut chi,
                &mut p,
                &mut dof,
                expected.as_mut_ptr(),
            )
        };
        assert_eq!(code, 0);
        assert!((chi - 0.7843137254901961).abs() < 1e-12);
        assert_eq!(dof, 1);
        assert_eq!(expected, [3.0, 17.0, 3.0, 17.0]);

        let (mut n1, mut n2) = (0i64, 0i64);
        let code = unsafe {
            crm_stats_samplesize_proportions_2indep_ceil(
                0.12, 0.10, 0.05, 0.8, 1.0, 0, &mut n1, &mut n2,
            )
        };
        assert_eq!(code, 0);
        assert_eq!((n1, n2), (3835, 3835));
    }
}
