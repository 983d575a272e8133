//! The session as a timelapse: a room's history replayed into an MP4 by
//! the `timelapse` job. A real host, real sled on disk, real sockets; every
//! video is read back by the real decoder the video tests use (`ffprobe`,
//! `ffmpeg`).

mod common;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::drawing::{self, two_people_draw};
use common::netns::{self, OtherMachine};
use common::probe::{decode_errors, ffmpeg, saved, video_stream};
use common::{http, TestHost};
use serde_json::{json, Value};

const W: usize = 320;
const H: usize = 180;
/// Rows above the names band (it is well under 40 px at 180 px high).
const DRAWING_ROWS: usize = 140;

async fn get(addr: SocketAddr, path: &str) -> (u16, Value) {
    let (status, _, body) = http(addr, "GET", path, &[], None).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn post(addr: SocketAddr, path: &str, body: &Value) -> (u16, Value) {
    let origin = format!("http://{addr}");
    let text = body.to_string();
    let (status, _, body) = http(addr, "POST", path, &[("Origin", &origin)], Some(&text)).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Polls the job until it ends; returns it and every progress seen.
async fn follow(addr: SocketAddr, id: &str) -> (Value, Vec<f64>) {
    let started = Instant::now();
    let mut seen = Vec::new();
    loop {
        let (status, answer) = get(addr, &format!("/api/jobs/{id}")).await;
        assert_eq!(status, 200, "{answer}");
        let job = answer["job"].clone();
        seen.push(job["progress"].as_f64().unwrap());
        if ["complete", "failed", "cancelled"].contains(&job["status"].as_str().unwrap()) {
            return (job, seen);
        }
        assert!(started.elapsed() < Duration::from_secs(300), "{job}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Red and blue pixels in the drawing area of one decoded RGB frame.
fn ink(frame: &[u8]) -> (usize, usize) {
    drawing::ink(frame, W, DRAWING_ROWS)
}

#[tokio::test]
async fn history_becomes_a_video_in_the_order_and_colours_it_was_drawn() {
    let host = TestHost::start().await;
    let addr = host.http();
    two_people_draw(&host, "main").await;

    let body = json!({"seconds": 3, "width": W, "height": H, "fps": 10, "by": "ann"});
    let (status, answer) = post(addr, "/api/rooms/main/timelapse", &body).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["frames"], 30);
    assert_eq!(answer["job"]["kind"], "timelapse");
    let id = answer["requestId"].as_str().unwrap().to_string();
    let (job, progress) = follow(addr, &id).await;
    assert_eq!(job["status"], "complete", "{job}");
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress only grows: {progress:?}"
    );
    let r = &job["result"];
    assert_eq!(r["frames"], 30);
    assert_eq!(r["durationMs"], 3000);
    assert_eq!(r["changes"], 6);
    assert_eq!(r["people"], json!(["ann name", "ben name"]));

    // Served like every video, and listed with the room's videos.
    let (status, _, bytes) = http(addr, "GET", r["path"].as_str().unwrap(), &[], None).await;
    assert_eq!(status, 200);
    let (_, list) = get(addr, "/api/jobs?room=main&kind=video,timelapse").await;
    assert!(list["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|j| j["id"] == id));
    let (_, videos_only) = get(addr, "/api/jobs?room=main&kind=video").await;
    assert!(videos_only["jobs"].as_array().unwrap().is_empty());

    let file = saved(&bytes);
    let stream = video_stream(file.path());
    assert_eq!(stream["codec_name"], "h264");
    assert_eq!(
        (stream["width"].as_u64(), stream["height"].as_u64()),
        (Some(W as u64), Some(H as u64))
    );
    assert_eq!(stream["nb_read_frames"], "30");
    let duration: f64 = stream["duration"].as_str().unwrap().parse().unwrap();
    assert!((duration - 3.0).abs() < 0.05, "{duration}");
    assert_eq!(decode_errors(file.path()), "");

    let raw = ffmpeg(file.path(), &["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
    let frames: Vec<(usize, usize)> = raw.chunks_exact(W * H * 3).map(ink).collect();
    assert_eq!(frames.len(), 30);
    let total = |f: &(usize, usize)| f.0 + f.1;
    assert!(total(&frames[2]) < total(&frames[29]), "{frames:?}");
    assert!(total(&frames[14]) < total(&frames[29]), "{frames:?}");
    let first_red = frames.iter().position(|f| f.0 > 50).expect("red appears");
    let first_blue = frames.iter().position(|f| f.1 > 50).expect("blue appears");
    assert!(first_red < first_blue, "{frames:?}");
    assert!(frames[29].0 > 50 && frames[29].1 > 50);
    // The names band is under the drawing, in the seat colours.
    let last = &raw[29 * W * H * 3..30 * W * H * 3];
    let band = &last[(H - 8) * W * 3 - W * 3 * 8..];
    assert!(
        band.chunks_exact(3).any(|p| p[0] > 180 && p[1] < 90),
        "Ann's seat swatch"
    );
    host.stop().await;
}

/// A pen stroke drawn light then hard is thin at its start and thick at
/// its end in the video, as on the board.
#[tokio::test]
async fn a_pen_strokes_pressure_shows_in_the_timelapse() {
    let host = TestHost::start().await;
    let addr = host.http();
    let (mut ann, _) = common::Client::join(&host.ws("pen"), "ann").await;
    let n = 61;
    let points: Vec<Value> = (0..n).map(|i| json!({"x": i * 10, "y": 100})).collect();
    let pressures: Vec<f64> = (0..n).map(|i| f64::from(i) / f64::from(n - 1)).collect();
    let mut pen = drawing::stroke("pen", 100, "#ff0000");
    pen["points"] = json!(points);
    pen["pressures"] = json!(pressures);
    pen["style"]["strokeWidth"] = json!(12);
    drawing::draw(&mut ann, pen).await;

    let body = json!({"seconds": 2, "width": W, "height": H, "fps": 5, "by": "ann"});
    let (status, answer) = post(addr, "/api/rooms/pen/timelapse", &body).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["requestId"].as_str().unwrap().to_string();
    let (job, _) = follow(addr, &id).await;
    assert_eq!(job["status"], "complete", "{job}");
    let (_, _, bytes) = http(
        addr,
        "GET",
        job["result"]["path"].as_str().unwrap(),
        &[],
        None,
    )
    .await;
    let raw = ffmpeg(
        saved(&bytes).path(),
        &["-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
    );
    let last = &raw[raw.len() - W * H * 3..];
    let red_rows = |x: usize| {
        (0..DRAWING_ROWS)
            .filter(|y| {
                let p = &last[(y * W + x) * 3..(y * W + x) * 3 + 3];
                p[0] > 160 && p[1] < 110 && p[2] < 110
            })
            .count()
    };
    let (light, hard) = (red_rows(W / 5), red_rows(W * 4 / 5));
    assert!(
        light > 0 && hard >= 3 * light,
        "light end {light} rows, hard end {hard}"
    );
    host.stop().await;
}

#[tokio::test]
async fn a_cancelled_timelapse_stops_and_leaves_nothing() {
    let host = TestHost::start().await;
    let addr = host.http();
    two_people_draw(&host, "main").await;
    let body = json!({"seconds": 300, "width": W, "height": H, "fps": 30});
    let (status, answer) = post(addr, "/api/rooms/main/timelapse", &body).await;
    assert_eq!(status, 200, "{answer}");
    let id = answer["requestId"].as_str().unwrap().to_string();
    // Wait until frames are being made, then cancel.
    let started = Instant::now();
    loop {
        let (_, a) = get(addr, &format!("/api/jobs/{id}")).await;
        if a["job"]["progress"].as_f64().unwrap() > 0.06 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{a}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (status, a) = post(addr, &format!("/api/jobs/{id}/cancel"), &json!({})).await;
    assert_eq!(status, 200, "{a}");
    let asked = Instant::now();
    let (job, _) = follow(addr, &id).await;
    assert_eq!(job["status"], "cancelled", "{job}");
    assert!(asked.elapsed() < Duration::from_secs(5), "stops promptly");
    assert!(job["result"].is_null());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let files = common::boards::video_files(&host);
    assert!(files.is_empty(), "no file left behind: {files:?}");
    let (_, list) = get(addr, "/api/jobs?room=main&kind=video,timelapse").await;
    assert!(list["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|j| j["status"] != "complete"));
    host.stop().await;
}

#[tokio::test]
async fn bad_requests_say_what_is_wrong() {
    let host = TestHost::start().await;
    let addr = host.http();
    let path = "/api/rooms/main/timelapse";
    // A room nobody drew in.
    let (status, a) = post(addr, path, &json!({})).await;
    assert_eq!(
        (status, a["code"].as_str()),
        (400, Some("empty_range")),
        "{a}"
    );
    two_people_draw(&host, "main").await;
    for (body, code) in [
        (json!({"seconds": 1}), "bad_length"),
        (json!({"seconds": 100000}), "bad_length"),
        (json!({"seconds": 10, "speed": 2}), "invalid"),
        (json!({"speed": -1}), "invalid"),
        (json!({"speed": 1000}), "bad_length"),
        (json!({"preset": "4k"}), "invalid"),
        (json!({"preset": "720p", "width": 640}), "invalid"),
        (json!({"width": 333, "height": 180}), "bad_size"),
        (json!({"fps": 500}), "bad_fps"),
        (json!({"toRev": 1_000_000}), "invalid"),
        (json!({"fromRev": 4, "toRev": 2}), "invalid"),
        (json!({"fromRev": 3, "toRev": 3}), "empty_range"),
        (json!({"utcOffsetMinutes": 100000}), "invalid"),
        (json!({"colour": "red"}), "invalid"),
    ] {
        let (status, a) = post(addr, path, &body).await;
        assert_eq!(status, 400, "{body}: {a}");
        assert_eq!(a["code"], code, "{body}: {a}");
        assert!(!a["error"].as_str().unwrap_or("").is_empty(), "{a}");
    }
    let (status, a) = post(addr, "/api/rooms/bad%20name/timelapse", &json!({})).await;
    assert_eq!((status, a["code"].as_str()), (400, Some("invalid")), "{a}");
    // A state-changing request from another site is refused.
    let text = json!({"seconds": 3}).to_string();
    let (status, _, _) = http(
        addr,
        "POST",
        path,
        &[("Origin", "http://evil.example")],
        Some(&text),
    )
    .await;
    assert_eq!(status, 403);
    // Nothing was queued by any of these.
    let (_, list) = get(addr, "/api/jobs?room=main&kind=timelapse").await;
    assert!(list["jobs"].as_array().unwrap().is_empty(), "{list}");
    host.stop().await;
}

#[tokio::test]
async fn a_lan_peer_needs_the_join_code() {
    let Some(lan) = netns::or_skip(OtherMachine::create("tl", 243)) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let host = lan.spawn_host(tmp.path());
    let addr = lan.http_addr(&host);
    let origin = format!("http://{addr}");
    let path = "/api/rooms/main/timelapse";
    let (status, _, _) = http(addr, "POST", path, &[("Origin", &origin)], Some("{}")).await;
    assert_eq!(status, 401);
    let headers = [
        ("Origin", origin.as_str()),
        ("x-coco-code", host.code.as_str()),
    ];
    let (status, _, body) = http(addr, "POST", path, &headers, Some("{}")).await;
    let body: Value = serde_json::from_slice(&body).unwrap();
    // Through the gate: the room has no drawing yet.
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("empty_range")),
        "{body}"
    );
}
