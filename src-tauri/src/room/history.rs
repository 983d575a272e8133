//! A room's history as it is written: entries for its changes and marks,
//! keyframes, and retention, all as [`Write`]s in the same commit as the
//! change they record (see [`crate::store::history`] for the layout).
//!
//! The room holds the history's running state (sizes, the newest keyframe,
//! the segments) so that deciding on a keyframe or on thinning costs no
//! read; the state is written with every history write, so after a crash
//! the disk holds the state that matches the board.

use std::sync::Arc;

use serde_json::Value;

use super::{Doc, State};
use crate::protocol::Object;
use crate::store::history::{
    keyframe_len, Checkpoint, EntryKind, HistoryEntry, HistoryMeta, Segment, Who,
};
use crate::store::{DeferredKeyframe, HistoryState, KeyframeLedger, Write};

/// Default retention budget of one room's history.
pub const MAX_HISTORY_BYTES_PER_ROOM: u64 = 64 * 1024 * 1024;
/// A keyframe is written once the changes since the last one hold this
/// many times the board's bytes (and at least [`KEYFRAME_MIN_BYTES`]):
/// rebuilding a past board then reads at most about five boards' worth,
/// a few milliseconds, while keyframes add only a quarter to the bytes the
/// history writes (at 1× they doubled them, and a busy room's acks waited
/// on the flushes of those bytes).
pub const KEYFRAME_BOARD_MULTIPLE: u64 = 4;
/// The fewest change bytes between keyframes, so that a small board is not
/// copied at nearly every change.
pub const KEYFRAME_MIN_BYTES: u64 = 256 * 1024;
/// ... or once this many changes were made since the last keyframe, so
/// that many small changes to a big board are not replayed one by one.
pub const KEYFRAME_MAX_ENTRIES: u64 = 4_096;
/// Thinning brings a room over its budget back to this share of it (in
/// quarters), so that it does not thin again at the very next change.
const THIN_TO_QUARTERS: u64 = 3;

/// The current time in ms since the Unix epoch.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The writer of one room's history.
#[derive(Debug, Default)]
pub struct Recorder {
    /// The room's name, for the keyframes written after their batch.
    room: Arc<str>,
    /// Bytes of history kept for the room; 0: history is off.
    budget: u64,
    meta: HistoryMeta,
    /// Closed segments, oldest first.
    closed: Vec<Segment>,
    started: bool,
    /// Keyframes on their way to disk: the entries before them stay.
    ledger: Arc<KeyframeLedger>,
    /// Writes that put the records on disk right after a crash lost a
    /// keyframe, written with the first history write.
    repairs: Vec<Write>,
    /// Whether the history holds the board's shapes on disk (see
    /// [`Recorder::place_board`]).
    holds_board: bool,
}

impl Recorder {
    /// The recorder of a room whose history on disk is `state`.
    pub fn new(room: &str, budget: u64, state: Option<HistoryState>) -> Recorder {
        let mut r = Recorder {
            room: room.into(),
            budget,
            ..Recorder::default()
        };
        if let Some(state) = state {
            r.meta = state.meta;
            r.closed = state.closed;
            r.repairs = state.repairs;
            r.started = true;
        }
        r
    }

    pub fn on(&self) -> bool {
        self.budget > 0
    }

    /// The room's board was loaded from its history (`true`) or from shape
    /// records.
    pub fn holding_board(mut self, holds: bool) -> Recorder {
        self.holds_board = holds;
        self
    }

    /// Keeps the board's shapes in one place on disk, in the commit that
    /// `writes` make. With history on, the history is that place: each
    /// change's entry already holds the shape, so the shape records are
    /// left out (the first commit removes any there are, after a keyframe
    /// of the board, and marks the room). With history off, the shape
    /// records are: a board loaded from the history is written out whole
    /// in the first commit. Called after the commit's history writes.
    pub fn place_board(&mut self, doc: &Doc, writes: &mut Vec<Write>) {
        if self.on() {
            let cleared = writes.iter().any(|w| matches!(w, Write::ClearRoom));
            writes.retain(|w| !matches!(w, Write::Shape { .. } | Write::RemoveShape { .. }));
            if !self.holds_board {
                if !writes.iter().any(|w| matches!(w, Write::Keyframe { .. })) {
                    self.start_keyframe(doc, now_ms(), true, writes);
                    writes.push(Write::HistoryMeta(self.meta));
                }
                writes.push(Write::ClearShapes);
            }
            if !self.holds_board || cleared {
                writes.push(Write::BoardInHistory(true));
                self.holds_board = true;
            }
        } else if self.holds_board {
            writes.extend(doc.shape_writes());
            writes.push(Write::BoardInHistory(false));
            self.holds_board = false;
        }
    }

    /// Makes the history start at the board as it is, when it has none or
    /// it does not end at the board's revision (it was off for a while, or
    /// a failed write lost entries): a keyframe at the board's revision, and
    /// the moments in between count as thinned.
    pub fn resync(&mut self, doc: &Doc, writes: &mut Vec<Write>) {
        if !self.on() {
            return;
        }
        writes.append(&mut self.repairs);
        if self.started && self.meta.last_rev == doc.rev() {
            return;
        }
        let t = now_ms();
        if !self.started {
            self.meta = HistoryMeta {
                first_rev: doc.rev(),
                thinned_before: doc.rev(),
                checkpoint_rev: u64::MAX,
                ..HistoryMeta::default()
            };
            self.start_keyframe(doc, t, true, writes);
            self.started = true;
        } else {
            self.start_keyframe(doc, t, true, writes);
            self.meta.thinned_before = self.meta.thinned_before.max(doc.rev());
        }
        self.meta.last_rev = doc.rev();
        self.meta.last_t = t;
        self.meta.next_seq = 1;
        writes.push(Write::HistoryMeta(self.meta));
    }

    /// The room is written whole after a failed write: entries of the
    /// failed batches are lost, so a keyframe of the board as it is starts a
    /// new segment and the moments before it count as thinned.
    pub fn after_fault(&mut self, doc: &Doc, writes: &mut Vec<Write>) {
        if !self.on() {
            return;
        }
        if !self.started {
            self.resync(doc, writes);
            return;
        }
        self.start_keyframe(doc, now_ms(), true, writes);
        self.meta.thinned_before = self.meta.thinned_before.max(doc.rev());
        self.meta.last_rev = doc.rev();
        writes.push(Write::HistoryMeta(self.meta));
    }

    /// A keyframe of `doc` at its revision, which starts a new segment (a
    /// keyframe at the revision of the newest one replaces it).
    ///
    /// `required`: the history cannot rebuild this board without it (it
    /// starts again after a gap), so it is written in the change's batch.
    /// Otherwise it only speeds up rebuilding, and is written after the
    /// batch's acks (see [`crate::store::DeferredKeyframe`]). Either way
    /// only the shapes' ids and shared JSON are copied under the room lock;
    /// the bytes are built off it.
    fn start_keyframe(&mut self, doc: &Doc, t: u64, required: bool, writes: &mut Vec<Write>) {
        let shapes = doc.snapshot();
        let bytes = keyframe_len(&shapes);
        let total = self.meta.total_bytes;
        if self.started && self.meta.current.kf_rev == doc.rev() {
            self.meta.total_bytes = total - self.meta.current.kf_bytes.min(total) + bytes;
            self.meta.current.kf_bytes = bytes;
        } else {
            if self.started {
                self.closed.push(self.meta.current);
                writes.push(Write::Segment(self.meta.current));
            }
            self.meta.current = Segment {
                kf_rev: doc.rev(),
                kf_t: t,
                kf_bytes: bytes,
                ..Segment::default()
            };
            self.meta.total_bytes = total + bytes;
        }
        if required {
            writes.push(Write::Keyframe {
                rev: doc.rev(),
                t,
                shapes,
            });
        } else {
            self.ledger.add(doc.rev());
            writes.push(Write::DeferredKeyframe(DeferredKeyframe {
                room: self.room.clone(),
                rev: doc.rev(),
                t,
                shapes,
                ledger: self.ledger.clone(),
            }));
        }
    }

    /// Records the change that made `doc`'s revision.
    pub fn change(&mut self, doc: &Doc, entry: HistoryEntry, writes: &mut Vec<Write>) {
        if !self.on() {
            return;
        }
        self.resync_before(doc, writes);
        let rev = doc.rev();
        let value = crate::store::history::encode_entry(&entry);
        let mut bytes = 16 + value.len() as u64;
        // "Bring back" finds a deleted shape's last delete through its
        // tombstone while the room keeps it, so the index record is only
        // written when the room drops the tombstone at its bound: a delete
        // then writes no record of its own but its entry (one per batch).
        let dropped: Vec<(String, u64)> = writes
            .iter()
            .filter_map(|w| match w {
                Write::RemoveTombstone {
                    id,
                    dropped: Some(at),
                } => Some((id.clone(), *at)),
                _ => None,
            })
            .collect();
        for (id, at) in dropped {
            bytes += 16 + id.len() as u64;
            writes.push(Write::DeletedShape { id, rev: at });
        }
        if entry.kind == EntryKind::Delete {
            self.meta.current.delete_bytes += bytes;
        }
        writes.push(Write::History { rev, seq: 0, value });
        self.meta.total_bytes += bytes;
        self.meta.current.change_bytes += bytes;
        self.meta.current.changes += 1;
        self.meta.last_rev = rev;
        self.meta.last_t = entry.t;
        self.meta.next_seq = 1;
        let cur = self.meta.current;
        if cur.change_bytes
            >= (doc.bytes() as u64)
                .saturating_mul(KEYFRAME_BOARD_MULTIPLE)
                .max(KEYFRAME_MIN_BYTES)
            || cur.changes >= KEYFRAME_MAX_ENTRIES
        {
            self.start_keyframe(doc, entry.t, false, writes);
        }
        self.thin(writes);
        writes.push(Write::HistoryMeta(self.meta));
    }

    /// The history must end just before this change: if it does not (a
    /// failed write lost entries), the change starts a new segment after a
    /// keyframe, and earlier moments count as thinned.
    fn resync_before(&mut self, doc: &Doc, writes: &mut Vec<Write>) {
        if !self.started || self.meta.last_rev + 1 != doc.rev() {
            self.resync(doc, writes);
        }
    }

    /// Records a mark (join, leave, checkpoint) at the board's revision.
    pub fn mark(&mut self, doc: &Doc, entry: HistoryEntry, writes: &mut Vec<Write>) {
        if !self.on() {
            return;
        }
        self.resync(doc, writes);
        let value = crate::store::history::encode_entry(&entry);
        let bytes = 16 + value.len() as u64;
        writes.push(Write::History {
            rev: doc.rev(),
            seq: self.meta.next_seq,
            value,
        });
        self.meta.next_seq += 1;
        self.meta.total_bytes += bytes;
        self.meta.current.mark_bytes += bytes;
        self.meta.last_t = entry.t;
        self.thin(writes);
        writes.push(Write::HistoryMeta(self.meta));
    }

    /// Whether the board changed since the last checkpoint.
    pub fn changed_since_checkpoint(&self, doc: &Doc) -> bool {
        self.meta.checkpoint_rev != doc.rev()
    }

    /// Checkpoints already made.
    pub fn checkpoints(&self) -> u64 {
        self.meta.checkpoints
    }

    /// A checkpoint of the board now, with its mark.
    pub fn checkpoint(
        &mut self,
        doc: &Doc,
        name: String,
        who: Option<Who>,
        writes: &mut Vec<Write>,
    ) -> Option<Checkpoint> {
        if !self.on() {
            return None;
        }
        self.resync(doc, writes);
        let t = now_ms();
        let c = Checkpoint {
            id: self.meta.next_checkpoint + 1,
            rev: doc.rev(),
            t,
            auto: who.is_none(),
            user_id: who
                .as_ref()
                .map_or(String::new(), |w| w.user_id.to_string()),
            name: name.clone(),
        };
        self.meta.next_checkpoint = c.id;
        self.meta.checkpoints += 1;
        self.meta.checkpoint_rev = c.rev;
        writes.push(Write::Checkpoint(c.clone()));
        let entry = HistoryEntry {
            kind: EntryKind::Checkpoint,
            t,
            who,
            restore: None,
            shapes: Vec::new(),
            checkpoint: Some((c.id, name)),
        };
        self.mark(doc, entry, writes);
        Some(c)
    }

    /// Past the budget: thin the oldest segments to their keyframes, then
    /// drop the oldest keyframes, until the history is back to
    /// [`THIN_TO_QUARTERS`] of its budget. The newest keyframe and the
    /// entries after it are never touched.
    fn thin(&mut self, writes: &mut Vec<Write>) {
        if self.meta.total_bytes <= self.budget {
            return;
        }
        let target = self.budget / 4 * THIN_TO_QUARTERS;
        let next_kf = |closed: &[Segment], i: usize, current: &Segment| {
            closed.get(i + 1).map_or(current.kf_rev, |s| s.kf_rev)
        };
        for i in 0..self.closed.len() {
            if self.meta.total_bytes <= target {
                return;
            }
            let to = next_kf(&self.closed, i, &self.meta.current);
            // Entries up to a keyframe not yet on disk are all that rebuild
            // the boards after it if a crash loses it.
            if self.closed[i].thinned() || self.ledger.is_pending(to) {
                continue;
            }
            let seg = &mut self.closed[i];
            writes.push(Write::ThinChanges {
                from: seg.kf_rev,
                to,
            });
            let freed = seg.change_bytes - seg.delete_bytes;
            self.meta.total_bytes -= freed.min(self.meta.total_bytes);
            seg.change_bytes = seg.delete_bytes;
            seg.changes = 0;
            writes.push(Write::Segment(*seg));
            self.meta.thinned_before = self.meta.thinned_before.max(to);
        }
        while self.meta.total_bytes > target && !self.closed.is_empty() {
            let to = self
                .closed
                .get(1)
                .map_or(self.meta.current.kf_rev, |s| s.kf_rev);
            if self.ledger.is_pending(to) {
                break;
            }
            let seg = self.closed.remove(0);
            writes.push(Write::DropSegment {
                from: seg.kf_rev,
                to,
            });
            self.meta.total_bytes -= seg.bytes().min(self.meta.total_bytes);
            self.meta.first_rev = to;
            self.meta.thinned_before = self.meta.thinned_before.max(to);
        }
    }
}

/// Who a member is, for an entry.
pub fn who(user_id: &Arc<str>, name: &str, seat: crate::protocol::Seat) -> Who {
    Who {
        user_id: user_id.clone(),
        name: name.into(),
        seat: seat.as_str(),
    }
}

/// What the history records of a change: its kind, the revision it
/// restores (`"restore": N` in a restoring client's payload; anything but a
/// non-negative integer is ignored), and for a delete the ids whose shapes
/// it keeps as they were.
pub(crate) struct Recorded<'a> {
    kind: EntryKind,
    restore: Option<u64>,
    pub(super) before: &'a [String],
}

impl<'a> Recorded<'a> {
    pub(super) fn new(kind: EntryKind, payload: &Object, before: &'a [String]) -> Recorded<'a> {
        Recorded {
            kind,
            restore: payload.get("restore").and_then(Value::as_u64),
            before,
        }
    }

    /// The entry of a change just applied, from its writes: the shape after
    /// an add or update, the shapes removed by a delete as they were.
    pub(super) fn entry(
        &self,
        state: &State,
        user_id: &Arc<str>,
        writes: &[Write],
        before: Vec<(String, Arc<str>)>,
    ) -> HistoryEntry {
        let shapes = match self.kind {
            EntryKind::Delete => {
                let removed: Vec<&str> = writes
                    .iter()
                    .filter_map(|w| match w {
                        Write::RemoveShape { id } => Some(id.as_str()),
                        _ => None,
                    })
                    .collect();
                before
                    .into_iter()
                    .filter(|(id, _)| removed.contains(&id.as_str()))
                    .collect()
            }
            _ => writes
                .iter()
                .filter_map(|w| match w {
                    Write::Shape { id, json, .. } => Some((id.clone(), json.clone())),
                    _ => None,
                })
                .collect(),
        };
        HistoryEntry {
            kind: self.kind,
            t: now_ms(),
            who: state
                .seats
                .find(user_id)
                .map(|m| who(user_id, &m.username, m.seat)),
            restore: self.restore,
            shapes,
            checkpoint: None,
        }
    }
}
