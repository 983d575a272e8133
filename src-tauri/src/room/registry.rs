//! The rooms held in memory, loaded from disk on first use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, watch, OnceCell};

use super::{Doc, Presence, Recorder, Revoked, Room, SeatEvent, MAX_HISTORY_BYTES_PER_ROOM};
use crate::protocol::limits::MAX_LOADED_ROOMS;
use crate::protocol::Frame;
use crate::store::{Store, StoreError, StoreHandle};

#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    #[error("the host has {MAX_LOADED_ROOMS} rooms open, its limit")]
    TooManyRooms,
    #[error("the room could not be loaded: {0}")]
    Load(#[from] StoreError),
}

/// Every loaded room by name. Cheap to clone.
#[derive(Clone)]
pub struct Rooms {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    writer: StoreHandle,
    rooms: Mutex<HashMap<String, Arc<OnceCell<Arc<Room>>>>>,
    presence: Presence,
    revoked: Revoked,
    /// Bytes of history kept per room; 0: history is off.
    history_budget: u64,
}

impl Rooms {
    pub fn new(store: Store, writer: StoreHandle) -> Rooms {
        Rooms::with_history(store, writer, MAX_HISTORY_BYTES_PER_ROOM)
    }

    /// Rooms keeping `history_budget` bytes of history each (0: none).
    pub fn with_history(store: Store, writer: StoreHandle, history_budget: u64) -> Rooms {
        Rooms {
            inner: Arc::new(Inner {
                store,
                writer,
                history_budget,
                rooms: Mutex::new(HashMap::new()),
                presence: Presence::default(),
                revoked: Revoked::default(),
            }),
        }
    }

    /// The room called `name`, read from disk the first time. Concurrent
    /// first joins wait for one load.
    pub async fn get(&self, name: &str) -> Result<Arc<Room>, RoomError> {
        let cell = {
            let mut rooms = self.inner.rooms.lock().expect("rooms lock");
            if !rooms.contains_key(name) && rooms.len() >= MAX_LOADED_ROOMS {
                return Err(RoomError::TooManyRooms);
            }
            rooms.entry(name.to_string()).or_default().clone()
        };
        let room = cell
            .get_or_try_init(|| async {
                // A room unloaded a moment ago may still have writes queued.
                self.inner.writer.barrier().await;
                let store = self.inner.store.clone();
                let owned = name.to_string();
                let (loaded, history) =
                    tokio::task::spawn_blocking(move || store.open_room(&owned))
                        .await
                        .expect("room load task")?;
                let in_history = loaded.board_in_history;
                Ok::<_, RoomError>(Room::new(
                    name,
                    Doc::from_loaded(loaded),
                    Recorder::new(name, self.inner.history_budget, history)
                        .holding_board(in_history),
                    self.inner.writer.clone(),
                    self.inner.presence.clone(),
                    self.inner.revoked.clone(),
                ))
            })
            .await?;
        Ok(room.clone())
    }

    /// Unloads the rooms nobody has been in for `idle`, so that the memory
    /// and the [`MAX_LOADED_ROOMS`] budget go to the rooms in use.
    pub fn sweep(&self, idle: Duration) -> usize {
        let mut rooms = self.inner.rooms.lock().expect("rooms lock");
        let before = rooms.len();
        // A cell still loading is kept: dropping it could load the room twice.
        rooms.retain(|_, cell| !cell.get().is_some_and(|room| room.retire_if_idle(idle)));
        before - rooms.len()
    }

    /// The database, for reading history (never for writing: rooms write
    /// through the writer).
    pub fn store(&self) -> &Store {
        &self.inner.store
    }

    /// Bytes of history kept per room; 0: history is off.
    pub fn history_budget(&self) -> u64 {
        self.inner.history_budget
    }

    /// Waits until every change queued so far is on disk (or failed).
    pub async fn barrier(&self) {
        self.inner.writer.barrier().await
    }

    /// Whether the host can save now.
    pub fn storage(&self) -> &crate::store::StorageHealth {
        self.inner.store.health()
    }

    /// The room called `name` if it is in memory (never loads it).
    pub fn find(&self, name: &str) -> Option<Arc<Room>> {
        let rooms = self.inner.rooms.lock().expect("rooms lock");
        rooms.get(name).and_then(|cell| cell.get()).cloned()
    }

    /// Every room in memory.
    pub fn loaded(&self) -> Vec<Arc<Room>> {
        let rooms = self.inner.rooms.lock().expect("rooms lock");
        rooms
            .values()
            .filter_map(|cell| cell.get())
            .cloned()
            .collect()
    }

    /// Changes whenever someone takes or leaves a seat in any room, so the
    /// LAN announcement can say how many seats are free without polling.
    pub fn occupancy(&self) -> watch::Receiver<u64> {
        self.inner.presence.occupancy()
    }

    /// Who took or left a seat, in any room, from now on: for the people
    /// watching the host (its terminal, its window title).
    pub fn seat_events(&self) -> broadcast::Receiver<SeatEvent> {
        self.inner.presence.events()
    }

    /// People seated in the room called `name` (none when it is not loaded).
    pub fn seated(&self, name: &str) -> usize {
        self.find(name).map_or(0, |room| room.member_count())
    }

    /// Sends a host-originated frame to everyone seated in any room.
    pub fn broadcast(&self, f: &Frame) {
        for room in self.loaded() {
            room.broadcast(f);
        }
    }

    /// Rooms in memory and people seated across them.
    pub fn summary(&self) -> (usize, usize) {
        let rooms = self.inner.rooms.lock().expect("rooms lock");
        let people = rooms
            .values()
            .filter_map(|cell| cell.get())
            .map(|room| room.member_count())
            .sum();
        (rooms.len(), people)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{parse, ClientMessage};
    use crate::room::{Conn, Outbox};
    use crate::store::spawn_writer;
    use tokio_util::sync::CancellationToken;

    fn conn(id: u64) -> Conn {
        Conn {
            id,
            outbox: Arc::new(Outbox::new()),
        }
    }

    fn add(id: &str) -> ClientMessage {
        parse(&format!(
            r#"{{"type":"SHAPE_ADDED","payload":{{"shape":{{"id":"{id}","type":"line"}}}}}}"#
        ))
        .unwrap()
    }

    #[tokio::test]
    async fn loaded_rooms_are_limited_at_the_limit_and_past_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (writer, _task) = spawn_writer(store.clone(), CancellationToken::new());
        let rooms = Rooms::new(store, writer);
        let names: Vec<String> = (0..MAX_LOADED_ROOMS).map(|i| format!("r{i}")).collect();
        let loads = names.iter().map(|n| rooms.get(n));
        for loaded in futures_util::future::join_all(loads).await {
            loaded.unwrap();
        }
        assert_eq!(rooms.summary().0, MAX_LOADED_ROOMS);
        // A room already loaded is still served; a new one is refused...
        assert!(rooms.get("r0").await.is_ok());
        assert!(matches!(
            rooms.get("one-more").await,
            Err(RoomError::TooManyRooms)
        ));
        // ...until idle rooms are unloaded.
        rooms.sweep(Duration::ZERO);
        assert!(rooms.get("one-more").await.is_ok());
    }

    #[tokio::test]
    async fn occupancy_changes_when_a_seat_is_taken_or_freed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (writer, _task) = spawn_writer(store.clone(), CancellationToken::new());
        let rooms = Rooms::new(store, writer);
        let mut occupancy = rooms.occupancy();
        let room = rooms.get("art").await.unwrap();
        assert!(!occupancy.has_changed().unwrap(), "loading is not a change");
        room.join(&conn(1), "ann", "Ann".into(), None).unwrap();
        assert!(occupancy.has_changed().unwrap());
        occupancy.mark_unchanged();
        room.leave("someone-else", 1);
        assert!(!occupancy.has_changed().unwrap(), "nobody left");
        room.leave("ann", 1);
        assert!(occupancy.has_changed().unwrap());
    }

    #[tokio::test]
    async fn seat_events_say_who_came_and_went_but_not_reconnects() {
        use crate::room::{SeatChange, SeatEvent};
        use tokio::sync::broadcast::error::TryRecvError;
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (writer, _task) = spawn_writer(store.clone(), CancellationToken::new());
        let rooms = Rooms::new(store, writer);
        let mut events = rooms.seat_events();
        let room = rooms.get("art").await.unwrap();
        let ann = room
            .join(&conn(1), "ann", "Ann".into(), None)
            .unwrap()
            .unwrap();
        room.join(&conn(2), "bo", "Bo".into(), None).unwrap();
        // Ann again on a new connection, with her seat secret: a reconnect.
        let again = super::super::Claim {
            user_id: "ann",
            username: "Ann".into(),
            position: None,
            secret: Some(&ann.secret),
            peer: std::net::Ipv4Addr::LOCALHOST.into(),
            patient: false,
        };
        room.claim(&conn(3), again).unwrap();
        room.leave("ann", 1);
        room.leave("bo", 2);
        let event = |username: &str, seat, change, seated| SeatEvent {
            room: "art".into(),
            username: username.into(),
            seat,
            change,
            seated,
        };
        use crate::protocol::Seat::{TopLeft, TopRight};
        assert_eq!(
            events.try_recv().unwrap(),
            event("Ann", TopLeft, SeatChange::Joined, 1)
        );
        assert_eq!(
            events.try_recv().unwrap(),
            event("Bo", TopRight, SeatChange::Joined, 2)
        );
        // Leaving from the replaced connection frees nothing.
        assert_eq!(
            events.try_recv().unwrap(),
            event("Bo", TopRight, SeatChange::Left, 1)
        );
        assert_eq!(events.try_recv(), Err(TryRecvError::Empty));
    }

    #[tokio::test]
    async fn an_idle_room_is_unloaded_and_read_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (writer, _task) = spawn_writer(store.clone(), CancellationToken::new());
        let rooms = Rooms::new(store, writer);
        let room = rooms.get("art").await.unwrap();
        let c = conn(1);
        let joined = room.join(&c, "ann", "Ann".into(), None).unwrap().unwrap();
        room.handle(&c, &joined.user_id, add("s1")).unwrap();
        // Someone is seated: the room stays.
        assert_eq!(rooms.sweep(Duration::ZERO), 0);
        room.leave("ann", 1);
        assert_eq!(
            rooms.sweep(Duration::from_secs(3600)),
            0,
            "not idle long enough"
        );
        assert_eq!(rooms.sweep(Duration::ZERO), 1);
        assert_eq!(rooms.summary().0, 0);
        // The old instance refuses joins; the registry reads the room back,
        // including the write that may still have been queued.
        assert!(room
            .join(&conn(2), "bob", "Bob".into(), None)
            .unwrap()
            .is_none());
        let again = rooms.get("art").await.unwrap();
        assert!(!Arc::ptr_eq(&room, &again));
        assert_eq!(again.stats(), (1, 1));
    }
}
