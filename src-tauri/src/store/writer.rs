//! Group commit: one task writes every room's operations in atomic batches.
//!
//! Why one writer: sled's `flush` (the fsync) costs the same for one record
//! or a thousand, so gathering the operations of a few milliseconds into one
//! batch turns thousands of fsyncs a second into a few hundred, and an
//! operation is acknowledged only after the flush that made it durable.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::keyframes::{self, DeferredKeyframe, Job};
use super::{StorageHealth, Store, StoreError};

/// How long the writer gathers operations before writing a batch.
pub const GROUP_COMMIT_WINDOW: Duration = Duration::from_millis(2);
/// Most commits written in one batch, to bound the time of one fsync.
pub const MAX_COMMITS_PER_BATCH: usize = 4_096;
/// How often the writer tries a small write while saving fails, to notice
/// by itself when the disk works again.
pub const STORAGE_PROBE_INTERVAL: Duration = Duration::from_secs(1);

/// Where the writer puts its batches: the database, or a test's stand-in
/// that fails on demand. Blocking: called from `spawn_blocking`.
pub trait Backend: Clone + Send + Sync + 'static {
    /// Writes every commit's writes as one atomic batch and makes it durable.
    fn apply(&self, commits: &[Commit]) -> Result<(), StoreError>;
    /// A small durable write, to tell whether saving works again.
    fn probe(&self) -> Result<(), StoreError>;
    /// Makes everything written so far durable.
    fn flush(&self) -> Result<(), StoreError>;
    /// Stores one history keyframe as a record of its own, outside any
    /// batch and without a flush (see [`keyframes`]).
    fn put_keyframe(&self, kf: &DeferredKeyframe) -> Result<(), StoreError>;
    /// Whether a failed write leaves the backend unable to write again
    /// until it is reopened.
    fn latches_errors(&self) -> bool;
    /// Where the writer reports whether saving works.
    fn health(&self) -> &StorageHealth;
}

/// One record change.
#[derive(Debug, Clone)]
pub enum Write {
    Shape {
        id: String,
        seq: u64,
        rev: u64,
        json: Arc<str>,
    },
    RemoveShape {
        id: String,
    },
    Tombstone {
        id: String,
        rev: u64,
    },
    RemoveTombstone {
        id: String,
        /// The revision of the delete the tombstone recorded, when the room
        /// drops it at its bound (`None`: the shape is back). The history
        /// then keeps where that delete is for "bring back" (see
        /// [`Write::DeletedShape`]).
        dropped: Option<u64>,
    },
    OpId {
        op_id: String,
        rev: u64,
    },
    RemoveOpId {
        op_id: String,
    },
    Meta {
        rev: u64,
        floor: u64,
        next_seq: u64,
    },
    /// The host locked (`true`) or unlocked the board: kept with the room,
    /// so a locked class board is still locked after the host restarts.
    Lock {
        locked: bool,
    },
    /// Removes every record of the room's board (never its history); the
    /// writes after it in the same commit put the room back whole.
    ClearRoom,
    /// Removes every shape record of the room: its history holds the shapes
    /// from this commit on (see [`Write::BoardInHistory`]).
    ClearShapes,
    /// Where the room's shapes are kept: in its history (`true`: a keyframe
    /// and the entries after it, no shape records) or in shape records.
    /// Written in the commit that moves them, so a crash leaves one or the
    /// other, never neither.
    BoardInHistory(bool),
    /// One history entry (see [`super::history`]), encoded by the room:
    /// written in the same batch as the change it records, in one record
    /// with the batch's other entries of the room (see [`super::entries`]).
    History {
        rev: u64,
        seq: u32,
        value: Vec<u8>,
    },
    /// The change at `rev` was the last to delete shape `id` ("bring back"):
    /// written when the room drops the shape's tombstone, which says the
    /// same until then.
    DeletedShape {
        id: String,
        rev: u64,
    },
    /// The whole board at `rev`, in the batch: only where the history
    /// cannot be rebuilt without it (it starts again after a gap).
    Keyframe {
        rev: u64,
        t: u64,
        shapes: Vec<(String, Arc<str>)>,
    },
    /// A keyframe that only speeds up rebuilding: written after the batch's
    /// acks by the keyframe worker, never inside the batch.
    DeferredKeyframe(DeferredKeyframe),
    /// The sizes of a segment of history that is closed (or was thinned).
    Segment(super::history::Segment),
    /// Forgets the record of the segment at `rev` (merged into the one
    /// before it because its keyframe never reached the disk).
    RemoveSegment {
        rev: u64,
    },
    HistoryMeta(super::history::HistoryMeta),
    Checkpoint(super::history::Checkpoint),
    /// Thins a segment: removes the change entries after the keyframe at
    /// `from` up to and including the change at `to`; marks stay.
    ThinChanges {
        from: u64,
        to: u64,
    },
    /// Removes a whole segment: the keyframe at `from`, its record, and
    /// every entry up to and including the change at `to`.
    DropSegment {
        from: u64,
        to: u64,
    },
}

/// Who to tell once an operation is on disk.
pub trait AckSink: Send + Sync {
    fn ack(&self, user_id: &str, op_ids: Vec<String>, rev: u64);
}

/// An author waiting for its operation to be durable.
pub struct PendingAck {
    pub sink: Arc<dyn AckSink>,
    pub user_id: Arc<str>,
    pub op_id: String,
    pub rev: u64,
}

/// The writes of one applied operation, and the ack it earns.
pub struct Commit {
    pub room: Arc<str>,
    pub writes: Vec<Write>,
    pub ack: Option<PendingAck>,
    /// Told once this commit (and so every commit queued before it) has been
    /// through the writer, and the keyframes of earlier batches are stored.
    pub done: Option<oneshot::Sender<()>>,
    /// Told whether the batch holding this commit was written and flushed.
    pub flushed: Option<oneshot::Sender<bool>>,
}

impl Commit {
    /// The writes of one operation in `room`.
    pub fn new(room: Arc<str>, writes: Vec<Write>, ack: Option<PendingAck>) -> Commit {
        Commit {
            room,
            writes,
            ack,
            done: None,
            flushed: None,
        }
    }
}

/// Where rooms send their commits. Sending never blocks, so a room can send
/// while holding its lock, which keeps disk order equal to apply order.
#[derive(Clone)]
pub struct StoreHandle {
    tx: mpsc::UnboundedSender<Commit>,
    health: StorageHealth,
}

impl StoreHandle {
    /// Whether the host can save now (rooms refuse changes while it cannot).
    pub fn health(&self) -> &StorageHealth {
        &self.health
    }

    /// Queues a commit; false once the writer has stopped.
    pub fn submit(&self, commit: Commit) -> bool {
        self.tx.send(commit).is_ok()
    }

    /// Waits until everything queued before this call has been written, so
    /// that a room read back from disk afterwards misses nothing.
    pub async fn barrier(&self) {
        let (tx, rx) = oneshot::channel();
        let commit = Commit {
            room: Arc::from(""),
            writes: Vec::new(),
            ack: None,
            done: Some(tx),
            flushed: None,
        };
        if self.submit(commit) {
            let _ = rx.await;
        }
    }
}

/// Starts the writer on the database. After `finish` is cancelled it
/// writes what is queued, flushes, and ends.
pub fn spawn_writer(store: Store, finish: CancellationToken) -> (StoreHandle, JoinHandle<()>) {
    spawn_writer_on(store, finish)
}

/// Starts the writer on any [`Backend`].
pub fn spawn_writer_on<B: Backend>(
    backend: B,
    finish: CancellationToken,
) -> (StoreHandle, JoinHandle<()>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let health = backend.health().clone();
    let (kf_tx, kf_task) = keyframes::spawn(backend.clone(), tx.downgrade(), finish.clone());
    let task = tokio::spawn(run(backend, rx, finish, kf_tx, kf_task));
    (StoreHandle { tx, health }, task)
}

async fn run<B: Backend>(
    store: B,
    mut rx: mpsc::UnboundedReceiver<Commit>,
    finish: CancellationToken,
    kf_tx: mpsc::UnboundedSender<Job>,
    kf_task: JoinHandle<()>,
) {
    let health = store.health().clone();
    // A table's write may find the fault while the writer is idle: its
    // change wakes the writer so that the probe starts.
    let mut changes = health.changes();
    loop {
        let failing = !health.is_ok();
        let first = tokio::select! {
            biased;
            commit = rx.recv() => match commit {
                Some(commit) => commit,
                None => break,
            },
            _ = finish.cancelled() => break,
            Ok(()) = changes.changed(), if !failing => continue,
            _ = tokio::time::sleep(STORAGE_PROBE_INTERVAL), if failing => {
                probe(&store).await;
                continue;
            }
        };
        let mut batch = vec![first];
        let deadline = tokio::time::Instant::now() + GROUP_COMMIT_WINDOW;
        while batch.len() < MAX_COMMITS_PER_BATCH {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Some(commit)) => batch.push(commit),
                Ok(None) | Err(_) => break,
            }
        }
        write(&store, batch, &kf_tx).await;
    }
    // Shutting down: whatever was queued is written before the final flush.
    let mut rest = Vec::new();
    while let Ok(commit) = rx.try_recv() {
        rest.push(commit);
    }
    if !rest.is_empty() {
        write(&store, rest, &kf_tx).await;
    }
    // The keyframes still queued are stored, then flushed with the rest.
    drop(kf_tx);
    let _ = kf_task.await;
    let store2 = store.clone();
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || Backend::flush(&store2)).await {
        tracing::error!("final flush failed: {e}");
    }
}

/// Writes one batch and acknowledges its authors once it is durable. A
/// batch that fails acknowledges nothing: the fault is reported to
/// [`StorageHealth`] (before any barrier waiting on this batch is released),
/// and the rooms revert to what is on disk so that replays apply again.
///
/// Deferred keyframes go to the keyframe worker only after the acks, so
/// that a keyframe is never on disk ahead of the change that made its
/// revision, and never delays an ack.
async fn write<B: Backend>(
    store: &B,
    mut commits: Vec<Commit>,
    kf_tx: &mpsc::UnboundedSender<Job>,
) {
    let done: Vec<oneshot::Sender<()>> = commits.iter_mut().filter_map(|c| c.done.take()).collect();
    let flushed: Vec<oneshot::Sender<bool>> = commits
        .iter_mut()
        .filter_map(|c| c.flushed.take())
        .collect();
    let mut ok = false;
    let backend = store.clone();
    let written = tokio::task::spawn_blocking(move || {
        let result = backend.apply(&commits);
        (commits, result)
    })
    .await;
    let health = store.health();
    match written {
        Ok((mut commits, Ok(()))) => {
            ok = true;
            health.recover();
            let deferred = take_deferred(&mut commits);
            acknowledge(commits);
            for kf in deferred {
                let _ = kf_tx.send(Job::Keyframe(kf));
            }
        }
        Ok((commits, Err(e))) => {
            tracing::error!(
                "could not write {} operations; none is acknowledged and clients keep them to replay: {e}",
                commits.len()
            );
            health.fail(e.to_string(), e.is_disk_full(), store.latches_errors());
        }
        Err(e) => {
            tracing::error!("the write task failed: {e}");
            health.fail(format!("the write task failed: {e}"), false, false);
        }
    }
    for tx in flushed {
        let _ = tx.send(ok);
    }
    for tx in done {
        // Without a worker (shutting down), the barrier is simply released.
        if let Err(mpsc::error::SendError(Job::Drained(tx))) = kf_tx.send(Job::Drained(tx)) {
            let _ = tx.send(());
        }
    }
}

/// The deferred keyframes of a written batch, in commit order.
fn take_deferred(commits: &mut [Commit]) -> Vec<DeferredKeyframe> {
    let mut out = Vec::new();
    for c in commits {
        if !c
            .writes
            .iter()
            .any(|w| matches!(w, Write::DeferredKeyframe(_)))
        {
            continue;
        }
        for w in std::mem::take(&mut c.writes) {
            if let Write::DeferredKeyframe(kf) = w {
                out.push(kf);
            }
        }
    }
    out
}

/// One small write while saving fails: success clears the fault.
async fn probe<B: Backend>(store: &B) {
    let backend = store.clone();
    match tokio::task::spawn_blocking(move || backend.probe()).await {
        Ok(Ok(())) => {
            tracing::info!("writes succeed again");
            store.health().recover();
        }
        Ok(Err(e)) => store
            .health()
            .fail(e.to_string(), e.is_disk_full(), store.latches_errors()),
        Err(e) => tracing::error!("the probe task failed: {e}"),
    }
}

impl Backend for Store {
    fn apply(&self, commits: &[Commit]) -> Result<(), StoreError> {
        self.append(commits)
    }

    fn probe(&self) -> Result<(), StoreError> {
        self.probe_write()
    }

    fn flush(&self) -> Result<(), StoreError> {
        Store::flush(self)
    }

    fn put_keyframe(&self, kf: &DeferredKeyframe) -> Result<(), StoreError> {
        self.put_history_keyframe(kf)
    }

    fn latches_errors(&self) -> bool {
        self.durability.db.latches_errors()
    }

    fn health(&self) -> &StorageHealth {
        Store::health(self)
    }
}

/// One `ACK` per author per batch, listing its op ids in order.
fn acknowledge(commits: Vec<Commit>) {
    type Key = (usize, Arc<str>);
    type Gathered = (Arc<dyn AckSink>, Vec<String>, u64);
    let mut order: Vec<Key> = Vec::new();
    let mut acks: HashMap<Key, Gathered> = HashMap::new();
    for ack in commits.into_iter().filter_map(|c| c.ack) {
        let key = (
            Arc::as_ptr(&ack.sink) as *const () as usize,
            ack.user_id.clone(),
        );
        let entry = acks.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            (ack.sink.clone(), Vec::new(), 0)
        });
        entry.1.push(ack.op_id);
        entry.2 = entry.2.max(ack.rev);
    }
    for key in order {
        if let Some((sink, op_ids, rev)) = acks.remove(&key) {
            sink.ack(&key.1, op_ids, rev);
        }
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
