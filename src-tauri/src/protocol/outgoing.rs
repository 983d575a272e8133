//! Messages the host sends: [`ServerMessage`], one variant per message kind
//! of the "Host to client" half of `docs/PROTOCOL.md`, and [`frame`], the
//! one place that turns a message into the bytes on the wire.
//!
//! Every payload is a typed struct (see [`super::payloads`]), so a field
//! renamed or forgotten is a compile error, not a client that silently
//! stops working. A frame is serialized once and shared by every receiver.

use serde::Serialize;

use super::payloads::{
    Ack, ErrorPayload, Lock, Present, Relayed, SessionsNearby, StoryboardDeleted,
    StoryboardUpdated, SyncShapes, UserJoined, UserLeft, Watching, Welcome,
};
use super::{ErrorCode, Frame};
use serde_json::value::RawValue;

/// A message from the host to a client: `{"type": KIND, "payload": ...}`,
/// KIND being the variant's name in SCREAMING_SNAKE_CASE.
#[derive(Debug, Serialize)]
#[serde(tag = "type", content = "payload", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ServerMessage<'a> {
    /// To a member that just took its seat.
    Welcome(Welcome<'a>),
    UserJoined(UserJoined<'a>),
    UserLeft(UserLeft<'a>),
    /// To a person who watches from beyond the seats.
    Watching(Watching<'a>),
    /// To the author, once its operations are on disk.
    Ack(Ack<'a>),
    /// Spliced from the stored shapes by [`frame`], never serialized by
    /// serde: a full sync of a big board is megabytes of JSON that is
    /// already written.
    #[serde(skip)]
    SyncShapes(SyncShapes<'a>),
    CursorMove(Relayed<'a>),
    /// What part of the board a member sees (never stored).
    Viewport(Relayed<'a>),
    /// A stretch of a member's laser pointer trail (never stored).
    Laser(Relayed<'a>),
    /// From the host's person (`POST /api/host/present`): everyone follows
    /// this member's view until they move their own.
    Present(Present<'a>),
    /// The host locked or unlocked the board (`POST /api/host/lock`).
    Lock(Lock),
    ShapeAdded(Relayed<'a>),
    ShapeUpdated(Relayed<'a>),
    ShapesDeleted(Relayed<'a>),
    HandTrackingStatus(Relayed<'a>),
    UserStatusUpdate(Relayed<'a>),
    WebcamOffer(Relayed<'a>),
    WebcamAnswer(Relayed<'a>),
    WebcamIceCandidate(Relayed<'a>),
    Error(ErrorPayload<'a>),
    SessionsNearby(SessionsNearby<'a>),
    StoryboardUpdated(StoryboardUpdated<'a>),
    StoryboardDeleted(StoryboardDeleted<'a>),
    /// The job record itself, as `GET /api/jobs/{id}` shows it
    /// ([`super::payloads::record`]).
    JobUpdated(&'a RawValue),
}

impl<'a> ServerMessage<'a> {
    /// The relay of a `HAND_TRACKING_STATUS`, `USER_STATUS_UPDATE` or
    /// `WEBCAM_*` message ([`super::ClientMessage::Relay`] and
    /// [`super::ClientMessage::Targeted`] name their kind); None for any
    /// other kind.
    pub fn relay(kind: &str, relayed: Relayed<'a>) -> Option<Self> {
        Some(match kind {
            "HAND_TRACKING_STATUS" => ServerMessage::HandTrackingStatus(relayed),
            "USER_STATUS_UPDATE" => ServerMessage::UserStatusUpdate(relayed),
            "WEBCAM_OFFER" => ServerMessage::WebcamOffer(relayed),
            "WEBCAM_ANSWER" => ServerMessage::WebcamAnswer(relayed),
            "WEBCAM_ICE_CANDIDATE" => ServerMessage::WebcamIceCandidate(relayed),
            _ => return None,
        })
    }

    /// An `ERROR {code, message}`, with the refused operation's `opId`
    /// when it had one: the id lets the client drop the operation instead
    /// of replaying it forever.
    pub fn error(code: ErrorCode, message: &'a str, op_id: Option<&'a str>) -> Self {
        ServerMessage::Error(ErrorPayload {
            code,
            message,
            op_id,
        })
    }
}

/// Serializes a message into the frame every receiver shares.
pub fn frame(message: &ServerMessage<'_>) -> Frame {
    match message {
        ServerMessage::SyncShapes(sync) => sync.splice(),
        _ => serde_json::to_string(message).expect("protocol payloads always serialize"),
    }
    .into()
}

/// An `ERROR {code, message}` frame.
pub fn error_frame(code: ErrorCode, message: &str) -> Frame {
    frame(&ServerMessage::error(code, message, None))
}

/// An `ERROR` about an operation that may have carried an `opId`.
pub fn error_frame_for_op(code: ErrorCode, message: &str, op_id: Option<&str>) -> Frame {
    frame(&ServerMessage::error(code, message, op_id))
}

#[cfg(test)]
#[path = "outgoing_tests.rs"]
mod tests;
