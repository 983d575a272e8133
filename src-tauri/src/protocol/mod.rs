//! Messages of the CoCo wire protocol: parsing, validation and framing.
//!
//! Nothing here does I/O, so every rule can be unit-tested on strings. A frame
//! is `{"type": "...", "payload": {...}}`. Incoming payloads are kept as JSON
//! maps so that fields this host does not know (the existing client's extras)
//! survive relaying and storage untouched. Both directions are typed: what
//! clients send is a [`ClientMessage`], what the host sends a
//! [`ServerMessage`], serialized by [`frame`] alone.

mod error;
mod frame;
pub mod limits;
mod live;
mod outgoing;
pub mod packed;
pub mod payloads;
pub mod picture;
mod seat;
mod sync;

pub use error::{ErrorCode, ProtocolError};
pub use frame::Frame;
pub use outgoing::{error_frame, error_frame_for_op, frame, ServerMessage};
pub use picture::check_pictures;
pub use seat::Seat;
pub use sync::{SyncRequest, ViewRect};

use serde::Deserialize;
use serde_json::{Map, Value};

use limits::{MAX_FRAME_BYTES, MAX_ID_BYTES, MAX_POINTS_PER_SHAPE, MAX_SHAPE_BYTES};

/// A JSON object: a payload, a shape, or a shape's updates.
pub type Object = Map<String, Value>;

/// A message from a client, validated.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    JoinRoom {
        user_id: String,
        username: String,
        position: Option<Seat>,
        /// The seat secret from this user's last `WELCOME`; `Some("")` from
        /// a client that keeps secrets but has none yet. `None` (the
        /// existing client) leaves the seat unbound.
        secret: Option<String>,
        /// `watch: true`: look without a seat (see
        /// [`limits::MAX_WATCHERS_PER_ROOM`]); a later `JOIN_ROOM` without
        /// it takes a seat when one is free.
        watch: bool,
    },
    /// Cursor position; the payload is relayed as sent (with the checked `userId`).
    CursorMove(Object),
    /// The part of the board the sender sees; relayed like a cursor, never stored.
    Viewport(Object),
    /// A stretch of the sender's laser pointer trail; relayed, never stored.
    Laser(Object),
    ShapeAdded {
        shape_id: String,
        /// The shape serialized once, as it will be stored and synced.
        shape_json: String,
        op_id: Option<String>,
        payload: Object,
    },
    ShapeUpdated {
        shape_id: String,
        updates: Object,
        op_id: Option<String>,
        payload: Object,
    },
    ShapesDeleted {
        shape_ids: Vec<String>,
        op_id: Option<String>,
        payload: Object,
    },
    /// `since`: a delta sync; `parts`/`view`: the board in parts, nearest
    /// the view first (see [`SyncRequest`]).
    RequestSync(SyncRequest),
    /// `HAND_TRACKING_STATUS`, `USER_STATUS_UPDATE`: relayed to the others.
    Relay { kind: &'static str, payload: Object },
    /// `WEBCAM_*`: forwarded to one member only.
    Targeted {
        kind: &'static str,
        target: String,
        payload: Object,
    },
}

impl ClientMessage {
    /// The client's id for a document operation, if it gave one.
    pub fn op_id(&self) -> Option<&str> {
        match self {
            ClientMessage::ShapeAdded { op_id, .. }
            | ClientMessage::ShapeUpdated { op_id, .. }
            | ClientMessage::ShapesDeleted { op_id, .. } => op_id.as_deref(),
            _ => None,
        }
    }
}

/// Message types relayed to every other member.
const RELAYED: [&str; 2] = ["HAND_TRACKING_STATUS", "USER_STATUS_UPDATE"];
/// Message types forwarded to `targetUserId` only.
const TARGETED: [&str; 3] = ["WEBCAM_OFFER", "WEBCAM_ANSWER", "WEBCAM_ICE_CANDIDATE"];

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    payload: Option<Value>,
}

/// Parses and validates one text frame.
pub fn parse(text: &str) -> Result<ClientMessage, ProtocolError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(ProtocolError::new(
            ErrorCode::TooLarge,
            format!(
                "message is {} bytes; the limit is {MAX_FRAME_BYTES}",
                text.len()
            ),
        ));
    }
    let envelope: Envelope = serde_json::from_str(text).map_err(|e| {
        ProtocolError::new(
            ErrorCode::BadJson,
            format!("expected a JSON object {{\"type\", \"payload\"}}: {e}"),
        )
    })?;
    let payload = match envelope.payload {
        Some(Value::Object(map)) => map,
        None | Some(Value::Null) => Object::new(),
        Some(_) => return Err(ProtocolError::invalid("payload must be a JSON object")),
    };
    live::check_size(&envelope.kind, text.len())?;
    decode(&envelope.kind, payload)
}

/// The `opId` of a frame that [`parse`] refused, when it has a readable one,
/// so that the refusal names the change it refuses: a client that tracks
/// its unsaved changes can then drop it instead of sending it again forever.
/// Only on the error path; an oversized frame is not read at all.
pub fn refused_op_id(text: &str) -> Option<String> {
    if text.len() > MAX_FRAME_BYTES {
        return None;
    }
    let value: Value = serde_json::from_str(text).ok()?;
    let op = value.get("payload")?.get("opId")?.as_str()?;
    (!op.is_empty() && op.len() <= MAX_ID_BYTES).then(|| op.to_string())
}

fn decode(kind: &str, mut payload: Object) -> Result<ClientMessage, ProtocolError> {
    Ok(match kind {
        "JOIN_ROOM" => {
            let user_id = id_field(&payload, "userId")?;
            let username = match payload.get("username") {
                None | Some(Value::Null) => user_id.clone(),
                Some(Value::String(s)) if s.len() <= MAX_ID_BYTES => s.clone(),
                Some(_) => {
                    return Err(ProtocolError::invalid(format!(
                        "username must be a string of at most {MAX_ID_BYTES} bytes"
                    )))
                }
            };
            let position = match payload.get("position") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(Seat::parse(s).ok_or_else(|| {
                    ProtocolError::invalid(format!(
                        "position must be one of top-left, top-right, bottom-left, bottom-right, not {s:?}"
                    ))
                })?),
                Some(_) => return Err(ProtocolError::invalid("position must be a string")),
            };
            let secret = match payload.get("secret") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) if s.len() <= MAX_ID_BYTES => Some(s.clone()),
                Some(_) => {
                    return Err(ProtocolError::invalid(format!(
                        "secret must be a string of at most {MAX_ID_BYTES} bytes"
                    )))
                }
            };
            let watch = match payload.get("watch") {
                None | Some(Value::Null) => false,
                Some(Value::Bool(watch)) => *watch,
                Some(_) => return Err(ProtocolError::invalid("watch must be true or false")),
            };
            ClientMessage::JoinRoom {
                user_id,
                username,
                position,
                secret,
                watch,
            }
        }
        "CURSOR_MOVE" => {
            if !payload.get("position").is_some_and(Value::is_object) {
                return Err(ProtocolError::invalid(
                    "CURSOR_MOVE needs a position object",
                ));
            }
            ClientMessage::CursorMove(payload)
        }
        "VIEWPORT" => {
            live::check_viewport(&payload)?;
            ClientMessage::Viewport(payload)
        }
        "LASER" => {
            live::check_laser(&payload)?;
            ClientMessage::Laser(payload)
        }
        "SHAPE_ADDED" => {
            let op_id = op_id(&payload)?;
            let shape = match payload.get("shape") {
                Some(Value::Object(shape)) => shape,
                _ => return Err(ProtocolError::invalid("SHAPE_ADDED needs a shape object")),
            };
            let shape_id = id_field(shape, "id")?;
            match shape.get("type") {
                Some(Value::String(t)) if !t.is_empty() && t.len() <= MAX_ID_BYTES => {}
                _ => return Err(ProtocolError::invalid("a shape needs a string type")),
            }
            check_shape_fields(shape)?;
            let shape_json = check_shape_size(shape)?;
            ClientMessage::ShapeAdded {
                shape_id,
                shape_json,
                op_id,
                payload,
            }
        }
        "SHAPE_UPDATED" => {
            let op_id = op_id(&payload)?;
            let shape_id = id_field(&payload, "shapeId")?;
            let mut updates = match payload.get("updates") {
                Some(Value::Object(u)) => u.clone(),
                _ => {
                    return Err(ProtocolError::invalid(
                        "SHAPE_UPDATED needs an updates object",
                    ))
                }
            };
            // A shape's id is its identity; an update cannot rename it.
            updates.remove("id");
            check_shape_fields(&updates)?;
            ClientMessage::ShapeUpdated {
                shape_id,
                updates,
                op_id,
                payload,
            }
        }
        "SHAPES_DELETED" => {
            let op_id = op_id(&payload)?;
            let ids = match payload.get("shapeIds") {
                Some(Value::Array(ids)) if ids.len() <= limits::MAX_SHAPES_PER_ROOM => ids,
                Some(Value::Array(_)) => {
                    return Err(ProtocolError::invalid("too many shapeIds in one message"))
                }
                _ => {
                    return Err(ProtocolError::invalid(
                        "SHAPES_DELETED needs a shapeIds array",
                    ))
                }
            };
            let shape_ids = ids
                .iter()
                .map(|v| match v {
                    Value::String(s) if !s.is_empty() && s.len() <= MAX_ID_BYTES => Ok(s.clone()),
                    _ => Err(ProtocolError::invalid(
                        "every shapeId must be a non-empty string",
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?;
            ClientMessage::ShapesDeleted {
                shape_ids,
                op_id,
                payload,
            }
        }
        "REQUEST_SYNC" => ClientMessage::RequestSync(sync::request(&payload)?),
        _ => {
            if let Some(kind) = RELAYED.iter().find(|k| **k == kind) {
                ClientMessage::Relay { kind, payload }
            } else if let Some(kind) = TARGETED.iter().find(|k| **k == kind) {
                let target = id_field(&payload, "targetUserId")?;
                payload.remove("targetUserId");
                payload.insert("targetUserId".into(), Value::String(target.clone()));
                ClientMessage::Targeted {
                    kind,
                    target,
                    payload,
                }
            } else if kind == "LOCK" {
                // The host's message to clients; a client cannot lock.
                return Err(ProtocolError::new(
                    ErrorCode::UnknownType,
                    "LOCK comes from the host only: the host locks the board from its panel",
                ));
            } else {
                return Err(ProtocolError::new(
                    ErrorCode::UnknownType,
                    format!("unknown message type {kind:?}"),
                ));
            }
        }
    })
}

/// A required, non-empty string id of bounded length.
fn id_field(map: &Object, key: &str) -> Result<String, ProtocolError> {
    match map.get(key) {
        Some(Value::String(s)) if !s.is_empty() && s.len() <= MAX_ID_BYTES => Ok(s.clone()),
        Some(Value::String(s)) if !s.is_empty() => Err(ProtocolError::invalid(format!(
            "{key} is longer than {MAX_ID_BYTES} bytes"
        ))),
        _ => Err(ProtocolError::invalid(format!(
            "{key} must be a non-empty string"
        ))),
    }
}

fn op_id(payload: &Object) -> Result<Option<String>, ProtocolError> {
    match payload.get("opId") {
        None | Some(Value::Null) => Ok(None),
        Some(_) => id_field(payload, "opId").map(Some),
    }
}

/// Field rules that apply to a whole shape and to an update alike.
fn check_shape_fields(map: &Object) -> Result<(), ProtocolError> {
    match map.get("points") {
        None | Some(Value::Null) => {}
        Some(Value::Array(points)) if points.len() > MAX_POINTS_PER_SHAPE => {
            return Err(ProtocolError::invalid(format!(
                "a shape has {} points; the limit is {MAX_POINTS_PER_SHAPE}",
                points.len()
            )))
        }
        Some(Value::Array(_)) => {}
        Some(_) => return Err(ProtocolError::invalid("points must be an array")),
    }
    // A pen stroke's pressure per point: numbers, no more of them than points may be.
    match map.get("pressures") {
        None | Some(Value::Null) => {}
        Some(Value::Array(p))
            if p.len() <= MAX_POINTS_PER_SHAPE && p.iter().all(Value::is_number) => {}
        Some(_) => {
            return Err(ProtocolError::invalid(format!(
                "pressures must be an array of at most {MAX_POINTS_PER_SHAPE} numbers"
            )))
        }
    }
    if let Some(style) = map.get("style") {
        if !style.is_object() && !style.is_null() {
            return Err(ProtocolError::invalid("style must be an object"));
        }
    }
    Ok(())
}

/// Serializes a shape, refusing one over [`MAX_SHAPE_BYTES`].
pub fn check_shape_size(shape: &Object) -> Result<String, ProtocolError> {
    let json = serde_json::to_string(shape).expect("a JSON map always serializes");
    if json.len() > MAX_SHAPE_BYTES {
        return Err(ProtocolError::invalid(format!(
            "the shape is {} bytes; the limit is {MAX_SHAPE_BYTES}",
            json.len()
        )));
    }
    Ok(json)
}

/// A room name from `?room=`: short, and safe to use as a storage key.
pub fn valid_room_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= limits::MAX_ROOM_NAME_BYTES
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// Milliseconds since the Unix epoch: every time on the wire and in a
/// stored record (`createdAt`, `updatedAt`, `lastSeen`) is one of these.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests;
