//! People drawing over a real WebSocket, for the tests that replay a
//! room's history (timelapses and timelapse clips), and the ink those
//! strokes leave in a decoded frame.

use serde_json::{json, Value};

use super::{Client, TestHost};

/// A thick stroke in one colour, left to right at height `y`.
pub fn stroke(id: &str, y: i64, colour: &str) -> Value {
    let pts: Vec<Value> = (0..20).map(|i| json!({"x": i * 20, "y": y})).collect();
    json!({"id": id, "type": "pencil", "points": pts,
           "style": {"strokeColor": colour, "fillColor": "transparent", "strokeWidth": 14, "opacity": 1}})
}

/// Adds a shape and waits for its ACK.
pub async fn draw(c: &mut Client, shape: Value) {
    let op = format!("op-{}", shape["id"].as_str().unwrap());
    c.send("SHAPE_ADDED", json!({"shape": shape, "opId": op}))
        .await;
    loop {
        let ack = c.expect("ACK").await;
        if ack["opIds"].as_array().unwrap().contains(&json!(op)) {
            return;
        }
    }
}

/// In `room`, Ann draws three red strokes at the top, then Ben three blue
/// ones below: revisions 1 to 6.
pub async fn two_people_draw(host: &TestHost, room: &str) {
    let mut ann = Client::connect(&host.ws(room)).await;
    ann.join_as("ann", Some("top-left")).await;
    let mut ben = Client::connect(&host.ws(room)).await;
    ben.join_as("ben", Some("top-right")).await;
    for i in 0..3 {
        draw(&mut ann, stroke(&format!("a{i}"), i * 40, "#ff0000")).await;
    }
    for i in 0..3 {
        draw(&mut ben, stroke(&format!("b{i}"), 200 + i * 40, "#0000ff")).await;
    }
}

/// Red and blue pixels in the first `rows` rows of a decoded RGB frame
/// `width` pixels wide.
pub fn ink(frame: &[u8], width: usize, rows: usize) -> (usize, usize) {
    let area = &frame[..width * rows * 3];
    let red = area
        .chunks_exact(3)
        .filter(|p| p[0] > 160 && p[1] < 110 && p[2] < 110)
        .count();
    let blue = area
        .chunks_exact(3)
        .filter(|p| p[2] > 160 && p[0] < 110 && p[1] < 130)
        .count();
    (red, blue)
}
