//! `GET /api/rooms/{room}/board`: the whole board for a page on the join
//! screen. A person spends seconds there (reading, typing a name) while the
//! link is idle; the page fetches the board meanwhile, shows it as soon as
//! Join is pressed, and asks the socket only for what changed since
//! (`REQUEST_SYNC {since}`). Behind the join gate like every data route.
//!
//! The body is `{"rev": N, "shapes": [...]}` in board order, strokes'
//! points packed where exact (see `protocol/packed.rs`), gzipped for a
//! client that accepts it (a fifth to a tenth of the text), never cached
//! (the board changes).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};

use super::common::{accepts_gzip, blocking, gzip, loaded_room, room_or_default};
use super::gate::Admitted;
use super::{ApiError, AppState};

/// Boards shorter than this go uncompressed (the header would cost more).
pub const BOARD_GZIP_MIN_BYTES: usize = 1024;

pub async fn board(
    State(state): State<AppState>,
    Path(room): Path<String>,
    _: Admitted,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let room = room_or_default(Some(room))?;
    let loaded = loaded_room(&state.inner.rooms, &room).await?;
    let body = loaded.packed_board().await;
    let mut response = if body.len() >= BOARD_GZIP_MIN_BYTES && accepts_gzip(&headers) {
        let zipped =
            blocking(move || gzip(body.as_bytes(), flate2::Compression::default())).await?;
        let mut r = Response::new(Body::from(zipped));
        r.headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        r
    } else {
        body.into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Ok(response)
}
