//! Enhancement in a real `coco` process: a job cut off by a crash is failed
//! as interrupted at the next start, and the Gemini key never appears in the
//! host's log, even at the most verbose level.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use coco::ai::gemini::DEFAULT_IMAGE_MODEL;
use common::enhance::*;
use common::fake_gemini::{FakeGemini, Reply};
use common::{http, HostProcess};
use serde_json::json;

fn coco_with_key(fake: &FakeGemini, log: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_coco"));
    command
        .args(["--bind", "127.0.0.1", "--gemini-base-url", &fake.base_url()])
        .env("GEMINI_API_KEY", KEY)
        .env("COCO_LOG", "trace")
        .stderr(Stdio::from(std::fs::File::create(log).unwrap()));
    command
}

#[tokio::test]
async fn a_crash_mid_job_is_reported_as_interrupted_after_restart() {
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_IMAGE_MODEL],
        vec![Reply::slow(
            Duration::from_secs(60),
            Reply::image(&gemini_png(), "image/png"),
        )],
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("host.log");
    let mut host = HostProcess::spawn_command(coco_with_key(&fake, &log), tmp.path(), &[]);
    let name = upload(host.http, &sketch_png()).await;
    let (_, submitted) = submit(host.http, &json!({"filename": name, "engine": "gemini"})).await;
    let id = submitted["requestId"].as_str().unwrap().to_string();
    wait_state(host.http, &id, "running").await;
    host.kill9();

    let host = HostProcess::spawn(tmp.path(), &[]);
    let done = wait_done(host.http, &id).await;
    assert_eq!(done["status"], "error");
    assert_eq!(done["code"], "interrupted");
    assert!(
        done["error"]
            .as_str()
            .unwrap()
            .contains("interrupted by restart"),
        "{done}"
    );
}

#[tokio::test]
async fn the_key_never_reaches_the_log_or_a_peer() {
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_IMAGE_MODEL],
        vec![
            Reply::image(&gemini_png(), "image/png"),
            Reply::error(
                400,
                "INVALID_ARGUMENT",
                &format!("bad request for key {KEY}"),
            ),
            Reply::permission_denied(),
        ],
    )
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("host.log");
    let host = HostProcess::spawn_command(coco_with_key(&fake, &log), tmp.path(), &[]);
    let name = upload(host.http, &sketch_png()).await;
    let mut answers = String::new();
    for _ in 0..3 {
        let (_, submitted) =
            submit(host.http, &json!({"filename": name, "engine": "gemini"})).await;
        let done = wait_done(host.http, submitted["requestId"].as_str().unwrap()).await;
        answers.push_str(&done.to_string());
    }
    for path in [
        "/api/ai/status",
        "/api/jobs",
        "/api/health",
        "/api/host/info",
    ] {
        // As the host (the admin secret), so the host panel's answer is checked too.
        let admin = [("x-coco-admin", host.admin.as_str())];
        let (status, _, out) = http(host.http, "GET", path, &admin, None).await;
        assert_eq!(status, 200, "{path}");
        answers.push_str(&String::from_utf8_lossy(&out));
    }
    drop(host);
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.len() > 1_000,
        "the trace log was captured ({} bytes)",
        log.len()
    );
    assert!(
        log.contains("generateContent") || log.contains("Gemini"),
        "the calls were logged"
    );
    assert!(!log.contains(KEY), "the key is in the host's log");
    assert!(!answers.contains(KEY), "the key reached a peer: {answers}");
    // The requests did carry it, in the header only.
    assert!(fake
        .requests()
        .iter()
        .all(|r| r.query.as_deref().is_none_or(|q| !q.contains(KEY))));
    assert!(fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .all(|r| r.api_key.as_deref() == Some(KEY)));
}
