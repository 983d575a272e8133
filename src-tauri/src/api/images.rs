//! `POST /api/save-image` and `GET /img/NAME`, as the existing client uses
//! them. LAN peers need the join code here as on the socket (`?code=` or an
//! `x-coco-code` header). An upload takes its place among the uploads in
//! progress ([`UploadSlot`]) before its body is read.

use std::net::SocketAddr;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};

use super::common::{blocking, json_body};
use super::gate::Admitted;
use super::{ApiError, AppState};
use crate::media::images::{ImageError, MAX_UPLOAD_BYTES};
use crate::media::uploads::{UploadPermit, UPLOAD_RETRY_AFTER};
use crate::protocol::picture::{Collection, PictureRef};
use crate::protocol::ErrorCode;

/// Largest request body: a base64 data URL of the largest image, and room
/// for the JSON around it.
pub const MAX_BODY_BYTES: usize = MAX_UPLOAD_BYTES / 3 * 4 + 64 * 1024;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveImage {
    image_data: String,
}

/// An upload's place among those in progress, taken after the join gate
/// and before the body is read; past a limit the request is answered 429
/// `rate_limited` with `Retry-After` and its body is never read.
pub struct UploadSlot(UploadPermit);

impl FromRequestParts<AppState> for UploadSlot {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ConnectInfo(peer) = ConnectInfo::<SocketAddr>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError::internal())?;
        state
            .inner
            .uploads
            .try_start(peer.ip())
            .map(UploadSlot)
            .map_err(|busy| {
                ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    ErrorCode::RateLimited.as_str(),
                    &busy.message(),
                )
                .retry_after(UPLOAD_RETRY_AFTER)
            })
    }
}

pub async fn save(
    State(state): State<AppState>,
    _: Admitted,
    UploadSlot(permit): UploadSlot,
    body: Result<Json<SaveImage>, JsonRejection>,
) -> Result<Json<Value>, ApiError> {
    if matches!(&body, Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE) {
        return Err(too_large(&format!(
            "the upload is over the limit of {MAX_UPLOAD_BYTES} bytes"
        )));
    }
    let body = json_body(body, "{imageData: \"data:image/png;base64,...\"}")?;
    let encoded = body
        .image_data
        .split_once(";base64,")
        .map_or(body.image_data.as_str(), |(_, data)| data);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid",
                "imageData is not valid base64 (expected a data URL)",
            )
        })?;
    let store = state.inner.pictures.store(Collection::Uploads).clone();
    // The place is held until the file is written, also when the client
    // goes away meanwhile.
    let saved = blocking(move || {
        let saved = store.save(&bytes);
        drop(permit);
        saved
    })
    .await?;
    let image = saved.map_err(|e| match e {
        ImageError::TooLarge(_) | ImageError::TooManyPixels(..) | ImageError::OverLimits => {
            too_large(&e.to_string())
        }
        ImageError::UnsupportedFormat => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            &e.to_string(),
        ),
        ImageError::Corrupt(_) => {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_image", &e.to_string())
        }
        ImageError::Storage(e) => super::error::storage(&e),
        ImageError::Io(_) if e.is_disk_full() => super::disk_full(),
        ImageError::Io(_) => {
            tracing::error!("storing an image failed: {e}");
            ApiError::internal()
        }
    })?;
    Ok(Json(json!({
        "success": true,
        "filename": image.name,
        "path": format!("/img/{}", image.name),
        "width": image.width,
        "height": image.height,
    })))
}

pub async fn get(State(state): State<AppState>, Path(name): Path<String>, _: Admitted) -> Response {
    serve_file(&state, PictureRef::upload(name)).await
}

/// Answers with a stored image; a name the store did not issue is a 404.
pub(super) async fn serve_file(state: &AppState, picture: PictureRef) -> Response {
    let pictures = state.inner.pictures.clone();
    let found = blocking(move || pictures.get(&picture)).await;
    match found {
        Ok(Ok(Some((bytes, mime)))) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
                // Content-addressed: a name always means the same bytes.
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=31536000, immutable"),
                ),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            bytes,
        )
            .into_response(),
        Ok(Ok(None)) => ApiError::new(StatusCode::NOT_FOUND, "not_found", "there is no such image")
            .into_response(),
        Ok(Err(e)) => {
            tracing::error!("reading an image failed: {e}");
            ApiError::internal().into_response()
        }
        Err(e) => e.into_response(),
    }
}

fn too_large(message: &str) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
}
