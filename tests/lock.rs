//! Host controls: the host locks the board (the others look and point but
//! change nothing), locks single shapes, and undoes anyone's change as its
//! own. The host's own connection is the one that presents the admin secret
//! (`?admin=` on the socket address) from this machine.

mod common;

use common::{http, pencil, shape_ids, Client, TestHost};
use serde_json::{json, Value};

/// The host's page: a seat whose socket carries the admin secret.
async fn host_page(host: &TestHost, room: &str) -> (Client, Value) {
    let url = format!("{}&admin={}", host.ws_main_port(room), host.admin());
    Client::join(&url, "teacher").await
}

/// `POST /api/host/lock {room, locked}`, with or without the admin secret.
async fn set_lock(host: &TestHost, room: &str, locked: bool, admin: bool) -> (u16, Value) {
    let secret = host.admin();
    let headers: Vec<(&str, &str)> = if admin {
        vec![("x-coco-admin", secret.as_str())]
    } else {
        Vec::new()
    };
    let body = json!({"room": room, "locked": locked}).to_string();
    let (status, _, bytes) =
        http(host.http(), "POST", "/api/host/lock", &headers, Some(&body)).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Sends a change with an op id and returns the `ERROR` it gets.
async fn refused(client: &mut Client, kind: &str, payload: Value) -> Value {
    client.send(kind, payload).await;
    client.expect("ERROR").await
}

#[tokio::test]
async fn a_locked_board_refuses_the_peers_changes_and_keeps_pointing() {
    let host = TestHost::start().await;
    let url = host.ws_main_port("class");
    let (mut teacher, _) = host_page(&host, "class").await;
    let (mut ann, _) = Client::join(&url, "ann").await;
    ann.add_acked("ann-1").await;

    let (status, body) = set_lock(&host, "class", true, true).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["locked"], true);
    assert_eq!(ann.expect("LOCK").await, json!({"locked": true}));
    assert_eq!(teacher.expect("LOCK").await, json!({"locked": true}));

    // Add, update, delete: each refused with `locked`, naming its op.
    let e = refused(
        &mut ann,
        "SHAPE_ADDED",
        json!({"shape": pencil("ann-2", 3), "opId": "op-a"}),
    )
    .await;
    assert_eq!(e["code"], "locked");
    assert_eq!(e["opId"], "op-a");
    assert!(e["message"].as_str().unwrap().contains("locked"), "{e}");
    let e = refused(
        &mut ann,
        "SHAPE_UPDATED",
        json!({"shapeId": "ann-1", "updates": {"points": [{"x": 9, "y": 9}]}, "opId": "op-u"}),
    )
    .await;
    assert_eq!(
        (e["code"].as_str(), e["opId"].as_str()),
        (Some("locked"), Some("op-u"))
    );
    let e = refused(
        &mut ann,
        "SHAPES_DELETED",
        json!({"shapeIds": ["ann-1"], "opId": "op-d"}),
    )
    .await;
    assert_eq!(e["code"], "locked");

    // Looking and pointing still reach the others.
    ann.send("CURSOR_MOVE", json!({"position": {"x": 1, "y": 2}}))
        .await;
    assert_eq!(teacher.expect("CURSOR_MOVE").await["userId"], "ann");
    ann.send(
        "LASER",
        json!({"stroke": 1, "points": [{"x": 1, "y": 1}, {"x": 5, "y": 5}]}),
    )
    .await;
    assert_eq!(teacher.expect("LASER").await["userId"], "ann");

    // Nothing changed: the board is as before the lock.
    let sync = ann.sync(None).await;
    assert_eq!(shape_ids(&sync), ["ann-1"]);
    assert_eq!(sync["shapes"][0]["points"].as_array().unwrap().len(), 5);

    // The host's own page still draws, and the others see it.
    teacher.add_acked("from-the-host").await;
    assert_eq!(
        ann.expect("SHAPE_ADDED").await["shape"]["id"],
        "from-the-host"
    );

    // Unlocked: the peer draws again.
    let (status, _) = set_lock(&host, "class", false, true).await;
    assert_eq!(status, 200);
    assert_eq!(ann.expect("LOCK").await, json!({"locked": false}));
    ann.add_acked("ann-3").await;
    host.stop().await;
}

#[tokio::test]
async fn only_the_host_locks_and_a_late_joiner_is_told() {
    let host = TestHost::start().await;
    let url = host.ws_main_port("class");
    let (status, body) = set_lock(&host, "class", true, false).await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "host_only");
    // A page with a wrong secret is an ordinary seat, refused like any.
    let forged = format!("{url}&admin=not-the-secret");
    let (mut mallory, welcome) = Client::join(&forged, "mallory").await;
    assert!(welcome.get("locked").is_none(), "{welcome}");
    mallory.send("LOCK", json!({"locked": true})).await;
    let e = mallory.expect("ERROR").await;
    assert_eq!(e["code"], "unknown_type");
    assert!(e["message"].as_str().unwrap().contains("host only"), "{e}");
    mallory.add_acked("still-draws").await;

    // Locked before anyone joined: the welcome (and a watcher's) says so.
    let (status, _) = set_lock(&host, "empty-room", true, true).await;
    assert_eq!(status, 200);
    let (mut late, welcome) = Client::join(&host.ws_main_port("empty-room"), "late").await;
    assert_eq!(welcome["locked"], true);
    let e = refused(
        &mut late,
        "SHAPE_ADDED",
        json!({"shape": pencil("late-1", 3), "opId": "op-l"}),
    )
    .await;
    assert_eq!(e["code"], "locked");
    let mut eve = Client::connect(&host.ws_main_port("empty-room")).await;
    eve.send(
        "JOIN_ROOM",
        json!({"userId": "eve", "username": "Eve", "watch": true}),
    )
    .await;
    assert_eq!(eve.expect("WATCHING").await["locked"], true);

    // A bad body is a clear 400.
    let secret = host.admin();
    let admin = [("x-coco-admin", secret.as_str())];
    let (status, _, _) = http(
        host.http(),
        "POST",
        "/api/host/lock",
        &admin,
        Some(r#"{"room": "class"}"#),
    )
    .await;
    assert_eq!(status, 400);
    host.stop().await;
}

#[tokio::test]
async fn a_locked_shape_is_the_hosts_to_change() {
    let host = TestHost::start().await;
    let url = host.ws_main_port("class");
    let (mut teacher, _) = host_page(&host, "class").await;
    let (mut ann, _) = Client::join(&url, "ann").await;
    ann.add_acked("drawing").await;
    ann.add_acked("other").await;

    // The host locks Ann's shape: an ordinary update from the host's page.
    teacher
        .send(
            "SHAPE_UPDATED",
            json!({"shapeId": "drawing", "updates": {"locked": true}, "opId": "op-lock"}),
        )
        .await;
    teacher.expect("ACK").await;
    assert_eq!(ann.expect("SHAPE_UPDATED").await["updates"]["locked"], true);

    // Ann may not move, replace or delete it, nor delete it among others.
    let e = refused(
        &mut ann,
        "SHAPE_UPDATED",
        json!({"shapeId": "drawing", "updates": {"points": []}, "opId": "op-m"}),
    )
    .await;
    assert_eq!(
        (e["code"].as_str(), e["opId"].as_str()),
        (Some("locked"), Some("op-m"))
    );
    let e = refused(
        &mut ann,
        "SHAPE_ADDED",
        json!({"shape": pencil("drawing", 2), "opId": "op-r"}),
    )
    .await;
    assert_eq!(e["code"], "locked");
    let e = refused(
        &mut ann,
        "SHAPES_DELETED",
        json!({"shapeIds": ["other", "drawing"], "opId": "op-d"}),
    )
    .await;
    assert_eq!(e["code"], "locked");
    // Nor lock or unlock anything herself.
    let e = refused(
        &mut ann,
        "SHAPE_UPDATED",
        json!({"shapeId": "other", "updates": {"locked": true}, "opId": "op-x"}),
    )
    .await;
    assert_eq!(e["code"], "locked");
    let mut sneaky = pencil("sneaky", 2);
    sneaky["locked"] = json!(true);
    let e = refused(
        &mut ann,
        "SHAPE_ADDED",
        json!({"shape": sneaky, "opId": "op-s"}),
    )
    .await;
    assert_eq!(e["code"], "locked");
    let sync = ann.sync(None).await;
    assert_eq!(shape_ids(&sync), ["drawing", "other"]);
    assert_eq!(sync["shapes"][0]["locked"], true);
    assert_eq!(sync["shapes"][1].get("locked"), None);

    // Her other shapes are hers to change as ever.
    ann.send(
        "SHAPES_DELETED",
        json!({"shapeIds": ["other"], "opId": "op-del-other"}),
    )
    .await;
    ann.expect("ACK").await;

    // The host moves the locked shape, then unlocks it; then Ann may.
    teacher
        .send(
            "SHAPE_UPDATED",
            json!({"shapeId": "drawing", "updates": {"points": [{"x": 1, "y": 1}]}, "opId": "op-hm"}),
        )
        .await;
    teacher.expect("ACK").await;
    teacher
        .send(
            "SHAPE_UPDATED",
            json!({"shapeId": "drawing", "updates": {"locked": false}, "opId": "op-unlock"}),
        )
        .await;
    teacher.expect("ACK").await;
    ann.send(
        "SHAPES_DELETED",
        json!({"shapeIds": ["drawing"], "opId": "op-gone"}),
    )
    .await;
    ann.expect("ACK").await;
    let sync = ann.sync(None).await;
    assert!(shape_ids(&sync).is_empty(), "{sync}");
    host.stop().await;
}

#[tokio::test]
async fn the_hosts_undo_of_a_peers_change_is_the_hosts_change() {
    let host = TestHost::start().await;
    let url = host.ws_main_port("class");
    let (mut teacher, _) = host_page(&host, "class").await;
    let (mut ann, _) = Client::join(&url, "ann").await;
    let (mut bo, _) = Client::join(&url, "bo").await;
    ann.add_acked("ann-1").await;
    let added = teacher.expect("SHAPE_ADDED").await;
    assert_eq!(added["userId"], "ann", "every change names its author");

    // The host's page undoes it: an ordinary delete, sent as the host's own.
    teacher
        .send(
            "SHAPES_DELETED",
            json!({"shapeIds": ["ann-1"], "opId": "op-override"}),
        )
        .await;
    teacher.expect("ACK").await;
    let deleted = bo.expect("SHAPES_DELETED").await;
    assert_eq!(deleted["userId"], "teacher");
    assert_eq!(deleted["shapeIds"], json!(["ann-1"]));
    assert_eq!(ann.expect("SHAPES_DELETED").await["userId"], "teacher");
    host.stop().await;
}

#[tokio::test]
async fn the_lock_survives_a_restart_of_the_host() {
    let tmp = tempfile::tempdir().unwrap();
    let host = TestHost::start_in(tmp.path()).await;
    let (mut teacher, _) = host_page(&host, "class").await;
    teacher.add_acked("kept").await;
    teacher
        .send(
            "SHAPE_UPDATED",
            json!({"shapeId": "kept", "updates": {"locked": true}, "opId": "op-lock"}),
        )
        .await;
    teacher.expect("ACK").await;
    let (status, _) = set_lock(&host, "class", true, true).await;
    assert_eq!(status, 200);
    teacher.expect("LOCK").await;
    drop(teacher);
    host.stop().await;

    let host = TestHost::start_in(tmp.path()).await;
    let (mut ann, welcome) = Client::join(&host.ws_main_port("class"), "ann").await;
    assert_eq!(welcome["locked"], true, "{welcome}");
    let sync = ann.sync(None).await;
    assert_eq!(sync["shapes"][0]["locked"], true);
    let e = refused(
        &mut ann,
        "SHAPES_DELETED",
        json!({"shapeIds": ["kept"], "opId": "op-d"}),
    )
    .await;
    assert_eq!(e["code"], "locked");

    // Unlocked, and restarted again: unlocked it stays.
    let (status, _) = set_lock(&host, "class", false, true).await;
    assert_eq!(status, 200);
    drop(ann);
    host.stop().await;
    let host = TestHost::start_in(tmp.path()).await;
    let (_ann, welcome) = Client::join(&host.ws_main_port("class"), "ann").await;
    assert!(welcome.get("locked").is_none(), "{welcome}");
    host.stop().await;
}
