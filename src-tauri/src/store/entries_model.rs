//! A made-up history for the tests of entry chunks: a few hundred changes
//! (adds, updates, deletes, shapes drawn again) and marks, the board after
//! each revision, and the writes that store it one record per entry (as
//! before chunks), in group-commit batches, or the one then the other.

use std::collections::BTreeMap;
use std::sync::Arc;

use indexmap::IndexMap;

use super::*;
use crate::store::history::{HistoryEntry, HistoryMeta, Segment, Who};
use crate::store::writer::{Commit, Write};
use crate::store::HistoryState;

pub(super) const ROOM: &str = "room";

/// xorshift: the same history every run.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

pub(super) type Board = IndexMap<String, Arc<str>>;

/// What the history should hold: every entry by `(rev, seq)`, and the
/// board after each revision.
pub(super) struct Model {
    pub(super) entries: BTreeMap<(u64, u32), Vec<u8>>,
    pub(super) boards: Vec<Board>,
    pub(super) keyframes: Vec<u64>,
}

impl Model {
    pub(super) fn last_rev(&self) -> u64 {
        self.boards.len() as u64 - 1
    }

    pub(super) fn t(rev: u64, seq: u32) -> u64 {
        1_000 + rev * 10 + seq as u64
    }

    /// `changes` changes (adds, updates, deletes of one or two shapes, a
    /// shape deleted and drawn again) with marks now and then, and a
    /// keyframe at each of `keyframes` (0 is always one).
    pub(super) fn new(changes: u64, keyframes: &[u64]) -> Model {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut m = Model {
            entries: BTreeMap::new(),
            boards: vec![Board::new()],
            keyframes: std::iter::once(0)
                .chain(keyframes.iter().copied())
                .collect(),
        };
        let who = Some(Who {
            user_id: "ann".into(),
            name: "Ann".into(),
            seat: "top-left",
        });
        for rev in 1..=changes {
            let mut board = m.boards.last().unwrap().clone();
            let pick = |rng: &mut Rng, board: &Board| {
                let i = rng.below(board.len() as u64) as usize;
                board.get_index(i).unwrap().0.clone()
            };
            let (kind, shapes) = match rng.below(10) {
                0..=2 if board.len() > 2 => {
                    let mut gone = vec![pick(&mut rng, &board)];
                    if rng.below(2) == 0 {
                        gone.push(pick(&mut rng, &board));
                        gone.dedup();
                    }
                    let shapes: Vec<(String, Arc<str>)> = gone
                        .iter()
                        .map(|id| (id.clone(), board.shift_remove(id).unwrap()))
                        .collect();
                    (EntryKind::Delete, shapes)
                }
                3..=4 if !board.is_empty() => {
                    let id = pick(&mut rng, &board);
                    let json: Arc<str> = format!(r#"{{"id":"{id}","x":{rev}}}"#).into();
                    board.insert(id.clone(), json.clone());
                    (EntryKind::Update, vec![(id, json)])
                }
                // Now and then an id used before, so a deleted shape comes back.
                _ => {
                    let id = format!("s{}", rng.below(rev / 2 + 5));
                    let json: Arc<str> = format!(r#"{{"id":"{id}","drawn":{rev}}}"#).into();
                    board.insert(id.clone(), json.clone());
                    (EntryKind::Add, vec![(id, json)])
                }
            };
            let change = HistoryEntry {
                kind,
                t: Model::t(rev, 0),
                who: who.clone(),
                restore: (rev % 17 == 0).then_some(rev / 2),
                shapes,
                checkpoint: None,
            };
            m.entries.insert((rev, 0), h::encode_entry(&change));
            for seq in 1..=rng.below(4).saturating_sub(1) as u32 {
                let mark = HistoryEntry {
                    kind: [EntryKind::Join, EntryKind::Leave, EntryKind::Checkpoint]
                        [rng.below(3) as usize],
                    t: Model::t(rev, seq),
                    who: who.clone(),
                    restore: None,
                    shapes: Vec::new(),
                    checkpoint: None,
                };
                m.entries.insert((rev, seq), h::encode_entry(&mark));
            }
            m.boards.push(board);
        }
        m
    }

    /// The writes of revision `rev`, as the room makes them.
    pub(super) fn writes(&self, rev: u64) -> Vec<Write> {
        let mut writes = Vec::new();
        for ((r, seq), value) in self.entries.range((rev, 0)..=(rev, u32::MAX)) {
            let e = h::decode_entry(value).unwrap();
            if e.kind == EntryKind::Delete {
                for (id, _) in &e.shapes {
                    writes.push(Write::DeletedShape {
                        id: id.to_string(),
                        rev: *r,
                    });
                }
            }
            writes.push(Write::History {
                rev: *r,
                seq: *seq,
                value: value.clone(),
            });
        }
        if self.keyframes.contains(&rev) {
            let board = &self.boards[rev as usize];
            writes.push(Write::Keyframe {
                rev,
                t: Model::t(rev, 0),
                shapes: board.iter().map(|(i, j)| (i.clone(), j.clone())).collect(),
            });
        }
        writes
    }

    /// The history's state as the room would have written it.
    pub(super) fn state(&self, first_rev: u64, thinned_before: u64) -> HistoryState {
        let segments: Vec<Segment> = self
            .keyframes
            .iter()
            .filter(|k| **k >= first_rev)
            .map(|k| Segment {
                kf_rev: *k,
                kf_t: Model::t(*k, 0),
                ..Segment::default()
            })
            .collect();
        let (current, closed) = segments.split_last().unwrap();
        HistoryState {
            meta: HistoryMeta {
                first_rev,
                thinned_before,
                current: *current,
                last_rev: self.last_rev(),
                checkpoint_rev: u64::MAX,
                ..HistoryMeta::default()
            },
            closed: closed.to_vec(),
            repairs: Vec::new(),
        }
    }
}

/// How a store is written.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Format {
    /// One record per entry, put directly: a database from before chunks.
    PerEntry,
    /// Group-commit batches of 1 to 60 changes, never cut within two
    /// revisions of a keyframe (so chunks straddle every keyframe).
    Batches,
    /// The first half per entry, the rest in batches.
    Mixed,
}

pub(super) fn write_per_entry(store: &Store, m: &Model, revs: std::ops::RangeInclusive<u64>) {
    for rev in revs {
        let mut changes = Vec::new();
        for w in m.writes(rev) {
            match w {
                Write::History { rev, seq, value } => {
                    changes.push((h::entry_key(ROOM, rev, seq), Some(value)))
                }
                other => store.encode(&mut changes, ROOM, &other).unwrap(),
            }
        }
        store.rooms.apply(changes).unwrap();
    }
}

pub(super) fn write_batches(
    store: &Store,
    m: &Model,
    revs: std::ops::RangeInclusive<u64>,
    seed: u64,
) {
    let mut rng = Rng(seed);
    let mut batch: Vec<Commit> = Vec::new();
    let last = *revs.end();
    for rev in revs {
        batch.push(Commit::new(ROOM.into(), m.writes(rev), None));
        let near_keyframe = m.keyframes.iter().any(|k| k.abs_diff(rev) <= 2);
        if rev == last || (!near_keyframe && rng.below(30) == 0) || batch.len() >= 60 {
            store.append(&std::mem::take(&mut batch)).unwrap();
        }
    }
}

pub(super) fn written(format: Format, m: &Model) -> Store {
    let store = Store::in_memory();
    write_into(&store, format, m);
    store
}

pub(super) fn write_into(store: &Store, format: Format, m: &Model) {
    let n = m.last_rev();
    match format {
        Format::PerEntry => write_per_entry(store, m, 0..=n),
        Format::Batches => write_batches(store, m, 0..=n, 7),
        Format::Mixed => {
            write_per_entry(store, m, 0..=n / 2);
            write_batches(store, m, n / 2 + 1..=n, 11);
        }
    }
}
