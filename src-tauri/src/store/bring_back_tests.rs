//! "Bring back" finds a deleted shape's last delete through the shape's
//! tombstone while the room keeps it, and through the index record written
//! when the room drops that tombstone at its bound: the room's own changes
//! (a real document and history recorder) written in group-commit batches.

use std::sync::Arc;

use super::*;
use crate::protocol::limits::MAX_TOMBSTONES_PER_ROOM;
use crate::room::{Doc, Recorder};
use crate::store::history::{self as h, EntryKind, HistoryEntry};
use crate::store::{codec, Commit};

const ROOM: &str = "back";

fn entry(kind: EntryKind, shapes: Vec<(String, Arc<str>)>) -> HistoryEntry {
    HistoryEntry {
        kind,
        t: 7,
        who: None,
        restore: None,
        shapes,
        checkpoint: None,
    }
}

/// The index records of the room: shape id → revision.
fn index_records(store: &Store) -> Vec<(String, u64)> {
    let prefix = h::key(ROOM, h::DELETED, &[]);
    let mut out = Vec::new();
    store
        .rooms
        .scan::<StoreError>(&prefix, |k, v| {
            let id = String::from_utf8(k[prefix.len()..].to_vec()).unwrap();
            out.push((id, codec::decode_u64(v).unwrap()));
            Ok(())
        })
        .unwrap();
    out
}

#[test]
fn a_deleted_shape_is_found_by_its_tombstone_then_by_the_record_written_when_it_is_dropped() {
    let store = Store::in_memory();
    let mut doc = Doc::default();
    let mut history = Recorder::new(ROOM, 64 << 20, None);
    let mut writes = Vec::new();
    history.resync(&doc, &mut writes);
    store
        .append(&[Commit::new(ROOM.into(), writes, None)])
        .unwrap();
    // Each shape drawn then deleted: the last few deletes drop the oldest
    // tombstones.
    let n = MAX_TOMBSTONES_PER_ROOM + 12;
    let json = |i: usize| -> Arc<str> { format!(r#"{{"id":"s{i}","n":{i}}}"#).into() };
    let mut batch = Vec::new();
    for i in 0..n {
        let id = format!("s{i}");
        let mut w = Vec::new();
        doc.add(&id, json(i).to_string(), None, &mut w).unwrap();
        history.change(
            &doc,
            entry(EntryKind::Add, vec![(id.clone(), json(i))]),
            &mut w,
        );
        batch.push(Commit::new(ROOM.into(), w, None));
        let mut w = Vec::new();
        doc.delete(std::slice::from_ref(&id), None, &mut w);
        history.change(&doc, entry(EntryKind::Delete, vec![(id, json(i))]), &mut w);
        batch.push(Commit::new(ROOM.into(), w, None));
        if batch.len() >= 300 || i + 1 == n {
            store.append(&std::mem::take(&mut batch)).unwrap();
        }
    }
    // Shape i was deleted at revision 2i + 2.
    let deleted_at = |i: usize| 2 * i as u64 + 2;
    let dropped: Vec<(String, u64)> = (0..12).map(|i| (format!("s{i}"), deleted_at(i))).collect();
    let mut index = index_records(&store);
    index.sort_by_key(|(_, rev)| *rev);
    assert_eq!(
        index, dropped,
        "one index record per dropped tombstone, none per delete"
    );
    for i in (0..n).step_by(331).chain(0..14).chain(n - 2..n) {
        let last = store
            .history_shape(ROOM, &format!("s{i}"))
            .unwrap()
            .unwrap();
        assert!(last.deleted, "s{i}");
        assert_eq!(
            (last.rev, last.json.as_str()),
            (deleted_at(i), &*json(i)),
            "s{i}"
        );
    }
    // Drawn again, it is live.
    let mut w = Vec::new();
    doc.add("s3", json(3).to_string(), None, &mut w).unwrap();
    history.change(
        &doc,
        entry(EntryKind::Add, vec![("s3".into(), json(3))]),
        &mut w,
    );
    store.append(&[Commit::new(ROOM.into(), w, None)]).unwrap();
    assert!(!store.history_shape(ROOM, "s3").unwrap().unwrap().deleted);
    assert!(store.history_shape(ROOM, "never").unwrap().is_none());
}

/// A database from before: an index record for every delete. A tombstone
/// naming a delete made while history was off (no entry) falls back to the
/// index record's earlier delete, as the index alone answered then.
#[test]
fn a_tombstone_without_an_entry_falls_back_to_the_index_record() {
    let store = Store::in_memory();
    let old = entry(
        EntryKind::Delete,
        vec![("a".into(), r#"{"id":"a","v":1}"#.into())],
    );
    let changes = vec![
        (h::entry_key(ROOM, 5, 0), Some(h::encode_entry(&old))),
        (
            h::key(ROOM, h::DELETED, b"a"),
            Some(codec::encode_u64(5).to_vec()),
        ),
        (
            codec::key(ROOM, codec::TOMBSTONE, "a"),
            Some(codec::encode_u64(9).to_vec()),
        ),
    ];
    store.rooms.apply(changes).unwrap();
    let last = store.history_shape(ROOM, "a").unwrap().unwrap();
    assert_eq!((last.rev, last.json.as_str()), (5, r#"{"id":"a","v":1}"#));
}
