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
    Migration {
        version: 7,
        name: "campaigns",
        sql: r#"
CREATE TABLE campaigns (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'phone', 'chat', 'sms', 'social', 'web', 'in_person')),
    objective       TEXT,
    currency        TEXT CHECK (currency IS NULL OR length(currency) = 3),
    budget          INTEGER CHECK (budget IS NULL OR budget >= 0),
    cost            INTEGER CHECK (cost IS NULL OR cost >= 0),
    segment         TEXT,
    variants        TEXT NOT NULL CHECK (json_valid(variants)),
    seed            TEXT NOT NULL,
    starts_at       INTEGER,
    ends_at         INTEGER,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'scheduled', 'running', 'completed', 'cancelled')),
    started_at      INTEGER,
    ended_at        INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    CHECK ((budget IS NULL AND cost IS NULL) OR currency IS NOT NULL)
);
CREATE INDEX campaigns_status ON campaigns(status);

-- The audience frozen at the start: later changes to the segment do not rewrite it.
CREATE TABLE campaign_members (
    campaign_id INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    customer_id INTEGER NOT NULL REFERENCES customers(id),
    variant     TEXT NOT NULL,
    control     INTEGER NOT NULL CHECK (control IN (0, 1)),
    assigned_at INTEGER NOT NULL,
    PRIMARY KEY (campaign_id, customer_id)
) WITHOUT ROWID;
CREATE INDEX campaign_members_by_customer ON campaign_members(customer_id, campaign_id);

CREATE TABLE campaign_events (
    id          INTEGER PRIMARY KEY,
    campaign_id INTEGER NOT NULL,
    customer_id INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('sent', 'delivered', 'opened', 'clicked', 'converted', 'unsubscribed')),
    at          INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    FOREIGN KEY (campaign_id, customer_id) REFERENCES campaign_members(campaign_id, customer_id) ON DELETE CASCADE
);
CREATE INDEX campaign_events_by_member ON campaign_events(campaign_id, customer_id, kind, at);
CREATE INDEX campaign_events_by_customer ON campaign_events(customer_id, kind);
"#,
    },
    Migration {
        version: 8,
        name: "tickets",
        sql: r#"
CREATE TABLE tickets (
    id                 INTEGER PRIMARY KEY,
    customer_id        INTEGER NOT NULL REFERENCES customers(id),
    subject            TEXT NOT NULL,
    body               TEXT,
    channel            TEXT NOT NULL CHECK (channel IN ('email', 'phone', 'chat', 'sms', 'social', 'web', 'in_person')),
    category           TEXT,
    priority           TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    priority_rank      INTEGER NOT NULL,
    status             TEXT NOT NULL CHECK (status IN ('new', 'open', 'pending', 'resolved', 'closed')),
    assignee           TEXT,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    first_response_at  INTEGER,
    resolved_at        INTEGER,
    closed_at          INTEGER,
    -- SLA deadlines still pending (kept up to date on every write), so the work queue orders in SQL.
    first_response_due INTEGER,
    resolution_due     INTEGER,
    next_due           INTEGER,
    version            INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (priority_rank = CASE priority WHEN 'low' THEN 0 WHEN 'normal' THEN 1 WHEN 'high' THEN 2 ELSE 3 END),
    CHECK ((resolved_at IS NOT NULL) = (status IN ('resolved', 'closed'))),
    CHECK ((closed_at IS NOT NULL) = (status = 'closed'))
);
CREATE INDEX tickets_queue       ON tickets(status, priority_rank DESC, next_due, created_at);
CREATE INDEX tickets_by_customer ON tickets(customer_id, created_at);
CREATE INDEX tickets_by_assignee ON tickets(assignee, status);
CREATE INDEX tickets_by_category ON tickets(category);

CREATE TABLE ticket_comments (
    id         INTEGER PRIMARY KEY,
    ticket_id  INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    body       TEXT NOT NULL,
    public     INTEGER NOT NULL CHECK (public IN (0, 1)),
    author     TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX ticket_comments_by_ticket ON ticket_comments(ticket_id, at);

CREATE TABLE ticket_status_history (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
    from_status TEXT CHECK (from_status IS NULL OR from_status IN ('new', 'open', 'pending', 'resolved', 'closed')),
    to_status   TEXT NOT NULL CHECK (to_status IN ('new', 'open', 'pending', 'resolved', 'closed')),
    at          INTEGER NOT NULL,
    changed_by  TEXT NOT NULL
);
CREATE INDEX ticket_status_history_by_ticket ON ticket_status_history(ticket_id, at, id);

CREATE TABLE sla_policies (
    priority               TEXT PRIMARY KEY CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    first_response_minutes INTEGER NOT NULL CHECK (first_response_minutes > 0),
    resolution_minutes     INTEGER NOT NULL CHECK (resolution_minutes > 0),
    business_hours         INTEGER NOT NULL DEFAULT 0 CHECK (business_hours IN (0, 1))
) WITHOUT ROWID;
"#,
    },
    Migration {
        version: 9,
        name: "deals",
        sql: r#"
CREATE TABLE pipelines (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
);

CREATE TABLE pipeline_stages (
    id          INTEGER PRIMARY KEY,
    pipeline_id INTEGER NOT NULL REFERENCES pipelines(id),
    -- NOCASE: stage names are unique and matched (moves, filters) ignoring case.
    name        TEXT NOT NULL COLLATE NOCASE,
    position    INTEGER NOT NULL CHECK (position >= 0),
    probability REAL NOT NULL CHECK (probability >= 0 AND probability <= 1),
    UNIQUE (pipeline_id, name),
    -- The target of deals' (pipeline_id, stage_id) key: a deal's stage is in its pipeline.
    UNIQUE (pipeline_id, id)
);
CREATE INDEX pipeline_stages_order ON pipeline_stages(pipeline_id, position);

CREATE TABLE deals (
    id             INTEGER PRIMARY KEY,
    pipeline_id    INTEGER NOT NULL REFERENCES pipelines(id),
    stage_id       INTEGER NOT NULL,
    customer_id    INTEGER NOT NULL REFERENCES customers(id),
    name           TEXT NOT NULL,
    amount         INTEGER NOT NULL CHECK (amount >= 0),
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    owner          TEXT NOT NULL,
    source         TEXT,
    expected_close TEXT CHECK (expected_close IS NULL OR expected_close GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    status         TEXT NOT NULL CHECK (status IN ('open', 'won', 'lost')),
    lost_reason    TEXT,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    closed_at      INTEGER,
    version        INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    FOREIGN KEY (pipeline_id, stage_id) REFERENCES pipeline_stages(pipeline_id, id),
    CHECK ((status = 'open') = (closed_at IS NULL)),
    CHECK ((status = 'lost') = (lost_reason IS NOT NULL))
);
-- Value by stage and the stage foreign key; forecast by close month; win rates by owner.
CREATE INDEX deals_by_stage    ON deals(pipeline_id, stage_id, status);
CREATE INDEX deals_forecast    ON deals(pipeline_id, status, expected_close);
CREATE INDEX deals_by_owner    ON deals(pipeline_id, owner);
CREATE INDEX deals_by_customer ON deals(customer_id);
CREATE INDEX deals_by_created  ON deals(created_at);

-- Stage names are kept as text so the history survives a stage's removal (its id becomes NULL).
CREATE TABLE deal_stage_history (
    id            INTEGER PRIMARY KEY,
    deal_id       INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
    from_stage_id INTEGER REFERENCES pipeline_stages(id) ON DELETE SET NULL,
    from_stage    TEXT,
    to_stage_id   INTEGER REFERENCES pipeline_stages(id) ON DELETE SET NULL,
    to_stage      TEXT NOT NULL,
    at            INTEGER NOT NULL,
    moved_by      TEXT NOT NULL
);
CREATE INDEX deal_stage_history_by_deal ON deal_stage_history(deal_id, at);
CREATE INDEX deal_stage_history_from    ON deal_stage_history(from_stage_id);
CREATE INDEX deal_stage_history_to      ON deal_stage_history(to_stage_id);
"#,
    },
    Migration {
        version: 10,
        name: "interaction links to campaigns and tickets",
        sql: r#"
ALTER TABLE interactions ADD COLUMN campaign_id INTEGER REFERENCES campaigns(id) ON DELETE SET NULL;
ALTER TABLE interactions ADD COLUMN ticket_id INTEGER REFERENCES tickets(id) ON DELETE SET NULL;
CREATE INDEX interactions_by_campaign ON interactions(campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX interactions_by_ticket ON interactions(ticket_id) WHERE ticket_id IS NOT NULL;
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
    fn a_store_from_before_campaigns_upgrades_and_keeps_its_rows() {
        let dir = std::env::temp_dir().join(format!("crm-upgrade-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("v6.db");
        let _ = std::fs::remove_file(&path);
        {
            // A store as the library with six migrations wrote it.
            let conn = Connection::open(&path).unwrap();
            for m in &MIGRATIONS[..6] {
                conn.execute_batch(m.sql).unwrap();
            }
            conn.execute_batch(&format!(
                "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = 6;
                 INSERT INTO customers(id, name, stage, source, created_at, updated_at)
                     VALUES (1, 'Ada', 'customer', 'web', 0, 0);
                 INSERT INTO interactions(customer_id, channel, direction, kind, occurred_at, created_at)
                     VALUES (1, 'phone', 'inbound', 'call', 5, 5);"
            ))
            .unwrap();
        }
        let crm = crate::Crm::open(&path, crate::OpenOptions::default()).unwrap();
        assert_eq!(crm.schema_version().unwrap(), SCHEMA_VERSION);
        let timeline = crm
            .interactions()
            .timeline(1, &crate::Query::default())
            .unwrap();
        assert_eq!(timeline.len(), 1);
        assert_eq!(
            (timeline[0].campaign_id, timeline[0].ticket_id),
            (None, None)
        );
        assert_eq!(
            crm.customers()
                .count(&crate::Filter::eq("has_open_ticket", true))
                .unwrap(),
            0
        );
        drop(crm);
        let _ = std::fs::remove_dir_all(&dir);
    }

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
