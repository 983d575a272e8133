//! Durable state in sled, under the data directory.
//!
//! Rooms are written by one group-commit task ([`writer`]): operations from
//! every room queue up, are written as one atomic batch every few
//! milliseconds, the log is fsynced, and only then are the authors
//! acknowledged. Rooms are read back whole when first joined.

mod codec;
mod health;
mod writer;

use std::path::Path;
use std::sync::Arc;

use rand::Rng;

pub use health::{StorageFault, StorageHealth, StorageState};
pub use writer::{
    spawn_writer, spawn_writer_on, AckSink, Backend, Commit, PendingAck, StoreHandle, Write,
    STORAGE_PROBE_INTERVAL,
};

/// Memory sled may use for its page cache. Rooms live in memory anyway, so
/// the cache only has to help the writer; a small one keeps the host lean.
const SLED_CACHE_BYTES: u64 = 8 * 1024 * 1024;

/// Letters of a join code: no 0/O or 1/I/L to misread from a screen.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Characters in a join code (31^6 ≈ 887 million codes).
pub const JOIN_CODE_LEN: usize = 6;
/// Where the join code is kept in the database.
const JOIN_CODE_KEY: &[u8] = b"join_code";
/// How long opening waits for a lock that a closing database of this
/// process still holds (see [`Store::open`]).
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// Where the writer's probe writes while saving fails.
const PROBE_KEY: &[u8] = b"storage_probe";

/// A fresh random join code (from the thread's CSPRNG).
pub fn new_join_code() -> String {
    let mut rng = rand::rng();
    (0..JOIN_CODE_LEN)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("could not open the database in {path}: {source}")]
    Open { path: String, source: sled::Error },
    #[error("database error: {0}")]
    Sled(#[from] sled::Error),
    #[error("the record {0:?} in the database is damaged")]
    Corrupt(String),
}

impl StoreError {
    /// Whether the disk (or the file system holding the data) is full.
    pub fn is_disk_full(&self) -> bool {
        match self {
            StoreError::Open { source, .. } | StoreError::Sled(source) => {
                matches!(source, sled::Error::Io(e) if is_disk_full(e))
            }
            StoreError::Corrupt(_) => false,
        }
    }
}

/// Whether an I/O error means "no space left" (ENOSPC, or EDQUOT: over a
/// disk quota). sled wraps the OS error, so its kind is what is left.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28) | Some(122))
}

/// The opened database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    db: sled::Db,
    rooms: sled::Tree,
    health: StorageHealth,
}

/// Everything stored for one room, as read at load time.
#[derive(Debug, Default)]
pub struct LoadedRoom {
    pub rev: u64,
    pub floor: u64,
    pub next_seq: u64,
    /// `(id, seq, rev, json)`, in creation order.
    pub shapes: Vec<(String, u64, u64, Arc<str>)>,
    /// `(id, rev)`, oldest first.
    pub tombstones: Vec<(String, u64)>,
    /// `(op id, rev)`, oldest first.
    pub op_ids: Vec<(String, u64)>,
}

impl Store {
    /// Opens (or creates) the database in `dir`.
    ///
    /// sled lets one opener hold a directory at a time, and its background
    /// thread may keep a closed database's lock for a moment: an open right
    /// after a close in the same process (a restart) waits up to
    /// [`LOCK_WAIT`] for it. Another process holding it is an error at once
    /// after that wait.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join("coco.sled");
        let give_up = std::time::Instant::now() + LOCK_WAIT;
        let db = loop {
            let opened = sled::Config::new()
                .path(&path)
                .cache_capacity(SLED_CACHE_BYTES)
                .open();
            match opened {
                Err(sled::Error::Io(e))
                    if e.to_string().contains("could not acquire lock")
                        && std::time::Instant::now() < give_up =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                opened => {
                    break opened.map_err(|source| StoreError::Open {
                        path: path.display().to_string(),
                        source,
                    })?
                }
            }
        };
        let rooms = db.open_tree("rooms")?;
        Ok(Store {
            db,
            rooms,
            health: StorageHealth::default(),
        })
    }

    /// Whether the host can save now, as the writer last found.
    pub fn health(&self) -> &StorageHealth {
        &self.health
    }

    /// The database, for other stores (images, jobs) to open their trees in.
    pub fn db(&self) -> &sled::Db {
        &self.db
    }

    /// Reads every record of `room`. Blocking: call from `spawn_blocking`.
    pub fn load_room(&self, room: &str) -> Result<LoadedRoom, StoreError> {
        let prefix = codec::room_prefix(room);
        let mut loaded = LoadedRoom::default();
        for item in self.rooms.scan_prefix(&prefix) {
            let (key, value) = item?;
            let corrupt = || StoreError::Corrupt(String::from_utf8_lossy(&key).into_owned());
            let (kind, id) = codec::split_key(prefix.len(), &key).ok_or_else(corrupt)?;
            match kind {
                codec::SHAPE => {
                    let (seq, rev, json) = codec::decode_shape(&value).ok_or_else(corrupt)?;
                    loaded.shapes.push((id.to_string(), seq, rev, json.into()));
                }
                codec::TOMBSTONE => {
                    let rev = codec::decode_u64(&value).ok_or_else(corrupt)?;
                    loaded.tombstones.push((id.to_string(), rev));
                }
                codec::OP_ID => {
                    let rev = codec::decode_u64(&value).ok_or_else(corrupt)?;
                    loaded.op_ids.push((id.to_string(), rev));
                }
                codec::META => {
                    let (rev, floor, next_seq) = codec::decode_meta(&value).ok_or_else(corrupt)?;
                    loaded.rev = rev;
                    loaded.floor = floor;
                    loaded.next_seq = next_seq;
                }
                _ => return Err(corrupt()),
            }
        }
        loaded.shapes.sort_by_key(|s| s.1);
        loaded.tombstones.sort_by_key(|t| t.1);
        loaded.op_ids.sort_by_key(|o| o.1);
        Ok(loaded)
    }

    /// The keys of every record of `room`.
    fn room_keys(&self, room: &str) -> impl Iterator<Item = Result<sled::IVec, StoreError>> {
        self.rooms
            .scan_prefix(codec::room_prefix(room))
            .keys()
            .map(|key| key.map_err(StoreError::from))
    }

    /// The session's join code, made on first start and kept, so that a join
    /// URL or QR code handed out stays valid across host restarts.
    pub fn join_code(&self) -> Result<String, StoreError> {
        if let Some(code) = self.db.get(JOIN_CODE_KEY)? {
            if let Ok(code) = std::str::from_utf8(&code) {
                return Ok(code.to_string());
            }
        }
        let code = new_join_code();
        self.set_join_code(&code)?;
        Ok(code)
    }

    /// Keeps `code` as the session's join code (the host rotated it), so a
    /// restart does not bring the old link back.
    pub fn set_join_code(&self, code: &str) -> Result<(), StoreError> {
        self.db.insert(JOIN_CODE_KEY, code.as_bytes())?;
        self.db.flush()?;
        Ok(())
    }

    /// Writes everything to disk. Blocking.
    pub fn flush(&self) -> Result<(), StoreError> {
        self.db.flush()?;
        Ok(())
    }

    fn apply_batch(&self, batch: sled::Batch) -> Result<(), StoreError> {
        self.rooms.apply_batch(batch)?;
        self.db.flush()?;
        Ok(())
    }

    /// A tiny durable write (the time of the probe), to tell whether the
    /// database can save again.
    fn probe_write(&self) -> Result<(), StoreError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        self.db.insert(PROBE_KEY, &now.to_be_bytes()[..])?;
        self.db.flush()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An open waits up to [`LOCK_WAIT`] for a database still open in this
    /// process: it succeeds once that one is closed within the wait, and is
    /// a clear error when it never is.
    #[test]
    fn opening_waits_for_a_closing_database_then_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let first = Store::open(dir.path()).unwrap();
        let closer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(200));
            drop(first);
        });
        let second = Store::open(dir.path()).expect("opened once the first closed");
        closer.join().unwrap();

        let started = std::time::Instant::now();
        let third = Store::open(dir.path());
        assert!(started.elapsed() >= LOCK_WAIT);
        let Err(e) = third else {
            panic!("two openers of one directory");
        };
        assert!(matches!(e, StoreError::Open { .. }), "{e}");
        assert!(e.to_string().contains("coco.sled"), "{e}");
        drop(second);
    }
}
