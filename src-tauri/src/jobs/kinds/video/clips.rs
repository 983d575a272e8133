//! The timelapse clips of a storyboard video, read from the rooms' history
//! before the first frame is drawn, so a range no longer kept fails the job
//! at once, with the frame it belongs to, rather than halfway through.
//! A range shown twice is read once. Blocking.

use std::collections::HashMap;
use std::sync::Arc;

use super::shares::READ_SHARE;
use crate::jobs::kinds::timelapse::clip::Replay;
use crate::jobs::kinds::timelapse::read_script;
use crate::jobs::{JobCtx, JobFailure};
use crate::media::video::Clip;
use crate::store::Store;
use crate::storyboard::Frame;

/// A frame's clip, ready to play; `None` for a picture.
pub type Loaded = Option<Arc<dyn Clip>>;

/// Each frame's clip, in frame order.
pub fn load(store: &Store, frames: &[Frame], ctx: &JobCtx) -> Result<Vec<Loaded>, JobFailure> {
    let count = frames.iter().filter(|f| f.clip.is_some()).count();
    let mut read: HashMap<(&str, u64, u64), Arc<dyn Clip>> = HashMap::new();
    let mut clips = Vec::with_capacity(frames.len());
    let mut done = 0;
    for (index, frame) in frames.iter().enumerate() {
        let Some(clip) = &frame.clip else {
            clips.push(None);
            continue;
        };
        let key = (clip.room.as_str(), clip.from_rev, clip.to_rev);
        if let Some(replay) = read.get(&key) {
            clips.push(Some(Arc::clone(replay)));
            continue;
        }
        done += 1;
        ctx.progress(
            READ_SHARE,
            &format!("reading the history of clip {done} of {count}"),
        );
        let script = read_script(store, &clip.room, (clip.from_rev, clip.to_rev), &|| {
            ctx.is_cancelled()
        })
        .map_err(|e| {
            JobFailure::new(
                &e.code,
                format!("frame {}'s timelapse: {}", index + 1, e.message),
            )
        })?
        .ok_or_else(|| JobFailure::new("cancelled", "cancelled"))?;
        let replay: Arc<dyn Clip> = Arc::new(Replay::new(
            &clip.room,
            Arc::new(script),
            clip.utc_offset_minutes,
        ));
        read.insert(key, Arc::clone(&replay));
        clips.push(Some(replay));
    }
    Ok(clips)
}
