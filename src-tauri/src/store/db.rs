//! The database engine under the tables: sled on disk, or an in-memory twin.
//!
//! This file is the only place that calls sled. Everything above it sees
//! byte keys and values in named trees, atomic batches of changes within one
//! tree, and one `flush` that makes every tree durable: the few things any
//! embedded ordered key-value store offers.
//!
//! The twin keeps the same trees in memory, so that unit tests can open a
//! store, close it and open "the same" one again (sled lets one opener hold a
//! directory), and can make writes fail on demand like a full disk.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// An error from the engine. Opaque outside `store/`: what callers may ask
/// of it is whether the disk is full ([`DbError::is_disk_full`]).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct DbError(#[from] Cause);

#[derive(Debug, thiserror::Error)]
pub(super) enum Cause {
    #[error(transparent)]
    Sled(#[from] sled::Error),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl From<sled::Error> for DbError {
    fn from(e: sled::Error) -> Self {
        DbError(Cause::Sled(e))
    }
}

impl DbError {
    /// An error of the file system under the engine.
    #[cfg(test)]
    pub(super) fn from_io(e: std::io::Error) -> DbError {
        DbError(Cause::Io(e))
    }

    /// Whether the disk (or the file system holding the data) is full.
    pub fn is_disk_full(&self) -> bool {
        match &self.0 {
            Cause::Sled(sled::Error::Io(e)) | Cause::Io(e) => super::is_disk_full(e),
            Cause::Sled(_) => false,
        }
    }

    /// Whether sled refused to open because another opener holds the lock.
    pub(super) fn is_lock_held(&self) -> bool {
        matches!(&self.0, Cause::Sled(sled::Error::Io(e)) if e.to_string().contains("could not acquire lock"))
    }
}

/// A key and its value.
pub(super) type Record = (Vec<u8>, Vec<u8>);

/// One change in a batch: a value to put, or `None` to remove the key.
pub(super) type Change = (Vec<u8>, Option<Vec<u8>>);

/// The twin's trees: name → ordered records.
type MemoryTrees = HashMap<&'static str, BTreeMap<Vec<u8>, Vec<u8>>>;

/// The in-memory twin's trees and its fault switch.
#[derive(Default)]
pub(super) struct Memory {
    trees: Mutex<MemoryTrees>,
    failing: Arc<AtomicBool>,
}

impl Memory {
    pub(super) fn with_switch(failing: Arc<AtomicBool>) -> Memory {
        Memory {
            trees: Mutex::default(),
            failing,
        }
    }

    fn check(&self) -> Result<(), DbError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(DbError(Cause::Io(std::io::Error::from_raw_os_error(28))));
        }
        Ok(())
    }

    fn trees(&self) -> std::sync::MutexGuard<'_, MemoryTrees> {
        self.trees.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Per tree, the records that reads must see instead of the engine's.
type ShadowTrees = HashMap<&'static str, BTreeMap<Vec<u8>, Option<Vec<u8>>>>;

/// What reads must see instead of the engine's records: the values from
/// before a write whose flush failed, where the engine would not take them
/// back (sled refuses every write once it has kept an error, so the failed
/// change stays in its memory until the host restarts). Empty unless that
/// happened. `None` is a record that must read as absent.
#[derive(Default)]
pub(super) struct Shadow(Mutex<ShadowTrees>);

/// The opened engine. Cheap to clone.
#[derive(Clone)]
pub(super) struct Db {
    engine: Engine,
    shadow: Arc<Shadow>,
}

#[derive(Clone)]
enum Engine {
    Sled(sled::Db),
    Memory(Arc<Memory>),
}

impl Db {
    /// Opens sled in `path` with a page cache of `cache_bytes`.
    pub(super) fn open_sled(path: &std::path::Path, cache_bytes: u64) -> Result<Db, DbError> {
        let db = sled::Config::new()
            .path(path)
            .cache_capacity(cache_bytes)
            .open()?;
        Ok(Db::on(Engine::Sled(db)))
    }

    pub(super) fn in_memory(memory: Memory) -> Db {
        Db::on(Engine::Memory(Arc::new(memory)))
    }

    fn on(engine: Engine) -> Db {
        Db {
            engine,
            shadow: Arc::default(),
        }
    }

    pub(super) fn tree(&self, name: &'static str) -> Result<Tree, DbError> {
        let engine = match &self.engine {
            Engine::Sled(db) => TreeEngine::Sled(db.open_tree(name)?),
            Engine::Memory(memory) => TreeEngine::Memory(memory.clone()),
        };
        Ok(Tree {
            engine,
            name,
            shadow: self.shadow.clone(),
        })
    }

    /// Makes every write so far durable. Blocking.
    pub(super) fn flush(&self) -> Result<(), DbError> {
        match &self.engine {
            Engine::Sled(db) => {
                db.flush()?;
            }
            Engine::Memory(memory) => memory.check()?,
        }
        Ok(())
    }

    /// Whether a failed write leaves the engine unable to write until it is
    /// opened again: sled keeps the first error of a log write and returns
    /// it from every later write.
    pub(super) fn latches_errors(&self) -> bool {
        matches!(self.engine, Engine::Sled(_))
    }
}

#[derive(Clone)]
enum TreeEngine {
    Sled(sled::Tree),
    Memory(Arc<Memory>),
}

/// One named tree of the engine. Cheap to clone.
#[derive(Clone)]
pub(super) struct Tree {
    engine: TreeEngine,
    name: &'static str,
    shadow: Arc<Shadow>,
}

impl Tree {
    /// The shadowed records of this tree with keys from `prefix`, if any.
    fn shadowed(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        let shadow = self.shadow.0.lock().unwrap_or_else(|e| e.into_inner());
        let Some(tree) = shadow.get(self.name) else {
            return Vec::new();
        };
        tree.range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    pub(super) fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, DbError> {
        if let Some((_, value)) = self.shadowed(key).into_iter().find(|(k, _)| k == key) {
            return Ok(value);
        }
        Ok(match &self.engine {
            TreeEngine::Sled(tree) => tree.get(key)?.map(|v| v.to_vec()),
            TreeEngine::Memory(memory) => memory
                .trees()
                .get(self.name)
                .and_then(|tree| tree.get(key).cloned()),
        })
    }

    pub(super) fn contains(&self, key: &[u8]) -> Result<bool, DbError> {
        Ok(self.get(key)?.is_some())
    }

    /// Calls `visit` with every record whose key starts with `prefix`, in
    /// key order, without copying the values out of sled's cache (unless
    /// some are shadowed).
    pub(super) fn scan<E: From<DbError>>(
        &self,
        prefix: &[u8],
        mut visit: impl FnMut(&[u8], &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let shadowed = self.shadowed(prefix);
        match &self.engine {
            TreeEngine::Sled(tree) if shadowed.is_empty() => {
                for item in tree.scan_prefix(prefix) {
                    let (key, value) = item.map_err(DbError::from)?;
                    visit(&key, &value)?;
                }
                return Ok(());
            }
            _ => {}
        }
        let mut records: BTreeMap<Vec<u8>, Vec<u8>> = match &self.engine {
            TreeEngine::Sled(tree) => {
                let mut records = BTreeMap::new();
                for item in tree.scan_prefix(prefix) {
                    let (key, value) = item.map_err(DbError::from)?;
                    records.insert(key.to_vec(), value.to_vec());
                }
                records
            }
            TreeEngine::Memory(memory) => memory
                .trees()
                .get(self.name)
                .map(|tree| {
                    tree.range(prefix.to_vec()..)
                        .take_while(|(k, _)| k.starts_with(prefix))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                })
                .unwrap_or_default(),
        };
        for (key, value) in shadowed {
            match value {
                Some(value) => records.insert(key, value),
                None => records.remove(&key),
            };
        }
        for (key, value) in records {
            visit(&key, &value)?;
        }
        Ok(())
    }

    /// Calls `visit` with every record whose key is in `start..=end`, in key
    /// order; `visit` answers whether to go on. The rooms tree is never
    /// shadowed (only tables revert), so shadowed records are not consulted.
    pub(super) fn scan_range<E: From<DbError>>(
        &self,
        start: &[u8],
        end: &[u8],
        mut visit: impl FnMut(&[u8], &[u8]) -> Result<bool, E>,
    ) -> Result<(), E> {
        match &self.engine {
            TreeEngine::Sled(tree) => {
                for item in tree.range(start..=end) {
                    let (key, value) = item.map_err(DbError::from)?;
                    if !visit(&key, &value)? {
                        break;
                    }
                }
            }
            TreeEngine::Memory(memory) => {
                let records: Vec<(Vec<u8>, Vec<u8>)> = memory
                    .trees()
                    .get(self.name)
                    .map(|tree| {
                        tree.range(start.to_vec()..=end.to_vec())
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect()
                    })
                    .unwrap_or_default();
                for (key, value) in records {
                    if !visit(&key, &value)? {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// The record with the greatest key in `start..=end`, if any.
    pub(super) fn last_in(&self, start: &[u8], end: &[u8]) -> Result<Option<Record>, DbError> {
        Ok(match &self.engine {
            TreeEngine::Sled(tree) => tree
                .range(start..=end)
                .next_back()
                .transpose()?
                .map(|(k, v)| (k.to_vec(), v.to_vec())),
            TreeEngine::Memory(memory) => memory.trees().get(self.name).and_then(|tree| {
                tree.range(start.to_vec()..=end.to_vec())
                    .next_back()
                    .map(|(k, v)| (k.clone(), v.clone()))
            }),
        })
    }

    /// Applies every change atomically: all or none. Not yet durable.
    pub(super) fn apply(&self, changes: Vec<Change>) -> Result<(), DbError> {
        match &self.engine {
            TreeEngine::Sled(tree) => {
                let mut batch = sled::Batch::default();
                for (key, value) in changes {
                    match value {
                        Some(value) => batch.insert(key, value),
                        None => batch.remove(key),
                    }
                }
                tree.apply_batch(batch)?;
            }
            TreeEngine::Memory(memory) => {
                memory.check()?;
                let mut trees = memory.trees();
                let tree = trees.entry(self.name).or_default();
                for (key, value) in changes {
                    match value {
                        Some(value) => tree.insert(key, value),
                        None => tree.remove(&key),
                    };
                }
            }
        }
        Ok(())
    }

    /// Puts one record, outside any batch. Why not [`Tree::apply`]: sled
    /// makes every other write wait while it applies a batch, and a record
    /// of megabytes (a history keyframe) would hold the group commit up.
    pub(super) fn put(&self, key: Vec<u8>, value: Vec<u8>) -> Result<(), DbError> {
        match &self.engine {
            TreeEngine::Sled(tree) => {
                tree.insert(key, value)?;
            }
            TreeEngine::Memory(memory) => {
                memory.check()?;
                memory
                    .trees()
                    .entry(self.name)
                    .or_default()
                    .insert(key, value);
            }
        }
        Ok(())
    }

    /// Puts back what a failed write changed (`undo` holds the old values).
    /// Where the engine refuses, reads are shadowed with them instead, so
    /// the table reads as what is on disk until the host restarts.
    pub(super) fn revert(&self, undo: Vec<Change>) {
        if self.apply(undo.clone()).is_ok() {
            return;
        }
        let mut shadow = self.shadow.0.lock().unwrap_or_else(|e| e.into_inner());
        let tree = shadow.entry(self.name).or_default();
        for (key, value) in undo {
            tree.insert(key, value);
        }
    }
}
