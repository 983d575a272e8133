//! Host controls over the board: the host locks the whole board (the others
//! look and point but change nothing) or single shapes (`"locked": true` in
//! the shape, so it is stored, synced and undone like any field).
//!
//! The host is the connection that presented the admin secret from this
//! machine ([`Author::Host`]); every other connection is a peer. The rules
//! are checked inside the room's lock, next to the change they guard, so a
//! change and a lock can never pass each other. A refused change stores and
//! relays nothing; its `ERROR` (code `locked`) names the op, so the author
//! drops it instead of sending it again.

use super::*;
use crate::protocol::payloads::Lock;

/// Who sent a change: the host's own page may change anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    /// The connection with the admin secret, from this machine.
    Host,
    Peer,
}

/// A document change, as far as the lock rules need to see it.
pub(super) enum Change<'a> {
    Add {
        id: &'a str,
        shape: Option<&'a Object>,
    },
    Update {
        id: &'a str,
        updates: &'a Object,
    },
    Delete {
        ids: &'a [String],
    },
}

/// The field that locks a shape.
const LOCKED_FIELD: &str = "locked";

/// Refuses a peer's change that the lock forbids: any change while the
/// board is locked; a change of a locked shape; locking a shape. A replay
/// of an op applied before passes, so that it is acknowledged again.
pub(super) fn may_change(
    doc: &Doc,
    author: Author,
    op_id: Option<&str>,
    change: Change<'_>,
) -> Result<(), ProtocolError> {
    if author == Author::Host || doc.seen(op_id) {
        return Ok(());
    }
    if doc.locked() {
        return Err(ProtocolError::new(
            ErrorCode::Locked,
            "the host has locked the board: you can look and point, but not change anything",
        ));
    }
    let fields = match &change {
        Change::Add { shape, .. } => *shape,
        Change::Update { updates, .. } => Some(*updates),
        Change::Delete { .. } => None,
    };
    if fields.is_some_and(|f| f.get(LOCKED_FIELD) == Some(&Value::Bool(true))) {
        return Err(ProtocolError::new(
            ErrorCode::Locked,
            "only the host can lock a shape",
        ));
    }
    let locked = match change {
        Change::Add { id, .. } | Change::Update { id, .. } => doc.shape_locked(id),
        Change::Delete { ids } => ids.iter().any(|id| doc.shape_locked(id)),
    };
    if locked {
        return Err(ProtocolError::new(
            ErrorCode::Locked,
            "the host has locked this shape: only the host can move, change or delete it",
        ));
    }
    Ok(())
}

impl Room {
    /// Locks or unlocks the board at the host's request: kept with the
    /// room (it survives a restart of the host), and told to everyone in it,
    /// watchers too (`LOCK {locked}`). `Some(false)` when it already was
    /// so; None when the room was just unloaded (fetch it again).
    pub fn set_locked(&self, locked: bool) -> Option<bool> {
        let mut state = self.lock();
        if state.retired {
            return None;
        }
        let mut writes = Vec::new();
        if !state.doc.set_locked(locked, &mut writes) {
            return Some(false);
        }
        self.store
            .submit(Commit::new(self.name.clone(), writes, None));
        let f = frame(&ServerMessage::Lock(Lock { locked }));
        for conn in state.audience() {
            conn.outbox.push(f.clone());
        }
        Some(true)
    }

    /// Whether the host locked the board.
    pub fn is_locked(&self) -> bool {
        self.lock().doc.locked()
    }
}
