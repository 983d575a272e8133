//! `GET /api/limits` serves the host's own limits (the web UI reads them
//! instead of keeping copies), and a LAN peer without the join code is
//! refused there as on every other data route. The "other machine" is a
//! network namespace made by the test.

mod common;

use common::netns::{self, OtherMachine};
use common::{http, TestHost};
use serde_json::{json, Value};

async fn limits_at(
    addr: std::net::SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let (status, _, body) = http(addr, "GET", path, headers, None).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_limits_are_the_hosts_constants() {
    let host = TestHost::start().await;
    let (status, limits) = limits_at(host.http(), "/api/limits", &[]).await;
    assert_eq!(status, 200, "{limits}");
    use coco::protocol::limits as p;
    use coco::storyboard as sb;
    assert_eq!(
        limits,
        json!({
            "success": true,
            "protocol": {
                "maxFrameBytes": p::MAX_FRAME_BYTES,
                "maxShapeBytes": p::MAX_SHAPE_BYTES,
                "maxPointsPerShape": p::MAX_POINTS_PER_SHAPE,
                "maxShapesPerRoom": p::MAX_SHAPES_PER_ROOM,
                "maxIdBytes": p::MAX_ID_BYTES,
                "maxRoomNameBytes": p::MAX_ROOM_NAME_BYTES,
                "seatsPerRoom": p::SEATS_PER_ROOM,
                "maxLaserPoints": p::MAX_LASER_POINTS,
                "maxLaserMessagesPerSec": p::MAX_LASER_MESSAGES_PER_SEC,
            },
            "images": {
                "maxUploadBytes": coco::media::images::MAX_UPLOAD_BYTES,
                "maxImageSide": coco::media::images::MAX_IMAGE_SIDE,
                "maxImagePixels": coco::media::images::MAX_IMAGE_PIXELS,
            },
            "enhance": { "maxPromptChars": coco::jobs::kinds::enhance::MAX_PROMPT_CHARS },
            "storyboard": {
                "maxStoryboardsPerRoom": sb::MAX_STORYBOARDS_PER_ROOM,
                "maxFrames": sb::MAX_FRAMES,
                "maxNameChars": sb::MAX_NAME_CHARS,
                "maxCaptionChars": sb::MAX_CAPTION_CHARS,
                "maxTitleChars": sb::MAX_TITLE_CHARS,
                "minFrameMs": sb::MIN_FRAME_MS,
                "maxFrameMs": sb::MAX_FRAME_MS,
                "maxStoryContextChars": coco::jobs::kinds::video::MAX_STORY_CONTEXT_CHARS,
                "minClipMs": sb::MIN_CLIP_MS,
                "maxClipMs": sb::MAX_CLIP_MS,
                "defaultClipMs": sb::DEFAULT_CLIP_MS,
                "maxClipChanges": sb::MAX_CLIP_CHANGES,
            },
            "video": {
                "maxWidth": coco::media::video::MAX_WIDTH,
                "maxHeight": coco::media::video::MAX_HEIGHT,
                "gifMaxWidth": coco::media::video::GIF_MAX_WIDTH,
            },
            "jobs": { "maxListedJobs": coco::jobs::MAX_LISTED_JOBS },
        })
    );
    // The numbers the UI used to copy, as the host has them now.
    assert_eq!(limits["protocol"]["maxPointsPerShape"], 10_000);
    assert_eq!(limits["storyboard"]["maxTitleChars"], 120);
    host.stop().await;
}

#[tokio::test]
async fn a_lan_peer_needs_the_code_for_the_limits() {
    let Some(lan) = netns::or_skip(OtherMachine::create("l", 241)) else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let host = lan.spawn_host(tmp.path());
    let addr = lan.http_addr(&host);

    // Refused without the code, exactly as another data route is.
    let (status, refusal) = limits_at(addr, "/api/limits", &[]).await;
    assert_eq!(status, 401, "{refusal}");
    assert_eq!(refusal["code"], "unauthorized", "{refusal}");
    let (jobs_status, jobs_refusal) = limits_at(addr, "/api/jobs", &[]).await;
    assert_eq!((jobs_status, &jobs_refusal), (status, &refusal));

    // With the code, as a query or as the header the UI sends.
    let (status, limits) = limits_at(addr, &format!("/api/limits?code={}", host.code), &[]).await;
    assert_eq!(status, 200, "{limits}");
    let (status, by_header) =
        limits_at(addr, "/api/limits", &[("x-coco-code", host.code.as_str())]).await;
    assert_eq!(status, 200, "{by_header}");
    assert_eq!(by_header, limits);
    assert_eq!(
        limits["protocol"]["maxPointsPerShape"],
        coco::protocol::limits::MAX_POINTS_PER_SHAPE
    );
}
