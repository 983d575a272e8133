//! `REQUEST_SYNC`'s opt-in extension for a board that arrives in parts:
//! `{parts: true, view?: {x, y, w, h}, packedPoints?: true}`.
//!
//! A late joiner on a slow link waits for the whole board before it sees
//! any of it. Asking for parts, it gets the shapes nearest its view first,
//! in a small first part that crosses a slow link in a round trip or two
//! ([`super::limits::FIRST_SYNC_PART_BYTES`]), then larger ones
//! ([`super::limits::SYNC_PART_BYTES`]). `view` is checked like a
//! `VIEWPORT`'s `rect` (finite, within [`super::limits::MAX_LIVE_COORDINATE`],
//! a positive size), so a bad one is refused with a sentence instead of
//! ordering the board by nonsense.

use serde_json::Value;

use super::live::number;
use super::{Object, ProtocolError};

/// The part of the board the asker sees, in board coordinates: `x, y` its
/// top left, `w, h` its size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ViewRect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

/// How a client asked for the board: in one `SYNC_SHAPES` (every client
/// that knows nothing of parts), or in parts, nearest `view` first.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct SyncRequest {
    /// The revision the client has seen (a delta sync), if any.
    pub since: Option<u64>,
    /// `parts: true`: answer in parts (when the board is big enough).
    pub parts: bool,
    /// Where the client looks; without it the parts follow the board order.
    pub view: Option<ViewRect>,
    /// `packedPoints: true`: the answer's strokes carry packed points where
    /// they pack exactly (see [`super::packed`]), and it comes in parts
    /// even when the board fits in one.
    pub packed: bool,
}

/// Reads `REQUEST_SYNC {since?, parts?, view?}`.
pub(super) fn request(payload: &Object) -> Result<SyncRequest, ProtocolError> {
    let since = match payload.get("since") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().ok_or_else(|| {
            ProtocolError::invalid("since must be a non-negative integer revision")
        })?),
    };
    let flag = |key: &str| match payload.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(ProtocolError::invalid(format!(
            "{key} must be true or false"
        ))),
    };
    let parts = flag("parts")?;
    let packed = flag("packedPoints")?;
    let view = match payload.get("view") {
        None | Some(Value::Null) => None,
        Some(Value::Object(rect)) => Some(view(rect)?),
        Some(_) => {
            return Err(ProtocolError::invalid(
                "view must be an object {x, y, w, h} in board coordinates",
            ))
        }
    };
    Ok(SyncRequest {
        since,
        parts,
        view,
        packed,
    })
}

fn view(rect: &Object) -> Result<ViewRect, ProtocolError> {
    let named = |key: &str| {
        number(rect, key).map_err(|e| ProtocolError::invalid(format!("view.{}", e.message)))
    };
    let (x, y, w, h) = (named("x")?, named("y")?, named("w")?, named("h")?);
    for (key, v) in [("w", w), ("h", h)] {
        if v <= 0.0 {
            return Err(ProtocolError::invalid(format!(
                "view.{key} must be greater than 0"
            )));
        }
    }
    Ok(ViewRect { x, y, w, h })
}
