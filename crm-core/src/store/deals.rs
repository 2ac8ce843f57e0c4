//! Deals in SQLite: `pipelines`, their ordered `pipeline_stages`, `deals` and each deal's
//! `deal_stage_history`, plus the grouped reads behind the pipeline views.

use chrono::NaiveDate;
use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::filter_sql::EntitySql;
use super::{is_foreign_key_violation, is_unique_violation, limit_clause};
use crate::error::{Error, Result};
use crate::model::deal::{
    DEAL_FIELDS, Deal, DealGroupBy, DealPath, NewPipeline, NewStage, OpenDealSum, Pipeline, Stage,
    StageChange, WinRate,
};
use crate::model::filter::Filter;
use crate::model::money::Money;
use crate::model::query::Query;
use crate::time::Timestamp;

/// Deals joined to their pipeline and stage names, under the alias `d`, so that filters and sort
/// orders name `pipeline`, `stage` and `probability` like stored columns. SQLite flattens the
/// subquery, so the indexes on `deals` still serve.
const FROM: &str = "FROM (SELECT x.id, x.pipeline_id, p.name AS pipeline, x.customer_id, x.name, x.amount, \
     x.currency, s.name AS stage, x.stage_id, s.probability, x.owner, x.source, x.expected_close, x.status, \
     x.lost_reason, x.created_at, x.updated_at, x.closed_at, x.version \
     FROM deals x JOIN pipelines p ON p.id = x.pipeline_id JOIN pipeline_stages s ON s.id = x.stage_id) d";

const COLUMNS: &str = "d.id, d.pipeline_id, d.pipeline, d.customer_id, d.name, d.amount, d.currency, d.stage, \
     d.stage_id, d.probability, d.owner, d.source, d.expected_close, d.status, d.lost_reason, d.created_at, \
     d.updated_at, d.closed_at, d.version";

fn entity() -> EntitySql<'static> {
    EntitySql {
        entity: "deals",
        alias: "d",
        fields: DEAL_FIELDS,
        tags: None,
        computed: Vec::new(),
    }
}

/// A value this library wrote that no longer parses (a foreign edit) surfaces as a conversion
/// error, not a panic.
fn bad(i: usize, e: Error) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
}

fn to_usize(i: usize, v: i64) -> rusqlite::Result<usize> {
    usize::try_from(v).map_err(|_| bad(i, Error::Internal(format!("negative position {v}"))))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Deal> {
    let currency: String = r.get(6)?;
    let expected_close: Option<String> = r.get(12)?;
    let status: String = r.get(13)?;
    Ok(Deal {
        id: r.get(0)?,
        pipeline_id: r.get(1)?,
        pipeline: r.get(2)?,
        customer_id: r.get(3)?,
        name: r.get(4)?,
        amount: Money::new(r.get(5)?, &currency).map_err(|e| bad(6, e))?,
        stage: r.get(7)?,
        stage_id: r.get(8)?,
        probability: r.get(9)?,
        owner: r.get(10)?,
        source: r.get(11)?,
        expected_close: expected_close
            .map(|t| {
                NaiveDate::parse_from_str(&t, "%Y-%m-%d")
                    .map_err(|_| bad(12, Error::invalid("expected_close", t, "not a date")))
            })
            .transpose()?,
        status: status.parse().map_err(|e| bad(13, e))?,
        lost_reason: r.get(14)?,
        created_at: Timestamp::from_micros(r.get(15)?),
        updated_at: Timestamp::from_micros(r.get(16)?),
        closed_at: r.get::<_, Option<i64>>(17)?.map(Timestamp::from_micros),
        version: r.get(18)?,
    })
}

fn pipeline_taken(name: &str) -> Error {
    Error::AlreadyExists {
        entity: "pipeline",
        field: "name".into(),
        value: name.to_owned(),
    }
}

fn stage_taken(name: &str) -> Error {
    Error::AlreadyExists {
        entity: "stage",
        field: "name".into(),
        value: name.to_owned(),
    }
}

/// Inserts a normalised pipeline and its stages; returns its id.
pub(crate) fn insert_pipeline(conn: &Connection, p: &NewPipeline, now: Timestamp) -> Result<i64> {
    let res = conn.execute(
        "INSERT INTO pipelines(name, created_at) VALUES (?1, ?2)",
        params![p.name, now.as_micros()],
    );
    match res {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Err(pipeline_taken(&p.name)),
        Err(e) => return Err(e.into()),
    }
    let id = conn.last_insert_rowid();
    for (i, s) in p.stages.iter().enumerate() {
        insert_stage_row(conn, id, s, i)?;
    }
    Ok(id)
}

fn insert_stage_row(
    conn: &Connection,
    pipeline_id: i64,
    s: &NewStage,
    position: usize,
) -> Result<()> {
    let position = i64::try_from(position)
        .map_err(|_| Error::invalid("position", position.to_string(), "is too large"))?;
    let res = conn
        .prepare_cached(
            "INSERT INTO pipeline_stages(pipeline_id, name, position, probability) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![pipeline_id, s.name, position, s.probability]);
    match res {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(stage_taken(&s.name)),
        Err(e) => Err(e.into()),
    }
}

fn stages(conn: &Connection, pipeline_id: i64) -> Result<Vec<Stage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, position, probability FROM pipeline_stages WHERE pipeline_id = ?1 ORDER BY position, id",
    )?;
    let rows = stmt.query_map([pipeline_id], |r| {
        Ok(Stage {
            id: r.get(0)?,
            name: r.get(1)?,
            position: to_usize(2, r.get(2)?)?,
            probability: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn with_stages(
    conn: &Connection,
    row: Option<(i64, String, i64)>,
    key: impl FnOnce() -> String,
) -> Result<Pipeline> {
    let (id, name, created_at) = row.ok_or_else(|| Error::NotFound {
        entity: "pipeline",
        key: key(),
    })?;
    Ok(Pipeline {
        id,
        name,
        stages: stages(conn, id)?,
        created_at: Timestamp::from_micros(created_at),
    })
}

/// The pipeline with this name (ignoring ASCII case, as the column's collation does).
pub(crate) fn pipeline_by_name(conn: &Connection, name: &str) -> Result<Pipeline> {
    let row = conn
        .prepare_cached("SELECT id, name, created_at FROM pipelines WHERE name = ?1")?
        .query_row([name.trim()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    with_stages(conn, row, || format!("name {:?}", name.trim()))
}

/// The pipeline with this id.
pub(crate) fn pipeline_by_id(conn: &Connection, id: i64) -> Result<Pipeline> {
    let row = conn
        .prepare_cached("SELECT id, name, created_at FROM pipelines WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    with_stages(conn, row, || format!("id {id}"))
}

/// Every pipeline, by name.
pub(crate) fn pipelines(conn: &Connection) -> Result<Vec<Pipeline>> {
    let mut stmt = conn.prepare("SELECT id, name, created_at FROM pipelines ORDER BY name, id")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<(i64, String, i64)>>>()?;
    rows.into_iter()
        .map(|row| with_stages(conn, Some(row), String::new))
        .collect()
}

/// Inserts a normalised stage at `position` (0 ≤ position ≤ number of stages), moving the stages
/// from there one place down.
pub(crate) fn insert_stage(
    conn: &Connection,
    pipeline_id: i64,
    s: &NewStage,
    position: usize,
) -> Result<()> {
    let at = i64::try_from(position)
        .map_err(|_| Error::invalid("position", position.to_string(), "is too large"))?;
    conn.execute(
        "UPDATE pipeline_stages SET position = position + 1 WHERE pipeline_id = ?1 AND position >= ?2",
        params![pipeline_id, at],
    )?;
    insert_stage_row(conn, pipeline_id, s, position)
}

/// Sets a stage's default win probability.
pub(crate) fn set_stage_probability(conn: &Connection, stage_id: i64, p: f64) -> Result<()> {
    conn.execute(
        "UPDATE pipeline_stages SET probability = ?1 WHERE id = ?2",
        params![p, stage_id],
    )?;
    Ok(())
}

/// Deletes a stage no deal is in and closes the gap in the positions. History entries keep the
/// stage's name and lose its id.
pub(crate) fn delete_stage(conn: &Connection, pipeline_id: i64, stage: &Stage) -> Result<()> {
    conn.execute("DELETE FROM pipeline_stages WHERE id = ?1", [stage.id])?;
    conn.execute(
        "UPDATE pipeline_stages SET position = position - 1 WHERE pipeline_id = ?1 AND position > ?2",
        params![pipeline_id, to_i64(stage.position)],
    )?;
    Ok(())
}

fn to_i64(v: usize) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// How many deals (any status) are in the stage.
pub(crate) fn deals_in_stage(conn: &Connection, stage_id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM deals WHERE stage_id = ?1",
        [stage_id],
        |r| r.get(0),
    )?)
}

/// How many deals (any status) are in the pipeline.
pub(crate) fn deals_in_pipeline(conn: &Connection, pipeline_id: i64) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM deals WHERE pipeline_id = ?1",
        [pipeline_id],
        |r| r.get(0),
    )?)
}

/// Deletes a pipeline that has no deals, with its stages.
pub(crate) fn delete_pipeline(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM pipeline_stages WHERE pipeline_id = ?1", [id])?;
    conn.execute("DELETE FROM pipelines WHERE id = ?1", [id])?;
    Ok(())
}

/// Inserts a deal (its id and version are ignored: the store assigns the id, the version is 1);
/// returns the id. `NOT_FOUND` for an unknown customer.
pub(crate) fn insert(conn: &Connection, d: &Deal) -> Result<i64> {
    let res = conn
        .prepare_cached(
            "INSERT INTO deals(pipeline_id, stage_id, customer_id, name, amount, currency, owner, source, \
             expected_close, status, lost_reason, created_at, updated_at, closed_at, version) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1)",
        )?
        .execute(params![
            d.pipeline_id,
            d.stage_id,
            d.customer_id,
            d.name,
            d.amount.minor,
            d.amount.currency.as_str(),
            d.owner,
            d.source,
            d.expected_close.map(|x| x.format("%Y-%m-%d").to_string()),
            d.status.as_str(),
            d.lost_reason,
            d.created_at.as_micros(),
            d.updated_at.as_micros(),
            d.closed_at.map(Timestamp::as_micros),
        ]);
    match res {
        Ok(_) => Ok(conn.last_insert_rowid()),
        // The pipeline and stage were read in the same transaction: only the customer can be missing.
        Err(e) if is_foreign_key_violation(&e) => Err(Error::NotFound {
            entity: "customer",
            key: format!("id {}", d.customer_id),
        }),
        Err(e) => Err(e.into()),
    }
}

/// The deal with this id.
pub(crate) fn get(conn: &Connection, id: i64) -> Result<Deal> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} {FROM} WHERE d.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| Error::NotFound {
            entity: "deal",
            key: format!("id {id}"),
        })
}

/// Deals matching `query`.
pub(crate) fn find(conn: &Connection, query: &Query, zone: Tz) -> Result<Vec<Deal>> {
    let e = entity();
    let filter = e.compile(&query.filter, zone)?;
    let order = e.order_by(&query.order_by)?;
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE {} ORDER BY {order} {}",
        filter.sql,
        limit_clause(query)
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(filter.params.iter()), from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// How many deals match `filter`.
pub(crate) fn count(conn: &Connection, filter: &Filter, zone: Tz) -> Result<i64> {
    let compiled = entity().compile(filter, zone)?;
    let sql = format!("SELECT count(*) {FROM} WHERE {}", compiled.sql);
    Ok(conn.query_row(
        &sql,
        rusqlite::params_from_iter(compiled.params.iter()),
        |r| r.get(0),
    )?)
}

/// Writes `after` over `before` (every changeable column, version and `updated_at` as given in
/// `after`), provided the stored version is still `before.version`.
pub(crate) fn update(conn: &Connection, before: &Deal, after: &Deal) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE deals SET stage_id = ?1, name = ?2, amount = ?3, currency = ?4, owner = ?5, source = ?6, \
             expected_close = ?7, status = ?8, lost_reason = ?9, updated_at = ?10, closed_at = ?11, version = ?12 \
             WHERE id = ?13 AND version = ?14",
        )?
        .execute(params![
            after.stage_id,
            after.name,
            after.amount.minor,
            after.amount.currency.as_str(),
            after.owner,
            after.source,
            after.expected_close.map(|x| x.format("%Y-%m-%d").to_string()),
            after.status.as_str(),
            after.lost_reason,
            after.updated_at.as_micros(),
            after.closed_at.map(Timestamp::as_micros),
            after.version,
            before.id,
            before.version,
        ])?;
    if n != 1 {
        return Err(Error::Internal(format!(
            "deal {} changed during its own update",
            before.id
        )));
    }
    Ok(())
}

/// Deletes a deal and its stage history.
pub(crate) fn delete(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM deals WHERE id = ?1", [id])?;
    Ok(())
}

/// Appends a stage change: the deal left `from` (`(id, name)`, `None` on creation) for `to`.
pub(crate) fn insert_history(
    conn: &Connection,
    deal_id: i64,
    from: Option<(i64, &str)>,
    to: (i64, &str),
    at: Timestamp,
    by: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO deal_stage_history(deal_id, from_stage_id, from_stage, to_stage_id, to_stage, at, moved_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        deal_id,
        from.map(|f| f.0),
        from.map(|f| f.1),
        to.0,
        to.1,
        at.as_micros(),
        by
    ])?;
    Ok(())
}

/// A deal's stage changes, oldest first.
pub(crate) fn history(conn: &Connection, deal_id: i64) -> Result<Vec<StageChange>> {
    let mut stmt = conn.prepare_cached(
        "SELECT deal_id, from_stage, to_stage, at, moved_by FROM deal_stage_history WHERE deal_id = ?1 ORDER BY at, id",
    )?;
    let rows = stmt.query_map([deal_id], |r| {
        Ok(StageChange {
            deal_id: r.get(0)?,
            from_stage: r.get(1)?,
            to_stage: r.get(2)?,
            at: Timestamp::from_micros(r.get(3)?),
            by: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// When the deal last changed stage (or entered its first one).
pub(crate) fn last_move_at(conn: &Connection, deal_id: i64) -> Result<Option<Timestamp>> {
    let at: Option<i64> = conn.query_row(
        "SELECT max(at) FROM deal_stage_history WHERE deal_id = ?1",
        [deal_id],
        |r| r.get(0),
    )?;
    Ok(at.map(Timestamp::from_micros))
}

/// Open deals of a pipeline summed by stage and currency, and by expected close month
/// (`YYYY-MM`, the date's first seven characters) when `by_month`.
pub(crate) fn open_sums(
    conn: &Connection,
    pipeline_id: i64,
    by_month: bool,
) -> Result<Vec<OpenDealSum>> {
    // Both variants are fixed text; nothing from the caller enters the SQL.
    let month = if by_month {
        "substr(expected_close, 1, 7)"
    } else {
        "NULL"
    };
    let sql = format!(
        "SELECT stage_id, {month} AS month, currency, count(*), sum(amount) FROM deals \
         WHERE pipeline_id = ?1 AND status = 'open' GROUP BY stage_id, month, currency"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([pipeline_id], |r| {
        let currency: String = r.get(2)?;
        Ok(OpenDealSum {
            stage_id: r.get(0)?,
            month: r.get(1)?,
            currency: currency.parse().map_err(|e| bad(2, e))?,
            count: r.get(3)?,
            amount: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Won, lost and open deals of a pipeline by owner or source, with the win rate and the mean
/// creation-to-close time of won deals. Groups by key, the empty key last.
pub(crate) fn win_rates(
    conn: &Connection,
    pipeline_id: i64,
    by: DealGroupBy,
) -> Result<Vec<WinRate>> {
    // The column comes from this fixed match, never from user text.
    let col = match by {
        DealGroupBy::Owner => "owner",
        DealGroupBy::Source => "source",
    };
    let sql = format!(
        "SELECT {col}, sum(status = 'won'), sum(status = 'lost'), sum(status = 'open'), \
         avg(CASE WHEN status = 'won' THEN closed_at - created_at END) \
         FROM deals WHERE pipeline_id = ?1 GROUP BY {col} ORDER BY {col} IS NULL, {col}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([pipeline_id], |r| {
        let (won, lost): (i64, i64) = (r.get(1)?, r.get(2)?);
        Ok(WinRate {
            key: r.get(0)?,
            won,
            lost,
            open: r.get(3)?,
            win_rate: (won + lost > 0).then(|| won as f64 / (won + lost) as f64),
            average_cycle: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Every deal of a pipeline as the stages it entered (in order) and whether it is won.
pub(crate) fn paths(conn: &Connection, pipeline_id: i64) -> Result<Vec<DealPath>> {
    let mut stmt = conn.prepare_cached(
        "SELECT d.id, h.to_stage_id, d.status = 'won' FROM deals d \
         JOIN deal_stage_history h ON h.deal_id = d.id \
         WHERE d.pipeline_id = ?1 ORDER BY d.id, h.at, h.id",
    )?;
    let mut rows = stmt.query([pipeline_id])?;
    let mut out: Vec<DealPath> = Vec::new();
    let mut current: Option<i64> = None;
    while let Some(r) = rows.next()? {
        let deal: i64 = r.get(0)?;
        if current != Some(deal) {
            current = Some(deal);
            out.push(DealPath {
                stages: Vec::new(),
                won: r.get(2)?,
            });
        }
        if let (Some(path), Some(stage)) = (out.last_mut(), r.get::<_, Option<i64>>(1)?) {
            path.stages.push(stage);
        }
    }
    Ok(out)
}
