//! Columnar interactions across the boundary: new interactions in from prepared columns (the
//! bulk-load path), found interactions out as numpy arrays and lists (the Python package turns
//! them into a DataFrame).
//!
//! Ids and times cross as `int64` arrays (times as µs since the epoch, UTC); channels, directions
//! and kinds as small integer codes (in: `(codes, values)` pairs, each distinct value converted
//! once; out: `int8` positions in `CHANNELS` / `DIRECTIONS` / `INTERACTION_KINDS`). Text and
//! metadata need one Python object per value.

use crm_core::model::interaction::parse_metadata;
use crm_core::{Channel, Direction, Interaction, InteractionKind, NewInteraction};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::columns::{
    Coded, code, coded_column, int_column, optional_int_column, text_column, time_column,
};
use crate::convert;
use crate::errors::{PyCrmResult, invalid_argument};
use crate::interaction::metadata_dict;

/// The columns `interactions.add_many` knows, in the order messages list them.
pub const NEW_COLUMNS: [&str; 10] = [
    "customer_id",
    "channel",
    "kind",
    "direction",
    "occurred_at",
    "subject",
    "body",
    "metadata",
    "campaign_id",
    "ticket_id",
];

/// The length of a vocabulary column with one value per row (None for one value for all rows).
fn coded_len<T>(c: &Coded<T>) -> Option<usize> {
    match c {
        Coded::Rows(v) => Some(v.len()),
        Coded::All(_) => None,
    }
}

/// New interactions from prepared columns: `customer_id` (an int64 array or a list of int) and
/// `channel` (required); `kind`, `direction` (see `coded_column`; missing means the core's
/// defaults); `occurred_at` (an int64 µs array, NaT = missing, or datetimes / None; missing means
/// the handle's clock); `subject`, `body` (str / None); `metadata` (JSON text / None);
/// `campaign_id`, `ticket_id` (int / None: the campaign or ticket it belongs to). Refuses
/// unknown columns and columns of different lengths; a bad value names its row.
pub fn from_py(columns: &Bound<'_, PyDict>) -> PyCrmResult<Vec<NewInteraction>> {
    let (mut customer_id, mut channel, mut kind, mut direction) = (None, None, None, None);
    let (mut occurred_at, mut subject, mut body, mut metadata) = (None, None, None, None);
    let (mut campaign_id, mut ticket_id) = (None, None);
    let mut unknown = Vec::new();
    for (key, col) in columns.iter() {
        let key = convert::text(&key, "column name")?;
        match key.as_str() {
            "customer_id" => customer_id = Some(int_column(&col, "customer_id")?),
            "channel" => {
                // A missing channel gets the core's "must be one of" message.
                channel = Some(coded_column(&col, "channel", |t| {
                    t.unwrap_or("").parse::<Channel>()
                })?)
            }
            "kind" => {
                kind = Some(coded_column(&col, "kind", |t| {
                    t.map_or(Ok(InteractionKind::default()), str::parse)
                })?)
            }
            "direction" => {
                direction = Some(coded_column(&col, "direction", |t| {
                    t.map_or(Ok(Direction::default()), str::parse)
                })?)
            }
            "occurred_at" => occurred_at = Some(time_column(&col, "occurred_at")?),
            "subject" => subject = Some(text_column(&col, "subject")?),
            "body" => body = Some(text_column(&col, "body")?),
            "metadata" => metadata = Some(text_column(&col, "metadata")?),
            "campaign_id" => campaign_id = Some(optional_int_column(&col, "campaign_id")?),
            "ticket_id" => ticket_id = Some(optional_int_column(&col, "ticket_id")?),
            _ => unknown.push(format!("{key:?}")),
        }
    }
    if !unknown.is_empty() {
        return Err(invalid_argument(format!(
            "unknown column(s) {} (known: {})",
            unknown.join(", "),
            NEW_COLUMNS.join(", ")
        )));
    }
    let (Some(customer_id), Some(channel)) = (customer_id, channel) else {
        return Err(invalid_argument(format!(
            "the customer_id and channel columns are required (known columns: {})",
            NEW_COLUMNS.join(", ")
        )));
    };
    let n = customer_id.len();
    for (col, len) in [
        ("channel", coded_len(&channel)),
        ("kind", kind.as_ref().and_then(coded_len)),
        ("direction", direction.as_ref().and_then(coded_len)),
        ("occurred_at", occurred_at.as_ref().map(Vec::len)),
        ("subject", subject.as_ref().map(Vec::len)),
        ("body", body.as_ref().map(Vec::len)),
        ("metadata", metadata.as_ref().map(Vec::len)),
        ("campaign_id", campaign_id.as_ref().map(Vec::len)),
        ("ticket_id", ticket_id.as_ref().map(Vec::len)),
    ] {
        if let Some(len) = len.filter(|&len| len != n) {
            return Err(invalid_argument(format!(
                "column {col} has {len} values, customer_id has {n}"
            )));
        }
    }
    let channel = channel.into_rows(n);
    let kind = kind.map_or_else(|| vec![InteractionKind::default(); n], |k| k.into_rows(n));
    let direction = direction.map_or_else(|| vec![Direction::default(); n], |d| d.into_rows(n));
    let mut occurred_at = occurred_at.map(Vec::into_iter);
    let mut subject = subject.map(Vec::into_iter);
    let mut body = body.map(Vec::into_iter);
    let mut metadata = metadata.map(Vec::into_iter);
    let mut campaign_id = campaign_id.map(Vec::into_iter);
    let mut ticket_id = ticket_id.map(Vec::into_iter);
    let mut rows = Vec::with_capacity(n);
    for (row, (((customer_id, channel), kind), direction)) in customer_id
        .into_iter()
        .zip(channel)
        .zip(kind)
        .zip(direction)
        .enumerate()
    {
        let meta = match metadata.as_mut().and_then(Iterator::next).flatten() {
            Some(text) => parse_metadata(&text).map_err(|e| e.in_row(row))?,
            None => crm_core::Metadata::new(),
        };
        rows.push(NewInteraction {
            customer_id,
            channel,
            direction,
            kind,
            occurred_at: occurred_at.as_mut().and_then(Iterator::next).flatten(),
            subject: subject.as_mut().and_then(Iterator::next).flatten(),
            body: body.as_mut().and_then(Iterator::next).flatten(),
            metadata: meta,
            campaign_id: campaign_id.as_mut().and_then(Iterator::next).flatten(),
            ticket_id: ticket_id.as_mut().and_then(Iterator::next).flatten(),
        });
    }
    Ok(rows)
}

/// Found interactions as a dict: `id`, `customer_id`, `occurred_at` (µs since the epoch, UTC) as
/// int64 arrays; `channel`, `direction`, `kind` as int8 codes into `CHANNELS`, `DIRECTIONS`,
/// `INTERACTION_KINDS`; `subject`, `body` as lists of str / None; `metadata` as a list of dicts;
/// `campaign_id`, `ticket_id` as int64 arrays whose smallest int64 marks none.
pub fn to_py(py: Python<'_>, rows: Vec<Interaction>) -> PyResult<Bound<'_, PyDict>> {
    let n = rows.len();
    let mut id = Vec::with_capacity(n);
    let mut customer_id = Vec::with_capacity(n);
    let mut occurred_at = Vec::with_capacity(n);
    let mut channel = Vec::with_capacity(n);
    let mut direction = Vec::with_capacity(n);
    let mut kind = Vec::with_capacity(n);
    let mut subject = Vec::with_capacity(n);
    let mut body = Vec::with_capacity(n);
    let metadata = PyList::empty(py);
    let mut campaign_id = Vec::with_capacity(n);
    let mut ticket_id = Vec::with_capacity(n);
    for i in rows {
        campaign_id.push(i.campaign_id.unwrap_or(i64::MIN));
        ticket_id.push(i.ticket_id.unwrap_or(i64::MIN));
        id.push(i.id);
        customer_id.push(i.customer_id);
        occurred_at.push(i.occurred_at.as_micros());
        channel.push(code(Channel::ALL, &i.channel));
        direction.push(code(Direction::ALL, &i.direction));
        kind.push(code(InteractionKind::ALL, &i.kind));
        metadata.append(metadata_dict(py, &i)?)?;
        subject.push(i.subject);
        body.push(i.body);
    }
    let d = PyDict::new(py);
    d.set_item("id", PyArray1::from_vec(py, id))?;
    d.set_item("customer_id", PyArray1::from_vec(py, customer_id))?;
    d.set_item("channel", PyArray1::from_vec(py, channel))?;
    d.set_item("direction", PyArray1::from_vec(py, direction))?;
    d.set_item("kind", PyArray1::from_vec(py, kind))?;
    d.set_item("occurred_at", PyArray1::from_vec(py, occurred_at))?;
    d.set_item("subject", PyList::new(py, subject)?)?;
    d.set_item("body", PyList::new(py, body)?)?;
    d.set_item("metadata", metadata)?;
    d.set_item("campaign_id", PyArray1::from_vec(py, campaign_id))?;
    d.set_item("ticket_id", PyArray1::from_vec(py, ticket_id))?;
    Ok(d)
}
