//! The image store over HTTP: uploads round-trip, every bad upload is
//! refused before anything is written, and only issued names resolve.

mod common;

use std::io::Cursor;

use base64::Engine;
use coco::media::images::{MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, MAX_UPLOAD_BYTES};
use common::boards::png;
use common::{header, http, TestHost};
use serde_json::{json, Value};

fn encoded(format: image::ImageFormat) -> Vec<u8> {
    let img = image::RgbImage::from_fn(4, 4, |x, y| image::Rgb([x as u8 * 60, y as u8 * 60, 90]));
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn crc(bytes: &[u8]) -> [u8; 4] {
    let mut crc = flate2::Crc::new();
    crc.update(bytes);
    crc.sum().to_be_bytes()
}

/// A tiny PNG whose header claims `width` × `height`.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png(1, 1);
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let sum = crc(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&sum);
    bytes
}

/// A valid PNG padded with an ancillary chunk to exactly `len` bytes.
fn png_of_len(len: usize) -> Vec<u8> {
    let base = png(2, 2);
    let iend = base.len() - 12;
    let pad = len - base.len() - 12;
    let mut chunk = Vec::with_capacity(pad + 12);
    chunk.extend_from_slice(&(pad as u32).to_be_bytes());
    chunk.extend_from_slice(b"coPa");
    chunk.resize(chunk.len() + pad, 0);
    let sum = crc(&chunk[4..]);
    chunk.extend_from_slice(&sum);
    let mut out = base[..iend].to_vec();
    out.extend_from_slice(&chunk);
    out.extend_from_slice(&base[iend..]);
    assert_eq!(out.len(), len);
    out
}

async fn upload(host: &TestHost, bytes: &[u8], mime: &str) -> (u16, Value) {
    let data = base64::engine::general_purpose::STANDARD.encode(bytes);
    let body = json!({"imageData": format!("data:{mime};base64,{data}")}).to_string();
    let (status, _, body) = http(host.http(), "POST", "/api/save-image", &[], Some(&body)).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

fn stored_files(host: &TestHost) -> usize {
    std::fs::read_dir(host.dir.join("images")).unwrap().count()
}

#[tokio::test]
async fn an_uploaded_image_comes_back_byte_for_byte() {
    let host = TestHost::start().await;
    let bytes = png(3, 2);
    let (status, saved) = upload(&host, &bytes, "image/png").await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(saved["success"], true);
    assert_eq!(
        (saved["width"].as_u64(), saved["height"].as_u64()),
        (Some(3), Some(2))
    );
    let path = saved["path"].as_str().unwrap();
    assert_eq!(
        path,
        format!("/img/{}", saved["filename"].as_str().unwrap())
    );
    let (status, headers, body) = http(host.http(), "GET", path, &[], None).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), Some("image/png"));
    assert_eq!(body, bytes);
    // The same bytes are the same file.
    let (_, again) = upload(&host, &bytes, "image/png").await;
    assert_eq!(again["filename"], saved["filename"]);
    assert_eq!(stored_files(&host), 1);
    host.stop().await;
}

#[tokio::test]
async fn jpeg_and_webp_are_accepted_whatever_the_client_calls_them() {
    let host = TestHost::start().await;
    for (format, ext) in [
        (image::ImageFormat::Jpeg, "jpg"),
        (image::ImageFormat::WebP, "webp"),
    ] {
        let (status, saved) = upload(&host, &encoded(format), "image/png").await;
        assert_eq!(status, 200, "{saved}");
        assert!(
            saved["filename"].as_str().unwrap().ends_with(ext),
            "{saved}"
        );
    }
    host.stop().await;
}

#[tokio::test]
async fn bad_uploads_are_refused_and_store_nothing() {
    let host = TestHost::start().await;
    let mut truncated = png(40, 40);
    truncated.truncate(truncated.len() / 2);
    let gif = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec();
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            "text",
            b"hello, not an image".to_vec(),
            415,
            "unsupported_type",
        ),
        ("gif", gif, 415, "unsupported_type"),
        ("truncated png", truncated, 400, "invalid_image"),
        ("bomb", png_claiming(100_000, 100_000), 413, "too_large"),
        (
            "side past the limit",
            png_claiming(MAX_IMAGE_SIDE + 1, 1),
            413,
            "too_large",
        ),
        (
            "pixels past the limit",
            png_claiming(
                MAX_IMAGE_SIDE,
                (MAX_IMAGE_PIXELS / u64::from(MAX_IMAGE_SIDE)) as u32 + 1,
            ),
            413,
            "too_large",
        ),
        (
            "bytes past the limit",
            png_of_len(MAX_UPLOAD_BYTES + 1),
            413,
            "too_large",
        ),
    ];
    for (what, bytes, status, code) in cases {
        let (got, body) = upload(&host, &bytes, "image/png").await;
        assert_eq!(got, status, "{what}: {body}");
        assert_eq!(body["code"], code, "{what}");
        assert!(!body["error"].as_str().unwrap().is_empty());
    }
    let (status, body) = {
        let body = json!({"imageData": "data:image/png;base64,@@@not base64@@@"}).to_string();
        let (s, _, b) = http(host.http(), "POST", "/api/save-image", &[], Some(&body)).await;
        (s, serde_json::from_slice::<Value>(&b).unwrap())
    };
    assert_eq!((status, body["code"].as_str()), (400, Some("invalid")));
    let (status, _, _) = http(
        host.http(),
        "POST",
        "/api/save-image",
        &[],
        Some("{\"nope\": 1}"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(stored_files(&host), 0);
    host.stop().await;
}

#[tokio::test]
async fn images_are_limited_at_the_limits() {
    let host = TestHost::start().await;
    let (status, saved) = upload(&host, &png_of_len(MAX_UPLOAD_BYTES), "image/png").await;
    assert_eq!(status, 200, "{saved}");
    // A header at the pixel limit passes the size check and is then decoded
    // (this one has no pixel data, so the decode is what refuses it).
    let at = png_claiming(
        MAX_IMAGE_SIDE,
        (MAX_IMAGE_PIXELS / u64::from(MAX_IMAGE_SIDE)) as u32,
    );
    let (status, body) = upload(&host, &at, "image/png").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("invalid_image")),
        "{body}"
    );
    host.stop().await;
}

#[tokio::test]
async fn only_names_the_host_issued_resolve() {
    let host = TestHost::start().await;
    let (_, saved) = upload(&host, &png(2, 2), "image/png").await;
    let name = saved["filename"].as_str().unwrap().to_string();
    std::fs::write(host.dir.join("images").join("planted.png"), png(1, 1)).unwrap();
    for path in [
        "/img/..%2Fcoco.sled%2Fdb".to_string(),
        "/img/%2e%2e%2f%2e%2e%2fetc%2fpasswd".to_string(),
        "/img/..".to_string(),
        "/img/planted.png".to_string(),
        "/img/%2Fetc%2Fpasswd".to_string(),
        format!("/img/{}", name.replace(".png", ".jpg")),
        format!("/img/{}", "0".repeat(32) + ".png"),
        format!("/img/{}%00", name),
    ] {
        let (status, _, body) = http(host.http(), "GET", &path, &[], None).await;
        assert_eq!(status, 404, "{path}");
        assert!(
            String::from_utf8_lossy(&body).contains("not_found"),
            "{path}"
        );
    }
    host.stop().await;
}
