//! Keyframes written off the acknowledgement path.
//!
//! Why: a keyframe is the whole board (megabytes on a big board), while the
//! change entries are a few hundred bytes. Written inside a group-commit
//! batch, it made that batch's write and fsync, and so every ack in it,
//! wait. A keyframe is only an accelerator: the board at any revision is
//! also the previous keyframe plus the change entries after it, which stay
//! in the same atomic batch as their change. So a keyframe is handed to
//! this worker once the batch that made its revision is durable and
//! acknowledged; the worker encodes it (off every room lock and off the
//! writer), stores it as one record, and confirms it after the next flush.
//!
//! What keeps history right if a keyframe is lost (a crash before it was
//! flushed, or a failed write): until it is confirmed, its revision is
//! *pending* in the room's [`KeyframeLedger`], and thinning never removes
//! the entries that lead up to a pending keyframe. After a restart, a
//! segment whose keyframe is missing is merged into the one before it
//! (see `Store::history_state`), whose keyframe plus entries rebuild it.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::writer::{Backend, Commit};

/// Keyframes handed to the worker and not yet confirmed durable, per room.
#[derive(Debug, Default)]
pub struct KeyframeLedger {
    pending: Mutex<BTreeSet<u64>>,
}

impl KeyframeLedger {
    fn set(&self) -> std::sync::MutexGuard<'_, BTreeSet<u64>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A keyframe at `rev` is on its way to disk.
    pub fn add(&self, rev: u64) {
        self.set().insert(rev);
    }

    /// The keyframe at `rev` is durable.
    pub fn confirm(&self, rev: u64) {
        self.set().remove(&rev);
    }

    /// Whether the keyframe at `rev` may still be missing after a crash
    /// (so the entries before it must stay).
    pub fn is_pending(&self, rev: u64) -> bool {
        self.set().contains(&rev)
    }
}

/// A keyframe to write: the board's shapes at `rev`, shared with the room
/// (cloning them under the room lock copies ids and pointers, no JSON).
#[derive(Debug, Clone)]
pub struct DeferredKeyframe {
    pub room: Arc<str>,
    pub rev: u64,
    pub t: u64,
    pub shapes: Vec<(String, Arc<str>)>,
    pub ledger: Arc<KeyframeLedger>,
}

/// What the writer hands the worker, in batch order.
pub(super) enum Job {
    Keyframe(DeferredKeyframe),
    /// Told once every keyframe handed over before it is stored, so that a
    /// room loaded after a barrier sees them.
    Drained(oneshot::Sender<()>),
}

/// Starts the worker; it ends once the writer drops its sender.
pub(super) fn spawn<B: Backend>(
    backend: B,
    writer: mpsc::WeakUnboundedSender<Commit>,
    finish: CancellationToken,
) -> (mpsc::UnboundedSender<Job>, JoinHandle<()>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (tx, tokio::spawn(run(backend, writer, rx, finish)))
}

/// Why a weak sender: the writer ends when every room's handle is gone,
/// which the worker must not prevent.
async fn run<B: Backend>(
    backend: B,
    writer: mpsc::WeakUnboundedSender<Commit>,
    mut rx: mpsc::UnboundedReceiver<Job>,
    finish: CancellationToken,
) {
    while let Some(job) = rx.recv().await {
        let mut stored = Vec::new();
        let mut next = Some(job);
        // Everything queued now is stored before one flush confirms it all.
        while let Some(job) = next.take() {
            match job {
                Job::Keyframe(kf) => {
                    let b = backend.clone();
                    let ledger = kf.ledger.clone();
                    let rev = kf.rev;
                    match tokio::task::spawn_blocking(move || b.put_keyframe(&kf)).await {
                        Ok(Ok(())) => stored.push((ledger, rev)),
                        Ok(Err(e)) => tracing::warn!("a history keyframe was not written: {e}"),
                        Err(e) => tracing::warn!("the keyframe task failed: {e}"),
                    }
                }
                Job::Drained(done) => {
                    let _ = done.send(());
                }
            }
            next = rx.try_recv().ok();
        }
        if stored.is_empty() {
            continue;
        }
        // Confirmed only by a flush that succeeded after they were stored;
        // a host shutting down flushes them itself (they stay pending).
        let (tx, flushed) = oneshot::channel();
        let mut commit = Commit::new(Arc::from(""), Vec::new(), None);
        commit.flushed = Some(tx);
        if writer.upgrade().is_none_or(|tx| tx.send(commit).is_err()) {
            continue;
        }
        let ok = tokio::select! {
            ok = flushed => ok.unwrap_or(false),
            _ = finish.cancelled() => false,
        };
        if ok {
            for (ledger, rev) in stored {
                ledger.confirm(rev);
            }
        }
    }
}
