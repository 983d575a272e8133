//! `fuzz`: generated frames through the protocol parser, in process and
//! with no server, by the million. `tests/fuzz.rs` checks a fixed slice of
//! a few thousand in CI; this runs the long tail and reports it.
//!
//! The frames come from a seeded generator (the same seed gives the same
//! frames) that mixes well-formed messages of every type the host knows,
//! the same with a field of the wrong kind or size, text broken at one
//! place, JSON-shaped garbage, deep nesting, and frames at and over the size
//! limit. Every frame must come back as a message or as a refusal with a
//! code and a message, never as a panic; the run fails otherwise.
//!
//! Unlike the protocol subcommands this one links the `coco` library: it
//! measures the parser itself, not a server.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use clap::Args;
use coco::protocol::limits::{MAX_FRAME_BYTES, MAX_ID_BYTES, MAX_POINTS_PER_SHAPE};
use coco::protocol::{self, ClientMessage, ErrorCode};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Number, Value};

use crate::client::{self, BenchResult};
use crate::report;

/// Failing frames kept for the report.
const EXAMPLES: usize = 5;

#[derive(Debug, Clone, Args)]
pub struct FuzzArgs {
    /// Frames to generate and parse.
    #[arg(long, default_value_t = 1_000_000)]
    pub cases: u64,
    /// Seed of the generator: the same seed gives the same frames.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// What a field of a plausible message holds.
#[derive(Clone, Copy)]
enum Field {
    Id,
    Text,
    Number,
    Seat,
    Point,
    Points,
    Picture,
    ShapeType,
    Shape,
    Ids,
    Any,
}

/// The message types, each with the fields its payload has.
const MESSAGES: [(&str, &[(&str, Field)]); 11] = [
    (
        "JOIN_ROOM",
        &[
            ("userId", Field::Id),
            ("username", Field::Text),
            ("position", Field::Seat),
            ("secret", Field::Id),
        ],
    ),
    (
        "CURSOR_MOVE",
        &[("userId", Field::Id), ("position", Field::Point)],
    ),
    (
        "SHAPE_ADDED",
        &[
            ("shape", Field::Shape),
            ("userId", Field::Id),
            ("opId", Field::Id),
        ],
    ),
    (
        "SHAPE_UPDATED",
        &[
            ("shapeId", Field::Id),
            ("updates", Field::Shape),
            ("opId", Field::Id),
        ],
    ),
    (
        "SHAPES_DELETED",
        &[("shapeIds", Field::Ids), ("opId", Field::Id)],
    ),
    (
        "REQUEST_SYNC",
        &[("userId", Field::Id), ("since", Field::Number)],
    ),
    (
        "HAND_TRACKING_STATUS",
        &[("userId", Field::Id), ("status", Field::Any)],
    ),
    (
        "USER_STATUS_UPDATE",
        &[("userId", Field::Id), ("status", Field::Any)],
    ),
    (
        "WEBCAM_OFFER",
        &[("targetUserId", Field::Id), ("sdp", Field::Text)],
    ),
    (
        "WEBCAM_ANSWER",
        &[("targetUserId", Field::Id), ("sdp", Field::Text)],
    ),
    (
        "WEBCAM_ICE_CANDIDATE",
        &[("targetUserId", Field::Id), ("candidate", Field::Any)],
    ),
];

/// A shape's fields (an update has the same).
const SHAPE: [(&str, Field); 8] = [
    ("id", Field::Id),
    ("type", Field::ShapeType),
    ("points", Field::Points),
    ("x", Field::Number),
    ("y", Field::Number),
    ("image", Field::Picture),
    ("src", Field::Picture),
    ("text", Field::Text),
];

const TOKENS: [&str; 16] = [
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
    "1e999",
    "18446744073709551616",
    "\"\\ud800\"",
    "\\",
    "\"",
    "\u{feff}",
];

const PICTURES: [&str; 6] = [
    "/img/0123456789abcdef.png",
    "http://localhost:5001/img/0123456789abcdef.png",
    "data:image/png;base64,iVBORw0KGgo=",
    "/img/../../etc/passwd",
    "http://evil.example/x.png",
    "javascript:alert(1)",
];

/// The frame generator.
struct Gen {
    rng: SmallRng,
    /// One byte over the limit, and exactly at it: made once, lent out.
    over: String,
    at: String,
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let frame = |size: usize| {
            let head = r#"{"type":"CURSOR_MOVE","payload":{"position":{"x":1,"y":2},"pad":""#;
            let tail = r#""}}"#;
            format!("{head}{}{tail}", "p".repeat(size - head.len() - tail.len()))
        };
        Gen {
            rng: SmallRng::seed_from_u64(seed),
            over: frame(MAX_FRAME_BYTES + 1),
            at: frame(MAX_FRAME_BYTES),
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    /// One frame: mostly messages, some broken, some garbage, rarely huge.
    fn frame(&mut self) -> Cow<'_, str> {
        match self.rng.random_range(0..100_000u32) {
            0..10 => Cow::Borrowed(&self.over),
            10..20 => Cow::Borrowed(&self.at),
            20..70_000 => Cow::Owned(self.message().to_string()),
            70_000..85_000 => Cow::Owned(self.mutated()),
            85_000..90_000 => {
                let n = self.rng.random_range(0..24);
                Cow::Owned((0..n).map(|_| *self.pick(&TOKENS)).collect())
            }
            90_000..95_000 => Cow::Owned(self.text()),
            95_000..97_000 => Cow::Owned("[".repeat(self.rng.random_range(1..3000))),
            _ => Cow::Owned(self.odd_envelope().to_string()),
        }
    }

    fn message(&mut self) -> Value {
        let (kind, fields) = *self.pick(&MESSAGES);
        json!({ "type": kind, "payload": self.object(fields) })
    }

    /// A frame whose type or payload is of the wrong kind, or missing.
    fn odd_envelope(&mut self) -> Value {
        let mut frame = self.message();
        match self.rng.random_range(0..4) {
            0 => frame["type"] = self.value(2),
            1 => frame["type"] = json!(self.pick(&["join_room", "ERROR", "", "SYNC_SHAPES"])),
            2 => frame["payload"] = self.value(2),
            _ => {
                if let Some(fields) = frame.as_object_mut() {
                    fields.remove("payload");
                }
            }
        }
        frame
    }

    /// A message's text broken at one place.
    fn mutated(&mut self) -> String {
        let mut text = self.message().to_string();
        let mut at = self.rng.random_range(0..=text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        match self.rng.random_range(0..4) {
            0 => text.truncate(at),
            1 if at < text.len() => {
                text.remove(at);
            }
            2 => text.insert(at, self.rng.random()),
            _ => text = format!("[{text}]"),
        }
        text
    }

    /// Each field present most of the time, mostly plausible; now and then
    /// one nobody asked for.
    fn object(&mut self, fields: &[(&str, Field)]) -> Value {
        let mut map = Map::new();
        for (key, field) in fields {
            if self.chance(0.85) {
                let value = if self.chance(0.8) {
                    self.field(*field)
                } else {
                    self.value(3)
                };
                map.insert(key.to_string(), value);
            }
        }
        if self.chance(0.2) {
            map.insert(self.text(), self.value(2));
        }
        Value::Object(map)
    }

    fn field(&mut self, field: Field) -> Value {
        match field {
            Field::Id => self.id(),
            Field::Text => Value::String(self.text()),
            Field::Number => self.number(),
            Field::Seat => json!(self.pick(&["top-left", "top-right", "bottom-left", "middle"])),
            Field::Point => json!({ "x": self.number(), "y": self.number() }),
            Field::Points if self.chance(0.01) => json!(vec![0; MAX_POINTS_PER_SHAPE + 1]),
            Field::Points => {
                let n = self.rng.random_range(0..12);
                Value::Array((0..n).map(|_| self.field(Field::Point)).collect())
            }
            Field::Picture => json!(self.pick(&PICTURES)),
            Field::ShapeType => json!(self.pick(&["pencil", "rectangle", "text", ""])),
            Field::Shape => self.object(&SHAPE),
            Field::Ids => {
                let n = self.rng.random_range(0..5);
                Value::Array((0..n).map(|_| self.id()).collect())
            }
            Field::Any => self.value(3),
        }
    }

    /// Any JSON value, containers down to `depth` levels.
    fn value(&mut self, depth: u32) -> Value {
        match self.rng.random_range(0..if depth == 0 { 4 } else { 6 }) {
            0 => Value::Null,
            1 => Value::Bool(self.rng.random()),
            2 => self.number(),
            3 => Value::String(self.text()),
            4 => {
                let n = self.rng.random_range(0..5);
                Value::Array((0..n).map(|_| self.value(depth - 1)).collect())
            }
            _ => {
                let n = self.rng.random_range(0..5);
                let pairs = (0..n).map(|_| (self.text(), self.value(depth - 1)));
                Value::Object(pairs.collect())
            }
        }
    }

    fn number(&mut self) -> Value {
        match self.rng.random_range(0..5) {
            0 => json!(self.rng.random_range(0..10_000u64)),
            1 => json!(self.rng.random::<i64>()),
            2 => json!(self.rng.random::<u64>()),
            3 => Number::from_f64(f64::from_bits(self.rng.random()))
                .map_or(Value::Null, Value::Number),
            _ => self
                .pick(&[
                    json!(u64::MAX),
                    json!(i64::MIN),
                    json!(1e308),
                    json!(-0.0),
                    json!(5e-324),
                ])
                .clone(),
        }
    }

    fn id(&mut self) -> Value {
        match self.rng.random_range(0..8) {
            0 => json!(""),
            1 => json!("i".repeat(MAX_ID_BYTES + self.rng.random_range(0..2))),
            2 => json!(self.text()),
            n => json!(format!("s{n}")),
        }
    }

    /// Plain text, any Unicode scalar (controls, bidi marks, astral), or long.
    fn text(&mut self) -> String {
        match self.rng.random_range(0..10) {
            0..4 => {
                let n = self.rng.random_range(0..16);
                (0..n).map(|_| self.rng.random_range('a'..='z')).collect()
            }
            4..8 => {
                let n = self.rng.random_range(0..24);
                (0..n).map(|_| self.rng.random::<char>()).collect()
            }
            8 => "é".repeat(self.rng.random_range(0..4096)),
            _ => "\u{0}\u{feff}\u{202e}\"\\/\n\u{7f}\u{10ffff}".to_string(),
        }
    }
}

fn kind_of(msg: &ClientMessage) -> &'static str {
    match msg {
        ClientMessage::JoinRoom { .. } => "JOIN_ROOM",
        ClientMessage::CursorMove(_) => "CURSOR_MOVE",
        ClientMessage::Viewport(_) => "VIEWPORT",
        ClientMessage::Laser(_) => "LASER",
        ClientMessage::ShapeAdded { .. } => "SHAPE_ADDED",
        ClientMessage::ShapeUpdated { .. } => "SHAPE_UPDATED",
        ClientMessage::ShapesDeleted { .. } => "SHAPES_DELETED",
        ClientMessage::RequestSync { .. } => "REQUEST_SYNC",
        ClientMessage::Relay { kind, .. } | ClientMessage::Targeted { kind, .. } => kind,
    }
}

/// What is wrong with the parser's answer to `text`, if anything.
fn fault(text: &str, parsed: &Result<ClientMessage, protocol::ProtocolError>) -> Option<String> {
    let over = text.len() > MAX_FRAME_BYTES;
    match parsed {
        Ok(_) if over => Some("accepted a frame over the size limit".into()),
        Ok(_) => None,
        Err(e) if e.code.as_str().is_empty() || e.message.trim().is_empty() => {
            Some(format!("a refusal without a code or message: {e:?}"))
        }
        Err(e) if (e.code == ErrorCode::TooLarge) != over => Some(format!(
            "{} for a frame of {} bytes",
            e.code.as_str(),
            text.len()
        )),
        Err(_) => None,
    }
}

fn shorten(text: &str) -> String {
    let head: String = text.chars().take(200).collect();
    format!("{head:?} ({} bytes)", text.len())
}

fn counts(map: &BTreeMap<&str, u64>) -> String {
    let parts: Vec<String> = map.iter().map(|(k, n)| format!("{k} {n}")).collect();
    parts.join(", ")
}

pub fn main(args: FuzzArgs, as_json: bool) -> BenchResult<()> {
    let mut gen = Gen::new(args.seed);
    let (mut accepted, mut refused) = (BTreeMap::new(), BTreeMap::new());
    let (mut panics, mut faults) = (0u64, 0u64);
    let mut examples = Vec::new();
    let mut parse_ns = 0u128;
    report::progress(&format!("{} frames from seed {}", args.cases, args.seed));
    // A panic is counted and shown below, not printed once per frame.
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    for _ in 0..args.cases {
        let text = gen.frame();
        let t = Instant::now();
        let parsed = panic::catch_unwind(AssertUnwindSafe(|| protocol::parse(&text)));
        parse_ns += t.elapsed().as_nanos();
        let problem = match &parsed {
            Err(_) => {
                panics += 1;
                Some("the parser panicked".to_string())
            }
            Ok(parsed) => fault(&text, parsed).inspect(|_| faults += 1),
        };
        match parsed {
            Ok(Ok(msg)) => *accepted.entry(kind_of(&msg)).or_insert(0u64) += 1,
            Ok(Err(e)) => *refused.entry(e.code.as_str()).or_insert(0u64) += 1,
            Err(_) => {}
        }
        if let Some(problem) = problem.filter(|_| examples.len() < EXAMPLES) {
            examples.push(format!("{problem}: {}", shorten(&text)));
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    panic::set_hook(hook);
    let cases = args.cases.max(1) as f64;
    let per_sec = args.cases as f64 / seconds.max(1e-9);
    let parse_us = parse_ns as f64 / cases / 1e3;
    let (n_ok, n_refused): (u64, u64) = (accepted.values().sum(), refused.values().sum());
    let mut human = format!(
        "fuzz  {} frames from seed {}, through the parser in process\n  \
         {seconds:.2} s: {per_sec:.0} frames/s, the parser alone {parse_us:.2} µs a frame\n  \
         accepted {n_ok}: {}\n  refused {n_refused}: {}\n  \
         panics {panics}, wrong refusals {faults}",
        args.cases,
        args.seed,
        counts(&accepted),
        counts(&refused),
    );
    for example in &examples {
        human.push_str(&format!("\n  ! {example}"));
    }
    let value = json!({
        "scenario": "fuzz",
        "seed": args.seed,
        "cases": args.cases,
        "seconds": seconds,
        "cases_per_sec": per_sec,
        "parse_us_per_case": parse_us,
        "accepted": accepted,
        "refused": refused,
        "panics": panics,
        "wrong_refusals": faults,
        "examples": examples,
    });
    report::emit(as_json, &human, &value);
    if panics + faults > 0 {
        return client::fail(format!(
            "{} frames broke the parser's promises; the first is above",
            panics + faults
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use coco::protocol::ProtocolError;

    #[test]
    fn the_same_seed_gives_the_same_frames() {
        let run = |seed| {
            let mut gen = Gen::new(seed);
            (0..500)
                .map(|_| gen.frame().into_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
    }

    #[test]
    fn a_wrong_answer_is_caught() {
        let sync = || Ok(ClientMessage::RequestSync(Default::default()));
        let over = "x".repeat(MAX_FRAME_BYTES + 1);
        assert_eq!(fault("{}", &sync()), None);
        assert!(fault(&over, &sync()).is_some(), "accepted over the limit");
        let too_large = Err(ProtocolError::new(ErrorCode::TooLarge, "big"));
        assert!(
            fault("{}", &too_large).is_some(),
            "too_large for a small frame"
        );
        assert_eq!(fault(&over, &too_large), None);
        let silent = Err(ProtocolError::invalid(" "));
        assert!(
            fault("{}", &silent).is_some(),
            "a refusal without a message"
        );
    }
}
