//! Video routes: `POST /api/generate-video` starts a `video` job on a
//! snapshot of a storyboard, `GET /api/video-status/{id}` follows it as the
//! existing client expects, `GET /videos/NAME` serves the file with HTTP
//! Range so a `<video>` element can seek.

use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::Value;
use tower_http::services::ServeFile;

use super::common::{parse_body, room_of};
use super::gate::Admitted;
use super::jobs::{check_by, compat_job_status, submit};
use super::storyboard::boards;
use super::{ApiError, AppState};
use crate::jobs::kinds::video::narrate::StoryMode;
use crate::jobs::kinds::video::{VideoRequest, KIND, MAX_STORY_CONTEXT_CHARS};
use crate::media::video::{DEFAULT_FPS, DEFAULT_HEIGHT, DEFAULT_WIDTH, MIN_SCENES};
use crate::media::video_store::VideoFormat;
use crate::storyboard::clip::check_clip_changes;
use crate::storyboard::model::check_title;

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Generate {
    storyboard_id: Option<String>,
    room: Option<String>,
    story_context: Option<String>,
    include_music: Option<bool>,
    title: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    fps: Option<u32>,
    format: Option<String>,
    story: Option<String>,
    /// The `userId` of the person asking, so the room can see whose video it is.
    by: Option<String>,
}

pub async fn generate(
    State(state): State<AppState>,
    Admitted(query): Admitted,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let body: Generate = parse_body(
        &body,
        "{storyboardId?, room?, storyContext?, includeMusic?, title?, width?, height?, fps?, format?: \"mp4\"|\"gif\", story?: \"auto\"|\"gemini\"|\"off\", by?}",
    )?;
    let room = room_of(body.room, &query)?;
    let by = check_by(body.by)?;
    let format = match body.format.as_deref() {
        None => VideoFormat::Mp4,
        Some(text) => VideoFormat::parse(text)
            .ok_or_else(|| invalid("invalid", "format is \"mp4\" or \"gif\""))?,
    };
    let story = match body.story.as_deref() {
        None => StoryMode::Auto,
        Some(text) => StoryMode::parse(text)
            .ok_or_else(|| invalid("invalid", "story is \"auto\", \"gemini\" or \"off\""))?,
    };
    if story == StoryMode::Gemini && !state.inner.videos.has_gemini() {
        return Err(invalid(
            "no_key",
            "the host has no Gemini key, so there is no Gemini story; ask without story \"gemini\"",
        ));
    }
    let story_context = body.story_context.filter(|c| !c.trim().is_empty());
    if let Some(context) = &story_context {
        let chars = context.chars().count();
        if chars > MAX_STORY_CONTEXT_CHARS {
            return Err(invalid(
                "too_long",
                &format!(
                    "the story context has {chars} characters; the most is {MAX_STORY_CONTEXT_CHARS}"
                ),
            ));
        }
    }
    let title = match body.title.as_deref() {
        Some(title) => check_title(title).map_err(super::storyboard::board_error)?,
        None => None,
    };
    // The snapshot: later edits do not change this render.
    let storyboard = match body.storyboard_id {
        Some(id) => boards(&state, move |b| b.get(&id)).await?,
        None => boards(&state, move |b| b.default_for(&room)).await?,
    };
    let count = storyboard.frames.len();
    if count < MIN_SCENES {
        return Err(invalid(
            "too_few_frames",
            &format!(
                "a video needs at least {MIN_SCENES} frames; this storyboard has {count}: add pictures to it first"
            ),
        ));
    }
    // Every clip's history is held in memory while the video renders.
    check_clip_changes(storyboard.frames.iter().filter_map(|f| f.clip.as_ref()))
        .map_err(|message| invalid("range_too_large", &message))?;
    let request = VideoRequest {
        storyboard,
        title,
        width: body.width.unwrap_or(DEFAULT_WIDTH),
        height: body.height.unwrap_or(DEFAULT_HEIGHT),
        fps: body.fps.unwrap_or(DEFAULT_FPS),
        format,
        story_context,
        include_music: body.include_music.unwrap_or(false),
        story,
    };
    let maker = &state.inner.videos;
    let frames = maker
        .check(&request)
        .map_err(|e| invalid(e.code(), &e.to_string()))?;
    let room = request.storyboard.room.clone();
    let input = maker.input(&request);
    let work = maker.work(request);
    submit(&state, KIND, &room, input, by, work, frames).await
}

pub async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Admitted,
) -> Response {
    compat_job_status(&state, &id, KIND, "there is no video job with this id")
}

/// A video the host rendered, with `Range` support (206, 416) by
/// tower-http's `ServeFile`. The name is looked up among issued names; the
/// path handed to `ServeFile` is the store's, never the client's.
pub async fn get_video(
    State(state): State<AppState>,
    Path(name): Path<String>,
    _: Admitted,
    request: Request,
) -> Response {
    let Some((path, _)) = state.inner.videos.videos().path_of(&name) else {
        return ApiError::new(StatusCode::NOT_FOUND, "not_found", "there is no such video")
            .into_response();
    };
    match ServeFile::new(path).try_call(request).await {
        Ok(response) => {
            let mut response = response.map(Body::new);
            if !response.status().is_success() {
                return response;
            }
            let headers = response.headers_mut();
            // Names are random and never reused: a name always means the same bytes.
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            headers.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            // Played in the page, saved under the storyboard's name.
            if let Some(disposition) = state
                .inner
                .videos
                .videos()
                .entry(&name)
                .and_then(|entry| content_disposition(&entry.download))
            {
                headers.insert(header::CONTENT_DISPOSITION, disposition);
            }
            response
        }
        Err(e) => {
            tracing::error!("serving a video failed: {e}");
            ApiError::internal().into_response()
        }
    }
}

/// `inline; filename="…"; filename*=UTF-8''…`: an ASCII fallback for old
/// clients, the real name percent-encoded (RFC 6266).
fn content_disposition(download: &str) -> Option<HeaderValue> {
    if download.is_empty() {
        return None;
    }
    let ascii: String = download
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .filter(|c| *c != '"' && *c != '\\')
        .collect();
    let encoded: String = download
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    HeaderValue::from_str(&format!(
        "inline; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .ok()
}

fn invalid(code: &'static str, message: &str) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, code, message)
}
