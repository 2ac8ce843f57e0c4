//! Storage in SQLite: the connection and its settings, the store's identity check, numbered
//! migrations, one module per entity, and the filter-to-SQL compiler.
//!
//! Every value reaches SQL as a bound parameter. Identifiers in SQL come only from the fixed field
//! lists of the model, never from user text.

pub(crate) mod customers;
pub(crate) mod filter_sql;
pub(crate) mod migrations;

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, ffi};

use crate::error::{Error, Result};

/// `PRAGMA application_id` of a crm store: "CRM1" in ASCII. A SQLite file with another id is not
/// ours and is refused rather than modified.
pub(crate) const APPLICATION_ID: i32 = 0x4352_4D31;

/// An open SQLite connection with the store's settings applied and its schema up to date.
pub(crate) struct Store {
    pub(crate) conn: Connection,
}

impl Store {
    /// Opens (creating if missing) the store at `path`; `":memory:"` opens a private in-memory store.
    pub(crate) fn open(path: &Path, busy_timeout: Duration) -> Result<Store> {
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
        store.configure()?;
        migrations::run(&store.conn)?;
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

    fn configure(&self) -> Result<()> {
        // WAL: readers never block the writer and several handles (threads or processes) share a
        // file. In-memory databases answer "memory" and keep it.
        let _mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        self.conn
            .execute_batch("PRAGMA foreign_keys = ON; PRAGMA trusted_schema = OFF;")?;
        Ok(())
    }

    /// Runs `f` in one write transaction, taken with `BEGIN IMMEDIATE` so that concurrent writers
    /// queue on the busy timeout instead of failing half-way. Any error rolls everything back.
    pub(crate) fn write<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(&self.conn) {
            Ok(v) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(e.into())
                }
            },
            Err(e) => {
                // A ROLLBACK can only fail when SQLite already rolled back; the store is unchanged
                // either way.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
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

/// True when `e` is SQLite's unique-constraint violation.
pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(err, _)
        if err.extended_code == ffi::SQLITE_CONSTRAINT_UNIQUE || err.extended_code == ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}
