//! Custom fields through the public API.

use std::collections::BTreeMap;

use crm_core::{
    Crm, CustomFieldType, CustomValue, CustomerPatch, EntityKind, ErrorCode, Filter, NewCustomer,
    NewCustomerColumns, NewFieldDefinition, OpenOptions, OrderBy, Query, Value,
};

fn define_region_and_tier(crm: &Crm) {
    let f = crm.fields();
    f.define(
        EntityKind::Customer,
        NewFieldDefinition::new("region", CustomFieldType::Enum)
            .choices(["north", "south", "east"])
            .indexed(),
    )
    .unwrap();
    f.define(
        EntityKind::Customer,
        NewFieldDefinition::new("loyalty_tier", CustomFieldType::Integer).default_value(0),
    )
    .unwrap();
}

fn names(crm: &Crm, f: Filter) -> Vec<String> {
    crm.customers()
        .find(&Query::new(f))
        .unwrap()
        .into_iter()
        .map(|c| c.name)
        .collect()
}

#[test]
fn define_fill_filter_and_sort() {
    let crm = Crm::open_in_memory().unwrap();
    crm.customers().add(NewCustomer::new("Before")).unwrap();
    define_region_and_tier(&crm);
    let before = crm.customers().get(1).unwrap();
    assert_eq!(
        before.custom.get("loyalty_tier"),
        Some(&CustomValue::Integer(0)),
        "existing records get the default"
    );
    assert_eq!(before.custom.get("region"), None);

    let ada = crm
        .customers()
        .add(
            NewCustomer::new("Ada")
                .field("region", "north")
                .field("loyalty_tier", 3),
        )
        .unwrap();
    assert_eq!(ada.custom["region"], CustomValue::Text("north".into()));
    crm.customers()
        .add(
            NewCustomer::new("Bob")
                .field("region", "south")
                .field("loyalty_tier", 1),
        )
        .unwrap();
    crm.customers()
        .add(NewCustomer::new("Cy").field("region", "north"))
        .unwrap();

    assert_eq!(names(&crm, Filter::eq("region", "north")), ["Ada", "Cy"]);
    assert_eq!(
        names(
            &crm,
            Filter::parse("region = 'north' and loyalty_tier >= 1").unwrap()
        ),
        ["Ada"]
    );
    assert_eq!(names(&crm, Filter::is_null("region")), ["Before"]);
    assert_eq!(
        names(&crm, Filter::in_list("region", ["south", "east"])),
        ["Bob"]
    );
    let by_tier = crm
        .customers()
        .find(&Query::default().order_by(OrderBy::desc("loyalty_tier")))
        .unwrap();
    assert_eq!(
        by_tier.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
        ["Ada", "Bob", "Before", "Cy"]
    );
    assert_eq!(
        crm.segments()
            .save_text("north", "region = 'north'")
            .unwrap()
            .name,
        "north"
    );
    assert_eq!(crm.segments().count("north").unwrap(), 2);

    // Updates: set, change, clear; the version moves only when something changes.
    let u = crm
        .customers()
        .update(ada.id, &CustomerPatch::default().field("region", "east"))
        .unwrap();
    assert_eq!(
        (u.custom["region"].clone(), u.version),
        (CustomValue::Text("east".into()), 2)
    );
    let same = crm
        .customers()
        .update(ada.id, &CustomerPatch::default().field("region", "east"))
        .unwrap();
    assert_eq!(same.version, 2);
    let cleared = crm
        .customers()
        .update(
            ada.id,
            &CustomerPatch::default().field("region", Value::Null),
        )
        .unwrap();
    assert!(!cleared.custom.contains_key("region"));
    let trail = crm
        .audit()
        .find(&Query::new(
            Filter::eq("entity_id", ada.id).and(Filter::eq("entity", "customer")),
        ))
        .unwrap();
    assert_eq!(trail.last().unwrap().changes["region"]["before"], "east");
}

#[test]
fn every_type() {
    let crm = Crm::open_in_memory().unwrap();
    let f = crm.fields();
    f.define(
        EntityKind::Customer,
        NewFieldDefinition::new("note_text", CustomFieldType::Text),
    )
    .unwrap();
    f.define(
        EntityKind::Customer,
        NewFieldDefinition::new("score", CustomFieldType::Decimal),
    )
    .unwrap();
    f.define(
        EntityKind::Customer,
        NewFieldDefinition::new("newsletter", CustomFieldType::Boolean),
    )
    .unwrap();
    f.define(
        EntityKind::Customer,
        NewFieldDefinition::new("birthday", CustomFieldType::Date),
    )
    .unwrap();
    f.define(
        EntityKind::Customer,
        NewFieldDefinition::new("interests", CustomFieldType::MultiEnum)
            .choices(["tea", "coffee", "cakes"]),
    )
    .unwrap();
    let c = crm
        .customers()
        .add(
            NewCustomer::new("Ada")
                .field("note_text", "likes Earl Grey")
                .field("score", 4.5)
                .field("newsletter", true)
                .field("birthday", "1815-12-10")
                .field("interests", Value::List(vec!["tea".into(), "cakes".into()])),
        )
        .unwrap();
    assert_eq!(
        c.custom["interests"],
        CustomValue::Choices(vec!["cakes".into(), "tea".into()])
    );
    assert_eq!(
        crm.customers().get(c.id).unwrap(),
        c,
        "read back as written"
    );
    crm.customers()
        .add(
            NewCustomer::new("Bob")
                .field("interests", "coffee")
                .field("birthday", "1990-01-01"),
        )
        .unwrap();
    assert_eq!(
        names(&crm, Filter::eq("interests", "tea")),
        ["Ada"],
        "a multi-enum equals a choice it holds"
    );
    assert_eq!(
        names(&crm, Filter::parse("interests contains 'coffee'").unwrap()),
        ["Bob"]
    );
    assert_eq!(
        names(&crm, Filter::in_list("interests", ["cakes", "coffee"])),
        ["Ada", "Bob"]
    );
    assert_eq!(names(&crm, Filter::lt("birthday", "1900-01-01")), ["Ada"]);
    assert_eq!(names(&crm, Filter::gt("score", 4)), ["Ada"]);
    assert_eq!(names(&crm, Filter::eq("newsletter", true)), ["Ada"]);
    assert_eq!(names(&crm, Filter::contains("note_text", "earl")), ["Ada"]);
}

#[test]
fn bad_values_and_definitions_change_nothing() {
    let crm = Crm::open_in_memory().unwrap();
    define_region_and_tier(&crm);
    crm.customers()
        .add(NewCustomer::new("Ada").field("region", "north"))
        .unwrap();
    let c = crm.customers();
    let e = c
        .add(NewCustomer::new("X").field("region", "west"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    assert!(
        e.to_string().contains("region")
            && e.to_string().contains("west")
            && e.to_string().contains("one of north"),
        "{e}"
    );
    let e = c
        .add(NewCustomer::new("X").field("loyalty_tier", "gold"))
        .unwrap_err();
    assert!(e.to_string().contains("integer"), "{e}");
    let e = c
        .add(NewCustomer::new("X").field("shoe_size", 42))
        .unwrap_err();
    assert!(e.to_string().contains("not defined"), "{e}");
    assert_eq!(
        c.update(1, &CustomerPatch::default().field("region", 5))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    let cols = NewCustomerColumns {
        name: vec![Some("A".into()), Some("B".into())],
        custom: BTreeMap::from([(
            "region".to_owned(),
            vec![Value::from("north"), Value::from("nowhere")],
        )]),
        ..Default::default()
    };
    let e = c.add_columns(cols).unwrap_err();
    assert!(e.to_string().contains("row 1"), "{e}");
    assert_eq!(c.count(&Filter::All).unwrap(), 1);
    assert_eq!(
        c.count(&Filter::eq("region", "mars")).unwrap_err().code(),
        ErrorCode::InvalidInput
    );

    let f = crm.fields();
    let reg = |d: NewFieldDefinition| f.define(EntityKind::Customer, d).unwrap_err().code();
    assert_eq!(
        reg(NewFieldDefinition::new("email", CustomFieldType::Text)),
        ErrorCode::InvalidInput,
        "may not shadow a built-in"
    );
    assert_eq!(
        reg(NewFieldDefinition::new(
            "total_spend",
            CustomFieldType::Integer
        )),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        reg(NewFieldDefinition::new("region", CustomFieldType::Text)),
        ErrorCode::AlreadyExists
    );
    assert_eq!(
        reg(NewFieldDefinition::new("Bad Name", CustomFieldType::Text)),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        reg(NewFieldDefinition::new("kind", CustomFieldType::Enum)),
        ErrorCode::InvalidInput,
        "no choices"
    );
    assert_eq!(
        reg(NewFieldDefinition::new("size", CustomFieldType::Integer).default_value("big")),
        ErrorCode::InvalidInput
    );
    let e = f
        .define(
            EntityKind::Customer,
            NewFieldDefinition::new("vat", CustomFieldType::Text).required(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("needs a default"), "{e}");
    assert_eq!(
        f.define(
            EntityKind::Product,
            NewFieldDefinition::new("x", CustomFieldType::Text)
        )
        .unwrap_err()
        .code(),
        ErrorCode::Unsupported
    );
    assert_eq!(f.list(EntityKind::Customer, true).unwrap().len(), 2);
}

#[test]
fn rename_retire_remove() {
    let crm = Crm::open_in_memory().unwrap();
    define_region_and_tier(&crm);
    crm.customers()
        .add(NewCustomer::new("Ada").field("region", "north"))
        .unwrap();
    let f = crm.fields();
    f.rename(EntityKind::Customer, "region", "area").unwrap();
    assert_eq!(
        names(&crm, Filter::eq("area", "north")),
        ["Ada"],
        "values follow the new name"
    );
    assert_eq!(
        crm.customers()
            .count(&Filter::eq("region", "north"))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );

    f.retire(EntityKind::Customer, "area").unwrap();
    assert!(
        !crm.customers().get(1).unwrap().custom.contains_key("area"),
        "hidden while retired"
    );
    assert_eq!(
        crm.customers()
            .count(&Filter::eq("area", "north"))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(f.list(EntityKind::Customer, false).unwrap().len(), 1);
    f.restore(EntityKind::Customer, "area").unwrap();
    assert_eq!(
        crm.customers().get(1).unwrap().custom["area"],
        CustomValue::Text("north".into()),
        "data kept"
    );

    let e = f.remove(EntityKind::Customer, "area", false).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Constraint);
    assert!(e.to_string().contains("force"), "{e}");
    f.remove(EntityKind::Customer, "area", true).unwrap();
    assert_eq!(
        f.get(EntityKind::Customer, "area").unwrap_err().code(),
        ErrorCode::NotFound
    );
    assert_eq!(crm.customers().get(1).unwrap().name, "Ada");
    f.remove(EntityKind::Customer, "loyalty_tier", true)
        .unwrap();
    let actions: Vec<String> = crm
        .audit()
        .find(&Query::new(Filter::eq("entity", "field")))
        .unwrap()
        .into_iter()
        .map(|e| e.action.to_string())
        .collect();
    assert_eq!(
        actions,
        [
            "create", "create", "update", "update", "update", "delete", "delete"
        ]
    );
}

#[test]
fn an_indexed_field_is_an_index_lookup_and_personal_values_stay_apart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fields.db");
    let crm = Crm::open(&path, OpenOptions::default()).unwrap();
    define_region_and_tier(&crm);
    crm.fields()
        .define(
            EntityKind::Customer,
            NewFieldDefinition::new("passport", CustomFieldType::Text).personal(),
        )
        .unwrap();
    crm.customers()
        .add(
            NewCustomer::new("Ada")
                .field("region", "north")
                .field("passport", "X1234567"),
        )
        .unwrap();
    let region = crm.fields().get(EntityKind::Customer, "region").unwrap();
    drop(crm);
    let raw = rusqlite::Connection::open(&path).unwrap();
    let plan: String = raw
        .query_row(
            &format!(
                "EXPLAIN QUERY PLAN SELECT count(*) FROM customers c WHERE c.{} = 'north'",
                region.column()
            ),
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(
        plan.contains(&format!("customers_{}", region.column())),
        "{plan}"
    );
    let public: String = raw
        .query_row(
            "SELECT group_concat(changes, ' ') FROM audit_log",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        !public.contains("X1234567"),
        "a personal custom value stays out of the trail's entries"
    );
    assert!(public.contains("north"));
}
