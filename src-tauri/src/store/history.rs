//! The history of each room: keys and values of its op log, keyframes,
//! segments, checkpoints and metadata, all in the `rooms` tree.
//!
//! Why the same tree: a change and its history entry then land in one
//! atomic sled batch with one fsync, so the log can be neither ahead of nor
//! behind the board after a crash. Why a different prefix: board records
//! are `room \0 kind \0 id` and are read whole when a room loads; history
//! keys start with [`HISTORY_MARK`] (a byte no room name holds), so scanning
//! a room's records never reads its history, and `ClearRoom` never touches
//! it. With history on the history also holds the board's shapes (the room
//! keeps no shape records; see [`super::log`]): loading such a room reads
//! its newest keyframe and the entries after it.
//!
//! Keys, after `0x01 room \0`:
//! - `e` rev(8) seq(4): entries. An entry's place is its `rev` and `seq`:
//!   seq 0 is the change that made `rev`, 1, 2, ... the marks (join, leave,
//!   checkpoint) made at that revision. The record holds either the one
//!   entry at its key, or a chunk of consecutive entries that one
//!   group-commit batch wrote for the room, keyed by the first (see
//!   [`super::entries`]: sled's batch cost follows the number of records).
//!   Before chunks every record held one entry; those records are read as
//!   they are;
//! - a keyframe, the whole board at `rev`, is `0x02 room \0 rev(8) n(4)`
//!   instead: chunks `n` = 0, 1, ... then a header (see [`KEYFRAME_MARK`]);
//! - `s` rev(8): a closed segment (the keyframe at `rev` and the entries
//!   after it up to the next keyframe): its sizes, for retention;
//! - `d` id: the revision of the last entry that deleted shape `id`, for
//!   "bring back". While the board keeps the shape's tombstone, the
//!   tombstone names that revision, so this record is written only when
//!   the room drops the tombstone at its bound (databases from before hold
//!   one for every delete: a delete wrote one more record per shape);
//! - `c` id(8): a checkpoint;
//! - `m`: the history's [`HistoryMeta`].
//!
//! Values are plain length-prefixed binary: a board is rebuilt from them
//! without parsing any shape's JSON.

use std::sync::Arc;

/// The first byte of every history key but keyframes'.
pub const HISTORY_MARK: u8 = 0x01;
/// The first byte of keyframe keys (`0x02 room \0 rev(8) chunk(4)`). Why
/// apart from the rest of the history: sled rewrites a whole leaf (up to 16
/// records) now and then as records in it change, and keyframes next to the
/// records every batch rewrites (the metadata, the newest entries) made
/// each of those rewrites copy megabytes of boards.
pub const KEYFRAME_MARK: u8 = 0x02;
/// A keyframe is stored in chunks of this many bytes, for the same reason:
/// a leaf of 16 whole boards is rewritten whole when a keyframe is added;
/// and small enough that a leaf of 17 chunks is under the size sled writes
/// to a file of its own (see [`super::entries::CHUNK_BYTES`]). Keyframes
/// stored in larger chunks read the same: the header counts the chunks.
pub const KEYFRAME_CHUNK_BYTES: usize = 6 * 1024;
/// The chunk number of a keyframe's header record (its chunk count), written
/// after its chunks: a keyframe without one is incomplete and not read.
pub const KEYFRAME_HEADER: u32 = u32::MAX;
pub const ENTRY: u8 = b'e';
pub const SEGMENT: u8 = b's';
pub const DELETED: u8 = b'd';
pub const CHECKPOINT: u8 = b'c';
pub const META: u8 = b'm';

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Add = 1,
    Update = 2,
    Delete = 3,
    Join = 4,
    Leave = 5,
    Checkpoint = 6,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Add => "add",
            EntryKind::Update => "update",
            EntryKind::Delete => "delete",
            EntryKind::Join => "join",
            EntryKind::Leave => "leave",
            EntryKind::Checkpoint => "checkpoint",
        }
    }

    fn from_u8(b: u8) -> Option<EntryKind> {
        Some(match b {
            1 => EntryKind::Add,
            2 => EntryKind::Update,
            3 => EntryKind::Delete,
            4 => EntryKind::Join,
            5 => EntryKind::Leave,
            6 => EntryKind::Checkpoint,
            _ => return None,
        })
    }

    /// Whether the entry changed the board (else it is a mark).
    pub fn is_change(self) -> bool {
        matches!(self, EntryKind::Add | EntryKind::Update | EntryKind::Delete)
    }
}

/// Who made an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Who {
    pub user_id: Arc<str>,
    pub name: Arc<str>,
    pub seat: &'static str,
}

/// One entry, as the room records it.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub kind: EntryKind,
    pub t: u64,
    pub who: Option<Who>,
    pub restore: Option<u64>,
    /// Add/update: the shape after; delete: each shape just before.
    pub shapes: Vec<(String, Arc<str>)>,
    /// A checkpoint mark: the checkpoint's id and name.
    pub checkpoint: Option<(u64, String)>,
}

/// An entry read back, borrowing from the stored value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryRef<'a> {
    pub kind: EntryKind,
    pub t: u64,
    pub user_id: &'a str,
    pub name: &'a str,
    pub seat: &'a str,
    pub restore: Option<u64>,
    pub checkpoint: Option<(u64, &'a str)>,
    pub shapes: Vec<(&'a str, &'a str)>,
}

/// One keyframe and the entries after it up to the next keyframe.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Segment {
    pub kf_rev: u64,
    pub kf_t: u64,
    pub kf_bytes: u64,
    /// Bytes of change entries (only the deletes' once thinned).
    pub change_bytes: u64,
    pub mark_bytes: u64,
    pub changes: u64,
    /// Bytes of delete entries (and their "bring back" index records):
    /// thinning keeps them, so a shape deleted long ago can still be brought
    /// back for as long as its segment is kept.
    pub delete_bytes: u64,
}

impl Segment {
    pub fn bytes(&self) -> u64 {
        self.kf_bytes + self.change_bytes + self.mark_bytes
    }

    /// Whether thinning already removed every change entry it may.
    pub fn thinned(&self) -> bool {
        self.change_bytes <= self.delete_bytes
    }
}

/// The history's running state, written with every history write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HistoryMeta {
    /// The oldest revision whose board can be rebuilt.
    pub first_rev: u64,
    /// Changes before this revision were thinned to keyframes.
    pub thinned_before: u64,
    pub total_bytes: u64,
    /// The segment being written (its keyframe is the newest).
    pub current: Segment,
    /// The revision and time of the newest entry.
    pub last_rev: u64,
    pub last_t: u64,
    /// The next mark at `last_rev` takes this seq.
    pub next_seq: u32,
    pub next_checkpoint: u64,
    pub checkpoints: u64,
    /// The revision of the newest checkpoint (`u64::MAX`: none yet).
    pub checkpoint_rev: u64,
}

/// A checkpoint record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub id: u64,
    pub rev: u64,
    pub t: u64,
    pub name: String,
    pub auto: bool,
    pub user_id: String,
}

/// `0x01 room \0`: the prefix of every history key of `room`.
pub fn prefix(room: &str) -> Vec<u8> {
    let mut key = Vec::with_capacity(room.len() + 16);
    key.push(HISTORY_MARK);
    key.extend_from_slice(room.as_bytes());
    key.push(0);
    key
}

pub fn key(room: &str, kind: u8, rest: &[u8]) -> Vec<u8> {
    let mut key = prefix(room);
    key.push(kind);
    key.extend_from_slice(rest);
    key
}

pub fn entry_key(room: &str, rev: u64, seq: u32) -> Vec<u8> {
    let mut rest = [0u8; 12];
    rest[..8].copy_from_slice(&rev.to_be_bytes());
    rest[8..].copy_from_slice(&seq.to_be_bytes());
    key(room, ENTRY, &rest)
}

/// The key of chunk `n` of the keyframe of `room` at `rev`.
pub fn keyframe_chunk_key(room: &str, rev: u64, n: u32) -> Vec<u8> {
    let mut key = Vec::with_capacity(room.len() + 14);
    key.push(KEYFRAME_MARK);
    key.extend_from_slice(room.as_bytes());
    key.push(0);
    key.extend_from_slice(&rev.to_be_bytes());
    key.extend_from_slice(&n.to_be_bytes());
    key
}

/// The key of the header of the keyframe of `room` at `rev`: it exists
/// once the whole keyframe does.
pub fn keyframe_key(room: &str, rev: u64) -> Vec<u8> {
    keyframe_chunk_key(room, rev, KEYFRAME_HEADER)
}

/// The records of a keyframe, chunks first and its header last: the
/// encoded keyframe cut every [`KEYFRAME_CHUNK_BYTES`].
pub fn keyframe_records(
    room: &str,
    rev: u64,
    t: u64,
    shapes: &[(String, Arc<str>)],
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let bytes = encode_keyframe(t, shapes);
    let mut out: Vec<(Vec<u8>, Vec<u8>)> = bytes
        .chunks(KEYFRAME_CHUNK_BYTES)
        .enumerate()
        .map(|(n, c)| (keyframe_chunk_key(room, rev, n as u32), c.to_vec()))
        .collect();
    let count = out.len() as u32;
    out.push((keyframe_key(room, rev), count.to_be_bytes().to_vec()));
    out
}

pub fn rev_key(room: &str, kind: u8, rev: u64) -> Vec<u8> {
    key(room, kind, &rev.to_be_bytes())
}

/// The revision and seq of an entry key.
pub fn split_entry_key(key: &[u8]) -> Option<(u64, u32)> {
    let n = key.len();
    let tail = key.get(n.checked_sub(12)?..)?;
    Some((
        u64::from_be_bytes(tail[..8].try_into().ok()?),
        u32::from_be_bytes(tail[8..].try_into().ok()?),
    ))
}

/// The revision at the end of a keyframe or segment key.
pub fn split_rev_key(key: &[u8]) -> Option<u64> {
    let n = key.len();
    Some(u64::from_be_bytes(
        key.get(n.checked_sub(8)?..)?.try_into().ok()?,
    ))
}

/// Appends binary fields to a value.
#[derive(Default)]
pub struct Enc(pub Vec<u8>);

impl Enc {
    pub fn u8(&mut self, n: u8) -> &mut Self {
        self.0.push(n);
        self
    }
    pub fn u64(&mut self, n: u64) -> &mut Self {
        self.0.extend_from_slice(&n.to_be_bytes());
        self
    }
    pub fn u32(&mut self, n: u32) -> &mut Self {
        self.0.extend_from_slice(&n.to_be_bytes());
        self
    }
    pub fn str(&mut self, s: &str) -> &mut Self {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
        self
    }
}

/// Reads binary fields of a value; every read is checked.
pub struct Dec<'a>(pub &'a [u8]);

impl<'a> Dec<'a> {
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    pub fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
    }
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    pub fn str(&mut self) -> Option<&'a str> {
        let n = self.u32()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
}

pub fn encode_entry(e: &HistoryEntry) -> Vec<u8> {
    let mut enc = Enc(Vec::with_capacity(
        64 + e
            .shapes
            .iter()
            .map(|(i, j)| 8 + i.len() + j.len())
            .sum::<usize>(),
    ));
    let (user_id, name, seat) = e
        .who
        .as_ref()
        .map_or(("", "", ""), |w| (&*w.user_id, &*w.name, w.seat));
    let (cp_id, cp_name) = e
        .checkpoint
        .as_ref()
        .map_or((0, ""), |(id, name)| (*id, name.as_str()));
    enc.u8(e.kind as u8)
        .u64(e.t)
        .u64(e.restore.unwrap_or(u64::MAX))
        .str(user_id)
        .str(name)
        .str(seat)
        .u64(cp_id)
        .str(cp_name)
        .u32(e.shapes.len() as u32);
    for (id, json) in &e.shapes {
        enc.str(id).str(json);
    }
    enc.0
}

/// The kind of a stored entry, without decoding the rest.
pub fn entry_kind(v: &[u8]) -> Option<EntryKind> {
    EntryKind::from_u8(*v.first()?)
}

pub fn decode_entry(v: &[u8]) -> Option<EntryRef<'_>> {
    let mut d = Dec(v);
    let kind = EntryKind::from_u8(d.u8()?)?;
    let t = d.u64()?;
    let restore = Some(d.u64()?).filter(|r| *r != u64::MAX);
    let (user_id, name, seat) = (d.str()?, d.str()?, d.str()?);
    let cp_id = d.u64()?;
    let cp_name = d.str()?;
    let n = d.u32()? as usize;
    let mut shapes = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        shapes.push((d.str()?, d.str()?));
    }
    Some(EntryRef {
        kind,
        t,
        user_id,
        name,
        seat,
        restore,
        checkpoint: (kind == EntryKind::Checkpoint).then_some((cp_id, cp_name)),
        shapes,
    })
}

/// A keyframe: its time, then every shape `(id, json)` in board order.
pub fn encode_keyframe(t: u64, shapes: &[(String, Arc<str>)]) -> Vec<u8> {
    let mut enc = Enc(Vec::with_capacity(keyframe_len(shapes) as usize));
    enc.u64(t).u32(shapes.len() as u32);
    for (id, json) in shapes {
        enc.str(id).str(json);
    }
    enc.0
}

/// The stored size of a keyframe, for the retention budget.
pub fn keyframe_len(shapes: &[(String, Arc<str>)]) -> u64 {
    12 + shapes
        .iter()
        .map(|(i, j)| 8 + i.len() as u64 + j.len() as u64)
        .sum::<u64>()
}

/// The fixed part of a segment's encoding: six u64 fields. The bytes of
/// its delete entries follow it where it is stored alone; in the history's
/// metadata they come last, so that records written before that field was
/// kept still read (as 0).
const SEGMENT_FIXED_LEN: usize = 48;

fn encode_segment_fixed(s: &Segment) -> Enc {
    let mut enc = Enc::default();
    enc.u64(s.kf_rev)
        .u64(s.kf_t)
        .u64(s.kf_bytes)
        .u64(s.change_bytes)
        .u64(s.mark_bytes)
        .u64(s.changes);
    enc
}

pub fn encode_segment(s: &Segment) -> Vec<u8> {
    let mut enc = encode_segment_fixed(s);
    enc.u64(s.delete_bytes);
    enc.0
}

fn decode_segment_fixed(d: &mut Dec<'_>) -> Option<Segment> {
    Some(Segment {
        kf_rev: d.u64()?,
        kf_t: d.u64()?,
        kf_bytes: d.u64()?,
        change_bytes: d.u64()?,
        mark_bytes: d.u64()?,
        changes: d.u64()?,
        delete_bytes: 0,
    })
}

pub fn decode_segment(v: &[u8]) -> Option<Segment> {
    let mut d = Dec(v);
    let mut s = decode_segment_fixed(&mut d)?;
    s.delete_bytes = d.u64().unwrap_or(0);
    Some(s)
}

pub fn encode_meta(m: &HistoryMeta) -> Vec<u8> {
    let mut enc = encode_segment_fixed(&m.current);
    enc.u64(m.first_rev)
        .u64(m.thinned_before)
        .u64(m.total_bytes)
        .u64(m.last_rev)
        .u64(m.last_t)
        .u32(m.next_seq)
        .u64(m.next_checkpoint)
        .u64(m.checkpoints)
        .u64(m.checkpoint_rev)
        .u64(m.current.delete_bytes);
    enc.0
}

pub fn decode_meta(v: &[u8]) -> Option<HistoryMeta> {
    let mut d = Dec(v.get(..SEGMENT_FIXED_LEN)?);
    let current = decode_segment_fixed(&mut d)?;
    let mut d = Dec(&v[SEGMENT_FIXED_LEN..]);
    let mut meta = HistoryMeta {
        current,
        first_rev: d.u64()?,
        thinned_before: d.u64()?,
        total_bytes: d.u64()?,
        last_rev: d.u64()?,
        last_t: d.u64()?,
        next_seq: d.u32()?,
        next_checkpoint: d.u64()?,
        checkpoints: d.u64()?,
        checkpoint_rev: d.u64()?,
    };
    meta.current.delete_bytes = d.u64().unwrap_or(0);
    Some(meta)
}

pub fn encode_checkpoint(c: &Checkpoint) -> Vec<u8> {
    let mut enc = Enc::default();
    enc.u64(c.id)
        .u64(c.rev)
        .u64(c.t)
        .u8(c.auto as u8)
        .str(&c.name)
        .str(&c.user_id);
    enc.0
}

pub fn decode_checkpoint(v: &[u8]) -> Option<Checkpoint> {
    let mut d = Dec(v);
    Some(Checkpoint {
        id: d.u64()?,
        rev: d.u64()?,
        t: d.u64()?,
        auto: d.u8()? != 0,
        name: d.str()?.to_string(),
        user_id: d.str()?.to_string(),
    })
}

#[cfg(test)]
#[path = "history_tests.rs"]
mod tests;
