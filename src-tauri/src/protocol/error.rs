//! The `ERROR` codes of the wire protocol.

use serde::Serialize;

/// Machine-readable reason sent in `ERROR {code, message}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not JSON, or not `{type, payload}`. The connection stays open.
    BadJson,
    /// The `type` is not one the host knows. The connection stays open.
    UnknownType,
    /// The payload failed validation; nothing was stored.
    Invalid,
    /// A room message arrived before `JOIN_ROOM`.
    NotJoined,
    /// All four seats are taken (and, for a watcher, every watching
    /// place); the socket is closed, except a watcher's that asked for a
    /// seat: it goes on watching.
    RoomFull,
    /// A watcher sent a change: watchers look and change nothing.
    Watching,
    /// The frame is over [`super::limits::MAX_FRAME_BYTES`]; the socket is closed.
    TooLarge,
    /// The sender exceeded its message budget; messages are dropped for a while.
    RateLimited,
    /// Missing or wrong join code from a LAN peer.
    Unauthorized,
    /// A page from another web origin tried to open a socket.
    ForbiddenOrigin,
    /// The host removed this user from the session; the socket is closed
    /// with 4001 and the same user may not join again while the host runs.
    Removed,
    /// The host cannot save (a full disk, a failing drive): the change was
    /// not applied and is not acknowledged; the client keeps it and sends it
    /// again after the next `SYNC_SHAPES`.
    StorageFailed,
    /// The host locked the board (or this shape): only the host's own page
    /// changes it now; the others look and point. Nothing was stored.
    Locked,
}

impl ErrorCode {
    /// The code as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadJson => "bad_json",
            ErrorCode::UnknownType => "unknown_type",
            ErrorCode::Invalid => "invalid",
            ErrorCode::NotJoined => "not_joined",
            ErrorCode::RoomFull => "room_full",
            ErrorCode::Watching => "watching",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::ForbiddenOrigin => "forbidden_origin",
            ErrorCode::Removed => "removed",
            ErrorCode::StorageFailed => "storage_failed",
            ErrorCode::Locked => "locked",
        }
    }
}

/// A refused message: the code and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    pub code: ErrorCode,
    pub message: String,
}

impl ProtocolError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ProtocolError {
            code,
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Invalid, message)
    }
}

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for ProtocolError {}
