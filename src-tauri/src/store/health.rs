//! Whether the host can save: set by the writer, read by rooms and `/api/health`.
//!
//! Why a shared flag rather than an error per write: once a batch has failed,
//! every change the host would apply next would be relayed to the room as if
//! it were saved. Rooms read [`StorageHealth::is_ok`] before applying a
//! change (one atomic load), and follow [`StorageHealth::changes`] to revert
//! to what is on disk when saving fails and to ask for replays when it works
//! again.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use tokio::sync::watch;

/// What the host can do with its disk now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageState {
    /// Writes succeed.
    Ok,
    /// The last write failed; nothing is acknowledged until one succeeds.
    Failed(StorageFault),
}

/// Why the host cannot save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageFault {
    /// The error, as the database or the file system gave it.
    pub reason: String,
    /// The disk is full (so freeing space is the remedy).
    pub disk_full: bool,
    /// The database keeps this error until it is opened again: only a
    /// restart of the host lets it save again.
    pub restart_needed: bool,
    /// When saving first failed (unchanged while it goes on failing).
    pub since: SystemTime,
}

impl StorageFault {
    /// One sentence for people: what happened and what to do.
    pub fn message(&self) -> String {
        let remedy = match (self.disk_full, self.restart_needed) {
            (true, true) => "free space on the host's disk, then restart CoCo",
            (true, false) => "free space on the host's disk; CoCo saves again by itself",
            (false, true) => "restart CoCo on the host",
            (false, false) => "CoCo tries again by itself",
        };
        format!(
            "the host cannot save changes ({}): nothing new is kept until it can; {remedy}",
            self.reason
        )
    }
}

/// The shared storage state. Cheap to clone.
#[derive(Clone)]
pub struct StorageHealth {
    inner: Arc<Inner>,
}

struct Inner {
    ok: AtomicBool,
    /// Faults begun so far: a room that saw fewer must revert to disk, even
    /// when the fault is already over by the time it looks.
    episodes: AtomicU64,
    state: watch::Sender<StorageState>,
}

impl Default for StorageHealth {
    fn default() -> Self {
        StorageHealth {
            inner: Arc::new(Inner {
                ok: AtomicBool::new(true),
                episodes: AtomicU64::new(0),
                state: watch::Sender::new(StorageState::Ok),
            }),
        }
    }
}

impl StorageHealth {
    /// Whether writes succeed now. Cheap: read before every change.
    pub fn is_ok(&self) -> bool {
        self.inner.ok.load(Ordering::Acquire)
    }

    /// How many faults have begun since the host started.
    pub fn episodes(&self) -> u64 {
        self.inner.episodes.load(Ordering::Acquire)
    }

    /// The fault, while there is one.
    pub fn fault(&self) -> Option<StorageFault> {
        match &*self.inner.state.borrow() {
            StorageState::Ok => None,
            StorageState::Failed(fault) => Some(fault.clone()),
        }
    }

    /// Told on every change between [`StorageState::Ok`] and a fault.
    pub fn changes(&self) -> watch::Receiver<StorageState> {
        self.inner.state.subscribe()
    }

    /// A write failed. The first failure is announced; later ones keep its
    /// time and only sharpen what is known (a latched error).
    pub fn fail(&self, reason: String, disk_full: bool, restart_needed: bool) {
        self.inner.ok.store(false, Ordering::Release);
        self.inner.state.send_if_modified(|state| match state {
            StorageState::Ok => {
                self.inner.episodes.fetch_add(1, Ordering::AcqRel);
                *state = StorageState::Failed(StorageFault {
                    reason,
                    disk_full,
                    restart_needed,
                    since: SystemTime::now(),
                });
                true
            }
            StorageState::Failed(fault) => {
                let sharper =
                    (restart_needed && !fault.restart_needed) || (disk_full && !fault.disk_full);
                if sharper {
                    fault.restart_needed |= restart_needed;
                    fault.disk_full |= disk_full;
                    fault.reason = reason;
                }
                sharper
            }
        });
    }

    /// A write succeeded after a fault.
    pub fn recover(&self) {
        self.inner.state.send_if_modified(|state| {
            let was_failed = matches!(state, StorageState::Failed(_));
            *state = StorageState::Ok;
            was_failed
        });
        self.inner.ok.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_is_announced_once_and_recovery_clears_it() {
        let health = StorageHealth::default();
        let mut changes = health.changes();
        assert!(health.is_ok());
        health.fail("disk full".into(), true, false);
        assert!(!health.is_ok());
        assert!(changes.has_changed().unwrap());
        assert_eq!(health.episodes(), 1);
        let first = health.fault().unwrap();
        changes.mark_unchanged();
        health.fail("disk full".into(), true, false);
        assert!(!changes.has_changed().unwrap(), "the same fault again");
        health.fail("latched".into(), true, true);
        assert!(changes.has_changed().unwrap(), "now a restart is needed");
        let sharper = health.fault().unwrap();
        assert!(sharper.restart_needed);
        assert_eq!(sharper.since, first.since);
        assert!(sharper.message().contains("restart CoCo"));
        health.recover();
        assert!(health.is_ok());
        assert_eq!(health.fault(), None);
        health.fail("again".into(), false, false);
        assert_eq!(health.episodes(), 2, "a new fault after a recovery");
    }
}
