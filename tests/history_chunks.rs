//! A room's op log written in chunks (one record per room per group-commit
//! batch) answers exactly what the same log written one record per entry
//! answers: the host's own chunks are rewritten on disk into the format of
//! databases from before chunks, and every history route must say the same
//! before and after, then again once new chunks are written on top of the
//! old records. A real host, real sled on disk, real sockets.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use coco::store::entries::{record_entries, CHUNK_TAG};
use coco::store::history;
use common::sled_rooms::open_rooms;
use common::{http, pencil, Client, TestHost};
use serde_json::{json, Value};

const ROOM: &str = "log";

async fn get(addr: std::net::SocketAddr, path: &str) -> Value {
    let (status, _, body) = http(addr, "GET", path, &[], None).await;
    let value: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    assert!(status == 200 || status == 404, "{path}: {status} {value}");
    value
}

/// Draws `windows` pipelined windows of 40 ops (adds, updates, deletes), so
/// that a batch holds many changes.
async fn draw(c: &mut Client, windows: usize, tag: &str) {
    let mut n = 0;
    for w in 0..windows {
        let mut waiting = HashSet::new();
        for i in 0..40 {
            n += 1;
            let id = format!("s{}", (w * 7 + i) % 60);
            let op = format!("{tag}{n}");
            let (kind, payload) = match n % 4 {
                0 => ("SHAPES_DELETED", json!({"shapeIds": [id], "opId": op})),
                1 => (
                    "SHAPE_UPDATED",
                    json!({"shapeId": id, "updates": {"x": n}, "opId": op}),
                ),
                _ => ("SHAPE_ADDED", json!({"shape": pencil(&id, 20), "opId": op})),
            };
            waiting.insert(op);
            c.send(kind, payload).await;
        }
        while !waiting.is_empty() {
            let ack = c.expect("ACK").await;
            for op in ack["opIds"].as_array().unwrap() {
                waiting.remove(op.as_str().unwrap());
            }
        }
    }
}

/// Everything the history routes answer about the room: every page of
/// entries and marks (with shapes), the board at every revision, and the
/// last state of every shape id used.
async fn answers(host: &TestHost) -> BTreeMap<String, Value> {
    let addr = host.http();
    let mut out = BTreeMap::new();
    let head = get(addr, &format!("/api/rooms/{ROOM}/history?limit=1")).await;
    let current = head["range"]["currentRev"].as_u64().unwrap();
    let mut from = 0;
    loop {
        let path = format!("/api/rooms/{ROOM}/history?from={from}&to={current}&limit=97&shapes=1");
        let page = get(addr, &path).await;
        let next = page["next"].as_u64();
        out.insert(path, page);
        match next {
            Some(n) => from = n,
            None => break,
        }
    }
    for rev in 0..=current {
        let path = format!("/api/rooms/{ROOM}/history/board?rev={rev}");
        let board = get(addr, &path).await;
        out.insert(path, board);
    }
    for id in 0..60 {
        let path = format!("/api/rooms/{ROOM}/history/shape/s{id}");
        let last = get(addr, &path).await;
        out.insert(path, last);
    }
    out
}

/// Rewrites every chunk of the room's entries as one record per entry, as
/// a database from before chunks holds them; returns how many chunks and
/// entries there were.
fn unchunk(dir: &Path) -> (usize, usize) {
    let (db, tree) = open_rooms(dir);
    let prefix = history::key(ROOM, history::ENTRY, &[]);
    let (mut chunks, mut entries) = (0, 0);
    let mut batch = sled::Batch::default();
    for item in tree.scan_prefix(&prefix) {
        let (k, v) = item.unwrap();
        let held = record_entries(&k, &v).expect("every record reads");
        entries += held.len();
        if v.first() != Some(&CHUNK_TAG) {
            continue;
        }
        chunks += 1;
        batch.remove(&*k);
        for (rev, seq, e) in held {
            batch.insert(history::entry_key(ROOM, rev, seq), e);
        }
    }
    tree.apply_batch(batch).unwrap();
    db.flush().unwrap();
    (chunks, entries)
}

fn chunks_in(dir: &Path) -> usize {
    let (_db, tree) = open_rooms(dir);
    let prefix = history::key(ROOM, history::ENTRY, &[]);
    tree.scan_prefix(&prefix)
        .filter(|item| item.as_ref().unwrap().1.first() == Some(&CHUNK_TAG))
        .count()
}

/// The last revision of the answers' board.
fn written_rev(answers: &BTreeMap<String, Value>) -> u64 {
    let pages = answers.iter().filter(|(p, _)| p.contains("/history?"));
    pages
        .map(|(_, v)| v["range"]["currentRev"].as_u64().unwrap())
        .max()
        .unwrap()
}

fn assert_same(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>, what: &str) {
    assert_eq!(before.len(), after.len(), "{what}");
    for (path, value) in before {
        assert_eq!(Some(value), after.get(path), "{what}: {path}");
    }
}

/// Draws `windows` windows as "ann" on a host in `dir`, then stops it (her
/// leaving is marked as she goes), so the log is still while read.
async fn draw_and_stop(dir: &Path, windows: usize, tag: &str) {
    let host = TestHost::start_in(dir).await;
    let (mut ann, _) = Client::join(&host.ws(ROOM), "ann").await;
    draw(&mut ann, windows, tag).await;
    drop(ann);
    host.stop().await;
}

/// The answers of a host started on `dir`.
async fn answers_in(dir: &Path) -> BTreeMap<String, Value> {
    let host = TestHost::start_in(dir).await;
    let out = answers(&host).await;
    host.stop().await;
    out
}

#[tokio::test]
async fn a_log_in_chunks_answers_what_the_same_log_one_record_per_entry_answers() {
    let tmp = tempfile::tempdir().unwrap();
    draw_and_stop(tmp.path(), 12, "a").await;
    let written = answers_in(tmp.path()).await;
    let boards = written.keys().filter(|p| p.contains("board?rev=")).count();
    assert!(boards > 300, "{boards} revisions");

    // The host wrote chunks; the same log one record per entry, as before.
    let (chunks, entries) = unchunk(tmp.path());
    assert!(
        chunks > 0 && entries > chunks * 2,
        "{chunks} chunks of {entries} entries"
    );
    assert_eq!(chunks_in(tmp.path()), 0);
    assert_same(
        &written,
        &answers_in(tmp.path()).await,
        "read back one record per entry",
    );

    // New chunks on top of the old records: the old boards stand, and a
    // restart changes nothing.
    draw_and_stop(tmp.path(), 6, "b").await;
    assert!(chunks_in(tmp.path()) > 0, "new batches are chunks");
    let host = TestHost::start_in(tmp.path()).await;
    let mixed = answers(&host).await;
    for (path, value) in written.iter().filter(|(p, _)| p.contains("board?rev=")) {
        assert_eq!(Some(value), mixed.get(path), "after more changes: {path}");
    }
    for (path, value) in written.iter().filter(|(p, _)| p.contains("/history?")) {
        let now = get(host.http(), path).await;
        assert_eq!(
            value["entries"], now["entries"],
            "after more changes: {path}"
        );
        // Ann's join when she came back is a mark at the last old revision.
        let before = |page: &Value| -> Vec<Value> {
            let last = written_rev(&written);
            let marks = page["marks"].as_array().unwrap().iter();
            marks
                .filter(|m| m["rev"].as_u64() < Some(last))
                .cloned()
                .collect()
        };
        assert_eq!(before(value), before(&now), "after more changes: {path}");
    }
    host.stop().await;
    let more = mixed.keys().filter(|p| p.contains("board?rev=")).count();
    assert!(more > boards + 150, "{more} revisions");
    assert_same(
        &mixed,
        &answers_in(tmp.path()).await,
        "old and new records, restarted",
    );
}
