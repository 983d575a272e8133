//! Everything the host keeps on disk, behind one boundary.
//!
//! Nothing outside this module names the database engine. It offers:
//!
//! - the **room log** ([`Store::load_room`], and [`writer`]): every room's
//!   operations, written by one group-commit task. Operations from every
//!   room queue up, are written as one atomic batch every few milliseconds,
//!   the log is fsynced, and only then are the authors acknowledged;
//! - **typed tables** ([`Table`], one per [`TableName`]: jobs, storyboards,
//!   the upload and enhanced picture indexes, the video index) whose writes
//!   are on disk before they return;
//! - the session's **join code**.
//!
//! One durability policy covers both: a write is acknowledged (to a person,
//! or to the code that asked for it) only after the flush that made it
//! durable, and every failure is reported to the one [`StorageHealth`], which
//! `/api/health`, the rooms and the API's storage guard read.
//!
//! The engine is sled ([`db`], the only file that calls it), or an
//! in-memory twin for unit tests ([`Store::in_memory`]). Moving to another
//! embedded database would mean a new variant in `db.rs` with the same six
//! operations (get, contains, prefix scan, atomic batch per tree, flush of
//! every tree, open a named tree) and a one-time copy of the trees named in
//! [`TableName`], `rooms` and the default tree; nothing outside `store/`
//! would change.

mod codec;
mod db;
pub mod entries;
mod health;
pub mod history;
mod history_read;
mod keyframes;
mod log;
mod table;
mod writer;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rand::Rng;

pub use db::DbError;
use db::{Db, Memory, Tree};
pub use health::{StorageFault, StorageHealth, StorageState};
pub use history_read::{HistoryPage, HistoryState, LastState, PastBoard, StoredEntry};
pub use keyframes::{DeferredKeyframe, KeyframeLedger};
pub use log::LoadedRoom;
use table::Durability;
pub use table::{Batch, Entry, JsonRecord, Record, Table, TableName};
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
/// The tree of the room log.
const ROOMS_TREE: &str = "rooms";
/// The tree of the host's own settings (the join code, the probe): sled's
/// default tree, where they have always been.
const SETTINGS_TREE: &str = "__sled__default";

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
    Open { path: String, source: DbError },
    #[error("database error: {0}")]
    Db(#[from] DbError),
    #[error("the record {0:?} in the database is damaged")]
    Corrupt(String),
    #[error("the write was cut short: {0}")]
    Task(String),
}

impl StoreError {
    /// Whether the disk (or the file system holding the data) is full.
    pub fn is_disk_full(&self) -> bool {
        match self {
            StoreError::Open { source, .. } | StoreError::Db(source) => source.is_disk_full(),
            StoreError::Corrupt(_) | StoreError::Task(_) => false,
        }
    }
}

/// Whether an I/O error means "no space left" (ENOSPC, or EDQUOT: over a
/// disk quota). sled wraps the OS error, so its kind is what is left.
pub fn is_disk_full(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::StorageFull || matches!(e.raw_os_error(), Some(28) | Some(122))
}

/// Makes the in-memory twin's writes fail (like a full disk) or work again.
#[derive(Clone, Default)]
pub struct FaultSwitch(Arc<AtomicBool>);

impl FaultSwitch {
    pub fn set_failing(&self, failing: bool) {
        self.0.store(failing, Ordering::SeqCst);
    }
}

/// The opened database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    rooms: Tree,
    settings: Tree,
    durability: Durability,
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
            match Db::open_sled(&path, SLED_CACHE_BYTES) {
                Err(e) if e.is_lock_held() && std::time::Instant::now() < give_up => {
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
        Store::on(db)
    }

    /// A store in memory, for tests: every clone, and every table opened
    /// on it, sees the same records, as long as one of them lives.
    pub fn in_memory() -> Store {
        Store::in_memory_with(&FaultSwitch::default())
    }

    /// [`Store::in_memory`] whose writes fail while `switch` says so.
    pub fn in_memory_with(switch: &FaultSwitch) -> Store {
        let memory = Memory::with_switch(switch.0.clone());
        Store::on(Db::in_memory(memory)).expect("memory trees open")
    }

    fn on(db: Db) -> Result<Store, StoreError> {
        Ok(Store {
            rooms: db.tree(ROOMS_TREE)?,
            settings: db.tree(SETTINGS_TREE)?,
            durability: Durability {
                db,
                health: StorageHealth::default(),
            },
        })
    }

    /// Whether the host can save now, as the last durable write found.
    pub fn health(&self) -> &StorageHealth {
        &self.durability.health
    }

    /// The table `name`, holding values of `T`.
    pub fn table<T: Record>(&self, name: TableName) -> Result<Table<T>, StoreError> {
        let tree = self.durability.db.tree(name.tree())?;
        Ok(Table::new(tree, self.durability.clone()))
    }

    /// The session's join code, made on first start and kept, so that a join
    /// URL or QR code handed out stays valid across host restarts.
    pub fn join_code(&self) -> Result<String, StoreError> {
        if let Some(code) = self.settings.get(JOIN_CODE_KEY)? {
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
        let change = vec![(JOIN_CODE_KEY.to_vec(), Some(code.as_bytes().to_vec()))];
        self.durability.commit(|| self.settings.apply(change))
    }

    /// Writes everything to disk. Blocking.
    pub fn flush(&self) -> Result<(), StoreError> {
        Ok(self.durability.db.flush()?)
    }

    /// A tiny durable write (the time of the probe), to tell whether the
    /// database can save again.
    fn probe_write(&self) -> Result<(), StoreError> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let change = vec![(PROBE_KEY.to_vec(), Some(now.to_be_bytes().to_vec()))];
        self.settings.apply(change)?;
        self.flush()
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
