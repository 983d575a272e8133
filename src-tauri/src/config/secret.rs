//! The Gemini API key: a secret setting that must never be shown.

use std::fmt;

/// A Gemini API key. It is sent only in the `x-goog-api-key` header; `Debug` and
/// `Display` print `[redacted]` so a key can sit inside any logged struct safely.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Surrounding whitespace (a pasted newline) is dropped.
    pub fn new(key: String) -> ApiKey {
        ApiKey(key.trim().to_string())
    }

    /// The key itself, for the request header and for scrubbing text that leaves the client.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}
