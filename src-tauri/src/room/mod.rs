//! Rooms: seats, shapes, revisions and fan-out.
//!
//! A [`Room`] is shared by its members' connection tasks. Its state sits
//! behind a std `Mutex` that is never held across an `.await`: every
//! operation (apply, relay, queue for disk) is short and synchronous, and
//! holding the lock while queueing the commit keeps the order on disk equal
//! to the order in which the host applied the operations.

mod checkpoint;
mod doc;
pub mod history;
mod join;
mod live;
mod lock;
pub mod outbox;
mod presence;
mod registry;
mod revoked;
mod seats;
mod storage;
mod sync;
mod tombstones;
mod watch;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

pub use checkpoint::{
    CheckpointRefusal, AUTO_CHECKPOINT_NAME, MAX_CHECKPOINTS_PER_ROOM, MAX_CHECKPOINT_NAME_CHARS,
};
pub use doc::{Doc, Outcome};
use history::Recorded;
pub use history::{Recorder, MAX_HISTORY_BYTES_PER_ROOM};
pub use live::LaserPace;
pub use lock::Author;
use lock::{may_change, Change};
pub use outbox::{CloseReason, Live, Outbox};
pub use presence::{Presence, SeatChange, SeatEvent, SEAT_EVENT_BACKLOG};
pub use registry::{RoomError, Rooms};
pub use revoked::{Revoked, MAX_REVOKED_USERS};
use seats::{Asker, Identity, Member, Seats};
pub use seats::{Conn, SECRETLESS_RECLAIM_GRACE};
use serde_json::Value;
pub use storage::follow_storage;
pub use sync::SYNC_WORK_OFFLOAD_MIN;
pub use watch::Watched;

use crate::protocol::payloads::{Ack, Relayed, UserLeft, Welcome};
use crate::protocol::{
    check_pictures, frame, ClientMessage, ErrorCode, Frame, Object, ProtocolError, Seat,
    ServerMessage,
};
use crate::store::history::EntryKind;
use crate::store::{AckSink, Commit, PendingAck, StoreHandle, Write};

/// One room: its document, its seats, and where its writes go.
pub struct Room {
    name: Arc<str>,
    state: Mutex<State>,
    store: StoreHandle,
    /// Told whenever a seat is taken or freed (see [`Rooms::occupancy`]).
    presence: Presence,
    /// Users the host removed (shared by every room of the host).
    revoked: Revoked,
    me: Weak<Room>,
}

struct State {
    doc: Doc,
    seats: Seats,
    /// Since when nobody is seated (None while someone is).
    empty_since: Option<Instant>,
    /// Unloaded from the registry: a join must fetch the room anew.
    retired: bool,
    /// In memory when a write failed: it may hold changes that are not on
    /// disk, so it is written whole before it takes changes again.
    needs_rewrite: bool,
    /// People past the seats who look and change nothing.
    watchers: Vec<watch::Watcher>,
    /// The room's op log, written with its changes.
    history: Recorder,
}

impl State {
    /// Everyone who sees the room live: the seated, then the watchers.
    fn audience(&self) -> impl Iterator<Item = &Conn> {
        self.seats
            .members()
            .map(|m| &m.conn)
            .chain(self.watchers.iter().map(|w| &w.conn))
    }
}

/// What a successful join hands back to the connection.
#[derive(Debug, Clone)]
pub struct Joined {
    /// The id the member is seated under: the one asked for, or a new one
    /// when that one belongs to someone else.
    pub user_id: Arc<str>,
    pub seat: Seat,
    /// The seat secret sent in `WELCOME`.
    pub secret: Arc<str>,
}

/// The room a person joins when no `?room=` names one.
pub const DEFAULT_ROOM: &str = "main";

/// How long a secret-less join waits for the connection that still holds
/// its seat (from the same address) to go, before it is treated as someone
/// else's: a reload of the existing client closes the old socket and joins
/// on a new one at once.
pub const SECRETLESS_TAKEOVER_WAIT: Duration = Duration::from_secs(2);

/// The outcome of a [`Room::claim`].
#[derive(Debug)]
pub enum Claimed {
    Joined(Joined),
    /// The room was just unloaded: fetch it from the registry again.
    Retired,
    /// Held by a connection from the same address that is probably closing:
    /// ask again when a seat is freed, for at most [`SECRETLESS_TAKEOVER_WAIT`].
    Busy,
}

/// A `JOIN_ROOM`, with where it came from.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    pub user_id: &'a str,
    pub username: String,
    pub position: Option<Seat>,
    /// The seat secret the client kept, `Some("")` when it keeps secrets
    /// but has none yet, `None` for a client that knows none.
    pub secret: Option<&'a str>,
    pub peer: IpAddr,
    /// Whether the caller may wait for a seat held from the same address
    /// (else that is someone else's, at once).
    pub patient: bool,
}

impl Room {
    pub fn new(
        name: &str,
        doc: Doc,
        mut history: Recorder,
        store: StoreHandle,
        presence: Presence,
        revoked: Revoked,
    ) -> Arc<Room> {
        // A history that does not end at the board (none yet, or kept while
        // it was off) starts again from a keyframe of the board as loaded.
        let mut writes = Vec::new();
        history.resync(&doc, &mut writes);
        history.place_board(&doc, &mut writes);
        if !writes.is_empty() {
            store.submit(Commit::new(name.into(), writes, None));
        }
        Arc::new_cyclic(|me| Room {
            name: name.into(),
            state: Mutex::new(State {
                doc,
                seats: Seats::default(),
                empty_since: Some(Instant::now()),
                retired: false,
                needs_rewrite: false,
                watchers: Vec::new(),
                history,
            }),
            store,
            presence,
            revoked,
            me: me.clone(),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Members seated now.
    pub fn member_count(&self) -> usize {
        self.lock().seats.count()
    }

    /// Live shapes and the current revision.
    pub fn stats(&self) -> (usize, u64) {
        let state = self.lock();
        (state.doc.len(), state.doc.rev())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("room lock poisoned")
    }

    /// `USER_JOINED`-style descriptions of everyone seated.
    pub fn describe_members(&self) -> Vec<Value> {
        self.lock()
            .seats
            .members()
            .map(|m| serde_json::to_value(m.describe()).expect("a member serializes"))
            .collect()
    }

    /// Sends a frame the host itself originates (job progress, a finished
    /// picture) to everyone seated and watching.
    pub fn broadcast(&self, frame: &Frame) {
        let state = self.lock();
        for conn in state.audience() {
            conn.outbox.push(frame.clone());
        }
    }

    /// Removes a participant at the host's request: their socket is closed
    /// with 4001, the others see them leave, their seat secret is void and
    /// their `userId` may not join this room again while the host runs.
    pub fn kick(&self, user_id: &str) -> bool {
        let state = self.lock();
        match state.seats.find(user_id) {
            Some(member) => {
                // Before the socket closes: its leave then keeps no seat.
                self.revoked.revoke(&self.name, user_id);
                member.conn.outbox.close(CloseReason {
                    code: 4001,
                    reason: "removed by the host".into(),
                });
                true
            }
            None => false,
        }
    }

    /// Marks the room retired if nobody has been in it for `idle`; the
    /// registry then drops it and the next join reads it back from disk.
    pub fn retire_if_idle(&self, idle: Duration) -> bool {
        let mut state = self.lock();
        let idle = state.seats.count() == 0
            && state.watchers.is_empty()
            && state.empty_since.is_some_and(|t| t.elapsed() >= idle);
        if idle {
            state.retired = true;
        }
        idle
    }

    fn seats_changed(&self, event: Option<SeatEvent>) {
        self.presence.report(event);
    }

    /// Applies one message from a joined member who is not the host.
    pub fn handle(
        &self,
        conn: &Conn,
        user_id: &Arc<str>,
        msg: ClientMessage,
    ) -> Result<(), ProtocolError> {
        self.handle_as(conn, user_id, msg, Author::Peer)
    }

    /// Applies one message from a joined member; `author` says whether it
    /// is the host's own page, which changes the board even when locked.
    pub fn handle_as(
        &self,
        conn: &Conn,
        user_id: &Arc<str>,
        msg: ClientMessage,
        author: Author,
    ) -> Result<(), ProtocolError> {
        match msg {
            ClientMessage::JoinRoom { .. } => Ok(()),
            ClientMessage::CursorMove(payload) => {
                let message = ServerMessage::CursorMove(Relayed::new(&payload, user_id));
                self.relay_latest(conn, user_id, Live::Cursor, &message);
                Ok(())
            }
            ClientMessage::Viewport(payload) => {
                let message = ServerMessage::Viewport(Relayed::new(&payload, user_id));
                self.relay_latest(conn, user_id, Live::Viewport, &message);
                Ok(())
            }
            ClientMessage::Laser(payload) => {
                let message = ServerMessage::Laser(Relayed::new(&payload, user_id));
                self.relay_latest(conn, user_id, Live::Laser, &message);
                Ok(())
            }
            ClientMessage::ShapeAdded {
                shape_id,
                shape_json,
                op_id,
                payload,
            } => {
                let shape = match payload.get("shape") {
                    Some(Value::Object(shape)) => Some(shape),
                    _ => None,
                };
                let pictures = shape.map_or(Ok(()), check_pictures);
                let kind = Recorded::new(EntryKind::Add, &payload, &[]);
                self.mutate(
                    conn,
                    user_id,
                    op_id,
                    kind,
                    |rev| ServerMessage::ShapeAdded(Relayed::new(&payload, user_id).at(rev)),
                    |doc, op, w| {
                        let change = Change::Add {
                            id: &shape_id,
                            shape,
                        };
                        may_change(doc, author, op, change)?;
                        only_host_pictures(doc, op, pictures)?;
                        doc.add(&shape_id, shape_json, op, w)
                    },
                )
            }
            ClientMessage::ShapeUpdated {
                shape_id,
                updates,
                op_id,
                payload,
            } => {
                let pictures = check_pictures(&updates);
                let kind = Recorded::new(EntryKind::Update, &payload, &[]);
                self.mutate(
                    conn,
                    user_id,
                    op_id,
                    kind,
                    |rev| ServerMessage::ShapeUpdated(Relayed::new(&payload, user_id).at(rev)),
                    |doc, op, w| {
                        let change = Change::Update {
                            id: &shape_id,
                            updates: &updates,
                        };
                        may_change(doc, author, op, change)?;
                        only_host_pictures(doc, op, pictures)?;
                        doc.update(&shape_id, &updates, op, w)
                    },
                )
            }
            ClientMessage::ShapesDeleted {
                shape_ids,
                op_id,
                payload,
            } => self.mutate(
                conn,
                user_id,
                op_id,
                Recorded::new(EntryKind::Delete, &payload, &shape_ids),
                |rev| ServerMessage::ShapesDeleted(Relayed::new(&payload, user_id).at(rev)),
                |doc, op, w| {
                    may_change(doc, author, op, Change::Delete { ids: &shape_ids })?;
                    Ok(doc.delete(&shape_ids, op, w))
                },
            ),
            ClientMessage::RequestSync(request) => {
                let mut state = self.lock();
                // All parts at once, under the room's lock: every change
                // relayed after the snapshot follows the last part.
                conn.outbox.push_all(state.doc.answer(&request));
                // After the sync, which clears a client's "not saving" line.
                if let Some(error) = self.refusal(&state) {
                    conn.outbox.push(error);
                }
                Ok(())
            }
            ClientMessage::Relay { kind, payload } => {
                let f = relay(kind, &payload, user_id)?;
                let state = self.lock();
                for other in state.audience().filter(|c| c.id != conn.id) {
                    other.outbox.push(f.clone());
                }
                Ok(())
            }
            ClientMessage::Targeted {
                kind,
                target,
                payload,
            } => {
                let f = relay(kind, &payload, user_id)?;
                let state = self.lock();
                match state.seats.find(&target) {
                    Some(m) => {
                        m.conn.outbox.push(f);
                        Ok(())
                    }
                    None => Err(ProtocolError::invalid(format!(
                        "{target:?} is not in this room"
                    ))),
                }
            }
        }
    }

    /// Applies a document change, relays it (`relayed` makes the message
    /// from the new revision), and queues it for disk; the author's `ACK`
    /// follows once the batch holding it is flushed.
    fn mutate<'a>(
        &self,
        conn: &Conn,
        user_id: &Arc<str>,
        op_id: Option<String>,
        recorded: Recorded<'_>,
        relayed: impl FnOnce(u64) -> ServerMessage<'a>,
        apply: impl FnOnce(&mut Doc, Option<&str>, &mut Vec<Write>) -> Result<Outcome, ProtocolError>,
    ) -> Result<(), ProtocolError> {
        let mut state = self.lock();
        if let Some(refused) = self.storage_refusal(&state) {
            return Err(refused);
        }
        let mut writes = Vec::new();
        // A delete's entry keeps the shapes as they were ("bring back").
        let before: Vec<(String, Arc<str>)> = recorded
            .before
            .iter()
            .filter_map(|id| Some((id.clone(), state.doc.shape_json(id)?)))
            .collect();
        let outcome = apply(&mut state.doc, op_id.as_deref(), &mut writes)?;
        if let Outcome::Applied(rev) = outcome {
            let f = frame(&relayed(rev));
            for other in state.audience().filter(|c| c.id != conn.id) {
                other.outbox.push(f.clone());
            }
            let entry = recorded.entry(&state, user_id, &writes, before);
            let State { doc, history, .. } = &mut *state;
            history.change(doc, entry, &mut writes);
            history.place_board(doc, &mut writes);
        }
        if writes.is_empty() && op_id.is_none() {
            return Ok(());
        }
        let ack = op_id.map(|op_id| PendingAck {
            sink: self
                .me
                .upgrade()
                .expect("a room is alive while it handles messages")
                as Arc<dyn AckSink>,
            user_id: user_id.clone(),
            op_id,
            rev: state.doc.rev(),
        });
        // An ack-only commit still goes through the writer, so the ack for a
        // replayed op never overtakes the write of the original.
        self.store
            .submit(Commit::new(self.name.clone(), writes, ack));
        Ok(())
    }
}

impl AckSink for Room {
    fn ack(&self, user_id: &str, op_ids: Vec<String>, rev: u64) {
        let state = self.lock();
        if let Some(member) = state.seats.find(user_id) {
            member.conn.outbox.push(frame(&ServerMessage::Ack(Ack {
                op_ids: &op_ids,
                rev,
            })));
        }
    }
}

/// Refuses a shape or update naming a picture the host did not issue
/// ([`check_pictures`]): nothing is stored or relayed, and the `ERROR`
/// carries the op id so the author drops the operation. A replay of an op
/// applied before is still acknowledged.
fn only_host_pictures(
    doc: &Doc,
    op_id: Option<&str>,
    pictures: Result<(), ProtocolError>,
) -> Result<(), ProtocolError> {
    if doc.seen(op_id) {
        return Ok(());
    }
    pictures
}

/// A status or webcam message passed on with the host-checked `userId`.
fn relay(kind: &str, payload: &Object, user_id: &str) -> Result<Frame, ProtocolError> {
    ServerMessage::relay(kind, Relayed::new(payload, user_id))
        .map(|message| frame(&message))
        .ok_or_else(|| ProtocolError::new(ErrorCode::UnknownType, format!("{kind} is not relayed")))
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod wire_tests;
