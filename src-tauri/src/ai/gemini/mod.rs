//! Gemini over its REST API (`generateContent`), without an SDK.
//!
//! One [`Gemini`] handle per host; it is cheap to clone. The key travels only in
//! the `x-goog-api-key` header (never the URL), redirects are not followed (a
//! redirect would carry the header elsewhere), and every text that leaves this
//! module — errors, events, tracing lines — is built without the key and scrubbed
//! of it besides.
//!
//! Retries: a 429 with a per-minute limit is retried after the server's
//! `RetryInfo.retryDelay` (when that is within `max_retry_wait`); 500/502/503/504
//! and dropped connections back off exponentially with jitter; at most
//! `max_retries` retries. A per-day quota, a bad key and every refusal stop at once.
//!
//! # Error codes
//!
//! [`GeminiError::code`] gives one of these stable names; `Display` gives a
//! sentence for a person.
//!
//! | code | meaning |
//! |---|---|
//! | `no_key` | No API key is configured. |
//! | `bad_key` | Gemini does not accept the key (HTTP 400 `API_KEY_INVALID`, or 401). |
//! | `permission_denied` | The key may not use this API or model (HTTP 403). |
//! | `model_not_found` | The model id does not exist or cannot serve this method (HTTP 404). |
//! | `daily_quota` | A per-day quota is used up (HTTP 429 with a `...PerDay...` quota id); not retried. |
//! | `rate_limited` | Per-minute limits still hit after the retries, or the server asked for a wait longer than `max_retry_wait`. |
//! | `unavailable` | Gemini answered 500/502/503/504 on every attempt. |
//! | `prompt_blocked` | The prompt was refused (`promptFeedback.blockReason`, e.g. `SAFETY`). |
//! | `image_blocked` | Generation stopped on purpose (`finishReason` such as `IMAGE_SAFETY`, `PROHIBITED_CONTENT`, `NO_IMAGE`; see [`BLOCKING_FINISH_REASONS`]). |
//! | `no_image` | The answer had no image; the model's text, if any, is carried (bounded). |
//! | `image_too_large` | The image is over [`MAX_GENERATED_IMAGE_BYTES`] once decoded, or its size is over the image store's limits (the message gives its size). |
//! | `rejected` | Any other 4xx (e.g. 400 `INVALID_ARGUMENT`); Gemini's message is carried (bounded). |
//! | `bad_input` | Refused before sending: empty or oversized prompt or image, unsupported MIME type, malformed model id or base URL. |
//! | `timeout` | No full answer within `request_timeout` (or no connection within `connect_timeout`). |
//! | `network` | The connection failed on every attempt: Gemini was not reached (DNS, refused, TLS), or the connection broke off before the answer was in (two different messages). |
//! | `bad_response` | A 2xx answer that is not the documented JSON, is over [`MAX_RESPONSE_BYTES`], or has invalid base64. |
//!
//! Every message is a sentence for the person who asked; the library's or
//! parser's detail goes to the host's log only.

mod client;
mod config;
mod errors;
mod image;
mod retry;
pub mod wire;

pub use client::Gemini;
pub use config::{
    ApiKey, GeminiConfig, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IMAGE_MODEL,
    DEFAULT_MAX_RETRIES, DEFAULT_MAX_RETRY_WAIT, DEFAULT_REQUEST_TIMEOUT, DEFAULT_RETRY_BASE_DELAY,
    DEFAULT_TEXT_MODEL, DEFAULT_TTS_MODEL,
};
pub use errors::{GeminiError, MAX_ERROR_TEXT_CHARS};
pub use image::{BLOCKING_FINISH_REASONS, MAX_MODEL_TEXT_CHARS};

/// The largest generated image accepted, decoded.
pub const MAX_GENERATED_IMAGE_BYTES: usize = 20 * 1024 * 1024;
/// The largest answer body read: a maximal image in base64 (4/3 of it) plus room for text.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;
/// The largest input image sent inline. Gemini caps a whole inline request at 20 MB,
/// and base64 grows the image by a third.
pub const MAX_INPUT_IMAGE_BYTES: usize = 14 * 1024 * 1024;
/// The longest prompt sent, in bytes.
pub const MAX_PROMPT_BYTES: usize = 32 * 1024;
/// Image types Gemini accepts as inline input.
pub const INPUT_IMAGE_MIMES: &[&str] = &[
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/heic",
    "image/heif",
];

/// An image Gemini made.
#[derive(Clone, PartialEq, Eq)]
pub struct GeneratedImage {
    pub bytes: Vec<u8>,
    /// As Gemini labelled it, e.g. `image/png`.
    pub mime: String,
    /// What the model said alongside the image, bounded by [`MAX_MODEL_TEXT_CHARS`].
    pub text: Option<String>,
}

impl std::fmt::Debug for GeneratedImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedImage")
            .field("bytes", &self.bytes.len())
            .field("mime", &self.mime)
            .field("text", &self.text)
            .finish()
    }
}

/// Progress of one call, for a job's status line.
#[derive(Debug, Clone, PartialEq)]
pub enum GeminiEvent {
    /// Attempt `n` (from 1) is being sent.
    Attempt { n: u32 },
    /// Waiting before the next attempt; `reason` is a short phrase for a person.
    Waiting { seconds: f64, reason: String },
}
