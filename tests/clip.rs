//! A timelapse as a storyboard clip: a real host, people drawing over a
//! real WebSocket, a storyboard with a picture and a clip of that history,
//! rendered by the video job and read back by the real decoder the video
//! tests use (`ffprobe`, `ffmpeg`). Every refusal changes nothing stored.

mod common;

use std::time::{Duration, Instant};

use coco::config::Config;
use coco::storyboard::{DEFAULT_CLIP_MS, MAX_CLIP_MS, MAX_FRAMES, MIN_CLIP_MS};
use common::boards::{call, default_board, ok, upload, video_files};
use common::drawing::{ink, two_people_draw};
use common::probe::{decode_errors, ffmpeg, saved, video_stream};
use common::{http, TestHost};
use serde_json::{json, Value};

const W: usize = 320;
const H: usize = 180;
/// Rows of the clip's drawing: above its names band and the caption band
/// (together well under 80 px at 180 px high).
const DRAWING_ROWS: usize = 100;

fn frames_path(board: &str) -> String {
    format!("/api/storyboards/{board}/frames")
}

/// Files in the host's picture folder (a clip's still is stored there).
fn pictures(host: &TestHost) -> usize {
    std::fs::read_dir(host.dir.join("images"))
        .map(|d| d.count())
        .unwrap_or(0)
}

/// Polls the job until it ends; returns it and every progress seen.
async fn follow(host: &TestHost, id: &str) -> (Value, Vec<f64>) {
    let started = Instant::now();
    let mut seen = Vec::new();
    loop {
        let job = ok(host, "GET", &format!("/api/jobs/{id}"), None).await["job"].clone();
        seen.push(job["progress"].as_f64().unwrap());
        if ["complete", "failed", "cancelled"].contains(&job["status"].as_str().unwrap()) {
            return (job, seen);
        }
        assert!(started.elapsed() < Duration::from_secs(300), "{job}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The room's default storyboard with a still picture (1 s, cut) and then
/// `clip` added; returns the storyboard's id and the clip frame.
async fn picture_then_clip(host: &TestHost, clip: Value) -> (String, Value) {
    let board = default_board(host, "main").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let image = upload(host, 3).await;
    let picture =
        json!({"image": image, "durationMs": 1000, "motion": "none", "transition": "cut"});
    ok(host, "POST", &frames_path(&board), Some(picture)).await;
    let added = ok(host, "POST", &frames_path(&board), Some(clip)).await;
    (board, added["frame"].clone())
}

#[tokio::test]
async fn a_clip_plays_the_history_inside_the_storyboard_video() {
    let host = TestHost::start().await;
    two_people_draw(&host, "main").await;
    let clip = json!({"clip": {"fromRev": 0, "toRev": 6}, "durationMs": 3000,
                      "transition": "cut", "caption": "How it was drawn"});
    let (board, frame) = picture_then_clip(&host, clip).await;
    assert_eq!(
        frame["clip"],
        json!({"room": "main", "fromRev": 0, "toRev": 6})
    );
    assert_eq!(frame["motion"], "none", "a clip plays still");
    // Its still is a picture of the host: what clients without clips show.
    let still = frame["image"].as_str().unwrap();
    assert!(still.starts_with("/img/"), "{frame}");
    let (status, _, png) = http(host.http(), "GET", still, &[], None).await;
    assert_eq!(status, 200);
    let png = image::load_from_memory(&png).unwrap().to_rgb8();
    assert!(png.pixels().any(|p| p.0[0] > 200 && p.0[1] < 80), "red ink");
    assert!(
        png.pixels().any(|p| p.0[2] > 200 && p.0[0] < 80),
        "blue ink"
    );
    let compat = ok(&host, "GET", "/api/storyboard?room=main", None).await;
    assert_eq!(compat["storyboard"]["images"][1]["path"], still);

    let body = json!({"storyboardId": board, "width": W, "height": H, "fps": 10, "format": "mp4"});
    let started = Instant::now();
    let answer = ok(&host, "POST", "/api/generate-video", Some(body)).await;
    assert_eq!(answer["frames"], 40, "1 s of picture and 3 s of clip");
    let id = answer["requestId"].as_str().unwrap();
    let (job, progress) = follow(&host, id).await;
    assert_eq!(job["status"], "complete", "{job}");
    println!(
        "a 4 s storyboard video with a 3 s clip rendered in {} ms",
        started.elapsed().as_millis()
    );
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress only grows: {progress:?}"
    );
    let r = &job["result"];
    assert_eq!(
        (r["frames"].as_u64(), r["durationMs"].as_u64()),
        (Some(40), Some(4000))
    );

    let (status, _, bytes) = http(host.http(), "GET", r["path"].as_str().unwrap(), &[], None).await;
    assert_eq!(status, 200);
    let file = saved(&bytes);
    let stream = video_stream(file.path());
    assert_eq!(stream["codec_name"], "h264");
    assert_eq!(stream["nb_read_frames"], "40");
    let duration: f64 = stream["duration"].as_str().unwrap().parse().unwrap();
    assert!(
        (duration - 4.0).abs() < 0.05,
        "the sum of the frames: {duration}"
    );
    assert_eq!(decode_errors(file.path()), "");

    let raw = ffmpeg(file.path(), &["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
    let frames: Vec<(usize, usize)> = raw
        .chunks_exact(W * H * 3)
        .map(|f| ink(f, W, DRAWING_ROWS))
        .collect();
    assert_eq!(frames.len(), 40);
    // The clip is frames 10..40: it starts on a blank board and ink grows,
    // red (Ann's, drawn first) before blue (Ben's).
    let clip = &frames[10..];
    let total = |f: &(usize, usize)| f.0 + f.1;
    assert!(total(&clip[0]) < 20, "the clip starts blank: {clip:?}");
    for w in clip.windows(2) {
        assert!(
            total(&w[1]) + 20 >= total(&w[0]),
            "ink only grows: {clip:?}"
        );
    }
    assert!(total(&clip[10]) < total(&clip[29]), "{clip:?}");
    let first_red = clip.iter().position(|f| f.0 > 50).expect("red appears");
    let first_blue = clip.iter().position(|f| f.1 > 50).expect("blue appears");
    assert!(first_red < first_blue, "{clip:?}");
    assert!(clip[29].0 > 200 && clip[29].1 > 200, "{clip:?}");
    // The picture before it is not the clip's white paper.
    let picture = &raw[5 * W * H * 3..6 * W * H * 3];
    let white = picture
        .chunks_exact(3)
        .filter(|p| p.iter().all(|&c| c > 240))
        .count();
    assert!(white < W * H / 4, "frame 5 shows the picture");
    host.stop().await;
}

#[tokio::test]
async fn a_clip_plays_in_a_gif_too() {
    let host = TestHost::start().await;
    two_people_draw(&host, "main").await;
    let clip = json!({"clip": {}, "durationMs": MIN_CLIP_MS, "transition": "cut"});
    let (board, _) = picture_then_clip(&host, clip).await;
    let body = json!({"storyboardId": board, "width": W, "height": H, "format": "gif"});
    let answer = ok(&host, "POST", "/api/generate-video", Some(body)).await;
    let (job, _) = follow(&host, answer["requestId"].as_str().unwrap()).await;
    assert_eq!(job["status"], "complete", "{job}");
    let r = &job["result"];
    // 1 s and 2 s at the GIF's 10 frames a second.
    assert_eq!(
        (r["frames"].as_u64(), r["durationMs"].as_u64()),
        (Some(30), Some(3000))
    );
    let (_, _, bytes) = http(host.http(), "GET", r["path"].as_str().unwrap(), &[], None).await;
    let file = saved(&bytes);
    let stream = video_stream(file.path());
    assert_eq!(stream["codec_name"], "gif");
    assert_eq!(stream["nb_read_frames"], "30");
    let raw = ffmpeg(file.path(), &["-f", "rawvideo", "-pix_fmt", "rgb24", "-"]);
    // No caption: the drawing takes the frame down to the names band (well
    // under 30 px at 180 px high).
    let frames: Vec<(usize, usize)> = raw
        .chunks_exact(W * H * 3)
        .map(|f| ink(f, W, H - 30))
        .collect();
    let (first, last) = (frames[10], frames[29]);
    assert!(first.0 + first.1 < 20, "{frames:?}");
    assert!(last.0 > 200 && last.1 > 200, "{frames:?}");
    host.stop().await;
}

#[tokio::test]
async fn a_render_cancelled_inside_a_clip_stops_and_leaves_nothing() {
    let host = TestHost::start().await;
    two_people_draw(&host, "main").await;
    let clip = json!({"clip": {}, "durationMs": MAX_CLIP_MS, "transition": "crossfade"});
    let (board, frame) = picture_then_clip(&host, clip).await;
    assert_eq!(frame["clip"]["fromRev"], 0, "the oldest kept revision");
    assert_eq!(frame["clip"]["toRev"], 6, "the board's revision now");
    let body = json!({"storyboardId": board, "width": W, "height": H, "fps": 30, "format": "mp4"});
    let answer = ok(&host, "POST", "/api/generate-video", Some(body)).await;
    let total = answer["frames"].as_u64().unwrap();
    assert!(total > 1800, "the clip's frames are counted: {total}");
    let id = answer["requestId"].as_str().unwrap().to_string();
    // Wait until the render is inside the clip (past the 1 s picture).
    let started = Instant::now();
    loop {
        let job = ok(&host, "GET", &format!("/api/jobs/{id}"), None).await["job"].clone();
        let message = job["message"].as_str().unwrap_or("").to_string();
        let done: Option<u64> = message
            .strip_prefix("frame ")
            .and_then(|m| m.split(' ').next())
            .and_then(|n| n.parse().ok());
        if done.is_some_and(|n| n > 60) {
            assert!(message.ends_with(&format!("of {total}")), "{message}");
            break;
        }
        assert_ne!(job["status"], "complete", "{job}");
        assert!(started.elapsed() < Duration::from_secs(120), "{job}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let asked = Instant::now();
    ok(
        &host,
        "POST",
        &format!("/api/jobs/{id}/cancel"),
        Some(json!({})),
    )
    .await;
    let (job, _) = follow(&host, &id).await;
    assert_eq!(job["status"], "cancelled", "{job}");
    assert!(asked.elapsed() < Duration::from_secs(5), "stops promptly");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let files = video_files(&host);
    assert!(files.is_empty(), "no file left behind: {files:?}");
    host.stop().await;
}

/// A refused clip: its status and code, and nothing stored changed.
async fn refused(host: &TestHost, board: &str, body: Value, status: u16, code: &str) {
    let before = ok(host, "GET", &format!("/api/storyboards/{board}"), None).await;
    let stills = pictures(host);
    let (got, answer) = call(host, "POST", &frames_path(board), Some(body.clone())).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (status, Some(code)),
        "{body}: {answer}"
    );
    assert!(
        !answer["error"].as_str().unwrap_or("").is_empty(),
        "{answer}"
    );
    let after = ok(host, "GET", &format!("/api/storyboards/{board}"), None).await;
    assert_eq!(before, after, "{body}: the storyboard is unchanged");
    assert_eq!(pictures(host), stills, "{body}: no still stored");
}

#[tokio::test]
async fn bad_clips_are_refused_and_change_nothing() {
    let host = TestHost::start().await;
    // A room nobody drew in has no history to play.
    let empty = default_board(&host, "quiet").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    refused(&host, &empty, json!({"clip": {}}), 400, "empty_range").await;

    two_people_draw(&host, "main").await;
    let board = default_board(&host, "main").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let clip = |extra: Value| {
        let mut body = json!({"clip": {"fromRev": 0, "toRev": 6}});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, status, code) in [
        (json!({"clip": {"toRev": 7}}), 400, "invalid"),
        (json!({"clip": {"fromRev": 4, "toRev": 2}}), 400, "invalid"),
        (
            json!({"clip": {"fromRev": 3, "toRev": 3}}),
            400,
            "empty_range",
        ),
        (json!({"clip": {"room": "bad name"}}), 400, "invalid"),
        (json!({"clip": {"room": "quiet"}}), 400, "empty_range"),
        (
            json!({"clip": {"utcOffsetMinutes": 100_000}}),
            400,
            "invalid",
        ),
        (json!({"clip": {"colour": "red"}}), 400, "invalid"),
        (
            clip(json!({"durationMs": MIN_CLIP_MS - 1})),
            400,
            "bad_duration",
        ),
        (
            clip(json!({"durationMs": MAX_CLIP_MS + 1})),
            400,
            "bad_duration",
        ),
        (clip(json!({"motion": "kenburns"})), 400, "invalid"),
        (clip(json!({"image": "/img/x.png"})), 400, "invalid"),
        (clip(json!({"index": 5})), 400, "invalid"),
        (clip(json!({"caption": "c".repeat(301)})), 400, "too_long"),
    ] {
        refused(&host, &board, body, status, code).await;
    }
    let (status, answer) = call(
        &host,
        "POST",
        &frames_path("sb_none"),
        Some(clip(json!({}))),
    )
    .await;
    assert_eq!((status, answer["code"].as_str()), (404, Some("not_found")));

    // At the limits: taken.
    for ms in [MIN_CLIP_MS, MAX_CLIP_MS] {
        let added = ok(
            &host,
            "POST",
            &frames_path(&board),
            Some(clip(json!({"durationMs": ms}))),
        )
        .await;
        assert_eq!(added["frame"]["durationMs"], ms);
    }
    let added = ok(&host, "POST", &frames_path(&board), Some(clip(json!({})))).await;
    assert_eq!(added["frame"]["durationMs"], DEFAULT_CLIP_MS);
    // A clip's duration and motion keep to a clip's limits when changed.
    let frame = added["frame"]["id"].as_str().unwrap();
    let path = format!("/api/storyboards/{board}/frames/{frame}");
    for (patch, code) in [
        (json!({"durationMs": MAX_CLIP_MS + 1}), "bad_duration"),
        (json!({"durationMs": MIN_CLIP_MS - 1}), "bad_duration"),
        (json!({"motion": "kenburns"}), "invalid"),
    ] {
        let before = ok(&host, "GET", &format!("/api/storyboards/{board}"), None).await;
        let (status, answer) = call(&host, "PATCH", &path, Some(patch.clone())).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some(code)),
            "{patch}"
        );
        let after = ok(&host, "GET", &format!("/api/storyboards/{board}"), None).await;
        assert_eq!(before, after);
    }
    let patched = ok(
        &host,
        "PATCH",
        &path,
        Some(json!({"durationMs": MIN_CLIP_MS})),
    )
    .await;
    assert_eq!(
        patched["storyboard"]["frames"][2]["durationMs"],
        MIN_CLIP_MS
    );

    // A full storyboard takes no clip, and no still is made for it.
    let image = upload(&host, 9).await;
    for _ in 3..MAX_FRAMES {
        ok(
            &host,
            "POST",
            &frames_path(&board),
            Some(json!({"image": image})),
        )
        .await;
    }
    refused(&host, &board, clip(json!({})), 409, "limit_reached").await;
    host.stop().await;
}

#[tokio::test]
async fn with_history_off_a_clip_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = Config::ephemeral(tmp.path());
    config.history_budget = 0;
    let host = TestHost::with_config(config).await;
    two_people_draw(&host, "main").await;
    let board = default_board(&host, "main").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    refused(&host, &board, json!({"clip": {}}), 404, "history_off").await;
    host.stop().await;
}
