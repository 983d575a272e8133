//! The join gate for HTTP routes, as an extractor: a handler that takes
//! [`Admitted`] runs only for loopback peers and peers with the session's
//! code (`?code=` or an `x-coco-code` header), so no data route can forget
//! the check, and it runs before any body is read.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use super::{refused, ApiError, AppState};

/// What a data route may find in its query string.
#[derive(Deserialize)]
pub struct CodeQuery {
    pub(super) code: Option<String>,
    /// The room a request acts on (jobs, storyboards); the default room when absent.
    pub(super) room: Option<String>,
}

/// The join code a request carries: `?code=`, else the `x-coco-code` header
/// (the web UI sends the header with every request that can carry one).
pub(super) fn sent_code<'a>(query: Option<&'a str>, headers: &'a HeaderMap) -> Option<&'a str> {
    query.or_else(|| headers.get("x-coco-code").and_then(|v| v.to_str().ok()))
}

/// Applies the join gate to an HTTP request.
pub(super) fn admit(
    state: &AppState,
    peer: SocketAddr,
    query: &CodeQuery,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let code = sent_code(query.code.as_deref(), headers);
    state.inner.gate.admit(peer.ip(), code).map_err(refused)
}

/// A request the gate let in, with its query.
pub struct Admitted(pub CodeQuery);

impl FromRequestParts<AppState> for Admitted {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "the host could not tell who is asking",
                )
            })?;
        let Query(query) = Query::<CodeQuery>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "invalid", &e.body_text()))?;
        admit(state, peer, &query, &parts.headers)?;
        Ok(Admitted(query))
    }
}
