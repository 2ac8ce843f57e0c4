//! The filter text syntax, behavioural fields and saved segments through the public API.

use crm_core::{
    Channel, Clock, Crm, ErrorCode, Filter, Money, NewCustomer, NewInteraction, NewPurchase,
    OpenOptions, OrderBy, PurchaseStatus, Query, Source, Timestamp,
};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_in(text, chrono_tz::Tz::UTC).unwrap()
}

/// Four customers: Ada (web, vip) spent 250 in two purchases, the last in March; Bob (web) spent
/// 100 in January and had a refund; Cy (ads) bought nothing but called in May; Di (web) nothing.
fn shop() -> (Crm, [i64; 4]) {
    let crm = Crm::open(
        ":memory:",
        OpenOptions {
            clock: Clock::fixed(ts("2026-06-01")),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    let c = crm.customers();
    let ada = c
        .add(NewCustomer::new("Ada").source(Source::Web).tag("vip"))
        .unwrap()
        .id;
    let bob = c
        .add(NewCustomer::new("Bob").source(Source::Web))
        .unwrap()
        .id;
    let cy = c
        .add(NewCustomer::new("Cy O'Neil").source(Source::Ads))
        .unwrap()
        .id;
    let di = c
        .add(NewCustomer::new("Di").source(Source::Web))
        .unwrap()
        .id;
    let eur = |m| Money::new(m, "EUR").unwrap();
    let p = crm.purchases();
    p.add(NewPurchase::new(ada, eur(100)).at(ts("2026-01-10")))
        .unwrap();
    p.add(NewPurchase::new(ada, eur(150)).at(ts("2026-03-10")))
        .unwrap();
    p.add(NewPurchase::new(bob, eur(100)).at(ts("2026-01-20")))
        .unwrap();
    let refunded = p
        .add(NewPurchase::new(bob, eur(999)).at(ts("2026-04-01")))
        .unwrap();
    p.set_status(refunded.id, PurchaseStatus::Refunded).unwrap();
    crm.interactions()
        .add(NewInteraction::new(cy, Channel::Phone).at(ts("2026-05-05")))
        .unwrap();
    (crm, [ada, bob, cy, di])
}

fn ids(crm: &Crm, text: &str) -> Vec<i64> {
    crm.customers()
        .find(&Query::new(Filter::parse(text).unwrap()))
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect()
}

#[test]
fn behavioural_fields_in_filters_and_order() {
    let (crm, [ada, bob, cy, di]) = shop();
    assert_eq!(
        ids(&crm, "total_spend > 100"),
        [ada],
        "refunds do not count"
    );
    assert_eq!(ids(&crm, "total_spend = 0"), [cy, di]);
    assert_eq!(ids(&crm, "purchase_count >= 1"), [ada, bob]);
    assert_eq!(ids(&crm, "last_purchase < '2026-02-01'"), [bob]);
    assert_eq!(ids(&crm, "last_purchase is null"), [cy, di]);
    assert_eq!(ids(&crm, "last_interaction >= '2026-05-01'"), [cy]);
    assert_eq!(
        ids(
            &crm,
            "source = 'web' and total_spend > 50 and last_purchase < '2026-06-01'"
        ),
        [ada, bob],
        "the issue's example shape"
    );
    let by_spend = crm
        .customers()
        .find(&Query::default().order_by(OrderBy::desc("total_spend")))
        .unwrap();
    assert_eq!(
        by_spend.iter().map(|c| c.id).collect::<Vec<_>>(),
        [ada, bob, cy, di]
    );
    let e = crm
        .customers()
        .count(&Filter::parse("total_spend > 'lots'").unwrap())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArgument);
}

#[test]
fn text_and_builder_agree() {
    let (crm, _) = shop();
    let text =
        "(source = 'web' or source = 'ads') and not tags contains 'vip' and name not in ('Di')";
    let built = Filter::any_of([Filter::eq("source", "web"), Filter::eq("source", "ads")])
        .and(Filter::has_tag("vip").not())
        .and(Filter::not_in("name", ["Di"]));
    assert_eq!(Filter::parse(text).unwrap(), built);
    assert_eq!(crm.customers().count(&built).unwrap(), 2);
}

#[test]
fn hostile_text_is_data_never_sql() {
    let (crm, [_, _, cy, _]) = shop();
    let before = crm.customers().count(&Filter::All).unwrap();
    assert_eq!(
        ids(&crm, "name = 'Cy O''Neil'"),
        [cy],
        "quotes are escaped by doubling"
    );
    for hostile in [
        "x'; DROP TABLE customers; --",
        "' OR '1'='1",
        "/* comment */ 1=1",
        "Robert'); DELETE FROM customers WHERE ('1'='1",
        "名字\u{0}\u{202e}💥",
        "%_\\",
    ] {
        // As a value in the text syntax (quote-doubled) and through the builder: no match, no harm.
        let text = format!(
            "name = '{}' or company contains '{}'",
            hostile.replace('\'', "''"),
            hostile.replace('\'', "''")
        );
        assert_eq!(
            crm.customers()
                .count(&Filter::parse(&text).unwrap())
                .unwrap(),
            0,
            "{hostile}"
        );
        assert_eq!(
            crm.customers()
                .count(&Filter::contains("name", hostile))
                .unwrap(),
            0,
            "{hostile}"
        );
    }
    // Hostile text where a field name or operator belongs is a parse error, never executed.
    for bad in [
        "name = 'a'; DROP TABLE customers",
        "name = 'a' -- comment",
        "1 = 1",
        "name = 'a' union select 1",
    ] {
        assert_eq!(
            Filter::parse(bad).unwrap_err().code(),
            ErrorCode::Parse,
            "{bad}"
        );
    }
    // A field name that is not in the allow-list is refused before any SQL is built.
    let e = crm
        .customers()
        .count(&Filter::parse("sqlite_master = 1").unwrap())
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    // Very long input: a 60 KiB value is data; over the limit is refused.
    let long = format!("name = '{}'", "x".repeat(60_000));
    assert_eq!(
        crm.customers()
            .count(&Filter::parse(&long).unwrap())
            .unwrap(),
        0
    );
    assert_eq!(
        Filter::parse(&format!("name = '{}'", "x".repeat(70_000)))
            .unwrap_err()
            .code(),
        ErrorCode::Parse
    );
    assert_eq!(crm.customers().count(&Filter::All).unwrap(), before);
}

#[test]
fn saved_segments() {
    let (crm, [ada, bob, _, di]) = shop();
    let s = crm.segments();
    let web = s
        .save_text("web buyers", "source = 'web' and purchase_count > 0")
        .unwrap();
    assert_eq!(
        web.text.as_deref(),
        Some("source = 'web' and purchase_count > 0")
    );
    s.save("vip", Filter::has_tag("vip")).unwrap();
    assert_eq!(
        s.list()
            .unwrap()
            .iter()
            .map(|x| x.name.as_str())
            .collect::<Vec<_>>(),
        ["vip", "web buyers"]
    );
    assert_eq!(s.count("web buyers").unwrap(), 2);
    let members = s
        .members(
            "web buyers",
            &Query::default()
                .order_by(OrderBy::desc("total_spend"))
                .limit(1),
        )
        .unwrap();
    assert_eq!(members[0].id, ada);
    let export = s.member_columns("web buyers", &Query::default()).unwrap();
    assert_eq!(export.id, [ada, bob]);

    // Membership follows the data.
    crm.purchases()
        .add(NewPurchase::new(di, Money::new(5, "EUR").unwrap()))
        .unwrap();
    assert_eq!(s.count("web buyers").unwrap(), 3);

    s.update_text("web buyers", "source = 'web' and total_spend >= 100")
        .unwrap();
    assert_eq!(s.count("web buyers").unwrap(), 2);
    s.delete("vip").unwrap();
    assert_eq!(s.get("vip").unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(
        crm.customers().count(&Filter::All).unwrap(),
        4,
        "deleting a segment keeps its customers"
    );
    let trail = crm
        .audit()
        .find(&Query::new(Filter::eq("entity", "segment")))
        .unwrap();
    assert_eq!(trail.len(), 4, "create, create, update, delete");
}

#[test]
fn bad_segments_change_nothing() {
    let (crm, _) = shop();
    let s = crm.segments();
    s.save_text("web", "source = 'web'").unwrap();
    assert_eq!(
        s.save_text("web", "source = 'ads'").unwrap_err().code(),
        ErrorCode::AlreadyExists
    );
    let e = s.save_text("typo", "sorce = 'web'").unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(e.to_string().contains("sorce"), "{e}");
    let e = s.save_text("broken", "source = 'web' and").unwrap_err();
    assert_eq!(e.code(), ErrorCode::Parse);
    assert!(e.to_string().contains("position 18"), "{e}");
    assert_eq!(
        s.save_text("bad stage", "stage = 'vip'")
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        s.save_text(" ", "source = 'web'").unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        s.update_text("nope", "source = 'web'").unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(s.count("nope").unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(s.list().unwrap().len(), 1);
    assert_eq!(
        s.get("web").unwrap().text.as_deref(),
        Some("source = 'web'")
    );
}
