//! A full disk, for real: the data directory on a small tmpfs that the test
//! fills. The host acknowledges nothing it did not save, relays nothing as
//! saved, says so (`storage_failed`, `/api/health` 503), and after the disk
//! has room again and the host restarts, every acknowledged change is there
//! and every kept one is accepted.

mod common;

use std::time::Duration;

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
