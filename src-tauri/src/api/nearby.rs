//! `GET /api/discovery`: the other CoCo sessions seen on the network, for
//! the join screen's "Sessions nearby".
//!
//! Gated like the other data routes (loopback always, LAN peers with the
//! code): what it lists is multicast on the LAN anyway, but the host should
//! not relay it to a peer that cannot see that multicast itself (across a
//! VPN or a routed subnet) and has no business with this session.

use axum::extract::State;
use axum::Json;
use serde_json::{json, Value};

use super::gate::Admitted;
use super::{ApiError, AppState};

/// `{success, mdns: {advertising, browsing, error?}, sessions: [...]}`.
pub async fn discovery(
    State(state): State<AppState>,
    _: Admitted,
) -> Result<Json<Value>, ApiError> {
    let discovery = &state.inner.discovery;
    Ok(Json(json!({
        "success": true,
        "mdns": discovery.status(),
        "sessions": *discovery.sessions(),
    })))
}
