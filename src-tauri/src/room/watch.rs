//! Watchers: people past the four seats (a class around a projector) who
//! see the board, the cursors and the laser live and change nothing.
//!
//! A watcher holds no seat and no secret; it is a connection in the
//! room's audience (every relay and host event reaches it) that may only
//! ask for the board. At most [`MAX_WATCHERS_PER_ROOM`] per room. When a
//! seat frees, a watcher's client asks for it with a plain `JOIN_ROOM`.

use super::*;
use crate::protocol::limits::MAX_WATCHERS_PER_ROOM;
use crate::protocol::payloads::Watching;

/// One watching connection.
pub(super) struct Watcher {
    pub conn: Conn,
}

/// The outcome of [`Room::watch`].
#[derive(Debug, PartialEq, Eq)]
pub enum Watched {
    Watching,
    /// The room was just unloaded: fetch it from the registry again.
    Retired,
}

impl Room {
    /// Lets `conn` watch under `user_id`: `WATCHING` to it (who is seated,
    /// how many watch); it then asks for the board like anyone
    /// (`REQUEST_SYNC`). Watching again on the same connection changes
    /// nothing.
    pub fn watch(&self, conn: &Conn, user_id: &str) -> Result<Watched, ProtocolError> {
        self.refuse_removed(user_id)?;
        let mut state = self.lock();
        if state.retired {
            return Ok(Watched::Retired);
        }
        if state
            .seats
            .find(user_id)
            .is_some_and(|m| m.conn.id == conn.id)
        {
            return Err(ProtocolError::invalid(
                "this connection holds a seat; it cannot also watch",
            ));
        }
        if !state.watchers.iter().any(|w| w.conn.id == conn.id) {
            if state.watchers.len() >= MAX_WATCHERS_PER_ROOM {
                return Err(ProtocolError::new(
                    ErrorCode::RoomFull,
                    format!(
                        "all four seats and all {MAX_WATCHERS_PER_ROOM} watching places of this room are taken; try again later"
                    ),
                ));
            }
            state.watchers.push(Watcher { conn: conn.clone() });
        }
        conn.outbox.push(frame(&ServerMessage::Watching(Watching {
            user_id,
            room: &self.name,
            rev: state.doc.rev(),
            users: state.seats.members().map(Member::describe).collect(),
            watchers: state.watchers.len(),
            locked: state.doc.locked(),
        })));
        Ok(Watched::Watching)
    }

    /// The connection stops watching (it closed, or took a seat).
    pub fn unwatch(&self, conn_id: u64) {
        self.lock().watchers.retain(|w| w.conn.id != conn_id);
    }

    /// People watching now.
    pub fn watcher_count(&self) -> usize {
        self.lock().watchers.len()
    }

    /// Applies one message from a watcher: it may ask for the board and
    /// nothing else.
    pub fn handle_watcher(&self, conn: &Conn, msg: ClientMessage) -> Result<(), ProtocolError> {
        match msg {
            ClientMessage::RequestSync(request) => {
                let mut state = self.lock();
                conn.outbox.push_all(state.doc.answer(&request));
                Ok(())
            }
            // Where a watcher looks is its own affair: not relayed, not refused.
            ClientMessage::Viewport(_) => Ok(()),
            _ => Err(ProtocolError::new(
                ErrorCode::Watching,
                "you are watching this room: take a seat (JOIN_ROOM) when one is free to draw or point",
            )),
        }
    }
}
