//! The Gemini client against a local fake of the REST API: every answer the
//! documented API can give maps to the right result, retries wait as told and
//! stop when they should, and the key never shows up in a log, error or event.

mod common;

use std::io::Cursor;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use coco::ai::gemini::{
    ApiKey, Gemini, GeminiConfig, GeminiError, GeminiEvent, MAX_GENERATED_IMAGE_BYTES,
    MAX_RESPONSE_BYTES,
};
use common::fake_gemini::{FakeGemini, Reply};
use serde_json::json;

const KEY: &str = "AIzaSyFAKE-k3y_for-tests-0123456789abcd";
const MODEL: &str = "gemini-2.5-flash-image";
const PROMPT: &str = "Turn this sketch into a watercolour of a lighthouse at dusk.";

/// Everything one test needs: the fake, a client for it, captured logs and events.
struct Rig {
    fake: FakeGemini,
    gemini: Gemini,
    logs: Logs,
    events: Arc<Mutex<Vec<GeminiEvent>>>,
    _log_guard: tracing::subscriber::DefaultGuard,
}

async fn rig(replies: Vec<Reply>) -> Rig {
    rig_with(replies, |_| {}).await
}

async fn rig_with(replies: Vec<Reply>, tweak: impl FnOnce(&mut GeminiConfig)) -> Rig {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    // Tests run on a current-thread runtime, so this catches the client's lines.
    let _log_guard = tracing::subscriber::set_default(subscriber);
    let fake = FakeGemini::start(KEY, &[MODEL, "gemini-2.5-flash"], replies).await;
    let mut cfg = GeminiConfig {
        base_url: fake.base_url(),
        api_key: Some(ApiKey::new(KEY.to_string())),
        request_timeout: Duration::from_secs(20),
        retry_base_delay: Duration::from_millis(20),
        ..GeminiConfig::default()
    };
    tweak(&mut cfg);
    assert!(!format!("{cfg:?}").contains(KEY));
    let gemini = Gemini::new(cfg).expect("client builds");
    Rig {
        fake,
        gemini,
        logs,
        events: Arc::default(),
        _log_guard,
    }
}

impl Rig {
    async fn enhance(&self, image: &[u8]) -> Result<coco::ai::gemini::GeneratedImage, GeminiError> {
        let events = self.events.clone();
        let on_event = move |e: GeminiEvent| events.lock().unwrap().push(e);
        let result = self
            .gemini
            .generate_image(PROMPT, image, "image/png", &on_event)
            .await;
        self.assert_no_key_anywhere(&result);
        result
    }

    fn events(&self) -> Vec<GeminiEvent> {
        self.events.lock().unwrap().clone()
    }

    fn waits(&self) -> Vec<(f64, String)> {
        self.events()
            .into_iter()
            .filter_map(|e| match e {
                GeminiEvent::Waiting { seconds, reason } => Some((seconds, reason)),
                GeminiEvent::Attempt { .. } => None,
            })
            .collect()
    }

    /// The key must not be in the logs, the result (Display and Debug), the events
    /// or the client's Debug. The logs must hold the client's lines, or this proves nothing.
    fn assert_no_key_anywhere<T: std::fmt::Debug>(&self, result: &Result<T, GeminiError>) {
        let logs = self.logs.text();
        assert!(
            logs.contains("gemini request"),
            "no client log captured:\n{logs}"
        );
        assert!(!logs.contains(KEY), "key in logs:\n{logs}");
        assert!(!format!("{result:?}").contains(KEY));
        if let Err(e) = result {
            assert!(!e.to_string().contains(KEY));
        }
        assert!(!format!("{:?}", self.events()).contains(KEY));
        assert!(!format!("{:?}", self.gemini).contains(KEY));
    }
}

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Logs {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl std::io::Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn sketch() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(64, 48, |x, y| {
        image::Rgba([(x * 4) as u8, (y * 5) as u8, 30, 255])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Every byte value, so any text-mangling on the way would show.
fn result_bytes(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 256) as u8).collect()
}

#[tokio::test]
async fn an_image_answer_round_trips_exactly() {
    let made = result_bytes(300_000);
    let rig = rig(vec![Reply::image(&made, "image/png")]).await;
    let input = sketch();
    let img = rig.enhance(&input).await.expect("image");
    assert_eq!(img.bytes, made);
    assert_eq!(img.mime, "image/png");
    assert_eq!(img.text.as_deref(), Some("Here is the finished drawing."));

    let reqs = rig.fake.requests();
    assert_eq!(reqs.len(), 1);
    let req = &reqs[0];
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, format!("/v1beta/models/{MODEL}:generateContent"));
    assert_eq!(req.query, None, "nothing, least of all the key, in the URL");
    assert_eq!(req.api_key.as_deref(), Some(KEY));
    let body = req.body.as_ref().unwrap();
    assert_eq!(
        body.pointer("/contents/0/parts/0/text"),
        Some(&json!(PROMPT))
    );
    let sent = body
        .pointer("/contents/0/parts/1/inlineData/data")
        .and_then(|v| v.as_str())
        .unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(sent)
            .unwrap(),
        input
    );
    assert_eq!(rig.events(), vec![GeminiEvent::Attempt { n: 1 }]);
}

#[tokio::test]
async fn thought_parts_are_not_the_result() {
    let draft = result_bytes(1_000);
    let made = result_bytes(2_000);
    let rig = rig(vec![Reply::image_after_thought(&draft, &made, "image/png")]).await;
    let img = rig.enhance(&sketch()).await.expect("image");
    assert_eq!(img.bytes, made);
    assert_eq!(img.text.as_deref(), Some("Here is the finished drawing."));
}

#[tokio::test]
async fn a_text_only_answer_is_no_image_with_the_models_words() {
    let rig = rig(vec![Reply::text_only(
        "I can't draw that, but here's a description.",
    )])
    .await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(
        err,
        GeminiError::NoImage {
            text: Some("I can't draw that, but here's a description.".into())
        }
    );
    assert_eq!(err.code(), "no_image");
    assert!(err.to_string().contains("here's a description"));
}

#[tokio::test]
async fn a_blocked_prompt_says_why() {
    let rig = rig(vec![Reply::prompt_blocked("SAFETY")]).await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(
        err,
        GeminiError::PromptBlocked {
            reason: "SAFETY".into()
        }
    );
    assert_eq!(err.code(), "prompt_blocked");
    assert_eq!(
        err.to_string(),
        "Gemini refused the prompt (SAFETY). Try different words."
    );
    assert_eq!(rig.fake.requests().len(), 1, "a refusal is not retried");
}

#[tokio::test]
async fn an_image_safety_stop_is_image_blocked() {
    let rig = rig(vec![Reply::finished("IMAGE_SAFETY")]).await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(
        err,
        GeminiError::ImageBlocked {
            finish_reason: "IMAGE_SAFETY".into()
        }
    );
    assert_eq!(err.code(), "image_blocked");
}

#[tokio::test]
async fn a_rate_limit_waits_the_advised_delay_then_retries() {
    let made = result_bytes(5_000);
    let rig = rig(vec![
        Reply::rate_limited("1s"),
        Reply::image(&made, "image/png"),
    ])
    .await;
    let img = rig.enhance(&sketch()).await.expect("image after the wait");
    assert_eq!(img.bytes, made);

    let reqs = rig.fake.requests();
    assert_eq!(reqs.len(), 2);
    let gap = reqs[1].at - reqs[0].at;
    assert!(
        gap >= Duration::from_millis(950),
        "retried after only {gap:?}"
    );
    let events = rig.events();
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(events[0], GeminiEvent::Attempt { n: 1 });
    assert!(matches!(&events[1], GeminiEvent::Waiting { seconds, .. } if *seconds == 1.0));
    assert_eq!(events[2], GeminiEvent::Attempt { n: 2 });
}

#[tokio::test]
async fn a_rate_limit_that_never_lifts_ends_in_rate_limited() {
    let replies = (0..3).map(|_| Reply::rate_limited("0.05s")).collect();
    let rig = rig_with(replies, |c| c.max_retries = 2).await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err.code(), "rate_limited");
    assert_eq!(rig.fake.requests().len(), 3, "one try and two retries");
    assert_eq!(rig.waits().len(), 2);
}

#[tokio::test]
async fn an_advised_wait_beyond_the_bound_fails_at_once() {
    let rig = rig_with(vec![Reply::rate_limited("38s")], |c| {
        c.max_retry_wait = Duration::from_secs(5)
    })
    .await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(
        err,
        GeminiError::RateLimited {
            retry_after: Some(Duration::from_secs(38))
        }
    );
    assert!(err.to_string().contains("38 s"), "{err}");
    assert_eq!(rig.fake.requests().len(), 1);
    assert!(rig.waits().is_empty());
}

#[tokio::test]
async fn a_daily_quota_stops_without_retrying() {
    let rig = rig(vec![
        Reply::daily_quota(),
        Reply::image(&[1, 2, 3], "image/png"),
    ])
    .await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err, GeminiError::DailyQuota);
    assert_eq!(err.code(), "daily_quota");
    assert!(err.to_string().contains("daily quota is used up"));
    assert_eq!(rig.fake.requests().len(), 1);
    assert!(rig.waits().is_empty());
    assert_eq!(rig.fake.pending(), 1);
}

#[tokio::test]
async fn an_overloaded_model_is_retried_with_backoff() {
    let made = result_bytes(4_000);
    let rig = rig(vec![
        Reply::overloaded(),
        Reply::overloaded(),
        Reply::image(&made, "image/png"),
    ])
    .await;
    let img = rig
        .enhance(&sketch())
        .await
        .expect("image on the third try");
    assert_eq!(img.bytes, made);
    assert_eq!(rig.fake.requests().len(), 3);
    let waits = rig.waits();
    assert_eq!(waits.len(), 2);
    assert!(waits.iter().all(|(_, reason)| reason.contains("503")));
    assert!(
        waits.iter().all(|(s, _)| *s > 0.0 && *s <= 0.08),
        "{waits:?}"
    );
}

#[tokio::test]
async fn an_outage_ends_in_unavailable() {
    let replies = (0..4).map(|_| Reply::overloaded()).collect();
    let rig = rig(replies).await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err, GeminiError::Unavailable { status: 503 });
    assert_eq!(
        rig.fake.requests().len(),
        4,
        "one try and the default three retries"
    );
}

#[tokio::test]
async fn malformed_json_is_a_bad_response() {
    let rig = rig(vec![Reply::malformed()]).await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err.code(), "bad_response");
    assert_eq!(rig.fake.requests().len(), 1);
    // A person's sentence; the parser's words are in the host's log.
    let text = err.to_string();
    assert!(text.contains("could not read"), "{text}");
    assert!(!text.contains("line 1") && !text.contains("EOF"), "{text}");
    assert!(
        rig.logs.text().contains("EOF while parsing"),
        "the detail is logged"
    );
}

/// A connection that breaks off mid-answer is retried, then said in a
/// person's words: Gemini was reached, and the library's text stays in the
/// host's log.
#[tokio::test]
async fn a_connection_cut_mid_answer_is_retried_then_said_plainly() {
    let rig = rig((0..4).map(|_| Reply::Cut).collect()).await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err.code(), "network");
    assert!(matches!(err, GeminiError::ConnectionLost(_)), "{err:?}");
    assert_eq!(rig.fake.requests().len(), 4, "one try and three retries");
    let text = err.to_string();
    assert_eq!(
        text,
        "The connection to Gemini broke off before it answered. Try again."
    );
    assert!(rig.logs.text().contains("a request to Gemini failed"));
}

#[tokio::test]
async fn a_slow_answer_past_the_timeout_is_timeout() {
    let slow = Reply::slow(
        Duration::from_secs(3),
        Reply::image(&[1, 2, 3], "image/png"),
    );
    let rig = rig_with(vec![slow], |c| {
        c.request_timeout = Duration::from_millis(300)
    })
    .await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err, GeminiError::Timeout);
    assert_eq!(err.code(), "timeout");
    assert_eq!(rig.fake.requests().len(), 1, "a timeout is not retried");
}

#[tokio::test]
async fn a_wrong_key_is_bad_key() {
    const WRONG: &str = "AIzaSyWRONG-key-0000000000000000000000";
    let rig = rig_with(vec![Reply::image(&[1], "image/png")], |c| {
        c.api_key = Some(ApiKey::new(WRONG.to_string()))
    })
    .await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err, GeminiError::BadKey);
    assert_eq!(err.code(), "bad_key");
    assert_eq!(rig.fake.requests().len(), 1);
    assert_eq!(rig.fake.requests()[0].api_key.as_deref(), Some(WRONG));
    assert!(!rig.logs.text().contains(WRONG));
    assert!(!format!("{err:?} {err}").contains(WRONG));
}

#[tokio::test]
async fn a_forbidden_key_is_permission_denied() {
    let rig = rig(vec![Reply::permission_denied()]).await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err, GeminiError::PermissionDenied);
    assert_eq!(err.code(), "permission_denied");
}

#[tokio::test]
async fn model_check_finds_known_models_and_names_unknown_ones() {
    let rig = rig(vec![]).await;
    rig.gemini.check_model(MODEL).await.expect("known model");
    let missing = rig.gemini.check_model("gemini-0.1-nonexistent").await;
    rig.assert_no_key_anywhere(&missing);
    assert_eq!(
        missing.unwrap_err(),
        GeminiError::ModelNotFound {
            model: "gemini-0.1-nonexistent".into()
        }
    );
    let reqs = rig.fake.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].path, format!("/v1beta/models/{MODEL}"));
    assert!(reqs
        .iter()
        .all(|r| r.api_key.as_deref() == Some(KEY) && r.query.is_none()));
}

#[tokio::test]
async fn an_image_at_the_size_limit_is_accepted_and_one_byte_more_is_refused() {
    let at_limit = result_bytes(MAX_GENERATED_IMAGE_BYTES);
    let over = result_bytes(MAX_GENERATED_IMAGE_BYTES + 1);
    let rig = rig(vec![
        Reply::image(&at_limit, "image/png"),
        Reply::image(&over, "image/png"),
    ])
    .await;
    let img = rig.enhance(&sketch()).await.expect("image at the limit");
    assert!(img.bytes == at_limit);
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err.code(), "image_too_large");
    assert_eq!(rig.fake.requests().len(), 2);
    assert!(
        err.to_string()
            .ends_with("the host keeps pictures of at most 20 MB."),
        "sizes in MB, not bytes: {err}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_a_network_error_after_retries() {
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = closed.local_addr().unwrap();
    drop(closed);
    let rig = rig_with(vec![], |c| {
        c.base_url = format!("http://{addr}/v1beta");
        c.max_retries = 1;
    })
    .await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err.code(), "network");
    assert_eq!(rig.waits().len(), 1);
    assert!(
        matches!(err, GeminiError::Network(_)),
        "never reached: {err:?}"
    );
    assert!(
        err.to_string().starts_with("Could not reach Gemini."),
        "{err}"
    );
    assert!(!err.to_string().contains("error sending"), "{err}");
}

#[tokio::test]
async fn the_fake_refuses_a_request_without_image_output() {
    // Guards the fake itself: a request the real API would not answer with an image fails.
    let rig = rig(vec![Reply::image(&[1], "image/png")]).await;
    let body = json!({"contents": [{"role": "user", "parts": [
        {"text": PROMPT},
        {"inlineData": {"mimeType": "image/png", "data": "AAEC"}}]}],
        "generationConfig": {"responseModalities": ["TEXT"]}});
    let result = rig.gemini.generate_content(MODEL, &body, &|_| {}).await;
    rig.assert_no_key_anywhere(&result);
    let err = result.unwrap_err();
    assert_eq!(err.code(), "rejected");
    assert!(err.to_string().contains("IMAGE"), "{err}");
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() {
    let rig = rig(vec![]).await;
    let err = rig
        .gemini
        .generate_image(PROMPT, &sketch(), "image/gif", &|_| {})
        .await
        .unwrap_err();
    assert_eq!(err.code(), "bad_input");
    let err = rig
        .gemini
        .generate_image("  ", &sketch(), "image/png", &|_| {})
        .await;
    assert_eq!(err.unwrap_err().code(), "bad_input");
    assert!(rig.fake.requests().is_empty());
}

#[tokio::test]
async fn a_job_can_run_the_call_on_another_task() {
    let made = result_bytes(100);
    let rig = rig(vec![Reply::image(&made, "image/png")]).await;
    let gemini = rig.gemini.clone();
    let input = sketch();
    let job = tokio::spawn(async move {
        gemini
            .generate_image(PROMPT, &input, "image/png", &|_| {})
            .await
    });
    assert_eq!(job.await.unwrap().unwrap().bytes, made);
}

/// A text-only answer of exactly `len` bytes.
fn answer_of_len(len: usize) -> Reply {
    let frame = r#"{"candidates":[{"content":{"parts":[{"text":""}]},"finishReason":"STOP"}]}"#;
    let pad = "w".repeat(len - frame.len());
    Reply::Raw {
        status: 200,
        body: frame.replace(r#""text":"""#, &format!(r#""text":"{pad}""#)),
    }
}

#[tokio::test]
async fn an_answer_at_the_body_limit_is_read_and_one_byte_more_is_refused() {
    let rig = rig(vec![
        answer_of_len(MAX_RESPONSE_BYTES),
        answer_of_len(MAX_RESPONSE_BYTES + 1),
    ])
    .await;
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err.code(), "no_image", "read in full: {err}");
    let err = rig.enhance(&sketch()).await.unwrap_err();
    assert_eq!(err.code(), "bad_response");
    assert!(err.to_string().contains("larger than 32 MB"), "{err}");
}
