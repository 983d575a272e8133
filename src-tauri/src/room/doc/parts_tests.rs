use super::*;
use serde_json::json;

use crate::protocol::limits::{FIRST_SYNC_PART_BYTES, SYNC_PART_BYTES};

fn view(x: f64, y: f64, w: f64, h: f64) -> ViewRect {
    ViewRect { x, y, w, h }
}

#[test]
fn a_box_comes_from_the_points_or_from_x_y_width_height() {
    let b = bbox_of(r#"{"id":"a","points":[{"x":5,"y":-2},{"x":1,"y":7}],"style":{}}"#).unwrap();
    assert_eq!((b.min_x, b.min_y, b.max_x, b.max_y), (1.0, -2.0, 5.0, 7.0));
    // A picture placed at one point reaches width × height from it.
    let b = bbox_of(r#"{"points":[{"x":10,"y":20}],"width":30,"height":40}"#).unwrap();
    assert_eq!(
        (b.min_x, b.min_y, b.max_x, b.max_y),
        (10.0, 20.0, 40.0, 60.0)
    );
    let b = bbox_of(r#"{"x":-5,"y":5,"width":-10,"height":2}"#).unwrap();
    assert_eq!(
        (b.min_x, b.min_y, b.max_x, b.max_y),
        (-15.0, 5.0, -5.0, 7.0)
    );
    assert_eq!(bbox_of(r#"{"id":"a","type":"text"}"#), None);
    assert_eq!(bbox_of(r#"{"points":[{"x":"1","y":2}]}"#), None);
    assert_eq!(bbox_of("not json"), None);
}

#[test]
fn shapes_touching_the_view_come_first_then_the_nearest() {
    let v = view(0.0, 0.0, 100.0, 100.0);
    let b = |x0, y0, x1, y1| {
        Some(Bbox {
            min_x: x0,
            min_y: y0,
            max_x: x1,
            max_y: y1,
        })
    };
    // Inside, around the centre: distance 0.
    assert_eq!(rank(b(40.0, 40.0, 60.0, 60.0), &v), (0, 0.0));
    // Touching the edge: in view, 40 from the centre on x.
    assert_eq!(rank(b(90.0, 45.0, 110.0, 55.0), &v), (0, 1600.0));
    // Just outside, then far outside, then no box at all.
    assert_eq!(rank(b(101.0, 50.0, 120.0, 50.0), &v), (1, 51.0 * 51.0));
    assert!(rank(b(1e6, 0.0, 1e6, 0.0), &v) > rank(b(101.0, 50.0, 120.0, 50.0), &v));
    assert!(rank(None, &v) > rank(b(1e9, 1e9, 1e9, 1e9), &v));
}

#[test]
fn the_first_part_holds_its_limit_and_the_next_shape_starts_the_second() {
    let half = FIRST_SYNC_PART_BYTES / 2;
    // Exactly at the limit: one part.
    assert_eq!(split([half, half]), [2]);
    // One byte past it: the shape that crosses it opens the next part.
    assert_eq!(split([half, half + 1]), [1, 1]);
    // Later parts hold SYNC_PART_BYTES each.
    let q = SYNC_PART_BYTES / 4;
    assert_eq!(split([FIRST_SYNC_PART_BYTES, q, q, q, q, 1]), [1, 4, 1]);
    // A shape larger than a part goes alone.
    assert_eq!(split([1, SYNC_PART_BYTES + 1, 1]), [1, 1, 1]);
    assert!(split([]).is_empty());
}

fn doc_of(n: usize) -> Doc {
    let mut doc = Doc::default();
    for i in 0..n {
        // A row of strokes along x, 1 KB each.
        let x = i as f64 * 10.0;
        let pad = "p".repeat(1000);
        let shape = json!({"id": format!("s{i}"), "type": "pencil", "points": [{"x": x, "y": 0}, {"x": x + 5.0, "y": 5}], "pad": pad});
        doc.add(&format!("s{i}"), shape.to_string(), None, &mut Vec::new())
            .unwrap();
    }
    doc
}

fn payloads(frames: &[Frame]) -> Vec<serde_json::Value> {
    frames
        .iter()
        .map(|f| serde_json::from_str::<serde_json::Value>(f.as_str()).unwrap()["payload"].clone())
        .collect()
}

#[test]
fn parts_cover_the_board_once_nearest_the_view_first() {
    let mut doc = doc_of(300);
    let request = SyncRequest {
        parts: true,
        view: Some(view(1000.0, -10.0, 200.0, 20.0)),
        ..SyncRequest::default()
    };
    let parts = payloads(&doc.answer(&request));
    assert!(parts.len() >= 2, "{} parts", parts.len());
    let mut seen = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        assert_eq!(p["part"], i + 1);
        assert_eq!(p["parts"], parts.len());
        assert_eq!(p["total"], 300);
        assert_eq!(p["rev"], 300);
        assert_eq!(p["full"], true);
        let shapes = p["shapes"].as_array().unwrap();
        let at = p["at"].as_array().unwrap();
        assert_eq!(shapes.len(), at.len());
        for (s, at) in shapes.iter().zip(at) {
            assert_eq!(s["id"], format!("s{}", at.as_u64().unwrap()));
            seen.push(at.as_u64().unwrap() as usize);
        }
    }
    // Strokes at x 1000..=1200 touch the view (x 995.. reaches 1000).
    assert_eq!(parts[0]["inView"], 21);
    assert_eq!(seen[0], 110, "the stroke over the centre first");
    let mut sorted = seen.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..300).collect::<Vec<_>>());
    // Without a view: the board order.
    let request = SyncRequest {
        parts: true,
        ..SyncRequest::default()
    };
    let plain: Vec<usize> = payloads(&doc.answer(&request))
        .iter()
        .flat_map(|p| p["at"].as_array().unwrap().clone())
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(plain, (0..300).collect::<Vec<_>>());
}

#[test]
fn a_small_board_or_a_plain_request_gets_one_plain_message() {
    let mut doc = doc_of(20);
    let plain = doc.sync(None);
    let parts = SyncRequest {
        parts: true,
        view: Some(view(0.0, 0.0, 10.0, 10.0)),
        ..SyncRequest::default()
    };
    assert_eq!(doc.answer(&parts), vec![plain.clone()]);
    let mut doc = doc_of(300);
    let plain = doc.sync(None);
    assert_eq!(doc.answer(&SyncRequest::default()), vec![plain]);
}

#[test]
fn work_made_outside_the_lock_is_what_the_answer_would_make_and_changes_nothing_it_sends() {
    let request = SyncRequest {
        parts: true,
        view: Some(view(1000.0, -10.0, 200.0, 20.0)),
        packed: true,
        ..SyncRequest::default()
    };
    // Every shape is still to be read; a plain or unordered request reads none.
    let mut prepared = doc_of(300);
    let work = prepared.sync_work(&request);
    assert_eq!(work.len(), 300);
    assert!(prepared.sync_work(&SyncRequest::default()).is_empty());
    let unordered = SyncRequest {
        parts: true,
        ..SyncRequest::default()
    };
    assert!(prepared.sync_work(&unordered).is_empty());
    work.run();
    // Made once: nothing left, and the answer is the one made without it.
    assert!(prepared.sync_work(&request).is_empty());
    let mut cold = doc_of(300);
    assert_eq!(prepared.answer(&request), cold.answer(&request));
    // A shape changed since is read again, and only it.
    prepared
        .update(
            "s7",
            &serde_json::from_value(json!({"points": [{"x": 1, "y": 2}]})).unwrap(),
            None,
            &mut Vec::new(),
        )
        .unwrap();
    assert_eq!(prepared.sync_work(&request).len(), 1);
    // A delta sync reads only the shapes after its base.
    let mut fresh = doc_of(300);
    let delta = SyncRequest {
        since: Some(290),
        ..request
    };
    assert_eq!(fresh.sync_work(&delta).len(), 10);
    fresh.sync_work(&delta).run();
    assert_eq!(fresh.answer(&delta), doc_of(300).answer(&delta));
}
