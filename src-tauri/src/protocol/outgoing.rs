//! Frames the host sends. Each is serialized once and shared by every
//! receiver (a [`Frame`] clones by reference count).

use serde::Serialize;
use serde_json::json;

use super::ErrorCode;

/// One serialized text frame, cheap to clone for fan-out.
pub type Frame = axum::extract::ws::Utf8Bytes;

/// Serializes `{"type": kind, "payload": payload}`.
pub fn frame(kind: &str, payload: &impl Serialize) -> Frame {
    #[derive(Serialize)]
    struct Envelope<'a, P> {
        #[serde(rename = "type")]
        kind: &'a str,
        payload: &'a P,
    }
    serde_json::to_string(&Envelope { kind, payload })
        .expect("protocol payloads always serialize")
        .into()
}

/// An `ERROR {code, message}` frame.
pub fn error_frame(code: ErrorCode, message: &str) -> Frame {
    frame(
        "ERROR",
        &json!({ "code": code.as_str(), "message": message }),
    )
}

/// An `ERROR` about an operation that carried an `opId`: the id lets the
/// client drop the refused operation instead of replaying it forever.
pub fn error_frame_for_op(code: ErrorCode, message: &str, op_id: Option<&str>) -> Frame {
    match op_id {
        Some(op_id) => frame(
            "ERROR",
            &json!({ "code": code.as_str(), "message": message, "opId": op_id }),
        ),
        None => error_frame(code, message),
    }
}

#[cfg(test)]
#[path = "outgoing_tests.rs"]
mod tests;
