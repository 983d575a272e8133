//! What `VIEWPORT` and `LASER` must carry, at their limits and past them.

use serde_json::{json, Value};

use crate::protocol::limits::{MAX_LASER_POINTS, MAX_LIVE_COORDINATE, MAX_LIVE_FRAME_BYTES};
use crate::protocol::{parse, ClientMessage, ErrorCode};

fn parsed(kind: &str, payload: Value) -> Result<ClientMessage, ErrorCode> {
    parse(&json!({"type": kind, "payload": payload}).to_string()).map_err(|e| e.code)
}

fn points(n: usize) -> Value {
    Value::Array((0..n).map(|i| json!({"x": i, "y": -1.5})).collect())
}

#[test]
fn a_viewport_is_a_finite_rectangle_of_positive_size() {
    let rect = json!({"x": -10.5, "y": 20, "w": 1280, "h": 0.5});
    assert!(matches!(
        parsed("VIEWPORT", json!({"rect": rect, "following": "bo"})),
        Ok(ClientMessage::Viewport(_))
    ));
    assert!(parsed("VIEWPORT", json!({"rect": rect, "following": null})).is_ok());
    for bad in [
        json!({}),
        json!({"rect": [0, 0, 1, 1]}),
        json!({"rect": {"x": 0, "y": 0, "w": 1}}),
        json!({"rect": {"x": "0", "y": 0, "w": 1, "h": 1}}),
        json!({"rect": {"x": 0, "y": 0, "w": 0, "h": 1}}),
        json!({"rect": {"x": 0, "y": 0, "w": 1, "h": -1}}),
        json!({"rect": {"x": 2e9, "y": 0, "w": 1, "h": 1}}),
        json!({"rect": {"x": 0, "y": 0, "w": 1, "h": 1}, "following": 7}),
    ] {
        assert_eq!(
            parsed("VIEWPORT", bad.clone()).err(),
            Some(ErrorCode::Invalid),
            "{bad}"
        );
    }
}

#[test]
fn laser_points_are_limited_at_the_limit_and_past_it() {
    let at = parsed(
        "LASER",
        json!({"stroke": 3, "points": points(MAX_LASER_POINTS)}),
    );
    assert!(matches!(at, Ok(ClientMessage::Laser(_))));
    assert!(parsed("LASER", json!({"stroke": 0, "points": points(1)})).is_ok());
    let past = parsed(
        "LASER",
        json!({"stroke": 3, "points": points(MAX_LASER_POINTS + 1)}),
    );
    assert_eq!(past.err(), Some(ErrorCode::Invalid));
    let none = parsed("LASER", json!({"stroke": 3, "points": []}));
    assert_eq!(none.err(), Some(ErrorCode::Invalid));
}

/// Coordinates as far as [`MAX_LIVE_COORDINATE`] either way are taken;
/// one unit past it is not.
#[test]
fn live_coordinates_are_limited_at_the_limit_and_past_it() {
    let past = MAX_LIVE_COORDINATE + 1.0;
    for (v, ok) in [
        (MAX_LIVE_COORDINATE, true),
        (-MAX_LIVE_COORDINATE, true),
        (past, false),
        (-past, false),
    ] {
        let laser = parsed("LASER", json!({"stroke": 1, "points": [{"x": 0, "y": v}]}));
        assert_eq!(laser.is_ok(), ok, "LASER at {v:e}");
        let view = parsed(
            "VIEWPORT",
            json!({"rect": {"x": v, "y": 0, "w": 1, "h": 1}}),
        );
        assert_eq!(view.is_ok(), ok, "VIEWPORT x at {v:e}");
        let wide = parsed(
            "VIEWPORT",
            json!({"rect": {"x": 0, "y": 0, "w": v.abs(), "h": 1}}),
        );
        assert_eq!(wide.is_ok(), ok, "VIEWPORT w at {:e}", v.abs());
    }
}

#[test]
fn a_laser_message_needs_a_stroke_and_numeric_points() {
    for bad in [
        json!({"points": points(2)}),
        json!({"stroke": -1, "points": points(2)}),
        json!({"stroke": 1.5, "points": points(2)}),
        json!({"stroke": "1", "points": points(2)}),
        json!({"stroke": 1, "points": "0,0"}),
        json!({"stroke": 1, "points": [[0, 0]]}),
        json!({"stroke": 1, "points": [{"x": 0}]}),
        json!({"stroke": 1, "points": [{"x": 0, "y": null}]}),
        json!({"stroke": 1, "points": [{"x": -1e10, "y": 0}]}),
    ] {
        assert_eq!(
            parsed("LASER", bad.clone()).err(),
            Some(ErrorCode::Invalid),
            "{bad}"
        );
    }
}

#[test]
fn live_frames_are_limited_at_the_limit_and_past_it() {
    let frame_of = |kind: &str, len: usize| {
        let with = |pad: &str| {
            json!({"type": kind, "payload": {"stroke": 1, "points": points(1),
                "rect": {"x": 0, "y": 0, "w": 1, "h": 1}, "pad": pad}})
            .to_string()
        };
        let pad = "x".repeat(len - with("").len());
        with(&pad)
    };
    for kind in ["LASER", "VIEWPORT"] {
        let at = frame_of(kind, MAX_LIVE_FRAME_BYTES);
        assert_eq!(at.len(), MAX_LIVE_FRAME_BYTES);
        assert!(parse(&at).is_ok(), "{kind}");
        let past = parse(&frame_of(kind, MAX_LIVE_FRAME_BYTES + 1));
        assert_eq!(
            past.err().map(|e| e.code),
            Some(ErrorCode::Invalid),
            "{kind}"
        );
    }
    // A cursor keeps the frame limit of every other message.
    let cursor = json!({"type": "CURSOR_MOVE", "payload": {"position": {"x": 0, "y": 0},
        "pad": "x".repeat(MAX_LIVE_FRAME_BYTES)}});
    assert!(parse(&cursor.to_string()).is_ok());
}
