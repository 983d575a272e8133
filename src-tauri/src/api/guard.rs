//! What every request meets first, on both ports, before any route runs:
//!
//! 1. **`Host`**: the name the request was addressed to must be one the host
//!    answers to ([`HostNames`]), or the request gets `421 wrong_host`. This
//!    stops DNS rebinding: a page whose name was re-pointed at 127.0.0.1 would
//!    otherwise be trusted as the host's own machine.
//! 2. **`Origin`** on every state-changing request (any method but `GET`,
//!    `HEAD` and `OPTIONS`): the same rule as the WebSocket upgrade
//!    ([`origin_allowed`]), else `403 forbidden_origin`. A web site the host's
//!    user visits may send a form or a `no-cors` fetch to 127.0.0.1; browsers
//!    always name its origin, so it is refused here and changes nothing.
//! 3. **`Content-Type`** on a state-changing request with a body: the API
//!    takes JSON only, so anything else gets `415 unsupported_media_type`. A
//!    cross-site page can send `text/plain` without asking first; it cannot
//!    send `application/json` without a CORS preflight, which the host never
//!    grants.
//!
//! 4. **Saving**: while the host cannot save (a full disk), a request that
//!    would store something gets `507 disk_full` (or `503 storage_failed`
//!    for another fault) before it starts, with what to do. Only what lives
//!    in memory ([`WITHOUT_SAVING`]) still works.
//!
//! Every response then carries the page headers ([`page_headers`]): a
//! Content-Security-Policy that allows only the host's own scripts and
//! connections and forbids framing, `nosniff`, and `no-referrer` (the join
//! code is in the page's URL and must not leak to another site).

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::names::HostNames;
use super::{ApiError, AppState};
use crate::auth::origin_allowed;
use crate::protocol::ErrorCode;

/// State-changing routes that store nothing on disk, so they work while the
/// host cannot save: the host panel's removal, open switch and "bring
/// everyone to me", and a job's cancel (which frees what the job holds;
/// matched by its path shape).
const WITHOUT_SAVING: &[&str] = &["/api/host/kick", "/api/host/open", "/api/host/present"];

/// The one media type the API's request bodies use.
pub const JSON: &str = "application/json";

/// The checks and headers above, as an axum middleware.
pub async fn check(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned);
    if let Err(refusal) = admit(
        &state.inner.names,
        request.method(),
        request.headers(),
        state.inner.http_addr.port(),
    ) {
        let mut response = refusal.into_response();
        page_headers(response.headers_mut(), None);
        return response;
    }
    if let Some(refusal) = unsaved(&state, request.method(), request.uri().path()) {
        let mut response = refusal.into_response();
        page_headers(response.headers_mut(), host.as_deref());
        return response;
    }
    let mut response = coded(next.run(request).await).await;
    page_headers(response.headers_mut(), host.as_deref());
    response
}

/// Longest plain-text refusal read back to be put into JSON.
const MAX_PLAIN_REFUSAL_BYTES: usize = 4 * 1024;

/// Every refusal is `{success: false, error, code}`. The routes' own errors
/// are; the framework's (a body over the 2 MiB limit, a path or query it
/// cannot read, a method a route does not take) come as plain text, and
/// are turned into the same shape here, with a code from the status.
async fn coded(response: Response) -> Response {
    let plain = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/plain"));
    let status = response.status();
    if !plain || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::NOT_FOUND => "not_found",
        s if s.is_server_error() => "internal",
        _ => "invalid",
    };
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, MAX_PLAIN_REFUSAL_BYTES)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = match (status, text.is_empty()) {
        (StatusCode::PAYLOAD_TOO_LARGE, _) => {
            "the request body is larger than this route takes (2 MiB)".to_string()
        }
        (_, false) => text,
        (_, true) => status.canonical_reason().unwrap_or("refused").to_string(),
    };
    let mut refused = ApiError::new(status, code, &message).into_response();
    if let Some(allow) = parts.headers.get(header::ALLOW) {
        refused.headers_mut().insert(header::ALLOW, allow.clone());
    }
    refused
}

/// Steps 1 to 3 of the module's rules.
fn admit(
    names: &HostNames,
    method: &Method,
    headers: &HeaderMap,
    http_port: u16,
) -> Result<(), ApiError> {
    // No `Host` at all is not a browser (every browser sends it), so it
    // cannot be a rebound page.
    if let Some(host) = headers.get(header::HOST) {
        let host = host.to_str().unwrap_or("");
        if !names.answers_to(host) {
            return Err(wrong_host(host, http_port));
        }
    }
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(());
    }
    if !origin_allowed(headers, http_port) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::ForbiddenOrigin.as_str(),
            "pages from other web sites may not change anything on this CoCo host",
        ));
    }
    if has_body(headers) && !is_json(headers) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the request body as JSON, with the header Content-Type: application/json",
        ));
    }
    Ok(())
}

/// Step 4: a request that would store something while the host cannot.
fn unsaved(state: &AppState, method: &Method, path: &str) -> Option<ApiError> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || WITHOUT_SAVING.contains(&path)
        || (path.starts_with("/api/jobs/") && path.ends_with("/cancel"))
    {
        return None;
    }
    let fault = state.inner.rooms.storage().fault()?;
    Some(if fault.disk_full {
        ApiError::new(
            StatusCode::INSUFFICIENT_STORAGE,
            "disk_full",
            &fault.message(),
        )
    } else {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ErrorCode::StorageFailed.as_str(),
            &fault.message(),
        )
    })
}

fn wrong_host(host: &str, http_port: u16) -> ApiError {
    let shown: String = host.chars().take(100).filter(|c| !c.is_control()).collect();
    ApiError::new(
        StatusCode::MISDIRECTED_REQUEST,
        "wrong_host",
        &format!(
            "this CoCo host does not answer to the name \u{201c}{shown}\u{201d}: open it by its \
             address (http://127.0.0.1:{http_port}/ on this machine) or with the join link"
        ),
    )
}

/// Whether the request carries a body: a non-zero length, or a chunked one.
fn has_body(headers: &HeaderMap) -> bool {
    if headers.contains_key(header::TRANSFER_ENCODING) {
        return true;
    }
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > 0)
}

/// `Content-Type: application/json`, with any parameters (`; charset=utf-8`).
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case(JSON))
}

/// The policy for the UI: scripts, styles and fonts from the host only;
/// pictures also as `data:` (pictures inlined in shapes) and `blob:`
/// (exports); videos also as `blob:`; sockets to this very host; no
/// plugins, no `<base>`, no framing by anyone.
fn content_security_policy(host: Option<&str>) -> String {
    let sockets = host
        .map(|h| format!(" ws://{h} wss://{h}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self'; style-src 'self'; \
         img-src 'self' data: blob:; media-src 'self' blob:; font-src 'self'; \
         connect-src 'self'{sockets}; worker-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the security headers on a response. `host` is the request's checked
/// `Host`, for the socket address in the policy.
fn page_headers(headers: &mut HeaderMap, host: Option<&str>) {
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(host)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    // For browsers that predate `frame-ancestors`.
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
}

/// A refused request, built without a router (for tests of the rules).
#[cfg(test)]
fn verdict(method: Method, pairs: &[(&str, &str)]) -> Result<(), u16> {
    let mut headers = HeaderMap::new();
    for (k, v) in pairs {
        headers.insert(
            header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    let names = HostNames::new(Some("coco-00000001.local"));
    admit(&names, &method, &headers, 5001).map_err(|e| e.into_response().status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rebound_name_is_refused_before_anything_else() {
        assert_eq!(
            verdict(Method::GET, &[("host", "evil.example:5001")]),
            Err(421)
        );
        assert_eq!(verdict(Method::GET, &[("host", "127.0.0.1:5001")]), Ok(()));
        assert_eq!(verdict(Method::GET, &[]), Ok(()), "no Host: not a browser");
    }

    #[test]
    fn a_foreign_origin_may_read_nothing_new_and_change_nothing() {
        let post = |origin: &str, ty: &str| {
            verdict(
                Method::POST,
                &[
                    ("host", "127.0.0.1:5001"),
                    ("origin", origin),
                    ("content-type", ty),
                    ("content-length", "2"),
                ],
            )
        };
        assert_eq!(post("http://evil.example", "text/plain"), Err(403));
        assert_eq!(post("http://evil.example", JSON), Err(403));
        assert_eq!(post("null", JSON), Err(403));
        assert_eq!(post("http://127.0.0.1:5001", JSON), Ok(()));
        assert_eq!(post("http://localhost:5173", JSON), Ok(()));
        assert_eq!(post("tauri://localhost", JSON), Ok(()));
    }

    #[test]
    fn a_body_must_be_json() {
        let post = |ty: Option<&str>, len: &str| {
            let mut h = vec![("host", "127.0.0.1:5001"), ("content-length", len)];
            if let Some(ty) = ty {
                h.push(("content-type", ty));
            }
            verdict(Method::POST, &h)
        };
        assert_eq!(post(Some("text/plain"), "2"), Err(415));
        assert_eq!(
            post(Some("application/x-www-form-urlencoded"), "2"),
            Err(415)
        );
        assert_eq!(post(None, "2"), Err(415));
        assert_eq!(post(Some("application/json; charset=utf-8"), "2"), Ok(()));
        assert_eq!(post(None, "0"), Ok(()), "an empty body needs no type");
        assert_eq!(post(Some("text/plain"), "0"), Ok(()));
    }

    #[test]
    fn the_policy_names_the_socket_of_this_host_only() {
        let csp = content_security_policy(Some("10.0.0.2:5001"));
        assert!(csp.contains("connect-src 'self' ws://10.0.0.2:5001 wss://10.0.0.2:5001;"));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(csp.starts_with("default-src 'self';"));
    }
}
