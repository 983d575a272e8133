//! What can go wrong talking to Gemini, as errors a person can act on, and the
//! mapping from the API's HTTP status and `google.rpc` details to them.

use std::time::Duration;

use super::wire::ErrorEnvelope;
use super::MAX_GENERATED_IMAGE_BYTES;

/// Longest text from the server (an error message, the model's words) carried in an error.
pub const MAX_ERROR_TEXT_CHARS: usize = 300;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeminiError {
    #[error("No Gemini API key is set. Add one in the settings to use Gemini.")]
    NoKey,
    #[error("Gemini did not accept the API key. Check that it was copied completely.")]
    BadKey,
    #[error("This Gemini API key is not allowed to use this service or model.")]
    PermissionDenied,
    #[error("Gemini has no model called \"{model}\" that can answer this request.")]
    ModelNotFound { model: String },
    #[error(
        "The Gemini daily quota is used up. Try again tomorrow, or use a key with a higher quota."
    )]
    DailyQuota,
    #[error("{}", rate_limited_message(*.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    #[error("Gemini is unavailable right now (HTTP {status}). Try again in a minute.")]
    Unavailable { status: u16 },
    #[error("Gemini refused the prompt ({reason}). Try different words.")]
    PromptBlocked { reason: String },
    #[error(
        "Gemini would not make this image ({finish_reason}). Try a different prompt or sketch."
    )]
    ImageBlocked { finish_reason: String },
    #[error("{}", no_image_message(.text.as_deref()))]
    NoImage { text: Option<String> },
    #[error("Gemini returned an image of {bytes} bytes; the limit is {MAX_GENERATED_IMAGE_BYTES} bytes.")]
    ImageTooLarge { bytes: usize },
    #[error("Gemini rejected the request: {message}")]
    Rejected { message: String },
    #[error("The request was not sent: {0}")]
    BadInput(String),
    #[error("Gemini took too long to answer.")]
    Timeout,
    #[error("Could not reach Gemini: {0}")]
    Network(String),
    #[error("Gemini sent an answer that could not be read: {0}")]
    BadResponse(String),
}

fn rate_limited_message(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(
            "Gemini is getting too many requests from this key. Try again in {} s.",
            d.as_secs_f64().ceil() as u64
        ),
        None => {
            "Gemini is getting too many requests from this key. Try again in a minute.".to_string()
        }
    }
}

fn no_image_message(text: Option<&str>) -> String {
    match text {
        Some(t) => format!("Gemini answered without an image: \"{t}\""),
        None => "Gemini answered without an image.".to_string(),
    }
}

impl GeminiError {
    /// A stable snake_case name for the UI and the job record.
    pub fn code(&self) -> &'static str {
        match self {
            GeminiError::NoKey => "no_key",
            GeminiError::BadKey => "bad_key",
            GeminiError::PermissionDenied => "permission_denied",
            GeminiError::ModelNotFound { .. } => "model_not_found",
            GeminiError::DailyQuota => "daily_quota",
            GeminiError::RateLimited { .. } => "rate_limited",
            GeminiError::Unavailable { .. } => "unavailable",
            GeminiError::PromptBlocked { .. } => "prompt_blocked",
            GeminiError::ImageBlocked { .. } => "image_blocked",
            GeminiError::NoImage { .. } => "no_image",
            GeminiError::ImageTooLarge { .. } => "image_too_large",
            GeminiError::Rejected { .. } => "rejected",
            GeminiError::BadInput(_) => "bad_input",
            GeminiError::Timeout => "timeout",
            GeminiError::Network(_) => "network",
            GeminiError::BadResponse(_) => "bad_response",
        }
    }
}

/// What to do after a non-2xx answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// Worth another attempt; `after` is the server's advice, if it gave one.
    Retry {
        after: Option<Duration>,
        error: GeminiError,
    },
    /// Retrying cannot help.
    Fatal(GeminiError),
}

/// Maps an error answer to a [`Failure`]. `key` is scrubbed from any server text kept.
pub(crate) fn classify(status: u16, body: &[u8], model: &str, key: &str) -> Failure {
    let envelope: ErrorEnvelope = serde_json::from_slice(body).unwrap_or_default();
    let err = envelope.error;
    if err.reasons().any(|r| r == "API_KEY_INVALID") || status == 401 {
        return Failure::Fatal(GeminiError::BadKey);
    }
    match status {
        403 => Failure::Fatal(GeminiError::PermissionDenied),
        404 => Failure::Fatal(GeminiError::ModelNotFound {
            model: model.to_string(),
        }),
        429 if err.is_daily_quota() => Failure::Fatal(GeminiError::DailyQuota),
        429 => {
            let after = err.retry_delay();
            Failure::Retry {
                after,
                error: GeminiError::RateLimited { retry_after: after },
            }
        }
        500 | 502 | 503 | 504 => Failure::Retry {
            after: None,
            error: GeminiError::Unavailable { status },
        },
        400..=499 => {
            let message = if err.message.is_empty() {
                format!("HTTP {status}")
            } else {
                bounded_text(&err.message, key)
            };
            Failure::Fatal(GeminiError::Rejected { message })
        }
        _ => Failure::Fatal(GeminiError::BadResponse(format!(
            "unexpected HTTP status {status}"
        ))),
    }
}

/// Server or library text made safe to carry: the key removed, length bounded.
pub(crate) fn bounded_text(text: &str, key: &str) -> String {
    bounded(text, key, MAX_ERROR_TEXT_CHARS)
}

/// [`bounded_text`] with a chosen length; an ellipsis marks a cut.
pub(crate) fn bounded(text: &str, key: &str, max_chars: usize) -> String {
    let clean = scrub(text.trim(), key);
    match clean.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &clean[..cut]),
        None => clean,
    }
}

/// Removes every occurrence of the key. Belt and braces: the key travels only in a
/// header, but text from a proxy or a library could still echo it.
pub(crate) fn scrub(text: &str, key: &str) -> String {
    if key.is_empty() {
        text.to_string()
    } else {
        text.replace(key, "[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: serde_json::Value) -> Vec<u8> {
        serde_json::to_vec(&v).unwrap()
    }

    #[test]
    fn codes_are_distinct() {
        let all = [
            GeminiError::NoKey,
            GeminiError::BadKey,
            GeminiError::PermissionDenied,
            GeminiError::ModelNotFound { model: "m".into() },
            GeminiError::DailyQuota,
            GeminiError::RateLimited { retry_after: None },
            GeminiError::Unavailable { status: 503 },
            GeminiError::PromptBlocked {
                reason: "SAFETY".into(),
            },
            GeminiError::ImageBlocked {
                finish_reason: "IMAGE_SAFETY".into(),
            },
            GeminiError::NoImage { text: None },
            GeminiError::ImageTooLarge { bytes: 1 },
            GeminiError::Rejected {
                message: "x".into(),
            },
            GeminiError::BadInput("x".into()),
            GeminiError::Timeout,
            GeminiError::Network("x".into()),
            GeminiError::BadResponse("x".into()),
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(GeminiError::code).collect();
        assert_eq!(codes.len(), all.len());
    }

    #[test]
    fn bad_key_is_read_from_error_info() {
        let b = body(json!({"error": {"code": 400, "status": "INVALID_ARGUMENT",
            "message": "API key not valid. Please pass a valid API key.",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID", "domain": "googleapis.com"}]}}));
        assert!(matches!(
            classify(400, &b, "m", "k"),
            Failure::Fatal(GeminiError::BadKey)
        ));
    }

    #[test]
    fn other_400s_keep_a_bounded_scrubbed_message() {
        let long = format!("bad thing with SECRETKEY {}", "x".repeat(1000));
        let b = body(json!({"error": {"code": 400, "message": long}}));
        match classify(400, &b, "m", "SECRETKEY") {
            Failure::Fatal(GeminiError::Rejected { message }) => {
                assert!(!message.contains("SECRETKEY"));
                assert!(message.chars().count() <= MAX_ERROR_TEXT_CHARS + 1);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn non_json_error_bodies_still_map_by_status() {
        assert!(matches!(
            classify(503, b"<html>busy</html>", "m", "k"),
            Failure::Retry {
                error: GeminiError::Unavailable { status: 503 },
                ..
            }
        ));
    }
}
