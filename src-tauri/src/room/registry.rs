//! The rooms held in memory, loaded from disk on first use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::{Doc, Room};
use crate::protocol::limits::MAX_LOADED_ROOMS;
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
}

impl Rooms {
    pub fn new(store: Store, writer: StoreHandle) -> Rooms {
        Rooms {
            inner: Arc::new(Inner {
                store,
                writer,
                rooms: Mutex::new(HashMap::new()),
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
                let store = self.inner.store.clone();
                let owned = name.to_string();
                let loaded = tokio::task::spawn_blocking(move || store.load_room(&owned))
                    .await
                    .expect("room load task")?;
                Ok::<_, RoomError>(Room::new(
                    name,
                    Doc::from_loaded(loaded),
                    self.inner.writer.clone(),
                ))
            })
            .await?;
        Ok(room.clone())
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
