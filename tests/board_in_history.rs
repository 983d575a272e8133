//! Where a room's shapes live on disk: with history on, only in the history
//! (its keyframes and entries), with history off in shape records. The
//! board a person sees must survive every restart, and every switch of
//! the history between off and on, whole and in order, with delta syncs
//! still right. A real host, real sled on disk, real sockets.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use coco::config::Config;
use common::sled_rooms::board_records;
use common::{http, pencil, Client, TestHost};
use serde_json::{json, Value};

const ROOM: &str = "keep";
/// Board record kinds (see the host's `store::codec`).
const SHAPE: u8 = b's';
const BOARD_IN_HISTORY: u8 = b'b';

/// The board as a person sees it: shapes in board order, and the revision.
#[derive(Debug, PartialEq)]
struct Seen {
    rev: u64,
    shapes: Vec<Value>,
}

async fn start(dir: &Path, history: bool) -> TestHost {
    let mut config = Config::ephemeral(dir);
    if !history {
        config.history_budget = 0;
    }
    TestHost::with_config(config).await
}

/// Adds, updates and deletes (every op acknowledged), with ids reused so
/// that shapes come back after a delete and change after they were made.
async fn draw(c: &mut Client, ops: usize, tag: &str) {
    let mut waiting = HashSet::new();
    for n in 0..ops {
        let id = format!("s{}", (n * 7) % 23);
        let op = format!("{tag}{n}");
        let (kind, payload) = match n % 5 {
            2 => ("SHAPES_DELETED", json!({"shapeIds": [id], "opId": op})),
            4 => (
                "SHAPE_UPDATED",
                json!({"shapeId": id, "updates": {"x": n, "tag": tag}, "opId": op}),
            ),
            _ => (
                "SHAPE_ADDED",
                json!({"shape": pencil(&id, 3 + n % 9), "opId": op}),
            ),
        };
        waiting.insert(op);
        c.send(kind, payload).await;
        if waiting.len() >= 16 {
            acks(c, &mut waiting).await;
        }
    }
    acks(c, &mut waiting).await;
}

async fn acks(c: &mut Client, waiting: &mut HashSet<String>) {
    while !waiting.is_empty() {
        let ack = c.expect("ACK").await;
        for op in ack["opIds"].as_array().unwrap() {
            waiting.remove(op.as_str().unwrap());
        }
    }
}

async fn seen(c: &mut Client) -> Seen {
    let sync = c.sync(None).await;
    Seen {
        rev: sync["rev"].as_u64().unwrap(),
        shapes: sync["shapes"].as_array().unwrap().clone(),
    }
}

/// Starts a host on `dir`, checks that it shows `expect` (when given),
/// draws `ops` ops, and stops it; returns what it showed last.
async fn session(dir: &Path, history: bool, expect: Option<&Seen>, ops: usize) -> Seen {
    let host = start(dir, history).await;
    let (mut ann, _) = Client::join(&host.ws(ROOM), "ann").await;
    let first = seen(&mut ann).await;
    if let Some(expect) = expect {
        assert_eq!(
            &first, expect,
            "the board after a restart (history {history})"
        );
    }
    if ops > 0 {
        draw(&mut ann, ops, &format!("r{}-", first.rev)).await;
    }
    let last = seen(&mut ann).await;
    drop(ann);
    host.stop().await;
    last
}

#[tokio::test]
async fn the_board_survives_restarts_and_switching_history_off_and_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();

    // History off: shape records hold the board.
    let a = session(dir, false, None, 120).await;
    assert!(
        a.shapes.len() > 5 && a.rev >= 60,
        "{} shapes at {}",
        a.shapes.len(),
        a.rev
    );
    assert_eq!(board_records(dir, ROOM, SHAPE), a.shapes.len());
    assert_eq!(board_records(dir, ROOM, BOARD_IN_HISTORY), 0);

    // History on: the first start moves the board into the history.
    let b = session(dir, true, Some(&a), 0).await;
    assert_eq!(b, a);
    assert_eq!(board_records(dir, ROOM, SHAPE), 0, "no shape records left");
    assert_eq!(board_records(dir, ROOM, BOARD_IN_HISTORY), 1);

    // Drawing with history on writes no shape records, and restarts (with
    // and without changes in between) show the same board.
    let c = session(dir, true, Some(&b), 150).await;
    assert_ne!(c, b);
    assert_eq!(board_records(dir, ROOM, SHAPE), 0);
    let c2 = session(dir, true, Some(&c), 0).await;
    assert_eq!(c2, c);

    // History off again: the board is written out to shape records at the
    // first start, before any change.
    let d = session(dir, false, Some(&c), 0).await;
    assert_eq!(board_records(dir, ROOM, SHAPE), d.shapes.len());
    assert_eq!(board_records(dir, ROOM, BOARD_IN_HISTORY), 0);
    let e = session(dir, false, Some(&d), 80).await;
    let f = session(dir, true, Some(&e), 40).await;
    session(dir, true, Some(&f), 0).await;
}

#[tokio::test]
async fn an_emptied_board_stays_empty_across_the_switch() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let host = start(dir, true).await;
    let (mut ann, _) = Client::join(&host.ws(ROOM), "ann").await;
    draw(&mut ann, 30, "a").await;
    let ids: Vec<Value> = seen(&mut ann)
        .await
        .shapes
        .iter()
        .map(|s| s["id"].clone())
        .collect();
    ann.send("SHAPES_DELETED", json!({"shapeIds": ids, "opId": "all"}))
        .await;
    ann.expect("ACK").await;
    let empty = seen(&mut ann).await;
    assert!(empty.shapes.is_empty());
    drop(ann);
    host.stop().await;
    // Off: nothing to write out, and the empty board is not taken for a
    // room without a history; on again: still empty.
    let off = session(dir, false, Some(&empty), 0).await;
    let off2 = session(dir, false, Some(&off), 5).await;
    session(dir, true, Some(&off2), 0).await;
}

/// The revisions of the room's keyframes, as the history lists them.
async fn keyframes(host: &TestHost) -> usize {
    let path = format!("/api/rooms/{ROOM}/history?limit=1");
    let (status, _, body) = http(host.http(), "GET", &path, &[], None).await;
    assert_eq!(status, 200);
    let h: Value = serde_json::from_slice(&body).unwrap();
    h["range"]["keyframes"].as_array().unwrap().len()
}

/// A delta sync after a restart brings a client's board, kept from before,
/// to exactly the board a full sync shows, from any revision it kept; also
/// for shapes last changed just before the keyframe the board is rebuilt
/// from (they carry its revision, never an older one).
#[tokio::test]
async fn a_delta_sync_after_a_restart_completes_a_board_kept_from_before() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let host = start(dir, true).await;
    let (mut ann, _) = Client::join(&host.ws(ROOM), "ann").await;
    draw(&mut ann, 60, "a").await;
    let mut kept = vec![seen(&mut ann).await];
    for s in kept[0].shapes.clone().iter().take(5) {
        let payload =
            json!({"shapeId": s["id"], "updates": {"x": -1}, "opId": format!("u{}", s["id"])});
        ann.send("SHAPE_UPDATED", payload).await;
        ann.expect("ACK").await;
    }
    kept.push(seen(&mut ann).await);
    // Other shapes come and go until the history makes a keyframe: the
    // five changes above are then older than it.
    let before = keyframes(&host).await;
    let mut pairs = 0;
    while keyframes(&host).await == before {
        assert!(pairs < 2_000, "no keyframe after {pairs} changes");
        for _ in 0..10 {
            pairs += 1;
            let id = format!("q{pairs}");
            let add = json!({"shape": pencil(&id, 300), "opId": format!("qa{pairs}")});
            ann.send("SHAPE_ADDED", add).await;
            ann.expect("ACK").await;
            let del = json!({"shapeIds": [id], "opId": format!("qd{pairs}")});
            ann.send("SHAPES_DELETED", del).await;
            ann.expect("ACK").await;
        }
    }
    kept.push(seen(&mut ann).await);
    // A few changes after the keyframe that leave the five alone.
    for i in 0..5 {
        let add = json!({"shape": pencil(&format!("z{i}"), 4), "opId": format!("z{i}")});
        ann.send("SHAPE_ADDED", add).await;
        ann.expect("ACK").await;
    }
    kept.push(seen(&mut ann).await);
    drop(ann);
    host.stop().await;

    let host = start(dir, true).await;
    assert!(keyframes(&host).await > before, "the keyframe was stored");
    let (mut bo, _) = Client::join(&host.ws(ROOM), "bo").await;
    let full = seen(&mut bo).await;
    assert_eq!(&full, kept.last().unwrap());
    let by_id = |shapes: &[Value]| -> BTreeMap<String, Value> {
        shapes
            .iter()
            .map(|s| (s["id"].as_str().unwrap().to_string(), s.clone()))
            .collect()
    };
    for old in &kept {
        let delta = bo.sync(Some(old.rev)).await;
        assert_eq!(delta["full"], false, "a delta from {}", old.rev);
        let mut board = by_id(&old.shapes);
        for id in delta["deletedIds"].as_array().unwrap() {
            board.remove(id.as_str().unwrap());
        }
        for s in delta["shapes"].as_array().unwrap() {
            board.insert(s["id"].as_str().unwrap().to_string(), s.clone());
        }
        assert_eq!(
            board,
            by_id(&full.shapes),
            "the board from {} plus its delta",
            old.rev
        );
    }
    host.stop().await;
}
