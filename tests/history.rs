//! History: every change kept with who made it and when, marks for people
//! coming and going, the board at any past revision (across keyframes, and
//! after a restart or a kill -9), retention, checkpoints, restore and
//! "bring back". A real host, real sled on disk, real sockets.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use coco::config::Config;
use common::{http, pencil, shape_ids, Client, HostProcess, TestHost};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, Value) {
    let (status, _, body) = http(addr, "GET", path, &[], None).await;
    let value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, value)
}

async fn post(addr: std::net::SocketAddr, path: &str, body: &str) -> (u16, Value) {
    let origin = format!("http://{addr}");
    let (status, _, body) = http(addr, "POST", path, &[("Origin", &origin)], Some(body)).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Sends one op and waits for its ACK; returns the revision.
async fn acked(c: &mut Client, kind: &str, payload: Value) -> u64 {
    let op = payload["opId"].as_str().unwrap().to_string();
    c.send(kind, payload).await;
    loop {
        let ack = c.expect("ACK").await;
        if ack["opIds"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o == &json!(op))
        {
            return ack["rev"].as_u64().unwrap();
        }
    }
}

/// Sends every op of `ops` at once, then waits until all are acknowledged.
async fn acked_all(c: &mut Client, ops: Vec<(&str, Value)>) {
    let mut waiting: HashSet<String> = ops
        .iter()
        .map(|(_, p)| p["opId"].as_str().unwrap().to_string())
        .collect();
    for (kind, payload) in ops {
        c.send(kind, payload).await;
    }
    while !waiting.is_empty() {
        let ack = c.expect("ACK").await;
        for op in ack["opIds"].as_array().unwrap() {
            waiting.remove(op.as_str().unwrap());
        }
    }
}

fn shapes_by_id(shapes: &Value) -> Vec<(String, Value)> {
    shapes
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s.clone()))
        .collect()
}

#[tokio::test]
async fn changes_are_kept_with_who_and_when_and_people_coming_and_going_are_marked() {
    let host = TestHost::start().await;
    let addr = host.http();
    let (mut ann, _) = Client::join(&host.ws("art"), "ann").await;
    let shape = json!({"shape": pencil("s1", 3), "opId": "a1"});
    assert_eq!(acked(&mut ann, "SHAPE_ADDED", shape).await, 1);
    let update = json!({"shapeId": "s1", "updates": {"x": 5}, "opId": "u1"});
    assert_eq!(acked(&mut ann, "SHAPE_UPDATED", update).await, 2);
    let (bob, _) = Client::join(&host.ws("art"), "bob").await;
    drop(bob);
    ann.expect("USER_LEFT").await;
    let delete = json!({"shapeIds": ["s1", "nope"], "opId": "d1"});
    assert_eq!(acked(&mut ann, "SHAPES_DELETED", delete).await, 3);

    let (status, h) = get(addr, "/api/rooms/art/history?shapes=1").await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["range"]["currentRev"], 3);
    assert_eq!(h["range"]["firstRev"], 0);
    let entries = h["entries"].as_array().unwrap();
    let kinds: Vec<&str> = entries
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["add", "update", "delete"]);
    for (e, rev) in entries.iter().zip(1..) {
        assert_eq!(e["rev"], rev);
        assert_eq!(e["userId"], "ann");
        assert_eq!(e["name"], "ann name");
        assert_eq!(e["seat"], "top-left");
        assert!(e["t"].as_u64().unwrap() > 1_600_000_000_000);
        assert_eq!(e["shapeIds"], json!(["s1"]));
    }
    assert_eq!(
        entries[1]["shapes"][0]["x"], 5,
        "the shape after the update"
    );
    assert_eq!(
        entries[2]["shapes"][0]["x"], 5,
        "a delete keeps the shape as it was"
    );
    let marks: Vec<(String, String)> = h["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let who = m["userId"].as_str().unwrap().to_string();
            (m["kind"].as_str().unwrap().to_string(), who)
        })
        .collect();
    let expected = [("join", "ann"), ("join", "bob"), ("leave", "bob")];
    assert_eq!(
        marks,
        expected
            .map(|(k, w)| (k.to_string(), w.to_string()))
            .to_vec()
    );
    // Without ?shapes=1 the entries are summaries.
    let (_, h) = get(addr, "/api/rooms/art/history?from=2&to=2").await;
    assert_eq!(h["entries"].as_array().unwrap().len(), 1);
    assert!(h["entries"][0].get("shapes").is_none());
    host.stop().await;
}

/// Draws in pipelined windows, taking a `REQUEST_SYNC` snapshot after each:
/// what a client saw at each revision.
async fn draw_with_snapshots(c: &mut Client, windows: usize) -> Vec<(u64, Value)> {
    let mut snapshots = Vec::new();
    let mut n = 0;
    for w in 0..windows {
        let mut ops = Vec::new();
        for i in 0..40 {
            n += 1;
            let id = format!("s{}", (w * 7 + i) % 90);
            let op = format!("op{n}");
            ops.push(match n % 5 {
                0 => ("SHAPES_DELETED", json!({"shapeIds": [id], "opId": op})),
                1 => (
                    "SHAPE_UPDATED",
                    json!({"shapeId": id, "updates": {"x": n}, "opId": op}),
                ),
                _ => (
                    "SHAPE_ADDED",
                    json!({"shape": pencil(&id, 150), "opId": op}),
                ),
            });
        }
        acked_all(c, ops).await;
        let sync = c.sync(None).await;
        snapshots.push((sync["rev"].as_u64().unwrap(), sync["shapes"].clone()));
    }
    snapshots
}

async fn assert_boards(addr: std::net::SocketAddr, room: &str, snapshots: &[(u64, Value)]) {
    for (rev, shapes) in snapshots {
        let path = format!("/api/rooms/{room}/history/board?rev={rev}");
        let (status, board) = get(addr, &path).await;
        assert_eq!(status, 200, "{board}");
        assert_eq!(board["rev"], *rev);
        assert_eq!(board["exact"], true);
        assert_eq!(
            shapes_by_id(&board["shapes"]),
            shapes_by_id(shapes),
            "the board at {rev}"
        );
    }
}

#[tokio::test]
async fn the_board_at_a_revision_is_what_a_client_saw_across_keyframes_and_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let host = TestHost::start_in(tmp.path()).await;
    let (mut ann, _) = Client::join(&host.ws("k"), "ann").await;
    let snapshots = draw_with_snapshots(&mut ann, 25).await;
    let (_, h) = get(host.http(), "/api/rooms/k/history?limit=10").await;
    let keyframes = h["range"]["keyframes"].as_array().unwrap().len();
    assert!(keyframes >= 3, "keyframes are written: {}", h["range"]);
    assert_eq!(h["entries"].as_array().unwrap().len(), 10);
    assert_eq!(h["next"], h["entries"][9]["rev"].as_u64().unwrap() + 1);
    assert_boards(host.http(), "k", &snapshots).await;
    // The board before anything was drawn.
    let (_, empty) = get(host.http(), "/api/rooms/k/history/board?rev=0").await;
    assert_eq!(empty["shapes"], json!([]));
    drop(ann);
    host.stop().await;

    let host = TestHost::start_in(tmp.path()).await;
    assert_boards(host.http(), "k", &snapshots).await;
    let (_, again) = get(host.http(), "/api/rooms/k/history?limit=10").await;
    assert_eq!(again["range"]["keyframes"], h["range"]["keyframes"]);
    // By time: the last change at or before a moment.
    let t = again["entries"][4]["t"].as_u64().unwrap();
    let (status, at) = get(host.http(), &format!("/api/rooms/k/history/board?at={t}")).await;
    assert_eq!(status, 200, "{at}");
    assert!(at["rev"].as_u64().unwrap() >= 5);
    host.stop().await;
}

#[tokio::test]
async fn a_restore_is_recorded_and_a_deleted_shape_can_be_brought_back() {
    let host = TestHost::start().await;
    let addr = host.http();
    let (mut ann, _) = Client::join(&host.ws("r"), "ann").await;
    let s = json!({"shape": pencil("gone", 4), "opId": "a"});
    acked(&mut ann, "SHAPE_ADDED", s).await;
    let d = json!({"shapeIds": ["gone"], "opId": "d"});
    let deleted_at = acked(&mut ann, "SHAPES_DELETED", d).await;

    let (status, last) = get(addr, "/api/rooms/r/history/shape/gone").await;
    assert_eq!(status, 200, "{last}");
    assert_eq!(last["deleted"], true);
    assert_eq!(last["rev"], deleted_at);
    assert_eq!(last["shape"], pencil("gone", 4));
    assert_eq!(last["userId"], "ann");

    // Bring it back as a restore: an ordinary op with `restore`.
    let back = json!({"shape": last["shape"], "opId": "b", "restore": 1});
    let rev = acked(&mut ann, "SHAPE_ADDED", back).await;
    let bad = json!({"shapeId": "gone", "updates": {"y": 1}, "opId": "c", "restore": "x"});
    acked(&mut ann, "SHAPE_UPDATED", bad).await;
    let (_, h) = get(addr, &format!("/api/rooms/r/history?from={rev}")).await;
    assert_eq!(h["entries"][0]["restore"], 1);
    assert!(
        h["entries"][1].get("restore").is_none(),
        "a bad restore is ignored"
    );
    let (_, live) = get(addr, "/api/rooms/r/history/shape/gone").await;
    assert_eq!(live["deleted"], false);
    let (status, e) = get(addr, "/api/rooms/r/history/shape/never").await;
    assert_eq!((status, e["code"].as_str()), (404, Some("not_found")));
    host.stop().await;
}

#[tokio::test]
async fn checkpoints_are_made_listed_drawn_and_made_when_the_last_person_leaves() {
    let host = TestHost::start().await;
    let addr = host.http();
    let (mut ann, _) = Client::join(&host.ws("c"), "ann").await;
    acked(
        &mut ann,
        "SHAPE_ADDED",
        json!({"shape": pencil("a", 20), "opId": "1"}),
    )
    .await;
    let (status, made) = post(
        addr,
        "/api/rooms/c/checkpoints",
        r#"{"name": "Before lunch", "userId": "ann"}"#,
    )
    .await;
    assert_eq!(status, 200, "{made}");
    let cp = &made["checkpoint"];
    assert_eq!(
        (cp["rev"].as_u64(), cp["auto"].as_bool()),
        (Some(1), Some(false))
    );
    let id = cp["id"].as_str().unwrap().to_string();

    let (status, _, png) = http(
        addr,
        "GET",
        &format!("/api/rooms/c/checkpoints/{id}/thumb.png"),
        &[],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(png.starts_with(b"\x89PNG"));

    // Bad input: a code and a message, never a panic.
    for (body, code) in [(r#"{"name": ""}"#, "invalid"), ("nonsense", "invalid")] {
        let (status, e) = post(addr, "/api/rooms/c/checkpoints", body).await;
        assert_eq!((status, e["code"].as_str()), (400, Some(code)), "{body}");
        assert!(e["error"].as_str().is_some());
    }
    for (path, status, code) in [
        ("/api/rooms/c/history/board?rev=99", 400, "invalid"),
        ("/api/rooms/c/history/board?rev=x", 400, "invalid"),
        ("/api/rooms/c/history/board", 400, "invalid"),
        (
            "/api/rooms/c/history?from=0&to=999999",
            400,
            "range_too_large",
        ),
        ("/api/rooms/c/checkpoints/cp-99/thumb.png", 404, "not_found"),
        ("/api/rooms/c!/history", 400, "invalid"),
    ] {
        let (got, e) = get(addr, path).await;
        assert_eq!(
            (got, e["code"].as_str()),
            (status, Some(code)),
            "{path}: {e}"
        );
    }

    // A change, then the last person leaves: an automatic checkpoint.
    acked(
        &mut ann,
        "SHAPE_ADDED",
        json!({"shape": pencil("b", 5), "opId": "2"}),
    )
    .await;
    drop(ann);
    let mut list = Value::Null;
    for _ in 0..200 {
        list = get(addr, "/api/rooms/c/checkpoints").await.1;
        if list["checkpoints"].as_array().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let cps = list["checkpoints"].as_array().unwrap();
    assert_eq!(cps.len(), 2, "{list}");
    assert_eq!(
        (cps[1]["auto"].as_bool(), cps[1]["rev"].as_u64()),
        (Some(true), Some(2))
    );
    host.stop().await;
}

#[tokio::test]
async fn a_room_at_its_budget_keeps_working_is_thinned_and_keeps_its_board() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = Config::ephemeral(tmp.path());
    config.history_budget = 1024 * 1024;
    let host = TestHost::with_config(config).await;
    let addr = host.http();
    let (mut ann, _) = Client::join(&host.ws("b"), "ann").await;
    // About 4 MB of changes to a board of ~40 shapes.
    for w in 0..25 {
        let ops = (0..40)
            .map(|i| {
                let id = format!("s{}", i);
                let op = format!("w{w}-{i}");
                (
                    "SHAPE_ADDED",
                    json!({"shape": pencil(&id, 200), "opId": op}),
                )
            })
            .collect();
        acked_all(&mut ann, ops).await;
    }
    let sync = ann.sync(None).await;
    let (_, h) = get(addr, "/api/rooms/b/history?limit=1").await;
    let range = &h["range"];
    assert!(range["thinnedBefore"].as_u64().unwrap() > 0, "{range}");
    assert_eq!(range["currentRev"], sync["rev"]);
    let now = format!("/api/rooms/b/history/board?rev={}", sync["rev"]);
    let (_, board) = get(addr, &now).await;
    assert_eq!(board["exact"], true);
    assert_eq!(
        shapes_by_id(&board["shapes"]),
        shapes_by_id(&sync["shapes"])
    );
    // A thinned moment shows the keyframe before it, and says so.
    let first = range["firstRev"].as_u64().unwrap();
    let thinned = range["thinnedBefore"].as_u64().unwrap();
    if thinned > first + 1 {
        let (_, old) = get(
            addr,
            &format!("/api/rooms/b/history/board?rev={}", thinned - 1),
        )
        .await;
        assert!(old["rev"].as_u64().unwrap() < thinned, "{}", old["rev"]);
    }
    // Still takes changes.
    acked(
        &mut ann,
        "SHAPE_ADDED",
        json!({"shape": pencil("more", 3), "opId": "m"}),
    )
    .await;
    // On disk, within the budget and its last segment.
    let size = dir_size(tmp.path());
    assert!(size < 40 * 1024 * 1024, "{size}");
    host.stop().await;
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn with_history_off_nothing_is_kept_and_the_routes_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = Config::ephemeral(tmp.path());
    config.history_budget = 0;
    let host = TestHost::with_config(config).await;
    let (mut ann, _) = Client::join(&host.ws("off"), "ann").await;
    acked(
        &mut ann,
        "SHAPE_ADDED",
        json!({"shape": pencil("a", 3), "opId": "1"}),
    )
    .await;
    let (status, e) = get(host.http(), "/api/rooms/off/history").await;
    assert_eq!((status, e["code"].as_str()), (404, Some("history_off")));
    host.stop().await;
}

#[tokio::test]
async fn a_host_killed_mid_burst_leaves_history_neither_ahead_of_nor_behind_the_board() {
    let tmp = tempfile::tempdir().unwrap();
    let mut host = HostProcess::spawn(tmp.path(), &[]);
    let (client, _) = Client::join(&host.ws_url("crash"), "writer").await;
    let (mut sink, mut stream) = client.socket.split();
    let writer = tokio::spawn(async move {
        for i in 0..50_000u32 {
            let payload = if i % 3 == 2 {
                json!({"shapeIds": [format!("s{}", i - 1)], "opId": format!("o{i}")})
            } else {
                json!({"shape": pencil(&format!("s{i}"), 10), "opId": format!("o{i}")})
            };
            let kind = if i % 3 == 2 {
                "SHAPES_DELETED"
            } else {
                "SHAPE_ADDED"
            };
            let frame = json!({"type": kind, "payload": payload});
            if sink
                .send(Message::Text(frame.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
            if i % 64 == 0 {
                tokio::task::yield_now().await;
            }
        }
    });
    let mut acked = HashSet::new();
    while acked.len() < 1_000 {
        let Ok(Some(Ok(Message::Text(text)))) =
            tokio::time::timeout(Duration::from_secs(10), stream.next()).await
        else {
            break;
        };
        let msg: Value = serde_json::from_str(&text).unwrap();
        if msg["type"] == "ACK" {
            for op in msg["payload"]["opIds"].as_array().unwrap() {
                acked.insert(op.as_str().unwrap().to_string());
            }
        }
    }
    assert!(acked.len() >= 1_000, "only {} acks", acked.len());
    host.kill9();
    writer.abort();

    let host = HostProcess::spawn(tmp.path(), &[]);
    let (mut reader, _) = Client::join(&host.ws_url("crash"), "reader").await;
    let sync = reader.sync(None).await;
    let rev = sync["rev"].as_u64().unwrap();
    let (_, h) = get(host.http, "/api/rooms/crash/history?limit=1").await;
    assert_eq!(
        h["range"]["currentRev"], rev,
        "the history ends at the board"
    );
    let (_, board) = get(
        host.http,
        &format!("/api/rooms/crash/history/board?rev={rev}"),
    )
    .await;
    assert_eq!(
        shapes_by_id(&board["shapes"]),
        shapes_by_id(&sync["shapes"])
    );
    // Every change up to the board's revision has its entry.
    let (_, all) = get(
        host.http,
        &format!(
            "/api/rooms/crash/history?from={}&to={rev}&limit=1000",
            rev.saturating_sub(999).max(1)
        ),
    )
    .await;
    let revs: Vec<u64> = all["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rev"].as_u64().unwrap())
        .collect();
    let expected: Vec<u64> = (rev.saturating_sub(999).max(1)..=rev).collect();
    assert_eq!(revs, expected);
    // Every acknowledged add of a shape that is never deleted (s0, s3,
    // s6, ...) is on the board: the board lives in the history, so this is
    // the history keeping what was acknowledged.
    let ids: HashSet<String> = shape_ids(&sync).into_iter().collect();
    let kept: Vec<&String> = acked
        .iter()
        .filter(|op| op[1..].parse::<u32>().is_ok_and(|i| i % 3 == 0))
        .collect();
    assert!(kept.len() > 300);
    for op in kept {
        assert!(
            ids.contains(&format!("s{}", &op[1..])),
            "acked {op} is lost"
        );
    }
}
