//! One peer that stops reading never slows the others; it is cut off and
//! resyncs when it comes back.

mod common;

use std::time::Duration;

use common::{shape_ids, Client, TestHost};
use serde_json::json;

#[tokio::test]
async fn a_stalled_reader_is_disconnected_and_the_others_get_everything() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut writer, _) = Client::join(&url, "writer").await;
    let (mut fast, _) = Client::join(&url, "fast").await;
    // The slow peer joins and then never reads again.
    let (mut slow, _) = Client::join(&url, "slow").await;

    // 64 KB shapes: the slow peer's socket buffers fill, then its outbox.
    let blob = "x".repeat(64 * 1024);
    let total = 600;
    let mut received = 0;
    for i in 0..total {
        let shape = json!({"id": format!("s{i}"), "type": "text", "text": blob});
        writer
            .send(
                "SHAPE_ADDED",
                json!({"shape": shape, "opId": format!("o{i}")}),
            )
            .await;
        // The fast reader keeps up as it goes.
        while let Ok(Some(msg)) = tokio::time::timeout(Duration::from_millis(0), fast.next()).await
        {
            if msg["type"] == "SHAPE_ADDED" {
                received += 1;
            }
        }
    }
    while received < total {
        let msg = fast.next().await.expect("fast reader stays connected");
        if msg["type"] == "SHAPE_ADDED" {
            received += 1;
        }
    }
    assert_eq!(received, total);
    // The slow peer was cut off: its socket ends once we look at it.
    assert!(
        slow.closed().await,
        "the stalled reader should have been disconnected"
    );
    // It comes back and resyncs everything.
    let (mut back, _) = Client::join(&url, "slow").await;
    assert_eq!(shape_ids(&back.sync(None).await).len(), total);
    host.stop().await;
}

#[tokio::test]
async fn cursor_moves_to_a_slow_reader_are_coalesced_not_queued() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut mover, _) = Client::join(&url, "mover").await;
    let (mut watcher, _) = Client::join(&url, "watcher").await;
    // The watcher does not read while many cursor moves are sent.
    for i in 0..3_000 {
        mover
            .send("CURSOR_MOVE", json!({"position": {"x": i, "y": 0}}))
            .await;
    }
    mover
        .send(
            "SHAPE_ADDED",
            json!({"shape": {"id": "marker", "type": "line"}, "opId": "m"}),
        )
        .await;
    mover.expect("ACK").await;
    // Whatever arrives, the last cursor position seen is the latest one.
    let mut last_x = -1;
    let mut cursors = 0;
    let mut got_marker = false;
    while !(got_marker && last_x == 2_999) {
        let msg = watcher.next().await.expect("open");
        match msg["type"].as_str().unwrap() {
            "CURSOR_MOVE" => {
                let x = msg["payload"]["position"]["x"].as_i64().unwrap();
                assert!(x > last_x, "cursor moves arrive in order");
                last_x = x;
                cursors += 1;
            }
            "SHAPE_ADDED" => got_marker = true,
            _ => {}
        }
    }
    assert!(cursors <= 3_000);
    host.stop().await;
}
