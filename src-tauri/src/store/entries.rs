//! History entry records: one entry, or a chunk of consecutive entries that
//! one group-commit batch wrote for one room (up to [`CHUNK_BYTES`]).
//!
//! Why chunks: sled's cost of applying a batch follows the number of
//! records inserted, not their bytes (sled 0.34 clones a leaf's record list
//! on each insert into it and splits a leaf past 16 records, while a large
//! value is shared, not copied). One entry record per change made the log
//! cost about a fifth of a saturated host's throughput; a batch now writes
//! one record per [`CHUNK_BYTES`] of a room's entries, whatever number of
//! changes that is.
//!
//! Layout, under the key `0x01 room \0 e rev(8) seq(4)`, the value is either
//! - one entry (its first byte an [`EntryKind`](super::history::EntryKind),
//!   1 to 6): the entry at the key's `rev` and `seq`. Every record was one
//!   before chunks, and a chunk that would hold one entry is still written
//!   as one; or
//! - a chunk (its first byte [`CHUNK_TAG`]): count(4), then for each entry
//!   rev(8) seq(4) len(4) and the entry's bytes, in `(rev, seq)` order.
//!
//! What readers rely on: a record's key is at or before each of its
//! entries, and each of its entries is before the next record's key. It
//! holds because a room's entries are written in `(rev, seq)` order, each
//! batch after the last, and thinning rewrites a chunk under its own key
//! with some entries left out. So the entries in `[a, b]` are those of the
//! records keyed in `[a, b]` plus those of the last record keyed before `a`.
//! Databases written before chunks hold one-entry records only, and read
//! the same way: nothing is migrated.

use std::collections::HashSet;

use super::db::Change;
use super::history::{self as h, Dec, Enc, EntryKind};
use super::{Store, StoreError};

/// The first byte of a chunk's value: no [`EntryKind`] has it.
pub const CHUNK_TAG: u8 = 0x80;

/// A chunk is closed before it passes this many bytes (an entry larger
/// than that is a record of its own). Why: sled writes a log message over a
/// quarter of its 512 KiB segment to a file of its own, created for it and
/// deleted later, and it writes a whole leaf (up to 17 records) each time
/// it consolidates or splits one. Chunks of a whole batch made the newest
/// leaves of the log hundreds of KiB, and those files cost more than the
/// records chunks saved; 17 chunks of 6 KiB stay under the quarter.
pub const CHUNK_BYTES: usize = 6 * 1024;

/// One entry of a record: its revision, seq and encoded bytes.
pub type RecordEntry<'a> = (u64, u32, &'a [u8]);

/// A chunk of `entries`, which are in `(rev, seq)` order.
pub fn encode_chunk(entries: &[RecordEntry<'_>]) -> Vec<u8> {
    let bytes: usize = entries.iter().map(|(_, _, e)| 16 + e.len()).sum();
    let mut enc = Enc(Vec::with_capacity(5 + bytes));
    enc.u8(CHUNK_TAG).u32(entries.len() as u32);
    for (rev, seq, e) in entries {
        enc.u64(*rev).u32(*seq).u32(e.len() as u32);
        enc.0.extend_from_slice(e);
    }
    enc.0
}

/// The records of one room's entries of one group-commit batch: chunks of
/// at most [`CHUNK_BYTES`], each keyed by its first entry, and a plain
/// entry record where a chunk would hold one entry.
pub(super) fn batch_records(room: &str, mut entries: Vec<RecordEntry<'_>>, out: &mut Vec<Change>) {
    // A room's entries arrive in order. Of two at one key, the last is
    // kept, as a batch of one record per entry kept it.
    entries.reverse();
    entries.sort_by_key(|(rev, seq, _)| (*rev, *seq));
    entries.dedup_by_key(|(rev, seq, _)| (*rev, *seq));
    let mut rest = entries.as_slice();
    while let Some((rev, seq, value)) = rest.first().copied() {
        let mut bytes = 16 + value.len();
        let mut n = 1;
        while let Some((_, _, e)) = rest.get(n) {
            if bytes + 16 + e.len() > CHUNK_BYTES {
                break;
            }
            bytes += 16 + e.len();
            n += 1;
        }
        let key = h::entry_key(room, rev, seq);
        out.push(match n {
            1 => (key, Some(value.to_vec())),
            _ => (key, Some(encode_chunk(&rest[..n]))),
        });
        rest = &rest[n..];
    }
}

/// The entries of the record `key`/`value`, in order; `None` when it is
/// damaged (a chunk whose entries are out of order or before its key
/// counts as damaged: readers would miss them).
pub fn record_entries<'a>(key: &[u8], value: &'a [u8]) -> Option<Vec<RecordEntry<'a>>> {
    let at_key = h::split_entry_key(key)?;
    if value.first() != Some(&CHUNK_TAG) {
        return Some(vec![(at_key.0, at_key.1, value)]);
    }
    let mut d = Dec(&value[1..]);
    let n = d.u32()? as usize;
    let mut out: Vec<RecordEntry<'a>> = Vec::with_capacity(n.min(4_096));
    let mut floor = at_key;
    for i in 0..n {
        let (rev, seq, len) = (d.u64()?, d.u32()?, d.u32()? as usize);
        if (rev, seq) < floor || (i > 0 && (rev, seq) == floor) {
            return None;
        }
        floor = (rev, seq);
        out.push((rev, seq, d.take(len)?));
    }
    d.0.is_empty().then_some(out)
}

/// What thinning removes from a room's entries (see `Write::ThinChanges`
/// and `Write::DropSegment`): the entries after the keyframe at `from` up
/// to and including the change at `to`; all of them, or only the changes
/// that are not deletes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Removal {
    pub from: u64,
    pub to: u64,
    pub all: bool,
}

impl Removal {
    fn first(&self) -> (u64, u32) {
        (self.from, 1)
    }

    fn last(&self) -> (u64, u32) {
        (self.to, 0)
    }

    /// Whether the entry at `rev`/`seq` with bytes `e` goes.
    fn removes(&self, rev: u64, seq: u32, e: &[u8]) -> bool {
        let at = (rev, seq);
        if at < self.first() || at > self.last() {
            return false;
        }
        // Thinning keeps marks, and deletes for "bring back".
        self.all || (seq == 0 && h::entry_kind(e) != Some(EntryKind::Delete))
    }
}

fn corrupt(key: &[u8]) -> StoreError {
    StoreError::Corrupt(String::from_utf8_lossy(key).into_owned())
}

impl Store {
    /// Calls `visit` with every entry of `room` from `from` to `to`
    /// (`(rev, seq)`, both included), in order; `visit` answers whether to
    /// go on.
    pub(super) fn scan_entries(
        &self,
        room: &str,
        from: (u64, u32),
        to: (u64, u32),
        mut visit: impl FnMut(u64, u32, &[u8]) -> Result<bool, StoreError>,
    ) -> Result<(), StoreError> {
        if from > to {
            return Ok(());
        }
        let start = h::entry_key(room, from.0, from.1);
        let end = h::entry_key(room, to.0, to.1);
        let mut each = |k: &[u8], v: &[u8]| -> Result<bool, StoreError> {
            for (rev, seq, e) in record_entries(k, v).ok_or_else(|| corrupt(k))? {
                if (rev, seq) < from {
                    continue;
                }
                // No later record holds an entry before this one.
                if (rev, seq) > to || !visit(rev, seq, e)? {
                    return Ok(false);
                }
            }
            Ok(true)
        };
        // The chunk that starts before `from` may hold entries after it.
        if let Some((k, v)) = self.rooms.last_in(&h::key(room, h::ENTRY, &[]), &start)? {
            if k != start && !each(&k, &v)? {
                return Ok(());
            }
        }
        self.rooms.scan_range(&start, &end, each)
    }

    /// The bytes of the entry of `room` at `rev`/`seq`, if it is kept.
    pub(super) fn entry_at(
        &self,
        room: &str,
        rev: u64,
        seq: u32,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let key = h::entry_key(room, rev, seq);
        let Some((k, v)) = self.rooms.last_in(&h::key(room, h::ENTRY, &[]), &key)? else {
            return Ok(None);
        };
        let entries = record_entries(&k, &v).ok_or_else(|| corrupt(&k))?;
        Ok(entries
            .into_iter()
            .find(|(r, s, _)| (*r, *s) == (rev, seq))
            .map(|(_, _, e)| e.to_vec()))
    }

    /// The changes that apply every removal of `room` in one batch to the
    /// entries on disk: a record all of whose entries go is removed, a
    /// chunk that keeps some is written again with those only.
    ///
    /// Why all at once: a chunk may straddle the ranges of two removals (it
    /// holds entries both before and after a keyframe); rewritten once per
    /// removal from what is on disk, the second rewrite would put back what
    /// the first took out. Entries written by the same batch are not on
    /// disk yet and are left alone, as they were when each entry was a
    /// record of its own.
    pub(super) fn remove_entries(
        &self,
        room: &str,
        removals: &[Removal],
        changes: &mut Vec<Change>,
    ) -> Result<(), StoreError> {
        let mut seen: HashSet<Vec<u8>> = HashSet::new();
        let mut each = |k: &[u8], v: &[u8]| -> Result<bool, StoreError> {
            if !seen.insert(k.to_vec()) {
                return Ok(true);
            }
            let entries = record_entries(k, v).ok_or_else(|| corrupt(k))?;
            let kept: Vec<RecordEntry<'_>> = entries
                .iter()
                .copied()
                .filter(|(rev, seq, e)| !removals.iter().any(|r| r.removes(*rev, *seq, e)))
                .collect();
            if kept.len() == entries.len() {
                return Ok(true);
            }
            let value = (!kept.is_empty()).then(|| encode_chunk(&kept));
            changes.push((k.to_vec(), value));
            Ok(true)
        };
        for r in removals.iter().filter(|r| r.first() <= r.last()) {
            let start = h::entry_key(room, r.from, 1);
            let end = h::entry_key(room, r.to, 0);
            if let Some((k, v)) = self.rooms.last_in(&h::key(room, h::ENTRY, &[]), &start)? {
                if k != start {
                    each(&k, &v)?;
                }
            }
            self.rooms.scan_range(&start, &end, &mut each)?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "entries_model.rs"]
mod model;
#[cfg(test)]
#[path = "entries_tests.rs"]
mod tests;
