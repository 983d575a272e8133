//! A stand-in for the Gemini REST API on `127.0.0.1:0`. It checks each request as
//! the real API would (key header, path, body shape) and answers from a queue of
//! scripted replies whose bodies follow the documented JSON, errors included.
//! It knows three kinds of model, by id: image models (`...-image`, the request
//! must ask for `IMAGE`), text-to-speech (`...-tts`, `AUDIO` with a
//! `speechConfig`) and text models (structured output with
//! `responseMimeType: application/json` and a schema, or plain text).
//! Every request is recorded so tests can count attempts and read headers.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine as _;
use serde_json::{json, Value};

#[path = "fake_gemini_checks.rs"]
mod checks;
use checks::check_request;

/// The API version prefix the fake serves, like the real one.
pub const FAKE_BASE_PATH: &str = "/v1beta";

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    Json {
        status: u16,
        body: Value,
    },
    /// A body sent as-is with `application/json`, e.g. truncated JSON.
    Raw {
        status: u16,
        body: String,
    },
    /// Wait, then answer.
    Slow {
        delay: Duration,
        then: Box<Reply>,
    },
    /// Only for a request whose text parts contain `text`: requests sent at
    /// the same time (narration lines) arrive in any order.
    For {
        text: String,
        then: Box<Reply>,
    },
    /// A 200 whose body breaks off: the connection is dropped after the
    /// first bytes, as a Wi-Fi link or a proxy that gives up does.
    Cut,
}

/// A request as the fake received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub api_key: Option<String>,
    pub body: Option<Value>,
    pub at: Instant,
}

struct Shared {
    key: String,
    models: Vec<String>,
    replies: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<Recorded>>,
    /// `generateContent` requests being answered now, and the most at once.
    in_flight: Mutex<(usize, usize)>,
}

/// The running fake; stops when dropped.
pub struct FakeGemini {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeGemini {
    /// Serves `models`, accepts only `key`, and answers `generateContent` from `replies`.
    pub async fn start(key: &str, models: &[&str], replies: Vec<Reply>) -> FakeGemini {
        let shared = Arc::new(Shared {
            key: key.to_string(),
            models: models.iter().map(|m| m.to_string()).collect(),
            replies: Mutex::new(replies.into()),
            requests: Mutex::new(Vec::new()),
            in_flight: Mutex::new((0, 0)),
        });
        let app = Router::new()
            .route(
                &format!("{FAKE_BASE_PATH}/models/{{target}}"),
                get(model_get).post(model_post),
            )
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FakeGemini { addr, shared, task }
    }

    /// The value for `GeminiConfig::base_url`.
    pub fn base_url(&self) -> String {
        format!("http://{}{FAKE_BASE_PATH}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// The most `generateContent` requests that were waiting for an answer at once.
    pub fn most_at_once(&self) -> usize {
        self.shared.in_flight.lock().unwrap().1
    }

    /// Scripted replies not yet used.
    pub fn pending(&self) -> usize {
        self.shared.replies.lock().unwrap().len()
    }
}

impl Drop for FakeGemini {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Reply {
    /// This reply, kept for the request whose text contains `text`.
    pub fn for_text(self, text: &str) -> Reply {
        Reply::For {
            text: text.to_string(),
            then: Box::new(self),
        }
    }

    /// A finished answer with a short remark and `image`, as image models send.
    pub fn image(image: &[u8], mime: &str) -> Reply {
        Reply::parts(
            vec![
                json!({"text": "Here is the finished drawing."}),
                inline(image, mime),
            ],
            "STOP",
        )
    }

    /// As [`Reply::image`], after a thought (a draft image the model reasons over).
    pub fn image_after_thought(draft: &[u8], image: &[u8], mime: &str) -> Reply {
        let mut thought = inline(draft, mime);
        thought["thought"] = json!(true);
        Reply::parts(
            vec![
                json!({"text": "Planning the composition.", "thought": true}),
                thought,
                json!({"text": "Here is the finished drawing."}),
                inline(image, mime),
            ],
            "STOP",
        )
    }

    /// A structured-output answer: `value` as JSON text, as a text model sends it.
    pub fn json_text(value: &Value) -> Reply {
        Reply::parts(vec![json!({ "text": value.to_string() })], "STOP")
    }

    /// A text-to-speech answer: `samples` as the API sends them, raw 16-bit
    /// little-endian mono PCM in base64, labelled with the rate.
    pub fn speech(samples: &[i16], rate: u32) -> Reply {
        let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
        Reply::parts(
            vec![inline(&bytes, &format!("audio/L16;codec=pcm;rate={rate}"))],
            "STOP",
        )
    }

    /// The model answers in words only.
    pub fn text_only(text: &str) -> Reply {
        Reply::parts(vec![json!({ "text": text })], "STOP")
    }

    /// The prompt is refused before generation: no candidates, `promptFeedback.blockReason`.
    pub fn prompt_blocked(reason: &str) -> Reply {
        Reply::Json {
            status: 200,
            body: json!({
                "promptFeedback": {
                    "blockReason": reason,
                    "safetyRatings": [
                        {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "HIGH"}
                    ]
                },
                "usageMetadata": {"promptTokenCount": 270, "totalTokenCount": 270},
                "modelVersion": "gemini-2.5-flash-image"
            }),
        }
    }

    /// Generation stopped with `finish_reason` and no parts (e.g. `IMAGE_SAFETY`).
    pub fn finished(finish_reason: &str) -> Reply {
        Reply::Json {
            status: 200,
            body: json!({
                "candidates": [{"content": {"role": "model"}, "finishReason": finish_reason, "index": 0}],
                "usageMetadata": {"promptTokenCount": 270, "totalTokenCount": 270},
                "modelVersion": "gemini-2.5-flash-image"
            }),
        }
    }

    /// 429 for a per-minute quota, with `RetryInfo.retryDelay`.
    pub fn rate_limited(retry_delay: &str) -> Reply {
        quota_error(
            "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            "10",
            retry_delay,
        )
    }

    /// 429 for a per-day quota (which also carries a `retryDelay`, as the real API does).
    pub fn daily_quota() -> Reply {
        quota_error(
            "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
            "100",
            "38s",
        )
    }

    /// An error answer in the API's shape (`{"error": {code, message, status}}`).
    pub fn error(code: u16, status: &str, message: &str) -> Reply {
        Reply::Json {
            status: code,
            body: json!({"error": {"code": code, "message": message, "status": status}}),
        }
    }

    pub fn overloaded() -> Reply {
        Reply::error(
            503,
            "UNAVAILABLE",
            "The model is overloaded. Please try again later.",
        )
    }

    pub fn permission_denied() -> Reply {
        Reply::error(
            403,
            "PERMISSION_DENIED",
            "Generative Language API has not been used in this project before or it is disabled.",
        )
    }

    /// A 200 whose JSON is cut off.
    pub fn malformed() -> Reply {
        Reply::Raw {
            status: 200,
            body: r#"{"candidates": [{"content": {"parts": [{"text": "Here is"#.to_string(),
        }
    }

    pub fn slow(delay: Duration, then: Reply) -> Reply {
        Reply::Slow {
            delay,
            then: Box::new(then),
        }
    }

    fn parts(parts: Vec<Value>, finish_reason: &str) -> Reply {
        Reply::Json {
            status: 200,
            body: json!({
                "candidates": [{
                    "content": {"parts": parts, "role": "model"},
                    "finishReason": finish_reason,
                    "index": 0
                }],
                "usageMetadata": {"promptTokenCount": 270, "candidatesTokenCount": 1290, "totalTokenCount": 1560},
                "modelVersion": "gemini-2.5-flash-image",
                "responseId": "fake-response"
            }),
        }
    }
}

fn inline(bytes: &[u8], mime: &str) -> Value {
    json!({"inlineData": {
        "mimeType": mime,
        "data": base64::engine::general_purpose::STANDARD.encode(bytes)
    }})
}

fn quota_error(quota_id: &str, value: &str, retry_delay: &str) -> Reply {
    Reply::Json {
        status: 429,
        body: json!({"error": {
            "code": 429,
            "message": "You exceeded your current quota, please check your plan and billing details.",
            "status": "RESOURCE_EXHAUSTED",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
                    "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                    "quotaId": quota_id,
                    "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash-image"},
                    "quotaValue": value
                }]},
                {"@type": "type.googleapis.com/google.rpc.Help", "links": [{
                    "description": "Learn more about Gemini API quotas",
                    "url": "https://ai.google.dev/gemini-api/docs/rate-limits"
                }]},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay}
            ]
        }}),
    }
}

async fn model_get(
    State(shared): State<Arc<Shared>>,
    Path(target): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    shared.record(Method::GET, &target, query.clone(), &headers, None);
    if let Some(refusal) = shared.refuse_key(&headers, query.as_deref()) {
        return refusal;
    }
    if !shared.models.contains(&target) {
        return not_found(&target);
    }
    answer(Reply::Json {
        status: 200,
        body: json!({
            "name": format!("models/{target}"),
            "displayName": target,
            "supportedGenerationMethods": ["generateContent", "countTokens"]
        }),
    })
    .await
}

async fn model_post(
    State(shared): State<Arc<Shared>>,
    Path(target): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let parsed: Option<Value> = serde_json::from_slice(&body).ok();
    shared.record(
        Method::POST,
        &target,
        query.clone(),
        &headers,
        parsed.clone(),
    );
    if let Some(refusal) = shared.refuse_key(&headers, query.as_deref()) {
        return refusal;
    }
    let Some((model, "generateContent")) = target.split_once(':') else {
        return error_response(404, "NOT_FOUND", "Method not found.");
    };
    if !shared.models.iter().any(|m| m == model) {
        return not_found(model);
    }
    let Some(request) = parsed else {
        return error_response(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
    };
    if let Err(problem) = check_request(model, &request) {
        return error_response(400, "INVALID_ARGUMENT", &problem);
    }
    let next = take_reply(&shared, &request);
    let Some(reply) = next else {
        return error_response(418, "FAILED_PRECONDITION", "fake: no scripted reply left");
    };
    {
        let mut n = shared.in_flight.lock().unwrap();
        n.0 += 1;
        n.1 = n.1.max(n.0);
    }
    let response = answer(reply).await;
    shared.in_flight.lock().unwrap().0 -= 1;
    response
}

/// The first scripted reply meant for this request: a [`Reply::For`] whose
/// text the request's text parts contain, or any other reply.
fn take_reply(shared: &Shared, request: &Value) -> Option<Reply> {
    let said: String = request["contents"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|c| c["parts"].as_array().into_iter().flatten())
        .filter_map(|p| p["text"].as_str())
        .collect();
    let mut replies = shared.replies.lock().unwrap();
    let index = replies.iter().position(|r| match r {
        Reply::For { text, .. } => said.contains(text.as_str()),
        _ => true,
    })?;
    replies.remove(index)
}

impl Shared {
    fn record(
        &self,
        method: Method,
        target: &str,
        query: Option<String>,
        headers: &HeaderMap,
        body: Option<Value>,
    ) {
        self.requests.lock().unwrap().push(Recorded {
            method: method.to_string(),
            path: format!("{FAKE_BASE_PATH}/models/{target}"),
            query,
            api_key: headers
                .get("x-goog-api-key")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            body,
            at: Instant::now(),
        });
    }

    /// The real API's refusals: no key → 403, a wrong key → 400 `API_KEY_INVALID`.
    /// A key in the URL is refused outright: the client must never put it there.
    fn refuse_key(&self, headers: &HeaderMap, query: Option<&str>) -> Option<Response> {
        if query.is_some_and(|q| q.contains("key=")) {
            return Some(error_response(
                400,
                "INVALID_ARGUMENT",
                "fake: the key must travel in the x-goog-api-key header",
            ));
        }
        match headers.get("x-goog-api-key").and_then(|v| v.to_str().ok()) {
            None => Some(error_response(
                403,
                "PERMISSION_DENIED",
                "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
            )),
            Some(k) if k == self.key => None,
            Some(_) => Some(json_response(
                400,
                json!({"error": {
                    "code": 400,
                    "message": "API key not valid. Please pass a valid API key.",
                    "status": "INVALID_ARGUMENT",
                    "details": [
                        {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                         "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                         "metadata": {"service": "generativelanguage.googleapis.com"}},
                        {"@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                         "locale": "en-US", "message": "API key not valid. Please pass a valid API key."}
                    ]
                }}),
            )),
        }
    }
}

async fn answer(reply: Reply) -> Response {
    let mut reply = reply;
    loop {
        match reply {
            Reply::Slow { delay, then } => {
                tokio::time::sleep(delay).await;
                reply = *then;
            }
            Reply::For { then, .. } => reply = *then,
            _ => break,
        }
    }
    match reply {
        Reply::Json { status, body } => json_response(status, body),
        Reply::Raw { status, body } => (
            StatusCode::from_u16(status).unwrap(),
            [("content-type", "application/json; charset=UTF-8")],
            body,
        )
            .into_response(),
        Reply::Cut => {
            let parts: Vec<Result<&'static str, std::io::Error>> = vec![
                Ok(r#"{"candidates": [{"content": {"parts": ["#),
                Err(std::io::Error::other("the link went down")),
            ];
            let body = axum::body::Body::from_stream(futures_util::stream::iter(parts));
            (
                StatusCode::OK,
                [("content-type", "application/json; charset=UTF-8")],
                body,
            )
                .into_response()
        }
        Reply::Slow { .. } | Reply::For { .. } => unreachable!("unwrapped above"),
    }
}

fn not_found(model: &str) -> Response {
    error_response(
        404,
        "NOT_FOUND",
        &format!("models/{model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."),
    )
}

fn error_response(code: u16, status: &str, message: &str) -> Response {
    json_response(
        code,
        json!({"error": {"code": code, "message": message, "status": status}}),
    )
}

fn json_response(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json; charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}
