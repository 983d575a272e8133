//! The web UI, embedded in the binary and served at `/`.
//!
//! There is no build step: `ui/` is embedded as is. Each file is gzipped once,
//! on first request, and served with an `ETag` and `Cache-Control: no-cache`
//! so that browsers revalidate (a 304 costs one round trip) and never run a
//! stale module after the host is upgraded. Only embedded names resolve: a
//! request path never reaches the file system.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::common::{accepts_gzip, gzip};
use super::ApiError;

#[derive(rust_embed::Embed)]
#[folder = "ui/"]
struct Ui;

/// Files smaller than this are not worth compressing.
const MIN_GZIP_BYTES: usize = 512;

struct Asset {
    body: Vec<u8>,
    gzip: Option<Vec<u8>>,
    etag: String,
    mime: &'static str,
}

fn cache() -> &'static Mutex<HashMap<String, Arc<Asset>>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Asset>>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// The embedded file at `path`, compressed and hashed once.
fn load(path: &str) -> Option<Arc<Asset>> {
    if let Some(asset) = cache().lock().expect("asset cache").get(path) {
        return Some(asset.clone());
    }
    let file = Ui::get(path)?;
    let body = file.data.into_owned();
    let gzip = (body.len() >= MIN_GZIP_BYTES).then(|| gzip(&body, flate2::Compression::best()));
    let hash = file.metadata.sha256_hash();
    let etag = format!(
        "\"{}\"",
        hash[..12]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let asset = Arc::new(Asset {
        body,
        gzip,
        etag,
        mime: mime_for(path),
    });
    cache()
        .lock()
        .expect("asset cache")
        .insert(path.to_string(), asset.clone());
    Some(asset)
}

fn mime_for(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json" | "webmanifest") => "application/json",
        Some("woff2") => "font/woff2",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Serves `/` and every UI file.
pub async fn serve(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let safe = !path.contains("..") && !path.contains('\\') && !path.starts_with('/');
    let Some(asset) = safe.then(|| load(path)).flatten() else {
        return ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "there is nothing at this address",
        )
        .into_response();
    };
    let etag = HeaderValue::from_str(&asset.etag).expect("hex is a valid header");
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == asset.etag.as_bytes())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match (&asset.gzip, accepts_gzip(&headers)) {
            (Some(gz), true) => {
                let mut r = Response::new(Body::from(gz.clone()));
                r.headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r
            }
            _ => Response::new(Body::from(asset.body.clone())),
        }
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.mime));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(header::ETAG, etag);
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    response
}
