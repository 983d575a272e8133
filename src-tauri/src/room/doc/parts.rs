//! A sync in parts (`REQUEST_SYNC {parts: true, view?}`): the same shapes
//! as one `SYNC_SHAPES`, ordered by the distance of their bounding box from
//! the centre of the asker's view (those touching the view first), split
//! into a small first part ([`FIRST_SYNC_PART_BYTES`]) and larger later
//! ones ([`SYNC_PART_BYTES`]).
//!
//! Every part is cut from one snapshot (the room is locked while they are
//! made, and they are queued together), so a client that applies them in
//! order, then puts the shapes back in board order (`at`), ends exactly
//! where the single message would have left it; the changes made after
//! the snapshot reach it after the last part.

use serde::Deserialize;

use std::sync::{Arc, OnceLock};

use super::{Doc, Shape};
use crate::protocol::limits::{FIRST_SYNC_PART_BYTES, SYNC_PART_BYTES};
use crate::protocol::payloads::{SyncPart, SyncShapes};
use crate::protocol::{frame, Frame, ServerMessage, SyncRequest, ViewRect};

/// A shape's bounding box in board coordinates, from its points (or its
/// `x, y, width, height`). Only orders the parts: a box a little off
/// sends a shape a part early or late, nothing else.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    min_x: f64,
    min_y: f64,
    max_x: f64,
    max_y: f64,
}

/// The fields of a shape its box is read from; every other field is
/// skipped unread.
#[derive(Deserialize)]
struct Geometry {
    #[serde(default)]
    points: Option<Vec<Point>>,
    #[serde(default)]
    x: Option<f64>,
    #[serde(default)]
    y: Option<f64>,
    #[serde(default)]
    width: Option<f64>,
    #[serde(default)]
    height: Option<f64>,
}

#[derive(Deserialize)]
struct Point {
    x: f64,
    y: f64,
}

/// The box of a shape's JSON; None when it has no readable geometry (it is
/// then sent after every shape that has one).
fn bbox_of(json: &str) -> Option<Bbox> {
    let g: Geometry = serde_json::from_str(json).ok()?;
    let (w, h) = (g.width.unwrap_or(0.0), g.height.unwrap_or(0.0));
    let mut b = match (g.points.as_deref(), g.x, g.y) {
        (Some([first, rest @ ..]), _, _) => rest.iter().fold(
            Bbox {
                min_x: first.x,
                min_y: first.y,
                max_x: first.x,
                max_y: first.y,
            },
            |b, p| Bbox {
                min_x: b.min_x.min(p.x),
                min_y: b.min_y.min(p.y),
                max_x: b.max_x.max(p.x),
                max_y: b.max_y.max(p.y),
            },
        ),
        (_, Some(x), Some(y)) => Bbox {
            min_x: x,
            min_y: y,
            max_x: x,
            max_y: y,
        },
        _ => return None,
    };
    // A picture or box placed at one point reaches `width × height` from it.
    if g.points.as_ref().is_none_or(|p| p.len() < 2) {
        b.min_x = b.min_x.min(b.min_x + w);
        b.max_x = b.max_x.max(b.max_x + w);
        b.min_y = b.min_y.min(b.min_y + h);
        b.max_y = b.max_y.max(b.max_y + h);
    }
    [b.min_x, b.min_y, b.max_x, b.max_y]
        .iter()
        .all(|v| v.is_finite())
        .then_some(b)
}

/// Where a shape goes in the parts: touching the view first (0), then the
/// others (1), then those without a box (2); within each, nearest the
/// view's centre first.
fn rank(b: Option<Bbox>, view: &ViewRect) -> (u8, f64) {
    let Some(b) = b else {
        return (2, 0.0);
    };
    let (cx, cy) = (view.x + view.w / 2.0, view.y + view.h / 2.0);
    let dx = (b.min_x - cx).max(cx - b.max_x).max(0.0);
    let dy = (b.min_y - cy).max(cy - b.max_y).max(0.0);
    let touches = b.max_x >= view.x
        && b.min_x <= view.x + view.w
        && b.max_y >= view.y
        && b.min_y <= view.y + view.h;
    (u8::from(!touches), dx * dx + dy * dy)
}

/// What a sync in parts reads from a shape's JSON: made once, kept until
/// the shape changes (a change stores a new shape with a new one).
#[derive(Debug, Default)]
pub struct Derived {
    /// Its bounding box.
    bbox: OnceLock<Option<Bbox>>,
    /// Its JSON with packed points; None when its points do not pack exactly.
    packed: OnceLock<Option<Arc<str>>>,
}

impl Derived {
    fn bbox(&self, json: &str) -> Option<Bbox> {
        *self.bbox.get_or_init(|| bbox_of(json))
    }

    fn packed(&self, json: &str) -> Option<&str> {
        self.packed
            .get_or_init(|| crate::protocol::packed::pack_shape(json).map(Arc::from))
            .as_deref()
    }
}

impl Shape {
    fn bbox(&self) -> Option<Bbox> {
        self.derived.bbox(&self.json)
    }

    /// The JSON a sync sends: with packed points when asked and exact.
    fn json_for(&self, packed: bool) -> &str {
        if !packed {
            return &self.json;
        }
        self.derived.packed(&self.json).unwrap_or(&self.json)
    }
}

/// What answering a sync in parts would read from shapes for the first
/// time (their boxes, their packed points), taken from the room so that it
/// can be made without holding the room's lock: made under it, a first
/// packed sync of a 10,000-stroke board held the room (every other
/// person's changes and cursors) for ~300 ms.
pub struct SyncWork {
    shapes: Vec<(Arc<str>, Arc<Derived>)>,
    bbox: bool,
    packed: bool,
}

impl SyncWork {
    /// Shapes whose box or packed points are still to be made.
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }

    /// Makes them; the room's answer then finds them made.
    pub fn run(self) {
        for (json, derived) in &self.shapes {
            if self.bbox {
                derived.bbox(json);
            }
            if self.packed {
                derived.packed(json);
            }
        }
    }
}

/// Splits shapes of these JSON lengths (in the order they are sent) into
/// parts: the first holds at most [`FIRST_SYNC_PART_BYTES`], each later one
/// at most [`SYNC_PART_BYTES`], and a shape larger than that goes alone.
/// Returns how many shapes each part holds.
fn split(lengths: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let (mut counts, mut count, mut bytes) = (Vec::new(), 0, 0);
    let mut budget = FIRST_SYNC_PART_BYTES;
    for len in lengths {
        if count > 0 && bytes + len > budget {
            counts.push(count);
            (count, bytes, budget) = (0, 0, SYNC_PART_BYTES);
        }
        count += 1;
        bytes += len;
    }
    if count > 0 {
        counts.push(count);
    }
    counts
}

impl Doc {
    /// What [`Doc::answer`] would have to make first for this request:
    /// nothing for a plain sync; the shapes' boxes (when a view orders
    /// them) and packed points (when asked) not made yet.
    pub fn sync_work(&self, request: &SyncRequest) -> SyncWork {
        let (bbox, packed) = (request.view.is_some(), request.packed);
        let since = self.delta_base(request.since);
        let shapes = if request.parts && (bbox || packed) {
            self.shapes
                .values()
                .filter(|s| since.is_none_or(|n| s.rev > n))
                .filter(|s| {
                    (bbox && s.derived.bbox.get().is_none())
                        || (packed && s.derived.packed.get().is_none())
                })
                .map(|s| (s.json.clone(), s.derived.clone()))
                .collect()
        } else {
            Vec::new()
        };
        SyncWork {
            shapes,
            bbox,
            packed,
        }
    }

    /// The whole board as `{"rev":N,"shapes":[…]}` in board order, strokes'
    /// points packed where exact (`GET /api/rooms/{room}/board`): the text
    /// of each shape as stored or packed, spliced in unparsed.
    pub fn packed_board(&self) -> String {
        let mut out = String::with_capacity(self.bytes / 2 + 64);
        out.push_str(&format!(r#"{{"rev":{},"shapes":["#, self.rev));
        for (i, s) in self.shapes.values().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(s.json_for(true));
        }
        out.push_str("]}");
        out
    }

    /// The answer to a `REQUEST_SYNC`: one `SYNC_SHAPES` as ever, or, when
    /// the client asked for parts and the shapes outgrow
    /// [`FIRST_SYNC_PART_BYTES`] (or asked for packed points), the parts in
    /// the order they must be sent.
    pub fn answer(&mut self, request: &SyncRequest) -> Vec<Frame> {
        if !request.parts {
            return vec![self.sync(request.since)];
        }
        let since = self.delta_base(request.since);
        let mut picked: Vec<(usize, &Shape)> = self
            .shapes
            .values()
            .enumerate()
            .filter(|(_, s)| since.is_none_or(|n| s.rev > n))
            .collect();
        let packed = request.packed;
        if !packed
            && picked.iter().map(|(_, s)| s.json.len()).sum::<usize>() <= FIRST_SYNC_PART_BYTES
        {
            return vec![self.sync(request.since)];
        }
        let in_view = match &request.view {
            Some(view) => {
                let mut ranked: Vec<_> = picked
                    .into_iter()
                    .map(|(at, s)| (rank(s.bbox(), view), at, s))
                    .collect();
                // Stable: shapes at the same distance keep the board order.
                ranked.sort_by(|a, b| a.0 .0.cmp(&b.0 .0).then(a.0 .1.total_cmp(&b.0 .1)));
                let in_view = ranked.iter().take_while(|r| r.0 .0 == 0).count();
                picked = ranked.into_iter().map(|(_, at, s)| (at, s)).collect();
                in_view
            }
            None => 0,
        };
        let deleted = since.map_or_else(Vec::new, |n| self.tombstones.since(n));
        let counts = split(picked.iter().map(|(_, s)| s.json_for(packed).len()));
        // An empty board asked for packed still gets its one (empty) part.
        let counts = if counts.is_empty() { vec![0] } else { counts };
        let (parts, total) = (counts.len(), picked.len());
        let mut rest = picked.as_slice();
        let mut frames = Vec::with_capacity(parts);
        for (i, count) in counts.into_iter().enumerate() {
            let (these, after) = rest.split_at(count);
            rest = after;
            let last = i + 1 == parts;
            frames.push(frame(&ServerMessage::SyncShapes(SyncShapes {
                shapes: these.iter().map(|(_, s)| s.json_for(packed)).collect(),
                deleted_ids: if last { deleted.clone() } else { Vec::new() },
                rev: self.rev,
                full: since.is_none(),
                part: Some(SyncPart {
                    part: i + 1,
                    parts,
                    total,
                    in_view,
                    at: these.iter().map(|(at, _)| *at).collect(),
                }),
            })));
        }
        frames
    }
}

#[cfg(test)]
#[path = "parts_tests.rs"]
mod tests;
