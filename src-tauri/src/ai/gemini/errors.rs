//! What can go wrong talking to Gemini, as errors a person can act on, and the
//! mapping from the API's HTTP status and `google.rpc` details to them.

use std::time::Duration;

use super::wire::ErrorEnvelope;
use super::{MAX_GENERATED_IMAGE_BYTES, MAX_RESPONSE_BYTES};
use crate::media::images::{MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};

/// Longest text from the server (an error message, the model's words) carried in an error.
pub const MAX_ERROR_TEXT_CHARS: usize = 300;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GeminiError {
    #[error("No Gemini API key is set on this host. The person running CoCo can add one in the host panel.")]
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
    #[error("Gemini sent a picture of {}; the host keeps pictures of at most {}.", megabytes(*.bytes), megabytes(MAX_GENERATED_IMAGE_BYTES))]
    ImageTooLarge { bytes: usize },
    #[error("Gemini sent a picture of {width} × {height} pixels, larger than the host keeps (at most {MAX_IMAGE_SIDE} pixels a side and {} million in all).", MAX_IMAGE_PIXELS / 1_000_000)]
    ImageTooManyPixels { width: u32, height: u32 },
    #[error("Gemini rejected the request: {message}")]
    Rejected { message: String },
    #[error("The request was not sent: {0}")]
    BadInput(String),
    #[error("Gemini took too long to answer.")]
    Timeout,
    /// The detail (the library's words) is for the host's log only.
    #[error("Could not reach Gemini. Check the host's internet connection and try again.")]
    Network(String),
    /// Gemini was reached, but the connection broke before the answer was in.
    #[error("The connection to Gemini broke off before it answered. Try again.")]
    ConnectionLost(String),
    /// The detail (the parser's words) is for the host's log only.
    #[error("Gemini sent an answer the host could not read. Try again; if it keeps happening, the host's log has the details.")]
    BadResponse(String),
    #[error(
        "Gemini's answer was larger than {}, more than the host reads.",
        megabytes(MAX_RESPONSE_BYTES)
    )]
    AnswerTooLarge,
}

/// A size for people: "32 MB", "33.6 MB" (1 MB = 2^20 bytes, as the limits are set).
pub fn megabytes(bytes: usize) -> String {
    let mb = bytes as f64 / (1024.0 * 1024.0);
    if (mb - mb.round()).abs() < 0.05 {
        format!("{} MB", mb.round() as u64)
    } else {
        format!("{mb:.1} MB")
    }
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
    /// An answer that could not be read: the person gets one sentence, the
    /// host's log the detail.
    pub fn bad_response(detail: impl Into<String>) -> GeminiError {
        let detail = detail.into();
        tracing::warn!("an answer from Gemini could not be read: {detail}");
        GeminiError::BadResponse(detail)
    }

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
            GeminiError::ImageTooLarge { .. } | GeminiError::ImageTooManyPixels { .. } => {
                "image_too_large"
            }
            GeminiError::Rejected { .. } => "rejected",
            GeminiError::BadInput(_) => "bad_input",
            GeminiError::Timeout => "timeout",
            GeminiError::Network(_) | GeminiError::ConnectionLost(_) => "network",
            GeminiError::BadResponse(_) | GeminiError::AnswerTooLarge => "bad_response",
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
        // Variants that share a code tell people different things.
        let shared = [
            (
                GeminiError::ImageTooLarge { bytes: 1 },
                GeminiError::ImageTooManyPixels {
                    width: 9_000,
                    height: 1_000,
                },
            ),
            (
                GeminiError::Network("x".into()),
                GeminiError::ConnectionLost("x".into()),
            ),
            (
                GeminiError::BadResponse("x".into()),
                GeminiError::AnswerTooLarge,
            ),
        ];
        for (a, b) in shared {
            assert_eq!(a.code(), b.code());
            assert_ne!(a.to_string(), b.to_string());
        }
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

#[cfg(test)]
mod wording {
    use super::*;

    /// Every message is a person's sentence: sizes in MB, the picture's
    /// size when it is too large, no library or parser detail.
    #[test]
    fn messages_are_in_a_persons_words() {
        assert_eq!(megabytes(MAX_RESPONSE_BYTES), "32 MB");
        assert_eq!(megabytes(35_232_153), "33.6 MB");
        let too_big = GeminiError::ImageTooManyPixels {
            width: 9_000,
            height: 1_000,
        };
        assert!(
            too_big.to_string().contains("9000 × 1000 pixels"),
            "{too_big}"
        );
        assert!(GeminiError::AnswerTooLarge.to_string().contains("32 MB"));
        let detail = "error sending request for url (Gemini): client error (SendRequest)";
        for e in [
            GeminiError::Network(detail.into()),
            GeminiError::ConnectionLost(detail.into()),
            GeminiError::BadResponse("expected value at line 1 column 1".into()),
        ] {
            let text = e.to_string();
            assert!(
                !text.contains("error sending") && !text.contains("line 1"),
                "{text}"
            );
            assert!(!text.contains(".."), "{text}");
        }
        assert!(!GeminiError::NoKey.to_string().contains("settings"));
    }
}
