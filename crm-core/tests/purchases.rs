//! Products, purchases and line items through the public API.

use crm_core::{
    Clock, Crm, Currency, DeleteMode, ErrorCode, Filter, Money, NewCustomer, NewLineItem,
    NewProduct, NewPurchase, NewPurchaseColumns, OpenOptions, OrderBy, PurchaseStatus, Query,
    Timestamp,
};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_in(text, chrono_tz::Tz::UTC).unwrap()
}

fn eur(minor: i64) -> Money {
    Money::new(minor, "EUR").unwrap()
}

/// A store with two customers and a three-product catalogue.
fn shop() -> (Crm, i64, i64) {
    let crm = Crm::open(
        ":memory:",
        OpenOptions {
            clock: Clock::fixed(ts("2026-06-01")),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let ada = crm.customers().add(NewCustomer::new("Ada")).unwrap().id;
    let bob = crm.customers().add(NewCustomer::new("Bob")).unwrap().id;
    crm.products()
        .add_many(vec![
            NewProduct::new("TEA", "Green tea")
                .category("tea")
                .price(eur(450)),
            NewProduct::new("CUP", "Cup").category("kitchen"),
            NewProduct::new("POT", "Teapot")
                .category("kitchen")
                .price(eur(2900)),
        ])
        .unwrap();
    (crm, ada, bob)
}

#[test]
fn products() {
    let (crm, _, _) = shop();
    let tea = crm.products().get_by_sku("TEA").unwrap();
    assert_eq!(
        (tea.name.as_str(), tea.category.as_deref(), tea.price),
        ("Green tea", Some("tea"), Some(eur(450)))
    );
    assert_eq!(crm.products().get(tea.id).unwrap(), tea);
    assert_eq!(
        crm.products()
            .count(&Filter::eq("category", "kitchen"))
            .unwrap(),
        2
    );
    let e = crm
        .products()
        .add(NewProduct::new("TEA", "Other tea"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyExists);
    let e = crm
        .products()
        .add(NewProduct::new("NEG", "Negative").price(eur(-1)))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert_eq!(
        crm.products().get_by_sku("NOPE").unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(crm.products().count(&Filter::All).unwrap(), 3);
}

#[test]
fn a_purchase_with_lines() {
    let (crm, ada, _) = shop();
    let p = crm
        .purchases()
        .add(
            NewPurchase::new(ada, eur(1350))
                .at(ts("2026-05-20T10:00:00Z"))
                .external_id("ORD-1")
                .item(NewLineItem::sku("TEA", 3, 450))
                .item(NewLineItem {
                    name: Some("Gift wrap".into()),
                    quantity: 1,
                    unit_price: 0,
                    ..Default::default()
                })
                .item(NewLineItem {
                    sku: Some("OLD-9".into()),
                    name: Some("Discontinued".into()),
                    quantity: 1,
                    unit_price: 0,
                    ..Default::default()
                }),
        )
        .unwrap();
    assert_eq!(p.status, PurchaseStatus::Completed);
    assert_eq!(p.purchased_at, ts("2026-05-20T10:00:00Z"));
    assert_eq!(p.created_at, ts("2026-06-01"));
    let tea = crm.products().get_by_sku("TEA").unwrap();
    assert_eq!(
        p.items[0].product_id,
        Some(tea.id),
        "a known sku links the product"
    );
    assert_eq!(
        p.items[0].name, "Green tea",
        "name and category come from the catalogue"
    );
    assert_eq!(p.items[0].category.as_deref(), Some("tea"));
    assert_eq!(
        (p.items[1].product_id, p.items[1].sku.as_deref()),
        (None, None)
    );
    assert_eq!(
        (p.items[2].product_id, p.items[2].sku.as_deref()),
        (None, Some("OLD-9")),
        "an unknown sku is kept"
    );
    assert_eq!(
        p.items.iter().map(|i| i.line).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(crm.purchases().get(p.id).unwrap(), p);
}

#[test]
fn refund_and_cancel_follow_the_state_machine() {
    let (crm, ada, _) = shop();
    let p = crm
        .purchases()
        .add(NewPurchase::new(ada, eur(100)))
        .unwrap();
    let r = crm
        .purchases()
        .set_status(p.id, PurchaseStatus::Refunded)
        .unwrap();
    assert_eq!(r.status, PurchaseStatus::Refunded);
    let e = crm
        .purchases()
        .set_status(p.id, PurchaseStatus::Completed)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IllegalTransition);
    assert!(e.to_string().contains("refunded to completed"), "{e}");
    assert_eq!(
        crm.purchases().get(p.id).unwrap().status,
        PurchaseStatus::Refunded
    );
}

#[test]
fn bad_purchases_change_nothing() {
    let (crm, ada, _) = shop();
    crm.purchases()
        .add(NewPurchase::new(ada, eur(100)).external_id("ORD-1"))
        .unwrap();
    let before = crm.purchases().find(&Query::default()).unwrap();
    let p = crm.purchases();

    let e = p.add(NewPurchase::new(999, eur(100))).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(e.to_string().contains("customer id 999"), "{e}");
    let e = p
        .add(NewPurchase::new(ada, eur(100)).item(NewLineItem::sku("TEA", -1, 450)))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("line 1: quantity"), "{e}");
    let e = p
        .add(NewPurchase::new(ada, eur(100)).item(NewLineItem::sku("TEA", 1, -5)))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = p.add(NewPurchase::new(ada, eur(-100))).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let e = p
        .add(NewPurchase::new(ada, eur(1)).item(NewLineItem {
            product_id: Some(77),
            quantity: 1,
            ..Default::default()
        }))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(e.to_string().contains("product id 77"), "{e}");
    let e = p
        .add(NewPurchase::new(ada, eur(1)).item(NewLineItem::sku("GHOST", 1, 1)))
        .unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::InvalidInput,
        "an unknown sku needs a name"
    );
    let e = p
        .add(NewPurchase::new(ada, eur(1)).external_id("ORD-1"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyExists);
    // A batch whose third purchase names an unknown customer writes nothing.
    let batch = vec![
        NewPurchase::new(ada, eur(1)),
        NewPurchase::new(ada, eur(2)),
        NewPurchase::new(404, eur(3)),
    ];
    let e = p.add_many(batch).unwrap_err();
    assert!(e.to_string().contains("(row 2)"), "{e}");

    assert_eq!(p.find(&Query::default()).unwrap(), before);
    assert_eq!(
        p.line_item_columns(&Query::default()).unwrap().line.len(),
        0
    );
}

#[test]
fn columns_in_and_out() {
    let (crm, ada, bob) = shop();
    let eur_code: Currency = "EUR".parse().unwrap();
    let cols = NewPurchaseColumns {
        customer_id: vec![ada, bob, ada],
        purchased_at: vec![
            Some(ts("2026-01-05")),
            Some(ts("2026-02-05")),
            Some(ts("2026-03-05")),
        ],
        amount: vec![900, 2900, 450],
        currency: vec![eur_code; 3],
        status: vec![
            PurchaseStatus::Completed,
            PurchaseStatus::Completed,
            PurchaseStatus::Cancelled,
        ],
        item_purchase_row: vec![0, 0, 1, 2],
        item_sku: vec![
            Some("TEA".into()),
            Some("CUP".into()),
            Some("POT".into()),
            Some("TEA".into()),
        ],
        item_quantity: vec![2, 1, 1, 1],
        item_unit_price: vec![450, 0, 2900, 450],
        ..Default::default()
    };
    let ids = crm.purchases().add_columns(cols).unwrap();
    assert_eq!(ids.len(), 3);

    let all = crm.purchases().find_columns(&Query::default()).unwrap();
    assert_eq!(all.id, ids);
    assert_eq!(all.amount, [900, 2900, 450]);
    assert_eq!(all.status[2], PurchaseStatus::Cancelled);
    let ada_done = Filter::eq("customer_id", ada).and(Filter::eq("status", "completed"));
    assert_eq!(crm.purchases().count(&ada_done).unwrap(), 1);
    let newest_first = Query::default().order_by(OrderBy::desc("purchased_at"));
    assert_eq!(
        crm.purchases().find_columns(&newest_first).unwrap().id,
        [ids[2], ids[1], ids[0]]
    );

    let lines = crm.purchases().line_item_columns(&newest_first).unwrap();
    assert_eq!(
        lines.purchase_id,
        [ids[2], ids[1], ids[0], ids[0]],
        "purchases in query order, lines in order"
    );
    assert_eq!(lines.line, [1, 1, 1, 2]);
    assert_eq!(lines.name, ["Green tea", "Teapot", "Green tea", "Cup"]);
    assert_eq!(lines.customer_id, [ada, bob, ada, ada]);
    let q1 = Query::new(Filter::lt("purchased_at", "2026-02-01"));
    assert_eq!(
        crm.purchases().line_item_columns(&q1).unwrap().quantity,
        [2, 1]
    );

    // Shapes are checked before anything is written.
    let bad = NewPurchaseColumns {
        customer_id: vec![ada],
        amount: vec![],
        currency: vec![eur_code],
        ..Default::default()
    };
    assert_eq!(
        crm.purchases().add_columns(bad).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(crm.purchases().count(&Filter::All).unwrap(), 3);
}

#[test]
fn customers_with_purchases_are_deleted_only_with_cascade() {
    let (crm, ada, _) = shop();
    crm.purchases()
        .add(NewPurchase::new(ada, eur(900)).item(NewLineItem::sku("TEA", 2, 450)))
        .unwrap();
    let e = crm
        .customers()
        .delete(ada, DeleteMode::Restrict)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Constraint);
    assert!(e.to_string().contains("purchases"), "{e}");
    assert!(crm.customers().get(ada).is_ok());
    let tea = crm.products().get_by_sku("TEA").unwrap();
    assert_eq!(
        crm.products().delete(tea.id).unwrap_err().code(),
        ErrorCode::Constraint,
        "a product named by a line stays"
    );

    crm.customers().delete(ada, DeleteMode::Cascade).unwrap();
    assert_eq!(crm.purchases().count(&Filter::All).unwrap(), 0);
    assert_eq!(
        crm.purchases()
            .line_item_columns(&Query::default())
            .unwrap()
            .line
            .len(),
        0
    );
    crm.products().delete(tea.id).unwrap();
}

#[test]
fn columnar_batches_stream_and_roll_back_whole() {
    let (crm, ada, bob) = shop();
    let eur_code: Currency = "EUR".parse().unwrap();
    // Lines arrive interleaved across purchases; each purchase keeps its lines in input order.
    let cols = |quantities: Vec<i64>| NewPurchaseColumns {
        customer_id: vec![ada, bob, ada],
        amount: vec![1, 2, 3],
        currency: vec![eur_code; 3],
        item_purchase_row: vec![2, 0, 2, 1, 0],
        item_sku: ["TEA", "CUP", "POT", "TEA", "POT"]
            .iter()
            .map(|s| Some(s.to_string()))
            .collect(),
        item_quantity: quantities,
        item_unit_price: vec![1; 5],
        ..Default::default()
    };
    let e = crm
        .purchases()
        .add_columns(cols(vec![1, 1, 1, -4, 1]))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("row 1: line 1: quantity"), "{e}");
    assert_eq!(
        crm.purchases().count(&Filter::All).unwrap(),
        0,
        "nothing of the batch is written"
    );

    let ids = crm
        .purchases()
        .add_columns(cols(vec![1, 2, 3, 4, 5]))
        .unwrap();
    let third = crm.purchases().get(ids[2]).unwrap();
    assert_eq!(
        third
            .items
            .iter()
            .map(|l| (l.sku.clone().unwrap(), l.quantity))
            .collect::<Vec<_>>(),
        [("TEA".into(), 1), ("POT".into(), 3)]
    );
    let first = crm.purchases().get(ids[0]).unwrap();
    assert_eq!(
        first.items.iter().map(|l| l.quantity).collect::<Vec<_>>(),
        [2, 5]
    );
    let bulk = crm
        .audit()
        .find(&Query::new(
            Filter::eq("action", "bulk_create").and(Filter::eq("entity", "purchase")),
        ))
        .unwrap();
    assert_eq!(bulk.len(), 1);
}
