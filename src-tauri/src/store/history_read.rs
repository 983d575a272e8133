//! Reading a room's history back: its state, pages of entries, the board at
//! a past revision, a deleted shape, checkpoints. Blocking: call from
//! `spawn_blocking`.
//!
//! The board at revision N is the nearest keyframe at or before N plus the
//! change entries after it; keyframes and entries hold shapes as stored
//! JSON text, so rebuilding copies bytes and never parses a shape.

use std::sync::Arc;

use indexmap::IndexMap;

use super::history::{self as h, Checkpoint, EntryKind, EntryRef, HistoryMeta, Segment};
use super::{codec, Store, StoreError, Write};

/// What a room's history holds: its metadata and closed segments, oldest first.
#[derive(Debug, Clone, Default)]
pub struct HistoryState {
    pub meta: HistoryMeta,
    pub closed: Vec<Segment>,
    /// Writes that make the records on disk match `meta` and `closed`
    /// after segments whose keyframe was lost were merged (see
    /// [`merge_lost_keyframes`]); the room writes them when it loads.
    pub repairs: Vec<Write>,
}

impl HistoryState {
    /// Revisions where a whole board is kept, oldest first.
    pub fn keyframes(&self) -> Vec<u64> {
        let mut revs: Vec<u64> = self.closed.iter().map(|s| s.kf_rev).collect();
        revs.push(self.meta.current.kf_rev);
        revs
    }
}

/// One entry read back, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    pub rev: u64,
    pub seq: u32,
    pub kind: EntryKind,
    pub t: u64,
    pub user_id: String,
    pub name: String,
    pub seat: String,
    pub restore: Option<u64>,
    pub checkpoint: Option<(u64, String)>,
    /// `(id, json)` of the shapes the entry names (json empty unless asked for).
    pub shapes: Vec<(String, String)>,
}

impl StoredEntry {
    fn from_ref(rev: u64, seq: u32, e: EntryRef<'_>, with_json: bool) -> StoredEntry {
        StoredEntry {
            rev,
            seq,
            kind: e.kind,
            t: e.t,
            user_id: e.user_id.to_string(),
            name: e.name.to_string(),
            seat: e.seat.to_string(),
            restore: e.restore,
            checkpoint: e.checkpoint.map(|(id, n)| (id, n.to_string())),
            shapes: e
                .shapes
                .iter()
                .map(|(id, json)| {
                    let json = if with_json {
                        json.to_string()
                    } else {
                        String::new()
                    };
                    (id.to_string(), json)
                })
                .collect(),
        }
    }
}

/// A page of history.
#[derive(Debug, Default)]
pub struct HistoryPage {
    pub entries: Vec<StoredEntry>,
    pub marks: Vec<StoredEntry>,
    /// The `from` of the next page, when this one was cut at its limit.
    pub next: Option<u64>,
}

/// A board rebuilt at a past revision.
#[derive(Debug)]
pub struct PastBoard {
    /// The revision shown (a keyframe's, when the one asked for was thinned).
    pub rev: u64,
    pub t: u64,
    pub exact: bool,
    /// Stored JSON of every shape, in board order.
    pub shapes: Vec<String>,
}

/// A shape's last state, for "bring back".
#[derive(Debug)]
pub struct LastState {
    pub rev: u64,
    pub t: u64,
    pub deleted: bool,
    pub json: String,
    pub user_id: String,
    pub name: String,
}

/// A keyframe written after its batch (see [`super::keyframes`]) may be
/// lost in a crash. Its segment is then merged into the one before it: that
/// keyframe plus the entries after it (which thinning kept, the keyframe
/// being pending) rebuild every board of both. The first keyframe is always
/// written in its batch, so there is one to merge into.
fn merge_lost_keyframes(
    state: &mut HistoryState,
    exists: impl Fn(u64) -> Result<bool, super::DbError>,
) -> Result<(), StoreError> {
    let mut all = std::mem::take(&mut state.closed);
    all.push(state.meta.current);
    let before: Vec<Segment> = all.clone();
    let mut kept: Vec<Segment> = Vec::with_capacity(all.len());
    for seg in all {
        match kept.last_mut() {
            Some(prev) if !exists(seg.kf_rev)? => {
                prev.change_bytes += seg.change_bytes;
                prev.mark_bytes += seg.mark_bytes;
                prev.changes += seg.changes;
                prev.delete_bytes += seg.delete_bytes;
                state.meta.total_bytes -= seg.kf_bytes.min(state.meta.total_bytes);
            }
            _ => kept.push(seg),
        }
    }
    state.meta.current = kept.pop().expect("the first segment is kept");
    state.closed = kept;
    if state.closed.len() + 1 == before.len() {
        return Ok(());
    }
    for old in &before {
        match state.closed.iter().find(|s| s.kf_rev == old.kf_rev) {
            Some(s) if s != old => state.repairs.push(Write::Segment(*s)),
            Some(_) => {}
            None if old.kf_rev != before.last().map_or(0, |c| c.kf_rev) => {
                state.repairs.push(Write::RemoveSegment { rev: old.kf_rev })
            }
            None => {}
        }
    }
    state.repairs.push(Write::HistoryMeta(state.meta));
    Ok(())
}

/// A keyframe read back: its revision, header key and joined chunks.
type WholeKeyframe = (u64, Vec<u8>, Vec<u8>);

/// A room's shapes as loaded: `(id, seq, rev, json)`.
type LoadedShapes = Vec<(String, u64, u64, Arc<str>)>;

/// A board rebuilt from a keyframe and entries: the revision and time
/// shown, and each shape's id → (revision that last set it, JSON).
struct Replayed {
    rev: u64,
    t: u64,
    board: IndexMap<String, (u64, String)>,
}

fn corrupt(key: &[u8]) -> StoreError {
    StoreError::Corrupt(String::from_utf8_lossy(key).into_owned())
}

impl Store {
    /// The history's metadata and closed segments; `None` when the room has
    /// no history (new, or kept while history was off).
    pub fn history_state(&self, room: &str) -> Result<Option<HistoryState>, StoreError> {
        let key = h::key(room, h::META, &[]);
        let Some(v) = self.rooms.get(&key)? else {
            return Ok(None);
        };
        let meta = h::decode_meta(&v).ok_or_else(|| corrupt(&key))?;
        let mut closed = Vec::new();
        self.rooms
            .scan::<StoreError>(&h::key(room, h::SEGMENT, &[]), |k, v| {
                closed.push(h::decode_segment(v).ok_or_else(|| corrupt(k))?);
                Ok(())
            })?;
        closed.sort_by_key(|s| s.kf_rev);
        let mut state = HistoryState {
            meta,
            closed,
            repairs: Vec::new(),
        };
        merge_lost_keyframes(&mut state, |rev| {
            self.rooms.contains(&h::keyframe_key(room, rev))
        })?;
        Ok(Some(state))
    }

    /// The changes with `from <= rev <= to` (at most `limit`) and every
    /// mark in that range (at most `max_marks`, the newest kept).
    pub fn history_page(
        &self,
        room: &str,
        (from, to): (u64, u64),
        limit: usize,
        max_marks: usize,
        with_json: bool,
    ) -> Result<HistoryPage, StoreError> {
        let mut page = HistoryPage::default();
        self.scan_entries(room, (from, 0), (to, u32::MAX), |rev, seq, v| {
            let bad = || corrupt(&h::entry_key(room, rev, seq));
            let kind = h::entry_kind(v).ok_or_else(bad)?;
            if kind.is_change() {
                if page.entries.len() >= limit {
                    page.next.get_or_insert(rev);
                    return Ok(true);
                }
                let e = h::decode_entry(v).ok_or_else(bad)?;
                page.entries
                    .push(StoredEntry::from_ref(rev, seq, e, with_json));
            } else {
                let e = h::decode_entry(v).ok_or_else(bad)?;
                page.marks.push(StoredEntry::from_ref(rev, seq, e, false));
                if page.marks.len() > max_marks {
                    page.marks.remove(0);
                }
            }
            Ok(true)
        })?;
        Ok(page)
    }

    /// The board at revision `rev`, or `None` when it is older than what
    /// is kept. The caller checks `rev` against the current revision.
    pub fn history_board(
        &self,
        room: &str,
        state: &HistoryState,
        rev: u64,
    ) -> Result<Option<PastBoard>, StoreError> {
        if rev < state.meta.first_rev {
            return Ok(None);
        }
        let exact = rev >= state.meta.thinned_before;
        let Some(replayed) = self.replay(room, rev, exact)? else {
            return Ok(None);
        };
        Ok(Some(PastBoard {
            rev: replayed.rev,
            t: replayed.t,
            exact: exact || replayed.rev == rev,
            shapes: replayed.board.into_values().map(|(_, json)| json).collect(),
        }))
    }

    /// The room's board at `rev`, its newest revision, from the history
    /// that holds it (see [`codec::BOARD_IN_HISTORY`]): `(id, seq, rev,
    /// json)` in board order. A shape of the keyframe carries the keyframe's
    /// revision (its own may be older: a delta sync from before then sends
    /// it again, which is harmless); `seq` is its place on the board.
    pub(super) fn current_board(
        &self,
        room: &str,
        rev: u64,
        state: Option<&HistoryState>,
    ) -> Result<LoadedShapes, StoreError> {
        let missing = || {
            StoreError::Corrupt(format!(
                "room {room:?}: its history, which holds its board, does not reach revision {rev}"
            ))
        };
        let state = state.ok_or_else(missing)?;
        if state.meta.last_rev != rev || rev < state.meta.thinned_before {
            return Err(missing());
        }
        let replayed = self.replay(room, rev, true)?.ok_or_else(missing)?;
        if replayed.rev != rev {
            return Err(missing());
        }
        Ok(replayed
            .board
            .into_iter()
            .enumerate()
            .map(|(i, (id, (rev, json)))| (id, i as u64 + 1, rev, Arc::from(json)))
            .collect())
    }

    /// The newest keyframe at or before `rev`, and (when `entries`) the
    /// change entries after it up to `rev`: each shape with the revision
    /// that last set it, in board order.
    fn replay(&self, room: &str, rev: u64, entries: bool) -> Result<Option<Replayed>, StoreError> {
        let Some((kf_rev, k, v)) = self.keyframe_at_or_before(room, rev)? else {
            return Ok(None);
        };
        let mut d = h::Dec(&v);
        let t = d.u64().ok_or_else(|| corrupt(&k))?;
        let n = d.u32().ok_or_else(|| corrupt(&k))? as usize;
        let mut board: IndexMap<String, (u64, String)> = IndexMap::with_capacity(n);
        for _ in 0..n {
            let (id, json) = (d.str(), d.str());
            let (Some(id), Some(json)) = (id, json) else {
                return Err(corrupt(&k));
            };
            board.insert(id.to_string(), (kf_rev, json.to_string()));
        }
        let mut shown = Replayed {
            rev: kf_rev,
            t,
            board,
        };
        if kf_rev < rev && entries {
            self.scan_entries(room, (kf_rev, 1), (rev, 0), |rev, seq, v| {
                if !h::entry_kind(v).is_some_and(EntryKind::is_change) {
                    return Ok(true);
                }
                let e = h::decode_entry(v).ok_or_else(|| corrupt(&h::entry_key(room, rev, seq)))?;
                shown.t = e.t;
                for (id, json) in e.shapes {
                    if e.kind == EntryKind::Delete {
                        shown.board.shift_remove(id);
                    } else {
                        shown.board.insert(id.to_string(), (rev, json.to_string()));
                    }
                }
                Ok(true)
            })?;
            shown.rev = rev;
        }
        Ok(Some(shown))
    }

    /// The newest whole keyframe at or before `rev`: its revision, header
    /// key and bytes (its chunks joined). An incomplete one (a crash while
    /// it was written, or being written now) is passed over.
    fn keyframe_at_or_before(
        &self,
        room: &str,
        rev: u64,
    ) -> Result<Option<WholeKeyframe>, StoreError> {
        let lo = h::keyframe_chunk_key(room, 0, 0);
        let mut hi = h::keyframe_key(room, rev);
        loop {
            let Some((k, v)) = self.rooms.last_in(&lo, &hi)? else {
                return Ok(None);
            };
            let (kf_rev, n) = h::split_entry_key(&k).ok_or_else(|| corrupt(&k))?;
            if n == h::KEYFRAME_HEADER {
                let count = h::Dec(&v).u32().ok_or_else(|| corrupt(&k))?;
                let mut bytes = Vec::new();
                let mut seen = 0;
                let (start, end) = (
                    h::keyframe_chunk_key(room, kf_rev, 0),
                    h::keyframe_chunk_key(room, kf_rev, count.saturating_sub(1)),
                );
                self.rooms.scan_range::<StoreError>(&start, &end, |_, v| {
                    bytes.extend_from_slice(v);
                    seen += 1;
                    Ok(true)
                })?;
                if seen != count {
                    return Err(corrupt(&k));
                }
                return Ok(Some((kf_rev, k, bytes)));
            }
            let Some(before) = kf_rev.checked_sub(1) else {
                return Ok(None);
            };
            hi = h::keyframe_key(room, before);
        }
    }

    /// The revision of the last change at or before time `ms`; `None` when
    /// the oldest kept moment is later.
    pub fn history_rev_at(
        &self,
        room: &str,
        state: &HistoryState,
        ms: u64,
    ) -> Result<Option<u64>, StoreError> {
        let mut segments = state.closed.clone();
        segments.push(state.meta.current);
        let Some(i) = segments.iter().rposition(|s| s.kf_t <= ms) else {
            return Ok(None);
        };
        let from = segments[i].kf_rev;
        let to = segments
            .get(i + 1)
            .map_or(state.meta.last_rev, |s| s.kf_rev);
        let mut found = from;
        self.scan_entries(room, (from, 1), (to, 0), |rev, seq, v| {
            let Some(e) = h::decode_entry(v) else {
                return Err(corrupt(&h::entry_key(room, rev, seq)));
            };
            if e.t > ms {
                return Ok(false);
            }
            if e.kind.is_change() {
                found = rev;
            }
            Ok(true)
        })?;
        Ok(Some(found))
    }

    /// The last state of shape `id`: live on the board (found here only in
    /// a room whose shapes are records; where the history holds them the
    /// caller asks the room first), else as it was just
    /// before the kept change that last deleted it. That change is the one
    /// the shape's tombstone names while the board keeps it, else the one
    /// its "bring back" index record names (written when the tombstone was
    /// dropped; databases from before hold one for every delete).
    pub fn history_shape(&self, room: &str, id: &str) -> Result<Option<LastState>, StoreError> {
        let live = codec::key(room, codec::SHAPE, id);
        if let Some(v) = self.rooms.get(&live)? {
            let (_, rev, json) = codec::decode_shape(&v).ok_or_else(|| corrupt(&live))?;
            return Ok(Some(LastState {
                rev,
                t: 0,
                deleted: false,
                json: json.to_string(),
                user_id: String::new(),
                name: String::new(),
            }));
        }
        // A delete made while history was off has no entry: the index
        // record may still name an earlier one that has.
        for key in [
            codec::key(room, codec::TOMBSTONE, id),
            h::key(room, h::DELETED, id.as_bytes()),
        ] {
            let Some(v) = self.rooms.get(&key)? else {
                continue;
            };
            let rev = codec::decode_u64(&v).ok_or_else(|| corrupt(&key))?;
            if let Some(found) = self.deleted_in(room, rev, id)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Shape `id` as the delete entry at `rev` kept it, if it is kept.
    fn deleted_in(&self, room: &str, rev: u64, id: &str) -> Result<Option<LastState>, StoreError> {
        let Some(v) = self.entry_at(room, rev, 0)? else {
            return Ok(None);
        };
        let e = h::decode_entry(&v).ok_or_else(|| corrupt(&h::entry_key(room, rev, 0)))?;
        if e.kind != EntryKind::Delete {
            return Ok(None);
        }
        Ok(e.shapes
            .iter()
            .find(|(sid, _)| *sid == id)
            .map(|(_, json)| LastState {
                rev,
                t: e.t,
                deleted: true,
                json: json.to_string(),
                user_id: e.user_id.to_string(),
                name: e.name.to_string(),
            }))
    }

    /// Every checkpoint of `room`, oldest first.
    pub fn checkpoints(&self, room: &str) -> Result<Vec<Checkpoint>, StoreError> {
        let mut list = Vec::new();
        self.rooms
            .scan::<StoreError>(&h::key(room, h::CHECKPOINT, &[]), |k, v| {
                list.push(h::decode_checkpoint(v).ok_or_else(|| corrupt(k))?);
                Ok(())
            })?;
        Ok(list)
    }

    /// The board's revision on disk (0 for a room never written).
    pub fn board_rev(&self, room: &str) -> Result<u64, StoreError> {
        let key = codec::key(room, codec::META, "");
        Ok(match self.rooms.get(&key)? {
            Some(v) => codec::decode_meta(&v).ok_or_else(|| corrupt(&key))?.0,
            None => 0,
        })
    }
}

#[cfg(test)]
#[path = "bring_back_tests.rs"]
mod bring_back_tests;
