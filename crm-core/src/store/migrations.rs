//! Numbered schema migrations. The store records its version in `PRAGMA user_version` and each
//! applied step in `schema_migrations`; opening a store applies the missing steps in order, in one
//! transaction, so a store written by an older library upgrades and a failed upgrade changes nothing.
//!
//! Rules: never edit a released migration; append a new one.

use rusqlite::Connection;

use super::{APPLICATION_ID, WriteTx};
use crate::error::{Error, Result};
use crate::time::Timestamp;

/// One schema step.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

/// Every migration, in order. The index of each is `version - 1`.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "customers",
        sql: r#"
CREATE TABLE crm_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
);

CREATE TABLE customers (
    id          INTEGER PRIMARY KEY,
    external_id TEXT UNIQUE,
    name        TEXT NOT NULL,
    email       TEXT,
    phone       TEXT,
    company     TEXT,
    stage       TEXT NOT NULL CHECK (stage IN ('lead', 'prospect', 'customer', 'churned')),
    source      TEXT NOT NULL CHECK (source IN ('web', 'referral', 'ads', 'event', 'partner', 'other')),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX customers_email      ON customers(email);
CREATE INDEX customers_phone      ON customers(phone);
CREATE INDEX customers_stage      ON customers(stage);
CREATE INDEX customers_source     ON customers(source);
CREATE INDEX customers_created_at ON customers(created_at);
CREATE INDEX customers_updated_at ON customers(updated_at);

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
) WITHOUT ROWID;
CREATE INDEX customer_tags_by_tag ON customer_tags(tag, customer_id);
"#,
    },
    Migration {
        version: 2,
        name: "products and purchases",
        sql: r#"
CREATE TABLE products (
    id          INTEGER PRIMARY KEY,
    sku         TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    category    TEXT,
    price       INTEGER CHECK (price IS NULL OR price >= 0),
    currency    TEXT CHECK (currency IS NULL OR length(currency) = 3),
    created_at  INTEGER NOT NULL,
    CHECK ((price IS NULL) = (currency IS NULL))
);
CREATE INDEX products_category ON products(category);

CREATE TABLE purchases (
    id           INTEGER PRIMARY KEY,
    customer_id  INTEGER NOT NULL REFERENCES customers(id),
    external_id  TEXT UNIQUE,
    purchased_at INTEGER NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount >= 0),
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    status       TEXT NOT NULL CHECK (status IN ('completed', 'refunded', 'cancelled')),
    created_at   INTEGER NOT NULL
);
CREATE INDEX purchases_by_customer ON purchases(customer_id, purchased_at);
CREATE INDEX purchases_by_time     ON purchases(purchased_at);

CREATE TABLE purchase_items (
    purchase_id INTEGER NOT NULL REFERENCES purchases(id) ON DELETE CASCADE,
    line        INTEGER NOT NULL CHECK (line >= 1),
    product_id  INTEGER REFERENCES products(id),
    sku         TEXT,
    name        TEXT NOT NULL,
    category    TEXT,
    quantity    INTEGER NOT NULL CHECK (quantity > 0),
    unit_price  INTEGER NOT NULL CHECK (unit_price >= 0),
    PRIMARY KEY (purchase_id, line)
) WITHOUT ROWID;
CREATE INDEX purchase_items_by_product ON purchase_items(product_id);
"#,
    },
    Migration {
        version: 3,
        name: "interactions",
        sql: r#"
CREATE TABLE interactions (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    channel     TEXT NOT NULL CHECK (channel IN ('email', 'phone', 'chat', 'sms', 'social', 'web', 'in_person')),
    direction   TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    kind        TEXT NOT NULL CHECK (kind IN ('note', 'call', 'message', 'meeting', 'visit', 'other')),
    occurred_at INTEGER NOT NULL,
    subject     TEXT,
    body        TEXT,
    metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    created_at  INTEGER NOT NULL
);
CREATE INDEX interactions_timeline ON interactions(customer_id, occurred_at);
CREATE INDEX interactions_by_time  ON interactions(occurred_at);
"#,
    },
    Migration {
        version: 4,
        name: "audit trail and notes",
        sql: r#"
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    principal TEXT NOT NULL,
    role      TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id INTEGER,
    action    TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'bulk_create')),
    changes   TEXT NOT NULL CHECK (json_valid(changes))
);
CREATE INDEX audit_by_entity    ON audit_log(entity, entity_id);
CREATE INDEX audit_by_principal ON audit_log(principal, at);
CREATE INDEX audit_by_time      ON audit_log(at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;

-- Personal before/after values, keyed by the customer they describe, so that an erasure can
-- redact them here without touching audit_log.
CREATE TABLE audit_personal (
    audit_id    INTEGER NOT NULL REFERENCES audit_log(id),
    field       TEXT NOT NULL,
    customer_id INTEGER,
    before      TEXT,
    after       TEXT,
    PRIMARY KEY (audit_id, field)
) WITHOUT ROWID;
CREATE INDEX audit_personal_by_customer ON audit_personal(customer_id);

CREATE TABLE notes (
    id         INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL CHECK (entity IN ('customer', 'product', 'purchase', 'interaction')),
    entity_id  INTEGER NOT NULL,
    body       TEXT NOT NULL,
    author     TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX notes_by_entity ON notes(entity, entity_id, created_at);
"#,
    },
    Migration {
        version: 5,
        name: "segments",
        sql: r#"
CREATE TABLE segments (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    filter     TEXT NOT NULL CHECK (json_valid(filter)),
    text       TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
"#,
    },
    Migration {
        version: 6,
        name: "custom field definitions",
        sql: r#"
CREATE TABLE field_definitions (
    id            INTEGER PRIMARY KEY,
    entity        TEXT NOT NULL CHECK (entity IN ('customer', 'product', 'purchase', 'interaction')),
    name          TEXT NOT NULL,
    type          TEXT NOT NULL CHECK (type IN ('text', 'integer', 'decimal', 'boolean', 'date', 'enum', 'multi_enum')),
    choices       TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(choices)),
    required      INTEGER NOT NULL DEFAULT 0,
    default_value TEXT CHECK (default_value IS NULL OR json_valid(default_value)),
    personal      INTEGER NOT NULL DEFAULT 0,
    indexed       INTEGER NOT NULL DEFAULT 0,
    retired       INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    UNIQUE (entity, name)
);
"#,
    },
];

/// The newest schema version this library writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Refuses a store written by a newer library. Runs before anything is written to the file.
pub(crate) fn check_not_newer(conn: &Connection) -> Result<()> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Brings the store to [`SCHEMA_VERSION`], or refuses a store from a newer library. `now` is
/// recorded as each step's `applied_at`.
pub(crate) fn run(conn: &Connection, now: Timestamp) -> Result<()> {
    check_not_newer(conn)?;
    if user_version(conn)? == SCHEMA_VERSION {
        return Ok(());
    }
    // Under the write lock, look again: another process may have migrated meanwhile.
    let tx = WriteTx::begin(conn)?;
    apply_pending(conn, now)?;
    tx.commit()
}

fn apply_pending(conn: &Connection, now: Timestamp) -> Result<()> {
    check_not_newer(conn)?;
    let found = user_version(conn)?;
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        conn.execute_batch(m.sql)
            .map_err(|e| in_migration(e.into(), m))?;
        conn.execute(
            "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![m.version, m.name, now.as_micros()],
        )?;
    }
    // PRAGMA takes no bound parameters; both values are compile-time integers.
    conn.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
    ))?;
    Ok(())
}

/// Names the failed step in the message and keeps the error's code (BUSY stays BUSY).
fn in_migration(e: Error, m: &Migration) -> Error {
    let context = format!("migration {} ({})", m.version, m.name);
    match e {
        Error::Storage {
            code,
            extended_code,
            message,
        } => Error::Storage {
            code,
            extended_code,
            message: format!("{context}: {message}"),
        },
        Error::Busy(message) => Error::Busy(format!("{context}: {message}")),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_consecutive() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "migration {} out of order", m.name);
        }
    }

    #[test]
    fn migrates_a_fresh_store_once() {
        let conn = Connection::open_in_memory().unwrap();
        run(&conn, Timestamp::from_micros(42)).unwrap();
        run(&conn, Timestamp::from_micros(43)).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        let applied: i64 = conn
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(applied, SCHEMA_VERSION);
        let at: i64 = conn
            .query_row("SELECT max(applied_at) FROM schema_migrations", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(at, 42, "steps record the handle's clock");
    }

    #[test]
    fn refuses_a_newer_schema() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
            .unwrap();
        let e = run(&conn, Timestamp::from_micros(0)).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::SchemaTooNew);
    }
}
