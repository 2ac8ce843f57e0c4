//! Tickets in SQLite: `tickets` (with the SLA deadlines still pending, so the work queue orders in
//! SQL), `ticket_comments`, `ticket_status_history`, `sla_policies`, and the business hours in
//! `crm_meta`.

use std::collections::HashMap;
use std::rc::Rc;

use chrono_tz::Tz;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::filter_sql::EntitySql;
use super::{is_foreign_key_violation, limit_clause};
use crate::error::{Error, Result};
use crate::model::field::{FieldSpec, FieldType};
use crate::model::filter::{CmpOp, Filter, Value};
use crate::model::query::{OrderBy, Query};
use crate::model::sla::{BusinessHours, SlaPolicy};
use crate::model::ticket::{
    Comment, NewTicket, StatusChange, TICKET_FIELDS, Ticket, TicketPriority, TicketStats,
    TicketStatus, mean_median,
};
use crate::time::Timestamp;

/// `crm_meta` key of the business hours (JSON).
const META_BUSINESS_HOURS: &str = "sla_business_hours";

const SELECT: &str = "SELECT t.id, t.customer_id, t.subject, t.body, t.channel, t.category, t.priority, \
     t.status, t.assignee, t.created_at, t.updated_at, t.first_response_at, t.resolved_at, t.closed_at, \
     t.version, t.first_response_due, t.resolution_due FROM tickets t";

/// The hidden rank column that `priority` comparisons and sort keys are rewritten to.
const RANK: &str = "priority_rank";

fn entity() -> EntitySql<'static> {
    EntitySql {
        entity: "tickets",
        alias: "t",
        fields: TICKET_FIELDS,
        tags: None,
        computed: vec![(
            FieldSpec::builtin(RANK, FieldType::Integer),
            format!("t.{RANK}"),
        )],
    }
}

fn rank_of(v: &Value) -> Option<Value> {
    match v {
        Value::Text(s) => s
            .parse::<TicketPriority>()
            .ok()
            .map(|p| Value::Int(p.rank())),
        _ => None,
    }
}

/// Rewrites ordering comparisons on `priority` (`<`, `<=`, `>`, `>=`, `between`) to the rank
/// column, so `priority >= 'high'` means high or urgent rather than a comparison of names.
/// Equality and `in` stay on the name; values that are not priorities are left for the compiler
/// to refuse with its usual message. Trees deeper than the compiler accepts are left unchanged
/// (it refuses them).
fn by_rank(filter: &Filter, depth: usize) -> Filter {
    if depth > Filter::MAX_DEPTH {
        return filter.clone();
    }
    match filter {
        Filter::Compare { field, op, value }
            if field == "priority"
                && matches!(op, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge) =>
        {
            match rank_of(value) {
                Some(rank) => Filter::Compare {
                    field: RANK.into(),
                    op: *op,
                    value: rank,
                },
                None => filter.clone(),
            }
        }
        Filter::Between { field, low, high } if field == "priority" => {
            match (rank_of(low), rank_of(high)) {
                (Some(low), Some(high)) => Filter::Between {
                    field: RANK.into(),
                    low,
                    high,
                },
                _ => filter.clone(),
            }
        }
        Filter::And(parts) => Filter::And(parts.iter().map(|p| by_rank(p, depth + 1)).collect()),
        Filter::Or(parts) => Filter::Or(parts.iter().map(|p| by_rank(p, depth + 1)).collect()),
        Filter::Not(inner) => Filter::Not(Box::new(by_rank(inner, depth + 1))),
        other => other.clone(),
    }
}

fn order_by_rank(keys: &[OrderBy]) -> Vec<OrderBy> {
    keys.iter()
        .map(|k| OrderBy {
            field: if k.field == "priority" {
                RANK.into()
            } else {
                k.field.clone()
            },
            descending: k.descending,
        })
        .collect()
}

fn bad_column(i: usize, e: Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

fn time(v: Option<i64>) -> Option<Timestamp> {
    v.map(Timestamp::from_micros)
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Ticket> {
    let channel: String = r.get(4)?;
    let priority: String = r.get(6)?;
    let status: String = r.get(7)?;
    Ok(Ticket {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        subject: r.get(2)?,
        body: r.get(3)?,
        channel: channel.parse().map_err(|e| bad_column(4, e))?,
        category: r.get(5)?,
        priority: priority.parse().map_err(|e| bad_column(6, e))?,
        status: status.parse().map_err(|e| bad_column(7, e))?,
        assignee: r.get(8)?,
        created_at: Timestamp::from_micros(r.get(9)?),
        updated_at: Timestamp::from_micros(r.get(10)?),
        first_response_at: time(r.get(11)?),
        resolved_at: time(r.get(12)?),
        closed_at: time(r.get(13)?),
        version: r.get(14)?,
        first_response_due: time(r.get(15)?),
        resolution_due: time(r.get(16)?),
    })
}

fn not_found(id: i64) -> Error {
    Error::NotFound {
        entity: "ticket",
        key: format!("id {id}"),
    }
}

/// Inserts a normalised ticket as New; returns its id. `NOT_FOUND` for an unknown customer.
pub(crate) fn insert(
    conn: &Connection,
    t: &NewTicket,
    created_at: Timestamp,
    now: Timestamp,
) -> Result<i64> {
    let res = conn
        .prepare_cached(
            "INSERT INTO tickets(customer_id, subject, body, channel, category, priority, priority_rank, \
             status, assignee, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            t.customer_id,
            t.subject,
            t.body,
            t.channel.as_str(),
            t.category,
            t.priority.as_str(),
            t.priority.rank(),
            TicketStatus::New.as_str(),
            t.assignee,
            created_at.as_micros(),
            now.as_micros(),
        ]);
    match res {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(e) if is_foreign_key_violation(&e) => Err(Error::NotFound {
            entity: "customer",
            key: format!("id {}", t.customer_id),
        }),
        Err(e) => Err(e.into()),
    }
}

/// The ticket with this id.
pub(crate) fn get(conn: &Connection, id: i64) -> Result<Ticket> {
    conn.prepare_cached(&format!("{SELECT} WHERE t.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// Writes the descriptive and workflow fields of `after` over `before` (same id), adding one to
/// the version. `updated_at` never goes backwards.
pub(crate) fn save(
    conn: &Connection,
    before: &Ticket,
    after: &Ticket,
    now: Timestamp,
) -> Result<()> {
    let t = |v: Option<Timestamp>| v.map(Timestamp::as_micros);
    let n = conn
        .prepare_cached(
            "UPDATE tickets SET subject = ?1, category = ?2, priority = ?3, priority_rank = ?4, status = ?5, \
             assignee = ?6, first_response_at = ?7, resolved_at = ?8, closed_at = ?9, updated_at = ?10, \
             version = version + 1 WHERE id = ?11 AND version = ?12",
        )?
        .execute(params![
            after.subject,
            after.category,
            after.priority.as_str(),
            after.priority.rank(),
            after.status.as_str(),
            after.assignee,
            t(after.first_response_at),
            t(after.resolved_at),
            t(after.closed_at),
            now.as_micros().max(before.updated_at.as_micros()),
            before.id,
            before.version,
        ])?;
    if n != 1 {
        // The caller read `before` in this same write transaction.
        return Err(Error::Internal(format!(
            "ticket {} changed during its own update",
            before.id
        )));
    }
    Ok(())
}

/// Stores the pending SLA deadlines of a ticket (derived data: the version does not change).
pub(crate) fn set_dues(
    conn: &Connection,
    id: i64,
    first_response: Option<Timestamp>,
    resolution: Option<Timestamp>,
) -> Result<()> {
    let next = match (first_response, resolution) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let t = |v: Option<Timestamp>| v.map(Timestamp::as_micros);
    conn.prepare_cached(
        "UPDATE tickets SET first_response_due = ?1, resolution_due = ?2, next_due = ?3 WHERE id = ?4",
    )?
    .execute(params![t(first_response), t(resolution), t(next), id])?;
    Ok(())
}

/// Deletes a ticket; its comments and history go with it (ON DELETE CASCADE).
pub(crate) fn delete(conn: &Connection, id: i64) -> Result<()> {
    match conn.execute("DELETE FROM tickets WHERE id = ?1", [id])? {
        0 => Err(not_found(id)),
        _ => Ok(()),
    }
}

/// Tickets matching `query`. `priority` compares and sorts by rank.
pub(crate) fn find(conn: &Connection, query: &Query, zone: Tz) -> Result<Vec<Ticket>> {
    let e = entity();
    let filter = e.compile(&by_rank(&query.filter, 1), zone)?;
    let order = e.order_by(&order_by_rank(&query.order_by))?;
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY {order} {}",
        filter.sql,
        limit_clause(query)
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(filter.params.iter()), from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// How many tickets match `filter`.
pub(crate) fn count(conn: &Connection, filter: &Filter, zone: Tz) -> Result<i64> {
    let compiled = entity().compile(&by_rank(filter, 1), zone)?;
    let sql = format!("SELECT count(*) FROM tickets t WHERE {}", compiled.sql);
    Ok(conn.query_row(
        &sql,
        rusqlite::params_from_iter(compiled.params.iter()),
        |r| r.get(0),
    )?)
}

/// Ids of the tickets still in the workflow (New, Open, Pending), whose deadlines follow policy
/// and business-hours changes.
pub(crate) fn active_ids(conn: &Connection) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM tickets WHERE status IN ('new', 'open', 'pending') ORDER BY id",
    )?;
    let rows = stmt.query_map([], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The work queue: New and Open tickets, most urgent first, then earliest pending deadline
/// (none last), then oldest.
pub(crate) fn queue(conn: &Connection, limit: usize) -> Result<Vec<Ticket>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE t.status IN ('new', 'open') \
         ORDER BY t.priority_rank DESC, t.next_due IS NULL, t.next_due, t.created_at, t.id LIMIT ?1"
    ))?;
    let rows = stmt.query_map([limit], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Every ticket whose priority has an SLA policy, by id.
pub(crate) fn with_policy(conn: &Connection) -> Result<Vec<Ticket>> {
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE t.priority IN (SELECT priority FROM sla_policies) ORDER BY t.id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Appends a status-history entry.
pub(crate) fn add_history(
    conn: &Connection,
    ticket_id: i64,
    from: Option<TicketStatus>,
    to: TicketStatus,
    at: Timestamp,
    by: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO ticket_status_history(ticket_id, from_status, to_status, at, changed_by) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        ticket_id,
        from.map(TicketStatus::as_str),
        to.as_str(),
        at.as_micros(),
        by
    ])?;
    Ok(())
}

const HISTORY: &str =
    "SELECT ticket_id, from_status, to_status, at, changed_by FROM ticket_status_history";

fn history_row(r: &Row<'_>) -> rusqlite::Result<StatusChange> {
    let from: Option<String> = r.get(1)?;
    let to: String = r.get(2)?;
    Ok(StatusChange {
        ticket_id: r.get(0)?,
        from: from
            .map(|f| f.parse())
            .transpose()
            .map_err(|e| bad_column(1, e))?,
        to: to.parse().map_err(|e| bad_column(2, e))?,
        at: Timestamp::from_micros(r.get(3)?),
        by: r.get(4)?,
    })
}

/// A ticket's status history, oldest first (creation first).
pub(crate) fn history(conn: &Connection, id: i64) -> Result<Vec<StatusChange>> {
    let mut stmt =
        conn.prepare_cached(&format!("{HISTORY} WHERE ticket_id = ?1 ORDER BY at, id"))?;
    let rows = stmt.query_map([id], history_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The status histories of many tickets, each oldest first.
pub(crate) fn histories(conn: &Connection, ids: &[i64]) -> Result<HashMap<i64, Vec<StatusChange>>> {
    let list: Rc<Vec<SqlValue>> = Rc::new(ids.iter().map(|&i| SqlValue::Integer(i)).collect());
    let mut stmt = conn.prepare_cached(&format!(
        "{HISTORY} WHERE ticket_id IN rarray(?1) ORDER BY ticket_id, at, id"
    ))?;
    let rows = stmt.query_map([list], history_row)?;
    let mut out: HashMap<i64, Vec<StatusChange>> = HashMap::with_capacity(ids.len());
    for row in rows {
        let change = row?;
        out.entry(change.ticket_id).or_default().push(change);
    }
    Ok(out)
}

/// Stores a comment; returns it as stored.
pub(crate) fn add_comment(
    conn: &Connection,
    ticket_id: i64,
    body: &str,
    public: bool,
    author: &str,
    at: Timestamp,
) -> Result<Comment> {
    conn.prepare_cached(
        "INSERT INTO ticket_comments(ticket_id, body, public, author, at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![ticket_id, body, public, author, at.as_micros()])?;
    Ok(Comment {
        id: conn.last_insert_rowid(),
        ticket_id,
        body: body.to_owned(),
        public,
        author: author.to_owned(),
        at,
    })
}

/// A ticket's comments, oldest first.
pub(crate) fn comments(conn: &Connection, ticket_id: i64) -> Result<Vec<Comment>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, ticket_id, body, public, author, at FROM ticket_comments WHERE ticket_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([ticket_id], |r| {
        Ok(Comment {
            id: r.get(0)?,
            ticket_id: r.get(1)?,
            body: r.get(2)?,
            public: r.get(3)?,
            author: r.get(4)?,
            at: Timestamp::from_micros(r.get(5)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn policy_row(r: &Row<'_>) -> rusqlite::Result<SlaPolicy> {
    let priority: String = r.get(0)?;
    Ok(SlaPolicy {
        priority: priority.parse().map_err(|e| bad_column(0, e))?,
        first_response_minutes: r.get(1)?,
        resolution_minutes: r.get(2)?,
        business_hours: r.get(3)?,
    })
}

const POLICY: &str =
    "SELECT priority, first_response_minutes, resolution_minutes, business_hours FROM sla_policies";

/// The SLA policy of a priority, if one is set.
pub(crate) fn policy(conn: &Connection, priority: TicketPriority) -> Result<Option<SlaPolicy>> {
    Ok(conn
        .prepare_cached(&format!("{POLICY} WHERE priority = ?1"))?
        .query_row([priority.as_str()], policy_row)
        .optional()?)
}

/// Every SLA policy, from low to urgent.
pub(crate) fn policies(conn: &Connection) -> Result<Vec<SlaPolicy>> {
    let mut stmt = conn.prepare_cached(POLICY)?;
    let rows = stmt.query_map([], policy_row)?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    out.sort_by_key(|p| p.priority);
    Ok(out)
}

/// Sets (inserts or replaces) the policy of its priority. The policy must be valid.
pub(crate) fn put_policy(conn: &Connection, p: &SlaPolicy) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sla_policies(priority, first_response_minutes, resolution_minutes, business_hours) \
         VALUES (?1, ?2, ?3, ?4) ON CONFLICT(priority) DO UPDATE SET \
         first_response_minutes = excluded.first_response_minutes, \
         resolution_minutes = excluded.resolution_minutes, business_hours = excluded.business_hours",
    )?
    .execute(params![
        p.priority.as_str(),
        p.first_response_minutes,
        p.resolution_minutes,
        p.business_hours
    ])?;
    Ok(())
}

/// Removes the policy of a priority (`NOT_FOUND` when there is none).
pub(crate) fn delete_policy(conn: &Connection, priority: TicketPriority) -> Result<()> {
    match conn.execute(
        "DELETE FROM sla_policies WHERE priority = ?1",
        [priority.as_str()],
    )? {
        0 => Err(Error::NotFound {
            entity: "sla policy",
            key: format!("priority {priority}"),
        }),
        _ => Ok(()),
    }
}

/// The business hours (Monday to Friday 09:00–17:00 until set).
pub(crate) fn business_hours(conn: &Connection) -> Result<BusinessHours> {
    let json: Option<String> = conn
        .prepare_cached("SELECT value FROM crm_meta WHERE key = ?1")?
        .query_row([META_BUSINESS_HOURS], |r| r.get(0))
        .optional()?;
    match json {
        None => Ok(BusinessHours::default()),
        Some(j) => serde_json::from_str(&j).map_err(|e| Error::Parse {
            position: e.column().saturating_sub(1),
            message: format!("stored business hours ({META_BUSINESS_HOURS}) are not valid: {e}"),
        }),
    }
}

/// Saves the business hours (which must be valid).
pub(crate) fn set_business_hours(conn: &Connection, hours: &BusinessHours) -> Result<()> {
    let json = serde_json::to_string(hours)
        .map_err(|e| Error::Internal(format!("business hours do not serialise: {e}")))?;
    conn.prepare_cached(
        "INSERT INTO crm_meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute([META_BUSINESS_HOURS, json.as_str()])?;
    Ok(())
}

/// Counts, and calendar response and resolution times, over the tickets matching `filter`.
pub(crate) fn stats(conn: &Connection, filter: &Filter, zone: Tz) -> Result<TicketStats> {
    let compiled = entity().compile(&by_rank(filter, 1), zone)?;
    let params = || rusqlite::params_from_iter(compiled.params.iter());
    // `column` comes from the fixed lists below, never from the caller.
    let grouped = |column: &str| -> Result<Vec<(Option<String>, i64)>> {
        let sql = format!(
            "SELECT t.{column}, count(*) FROM tickets t WHERE {} GROUP BY t.{column}",
            compiled.sql
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params(), |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    };
    let durations = |end: &str| -> Result<Vec<i64>> {
        let sql = format!(
            "SELECT t.{end} - t.created_at FROM tickets t WHERE ({}) AND t.{end} IS NOT NULL",
            compiled.sql
        );
        let mut stmt = conn.prepare(&sql)?;
        let rows = stmt.query_map(params(), |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    };
    let count_of = |groups: &[(Option<String>, i64)], name: &str| {
        groups
            .iter()
            .find(|(g, _)| g.as_deref() == Some(name))
            .map_or(0, |(_, n)| *n)
    };
    let statuses = grouped("status")?;
    let priorities = grouped("priority")?;
    let mut categories = grouped("category")?;
    // By name, uncategorised last.
    categories.sort_by(|a, b| match (&a.0, &b.0) {
        (Some(x), Some(y)) => x.cmp(y),
        (None, None) => std::cmp::Ordering::Equal,
        (None, _) => std::cmp::Ordering::Greater,
        (_, None) => std::cmp::Ordering::Less,
    });
    let (mean_first_response, median_first_response) =
        mean_median(&mut durations("first_response_at")?);
    let (mean_resolution, median_resolution) = mean_median(&mut durations("resolved_at")?);
    Ok(TicketStats {
        total: statuses.iter().map(|(_, n)| n).sum(),
        by_status: TicketStatus::ALL
            .iter()
            .map(|s| (*s, count_of(&statuses, s.as_str())))
            .collect(),
        by_category: categories,
        by_priority: TicketPriority::ALL
            .iter()
            .map(|p| (*p, count_of(&priorities, p.as_str())))
            .collect(),
        mean_first_response,
        median_first_response,
        mean_resolution,
        median_resolution,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn priority_comparisons_use_the_rank() {
        let f = Filter::ge("priority", "HIGH")
            .and(Filter::eq("priority", "low").not())
            .and(Filter::between("priority", "low", "normal"));
        let c = entity().compile(&by_rank(&f, 1), Tz::UTC).unwrap();
        assert_eq!(
            c.sql,
            "(t.priority_rank >= ? AND NOT IFNULL(t.priority = ?, 0) AND t.priority_rank BETWEEN ? AND ?)"
        );
        // A value that is no priority is refused by the compiler with the list of names.
        let e = entity()
            .compile(&by_rank(&Filter::gt("priority", "asap"), 1), Tz::UTC)
            .err()
            .unwrap();
        assert!(e.to_string().contains("must be one of low"), "{e}");
        assert_eq!(
            entity()
                .order_by(&order_by_rank(&[OrderBy::desc("priority")]))
                .unwrap(),
            "t.priority_rank DESC, t.id ASC"
        );
    }
}
