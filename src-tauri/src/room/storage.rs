//! What rooms do when the host cannot save, and when it can again.
//!
//! A failed batch leaves each room's document holding changes that are not
//! on disk (and their op ids, so a replay would look like a duplicate). The
//! database cannot say which: it answers reads from memory, failed flush
//! or not. So while the fault lasts every change is refused with
//! `storage_failed` (the author keeps it), nothing is relayed as if it were
//! saved, and everyone is told. When writes succeed again each room that
//! was in memory is written whole, in one commit queued before any change
//! it takes next: what people saw is then on disk, and a replayed op is
//! acknowledged only after that commit is durable. Then everyone gets a
//! full `SYNC_SHAPES`, after which each client resends what it kept.
//!
//! The database may keep a failed write's error until it is opened again
//! ([`crate::store::StorageFault::restart_needed`]); the recovery is then a restart: the room is then read from disk, and
//! the clients replay whatever was not acknowledged.

use tokio_util::sync::CancellationToken;

use super::{Room, Rooms, State};
use crate::protocol::{error_frame, ErrorCode, Frame, ProtocolError};
use crate::store::{Commit, StorageHealth};

impl Room {
    /// Why a change is refused now: the host cannot save, or the room must
    /// be written whole first.
    pub(super) fn storage_refusal(&self, state: &State) -> Option<ProtocolError> {
        if let Some(fault) = self.store.health().fault() {
            return Some(ProtocolError::new(
                ErrorCode::StorageFailed,
                format!("{}; your change is kept and sent again", fault.message()),
            ));
        }
        state.needs_rewrite.then(|| {
            ProtocolError::new(
                ErrorCode::StorageFailed,
                "the host is saving this room again; your change is kept and sent again",
            )
        })
    }

    /// [`Room::storage_refusal`] as an `ERROR` frame.
    pub(super) fn refusal(&self, state: &State) -> Option<Frame> {
        self.storage_refusal(state)
            .map(|e| error_frame(e.code, &e.message))
    }

    /// Saving failed: refuse changes until the room is written whole, and
    /// tell everyone why.
    fn storage_failed(&self) {
        let mut state = self.lock();
        state.needs_rewrite = true;
        if let Some(error) = self.refusal(&state) {
            for member in state.seats.members() {
                member.conn.outbox.push(error.clone());
            }
        }
    }

    /// Saving works again: queue the whole room, then take changes again
    /// and ask every client (with a full sync) for what it kept.
    fn storage_recovered(&self) {
        let mut state = self.lock();
        if !state.needs_rewrite {
            return;
        }
        let mut writes = state.doc.all_writes();
        let State { doc, history, .. } = &mut *state;
        history.after_fault(doc, &mut writes);
        history.place_board(doc, &mut writes);
        self.store
            .submit(Commit::new(self.name.clone(), writes, None));
        state.needs_rewrite = false;
        let sync = state.doc.sync(None);
        for member in state.seats.members() {
            member.conn.outbox.push(sync.clone());
        }
    }
}

/// Follows the host's storage state for as long as it runs (see the module
/// doc): rooms refuse changes when a fault begins and are written whole
/// when it ends.
pub async fn follow_storage(rooms: Rooms, health: StorageHealth, shutdown: CancellationToken) {
    let mut changes = health.changes();
    let mut seen = health.episodes();
    loop {
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { break },
            _ = shutdown.cancelled() => break,
        }
        // A fault may have begun and ended between two looks: the count says.
        let episodes = health.episodes();
        if episodes != seen {
            seen = episodes;
            tracing::warn!("saving failed: rooms take no changes until it works again");
            for room in rooms.loaded() {
                room.storage_failed();
            }
        }
        if health.is_ok() {
            for room in rooms.loaded() {
                room.storage_recovered();
            }
        }
    }
}

#[cfg(test)]
#[path = "storage_tests.rs"]
mod tests;
