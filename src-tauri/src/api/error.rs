//! The one error type of the HTTP API: a status, a `code` for programs and
//! an `error` sentence for people. Internals never reach the body.

use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    retry_after: Option<Duration>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: &str) -> ApiError {
        ApiError {
            status,
            code,
            message: message.to_string(),
            retry_after: None,
        }
    }

    /// `400 invalid`: the request is wrong, and `message` says how.
    pub fn invalid(message: &str) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid", message)
    }

    /// `500 internal`: the host failed; the details go to its log only.
    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the host could not do this; see its log",
        )
    }

    /// Adds a `Retry-After` header (whole seconds, at least one).
    pub fn retry_after(mut self, wait: Duration) -> ApiError {
        self.retry_after = Some(wait);
        self
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(json!({ "success": false, "error": self.message, "code": self.code }));
        let mut response = (self.status, body).into_response();
        if let Some(wait) = self.retry_after {
            let secs = wait.as_secs().max(1).to_string();
            if let Ok(value) = HeaderValue::from_str(&secs) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// `507 disk_full`: the host's disk is full, so nothing new can be stored.
pub fn disk_full() -> ApiError {
    ApiError::new(
        StatusCode::INSUFFICIENT_STORAGE,
        "disk_full",
        "the host's disk is full, so nothing new can be stored; free space on the host and try again",
    )
}

/// A durable write that failed: `507 disk_full` when the disk is full, else
/// `503 storage_failed`, with what the host's person can do. The database's
/// own words go to the log only.
pub fn storage(e: &crate::store::StoreError) -> ApiError {
    tracing::error!("a write failed: {e}");
    if e.is_disk_full() {
        return disk_full();
    }
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        crate::protocol::ErrorCode::StorageFailed.as_str(),
        "the host could not save this; nothing was changed. Try again, or restart CoCo on the host if it keeps failing",
    )
}
