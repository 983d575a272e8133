//! A full disk, for real: the data directory on a small tmpfs that the test
//! fills. The host acknowledges nothing it did not save, relays nothing as
//! saved, says so (`storage_failed`, `/api/health` 503), and after the disk
//! has room again and the host restarts, every acknowledged change is there
//! and every kept one is accepted.

mod common;

use std::time::Duration;

use common::boards::{add_frame, call, default_board, ok, picture, upload};
use common::disk::SmallDisk;
use common::{http, pencil, shape_ids, Client, TestHost};
use serde_json::{json, Value};

/// Every message that arrives until none has for `quiet`.
async fn drain(client: &mut Client, quiet: Duration) -> Vec<Value> {
    let mut seen = Vec::new();
    while let Ok(Some(msg)) = tokio::time::timeout(quiet, client.next()).await {
        seen.push(msg);
    }
    seen
}

async fn add(client: &mut Client, id: &str) {
    client
        .send(
            "SHAPE_ADDED",
            json!({"shape": pencil(id, 5), "opId": format!("op-{id}")}),
        )
        .await;
}

/// What the host answered to one change: its ACK or a `storage_failed`.
async fn answer(client: &mut Client) -> Result<(), Value> {
    loop {
        let msg = client.next().await.expect("the socket stays open");
        match msg["type"].as_str() {
            Some("ACK") => return Ok(()),
            Some("ERROR") => {
                assert_eq!(msg["payload"]["code"], "storage_failed", "{msg}");
                return Err(msg["payload"].clone());
            }
            _ => continue,
        }
    }
}

async fn health(host: &TestHost) -> (u16, Value) {
    let (status, _, body) = http(host.http(), "GET", "/api/health", &[], None).await;
    (status, serde_json::from_slice(&body).unwrap())
}

#[tokio::test]
async fn a_full_disk_acknowledges_nothing_unsaved_and_loses_nothing_acknowledged() {
    let Some(disk) = SmallDisk::mount(24) else {
        return;
    };
    let dir = disk.data_dir();
    let host = TestHost::start_in(&dir).await;
    let url = host.ws("main");
    let (mut ann, _) = Client::join(&url, "ann").await;
    let (mut bo, _) = Client::join(&url, "bo").await;
    let mut acked = Vec::new();
    for i in 0..5 {
        let id = format!("before{i}");
        ann.add_acked(&id).await;
        acked.push(id);
    }
    assert_eq!(health(&host).await.0, 200);

    disk.fill();
    // Keep drawing until the host finds it cannot save.
    let mut lost = None;
    for i in 0..2_000 {
        let id = format!("during{i}");
        add(&mut ann, &id).await;
        match answer(&mut ann).await {
            Ok(()) => acked.push(id),
            Err(error) => {
                assert!(error.get("opId").is_none(), "kept, not dropped: {error}");
                lost = Some(id);
                break;
            }
        }
    }
    let lost = lost.expect("a full disk fails a write");

    let (status, body) = health(&host).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "storage_failed");
    assert_eq!(body["storage"]["code"], "storage_failed");
    assert_eq!(body["storage"]["diskFull"], true, "{body}");
    assert_eq!(
        body["storage"]["restartNeeded"], true,
        "sled keeps the error"
    );
    let message = body["storage"]["message"].as_str().unwrap();
    assert!(message.contains("free space"), "{message}");

    // More changes, and the replay of the lost one: refused, not acknowledged.
    add(&mut ann, "refused").await;
    assert!(
        answer(&mut ann).await.is_err(),
        "refused while it cannot save"
    );
    add(&mut ann, &lost).await;
    assert!(
        answer(&mut ann).await.is_err(),
        "a replay of a lost op is not a duplicate"
    );

    // The other person was told, and sees nothing relayed as saved.
    let seen = drain(&mut bo, Duration::from_millis(500)).await;
    assert!(
        seen.iter()
            .any(|m| m["type"] == "ERROR" && m["payload"]["code"] == "storage_failed"),
        "everyone hears why: {seen:?}"
    );
    assert!(
        !seen
            .iter()
            .any(|m| m["type"] == "SHAPE_ADDED" && m["payload"]["shape"]["id"] == "refused"),
        "nothing refused is relayed"
    );

    // Room again: sled keeps its error, so the host still refuses and asks
    // for a restart rather than pretending.
    disk.free();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(health(&host).await.0, 503);
    drop((ann, bo));
    host.stop().await;

    let host = TestHost::start_in(&dir).await;
    assert_eq!(health(&host).await.0, 200, "a restart saves again");
    let (mut ann, _) = Client::join(&host.ws("main"), "ann").await;
    let ids = shape_ids(&ann.sync(None).await);
    for id in &acked {
        assert!(ids.contains(id), "{id} was acknowledged, so it is kept");
    }
    for id in &ids {
        assert!(
            acked.contains(id) || *id == lost,
            "{id} was refused, so it is not there"
        );
    }
    for id in [lost.as_str(), "refused"] {
        add(&mut ann, id).await;
        answer(&mut ann)
            .await
            .expect("the kept change is saved now");
    }
    let ids = shape_ids(&ann.sync(None).await);
    assert!(ids.contains(&lost) && ids.contains(&"refused".to_string()));
    host.stop().await;
}

/// Every file name in `dir` (none when it does not exist).
fn files_in(dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Draws until the host finds it cannot save.
async fn draw_until_refused(client: &mut Client) {
    for i in 0..2_000 {
        add(client, &format!("fill{i}")).await;
        if answer(client).await.is_err() {
            return;
        }
    }
    panic!("a full disk fails a write");
}

#[tokio::test]
async fn a_full_disk_refuses_pictures_and_videos_with_507_and_keeps_no_half_file() {
    let Some(disk) = SmallDisk::mount(24) else {
        return;
    };
    let dir = disk.data_dir();
    let host = TestHost::start_in(&dir).await;
    let (mut ann, _) = Client::join(&host.ws("main"), "ann").await;
    let image = upload(&host, 1).await;
    let board = default_board(&host, "main").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    add_frame(&host, &board, json!({"image": image})).await;
    add_frame(&host, &board, json!({"image": image})).await;
    let images_before = files_in(&dir.join("images"));

    disk.fill();
    // A picture on a full disk: 507, and no part of it is kept or served.
    let body = body_for(2);
    let (status, answer) = call(&host, "POST", "/api/save-image", Some(body.clone())).await;
    assert_eq!(status, 507, "{answer}");
    assert_eq!(answer["code"], "disk_full");
    assert!(
        answer["error"].as_str().unwrap().contains("free space"),
        "{answer}"
    );
    assert_eq!(files_in(&dir.join("images")), images_before, "no half file");

    // Once the host knows it cannot save, nothing that stores is started.
    draw_until_refused(&mut ann).await;
    let refused = [
        ("POST", "/api/save-image".to_string(), body),
        (
            "POST",
            "/api/enhance-image".to_string(),
            json!({"filename": image, "prompt": "a cat", "engine": "local"}),
        ),
        (
            "POST",
            "/api/generate-video".to_string(),
            json!({"storyboardId": board, "width": 160, "height": 120}),
        ),
        (
            "POST",
            format!("/api/storyboards/{board}/frames"),
            json!({"image": image}),
        ),
    ];
    let jobs_before = ok(&host, "GET", "/api/jobs?room=main", None).await;
    for (method, path, body) in refused {
        let (status, answer) = call(&host, method, &path, Some(body)).await;
        assert_eq!(status, 507, "{path}: {answer}");
        assert_eq!(answer["code"], "disk_full", "{path}");
        assert!(
            answer["error"].as_str().unwrap().contains("free space"),
            "{answer}"
        );
    }
    assert_eq!(
        ok(&host, "GET", "/api/jobs?room=main", None).await,
        jobs_before,
        "no job was started"
    );
    assert!(files_in(&dir.join("videos")).is_empty());
    // What lives in memory still works: the host panel's open switch.
    let admin = host.admin();
    let (status, _, _) = http(
        host.http(),
        "POST",
        "/api/host/open",
        &[("x-coco-admin", admin.as_str())],
        Some("{\"open\": true}"),
    )
    .await;
    assert_eq!(status, 200);
    drop(ann);
    host.stop().await;

    // Room again, and a restart: the picture is stored now.
    disk.free();
    let host = TestHost::start_in(&dir).await;
    let (status, answer) = call(&host, "POST", "/api/save-image", Some(body_for(2))).await;
    assert_eq!(status, 200, "{answer}");
    let path = answer["path"].as_str().unwrap();
    let (status, _, _) = http(host.http(), "GET", path, &[], None).await;
    assert_eq!(status, 200);
    assert!(
        files_in(&dir.join("images"))
            .iter()
            .all(|n| !n.ends_with(".tmp")),
        "no temporary file is left"
    );
    host.stop().await;
}

fn body_for(seed: u8) -> Value {
    let data = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        picture(seed, 400, 300),
    );
    json!({"imageData": format!("data:image/png;base64,{data}")})
}

/// One durability policy: a storyboard change that the disk refuses, with
/// nobody drawing, is answered like a refused stroke. It gets `507
/// disk_full` (not an internal error), `/api/health` says at once that the
/// host cannot save, the storyboard reads as it was, and after room and a
/// restart the last change that was answered "saved" is there.
#[tokio::test]
async fn a_storyboard_change_the_disk_refuses_is_answered_and_reported() {
    let Some(disk) = SmallDisk::mount(24) else {
        return;
    };
    let dir = disk.data_dir();
    let host = TestHost::start_in(&dir).await;
    let board = default_board(&host, "main").await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/storyboards/{board}");
    disk.fill();
    let mut saved = None;
    let mut refused = None;
    for i in 0..2_000 {
        let name = format!("Story {i} {}", "x".repeat(60));
        let (status, answer) = call(&host, "PATCH", &path, Some(json!({"name": name}))).await;
        match status {
            200 => saved = Some(name),
            _ => {
                refused = Some((status, answer));
                break;
            }
        }
    }
    let (status, answer) = refused.expect("a full disk refuses a write");
    assert_eq!(status, 507, "{answer}");
    assert_eq!(answer["code"], "disk_full");
    assert!(answer["error"].as_str().unwrap().contains("free space"));
    let (status, body) = health(&host).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["storage"]["diskFull"], true, "{body}");
    let shown = ok(&host, "GET", &path, None).await;
    let expected = saved.clone().unwrap_or_else(|| "Storyboard 1".into());
    assert_eq!(shown["storyboard"]["name"], expected.as_str(), "{shown}");
    host.stop().await;

    disk.free();
    let host = TestHost::start_in(&dir).await;
    let shown = ok(&host, "GET", &path, None).await;
    assert_eq!(shown["storyboard"]["name"], expected.as_str(), "{shown}");
    ok(&host, "PATCH", &path, Some(json!({"name": "After"}))).await;
    host.stop().await;
}
