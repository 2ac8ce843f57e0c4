//! Customer operations through the public API, on in-memory and file stores.

use crm_core::{
    Clock, Crm, CustomerPatch, DeleteMode, ErrorCode, Filter, LifecycleStage, NewCustomer,
    NewCustomerColumns, OpenOptions, OrderBy, Query, Source, Timestamp, Value,
};

fn ts(text: &str) -> Timestamp {
    Timestamp::parse_in(text, chrono_tz::Tz::UTC).unwrap()
}

fn crm_at(now: &str) -> Crm {
    let opts = OpenOptions {
        clock: Clock::fixed(ts(now)),
        ..OpenOptions::default()
    };
    Crm::open(":memory:", opts).unwrap()
}

/// A small, varied population: 60 customers over every source and stage.
fn seed(crm: &Crm) -> Vec<i64> {
    let rows = (0..60)
        .map(|i| {
            let mut c = NewCustomer::new(format!("Customer {i:02}"))
                .external_id(format!("EXT-{i:03}"))
                .source(Source::ALL[i % Source::ALL.len()])
                .stage(LifecycleStage::ALL[i % LifecycleStage::ALL.len()])
                .created_at(Timestamp::from_micros(
                    ts("2026-01-01").as_micros() + i as i64 * 86_400_000_000,
                ));
            if i % 3 == 0 {
                c = c.email(format!("c{i}@example.com"));
            }
            if i % 5 == 0 {
                c = c.tag("vip");
            }
            if i % 2 == 0 {
                c = c.company("Acme");
            }
            c
        })
        .collect();
    crm.customers().add_many(rows).unwrap()
}

#[test]
fn create_get_and_normalise() {
    let crm = crm_at("2026-05-01T12:00:00Z");
    let c = crm
        .customers()
        .add(
            NewCustomer::new("  Li Wei ")
                .external_id("ERP-1")
                .email(" Li.Wei@Example.CN ")
                .phone("+86 138 0013 8000")
                .company("Acme")
                .source(Source::Event)
                .stage(LifecycleStage::Prospect)
                .tag("VIP")
                .tag("newsletter"),
        )
        .unwrap();
    assert_eq!(c.name, "Li Wei");
    assert_eq!(c.email.as_deref(), Some("li.wei@example.cn"));
    assert_eq!(c.phone.as_deref(), Some("+8613800138000"));
    assert_eq!(c.tags, ["newsletter", "vip"]);
    assert_eq!(c.version, 1);
    assert_eq!(c.created_at, ts("2026-05-01T12:00:00Z"));
    assert_eq!(c.updated_at, c.created_at);
    assert_eq!(crm.customers().get(c.id).unwrap(), c);
    assert_eq!(crm.customers().get_by_external_id("ERP-1").unwrap(), c);
}

#[test]
fn update_is_partial_and_versioned() {
    let mut crm = crm_at("2026-05-01");
    let c = crm
        .customers()
        .add(
            NewCustomer::new("Ada")
                .email("ada@example.com")
                .phone("030 1234567"),
        )
        .unwrap();
    crm.set_clock(Clock::fixed(ts("2026-05-02")));
    let u = crm
        .customers()
        .update(
            c.id,
            &CustomerPatch::default()
                .stage(LifecycleStage::Customer)
                .email(None::<String>)
                .tags(["a", "B"]),
        )
        .unwrap();
    assert_eq!(u.version, 2);
    assert_eq!(u.email, None);
    assert_eq!(
        u.phone.as_deref(),
        Some("0301234567"),
        "untouched fields stay"
    );
    assert_eq!(u.stage, LifecycleStage::Customer);
    assert_eq!(u.tags, ["a", "b"]);
    assert_eq!(u.updated_at, ts("2026-05-02"));
    assert_eq!(u.created_at, c.created_at);
    assert_eq!(crm.customers().get(c.id).unwrap(), u);

    // An update that changes nothing makes no new version.
    let same = crm
        .customers()
        .update(
            c.id,
            &CustomerPatch::default().stage(LifecycleStage::Customer),
        )
        .unwrap();
    assert_eq!(same.version, 2);

    // Optimistic concurrency.
    let ok = crm
        .customers()
        .update(
            c.id,
            &CustomerPatch::default().name("Ada L.").expect_version(2),
        )
        .unwrap();
    assert_eq!(ok.version, 3);
    let e = crm
        .customers()
        .update(
            c.id,
            &CustomerPatch::default().name("Stale").expect_version(2),
        )
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Conflict);
    assert_eq!(
        crm.customers().get(c.id).unwrap(),
        ok,
        "a refused update changes nothing"
    );
}

#[test]
fn delete_and_not_found() {
    let crm = Crm::open_in_memory().unwrap();
    let c = crm
        .customers()
        .add(NewCustomer::new("Gone").tag("x"))
        .unwrap();
    crm.customers().delete(c.id, DeleteMode::Restrict).unwrap();
    assert_eq!(
        crm.customers().get(c.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        crm.customers()
            .delete(c.id, DeleteMode::Cascade)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        crm.customers().count(&Filter::has_tag("x")).unwrap(),
        0,
        "tags go with the customer"
    );
    let e = crm.customers().get_by_external_id("nope").unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound);
    assert!(e.to_string().contains("\"nope\""), "{e}");
}

#[test]
fn filters_compose() {
    let crm = crm_at("2026-06-01");
    seed(&crm);
    let n = |f: Filter| crm.customers().count(&f).unwrap();
    assert_eq!(n(Filter::All), 60);
    assert_eq!(n(Filter::eq("source", "web")), 10);
    assert_eq!(
        n(Filter::eq("source", "WEB")),
        10,
        "enum names compare without case"
    );
    assert_eq!(
        n(Filter::eq("source", "web").and(Filter::eq("stage", "lead"))),
        5
    );
    assert_eq!(n(Filter::in_list("stage", ["lead", "churned"])), 30);
    assert_eq!(n(Filter::not_in("stage", ["lead", "churned"])), 30);
    assert_eq!(n(Filter::has_tag("VIP")), 12);
    assert_eq!(n(Filter::has_tag("vip").not()), 48);
    assert_eq!(n(Filter::is_null("email")), 40);
    assert_eq!(n(Filter::is_not_null("email")), 20);
    assert_eq!(
        n(Filter::eq("email", "C3@EXAMPLE.com")),
        1,
        "emails compare in normal form"
    );
    // != and not include records whose field is empty.
    assert_eq!(n(Filter::ne("company", "Acme")), 30);
    assert_eq!(n(Filter::eq("company", "Acme").not()), 30);
    assert_eq!(n(Filter::ne("email", "c3@example.com")), 59);
    assert_eq!(n(Filter::contains("name", "omer 1")), 10);
    assert_eq!(
        n(Filter::starts_with("external_id", "ext-00")),
        10,
        "LIKE is case-insensitive for ASCII"
    );
    assert_eq!(n(Filter::contains("name", "%")), 0, "wildcards are literal");
    // Date ranges: created one per day from 2026-01-01.
    assert_eq!(n(Filter::ge("created_at", "2026-01-31")), 30);
    assert_eq!(
        n(Filter::between("created_at", "2026-01-01", "2026-01-10")),
        10
    );
    assert_eq!(n(Filter::lt("created_at", ts("2026-01-03"))), 2);
    assert_eq!(n(Filter::lt("created_at", ts("2026-01-03").as_micros())), 2);
    assert_eq!(
        n(Filter::any_of([Filter::eq("id", 1), Filter::eq("id", 2)])),
        2
    );
    assert_eq!(n(Filter::any_of([])), 0);
    assert_eq!(
        n(Filter::in_list("id", 1..=200i64)),
        60,
        "long lists bind as one array"
    );
    assert_eq!(n(Filter::in_list("tags", ["vip", "none"])), 12);
    assert_eq!(
        n(Filter::lookup("version__gte", Value::Int(1)).unwrap()),
        60
    );
}

#[test]
fn date_literals_use_the_reporting_time_zone() {
    let mut crm = Crm::open_in_memory().unwrap();
    crm.customers()
        .add(NewCustomer::new("Late").created_at(ts("2026-02-28T17:00:00Z")))
        .unwrap();
    let march = Filter::ge("created_at", "2026-03-01");
    assert_eq!(
        crm.customers().count(&march).unwrap(),
        0,
        "UTC: still February"
    );
    crm.set_time_zone("Asia/Shanghai").unwrap();
    assert_eq!(
        crm.customers().count(&march).unwrap(),
        1,
        "Shanghai: already 1 March"
    );
    assert_eq!(
        crm.set_time_zone("Nowhere/City").unwrap_err().code(),
        ErrorCode::InvalidInput
    );
}

#[test]
fn order_and_pages() {
    let crm = crm_at("2026-06-01");
    seed(&crm);
    let page = |q: Query| {
        crm.customers()
            .find(&q)
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(page(Query::default().limit(3)), [1, 2, 3]);
    assert_eq!(
        page(
            Query::default()
                .order_by(OrderBy::desc("created_at"))
                .limit(2)
                .offset(1)
        ),
        [59, 58]
    );
    let all: Vec<i64> = (0..6)
        .flat_map(|p| {
            page(
                Query::default()
                    .order_by(OrderBy::asc("source"))
                    .limit(10)
                    .offset(p * 10),
            )
        })
        .collect();
    let mut sorted = all.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 60, "pages neither overlap nor skip");
    let by_name = crm
        .customers()
        .find(&Query::new(Filter::eq("source", "ads")).order_by(OrderBy::desc("name")))
        .unwrap();
    assert!(by_name.windows(2).all(|w| w[0].name >= w[1].name));
    assert_eq!(
        crm.customers()
            .find(&Query::default().offset(1000))
            .unwrap()
            .len(),
        0
    );
    let cols = crm
        .customers()
        .find_columns(&Query::new(Filter::has_tag("vip")))
        .unwrap();
    assert_eq!(cols.len(), 12);
    assert!(cols.tags.iter().all(|t| t == &["vip"]));
}

#[test]
fn bad_input_changes_nothing() {
    let crm = crm_at("2026-06-01");
    seed(&crm);
    let before = crm.customers().find(&Query::default()).unwrap();
    let c = crm.customers();

    let e = c
        .add(NewCustomer::new("Dup").external_id("EXT-001"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::AlreadyExists);
    assert!(e.to_string().contains("EXT-001"), "{e}");
    let e = c
        .add(NewCustomer::new("Bad").email("not-an-email"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(
        e.to_string().contains("email") && e.to_string().contains("not-an-email"),
        "{e}"
    );
    assert_eq!(
        c.add(NewCustomer::new("")).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        c.add(NewCustomer::new("P").phone("12")).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(c.get(9999).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(
        c.update(9999, &CustomerPatch::default().name("x"))
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    assert_eq!(
        c.update(1, &CustomerPatch::default().external_id(Some("EXT-002")))
            .unwrap_err()
            .code(),
        ErrorCode::AlreadyExists
    );
    assert_eq!(
        c.update(1, &CustomerPatch::default().name(" "))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        c.update(1, &CustomerPatch::default().tags(["a,b"]))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );

    // A batch with one bad row in the middle writes nothing and names the row.
    let mut rows: Vec<NewCustomer> = (0..10).map(|i| NewCustomer::new(format!("B{i}"))).collect();
    rows[6].email = Some("broken@".into());
    let e = c.add_many(rows).unwrap_err();
    assert!(e.to_string().contains("row 6"), "{e}");
    let rows = vec![
        NewCustomer::new("X").external_id("NEW-1"),
        NewCustomer::new("Y").external_id("NEW-1"),
    ];
    assert_eq!(
        c.add_many(rows).unwrap_err().code(),
        ErrorCode::AlreadyExists,
        "duplicate inside the batch"
    );
    let cols = NewCustomerColumns {
        name: vec![Some("A".into())],
        email: vec![None, None],
        ..Default::default()
    };
    assert_eq!(
        c.add_columns(cols).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );

    // Bad filters and orders.
    assert_eq!(
        c.count(&Filter::eq("shoe_size", 42)).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        c.count(&Filter::eq("stage", "vip")).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        c.count(&Filter::eq("id", "one")).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        c.find(&Query::default().order_by(OrderBy::asc("password")))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    let hostile = Filter::eq("name", "'; DROP TABLE customers; --");
    assert_eq!(c.count(&hostile).unwrap(), 0);

    assert_eq!(
        c.find(&Query::default()).unwrap(),
        before,
        "the store is as it was"
    );
}

#[test]
fn file_store_persists_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shop.db");
    {
        let crm = Crm::open(&path, OpenOptions::default()).unwrap();
        seed(&crm);
        assert_eq!(crm.schema_version().unwrap(), crm_core::SCHEMA_VERSION);
    }
    let crm = Crm::open(&path, OpenOptions::default()).unwrap();
    assert_eq!(crm.customers().count(&Filter::All).unwrap(), 60);
    let mode: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn refuses_files_that_are_not_stores() {
    let dir = tempfile::tempdir().unwrap();

    let junk = dir.path().join("junk.db");
    let bytes: Vec<u8> = (0..8192u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&junk, &bytes).unwrap();
    let e = Crm::open(&junk, OpenOptions::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotADatabase, "{e}");
    assert_eq!(
        std::fs::read(&junk).unwrap(),
        bytes,
        "a refused file is left untouched"
    );

    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "just some notes, definitely not a database, but long enough to be read",
    )
    .unwrap();
    assert_eq!(
        Crm::open(&text, OpenOptions::default()).unwrap_err().code(),
        ErrorCode::NotADatabase
    );

    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE orders(id INTEGER)")
        .unwrap();
    let e = Crm::open(&foreign, OpenOptions::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotADatabase);
    assert!(e.to_string().contains("not a crm store"), "{e}");

    let other_app = dir.path().join("other.db");
    rusqlite::Connection::open(&other_app)
        .unwrap()
        .execute_batch("PRAGMA application_id = 7")
        .unwrap();
    assert_eq!(
        Crm::open(&other_app, OpenOptions::default())
            .unwrap_err()
            .code(),
        ErrorCode::NotADatabase
    );

    let missing_dir = dir.path().join("no/such/dir/x.db");
    assert_eq!(
        Crm::open(&missing_dir, OpenOptions::default())
            .unwrap_err()
            .code(),
        ErrorCode::Storage
    );
    assert_eq!(
        Crm::open("", OpenOptions::default()).unwrap_err().code(),
        ErrorCode::InvalidArgument
    );
}

#[test]
fn refuses_a_store_from_a_newer_library() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.db");
    drop(Crm::open(&path, OpenOptions::default()).unwrap());
    {
        // As a newer library might leave it: a higher version, in rollback-journal mode.
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = DELETE; PRAGMA user_version = {}",
            crm_core::SCHEMA_VERSION + 1
        ))
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let e = Crm::open(&path, OpenOptions::default()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SchemaTooNew);
    assert!(e.to_string().contains("upgrade"), "{e}");
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "a refused store is not modified"
    );
    assert!(
        !dir.path().join("future.db-wal").exists(),
        "not even switched to WAL"
    );
}

#[test]
fn options_are_checked() {
    let opts = OpenOptions {
        time_zone: Some("Mars/Base".into()),
        ..OpenOptions::default()
    };
    assert_eq!(
        Crm::open(":memory:", opts).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    let opts = OpenOptions {
        key: Some(b"secret".to_vec()),
        ..OpenOptions::default()
    };
    let e = Crm::open(":memory:", opts.clone()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Unsupported);
    assert!(
        !format!("{opts:?}").contains("secret"),
        "keys never reach logs"
    );
    let crm = Crm::open(
        ":memory:",
        OpenOptions {
            time_zone: Some("Europe/Paris".into()),
            ..OpenOptions::default()
        },
    )
    .unwrap();
    assert_eq!(crm.time_zone().name(), "Europe/Paris");
    assert_eq!(crm.principal().name, "system");
}

#[test]
fn the_reporting_zone_is_saved_in_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tz.db");
    Crm::open(&path, OpenOptions::default())
        .unwrap()
        .set_time_zone("America/New_York")
        .unwrap();
    assert_eq!(
        Crm::open(&path, OpenOptions::default())
            .unwrap()
            .time_zone()
            .name(),
        "America/New_York"
    );
}
