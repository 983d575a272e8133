//! HTTP routes: the UI, health, and the WebSocket upgrade on both ports.
//!
//! Every request on either port passes [`guard`] first: the `Host` it was
//! addressed to, the `Origin` and body type of anything that changes state,
//! and the security headers of every answer.

mod assets;
mod board;
mod clip;
mod common;
mod enhance;
mod error;
mod gate;
mod guard;
mod history;
mod images;
mod jobs;
mod limits;
mod names;
mod nearby;
mod panel;
mod storyboard;
mod timelapse;
mod video;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, patch, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

pub use error::{disk_full, ApiError};

use crate::auth::{origin_allowed, Gate, Refusal};
use crate::discovery::DiscoveryHandle;
use crate::jobs::kinds::enhance::Enhancer;
use crate::jobs::kinds::timelapse::TimelapseMaker;
use crate::jobs::kinds::video::VideoMaker;
use crate::jobs::Jobs;
use crate::media::pictures::Pictures;
use crate::media::uploads::Uploads;
use crate::protocol::ErrorCode;
use crate::room::{Author, Rooms};
use crate::session::{Session, SOCKET_MESSAGE_CAP, SOCKET_READ_BUFFER, SOCKET_WRITE_BUFFER};
use crate::socket::upgrade::NotAnUpgrade;
use crate::socket::Upgrade;
use crate::storyboard::Storyboards;
use names::HostNames;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

/// Everything a request handler may need. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// The host's parts, and what the API keeps of its own.
struct Inner {
    parts: AppParts,
    /// Who may address this host by name (the `Host` check).
    names: HostNames,
    started: Instant,
    next_conn: AtomicU64,
    /// Uploads in progress, per host and per address.
    uploads: Uploads,
}

/// Handlers read the host's parts as fields of the state
/// (`state.inner.rooms`): the parts are listed once, in [`AppParts`].
impl std::ops::Deref for Inner {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.parts
    }
}

/// What the state is built from: the host's parts the routes use.
pub struct AppParts {
    pub rooms: Rooms,
    pub gate: Gate,
    /// Uploads at `/img/NAME`, finished pictures at `/enhanced_drawings/NAME`.
    pub pictures: Pictures,
    pub jobs: Jobs,
    pub enhancer: Enhancer,
    pub storyboards: Storyboards,
    /// Video jobs and the rendered files, served at `/videos/NAME`.
    pub videos: VideoMaker,
    /// Timelapses of rooms' history, kept with the videos.
    pub timelapses: TimelapseMaker,
    pub discovery: DiscoveryHandle,
    pub name: String,
    pub http_addr: SocketAddr,
    pub ws_port: u16,
    pub shutdown: CancellationToken,
    pub sessions: TaskTracker,
}

impl AppState {
    pub fn new(parts: AppParts) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                names: HostNames::new(parts.discovery.mdns_host()),
                parts,
                started: Instant::now(),
                next_conn: AtomicU64::new(1),
                uploads: Uploads::default(),
            }),
        }
    }
}

/// The main port: UI, API and `/ws`.
pub fn http_router(state: AppState) -> Router {
    Router::new()
        .route("/api/health", get(health))
        .route("/api/ping", get(ping))
        .route("/api/session", get(panel::session))
        .route("/api/discovery", get(nearby::discovery))
        .route("/api/host/info", get(panel::info))
        .route("/api/host/kick", post(panel::kick))
        .route("/api/host/present", post(panel::present))
        .route("/api/host/lock", post(panel::lock))
        .route("/api/host/open", post(panel::set_open))
        .route("/api/host/rotate-code", post(panel::rotate_code))
        .route("/api/host/gemini-key", post(panel::set_gemini_key))
        .route(
            "/api/save-image",
            post(images::save).layer(DefaultBodyLimit::max(images::MAX_BODY_BYTES)),
        )
        .route("/img/{name}", get(images::get))
        .route("/enhanced_drawings/{name}", get(enhance::get_enhanced))
        .route("/api/enhance-image", post(enhance::submit))
        .route("/api/enhancement-status/{id}", get(enhance::status))
        .route("/api/ai/status", get(enhance::ai_status))
        .route("/api/limits", get(limits::limits))
        .route("/api/jobs", get(jobs::list))
        .route("/api/jobs/{id}", get(jobs::get))
        .route("/api/jobs/{id}/cancel", post(jobs::cancel))
        .route(
            "/api/storyboards",
            get(storyboard::list).post(storyboard::create),
        )
        .route(
            "/api/storyboards/{id}",
            get(storyboard::get)
                .patch(storyboard::update)
                .delete(storyboard::delete),
        )
        .route("/api/storyboards/{id}/frames", post(storyboard::add_frame))
        .route(
            "/api/storyboards/{id}/frames/{frame}",
            patch(storyboard::update_frame).delete(storyboard::remove_frame),
        )
        .route("/api/storyboards/{id}/order", post(storyboard::reorder))
        .route("/api/storyboards/{id}/clear", post(storyboard::clear))
        .route("/api/storyboard", get(storyboard::compat_get))
        .route("/api/storyboard/add", post(storyboard::compat_add))
        .route("/api/storyboard/delete", post(storyboard::compat_delete))
        .route("/api/storyboard/clear", post(storyboard::compat_clear))
        .route("/api/generate-video", post(video::generate))
        .route("/api/video-status/{id}", get(video::status))
        .route("/videos/{name}", get(video::get_video))
        .route("/api/rooms/{room}/board", get(board::board))
        .route("/api/rooms/{room}/history", get(history::range))
        .route("/api/rooms/{room}/history/board", get(history::board))
        .route("/api/rooms/{room}/history/shape/{id}", get(history::shape))
        .route(
            "/api/rooms/{room}/checkpoints",
            get(history::checkpoints).post(history::create_checkpoint),
        )
        .route("/api/rooms/{room}/timelapse", post(timelapse::start))
        .route(
            "/api/rooms/{room}/checkpoints/{id}/thumb.png",
            get(history::thumb),
        )
        .route("/api/{*rest}", any(not_found))
        .route("/ws", get(upgrade))
        .fallback(get(assets::serve))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::check,
        ))
        .with_state(state)
}

/// The compatibility port: a WebSocket on any path, as the existing client expects.
pub fn ws_router(state: AppState) -> Router {
    Router::new()
        .fallback(get(upgrade))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::check,
        ))
        .with_state(state)
}

/// Whether the host is up and can save: `200` with `status: "ok"`, or `503`
/// with `status: "storage_failed"`, the reason and what to do, while writes
/// fail (a full disk). The rest of the answer is the same either way.
async fn health(State(state): State<AppState>) -> (StatusCode, Json<serde_json::Value>) {
    let s = &state.inner;
    let (rooms, people) = s.rooms.summary();
    let fault = s.rooms.storage().fault();
    let status = if fault.is_some() {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    let storage = match &fault {
        None => json!({ "ok": true }),
        Some(f) => json!({
            "ok": false,
            "code": ErrorCode::StorageFailed.as_str(),
            "message": f.message(),
            "reason": f.reason,
            "diskFull": f.disk_full,
            "restartNeeded": f.restart_needed,
            "sinceMs": f.since.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64),
        }),
    };
    let body = Json(json!({
        "status": if fault.is_some() { "storage_failed" } else { "ok" },
        "storage": storage,
        "version": crate::VERSION,
        "name": s.name,
        "rooms": rooms,
        "people": people,
        "codeRequired": s.gate.code_required(),
        "httpPort": s.http_addr.port(),
        "wsPort": s.ws_port,
        "uptimeMs": s.started.elapsed().as_millis() as u64,
        // The TXT `id` this session announces (null without mDNS): lets a
        // browser that found a record check that this is the session it names.
        "instanceId": s.discovery.instance_id(),
    }));
    (status, body)
}

async fn ping() -> Json<serde_json::Value> {
    Json(json!({ "message": "pong" }))
}

async fn not_found() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "there is nothing at this address",
    )
}

#[derive(Deserialize)]
struct WsQuery {
    room: Option<String>,
    code: Option<String>,
    /// The admin secret: the host's own page (a browser's socket cannot
    /// send the header). Wrong or absent: an ordinary seat.
    admin: Option<String>,
}

/// Checks origin, join code and room name, then hands the socket to a session.
async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<WsQuery>,
    headers: HeaderMap,
    ws: Result<Upgrade, NotAnUpgrade>,
) -> Response {
    let s = &state.inner;
    if !origin_allowed(&headers, s.http_addr.port()) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ForbiddenOrigin.as_str(),
            "pages from other web sites may not connect to this CoCo host",
        )
        .into_response();
    }
    if let Err(refusal) = s.gate.admit(peer.ip(), query.code.as_deref()) {
        return refused(refusal).into_response();
    }
    let room = match common::room_or_default(query.room) {
        Ok(room) => room,
        Err(e) => return e.into_response(),
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(rejection) => {
            return ApiError::new(
                StatusCode::UPGRADE_REQUIRED,
                "websocket_required",
                &format!("this address speaks the CoCo WebSocket protocol: {rejection}"),
            )
            .into_response()
        }
    };
    let session = Session {
        rooms: s.rooms.clone(),
        nearby: s.discovery.clone(),
        room,
        conn_id: s.next_conn.fetch_add(1, Ordering::Relaxed),
        peer: peer.ip(),
        shutdown: s.shutdown.clone(),
        author: if s.gate.is_admin(peer.ip(), query.admin.as_deref()) {
            Author::Host
        } else {
            Author::Peer
        },
    };
    let tracker = s.sessions.clone();
    let config = WebSocketConfig::default()
        .max_message_size(Some(SOCKET_MESSAGE_CAP))
        .max_frame_size(Some(SOCKET_MESSAGE_CAP))
        .read_buffer_size(SOCKET_READ_BUFFER)
        .write_buffer_size(SOCKET_WRITE_BUFFER);
    ws.on_upgrade(config, move |socket, deflate| {
        tracker.track_future(session.run(socket, deflate))
    })
}

/// The HTTP answer to a peer that may not join.
pub fn refused(refusal: Refusal) -> ApiError {
    match refusal {
        Refusal::Unauthorized => ApiError::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized.as_str(),
            "this session needs its join code: use the join link or QR code shown on the host",
        ),
        Refusal::Throttled(wait) => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::RateLimited.as_str(),
            &format!(
                "too many wrong join codes from this device; try again in {} s",
                wait.as_secs().max(1)
            ),
        )
        .retry_after(wait),
    }
}
