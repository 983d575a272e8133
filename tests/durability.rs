//! Nothing acknowledged is lost: acks after fsync, replays applied once,
//! restarts, delta resync, and a host killed with SIGKILL mid-burst.

mod common;

use std::collections::HashSet;
use std::time::Duration;

use common::{pencil, shape_ids, Client, HostProcess, TestHost};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn an_operation_with_an_op_id_is_acknowledged_with_its_revision() {
    let host = TestHost::start().await;
    let (mut a, _) = Client::join(&host.ws("main"), "ann").await;
    assert_eq!(a.add_acked("s1").await, 1);
    assert_eq!(a.add_acked("s2").await, 2);
    a.send(
        "SHAPE_UPDATED",
        json!({"shapeId": "s1", "updates": {"x": 1}, "opId": "u1"}),
    )
    .await;
    assert_eq!(a.expect("ACK").await, json!({"opIds": ["u1"], "rev": 3}));
    a.send("SHAPES_DELETED", json!({"shapeIds": ["s2"], "opId": "d1"}))
        .await;
    assert_eq!(a.expect("ACK").await, json!({"opIds": ["d1"], "rev": 4}));
    host.stop().await;
}

#[tokio::test]
async fn a_replayed_operation_is_acknowledged_again_and_applied_once() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut a, _) = Client::join(&url, "ann").await;
    a.add_acked("s1").await;
    a.send("SHAPES_DELETED", json!({"shapeIds": ["s1"], "opId": "del"}))
        .await;
    a.expect("ACK").await;
    drop(a);
    // Reconnect and replay both, as a client that never saw the acks would.
    let (mut a, _) = Client::join(&url, "ann").await;
    a.send(
        "SHAPE_ADDED",
        json!({"shape": pencil("s1", 5), "opId": "op-s1"}),
    )
    .await;
    a.send("SHAPES_DELETED", json!({"shapeIds": ["s1"], "opId": "del"}))
        .await;
    let first = a.expect("ACK").await;
    let mut acked: Vec<String> = first["opIds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().into())
        .collect();
    if acked.len() < 2 {
        let second = a.expect("ACK").await;
        acked.extend(
            second["opIds"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string()),
        );
    }
    assert_eq!(acked, ["op-s1", "del"]);
    let sync = a.sync(None).await;
    assert!(
        shape_ids(&sync).is_empty(),
        "the replayed add must not resurrect the shape"
    );
    assert_eq!(sync["rev"], 2);
    host.stop().await;
}

#[tokio::test]
async fn shapes_survive_a_restart_and_replays_are_still_recognised() {
    let host = TestHost::start().await;
    let url = host.ws("keep");
    let (mut a, _) = Client::join(&url, "ann").await;
    for i in 0..20 {
        a.add_acked(&format!("s{i}")).await;
    }
    a.send(
        "SHAPE_UPDATED",
        json!({"shapeId": "s3", "updates": {"text": "updated"}, "opId": "u3"}),
    )
    .await;
    a.expect("ACK").await;
    a.send("SHAPES_DELETED", json!({"shapeIds": ["s4"], "opId": "d4"}))
        .await;
    a.expect("ACK").await;
    drop(a);
    let dir = host.dir.clone();
    let tmp = host.stop().await;

    let host = TestHost::start_in(&dir).await;
    let url = host.ws("keep");
    let (mut a, welcome) = Client::join(&url, "ann").await;
    assert_eq!(welcome["rev"], 22);
    let sync = a.sync(None).await;
    let ids = shape_ids(&sync);
    assert_eq!(ids.len(), 19);
    assert_eq!(ids[0], "s0", "creation order is kept");
    assert!(!ids.contains(&"s4".to_string()));
    assert_eq!(sync["shapes"][3]["text"], "updated");
    // The op id is remembered across the restart.
    a.send(
        "SHAPE_ADDED",
        json!({"shape": pencil("s4", 5), "opId": "op-s4"}),
    )
    .await;
    assert_eq!(a.expect("ACK").await["opIds"], json!(["op-s4"]));
    assert_eq!(a.sync(None).await["rev"], 22);
    host.stop().await;
    drop(tmp);
}

#[tokio::test]
async fn a_delta_resync_sends_only_what_was_missed() {
    let host = TestHost::start().await;
    let url = host.ws("main");
    let (mut a, _) = Client::join(&url, "ann").await;
    let (mut b, _) = Client::join(&url, "bob").await;
    for i in 0..50 {
        a.add_acked(&format!("s{i}")).await;
    }
    let full = b.sync(None).await;
    let rev = full["rev"].as_u64().unwrap();
    drop(b);
    a.add_acked("new").await;
    a.send(
        "SHAPES_DELETED",
        json!({"shapeIds": ["s0", "s1"], "opId": "d"}),
    )
    .await;
    a.expect("ACK").await;
    let (mut b, _) = Client::join(&url, "bob").await;
    let delta = b.sync(Some(rev)).await;
    assert_eq!(delta["full"], false);
    assert_eq!(shape_ids(&delta), ["new"]);
    assert_eq!(delta["deletedIds"], json!(["s0", "s1"]));
    assert_eq!(delta["rev"], rev + 2);
    host.stop().await;
}

#[tokio::test]
async fn a_host_killed_mid_burst_keeps_every_acknowledged_shape() {
    let tmp = tempfile::tempdir().unwrap();
    let mut host = HostProcess::spawn(tmp.path(), &[]);
    let url = host.ws_url("crash");
    let (client, _) = Client::join(&url, "writer").await;
    let (mut sink, mut stream) = client.socket.split();

    // Write as fast as the socket allows; collect acks as they come.
    let writer = tokio::spawn(async move {
        for i in 0..100_000u32 {
            let frame = json!({"type": "SHAPE_ADDED", "payload": {"shape": pencil(&format!("s{i}"), 10), "opId": format!("o{i}")}});
            if sink
                .send(Message::Text(frame.to_string().into()))
                .await
                .is_err()
            {
                return i;
            }
            if i % 64 == 0 {
                tokio::task::yield_now().await;
            }
        }
        100_000
    });
    let mut acked = HashSet::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while acked.len() < 2_000 && tokio::time::Instant::now() < deadline {
        let Ok(Some(Ok(Message::Text(text)))) =
            tokio::time::timeout(Duration::from_secs(5), stream.next()).await
        else {
            break;
        };
        let msg: serde_json::Value = serde_json::from_str(&text).unwrap();
        if msg["type"] == "ACK" {
            for op in msg["payload"]["opIds"].as_array().unwrap() {
                acked.insert(op.as_str().unwrap().trim_start_matches('o').to_string());
            }
        }
    }
    assert!(
        acked.len() >= 2_000,
        "the host acknowledged only {} operations",
        acked.len()
    );
    host.kill9();
    let sent = writer.await.unwrap();
    assert!(
        sent as usize > acked.len(),
        "the kill must land in the middle of the burst"
    );

    let host = HostProcess::spawn(tmp.path(), &[]);
    let (mut reader, _) = Client::join(&host.ws_url("crash"), "reader").await;
    let sync = reader.sync(None).await;
    let stored: HashSet<String> = shape_ids(&sync)
        .into_iter()
        .map(|id| id.trim_start_matches('s').to_string())
        .collect();
    let lost: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged shapes were lost, e.g. {:?}",
        lost.len(),
        &lost[..lost.len().min(5)]
    );
    // And every stored shape is whole.
    for shape in sync["shapes"].as_array().unwrap() {
        assert_eq!(shape["points"].as_array().unwrap().len(), 10);
    }
}
