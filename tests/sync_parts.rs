//! The board in parts, nearest the view first (`REQUEST_SYNC {parts: true,
//! view}`), on real sockets: every shape once, the union the same as one
//! plain sync at the same revision, the changes made meanwhile after the
//! last part, the plain request and the delta sync as ever, the part
//! limits at and past their edge, and bad requests refused with a reason.

mod common;

use common::parts::in_board_order;
use common::{shape_ids, Client, TestHost, WAIT};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

use coco::protocol::limits::{FIRST_SYNC_PART_BYTES, MAX_LIVE_COORDINATE, SYNC_PART_BYTES};

/// A stroke of `points` points starting at (x, y), about 20 bytes a point.
fn stroke(id: &str, x: f64, y: f64, points: usize) -> Value {
    let pts: Vec<Value> = (0..points)
        .map(|i| json!({"x": x + i as f64, "y": y + (i % 7) as f64}))
        .collect();
    json!({"id": id, "type": "pencil", "points": pts,
        "style": {"strokeColor": "#1971c2", "fillColor": "transparent", "strokeWidth": 2, "opacity": 1}})
}

/// A shape whose stored JSON is exactly `len` bytes.
fn shape_of_len(id: &str, len: usize) -> Value {
    let mut shape = json!({"id": id, "type": "rectangle", "points": [{"x": 0, "y": 0}], "pad": ""});
    let base = shape.to_string().len();
    shape["pad"] = json!("p".repeat(len - base));
    assert_eq!(shape.to_string().len(), len);
    shape
}

/// The next frame's text, skipping non-text frames.
async fn next_text(c: &mut Client) -> String {
    loop {
        match tokio::time::timeout(WAIT, c.socket.next())
            .await
            .expect("a frame in time")
        {
            Some(Ok(Message::Text(t))) => return t.to_string(),
            Some(Ok(_)) => continue,
            other => panic!("socket ended: {other:?}"),
        }
    }
}

/// Adds `shapes` in order, then waits until they are all applied (a sync
/// from the same socket comes after them).
async fn fill(c: &mut Client, shapes: impl IntoIterator<Item = Value>) -> u64 {
    for shape in shapes {
        c.send("SHAPE_ADDED", json!({"shape": shape, "userId": c.user}))
            .await;
    }
    c.sync(None).await["rev"].as_u64().unwrap()
}

/// A 20 × 15 grid of 300 strokes, 100 apart, about 1.2 KB each.
fn grid() -> Vec<Value> {
    (0..300)
        .map(|i| {
            stroke(
                &format!("g{i}"),
                (i % 20) as f64 * 100.0,
                (i / 20) as f64 * 100.0,
                60,
            )
        })
        .collect()
}

/// Distance² of a stroke's box from the view's centre, and whether it
/// touches the view.
fn rank(shape: &Value, view: (f64, f64, f64, f64)) -> (bool, f64) {
    let pts = shape["points"].as_array().unwrap();
    let xs = pts.iter().map(|p| p["x"].as_f64().unwrap());
    let ys = pts.iter().map(|p| p["y"].as_f64().unwrap());
    let (x0, x1) = (
        xs.clone().fold(f64::MAX, f64::min),
        xs.fold(f64::MIN, f64::max),
    );
    let (y0, y1) = (
        ys.clone().fold(f64::MAX, f64::min),
        ys.fold(f64::MIN, f64::max),
    );
    let (vx, vy, vw, vh) = view;
    let (cx, cy) = (vx + vw / 2.0, vy + vh / 2.0);
    let dx = (x0 - cx).max(cx - x1).max(0.0);
    let dy = (y0 - cy).max(cy - y1).max(0.0);
    let touches = x1 >= vx && x0 <= vx + vw && y1 >= vy && y0 <= vy + vh;
    (touches, dx * dx + dy * dy)
}

fn json_bytes(shapes: &Value) -> usize {
    shapes
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.to_string().len())
        .sum()
}

#[tokio::test]
async fn parts_arrive_nearest_the_view_first_and_add_up_to_one_plain_sync() {
    let host = TestHost::start().await;
    let (mut ann, _) = Client::join(&host.ws("parts"), "ann").await;
    let rev = fill(&mut ann, grid()).await;
    let plain = ann.sync(None).await;

    let (mut bo, _) = Client::join(&host.ws("parts"), "bo").await;
    let view = (700.0, 500.0, 400.0, 300.0);
    let got = bo.sync_parts(
        json!({"userId": "bo", "parts": true, "view": {"x": view.0, "y": view.1, "w": view.2, "h": view.3}}),
    )
    .await;
    assert!(got.len() >= 2, "a 360 KB board comes in parts");
    let last = got.len() - 1;
    for (i, p) in got.iter().enumerate() {
        assert_eq!(p["part"], i + 1);
        assert_eq!(p["parts"], got.len());
        assert_eq!(p["total"], 300);
        assert_eq!(p["rev"], rev);
        assert_eq!(p["full"], true);
        let limit = if i == 0 {
            FIRST_SYNC_PART_BYTES
        } else {
            SYNC_PART_BYTES
        };
        assert!(
            json_bytes(&p["shapes"]) <= limit,
            "part {} over its limit",
            i + 1
        );
        if i < last {
            assert_eq!(p["deletedIds"], json!([]));
        }
    }
    // Nearest first: those touching the view, then by distance.
    let order: Vec<Value> = got
        .iter()
        .flat_map(|p| p["shapes"].as_array().unwrap().clone())
        .collect();
    let ranks: Vec<(bool, f64)> = order.iter().map(|s| rank(s, view)).collect();
    let in_view = got[0]["inView"].as_u64().unwrap() as usize;
    assert_eq!(in_view, ranks.iter().filter(|r| r.0).count());
    assert!(in_view >= 12, "{in_view} strokes in view");
    assert!(ranks[..in_view].iter().all(|r| r.0));
    for pair in ranks.windows(2) {
        let key = |r: &(bool, f64)| (!r.0, r.1);
        assert!(key(&pair[0]) <= key(&pair[1]), "out of order: {pair:?}");
    }
    // Every shape exactly once, and in board order the same as one plain sync.
    let mut ids: Vec<String> = order
        .iter()
        .map(|s| s["id"].as_str().unwrap().into())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 300);
    assert_eq!(Value::Array(in_board_order(&got)), plain["shapes"]);
    host.stop().await;
}

#[tokio::test]
async fn changes_made_while_the_parts_are_cut_come_after_the_last_part() {
    let host = TestHost::start().await;
    let (mut ann, _) = Client::join(&host.ws("busy"), "ann").await;
    fill(&mut ann, grid()).await;
    let (mut bo, _) = Client::join(&host.ws("busy"), "bo").await;
    // Ann keeps drawing while Bo asks for the board.
    let drawing = tokio::spawn(async move {
        for i in 0..200 {
            let op = format!("op-late{i}");
            ann.send(
                "SHAPE_ADDED",
                json!({"shape": stroke(&format!("late{i}"), 5000.0, i as f64, 3), "userId": "ann", "opId": op}),
            )
            .await;
            if i % 20 == 0 {
                tokio::task::yield_now().await;
            }
        }
        ann.sync(None).await["rev"].as_u64().unwrap()
    });
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    bo.send(
        "REQUEST_SYNC",
        json!({"userId": "bo", "parts": true, "view": {"x": 0, "y": 0, "w": 800, "h": 600}}),
    )
    .await;
    let final_rev = drawing.await.unwrap();
    // Bo applies what comes as the web UI does: the parts, then every change.
    let mut board: Vec<Value> = Vec::new();
    let (mut parts, mut sync_rev, mut after) = (Vec::new(), None, 0);
    let mut before = Vec::new();
    loop {
        let msg: Value = serde_json::from_str(&next_text(&mut bo).await).unwrap();
        let p = &msg["payload"];
        match msg["type"].as_str().unwrap() {
            "SYNC_SHAPES" => {
                assert!(sync_rev.is_none(), "one sync");
                parts.push(p.clone());
                if p["part"] == p["parts"] {
                    sync_rev = p["rev"].as_u64();
                    board = in_board_order(&parts);
                    if sync_rev == Some(final_rev) {
                        break;
                    }
                }
            }
            "SHAPE_ADDED" => {
                let rev = p["rev"].as_u64().unwrap();
                match sync_rev {
                    // Relayed before the sync was cut: already in it.
                    None => {
                        assert!(parts.is_empty(), "a change between two parts");
                        before.push(rev);
                    }
                    Some(r) => {
                        assert!(rev > r, "rev {rev} after a sync at {r}");
                        board.push(p["shape"].clone());
                        after += 1;
                        if rev == final_rev {
                            break;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    assert!(parts.len() >= 2);
    assert!(before.iter().all(|r| *r <= sync_rev.unwrap()));
    assert_eq!(before.len() + after, 200);
    let (mut cy, _) = Client::join(&host.ws("busy"), "cy").await;
    assert_eq!(Value::Array(board), cy.sync(None).await["shapes"]);
    host.stop().await;
}

#[tokio::test]
async fn a_plain_request_gets_one_message_as_ever_and_a_delta_is_unchanged() {
    let host = TestHost::start().await;
    let (mut ann, _) = Client::join(&host.ws("plain"), "ann").await;
    let rev = fill(&mut ann, grid()).await;
    // No parts asked: one frame, the four fields as ever, the view unused.
    for payload in [
        json!({"userId": "ann"}),
        json!({"userId": "ann", "view": {"x": 0, "y": 0, "w": 10, "h": 10}}),
        json!({"userId": "ann", "parts": false}),
    ] {
        ann.send("REQUEST_SYNC", payload).await;
        ann.send("NOT_A_TYPE", json!({})).await;
        let text = next_text(&mut ann).await;
        assert!(text.starts_with(r#"{"type":"SYNC_SHAPES","payload":{"shapes":[{"id":"g0""#));
        assert!(text.ends_with(&format!(r#"],"deletedIds":[],"rev":{rev},"full":true}}}}"#)));
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["payload"].as_object().unwrap().len(), 4);
        assert_eq!(shape_ids(&v["payload"]).len(), 300);
        let marker: Value = serde_json::from_str(&next_text(&mut ann).await).unwrap();
        assert_eq!(
            marker["payload"]["code"], "unknown_type",
            "one message, nothing more"
        );
    }
    // A delta: a plain since, and parts for a small delta, are the same frame.
    ann.send(
        "SHAPES_DELETED",
        json!({"shapeIds": ["g3"], "userId": "ann"}),
    )
    .await;
    ann.send(
        "SHAPE_ADDED",
        json!({"shape": stroke("new", 1.0, 1.0, 3), "userId": "ann"}),
    )
    .await;
    let delta = ann.sync(Some(rev)).await;
    assert_eq!(delta["full"], false);
    assert_eq!(shape_ids(&delta), ["new"]);
    assert_eq!(delta["deletedIds"], json!(["g3"]));
    let parted = ann.sync_parts( json!({"userId": "ann", "since": rev, "parts": true, "view": {"x": 0, "y": 0, "w": 9, "h": 9}})).await;
    assert_eq!(parted, [delta]);
    host.stop().await;
}

#[tokio::test]
async fn a_big_delta_comes_in_parts_with_the_deletions_in_the_last() {
    let host = TestHost::start().await;
    let (mut ann, _) = Client::join(&host.ws("delta"), "ann").await;
    let rev = fill(
        &mut ann,
        [stroke("old1", 0.0, 0.0, 3), stroke("old2", 9.0, 9.0, 3)],
    )
    .await;
    ann.send(
        "SHAPES_DELETED",
        json!({"shapeIds": ["old1"], "userId": "ann"}),
    )
    .await;
    fill(&mut ann, grid()).await;
    let plain = ann.sync(Some(rev)).await;
    let got = ann.sync_parts( json!({"userId": "ann", "since": rev, "parts": true, "view": {"x": -100, "y": -100, "w": 200, "h": 200}})).await;
    assert!(got.len() >= 2);
    for p in &got[..got.len() - 1] {
        assert_eq!(p["deletedIds"], json!([]));
        assert_eq!(p["full"], false);
    }
    assert_eq!(got.last().unwrap()["deletedIds"], json!(["old1"]));
    assert_eq!(Value::Array(in_board_order(&got)), plain["shapes"]);
    assert_eq!(
        got[0]["shapes"][0]["id"], "g0",
        "the stroke at the view's centre first"
    );
    host.stop().await;
}

#[tokio::test]
async fn the_part_limits_hold_at_their_edge_and_one_byte_past_it() {
    let host = TestHost::start().await;
    let (mut ann, _) = Client::join(&host.ws("edge"), "ann").await;
    let ask = json!({"userId": "ann", "parts": true});
    // Exactly FIRST_SYNC_PART_BYTES of shapes: one plain message.
    fill(
        &mut ann,
        [
            shape_of_len("a", 1000),
            shape_of_len("b", FIRST_SYNC_PART_BYTES - 1000),
        ],
    )
    .await;
    let got = ann.sync_parts(ask.clone()).await;
    assert_eq!(got.len(), 1);
    assert!(got[0].get("part").is_none());
    // One byte more: two parts, the second starting with the shape that crossed.
    fill(&mut ann, [shape_of_len("b", FIRST_SYNC_PART_BYTES - 999)]).await;
    let got = ann.sync_parts(ask.clone()).await;
    assert_eq!(got.len(), 2);
    assert_eq!(shape_ids(&got[0]), ["a"]);
    assert_eq!(shape_ids(&got[1]), ["b"]);
    // A later part holds exactly SYNC_PART_BYTES; one byte more opens a third.
    let quarter = SYNC_PART_BYTES / 4;
    let shapes = ["c", "d", "e"].map(|id| shape_of_len(id, quarter));
    fill(
        &mut ann,
        [
            shape_of_len("a", FIRST_SYNC_PART_BYTES),
            shape_of_len("b", quarter),
        ],
    )
    .await;
    fill(&mut ann, shapes).await;
    let got = ann.sync_parts(ask.clone()).await;
    assert_eq!(
        got.iter().map(shape_ids).collect::<Vec<_>>(),
        [vec!["a"], vec!["b", "c", "d", "e"]]
    );
    fill(&mut ann, [shape_of_len("e", quarter + 1)]).await;
    let got = ann.sync_parts(ask).await;
    assert_eq!(
        got.iter().map(shape_ids).collect::<Vec<_>>(),
        [vec!["a"], vec!["b", "c", "d"], vec!["e"]]
    );
    assert_eq!(got[2]["part"], 3);
    host.stop().await;
}

#[tokio::test]
async fn bad_requests_are_refused_with_a_reason_and_change_nothing() {
    let host = TestHost::start().await;
    let (mut ann, _) = Client::join(&host.ws("bad"), "ann").await;
    fill(&mut ann, grid()).await;
    let before = ann.sync(None).await;
    let edge = MAX_LIVE_COORDINATE;
    for (payload, says) in [
        (json!({"parts": "yes"}), "parts"),
        (json!({"parts": true, "view": [0, 0, 1, 1]}), "view"),
        (
            json!({"parts": true, "view": {"x": 0, "y": 0, "w": 1}}),
            "view.h",
        ),
        (
            json!({"parts": true, "view": {"x": "0", "y": 0, "w": 1, "h": 1}}),
            "view.x",
        ),
        (
            json!({"parts": true, "view": {"x": 0, "y": 0, "w": 0, "h": 1}}),
            "view.w",
        ),
        (
            json!({"parts": true, "view": {"x": 0, "y": 0, "w": 5, "h": -1}}),
            "view.h",
        ),
        (
            json!({"parts": true, "view": {"x": edge * 1.5, "y": 0, "w": 1, "h": 1}}),
            "view.x",
        ),
        (
            json!({"parts": true, "view": {"x": 0, "y": 0, "w": 1, "h": edge * 1.5}}),
            "view.h",
        ),
        (json!({"since": -1, "parts": true}), "since"),
    ] {
        ann.send("REQUEST_SYNC", payload.clone()).await;
        let error = ann.expect("ERROR").await;
        assert_eq!(error["code"], "invalid", "{payload}");
        let message = error["message"].as_str().unwrap();
        assert!(message.contains(says), "{payload}: {message}");
    }
    // A view at the edge of what is allowed is taken.
    let got = ann
        .sync_parts(json!({"parts": true, "view": {"x": -edge, "y": edge, "w": edge, "h": edge}}))
        .await;
    assert!(got.len() >= 2);
    assert_eq!(ann.sync(None).await, before, "nothing stored changed");
    host.stop().await;
}

#[tokio::test]
async fn a_watcher_gets_the_board_in_parts_too() {
    let host = TestHost::start().await;
    let (mut ann, _) = Client::join(&host.ws("watched"), "ann").await;
    let rev = fill(&mut ann, grid()).await;
    let mut eve = Client::connect(&host.ws("watched")).await;
    eve.send(
        "JOIN_ROOM",
        json!({"userId": "eve", "username": "Eve", "watch": true}),
    )
    .await;
    eve.expect("WATCHING").await;
    let got = eve
        .sync_parts(
            json!({"userId": "eve", "parts": true, "view": {"x": 0, "y": 0, "w": 100, "h": 100}}),
        )
        .await;
    assert!(got.len() >= 2);
    assert_eq!(got.last().unwrap()["rev"], rev);
    assert_eq!(
        Value::Array(in_board_order(&got)),
        ann.sync(None).await["shapes"]
    );
    host.stop().await;
}
