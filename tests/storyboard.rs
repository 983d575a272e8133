//! Storyboards over a real host: live updates between two people, the
//! existing client's routes, every bad input refused with nothing changed,
//! and storyboards kept across a restart. Video jobs are in `video_jobs`.

mod common;
#[path = "storyboard/video_jobs.rs"]
mod video_jobs;

use coco::storyboard::{
    MAX_CAPTION_CHARS, MAX_FRAMES, MAX_FRAME_MS, MAX_STORYBOARDS_PER_ROOM, MIN_FRAME_MS,
};
use common::boards::{add_frame, call, default_board, ok, upload};
use common::{Client, TestHost};
use serde_json::{json, Value};

fn frame_ids(board: &Value) -> Vec<String> {
    board["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// Waits for a `STORYBOARD_UPDATED` of board `id` at `rev`.
async fn expect_update(client: &mut Client, id: &str, rev: u64) -> Value {
    loop {
        let payload = client.expect("STORYBOARD_UPDATED").await;
        let board = &payload["storyboard"];
        if board["id"] == id && board["rev"] == rev {
            return board.clone();
        }
    }
}

#[tokio::test]
async fn two_people_see_each_others_changes_live() {
    let host = TestHost::start().await;
    let (mut alice, _) = Client::join(&host.ws("studio"), "alice").await;
    let (mut bob, _) = Client::join(&host.ws("studio"), "bob").await;
    let board = default_board(&host, "studio").await;
    let id = board["id"].as_str().unwrap().to_string();
    assert_eq!(board["name"], "Storyboard 1");

    // Alice adds a picture: both see it.
    let image = upload(&host, 1).await;
    let after = add_frame(&host, &id, json!({"image": image, "caption": "a cat"})).await;
    let rev = after["rev"].as_u64().unwrap();
    for client in [&mut alice, &mut bob] {
        let seen = expect_update(client, &id, rev).await;
        assert_eq!(seen["frames"][0]["caption"], "a cat");
        assert_eq!(seen["frames"][0]["image"], image);
    }

    // Bob changes the caption: Alice sees his words.
    let frame = frame_ids(&after)[0].clone();
    let path = format!("/api/storyboards/{id}/frames/{frame}");
    ok(&host, "PATCH", &path, Some(json!({"caption": "a dog"}))).await;
    let seen = expect_update(&mut alice, &id, rev + 1).await;
    assert_eq!(seen["frames"][0]["caption"], "a dog");

    // A second storyboard appears, then is deleted, for both.
    let second = ok(
        &host,
        "POST",
        "/api/storyboards",
        Some(json!({"room": "studio", "name": "Ending"})),
    )
    .await["storyboard"]
        .clone();
    let second_id = second["id"].as_str().unwrap();
    expect_update(&mut bob, second_id, 1).await;
    ok(
        &host,
        "DELETE",
        &format!("/api/storyboards/{second_id}"),
        None,
    )
    .await;
    for client in [&mut alice, &mut bob] {
        let deleted = client.expect("STORYBOARD_DELETED").await;
        assert_eq!(deleted["id"], second_id);
    }
    host.stop().await;
}

#[tokio::test]
async fn the_existing_clients_routes_work_on_the_default_storyboard() {
    let host = TestHost::start().await;
    let (one, two) = (upload(&host, 1).await, upload(&host, 2).await);
    let added = ok(
        &host,
        "POST",
        "/api/storyboard/add",
        Some(json!({"imagePath": one})),
    )
    .await;
    assert_eq!(added["isDuplicate"], false);
    assert_eq!(added["storyboard"]["count"], 1);
    assert_eq!(added["storyboard"]["images"][0]["path"], one);
    assert_eq!(added["storyboard"]["images"][0]["width"], 160);
    let again = ok(
        &host,
        "POST",
        "/api/storyboard/add",
        Some(json!({"imagePath": one})),
    )
    .await;
    assert_eq!(again["isDuplicate"], true);
    assert_eq!(again["storyboard"]["count"], 1);
    for image in [&two, &one] {
        // The same picture twice is allowed through the resource API.
        let board = default_board(&host, "main").await;
        add_frame(
            &host,
            board["id"].as_str().unwrap(),
            json!({"image": image}),
        )
        .await;
    }
    let got = ok(&host, "GET", "/api/storyboard", None).await;
    let paths: Vec<&str> = got["storyboard"]["images"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, [one.as_str(), two.as_str(), one.as_str()]);

    // By index: the index must show that picture.
    let (status, _) = call(
        &host,
        "POST",
        "/api/storyboard/delete",
        Some(json!({"imagePath": one, "imageIndex": 1})),
    )
    .await;
    assert_eq!(status, 404);
    let deleted = ok(
        &host,
        "POST",
        "/api/storyboard/delete",
        Some(json!({"imagePath": one, "imageIndex": 2})),
    )
    .await;
    assert_eq!(deleted["storyboard"]["count"], 2);
    // By path: the first showing it.
    let deleted = ok(
        &host,
        "POST",
        "/api/storyboard/delete",
        Some(json!({"imagePath": one})),
    )
    .await;
    assert_eq!(deleted["storyboard"]["images"][0]["path"], two);
    assert_eq!(deleted["storyboard"]["count"], 1);

    ok(&host, "POST", "/api/storyboard/clear", None).await;
    let got = ok(&host, "GET", "/api/storyboard", None).await;
    assert_eq!(got["storyboard"]["count"], 0);
    host.stop().await;
}

#[tokio::test]
async fn a_bad_order_is_refused_and_changes_nothing() {
    let host = TestHost::start().await;
    let board = default_board(&host, "main").await;
    let id = board["id"].as_str().unwrap().to_string();
    for seed in 1..=3 {
        add_frame(&host, &id, json!({"image": upload(&host, seed).await})).await;
    }
    let before =
        ok(&host, "GET", &format!("/api/storyboards/{id}"), None).await["storyboard"].clone();
    let ids = frame_ids(&before);
    let order = format!("/api/storyboards/{id}/order");
    for bad in [
        json!([ids[0], ids[1]]),
        json!([ids[0], ids[1], ids[1]]),
        json!([ids[0], ids[1], ids[2], "fr_0000000000000000"]),
        json!([ids[2], ids[1], "fr_0000000000000000"]),
    ] {
        let (status, answer) = call(&host, "POST", &order, Some(json!({"frameIds": bad}))).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("invalid")),
            "{bad}"
        );
    }
    let now = ok(&host, "GET", &format!("/api/storyboards/{id}"), None).await["storyboard"].clone();
    assert_eq!(now, before, "nothing changed, not even rev");

    let reversed: Vec<&String> = ids.iter().rev().collect();
    let after = ok(&host, "POST", &order, Some(json!({"frameIds": reversed}))).await;
    assert_eq!(
        frame_ids(&after["storyboard"]),
        ids.iter().rev().cloned().collect::<Vec<_>>()
    );
    assert_eq!(
        after["storyboard"]["rev"],
        before["rev"].as_u64().unwrap() + 1
    );
    host.stop().await;
}

#[tokio::test]
async fn captions_and_durations_are_checked_at_their_limits() {
    let host = TestHost::start().await;
    let board = default_board(&host, "main").await;
    let id = board["id"].as_str().unwrap().to_string();
    let image = upload(&host, 1).await;
    let frames = format!("/api/storyboards/{id}/frames");
    let huge = "x".repeat(100 * 1024);
    let over = "é".repeat(MAX_CAPTION_CHARS + 1);
    for caption in [&huge, &over] {
        let (status, answer) = call(
            &host,
            "POST",
            &frames,
            Some(json!({"image": image, "caption": caption})),
        )
        .await;
        assert_eq!((status, answer["code"].as_str()), (400, Some("too_long")));
    }
    for ms in [
        0,
        u64::from(MIN_FRAME_MS) - 1,
        u64::from(MAX_FRAME_MS) + 1,
        10 * 3_600_000,
    ] {
        let (status, answer) = call(
            &host,
            "POST",
            &frames,
            Some(json!({"image": image, "durationMs": ms})),
        )
        .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("bad_duration")),
            "{ms}"
        );
    }
    let (status, _) = call(
        &host,
        "POST",
        &frames,
        Some(json!({"image": image, "durationMs": -5})),
    )
    .await;
    assert_eq!(status, 400);
    let untouched = default_board(&host, "main").await;
    assert_eq!(untouched, board, "refused frames change nothing");

    // At the limits: accepted.
    let at = "é".repeat(MAX_CAPTION_CHARS);
    let added = ok(
        &host,
        "POST",
        &frames,
        Some(json!({"image": image, "caption": at, "durationMs": MIN_FRAME_MS})),
    )
    .await;
    let frame = added["frame"]["id"].as_str().unwrap().to_string();
    let path = format!("/api/storyboards/{id}/frames/{frame}");
    ok(
        &host,
        "PATCH",
        &path,
        Some(json!({"durationMs": MAX_FRAME_MS})),
    )
    .await;
    let before = default_board(&host, "main").await;
    for patch in [
        json!({"caption": huge}),
        json!({"durationMs": 0}),
        json!({"durationMs": 36_000_000}),
        json!({"motion": "spin"}),
        json!({"image": "/img/x.png"}),
    ] {
        let (status, _) = call(&host, "PATCH", &path, Some(patch.clone())).await;
        assert_eq!(status, 400, "{patch}");
    }
    assert_eq!(default_board(&host, "main").await, before);
    host.stop().await;
}

#[tokio::test]
async fn unknown_storyboards_and_frames_are_404() {
    let host = TestHost::start().await;
    let image = upload(&host, 1).await;
    let nope = "/api/storyboards/sb_0000000000000000";
    for (method, path, body) in [
        ("GET", nope.to_string(), None),
        ("PATCH", nope.to_string(), Some(json!({"name": "x"}))),
        ("DELETE", nope.to_string(), None),
        (
            "POST",
            format!("{nope}/frames"),
            Some(json!({"image": image})),
        ),
        ("POST", format!("{nope}/clear"), None),
        (
            "POST",
            format!("{nope}/order"),
            Some(json!({"frameIds": []})),
        ),
        ("GET", "/api/storyboards/..%2F..%2Fetc".to_string(), None),
    ] {
        let (status, answer) = call(&host, method, &path, body).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (404, Some("not_found")),
            "{method} {path}"
        );
    }
    let board = default_board(&host, "main").await;
    let frame = format!(
        "/api/storyboards/{}/frames/fr_0000000000000000",
        board["id"].as_str().unwrap()
    );
    let (status, _) = call(&host, "PATCH", &frame, Some(json!({"caption": "x"}))).await;
    assert_eq!(status, 404);
    let (status, _) = call(&host, "DELETE", &frame, None).await;
    assert_eq!(status, 404);
    host.stop().await;
}

#[tokio::test]
async fn only_pictures_the_host_issued_can_be_added() {
    let host = TestHost::start().await;
    let board = default_board(&host, "main").await;
    let frames = format!("/api/storyboards/{}/frames", board["id"].as_str().unwrap());
    let real = upload(&host, 1).await;
    let name = real.trim_start_matches("/img/");
    std::fs::write(host.dir.join("secret.png"), b"not for you").unwrap();
    let not_found = [
        "/img/0123456789abcdef0123456789abcdef.png".to_string(),
        "/img/../secret.png".to_string(),
        "/img/..%2Fsecret.png".to_string(),
        "/img/%2e%2e%2fsecret.png".to_string(),
        format!("/img/{}", host.dir.join("secret.png").display()),
        // An upload's name is not an enhanced picture's.
        format!("/enhanced_drawings/{name}"),
    ];
    for image in &not_found {
        let (status, answer) = call(&host, "POST", &frames, Some(json!({"image": image}))).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (404, Some("not_found")),
            "{image}"
        );
        let (status, _) = call(
            &host,
            "POST",
            "/api/storyboard/add",
            Some(json!({"imagePath": image})),
        )
        .await;
        assert_eq!(status, 404, "{image}");
    }
    for image in ["/etc/passwd", "../images/x.png", "secret.png", ""] {
        let (status, answer) = call(&host, "POST", &frames, Some(json!({"image": image}))).await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (400, Some("invalid")),
            "{image}"
        );
    }
    assert_eq!(default_board(&host, "main").await, board);
    // The same picture as a full URL with the join code still resolves to its name.
    let url = format!("http://{}{real}?code=123456", host.http());
    let added = ok(&host, "POST", &frames, Some(json!({"image": url}))).await;
    assert_eq!(added["frame"]["image"], real);
    host.stop().await;
}

#[tokio::test]
async fn storyboard_and_frame_counts_are_limited() {
    let host = TestHost::start().await;
    let boards = default_board(&host, "main").await;
    let id = boards["id"].as_str().unwrap().to_string();
    for n in 2..=MAX_STORYBOARDS_PER_ROOM {
        let made = ok(&host, "POST", "/api/storyboards", Some(json!({}))).await;
        assert_eq!(made["storyboard"]["name"], format!("Storyboard {n}"));
    }
    let (status, answer) = call(&host, "POST", "/api/storyboards", None).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("limit_reached"))
    );
    let list = ok(&host, "GET", "/api/storyboards?room=main", None).await;
    assert_eq!(
        list["storyboards"].as_array().unwrap().len(),
        MAX_STORYBOARDS_PER_ROOM
    );
    assert_eq!(list["storyboards"][0]["id"], id, "the default comes first");

    let image = upload(&host, 1).await;
    let frames = format!("/api/storyboards/{id}/frames");
    for _ in 0..MAX_FRAMES {
        ok(
            &host,
            "POST",
            &frames,
            Some(json!({"image": image, "index": 0})),
        )
        .await;
    }
    let (status, answer) = call(&host, "POST", &frames, Some(json!({"image": image}))).await;
    assert_eq!(
        (status, answer["code"].as_str()),
        (409, Some("limit_reached"))
    );
    let board = default_board(&host, "main").await;
    assert_eq!(board["frames"].as_array().unwrap().len(), MAX_FRAMES);
    host.stop().await;
}

#[tokio::test]
async fn storyboards_survive_a_restart() {
    let host = TestHost::start().await;
    let dir = host.dir.clone();
    let board = default_board(&host, "main").await;
    let id = board["id"].as_str().unwrap().to_string();
    for seed in 1..=2 {
        add_frame(
            &host,
            &id,
            json!({"image": upload(&host, seed).await, "caption": "kept"}),
        )
        .await;
    }
    let path = format!("/api/storyboards/{id}");
    ok(
        &host,
        "PATCH",
        &path,
        Some(json!({"title": "Our film", "name": "Act one"})),
    )
    .await;
    let before = ok(&host, "GET", &path, None).await["storyboard"].clone();
    let tmp = host.stop().await;

    let host = TestHost::start_in(&dir).await;
    let after = ok(&host, "GET", &path, None).await["storyboard"].clone();
    assert_eq!(after, before);
    assert_eq!(after["title"], "Our film");
    assert_eq!(default_board(&host, "main").await["id"], id);
    host.stop().await;
    drop(tmp);
}
