//! Storage in SQLite: the connection and its settings, the store's identity check, numbered
//! migrations, one module per entity, and the filter-to-SQL compiler.
//!
//! Every value reaches SQL as a bound parameter. Identifiers in SQL come only from the fixed field
//! lists of the model, never from user text.

pub(crate) mod audit;
pub(crate) mod baskets;
pub(crate) mod campaigns;
pub(crate) mod customers;
pub(crate) mod deals;
pub(crate) mod fields;
pub(crate) mod filter_sql;
pub(crate) mod interactions;
pub(crate) mod migrations;
pub(crate) mod notes;
pub(crate) mod products;
pub(crate) mod purchases;
pub(crate) mod segments;
pub(crate) mod tickets;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, ffi};

use crate::error::{Error, Result};
use crate::time::Timestamp;

/// `PRAGMA application_id` of a crm store: "CRM1" in ASCII. A SQLite file with another id is not
/// ours and is refused rather than modified.
pub(crate) const APPLICATION_ID: i32 = 0x4352_4D31;

/// An open SQLite connection with the store's settings applied and its schema up to date.
pub(crate) struct Store {
    pub(crate) conn: Connection,
}

impl Store {
    /// Opens (creating if missing) the store at `path`; `":memory:"` opens a private in-memory store.
    pub(crate) fn open(path: &Path, busy_timeout: Duration, now: Timestamp) -> Result<Store> {
        let conn = if path.as_os_str() == ":memory:" {
            Connection::open_in_memory()?
        } else {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            Connection::open_with_flags(path, flags).map_err(|e| with_path(e.into(), path))?
        };
        conn.busy_timeout(busy_timeout)?;
        // `rarray()` binds long `in (…)` lists as one parameter.
        rusqlite::vtab::array::load_module(&conn)?;
        let store = Store { conn };
        store.check_identity().map_err(|e| with_path(e, path))?;
        // Refuse a newer store before anything (even the journal mode) is written to it.
        migrations::check_not_newer(&store.conn)?;
        store.configure(path)?;
        migrations::run(&store.conn, now)?;
        Ok(store)
    }

    /// Refuses files that are not SQLite, and SQLite files that belong to another application.
    fn check_identity(&self) -> Result<()> {
        // The first read of the header is where SQLite notices a file that is not a database.
        let app_id: i32 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))?;
        if app_id == APPLICATION_ID {
            return Ok(());
        }
        if app_id != 0 {
            return Err(Error::NotADatabase(format!(
                "SQLite file of another application (application_id {app_id:#x})"
            )));
        }
        let tables: i64 = self.conn.query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(Error::NotADatabase(
                "a SQLite database that is not a crm store (it has tables of its own)".into(),
            ));
        }
        Ok(())
    }

    fn configure(&self, path: &Path) -> Result<()> {
        // WAL: readers never block the writer and several handles (threads or processes) share a
        // file. In-memory databases answer "memory" and keep it.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") && !mode.eq_ignore_ascii_case("memory") {
            return Err(Error::Storage {
                code: -1,
                extended_code: -1,
                message: format!(
                    "{}: cannot use write-ahead logging (journal mode stays {mode})",
                    path.display()
                ),
            });
        }
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;")?;
        Ok(())
    }

    /// Runs `f` in one write transaction, taken with `BEGIN IMMEDIATE` so that concurrent writers
    /// queue on the busy timeout instead of failing half-way. An error — or a panic — rolls
    /// everything back and releases the write lock.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let tx = WriteTx::begin(&self.conn)?;
        let value = f(&self.conn)?;
        tx.commit()?;
        Ok(value)
    }

    /// Reads a value of the store's key-value metadata.
    pub(crate) fn meta(&self, key: &str) -> Result<Option<String>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM crm_meta WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Writes a value of the store's key-value metadata.
    pub(crate) fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.write(|c| {
            c.execute("INSERT INTO crm_meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])?;
            Ok(())
        })
    }
}

/// An open `BEGIN IMMEDIATE` transaction that rolls back when dropped uncommitted, so an early
/// return or an unwinding panic never leaves the store locked by a half-done write.
pub(crate) struct WriteTx<'c> {
    conn: &'c Connection,
    open: bool,
}

impl<'c> WriteTx<'c> {
    pub(crate) fn begin(conn: &'c Connection) -> Result<WriteTx<'c>> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(WriteTx { conn, open: true })
    }

    pub(crate) fn commit(mut self) -> Result<()> {
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}

impl Drop for WriteTx<'_> {
    fn drop(&mut self) {
        if self.open {
            // Fails only when SQLite already rolled back; the store is unchanged either way.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}

fn with_path(e: Error, path: &Path) -> Error {
    match e {
        Error::NotADatabase(m) => Error::NotADatabase(format!("{}: {m}", path.display())),
        Error::Storage {
            code,
            extended_code,
            message,
        } => Error::Storage {
            code,
            extended_code,
            message: format!("{}: {message}", path.display()),
        },
        other => other,
    }
}

/// Maps a rusqlite error to the crate's error, keeping SQLite's codes and message.
pub(crate) fn map_sqlite_error(e: rusqlite::Error) -> Error {
    match e {
        rusqlite::Error::SqliteFailure(err, msg) => {
            let message = msg.unwrap_or_else(|| err.to_string());
            match err.extended_code & 0xff {
                ffi::SQLITE_NOTADB => {
                    Error::NotADatabase(format!("file is not a database ({message})"))
                }
                ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED => Error::Busy(message),
                ffi::SQLITE_CONSTRAINT
                    if matches!(
                        err.extended_code,
                        ffi::SQLITE_CONSTRAINT_FOREIGNKEY | ffi::SQLITE_CONSTRAINT_TRIGGER
                    ) =>
                {
                    Error::Constraint(format!(
                        "the change would break a relation between records ({message})"
                    ))
                }
                code => Error::Storage {
                    code,
                    extended_code: err.extended_code,
                    message,
                },
            }
        }
        other => Error::Storage {
            code: -1,
            extended_code: -1,
            message: other.to_string(),
        },
    }
}

/// `LIMIT … OFFSET …` for a query's page (numbers, never user text).
pub(crate) fn limit_clause(query: &crate::model::query::Query) -> String {
    let limit = query
        .limit
        .map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX));
    let offset = i64::try_from(query.offset).unwrap_or(i64::MAX);
    format!("LIMIT {limit} OFFSET {offset}")
}

/// True when `e` is SQLite's foreign-key violation.
pub(crate) fn is_foreign_key_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(err, _) if err.extended_code == ffi::SQLITE_CONSTRAINT_FOREIGNKEY)
}

/// True when `e` is SQLite's unique-constraint violation.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(err, _)
        if err.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE || err.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_write_rolls_back_and_unlocks() {
        let store = Store::open(
            Path::new(":memory:"),
            Duration::from_secs(1),
            Timestamp::from_micros(0),
        )
        .unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.write(|c| -> Result<()> {
                c.execute("INSERT INTO crm_meta(key, value) VALUES ('k', 'v')", [])?;
                panic!("a bug in the middle of a write");
            })
        }));
        assert!(caught.is_err());
        assert!(store.conn.is_autocommit(), "the transaction is closed");
        assert_eq!(store.meta("k").unwrap(), None, "and was rolled back");
        store.set_meta("k", "w").unwrap();
        assert_eq!(
            store.meta("k").unwrap().as_deref(),
            Some("w"),
            "the next write works"
        );
    }
}
