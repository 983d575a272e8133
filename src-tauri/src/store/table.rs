//! Typed tables: what every part of the host other than the room log keeps
//! (jobs, storyboards, the picture and video indexes), under one durability
//! policy.
//!
//! The policy ([`Durability`]): a write returns only once it is on disk (the
//! change, then a flush of the whole database), and whether it worked is
//! reported to the one [`StorageHealth`] that the room writer reports to. So
//! "saved" means the same thing for a stroke, a storyboard and a job: a
//! failed write is an error to its caller, `/api/health` says the host
//! cannot save, rooms stop accepting changes, and the writer's probe notices
//! when the disk works again.

use std::marker::PhantomData;

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::db::{Change, Db, DbError, Tree};
use super::{StorageHealth, StoreError};

/// How a table's values are kept as bytes.
pub trait Record: Sized {
    fn encode(&self) -> Vec<u8>;
    /// None when the bytes are not a value of this type (a damaged record).
    fn decode(bytes: &[u8]) -> Option<Self>;
}

/// Values kept as JSON, which is most of them.
pub trait JsonRecord: Serialize + DeserializeOwned {}

impl<T: JsonRecord> Record for T {
    fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("records serialize to JSON")
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }
}

/// The tables the database holds, each in a tree of its own. The names are
/// the trees' names on disk, so they never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableName {
    /// Background jobs, by id.
    Jobs,
    /// Storyboards, by `room \0 id`.
    Storyboards,
    /// Uploaded pictures' sizes, by file name.
    Uploads,
    /// Enhanced pictures' sizes, by file name.
    Enhanced,
    /// Rendered videos, by file name.
    Videos,
}

impl TableName {
    pub(super) fn tree(self) -> &'static str {
        match self {
            TableName::Jobs => "jobs",
            TableName::Storyboards => "storyboards",
            TableName::Uploads => "images",
            TableName::Enhanced => "enhanced",
            TableName::Videos => "videos",
        }
    }
}

/// The one write policy: change, flush, report. Cheap to clone.
#[derive(Clone)]
pub(super) struct Durability {
    pub(super) db: Db,
    pub(super) health: StorageHealth,
}

impl Durability {
    /// Runs `write`, makes it durable and reports how that went. Blocking.
    pub(super) fn commit(
        &self,
        write: impl FnOnce() -> Result<(), DbError>,
    ) -> Result<(), StoreError> {
        let result = write()
            .and_then(|()| self.db.flush())
            .map_err(StoreError::from);
        self.report(&result);
        result
    }

    /// Tells the host whether saving works, after any durable write.
    pub(super) fn report(&self, result: &Result<(), StoreError>) {
        match result {
            Ok(()) => {
                if !self.health.is_ok() {
                    self.health.recover();
                }
            }
            Err(e) => {
                tracing::error!("could not save: {e}");
                self.health
                    .fail(e.to_string(), e.is_disk_full(), self.db.latches_errors());
            }
        }
    }
}

/// A table of `T` by string key. Cheap to clone.
pub struct Table<T> {
    tree: Tree,
    durability: Durability,
    _values: PhantomData<fn() -> T>,
}

impl<T> Clone for Table<T> {
    fn clone(&self) -> Self {
        Table {
            tree: self.tree.clone(),
            durability: self.durability.clone(),
            _values: PhantomData,
        }
    }
}

/// One stored record: its key, and its value unless the bytes are damaged.
pub struct Entry<T> {
    pub key: String,
    pub value: Option<T>,
}

/// Changes to write together, atomically and with one flush.
pub struct Batch<T> {
    changes: Vec<Change>,
    _values: PhantomData<fn() -> T>,
}

impl<T: Record> Batch<T> {
    pub fn put(&mut self, key: &str, value: &T) {
        self.changes
            .push((key.as_bytes().to_vec(), Some(value.encode())));
    }

    pub fn remove(&mut self, key: &str) {
        self.changes.push((key.as_bytes().to_vec(), None));
    }

    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }
}

impl<T: Record> Table<T> {
    pub(super) fn new(tree: Tree, durability: Durability) -> Table<T> {
        Table {
            tree,
            durability,
            _values: PhantomData,
        }
    }

    /// The value under `key`; a damaged one is [`StoreError::Corrupt`].
    pub fn get(&self, key: &str) -> Result<Option<T>, StoreError> {
        match self.tree.get(key.as_bytes())? {
            None => Ok(None),
            Some(bytes) => T::decode(&bytes)
                .map(Some)
                .ok_or_else(|| StoreError::Corrupt(key.to_string())),
        }
    }

    pub fn contains(&self, key: &str) -> Result<bool, StoreError> {
        Ok(self.tree.contains(key.as_bytes())?)
    }

    /// Every record whose key starts with `prefix` (all of them for `""`),
    /// in key order; damaged values are `None` for the caller to drop.
    pub fn scan(&self, prefix: &str) -> Result<Vec<Entry<T>>, StoreError> {
        let mut entries = Vec::new();
        self.tree
            .scan::<StoreError>(prefix.as_bytes(), |key, value| {
                entries.push(Entry {
                    key: String::from_utf8_lossy(key).into_owned(),
                    value: T::decode(value),
                });
                Ok(())
            })?;
        Ok(entries)
    }

    /// Every key that starts with `prefix`.
    pub fn keys(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let mut keys = Vec::new();
        self.tree.scan::<StoreError>(prefix.as_bytes(), |key, _| {
            keys.push(String::from_utf8_lossy(key).into_owned());
            Ok(())
        })?;
        Ok(keys)
    }

    /// Stores `value` under `key`; on disk when this returns. Blocking.
    pub fn put(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let mut batch = self.batch();
        batch.put(key, value);
        self.write(batch)
    }

    /// Removes `key`; on disk when this returns. Blocking.
    pub fn remove(&self, key: &str) -> Result<(), StoreError> {
        let mut batch = self.batch();
        batch.remove(key);
        self.write(batch)
    }

    pub fn batch(&self) -> Batch<T> {
        Batch {
            changes: Vec::new(),
            _values: PhantomData,
        }
    }

    /// Writes a batch atomically; on disk when this returns. Blocking.
    ///
    /// A write that fails leaves the table as it was, in memory too: the
    /// engine may hold a change whose flush failed and answer reads with it,
    /// so the old values are put back (they need not reach the disk, which
    /// never saw the change).
    pub fn write(&self, batch: Batch<T>) -> Result<(), StoreError> {
        let mut undo: Vec<Change> = Vec::with_capacity(batch.changes.len());
        for (key, _) in batch.changes.iter().rev() {
            undo.push((key.clone(), self.tree.get(key)?));
        }
        let written = self.durability.commit(|| self.tree.apply(batch.changes));
        if written.is_err() {
            self.tree.revert(undo);
        }
        written
    }
}

impl<T: Record + Send + 'static> Table<T> {
    /// [`Table::write`] off the async threads.
    pub async fn write_async(&self, batch: Batch<T>) -> Result<(), StoreError> {
        let table = self.clone();
        tokio::task::spawn_blocking(move || table.write(batch))
            .await
            .map_err(|e| StoreError::Task(e.to_string()))?
    }

    /// [`Table::put`] off the async threads.
    pub async fn put_async(&self, key: &str, value: &T) -> Result<(), StoreError> {
        let mut batch = self.batch();
        batch.put(key, value);
        self.write_async(batch).await
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::store::{FaultSwitch, Store};

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Note {
        text: String,
    }

    impl JsonRecord for Note {}

    fn note(text: &str) -> Note {
        Note { text: text.into() }
    }

    /// What a table holds survives a reopen, a batch lands whole, a prefix
    /// scan sees only its prefix, and a damaged value is named, not hidden.
    #[test]
    fn records_round_trip_and_batches_land_whole() {
        let store = Store::in_memory();
        let table = store.table::<Note>(TableName::Storyboards).unwrap();
        table.put("a\0one", &note("one")).unwrap();
        let mut batch = table.batch();
        batch.put("a\0two", &note("two"));
        batch.put("b\0three", &note("three"));
        batch.remove("a\0one");
        table.write(batch).unwrap();

        let again = store.table::<Note>(TableName::Storyboards).unwrap();
        let in_a: Vec<String> = again.keys("a\0").unwrap();
        assert_eq!(in_a, ["a\0two"]);
        assert_eq!(again.get("b\0three").unwrap(), Some(note("three")));
        assert_eq!(again.get("a\0one").unwrap(), None);
        assert!(!again.contains("a\0one").unwrap());
        // Another table of the same store holds its own records.
        let other = store.table::<Note>(TableName::Videos).unwrap();
        assert!(other.scan("").unwrap().is_empty());

        let raw = store.table::<crate::media::images::ImageSize>(TableName::Storyboards);
        let damaged = raw.unwrap().get("a\0two");
        assert!(matches!(damaged, Err(StoreError::Corrupt(k)) if k == "a\0two"));
    }

    /// The one policy: a write that fails changes nothing, is an error to
    /// its caller, and tells the host it cannot save (disk full); the next
    /// write that works clears that.
    #[test]
    fn a_failed_write_changes_nothing_and_is_reported() {
        let switch = FaultSwitch::default();
        let store = Store::in_memory_with(&switch);
        let table = store.table::<Note>(TableName::Jobs).unwrap();
        table.put("kept", &note("kept")).unwrap();
        switch.set_failing(true);
        let mut batch = table.batch();
        batch.put("new", &note("new"));
        batch.remove("kept");
        let e = table.write(batch).unwrap_err();
        assert!(e.is_disk_full(), "{e}");
        let fault = store.health().fault().expect("reported");
        assert!(fault.disk_full && !fault.restart_needed, "{fault:?}");
        switch.set_failing(false);
        assert_eq!(table.keys("").unwrap(), ["kept"], "nothing changed");
        table.put("new", &note("new")).unwrap();
        assert!(
            store.health().is_ok(),
            "a write that works clears the fault"
        );
    }
}
