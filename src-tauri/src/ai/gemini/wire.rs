//! The JSON shapes of the Gemini REST API (`v1beta`), as documented: camelCase on
//! the wire, with the snake_case spellings the API also accepts as aliases.
//! Fields the client does not use are ignored, so new API fields never break parsing.

use base64::Engine as _;
use serde::Deserialize;
use serde_json::{json, Value};

/// The `generateContent` body for "this prompt, this image, answer with an image".
pub fn image_request(prompt: &str, image: &[u8], mime: &str) -> Value {
    let data = base64::engine::general_purpose::STANDARD.encode(image);
    json!({
        "contents": [{
            "role": "user",
            "parts": [
                { "text": prompt },
                { "inlineData": { "mimeType": mime, "data": data } }
            ]
        }],
        "generationConfig": { "responseModalities": ["TEXT", "IMAGE"] }
    })
}

/// A `generateContent` answer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentResponse {
    #[serde(default)]
    pub candidates: Vec<Candidate>,
    #[serde(default, alias = "prompt_feedback")]
    pub prompt_feedback: Option<PromptFeedback>,
    #[serde(default, alias = "model_version")]
    pub model_version: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Candidate {
    #[serde(default)]
    pub content: Option<Content>,
    #[serde(default, alias = "finish_reason")]
    pub finish_reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Content {
    #[serde(default)]
    pub parts: Vec<Part>,
    #[serde(default)]
    pub role: Option<String>,
}

/// One part of an answer: text, inline bytes, or a thought (reasoning, not output).
#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Part {
    #[serde(default)]
    pub text: Option<String>,
    #[serde(default, alias = "inline_data")]
    pub inline_data: Option<InlineData>,
    #[serde(default)]
    pub thought: bool,
}

impl std::fmt::Debug for Part {
    /// Inline data is shown by size only: megabytes of base64 in a log help nobody.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Part")
            .field("text", &self.text)
            .field("inline_data", &self.inline_data)
            .field("thought", &self.thought)
            .finish()
    }
}

#[derive(Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InlineData {
    #[serde(default, alias = "mime_type")]
    pub mime_type: String,
    /// Standard base64.
    #[serde(default)]
    pub data: String,
}

impl std::fmt::Debug for InlineData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineData")
            .field("mime_type", &self.mime_type)
            .field("base64_len", &self.data.len())
            .finish()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptFeedback {
    #[serde(default, alias = "block_reason")]
    pub block_reason: Option<String>,
}

/// The body of every non-2xx answer: `{"error": {...}}` (google.rpc.Status).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorEnvelope {
    #[serde(default)]
    pub error: ErrorStatus,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorStatus {
    #[serde(default)]
    pub code: u16,
    #[serde(default)]
    pub message: String,
    /// `RESOURCE_EXHAUSTED`, `INVALID_ARGUMENT`, `PERMISSION_DENIED`, ...
    #[serde(default)]
    pub status: String,
    /// Typed details; kept as JSON and read by `@type` in [`ErrorStatus`]'s methods.
    #[serde(default)]
    pub details: Vec<Value>,
}

const TYPE_RETRY_INFO: &str = "type.googleapis.com/google.rpc.RetryInfo";
const TYPE_QUOTA_FAILURE: &str = "type.googleapis.com/google.rpc.QuotaFailure";
const TYPE_ERROR_INFO: &str = "type.googleapis.com/google.rpc.ErrorInfo";

impl ErrorStatus {
    fn details_of<'a>(&'a self, ty: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.details
            .iter()
            .filter(move |d| d.get("@type").and_then(Value::as_str) == Some(ty))
    }

    /// `RetryInfo.retryDelay`, a protobuf duration such as `"38s"` or `"1.5s"`.
    pub fn retry_delay(&self) -> Option<std::time::Duration> {
        self.details_of(TYPE_RETRY_INFO)
            .filter_map(|d| d.get("retryDelay").and_then(Value::as_str))
            .find_map(parse_duration)
    }

    /// The `ErrorInfo.reason` values, e.g. `API_KEY_INVALID`.
    pub fn reasons(&self) -> impl Iterator<Item = &str> {
        self.details_of(TYPE_ERROR_INFO)
            .filter_map(|d| d.get("reason").and_then(Value::as_str))
    }

    /// True when a violated quota is counted per day: waiting minutes will not help.
    /// Read from `QuotaFailure.violations[].quotaId` (e.g.
    /// `GenerateRequestsPerDayPerProjectPerModel-FreeTier`) and `ErrorInfo`'s
    /// `metadata.quota_limit`.
    pub fn is_daily_quota(&self) -> bool {
        let per_day = |s: &str| s.to_ascii_lowercase().contains("perday");
        let violated = self
            .details_of(TYPE_QUOTA_FAILURE)
            .filter_map(|d| d.get("violations").and_then(Value::as_array))
            .flatten()
            .any(|v| {
                ["quotaId", "quotaMetric"]
                    .iter()
                    .filter_map(|k| v.get(*k).and_then(Value::as_str))
                    .any(per_day)
            });
        let info = self.details_of(TYPE_ERROR_INFO).any(|d| {
            d.pointer("/metadata/quota_limit")
                .and_then(Value::as_str)
                .is_some_and(per_day)
        });
        violated || info
    }
}

/// Parses a protobuf JSON duration (`"38s"`, `"0.5s"`). Rejects negatives and absurd values.
pub fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let secs: f64 = text.trim().strip_suffix('s')?.parse().ok()?;
    if secs.is_finite() && (0.0..=1e9).contains(&secs) {
        Some(std::time::Duration::from_secs_f64(secs))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn durations_parse_as_the_api_writes_them() {
        assert_eq!(parse_duration("38s"), Some(Duration::from_secs(38)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_duration("-1s"), None);
        assert_eq!(parse_duration("38"), None);
        assert_eq!(parse_duration("NaNs"), None);
    }

    #[test]
    fn quota_details_are_read_by_type() {
        let body: ErrorEnvelope = serde_json::from_value(json!({"error": {
            "code": 429, "status": "RESOURCE_EXHAUSTED", "message": "quota",
            "details": [
                {"@type": TYPE_QUOTA_FAILURE, "violations": [
                    {"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                     "quotaId": "GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]},
                {"@type": TYPE_RETRY_INFO, "retryDelay": "38s"}
            ]}}))
        .unwrap();
        assert!(body.error.is_daily_quota());
        assert_eq!(body.error.retry_delay(), Some(Duration::from_secs(38)));

        let minute: ErrorEnvelope = serde_json::from_value(json!({"error": {
            "code": 429, "details": [{"@type": TYPE_QUOTA_FAILURE, "violations": [
                {"quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]}]}}))
        .unwrap();
        assert!(!minute.error.is_daily_quota());
        assert_eq!(minute.error.retry_delay(), None);
    }

    #[test]
    fn snake_case_parts_are_accepted() {
        let r: GenerateContentResponse = serde_json::from_value(json!({
            "candidates": [{"content": {"parts": [
                {"inline_data": {"mime_type": "image/png", "data": "AAAA"}}]},
                "finish_reason": "STOP"}]}))
        .unwrap();
        let part = &r.candidates[0].content.as_ref().unwrap().parts[0];
        assert_eq!(part.inline_data.as_ref().unwrap().mime_type, "image/png");
        assert_eq!(r.candidates[0].finish_reason.as_deref(), Some("STOP"));
    }
}
