//! Campaigns in SQLite: the plan (`campaigns`), the audience frozen at the start
//! (`campaign_members`) and the tracking events (`campaign_events`).

use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::filter_sql::EntitySql;
use super::{is_foreign_key_violation, is_unique_violation, limit_clause};
use crate::error::{Error, Result};
use crate::model::campaign::{
    CAMPAIGN_FIELDS, Campaign, CampaignEvent, CampaignMember, EventKind, Variant,
};
use crate::model::campaign_report::VariantCounts;
use crate::model::filter::Filter;
use crate::model::money::{Currency, Money};
use crate::model::query::Query;
use crate::time::Timestamp;

const SELECT: &str = "SELECT k.id, k.name, k.channel, k.objective, k.currency, k.budget, k.cost, k.segment, \
     k.variants, k.seed, k.starts_at, k.ends_at, k.status, k.started_at, k.ended_at, k.created_at, \
     k.updated_at FROM campaigns k";

fn entity() -> EntitySql<'static> {
    EntitySql {
        entity: "campaigns",
        alias: "k",
        fields: CAMPAIGN_FIELDS,
        tags: None,
        computed: Vec::new(),
    }
}

fn bad(i: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Campaign> {
    let channel: String = r.get(2)?;
    let currency: Option<String> = r.get(4)?;
    let currency: Option<Currency> = currency
        .map(|c| c.parse::<Currency>())
        .transpose()
        .map_err(|e| bad(4, e))?;
    let money = |minor: Option<i64>| {
        minor
            .zip(currency)
            .map(|(minor, currency)| Money { minor, currency })
    };
    let variants: String = r.get(8)?;
    let variants: Vec<Variant> = serde_json::from_str(&variants).map_err(|e| bad(8, e))?;
    let seed: String = r.get(9)?;
    let status: String = r.get(12)?;
    let ts = |i: usize| -> rusqlite::Result<Option<Timestamp>> {
        Ok(r.get::<_, Option<i64>>(i)?.map(Timestamp::from_micros))
    };
    Ok(Campaign {
        id: r.get(0)?,
        name: r.get(1)?,
        channel: channel.parse().map_err(|e| bad(2, e))?,
        objective: r.get(3)?,
        budget: money(r.get(5)?),
        cost: money(r.get(6)?),
        segment: r.get(7)?,
        variants,
        seed: seed.parse().map_err(|e| bad(9, e))?,
        starts_at: ts(10)?,
        ends_at: ts(11)?,
        status: status.parse().map_err(|e| bad(12, e))?,
        started_at: ts(13)?,
        ended_at: ts(14)?,
        created_at: Timestamp::from_micros(r.get(15)?),
        updated_at: Timestamp::from_micros(r.get(16)?),
    })
}

fn variants_json(variants: &[Variant]) -> Result<String> {
    serde_json::to_string(variants)
        .map_err(|e| Error::Internal(format!("cannot store the variants: {e}")))
}

fn taken(name: &str) -> Error {
    Error::AlreadyExists {
        entity: "campaign",
        field: "name".into(),
        value: name.to_owned(),
    }
}

/// Inserts a campaign row (its id is chosen by SQLite); `seed` of `None` becomes the id.
pub(crate) fn insert(conn: &Connection, c: &Campaign, seed: Option<u64>) -> Result<Campaign> {
    let res = conn.execute(
        "INSERT INTO campaigns(name, channel, objective, currency, budget, cost, segment, variants, seed, \
         starts_at, ends_at, status, started_at, ended_at, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '0', ?9, ?10, ?11, NULL, NULL, ?12, ?12)",
        params![
            c.name,
            c.channel.as_str(),
            c.objective,
            c.currency().map(|c| c.as_str().to_owned()),
            c.budget.map(|m| m.minor),
            c.cost.map(|m| m.minor),
            c.segment,
            variants_json(&c.variants)?,
            c.starts_at.map(Timestamp::as_micros),
            c.ends_at.map(Timestamp::as_micros),
            c.status.as_str(),
            c.created_at.as_micros(),
        ],
    );
    match res {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Err(taken(&c.name)),
        Err(e) => return Err(e.into()),
    }
    let id = conn.last_insert_rowid();
    // A store id is positive, so it is also a valid default seed.
    let seed = seed.unwrap_or(id as u64);
    conn.execute(
        "UPDATE campaigns SET seed = ?2 WHERE id = ?1",
        params![id, seed.to_string()],
    )?;
    get(conn, id)
}

/// Writes every field of `c` back to its row.
pub(crate) fn update(conn: &Connection, c: &Campaign) -> Result<Campaign> {
    let res = conn.execute(
        "UPDATE campaigns SET name = ?2, objective = ?3, currency = ?4, budget = ?5, cost = ?6, segment = ?7, \
         variants = ?8, seed = ?9, starts_at = ?10, ends_at = ?11, status = ?12, started_at = ?13, \
         ended_at = ?14, updated_at = ?15 WHERE id = ?1",
        params![
            c.id,
            c.name,
            c.objective,
            c.currency().map(|c| c.as_str().to_owned()),
            c.budget.map(|m| m.minor),
            c.cost.map(|m| m.minor),
            c.segment,
            variants_json(&c.variants)?,
            c.seed.to_string(),
            c.starts_at.map(Timestamp::as_micros),
            c.ends_at.map(Timestamp::as_micros),
            c.status.as_str(),
            c.started_at.map(Timestamp::as_micros),
            c.ended_at.map(Timestamp::as_micros),
            c.updated_at.as_micros(),
        ],
    );
    match res {
        Ok(0) => Err(not_found(format!("id {}", c.id))),
        Ok(_) => get(conn, c.id),
        Err(e) if is_unique_violation(&e) => Err(taken(&c.name)),
        Err(e) => Err(e.into()),
    }
}

fn not_found(key: String) -> Error {
    Error::NotFound {
        entity: "campaign",
        key,
    }
}

/// The campaign with this id.
pub(crate) fn get(conn: &Connection, id: i64) -> Result<Campaign> {
    conn.prepare_cached(&format!("{SELECT} WHERE k.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| not_found(format!("id {id}")))
}

/// The campaign with this name.
pub(crate) fn get_by_name(conn: &Connection, name: &str) -> Result<Campaign> {
    conn.prepare_cached(&format!("{SELECT} WHERE k.name = ?1"))?
        .query_row([name.trim()], from_row)
        .optional()?
        .ok_or_else(|| not_found(format!("name {:?}", name.trim())))
}

/// Campaigns matching `query` (default order: by id).
pub(crate) fn find(conn: &Connection, query: &Query, zone: Tz) -> Result<Vec<Campaign>> {
    let e = entity();
    let w = e.compile(&query.filter, zone)?;
    let order = e.order_by(&query.order_by)?;
    let sql = format!(
        "{SELECT} WHERE {} ORDER BY {order} {}",
        w.sql,
        limit_clause(query)
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(w.params.iter()), from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// How many campaigns match `filter`.
pub(crate) fn count(conn: &Connection, filter: &Filter, zone: Tz) -> Result<i64> {
    let w = entity().compile(filter, zone)?;
    Ok(conn.query_row(
        &format!("SELECT count(*) FROM campaigns k WHERE {}", w.sql),
        rusqlite::params_from_iter(w.params.iter()),
        |r| r.get(0),
    )?)
}

/// Deletes a campaign with its members and events.
pub(crate) fn delete(conn: &Connection, id: i64) -> Result<()> {
    match conn.execute("DELETE FROM campaigns WHERE id = ?1", [id])? {
        0 => Err(not_found(format!("id {id}"))),
        _ => Ok(()),
    }
}

/// Freezes the audience: one member row per `(customer, variant)`.
pub(crate) fn insert_members(
    conn: &Connection,
    campaign_id: i64,
    members: &[(i64, usize)],
    variants: &[Variant],
    at: Timestamp,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO campaign_members(campaign_id, customer_id, variant, control, assigned_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for &(customer_id, arm) in members {
        let v = variants
            .get(arm)
            .ok_or_else(|| Error::Internal(format!("variant index {arm} out of range")))?;
        stmt.execute(params![
            campaign_id,
            customer_id,
            v.name,
            v.control,
            at.as_micros()
        ])?;
    }
    Ok(())
}

fn member_from_row(r: &Row<'_>) -> rusqlite::Result<CampaignMember> {
    Ok(CampaignMember {
        campaign_id: r.get(0)?,
        customer_id: r.get(1)?,
        variant: r.get(2)?,
        control: r.get(3)?,
        assigned_at: Timestamp::from_micros(r.get(4)?),
    })
}

/// The members of a campaign, by customer id.
pub(crate) fn members(conn: &Connection, campaign_id: i64) -> Result<Vec<CampaignMember>> {
    let mut stmt = conn.prepare_cached(
        "SELECT campaign_id, customer_id, variant, control, assigned_at FROM campaign_members \
         WHERE campaign_id = ?1 ORDER BY customer_id",
    )?;
    let rows = stmt.query_map([campaign_id], member_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// One member of a campaign, if the customer is one.
pub(crate) fn member(
    conn: &Connection,
    campaign_id: i64,
    customer_id: i64,
) -> Result<Option<CampaignMember>> {
    Ok(conn
        .prepare_cached(
            "SELECT campaign_id, customer_id, variant, control, assigned_at FROM campaign_members \
             WHERE campaign_id = ?1 AND customer_id = ?2",
        )?
        .query_row([campaign_id, customer_id], member_from_row)
        .optional()?)
}

/// The earliest time `kind` was recorded for a member.
pub(crate) fn first_event_at(
    conn: &Connection,
    campaign_id: i64,
    customer_id: i64,
    kind: EventKind,
) -> Result<Option<Timestamp>> {
    let at: Option<i64> = conn
        .prepare_cached(
            "SELECT min(at) FROM campaign_events WHERE campaign_id = ?1 AND customer_id = ?2 AND kind = ?3",
        )?
        .query_row(params![campaign_id, customer_id, kind.as_str()], |r| r.get(0))?;
    Ok(at.map(Timestamp::from_micros))
}

/// Appends one event of a member.
pub(crate) fn insert_event(
    conn: &Connection,
    campaign_id: i64,
    customer_id: i64,
    kind: EventKind,
    at: Timestamp,
    now: Timestamp,
) -> Result<i64> {
    let res = conn
        .prepare_cached(
            "INSERT INTO campaign_events(campaign_id, customer_id, kind, at, recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            campaign_id,
            customer_id,
            kind.as_str(),
            at.as_micros(),
            now.as_micros()
        ]);
    match res {
        Ok(_) => Ok(conn.last_insert_rowid()),
        Err(e) if is_foreign_key_violation(&e) => Err(Error::invalid(
            format!("{kind} event"),
            format!("customer {customer_id}"),
            "is not a member of the campaign",
        )),
        Err(e) => Err(e.into()),
    }
}

/// A campaign's events in time order, optionally of one member.
pub(crate) fn events(
    conn: &Connection,
    campaign_id: i64,
    customer_id: Option<i64>,
) -> Result<Vec<CampaignEvent>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, campaign_id, customer_id, kind, at FROM campaign_events \
         WHERE campaign_id = ?1 AND (?2 IS NULL OR customer_id = ?2) ORDER BY at, id",
    )?;
    let rows = stmt.query_map(params![campaign_id, customer_id], |r| {
        let kind: String = r.get(3)?;
        Ok(CampaignEvent {
            id: r.get(0)?,
            campaign_id: r.get(1)?,
            customer_id: r.get(2)?,
            kind: kind.parse().map_err(|e| bad(3, e))?,
            at: Timestamp::from_micros(r.get(4)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Per-member exposure of a campaign: control members at the start, the others at their first
/// delivery (or send); members never reached have none.
const MEMBERS_CTE: &str = "WITH ev AS (
    SELECT customer_id,
        max(kind = 'sent') AS sent, max(kind = 'delivered') AS delivered,
        max(kind = 'opened') AS opened, max(kind = 'clicked') AS clicked,
        max(kind = 'converted') AS converted, max(kind = 'unsubscribed') AS unsubscribed,
        min(CASE WHEN kind = 'delivered' THEN at END) AS delivered_at,
        min(CASE WHEN kind = 'sent' THEN at END) AS sent_at
    FROM campaign_events WHERE campaign_id = ?1 GROUP BY customer_id
), mem AS (
    SELECT m.customer_id, m.variant, m.control,
        coalesce(ev.sent, 0) AS sent, coalesce(ev.delivered, 0) AS delivered,
        coalesce(ev.opened, 0) AS opened, coalesce(ev.clicked, 0) AS clicked,
        coalesce(ev.converted, 0) AS converted, coalesce(ev.unsubscribed, 0) AS unsubscribed,
        CASE WHEN m.control THEN ?2 ELSE coalesce(ev.delivered_at, ev.sent_at) END AS exposed_at
    FROM campaign_members m LEFT JOIN ev ON ev.customer_id = m.customer_id
    WHERE m.campaign_id = ?1
)";

/// The currencies of completed purchases members made within `window` µs of their exposure.
pub(crate) fn attributed_currencies(
    conn: &Connection,
    campaign_id: i64,
    started_at: Timestamp,
    window: i64,
) -> Result<Vec<String>> {
    let sql = format!(
        "{MEMBERS_CTE} SELECT DISTINCT p.currency FROM mem JOIN purchases p ON p.customer_id = mem.customer_id \
         WHERE p.status = 'completed' AND p.purchased_at >= mem.exposed_at AND p.purchased_at < mem.exposed_at + ?3 \
         ORDER BY p.currency"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![campaign_id, started_at.as_micros(), window], |r| {
        r.get(0)
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Counts per variant, in the campaign's variant order. A member converted when a `converted`
/// event was recorded or a completed purchase in `currency` fell within `window` µs after their
/// exposure; revenue sums those purchases.
pub(crate) fn variant_counts(
    conn: &Connection,
    campaign: &Campaign,
    started_at: Timestamp,
    window: i64,
    currency: Option<&str>,
) -> Result<Vec<VariantCounts>> {
    let sql = format!(
        "{MEMBERS_CTE}, rev AS (
            SELECT mem.customer_id, count(*) AS purchases, sum(p.amount) AS revenue
            FROM mem JOIN purchases p ON p.customer_id = mem.customer_id
            WHERE p.status = 'completed' AND p.currency = ?4
              AND p.purchased_at >= mem.exposed_at AND p.purchased_at < mem.exposed_at + ?3
            GROUP BY mem.customer_id
        )
        SELECT mem.variant, count(*), sum(sent), sum(delivered), sum(opened), sum(clicked),
            sum(converted), sum(unsubscribed), sum(converted OR coalesce(rev.purchases, 0) > 0),
            coalesce(sum(rev.purchases), 0), coalesce(sum(rev.revenue), 0)
        FROM mem LEFT JOIN rev ON rev.customer_id = mem.customer_id
        GROUP BY mem.variant"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params![
        campaign.id,
        started_at.as_micros(),
        window,
        currency
    ])?;
    let mut out: Vec<VariantCounts> = campaign
        .variants
        .iter()
        .map(|v| VariantCounts::empty(&v.name, v.control))
        .collect();
    while let Some(r) = rows.next()? {
        let name: String = r.get(0)?;
        let Some(c) = out.iter_mut().find(|c| c.variant == name) else {
            return Err(Error::Internal(format!(
                "campaign {} has members in an unknown variant {name:?}",
                campaign.id
            )));
        };
        c.members = r.get(1)?;
        c.sent = r.get(2)?;
        c.delivered = r.get(3)?;
        c.opened = r.get(4)?;
        c.clicked = r.get(5)?;
        c.converted_events = r.get(6)?;
        c.unsubscribed = r.get(7)?;
        c.converted = r.get(8)?;
        c.purchases = r.get(9)?;
        c.revenue = r.get(10)?;
    }
    Ok(out)
}
