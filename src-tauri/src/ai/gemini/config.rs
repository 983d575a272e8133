//! Settings for the Gemini client (the key itself is a [`crate::config::ApiKey`]).

use std::time::Duration;

pub use crate::config::ApiKey;

/// The Gemini API root, version included; requests go to `{base}/models/...`.
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com/v1beta";
/// The model that answers a sketch with an image (image output over `generateContent`).
pub const DEFAULT_IMAGE_MODEL: &str = "gemini-2.5-flash-image";
/// The model that writes text (storyboard stories).
pub const DEFAULT_TEXT_MODEL: &str = "gemini-2.5-flash";
/// The model that reads a story aloud (audio output over `generateContent`).
pub const DEFAULT_TTS_MODEL: &str = "gemini-2.5-flash-preview-tts";
/// Time to open the TCP + TLS connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time for one whole request, body included. Image generation often takes 10–30 s.
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// Retries after the first attempt, for 429 (per-minute limits) and 5xx answers.
pub const DEFAULT_MAX_RETRIES: u32 = 3;
/// The longest single wait before a retry. A server that asks for more (a 429 whose
/// `retryDelay` is longer) gets a `rate_limited` error at once instead of a hung job.
pub const DEFAULT_MAX_RETRY_WAIT: Duration = Duration::from_secs(60);
/// The first backoff step for 5xx answers and dropped connections; doubles each retry.
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_secs(1);

/// Everything [`super::Gemini::new`] needs. `Debug` is safe to log: the key is redacted.
#[derive(Debug, Clone)]
pub struct GeminiConfig {
    /// API root including the version, without a trailing slash (one is tolerated).
    pub base_url: String,
    pub image_model: String,
    pub text_model: String,
    /// The text-to-speech model that narrates videos.
    pub tts_model: String,
    pub api_key: Option<ApiKey>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_retries: u32,
    pub max_retry_wait: Duration,
    pub retry_base_delay: Duration,
}

impl Default for GeminiConfig {
    fn default() -> Self {
        GeminiConfig {
            base_url: DEFAULT_BASE_URL.to_string(),
            image_model: DEFAULT_IMAGE_MODEL.to_string(),
            text_model: DEFAULT_TEXT_MODEL.to_string(),
            tts_model: DEFAULT_TTS_MODEL.to_string(),
            api_key: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
            max_retries: DEFAULT_MAX_RETRIES,
            max_retry_wait: DEFAULT_MAX_RETRY_WAIT,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_trimmed_and_never_printed() {
        let key = ApiKey::new("  AIzaSecret123\n".to_string());
        assert_eq!(key.expose(), "AIzaSecret123");
        assert_eq!(format!("{key}"), "[redacted]");
        assert_eq!(format!("{key:?}"), "[redacted]");
        let cfg = GeminiConfig {
            api_key: Some(key),
            ..GeminiConfig::default()
        };
        assert!(!format!("{cfg:?}").contains("AIzaSecret123"));
    }
}
