//! `analytics::proportions` against the committed statsmodels/scipy reference
//! (tests/reference/proportions/proportions.json, made by generate.py beside it), and its refusals
//! of bad input.

use std::path::PathBuf;

use crm_core::analytics::proportions::{
    Alternative, ConfintMethod, chi2_contingency, chi2_contingency_flat,
    confint_proportions_2indep, proportion_effectsize, proportions_ztest, samplesize_mde,
    samplesize_proportions_2indep, samplesize_proportions_2indep_ceil,
};
use crm_core::{Error, ErrorCode};
use serde_json::Value;

/// The tolerance of the brief: |a − b| ≤ 1e-9 · max(1, |b|).
const TOL: f64 = 1e-9;

fn reference() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/reference/proportions/proportions.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "read {}: {e} (run `make reference-proportions`)",
            path.display()
        )
    });
    serde_json::from_str(&text).expect("reference JSON parses")
}

fn cases<'a>(doc: &'a Value, key: &str) -> &'a [Value] {
    let list = doc[key]
        .as_array()
        .unwrap_or_else(|| panic!("{key} is not a list"));
    assert!(!list.is_empty(), "{key} has no cases");
    list
}

/// A reference float: a JSON number, or "nan" / "inf" / "-inf".
fn float(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("finite number"),
        Value::String(s) if s == "nan" => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => panic!("not a float: {other}"),
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// Tracks the largest error seen, so a failure (or `--nocapture`) tells how close we are.
#[derive(Default)]
struct Worst {
    abs: f64,
    rel: f64,
}

impl Worst {
    /// Asserts `got` matches `want` within TOL · max(1, |want|); NaN must match NaN.
    fn check(&mut self, case: &str, what: &str, got: f64, want: f64) {
        if want.is_nan() {
            assert!(
                got.is_nan(),
                "{case}: {what} = {got}, statsmodels/scipy gives nan"
            );
            return;
        }
        let err = (got - want).abs();
        if std::env::var_os("PROPORTIONS_TRACE").is_some() {
            eprintln!(
                "{case} {what}: {got:e} vs {want:e}, {:e}",
                err / want.abs().max(1e-300)
            );
        }
        self.abs = self.abs.max(err / want.abs().max(1.0));
        assert!(
            err <= TOL * want.abs().max(1.0),
            "{case}: {what} = {got:e}, reference {want:e} (diff {err:e})"
        );
    }

    /// As [`Worst::check`], and for a p-value also relative: tiny p-values must keep their digits.
    fn check_p(&mut self, case: &str, what: &str, got: f64, want: f64) {
        self.check(case, what, got, want);
        if want.is_nan() || want == 0.0 {
            return;
        }
        let rel = (got - want).abs() / want.abs();
        self.rel = self.rel.max(rel);
        assert!(
            rel <= TOL,
            "{case}: {what} = {got:e}, reference {want:e} (relative {rel:e})"
        );
    }
}

fn alternative(v: &Value) -> Alternative {
    text(v).parse().expect("known alternative")
}

#[test]
fn ztest_matches_statsmodels() {
    let doc = reference();
    let mut worst = Worst::default();
    let list = cases(&doc, "ztest");
    assert!(list.len() >= 25, "only {} z-test cases", list.len());
    for c in list {
        let name = text(&c["name"]);
        let count = [int(&c["count"][0]), int(&c["count"][1])];
        let nobs = [int(&c["nobs"][0]), int(&c["nobs"][1])];
        let t = proportions_ztest(count, nobs, alternative(&c["alternative"])).unwrap();
        worst.check(name, "statistic", t.statistic, float(&c["statistic"]));
        worst.check_p(name, "p_value", t.p_value, float(&c["p_value"]));
        worst.check(name, "p1", t.p1, float(&c["p1"]));
        worst.check(name, "p2", t.p2, float(&c["p2"]));
        worst.check(name, "difference", t.difference, float(&c["difference"]));
    }
    eprintln!(
        "ztest: {} cases, worst scaled error {:e}, worst p-value relative error {:e}",
        list.len(),
        worst.abs,
        worst.rel
    );
}

#[test]
fn chi2_contingency_matches_scipy() {
    let doc = reference();
    let mut worst = Worst::default();
    let list = cases(&doc, "chi2");
    assert!(list.len() >= 25, "only {} chi-square cases", list.len());
    let mut shapes = std::collections::BTreeSet::new();
    for c in list {
        let name = text(&c["name"]);
        let table: Vec<Vec<i64>> = c["table"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| row.as_array().expect("cells").iter().map(int).collect())
            .collect();
        let correction = c["correction"].as_bool().expect("bool");
        let t = chi2_contingency(&table, correction).unwrap();
        shapes.insert((t.rows, t.cols));
        assert_eq!(t.dof as i64, int(&c["dof"]), "{name}: dof");
        worst.check(name, "statistic", t.statistic, float(&c["statistic"]));
        worst.check_p(name, "p_value", t.p_value, float(&c["p_value"]));
        let expected = c["expected"].as_array().expect("expected");
        assert_eq!(t.expected.len(), expected.len(), "{name}: expected cells");
        for (k, (got, want)) in t.expected.iter().zip(expected).enumerate() {
            worst.check(name, &format!("expected[{k}]"), *got, float(want));
        }
        // The flat (row-major) form gives the same answer.
        let flat: Vec<i64> = table.concat();
        assert_eq!(
            chi2_contingency_flat(&flat, t.cols, correction).unwrap(),
            t,
            "{name}: flat"
        );
    }
    for shape in [(2, 2), (2, 3), (3, 4), (1, 3), (3, 1)] {
        assert!(
            shapes.contains(&shape),
            "no {shape:?} table in the reference"
        );
    }
    eprintln!(
        "chi2: {} cases, worst scaled error {:e}, worst p-value relative error {:e}",
        list.len(),
        worst.abs,
        worst.rel
    );
}

#[test]
fn chi2_refuses_what_scipy_refuses() {
    let doc = reference();
    for c in cases(&doc, "chi2_errors") {
        let name = text(&c["name"]);
        let table: Vec<Vec<i64>> = c["table"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|row| row.as_array().expect("cells").iter().map(int).collect())
            .collect();
        let correction = c["correction"].as_bool().expect("bool");
        match chi2_contingency(&table, correction) {
            Err(Error::InvalidInput { field, rule, .. }) => {
                assert!(field.starts_with("table "), "{name}: {field}");
                assert!(
                    rule.contains("expected frequency would be 0"),
                    "{name}: {rule}"
                );
            }
            other => panic!("{name}: scipy raises, we gave {other:?}"),
        }
    }
}

#[test]
fn confint_matches_statsmodels() {
    let doc = reference();
    let mut worst = Worst::default();
    let list = cases(&doc, "confint");
    assert!(list.len() >= 25, "only {} interval cases", list.len());
    for c in list {
        let name = text(&c["name"]);
        let method: ConfintMethod = text(&c["method"]).parse().unwrap();
        let (low, upp) = confint_proportions_2indep(
            int(&c["count1"]),
            int(&c["nobs1"]),
            int(&c["count2"]),
            int(&c["nobs2"]),
            method,
            float(&c["alpha"]),
        )
        .unwrap();
        worst.check(name, "low", low, float(&c["low"]));
        worst.check(name, "upp", upp, float(&c["upp"]));
    }
    eprintln!(
        "confint: {} cases, worst scaled error {:e}",
        list.len(),
        worst.abs
    );
}

#[test]
fn effectsize_matches_statsmodels() {
    let doc = reference();
    let mut worst = Worst::default();
    for c in cases(&doc, "effectsize") {
        let (p1, p2) = (float(&c["p1"]), float(&c["p2"]));
        let h = proportion_effectsize(p1, p2).unwrap();
        worst.check(
            &format!("h({p1}, {p2})"),
            "effect_size",
            h,
            float(&c["effect_size"]),
        );
    }
}

#[test]
fn samplesize_matches_statsmodels() {
    let doc = reference();
    let list = cases(&doc, "samplesize");
    assert!(list.len() >= 20, "only {} sample-size cases", list.len());
    let (mut worst_exact, mut worst_sm) = (0.0_f64, 0.0_f64);
    for c in list {
        let name = text(&c["name"]);
        let (alpha, power, ratio) = (float(&c["alpha"]), float(&c["power"]), float(&c["ratio"]));
        let alt = alternative(&c["alternative"]);
        let (p1, p2) = (float(&c["p1"]), float(&c["p2"]));
        let n = if c.get("mde").is_some() {
            samplesize_mde(
                float(&c["baseline"]),
                float(&c["mde"]),
                alpha,
                power,
                ratio,
                alt,
            )
            .unwrap()
        } else {
            samplesize_proportions_2indep(p1, p2, alpha, power, ratio, alt).unwrap()
        };
        Worst::default().check(
            name,
            "effect_size",
            proportion_effectsize(p1, p2).unwrap(),
            float(&c["effect_size"]),
        );
        // statsmodels' power equation solved to machine precision: the brief's 1e-9, relative.
        let exact = float(&c["nobs1_exact"]);
        let rel = (n - exact).abs() / exact;
        worst_exact = worst_exact.max(rel);
        assert!(
            rel <= TOL,
            "{name}: nobs1 = {n}, exact {exact} (relative {rel:e})"
        );
        // solve_power itself stops its root finder at xtol = 1e-5, so it is only this close.
        let sm = float(&c["nobs1_statsmodels"]);
        let rel = (n - sm).abs() / sm;
        worst_sm = worst_sm.max(rel);
        assert!(
            rel <= 1e-6,
            "{name}: nobs1 = {n}, solve_power {sm} (relative {rel:e})"
        );

        let (n1, n2) =
            samplesize_proportions_2indep_ceil(p1, p2, alpha, power, ratio, alt).unwrap();
        assert_eq!(n1, int(&c["nobs1_ceil"]), "{name}: ceil n1");
        assert_eq!(n2, int(&c["nobs2_ceil"]), "{name}: ceil n2");
    }
    eprintln!(
        "samplesize: {} cases, worst relative error vs exact {worst_exact:e}, vs solve_power {worst_sm:e}",
        list.len()
    );
}

// ------------------------------------------------------------------ bad input

/// Asserts an InvalidInput naming `field`.
#[track_caller]
fn assert_invalid<T: std::fmt::Debug>(result: crm_core::Result<T>, field: &str) {
    match result {
        Err(e @ Error::InvalidInput { .. }) => {
            assert_eq!(e.code(), ErrorCode::InvalidInput);
            let Error::InvalidInput { field: got, .. } = &e else {
                unreachable!()
            };
            assert_eq!(got, field, "{e}");
        }
        other => panic!("expected InvalidInput on {field}, got {other:?}"),
    }
}

#[test]
fn ztest_refuses_bad_counts() {
    let two = Alternative::TwoSided;
    assert_invalid(proportions_ztest([11, 5], [10, 10], two), "count[0]");
    assert_invalid(proportions_ztest([5, 11], [10, 10], two), "count[1]");
    assert_invalid(proportions_ztest([-1, 5], [10, 10], two), "count[0]");
    assert_invalid(proportions_ztest([0, 5], [0, 10], two), "nobs[0]");
    assert_invalid(proportions_ztest([0, 5], [10, -3], two), "nobs[1]");
    assert_invalid(proportions_ztest([1, 1], [i64::MAX, i64::MAX], two), "nobs");
    // The message names the value and the rule, not just the field.
    let e = proportions_ztest([11, 5], [10, 10], two).unwrap_err();
    assert!(
        e.to_string().contains("11") && e.to_string().contains("nobs[0]"),
        "{e}"
    );
}

#[test]
fn ztest_degenerate_pool_is_nan_like_statsmodels() {
    for (count, nobs) in [([0, 0], [5, 7]), ([5, 7], [5, 7])] {
        let t = proportions_ztest(count, nobs, Alternative::Larger).unwrap();
        assert!(t.statistic.is_nan() && t.p_value.is_nan(), "{t:?}");
        assert_eq!(t.difference, 0.0);
    }
}

#[test]
fn chi2_refuses_bad_tables() {
    match chi2_contingency(&[vec![1, 2], vec![3]], false) {
        Err(e @ Error::InvalidArgument(_)) => assert!(e.to_string().contains("row 1"), "{e}"),
        other => panic!("ragged table: {other:?}"),
    }
    let empty: [Vec<i64>; 0] = [];
    assert!(matches!(
        chi2_contingency(&empty, true),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        chi2_contingency(&[Vec::<i64>::new()], true),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        chi2_contingency_flat(&[1, 2, 3], 2, true),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        chi2_contingency_flat(&[1, 2], 0, true),
        Err(Error::InvalidArgument(_))
    ));
    assert_invalid(chi2_contingency(&[[4, 5], [6, -1]], true), "table[1][1]");
    assert_invalid(
        chi2_contingency(&[[0, 0, 0], [1, 2, 3]], true),
        "table row 0",
    );
    assert_invalid(
        chi2_contingency(&[[1, 0, 3], [4, 0, 6]], false),
        "table column 1",
    );
    assert_invalid(chi2_contingency(&[[i64::MAX, 1], [1, 1]], false), "table");
}

#[test]
fn confint_refuses_bad_input() {
    let m = ConfintMethod::Newcombe;
    assert_invalid(confint_proportions_2indep(5, 4, 1, 10, m, 0.05), "count1");
    assert_invalid(confint_proportions_2indep(1, 4, -1, 10, m, 0.05), "count2");
    assert_invalid(confint_proportions_2indep(0, 0, 1, 10, m, 0.05), "nobs1");
    assert_invalid(confint_proportions_2indep(0, 3, 0, 0, m, 0.05), "nobs2");
    for alpha in [0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY] {
        assert_invalid(confint_proportions_2indep(1, 4, 1, 10, m, alpha), "alpha");
    }
    assert_invalid("agresti".parse::<ConfintMethod>(), "method");
}

#[test]
fn effectsize_and_samplesize_refuse_bad_input() {
    let two = Alternative::TwoSided;
    for p in [-0.01, 1.01, f64::NAN, f64::INFINITY] {
        assert_invalid(proportion_effectsize(p, 0.5), "p1");
        assert_invalid(proportion_effectsize(0.5, p), "p2");
        assert_invalid(
            samplesize_proportions_2indep(p, 0.5, 0.05, 0.8, 1.0, two),
            "p1",
        );
        assert_invalid(
            samplesize_proportions_2indep(0.5, p, 0.05, 0.8, 1.0, two),
            "p2",
        );
    }
    for level in [0.0, 1.0, -1.0, 2.0, f64::NAN] {
        assert_invalid(
            samplesize_proportions_2indep(0.2, 0.1, level, 0.8, 1.0, two),
            "alpha",
        );
        assert_invalid(
            samplesize_proportions_2indep(0.2, 0.1, 0.05, level, 1.0, two),
            "power",
        );
    }
    for ratio in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_invalid(
            samplesize_proportions_2indep(0.2, 0.1, 0.05, 0.8, ratio, two),
            "ratio",
        );
    }
    // No effect, power not above alpha, and a one-sided test pointing the wrong way.
    assert_invalid(
        samplesize_proportions_2indep(0.1, 0.1, 0.05, 0.8, 1.0, two),
        "p2",
    );
    assert_invalid(
        samplesize_proportions_2indep(0.2, 0.1, 0.3, 0.3, 1.0, two),
        "power",
    );
    assert_invalid(
        samplesize_proportions_2indep(0.1, 0.2, 0.05, 0.8, 1.0, Alternative::Larger),
        "alternative",
    );
    assert_invalid(
        samplesize_proportions_2indep(0.2, 0.1, 0.05, 0.8, 1.0, Alternative::Smaller),
        "alternative",
    );
    // The minimum detectable effect form.
    assert_invalid(samplesize_mde(0.95, 0.1, 0.05, 0.8, 1.0, two), "mde");
    assert_invalid(samplesize_mde(0.05, -0.1, 0.05, 0.8, 1.0, two), "mde");
    assert_invalid(samplesize_mde(0.05, 0.0, 0.05, 0.8, 1.0, two), "mde");
    assert_invalid(samplesize_mde(0.05, f64::NAN, 0.05, 0.8, 1.0, two), "mde");
    assert_invalid(samplesize_mde(1.5, -0.6, 0.05, 0.8, 1.0, two), "baseline");
    // An effect too small for an i64 of customers.
    assert_invalid(
        samplesize_proportions_2indep_ceil(0.5, 0.5 + 1e-12, 0.05, 0.8, 1.0, two),
        "p2",
    );
    assert_invalid("both".parse::<Alternative>(), "alternative");
}

#[test]
fn samplesize_ceil_covers_the_fractional_requirement() {
    let n =
        samplesize_proportions_2indep(0.12, 0.10, 0.05, 0.8, 2.0, Alternative::TwoSided).unwrap();
    let (n1, n2) =
        samplesize_proportions_2indep_ceil(0.12, 0.10, 0.05, 0.8, 2.0, Alternative::TwoSided)
            .unwrap();
    assert!((n1 as f64) >= n && (n1 as f64) < n + 1.0, "{n1} vs {n}");
    assert!(
        (n2 as f64) >= 2.0 * n && (n2 as f64) < 2.0 * n + 1.0,
        "{n2} vs {n}"
    );
}

#[test]
fn edge_values_never_panic() {
    let counts = [i64::MIN, -1, 0, 1, 2, 1_000_000_007, i64::MAX];
    let reals = [
        f64::NAN,
        f64::NEG_INFINITY,
        -1.0,
        0.0,
        1e-300,
        0.05,
        0.5,
        0.95,
        1.0,
        2.0,
        f64::INFINITY,
    ];
    for &a in &counts {
        for &b in &counts {
            for alt in Alternative::ALL {
                let _ = proportions_ztest([a, 1], [b, 2], *alt);
                let _ = proportions_ztest([1, a], [2, b], *alt);
            }
            for m in ConfintMethod::ALL {
                let _ = confint_proportions_2indep(a, b, b, a, *m, 0.05);
            }
            let _ = chi2_contingency(&[[a, b], [b, a]], true);
            let _ = chi2_contingency(&[[a, b, 1], [1, b, a]], false);
        }
    }
    for &p in &reals {
        for &q in &reals {
            let _ = proportion_effectsize(p, q);
            for &level in &reals {
                for alt in Alternative::ALL {
                    let _ = samplesize_proportions_2indep_ceil(p, q, level, 0.8, level, *alt);
                    let _ = samplesize_proportions_2indep(0.3, 0.2, p, q, level, *alt);
                    let _ = samplesize_mde(p, q - 0.5, 0.05, level, 1.0, *alt);
                }
            }
        }
    }
}
