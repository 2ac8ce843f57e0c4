//! Campaign evaluation: per-variant counts and rates, attributed revenue, cost per conversion,
//! ROI, and the uplift of each variant against the control group with its significance.
//!
//! The counts come from the store; everything else here is arithmetic on them, with the tests of
//! [`crate::analytics::proportions`] (which match statsmodels and scipy).

use serde::{Deserialize, Serialize};

use super::money::Currency;
use crate::analytics::proportions::{
    self, Alternative, ConfintMethod, chi2_contingency, confint_proportions_2indep,
    proportions_ztest,
};
use crate::error::{Error, Result};

/// One day in microseconds.
pub const DAY_MICROS: i64 = 86_400_000_000;

/// How to evaluate a campaign.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EvaluationOptions {
    /// Purchases count for a member when made within this many µs after their exposure (the
    /// first delivery, else the first send; the campaign's start for the control group).
    /// Default 7 days.
    pub attribution_window: i64,
    /// Apply Yates' continuity correction in the chi-square test (scipy's default: true).
    pub yates: bool,
    /// Significance level of the tests and the confidence intervals (default 0.05).
    pub alpha: f64,
    /// The currency of the attributed revenue; `None`: the campaign's budget currency, else the
    /// one currency of the attributed purchases.
    pub currency: Option<Currency>,
}

impl Default for EvaluationOptions {
    fn default() -> EvaluationOptions {
        EvaluationOptions {
            attribution_window: 7 * DAY_MICROS,
            yates: true,
            alpha: 0.05,
            currency: None,
        }
    }
}

impl EvaluationOptions {
    /// Sets the attribution window in whole days.
    pub fn window_days(mut self, days: i64) -> Self {
        self.attribution_window = days.saturating_mul(DAY_MICROS);
        self
    }

    /// Checks the options.
    pub fn check(&self) -> Result<()> {
        if self.attribution_window <= 0 {
            return Err(Error::invalid(
                "attribution_window",
                self.attribution_window.to_string(),
                "must be positive",
            ));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(Error::invalid(
                "alpha",
                self.alpha.to_string(),
                "must be in (0, 1)",
            ));
        }
        Ok(())
    }
}

/// What the members of one variant did. Each count is of distinct members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantCounts {
    /// The variant.
    pub variant: String,
    /// True for the control group.
    pub control: bool,
    /// Members assigned to it.
    pub members: i64,
    /// Members with a `sent` event.
    pub sent: i64,
    /// … `delivered`.
    pub delivered: i64,
    /// … `opened`.
    pub opened: i64,
    /// … `clicked`.
    pub clicked: i64,
    /// … a `converted` event.
    pub converted_events: i64,
    /// … `unsubscribed`.
    pub unsubscribed: i64,
    /// Members who converted: a `converted` event or an attributed purchase.
    pub converted: i64,
    /// Attributed purchases.
    pub purchases: i64,
    /// Attributed revenue in minor units of the report's currency.
    pub revenue: i64,
}

impl VariantCounts {
    /// All zero.
    pub fn empty(variant: &str, control: bool) -> VariantCounts {
        VariantCounts {
            variant: variant.to_owned(),
            control,
            members: 0,
            sent: 0,
            delivered: 0,
            opened: 0,
            clicked: 0,
            converted_events: 0,
            unsubscribed: 0,
            converted: 0,
            purchases: 0,
            revenue: 0,
        }
    }
}

/// `num / den`, or `None` when `den` is 0.
fn rate(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// One variant's results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantReport {
    /// Its counts.
    pub counts: VariantCounts,
    /// Opened / delivered.
    pub open_rate: Option<f64>,
    /// Clicked / delivered.
    pub click_rate: Option<f64>,
    /// Converted / members.
    pub conversion_rate: Option<f64>,
    /// Attributed revenue / members, in minor units.
    pub revenue_per_member: Option<f64>,
}

/// A variant against the control group: conversion rates, their difference with confidence
/// intervals, and two tests of "no difference".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Uplift {
    /// The treatment variant.
    pub variant: String,
    /// The control group.
    pub control: String,
    /// The variant's conversion rate.
    pub rate: f64,
    /// The control group's conversion rate.
    pub control_rate: f64,
    /// `rate − control_rate`.
    pub difference: f64,
    /// `difference / control_rate` (`None` when the control rate is 0).
    pub relative: Option<f64>,
    /// Two-proportion z statistic (pooled variance; statsmodels `proportions_ztest`).
    pub z: f64,
    /// Its two-sided p-value.
    pub z_p_value: f64,
    /// Chi-square statistic of the 2×2 table (scipy `chi2_contingency`, Yates as chosen).
    pub chi2: f64,
    /// Its p-value.
    pub chi2_p_value: f64,
    /// Wald interval of the difference at `1 − alpha`.
    pub ci_wald: (f64, f64),
    /// Newcombe (hybrid Wilson score) interval of the difference at `1 − alpha`.
    pub ci_newcombe: (f64, f64),
    /// `z_p_value < alpha`.
    pub significant: bool,
}

/// A campaign's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignReport {
    /// The campaign.
    pub campaign_id: i64,
    /// Its name.
    pub name: String,
    /// The options used.
    pub options: EvaluationOptions,
    /// The currency of revenue and cost (`None` when there is neither).
    pub currency: Option<Currency>,
    /// One entry per variant, in the campaign's order.
    pub variants: Vec<VariantReport>,
    /// One entry per treatment variant when the campaign has a control group.
    pub uplift: Vec<Uplift>,
    /// Conversions in the treatment variants.
    pub conversions: i64,
    /// Attributed revenue of the treatment variants, minor units.
    pub revenue: i64,
    /// The campaign's cost, minor units.
    pub cost: Option<i64>,
    /// Cost / treatment conversions.
    pub cost_per_conversion: Option<f64>,
    /// (Treatment revenue − cost) / cost.
    pub roi: Option<f64>,
}

impl CampaignReport {
    /// Builds the report from the counts (in variant order) and the campaign's cost.
    pub fn build(
        campaign_id: i64,
        name: &str,
        options: EvaluationOptions,
        currency: Option<Currency>,
        counts: Vec<VariantCounts>,
        cost: Option<i64>,
    ) -> Result<CampaignReport> {
        options.check()?;
        let variants: Vec<VariantReport> = counts
            .into_iter()
            .map(|c| VariantReport {
                open_rate: rate(c.opened, c.delivered),
                click_rate: rate(c.clicked, c.delivered),
                conversion_rate: rate(c.converted, c.members),
                revenue_per_member: (c.members > 0).then(|| c.revenue as f64 / c.members as f64),
                counts: c,
            })
            .collect();
        let mut uplift = Vec::new();
        if let Some(control) = variants.iter().find(|v| v.counts.control) {
            for v in variants.iter().filter(|v| !v.counts.control) {
                if let Some(u) = uplift_against(&v.counts, &control.counts, &options)? {
                    uplift.push(u);
                }
            }
        }
        let treatment = || variants.iter().filter(|v| !v.counts.control);
        let conversions: i64 = treatment().map(|v| v.counts.converted).sum();
        let revenue: i64 = treatment().map(|v| v.counts.revenue).sum();
        let cost_per_conversion = cost.and_then(|k| rate(k, conversions));
        let roi = cost.and_then(|k| rate(revenue - k, k));
        Ok(CampaignReport {
            campaign_id,
            name: name.to_owned(),
            options,
            currency,
            variants,
            uplift,
            conversions,
            revenue,
            cost,
            cost_per_conversion,
            roi,
        })
    }
}

/// The uplift of `v` against `control`, or `None` when either arm has no members.
fn uplift_against(
    v: &VariantCounts,
    control: &VariantCounts,
    options: &EvaluationOptions,
) -> Result<Option<Uplift>> {
    if v.members == 0 || control.members == 0 {
        return Ok(None);
    }
    let (c1, n1, c2, n2) = (v.converted, v.members, control.converted, control.members);
    let z = proportions_ztest([c1, c2], [n1, n2], Alternative::TwoSided)?;
    // A table with an empty column (nobody or everybody converted) has an expected count of 0,
    // where the chi-square test is undefined: report NaN, as the z-test does.
    let chi = if (c1 + c2 == 0) || (c1 + c2 == n1 + n2) {
        (f64::NAN, f64::NAN)
    } else {
        let t = chi2_contingency(&[vec![c1, n1 - c1], vec![c2, n2 - c2]], options.yates)?;
        (t.statistic, t.p_value)
    };
    let wald = confint_proportions_2indep(c1, n1, c2, n2, ConfintMethod::Wald, options.alpha)?;
    let newcombe =
        confint_proportions_2indep(c1, n1, c2, n2, ConfintMethod::Newcombe, options.alpha)?;
    let (p1, p2) = (c1 as f64 / n1 as f64, c2 as f64 / n2 as f64);
    Ok(Some(Uplift {
        variant: v.variant.clone(),
        control: control.variant.clone(),
        rate: p1,
        control_rate: p2,
        difference: p1 - p2,
        relative: (p2 > 0.0).then(|| (p1 - p2) / p2),
        z: z.statistic,
        z_p_value: z.p_value,
        chi2: chi.0,
        chi2_p_value: chi.1,
        ci_wald: wald,
        ci_newcombe: newcombe,
        significant: z.p_value < options.alpha,
    }))
}

/// The members each arm needs to detect a change of conversion rate from `baseline` to
/// `baseline + minimum_effect` with a two-sided test at `alpha` and `power`, when the control arm
/// is `ratio` times the treatment arm (statsmodels `NormalIndPower().solve_power` on Cohen's h,
/// `nobs1` for the treatment). Returns `(treatment, control)` sizes, rounded up.
pub fn sample_size(
    baseline: f64,
    minimum_effect: f64,
    alpha: f64,
    power: f64,
    ratio: f64,
) -> Result<(i64, i64)> {
    let target = baseline + minimum_effect;
    if !(0.0..=1.0).contains(&target) {
        return Err(Error::invalid(
            "minimum_effect",
            minimum_effect.to_string(),
            format!("baseline + minimum_effect = {target} must be a proportion in [0, 1]"),
        ));
    }
    proportions::samplesize_proportions_2indep_ceil(
        target,
        baseline,
        alpha,
        power,
        ratio,
        Alternative::TwoSided,
    )
}
