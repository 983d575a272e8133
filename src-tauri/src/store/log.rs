//! The room log: every room's shapes, tombstones, op ids and revision in one
//! tree, read back whole when a room is first joined, and the byte changes
//! that one group-commit batch makes of the rooms' writes.
//!
//! A room whose history is on keeps no shape records: the history already
//! holds every shape (each change's entry, and keyframes), and writing each
//! shape twice cost the group commit about a sixth of its throughput. Its
//! board is rebuilt at load from the newest keyframe and the entries after
//! it ([`Store::current_board`]); a room whose history is off keeps shape
//! records as before. [`codec::BOARD_IN_HISTORY`] says which.

use std::collections::HashMap;
use std::sync::Arc;

use super::db::Change;
use super::entries::{batch_records, RecordEntry, Removal};
use super::keyframes::DeferredKeyframe;
use super::writer::{Commit, Write};
use super::{codec, history, history_read};
use super::{Store, StoreError};

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
    /// Whether the host locked the board.
    pub locked: bool,
    /// Whether the shapes came from the room's history (keyframe and
    /// entries) rather than from shape records.
    pub board_in_history: bool,
}

impl Store {
    /// Reads every record of `room`, and its board from its history when
    /// that holds it. Blocking: call from `spawn_blocking`.
    pub fn load_room(&self, room: &str) -> Result<LoadedRoom, StoreError> {
        Ok(self.open_room(room)?.0)
    }

    /// [`Store::load_room`] and the room's history state, read once for
    /// both (a room whose history holds its board needs the state to
    /// rebuild it, and its recorder needs it too).
    pub fn open_room(
        &self,
        room: &str,
    ) -> Result<(LoadedRoom, Option<history_read::HistoryState>), StoreError> {
        let prefix = codec::room_prefix(room);
        let mut loaded = LoadedRoom::default();
        self.rooms.scan::<StoreError>(&prefix, |key, value| {
            let corrupt = || StoreError::Corrupt(String::from_utf8_lossy(key).into_owned());
            let (kind, id) = codec::split_key(prefix.len(), key).ok_or_else(corrupt)?;
            match kind {
                codec::SHAPE => {
                    let (seq, rev, json) = codec::decode_shape(value).ok_or_else(corrupt)?;
                    loaded.shapes.push((id.to_string(), seq, rev, json.into()));
                }
                codec::TOMBSTONE => {
                    let rev = codec::decode_u64(value).ok_or_else(corrupt)?;
                    loaded.tombstones.push((id.to_string(), rev));
                }
                codec::OP_ID => {
                    let rev = codec::decode_u64(value).ok_or_else(corrupt)?;
                    loaded.op_ids.push((id.to_string(), rev));
                }
                codec::META => {
                    let (rev, floor, next_seq) = codec::decode_meta(value).ok_or_else(corrupt)?;
                    loaded.rev = rev;
                    loaded.floor = floor;
                    loaded.next_seq = next_seq;
                }
                codec::LOCK => loaded.locked = true,
                codec::BOARD_IN_HISTORY => loaded.board_in_history = true,
                _ => return Err(corrupt()),
            }
            Ok(())
        })?;
        let state = self.history_state(room)?;
        if loaded.board_in_history {
            loaded.shapes = self.current_board(room, loaded.rev, state.as_ref())?;
        }
        loaded.shapes.sort_by_key(|s| s.1);
        loaded.tombstones.sort_by_key(|t| t.1);
        loaded.op_ids.sort_by_key(|o| o.1);
        Ok((loaded, state))
    }

    /// Writes the commits of one batch to the log atomically, and flushes.
    /// Blocking. The outcome is reported by the writer, which knows which
    /// authors to acknowledge.
    ///
    /// History entries and thinning are gathered per room and written
    /// after the rest: the batch's entries of one room as one record (see
    /// [`super::entries`]), and all of a room's thinning at once.
    pub(super) fn append(&self, commits: &[Commit]) -> Result<(), StoreError> {
        // Sized once: grown push by push, its reallocations were a visible
        // part of a saturated host's time (each large one makes the
        // allocator consolidate the many small blocks sled frees).
        let writes: usize = commits.iter().map(|c| c.writes.len()).sum();
        let mut changes: Vec<Change> = Vec::with_capacity(writes + 16);
        // Every change rewrites its room's history metadata; only the last
        // one of the batch is worth encoding (sled would keep only it).
        let mut last_meta: HashMap<&str, (usize, usize)> = HashMap::new();
        for (c, commit) in commits.iter().enumerate() {
            for (i, w) in commit.writes.iter().enumerate() {
                if matches!(w, Write::HistoryMeta(_)) {
                    last_meta.insert(&commit.room, (c, i));
                }
            }
        }
        let mut history = RoomHistories::default();
        for (c, commit) in commits.iter().enumerate() {
            for (i, w) in commit.writes.iter().enumerate() {
                match w {
                    Write::HistoryMeta(_) if last_meta.get(&*commit.room) != Some(&(c, i)) => {}
                    Write::History { rev, seq, value } => {
                        history
                            .of(&commit.room)
                            .entries
                            .push((*rev, *seq, value.as_slice()));
                    }
                    Write::ThinChanges { from, to } => {
                        history.of(&commit.room).removals.push(Removal {
                            from: *from,
                            to: *to,
                            all: false,
                        });
                    }
                    Write::DropSegment { from, to } => {
                        history.of(&commit.room).removals.push(Removal {
                            from: *from,
                            to: *to,
                            all: true,
                        });
                        self.encode(&mut changes, &commit.room, w)?;
                    }
                    _ => self.encode(&mut changes, &commit.room, w)?,
                }
            }
        }
        for (room, h) in history.rooms {
            if !h.removals.is_empty() {
                self.remove_entries(room, &h.removals, &mut changes)?;
            }
            batch_records(room, h.entries, &mut changes);
        }
        self.rooms.apply(changes)?;
        self.flush()
    }

    /// Stores a keyframe handed to the keyframe worker. Blocking.
    pub(super) fn put_history_keyframe(&self, kf: &DeferredKeyframe) -> Result<(), StoreError> {
        // One record at a time, the header last: see `KEYFRAME_HEADER`.
        for (key, value) in history::keyframe_records(&kf.room, kf.rev, kf.t, &kf.shapes) {
            self.rooms.put(key, value)?;
        }
        Ok(())
    }

    pub(super) fn encode(
        &self,
        changes: &mut Vec<Change>,
        room: &str,
        w: &Write,
    ) -> Result<(), StoreError> {
        let mut put = |key: Vec<u8>, value: Vec<u8>| changes.push((key, Some(value)));
        match w {
            Write::Shape { id, seq, rev, json } => put(
                codec::key(room, codec::SHAPE, id),
                codec::encode_shape(*seq, *rev, json),
            ),
            Write::Tombstone { id, rev } => put(
                codec::key(room, codec::TOMBSTONE, id),
                codec::encode_u64(*rev).to_vec(),
            ),
            Write::OpId { op_id, rev } => put(
                codec::key(room, codec::OP_ID, op_id),
                codec::encode_u64(*rev).to_vec(),
            ),
            Write::Meta {
                rev,
                floor,
                next_seq,
            } => put(
                codec::key(room, codec::META, ""),
                codec::encode_meta(*rev, *floor, *next_seq),
            ),
            Write::Lock { locked: true } => put(codec::key(room, codec::LOCK, ""), Vec::new()),
            Write::Lock { locked: false } => {
                changes.push((codec::key(room, codec::LOCK, ""), None))
            }
            Write::RemoveShape { id } => changes.push((codec::key(room, codec::SHAPE, id), None)),
            Write::RemoveTombstone { id, .. } => {
                changes.push((codec::key(room, codec::TOMBSTONE, id), None))
            }
            Write::RemoveOpId { op_id } => {
                changes.push((codec::key(room, codec::OP_ID, op_id), None))
            }
            // Gathered per room by `append`.
            Write::History { .. } | Write::ThinChanges { .. } => {}
            Write::DeletedShape { id, rev } => put(
                history::key(room, history::DELETED, id.as_bytes()),
                codec::encode_u64(*rev).to_vec(),
            ),
            Write::Keyframe { rev, t, shapes } => {
                for (key, value) in history::keyframe_records(room, *rev, *t, shapes) {
                    put(key, value);
                }
            }
            // Written after the batch by the keyframe worker.
            Write::DeferredKeyframe(_) => {}
            Write::RemoveSegment { rev } => {
                changes.push((history::rev_key(room, history::SEGMENT, *rev), None))
            }
            Write::Segment(segment) => put(
                history::rev_key(room, history::SEGMENT, segment.kf_rev),
                history::encode_segment(segment),
            ),
            Write::HistoryMeta(meta) => put(
                history::key(room, history::META, &[]),
                history::encode_meta(meta),
            ),
            Write::Checkpoint(c) => put(
                history::key(room, history::CHECKPOINT, &c.id.to_be_bytes()),
                history::encode_checkpoint(c),
            ),
            // Its entries are removed by `append`, with the room's thinning.
            Write::DropSegment { from, .. } => {
                let (start, end) = (
                    history::keyframe_chunk_key(room, *from, 0),
                    history::keyframe_key(room, *from),
                );
                self.rooms
                    .scan_range::<StoreError>(&start, &end, |key, _| {
                        changes.push((key.to_vec(), None));
                        Ok(true)
                    })?;
                changes.push((history::rev_key(room, history::SEGMENT, *from), None));
            }
            Write::ClearShapes => {
                self.rooms
                    .scan::<StoreError>(&codec::key(room, codec::SHAPE, ""), |key, _| {
                        changes.push((key.to_vec(), None));
                        Ok(())
                    })?;
            }
            Write::BoardInHistory(true) => {
                put(codec::key(room, codec::BOARD_IN_HISTORY, ""), Vec::new())
            }
            Write::BoardInHistory(false) => {
                changes.push((codec::key(room, codec::BOARD_IN_HISTORY, ""), None))
            }
            Write::ClearRoom => {
                // Later changes of the same keys in the batch win.
                self.rooms
                    .scan::<StoreError>(&codec::room_prefix(room), |key, _| {
                        changes.push((key.to_vec(), None));
                        Ok(())
                    })?;
            }
        }
        Ok(())
    }
}

/// The history writes of one batch, per room, rooms in the order they first
/// appear in it.
#[derive(Default)]
struct RoomHistories<'a> {
    rooms: Vec<(&'a str, RoomHistory<'a>)>,
    index: HashMap<&'a str, usize>,
}

/// One room's entries `(rev, seq, bytes)` and thinning in one batch.
#[derive(Default)]
struct RoomHistory<'a> {
    entries: Vec<RecordEntry<'a>>,
    removals: Vec<Removal>,
}

impl<'a> RoomHistories<'a> {
    fn of(&mut self, room: &'a str) -> &mut RoomHistory<'a> {
        let i = *self.index.entry(room).or_insert_with(|| {
            self.rooms.push((room, RoomHistory::default()));
            self.rooms.len() - 1
        });
        &mut self.rooms[i].1
    }
}
