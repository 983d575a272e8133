//! Generated input for `tests/fuzz.rs`: JSON values of every shape and size,
//! protocol frames built around every message type the host knows (and
//! broken in the ways a buggy or hostile client breaks them), and a runner
//! with a fixed seed, so that CI runs the same slice on every run and a
//! failure seen once is seen again.

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Number, Value};

use coco::protocol::limits::{
    MAX_FRAME_BYTES, MAX_ID_BYTES, MAX_POINTS_PER_SHAPE, MAX_SHAPE_BYTES,
};

pub mod api;

/// The seed of every run: the slice CI checks never changes by itself.
pub const SEED: [u8; 32] = *b"CoCo fuzzed input, fixed seed 01";

/// Every message type a client may send, as `ClientMessage` decodes them.
pub const TYPES: [&str; 11] = [
    "JOIN_ROOM",
    "CURSOR_MOVE",
    "SHAPE_ADDED",
    "SHAPE_UPDATED",
    "SHAPES_DELETED",
    "REQUEST_SYNC",
    "HAND_TRACKING_STATUS",
    "USER_STATUS_UPDATE",
    "WEBCAM_OFFER",
    "WEBCAM_ANSWER",
    "WEBCAM_ICE_CANDIDATE",
];

/// Shapes `tests/fuzz.rs` stores before fuzzing, so that generated updates
/// and deletions sometimes name a real shape.
pub const STORED: [&str; 4] = ["s0", "s1", "s2", "s3"];

/// A runner over `cases` cases from [`SEED`], never reading or writing a
/// failure file: the seed alone reproduces a run.
pub fn runner(cases: u32) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        rng_algorithm: RngAlgorithm::ChaCha,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &SEED))
}

/// `count` values of `strategy`, the same ones on every run: for properties
/// over a live host, whose state a shrinking run could not replay.
pub fn sequence<S: Strategy>(strategy: &S, count: usize) -> Vec<S::Value> {
    let mut runner = runner(count as u32);
    (0..count)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("these strategies never reject")
                .current()
        })
        .collect()
}

/// The first 200 characters of an input, for a failure message.
pub fn shorten(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let head: String = text.chars().take(200).collect();
    format!("{head:?} ({} bytes)", bytes.len())
}

/// Text of every kind: plain, any Unicode scalar (controls, bidi marks,
/// astral planes), escapes that JSON must quote, and long runs.
pub fn text() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 _.-]{0,16}",
        3 => prop::collection::vec(any::<char>(), 0..24).prop_map(String::from_iter),
        2 => "\\PC{0,48}",
        1 => (0..4096usize).prop_map(|n| "é".repeat(n)),
        1 => Just("\u{0}\u{feff}\u{202e}\"\\/\n\u{7f}\u{10ffff}".to_string()),
    ]
    .boxed()
}

/// Numbers, including the edges of every integer and float type JSON maps to.
pub fn number() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => (0..10_000u64).prop_map(Value::from),
        2 => any::<i64>().prop_map(Value::from),
        2 => any::<u64>().prop_map(Value::from),
        2 => any::<f64>().prop_map(|f| Number::from_f64(f).map_or(Value::Null, Value::Number)),
        2 => prop::sample::select(vec![
            Value::from(u64::MAX),
            Value::from(i64::MIN),
            Value::from(-1),
            Value::from(0),
            Value::from(1e308),
            Value::from(-0.0),
            Value::from(5e-324),
            Value::from(0.5),
        ]),
    ]
    .boxed()
}

/// Keys: the protocol's own field names (so that a random value lands where
/// a real one is expected) and anything else.
fn key() -> BoxedStrategy<String> {
    let known = prop::sample::select(vec![
        "type",
        "payload",
        "id",
        "userId",
        "shape",
        "shapeId",
        "shapeIds",
        "updates",
        "opId",
        "points",
        "style",
        "image",
        "src",
        "since",
        "position",
        "targetUserId",
        "secret",
    ])
    .prop_map(str::to_string);
    prop_oneof![known, text()].boxed()
}

/// Any JSON value: scalars, and arrays and objects up to six levels deep.
pub fn json_value() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Arrays nested around the parser's recursion limit (128).
fn nested() -> BoxedStrategy<Value> {
    (110..140usize)
        .prop_map(|depth| (0..depth).fold(Value::Null, |v, _| Value::Array(vec![v])))
        .boxed()
}

/// Mostly the plausible `value`, sometimes anything at all.
pub fn or_any(value: BoxedStrategy<Value>) -> BoxedStrategy<Value> {
    prop_oneof![4 => value, 1 => json_value()].boxed()
}

/// One of `values`, as JSON strings.
pub fn pick(values: &[&'static str]) -> BoxedStrategy<Value> {
    prop::sample::select(values.to_vec())
        .prop_map(Value::from)
        .boxed()
}

/// One of `values` (made at run time, such as a storyboard's id).
pub fn one_of(values: Vec<String>) -> BoxedStrategy<Value> {
    prop::sample::select(values).prop_map(Value::String).boxed()
}

/// An id: short ones, stored shapes' ids, and the edges of the length limit.
pub fn id() -> BoxedStrategy<Value> {
    prop_oneof![
        4 => "[a-z0-9-]{1,10}".prop_map(Value::String),
        3 => prop::sample::select(STORED.to_vec()).prop_map(Value::from),
        1 => Just(Value::from("")),
        1 => Just(Value::String("i".repeat(MAX_ID_BYTES))),
        1 => Just(Value::String("i".repeat(MAX_ID_BYTES + 1))),
        1 => "\\PC{1,40}".prop_map(Value::String),
    ]
    .boxed()
}

/// What a shape's picture field may name: the host's own, and what it refuses.
pub fn picture() -> BoxedStrategy<Value> {
    prop_oneof![
        3 => pick(&[
            "/img/0123456789abcdef.png",
            "/enhanced_drawings/0123456789abcdef.png",
            "http://localhost:5001/img/0123456789abcdef.png",
            "data:image/png;base64,iVBORw0KGgo=",
            "/img/../../etc/passwd",
            "http://evil.example/x.png",
            "//evil.example/x.png",
            "javascript:alert(1)",
            "data:image/svg+xml;base64,PHN2Zz4=",
            "/api/host/rotate-code",
        ]),
        1 => text().prop_map(Value::String),
    ]
    .boxed()
}

fn point() -> BoxedStrategy<Value> {
    object(vec![
        ("x", number()),
        ("y", number()),
        ("pressure", number()),
    ])
}

fn points() -> BoxedStrategy<Value> {
    prop_oneof![
        8 => prop::collection::vec(point(), 0..12).prop_map(Value::Array),
        1 => (MAX_POINTS_PER_SHAPE..MAX_POINTS_PER_SHAPE + 2).prop_map(|n| {
            Value::Array((0..n).map(|i| Value::from(i as u64)).collect())
        }),
    ]
    .boxed()
}

/// The fields a shape or an update carries.
fn shape_fields(with_id: bool) -> Vec<(&'static str, BoxedStrategy<Value>)> {
    let style = vec![
        ("strokeColor", pick(&["#1971c2", "red"])),
        ("strokeWidth", number()),
    ];
    // Now and then a shape over the size limit.
    let long = Just(()).prop_map(|()| Value::String("t".repeat(MAX_SHAPE_BYTES)));
    let words = prop_oneof![9 => text().prop_map(Value::String), 1 => long];
    let mut fields = vec![
        (
            "type",
            pick(&["pencil", "rectangle", "circle", "text", "image", ""]),
        ),
        ("points", points()),
        ("style", object(style)),
        ("x", number()),
        ("y", number()),
        ("image", picture()),
        ("src", picture()),
        ("text", words.boxed()),
    ];
    if with_id {
        fields.push(("id", id()));
    }
    fields
}

/// An object with each of `fields` present most of the time, each value
/// mostly plausible, and now and then a field nobody asked for.
pub fn object(fields: Vec<(&'static str, BoxedStrategy<Value>)>) -> BoxedStrategy<Value> {
    let known: Vec<_> = fields
        .into_iter()
        .map(|(k, v)| prop::option::weighted(0.85, or_any(v)).prop_map(move |v| v.map(|v| (k, v))))
        .collect();
    let extra = prop::collection::vec((key(), json_value()), 0..2);
    (known, extra)
        .prop_map(|(known, extra)| {
            let mut map = Map::new();
            for (k, v) in known.into_iter().flatten() {
                map.insert(k.to_string(), v);
            }
            for (k, v) in extra {
                map.entry(k).or_insert(v);
            }
            Value::Object(map)
        })
        .boxed()
}

/// A message type and a payload built for it.
pub fn message() -> BoxedStrategy<(String, Value)> {
    let seat = [
        "top-left",
        "top-right",
        "bottom-left",
        "bottom-right",
        "middle",
    ];
    let username = text().prop_map(Value::String).boxed();
    let join = vec![
        ("userId", id()),
        ("username", username),
        ("position", pick(&seat)),
        ("secret", id()),
    ];
    let cursor = vec![("userId", id()), ("position", point())];
    let opened = |fields: Vec<_>| [fields, vec![("opId", id())]].concat();
    let added = opened(vec![
        ("shape", object(shape_fields(true))),
        ("userId", id()),
    ]);
    let updated = opened(vec![
        ("shapeId", id()),
        ("updates", object(shape_fields(true))),
    ]);
    let ids = prop::collection::vec(id(), 0..5).prop_map(Value::Array);
    let deleted = opened(vec![("shapeIds", ids.boxed())]);
    let sync = vec![("userId", id()), ("since", number())];
    let relay = vec![("userId", id()), ("status", json_value())];
    let sdp = text().prop_map(Value::String).boxed();
    let webcam = vec![("targetUserId", id()), ("sdp", sdp)];
    let typed = |kinds: &[&'static str], fields| {
        let kinds = prop::sample::select(kinds.to_vec());
        (kinds, object(fields)).prop_map(|(k, p)| (k.to_string(), p))
    };
    prop_oneof![
        1 => typed(&TYPES[0..1], join),
        1 => typed(&TYPES[1..2], cursor),
        3 => typed(&TYPES[2..3], added),
        3 => typed(&TYPES[3..4], updated),
        2 => typed(&TYPES[4..5], deleted),
        1 => typed(&TYPES[5..6], sync),
        1 => typed(&TYPES[6..8], relay),
        1 => typed(&TYPES[8..11], webcam),
    ]
    .boxed()
}

/// A `{type, payload}` frame as a value: mostly well-formed, sometimes with
/// a type the host does not know, a payload of another kind, or none.
pub fn frame_value() -> BoxedStrategy<Value> {
    let wrong_type = prop_oneof![
        pick(&[
            "join_room",
            "ERROR",
            "WELCOME",
            "",
            "SHAPE_ADDED ",
            "SYNC_SHAPES"
        ]),
        json_value(),
    ];
    let payload = prop::option::weighted(0.9, prop_oneof![3 => json_value(), 1 => nested()]);
    let extra = prop::collection::vec((key(), json_value()), 0..2);
    (
        message(),
        prop::option::weighted(0.1, wrong_type),
        prop::option::weighted(0.1, payload),
        extra,
    )
        .prop_map(|((kind, payload), ty, other, extra)| {
            let mut map = Map::new();
            map.insert("type".into(), ty.unwrap_or(Value::String(kind)));
            match other {
                None => {
                    map.insert("payload".into(), payload);
                }
                Some(Some(other)) => {
                    map.insert("payload".into(), other);
                }
                Some(None) => {}
            }
            for (k, v) in extra {
                map.entry(k).or_insert(v);
            }
            Value::Object(map)
        })
        .boxed()
}

/// A frame's text broken at one place: cut short, a character dropped or
/// inserted, or wrapped in an array.
fn mutated() -> BoxedStrategy<String> {
    (frame_value(), any::<Index>(), any::<char>(), 0..4u8)
        .prop_map(|(value, at, c, how)| {
            let mut text = value.to_string();
            let mut i = at.index(text.len() + 1);
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            match how {
                0 => text.truncate(i),
                1 if i < text.len() => {
                    text.remove(i);
                }
                2 => text.insert(i, c),
                _ => text = format!("[{text}]"),
            }
            text
        })
        .boxed()
}

/// Text that is JSON-shaped without being JSON: tokens in any order.
fn token_soup() -> BoxedStrategy<String> {
    let token = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ":",
        ",",
        "\"type\"",
        "\"payload\"",
        "\"SHAPE_ADDED\"",
        "null",
        "true",
        "1e999",
        "-0",
        "18446744073709551616",
        "\"\\ud800\"",
        "\"\\u0000\"",
        "\\",
        "\"",
        " ",
        "\u{feff}",
    ]);
    prop::collection::vec(token, 0..24)
        .prop_map(|t| t.concat())
        .boxed()
}

/// A frame one byte over [`MAX_FRAME_BYTES`] or exactly at it: the host
/// refuses the first (and closes) and must read the second.
pub fn at_the_size_limit() -> BoxedStrategy<String> {
    (0..2usize)
        .prop_map(|over| {
            let head = r#"{"type":"CURSOR_MOVE","payload":{"position":{"x":1,"y":2},"pad":""#;
            let tail = r#""}}"#;
            let pad = MAX_FRAME_BYTES + over - head.len() - tail.len();
            format!("{head}{}{tail}", "p".repeat(pad))
        })
        .boxed()
}

/// The text of one frame, as a client might send it.
pub fn frame_text() -> BoxedStrategy<String> {
    prop_oneof![
        16 => frame_value().prop_map(|v| v.to_string()),
        3 => mutated(),
        1 => token_soup(),
        1 => text(),
        1 => (1..3000usize).prop_map(|n| "[".repeat(n)),
        1 => prop::sample::select(vec![
            r#"{"type":"SHAPE_ADDED","type":"JOIN_ROOM","payload":{}}"#,
            r#"{"type":"REQUEST_SYNC","payload":{"since":1e999}}"#,
            r#"{"type":"REQUEST_SYNC","payload":{"since":18446744073709551616}}"#,
            r#"{"type":"JOIN_ROOM","payload":{"userId":"\ud800"}}"#,
            "\u{feff}{\"type\":\"REQUEST_SYNC\",\"payload\":{}}",
            r#"{"payload":{},"type":"REQUEST_SYNC"} trailing"#,
            r#"{"type":null}"#,
        ])
        .prop_map(str::to_string),
    ]
    .boxed()
}

/// A body for an HTTP route, built around `plausible` (the route's own
/// fields) or not JSON at all.
pub fn body(plausible: BoxedStrategy<Value>) -> BoxedStrategy<Vec<u8>> {
    let mutated = (plausible.clone(), any::<Index>()).prop_map(|(v, at)| {
        let text = v.to_string();
        text.as_bytes()[..at.index(text.len() + 1)].to_vec()
    });
    prop_oneof![
        8 => plausible.prop_map(|v| v.to_string().into_bytes()),
        3 => json_value().prop_map(|v| v.to_string().into_bytes()),
        2 => mutated,
        2 => prop::collection::vec(any::<u8>(), 0..256),
        1 => token_soup().prop_map(String::into_bytes),
        1 => Just(Vec::new()),
    ]
    .boxed()
}
