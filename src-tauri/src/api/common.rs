//! What every route module needs and no one module owns: a JSON body read
//! with an error that says what was expected, the room a request acts on,
//! and blocking work (the database, the disk) moved off the async threads.

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::Json;
use serde::de::DeserializeOwned;

use super::gate::CodeQuery;
use super::ApiError;
use crate::protocol::valid_room_name;
use crate::room::DEFAULT_ROOM;

/// The one sentence for a room name the host refuses.
pub const ROOM_NAME_RULE: &str = "a room name is 1 to 64 letters, digits, '-', '_' or '.'";

/// A JSON body; an empty one is the type's default. `expected` tells a
/// client what was wanted.
pub fn parse_body<T: DeserializeOwned + Default>(
    body: &Bytes,
    expected: &str,
) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::invalid(&format!("expected {expected}: {e}")))
}

/// A JSON body axum has already parsed, or the reason it could not, with
/// what was expected.
pub fn json_body<T>(body: Result<Json<T>, JsonRejection>, expected: &str) -> Result<T, ApiError> {
    body.map(|Json(b)| b)
        .map_err(|e| ApiError::invalid(&format!("expected {expected}: {}", e.body_text())))
}

/// The room a request names, else the default room; a name the host
/// refuses is a `400 invalid` with [`ROOM_NAME_RULE`].
pub fn room_or_default(named: Option<String>) -> Result<String, ApiError> {
    let room = named.unwrap_or_else(|| DEFAULT_ROOM.to_string());
    if !valid_room_name(&room) {
        return Err(ApiError::invalid(ROOM_NAME_RULE));
    }
    Ok(room)
}

/// The room of a request: the body's, else `?room=`, else the default.
pub fn room_of(body: Option<String>, query: &CodeQuery) -> Result<String, ApiError> {
    room_or_default(body.or_else(|| query.room.clone()))
}

/// The room called `room`, read from disk if it is not in memory; a room
/// that cannot be loaded (the host's room limit, a damaged record) is a
/// `503 room_unavailable` with the reason.
pub async fn loaded_room(
    rooms: &crate::room::Rooms,
    room: &str,
) -> Result<std::sync::Arc<crate::room::Room>, ApiError> {
    rooms.get(room).await.map_err(|e| {
        ApiError::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "room_unavailable",
            &e.to_string(),
        )
    })
}

/// Runs blocking work (it reads or flushes the disk) off the async threads.
/// A panic in it is a `500 internal`, never a dropped connection.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::internal())
}

/// Whether a request's `Accept-Encoding` takes gzip.
pub fn accepts_gzip(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(axum::http::header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")))
}

/// `bytes` gzipped at `level`, in memory.
pub fn gzip(bytes: &[u8], level: flate2::Compression) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), level);
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}
