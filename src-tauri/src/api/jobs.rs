//! The job resource: `GET /api/jobs?room=`, `GET /api/jobs/{id}`,
//! `POST /api/jobs/{id}/cancel`. Every kind of job (enhancement, video) is
//! listed, followed and cancelled the same way.

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::gate::Admitted;
use super::{ApiError, AppState};
use crate::jobs::{JobRecord, JobsError};
use crate::protocol::limits::MAX_ID_BYTES;

/// How long a client told "queue full" is asked to wait.
const QUEUE_FULL_RETRY: Duration = Duration::from_secs(5);

/// `?kind=` narrows the list to one kind of job (`enhance`, `video`,
/// `timelapse`) or several joined by commas, so a room's videos are not
/// pushed out of the list by many enhancements.
#[derive(Deserialize)]
pub struct KindQuery {
    kind: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Admitted(query): Admitted,
    Query(KindQuery { kind }): Query<KindQuery>,
) -> Result<Json<Value>, ApiError> {
    let jobs = state
        .inner
        .jobs
        .list(query.room.as_deref(), kind.as_deref());
    Ok(Json(json!({ "success": true, "jobs": jobs })))
}

pub async fn get(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Admitted,
) -> Result<Json<Value>, ApiError> {
    let job = state.inner.jobs.get(&id).ok_or_else(no_job)?;
    Ok(Json(json!({ "success": true, "job": job })))
}

pub async fn cancel(
    State(state): State<AppState>,
    Path(id): Path<String>,
    _: Admitted,
) -> Result<Json<Value>, ApiError> {
    match state.inner.jobs.cancel(&id).await {
        Ok(job) => Ok(Json(json!({ "success": true, "job": job }))),
        Err(JobsError::NotFound) => Err(no_job()),
        Err(e @ JobsError::Finished) => Err(ApiError::new(
            StatusCode::CONFLICT,
            e.code(),
            &e.to_string(),
        )),
        Err(e) => Err(submit_error(e)),
    }
}

/// Queues a render job started over HTTP (`by` kept in its input) and
/// answers as every render route does: the job, its id as `requestId`
/// (the original API's name) and how many `frames` it will render.
pub async fn submit(
    state: &AppState,
    kind: &'static str,
    room: &str,
    mut input: Value,
    by: Option<String>,
    work: crate::jobs::Work,
    frames: u64,
) -> Result<Json<Value>, ApiError> {
    if let Some(by) = by {
        input["by"] = json!(by);
    }
    let job = state
        .inner
        .jobs
        .submit(kind, room, input, work)
        .await
        .map_err(submit_error)?;
    Ok(Json(json!({
        "success": true,
        "requestId": job.id,
        "job": job,
        "frames": frames,
    })))
}

/// The HTTP answer to a job that could not be queued.
pub fn submit_error(e: JobsError) -> ApiError {
    match e {
        JobsError::QueueFull => {
            ApiError::new(StatusCode::TOO_MANY_REQUESTS, e.code(), &e.to_string())
                .retry_after(QUEUE_FULL_RETRY)
        }
        JobsError::ShuttingDown => {
            ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.code(), &e.to_string())
        }
        JobsError::NotFound => no_job(),
        JobsError::Finished => ApiError::new(StatusCode::CONFLICT, e.code(), &e.to_string()),
        JobsError::Storage(e) => super::error::storage(&e),
    }
}

fn no_job() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "there is no such job")
}

/// The `by` of a job request: the asker's `userId`, kept in the job's input
/// so the others in the room can see who started it. Empty means none.
pub fn check_by(by: Option<String>) -> Result<Option<String>, ApiError> {
    let by = by.filter(|b| !b.is_empty());
    if by.as_ref().is_some_and(|b| b.len() > MAX_ID_BYTES) {
        return Err(ApiError::invalid(&format!(
            "by is a userId of at most {MAX_ID_BYTES} bytes"
        )));
    }
    Ok(by)
}

/// The existing client's view of a job of one `kind`: `processing`,
/// `complete` or `error`, with the precise state, progress and result
/// beside it; `404` with `missing` when there is no such job.
pub fn compat_job_status(state: &AppState, id: &str, kind: &str, missing: &str) -> Response {
    match state.inner.jobs.get(id).filter(|j| j.kind == kind) {
        Some(job) => Json(compat_status(&job)).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({
                "success": false,
                "status": "error",
                "code": "not_found",
                "error": missing,
                "message": missing,
            })),
        )
            .into_response(),
    }
}

/// A job as `GET /api/enhancement-status` and `/api/video-status` show it.
fn compat_status(job: &JobRecord) -> Value {
    let mut out = json!({
        "success": true,
        "requestId": job.id,
        "status": job.status.compat(),
        "state": job.status,
        "progress": job.progress,
        "message": job.message,
    });
    if let Some(result) = &job.result {
        out["result"] = result.clone();
    }
    if let Some(error) = &job.error {
        out["error"] = json!(error.message);
        out["code"] = json!(error.code);
    }
    out
}
