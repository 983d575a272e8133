//! What a timelapse shows, read from the room's history before any frame
//! is drawn: the board at the first revision, every change after it up to
//! the last (each shape parsed once, into the polyline the thumbnails
//! draw too), who made them, and the bounds of everything that was ever
//! on the board in that range, so the camera is fixed for the whole video.
//! Blocking: call from a blocking thread.

use std::collections::HashMap;

use crate::media::thumb::{stroke_of, Stroke};
use crate::store::history::EntryKind;
use crate::store::{HistoryState, Store, StoreError};

/// Entries read from the store at a time.
const PAGE: usize = 1_000;

/// One shape as drawn: board units.
pub struct Shape {
    pub points: Vec<(f32, f32)>,
    pub rgb: [u8; 3],
    /// The line's width at each point (pen pressure makes them differ).
    pub widths: Vec<f32>,
}

/// One change of the board.
pub struct Change {
    pub t: u64,
    pub delete: bool,
    /// Add/update: the shapes after the change (`None`: nothing drawable);
    /// delete: the ids removed.
    pub shapes: Vec<(String, Option<Shape>)>,
}

/// A person who drew in the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: String,
    pub seat: String,
}

/// Everything the frames are made from.
pub struct Script {
    /// The board at the first revision, in board order.
    pub start: Vec<(String, Option<Shape>)>,
    pub start_t: u64,
    pub changes: Vec<Change>,
    /// In the order they first drew.
    pub people: Vec<Person>,
    /// `(min x, min y, max x, max y)` of every point, board units; `None`
    /// when nothing drawable was ever on the board.
    pub bounds: Option<(f32, f32, f32, f32)>,
}

/// Why a script could not be read.
#[derive(Debug)]
pub enum ScriptError {
    /// The first revision is older than what is kept.
    NotKept,
    Store(StoreError),
}

impl From<StoreError> for ScriptError {
    fn from(e: StoreError) -> Self {
        ScriptError::Store(e)
    }
}

fn shape_of(json: &str) -> Option<Shape> {
    let stroke = stroke_of(json)?;
    let widths = (0..stroke.points.len())
        .map(|i| stroke.width_at(i))
        .collect();
    let Stroke { points, color, .. } = stroke;
    Some(Shape {
        points,
        rgb: [color.0[0], color.0[1], color.0[2]],
        widths,
    })
}

/// Reads revisions `from..=to` of `room`. `stop` is asked between pages.
pub fn read(
    store: &Store,
    room: &str,
    state: &HistoryState,
    (from, to): (u64, u64),
    stop: &dyn Fn() -> bool,
) -> Result<Option<Script>, ScriptError> {
    let board = store
        .history_board(room, state, from)?
        .ok_or(ScriptError::NotKept)?;
    let start: Vec<(String, Option<Shape>)> = board
        .shapes
        .iter()
        .map(|json| (String::new(), shape_of(json)))
        .collect();
    let mut script = Script {
        start,
        start_t: board.t,
        changes: Vec::new(),
        people: Vec::new(),
        bounds: None,
    };
    // Ids of the starting shapes, so later updates and deletes find them.
    for (slot, json) in script.start.iter_mut().zip(&board.shapes) {
        slot.0 = shape_id(json);
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut next = Some(from + 1);
    while let Some(at) = next.filter(|&at| at <= to) {
        if stop() {
            return Ok(None);
        }
        let page = store.history_page(room, (at, to), PAGE, 0, true)?;
        next = page.next;
        for e in page.entries {
            if !e.user_id.is_empty() && !seen.contains_key(&e.user_id) {
                seen.insert(e.user_id.clone(), script.people.len());
                script.people.push(Person {
                    name: e.name.clone(),
                    seat: e.seat.clone(),
                });
            }
            let delete = e.kind == EntryKind::Delete;
            let shapes = e
                .shapes
                .into_iter()
                .map(|(id, json)| {
                    let shape = if delete { None } else { shape_of(&json) };
                    (id, shape)
                })
                .collect();
            script.changes.push(Change {
                t: e.t,
                delete,
                shapes,
            });
        }
    }
    let all = script.start.iter().filter_map(|(_, s)| s.as_ref()).chain(
        script
            .changes
            .iter()
            .flat_map(|c| c.shapes.iter().filter_map(|(_, s)| s.as_ref())),
    );
    for shape in all {
        for (&(x, y), w) in shape.points.iter().zip(&shape.widths) {
            let pad = w / 2.0;
            let b = script.bounds.get_or_insert((x, y, x, y));
            *b = (
                b.0.min(x - pad),
                b.1.min(y - pad),
                b.2.max(x + pad),
                b.3.max(y + pad),
            );
        }
    }
    Ok(Some(script))
}

/// The `id` of a stored shape, without parsing the rest of it.
fn shape_id(json: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    serde_json::from_str::<Id>(json)
        .map(|s| s.id)
        .unwrap_or_default()
}
