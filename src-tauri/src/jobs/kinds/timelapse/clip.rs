//! A timelapse played as a storyboard clip: the script read once when the
//! storyboard video starts, then drawn by the same [`Frames`] as a
//! timelapse video, at the size of the scene's stage and over as many
//! frames as the scene lasts, names band and clock included.

use std::fmt;
use std::sync::Arc;

use super::script::Script;
use super::{Frames, Pace, TimelapseRequest};
use crate::media::video::{Clip, FrameSource};

/// One range of one room's history, ready to play.
pub struct Replay {
    room: String,
    script: Arc<Script>,
    utc_offset_min: Option<i32>,
}

impl Replay {
    pub fn new(room: &str, script: Arc<Script>, utc_offset_min: Option<i32>) -> Replay {
        Replay {
            room: room.to_string(),
            script,
            utc_offset_min,
        }
    }
}

impl fmt::Debug for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replay")
            .field("room", &self.room)
            .field("changes", &self.script.changes.len())
            .finish()
    }
}

impl Clip for Replay {
    fn frames(&self, width: u32, height: u32, frames: u64) -> Box<dyn FrameSource> {
        let request = TimelapseRequest {
            room: self.room.clone(),
            from_rev: 0,
            to_rev: 0,
            // The scene's length, the changes spread evenly over it.
            pace: Pace::Frames(frames),
            width,
            height,
            fps: 1,
            utc_offset_min: self.utc_offset_min,
        };
        Box::new(Frames::new(Arc::clone(&self.script), &request))
    }
}
