//! A render on a real host process says nothing on its terminal that a
//! person cannot act on: the H.264 encoder's own warnings stay quiet.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use common::boards::picture;
use common::{http, HostProcess};
use serde_json::{json, Value};

async fn call(host: &HostProcess, method: &str, path: &str, body: Option<Value>) -> Value {
    let text = body.map(|b| b.to_string());
    let (status, _, answer) = http(host.http, method, path, &[], text.as_deref()).await;
    let answer: Value = serde_json::from_slice(&answer).unwrap_or_default();
    assert_eq!(status, 200, "{method} {path}: {answer}");
    answer
}

#[tokio::test]
async fn a_video_render_prints_no_encoder_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_coco"));
    command.args(["--bind", "127.0.0.1"]).stderr(Stdio::piped());
    let mut host = HostProcess::spawn_command(command, dir.path(), &[]);
    let list = call(&host, "GET", "/api/storyboards?room=main", None).await;
    let board = list["storyboards"][0]["id"].as_str().unwrap().to_string();
    for seed in 1..=2 {
        let data = base64::engine::general_purpose::STANDARD.encode(picture(seed, 160, 120));
        let body = json!({"imageData": format!("data:image/png;base64,{data}")});
        let image = call(&host, "POST", "/api/save-image", Some(body)).await["path"].clone();
        let frame = json!({"image": image, "durationMs": 500});
        call(
            &host,
            "POST",
            &format!("/api/storyboards/{board}/frames"),
            Some(frame),
        )
        .await;
    }
    let body = json!({"storyboardId": board, "width": 320, "height": 180, "fps": 10});
    let started = call(&host, "POST", "/api/generate-video", Some(body)).await;
    let id = started["requestId"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let status = call(&host, "GET", &format!("/api/video-status/{id}"), None).await;
        if status["status"] != "processing" {
            assert_eq!(status["status"], "complete", "{status}");
            break;
        }
        assert!(Instant::now() < deadline, "the render did not finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    host.kill9();
    let mut printed = String::new();
    std::io::Read::read_to_string(&mut host.child.stderr.take().unwrap(), &mut printed).unwrap();
    assert!(!printed.contains("OpenH264"), "{printed}");
}
