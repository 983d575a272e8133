//! The job resource: `GET /api/jobs?room=`, `GET /api/jobs/{id}`,
//! `POST /api/jobs/{id}/cancel`. Every kind of job (enhancement, video) is
//! listed, followed and cancelled the same way.

use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::gate::Admitted;
use super::{ApiError, AppState};
use crate::jobs::JobsError;

/// How long a client told "queue full" is asked to wait.
const QUEUE_FULL_RETRY: Duration = Duration::from_secs(5);

/// `?kind=` narrows the list to one kind of job (`enhance`, `video`), so a
/// room's videos are not pushed out of the list by many enhancements.
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
