//! Packed points in a sync (`REQUEST_SYNC {parts: true, packedPoints: true}`)
//! on real sockets: unpacked as the web UI does, the board is exactly one
//! plain sync's (every coordinate the same double, every other field as
//! stored); only points that pack exactly are packed; a board that fits in
//! one part still comes as one part; the bytes of pencil strokes as the UI
//! draws them fall by far; a bad flag is refused with a reason. The board a
//! page fetches on the join screen (`GET /api/rooms/{room}/board`) is the
//! same board, packed and gzipped.

mod common;

use common::parts::in_board_order;
use common::{http, Client, TestHost};
use serde_json::{json, Value};

/// A stroke as the web UI stores it: coordinates rounded to two decimals.
fn ui_stroke(id: &str, i: usize) -> Value {
    let pts: Vec<Value> = (0..40)
        .map(|k| {
            // A hand's line: a few pixels a step, wavering.
            let (i, k) = (i as f64, k as f64);
            let round = |v: f64| (v * 100.0).round() / 100.0;
            json!({"x": round(i * 3.1 + k * 2.37 + (k * 0.7).sin() * 3.0),
                   "y": round(100.0 + i * 1.3 + k * 0.91 + (k * 0.5).cos() * 4.0)})
        })
        .collect();
    json!({"id": id, "type": "pencil", "points": pts,
        "style": {"strokeColor": "#1971c2", "fillColor": "transparent", "strokeWidth": 2, "opacity": 1},
        "isSelected": false, "createdBy": "ann"})
}

/// Shapes whose points must go as stored.
fn unpackable() -> Vec<Value> {
    vec![
        json!({"id": "fine", "type": "pencil", "points": [{"x": 0.123456789, "y": 1}, {"x": 2, "y": 3}]}),
        json!({"id": "more", "type": "pencil", "points": [{"x": 1, "y": 1, "p": 0.5}, {"x": 2, "y": 2}]}),
        json!({"id": "dot", "type": "pencil", "points": [{"x": 5, "y": 5}]}),
        json!({"id": "pic", "type": "image", "points": [], "x": 10, "y": 20, "width": 30, "height": 40}),
    ]
}

/// The shape as the web UI has it after `unpackPoints` (ui/js/sync.js).
fn unpack(mut shape: Value) -> Value {
    let Some(scale) = shape["points"].get("scale").and_then(Value::as_f64) else {
        return shape;
    };
    let xy: Vec<i64> = shape["points"]["xy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().expect("whole numbers"))
        .collect();
    let (mut x, mut y) = (0i64, 0i64);
    let points: Vec<Value> = xy
        .chunks_exact(2)
        .map(|d| {
            x += d[0];
            y += d[1];
            json!({"x": x as f64 / scale, "y": y as f64 / scale})
        })
        .collect();
    shape["points"] = Value::Array(points);
    shape
}

/// Every number made a double, as JavaScript reads it: 12 and 12.0 are one.
fn as_js(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.iter().map(as_js).collect()),
        Value::Object(o) => Value::Object(o.iter().map(|(k, v)| (k.clone(), as_js(v))).collect()),
        other => other.clone(),
    }
}

/// The parts' shapes in board order (by `at`), unpacked.
fn board_of(parts: &[Value]) -> Vec<Value> {
    in_board_order(parts).into_iter().map(unpack).collect()
}

/// Adds `shapes` as Ann, each with an op id.
async fn add_all(ann: &mut Client, shapes: impl IntoIterator<Item = Value>) {
    for (i, shape) in shapes.into_iter().enumerate() {
        ann.send(
            "SHAPE_ADDED",
            json!({"shape": shape, "userId": "ann", "opId": format!("o{i}")}),
        )
        .await;
    }
}

fn bytes(parts: &[Value]) -> usize {
    parts.iter().map(|p| p["shapes"].to_string().len()).sum()
}

#[tokio::test]
async fn a_packed_board_is_exactly_the_plain_one_in_far_fewer_bytes() {
    let host = TestHost::start().await;
    let (mut ann, _) = Client::join(&host.ws("packed"), "ann").await;
    add_all(
        &mut ann,
        (0..400)
            .map(|i| ui_stroke(&format!("s{i}"), i))
            .chain(unpackable()),
    )
    .await;
    let plain = ann.sync(None).await;
    let plain_shapes = plain["shapes"].as_array().unwrap();
    assert_eq!(plain_shapes.len(), 404);

    let (mut bo, _) = Client::join(&host.ws("packed"), "bo").await;
    let got = bo
        .sync_parts(json!({"userId": "bo", "parts": true, "packedPoints": true,
               "view": {"x": 0, "y": 0, "w": 800, "h": 600}}))
        .await;
    assert!(got.len() >= 2, "{} parts", got.len());
    assert_eq!(got.last().unwrap()["rev"], plain["rev"]);
    let board = board_of(&got);
    assert_eq!(board.len(), plain_shapes.len());
    for (a, b) in plain_shapes.iter().zip(&board) {
        assert_eq!(as_js(a), as_js(b), "{}", a["id"]);
    }
    // The UI's strokes went packed, the rest as stored.
    let sent: Vec<&Value> = got
        .iter()
        .flat_map(|p| p["shapes"].as_array().unwrap())
        .collect();
    for s in &sent {
        let id = s["id"].as_str().unwrap();
        let packed = s["points"].get("scale").is_some();
        assert_eq!(packed, id.starts_with('s'), "{id}: {}", s["points"]);
    }
    // Coordinates with two decimals pack at 100: whole numbers, small steps.
    let plain_bytes = plain["shapes"].to_string().len();
    let packed_bytes = bytes(&got);
    assert!(
        packed_bytes * 10 < plain_bytes * 6,
        "packed {packed_bytes} B of {plain_bytes} B plain"
    );
    host.stop().await;
}

#[tokio::test]
async fn a_small_board_asked_packed_comes_in_one_part_and_a_bad_flag_is_refused() {
    let host = TestHost::start().await;
    let (mut ann, _) = Client::join(&host.ws("small"), "ann").await;
    add_all(&mut ann, [ui_stroke("s0", 0), ui_stroke("s1", 1)]).await;
    let plain = ann.sync(None).await;
    let got = ann
        .sync_parts(json!({"parts": true, "packedPoints": true}))
        .await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0]["part"].clone(), got[0]["parts"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(
        board_of(&got).iter().map(as_js).collect::<Vec<_>>(),
        plain["shapes"]
            .as_array()
            .unwrap()
            .iter()
            .map(as_js)
            .collect::<Vec<_>>()
    );
    // An empty delta asked packed: one empty part, at the current revision.
    let delta = ann
        .sync_parts(json!({"since": plain["rev"], "parts": true, "packedPoints": true}))
        .await;
    assert_eq!(delta.len(), 1);
    assert_eq!(delta[0]["shapes"], json!([]));
    assert_eq!(delta[0]["rev"], plain["rev"]);

    for bad in [json!("yes"), json!(1), json!({})] {
        ann.send("REQUEST_SYNC", json!({"parts": true, "packedPoints": bad}))
            .await;
        let error = ann.expect("ERROR").await;
        assert_eq!(error["code"], "invalid");
        assert!(
            error["message"].as_str().unwrap().contains("packedPoints"),
            "{error}"
        );
    }
    assert_eq!(ann.sync(None).await, plain, "nothing stored changed");
    host.stop().await;
}

/// `GET /api/rooms/{room}/board` with these request headers: status, the
/// `content-encoding` answered, and the body as text (gunzipped).
async fn fetch_board(
    host: &TestHost,
    room: &str,
    headers: &[(&str, &str)],
) -> (u16, String, Value) {
    use std::io::Read;
    let path = format!("/api/rooms/{room}/board");
    let (status, answered, body) = http(host.http(), "GET", &path, headers, None).await;
    let header = |name: &str| {
        answered
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let encoding = header("content-encoding");
    let text = if encoding == "gzip" {
        let mut out = String::new();
        flate2::read::GzDecoder::new(&body[..])
            .read_to_string(&mut out)
            .unwrap();
        out
    } else {
        String::from_utf8(body).unwrap()
    };
    assert_eq!(header("cache-control"), "no-store");
    (status, encoding, serde_json::from_str(&text).unwrap())
}

#[tokio::test]
async fn the_join_screens_board_is_the_sockets_board_packed_and_gzipped() {
    let host = TestHost::start().await;
    let (mut ann, _) = Client::join(&host.ws("screen"), "ann").await;
    add_all(
        &mut ann,
        (0..300)
            .map(|i| ui_stroke(&format!("s{i}"), i))
            .chain(unpackable()),
    )
    .await;
    let plain = ann.sync(None).await;
    let (status, encoding, board) =
        fetch_board(&host, "screen", &[("Accept-Encoding", "gzip, deflate")]).await;
    assert_eq!((status, encoding.as_str()), (200, "gzip"));
    assert_eq!(board["rev"], plain["rev"]);
    let shapes: Vec<Value> = board["shapes"]
        .as_array()
        .unwrap()
        .iter()
        .cloned()
        .map(unpack)
        .collect();
    let want: Vec<Value> = plain["shapes"]
        .as_array()
        .unwrap()
        .iter()
        .map(as_js)
        .collect();
    assert_eq!(
        shapes.iter().map(as_js).collect::<Vec<_>>(),
        want,
        "the same shapes in board order"
    );
    assert!(
        board["shapes"][0]["points"].get("scale").is_some(),
        "strokes packed"
    );
    // Without gzip: the same text, plain.
    let (status, encoding, same) = fetch_board(&host, "screen", &[]).await;
    assert_eq!((status, encoding.as_str()), (200, ""));
    assert_eq!(same, board);
    // What changed after it comes with `since`, as the page asks once joined.
    ann.send(
        "SHAPES_DELETED",
        json!({"shapeIds": ["s3"], "userId": "ann", "opId": "del"}),
    )
    .await;
    let (mut bo, _) = Client::join(&host.ws("screen"), "bo").await;
    let delta = bo.sync(board["rev"].as_u64()).await;
    assert_eq!(delta["shapes"], json!([]));
    assert_eq!(delta["deletedIds"], json!(["s3"]));
    // A room with nothing in it: an empty board at revision 0; a bad name is refused.
    let (status, encoding, empty) =
        fetch_board(&host, "fresh", &[("Accept-Encoding", "gzip")]).await;
    // Under BOARD_GZIP_MIN_BYTES: sent plain even to a client that takes gzip.
    assert_eq!((status, encoding.as_str()), (200, ""));
    assert_eq!(empty, json!({"rev": 0, "shapes": []}));
    let (status, _, body) = http(host.http(), "GET", "/api/rooms/no%20way!/board", &[], None).await;
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    host.stop().await;
}
