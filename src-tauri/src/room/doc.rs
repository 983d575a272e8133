//! A room's shapes, revision and delta-sync history, in memory.
//!
//! The revision grows by one per applied operation. Each live shape carries
//! the revision that last touched it and each deleted one leaves a tombstone
//! with the revision of its deletion; together they answer "what changed
//! since N" without keeping every operation. Tombstones are bounded; when the
//! oldest is dropped the `floor` rises, and a `since` below it gets a full
//! sync. Every change returns the [`Write`]s that make it durable.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use indexmap::IndexMap;

use super::tombstones::Tombstones;

use crate::protocol::limits::{
    MAX_OP_IDS_PER_ROOM, MAX_ROOM_BYTES, MAX_SHAPES_PER_ROOM, MAX_TOMBSTONES_PER_ROOM,
};
use crate::protocol::payloads::SyncShapes;
use crate::protocol::{check_shape_size, frame, Frame, Object, ProtocolError, ServerMessage};
use crate::store::{LoadedRoom, Write};

#[derive(Debug, Clone)]
struct Shape {
    seq: u64,
    rev: u64,
    json: Arc<str>,
    /// The host locked it (`"locked": true` in its JSON): read once when
    /// it is stored, not on every change the others try.
    locked: bool,
    /// What a sync in parts reads from the JSON (its box, its packed
    /// points), made the first time one asks and kept until the shape
    /// changes. Shared, so that it can be made outside the room's lock
    /// (see [`parts::SyncWork`]).
    derived: Arc<parts::Derived>,
}

/// Whether a shape's JSON says `"locked": true`. Most shapes never name
/// the key, so they are not parsed again.
fn locked_flag(json: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Flag {
        #[serde(default)]
        locked: Option<serde_json::Value>,
    }
    json.contains("\"locked\"")
        && serde_json::from_str::<Flag>(json)
            .is_ok_and(|f| f.locked == Some(serde_json::Value::Bool(true)))
}

/// What applying an operation did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Applied at this new revision; relay it.
    Applied(u64),
    /// Nothing to change (unknown shape, already deleted); not relayed.
    NoOp,
    /// This op id was applied before; acknowledge it again, apply nothing.
    Duplicate,
}

#[derive(Debug, Default)]
pub struct Doc {
    rev: u64,
    floor: u64,
    next_seq: u64,
    shapes: IndexMap<String, Shape>,
    /// Bytes of JSON of the live shapes.
    bytes: usize,
    /// Deleted shape id → revision of the deletion, oldest first.
    tombstones: Tombstones,
    op_ids: HashMap<String, u64>,
    op_order: VecDeque<String>,
    /// The last full `SYNC_SHAPES` frame and the revision it shows.
    full_sync: Option<(u64, Frame)>,
    /// The host locked the board: only the host's page changes it.
    locked: bool,
}

impl Doc {
    pub fn from_loaded(loaded: LoadedRoom) -> Doc {
        let mut doc = Doc {
            rev: loaded.rev,
            floor: loaded.floor,
            next_seq: loaded.next_seq,
            locked: loaded.locked,
            ..Doc::default()
        };
        for (id, seq, rev, json) in loaded.shapes {
            doc.bytes += json.len();
            let locked = locked_flag(&json);
            doc.shapes.insert(
                id,
                Shape {
                    seq,
                    rev,
                    json,
                    locked,
                    derived: Arc::default(),
                },
            );
        }
        doc.tombstones.extend(loaded.tombstones);
        for (op_id, rev) in loaded.op_ids {
            doc.op_order.push_back(op_id.clone());
            doc.op_ids.insert(op_id, rev);
        }
        doc
    }

    pub fn rev(&self) -> u64 {
        self.rev
    }

    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// Bytes of JSON of the live shapes.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Every live shape `(id, json)` in board order: a history keyframe.
    /// Cheap: the JSON is shared, not copied.
    pub fn snapshot(&self) -> Vec<(String, Arc<str>)> {
        self.shapes
            .iter()
            .map(|(id, s)| (id.clone(), s.json.clone()))
            .collect()
    }

    /// The stored JSON of the live shape `id`.
    pub fn shape_json(&self, id: &str) -> Option<Arc<str>> {
        self.shapes.get(id).map(|s| s.json.clone())
    }

    /// Whether the host locked the board.
    pub fn locked(&self) -> bool {
        self.locked
    }

    /// Locks or unlocks the board; false when it already was so. Not a
    /// revision of the drawing: no shape changes.
    pub fn set_locked(&mut self, locked: bool, writes: &mut Vec<Write>) -> bool {
        if self.locked == locked {
            return false;
        }
        self.locked = locked;
        writes.push(Write::Lock { locked });
        true
    }

    /// Whether the live shape `id` is locked by the host.
    pub fn shape_locked(&self, id: &str) -> bool {
        self.shapes.get(id).is_some_and(|s| s.locked)
    }

    /// Whether `op_id` was already applied.
    pub fn seen(&self, op_id: Option<&str>) -> bool {
        op_id.is_some_and(|id| self.op_ids.contains_key(id))
    }

    /// Adds a shape, or replaces the one with the same id.
    pub fn add(
        &mut self,
        id: &str,
        json: String,
        op_id: Option<&str>,
        writes: &mut Vec<Write>,
    ) -> Result<Outcome, ProtocolError> {
        if self.seen(op_id) {
            return Ok(Outcome::Duplicate);
        }
        let existing = self.shapes.get(id).map(|s| s.seq);
        if existing.is_none() && self.shapes.len() >= MAX_SHAPES_PER_ROOM {
            return Err(ProtocolError::invalid(format!(
                "this room holds {MAX_SHAPES_PER_ROOM} shapes, its limit; delete some first"
            )));
        }
        self.check_growth(self.shapes.get(id), json.len())?;
        let rev = self.bump();
        let seq = existing.unwrap_or_else(|| {
            self.next_seq += 1;
            self.next_seq
        });
        if self.tombstones.remove(id).is_some() {
            writes.push(Write::RemoveTombstone {
                id: id.to_string(),
                dropped: None,
            });
        }
        self.put(id, seq, rev, json.into(), writes);
        self.finish(op_id, writes);
        Ok(Outcome::Applied(rev))
    }

    /// Refuses a change that would take the room past [`MAX_ROOM_BYTES`].
    fn check_growth(&self, old: Option<&Shape>, new_len: usize) -> Result<(), ProtocolError> {
        let after = self.bytes - old.map_or(0, |s| s.json.len()) + new_len;
        if after > MAX_ROOM_BYTES && new_len > old.map_or(0, |s| s.json.len()) {
            return Err(ProtocolError::invalid(format!(
                "this room's drawing has reached its size limit of {} MB; delete something first",
                MAX_ROOM_BYTES / (1024 * 1024)
            )));
        }
        Ok(())
    }

    /// Stores a shape's new state in memory and queues it for disk.
    fn put(&mut self, id: &str, seq: u64, rev: u64, json: Arc<str>, writes: &mut Vec<Write>) {
        self.bytes += json.len();
        let old = self.shapes.insert(
            id.to_string(),
            Shape {
                seq,
                rev,
                json: json.clone(),
                locked: locked_flag(&json),
                derived: Arc::default(),
            },
        );
        self.bytes -= old.map_or(0, |s| s.json.len());
        writes.push(Write::Shape {
            id: id.to_string(),
            seq,
            rev,
            json,
        });
    }

    /// Shallow-merges `updates` into a live shape. Unknown shapes are left
    /// alone: a delete wins over a later update.
    pub fn update(
        &mut self,
        id: &str,
        updates: &Object,
        op_id: Option<&str>,
        writes: &mut Vec<Write>,
    ) -> Result<Outcome, ProtocolError> {
        if self.seen(op_id) {
            return Ok(Outcome::Duplicate);
        }
        let Some(shape) = self.shapes.get(id) else {
            return Ok(Outcome::NoOp);
        };
        let mut merged: Object = serde_json::from_str(&shape.json)
            .map_err(|_| ProtocolError::invalid("the stored shape could not be read"))?;
        for (k, v) in updates {
            merged.insert(k.clone(), v.clone());
        }
        let json = check_shape_size(&merged)?;
        self.check_growth(Some(shape), json.len())?;
        let seq = shape.seq;
        let rev = self.bump();
        self.put(id, seq, rev, json.into(), writes);
        self.finish(op_id, writes);
        Ok(Outcome::Applied(rev))
    }

    /// Deletes the live shapes among `ids`.
    pub fn delete(
        &mut self,
        ids: &[String],
        op_id: Option<&str>,
        writes: &mut Vec<Write>,
    ) -> Outcome {
        if self.seen(op_id) {
            return Outcome::Duplicate;
        }
        if !ids.iter().any(|id| self.shapes.contains_key(id)) {
            return Outcome::NoOp;
        }
        let rev = self.bump();
        for id in ids {
            if let Some(old) = self.shapes.shift_remove(id) {
                self.bytes -= old.json.len();
                writes.push(Write::RemoveShape { id: id.clone() });
                self.tombstones.insert(id.clone(), rev);
                writes.push(Write::Tombstone {
                    id: id.clone(),
                    rev,
                });
            }
        }
        while self.tombstones.len() > MAX_TOMBSTONES_PER_ROOM {
            if let Some((id, dropped_rev)) = self.tombstones.pop_oldest() {
                self.floor = self.floor.max(dropped_rev);
                writes.push(Write::RemoveTombstone {
                    id,
                    dropped: Some(dropped_rev),
                });
            }
        }
        self.finish(op_id, writes);
        Outcome::Applied(rev)
    }

    /// Every record of the room as it is in memory, after a
    /// [`Write::ClearRoom`]: written as one commit, the disk then holds
    /// exactly this document (after a failed write left it unknown).
    pub fn all_writes(&self) -> Vec<Write> {
        let mut writes = Vec::with_capacity(3 + self.shapes.len() + self.op_ids.len());
        writes.push(Write::ClearRoom);
        if self.locked {
            writes.push(Write::Lock { locked: true });
        }
        writes.extend(self.shape_writes());
        for (id, rev) in self.tombstones.iter() {
            writes.push(Write::Tombstone {
                id: id.to_string(),
                rev,
            });
        }
        for op_id in &self.op_order {
            if let Some(rev) = self.op_ids.get(op_id) {
                writes.push(Write::OpId {
                    op_id: op_id.clone(),
                    rev: *rev,
                });
            }
        }
        writes.push(Write::Meta {
            rev: self.rev,
            floor: self.floor,
            next_seq: self.next_seq,
        });
        writes
    }

    /// A shape record for every live shape.
    pub fn shape_writes(&self) -> impl Iterator<Item = Write> + '_ {
        self.shapes.iter().map(|(id, shape)| Write::Shape {
            id: id.clone(),
            seq: shape.seq,
            rev: shape.rev,
            json: shape.json.clone(),
        })
    }

    /// A live shape's revision and JSON.
    pub fn live_shape(&self, id: &str) -> Option<(u64, Arc<str>)> {
        self.shapes.get(id).map(|s| (s.rev, s.json.clone()))
    }

    fn bump(&mut self) -> u64 {
        self.rev += 1;
        self.full_sync = None;
        self.rev
    }

    /// Records the op id and the room's new metadata.
    fn finish(&mut self, op_id: Option<&str>, writes: &mut Vec<Write>) {
        if let Some(op_id) = op_id {
            self.op_ids.insert(op_id.to_string(), self.rev);
            self.op_order.push_back(op_id.to_string());
            writes.push(Write::OpId {
                op_id: op_id.to_string(),
                rev: self.rev,
            });
            while self.op_order.len() > MAX_OP_IDS_PER_ROOM {
                if let Some(old) = self.op_order.pop_front() {
                    self.op_ids.remove(&old);
                    writes.push(Write::RemoveOpId { op_id: old });
                }
            }
        }
        writes.push(Write::Meta {
            rev: self.rev,
            floor: self.floor,
            next_seq: self.next_seq,
        });
    }

    /// A `SYNC_SHAPES` frame: everything, or only what changed after `since`
    /// when the history reaches back that far.
    pub fn sync(&mut self, since: Option<u64>) -> Frame {
        match self.delta_base(since) {
            Some(since) => self.delta(since),
            None => self.full(),
        }
    }

    /// The revision a delta sync starts from: `since`, when the kept
    /// history reaches back that far (else the sync is full).
    fn delta_base(&self, since: Option<u64>) -> Option<u64> {
        since.filter(|n| *n >= self.floor && *n <= self.rev)
    }

    fn full(&mut self) -> Frame {
        if let Some((rev, frame)) = &self.full_sync {
            if *rev == self.rev {
                return frame.clone();
            }
        }
        let frame = self.build(|_| true, Vec::new(), true);
        self.full_sync = Some((self.rev, frame.clone()));
        frame
    }

    fn delta(&self, since: u64) -> Frame {
        let deleted = self.tombstones.since(since);
        self.build(|s| s.rev > since, deleted, false)
    }

    /// The stored JSON of the shapes `include` picks, spliced into the
    /// frame as it is (see [`SyncShapes`]).
    fn build(&self, include: impl Fn(&Shape) -> bool, deleted_ids: Vec<&str>, full: bool) -> Frame {
        frame(&ServerMessage::SyncShapes(SyncShapes {
            shapes: self
                .shapes
                .values()
                .filter(|s| include(s))
                .map(|s| &*s.json)
                .collect(),
            deleted_ids,
            rev: self.rev,
            full,
            part: None,
        }))
    }
}

mod parts;

#[cfg(test)]
mod tests;
