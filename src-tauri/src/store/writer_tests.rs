//! The writer's promise on a backend that fails on demand: no ack for a
//! failed batch, the fault reported before any barrier is released, and
//! recovery found by the writer's own probe.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::*;
use crate::store::db::DbError;
use crate::store::StorageState;

#[derive(Clone, Default)]
struct Flaky {
    failing: Arc<AtomicBool>,
    latches: bool,
    batches: Arc<AtomicUsize>,
    probes: Arc<AtomicUsize>,
    health: StorageHealth,
}

impl Backend for Flaky {
    fn apply(&self, _: &[Commit]) -> Result<(), StoreError> {
        self.batches.fetch_add(1, Ordering::SeqCst);
        self.result()
    }
    fn probe(&self) -> Result<(), StoreError> {
        self.probes.fetch_add(1, Ordering::SeqCst);
        self.result()
    }
    fn flush(&self) -> Result<(), StoreError> {
        self.result()
    }
    fn put_keyframe(&self, _: &DeferredKeyframe) -> Result<(), StoreError> {
        self.result()
    }
    fn latches_errors(&self) -> bool {
        self.latches
    }
    fn health(&self) -> &StorageHealth {
        &self.health
    }
}

impl Flaky {
    fn result(&self) -> Result<(), StoreError> {
        if self.failing.load(Ordering::SeqCst) {
            let full = std::io::Error::from_raw_os_error(28);
            Err(StoreError::Db(DbError::from_io(full)))
        } else {
            Ok(())
        }
    }
}

#[derive(Default)]
struct Acks(Mutex<Vec<String>>);

impl AckSink for Acks {
    fn ack(&self, _: &str, op_ids: Vec<String>, _: u64) {
        self.0.lock().unwrap().extend(op_ids);
    }
}

fn op(acks: &Arc<Acks>, op_id: &str) -> Commit {
    Commit::new(
        Arc::from("main"),
        vec![Write::OpId {
            op_id: op_id.into(),
            rev: 1,
        }],
        Some(PendingAck {
            sink: acks.clone(),
            user_id: Arc::from("ann"),
            op_id: op_id.into(),
            rev: 1,
        }),
    )
}

#[tokio::test]
async fn a_failed_batch_is_not_acknowledged_and_a_probe_finds_the_recovery() {
    let backend = Flaky::default();
    let finish = CancellationToken::new();
    let (handle, task) = spawn_writer_on(backend.clone(), finish.clone());
    let acks = Arc::new(Acks::default());

    handle.submit(op(&acks, "saved"));
    handle.barrier().await;
    assert_eq!(*acks.0.lock().unwrap(), ["saved"]);
    assert!(handle.health().is_ok());

    backend.failing.store(true, Ordering::SeqCst);
    handle.submit(op(&acks, "lost"));
    handle.barrier().await;
    // The barrier is released only after the fault is known.
    let fault = handle.health().fault().expect("the fault is reported");
    assert!(fault.disk_full, "ENOSPC is a full disk: {fault:?}");
    assert!(!fault.restart_needed, "this backend does not latch");
    assert_eq!(
        *acks.0.lock().unwrap(),
        ["saved"],
        "no ack for a failed write"
    );

    // While it fails, the writer probes by itself; once writes work it says so.
    tokio::time::sleep(STORAGE_PROBE_INTERVAL + Duration::from_millis(300)).await;
    assert!(backend.probes.load(Ordering::SeqCst) >= 1);
    assert!(!handle.health().is_ok());
    backend.failing.store(false, Ordering::SeqCst);
    let mut changes = handle.health().changes();
    tokio::time::timeout(
        STORAGE_PROBE_INTERVAL * 3,
        changes.wait_for(|s| *s == StorageState::Ok),
    )
    .await
    .expect("recovered within a few probes")
    .unwrap();
    handle.submit(op(&acks, "lost"));
    handle.barrier().await;
    assert_eq!(
        *acks.0.lock().unwrap(),
        ["saved", "lost"],
        "the replay is acknowledged"
    );
    finish.cancel();
    task.await.unwrap();
}

#[tokio::test]
async fn a_latching_backend_asks_for_a_restart_and_the_writer_still_drains() {
    let backend = Flaky {
        latches: true,
        ..Flaky::default()
    };
    backend.failing.store(true, Ordering::SeqCst);
    let finish = CancellationToken::new();
    let (handle, task) = spawn_writer_on(backend.clone(), finish.clone());
    let acks = Arc::new(Acks::default());
    for i in 0..3 {
        handle.submit(op(&acks, &format!("op{i}")));
    }
    handle.barrier().await;
    let fault = handle.health().fault().unwrap();
    assert!(fault.restart_needed);
    assert!(
        fault.message().contains("restart CoCo"),
        "{}",
        fault.message()
    );
    assert!(acks.0.lock().unwrap().is_empty());
    // Shutting down with the fault still on neither hangs nor panics.
    finish.cancel();
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the writer ends")
        .unwrap();
}
