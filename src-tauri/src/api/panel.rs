//! The join screen's session check and the host panel.
//!
//! `/api/session` applies the same gate as the WebSocket, so the join screen
//! can tell "wrong code" from "host unreachable" before opening a socket (a
//! browser never sees the HTTP status of a refused WebSocket upgrade). The
//! `/api/host/*` routes change who may join; only the host may call them:
//! from this machine *and* with the admin secret (the `x-coco-admin` header)
//! that the desktop window and the printed admin link carry. Any other page
//! on this machine is an ordinary seat.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{blocking, json_body, room_or_default};
use super::{refused, ApiError, AppState};
use crate::ai::slot::KeyError;
use crate::auth::{is_loopback, ADMIN_HEADER};
use crate::discovery::join_url;
use crate::protocol::limits::{MAX_WATCHERS_PER_ROOM, SEATS_PER_ROOM};
use crate::protocol::valid_room_name;
use crate::room::{Room, DEFAULT_ROOM};

#[derive(Deserialize)]
pub struct SessionQuery {
    room: Option<String>,
    code: Option<String>,
}

/// `GET /api/session?room=&code=` (the code also as `x-coco-code`): whether
/// this peer may join, and who is seated in the room (for the seat picker).
pub async fn session(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<SessionQuery>,
) -> Result<Json<Value>, ApiError> {
    let s = &state.inner;
    let code = super::gate::sent_code(query.code.as_deref(), &headers);
    s.gate.admit(peer.ip(), code).map_err(refused)?;
    let room = room_or_default(query.room)?;
    let found = s.rooms.find(&room);
    let users = found
        .as_ref()
        .map(|r| r.describe_members())
        .unwrap_or_default();
    let watchers = found.map_or(0, |r| r.watcher_count());
    Ok(Json(json!({
        "name": s.name,
        "version": crate::VERSION,
        "room": room,
        "users": users,
        "seatsFree": SEATS_PER_ROOM - users.len(),
        // People watching from beyond the seats, and places left for more.
        "watchers": watchers,
        "watchersFree": MAX_WATCHERS_PER_ROOM - watchers,
        "codeRequired": s.gate.code_required(),
        "isHost": s.gate.is_admin(peer.ip(), admin_header(&headers)),
    })))
}

fn admin_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(ADMIN_HEADER).and_then(|v| v.to_str().ok())
}

/// Lets the host's own requests through: from this machine, with the admin secret.
fn host_only(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> Result<(), ApiError> {
    if state.inner.gate.is_admin(peer.ip(), admin_header(headers)) {
        return Ok(());
    }
    let message = if is_loopback(peer.ip()) {
        "only the host can do this: open the admin link the host printed, or use the CoCo window"
    } else {
        "only the computer running CoCo can do this"
    };
    Err(ApiError::new(StatusCode::FORBIDDEN, "host_only", message))
}

/// `GET /api/host/info`: the join URL, the code, and every seated person.
pub async fn info(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<InfoQuery>,
) -> Result<Json<Value>, ApiError> {
    host_only(&state, peer, &headers)?;
    let s = &state.inner;
    let room = query
        .room
        .filter(|r| valid_room_name(r))
        .unwrap_or_else(|| DEFAULT_ROOM.to_string());
    let join_url = join_url(s.http_addr, s.gate.required_code().as_deref());
    let local_url = format!("http://127.0.0.1:{}/", s.http_addr.port());
    // The link people scan or copy: this room, with the code in force.
    let code = s.gate.code_required().then(|| s.gate.code().to_string());
    let link = room_link(
        join_url.as_deref().unwrap_or(&local_url),
        &room,
        code.as_deref(),
    );
    let rooms: Vec<Value> = s
        .rooms
        .loaded()
        .into_iter()
        .map(|room| json!({ "room": room.name(), "users": room.describe_members() }))
        .filter(|r| r["users"].as_array().is_some_and(|u| !u.is_empty()))
        .collect();
    Ok(Json(json!({
        "name": s.name,
        "code": &*s.gate.code(),
        "codeRequired": s.gate.code_required(),
        "joinUrl": join_url,
        "localUrl": local_url,
        "link": link,
        "qrSvg": qr_svg(&link),
        "rooms": rooms,
    })))
}

#[derive(Deserialize)]
pub struct InfoQuery {
    room: Option<String>,
}

/// `base` for `room` (the default room needs no parameter), with `code`.
fn room_link(base: &str, room: &str, code: Option<&str>) -> String {
    let mut params = Vec::new();
    if room != DEFAULT_ROOM {
        params.push(format!("room={room}"));
    }
    if let Some(code) = code {
        params.push(format!("code={code}"));
    }
    if params.is_empty() {
        return base.to_string();
    }
    let sep = if base.contains('?') { '&' } else { '?' };
    format!("{base}{sep}{}", params.join("&"))
}

/// The link as a QR code, an SVG document (dark modules on white, a quiet
/// zone around), or None when it is too long for one.
fn qr_svg(link: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(link, qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(180, 180)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .quiet_zone(true)
            .build(),
    )
}

/// `{room, userId}`: the person a host action is about.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersonBody {
    room: String,
    user_id: String,
}

/// A host action on one person of one room: host-only (the admin secret
/// from this machine), and `404` when `act` finds nobody by that id there.
fn on_person(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
    body: Result<Json<PersonBody>, axum::extract::rejection::JsonRejection>,
    act: impl FnOnce(&Room, &str) -> bool,
) -> Result<Json<Value>, ApiError> {
    host_only(state, peer, headers)?;
    let body = json_body(body, "{room, userId}")?;
    let done = state
        .inner
        .rooms
        .find(&body.room)
        .is_some_and(|room| act(&room, &body.user_id));
    if !done {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "nobody with that id is in that room",
        ));
    }
    Ok(Json(json!({ "success": true })))
}

/// `POST /api/host/kick {room, userId}`: removes a participant, who may
/// not join again under that id while the host runs.
pub async fn kick(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<PersonBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    on_person(&state, peer, &headers, body, Room::kick)
}

/// `POST /api/host/present {room, userId}`: "bring everyone to me". The
/// room sends `PRESENT {userId}` to everyone in it, and each page follows
/// that person's view until its own person moves. Host-only like removal:
/// the admin secret from this machine, so no LAN peer can move everyone's
/// view. `userId` is the host page's own seat (its page knows it); 404 when
/// nobody by that id is in the room.
pub async fn present(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<PersonBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    on_person(&state, peer, &headers, body, Room::present)
}

#[derive(Deserialize)]
pub struct LockBody {
    room: String,
    locked: bool,
}

/// `POST /api/host/lock {room, locked}`: the host locks the board (the
/// others look and point, and their changes are refused with `locked`) or
/// unlocks it. Everyone in the room is told (`LOCK`); the lock is kept with
/// the room, so it holds after a restart of the host. A room nobody is in
/// is loaded to be locked.
pub async fn lock(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<LockBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    host_only(&state, peer, &headers)?;
    let body = json_body(body, "{room, locked: true|false}")?;
    let room = room_or_default(Some(body.room))?;
    loop {
        let loaded = state.inner.rooms.get(&room).await.map_err(|e| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                &e.to_string(),
            )
        })?;
        if loaded.set_locked(body.locked).is_some() {
            return Ok(Json(
                json!({ "success": true, "room": room, "locked": body.locked }),
            ));
        }
    }
}

#[derive(Deserialize)]
pub struct OpenBody {
    open: bool,
}

/// `POST /api/host/open {open}`: lets LAN peers in without the code, or not.
pub async fn set_open(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<OpenBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    host_only(&state, peer, &headers)?;
    let body = json_body(body, "{open: true|false}")?;
    state.inner.gate.set_open(body.open);
    // The LAN announcement says whether a code is needed.
    state.inner.discovery.refresh();
    Ok(Json(json!({ "success": true, "open": body.open })))
}

#[derive(serde::Deserialize)]
pub struct GeminiKeyBody {
    key: String,
}

/// `POST /api/host/gemini-key {key}`: the host's person gives CoCo a Gemini
/// key from the panel. Used from the next job on, kept in the config file
/// (readable by the host's user only) for the next start; never sent back,
/// never logged.
pub async fn set_gemini_key(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<GeminiKeyBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    host_only(&state, peer, &headers)?;
    let body = json_body(body, "{key: \"the Gemini API key\"}")?;
    let slot = state.inner.enhancer.slot().clone();
    let set = blocking(move || slot.set_key(&body.key)).await?;
    let (saved, note) = match set {
        Ok(()) => (true, None),
        Err(KeyError::Invalid(why)) => {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_key", &why))
        }
        Err(e @ KeyError::NotSaved(_)) => (false, Some(e.to_string())),
    };
    let status = state.inner.enhancer.status();
    Ok(Json(json!({
        "success": true,
        "saved": saved,
        "note": note,
        "gemini": status["gemini"],
    })))
}

/// `POST /api/host/rotate-code {}`: a new join code. Everyone seated stays;
/// the old code (its link, its QR code) is refused from now on.
pub async fn rotate_code(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    host_only(&state, peer, &headers)?;
    let s = &state.inner;
    let code = s.gate.rotate_code().map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "io_error",
            &format!("the new code could not be stored, so the old one stays: {e}"),
        )
    })?;
    // The record never carries the code, but a re-announcement tells
    // browsers the session changed.
    s.discovery.refresh();
    Ok(Json(json!({
        "success": true,
        "code": &*code,
        "joinUrl": join_url(s.http_addr, s.gate.required_code().as_deref()),
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_room_link_carries_the_room_and_the_code() {
        let base = "http://192.168.1.20:5001/";
        assert_eq!(room_link(base, DEFAULT_ROOM, None), base);
        assert_eq!(
            room_link(base, DEFAULT_ROOM, Some("K7PX3M")),
            "http://192.168.1.20:5001/?code=K7PX3M"
        );
        assert_eq!(
            room_link(base, "art", Some("K7PX3M")),
            "http://192.168.1.20:5001/?room=art&code=K7PX3M"
        );
        let svg = qr_svg(&room_link(base, &"r".repeat(64), Some("K7PX3M"))).unwrap();
        assert!(svg.starts_with("<?xml") && svg.contains("<svg"), "{svg}");
        assert!(
            qr_svg(&"x".repeat(3_000)).is_none(),
            "too long for a QR code"
        );
    }
}
