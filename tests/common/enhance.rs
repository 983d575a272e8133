//! Helpers of the enhancement tests: a sketch, an upload, a host wired to a
//! fake Gemini, and polling a job to its end.

use std::net::SocketAddr;
use std::time::Duration;

use base64::Engine;
use coco::config::{AiSettings, ApiKey, Config};
use serde_json::{json, Value};

use super::fake_gemini::FakeGemini;
use super::{http, TestHost};

/// The key the fake Gemini expects.
pub const KEY: &str = "AIza-enhance-test-key-4f9c";

/// A 240×160 sketch: a closed box and a stroke on white paper, as PNG.
pub fn sketch_png() -> Vec<u8> {
    let img = image::RgbaImage::from_fn(240, 160, |x, y| {
        let on_box = ((x == 40 || x == 41 || x == 160 || x == 161) && (30..=120).contains(&y))
            || ((y == 30 || y == 31 || y == 120 || y == 121) && (40..=161).contains(&x));
        let stroke = x > 180 && (y as i32 - x as i32 / 2).abs() < 2;
        if on_box || stroke {
            image::Rgba([20, 20, 20, 255])
        } else {
            image::Rgba([250, 250, 248, 255])
        }
    });
    png_of(&img)
}

pub fn png_of(img: &image::RgbaImage) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// What the fake Gemini paints: a 64×48 orange picture.
pub fn gemini_png() -> Vec<u8> {
    png_of(&image::RgbaImage::from_pixel(
        64,
        48,
        image::Rgba([240, 140, 30, 255]),
    ))
}

/// Uploads `bytes`; returns the issued name.
pub async fn upload(addr: SocketAddr, bytes: &[u8]) -> String {
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    let body = json!({ "imageData": format!("data:image/png;base64,{data}") }).to_string();
    let (status, _, out) = http(addr, "POST", "/api/save-image", &[], Some(&body)).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));
    let v: Value = serde_json::from_slice(&out).unwrap();
    v["filename"].as_str().unwrap().to_string()
}

/// POSTs `body` to `/api/enhance-image`.
pub async fn submit(addr: SocketAddr, body: &Value) -> (u16, Value) {
    let (status, _, out) = http(
        addr,
        "POST",
        "/api/enhance-image",
        &[],
        Some(&body.to_string()),
    )
    .await;
    (status, serde_json::from_slice(&out).unwrap_or(Value::Null))
}

/// Polls the compatible status route until the job is no longer processing.
pub async fn wait_done(addr: SocketAddr, id: &str) -> Value {
    let path = format!("/api/enhancement-status/{id}");
    for _ in 0..1_000 {
        let (status, _, out) = http(addr, "GET", &path, &[], None).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&out));
        let v: Value = serde_json::from_slice(&out).unwrap();
        if v["status"] != "processing" {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("enhancement {id} did not finish");
}

/// Polls until the job's precise state is `state`.
pub async fn wait_state(addr: SocketAddr, id: &str, state: &str) {
    let path = format!("/api/enhancement-status/{id}");
    for _ in 0..1_000 {
        let (_, _, out) = http(addr, "GET", &path, &[], None).await;
        let v: Value = serde_json::from_slice(&out).unwrap();
        if v["state"] == state {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("enhancement {id} never reached {state}");
}

/// Settings that point the host at `fake` with the test key.
pub fn ai_for(fake: &FakeGemini, timeout: Duration) -> AiSettings {
    AiSettings {
        gemini_key: Some(ApiKey::new(KEY.to_string())),
        key_source: Some("GEMINI_API_KEY"),
        gemini_base_url: Some(fake.base_url()),
        gemini_image_model: None,
        gemini_text_model: None,
        gemini_tts_model: None,
        gemini_timeout: Some(timeout),
        key_file: None,
    }
}

/// A host in a fresh directory using `fake` for Gemini.
pub async fn host_with(fake: &FakeGemini, timeout: Duration) -> (TestHost, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = Config::ephemeral(tmp.path());
    config.ai = ai_for(fake, timeout);
    (TestHost::with_config(config).await, tmp)
}

/// Files in the host's enhanced-picture folder.
pub fn enhanced_files(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir.join("enhanced"))
        .map(|d| d.filter(|e| e.is_ok()).count())
        .unwrap_or(0)
}
