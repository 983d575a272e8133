//! Enhancement over HTTP and WebSocket: the offline enhancer, Gemini (a fake
//! server that answers as the documented API does), the fallback between
//! them, progress pushed to the room, cancel, and bad requests that change
//! nothing.

mod common;

use std::time::Duration;

use base64::Engine;
use coco::ai::gemini::DEFAULT_IMAGE_MODEL;
use coco::jobs::kinds::enhance::MAX_PROMPT_CHARS;
use coco::jobs::MAX_QUEUED_JOBS;
use common::enhance::*;
use common::fake_gemini::{FakeGemini, Reply};
use common::{header, http, Client, TestHost};
use serde_json::{json, Value};

async fn get_bytes(addr: std::net::SocketAddr, path: &str) -> (u16, Vec<u8>) {
    let (status, _, body) = http(addr, "GET", path, &[], None).await;
    (status, body)
}

#[tokio::test]
async fn the_local_enhancer_makes_a_picture_and_the_room_hears_its_progress() {
    let host = TestHost::start().await;
    let (mut watcher, _) = Client::join(&host.ws("main"), "watcher").await;
    let name = upload(host.http(), &sketch_png()).await;
    let (status, submitted) = submit(
        host.http(),
        &json!({"filename": format!("/img/{name}"), "prompt": "a castle at night", "engine": "local"}),
    )
    .await;
    assert_eq!(status, 200, "{submitted}");
    let id = submitted["requestId"].as_str().unwrap().to_string();
    let done = wait_done(host.http(), &id).await;
    assert_eq!(done["status"], "complete", "{done}");
    let result = &done["result"];
    assert_eq!(result["engine"], "local");
    assert_eq!(result["original_width"], 240);
    assert_eq!(result["original_height"], 160);
    assert_eq!(result["prompt"], "a castle at night");
    let path = result["path"].as_str().unwrap();
    assert!(path.starts_with("/enhanced_drawings/"), "{path}");
    let (status, bytes) = get_bytes(host.http(), path).await;
    assert_eq!(status, 200);
    let picture = image::load_from_memory(&bytes).unwrap().to_rgba8();
    assert_eq!(picture.dimensions(), (240, 160));
    assert_eq!(result["width"], 240);
    assert_ne!(bytes, sketch_png(), "the picture was changed");
    // The room saw the job go through its states.
    let mut states = Vec::new();
    while states.last().map(String::as_str) != Some("complete") {
        let frame = watcher.expect("JOB_UPDATED").await;
        assert_eq!(frame["id"], id.as_str());
        assert_eq!(frame["kind"], "enhance");
        states.push(frame["status"].as_str().unwrap().to_string());
    }
    assert_eq!(states.first().map(String::as_str), Some("queued"));
    assert!(states.iter().any(|s| s == "running"), "{states:?}");
    // And it is listed with the room's jobs.
    let (_, _, out) = http(host.http(), "GET", "/api/jobs?room=main", &[], None).await;
    let jobs: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(jobs["jobs"][0]["id"], id.as_str());
}

#[tokio::test]
async fn auto_without_a_key_uses_the_local_enhancer_and_says_why() {
    let host = TestHost::start().await;
    let name = upload(host.http(), &sketch_png()).await;
    let (_, submitted) = submit(host.http(), &json!({"filename": name})).await;
    let done = wait_done(host.http(), submitted["requestId"].as_str().unwrap()).await;
    assert_eq!(done["result"]["engine"], "local");
    let note = done["result"]["note"].as_str().unwrap();
    assert!(note.contains("local enhancer"), "{note}");
    assert!(!note.contains(".."), "{note}");
    // Asking for Gemini by name fails clearly instead.
    let (_, submitted) = submit(host.http(), &json!({"filename": name, "engine": "gemini"})).await;
    let done = wait_done(host.http(), submitted["requestId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "error");
    assert_eq!(done["code"], "no_key");
    let error = done["error"].as_str().unwrap();
    assert!(error.contains("ask the person running CoCo"), "{error}");
    assert!(!error.contains(".."), "no double full stop: {error}");
    let (_, _, out) = http(host.http(), "GET", "/api/ai/status", &[], None).await;
    let status: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(status["gemini"]["available"], false);
    assert_eq!(status["local"]["available"], true);
}

#[tokio::test]
async fn gemini_makes_the_picture_when_the_host_has_a_key() {
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_IMAGE_MODEL],
        vec![Reply::image(&gemini_png(), "image/png")],
    )
    .await;
    let (host, _tmp) = host_with(&fake, Duration::from_secs(5)).await;
    let sketch = sketch_png();
    let name = upload(host.http(), &sketch).await;
    let (_, submitted) = submit(
        host.http(),
        &json!({"filename": name, "prompt": "make it a watercolour castle"}),
    )
    .await;
    let done = wait_done(host.http(), submitted["requestId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "complete", "{done}");
    assert_eq!(done["result"]["engine"], "gemini");
    assert_eq!(done["result"]["model"], DEFAULT_IMAGE_MODEL);
    assert_eq!(done["result"]["width"], 64);
    let (_, bytes) = get_bytes(host.http(), done["result"]["path"].as_str().unwrap()).await;
    assert_eq!(
        bytes,
        gemini_png(),
        "the picture is Gemini's, byte for byte"
    );
    // Gemini got the prompt and the very sketch that was uploaded, with the key in the header.
    let call = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(call.api_key.as_deref(), Some(KEY));
    let parts = &call.body.unwrap()["contents"][0]["parts"];
    let text = parts
        .as_array()
        .unwrap()
        .iter()
        .find_map(|p| p["text"].as_str());
    assert_eq!(text, Some("make it a watercolour castle"));
    let data = parts
        .as_array()
        .unwrap()
        .iter()
        .find_map(|p| {
            p["inlineData"]["data"]
                .as_str()
                .or(p["inline_data"]["data"].as_str())
        })
        .unwrap();
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(data)
            .unwrap(),
        sketch
    );
    // The status route tells the UI Gemini is there, and never the key.
    let (_, _, out) = http(host.http(), "GET", "/api/ai/status", &[], None).await;
    let text = String::from_utf8_lossy(&out).to_string();
    assert!(!text.contains(KEY), "{text}");
    let status: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(status["gemini"]["available"], true);
    assert_eq!(status["gemini"]["keySource"], "GEMINI_API_KEY");
}

#[tokio::test]
async fn a_gemini_refusal_fails_when_gemini_was_chosen_and_falls_back_on_auto() {
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_IMAGE_MODEL],
        vec![Reply::prompt_blocked("SAFETY"), Reply::daily_quota()],
    )
    .await;
    let (host, tmp) = host_with(&fake, Duration::from_secs(5)).await;
    let name = upload(host.http(), &sketch_png()).await;
    let (_, submitted) = submit(host.http(), &json!({"filename": name, "engine": "gemini"})).await;
    let done = wait_done(host.http(), submitted["requestId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "error");
    assert_eq!(done["state"], "failed");
    assert_eq!(done["code"], "prompt_blocked");
    assert!(done["error"].as_str().unwrap().contains("SAFETY"), "{done}");
    assert_eq!(enhanced_files(tmp.path()), 0, "nothing was stored");
    // On auto, the daily quota sends the work to the local enhancer.
    let (_, submitted) = submit(host.http(), &json!({"filename": name})).await;
    let done = wait_done(host.http(), submitted["requestId"].as_str().unwrap()).await;
    assert_eq!(done["status"], "complete", "{done}");
    assert_eq!(done["result"]["engine"], "local");
    let note = done["result"]["note"].as_str().unwrap();
    assert!(note.contains("daily quota"), "{note}");
    assert!(!note.contains(KEY));
}

#[tokio::test]
async fn cancel_stops_a_running_enhancement_and_nothing_is_placed() {
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_IMAGE_MODEL],
        vec![Reply::slow(
            Duration::from_secs(30),
            Reply::image(&gemini_png(), "image/png"),
        )],
    )
    .await;
    let (host, tmp) = host_with(&fake, Duration::from_secs(60)).await;
    let name = upload(host.http(), &sketch_png()).await;
    let (_, submitted) = submit(host.http(), &json!({"filename": name, "engine": "gemini"})).await;
    let id = submitted["requestId"].as_str().unwrap();
    wait_state(host.http(), id, "running").await;
    let path = format!("/api/jobs/{id}/cancel");
    let (status, _, _) = http(host.http(), "POST", &path, &[], None).await;
    assert_eq!(status, 200);
    let done = wait_done(host.http(), id).await;
    assert_eq!(done["state"], "cancelled");
    assert_eq!(done["status"], "error");
    assert_eq!(enhanced_files(tmp.path()), 0);
    // A finished job cannot be cancelled again.
    let (status, _, out) = http(host.http(), "POST", &path, &[], None).await;
    assert_eq!(status, 409, "{}", String::from_utf8_lossy(&out));
}

#[tokio::test]
async fn a_full_queue_answers_429_and_stores_nothing_more() {
    let slow = || {
        Reply::slow(
            Duration::from_secs(30),
            Reply::image(&gemini_png(), "image/png"),
        )
    };
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_IMAGE_MODEL],
        (0..20).map(|_| slow()).collect(),
    )
    .await;
    let (host, _tmp) = host_with(&fake, Duration::from_secs(60)).await;
    let name = upload(host.http(), &sketch_png()).await;
    let body = json!({"filename": name, "engine": "gemini"});
    let mut ids = Vec::new();
    for _ in 0..coco::host::ENHANCE_WORKERS {
        let (_, s) = submit(host.http(), &body).await;
        let id = s["requestId"].as_str().unwrap().to_string();
        wait_state(host.http(), &id, "running").await;
        ids.push(id);
    }
    for _ in 0..MAX_QUEUED_JOBS {
        let (status, s) = submit(host.http(), &body).await;
        assert_eq!(status, 200, "{s}");
        ids.push(s["requestId"].as_str().unwrap().to_string());
    }
    let (status, _, out) = http(
        host.http(),
        "POST",
        "/api/enhance-image",
        &[],
        Some(&body.to_string()),
    )
    .await;
    let (status, headers) = (status, out);
    assert_eq!(status, 429);
    let refused: Value = serde_json::from_slice(&headers).unwrap();
    assert_eq!(refused["code"], "queue_full");
    let (_, _, out) = http(host.http(), "GET", "/api/jobs", &[], None).await;
    let jobs: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(jobs["jobs"].as_array().unwrap().len(), ids.len());
    for id in &ids {
        let _ = http(
            host.http(),
            "POST",
            &format!("/api/jobs/{id}/cancel"),
            &[],
            None,
        )
        .await;
    }
}

#[tokio::test]
async fn bad_requests_get_clear_errors_and_start_nothing() {
    let host = TestHost::start().await;
    let name = upload(host.http(), &sketch_png()).await;
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            json!({"filename": "0123456789abcdef0123456789abcdef.png"}),
            404,
            "not_found",
        ),
        (json!({"filename": "../../etc/passwd"}), 404, "not_found"),
        (json!({"filename": "/etc/passwd"}), 404, "not_found"),
        (
            json!({"filename": format!("/img/../{name}")}),
            404,
            "not_found",
        ),
        (
            json!({"filename": format!("%2e%2e%2f{name}")}),
            404,
            "not_found",
        ),
        (
            json!({"filename": format!("/enhanced_drawings/{name}")}),
            404,
            "not_found",
        ),
        (json!({"filename": name, "engine": "magic"}), 400, "invalid"),
        (
            json!({"filename": name, "room": "no/slashes"}),
            400,
            "invalid",
        ),
        (
            json!({"filename": name, "prompt": "x".repeat(MAX_PROMPT_CHARS + 1)}),
            413,
            "too_large",
        ),
        (json!({"prompt": "no file"}), 400, "invalid"),
    ];
    for (body, want, code) in cases {
        let (status, out) = submit(host.http(), &body).await;
        assert_eq!(status, want, "{body}: {out}");
        assert_eq!(out["code"], code, "{body}: {out}");
        assert!(out["error"].as_str().is_some_and(|e| !e.is_empty()));
    }
    let (status, _, _) = http(
        host.http(),
        "POST",
        "/api/enhance-image",
        &[],
        Some("{not json"),
    )
    .await;
    assert_eq!(status, 400);
    let (_, _, out) = http(host.http(), "GET", "/api/jobs", &[], None).await;
    let jobs: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        jobs["jobs"].as_array().unwrap().len(),
        0,
        "no job was started"
    );
    // A prompt of exactly the limit is fine.
    let (status, out) = submit(
        host.http(),
        &json!({"filename": name, "engine": "local", "prompt": "é".repeat(MAX_PROMPT_CHARS)}),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    // Unknown ids and names are 404s, on every route.
    for path in [
        "/api/enhancement-status/0123456789abcdef0123456789abcdef",
        "/api/enhancement-status/..%2F..%2Fetc",
        "/api/jobs/nope",
        "/enhanced_drawings/..%2F..%2Fetc%2Fpasswd",
        "/enhanced_drawings/0123456789abcdef0123456789abcdef.png",
        &format!("/enhanced_drawings/{name}"),
    ] {
        let (status, _, _) = http(host.http(), "GET", path, &[], None).await;
        assert_eq!(status, 404, "{path}");
    }
    let (_, _, out) = http(
        host.http(),
        "GET",
        "/api/enhancement-status/0123456789abcdef0123456789abcdef",
        &[],
        None,
    )
    .await;
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["status"], "error");
}

#[tokio::test]
async fn a_finished_picture_survives_a_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let host = TestHost::start_in(tmp.path()).await;
    let name = upload(host.http(), &sketch_png()).await;
    let (_, submitted) = submit(host.http(), &json!({"filename": name, "engine": "local"})).await;
    let id = submitted["requestId"].as_str().unwrap().to_string();
    let done = wait_done(host.http(), &id).await;
    let path = done["result"]["path"].as_str().unwrap().to_string();
    let (_, before) = get_bytes(host.http(), &path).await;
    host.stop().await;
    let host = TestHost::start_in(tmp.path()).await;
    let again = wait_done(host.http(), &id).await;
    assert_eq!(again["status"], "complete");
    assert_eq!(again["result"], done["result"]);
    let (status, after) = get_bytes(host.http(), &path).await;
    assert_eq!(status, 200);
    assert_eq!(before, after);
    let (_, headers, _) = http(host.http(), "GET", &path, &[], None).await;
    assert_eq!(header(&headers, "content-type"), Some("image/png"));
}

#[tokio::test]
async fn a_model_the_key_cannot_use_is_reported_at_start_and_auto_goes_local() {
    // The fake knows no model of that name: the start-up check gets a 404.
    let fake = FakeGemini::start(KEY, &["some-other-model"], vec![]).await;
    let (host, _tmp) = host_with(&fake, Duration::from_secs(5)).await;
    let mut status = Value::Null;
    for _ in 0..500 {
        let (_, _, out) = http(host.http(), "GET", "/api/ai/status", &[], None).await;
        status = serde_json::from_slice(&out).unwrap();
        if status["gemini"]["check"] != "pending" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(status["gemini"]["check"], "model_not_found", "{status}");
    assert_eq!(status["gemini"]["available"], false);
    assert!(status["gemini"]["reason"]
        .as_str()
        .unwrap()
        .contains(DEFAULT_IMAGE_MODEL));
    let name = upload(host.http(), &sketch_png()).await;
    let (_, submitted) = submit(host.http(), &json!({"filename": name})).await;
    let done = wait_done(host.http(), submitted["requestId"].as_str().unwrap()).await;
    assert_eq!(done["result"]["engine"], "local", "{done}");
    assert!(done["result"]["note"]
        .as_str()
        .unwrap()
        .contains("cannot be used"));
    let (_, submitted) = submit(host.http(), &json!({"filename": name, "engine": "gemini"})).await;
    let done = wait_done(host.http(), submitted["requestId"].as_str().unwrap()).await;
    assert_eq!(done["code"], "model_not_found");
    // No generateContent call was wasted on a model that is not there.
    assert!(fake.requests().iter().all(|r| r.method == "GET"));
}

/// A picture from Gemini over the image store's limits is `image_too_large`
/// with its size (not a `bad_response`), and nothing is stored.
#[tokio::test]
async fn a_picture_from_gemini_past_the_limits_is_too_large_with_its_size() {
    let wide = png_of(&image::RgbaImage::from_pixel(
        9_000,
        1_000,
        image::Rgba([200, 220, 255, 255]),
    ));
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_IMAGE_MODEL],
        vec![Reply::image(&wide, "image/png")],
    )
    .await;
    let (host, tmp) = host_with(&fake, Duration::from_secs(5)).await;
    let name = upload(host.http(), &sketch_png()).await;
    let (_, submitted) = submit(host.http(), &json!({"filename": name, "engine": "gemini"})).await;
    let done = wait_done(host.http(), submitted["requestId"].as_str().unwrap()).await;
    assert_eq!(done["code"], "image_too_large", "{done}");
    let message = done["error"].as_str().unwrap();
    assert!(message.contains("9000 × 1000 pixels"), "{message}");
    assert_eq!(enhanced_files(tmp.path()), 0, "nothing was stored");
}

/// Gemini busy, then an answer: the room hears the wait ("trying again in
/// … s") pushed over the WebSocket, not only by polling.
#[tokio::test]
async fn the_room_hears_that_gemini_is_busy_and_when_it_tries_again() {
    let fake = FakeGemini::start(
        KEY,
        &[DEFAULT_IMAGE_MODEL],
        vec![
            Reply::overloaded(),
            Reply::image(&gemini_png(), "image/png"),
        ],
    )
    .await;
    let (host, _tmp) = host_with(&fake, Duration::from_secs(5)).await;
    let (mut watcher, _) = Client::join(&host.ws("main"), "watcher").await;
    let name = upload(host.http(), &sketch_png()).await;
    let (_, submitted) = submit(host.http(), &json!({"filename": name, "engine": "gemini"})).await;
    let id = submitted["requestId"].as_str().unwrap().to_string();
    let mut messages = Vec::new();
    loop {
        let frame = watcher.expect("JOB_UPDATED").await;
        assert_eq!(frame["id"], id.as_str());
        messages.push(frame["message"].as_str().unwrap_or("").to_string());
        if frame["status"] == "complete" {
            break;
        }
    }
    assert!(
        messages
            .iter()
            .any(|m| m.starts_with("Gemini is busy (HTTP 503); trying again in")),
        "{messages:?}"
    );
}
