//! The demo's market-basket part: the strongest association rules between products, and what
//! one customer might buy next.

use crm_core::Crm;
use crm_core::analytics::itemsets::Algorithm;
use crm_core::analytics::rules::Metric;
use crm_core::baskets::{BasketOptions, RecommendOptions};

/// Prints frequent itemsets, the top rules by lift and a customer's recommendations.
pub fn run(crm: &Crm) -> crm_core::Result<()> {
    let b = crm.baskets();
    let all = BasketOptions::default();
    let found = b.frequent_itemsets(0.02, None, Algorithm::FpGrowth, &all)?;
    println!(
        "\nmarket baskets: {} purchases, {} frequent itemsets at support >= 2%",
        found.itemsets.n_transactions,
        found.itemsets.len()
    );
    let names = |codes: &[u32], products: &[crm_core::Product]| {
        codes
            .iter()
            .map(|&c| products[c as usize].name.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let mut rules = b.rules(0.02, Some(3), Metric::Confidence, 0.3, &all)?;
    rules.rules.sort_by(|x, y| {
        y.lift
            .total_cmp(&x.lift)
            .then(y.support.total_cmp(&x.support))
    });
    println!("strongest rules (confidence >= 30%, by lift):");
    for r in rules.rules.iter().take(5) {
        println!(
            "  {:<28} -> {:<16} support {:>5.1}%  confidence {:>5.1}%  lift {:.2}",
            names(&r.antecedent, &rules.products),
            names(&r.consequent, &rules.products),
            100.0 * r.support,
            100.0 * r.confidence,
            r.lift
        );
    }
    // A customer who bought green tea but no cups yet.
    let who = crm
        .customers()
        .find_columns(&crm_core::Query::new(crm_core::Filter::parse(
            "purchase_count >= 1",
        )?))?;
    let options = RecommendOptions {
        min_support: 0.02,
        min_confidence: 0.3,
        ..RecommendOptions::default()
    };
    for &id in &who.id {
        let recs = b.recommend(id, 3, &options)?;
        if recs.first().is_some_and(|r| !r.because_of.is_empty()) {
            let c = crm.customers().get(id)?;
            println!("recommended for #{} {}:", c.id, c.name);
            for r in recs {
                let why: Vec<String> = r
                    .because_of
                    .iter()
                    .map(|&p| crm.products().get(p).map(|p| p.name))
                    .collect::<crm_core::Result<_>>()?;
                println!(
                    "  {:<14} score {:.2}  {}",
                    r.product.name,
                    r.score,
                    if why.is_empty() {
                        "(popular)".to_owned()
                    } else {
                        format!("(bought {})", why.join(" + "))
                    }
                );
            }
            break;
        }
    }
    Ok(())
}
