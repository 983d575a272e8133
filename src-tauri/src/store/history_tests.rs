//! Entry, metadata and checkpoint encodings round trip; keys sort by
//! revision.

use super::*;

#[test]
fn entries_round_trip_and_keys_sort_by_revision() {
    let e = HistoryEntry {
        kind: EntryKind::Delete,
        t: 42,
        who: Some(Who {
            user_id: "ann".into(),
            name: "Ann".into(),
            seat: "top-left",
        }),
        restore: Some(7),
        shapes: vec![("s1".into(), r#"{"id":"s1"}"#.into())],
        checkpoint: None,
    };
    let v = encode_entry(&e);
    let d = decode_entry(&v).unwrap();
    assert_eq!(d.kind, EntryKind::Delete);
    assert_eq!(
        (d.t, d.user_id, d.name, d.seat),
        (42, "ann", "Ann", "top-left")
    );
    assert_eq!(d.restore, Some(7));
    assert_eq!(d.shapes, vec![("s1", r#"{"id":"s1"}"#)]);
    assert!(decode_entry(&v[..v.len() - 1]).is_none());
    assert!(entry_key("r", 2, 0) < entry_key("r", 2, 1));
    assert!(entry_key("r", 2, 9) < entry_key("r", 256, 0));
    assert_eq!(split_entry_key(&entry_key("r", 300, 2)), Some((300, 2)));
    assert!(!prefix("main").starts_with(&crate::store::codec::room_prefix("main")));
}

#[test]
fn meta_and_checkpoints_round_trip() {
    let m = HistoryMeta {
        first_rev: 3,
        total_bytes: 99,
        next_seq: 2,
        checkpoint_rev: u64::MAX,
        current: Segment {
            kf_rev: 3,
            changes: 4,
            delete_bytes: 5,
            ..Segment::default()
        },
        ..HistoryMeta::default()
    };
    assert_eq!(decode_meta(&encode_meta(&m)), Some(m));
    assert_eq!(decode_segment(&encode_segment(&m.current)), Some(m.current));
    // Records written before deletes were counted read as 0.
    let old = &encode_segment(&m.current)[..SEGMENT_FIXED_LEN];
    assert_eq!(decode_segment(old).map(|s| s.delete_bytes), Some(0));
    let c = Checkpoint {
        id: 1,
        rev: 5,
        t: 6,
        name: "Before".into(),
        auto: true,
        user_id: String::new(),
    };
    assert_eq!(decode_checkpoint(&encode_checkpoint(&c)), Some(c));
}
