//! The handle: one open store, the principal acting on it, its clock and reporting time zone.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono_tz::Tz;

use crate::customers::Customers;
use crate::error::{Error, Result};
use crate::model::principal::Principal;
use crate::store::Store;
use crate::time::{Clock, Timestamp, parse_time_zone};

/// How to open a store. `OpenOptions::default()` opens as `system` (admin), unencrypted, with the
/// system clock, the store's reporting time zone (UTC unless set) and a 5-second busy timeout.
#[derive(Clone)]
pub struct OpenOptions {
    /// Who acts through this handle; recorded by the audit trail and checked by permissions.
    pub principal: Principal,
    /// Encryption key of the store file (SQLCipher). `None`: a plain SQLite file.
    pub key: Option<Vec<u8>>,
    /// Where "now" comes from.
    pub clock: Clock,
    /// Reporting time zone for this handle (calendar boundaries, date literals in filters);
    /// `None` uses the zone saved in the store, which defaults to UTC.
    pub time_zone: Option<String>,
    /// How long a write waits for another writer before failing with `BUSY`.
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> OpenOptions {
        OpenOptions {
            principal: Principal::system(),
            key: None,
            clock: Clock::system(),
            time_zone: None,
            busy_timeout: Duration::from_secs(5),
        }
    }
}

impl fmt::Debug for OpenOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenOptions")
            .field("principal", &self.principal)
            .field("key", &self.key.as_ref().map(|_| "<redacted>"))
            .field("clock", &self.clock)
            .field("time_zone", &self.time_zone)
            .field("busy_timeout", &self.busy_timeout)
            .finish()
    }
}

/// Store metadata key of the saved reporting time zone.
const META_TIME_ZONE: &str = "reporting_time_zone";

/// An open crm store.
///
/// A `Crm` is `Send` but not `Sync`: move it to another thread, or give each thread its own handle
/// on the same file. Several handles, in threads or processes, share one file safely: the store
/// runs in WAL mode, readers do not block the writer, and writers queue for up to the busy timeout.
pub struct Crm {
    store: Store,
    path: PathBuf,
    principal: Principal,
    clock: Clock,
    zone: Tz,
}

impl Crm {
    /// Opens the store at `path`, creating it if missing and upgrading an older schema.
    ///
    /// Fails with `NOT_A_DATABASE` for a file that is not a crm store, `SCHEMA_TOO_NEW` for a store
    /// written by a newer library, `STORAGE` when the file cannot be opened.
    pub fn open(path: impl AsRef<Path>, options: OpenOptions) -> Result<Crm> {
        let path = path.as_ref();
        if path.as_os_str().is_empty() {
            return Err(Error::InvalidArgument(
                "path is empty (use \":memory:\" for an in-memory store)".into(),
            ));
        }
        if options.key.is_some() {
            return Err(Error::Unsupported(
                "encryption at rest is not available in this build; open the store without a key"
                    .into(),
            ));
        }
        let option_zone = options
            .time_zone
            .as_deref()
            .map(parse_time_zone)
            .transpose()?;
        let store = Store::open(path, options.busy_timeout, options.clock.now())?;
        let zone = match option_zone {
            Some(z) => z,
            None => match store.meta(META_TIME_ZONE)? {
                Some(name) => parse_time_zone(&name)?,
                None => Tz::UTC,
            },
        };
        Ok(Crm {
            store,
            path: path.to_owned(),
            principal: options.principal,
            clock: options.clock,
            zone,
        })
    }

    /// Opens a private, empty in-memory store (for tests and scratch work).
    pub fn open_in_memory() -> Result<Crm> {
        Crm::open(":memory:", OpenOptions::default())
    }

    /// The customers of this store.
    pub fn customers(&self) -> Customers<'_> {
        Customers::new(self)
    }

    /// The audit trail of this store.
    pub fn audit(&self) -> crate::Audit<'_> {
        crate::Audit::new(self)
    }

    /// Notes on this store's records.
    pub fn notes(&self) -> crate::Notes<'_> {
        crate::Notes::new(self)
    }

    /// The custom field definitions of this store.
    pub fn fields(&self) -> crate::Fields<'_> {
        crate::Fields::new(self)
    }

    /// The saved segments of this store.
    pub fn segments(&self) -> crate::Segments<'_> {
        crate::Segments::new(self)
    }

    /// The interactions of this store (touchpoints and customer timelines).
    pub fn interactions(&self) -> crate::Interactions<'_> {
        crate::Interactions::new(self)
    }

    /// The product catalogue of this store.
    pub fn products(&self) -> crate::Products<'_> {
        crate::Products::new(self)
    }

    /// The purchases of this store.
    pub fn purchases(&self) -> crate::Purchases<'_> {
        crate::Purchases::new(self)
    }

    /// The marketing campaigns of this store.
    pub fn campaigns(&self) -> crate::Campaigns<'_> {
        crate::Campaigns::new(self)
    }

    /// The service tickets of this store.
    pub fn tickets(&self) -> crate::Tickets<'_> {
        crate::Tickets::new(self)
    }

    /// Market-basket analysis over this store's purchases.
    pub fn baskets(&self) -> crate::Baskets<'_> {
        crate::Baskets::new(self)
    }

    /// The sales pipelines and deals of this store.
    pub fn deals(&self) -> crate::Deals<'_> {
        crate::Deals::new(self)
    }

    /// The path this store was opened with (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who acts through this handle.
    pub fn principal(&self) -> &Principal {
        &self.principal
    }

    /// The current time by the handle's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Replaces the handle's clock.
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// The reporting time zone of this handle.
    pub fn time_zone(&self) -> Tz {
        self.zone
    }

    /// Sets the store's reporting time zone (an IANA name), saved in the store for every handle
    /// opened later, and uses it on this handle.
    pub fn set_time_zone(&mut self, name: &str) -> Result<()> {
        let zone = parse_time_zone(name)?;
        self.store.set_meta(META_TIME_ZONE, zone.name())?;
        self.zone = zone;
        Ok(())
    }

    /// The store's schema version.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .store
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Who writes now: the principal and the clock's time, for the audit trail.
    pub(crate) fn author(&self, at: Timestamp) -> crate::store::audit::Author<'_> {
        crate::store::audit::Author {
            principal: &self.principal,
            at,
        }
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }
}

impl fmt::Debug for Crm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Crm")
            .field("path", &self.path)
            .field("principal", &self.principal)
            .field("time_zone", &self.zone.name())
            .finish()
    }
}
