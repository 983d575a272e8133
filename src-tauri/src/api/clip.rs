//! Adding a timelapse clip to a storyboard: `POST /api/storyboards/{id}/frames`
//! with `clip` in place of `image`. Everything is checked before anything is
//! stored: the frame's fields and room in the storyboard, then the range
//! against the room's kept history (the same checks, codes and sentences as
//! a timelapse). Only then is the clip's still (the board at its last
//! revision) stored as a picture and the frame added.

use axum::Json;
use serde_json::{json, Value};

use super::common::{blocking, room_or_default};
use super::storyboard::boards;
use super::timelapse::{check_utc_offset, history_range, not_kept};
use super::{ApiError, AppState};
use crate::media::images::ImageError;
use crate::media::thumb::render_png;
use crate::protocol::picture::{Collection, PictureRef};
use crate::storyboard::clip::CLIP_STILL_SIZE;
use crate::storyboard::{FrameClip, NewFrame};

/// Adds the clip `new.clip` to storyboard `id`.
pub(super) async fn add(
    state: &AppState,
    id: String,
    new: NewFrame,
) -> Result<Json<Value>, ApiError> {
    let asked = new.clip.clone().unwrap_or_default();
    let (board_id, checked) = (id.clone(), new.clone());
    let board_room = boards(state, move |b| b.check_clip(&board_id, &checked)).await?;
    let room = match asked.room {
        Some(room) => room_or_default(Some(room))?,
        None => board_room,
    };
    check_utc_offset(asked.utc_offset_minutes)?;
    let (from_rev, to_rev) = history_range(state, &room, asked.from_rev, asked.to_rev).await?;
    let (store, pictures, name) = (
        state.inner.rooms.store().clone(),
        state.inner.storyboards.pictures().clone(),
        room.clone(),
    );
    let still = blocking(move || -> Result<PictureRef, ApiError> {
        let history = store
            .history_state(&name)
            .map_err(|e| super::error::storage(&e))?
            .ok_or_else(not_kept)?;
        let board = store
            .history_board(&name, &history, to_rev)
            .map_err(|e| super::error::storage(&e))?
            .ok_or_else(not_kept)?;
        let png = render_png(&board.shapes, CLIP_STILL_SIZE);
        let saved = pictures
            .store(Collection::Uploads)
            .save(&png)
            .map_err(|e| match e {
                ImageError::Storage(e) => super::error::storage(&e),
                ImageError::Io(_) if e.is_disk_full() => super::disk_full(),
                e => {
                    tracing::error!("storing a clip's still failed: {e}");
                    ApiError::internal()
                }
            })?;
        Ok(PictureRef::upload(saved.name))
    })
    .await??;
    let clip = FrameClip {
        room,
        from_rev,
        to_rev,
        utc_offset_minutes: asked.utc_offset_minutes,
    };
    let (board, frame) = boards(state, move |b| b.add_clip(&id, &new, clip, &still)).await?;
    Ok(Json(
        json!({ "success": true, "storyboard": board, "frame": frame }),
    ))
}
