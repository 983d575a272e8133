//! A room over the store's in-memory twin, whose writes fail on demand: refused while
//! failing, written whole when writes work again, replays acknowledged only
//! once that is durable, and the disk equal to what people saw.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::follow_storage;
use crate::protocol::{parse, ClientMessage, ErrorCode};
use crate::room::{Conn, Outbox, Rooms};
use crate::store::{spawn_writer, FaultSwitch, Store, STORAGE_PROBE_INTERVAL};

fn msg(text: &str) -> ClientMessage {
    parse(text).unwrap()
}

fn add(id: &str, op: &str) -> ClientMessage {
    msg(&format!(
        r#"{{"type":"SHAPE_ADDED","payload":{{"shape":{{"id":"{id}","type":"line"}},"opId":"{op}"}}}}"#
    ))
}

fn delete(id: &str, op: &str) -> ClientMessage {
    msg(&format!(
        r#"{{"type":"SHAPES_DELETED","payload":{{"shapeIds":["{id}"],"opId":"{op}"}}}}"#
    ))
}

/// Every frame queued for `conn` so far, as JSON.
fn frames(conn: &Conn) -> Vec<serde_json::Value> {
    conn.outbox
        .drain()
        .frames
        .iter()
        .map(|f| serde_json::from_str(f.as_str()).unwrap())
        .collect()
}

fn acked(frames: &[serde_json::Value]) -> Vec<String> {
    frames
        .iter()
        .filter(|f| f["type"] == "ACK")
        .flat_map(|f| f["payload"]["opIds"].as_array().unwrap().clone())
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

async fn settle() {
    tokio::time::sleep(Duration::from_millis(100)).await;
}

#[tokio::test]
async fn a_room_refuses_while_saving_fails_and_is_written_whole_when_it_works() {
    let switch = FaultSwitch::default();
    let store = Store::in_memory_with(&switch);
    let finish = CancellationToken::new();
    let (writer, task) = spawn_writer(store.clone(), finish.clone());
    let rooms = Rooms::new(store.clone(), writer.clone());
    let stop = CancellationToken::new();
    tokio::spawn(follow_storage(
        rooms.clone(),
        store.health().clone(),
        stop.clone(),
    ));
    let room = rooms.get("art").await.unwrap();
    let ann = Conn {
        id: 1,
        outbox: Arc::new(Outbox::new()),
    };
    let bo = Conn {
        id: 2,
        outbox: Arc::new(Outbox::new()),
    };
    let me = room
        .join(&ann, "ann", "Ann".into(), None)
        .unwrap()
        .unwrap()
        .user_id;
    room.join(&bo, "bo", "Bo".into(), None).unwrap();

    room.handle(&ann, &me, add("kept", "op-kept")).unwrap();
    room.handle(&ann, &me, add("gone", "op-gone")).unwrap();
    writer.barrier().await;
    assert_eq!(acked(&frames(&ann)), ["op-kept", "op-gone"]);

    // The disk fills: a shape added and one deleted, neither saved.
    switch.set_failing(true);
    room.handle(&ann, &me, add("new", "op-new")).unwrap();
    room.handle(&ann, &me, delete("gone", "op-del")).unwrap();
    writer.barrier().await;
    settle().await;
    let seen = frames(&ann);
    assert!(acked(&seen).is_empty(), "no ack for what failed: {seen:?}");
    assert!(seen
        .iter()
        .any(|f| f["payload"]["code"] == "storage_failed"));
    assert!(
        frames(&bo)
            .iter()
            .any(|f| f["payload"]["code"] == "storage_failed"),
        "everyone is told"
    );

    // While it fails: refused, not relayed, and a replay is no "duplicate".
    let refused = room.handle(&ann, &me, add("more", "op-more")).unwrap_err();
    assert_eq!(refused.code, ErrorCode::StorageFailed);
    let replay = room.handle(&ann, &me, add("new", "op-new")).unwrap_err();
    assert_eq!(replay.code, ErrorCode::StorageFailed);
    assert!(!frames(&bo).iter().any(|f| f["type"] == "SHAPE_ADDED"));

    // Writes work again: the probe finds it, the room is written whole and
    // everyone gets a full sync (which makes the clients resend).
    switch.set_failing(false);
    tokio::time::sleep(STORAGE_PROBE_INTERVAL * 2).await;
    assert!(store.health().is_ok());
    let seen = frames(&ann);
    assert!(seen
        .iter()
        .any(|f| f["type"] == "SYNC_SHAPES" && f["payload"]["full"] == true));
    room.handle(&ann, &me, add("new", "op-new")).unwrap();
    room.handle(&ann, &me, delete("gone", "op-del")).unwrap();
    room.handle(&ann, &me, add("more", "op-more")).unwrap();
    writer.barrier().await;
    assert_eq!(acked(&frames(&ann)), ["op-new", "op-del", "op-more"]);

    // On disk: exactly the board people saw, the delete included.
    let loaded = store.load_room("art").unwrap();
    let mut ids: Vec<&str> = loaded.shapes.iter().map(|s| s.0.as_str()).collect();
    ids.sort();
    assert_eq!(ids, ["kept", "more", "new"]);
    assert_eq!(loaded.rev, room.stats().1);
    stop.cancel();
    finish.cancel();
    task.await.unwrap();
}
