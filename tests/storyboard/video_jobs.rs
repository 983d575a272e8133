//! Video jobs over a real host: renders checked by ffprobe, seeking with
//! HTTP Range, GIF, cancelling, a picture gone from disk, progress in the
//! room. Small videos (320×180 at 10 fps, short scenes) keep debug builds fast.

use coco::protocol::limits::MAX_ID_BYTES;
use serde_json::{json, Value};

use crate::common::boards::{board_with_frames, call, ffprobe, finished, ok, video_files};
use crate::common::probe::saved;
use crate::common::{header, http, Client, TestHost};

fn small(board: &str, extra: Value) -> Value {
    let mut body = json!({"storyboardId": board, "width": 320, "height": 180, "fps": 10});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn generate(host: &TestHost, body: Value) -> String {
    let started = ok(host, "POST", "/api/generate-video", Some(body)).await;
    assert_eq!(started["job"]["kind"], "video");
    started["requestId"].as_str().unwrap().to_string()
}

async fn fetch(
    host: &TestHost,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    http(host.http(), "GET", path, headers, None).await
}

#[tokio::test]
async fn fewer_than_two_frames_is_refused() {
    let host = TestHost::start().await;
    for count in [0, 1] {
        let room = format!("r{count}");
        let board = board_with_frames(&host, &room, count, 1000).await;
        let (status, answer) = call(
            &host,
            "POST",
            "/api/generate-video",
            Some(small(&board, json!({}))),
        )
        .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("too_few_frames")),
            "{answer}"
        );
        let (status, answer) = call(
            &host,
            "POST",
            &format!("/api/generate-video?room={room}"),
            None,
        )
        .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("too_few_frames"))
        );
    }
    let board = board_with_frames(&host, "sizes", 2, 1000).await;
    for (extra, code) in [
        (json!({"width": 321}), "bad_size"),
        (json!({"fps": 0}), "bad_fps"),
        (json!({"format": "avi"}), "invalid"),
        (json!({"title": "t".repeat(500)}), "too_long"),
        (json!({"by": "u".repeat(MAX_ID_BYTES + 1)}), "invalid"),
    ] {
        let (status, answer) = call(
            &host,
            "POST",
            "/api/generate-video",
            Some(small(&board, extra.clone())),
        )
        .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some(code)),
            "{extra}"
        );
    }
    assert!(ok(&host, "GET", "/api/jobs", None).await["jobs"]
        .as_array()
        .unwrap()
        .is_empty());
    host.stop().await;
}

#[tokio::test]
async fn a_storyboard_renders_to_an_mp4_that_seeks() {
    let host = TestHost::start().await;
    let (mut watcher, _) = Client::join(&host.ws("main"), "watcher").await;
    let board = board_with_frames(&host, "main", 3, 700).await;
    let submitted = ok(&host, "GET", &format!("/api/storyboards/{board}"), None).await
        ["storyboard"]["rev"]
        .clone();
    let id = generate(
        &host,
        small(&board, json!({"title": "Our film", "includeMusic": true})),
    )
    .await;
    // An edit after submitting does not change this render.
    ok(
        &host,
        "POST",
        &format!("/api/storyboards/{board}/clear"),
        None,
    )
    .await;

    let done = finished(&host, &id).await;
    assert_eq!(done["status"], "complete", "{done}");
    let result = &done["result"];
    assert_eq!(result["rev"], submitted);
    assert_eq!(
        (
            result["width"].as_u64(),
            result["height"].as_u64(),
            result["fps"].as_u64()
        ),
        (Some(320), Some(180), Some(10))
    );
    assert_eq!(result["format"], "mp4");
    let notes: Vec<&str> = result["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes.contains(&"no narration: the host has no Gemini key; the video shows your captions"),
        "{notes:?}"
    );
    assert!(notes.contains(&"no music source on this host"));

    // The room heard of it: queued, running, complete, all as `video`.
    let mut statuses = Vec::new();
    while !statuses.contains(&"complete".to_string()) {
        let job = watcher.expect("JOB_UPDATED").await;
        assert_eq!(job["kind"], "video");
        assert_eq!(job["id"], id.as_str());
        statuses.push(job["status"].as_str().unwrap().to_string());
    }
    assert_eq!(statuses.first().map(String::as_str), Some("queued"));

    let path = result["path"].as_str().unwrap();
    let (status, headers, bytes) = fetch(&host, path, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), Some("video/mp4"));
    assert_eq!(header(&headers, "accept-ranges"), Some("bytes"));
    assert_eq!(bytes.len() as u64, result["bytes"].as_u64().unwrap());
    let file = saved(&bytes);
    let stream = ffprobe(file.path());
    assert_eq!(stream["codec_name"], "h264");
    assert_eq!(
        (stream["width"].as_u64(), stream["height"].as_u64()),
        (Some(320), Some(180))
    );
    // Title card (25 frames) + 3 scenes of 7, each fading in over 3
    // (a fade takes at most half a scene): 25 + 21 − 9.
    assert_eq!(stream["nb_read_frames"].as_str(), Some("37"));
    assert_eq!(result["frames"], 37);

    let (status, headers, part) = fetch(&host, path, &[("Range", "bytes=100-199")]).await;
    assert_eq!(status, 206);
    assert_eq!(part, &bytes[100..200]);
    assert_eq!(
        header(&headers, "content-range"),
        Some(format!("bytes 100-199/{}", bytes.len()).as_str())
    );
    let tail = format!("bytes={}-", bytes.len() - 10);
    let (status, _, part) = fetch(&host, path, &[("Range", &tail)]).await;
    assert_eq!((status, part.as_slice()), (206, &bytes[bytes.len() - 10..]));
    let past = format!("bytes={}-", bytes.len() + 10);
    let (status, _, _) = fetch(&host, path, &[("Range", &past)]).await;
    assert_eq!(status, 416);
    host.stop().await;
}

#[tokio::test]
async fn a_gif_is_made_on_request() {
    let host = TestHost::start().await;
    let board = board_with_frames(&host, "main", 2, 500).await;
    // A userId at the longest `by` the host keeps.
    let by = "u".repeat(MAX_ID_BYTES);
    let id = generate(&host, small(&board, json!({"format": "gif", "by": by}))).await;
    let done = finished(&host, &id).await;
    assert_eq!(done["status"], "complete", "{done}");
    // The room's videos, for the others to watch: whose, of which storyboard.
    let listed = ok(&host, "GET", "/api/jobs?room=main&kind=video", None).await;
    let listed = listed["jobs"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(listed[0]["input"]["by"], by.as_str());
    assert_eq!(listed[0]["input"]["storyboardName"], "Storyboard 1");
    let enhancements = ok(&host, "GET", "/api/jobs?room=main&kind=enhance", None).await;
    assert!(enhancements["jobs"].as_array().unwrap().is_empty());
    let path = done["result"]["path"].as_str().unwrap();
    assert!(path.ends_with(".gif"));
    let (status, headers, bytes) = fetch(&host, path, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "content-type"), Some("image/gif"));
    assert!(bytes.starts_with(b"GIF89a"));
    let file = saved(&bytes);
    let stream = ffprobe(file.path());
    assert_eq!(stream["codec_name"], "gif");
    assert_eq!(
        stream["nb_read_frames"].as_str().unwrap(),
        done["result"]["frames"].to_string()
    );
    // Saved under the storyboard's name, not the host's file name.
    assert_eq!(done["result"]["downloadName"], "Storyboard 1.gif");
    assert_eq!(
        header(&headers, "content-disposition"),
        Some("inline; filename=\"Storyboard 1.gif\"; filename*=UTF-8''Storyboard%201.gif")
    );
    // Another video of the same storyboard gets a number; a title names it.
    let id = generate(&host, small(&board, json!({"format": "gif"}))).await;
    let again = finished(&host, &id).await;
    assert_eq!(again["result"]["downloadName"], "Storyboard 1 (2).gif");
    let titled = json!({"format": "gif", "title": "Über den Fluss: Teil 1"});
    let id = generate(&host, small(&board, titled)).await;
    let titled = finished(&host, &id).await;
    assert_eq!(
        titled["result"]["downloadName"],
        "Über den Fluss Teil 1.gif"
    );
    let (_, headers, _) = fetch(&host, titled["result"]["path"].as_str().unwrap(), &[]).await;
    assert_eq!(
        header(&headers, "content-disposition"),
        Some("inline; filename=\"_ber den Fluss Teil 1.gif\"; filename*=UTF-8''%C3%9Cber%20den%20Fluss%20Teil%201.gif")
    );
    host.stop().await;
}

#[tokio::test]
async fn a_cancelled_render_stops_and_leaves_no_file() {
    let host = TestHost::start().await;
    let (mut watcher, _) = Client::join(&host.ws("main"), "watcher").await;
    // Three minutes of video: far longer than the test waits.
    let board = board_with_frames(&host, "main", 3, 60_000).await;
    let id = generate(&host, small(&board, json!({}))).await;
    // Progress reaches the room as "frame N of M".
    loop {
        let job = watcher.expect("JOB_UPDATED").await;
        assert_eq!(job["kind"], "video");
        let message = job["message"].as_str().unwrap();
        if message.starts_with("frame ") {
            // 3 × 600 frames, less two crossfades of 6.
            assert!(message.ends_with(" of 1788"), "{message}");
            assert!(job["progress"].as_f64().unwrap() > 0.0);
            break;
        }
    }
    ok(&host, "POST", &format!("/api/jobs/{id}/cancel"), None).await;
    let done = finished(&host, &id).await;
    assert_eq!(
        (done["state"].as_str(), done["code"].as_str()),
        (Some("cancelled"), Some("cancelled"))
    );
    // The render thread notices within a frame and removes its partial file.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !video_files(&host).is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "left behind: {:?}",
            video_files(&host)
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    host.stop().await;
}

#[tokio::test]
async fn a_picture_gone_from_disk_fails_the_render_clearly() {
    let host = TestHost::start().await;
    let board = board_with_frames(&host, "main", 2, 500).await;
    let second = ok(&host, "GET", &format!("/api/storyboards/{board}"), None).await["storyboard"]
        ["frames"][1]["image"]
        .as_str()
        .unwrap()
        .to_string();
    let name = second.trim_start_matches("/img/");
    std::fs::remove_file(host.dir.join("images").join(name)).unwrap();
    let id = generate(&host, small(&board, json!({}))).await;
    let done = finished(&host, &id).await;
    assert_eq!(
        (done["state"].as_str(), done["code"].as_str()),
        (Some("failed"), Some("image_missing")),
        "{done}"
    );
    let message = done["error"].as_str().unwrap();
    assert!(
        message.starts_with("frame 2's picture is no longer on the host"),
        "{message}"
    );
    assert!(video_files(&host).is_empty());
    host.stop().await;
}

#[tokio::test]
async fn only_videos_the_host_made_are_served() {
    let host = TestHost::start().await;
    std::fs::write(
        host.dir
            .join("videos")
            .join("0123456789abcdef0123456789abcdef.mp4"),
        b"planted",
    )
    .unwrap();
    std::fs::write(host.dir.join("secret.mp4"), b"secret").unwrap();
    for path in [
        "/videos/0123456789abcdef0123456789abcdef.mp4",
        "/videos/..%2Fsecret.mp4",
        "/videos/%2e%2e%2fsecret.mp4",
        "/videos/secret.mp4",
        "/videos/",
    ] {
        let (status, _, body) = fetch(&host, path, &[]).await;
        assert_eq!(status, 404, "{path}");
        assert!(!String::from_utf8_lossy(&body).contains("secret"));
    }
    let (status, _) = call(
        &host,
        "GET",
        "/api/video-status/0123456789abcdef0123456789abcdef",
        None,
    )
    .await;
    assert_eq!(status, 404);
    host.stop().await;
}

#[tokio::test]
async fn a_full_video_queue_answers_429() {
    let host = TestHost::start().await;
    let board = board_with_frames(&host, "main", 2, 60_000).await;
    // One renders, MAX_QUEUED_JOBS wait; the next is refused.
    for _ in 0..=coco::jobs::MAX_QUEUED_JOBS {
        generate(&host, small(&board, json!({}))).await;
    }
    let (status, answer) = call(
        &host,
        "POST",
        "/api/generate-video",
        Some(small(&board, json!({}))),
    )
    .await;
    assert_eq!((status, answer["code"].as_str()), (429, Some("queue_full")));
    let jobs = ok(&host, "GET", "/api/jobs", None).await;
    assert_eq!(
        jobs["jobs"].as_array().unwrap().len(),
        coco::jobs::MAX_QUEUED_JOBS + 1
    );
    // Stopping the host stops the render under way.
    host.stop().await;
}
