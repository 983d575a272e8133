//! History with keyframes written after their batch: a kill -9 while
//! keyframes are still on their way to disk leaves every recent board
//! rebuildable as the writer saw it, and thinning keeps deleted shapes so
//! that they can still be brought back. A real host, real sled on disk.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use coco::config::Config;
use common::{http, pencil, Client, HostProcess, TestHost};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

/// Points of the big strokes that make keyframes come every few changes.
const BIG_STROKE_POINTS: usize = 200;
/// Operations the writer keeps unacknowledged, like a busy client (a
/// flood without a window is cut off by the host's rate limits).
const WINDOW: usize = 128;
/// Acknowledged operations before the kill.
const ACKS_BEFORE_KILL: usize = 600;
/// Recent revisions whose boards are checked after the restart.
const CHECKED_REVISIONS: u64 = 40;

async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, Value) {
    let (status, _, body) = http(addr, "GET", path, &[], None).await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// The ids of a board's shapes, in board order.
fn ids(shapes: &Value) -> Vec<String> {
    shapes
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

/// Shapes on the board once the writer is under way: each add past them
/// deletes the oldest, so the changes outgrow the board many times over
/// and keyframes come every few dozen changes.
const LIVE: usize = 8;

/// Op `i` of the writer: even ops add a big stroke; odd ops delete the
/// stroke added `LIVE` adds earlier, or (before there is one) move the
/// stroke just added.
fn op(i: usize) -> (&'static str, Value) {
    if i % 2 == 0 {
        let shape = pencil(&format!("s{i}"), BIG_STROKE_POINTS);
        return (
            "SHAPE_ADDED",
            json!({"shape": shape, "opId": format!("o{i}")}),
        );
    }
    match (i - 1).checked_sub(2 * LIVE) {
        Some(old) => (
            "SHAPES_DELETED",
            json!({"shapeIds": [format!("s{old}")], "opId": format!("o{i}")}),
        ),
        None => (
            "SHAPE_UPDATED",
            json!({"shapeId": format!("s{}", i - 1), "updates": {"x": i}, "opId": format!("o{i}")}),
        ),
    }
}

/// The board's ids after ops `0..n` of a single writer in a fresh room.
fn board_after(n: usize) -> Vec<String> {
    let mut board: Vec<String> = Vec::new();
    for i in 0..n {
        if i % 2 == 0 {
            board.push(format!("s{i}"));
        } else if let Some(old) = (i - 1).checked_sub(2 * LIVE) {
            let gone = format!("s{old}");
            board.retain(|id| *id != gone);
        }
    }
    board
}

#[tokio::test]
async fn a_kill_with_keyframes_pending_leaves_every_recent_board_as_the_writer_saw_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut host = HostProcess::spawn(tmp.path(), &[]);
    let (client, _) = Client::join(&host.ws_url("kf"), "writer").await;
    let (mut sink, mut stream) = client.socket.split();
    let acked = Arc::new(AtomicUsize::new(0));
    let seen = acked.clone();
    let writer = tokio::spawn(async move {
        for i in 0..50_000 {
            while i >= seen.load(Ordering::SeqCst) + WINDOW {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let (kind, payload) = op(i);
            let frame = json!({"type": kind, "payload": payload});
            if sink
                .send(Message::Text(frame.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    let mut acks = 0;
    while acks < ACKS_BEFORE_KILL {
        let Ok(Some(Ok(Message::Text(text)))) =
            tokio::time::timeout(Duration::from_secs(20), stream.next()).await
        else {
            break;
        };
        let msg: Value = serde_json::from_str(&text).unwrap();
        if msg["type"] == "ACK" {
            acks += msg["payload"]["opIds"].as_array().unwrap().len();
            acked.store(acks, Ordering::SeqCst);
        } else if msg["type"] == "ERROR" {
            panic!("{msg}");
        }
    }
    assert!(acks >= ACKS_BEFORE_KILL, "only {acks} acks");
    // Right after a burst of big strokes: keyframes are still queued.
    host.kill9();
    writer.abort();

    let host = HostProcess::spawn(tmp.path(), &[]);
    let (mut reader, _) = Client::join(&host.ws_url("kf"), "reader").await;
    let sync = reader.sync(None).await;
    let rev = sync["rev"].as_u64().unwrap();
    assert!(rev as usize >= ACKS_BEFORE_KILL, "acked ops lost: {rev}");
    assert_eq!(ids(&sync["shapes"]), board_after(rev as usize));
    let (_, h) = get(host.http, "/api/rooms/kf/history?limit=1").await;
    assert_eq!(h["range"]["currentRev"], rev, "{h}");
    // The last revisions, and each side of every keyframe the history lists
    // (stored, or lost with the kill and rebuilt from the one before).
    let keyframes: Vec<u64> = h["range"]["keyframes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_u64().unwrap())
        .collect();
    assert!(keyframes.len() >= 3, "keyframes were made: {keyframes:?}");
    let mut revs: Vec<u64> = (rev.saturating_sub(CHECKED_REVISIONS).max(1)..=rev).collect();
    for k in &keyframes {
        revs.extend(
            [k.saturating_sub(1), *k, k + 1]
                .into_iter()
                .filter(|r| (1..=rev).contains(r)),
        );
    }
    for r in revs {
        let (status, board) = get(host.http, &format!("/api/rooms/kf/history/board?rev={r}")).await;
        assert_eq!(status, 200, "rev {r}: {board}");
        assert_eq!(board["exact"], true, "rev {r}");
        assert_eq!(ids(&board["shapes"]), board_after(r as usize), "rev {r}");
    }
    let (_, now) = get(host.http, &format!("/api/rooms/kf/history/board?rev={rev}")).await;
    assert_eq!(now["shapes"], sync["shapes"]);
}

#[tokio::test]
async fn a_shape_deleted_before_thinning_can_still_be_brought_back() {
    let tmp = tempfile::tempdir().unwrap();
    let mut config = Config::ephemeral(tmp.path());
    config.history_budget = 1024 * 1024;
    let host = TestHost::with_config(config).await;
    let addr = host.http();
    let (mut ann, _) = Client::join(&host.ws("t"), "ann").await;
    ann.send(
        "SHAPE_ADDED",
        json!({"shape": pencil("victim", 50), "opId": "v"}),
    )
    .await;
    ann.send(
        "SHAPES_DELETED",
        json!({"shapeIds": ["victim"], "opId": "d"}),
    )
    .await;
    // About 4 MB of changes to a small board: thinned many times over, its
    // keyframes small enough that no segment has to go.
    for w in 0..25 {
        let mut waiting = HashSet::new();
        for i in 0..40 {
            let op = format!("w{w}-{i}");
            let shape = pencil(&format!("s{}", i % 3), 200);
            ann.send("SHAPE_ADDED", json!({"shape": shape, "opId": op}))
                .await;
            waiting.insert(op);
        }
        while !waiting.is_empty() {
            let ack = ann.expect("ACK").await;
            for op in ack["opIds"].as_array().unwrap() {
                waiting.remove(op.as_str().unwrap());
            }
        }
    }
    let (_, h) = get(addr, "/api/rooms/t/history?limit=1").await;
    let thinned = h["range"]["thinnedBefore"].as_u64().unwrap();
    assert!(thinned > 2, "the delete's moment was thinned: {h}");
    assert_eq!(h["range"]["firstRev"], 0, "no segment dropped: {h}");
    let (status, last) = get(addr, "/api/rooms/t/history/shape/victim").await;
    assert_eq!(status, 200, "{last}");
    assert_eq!(last["deleted"], true);
    assert_eq!(last["rev"], 2);
    assert_eq!(last["shape"], pencil("victim", 50));
    // Bring it back as an ordinary change.
    let back = json!({"shape": last["shape"], "opId": "b", "restore": 2});
    ann.send("SHAPE_ADDED", back).await;
    ann.expect("ACK").await;
    let (_, live) = get(addr, "/api/rooms/t/history/shape/victim").await;
    assert_eq!(live["deleted"], false, "{live}");
    host.stop().await;
}
