//! Storyboard routes: the resource API (`/api/storyboards/...`) and the
//! existing client's routes (`/api/storyboard/...`), which act on the
//! room's default storyboard. Every change reaches the room as
//! `STORYBOARD_UPDATED` (or `STORYBOARD_DELETED`) through the store's sink.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{blocking, parse_body, room_of};
use super::gate::Admitted;
use super::{ApiError, AppState};
use crate::storyboard::{
    FramePatch, NewFrame, Storyboard, StoryboardError, StoryboardPatch, Storyboards,
};

/// Runs a storyboard operation off the async threads (it flushes to disk).
pub(super) async fn boards<T: Send + 'static>(
    state: &AppState,
    op: impl FnOnce(&Storyboards) -> Result<T, StoryboardError> + Send + 'static,
) -> Result<T, ApiError> {
    let boards = state.inner.storyboards.clone();
    blocking(move || op(&boards)).await?.map_err(board_error)
}

pub(super) fn board_error(e: StoryboardError) -> ApiError {
    let status = match &e {
        StoryboardError::NotFound
        | StoryboardError::FrameNotFound
        | StoryboardError::ImageNotFound(_) => StatusCode::NOT_FOUND,
        StoryboardError::Invalid(_)
        | StoryboardError::TooLong(_)
        | StoryboardError::BadDuration(_) => StatusCode::BAD_REQUEST,
        StoryboardError::LimitReached(_) => StatusCode::CONFLICT,
        StoryboardError::Storage(e) => return super::error::storage(e),
    };
    ApiError::new(status, e.code(), &e.to_string())
}

fn one(board: Storyboard) -> Json<Value> {
    Json(json!({ "success": true, "storyboard": board }))
}

pub async fn list(
    State(state): State<AppState>,
    Admitted(query): Admitted,
) -> Result<Json<Value>, ApiError> {
    let room = room_of(None, &query)?;
    let boards = boards(&state, move |b| b.list(&room)).await?;
    Ok(Json(json!({ "success": true, "storyboards": boards })))
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Create {
    room: Option<String>,
    name: Option<String>,
}

pub async fn create(
    State(state): State<AppState>,
    Admitted(query): Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: Create = parse_body(&body, "{room?, name?}")?;
    let room = room_of(body.room, &query)?;
    let board = boards(&state, move |b| b.create(&room, body.name.as_deref())).await?;
    Ok(one(board))
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Admitted,
) -> Result<Json<Value>, ApiError> {
    Ok(one(boards(&state, move |b| b.get(&id)).await?))
}

pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let patch: StoryboardPatch = parse_body(&body, "{name?, title?}")?;
    Ok(one(boards(&state, move |b| b.update(&id, patch)).await?))
}

pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Admitted,
) -> Result<Json<Value>, ApiError> {
    boards(&state, move |b| b.delete(&id)).await?;
    Ok(Json(json!({ "success": true })))
}

pub async fn add_frame(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let new: NewFrame = parse_body(
        &body,
        "{image: \"/img/NAME\" | clip: {room?, fromRev?, toRev?, utcOffsetMinutes?}, caption?, durationMs?, motion?, transition?, index?}",
    )?;
    if new.clip.is_some() {
        return super::clip::add(&state, id, new).await;
    }
    let (board, frame) = boards(&state, move |b| b.add_frame(&id, new)).await?;
    Ok(Json(
        json!({ "success": true, "storyboard": board, "frame": frame }),
    ))
}

pub async fn update_frame(
    State(state): State<AppState>,
    Path((id, frame_id)): Path<(String, String)>,
    _: Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let patch: FramePatch = parse_body(&body, "{caption?, durationMs?, motion?, transition?}")?;
    let board = boards(&state, move |b| b.update_frame(&id, &frame_id, patch)).await?;
    Ok(one(board))
}

pub async fn remove_frame(
    State(state): State<AppState>,
    Path((id, frame_id)): Path<(String, String)>,
    _: Admitted,
) -> Result<Json<Value>, ApiError> {
    let board = boards(&state, move |b| b.remove_frame(&id, &frame_id)).await?;
    Ok(one(board))
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Order {
    frame_ids: Vec<String>,
}

pub async fn reorder(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let order: Order = parse_body(&body, "{frameIds: [...]}")?;
    let board = boards(&state, move |b| b.reorder(&id, &order.frame_ids)).await?;
    Ok(one(board))
}

pub async fn clear(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Admitted,
) -> Result<Json<Value>, ApiError> {
    Ok(one(boards(&state, move |b| b.clear(&id)).await?))
}

/// The existing client's view: `{images: [{path, filename, ...}], count}`.
fn compat_view(board: &Storyboard) -> Value {
    let images: Vec<Value> = board
        .frames
        .iter()
        .map(|f| {
            json!({
                "id": f.id,
                "path": f.image,
                "filename": f.image.rsplit('/').next().unwrap_or_default(),
                "width": f.width,
                "height": f.height,
                "caption": f.caption,
                "durationMs": f.duration_ms,
            })
        })
        .collect();
    json!({ "id": board.id, "images": images, "count": board.frames.len() })
}

pub async fn compat_get(
    State(state): State<AppState>,
    Admitted(query): Admitted,
) -> Result<Json<Value>, ApiError> {
    let room = room_of(None, &query)?;
    let board = boards(&state, move |b| b.default_for(&room)).await?;
    Ok(Json(
        json!({ "success": true, "storyboard": compat_view(&board) }),
    ))
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompatImage {
    image_path: String,
    image_index: Option<usize>,
    room: Option<String>,
}

pub async fn compat_add(
    State(state): State<AppState>,
    Admitted(query): Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: CompatImage = parse_body(&body, "{imagePath: \"/img/NAME\"}")?;
    let room = room_of(body.room, &query)?;
    let (board, duplicate) =
        boards(&state, move |b| b.add_to_default(&room, &body.image_path)).await?;
    let message = if duplicate {
        "this picture is already in the storyboard"
    } else {
        "added to the storyboard"
    };
    Ok(Json(json!({
        "success": true,
        "message": message,
        "isDuplicate": duplicate,
        "storyboard": compat_view(&board),
    })))
}

pub async fn compat_delete(
    State(state): State<AppState>,
    Admitted(query): Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: CompatImage = parse_body(&body, "{imagePath, imageIndex?}")?;
    let room = room_of(body.room, &query)?;
    let board = boards(&state, move |b| {
        b.remove_from_default(&room, &body.image_path, body.image_index)
    })
    .await?;
    Ok(Json(json!({
        "success": true,
        "message": "removed from the storyboard",
        "storyboard": compat_view(&board),
    })))
}

#[derive(Default, Deserialize)]
pub struct CompatRoom {
    room: Option<String>,
}

pub async fn compat_clear(
    State(state): State<AppState>,
    Admitted(query): Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: CompatRoom = parse_body(&body, "{}")?;
    let room = room_of(body.room, &query)?;
    boards(&state, move |b| {
        let board = b.default_for(&room)?;
        b.clear(&board.id)
    })
    .await?;
    Ok(Json(
        json!({ "success": true, "message": "the storyboard is empty" }),
    ))
}
