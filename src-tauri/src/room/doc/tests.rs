use super::*;
use serde_json::json;

fn add(doc: &mut Doc, id: &str, op: Option<&str>) -> Outcome {
    let json = json!({"id": id, "type": "rectangle", "points": [{"x": 1, "y": 1}]}).to_string();
    doc.add(id, json, op, &mut Vec::new()).unwrap()
}

fn payload(frame: &Frame) -> serde_json::Value {
    let v: serde_json::Value = serde_json::from_str(frame.as_str()).unwrap();
    v["payload"].clone()
}

fn ids(sync: &serde_json::Value) -> Vec<String> {
    sync["shapes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_applied_operation_bumps_the_revision() {
    let mut doc = Doc::default();
    assert_eq!(add(&mut doc, "a", None), Outcome::Applied(1));
    assert_eq!(add(&mut doc, "b", None), Outcome::Applied(2));
    let updates = json!({"x": 5}).as_object().unwrap().clone();
    assert_eq!(
        doc.update("a", &updates, None, &mut Vec::new()).unwrap(),
        Outcome::Applied(3)
    );
    assert_eq!(
        doc.delete(&["b".into()], None, &mut Vec::new()),
        Outcome::Applied(4)
    );
}

#[test]
fn a_replayed_op_id_is_not_applied_twice() {
    let mut doc = Doc::default();
    assert_eq!(add(&mut doc, "a", Some("op1")), Outcome::Applied(1));
    assert_eq!(add(&mut doc, "a", Some("op1")), Outcome::Duplicate);
    assert_eq!(doc.rev(), 1);
}

#[test]
fn updates_merge_shallowly_and_keep_unknown_fields() {
    let mut doc = Doc::default();
    let shape = json!({"id": "a", "type": "text", "text": "hi", "style": {"strokeColor": "#000"}, "extra": 1});
    doc.add("a", shape.to_string(), None, &mut Vec::new())
        .unwrap();
    let updates = json!({"text": "hello", "style": {"fillColor": "#fff"}})
        .as_object()
        .unwrap()
        .clone();
    doc.update("a", &updates, None, &mut Vec::new()).unwrap();
    let sync = payload(&doc.sync(None));
    assert_eq!(
        sync["shapes"][0],
        json!({"id": "a", "type": "text", "text": "hello", "style": {"fillColor": "#fff"}, "extra": 1})
    );
}

#[test]
fn delete_wins_over_a_later_update() {
    let mut doc = Doc::default();
    add(&mut doc, "a", None);
    doc.delete(&["a".into()], None, &mut Vec::new());
    let updates = json!({"x": 1}).as_object().unwrap().clone();
    assert_eq!(
        doc.update("a", &updates, None, &mut Vec::new()).unwrap(),
        Outcome::NoOp
    );
    assert!(doc.is_empty());
}

#[test]
fn an_update_that_grows_a_shape_past_the_limit_is_refused_and_changes_nothing() {
    let mut doc = Doc::default();
    add(&mut doc, "a", None);
    let before = doc.sync(None);
    let updates = json!({"text": "x".repeat(crate::protocol::limits::MAX_SHAPE_BYTES)})
        .as_object()
        .unwrap()
        .clone();
    assert!(doc.update("a", &updates, None, &mut Vec::new()).is_err());
    assert_eq!(doc.sync(None), before);
}

#[test]
fn shapes_per_room_are_limited_at_the_limit_and_past_it() {
    let mut doc = Doc::default();
    for i in 0..MAX_SHAPES_PER_ROOM {
        doc.add(&i.to_string(), "{}".into(), None, &mut Vec::new())
            .unwrap();
    }
    assert_eq!(doc.len(), MAX_SHAPES_PER_ROOM);
    let e = doc
        .add("one-more", "{}".into(), None, &mut Vec::new())
        .unwrap_err();
    assert_eq!(e.code, crate::protocol::ErrorCode::Invalid);
    // Replacing an existing shape is still allowed at the limit.
    assert!(doc.add("0", "{}".into(), None, &mut Vec::new()).is_ok());
}

#[test]
fn a_delta_holds_only_what_changed_since() {
    let mut doc = Doc::default();
    add(&mut doc, "a", None);
    add(&mut doc, "b", None);
    let since = doc.rev();
    add(&mut doc, "c", None);
    doc.delete(&["a".into()], None, &mut Vec::new());
    let delta = payload(&doc.sync(Some(since)));
    assert_eq!(ids(&delta), ["c"]);
    assert_eq!(delta["deletedIds"], json!(["a"]));
    assert_eq!(delta["full"], json!(false));
    assert_eq!(delta["rev"], json!(4));
    let full = payload(&doc.sync(None));
    assert_eq!(ids(&full), ["b", "c"]);
    assert_eq!(full["full"], json!(true));
}

#[test]
fn a_since_past_the_history_or_from_the_future_gets_a_full_sync() {
    let mut doc = Doc::default();
    add(&mut doc, "keep", None);
    for i in 0..=MAX_TOMBSTONES_PER_ROOM {
        let id = format!("t{i}");
        add(&mut doc, &id, None);
        doc.delete(&[id], None, &mut Vec::new());
    }
    let old = payload(&doc.sync(Some(1)));
    assert_eq!(old["full"], json!(true));
    assert_eq!(ids(&old), ["keep"]);
    let future = payload(&doc.sync(Some(doc.rev() + 10)));
    assert_eq!(future["full"], json!(true));
    let recent = payload(&doc.sync(Some(doc.rev() - 1)));
    assert_eq!(recent["full"], json!(false));
}

#[test]
fn shapes_keep_their_creation_order_across_updates() {
    let mut doc = Doc::default();
    add(&mut doc, "a", None);
    add(&mut doc, "b", None);
    let updates = json!({"x": 1}).as_object().unwrap().clone();
    doc.update("a", &updates, None, &mut Vec::new()).unwrap();
    assert_eq!(ids(&payload(&doc.sync(None))), ["a", "b"]);
}

#[test]
fn op_ids_are_forgotten_oldest_first_past_the_limit() {
    let mut doc = Doc::default();
    let mut writes = Vec::new();
    for i in 0..=MAX_OP_IDS_PER_ROOM {
        doc.add("a", "{}".into(), Some(&format!("op{i}")), &mut writes)
            .unwrap();
    }
    assert!(!doc.seen(Some("op0")));
    assert!(doc.seen(Some("op1")));
    assert!(writes
        .iter()
        .any(|w| matches!(w, Write::RemoveOpId { op_id } if op_id == "op0")));
}

#[test]
fn room_bytes_are_limited_at_the_limit_and_past_it() {
    let mut doc = Doc::default();
    let chunk = crate::protocol::limits::MAX_SHAPE_BYTES;
    let full = MAX_ROOM_BYTES / chunk;
    for i in 0..full {
        doc.add(&i.to_string(), "x".repeat(chunk), None, &mut Vec::new())
            .unwrap();
    }
    assert_eq!(doc.bytes, MAX_ROOM_BYTES);
    let e = doc
        .add("more", "x".into(), None, &mut Vec::new())
        .unwrap_err();
    assert!(e.message.contains("size limit"));
    // Shrinking or deleting is always possible, and frees room.
    doc.add("0", "{}".into(), None, &mut Vec::new()).unwrap();
    assert!(doc.add("more", "x".into(), None, &mut Vec::new()).is_ok());
}

#[test]
fn a_shape_is_locked_only_by_locked_true_and_the_lock_is_written_whole() {
    assert!(locked_flag(r#"{"id":"a","locked":true}"#));
    assert!(!locked_flag(r#"{"id":"a","locked":false}"#));
    assert!(!locked_flag(r#"{"id":"a","locked":"yes"}"#));
    assert!(!locked_flag(r#"{"id":"a","text":"locked"}"#));
    let mut doc = Doc::default();
    add(&mut doc, "a", None);
    assert!(!doc.shape_locked("a"));
    let lock = json!({"locked": true}).as_object().unwrap().clone();
    doc.update("a", &lock, None, &mut Vec::new()).unwrap();
    assert!(doc.shape_locked("a"));
    assert!(!doc.shape_locked("missing"));

    let mut writes = Vec::new();
    assert!(doc.set_locked(true, &mut writes));
    assert!(!doc.set_locked(true, &mut writes), "already locked");
    assert!(matches!(writes[..], [Write::Lock { locked: true }]));
    assert!(doc
        .all_writes()
        .iter()
        .any(|w| matches!(w, Write::Lock { locked: true })));
}
