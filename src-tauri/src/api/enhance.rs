//! Enhancement routes, as the existing client uses them:
//! `POST /api/enhance-image`, `GET /api/enhancement-status/{id}`,
//! `GET /enhanced_drawings/NAME`; and `GET /api/ai/status` for the UI.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{json_body, room_or_default};
use super::gate::Admitted;
use super::images::serve_file;
use super::jobs::{check_by, compat_job_status, submit_error};
use super::{ApiError, AppState};
use crate::jobs::kinds::enhance::{self, EngineChoice, EnhanceRequest, MAX_PROMPT_CHARS};
use crate::protocol::picture::PictureRef;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Submit {
    /// A name the host issued, bare or as `/img/NAME` or `/enhanced_drawings/NAME`.
    filename: String,
    #[serde(default)]
    prompt: Option<String>,
    #[serde(default)]
    engine: Option<String>,
    #[serde(default)]
    upscale: Option<bool>,
    #[serde(default)]
    room: Option<String>,
    /// The `userId` of the person asking, kept in the job's `input` so the
    /// others in the room can see who is enhancing.
    #[serde(default)]
    by: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    Admitted(query): Admitted,
    body: Result<Json<Submit>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    let body = json_body(
        body,
        "{filename, prompt?, engine?: \"auto\"|\"gemini\"|\"local\", upscale?, room?, by?}",
    )?;
    let room = room_or_default(body.room.or(query.room))?;
    let prompt = body.prompt.unwrap_or_default();
    if prompt.chars().count() > MAX_PROMPT_CHARS {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            &format!("the prompt is longer than {MAX_PROMPT_CHARS} characters"),
        ));
    }
    let engine = match body.engine.as_deref() {
        None => EngineChoice::Auto,
        Some(text) => EngineChoice::parse(text)
            .ok_or_else(|| ApiError::invalid("engine is \"auto\", \"gemini\" or \"local\""))?,
    };
    let by = check_by(body.by)?;
    let source = PictureRef::parse_or_upload(&body.filename);
    let enhancer = &state.inner.enhancer;
    if !enhancer.has_source(&source) {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "there is no such picture on this host; upload it first (POST /api/save-image)",
        ));
    }
    let request = EnhanceRequest {
        source: source.clone(),
        prompt: prompt.clone(),
        engine,
        upscale: body.upscale.unwrap_or(false),
    };
    let mut input = json!({
        "source": source.path(),
        "prompt": prompt,
        "engine": engine,
        "upscale": request.upscale,
    });
    if let Some(by) = by {
        input["by"] = json!(by);
    }
    let job = state
        .inner
        .jobs
        .submit(enhance::KIND, &room, input, enhancer.work(request))
        .await
        .map_err(submit_error)?;
    Ok(Json(
        json!({ "success": true, "requestId": job.id, "job": job }),
    ))
}

/// The existing client's view of a job: `processing`, `complete` or
/// `error`, with the precise state, progress and result beside it.
pub async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Admitted,
) -> Response {
    compat_job_status(
        &state,
        &id,
        enhance::KIND,
        "there is no enhancement with this id",
    )
}

pub async fn get_enhanced(
    State(state): State<AppState>,
    Path(name): Path<String>,
    _: Admitted,
) -> Response {
    serve_file(&state, PictureRef::enhanced(name)).await
}

pub async fn ai_status(
    State(state): State<AppState>,
    _: Admitted,
) -> Result<Json<Value>, ApiError> {
    let mut status = state.inner.enhancer.status();
    status["success"] = json!(true);
    Ok(Json(status))
}
