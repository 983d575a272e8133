//! Storyboards on disk: the sled tree `storyboards`, one key per storyboard
//! (`ROOM \0 ID`, so a room's boards are one prefix scan), its JSON as the
//! value. An id → room map, built at start, finds a board by id alone.

use std::collections::HashMap;

use super::Storyboard;

pub(super) struct Disk {
    tree: sled::Tree,
    rooms: HashMap<String, String>,
}

fn key(room: &str, id: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(room.len() + 1 + id.len());
    key.extend_from_slice(room.as_bytes());
    key.push(0);
    key.extend_from_slice(id.as_bytes());
    key
}

impl Disk {
    /// Opens the tree; an entry that no longer parses is dropped (and logged)
    /// rather than stopping the host.
    pub fn open(db: &sled::Db) -> Result<Disk, sled::Error> {
        let tree = db.open_tree("storyboards")?;
        let mut rooms = HashMap::new();
        for entry in tree.iter() {
            let (k, value) = entry?;
            match serde_json::from_slice::<Storyboard>(&value) {
                Ok(board) if k == key(&board.room, &board.id) => {
                    rooms.insert(board.id, board.room);
                }
                _ => {
                    tracing::warn!("dropping an unreadable storyboard entry");
                    tree.remove(k)?;
                }
            }
        }
        Ok(Disk { tree, rooms })
    }

    pub fn get(&self, id: &str) -> Result<Option<Storyboard>, sled::Error> {
        let Some(room) = self.rooms.get(id) else {
            return Ok(None);
        };
        let value = self.tree.get(key(room, id))?;
        Ok(value.and_then(|v| serde_json::from_slice(&v).ok()))
    }

    /// The room's storyboards, oldest first (the first is the default).
    pub fn in_room(&self, room: &str) -> Result<Vec<Storyboard>, sled::Error> {
        let mut prefix = room.as_bytes().to_vec();
        prefix.push(0);
        let mut boards = Vec::new();
        for entry in self.tree.scan_prefix(prefix) {
            let (_, value) = entry?;
            if let Ok(board) = serde_json::from_slice::<Storyboard>(&value) {
                boards.push(board);
            }
        }
        boards.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        Ok(boards)
    }

    /// Writes and flushes: a change is on disk before anyone hears of it.
    pub fn put(&mut self, board: &Storyboard) -> Result<(), sled::Error> {
        let json = serde_json::to_vec(board).expect("storyboards serialize");
        self.tree.insert(key(&board.room, &board.id), json)?;
        self.tree.flush()?;
        self.rooms.insert(board.id.clone(), board.room.clone());
        Ok(())
    }

    pub fn remove(&mut self, board: &Storyboard) -> Result<(), sled::Error> {
        self.tree.remove(key(&board.room, &board.id))?;
        self.tree.flush()?;
        self.rooms.remove(&board.id);
        Ok(())
    }
}
