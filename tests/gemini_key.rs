//! The host's person gives CoCo a Gemini key from the host panel: it is used
//! from the next job on without a restart, kept for the next start in the
//! config file (readable by the host's user only), and never sent back.

mod common;

use std::time::Duration;

use coco::ai::gemini::DEFAULT_IMAGE_MODEL;
use coco::config::Config;
use common::enhance::*;
use common::fake_gemini::{FakeGemini, Reply};
use common::{http, TestHost};
use serde_json::{json, Value};

async fn as_host(host: &TestHost, body: &str) -> (u16, String) {
    let admin = host.admin();
    let (status, _, answer) = http(
        host.http(),
        "POST",
        "/api/host/gemini-key",
        &[("x-coco-admin", admin.as_str())],
        Some(body),
    )
    .await;
    (status, String::from_utf8_lossy(&answer).into_owned())
}

async fn ai_status(host: &TestHost) -> Value {
    let (_, _, out) = http(host.http(), "GET", "/api/ai/status", &[], None).await;
    serde_json::from_slice(&out).unwrap()
}

#[tokio::test]
async fn a_key_from_the_host_panel_is_used_at_once_and_kept() {
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_IMAGE_MODEL],
        vec![Reply::image(&gemini_png(), "image/png")],
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let key_file = tmp.path().join("config").join("config.toml");
    let mut config = Config::ephemeral(tmp.path().join("data"));
    config.ai = ai_for(&fake, Duration::from_secs(5));
    config.ai.gemini_key = None;
    config.ai.key_source = None;
    config.ai.key_file = Some(key_file.clone());
    let host = TestHost::with_config(config.clone()).await;
    assert_eq!(ai_status(&host).await["gemini"]["available"], false);

    // Something that is not a key is refused, and changes nothing.
    let (status, answer) = as_host(&host, r#"{"key": "  "}"#).await;
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("invalid_key"), "{answer}");
    assert_eq!(ai_status(&host).await["gemini"]["available"], false);
    assert!(!key_file.exists());

    let (status, answer) = as_host(&host, &json!({ "key": KEY }).to_string()).await;
    assert_eq!(status, 200, "{answer}");
    assert!(
        !answer.contains(KEY),
        "the key is never sent back: {answer}"
    );
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["saved"], true, "{answer}");
    let status = ai_status(&host).await;
    assert_eq!(status["gemini"]["available"], true, "{status}");
    assert_eq!(status["gemini"]["keySource"], "the host panel");
    assert!(!status.to_string().contains(KEY));

    // The next enhancement asks Gemini with it (the fake checks the key).
    let name = upload(host.http(), &sketch_png()).await;
    let (_, submitted) = submit(host.http(), &json!({"filename": name, "engine": "gemini"})).await;
    let done = wait_done(host.http(), submitted["requestId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "complete", "{done}");
    assert_eq!(done["result"]["engine"], "gemini");

    // Kept for the next start, readable by the host's user only.
    let text = std::fs::read_to_string(&key_file).unwrap();
    assert!(text.contains(KEY));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "mode {mode:o}");
    }
    host.stop().await;
    let loaded = coco::config::file::load(&key_file).unwrap().0;
    assert_eq!(loaded.gemini.api_key.as_deref(), Some(KEY));
}
