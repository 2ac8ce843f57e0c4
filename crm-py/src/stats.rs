//! The tests on proportions of `crm_core::analytics::proportions` as module functions of
//! `crm._crm` (the Python package `crm.analytics` gives them statsmodels' and scipy's signatures).
//!
//! Pure functions on counts: no store, no GIL release needed (each runs in microseconds). A panic
//! (a bug) still becomes `crm.InternalError` rather than pyo3's `PanicException`.

use crm_core::analytics::proportions::{
    Alternative, ConfintMethod, chi2_contingency_flat, confint_proportions_2indep,
    proportion_effectsize, proportions_ztest, samplesize_mde, samplesize_proportions_2indep,
    samplesize_proportions_2indep_ceil,
};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};

use crate::columns::int_column;
use crate::convert::{self, type_name};
use crate::errors::{PyCrmError, PyCrmResult, invalid_argument};

/// Runs `f`, turning a panic into `INTERNAL`.
fn guard<T>(f: impl FnOnce() -> crm_core::Result<T>) -> PyCrmResult<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|payload| {
            let what = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(no message)");
            Err(crm_core::Error::Internal(format!(
                "{what} (a bug in crm; please report it)"
            )))
        })
        .map_err(PyCrmError::from)
}

/// A real number: `int`, `float` or a numpy number (not `bool`, not text).
pub fn real(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<f64> {
    let numeric = obj.is_instance_of::<PyFloat>()
        || obj.is_instance_of::<PyInt>()
        || (obj.hasattr("dtype").unwrap_or(false)
            && obj
                .getattr("dtype")
                .and_then(|d| d.getattr("kind"))
                .and_then(|k| k.extract::<String>())
                .is_ok_and(|k| matches!(k.as_str(), "f" | "i" | "u")));
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyString>() || !numeric {
        return Err(invalid_argument(format!(
            "{what}: expected a number, got {} {}",
            type_name(obj),
            obj.repr().map(|r| r.to_string()).unwrap_or_default()
        )));
    }
    obj.extract::<f64>()
        .map_err(|e| invalid_argument(format!("{what}: cannot be read as a number ({e})")))
}

fn alternative(obj: &Bound<'_, PyAny>) -> PyCrmResult<Alternative> {
    Ok(convert::text(obj, "alternative")?.parse()?)
}

/// Two integers (`[variant, control]`) from a list-like of length 2.
fn pair(obj: &Bound<'_, PyAny>, what: &str) -> PyCrmResult<[i64; 2]> {
    let values = int_column(obj, what)?;
    match values.as_slice() {
        [a, b] => Ok([*a, *b]),
        other => Err(invalid_argument(format!(
            "{what}: expected two values (arm 1, arm 2), got {}",
            other.len()
        ))),
    }
}

/// Two-sample z-test with the pooled variance: `(statistic, p_value, p1, p2, difference)`.
#[pyfunction]
pub fn proportions_ztest_2samp(
    count: &Bound<'_, PyAny>,
    nobs: &Bound<'_, PyAny>,
    alternative: &Bound<'_, PyAny>,
) -> PyCrmResult<(f64, f64, f64, f64, f64)> {
    let count = pair(count, "count")?;
    let nobs = pair(nobs, "nobs")?;
    let alternative = self::alternative(alternative)?;
    let t = guard(|| proportions_ztest(count, nobs, alternative))?;
    Ok((t.statistic, t.p_value, t.p1, t.p2, t.difference))
}

/// `(statistic, p_value, dof, expected, rows, cols)` of `chi2_contingency`.
type Chi2Out<'py> = (f64, f64, usize, Bound<'py, PyArray1<f64>>, usize, usize);

/// Chi-square test of independence on a table given row-major (`cells`, `cols` per row):
/// `(statistic, p_value, dof, expected (float64 array, row-major), rows, cols)`.
#[pyfunction]
pub fn chi2_contingency<'py>(
    py: Python<'py>,
    cells: &Bound<'py, PyAny>,
    cols: &Bound<'py, PyAny>,
    correction: &Bound<'py, PyAny>,
) -> PyCrmResult<Chi2Out<'py>> {
    let cells = int_column(cells, "observed")?;
    let cols = convert::optional_count(Some(cols), "cols")?.unwrap_or(0);
    let cols = usize::try_from(cols)
        .map_err(|_| invalid_argument(format!("cols: {cols} is too large")))?;
    let correction = convert::flag(correction, "correction")?;
    let t = guard(|| chi2_contingency_flat(&cells, cols, correction))?;
    Ok((
        t.statistic,
        t.p_value,
        t.dof,
        PyArray1::from_vec(py, t.expected),
        t.rows,
        t.cols,
    ))
}

/// Confidence interval `(low, upp)` of p1 − p2 (method `wald` or `newcomb`).
#[pyfunction]
pub fn confint_proportions_2indep_diff(
    count1: &Bound<'_, PyAny>,
    nobs1: &Bound<'_, PyAny>,
    count2: &Bound<'_, PyAny>,
    nobs2: &Bound<'_, PyAny>,
    method: &Bound<'_, PyAny>,
    alpha: &Bound<'_, PyAny>,
) -> PyCrmResult<(f64, f64)> {
    let c1 = convert::int(count1, "count1")?;
    let n1 = convert::int(nobs1, "nobs1")?;
    let c2 = convert::int(count2, "count2")?;
    let n2 = convert::int(nobs2, "nobs2")?;
    let method: ConfintMethod = convert::text(method, "method")?.parse()?;
    let alpha = real(alpha, "alpha")?;
    guard(|| confint_proportions_2indep(c1, n1, c2, n2, method, alpha))
}

/// Cohen's h of two proportions.
#[pyfunction(name = "proportion_effectsize")]
pub fn effectsize(prop1: &Bound<'_, PyAny>, prop2: &Bound<'_, PyAny>) -> PyCrmResult<f64> {
    let p1 = real(prop1, "prop1")?;
    let p2 = real(prop2, "prop2")?;
    guard(|| proportion_effectsize(p1, p2))
}

/// Observations in arm 1 for a two-sample z-test on p1, p2 to reach `power` at `alpha` (arm 2
/// has `ratio` times as many); not rounded.
#[pyfunction(name = "samplesize_proportions_2indep")]
pub fn samplesize(
    p1: &Bound<'_, PyAny>,
    p2: &Bound<'_, PyAny>,
    alpha: &Bound<'_, PyAny>,
    power: &Bound<'_, PyAny>,
    ratio: &Bound<'_, PyAny>,
    alternative: &Bound<'_, PyAny>,
) -> PyCrmResult<f64> {
    let (p1, p2) = (real(p1, "p1")?, real(p2, "p2")?);
    let (alpha, power, ratio) = (
        real(alpha, "alpha")?,
        real(power, "power")?,
        real(ratio, "ratio")?,
    );
    let alternative = self::alternative(alternative)?;
    guard(|| samplesize_proportions_2indep(p1, p2, alpha, power, ratio, alternative))
}

/// As `samplesize_proportions_2indep`, rounded up: `(n1, n2)`.
#[pyfunction(name = "samplesize_proportions_2indep_ceil")]
pub fn samplesize_ceil(
    p1: &Bound<'_, PyAny>,
    p2: &Bound<'_, PyAny>,
    alpha: &Bound<'_, PyAny>,
    power: &Bound<'_, PyAny>,
    ratio: &Bound<'_, PyAny>,
    alternative: &Bound<'_, PyAny>,
) -> PyCrmResult<(i64, i64)> {
    let (p1, p2) = (real(p1, "p1")?, real(p2, "p2")?);
    let (alpha, power, ratio) = (
        real(alpha, "alpha")?,
        real(power, "power")?,
        real(ratio, "ratio")?,
    );
    let alternative = self::alternative(alternative)?;
    guard(|| samplesize_proportions_2indep_ceil(p1, p2, alpha, power, ratio, alternative))
}

/// As `samplesize_proportions_2indep` for a baseline rate and an absolute change `mde`.
#[pyfunction(name = "samplesize_mde")]
pub fn samplesize_for_mde(
    baseline: &Bound<'_, PyAny>,
    mde: &Bound<'_, PyAny>,
    alpha: &Bound<'_, PyAny>,
    power: &Bound<'_, PyAny>,
    ratio: &Bound<'_, PyAny>,
    alternative: &Bound<'_, PyAny>,
) -> PyCrmResult<f64> {
    let (baseline, mde) = (real(baseline, "baseline")?, real(mde, "mde")?);
    let (alpha, power, ratio) = (
        real(alpha, "alpha")?,
        real(power, "power")?,
        real(ratio, "ratio")?,
    );
    let alternative = self::alternative(alternative)?;
    guard(|| samplesize_mde(baseline, mde, alpha, power, ratio, alternative))
}

/// Members per arm, `(treatment, control)`, to detect a change of conversion rate from
/// `baseline` by `minimum_effect` (two-sided; `crm_core::model::campaign_report::sample_size`).
#[pyfunction]
pub fn campaign_sample_size(
    baseline: &Bound<'_, PyAny>,
    minimum_effect: &Bound<'_, PyAny>,
    alpha: &Bound<'_, PyAny>,
    power: &Bound<'_, PyAny>,
    ratio: &Bound<'_, PyAny>,
) -> PyCrmResult<(i64, i64)> {
    let baseline = real(baseline, "baseline")?;
    let minimum_effect = real(minimum_effect, "minimum_effect")?;
    let (alpha, power, ratio) = (
        real(alpha, "alpha")?,
        real(power, "power")?,
        real(ratio, "ratio")?,
    );
    guard(|| {
        crm_core::model::campaign_report::sample_size(baseline, minimum_effect, alpha, power, ratio)
    })
}

/// Adds the functions and the vocabularies (`ALTERNATIVES`, `CONFINT_METHODS`) to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ALTERNATIVES", Alternative::NAMES.to_vec())?;
    m.add("CONFINT_METHODS", ConfintMethod::NAMES.to_vec())?;
    m.add_function(wrap_pyfunction!(proportions_ztest_2samp, m)?)?;
    m.add_function(wrap_pyfunction!(chi2_contingency, m)?)?;
    m.add_function(wrap_pyfunction!(confint_proportions_2indep_diff, m)?)?;
    m.add_function(wrap_pyfunction!(effectsize, m)?)?;
    m.add_function(wrap_pyfunction!(samplesize, m)?)?;
    m.add_function(wrap_pyfunction!(samplesize_ceil, m)?)?;
    m.add_function(wrap_pyfunction!(samplesize_for_mde, m)?)?;
    m.add_function(wrap_pyfunction!(campaign_sample_size, m)?)?;
    Ok(())
}
