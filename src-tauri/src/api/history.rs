//! History routes: a room's timeline (entries and marks), the board at a
//! past moment, a deleted shape's last state, and checkpoints with their
//! thumbnails. Behind the join gate like every data route; reads go to the
//! database off the async threads. See "History" in `docs/PROTOCOL.md`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{json, Value};

use super::common::{blocking, loaded_room, parse_body, room_or_default};
use super::gate::Admitted;
use super::{ApiError, AppState};
use crate::protocol::limits::MAX_ID_BYTES;
use crate::room::{CheckpointRefusal, MAX_CHECKPOINTS_PER_ROOM, MAX_CHECKPOINT_NAME_CHARS};
use crate::store::history::Checkpoint;
use crate::store::{HistoryState, Store, StoredEntry};

/// Most entries in one page of `GET …/history`.
pub const MAX_HISTORY_PAGE: usize = 1_000;
/// Most marks (join, leave, checkpoint) in one answer: the newest are kept.
pub const MAX_HISTORY_MARKS: usize = 2_000;
/// Widest `to - from` one request may scan.
pub const MAX_HISTORY_RANGE: u64 = 100_000;
/// Longer side of a checkpoint thumbnail, in pixels.
pub const THUMB_SIZE: u32 = 256;

#[derive(Deserialize, Default)]
pub struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
    limit: Option<String>,
    shapes: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct BoardQuery {
    rev: Option<String>,
    at: Option<String>,
}

#[derive(Deserialize, Default)]
struct NewCheckpoint {
    name: Option<String>,
    #[serde(rename = "userId")]
    user_id: Option<String>,
}

fn number(name: &str, value: Option<&str>) -> Result<Option<u64>, ApiError> {
    value
        .map(|v| {
            v.trim().parse::<u64>().map_err(|_| {
                ApiError::invalid(&format!("{name} must be a whole number of 0 or more"))
            })
        })
        .transpose()
}

fn not_kept() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_kept",
        "the host no longer keeps that moment of this room's history",
    )
}

fn history_off() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "history_off",
        "this host keeps no history (it runs with --history-budget-mb 0)",
    )
}

/// The room named in the path, checked, and its history on disk.
async fn history_of(
    state: &AppState,
    room: String,
) -> Result<(String, Store, Option<HistoryState>), ApiError> {
    let room = room_or_default(Some(room))?;
    let rooms = &state.inner.rooms;
    if rooms.history_budget() == 0 {
        return Err(history_off());
    }
    let store = rooms.store().clone();
    let (name, s) = (room.clone(), store.clone());
    let history = blocking(move || s.history_state(&name))
        .await?
        .map_err(|e| storage_read(&e))?;
    Ok((room, store, history))
}

fn storage_read(e: &crate::store::StoreError) -> ApiError {
    tracing::error!("reading history failed: {e}");
    ApiError::internal()
}

fn entry_json(e: &StoredEntry, with_shapes: bool) -> Value {
    let mut v = json!({
        "rev": e.rev,
        "seq": e.seq,
        "t": e.t,
        "kind": e.kind.as_str(),
    });
    let o = v.as_object_mut().expect("an object");
    if !e.user_id.is_empty() {
        o.insert("userId".into(), e.user_id.clone().into());
        o.insert("name".into(), e.name.clone().into());
        if !e.seat.is_empty() {
            o.insert("seat".into(), e.seat.clone().into());
        }
    }
    if !e.shapes.is_empty() {
        let ids: Vec<&str> = e.shapes.iter().map(|(id, _)| id.as_str()).collect();
        o.insert("shapeIds".into(), json!(ids));
    }
    if with_shapes && e.kind.is_change() {
        let shapes: Vec<Value> = e
            .shapes
            .iter()
            .filter_map(|(_, j)| serde_json::from_str(j).ok())
            .collect();
        o.insert("shapes".into(), Value::Array(shapes));
    }
    if let Some(r) = e.restore {
        o.insert("restore".into(), r.into());
    }
    if let Some((id, name)) = &e.checkpoint {
        o.insert(
            "checkpoint".into(),
            json!({"id": format!("cp-{id}"), "name": name}),
        );
    }
    v
}

/// `GET /api/rooms/{room}/history?from=&to=&limit=&shapes=`.
pub async fn range(
    State(state): State<AppState>,
    Path(room): Path<String>,
    _: Admitted,
    Query(q): Query<RangeQuery>,
) -> Result<Json<Value>, ApiError> {
    let (from, to) = (
        number("from", q.from.as_deref())?,
        number("to", q.to.as_deref())?,
    );
    let limit = number("limit", q.limit.as_deref())?
        .map_or(MAX_HISTORY_PAGE, |l| (l as usize).min(MAX_HISTORY_PAGE));
    let with_shapes = matches!(q.shapes.as_deref(), Some("1" | "true"));
    let (room, store, history) = history_of(&state, room).await?;
    let Some(history) = history else {
        let (name, s) = (room.clone(), store.clone());
        let rev = blocking(move || s.board_rev(&name))
            .await?
            .map_err(|e| storage_read(&e))?;
        return Ok(Json(json!({
            "success": true, "room": room, "entries": [], "marks": [],
            "range": {"firstRev": rev, "currentRev": rev, "firstTime": null,
                      "lastTime": null, "keyframes": [], "thinnedBefore": rev},
        })));
    };
    let meta = history.meta;
    let (from, to) = (from.unwrap_or(meta.first_rev), to.unwrap_or(meta.last_rev));
    if from > to {
        return Err(ApiError::invalid("from must not be after to"));
    }
    if to - from > MAX_HISTORY_RANGE {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "range_too_large",
            &format!("ask for at most {MAX_HISTORY_RANGE} revisions at once (to - from)"),
        ));
    }
    let (from, to) = (from.max(meta.first_rev), to.min(meta.last_rev));
    let name = room.clone();
    let page = blocking(move || {
        store.history_page(&name, (from, to), limit, MAX_HISTORY_MARKS, with_shapes)
    })
    .await?
    .map_err(|e| storage_read(&e))?;
    let first_t = history.closed.first().unwrap_or(&meta.current).kf_t;
    let mut body = json!({
        "success": true,
        "room": room,
        "range": {
            "firstRev": meta.first_rev,
            "currentRev": meta.last_rev,
            "firstTime": first_t,
            "lastTime": meta.last_t,
            "keyframes": history.keyframes(),
            "thinnedBefore": meta.thinned_before,
        },
        "entries": page.entries.iter().map(|e| entry_json(e, with_shapes)).collect::<Vec<_>>(),
        "marks": page.marks.iter().map(|e| entry_json(e, false)).collect::<Vec<_>>(),
    });
    if let Some(next) = page.next {
        body["next"] = next.into();
    }
    Ok(Json(body))
}

/// `GET /api/rooms/{room}/history/board?rev=N` (or `?at=MS`): the board's
/// shapes are spliced in as stored, never parsed.
pub async fn board(
    State(state): State<AppState>,
    Path(room): Path<String>,
    _: Admitted,
    Query(q): Query<BoardQuery>,
) -> Result<Response, ApiError> {
    let (rev, at) = (
        number("rev", q.rev.as_deref())?,
        number("at", q.at.as_deref())?,
    );
    if rev.is_some() == at.is_some() {
        return Err(ApiError::invalid("give either rev or at"));
    }
    let (room, store, history) = history_of(&state, room).await?;
    let history = history.ok_or_else(not_kept)?;
    if rev.is_some_and(|r| r > history.meta.last_rev) {
        return Err(ApiError::invalid(&format!(
            "rev is past this room's current revision, {}",
            history.meta.last_rev
        )));
    }
    let name = room.clone();
    let past = blocking(move || {
        let rev = match (rev, at) {
            (Some(rev), _) => Some(rev),
            (None, Some(at)) => store.history_rev_at(&name, &history, at)?,
            _ => None,
        };
        match rev {
            Some(rev) => store.history_board(&name, &history, rev),
            None => Ok(None),
        }
    })
    .await?
    .map_err(|e| storage_read(&e))?
    .ok_or_else(not_kept)?;
    let mut body = format!(
        r#"{{"success":true,"room":{},"rev":{},"t":{},"exact":{},"shapes":["#,
        Value::from(room),
        past.rev,
        past.t,
        past.exact
    );
    body.reserve(past.shapes.iter().map(|s| s.len() + 1).sum());
    for (i, shape) in past.shapes.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(shape);
    }
    body.push_str("]}");
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `GET /api/rooms/{room}/history/shape/{id}`: a shape's last state.
pub async fn shape(
    State(state): State<AppState>,
    Path((room, id)): Path<(String, String)>,
    _: Admitted,
) -> Result<Json<Value>, ApiError> {
    if id.is_empty() || id.len() > MAX_ID_BYTES {
        return Err(ApiError::invalid(&format!(
            "a shape id is 1 to {MAX_ID_BYTES} bytes"
        )));
    }
    let (room, store, _) = history_of(&state, room).await?;
    // A shape on the board is answered from the room: the history holds
    // it too, but finding its last entry would mean a replay.
    let live = loaded_room(&state.inner.rooms, &room).await?;
    if let Some((rev, json)) = live.live_shape(&id) {
        let shape = RawValue::from_string(json.to_string()).map_err(|_| ApiError::internal())?;
        return Ok(Json(json!({
            "success": true, "room": room, "shapeId": id, "rev": rev,
            "t": 0, "deleted": false, "shape": shape,
        })));
    }
    let (name, sid) = (room.clone(), id.clone());
    let last = blocking(move || store.history_shape(&name, &sid))
        .await?
        .map_err(|e| storage_read(&e))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_found",
                "the kept history of this room never saw that shape",
            )
        })?;
    let shape = RawValue::from_string(last.json).map_err(|_| ApiError::internal())?;
    let mut body = json!({
        "success": true, "room": room, "shapeId": id, "rev": last.rev,
        "t": last.t, "deleted": last.deleted, "shape": shape,
    });
    if !last.user_id.is_empty() {
        body["userId"] = last.user_id.into();
        body["name"] = last.name.into();
    }
    Ok(Json(body))
}

fn checkpoint_json(c: &Checkpoint) -> Value {
    let mut v = json!({
        "id": format!("cp-{}", c.id), "rev": c.rev, "t": c.t,
        "name": c.name, "auto": c.auto,
    });
    if !c.user_id.is_empty() {
        v["userId"] = c.user_id.clone().into();
    }
    v
}

/// `GET /api/rooms/{room}/checkpoints`.
pub async fn checkpoints(
    State(state): State<AppState>,
    Path(room): Path<String>,
    _: Admitted,
) -> Result<Json<Value>, ApiError> {
    let (room, store, _) = history_of(&state, room).await?;
    let name = room.clone();
    let list = blocking(move || store.checkpoints(&name))
        .await?
        .map_err(|e| storage_read(&e))?;
    Ok(Json(json!({
        "success": true, "room": room,
        "checkpoints": list.iter().map(checkpoint_json).collect::<Vec<_>>(),
    })))
}

/// `POST /api/rooms/{room}/checkpoints {name, userId?}`: answered once the
/// checkpoint is on disk.
pub async fn create_checkpoint(
    State(state): State<AppState>,
    Path(room): Path<String>,
    _: Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: NewCheckpoint = parse_body(&body, "{name, userId?}")?;
    let name = body.name.unwrap_or_default().trim().to_string();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_CHECKPOINT_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::invalid(&format!(
            "a checkpoint name is 1 to {MAX_CHECKPOINT_NAME_CHARS} characters, without control characters"
        )));
    }
    if body
        .user_id
        .as_ref()
        .is_some_and(|u| u.len() > MAX_ID_BYTES)
    {
        return Err(ApiError::invalid(&format!(
            "userId is at most {MAX_ID_BYTES} bytes"
        )));
    }
    let room = room_or_default(Some(room))?;
    let rooms = &state.inner.rooms;
    let loaded = loaded_room(rooms, &room).await?;
    let (checkpoint, done) = match loaded.checkpoint(name, body.user_id.as_deref()) {
        Ok(made) => made,
        Err(CheckpointRefusal::Off) => return Err(history_off()),
        Err(CheckpointRefusal::Limit) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "limit_reached",
                &format!("a room keeps at most {MAX_CHECKPOINTS_PER_ROOM} checkpoints"),
            ))
        }
        Err(CheckpointRefusal::Storage(e)) => {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                e.code.as_str(),
                &e.message,
            ))
        }
    };
    let _ = done.await;
    if let Some(fault) = rooms.storage().fault() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            crate::protocol::ErrorCode::StorageFailed.as_str(),
            &fault.message(),
        ));
    }
    Ok(Json(
        json!({"success": true, "checkpoint": checkpoint_json(&checkpoint)}),
    ))
}

/// `GET /api/rooms/{room}/checkpoints/{id}/thumb.png`.
pub async fn thumb(
    State(state): State<AppState>,
    Path((room, id)): Path<(String, String)>,
    _: Admitted,
) -> Result<Response, ApiError> {
    let unknown = || ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such checkpoint");
    let id: u64 = id
        .strip_prefix("cp-")
        .and_then(|n| n.parse().ok())
        .ok_or_else(unknown)?;
    let (room, store, history) = history_of(&state, room).await?;
    let history = history.ok_or_else(unknown)?;
    let png = blocking(
        move || -> Result<Option<Option<Vec<u8>>>, crate::store::StoreError> {
            let Some(c) = store.checkpoints(&room)?.into_iter().find(|c| c.id == id) else {
                return Ok(None);
            };
            let Some(board) = store.history_board(&room, &history, c.rev)? else {
                return Ok(Some(None));
            };
            Ok(Some(Some(crate::media::thumb::render_png(
                &board.shapes,
                THUMB_SIZE,
            ))))
        },
    )
    .await?
    .map_err(|e| storage_read(&e))?
    .ok_or_else(unknown)?
    .ok_or_else(not_kept)?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}
