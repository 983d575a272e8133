//! The live messages that are relayed and never stored: `VIEWPORT` (the
//! part of the board someone sees, so that others can follow them or see
//! where they look) and `LASER` (a stretch of a laser pointer's trail).
//!
//! Both are passed on as sent (with the host-checked `userId`), so they are
//! checked here for exactly what a receiver relies on: finite, bounded
//! numbers, and at most [`MAX_LASER_POINTS`] points.

use serde_json::Value;

use super::limits::{MAX_LASER_POINTS, MAX_LIVE_COORDINATE, MAX_LIVE_FRAME_BYTES};
use super::{Object, ProtocolError};

/// The message types checked here.
pub(super) const LIVE: [&str; 2] = ["VIEWPORT", "LASER"];

/// A live frame over [`MAX_LIVE_FRAME_BYTES`] is refused before it is read.
pub(super) fn check_size(kind: &str, bytes: usize) -> Result<(), ProtocolError> {
    if LIVE.contains(&kind) && bytes > MAX_LIVE_FRAME_BYTES {
        return Err(ProtocolError::invalid(format!(
            "a {kind} message is {bytes} bytes; the limit is {MAX_LIVE_FRAME_BYTES}"
        )));
    }
    Ok(())
}

/// `VIEWPORT {rect: {x, y, w, h}, following?}`: the visible board rectangle
/// in board coordinates, a positive size; `following` (the id of the person
/// whose view this one follows) is a string or absent.
pub(super) fn check_viewport(payload: &Object) -> Result<(), ProtocolError> {
    let rect = match payload.get("rect") {
        Some(Value::Object(rect)) => rect,
        _ => return Err(ProtocolError::invalid("VIEWPORT needs a rect object")),
    };
    for key in ["x", "y"] {
        number(rect, key)?;
    }
    for key in ["w", "h"] {
        if number(rect, key)? <= 0.0 {
            return Err(ProtocolError::invalid(format!(
                "rect.{key} must be greater than 0"
            )));
        }
    }
    match payload.get("following") {
        None | Some(Value::Null | Value::String(_)) => Ok(()),
        Some(_) => Err(ProtocolError::invalid("following must be a string")),
    }
}

/// `LASER {stroke, points: [{x, y}]}`: 1 to [`MAX_LASER_POINTS`] points of
/// one press of the pointer; `stroke` (a non-negative integer, new for each
/// press) tells a receiver where one trail ends and the next begins.
pub(super) fn check_laser(payload: &Object) -> Result<(), ProtocolError> {
    if payload.get("stroke").and_then(Value::as_u64).is_none() {
        return Err(ProtocolError::invalid(
            "LASER needs a stroke, a non-negative integer",
        ));
    }
    let points = match payload.get("points") {
        Some(Value::Array(points)) => points,
        _ => return Err(ProtocolError::invalid("LASER needs a points array")),
    };
    if points.is_empty() || points.len() > MAX_LASER_POINTS {
        return Err(ProtocolError::invalid(format!(
            "a LASER message has {} points; it needs 1 to {MAX_LASER_POINTS}",
            points.len()
        )));
    }
    for point in points {
        let Value::Object(point) = point else {
            return Err(ProtocolError::invalid("every laser point must be {x, y}"));
        };
        number(point, "x")?;
        number(point, "y")?;
    }
    Ok(())
}

/// A finite number no larger than [`MAX_LIVE_COORDINATE`] either way.
pub(super) fn number(map: &Object, key: &str) -> Result<f64, ProtocolError> {
    match map.get(key).and_then(Value::as_f64) {
        Some(v) if v.is_finite() && v.abs() <= MAX_LIVE_COORDINATE => Ok(v),
        _ => Err(ProtocolError::invalid(format!(
            "{key} must be a number no larger than {MAX_LIVE_COORDINATE:e} either way"
        ))),
    }
}

#[cfg(test)]
#[path = "live_tests.rs"]
mod tests;
