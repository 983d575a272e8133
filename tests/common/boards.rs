//! Helpers for the storyboard and video tests: JSON calls, uploads of
//! small generated pictures, waiting for a job, reading a video with ffprobe.

use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

use super::{http, TestHost};

/// A JSON request; returns the status and the parsed body (Null if none).
pub async fn call(host: &TestHost, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let body = body.map(|b| b.to_string());
    let (status, _, bytes) = http(host.http(), method, path, &[], body.as_deref()).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Like [`call`], asserting success; returns the body.
pub async fn ok(host: &TestHost, method: &str, path: &str, body: Option<Value>) -> Value {
    let (status, answer) = call(host, method, path, body).await;
    assert_eq!(status, 200, "{method} {path}: {answer}");
    assert_eq!(answer["success"], true, "{method} {path}: {answer}");
    answer
}

/// A PNG of `width` × `height` with a fixed pattern: the same bytes for the
/// same size.
pub fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([(x * 40 % 256) as u8, (y * 60 % 256) as u8, 200, 255])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A small PNG, different for every `seed`, so each upload has its own name.
pub fn picture(seed: u8, width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(width, height, |x, y| {
        image::Rgba([
            (x * 255 / width) as u8 ^ seed,
            (y * 255 / height) as u8,
            seed.wrapping_mul(37),
            255,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Uploads a generated picture; returns its `/img/NAME` path.
pub async fn upload(host: &TestHost, seed: u8) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(picture(seed, 160, 120));
    let body = json!({"imageData": format!("data:image/png;base64,{data}")});
    let saved = ok(host, "POST", "/api/save-image", Some(body)).await;
    saved["path"].as_str().unwrap().to_string()
}

/// The room's default storyboard.
pub async fn default_board(host: &TestHost, room: &str) -> Value {
    let list = ok(host, "GET", &format!("/api/storyboards?room={room}"), None).await;
    list["storyboards"][0].clone()
}

/// Adds a frame; returns the storyboard after it.
pub async fn add_frame(host: &TestHost, board: &str, frame: Value) -> Value {
    let path = format!("/api/storyboards/{board}/frames");
    ok(host, "POST", &path, Some(frame)).await["storyboard"].clone()
}

/// A storyboard of `count` new pictures, each shown `ms`; returns its id.
pub async fn board_with_frames(host: &TestHost, room: &str, count: u8, ms: u64) -> String {
    let board = default_board(host, room).await;
    let id = board["id"].as_str().unwrap().to_string();
    for i in 0..count {
        let image = upload(host, i + 1).await;
        add_frame(
            host,
            &id,
            json!({"image": image, "caption": format!("scene {}", i + 1), "durationMs": ms}),
        )
        .await;
    }
    id
}

/// Polls `/api/video-status/ID` until the job leaves `processing`.
pub async fn finished(host: &TestHost, id: &str) -> Value {
    let started = Instant::now();
    loop {
        let (status, answer) = call(host, "GET", &format!("/api/video-status/{id}"), None).await;
        assert_eq!(status, 200, "{answer}");
        if answer["status"] != "processing" {
            return answer;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the render did not finish: {answer}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The first video stream as ffprobe reads it, every frame counted.
pub fn ffprobe(path: &Path) -> Value {
    super::probe::video_stream(path)
}

/// Files in the host's video folder.
pub fn video_files(host: &TestHost) -> Vec<String> {
    std::fs::read_dir(host.dir.join("videos"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}
