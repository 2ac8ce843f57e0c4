//! Market-basket analysis over the store: baskets from completed purchases' catalogue lines,
//! itemsets labelled with products, and recommendations for a customer.

use crm_core::analytics::itemsets::Algorithm;
use crm_core::analytics::rules::Metric;
use crm_core::baskets::{BasketOptions, RecommendOptions};
use crm_core::{
    Crm, ErrorCode, Money, NewCustomer, NewLineItem, NewProduct, NewPurchase, PurchaseStatus,
    Timestamp,
};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_in(text, chrono_tz::Tz::UTC).unwrap()
}

/// Ten baskets: tea with cups is the strong pattern, pots go with tea, kettles stand alone.
fn shop() -> (Crm, i64, i64) {
    let crm = Crm::open_in_memory().unwrap();
    for (sku, name, category) in [
        ("TEA", "Green tea", "tea"),
        ("CUP", "Porcelain cup", "kitchen"),
        ("POT", "Teapot", "kitchen"),
        ("KETTLE", "Kettle", "kitchen"),
        ("HONEY", "Honey", "food"),
    ] {
        crm.products()
            .add(NewProduct::new(sku, name).category(category))
            .unwrap();
    }
    let ada = crm.customers().add(NewCustomer::new("Ada")).unwrap().id;
    let bob = crm.customers().add(NewCustomer::new("Bob")).unwrap().id;
    let baskets: [&[&str]; 10] = [
        &["TEA", "CUP"],
        &["TEA", "CUP"],
        &["TEA", "CUP", "POT"],
        &["TEA", "CUP", "HONEY"],
        &["TEA", "POT"],
        &["TEA", "POT"],
        &["TEA"],
        &["KETTLE"],
        &["KETTLE", "HONEY"],
        &["CUP"],
    ];
    for (i, basket) in baskets.iter().enumerate() {
        let mut p = NewPurchase::new(bob, Money::new(100, "EUR").unwrap())
            .at(ts(&format!("2026-0{}-01", 1 + i % 6)));
        for sku in *basket {
            p = p.item(NewLineItem::sku(*sku, 1, 50));
        }
        crm.purchases().add(p).unwrap();
    }
    // A refunded purchase does not count as a basket.
    let refunded = crm
        .purchases()
        .add(
            NewPurchase::new(bob, Money::new(100, "EUR").unwrap())
                .item(NewLineItem::sku("KETTLE", 1, 50))
                .item(NewLineItem::sku("POT", 1, 50)),
        )
        .unwrap();
    crm.purchases()
        .set_status(refunded.id, PurchaseStatus::Refunded)
        .unwrap();
    // Ada bought tea once.
    crm.purchases()
        .add(
            NewPurchase::new(ada, Money::new(50, "EUR").unwrap())
                .item(NewLineItem::sku("TEA", 1, 50)),
        )
        .unwrap();
    (crm, ada, bob)
}

#[test]
fn itemsets_are_labelled_with_products() {
    let (crm, ..) = shop();
    let found = crm
        .baskets()
        .frequent_itemsets(0.3, None, Algorithm::FpGrowth, &BasketOptions::default())
        .unwrap();
    // 11 baskets (10 of Bob's, Ada's tea): TEA 8, CUP 5, POT 3 (of 11: 0.27 < 0.3), {TEA, CUP} 4.
    let named: Vec<(Vec<&str>, u64)> = found
        .itemsets
        .itemsets
        .iter()
        .zip(&found.itemsets.count)
        .map(|(s, &c)| {
            (
                s.iter()
                    .map(|&i| found.products[i as usize].sku.as_str())
                    .collect(),
                c,
            )
        })
        .collect();
    assert_eq!(found.itemsets.n_transactions, 11);
    assert!(named.contains(&(vec!["TEA"], 8)), "{named:?}");
    assert!(named.contains(&(vec!["CUP"], 5)), "{named:?}");
    assert!(
        named.contains(&(vec!["TEA", "CUP"], 4)) || named.contains(&(vec!["CUP", "TEA"], 4)),
        "{named:?}"
    );
    assert_eq!(named.len(), 3, "{named:?}");

    // Only the kitchen lines; only the first quarter's purchases.
    let kitchen = crm
        .baskets()
        .frequent_itemsets(
            0.5,
            None,
            Algorithm::Eclat,
            &BasketOptions {
                category: Some("kitchen".into()),
                ..BasketOptions::default()
            },
        )
        .unwrap();
    assert!(
        kitchen
            .products
            .iter()
            .all(|p| p.category.as_deref() == Some("kitchen"))
    );
    let q1 = crm
        .baskets()
        .transactions(&BasketOptions {
            since: Some(ts("2026-01-01")),
            until: Some(ts("2026-04-01")),
            ..BasketOptions::default()
        })
        .unwrap()
        .0;
    assert_eq!(q1.len(), 6, "Bob's purchases of January to March");
}

#[test]
fn recommendations_skip_what_the_customer_has() {
    let (crm, ada, _) = shop();
    let options = RecommendOptions {
        min_support: 0.1,
        min_confidence: 0.3,
        ..RecommendOptions::default()
    };
    let recs = crm.baskets().recommend(ada, 3, &options).unwrap();
    let skus: Vec<&str> = recs.iter().map(|r| r.product.sku.as_str()).collect();
    assert!(!skus.contains(&"TEA"), "Ada has tea: {skus:?}");
    // TEA → POT has lift (3/11) / ((8/11)(3/11)) = 11/8; TEA → CUP (4/11) / ((8/11)(5/11)) = 1.1.
    assert_eq!(skus[0], "POT", "{recs:?}");
    assert!((recs[0].score - 11.0 / 8.0).abs() < 1e-12);
    assert_eq!(recs[0].because_of.len(), 1);
    assert_eq!(skus[1], "CUP");
    // The third comes from popularity: the most bought product Ada lacks, with no rule.
    assert_eq!(recs.len(), 3);
    assert!(recs[2].because_of.is_empty());

    let strict = crm
        .baskets()
        .recommend(
            ada,
            3,
            &RecommendOptions {
                fill_with_popular: false,
                metric: Metric::Confidence,
                ..options.clone()
            },
        )
        .unwrap();
    assert_eq!(strict.len(), 2);
    assert_eq!(strict[0].product.sku, "CUP", "confidence 4/8 beats 3/8");

    assert_eq!(
        crm.baskets()
            .recommend(999, 3, &options)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn bad_input_and_empty_stores() {
    let (crm, ..) = shop();
    for bad in [0.0, 1.5, f64::NAN] {
        let e = crm
            .baskets()
            .frequent_itemsets(bad, None, Algorithm::Apriori, &BasketOptions::default())
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{bad}");
    }
    let e = crm
        .baskets()
        .frequent_itemsets(0.5, Some(0), Algorithm::Apriori, &BasketOptions::default())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);

    let empty = Crm::open_in_memory().unwrap();
    let e = empty
        .baskets()
        .frequent_itemsets(0.5, None, Algorithm::FpGrowth, &BasketOptions::default())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("no transactions"), "{e}");
    let c = empty.customers().add(NewCustomer::new("New")).unwrap().id;
    assert!(
        empty
            .baskets()
            .recommend(c, 5, &RecommendOptions::default())
            .unwrap()
            .is_empty()
    );
    let bad = RecommendOptions {
        min_support: 0.0,
        ..RecommendOptions::default()
    };
    assert_eq!(
        empty.baskets().recommend(c, 5, &bad).unwrap_err().code(),
        ErrorCode::InvalidInput,
        "refused even with nothing to mine"
    );
}
