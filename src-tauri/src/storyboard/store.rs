//! Storyboards on disk: the table [`TableName::Storyboards`], one key per
//! storyboard (`ROOM \0 ID`, so a room's boards are one prefix scan), its
//! JSON as the value. An id → room map, built at start, finds a board by id
//! alone.

use std::collections::HashMap;

use super::Storyboard;
use crate::store::{JsonRecord, Store, StoreError, Table, TableName};

impl JsonRecord for Storyboard {}

pub(super) struct Disk {
    table: Table<Storyboard>,
    rooms: HashMap<String, String>,
}

fn key(room: &str, id: &str) -> String {
    format!("{room}\0{id}")
}

impl Disk {
    /// Opens the table; an entry that no longer parses is dropped (and
    /// logged) rather than stopping the host.
    pub fn open(store: &Store) -> Result<Disk, StoreError> {
        let table = store.table::<Storyboard>(TableName::Storyboards)?;
        let mut rooms = HashMap::new();
        let mut damaged = table.batch();
        for entry in table.scan("")? {
            match entry.value {
                Some(board) if entry.key == key(&board.room, &board.id) => {
                    rooms.insert(board.id, board.room);
                }
                _ => {
                    tracing::warn!("dropping an unreadable storyboard entry");
                    damaged.remove(&entry.key);
                }
            }
        }
        if !damaged.is_empty() {
            table.write(damaged)?;
        }
        Ok(Disk { table, rooms })
    }

    pub fn get(&self, id: &str) -> Result<Option<Storyboard>, StoreError> {
        let Some(room) = self.rooms.get(id) else {
            return Ok(None);
        };
        self.table.get(&key(room, id))
    }

    /// The room's storyboards, oldest first (the first is the default).
    pub fn in_room(&self, room: &str) -> Result<Vec<Storyboard>, StoreError> {
        let mut boards: Vec<Storyboard> = self
            .table
            .scan(&format!("{room}\0"))?
            .into_iter()
            .filter_map(|entry| entry.value)
            .collect();
        boards.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(boards)
    }

    /// On disk before anyone hears of it.
    pub fn put(&mut self, board: &Storyboard) -> Result<(), StoreError> {
        self.table.put(&key(&board.room, &board.id), board)?;
        self.rooms.insert(board.id.clone(), board.room.clone());
        Ok(())
    }

    pub fn remove(&mut self, board: &Storyboard) -> Result<(), StoreError> {
        self.table.remove(&key(&board.room, &board.id))?;
        self.rooms.remove(&board.id);
        Ok(())
    }
}
