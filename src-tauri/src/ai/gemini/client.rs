//! The HTTP side: one reqwest client, requests with the key header, bounded
//! bodies, and the retry loop every Gemini call goes through.

use std::sync::Arc;

use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::config::{ApiKey, GeminiConfig};
use super::errors::{bounded_text, classify, Failure, GeminiError};
use super::image::extract_image;
use super::retry::{Decision, RetryPolicy};
use super::wire::{self, GenerateContentResponse};
use super::{
    GeminiEvent, GeneratedImage, INPUT_IMAGE_MIMES, MAX_INPUT_IMAGE_BYTES, MAX_PROMPT_BYTES,
    MAX_RESPONSE_BYTES,
};

/// The longest model id accepted; ids go into the URL path.
const MAX_MODEL_ID_LEN: usize = 128;
const KEY_HEADER: &str = "x-goog-api-key";

/// A Gemini client. Clones share one connection pool.
#[derive(Clone)]
pub struct Gemini {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    image_model: String,
    text_model: String,
    tts_model: String,
    key: ApiKey,
    /// The key as a header value marked sensitive, so hyper never prints it.
    key_header: HeaderValue,
    policy: RetryPolicy,
}

impl std::fmt::Debug for Gemini {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gemini")
            .field("base_url", &self.inner.base_url)
            .field("image_model", &self.inner.image_model)
            .field("text_model", &self.inner.text_model)
            .field("tts_model", &self.inner.tts_model)
            .field("key", &self.inner.key)
            .finish()
    }
}

impl Gemini {
    pub fn new(cfg: GeminiConfig) -> Result<Gemini, GeminiError> {
        let key = match cfg.api_key.clone() {
            Some(key) if !key.is_empty() => key,
            _ => return Err(GeminiError::NoKey),
        };
        let mut key_header =
            HeaderValue::from_str(key.expose()).map_err(|_| GeminiError::BadKey)?;
        key_header.set_sensitive(true);
        let base_url = cfg.base_url.trim().trim_end_matches('/').to_string();
        match reqwest::Url::parse(&base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {}
            _ => {
                return Err(GeminiError::BadInput(format!(
                    "the Gemini base URL \"{}\" is not an http(s) URL",
                    bounded_text(&base_url, key.expose())
                )))
            }
        }
        valid_model(&cfg.image_model)?;
        valid_model(&cfg.text_model)?;
        valid_model(&cfg.tts_model)?;
        install_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout)
            .timeout(cfg.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("coco/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| GeminiError::Network(describe(&e, key.expose())))?;
        Ok(Gemini {
            inner: Arc::new(Inner {
                http,
                base_url,
                image_model: cfg.image_model.clone(),
                text_model: cfg.text_model.clone(),
                tts_model: cfg.tts_model.clone(),
                key,
                key_header,
                policy: RetryPolicy::from_config(&cfg),
            }),
        })
    }

    pub fn image_model(&self) -> &str {
        &self.inner.image_model
    }

    pub fn text_model(&self) -> &str {
        &self.inner.text_model
    }

    pub fn tts_model(&self) -> &str {
        &self.inner.tts_model
    }

    /// Removes the key from text that came from the server, and bounds it.
    pub(crate) fn bounded(&self, text: &str, max_chars: usize) -> String {
        super::errors::bounded(text, self.inner.key.expose(), max_chars)
    }

    /// `GET models/{model}`: proves the key works and the model exists.
    pub async fn check_model(&self, model: &str) -> Result<(), GeminiError> {
        valid_model(model)?;
        let url = format!("{}/models/{model}", self.inner.base_url);
        let body = self.call(Method::GET, &url, model, None, &|_| {}).await?;
        serde_json::from_slice::<Value>(&body)
            .map(|_| ())
            .map_err(|e| {
                GeminiError::bad_response(format!("the model description is not JSON ({e})"))
            })
    }

    /// Sends `prompt` and the image, returns the first image Gemini draws.
    pub async fn generate_image(
        &self,
        prompt: &str,
        image: &[u8],
        mime: &str,
        on_event: &(dyn Fn(GeminiEvent) + Send + Sync),
    ) -> Result<GeneratedImage, GeminiError> {
        check_prompt(prompt)?;
        check_input_image(image, mime)?;
        let body = wire::image_request(prompt, image, mime);
        let response = self
            .generate_content(&self.inner.image_model, &body, on_event)
            .await?;
        let result = extract_image(response, self.inner.key.expose());
        match &result {
            Ok(img) => tracing::info!(
                model = %self.inner.image_model,
                bytes = img.bytes.len(),
                mime = %img.mime,
                "gemini image received"
            ),
            Err(e) => {
                tracing::warn!(model = %self.inner.image_model, code = e.code(), "gemini gave no image")
            }
        }
        result
    }

    /// `POST models/{model}:generateContent` with any documented body; all retries
    /// and error mapping happen here. Image, story and speech calls build on it.
    pub async fn generate_content(
        &self,
        model: &str,
        body: &Value,
        on_event: &(dyn Fn(GeminiEvent) + Send + Sync),
    ) -> Result<GenerateContentResponse, GeminiError> {
        valid_model(model)?;
        let url = format!("{}/models/{model}:generateContent", self.inner.base_url);
        let json = serde_json::to_vec(body)
            .map_err(|e| GeminiError::BadInput(format!("the request is not JSON ({e})")))?;
        let answer = self
            .call(Method::POST, &url, model, Some(json), on_event)
            .await?;
        serde_json::from_slice(&answer).map_err(|e| {
            GeminiError::bad_response(format!("the answer is not the expected JSON ({e})"))
        })
    }

    /// Sends until a 2xx body arrives, a fatal error, or the retries run out.
    async fn call(
        &self,
        method: Method,
        url: &str,
        model: &str,
        body: Option<Vec<u8>>,
        on_event: &(dyn Fn(GeminiEvent) + Send + Sync),
    ) -> Result<Vec<u8>, GeminiError> {
        let key = self.inner.key.expose();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            on_event(GeminiEvent::Attempt { n: attempt });
            tracing::debug!(%method, model, attempt, "gemini request");
            let failure = match self.send_once(method.clone(), url, body.clone()).await {
                Ok((status, answer)) if status.is_success() => return Ok(answer),
                Ok((status, answer)) => {
                    tracing::warn!(
                        model,
                        attempt,
                        status = status.as_u16(),
                        "gemini error answer"
                    );
                    classify(status.as_u16(), &answer, model, key)
                }
                Err(e @ (GeminiError::Network(_) | GeminiError::ConnectionLost(_))) => {
                    Failure::Retry {
                        after: None,
                        error: e,
                    }
                }
                Err(e) => Failure::Fatal(e),
            };
            let (after, error) = match failure {
                Failure::Fatal(error) => return Err(error),
                Failure::Retry { after, error } => (after, error),
            };
            match self.inner.policy.decide(attempt, after) {
                Decision::GiveUp => return Err(error),
                Decision::Sleep(wait) => {
                    let reason = waiting_reason(&error);
                    tracing::info!(
                        model,
                        attempt,
                        wait_s = wait.as_secs_f64(),
                        code = error.code(),
                        "gemini retry"
                    );
                    on_event(GeminiEvent::Waiting {
                        seconds: wait.as_secs_f64(),
                        reason,
                    });
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// One request; the body is read up to [`MAX_RESPONSE_BYTES`].
    async fn send_once(
        &self,
        method: Method,
        url: &str,
        body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Vec<u8>), GeminiError> {
        let key = self.inner.key.expose();
        let mut request = self
            .inner
            .http
            .request(method, url)
            .header(KEY_HEADER, self.inner.key_header.clone());
        if let Some(body) = body {
            request = request.header(CONTENT_TYPE, "application/json").body(body);
        }
        let mut response = request.send().await.map_err(|e| transport_error(&e, key))?;
        let status = response.status();
        if response
            .content_length()
            .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
        {
            return Err(too_large());
        }
        let mut answer = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| transport_error(&e, key))?
        {
            if answer.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(too_large());
            }
            answer.extend_from_slice(&chunk);
        }
        Ok((status, answer))
    }
}

fn too_large() -> GeminiError {
    tracing::warn!("Gemini's answer is larger than {MAX_RESPONSE_BYTES} bytes");
    GeminiError::AnswerTooLarge
}

fn waiting_reason(error: &GeminiError) -> String {
    match error {
        GeminiError::RateLimited { .. } => "Gemini asked to wait (rate limit)".to_string(),
        GeminiError::Unavailable { status } => format!("Gemini is busy (HTTP {status})"),
        _ => "the connection to Gemini failed".to_string(),
    }
}

fn transport_error(e: &reqwest::Error, key: &str) -> GeminiError {
    if e.is_timeout() {
        GeminiError::Timeout
    } else {
        let detail = describe(e, key);
        tracing::warn!("a request to Gemini failed: {detail}");
        // Refused or unresolved: never reached. Anything else broke off an
        // exchange that had begun.
        if e.is_connect() || e.is_builder() {
            GeminiError::Network(detail)
        } else {
            GeminiError::ConnectionLost(detail)
        }
    }
}

/// The error and its causes, without the URL, scrubbed and bounded.
fn describe(e: &reqwest::Error, key: &str) -> String {
    let mut text = String::new();
    let mut source: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = source {
        let part = err.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        source = err.source();
    }
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "Gemini");
    }
    bounded_text(&text, key)
}

/// rustls needs one process-wide crypto provider; ring is built without cmake or nasm.
/// Another part of the process may have installed one first, which is fine.
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

fn valid_model(model: &str) -> Result<(), GeminiError> {
    let ok = !model.is_empty()
        && model.len() <= MAX_MODEL_ID_LEN
        && model
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(GeminiError::BadInput(format!(
            "\"{}\" is not a Gemini model id",
            model.chars().take(MAX_MODEL_ID_LEN).collect::<String>()
        )))
    }
}

fn check_prompt(prompt: &str) -> Result<(), GeminiError> {
    if prompt.trim().is_empty() {
        return Err(GeminiError::BadInput("the prompt is empty".into()));
    }
    if prompt.len() > MAX_PROMPT_BYTES {
        return Err(GeminiError::BadInput(format!(
            "the prompt is {} bytes; the limit is {MAX_PROMPT_BYTES}",
            prompt.len()
        )));
    }
    Ok(())
}

fn check_input_image(image: &[u8], mime: &str) -> Result<(), GeminiError> {
    if !INPUT_IMAGE_MIMES.contains(&mime) {
        return Err(GeminiError::BadInput(format!(
            "Gemini does not take {} images",
            mime.chars().take(64).collect::<String>()
        )));
    }
    if image.is_empty() {
        return Err(GeminiError::BadInput("the image is empty".into()));
    }
    if image.len() > MAX_INPUT_IMAGE_BYTES {
        return Err(GeminiError::BadInput(format!(
            "the image is {} bytes; the limit is {MAX_INPUT_IMAGE_BYTES}",
            image.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(key: Option<&str>) -> GeminiConfig {
        GeminiConfig {
            api_key: key.map(|k| ApiKey::new(k.to_string())),
            ..GeminiConfig::default()
        }
    }

    #[test]
    fn a_missing_or_blank_key_is_no_key() {
        assert_eq!(Gemini::new(cfg(None)).unwrap_err(), GeminiError::NoKey);
        assert_eq!(
            Gemini::new(cfg(Some("  "))).unwrap_err(),
            GeminiError::NoKey
        );
    }

    #[test]
    fn a_key_that_cannot_be_a_header_is_bad_key() {
        assert_eq!(
            Gemini::new(cfg(Some("abc\u{7f}def"))).unwrap_err(),
            GeminiError::BadKey
        );
    }

    #[test]
    fn model_ids_cannot_reach_other_paths() {
        assert!(valid_model("gemini-2.5-flash-image").is_ok());
        assert!(valid_model("tunedModels/x").is_err());
        assert!(valid_model("../files").is_err());
        assert!(valid_model("m:streamGenerateContent").is_err());
        assert!(valid_model(&"a".repeat(MAX_MODEL_ID_LEN)).is_ok());
        assert!(valid_model(&"a".repeat(MAX_MODEL_ID_LEN + 1)).is_err());
    }

    #[test]
    fn input_limits_hold_at_and_past_the_edge() {
        assert!(check_prompt(&"p".repeat(MAX_PROMPT_BYTES)).is_ok());
        assert!(check_prompt(&"p".repeat(MAX_PROMPT_BYTES + 1)).is_err());
        assert!(check_prompt(" \n").is_err());
        assert!(check_input_image(&vec![0; MAX_INPUT_IMAGE_BYTES], "image/png").is_ok());
        assert!(check_input_image(&vec![0; MAX_INPUT_IMAGE_BYTES + 1], "image/png").is_err());
        assert!(check_input_image(&[1], "image/gif").is_err());
        assert!(check_input_image(&[], "image/png").is_err());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let g = Gemini::new(cfg(Some("AIzaTopSecret"))).unwrap();
        assert!(!format!("{g:?}").contains("AIzaTopSecret"));
    }
}
