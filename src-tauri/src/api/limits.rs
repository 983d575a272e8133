//! `GET /api/limits`: the limits this host enforces on what peers send, so
//! the web UI checks (and explains) the same ones before asking instead of
//! keeping copies that drift from the host's.
//!
//! Every value is a named constant of the module that enforces it; the
//! JSON names are those constants in camelCase, grouped by that module.

use axum::Json;
use serde_json::{json, Value};

use super::gate::Admitted;
use crate::jobs::kinds::enhance::MAX_PROMPT_CHARS;
use crate::jobs::kinds::video::MAX_STORY_CONTEXT_CHARS;
use crate::jobs::MAX_LISTED_JOBS;
use crate::media::images::{MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, MAX_UPLOAD_BYTES};
use crate::media::video::{GIF_MAX_WIDTH, MAX_HEIGHT, MAX_WIDTH};
use crate::protocol::limits::{
    MAX_FRAME_BYTES, MAX_ID_BYTES, MAX_LASER_MESSAGES_PER_SEC, MAX_LASER_POINTS,
    MAX_POINTS_PER_SHAPE, MAX_ROOM_NAME_BYTES, MAX_SHAPES_PER_ROOM, MAX_SHAPE_BYTES,
    SEATS_PER_ROOM,
};
use crate::storyboard::{
    DEFAULT_CLIP_MS, MAX_CAPTION_CHARS, MAX_CLIP_CHANGES, MAX_CLIP_MS, MAX_FRAMES, MAX_FRAME_MS,
    MAX_NAME_CHARS, MAX_STORYBOARDS_PER_ROOM, MAX_TITLE_CHARS, MIN_CLIP_MS, MIN_FRAME_MS,
};

/// The limits, for peers with the code (like every other data route).
pub async fn limits(_: Admitted) -> Json<Value> {
    Json(json!({
        "success": true,
        "protocol": {
            "maxFrameBytes": MAX_FRAME_BYTES,
            "maxShapeBytes": MAX_SHAPE_BYTES,
            "maxPointsPerShape": MAX_POINTS_PER_SHAPE,
            "maxShapesPerRoom": MAX_SHAPES_PER_ROOM,
            "maxIdBytes": MAX_ID_BYTES,
            "maxRoomNameBytes": MAX_ROOM_NAME_BYTES,
            "seatsPerRoom": SEATS_PER_ROOM,
            "maxLaserPoints": MAX_LASER_POINTS,
            "maxLaserMessagesPerSec": MAX_LASER_MESSAGES_PER_SEC,
        },
        "images": {
            "maxUploadBytes": MAX_UPLOAD_BYTES,
            "maxImageSide": MAX_IMAGE_SIDE,
            "maxImagePixels": MAX_IMAGE_PIXELS,
        },
        "enhance": {
            "maxPromptChars": MAX_PROMPT_CHARS,
        },
        "storyboard": {
            "maxStoryboardsPerRoom": MAX_STORYBOARDS_PER_ROOM,
            "maxFrames": MAX_FRAMES,
            "maxNameChars": MAX_NAME_CHARS,
            "maxCaptionChars": MAX_CAPTION_CHARS,
            "maxTitleChars": MAX_TITLE_CHARS,
            "minFrameMs": MIN_FRAME_MS,
            "maxFrameMs": MAX_FRAME_MS,
            "maxStoryContextChars": MAX_STORY_CONTEXT_CHARS,
            "minClipMs": MIN_CLIP_MS,
            "maxClipMs": MAX_CLIP_MS,
            "defaultClipMs": DEFAULT_CLIP_MS,
            "maxClipChanges": MAX_CLIP_CHANGES,
        },
        "video": {
            "maxWidth": MAX_WIDTH,
            "maxHeight": MAX_HEIGHT,
            "gifMaxWidth": GIF_MAX_WIDTH,
        },
        "jobs": {
            "maxListedJobs": MAX_LISTED_JOBS,
        },
    }))
}
