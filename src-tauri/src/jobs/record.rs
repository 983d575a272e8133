//! What is known of one job, as stored and shown to clients.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Where a job is in its life. Only the last three are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Running,
    Complete,
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn is_final(self) -> bool {
        matches!(
            self,
            JobStatus::Complete | JobStatus::Failed | JobStatus::Cancelled
        )
    }

    /// The three states the existing client knows: `processing`,
    /// `complete`, `error`.
    pub fn compat(self) -> &'static str {
        match self {
            JobStatus::Queued | JobStatus::Running => "processing",
            JobStatus::Complete => "complete",
            JobStatus::Failed | JobStatus::Cancelled => "error",
        }
    }
}

/// Why a job did not finish: a `code` for programs, a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobFailure {
    pub code: String,
    pub message: String,
}

impl JobFailure {
    pub fn new(code: &str, message: impl Into<String>) -> JobFailure {
        JobFailure {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

/// One job. `input` and `result` are kind-specific JSON, shown as they are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JobRecord {
    pub id: String,
    pub kind: String,
    pub room: String,
    pub status: JobStatus,
    /// 0.0 to 1.0.
    pub progress: f32,
    /// What the job is doing now, for people ("asking Gemini", "frame 40 of 300").
    pub message: String,
    /// Milliseconds since the Unix epoch.
    pub created_at: u64,
    pub updated_at: u64,
    pub input: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<JobFailure>,
}

/// Whether `id` is shaped like the ids [`super::Jobs`] issues (32 hex digits).
pub fn valid_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl crate::store::JsonRecord for JobRecord {}
