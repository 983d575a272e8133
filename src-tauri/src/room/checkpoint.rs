//! Marks in a room's history (who came and went) and checkpoints: named
//! ones on request, and one made when the last person leaves.

use std::sync::Arc;

use tokio::sync::oneshot;

use super::history::{now_ms, who};
use super::{Room, State};
use crate::protocol::{ProtocolError, Seat};
use crate::store::history::{Checkpoint, EntryKind, HistoryEntry};
use crate::store::Commit;

/// Most checkpoints kept per room.
pub const MAX_CHECKPOINTS_PER_ROOM: u64 = 200;
/// Longest checkpoint name, in characters.
pub const MAX_CHECKPOINT_NAME_CHARS: usize = 80;
/// The name of the checkpoint made when the last person leaves.
pub const AUTO_CHECKPOINT_NAME: &str = "Last person left";

/// Why a checkpoint was not made.
#[derive(Debug)]
pub enum CheckpointRefusal {
    /// The host runs with history off.
    Off,
    /// The room has [`MAX_CHECKPOINTS_PER_ROOM`] already.
    Limit,
    /// The host cannot save now.
    Storage(ProtocolError),
}

impl Room {
    /// Records that someone came or went, at the board's revision now.
    pub(super) fn mark_seat(
        &self,
        state: &mut State,
        kind: EntryKind,
        user_id: &Arc<str>,
        name: &str,
        seat: Seat,
    ) {
        let entry = HistoryEntry {
            kind,
            t: now_ms(),
            who: Some(who(user_id, name, seat)),
            restore: None,
            shapes: Vec::new(),
            checkpoint: None,
        };
        let mut writes = Vec::new();
        let empty = state.seats.count() == 0;
        let State { doc, history, .. } = state;
        history.mark(doc, entry, &mut writes);
        if kind == EntryKind::Leave
            && empty
            && doc.rev() > 0
            && history.changed_since_checkpoint(doc)
            && history.checkpoints() < MAX_CHECKPOINTS_PER_ROOM
        {
            history.checkpoint(doc, AUTO_CHECKPOINT_NAME.into(), None, &mut writes);
        }
        if !writes.is_empty() {
            self.store
                .submit(Commit::new(self.name.clone(), writes, None));
        }
    }

    /// A named checkpoint of the board as it is now. The receiver is told
    /// once the batch holding it has been through the writer (the caller
    /// then checks that saving works, as for every durable answer).
    pub fn checkpoint(
        &self,
        name: String,
        by: Option<&str>,
    ) -> Result<(Checkpoint, oneshot::Receiver<()>), CheckpointRefusal> {
        let mut state = self.lock();
        if !state.history.on() {
            return Err(CheckpointRefusal::Off);
        }
        if let Some(refused) = self.storage_refusal(&state) {
            return Err(CheckpointRefusal::Storage(refused));
        }
        if state.history.checkpoints() >= MAX_CHECKPOINTS_PER_ROOM {
            return Err(CheckpointRefusal::Limit);
        }
        let member = by.and_then(|id| state.seats.find(id));
        let who = match (by, member) {
            (_, Some(m)) => Some(who(&m.user_id, &m.username, m.seat)),
            (Some(id), None) => Some(crate::store::history::Who {
                user_id: id.into(),
                name: "".into(),
                seat: "",
            }),
            (None, None) => Some(crate::store::history::Who {
                user_id: "".into(),
                name: "".into(),
                seat: "",
            }),
        };
        let mut writes = Vec::new();
        let State { doc, history, .. } = &mut *state;
        let checkpoint = history
            .checkpoint(doc, name, who, &mut writes)
            .ok_or(CheckpointRefusal::Off)?;
        let (tx, rx) = oneshot::channel();
        let mut commit = Commit::new(self.name.clone(), writes, None);
        commit.done = Some(tx);
        self.store.submit(commit);
        Ok((checkpoint, rx))
    }

    /// Whether the host keeps history for this room.
    pub fn history_on(&self) -> bool {
        self.lock().history.on()
    }
}
