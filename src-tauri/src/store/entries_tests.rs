//! Entry chunks read as the entries they hold. A made-up history of a few
//! hundred changes and marks is written three ways (one record per entry as
//! before chunks, group-commit batches of many changes, and the one then
//! the other), and every reader is compared with what a plain list of the
//! expected entries says: pages and their limits, the board at each
//! revision, the revision at a time, "bring back", thinning and dropping
//! across chunks that straddle a keyframe, and a restart on sled.

use std::collections::BTreeMap;

use super::model::*;
use super::*;
use crate::store::writer::{Commit, Write};
use crate::store::{HistoryPage, StoredEntry};

/// What a reader shows of one entry.
type Shown = (u64, u32, EntryKind, u64, String, Vec<(String, String)>);

fn shown(e: &StoredEntry) -> Shown {
    (
        e.rev,
        e.seq,
        e.kind,
        e.t,
        e.user_id.clone(),
        e.shapes.clone(),
    )
}

fn expected(rev: u64, seq: u32, value: &[u8], with_json: bool) -> Shown {
    let e = h::decode_entry(value).unwrap();
    let shapes = e
        .shapes
        .iter()
        .map(|(id, json)| {
            (
                id.to_string(),
                if with_json {
                    json.to_string()
                } else {
                    String::new()
                },
            )
        })
        .collect();
    (rev, seq, e.kind, e.t, e.user_id.to_string(), shapes)
}

/// The page the history route answers, from the expected entries.
fn expected_page(
    entries: &BTreeMap<(u64, u32), Vec<u8>>,
    (from, to): (u64, u64),
    limit: usize,
    max_marks: usize,
) -> (Vec<Shown>, Vec<Shown>, Option<u64>) {
    let (mut changes, mut marks, mut next) = (Vec::new(), Vec::new(), None);
    for ((rev, seq), v) in entries.range((from, 0)..=(to, u32::MAX)) {
        if h::entry_kind(v).unwrap().is_change() {
            if changes.len() < limit {
                changes.push(expected(*rev, *seq, v, true));
            } else {
                next.get_or_insert(*rev);
            }
        } else {
            marks.push(expected(*rev, *seq, v, false));
        }
    }
    let cut = marks.len().saturating_sub(max_marks);
    (changes, marks.split_off(cut), next)
}

fn page(
    store: &Store,
    range: (u64, u64),
    limit: usize,
    max_marks: usize,
) -> (Vec<Shown>, Vec<Shown>, Option<u64>) {
    let HistoryPage {
        entries,
        marks,
        next,
    } = store
        .history_page(ROOM, range, limit, max_marks, true)
        .unwrap();
    (
        entries.iter().map(shown).collect(),
        marks.iter().map(shown).collect(),
        next,
    )
}

fn json_of(board: &Board) -> Vec<String> {
    board.values().map(|j| j.to_string()).collect()
}

/// Every reader against the model, with nothing thinned.
fn assert_reads_whole(store: &Store, m: &Model, what: &str) {
    let n = m.last_rev();
    let all = page(store, (0, n + 5), usize::MAX, usize::MAX);
    assert_eq!(
        all,
        expected_page(&m.entries, (0, n + 5), usize::MAX, usize::MAX),
        "{what}: every entry"
    );
    let mut rng = Rng(99);
    for _ in 0..300 {
        let from = rng.below(n + 3);
        let to = from + rng.below(n + 3 - from);
        let (limit, marks) = (1 + rng.below(40) as usize, rng.below(8) as usize);
        assert_eq!(
            page(store, (from, to), limit, marks),
            expected_page(&m.entries, (from, to), limit, marks),
            "{what}: page {from}..={to} limit {limit} marks {marks}"
        );
    }
    let state = m.state(0, 0);
    for rev in 0..=n {
        let b = store.history_board(ROOM, &state, rev).unwrap().unwrap();
        assert_eq!((b.rev, b.exact), (rev, true), "{what}: board at {rev}");
        assert_eq!(
            b.shapes,
            json_of(&m.boards[rev as usize]),
            "{what}: board at {rev}"
        );
    }
    for ms in (0..Model::t(n + 1, 0)).step_by(7) {
        // Nothing is kept before the first keyframe's time.
        let want = (ms >= Model::t(0, 0))
            .then(|| (1..=n).rev().find(|r| Model::t(*r, 0) <= ms).unwrap_or(0));
        let got = store.history_rev_at(ROOM, &state, ms).unwrap();
        assert_eq!(got, want, "{what}: revision at {ms} ms");
    }
    assert_bring_back(store, m, 0, what);
}

/// "Bring back" of every shape ever deleted: the last delete kept (at or
/// after `first_rev`), with the shape as it was just before.
fn assert_bring_back(store: &Store, m: &Model, first_rev: u64, what: &str) {
    let mut last: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut ever: BTreeMap<String, ()> = BTreeMap::new();
    for ((rev, seq), v) in &m.entries {
        let e = h::decode_entry(v).unwrap();
        if *seq != 0 || e.kind != EntryKind::Delete {
            continue;
        }
        for (id, json) in &e.shapes {
            ever.insert(id.to_string(), ());
            if *rev > first_rev {
                last.insert(id.to_string(), (*rev, json.to_string()));
            }
        }
    }
    assert!(ever.len() > 20, "deletes are made: {}", ever.len());
    for id in ever.keys() {
        let got = store.history_shape(ROOM, id).unwrap();
        let got = got.map(|s| {
            assert!(s.deleted);
            assert_eq!(
                (s.user_id.as_str(), s.name.as_str(), s.t),
                ("ann", "Ann", Model::t(s.rev, 0))
            );
            (s.rev, s.json)
        });
        assert_eq!(got.as_ref(), last.get(id), "{what}: bring back {id}");
    }
    assert!(store.history_shape(ROOM, "never").unwrap().is_none());
}

const KEYFRAMES: [u64; 3] = [61, 150, 290];

#[test]
fn every_reader_sees_the_same_entries_per_entry_in_batches_and_mixed() {
    let m = Model::new(400, &KEYFRAMES);
    assert!(m.entries.len() > 500, "marks are made: {}", m.entries.len());
    for format in [Format::PerEntry, Format::Batches, Format::Mixed] {
        let store = written(format, &m);
        assert_reads_whole(&store, &m, &format!("{format:?}"));
    }
    // Batches make far fewer records, some of them straddling a keyframe.
    let (store, old) = (written(Format::Batches, &m), written(Format::PerEntry, &m));
    let (records, per_entry) = (entry_records(&store), entry_records(&old));
    assert_eq!(per_entry.len(), m.entries.len());
    assert!(
        records.len() * 10 < per_entry.len(),
        "{} records",
        records.len()
    );
    for k in KEYFRAMES {
        assert!(
            records
                .iter()
                .any(|(_, e)| e.first().unwrap().0 < k && e.last().unwrap().0 > k),
            "a chunk straddles the keyframe at {k}"
        );
    }
}

/// An entry record: its key and its entries' `(rev, seq)`.
type Held = (Vec<u8>, Vec<(u64, u32)>);

/// Every entry record of the room.
fn entry_records(store: &Store) -> Vec<Held> {
    let mut out = Vec::new();
    store
        .rooms
        .scan::<StoreError>(&h::key(ROOM, h::ENTRY, &[]), |k, v| {
            let entries = record_entries(k, v).expect("every record reads");
            assert!(!entries.is_empty());
            out.push((
                k.to_vec(),
                entries.iter().map(|(r, s, _)| (*r, *s)).collect(),
            ));
            Ok(())
        })
        .unwrap();
    out
}

/// Thinning a segment and dropping the one before it in one batch, with
/// new entries in that batch: what the expected entries lose is what each
/// store loses, whatever its records.
#[test]
fn thinning_and_dropping_across_straddling_chunks_keep_exactly_the_right_entries() {
    let m = Model::new(400, &KEYFRAMES);
    let (k1, k2) = (KEYFRAMES[0], KEYFRAMES[1]);
    for format in [Format::PerEntry, Format::Batches, Format::Mixed] {
        let what = format!("{format:?}");
        let store = written(format, &m);
        // Thinned and dropped in the batch of the next changes (those stay).
        let mut more = Model::new(420, &KEYFRAMES);
        let mut writes = vec![
            Write::DropSegment { from: 0, to: k1 },
            Write::ThinChanges { from: k1, to: k2 },
        ];
        for rev in 401..=420 {
            writes.extend(more.writes(rev));
        }
        store
            .append(&[Commit::new(ROOM.into(), writes, None)])
            .unwrap();
        more.entries.retain(|(rev, seq), v| {
            let dropped = (0, 1) <= (*rev, *seq) && (*rev, *seq) <= (k1, 0);
            let thinned = (k1, 1) <= (*rev, *seq)
                && (*rev, *seq) <= (k2, 0)
                && *seq == 0
                && h::entry_kind(v) != Some(EntryKind::Delete);
            !dropped && !thinned
        });
        let n = more.last_rev();
        assert_eq!(
            page(&store, (0, n), usize::MAX, usize::MAX),
            expected_page(&more.entries, (0, n), usize::MAX, usize::MAX),
            "{what}: entries after thinning"
        );
        let records = entry_records(&store);
        let held: Vec<(u64, u32)> = records.iter().flat_map(|(_, e)| e.clone()).collect();
        assert_eq!(
            held,
            more.entries.keys().copied().collect::<Vec<_>>(),
            "{what}: nothing else is held"
        );
        // The boards: none before the first kept keyframe, the keyframe for a
        // thinned moment, every board exact from the second one on.
        let state = more.state(k1, k2);
        assert!(store.history_board(ROOM, &state, k1 - 1).unwrap().is_none());
        for rev in k1..=n {
            let b = store.history_board(ROOM, &state, rev).unwrap().unwrap();
            let shown_rev = if rev < k2 { k1 } else { rev };
            assert_eq!(
                (b.rev, b.exact),
                (shown_rev, rev == k1 || rev >= k2),
                "{what}: {rev}"
            );
            assert_eq!(
                b.shapes,
                json_of(&more.boards[shown_rev as usize]),
                "{what}: board at {rev}"
            );
        }
        assert_bring_back(&store, &more, k1, &what);

        // Thinning alone, from a keyframe that a chunk straddles.
        let k3 = KEYFRAMES[2];
        let thin = Write::ThinChanges { from: k2, to: k3 };
        store
            .append(&[Commit::new(ROOM.into(), vec![thin], None)])
            .unwrap();
        more.entries.retain(|(rev, seq), v| {
            let at = (*rev, *seq);
            !((k2, 1) <= at
                && at <= (k3, 0)
                && *seq == 0
                && h::entry_kind(v) != Some(EntryKind::Delete))
        });
        let held: Vec<(u64, u32)> = entry_records(&store)
            .into_iter()
            .flat_map(|(_, e)| e)
            .collect();
        assert_eq!(
            held,
            more.entries.keys().copied().collect::<Vec<_>>(),
            "{what}: thinned again"
        );
        let state = more.state(k1, k3);
        for rev in k2..=n {
            let b = store.history_board(ROOM, &state, rev).unwrap().unwrap();
            let shown_rev = if rev < k3 { k2 } else { rev };
            assert_eq!(b.rev, shown_rev, "{what}: {rev}");
            assert_eq!(
                b.shapes,
                json_of(&more.boards[shown_rev as usize]),
                "{what}: board at {rev}"
            );
        }
    }
}

#[test]
fn history_written_in_batches_is_read_the_same_after_a_restart() {
    let m = Model::new(300, &KEYFRAMES[..2]);
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Store::open(dir.path()).unwrap();
        write_into(&store, Format::Mixed, &m);
        assert_reads_whole(&store, &m, "before the restart");
    }
    let store = Store::open(dir.path()).unwrap();
    assert_reads_whole(&store, &m, "after the restart");
}

#[test]
fn a_chunk_reads_back_its_entries_and_a_damaged_one_is_refused() {
    let entries: Vec<RecordEntry<'_>> = vec![(5, 0, b"\x01a"), (5, 1, b"\x04"), (9, 0, b"\x03bc")];
    let v = encode_chunk(&entries);
    assert_eq!(v[0], CHUNK_TAG);
    assert!(
        (1..=6).all(|k| h::entry_kind(&[k]).is_some()) && h::entry_kind(&[CHUNK_TAG]).is_none()
    );
    let key = h::entry_key(ROOM, 5, 0);
    assert_eq!(record_entries(&key, &v), Some(entries.clone()));
    // A plain record is the entry at its key.
    let plain = record_entries(&h::entry_key(ROOM, 3, 2), b"\x02x").unwrap();
    assert_eq!(plain, vec![(3, 2, &b"\x02x"[..])]);
    // Cut short, longer than its count, an entry before its key, out of order.
    assert_eq!(record_entries(&key, &v[..v.len() - 1]), None);
    assert_eq!(record_entries(&key, &[v.as_slice(), b"x"].concat()), None);
    assert_eq!(record_entries(&h::entry_key(ROOM, 6, 0), &v), None);
    let swapped = encode_chunk(&[entries[1], entries[0]]);
    assert_eq!(record_entries(&h::entry_key(ROOM, 5, 0), &swapped), None);
}

#[test]
fn a_batch_is_cut_into_chunks_of_at_most_chunk_bytes_each_keyed_by_its_first_entry() {
    let small = vec![1u8; 1_000];
    let big = vec![2u8; CHUNK_BYTES * 2];
    let mut entries: Vec<RecordEntry<'_>> = (0..20u64).map(|r| (r, 0, small.as_slice())).collect();
    entries.insert(7, (6, 1, big.as_slice()));
    entries.push((19, 0, &[9u8][..])); // written again: the last one counts
    let mut out = Vec::new();
    batch_records(ROOM, entries, &mut out);
    let mut read: Vec<(u64, u32, Vec<u8>)> = Vec::new();
    for (k, v) in &out {
        let v = v.as_ref().unwrap();
        let held = record_entries(k, v).unwrap();
        assert_eq!(
            h::split_entry_key(k),
            Some((held[0].0, held[0].1)),
            "keyed by the first"
        );
        assert!(
            v.len() <= CHUNK_BYTES + 5 || held.len() == 1,
            "{} bytes",
            v.len()
        );
        if held.len() == 1 {
            assert_ne!(v[0], CHUNK_TAG, "one entry is a plain record");
        }
        read.extend(held.into_iter().map(|(r, s, e)| (r, s, e.to_vec())));
    }
    let mut want: Vec<(u64, u32, Vec<u8>)> = (0..19u64).map(|r| (r, 0, small.clone())).collect();
    want.insert(7, (6, 1, big.clone()));
    want.push((19, 0, vec![9]));
    assert_eq!(read, want);
    assert!(out.len() < 10, "{} records", out.len());
}
