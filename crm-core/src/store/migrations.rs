//! Numbered schema migrations. The store records its version in `PRAGMA user_version` and each
//! applied step in `schema_migrations`; opening a store applies the missing steps in order, in one
//! transaction, so a store written by an older library upgrades and a failed upgrade changes nothing.
//!
//! Rules: never edit a released migration; append a new one.

use rusqlite::Connection;

use super::APPLICATION_ID;
use crate::error::{Error, Result};

/// One schema step.
pub(crate) struct Migration {
    pub(crate) version: i64,
    pub(crate) name: &'static str,
    pub(crate) sql: &'static str,
}

/// Every migration, in order. The index of each is `version - 1`.
pub(crate) const MIGRATIONS: &[Migration] = &[Migration {
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

CREATE TABLE customer_tags (
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    tag         TEXT NOT NULL,
    PRIMARY KEY (customer_id, tag)
) WITHOUT ROWID;
CREATE INDEX customer_tags_by_tag ON customer_tags(tag, customer_id);
"#,
}];

/// The newest schema version this library writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

/// Brings the store to [`SCHEMA_VERSION`], or refuses a store from a newer library.
pub(crate) fn run(conn: &Connection) -> Result<()> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == SCHEMA_VERSION {
        return Ok(());
    }
    // Under the write lock, look again: another process may have migrated meanwhile.
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = apply_pending(conn);
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(Error::from),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

fn apply_pending(conn: &Connection) -> Result<()> {
    let found = user_version(conn)?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let now = crate::time::Timestamp::now().as_micros();
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        conn.execute_batch(m.sql).map_err(|e| {
            Error::Internal(format!("migration {} ({}) failed: {e}", m.version, m.name))
        })?;
        conn.execute(
            "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![m.version, m.name, now],
        )?;
    }
    // PRAGMA takes no bound parameters; both values are compile-time integers.
    conn.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
    ))?;
    Ok(())
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
        run(&conn).unwrap();
        run(&conn).unwrap();
        assert_eq!(user_version(&conn).unwrap(), SCHEMA_VERSION);
        let applied: i64 = conn
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(applied, SCHEMA_VERSION);
    }

    #[test]
    fn refuses_a_newer_schema() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(&format!("PRAGMA user_version = {}", SCHEMA_VERSION + 1))
            .unwrap();
        let e = run(&conn).unwrap_err();
        assert_eq!(e.code(), crate::ErrorCode::SchemaTooNew);
    }
}
