//! Storyboards: each room's ordered pictures with captions, durations and
//! camera moves, kept in the store (the job that renders one is
//! [`crate::jobs::kinds::video`]).
//!
//! Every change is checked in full on a copy before anything is written,
//! so bad input changes nothing; a change is flushed to disk before it is
//! acknowledged or announced. Each room has a default storyboard (its
//! oldest, created as "Storyboard 1" on first use), which the existing
//! client's routes act on.
//!
//! - [`model`]: the shapes and the checks of single fields.
//! - [`clip`]: frames that play a timelapse of a room's history.
//! - `store`: their table.

pub mod clip;
pub mod model;
mod store;

use std::sync::{Arc, Mutex};

use serde::Deserialize;

pub use clip::{FrameClip, NewClip, DEFAULT_CLIP_MS, MAX_CLIP_CHANGES, MAX_CLIP_MS, MIN_CLIP_MS};
pub use model::{picture_of, Frame, FrameMotion, FrameTransition, Storyboard};

use crate::media::pictures::Pictures;
use crate::media::video as render;
use crate::protocol::now_ms;
use crate::protocol::{frame, Frame as WireFrame};
use crate::store::{Store, StoreError};
use model::{check_caption, check_duration, check_name, check_title, new_id};
use store::Disk;

/// Storyboards one room may have.
pub const MAX_STORYBOARDS_PER_ROOM: usize = 20;
/// Frames in one storyboard: as many as one video has scenes.
pub const MAX_FRAMES: usize = render::MAX_SCENES;
/// Longest caption, in characters (the renderer's limit).
pub const MAX_CAPTION_CHARS: usize = render::MAX_CAPTION_CHARS;
/// Longest video title, in characters (the renderer's limit).
pub const MAX_TITLE_CHARS: usize = render::MAX_TITLE_CHARS;
/// Longest storyboard name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Shortest time a frame is shown (the renderer's shortest scene).
pub const MIN_FRAME_MS: u32 = render::MIN_SCENE_MS;
/// Longest time a frame is shown (the renderer's longest scene).
pub const MAX_FRAME_MS: u32 = render::MAX_SCENE_MS;
/// How long a new frame is shown unless told otherwise.
pub const DEFAULT_FRAME_MS: u32 = 4_000;
/// The name of a room's first storyboard.
pub const DEFAULT_NAME: &str = "Storyboard 1";

#[derive(Debug, thiserror::Error)]
pub enum StoryboardError {
    #[error("there is no such storyboard")]
    NotFound,
    #[error("there is no such frame in this storyboard")]
    FrameNotFound,
    #[error("{0} is not a picture on this host; upload it first (POST /api/save-image)")]
    ImageNotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    TooLong(String),
    #[error("{0}")]
    BadDuration(String),
    #[error("{0}")]
    LimitReached(String),
    #[error("the storyboard could not be stored: {0}")]
    Storage(#[from] StoreError),
}

impl StoryboardError {
    /// A stable name for programs.
    pub fn code(&self) -> &'static str {
        match self {
            StoryboardError::NotFound
            | StoryboardError::FrameNotFound
            | StoryboardError::ImageNotFound(_) => "not_found",
            StoryboardError::Invalid(_) => "invalid",
            StoryboardError::TooLong(_) => "too_long",
            StoryboardError::BadDuration(_) => "bad_duration",
            StoryboardError::LimitReached(_) => "limit_reached",
            StoryboardError::Storage(e) if e.is_disk_full() => "disk_full",
            StoryboardError::Storage(_) => "storage_failed",
        }
    }
}

type Result<T> = std::result::Result<T, StoryboardError>;

/// A change to announce to a room.
#[derive(Debug, Clone, Copy)]
pub enum StoryboardEvent<'a> {
    Updated(&'a Storyboard),
    Deleted { id: &'a str },
}

impl StoryboardEvent<'_> {
    /// `STORYBOARD_UPDATED {storyboard}` or `STORYBOARD_DELETED {id}`.
    pub fn to_frame(&self) -> WireFrame {
        use crate::protocol::payloads::{record, StoryboardDeleted, StoryboardUpdated};
        use crate::protocol::ServerMessage;
        match *self {
            StoryboardEvent::Updated(storyboard) => {
                let storyboard = record(storyboard);
                frame(&ServerMessage::StoryboardUpdated(StoryboardUpdated {
                    storyboard: &storyboard,
                }))
            }
            StoryboardEvent::Deleted { id } => {
                frame(&ServerMessage::StoryboardDeleted(StoryboardDeleted { id }))
            }
        }
    }
}

/// Where changes go: `(room, event)`. The host sends them to the room.
pub type ChangeSink = Arc<dyn Fn(&str, StoryboardEvent<'_>) + Send + Sync>;

/// A frame to add, as a client sends it: a picture (`image`), or a
/// timelapse (`clip`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewFrame {
    #[serde(default)]
    pub image: String,
    pub clip: Option<NewClip>,
    pub caption: Option<String>,
    pub duration_ms: Option<u64>,
    pub motion: Option<FrameMotion>,
    pub transition: Option<FrameTransition>,
    /// Where to insert it (0 = first); the end when absent.
    pub index: Option<usize>,
}

/// Fields of a frame to change; absent ones stay.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FramePatch {
    pub caption: Option<String>,
    pub duration_ms: Option<u64>,
    pub motion: Option<FrameMotion>,
    pub transition: Option<FrameTransition>,
}

/// Fields of a storyboard to change; an empty title removes it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StoryboardPatch {
    pub name: Option<String>,
    pub title: Option<String>,
}

/// The storyboards of every room. Cheap to clone. Methods block on disk
/// writes: call them from `spawn_blocking`.
#[derive(Clone)]
pub struct Storyboards {
    inner: Arc<Inner>,
}

struct Inner {
    /// One lock for reads and writes: a change is read, checked, written
    /// and flushed as one step, so two people's edits never interleave.
    disk: Mutex<Disk>,
    pictures: Pictures,
    sink: ChangeSink,
}

impl Storyboards {
    pub fn open(
        store: &Store,
        pictures: Pictures,
        sink: ChangeSink,
    ) -> std::result::Result<Storyboards, StoreError> {
        Ok(Storyboards {
            inner: Arc::new(Inner {
                disk: Mutex::new(Disk::open(store)?),
                pictures,
                sink,
            }),
        })
    }

    fn disk(&self) -> std::sync::MutexGuard<'_, Disk> {
        self.inner.disk.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The room's storyboards, the default first; creates it if none.
    pub fn list(&self, room: &str) -> Result<Vec<Storyboard>> {
        let mut disk = self.disk();
        let boards = disk.in_room(room)?;
        if !boards.is_empty() {
            return Ok(boards);
        }
        let board = blank(room, DEFAULT_NAME.to_string());
        disk.put(&board)?;
        drop(disk);
        (self.inner.sink)(room, StoryboardEvent::Updated(&board));
        Ok(vec![board])
    }

    /// The room's default storyboard, created if none.
    pub fn default_for(&self, room: &str) -> Result<Storyboard> {
        Ok(self.list(room)?.remove(0))
    }

    pub fn get(&self, id: &str) -> Result<Storyboard> {
        self.disk().get(id)?.ok_or(StoryboardError::NotFound)
    }

    /// A new, empty storyboard in `room`.
    pub fn create(&self, room: &str, name: Option<&str>) -> Result<Storyboard> {
        let name = name.map(check_name).transpose()?;
        let mut disk = self.disk();
        let existing = disk.in_room(room)?;
        if existing.len() >= MAX_STORYBOARDS_PER_ROOM {
            return Err(StoryboardError::LimitReached(format!(
                "a room has at most {MAX_STORYBOARDS_PER_ROOM} storyboards; delete one first"
            )));
        }
        let name = name.unwrap_or_else(|| format!("Storyboard {}", existing.len() + 1));
        let board = blank(room, name);
        disk.put(&board)?;
        drop(disk);
        (self.inner.sink)(room, StoryboardEvent::Updated(&board));
        Ok(board)
    }

    pub fn delete(&self, id: &str) -> Result<()> {
        let mut disk = self.disk();
        let board = disk.get(id)?.ok_or(StoryboardError::NotFound)?;
        disk.remove(&board)?;
        drop(disk);
        (self.inner.sink)(&board.room, StoryboardEvent::Deleted { id });
        Ok(())
    }

    pub fn update(&self, id: &str, patch: StoryboardPatch) -> Result<Storyboard> {
        let name = patch.name.as_deref().map(check_name).transpose()?;
        let title = patch.title.as_deref().map(check_title).transpose()?;
        self.change(id, |board| {
            if let Some(name) = name {
                board.name = name;
            }
            if let Some(title) = title {
                board.title = title;
            }
            Ok(())
        })
        .map(|(board, ())| board)
    }

    /// Adds a frame showing a picture the host issued.
    pub fn add_frame(&self, id: &str, new: NewFrame) -> Result<(Storyboard, Frame)> {
        if new.clip.is_some() {
            // A clip needs its range checked against the history first: `add_clip`.
            return Err(StoryboardError::Invalid(
                "a frame shows a picture (image) or plays a timelapse (clip)".to_string(),
            ));
        }
        let frame = self.make_frame(&new)?;
        self.change(id, |board| {
            let index = insert_index(board, new.index)?;
            board.frames.insert(index, frame.clone());
            Ok(frame)
        })
    }

    pub fn update_frame(&self, id: &str, frame_id: &str, patch: FramePatch) -> Result<Storyboard> {
        let caption = patch.caption.as_deref().map(check_caption).transpose()?;
        self.change(id, |board| {
            let frame = board
                .frames
                .iter_mut()
                .find(|f| f.id == frame_id)
                .ok_or(StoryboardError::FrameNotFound)?;
            // A clip's own limits: it plays longer than a picture is shown, and still.
            let clip = frame.clip.is_some();
            if let Some(ms) = patch.duration_ms {
                frame.duration_ms = if clip {
                    clip::check_clip_duration(ms)?
                } else {
                    check_duration(ms)?
                };
            }
            if let Some(motion) = patch.motion {
                frame.motion = if clip {
                    clip::check_clip_motion(motion)?
                } else {
                    motion
                };
            }
            if let Some(caption) = caption {
                frame.caption = caption;
            }
            if let Some(transition) = patch.transition {
                frame.transition = transition;
            }
            Ok(())
        })
        .map(|(board, ())| board)
    }

    pub fn remove_frame(&self, id: &str, frame_id: &str) -> Result<Storyboard> {
        self.change(id, |board| {
            let at = board
                .frames
                .iter()
                .position(|f| f.id == frame_id)
                .ok_or(StoryboardError::FrameNotFound)?;
            board.frames.remove(at);
            Ok(())
        })
        .map(|(board, ())| board)
    }

    /// Puts the frames in the order of `frame_ids`, which must name every
    /// current frame exactly once.
    pub fn reorder(&self, id: &str, frame_ids: &[String]) -> Result<Storyboard> {
        self.change(id, |board| {
            let mut frames = Vec::with_capacity(board.frames.len());
            for frame_id in frame_ids {
                let at = board.frames.iter().position(|f| &f.id == frame_id);
                match at {
                    Some(at) => frames.push(board.frames.swap_remove(at)),
                    None => return Err(not_a_permutation()),
                }
            }
            if !board.frames.is_empty() {
                return Err(not_a_permutation());
            }
            board.frames = frames;
            Ok(())
        })
        .map(|(board, ())| board)
    }

    pub fn clear(&self, id: &str) -> Result<Storyboard> {
        self.change(id, |board| {
            board.frames.clear();
            Ok(())
        })
        .map(|(board, ())| board)
    }

    /// The existing client's add: the picture joins the room's default
    /// storyboard unless it is already there. Returns whether it was.
    pub fn add_to_default(&self, room: &str, image: &str) -> Result<(Storyboard, bool)> {
        let frame = self.make_frame(&NewFrame {
            image: image.to_string(),
            ..NewFrame::default()
        })?;
        let default = self.default_for(room)?;
        self.change(&default.id, |board| {
            // A clip showing the same still is not this picture.
            if board
                .frames
                .iter()
                .any(|f| f.clip.is_none() && f.image == frame.image)
            {
                return Ok(true);
            }
            let index = insert_index(board, None)?;
            board.frames.insert(index, frame);
            Ok(false)
        })
    }

    /// The existing client's delete: the frame at `index` when given (it
    /// must show `image`), else the first frame showing `image`.
    pub fn remove_from_default(
        &self,
        room: &str,
        image: &str,
        index: Option<usize>,
    ) -> Result<Storyboard> {
        let path = picture_of(image)?.path();
        let default = self.default_for(room)?;
        self.change(&default.id, |board| {
            let at = match index {
                Some(i) => (board.frames.get(i).is_some_and(|f| f.image == path)).then_some(i),
                None => board.frames.iter().position(|f| f.image == path),
            };
            let at = at.ok_or(StoryboardError::FrameNotFound)?;
            board.frames.remove(at);
            Ok(())
        })
        .map(|(board, ())| board)
    }

    /// The host's pictures, which frames show.
    pub fn pictures(&self) -> &Pictures {
        &self.inner.pictures
    }

    /// A frame from a request, every field checked.
    fn make_frame(&self, new: &NewFrame) -> Result<Frame> {
        let image = picture_of(&new.image)?;
        let caption = check_caption(new.caption.as_deref().unwrap_or(""))?;
        let duration_ms = check_duration(new.duration_ms.unwrap_or(DEFAULT_FRAME_MS.into()))?;
        let (width, height) = self
            .inner
            .pictures
            .dimensions(&image)
            .ok_or_else(|| StoryboardError::ImageNotFound(image.path()))?;
        Ok(Frame {
            id: new_id("fr_"),
            image: image.path(),
            width,
            height,
            caption,
            duration_ms,
            motion: new.motion.unwrap_or_default(),
            transition: new.transition.unwrap_or_default(),
            clip: None,
        })
    }

    /// Applies `edit` to a copy; stores and announces it only when the edit
    /// succeeded and changed something.
    fn change<T>(
        &self,
        id: &str,
        edit: impl FnOnce(&mut Storyboard) -> Result<T>,
    ) -> Result<(Storyboard, T)> {
        let mut disk = self.disk();
        let before = disk.get(id)?.ok_or(StoryboardError::NotFound)?;
        let mut board = before.clone();
        let out = edit(&mut board)?;
        if board == before {
            return Ok((board, out));
        }
        board.rev += 1;
        board.updated_at = now_ms().max(board.updated_at);
        disk.put(&board)?;
        drop(disk);
        (self.inner.sink)(&board.room, StoryboardEvent::Updated(&board));
        Ok((board, out))
    }
}

fn blank(room: &str, name: String) -> Storyboard {
    let now = now_ms();
    Storyboard {
        id: new_id("sb_"),
        room: room.to_string(),
        name,
        rev: 1,
        title: None,
        created_at: now,
        updated_at: now,
        frames: Vec::new(),
    }
}

/// Where a new frame goes; refuses a full storyboard or a bad index.
fn insert_index(board: &Storyboard, index: Option<usize>) -> Result<usize> {
    if board.frames.len() >= MAX_FRAMES {
        return Err(StoryboardError::LimitReached(format!(
            "a storyboard has at most {MAX_FRAMES} frames"
        )));
    }
    match index {
        None => Ok(board.frames.len()),
        Some(i) if i <= board.frames.len() => Ok(i),
        Some(i) => Err(StoryboardError::Invalid(format!(
            "index {i} is past the end: the storyboard has {} frames",
            board.frames.len()
        ))),
    }
}

fn not_a_permutation() -> StoryboardError {
    StoryboardError::Invalid(
        "frameIds must list every frame of the storyboard exactly once".to_string(),
    )
}
